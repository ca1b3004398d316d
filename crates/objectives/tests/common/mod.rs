//! Test helpers: procedural images and a tiny backbone with a BatchNorm (running stats
//! included), so the loop is exercised without a full ResNet.

#![allow(dead_code)]

use candle_core::{DType, Device, Tensor, Var};
use image::{Rgb, RgbImage};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sslinv_objectives::{Backbone, PretrainConfig, Result};

/// `n` distinct images: two-colour stripes at a random angle and frequency plus a disc.
pub fn images(n: usize, size: u32, seed: u64) -> Vec<RgbImage> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let c1: [u8; 3] = rng.random();
            let c2: [u8; 3] = rng.random();
            let angle: f32 = rng.random_range(0.0..std::f32::consts::PI);
            let freq: f32 = rng.random_range(0.1..0.6);
            let (cx, cy, r) = (
                rng.random_range(0.0..size as f32),
                rng.random_range(0.0..size as f32),
                size as f32 / 4.0,
            );
            RgbImage::from_fn(size, size, |x, y| {
                let (xf, yf) = (x as f32, y as f32);
                if (xf - cx).powi(2) + (yf - cy).powi(2) < r * r {
                    return Rgb([c2[1], c1[2], c2[0]]);
                }
                let t = (xf * angle.cos() + yf * angle.sin()) * freq;
                if t.sin() > 0.0 { Rgb(c1) } else { Rgb(c2) }
            })
        })
        .collect()
}

/// avg-pool to 8x8 -> Linear(192, 64, no bias) -> BatchNorm -> ReLU: pooled 64-d features.
pub struct Tiny {
    w: Var,
    bn_w: Var,
    bn_b: Var,
    mean: Var,
    var: Var,
}

impl Tiny {
    pub fn new(seed: u64) -> Result<Tiny> {
        let dev = Device::Cpu;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let b = 1.0 / (192f32).sqrt();
        let w: Vec<f32> = (0..64 * 192).map(|_| rng.random_range(-b..b)).collect();
        Ok(Tiny {
            w: Var::from_tensor(&Tensor::from_vec(w, (64, 192), &dev)?)?,
            bn_w: Var::ones(64, DType::F32, &dev)?,
            bn_b: Var::zeros(64, DType::F32, &dev)?,
            mean: Var::zeros(64, DType::F32, &dev)?,
            var: Var::ones(64, DType::F32, &dev)?,
        })
    }
}

impl Backbone for Tiny {
    fn dim(&self) -> usize {
        64
    }

    fn forward_t(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let (_, _, h, _) = x.dims4()?;
        let pooled = x.avg_pool2d(h / 8)?.flatten_from(1)?;
        let y = pooled.matmul(&self.w.as_tensor().t()?)?;
        let (mean, var) = if train {
            let m = y.mean(0)?;
            let v = y.broadcast_sub(&m)?.sqr()?.mean(0)?;
            let n = y.dim(0)? as f64;
            self.mean
                .set(&((self.mean.as_tensor() * 0.9)? + (m.detach() * 0.1)?)?)?;
            self.var
                .set(&((self.var.as_tensor() * 0.9)? + (v.detach() * (0.1 * n / (n - 1.0)))?)?)?;
            (m, v)
        } else {
            (self.mean.as_tensor().clone(), self.var.as_tensor().clone())
        };
        let y = y
            .broadcast_sub(&mean)?
            .broadcast_div(&(var + 1e-5)?.sqrt()?)?;
        Ok(y.broadcast_mul(self.bn_w.as_tensor())?
            .broadcast_add(self.bn_b.as_tensor())?
            .relu()?)
    }

    fn named_vars(&self) -> Vec<(String, Var)> {
        vec![
            ("bn1.bias".into(), self.bn_b.clone()),
            ("bn1.running_mean".into(), self.mean.clone()),
            ("bn1.running_var".into(), self.var.clone()),
            ("bn1.weight".into(), self.bn_w.clone()),
            ("fc1.weight".into(), self.w.clone()),
        ]
    }
}

/// All values of a tensor.
pub fn values(t: &Tensor) -> Vec<f32> {
    t.flatten_all()
        .unwrap()
        .to_dtype(DType::F32)
        .unwrap()
        .to_vec1()
        .unwrap()
}

/// Asserts that a MoCo run of [`learning_schedule`]'s 80 steps learned: mean loss over the last
/// `window` steps at least 0.2 below, and contrastive accuracy 0.1 above, the `window` steps
/// from `from` (the queue starts as random unit vectors, easy negatives: `from` is the first
/// step it holds only real keys).
pub fn assert_moco_learned(h: &[sslinv_objectives::StepLog], from: usize, window: usize) {
    assert_eq!(h.len(), 80, "the 80 steps of learning_schedule");
    let mean = |s: &[sslinv_objectives::StepLog], f: fn(&sslinv_objectives::StepLog) -> f32| {
        s.iter().map(f).sum::<f32>() / s.len() as f32
    };
    for s in h.iter().step_by(4) {
        eprintln!("{} {:.3} {:.3}", s.step, s.loss, s.accuracy);
    }
    let (first, last) = (&h[from..from + window], &h[h.len() - window..]);
    let (l0, l1) = (mean(first, |s| s.loss), mean(last, |s| s.loss));
    let (a0, a1) = (mean(first, |s| s.accuracy), mean(last, |s| s.accuracy));
    eprintln!("loss {l0} -> {l1}, accuracy {a0} -> {a1}");
    assert!(l1 < l0 - 0.2, "loss {l0} -> {l1}");
    assert!(a1 > a0 + 0.1, "accuracy {a0} -> {a1}");
}

/// The schedule under which MoCo v2 learns within 80 steps in these tests: Ventral, 20 epochs,
/// a queue of four batches, lr 0.5 and key momentum 0.99.
pub fn learning_schedule(cfg: &mut PretrainConfig, batch_size: usize, seed: u64) {
    cfg.policy = "ventral".into();
    cfg.epochs = 20;
    cfg.batch_size = batch_size;
    cfg.seed = seed;
    cfg.hyper.queue_size = 4 * batch_size;
    cfg.hyper.lr = 0.5;
    cfg.hyper.key_momentum = 0.99;
}
