//! NumPy's legacy `RandomState` (MT19937 seeded with an integer): the generator behind the
//! paper code's `np.random.choice` image draw and albumentations' elastic draws, so the
//! `paper-code` protocol can reproduce their random numbers exactly.

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER: u32 = 0x8000_0000;
const LOWER: u32 = 0x7fff_ffff;

/// `np.random.RandomState(seed)`: Mersenne Twister with NumPy's legacy draws.
#[derive(Clone)]
pub struct NumpyRandomState {
    key: [u32; N],
    pos: usize,
}

impl std::fmt::Debug for NumpyRandomState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NumpyRandomState {{ pos: {} }}", self.pos)
    }
}

impl NumpyRandomState {
    /// `RandomState(seed)` (and `np.random.seed(seed)`) for an integer seed.
    pub fn new(seed: u32) -> Self {
        let mut key = [0u32; N];
        let mut s = seed;
        for (i, k) in key.iter_mut().enumerate() {
            *k = s;
            s = 1_812_433_253u32
                .wrapping_mul(s ^ (s >> 30))
                .wrapping_add(i as u32 + 1);
        }
        Self { key, pos: N }
    }

    fn refill(&mut self) {
        let mix = |a: u32, b: u32, c: u32| {
            let y = (a & UPPER) | (b & LOWER);
            c ^ (y >> 1) ^ if y & 1 == 1 { MATRIX_A } else { 0 }
        };
        for i in 0..N - M {
            self.key[i] = mix(self.key[i], self.key[i + 1], self.key[i + M]);
        }
        for i in N - M..N - 1 {
            self.key[i] = mix(self.key[i], self.key[i + 1], self.key[i + M - N]);
        }
        self.key[N - 1] = mix(self.key[N - 1], self.key[0], self.key[M - 1]);
        self.pos = 0;
    }

    /// The next tempered 32-bit output.
    pub fn next_u32(&mut self) -> u32 {
        if self.pos == N {
            self.refill();
        }
        let mut y = self.key[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `random_sample()`: a double in [0, 1) from 53 random bits.
    pub fn random_sample(&mut self) -> f64 {
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// `uniform(low, high)`: `low + (high - low) * random_sample()`.
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.random_sample()
    }

    /// One legacy `randint(0, n)` value (n >= 1, n <= 2^32): masked rejection sampling.
    pub fn below(&mut self, n: u64) -> u64 {
        let max = n.saturating_sub(1);
        if max == 0 {
            return 0;
        }
        let mask = u64::MAX >> max.leading_zeros();
        loop {
            let v = self.next_u32() as u64 & mask;
            if v <= max {
                return v;
            }
        }
    }

    /// `choice(np.arange(n), size)` (with replacement) as the paper code draws its images.
    pub fn choice_with_replacement(&mut self, n: usize, size: usize) -> Vec<usize> {
        (0..size).map(|_| self.below(n as u64) as usize).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_mt19937_outputs() {
        // init_genrand(5489) is the reference implementation's default seed; its first
        // output is the published 3499211612.
        let mut r = NumpyRandomState::new(5489);
        assert_eq!(r.next_u32(), 3_499_211_612);
    }

    #[test]
    fn draws_stay_in_range() {
        let mut r = NumpyRandomState::new(0);
        assert!(r.choice_with_replacement(7, 100).iter().all(|&i| i < 7));
        let u = r.random_sample();
        assert!((0.0..1.0).contains(&u));
    }
}
