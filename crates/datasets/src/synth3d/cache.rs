//! The cache file: one compact binary per config (header, latents + raw RGB per image, checksum),
//! written through a temp file and a rename so a crash never leaves a half-written cache behind.
//!
//! Layout (little-endian): magic, format version, config key and fields; then per image its
//! latents (class u32 + 11 f32) and, for probe samples, 16 f32 landmarks and a visibility byte,
//! then `size * size * 3` bytes of RGB; pretrain, train, test, then the groups of each kind; last
//! an FNV-1a checksum of everything before it.

use super::config::Synth3dConfig;
use super::dataset::Synth3d;
use super::error::Synth3dError;
use super::latents::Latents;
use super::sample::Sample;
use super::splits::GroupKind;
use image::RgbImage;
use std::fs::File;
use std::io::{BufReader, BufWriter, ErrorKind, Read, Write};
use std::path::Path;

const MAGIC: &[u8; 8] = b"SYN3DBIN";
const FORMAT_VERSION: u32 = 1;

/// FNV-1a over every byte that passes through.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

struct HashWriter<W: Write> {
    inner: W,
    hash: Fnv,
}

impl<W: Write> HashWriter<W> {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.hash.update(bytes);
        self.inner.write_all(bytes)
    }
    fn put_u32(&mut self, v: u32) -> std::io::Result<()> {
        self.put(&v.to_le_bytes())
    }
    fn put_u64(&mut self, v: u64) -> std::io::Result<()> {
        self.put(&v.to_le_bytes())
    }
    fn put_f32s(&mut self, vs: &[f32]) -> std::io::Result<()> {
        let bytes: Vec<u8> = vs.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.put(&bytes)
    }
    fn put_latents(&mut self, l: &Latents) -> std::io::Result<()> {
        self.put_u32(l.class as u32)?;
        self.put_f32s(&latent_values(l))
    }
}

fn latent_values(l: &Latents) -> [f32; 11] {
    [
        l.pos_x,
        l.pos_y,
        l.scale,
        l.yaw,
        l.pitch,
        l.roll,
        l.object_hue,
        l.background_hue,
        l.light_azimuth,
        l.light_elevation,
        l.light_temperature,
    ]
}

fn header_fields(cfg: &Synth3dConfig) -> [u64; 8] {
    [
        cfg.cache_key(),
        cfg.seed,
        cfg.size as u64,
        cfg.n_pretrain as u64,
        cfg.n_train as u64,
        cfg.n_test as u64,
        cfg.n_groups as u64,
        cfg.views_per_group as u64,
    ]
}

