//! Writers of the broken (and the awkward but valid) files: images, checkpoints, features,
//! MAT files and PyTorch zips, built byte by byte where no encoder writes them.

use std::collections::HashMap;
use std::path::Path;

use image::{ImageBuffer, ImageFormat, Luma, Rgb, RgbImage};
use safetensors::{Dtype, tensor::TensorView};

/// A small textured RGB image.
pub fn pattern(w: u32, h: u32, tag: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb([
            (tag * 70) as u8 ^ (x * 9) as u8,
            (y * 7) as u8,
            (x * y + tag) as u8,
        ])
    })
}

/// `img` encoded as `format`.
pub fn encode(img: &RgbImage, format: ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

pub fn png(w: u32, h: u32) -> Vec<u8> {
    encode(&pattern(w, h, 1), ImageFormat::Png)
}

pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
    encode(&pattern(w, h, 2), ImageFormat::Jpeg)
}

/// A 16-bit-per-channel RGB PNG.
pub fn png16(w: u32, h: u32) -> Vec<u8> {
    let img: ImageBuffer<Rgb<u16>, Vec<u16>> = ImageBuffer::from_fn(w, h, |x, y| {
        Rgb([(x * 4000) as u16, (y * 4000) as u16, 60000])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

/// An 8-bit greyscale PNG.
pub fn grey_png(w: u32, h: u32) -> Vec<u8> {
    let img: ImageBuffer<Luma<u8>, Vec<u8>> =
        ImageBuffer::from_fn(w, h, |x, y| Luma([(x * 8 + y) as u8]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend(data);
    out.extend(&body);
    out.extend(crc32(&body).to_be_bytes());
}

/// A decompression bomb's header: a w x h RGB PNG whose first row of data follows (the rest
/// would be zeros that deflate to almost nothing).
pub fn bomb_png(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    png_chunk(&mut out, b"IHDR", &ihdr);
    // zlib header, then one stored deflate block holding the first scanline.
    let row = (w as usize * 3 + 1).min(65535);
    let mut idat = vec![0x78, 0x01, 0x00];
    idat.extend((row as u16).to_le_bytes());
    idat.extend((!(row as u16)).to_le_bytes());
    idat.resize(idat.len() + row, 0);
    png_chunk(&mut out, b"IDAT", &idat);
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// A real JPEG whose frame header is patched to claim w x h.
pub fn bomb_jpeg(w: u16, h: u16) -> Vec<u8> {
    let mut bytes = jpeg(16, 16);
    let sof = bytes.windows(2).position(|m| m == [0xFF, 0xC0]).unwrap();
    bytes[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    bytes
}

/// A baseline JPEG of one flat CMYK colour as Adobe writes it (APP14 transform 0, inverted
/// samples: 0 = full ink), 8 x 8 px, hand-assembled (no encoder writes CMYK).
pub fn cmyk_jpeg(stored: [u8; 4]) -> Vec<u8> {
    let mut o = vec![0xFF, 0xD8];
    let segment = |o: &mut Vec<u8>, marker: u8, body: &[u8]| {
        o.extend([0xFF, marker]);
        o.extend(((body.len() + 2) as u16).to_be_bytes());
        o.extend(body);
    };
    segment(&mut o, 0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x00");
    let mut dqt = vec![0u8];
    dqt.extend([1u8; 64]);
    segment(&mut o, 0xDB, &dqt);
    let mut sof = vec![8, 0, 8, 0, 8, 4];
    for id in 1..=4u8 {
        sof.extend([id, 0x11, 0]);
    }
    segment(&mut o, 0xC0, &sof);
    // DC table 0: categories 0..=11, all 4-bit codes (0000..1011). AC table 0: EOB only, "0".
    let mut dht = vec![0x00, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    dht.extend(0u8..12);
    dht.extend([0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00]);
    segment(&mut o, 0xC4, &dht);
    let mut sos = vec![4];
    for id in 1..=4u8 {
        sos.extend([id, 0x00]);
    }
    sos.extend([0, 63, 0]);
    segment(&mut o, 0xDA, &sos);
    let mut bits: Vec<bool> = Vec::new();
    let mut put = |v: u32, n: u32| (0..n).rev().for_each(|i| bits.push(v >> i & 1 == 1));
    for s in stored {
        // A flat block's only coefficient: DC = 8 * (sample - 128), quantised by 1.
        let dc = 8 * (s as i32 - 128);
        let cat = 32 - dc.unsigned_abs().leading_zeros();
        put(cat, 4);
        let v = if dc < 0 { dc - 1 + (1 << cat) } else { dc };
        put(v as u32 & ((1 << cat) - 1), cat);
        put(0, 1);
    }
    while !bits.len().is_multiple_of(8) {
        bits.push(true);
    }
    for byte in bits.chunks(8) {
        let b = byte.iter().fold(0u8, |a, &x| a << 1 | x as u8);
        o.push(b);
        if b == 0xFF {
            o.push(0);
        }
    }
    o.extend([0xFF, 0xD9]);
    o
}

/// safetensors bytes of `(name, dtype, shape, raw data)`.
pub fn safetensors(
    tensors: &[(String, Dtype, Vec<usize>, Vec<u8>)],
    meta: Option<HashMap<String, String>>,
) -> Vec<u8> {
    let views: Vec<(String, TensorView)> = tensors
        .iter()
        .map(|(n, d, s, b)| (n.clone(), TensorView::new(*d, s.clone(), b).unwrap()))
        .collect();
    safetensors::serialize(views, meta).unwrap()
}

/// A features file: `features` N x D f32 and `labels` N i64.
pub fn features_file(x: &[f32], dim: usize, labels: &[i64]) -> Vec<u8> {
    safetensors(
        &[
            (
                "features".into(),
                Dtype::F32,
                vec![x.len() / dim, dim],
                x.iter().flat_map(|v| v.to_le_bytes()).collect(),
            ),
            (
                "labels".into(),
                Dtype::I64,
                vec![labels.len()],
                labels.iter().flat_map(|v| v.to_le_bytes()).collect(),
            ),
        ],
        None,
    )
}

/// Separable features: `n` rows in `classes` classes, 4 columns.
pub fn separable(n: usize, classes: i64) -> (Vec<f32>, Vec<i64>) {
    let labels: Vec<i64> = (0..n as i64).map(|i| i % classes).collect();
    let x = labels
        .iter()
        .enumerate()
        .flat_map(|(i, &c)| [c as f32 * 3.0, (i % 5) as f32 * 0.1, 1.0 - c as f32, 0.5])
        .collect();
    (x, labels)
}

pub use sslinv_testkit::mat_v5 as mat;

/// A zip of stored (uncompressed) entries, as `torch.save` writes them.
pub fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, data) in entries {
        let offset = out.len() as u32;
        let (crc, len) = (crc32(data), data.len() as u32);
        let fields = |sig: u32, central: bool| {
            let mut h = sig.to_le_bytes().to_vec();
            if central {
                h.extend(20u16.to_le_bytes());
            }
            h.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            h.extend(crc.to_le_bytes());
            h.extend(len.to_le_bytes());
            h.extend(len.to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if central {
                // Comment length, disk, internal and external attributes.
                h.extend([0u8; 10]);
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(fields(0x0403_4b50, false));
        out.extend(*data);
        central.extend(fields(0x0201_4b50, true));
    }
    let (cd_offset, cd_len, n) = (out.len() as u32, central.len() as u32, entries.len() as u16);
    out.extend(central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend(n.to_le_bytes());
    out.extend(n.to_le_bytes());
    out.extend(cd_len.to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// A pickle that calls `module.name(arg)` when unpickled by Python (`GLOBAL`, `REDUCE`).
pub fn calling_pickle(module: &str, name: &str, arg: &str) -> Vec<u8> {
    let mut p = vec![0x80, 2, b'c'];
    p.extend(format!("{module}\n{name}\n").bytes());
    p.push(b'X');
    p.extend((arg.len() as u32).to_le_bytes());
    p.extend(arg.bytes());
    p.extend([0x85, b'R', b'.']);
    p
}

/// Writes `bytes` to `path`, creating its folder.
pub fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}
