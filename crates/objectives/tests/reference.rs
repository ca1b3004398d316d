//! Losses, SGD and heads against PyTorch (fixtures from scripts/reference/objectives.py).
//! Tolerances: f32 here vs f64 in PyTorch, so 1e-5 relative on values and 1e-4 on gradients.

use std::collections::HashMap;

use candle_core::{Device, Tensor, Var};
use sslinv_objectives::{Head, HeadSpec, Sgd, barlow_twins_loss, byol_loss, info_nce, nt_xent};

fn fixtures() -> HashMap<String, Tensor> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/objectives_reference.safetensors"
    );
    candle_core::safetensors::load(path, &Device::Cpu).expect("fixture")
}

fn assert_close(got: &Tensor, want: &Tensor, tol: f32, what: &str) {
    let g: Vec<f32> = got.flatten_all().unwrap().to_vec1().unwrap();
    let w: Vec<f32> = want.flatten_all().unwrap().to_vec1().unwrap();
    assert_eq!(g.len(), w.len(), "{what}: length");
    for (i, (a, b)) in g.iter().zip(&w).enumerate() {
        assert!(
            (a - b).abs() <= tol * (1.0 + b.abs()),
            "{what}[{i}]: got {a}, want {b}"
        );
    }
}

/// Runs `f` on fresh Vars of the named inputs and checks the loss and each input's gradient.
fn check(name: &str, inputs: &[&str], f: impl Fn(&[Tensor]) -> Tensor) {
    let fx = fixtures();
    let vars: Vec<Var> = inputs
        .iter()
        .map(|k| Var::from_tensor(&fx[&format!("{name}.{k}")]).unwrap())
        .collect();
    let ts: Vec<Tensor> = vars.iter().map(|v| v.as_tensor().clone()).collect();
    let loss = f(&ts);
    assert_close(
        &loss,
        &fx[&format!("{name}.loss")],
        1e-5,
        &format!("{name} loss"),
    );
    let grads = loss.backward().unwrap();
    for (k, v) in inputs.iter().zip(&vars) {
        match fx.get(&format!("{name}.grad_{k}")) {
            Some(want) => {
                let got = grads
                    .get(v.as_tensor())
                    .unwrap_or_else(|| panic!("{name}: no gradient for {k}"));
                assert_close(got, want, 1e-4, &format!("{name} grad {k}"));
            }
            // Detached inputs (keys, targets) must receive no gradient at all.
            None => {
                let zero = grads.get(v.as_tensor()).map(|g| {
                    g.abs()
                        .unwrap()
                        .sum_all()
                        .unwrap()
                        .to_scalar::<f32>()
                        .unwrap()
                });
                assert!(
                    zero.is_none_or(|z| z == 0.0),
                    "{name}: detached {k} got a gradient"
                );
            }
        }
    }
}

#[test]
fn info_nce_matches_moco() {
    let fx = fixtures();
    let queue = fx["info_nce.queue"].clone();
    check("info_nce", &["q", "k"], |t| {
        info_nce(&t[0], &t[1], &queue, 0.2).unwrap().loss
    });
    let out = info_nce(&fx["info_nce.q"], &fx["info_nce.k"], &queue, 0.2).unwrap();
    assert_close(&out.logits, &fx["info_nce.logits"], 1e-5, "info_nce logits");
}

#[test]
fn nt_xent_matches_simclr() {
    check("nt_xent", &["z1", "z2"], |t| {
        nt_xent(&t[0], &t[1], 0.5).unwrap().loss
    });
}

#[test]
fn byol_matches_reference() {
    check("byol", &["p", "z"], |t| byol_loss(&t[0], &t[1]).unwrap());
}

#[test]
fn barlow_matches_reference() {
    check("barlow", &["z1", "z2"], |t| {
        barlow_twins_loss(&t[0], &t[1], 0.0051).unwrap()
    });
}

#[test]
fn sgd_matches_torch_optim_sgd() {
    let fx = fixtures();
    let w = Var::from_tensor(&fx["sgd.w0"]).unwrap();
    let mut opt = Sgd::new(vec![w.clone()], 0.1, 0.9, 1e-4).unwrap();
    for (i, lr) in [0.1, 0.05, 0.01].into_iter().enumerate() {
        // A loss whose gradient w.r.t. w is exactly the fixture's gradient.
        let g = &fx[&format!("sgd.grad{i}")];
        let grads = (w.as_tensor() * g)
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap();
        opt.lr = lr;
        opt.step(&grads).unwrap();
        assert_close(
            w.as_tensor(),
            &fx[&format!("sgd.after{i}")],
            1e-6,
            &format!("sgd step {i}"),
        );
    }
}

#[test]
fn head_matches_linear_bn_relu_linear() {
    let fx = fixtures();
    let spec = HeadSpec {
        dims: vec![8, 16, 4],
        batch_norm: true,
    };
    let head = Head::new(&spec, 0, &Device::Cpu).unwrap();
    let set = |name: &str, t: &Tensor| {
        let (_, v) = head
            .named_vars()
            .into_iter()
            .find(|(n, _)| n == name)
            .unwrap();
        v.set(&t.reshape(v.dims()).unwrap()).unwrap();
    };
    set("0.weight", &fx["head.w1"]);
    set("0.bn.weight", &fx["head.g1"]);
    set("0.bn.bias", &fx["head.be1"]);
    set("1.weight", &fx["head.w2"]);
    set("1.bias", &fx["head.b2"]);
    let y = head.forward(&fx["head.x"]).unwrap();
    assert_close(&y, &fx["head.y"], 1e-4, "head output");
}

#[test]
fn losses_reject_bad_shapes() {
    let a = Tensor::zeros((4, 8), candle_core::DType::F32, &Device::Cpu).unwrap();
    let b = Tensor::zeros((4, 7), candle_core::DType::F32, &Device::Cpu).unwrap();
    assert!(info_nce(&a, &b, &a, 0.2).is_err());
    assert!(info_nce(&a, &a, &b, 0.2).is_err());
    assert!(info_nce(&a, &a, &a, 0.0).is_err());
    assert!(nt_xent(&a, &b, 0.5).is_err());
    assert!(byol_loss(&a, &b).is_err());
    assert!(barlow_twins_loss(&a, &b, 0.0051).is_err());
}

#[test]
fn lars_matches_barlow_twins_code() {
    let fx = fixtures();
    let w = Var::from_tensor(&fx["lars.w_init"]).unwrap();
    let b = Var::from_tensor(&fx["lars.b_init"]).unwrap();
    let mut opt = Sgd::new(vec![w.clone(), b.clone()], 0.2, 0.9, 1.5e-6)
        .unwrap()
        .with_lars(0.001);
    for i in 0..3 {
        let loss = ((w.as_tensor() * &fx[&format!("lars.gw{i}")])
            .unwrap()
            .sum_all()
            .unwrap()
            + (b.as_tensor() * &fx[&format!("lars.gb{i}")])
                .unwrap()
                .sum_all()
                .unwrap())
        .unwrap();
        opt.step(&loss.backward().unwrap()).unwrap();
        assert_close(
            w.as_tensor(),
            &fx[&format!("lars.w{i}")],
            1e-6,
            &format!("lars weight step {i}"),
        );
        assert_close(
            b.as_tensor(),
            &fx[&format!("lars.b{i}")],
            1e-6,
            &format!("lars bias step {i}"),
        );
    }
}