/// Writes `data` to `path` via a temp file in the same folder.
pub fn write(path: &Path, data: &Synth3d) -> Result<(), Synth3dError> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let io = |source| Synth3dError::Io {
        path: tmp.clone(),
        source,
    };
    let file = File::create(&tmp).map_err(io)?;
    let mut w = HashWriter {
        inner: BufWriter::with_capacity(1 << 20, file),
        hash: Fnv::new(),
    };
    let result = (|| -> std::io::Result<()> {
        w.put(MAGIC)?;
        w.put_u32(FORMAT_VERSION)?;
        for f in header_fields(&data.config) {
            w.put_u64(f)?;
        }
        for (l, img) in data.pretrain_latents.iter().zip(&data.pretrain) {
            w.put_latents(l)?;
            w.put(img.as_raw())?;
        }
        for s in data.train.iter().chain(&data.test) {
            w.put_latents(&s.latents)?;
            let lm: Vec<f32> = s.landmarks.iter().flatten().copied().collect();
            w.put_f32s(&lm)?;
            let mask = s
                .landmark_visible
                .iter()
                .enumerate()
                .fold(0u8, |m, (i, &v)| m | ((v as u8) << i));
            w.put(&[mask])?;
            w.put(s.image.as_raw())?;
        }
        for kind in GroupKind::ALL {
            for (ls, imgs) in data.group_latents(kind).iter().zip(data.groups(kind)) {
                for (l, img) in ls.iter().zip(imgs) {
                    w.put_latents(l)?;
                    w.put(img.as_raw())?;
                }
            }
        }
        let sum = w.hash.0;
        w.inner.write_all(&sum.to_le_bytes())?;
        w.inner.flush()?;
        w.inner.get_ref().sync_all()
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    drop(w);
    std::fs::rename(&tmp, path).map_err(|source| Synth3dError::Io {
        path: path.to_path_buf(),
        source,
    })
}

struct HashReader<R: Read> {
    inner: R,
    hash: Fnv,
}

impl<R: Read> HashReader<R> {
    fn take(&mut self, buf: &mut [u8]) -> std::io::Result<()> {
        self.inner.read_exact(buf)?;
        self.hash.update(buf);
        Ok(())
    }
    fn u32(&mut self) -> std::io::Result<u32> {
        let mut b = [0u8; 4];
        self.take(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn u64(&mut self) -> std::io::Result<u64> {
        let mut b = [0u8; 8];
        self.take(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn f32s<const N: usize>(&mut self) -> std::io::Result<[f32; N]> {
        let mut out = [0.0f32; N];
        for v in &mut out {
            let mut b = [0u8; 4];
            self.take(&mut b)?;
            *v = f32::from_le_bytes(b);
        }
        Ok(out)
    }
    fn latents(&mut self) -> std::io::Result<Latents> {
        let class = self.u32()? as i64;
        let v = self.f32s::<11>()?;
        Ok(Latents {
            class,
            pos_x: v[0],
            pos_y: v[1],
            scale: v[2],
            yaw: v[3],
            pitch: v[4],
            roll: v[5],
            object_hue: v[6],
            background_hue: v[7],
            light_azimuth: v[8],
            light_elevation: v[9],
            light_temperature: v[10],
        })
    }
    fn image(&mut self, size: u32) -> std::io::Result<RgbImage> {
        let mut buf = vec![0u8; size as usize * size as usize * 3];
        self.take(&mut buf)?;
        RgbImage::from_raw(size, size, buf)
            .ok_or_else(|| std::io::Error::other("image buffer of the wrong length"))
    }
}

/// Reads the cache of `cfg` from `path`, checking header, latents and checksum.
pub fn read(path: &Path, cfg: &Synth3dConfig) -> Result<Synth3d, Synth3dError> {
    let corrupt = |reason: String| Synth3dError::CorruptCache {
        path: path.to_path_buf(),
        reason,
    };
    let from_io = |e: std::io::Error| match e.kind() {
        ErrorKind::UnexpectedEof => corrupt("file is truncated".to_string()),
        ErrorKind::InvalidData | ErrorKind::Other => corrupt(e.to_string()),
        _ => Synth3dError::Io {
            path: path.to_path_buf(),
            source: e,
        },
    };
    let file = File::open(path).map_err(from_io)?;
    let mut r = HashReader {
        inner: BufReader::with_capacity(1 << 20, file),
        hash: Fnv::new(),
    };
    let mut magic = [0u8; 8];
    r.take(&mut magic).map_err(from_io)?;
    if &magic != MAGIC {
        return Err(corrupt("not a synth3d cache (bad magic)".to_string()));
    }
    let version = r.u32().map_err(from_io)?;
    if version != FORMAT_VERSION {
        return Err(corrupt(format!(
            "format version {version}, expected {FORMAT_VERSION}"
        )));
    }
    for (i, want) in header_fields(cfg).into_iter().enumerate() {
        let got = r.u64().map_err(from_io)?;
        if got != want {
            return Err(corrupt(format!(
                "header field {i} is {got}, the config needs {want}"
            )));
        }
    }
    let checked = |l: Latents| l.validate().map(|_| l).map_err(|e| corrupt(e.to_string()));
    let size = cfg.size;
    let mut pretrain = Vec::with_capacity(cfg.n_pretrain);
    let mut pretrain_latents = Vec::with_capacity(cfg.n_pretrain);
    for _ in 0..cfg.n_pretrain {
        pretrain_latents.push(checked(r.latents().map_err(from_io)?)?);
        pretrain.push(r.image(size).map_err(from_io)?);
    }
    let mut samples = Vec::with_capacity(cfg.n_train + cfg.n_test);
    for _ in 0..cfg.n_train + cfg.n_test {
        let latents = checked(r.latents().map_err(from_io)?)?;
        let lm = r.f32s::<16>().map_err(from_io)?;
        if lm.iter().any(|v| !v.is_finite()) {
            return Err(corrupt("non-finite landmark".to_string()));
        }
        let mut mask = [0u8; 1];
        r.take(&mut mask).map_err(from_io)?;
        let image = r.image(size).map_err(from_io)?;
        samples.push(Sample {
            image,
            class: latents.class,
            landmarks: std::array::from_fn(|k| [lm[2 * k], lm[2 * k + 1]]),
            landmark_visible: std::array::from_fn(|k| mask[0] >> k & 1 == 1),
            latents,
        });
    }
    let test = samples.split_off(cfg.n_train);
    let mut groups: [Vec<Vec<RgbImage>>; 3] = Default::default();
    let mut group_latents: [Vec<Vec<Latents>>; 3] = Default::default();
    for k in 0..3 {
        for _ in 0..cfg.n_groups {
            let (mut ls, mut imgs) = (Vec::new(), Vec::new());
            for _ in 0..cfg.views_per_group {
                ls.push(checked(r.latents().map_err(from_io)?)?);
                imgs.push(r.image(size).map_err(from_io)?);
            }
            group_latents[k].push(ls);
            groups[k].push(imgs);
        }
    }
    let expected = r.hash.0;
    let mut trailer = [0u8; 8];
    r.inner.read_exact(&mut trailer).map_err(from_io)?;
    if u64::from_le_bytes(trailer) != expected {
        return Err(corrupt("checksum mismatch".to_string()));
    }
    let mut extra = [0u8; 1];
    if r.inner.read(&mut extra).map_err(from_io)? != 0 {
        return Err(corrupt("trailing bytes after the checksum".to_string()));
    }
    Ok(Synth3d {
        config: *cfg,
        pretrain,
        pretrain_latents,
        train: samples,
        test,
        groups,
        group_latents,
    })
}
