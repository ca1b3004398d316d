//! Single-thread GFLOP/s of `gemm` on the three GEMMs of a conv layer (scratch measurement).
use std::time::Instant;

/// c (m x n, row stride or col-major) = a (m x k) * b (k x n); a_t/b_t: stored transposed; c_t: store c^T.
fn time(m: usize, n: usize, k: usize, a_t: bool, b_t: bool, c_t: bool) -> f64 {
    let mut s = 7u64;
    let mut r = || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 40) as f32) / (1u64 << 24) as f32
    };
    let a: Vec<f32> = (0..m * k).map(|_| r()).collect();
    let b: Vec<f32> = (0..k * n).map(|_| r()).collect();
    let mut c = vec![0f32; m * n];
    let (a_rs, a_cs) = if a_t { (1, m) } else { (k, 1) };
    let (b_rs, b_cs) = if b_t { (1, k) } else { (n, 1) };
    let (c_rs, c_cs) = if c_t { (1, m) } else { (n, 1) };
    let run = |c: &mut [f32]| unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            c_cs as isize,
            c_rs as isize,
            false,
            a.as_ptr(),
            a_cs as isize,
            a_rs as isize,
            b.as_ptr(),
            b_cs as isize,
            b_rs as isize,
            1.0f32,
            1.0f32,
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    };
    run(&mut c);
    let t = Instant::now();
    let reps = 10;
    for _ in 0..reps {
        run(&mut c);
    }
    2.0 * (m * n * k) as f64 * reps as f64 / t.elapsed().as_secs_f64() / 1e9
}

fn main() {
    println!(
        "whiten 2048x512x512 {:6.1}",
        time(2048, 512, 512, false, false, false)
    );
    println!(
        "whiten 2056x512x512 {:6.1}",
        time(2056, 512, 512, false, false, false)
    );
}
