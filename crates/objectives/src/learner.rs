//! The state of one objective (networks, heads, queue) and its loss for a pair of views.

use std::collections::HashMap;

use candle_core::{D, DType, Device, Tensor, Var};

use crate::backbone::{Backbone, copy_vars, forward_split, parameters};
use crate::config::{Hyper, Objective};
use crate::dist::{Communicator, SingleProcess};
use crate::loss::{barlow_twins_loss, byol_loss, info_nce, l2_normalize, nt_xent, top1_accuracy};
use crate::optim::{byol_momentum, momentum_update};
use crate::shuffle_bn::shuffled_keys;
use crate::{Head, HeadSpec, KeyQueue, ObjectivesError, Result};

/// Per-objective networks beyond the online backbone and projector.
enum Extra<B> {
    Moco {
        key: B,
        key_head: Head,
        queue: KeyQueue,
    },
    Simclr,
    Byol {
        predictor: Head,
        target: B,
        target_head: Head,
    },
    Barlow,
}

/// Loss and contrastive accuracy of one step.
pub struct StepOutput {
    /// Scalar loss, attached to the online network's graph.
    pub loss: Tensor,
    /// Top-1 accuracy of finding each sample's positive among the candidates.
    pub accuracy: f32,
}

/// An objective's complete trainable state.
pub struct Learner<B: Backbone> {
    /// The online (query) backbone: the network that is kept.
    pub backbone: B,
    /// The online projector.
    pub head: Head,
    extra: Extra<B>,
    objective: Objective,
    hyper: Hyper,
    splits: usize,
    seed: u64,
}

// Deterministic seed for a (purpose, a, b) triple under the run seed: the data path's
// mixing, so tags 5-7 (data order, augmentation) and the model's tags never collide.
pub(crate) use sslinv_datasets::stream::mix;

/// Fraction of rows of `a` whose most similar row of `b` (cosine) is the same index.
fn retrieval_accuracy(a: &Tensor, b: &Tensor) -> Result<f32> {
    let sim = l2_normalize(&a.detach())?.matmul(&l2_normalize(&b.detach())?.t()?)?;
    let targets: Vec<u32> = (0..a.dim(0)? as u32).collect();
    top1_accuracy(&sim, &targets)
}

impl<B: Backbone> Learner<B> {
    /// Builds the networks: `build(seed)` makes a backbone; key/target copies start equal to
    /// the online one (as MoCo and BYOL initialise them).
    pub fn new(
        objective: Objective,
        hyper: &Hyper,
        splits: usize,
        seed: u64,
        device: &Device,
        build: &dyn Fn(u64) -> Result<B>,
    ) -> Result<Self> {
        if objective == Objective::Supervised {
            return Err(ObjectivesError::Config(
                "the supervised baseline trains through `supervised_with`, not a Learner".into(),
            ));
        }
        let backbone = build(seed)?;
        let dims = hyper.projector_dims(objective, backbone.dim());
        let batch_norm = objective != Objective::MocoV2;
        let spec = HeadSpec {
            dims: dims.clone(),
            batch_norm,
        };
        let head = Head::new(&spec, mix(seed, 1, 0), device)?;
        let extra = match objective {
            Objective::MocoV2 => {
                let key = build(seed)?;
                copy_vars(&key, &backbone)?;
                let key_head = Head::new(&spec, mix(seed, 1, 0), device)?;
                let out = *dims.last().unwrap_or(&1);
                let queue = KeyQueue::random(hyper.queue_size, out, mix(seed, 2, 0), device)?;
                Extra::Moco {
                    key,
                    key_head,
                    queue,
                }
            }
            Objective::Simclr => Extra::Simclr,
            Objective::Byol => {
                let out = *dims.last().unwrap_or(&1);
                let pred = HeadSpec {
                    dims: vec![out, dims[1], out],
                    batch_norm: true,
                };
                let predictor = Head::new(&pred, mix(seed, 3, 0), device)?;
                let target = build(seed)?;
                copy_vars(&target, &backbone)?;
                let target_head = Head::new(&spec, mix(seed, 1, 0), device)?;
                Extra::Byol {
                    predictor,
                    target,
                    target_head,
                }
            }
            // Supervised was refused above.
            Objective::Barlow | Objective::Supervised => Extra::Barlow,
        };
        Ok(Self {
            backbone,
            head,
            extra,
            objective,
            hyper: hyper.clone(),
            splits,
            seed,
        })
    }

    /// The projector's shape.
    pub fn projector_spec(&self) -> &HeadSpec {
        self.head.spec()
    }

