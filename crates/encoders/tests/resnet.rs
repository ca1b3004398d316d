//! Architecture, train/eval BatchNorm and BatchNorm folding.

mod common;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use sslinv_encoders::params::random_init;
use sslinv_encoders::{Arch, Encoder, FoldedResNet, ResNet, ResNetConfig, Stem};
use sslinv_testkit::max_abs_diff;

fn small(arch: Arch, stem: Stem) -> ResNetConfig {
    ResNetConfig {
        arch,
        width_mult: 0.125,
        stem,
    }
}

fn input(n: usize, size: usize) -> Tensor {
    let len = n * 3 * size * size;
    let data: Vec<f32> = (0..len)
        .map(|i| ((i * 7919 % 1013) as f32 / 1013.0 - 0.5) * 2.0)
        .collect();
    Tensor::from_vec(data, (n, 3, size, size), &Device::Cpu).unwrap()
}

/// A seeded random-init ResNet of `cfg`.
fn random_net(cfg: &ResNetConfig) -> ResNet {
    let init = random_init(cfg, 0, &Device::Cpu).unwrap();
    ResNet::new(
        cfg,
        VarBuilder::from_tensors(init, DType::F32, &Device::Cpu),
    )
    .unwrap()
}

#[test]
fn varmap_holds_torchvision_names_and_shapes() {
    for arch in [Arch::ResNet18, Arch::ResNet50] {
        let cfg = small(arch, Stem::ImageNet);
        let (net, map) = ResNet::trainable(&cfg, &Device::Cpu).unwrap();
        let data = map.data().lock().unwrap();
        let mut got: Vec<(String, Vec<usize>)> = data
            .iter()
            .map(|(k, v)| (k.clone(), v.dims().to_vec()))
            .collect();
        got.sort();
        let mut want = cfg.param_shapes();
        want.sort();
        assert_eq!(got, want);
        assert!(data.contains_key("layer2.0.downsample.1.running_var"));
        assert_eq!(net.dim(), cfg.dim());
    }
}

#[test]
fn features_and_stage_maps_have_the_right_shapes() {
    let cfg = small(Arch::ResNet50, Stem::ImageNet);
    let net = random_net(&cfg);
    let x = input(2, 64);
    let maps = net.forward_stages(&x, false).unwrap();
    let dims: Vec<Vec<usize>> = maps.iter().map(|m| m.dims().to_vec()).collect();
    assert_eq!(
        dims,
        vec![
            vec![2, 32, 16, 16],
            vec![2, 64, 8, 8],
            vec![2, 128, 4, 4],
            vec![2, 256, 2, 2]
        ]
    );
    assert_eq!(net.features(&x).unwrap().dims(), &[2, 256]);
    let cifar = small(Arch::ResNet18, Stem::Cifar);
    let net = random_net(&cifar);
    let maps = net.forward_stages(&input(1, 32), false).unwrap();
    assert_eq!(maps[0].dims(), &[1, 8, 32, 32]);
    assert!(
        net.features(&input(1, 32).reshape((3, 1, 32, 32)).unwrap())
            .is_err()
    );
}

#[test]
fn train_mode_uses_batch_statistics_and_updates_running_stats() {
    let cfg = small(Arch::ResNet18, Stem::Cifar);
    let (net, map) = ResNet::trainable(&cfg, &Device::Cpu).unwrap();
    let x = input(4, 16);
    let running_mean = || {
        net.stem
            .bn
            .running_mean
            .as_tensor()
            .to_vec1::<f32>()
            .unwrap()
    };
    let before = running_mean();
    let train = net.forward_t(&x, true).unwrap();
    let after = running_mean();
    assert!(before.iter().all(|&v| v == 0.0));
    assert!(
        after.iter().any(|&v| v != 0.0),
        "running mean was not updated"
    );
    // The VarMap shares the updated statistics.
    let shared = map.data().lock().unwrap()["bn1.running_mean"]
        .as_tensor()
        .to_vec1::<f32>()
        .unwrap();
    assert_eq!(shared, after);
    // Running mean follows PyTorch: 0.9 * 0 + 0.1 * batch mean of conv1's output.
    let y = x.conv2d(&net.stem.weight, 1, 1, 1, 1).unwrap();
    let batch_mean = y.mean((0, 2, 3)).unwrap().to_vec1::<f32>().unwrap();
    for (a, m) in after.iter().zip(batch_mean) {
        assert!((a - 0.1 * m).abs() < 1e-5, "{a} vs {}", 0.1 * m);
    }
    let eval = net.forward_t(&x, false).unwrap();
    let diff = max_abs_diff(&train, &eval);
    assert!(diff > 1e-3, "train and eval mode gave the same output");
    // Gradients reach the first convolution through the train-mode path.
    let loss = net
        .forward_t(&x, true)
        .unwrap()
        .sqr()
        .unwrap()
        .sum_all()
        .unwrap();
    let grads = loss.backward().unwrap();
    let w = map.data().lock().unwrap()["conv1.weight"].clone();
    let g = grads
        .get(&w)
        .expect("conv1 gradient")
        .abs()
        .unwrap()
        .sum_all()
        .unwrap()
        .to_scalar::<f32>()
        .unwrap();
    assert!(g > 0.0);
}

