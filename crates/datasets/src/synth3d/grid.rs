//! Contact sheets for people: a grid of samples per class plus one group of each sweep, and a
//! landmark overlay.

use super::dataset::Synth3d;
use super::error::Synth3dError;
use super::latents::Latents;
use super::render::render_full;
use super::sample::Sample;
use super::seeds::item_rng;
use super::splits::{GroupKind, sweep};
use image::{Rgb, RgbImage};
use rayon::prelude::*;

/// Gap between tiles, in pixels.
const GAP: u32 = 2;
/// Split tag of grid images, apart from the data splits' tags.
const GRID: u64 = 100;

/// A grid with one row per class (`cols` random instances each) followed by one viewpoint, one
/// illumination and one temperature group of `cols` views, tiles of `size` pixels.
pub fn sample_grid(seed: u64, size: u32, cols: usize) -> Result<RgbImage, Synth3dError> {
    let cols = cols.max(2);
    let mut rows: Vec<Vec<Latents>> = (0..Latents::CLASS_COUNT)
        .map(|c| {
            (0..cols)
                .map(|i| Latents::sample(c as i64, &mut item_rng(seed, GRID + c as u64, i as u64)))
                .collect()
        })
        .collect();
    for (k, kind) in GroupKind::ALL.into_iter().enumerate() {
        let base = Latents::sample((3 * k + 1) as i64, &mut item_rng(seed, GRID + 50, k as u64));
        rows.push((0..cols).map(|v| sweep(base, kind, v, cols)).collect());
    }
    let tiles: Vec<Vec<RgbImage>> = rows
        .par_iter()
        .map(|r| {
            r.iter()
                .map(|l| render_full(l, size).map(|x| x.image))
                .collect()
        })
        .collect::<Result<_, _>>()?;
    let (w, h) = (
        cols as u32 * (size + GAP) + GAP,
        tiles.len() as u32 * (size + GAP) + GAP,
    );
    let mut out = RgbImage::from_pixel(w, h, Rgb([255, 255, 255]));
    for (r, row) in tiles.iter().enumerate() {
        for (c, tile) in row.iter().enumerate() {
            let (x0, y0) = (GAP + c as u32 * (size + GAP), GAP + r as u32 * (size + GAP));
            for (x, y, p) in tile.enumerate_pixels() {
                out.put_pixel(x0 + x, y0 + y, *p);
            }
        }
    }
    Ok(out)
}

/// The sample's image enlarged `zoom` times with its landmarks drawn on top (white-ringed dots:
/// green where visible, red where occluded; landmark `i` gets `i + 1` pixels of size offset so
/// the order can be read).
pub fn landmark_overlay(sample: &Sample, zoom: u32) -> RgbImage {
    let zoom = zoom.max(1);
    let img = &sample.image;
    let mut out = RgbImage::from_fn(img.width() * zoom, img.height() * zoom, |x, y| {
        *img.get_pixel(x / zoom, y / zoom)
    });
    for (k, (p, &vis)) in sample
        .landmarks
        .iter()
        .zip(&sample.landmark_visible)
        .enumerate()
    {
        let (cx, cy) = (p[0] * zoom as f32, p[1] * zoom as f32);
        let r = 2.0 + k as f32 * 0.25;
        let colour = if vis {
            Rgb([40, 220, 60])
        } else {
            Rgb([230, 40, 40])
        };
        for dy in -4i32..=4 {
            for dx in -4i32..=4 {
                let (x, y) = (cx.floor() as i32 + dx, cy.floor() as i32 + dy);
                if x < 0 || y < 0 || x >= out.width() as i32 || y >= out.height() as i32 {
                    continue;
                }
                let d = ((dx * dx + dy * dy) as f32).sqrt();
                if d <= r {
                    out.put_pixel(x as u32, y as u32, colour);
                } else if d <= r + 1.0 {
                    out.put_pixel(x as u32, y as u32, Rgb([255, 255, 255]));
                }
            }
        }
    }
    out
}

/// One sample of each class with its landmarks drawn (see `landmark_overlay`), six per row.
pub fn landmark_sheet(seed: u64, size: u32, zoom: u32) -> Result<RgbImage, Synth3dError> {
    let samples = (0..Latents::CLASS_COUNT)
        .map(|c| {
            Synth3d::render_sample(
                &Latents::sample(c as i64, &mut item_rng(seed, GRID + 60, c as u64)),
                size,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let tiles: Vec<RgbImage> = samples.iter().map(|s| landmark_overlay(s, zoom)).collect();
    let (tile, cols) = (tiles[0].width(), 6u32);
    let rows = (tiles.len() as u32).div_ceil(cols);
    let mut out = RgbImage::from_pixel(
        cols * (tile + GAP) + GAP,
        rows * (tile + GAP) + GAP,
        Rgb([255, 255, 255]),
    );
    for (i, t) in tiles.iter().enumerate() {
        let (x0, y0) = (
            GAP + (i as u32 % cols) * (tile + GAP),
            GAP + (i as u32 / cols) * (tile + GAP),
        );
        image::imageops::replace(&mut out, t, x0 as i64, y0 as i64);
    }
    Ok(out)
}