    /// The predictor's shape (BYOL only).
    pub fn predictor_spec(&self) -> Option<&HeadSpec> {
        match &self.extra {
            Extra::Byol { predictor, .. } => Some(predictor.spec()),
            _ => None,
        }
    }

    /// Everything the optimiser updates, in a fixed order: backbone, projector, predictor.
    pub fn trainable(&self) -> Vec<(String, Var)> {
        let mut out: Vec<(String, Var)> = self
            .backbone
            .named_vars()
            .into_iter()
            .filter(|(n, _)| !crate::backbone::is_buffer(n))
            .map(|(n, v)| (format!("backbone.{n}"), v))
            .collect();
        out.extend(
            self.head
                .named_vars()
                .into_iter()
                .map(|(n, v)| (format!("head.{n}"), v)),
        );
        if let Extra::Byol { predictor, .. } = &self.extra {
            out.extend(
                predictor
                    .named_vars()
                    .into_iter()
                    .map(|(n, v)| (format!("predictor.{n}"), v)),
            );
        }
        out
    }

    /// Loss and accuracy for views `x1`, `x2` of the same N images at optimiser step `step`
    /// (MoCo also updates its key encoder before and its queue after, as the paper's code).
    pub fn step(&mut self, x1: &Tensor, x2: &Tensor, step: u64) -> Result<StepOutput> {
        self.step_in(x1, x2, step, &SingleProcess)
    }

    /// [`Learner::step`] on this rank's shard of a data-parallel batch (`x1`, `x2`: this rank's
    /// images, consecutive shards in rank order). MoCo v2 shuffles the keys across ranks as
    /// MoCo's `_batch_shuffle_ddp` and enqueues every rank's keys; the loss is this rank's
    /// queries' (gradients are averaged over ranks by the caller). With one rank this is
    /// exactly [`Learner::step`].
    pub fn step_in(
        &mut self,
        x1: &Tensor,
        x2: &Tensor,
        step: u64,
        comm: &dyn Communicator,
    ) -> Result<StepOutput> {
        let n = x1.dim(0)?;
        if comm.world() > 1 && self.objective != Objective::MocoV2 {
            return Err(ObjectivesError::Config(format!(
                "data-parallel training is implemented for MoCo v2 only, not {}",
                self.objective.name()
            )));
        }
        match &mut self.extra {
            Extra::Moco {
                key,
                key_head,
                queue,
            } => {
                momentum_update(
                    &parameters(key),
                    &parameters(&self.backbone),
                    self.hyper.key_momentum,
                )?;
                momentum_update(&key_head.vars(), &self.head.vars(), self.hyper.key_momentum)?;
                let q = forward_split(&self.backbone, &self.head, x1, self.splits)?;
                let shuffle = mix(self.seed, 4, step);
                let (k, own) = shuffled_keys(key, key_head, x2, self.splits, shuffle, comm)?;
                let out = info_nce(&q, &own, queue.keys(), self.hyper.temperature)?;
                let accuracy = top1_accuracy(&out.logits, &vec![0; n])?;
                // Every rank enqueues the whole batch's keys: the queue stays identical.
                queue.enqueue(&l2_normalize(&k)?)?;
                Ok(StepOutput {
                    loss: out.loss,
                    accuracy,
                })
            }
            Extra::Simclr => {
                let z = self
                    .head
                    .forward(&self.backbone.forward_t(&Tensor::cat(&[x1, x2], 0)?, true)?)?;
                let out = nt_xent(
                    &z.narrow(0, 0, n)?,
                    &z.narrow(0, n, n)?,
                    self.hyper.temperature,
                )?;
                let targets: Vec<u32> = (0..2 * n as u32)
                    .map(|i| (i + n as u32) % (2 * n as u32))
                    .collect();
                let accuracy = top1_accuracy(&out.logits, &targets)?;
                Ok(StepOutput {
                    loss: out.loss,
                    accuracy,
                })
            }
            Extra::Byol {
                predictor,
                target,
                target_head,
            } => {
                let p1 =
                    predictor.forward(&self.head.forward(&self.backbone.forward_t(x1, true)?)?)?;
                let p2 =
                    predictor.forward(&self.head.forward(&self.backbone.forward_t(x2, true)?)?)?;
                let z1 = target_head.forward(&target.forward_t(x1, true)?)?.detach();
                let z2 = target_head.forward(&target.forward_t(x2, true)?)?.detach();
                let loss = (byol_loss(&p1, &z2)? + byol_loss(&p2, &z1)?)?;
                let accuracy = retrieval_accuracy(&p1, &z2)?;
                Ok(StepOutput { loss, accuracy })
            }
            Extra::Barlow => {
                let z1 = self.head.forward(&self.backbone.forward_t(x1, true)?)?;
                let z2 = self.head.forward(&self.backbone.forward_t(x2, true)?)?;
                let loss = barlow_twins_loss(&z1, &z2, self.hyper.barlow_lambda)?;
                let accuracy = retrieval_accuracy(&z1, &z2)?;
                Ok(StepOutput { loss, accuracy })
            }
        }
    }

