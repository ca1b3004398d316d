//! MoCo's queue of negative keys: a ring buffer of the most recent K normalised keys.

use candle_core::{Device, Tensor};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::loss::l2_normalize;
use crate::{ObjectivesError, Result};

/// K x D keys and the position the next batch is written to.
pub struct KeyQueue {
    keys: Tensor,
    ptr: usize,
}

impl KeyQueue {
    /// K random unit vectors (MoCo initialises the queue with normalised Gaussian noise), seeded.
    pub fn random(size: usize, dim: usize, seed: u64, device: &Device) -> Result<Self> {
        if size == 0 || dim == 0 {
            return Err(ObjectivesError::Config(format!("queue of {size} x {dim}")));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let data: Vec<f32> = (0..size * dim)
            .map(|_| StandardNormal.sample(&mut rng))
            .collect();
        let keys = l2_normalize(&Tensor::from_vec(data, (size, dim), device)?)?;
        Ok(Self { keys, ptr: 0 })
    }

    /// A queue restored from saved keys (K x D) and pointer.
    pub fn from_parts(keys: Tensor, ptr: usize) -> Result<Self> {
        let (k, _) = keys.dims2()?;
        if ptr >= k {
            return Err(ObjectivesError::Shape(format!(
                "queue pointer {ptr} for {k} keys"
            )));
        }
        Ok(Self {
            keys: keys.detach(),
            ptr,
        })
    }

    /// The keys (K x D), detached.
    pub fn keys(&self) -> &Tensor {
        &self.keys
    }

    /// Where the next key is written.
    pub fn ptr(&self) -> usize {
        self.ptr
    }

    /// Number of keys K.
    pub fn len(&self) -> usize {
        self.keys.dims()[0]
    }

    /// Never true: a queue holds at least one key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Overwrites the oldest keys with `new` (N x D, N <= K), wrapping around the end; MoCo
    /// requires K to be a multiple of N, this also handles the general case.
    pub fn enqueue(&mut self, new: &Tensor) -> Result<()> {
        let (k, d) = self.keys.dims2()?;
        let (n, dn) = new.dims2()?;
        if dn != d || n > k {
            return Err(ObjectivesError::Shape(format!(
                "enqueue {:?} into a queue of {k} x {d}",
                new.dims()
            )));
        }
        let new = new.detach();
        let first = n.min(k - self.ptr);
        let mut parts = Vec::with_capacity(4);
        let wrap = n - first;
        if wrap > 0 {
            parts.push(new.narrow(0, first, wrap)?);
        }
        let keep_start = wrap;
        if self.ptr > keep_start {
            parts.push(self.keys.narrow(0, keep_start, self.ptr - keep_start)?);
        }
        parts.push(new.narrow(0, 0, first)?);
        let tail = self.ptr + first;
        if tail < k {
            parts.push(self.keys.narrow(0, tail, k - tail)?);
        }
        self.keys = Tensor::cat(&parts, 0)?;
        self.ptr = tail % k;
        if wrap > 0 {
            self.ptr = wrap;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(q: &KeyQueue) -> Vec<f32> {
        q.keys()
            .narrow(1, 0, 1)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap()
    }

    #[test]
    fn ring_buffer_matches_moco_and_wraps() {
        let dev = Device::Cpu;
        let keys = Tensor::zeros((5, 2), candle_core::DType::F32, &dev).unwrap();
        let mut q = KeyQueue::from_parts(keys, 0).unwrap();
        let batch = |a: f32, n: usize| {
            let v: Vec<f32> = (0..n).flat_map(|i| [a + i as f32, 0.0]).collect();
            Tensor::from_vec(v, (n, 2), &dev).unwrap()
        };
        q.enqueue(&batch(1.0, 2)).unwrap();
        assert_eq!(rows(&q), [1.0, 2.0, 0.0, 0.0, 0.0]);
        assert_eq!(q.ptr(), 2);
        q.enqueue(&batch(10.0, 2)).unwrap();
        assert_eq!(rows(&q), [1.0, 2.0, 10.0, 11.0, 0.0]);
        q.enqueue(&batch(20.0, 3)).unwrap();
        assert_eq!(rows(&q), [21.0, 22.0, 10.0, 11.0, 20.0]);
        assert_eq!(q.ptr(), 2);
        q.enqueue(&batch(30.0, 3)).unwrap();
        assert_eq!(rows(&q), [21.0, 22.0, 30.0, 31.0, 32.0]);
        assert_eq!(q.ptr(), 0);
        assert!(q.enqueue(&batch(0.0, 6)).is_err());
    }

    #[test]
    fn random_keys_are_unit_and_seeded() {
        let a = KeyQueue::random(16, 8, 3, &Device::Cpu).unwrap();
        let b = KeyQueue::random(16, 8, 3, &Device::Cpu).unwrap();
        let norms: Vec<f32> = a.keys().sqr().unwrap().sum(1).unwrap().to_vec1().unwrap();
        assert!(norms.iter().all(|n| (n - 1.0).abs() < 1e-5));
        let da: Vec<f32> = a.keys().flatten_all().unwrap().to_vec1().unwrap();
        let db: Vec<f32> = b.keys().flatten_all().unwrap().to_vec1().unwrap();
        assert_eq!(da, db);
    }
}
