//! The weights and weight gradients of a convolution in the layouts its [`Taps`] GEMMs use:
//! restricted to the live taps, and the weight gradient's tap-major order undone.

use super::Geom;
use super::columns::Taps;
use crate::cpu::Elem;
use rayon::prelude::*;
use std::borrow::Cow;

impl Taps {
    /// The weight `(Co, C*kh*kw)` restricted to the live taps: `(Co, C*live)` (borrowed when
    /// every tap is live).
    pub(crate) fn compact<'a, T: Elem>(&self, g: &Geom, w: &'a [T]) -> Cow<'a, [T]> {
        if !self.pruned(g) {
            return Cow::Borrowed(w);
        }
        let (kk, nl) = (g.kh * g.kw, self.live.len());
        if nl == 0 || g.c == 0 {
            return Cow::Owned(Vec::new());
        }
        // SAFETY: every kernel's `nl` slots are written below.
        let mut out: Vec<T> = unsafe { crate::cpu::scratch(w.len() / kk * nl) };
        // Per output channel in parallel: the weights of the last stages are megabytes, and a
        // flat_map iterator over them cost more than the products it feeds.
        out.par_chunks_mut(g.c * nl)
            .zip(w.par_chunks(g.c * kk))
            .for_each(|(o, w)| {
                for (o, taps) in o.chunks_exact_mut(nl).zip(w.chunks_exact(kk)) {
                    for (d, &t) in o.iter_mut().zip(&self.live) {
                        *d = taps[t];
                    }
                }
            });
        Cow::Owned(out)
    }

    /// Scatters a live-tap weight gradient `(Co, C*live)` back to the full `(Co, C*kh*kw)`.
    pub(crate) fn expand<T: Elem>(&self, g: &Geom, dw: &[T]) -> Vec<T> {
        let (kk, nl) = (g.kh * g.kw, self.live.len());
        let zero = T::from_f64(0.0);
        if nl == 0 || g.c == 0 {
            return vec![zero; g.co * g.c * kk];
        }
        // SAFETY: every kernel is zeroed and then given its live taps below.
        let mut full: Vec<T> = unsafe { crate::cpu::scratch(g.co * g.c * kk) };
        // Per output channel in parallel (megabytes on the last stages), as `compact`.
        full.par_chunks_mut(g.c * kk)
            .zip(dw.par_chunks(g.c * nl))
            .for_each(|(full, dw)| {
                for (dst, src) in full.chunks_exact_mut(kk).zip(dw.chunks_exact(nl)) {
                    dst.fill(zero);
                    for (&t, &v) in self.live.iter().zip(src) {
                        dst[t] = v;
                    }
                }
            });
        full
    }

    /// Reorders a weight gradient computed over [`Taps::im2row`] rows, `(Co, live*C)`
    /// tap-major, into the weight's own `(Co, C*live)` order.
    pub(crate) fn untranspose<T: Elem>(&self, g: &Geom, dw: &[T]) -> Vec<T> {
        let (nl, c) = (self.live.len(), g.c);
        // SAFETY: every row below writes all of its `c * nl` entries.
        let mut out = unsafe { crate::cpu::scratch(dw.len()) };
        out.par_chunks_mut(c * nl)
            .zip(dw.par_chunks(c * nl))
            .for_each(|(o, src)| {
                for (t, taps) in src.chunks_exact(c).enumerate() {
                    for (ch, &v) in taps.iter().enumerate() {
                        o[ch * nl + t] = v;
                    }
                }
            });
        out
    }
}
