//! Which part of a global batch a rank of a data-parallel run holds.

use std::ops::Range;

/// Rank `rank`'s consecutive share of `range` split into `world` parts, the parts the same
/// sizes as sslinv-objectives' `forward_split` sub-batches (so rank r's shard is sub-batch r
/// of one process).
pub fn shard(range: Range<usize>, rank: usize, world: usize) -> Range<usize> {
    let world = world.max(1);
    let n = range.len();
    let mut start = 0;
    for i in 0..rank.min(world) {
        start += (n - start) / (world - i);
    }
    let len = if rank < world {
        (n - start) / (world - rank)
    } else {
        0
    };
    range.start + start..range.start + start + len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_tile_the_batch_in_rank_order() {
        for n in [0usize, 1, 7, 16, 33] {
            for world in 1..5 {
                let parts: Vec<_> = (0..world).map(|r| shard(10..10 + n, r, world)).collect();
                assert_eq!(parts[0].start, 10);
                assert_eq!(parts[world - 1].end, 10 + n);
                assert!(parts.windows(2).all(|w| w[0].end == w[1].start));
                let (lo, hi) = parts.iter().fold((usize::MAX, 0), |(a, b), p| {
                    (a.min(p.len()), b.max(p.len()))
                });
                assert!(hi - lo <= 1, "n {n} world {world}: {parts:?}");
            }
        }
        assert_eq!(shard(0..16, 1, 2), 8..16);
    }
}