    /// Work after the optimiser step: BYOL moves its target towards the online network with
    /// the cosine-scheduled tau.
    pub fn after_step(&mut self, step: u64, total: u64) -> Result<()> {
        if let Extra::Byol {
            target,
            target_head,
            ..
        } = &self.extra
        {
            let tau = byol_momentum(self.hyper.target_momentum, step, total);
            momentum_update(&parameters(target), &parameters(&self.backbone), tau)?;
            momentum_update(&target_head.vars(), &self.head.vars(), tau)?;
        }
        Ok(())
    }

    /// Every trained or tracked variable, prefixed by its network (online backbone with running
    /// stats, heads, key / target networks); MoCo's queue is not a variable and is left out.
    fn prefixed_vars(&self) -> Vec<(String, Var)> {
        let mut nets = vec![
            ("backbone", self.backbone.named_vars()),
            ("head", self.head.named_vars()),
        ];
        match &self.extra {
            Extra::Moco { key, key_head, .. } => {
                nets.push(("key", key.named_vars()));
                nets.push(("key_head", key_head.named_vars()));
            }
            Extra::Byol {
                predictor,
                target,
                target_head,
            } => {
                nets.push(("predictor", predictor.named_vars()));
                nets.push(("target", target.named_vars()));
                nets.push(("target_head", target_head.named_vars()));
            }
            Extra::Simclr | Extra::Barlow => {}
        }
        nets.into_iter()
            .flat_map(|(prefix, vars)| {
                vars.into_iter()
                    .map(move |(n, v)| (format!("{prefix}.{n}"), v))
            })
            .collect()
    }

    /// Everything needed to resume, by name (online backbone with running stats, heads,
    /// key / target networks, queue keys).
    pub fn state(&self) -> Vec<(String, Tensor)> {
        let mut out: Vec<(String, Tensor)> = self
            .prefixed_vars()
            .into_iter()
            .map(|(n, v)| (n, v.as_tensor().clone()))
            .collect();
        if let Extra::Moco { queue, .. } = &self.extra {
            out.push(("queue.keys".into(), queue.keys().clone()));
        }
        out
    }

    /// Where MoCo's queue writes next.
    pub fn queue_ptr(&self) -> Option<usize> {
        match &self.extra {
            Extra::Moco { queue, .. } => Some(queue.ptr()),
            _ => None,
        }
    }

    /// Restores [`Learner::state`]; every variable must be present with its shape.
    pub fn load_state(
        &mut self,
        map: &HashMap<String, Tensor>,
        queue_ptr: Option<usize>,
    ) -> Result<()> {
        let vars = self.prefixed_vars();
        if let Extra::Moco { queue, .. } = &mut self.extra {
            let keys = map
                .get("queue.keys")
                .ok_or_else(|| ObjectivesError::Shape("state has no queue.keys".into()))?;
            if keys.dims() != queue.keys().dims() {
                return Err(ObjectivesError::Shape(format!(
                    "queue {:?} vs {:?}",
                    keys.dims(),
                    queue.keys().dims()
                )));
            }
            *queue = KeyQueue::from_parts(keys.clone(), queue_ptr.unwrap_or(0))?;
        }
        for (name, var) in vars {
            let t = map
                .get(&name)
                .ok_or_else(|| ObjectivesError::Shape(format!("state has no `{name}`")))?;
            if t.dims() != var.dims() {
                return Err(ObjectivesError::Shape(format!(
                    "`{name}`: {:?} vs {:?}",
                    t.dims(),
                    var.dims()
                )));
            }
            var.set(&t.to_dtype(DType::F32)?)?;
        }
        Ok(())
    }

    /// The objective.
    pub fn objective(&self) -> Objective {
        self.objective
    }
}

/// Mean of a scalar tensor as f32 (for logs).
pub(crate) fn scalar(t: &Tensor) -> Result<f32> {
    Ok(t.flatten_all()?
        .mean(D::Minus1)?
        .to_dtype(DType::F32)?
        .to_scalar()?)
}
