//! The torchvision state-dict layout of a configuration (names and shapes, fc excluded) and
//! PyTorch's random initialisation over it.

use crate::config::{ResNetConfig, Stem};
use crate::error::{EncoderError, Result};
use candle_core::{Device, Tensor};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use std::collections::HashMap;

fn push_conv_bn(
    out: &mut Vec<(String, Vec<usize>)>,
    conv: &str,
    bn: &str,
    cin: usize,
    cout: usize,
    k: usize,
) {
    out.push((format!("{conv}.weight"), vec![cout, cin, k, k]));
    for stat in ["weight", "bias", "running_mean", "running_var"] {
        out.push((format!("{bn}.{stat}"), vec![cout]));
    }
}

impl ResNetConfig {
    /// Every backbone tensor as torchvision names it, with its shape, in network order.
    pub fn param_shapes(&self) -> Vec<(String, Vec<usize>)> {
        let mut out = Vec::new();
        let c0 = self.stem_width();
        let k = if self.stem == Stem::ImageNet { 7 } else { 3 };
        push_conv_bn(&mut out, "conv1", "bn1", 3, c0, k);
        let mut cin = c0;
        for (i, &n) in self.arch.layers().iter().enumerate() {
            let width = self.stage_width(i);
            let cout = self.stage_out(i);
            for b in 0..n {
                let p = format!("layer{}.{b}", i + 1);
                let stride = if b == 0 && i > 0 { 2 } else { 1 };
                // (in, out, kernel) of conv1.., each followed by bn1..
                let convs: &[(usize, usize, usize)] = if self.arch.bottleneck() {
                    &[(cin, width, 1), (width, width, 3), (width, cout, 1)]
                } else {
                    &[(cin, width, 3), (width, width, 3)]
                };
                for (j, &(a, o, k)) in convs.iter().enumerate() {
                    let (conv, bn) = (format!("{p}.conv{}", j + 1), format!("{p}.bn{}", j + 1));
                    push_conv_bn(&mut out, &conv, &bn, a, o, k);
                }
                if stride != 1 || cin != cout {
                    push_conv_bn(
                        &mut out,
                        &format!("{p}.downsample.0"),
                        &format!("{p}.downsample.1"),
                        cin,
                        cout,
                        1,
                    );
                }
                cin = cout;
            }
        }
        out
    }
}

/// PyTorch's ResNet initialisation, seeded: Kaiming-normal (fan_out, ReLU) convolutions, BN
/// weight 1, bias 0, running mean 0, running variance 1. Tensors are drawn in sorted-name order
/// from one ChaCha8 stream (the order `sslinv-objectives` uses for its VarMap).
pub fn random_init(
    config: &ResNetConfig,
    seed: u64,
    device: &Device,
) -> Result<HashMap<String, Tensor>> {
    let mut shapes = config.param_shapes();
    shapes.sort_by(|a, b| a.0.cmp(&b.0));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = HashMap::with_capacity(shapes.len());
    for (name, dims) in shapes {
        let n: usize = dims.iter().product();
        let data: Vec<f32> = if dims.len() == 4 {
            let fan_out = (dims[0] * dims[2] * dims[3]) as f32;
            let normal =
                Normal::new(0.0, (2.0 / fan_out).sqrt()).map_err(|e| EncoderError::Spec {
                    spec: format!("random init of {name}"),
                    reason: e.to_string(),
                })?;
            (0..n).map(|_| normal.sample(&mut rng)).collect()
        } else if name.ends_with("running_var") || name.ends_with(".weight") {
            vec![1.0; n]
        } else {
            vec![0.0; n]
        };
        out.insert(name, Tensor::from_vec(data, dims, device)?);
    }
    Ok(out)
}