#[test]
fn folded_batchnorm_matches_the_unfolded_network() {
    for arch in [Arch::ResNet18, Arch::ResNet50] {
        let cfg = small(arch, Stem::ImageNet);
        let mut tensors = random_init(&cfg, 3, &Device::Cpu).unwrap();
        // Non-trivial BatchNorm statistics so the fold has something to fold.
        for t in tensors.values_mut() {
            if t.rank() == 1 {
                let n = t.elem_count();
                let v: Vec<f32> = (0..n).map(|i| 0.5 + (i * 31 % 17) as f32 / 17.0).collect();
                *t = Tensor::from_vec(v, n, &Device::Cpu).unwrap();
            }
        }
        let net = ResNet::new(
            &cfg,
            VarBuilder::from_tensors(tensors, DType::F32, &Device::Cpu),
        )
        .unwrap();
        let folded = FoldedResNet::new(&net).unwrap();
        let x = input(2, 48);
        let a = net.features(&x).unwrap();
        let b = folded.features(&x).unwrap();
        let err = common::rel_l2(&b, &a);
        assert!(err < 1e-5, "{arch:?}: relative error {err}");
    }
}

#[test]
fn random_init_is_seeded_and_kaiming_fan_out() {
    let cfg = ResNetConfig::torchvision(Arch::ResNet18);
    let a = random_init(&cfg, 0, &Device::Cpu).unwrap();
    let b = random_init(&cfg, 0, &Device::Cpu).unwrap();
    let c = random_init(&cfg, 1, &Device::Cpu).unwrap();
    let w = |m: &std::collections::HashMap<String, Tensor>| {
        m["layer3.0.conv2.weight"]
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap()
    };
    assert_eq!(w(&a), w(&b));
    assert_ne!(w(&a), w(&c));
    let v = w(&a);
    let std = (v.iter().map(|x| x * x).sum::<f32>() / v.len() as f32).sqrt();
    let want = (2.0f32 / (256.0 * 9.0)).sqrt();
    assert!((std / want - 1.0).abs() < 0.02, "std {std} want {want}");
    assert_eq!(a["bn1.weight"].to_vec1::<f32>().unwrap(), vec![1.0; 64]);
}

#[test]
fn kernel_convolutions_match_candle_forwards_and_backwards() {
    for (k, stride, pad) in [(1, 1, 0), (3, 2, 1)] {
        let x = candle_core::Var::from_tensor(&input(2, 6).repeat((1, 2, 1, 1)).unwrap()).unwrap();
        let w = candle_core::Var::from_tensor(
            &Tensor::randn(0f32, 1f32, (5, 6, k, k), &Device::Cpu).unwrap(),
        )
        .unwrap();
        let ours = sslinv_kernels::conv2d(x.as_tensor(), w.as_tensor(), stride, pad).unwrap();
        let theirs = x
            .as_tensor()
            .conv2d(w.as_tensor(), pad, stride, 1, 1)
            .unwrap();
        let close = |a: &Tensor, b: &Tensor| {
            let d = max_abs_diff(a, b);
            assert!(d < 1e-4, "max difference {d}");
        };
        close(&ours, &theirs);
        let g1 = (ours.sqr().unwrap().sum_all().unwrap()).backward().unwrap();
        let g2 = (theirs.sqr().unwrap().sum_all().unwrap())
            .backward()
            .unwrap();
        close(g1.get(&w).unwrap(), g2.get(&w).unwrap());
        close(g1.get(&x).unwrap(), g2.get(&x).unwrap());
    }
}
