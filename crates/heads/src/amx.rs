//! Intel AMX bf16 tile products (Sapphire Rapids and later), through inline assembly because
//! Rust's AMX intrinsics are unstable. Linux only: the kernel must grant the tile state
//! (`arch_prctl(ARCH_REQ_XCOMP_PERM)`) before the first tile instruction.

use crate::bf16_tiles::{TILE_LEN, TILE_ROWS, Tiles};
use std::arch::asm;
use std::sync::OnceLock;

/// `arch_prctl` request for permission to use an extended state component.
const ARCH_REQ_XCOMP_PERM: libc::c_ulong = 0x1023;
/// The AMX tile data state component.
const XFEATURE_XTILEDATA: libc::c_ulong = 18;

/// Whether this CPU and kernel run AMX bf16 products (asked once per process). Setting
/// `SSLINV_NO_AMX` (to anything) answers no, for comparisons with the f32 search.
pub(crate) fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        if std::env::var_os("SSLINV_NO_AMX").is_some() {
            return false;
        }
        let leaf7 = std::arch::x86_64::__cpuid_count(7, 0);
        let amx_bf16 = leaf7.edx & (1 << 22) != 0;
        let amx_tile = leaf7.edx & (1 << 24) != 0;
        // SAFETY: a permission request; it changes nothing else in the process.
        amx_bf16
            && amx_tile
            && unsafe {
                libc::syscall(
                    libc::SYS_arch_prctl,
                    ARCH_REQ_XCOMP_PERM,
                    XFEATURE_XTILEDATA,
                ) == 0
            }
    })
}

/// Eight 16 x 64-byte tiles configured on this thread; released when dropped. Tiles 0-3 hold
/// a 32 x 32 f32 product, 4-5 the left rows, 6-7 the right column pairs.
pub(crate) struct TileSession(());

#[repr(C, align(64))]
struct TileConfig([u8; 64]);

impl TileSession {
    /// Configures the tiles; `None` when AMX is not [`available`].
    pub(crate) fn start() -> Option<Self> {
        if !available() {
            return None;
        }
        let mut cfg = TileConfig([0; 64]);
        cfg.0[0] = 1; // palette 1
        for t in 0..8 {
            cfg.0[16 + 2 * t] = 64; // bytes per tile row
            cfg.0[48 + t] = TILE_ROWS as u8;
        }
        // SAFETY: AMX is available and permitted; the configuration is a valid palette 1.
        unsafe { asm!("ldtilecfg [{}]", in(reg) cfg.0.as_ptr(), options(nostack)) };
        Some(TileSession(()))
    }

    /// `c` (32 x 32, row stride `ldc`) = rows of `a`'s group pair `ga` times those of `b`'s
    /// group pair `gb` (Pairs layout), summed over every column chunk.
    pub(crate) fn product_32x32(
        &self,
        a: &Tiles,
        ga: usize,
        b: &Tiles,
        gb: usize,
        c: &mut [f32],
        ldc: usize,
    ) {
        assert_eq!(a.chunks, b.chunks);
        assert!(c.len() >= 31 * ldc + 32 && ldc >= 32);
        let (a0, a1) = (a.group(2 * ga).as_ptr(), a.group(2 * ga + 1).as_ptr());
        let (b0, b1) = (b.group(2 * gb).as_ptr(), b.group(2 * gb + 1).as_ptr());
        let stride = 64usize;
        // SAFETY: the session configured the tiles; every group holds `chunks` tiles of
        // TILE_LEN bf16 values (64-byte rows), and `c` holds 32 rows of 32 f32 at stride ldc.
        unsafe {
            asm!(
                "tilezero tmm0",
                "tilezero tmm1",
                "tilezero tmm2",
                "tilezero tmm3",
                options(nostack, nomem)
            );
            for k in 0..a.chunks {
                let off = k * TILE_LEN;
                asm!(
                    "tileloadd tmm4, [{a0} + {s}*1]",
                    "tileloadd tmm5, [{a1} + {s}*1]",
                    "tileloadd tmm6, [{b0} + {s}*1]",
                    "tileloadd tmm7, [{b1} + {s}*1]",
                    "tdpbf16ps tmm0, tmm4, tmm6",
                    "tdpbf16ps tmm1, tmm4, tmm7",
                    "tdpbf16ps tmm2, tmm5, tmm6",
                    "tdpbf16ps tmm3, tmm5, tmm7",
                    a0 = in(reg) a0.add(off),
                    a1 = in(reg) a1.add(off),
                    b0 = in(reg) b0.add(off),
                    b1 = in(reg) b1.add(off),
                    s = in(reg) stride,
                    options(nostack, readonly)
                );
            }
            let p = c.as_mut_ptr();
            asm!(
                "tilestored [{c0} + {s}*1], tmm0",
                "tilestored [{c1} + {s}*1], tmm1",
                "tilestored [{c2} + {s}*1], tmm2",
                "tilestored [{c3} + {s}*1], tmm3",
                c0 = in(reg) p,
                c1 = in(reg) p.add(16),
                c2 = in(reg) p.add(16 * ldc),
                c3 = in(reg) p.add(16 * ldc + 16),
                s = in(reg) ldc * 4,
                options(nostack)
            );
        }
    }
}

impl Drop for TileSession {
    fn drop(&mut self) {
        // SAFETY: the tiles were configured by `start`; releasing returns them to init state.
        unsafe { asm!("tilerelease", options(nostack, nomem)) };
    }
}
