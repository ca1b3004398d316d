//! The AVX-512 copies of the hot loops (`SSLINV_NO_WIDE` unset, on a CPU with AVX-512) give
//! the same bits as the baseline copies. The dispatch is decided once per process, so the test
//! runs itself twice as a child process, with and without `SSLINV_NO_WIDE`, and compares.

mod common;

use candle_core::{DType, Device, Result, Var};
use common::{bn, tensor};
use sslinv_kernels as k;

const CHILD: &str = "SSLINV_WIDE_DISPATCH_CHILD";

/// Bits of the outputs and gradients of a BatchNorm+ReLU, add+ReLU and ReLU chain, f32.
fn fingerprint() -> Result<Vec<u32>> {
    let x = Var::from_tensor(&tensor(1, &[4, 6, 9, 7], DType::F32)?)?;
    let r = tensor(2, &[4, 6, 9, 7], DType::F32)?;
    let gamma = Var::from_tensor(&tensor(3, &[6], DType::F32)?)?;
    let beta = Var::from_tensor(&tensor(4, &[6], DType::F32)?)?;
    let (rm, rv) = (
        Var::zeros(6, DType::F32, &Device::Cpu)?,
        Var::ones(6, DType::F32, &Device::Cpu)?,
    );
    let y = k::batch_norm_train(&x, bn(&gamma, &beta, (&rm, &rv)), true)?;
    let z = k::relu(&k::add_relu(&y, &r)?.affine(1.5, -0.25)?)?;
    let weights = tensor(5, &[4, 6, 9, 7], DType::F32)?;
    let grads = (z.clone() * weights)?.sum_all()?.backward()?;
    let mut bits = Vec::new();
    for t in [
        &z,
        grads.get(&x).unwrap(),
        grads.get(&gamma).unwrap(),
        grads.get(&beta).unwrap(),
        rm.as_tensor(),
        rv.as_tensor(),
    ] {
        bits.extend(
            t.flatten_all()?
                .to_vec1::<f32>()?
                .iter()
                .map(|v| v.to_bits()),
        );
    }
    Ok(bits)
}

#[test]
fn avx512_and_baseline_copies_agree_bit_for_bit() {
    if std::env::var_os(CHILD).is_some() {
        let bits = fingerprint().unwrap();
        println!("FINGERPRINT {bits:?}");
        return;
    }
    let run = |narrow: bool| {
        let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
        cmd.args([
            "--exact",
            "avx512_and_baseline_copies_agree_bit_for_bit",
            "--nocapture",
        ])
        .env(CHILD, "1");
        if narrow {
            cmd.env("SSLINV_NO_WIDE", "1");
        } else {
            cmd.env_remove("SSLINV_NO_WIDE");
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        stdout
            .lines()
            .find(|l| l.starts_with("FINGERPRINT"))
            .expect("the child printed its fingerprint")
            .to_string()
    };
    let (wide, narrow) = (run(false), run(true));
    assert!(wide.len() > 1000);
    assert_eq!(wide, narrow);
}
