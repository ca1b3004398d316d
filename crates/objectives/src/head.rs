//! MLP projection / prediction heads (Linear, optional BatchNorm, ReLU), seeded.

use candle_core::{D, Device, Tensor, Var};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Uniform};
use serde::{Deserialize, Serialize};

use crate::{ObjectivesError, Result};

/// Shape of an MLP head: layer widths from input to output, and whether hidden layers use BN.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeadSpec {
    /// Widths `[in, hidden..., out]` (at least two entries).
    pub dims: Vec<usize>,
    /// BatchNorm (batch statistics, affine) after every hidden Linear, before its ReLU.
    pub batch_norm: bool,
}

struct Layer {
    weight: Var,
    bias: Option<Var>,
    bn: Option<(Var, Var)>,
}

/// An MLP head; hidden layers are Linear (+ BN) + ReLU, the last is a plain Linear.
pub struct Head {
    spec: HeadSpec,
    layers: Vec<Layer>,
}

fn uniform_var(
    shape: (usize, usize),
    bound: f64,
    rng: &mut ChaCha8Rng,
    device: &Device,
) -> Result<Var> {
    let dist = Uniform::new_inclusive(-bound as f32, bound as f32)
        .map_err(|e| ObjectivesError::Config(format!("init bound {bound}: {e}")))?;
    let data: Vec<f32> = (0..shape.0 * shape.1).map(|_| dist.sample(rng)).collect();
    Ok(Var::from_tensor(&Tensor::from_vec(data, shape, device)?)?)
}

impl Head {
    /// A head initialised as `torch.nn.Linear` (U(+-1/sqrt(fan_in)) for weights and biases),
    /// BN weight 1 and bias 0; the same seed gives the same weights.
    pub fn new(spec: &HeadSpec, seed: u64, device: &Device) -> Result<Self> {
        if spec.dims.len() < 2 || spec.dims.contains(&0) {
            return Err(ObjectivesError::Config(format!(
                "head dims {:?}",
                spec.dims
            )));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let n = spec.dims.len() - 1;
        let mut layers = Vec::with_capacity(n);
        for (i, w) in spec.dims.windows(2).enumerate() {
            let (fan_in, out) = (w[0], w[1]);
            let bound = 1.0 / (fan_in as f64).sqrt();
            let hidden = i + 1 < n;
            let with_bn = hidden && spec.batch_norm;
            let weight = uniform_var((out, fan_in), bound, &mut rng, device)?;
            // A bias before BN is cancelled by the mean subtraction: the papers drop it.
            let bias = if with_bn {
                None
            } else {
                Some(uniform_var((1, out), bound, &mut rng, device)?)
            };
            let bn = if with_bn {
                let g =
                    Var::from_tensor(&Tensor::ones((1, out), candle_core::DType::F32, device)?)?;
                let b =
                    Var::from_tensor(&Tensor::zeros((1, out), candle_core::DType::F32, device)?)?;
                Some((g, b))
            } else {
                None
            };
            layers.push(Layer { weight, bias, bn });
        }
        Ok(Self {
            spec: spec.clone(),
            layers,
        })
    }

    /// The head's shape.
    pub fn spec(&self) -> &HeadSpec {
        &self.spec
    }

    /// Output width.
    pub fn out_dim(&self) -> usize {
        *self.spec.dims.last().unwrap_or(&0)
    }

    /// Forward pass on N x in features (BN uses the batch's statistics, as in training).
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        check_width(x, self.spec.dims[0])?;
        let n = self.layers.len();
        let mut h = x.clone();
        for (i, layer) in self.layers.iter().enumerate() {
            h = h.matmul(&layer.weight.as_tensor().t()?)?;
            if let Some(b) = &layer.bias {
                h = h.broadcast_add(b.as_tensor())?;
            }
            if let Some((g, b)) = &layer.bn {
                let mean = h.mean_keepdim(0)?;
                let centred = h.broadcast_sub(&mean)?;
                let var = centred.sqr()?.mean_keepdim(0)?;
                h = centred
                    .broadcast_div(&(var + 1e-5)?.sqrt()?)?
                    .broadcast_mul(g.as_tensor())?
                    .broadcast_add(b.as_tensor())?;
            }
            if i + 1 < n {
                h = h.relu()?;
            }
        }
        Ok(h)
    }

    /// Parameters with PyTorch-style names (`0.weight`, `0.bias`, `0.bn.weight`, ...), in a
    /// fixed order.
    pub fn named_vars(&self) -> Vec<(String, Var)> {
        let mut out = Vec::new();
        for (i, l) in self.layers.iter().enumerate() {
            out.push((format!("{i}.weight"), l.weight.clone()));
            if let Some(b) = &l.bias {
                out.push((format!("{i}.bias"), b.clone()));
            }
            if let Some((g, b)) = &l.bn {
                out.push((format!("{i}.bn.weight"), g.clone()));
                out.push((format!("{i}.bn.bias"), b.clone()));
            }
        }
        out
    }

    /// The parameters in the order of [`Head::named_vars`].
    pub fn vars(&self) -> Vec<Var> {
        self.named_vars().into_iter().map(|(_, v)| v).collect()
    }
}

/// Checks that a feature matrix has the width a head expects.
fn check_width(x: &Tensor, want: usize) -> Result<()> {
    let got = x.dim(D::Minus1)?;
    if got != want {
        return Err(ObjectivesError::Shape(format!(
            "features of width {got}, head expects {want}"
        )));
    }
    Ok(())
}
