//! Criterion settings shared by the encoder benches, whose iterations take 0.1-1 s.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use std::time::Duration;

/// A group of 10 samples after a 1 s warm-up, measured over `seconds`.
pub fn slow_group<'a>(
    c: &'a mut Criterion,
    name: &str,
    seconds: u64,
) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(seconds))
        .warm_up_time(Duration::from_secs(1));
    group
}
