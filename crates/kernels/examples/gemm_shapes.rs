//! Single-thread GFLOP/s of `gemm` on the three GEMMs of a conv layer (scratch measurement).
use std::time::Instant;

/// c (m x n, row stride or col-major) = a (m x k) * b (k x n); a_t/b_t: stored transposed; c_t: store c^T.
fn time(m: usize, n: usize, k: usize, a_t: bool, b_t: bool, c_t: bool) -> f64 {
    let a = vec![0.5f32; m * k];
    let b = vec![0.25f32; k * n];
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
    for (co, kk, ld) in [
        (64, 576, 2048),
        (16, 144, 1024),
        (512, 4608, 64),
        (128, 1152, 1024),
        (32, 288, 1024),
    ] {
        println!("Co {co} K {kk} cols {ld}");
        println!(
            "  fwd  Y=W*col             {:6.1}",
            time(co, ld, kk, false, false, false)
        );
        println!(
            "  dW   gy*col^T            {:6.1}",
            time(co, kk, ld, false, true, false)
        );
        println!(
            "  dW^T col*gy^T (store T)  {:6.1}",
            time(kk, co, ld, false, true, true)
        );
        println!(
            "  dW^T colP*gy^T           {:6.1}",
            time(kk, co, ld, true, true, true)
        );
        println!(
            "  dW colP^T.. row          {:6.1}",
            time(co, kk, ld, false, false, false)
        );
        println!(
            "  dcol W^T*gy              {:6.1}",
            time(kk, ld, co, true, false, false)
        );
        println!(
            "  fwd  Y=W*colP^T          {:6.1}",
            time(co, ld, kk, false, true, false)
        );
        println!(
            "  dcolP gy^T*W row         {:6.1}",
            time(ld, kk, co, true, false, false)
        );
        println!(
            "  dcol^T gy^T*W (store T)  {:6.1}",
            time(ld, kk, co, true, false, true)
        );
    }
}
