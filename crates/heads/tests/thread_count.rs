//! The probes give the same numbers on one thread and on several.

/// Runs `f` in a rayon pool of `threads` threads.
fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(f)
}

use sslinv_heads::{
    DINO_KS, KnnConfig, Labels, ProbeConfig, knn_classify, probe, sequential_decompositions,
};

/// Overlapping Gaussian-ish class clusters (a fixed LCG, no RNG crate needed): hard enough that
/// the chosen lambda and the test accuracy react to the last bits of the fits.
fn clusters(n: usize, dim: usize, classes: usize, seed: u64) -> (Vec<f32>, Vec<i64>) {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as f64 / (1u64 << 31) as f64) as f32 - 0.5
    };
    let centres: Vec<f32> = (0..classes * dim).map(|_| 0.3 * next()).collect();
    let y: Vec<i64> = (0..n).map(|i| (i % classes) as i64).collect();
    let mut x = Vec::with_capacity(n * dim);
    for &c in &y {
        for &m in &centres[c as usize * dim..(c as usize + 1) * dim] {
            x.push(m + next() + next() + next());
        }
    }
    (x, y)
}

#[test]
fn logistic_probe_is_the_same_on_one_and_two_threads() {
    sequential_decompositions();
    let (dim, classes) = (128, 12);
    let (train_x, train_y) = clusters(3000, dim, classes, 1);
    let (test_x, test_y) = clusters(600, dim, classes, 2);
    let run = |threads: usize| {
        on_threads(threads, || {
            probe(
                &train_x,
                &Labels::Classes(train_y.clone()),
                &test_x,
                &Labels::Classes(test_y.clone()),
                dim,
                &ProbeConfig::default(),
            )
            .unwrap()
        })
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one.cv_scores, two.cv_scores);
    assert_eq!(one.lambda, two.lambda);
    assert_eq!(one.test_score, two.test_score);
}

#[test]
fn knn_is_the_same_on_one_and_two_threads() {
    // Large enough (train x queries x dim >= 2^26) for the bf16 screening where the CPU has AMX.
    let (dim, classes) = (64, 12);
    let (train_x, train_y) = clusters(4500, dim, classes, 3);
    let (test_x, test_y) = clusters(300, dim, classes, 4);
    let cfg = KnnConfig {
        ks: DINO_KS.to_vec(),
        ..Default::default()
    };
    let run = |threads| {
        on_threads(threads, || {
            knn_classify(&train_x, &train_y, &test_x, &test_y, dim, &cfg).unwrap()
        })
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one.predictions, two.predictions);
    assert_eq!(one.test_score, two.test_score);
}
