//! Colour helpers: hue to RGB and black-body light colour from a temperature in kelvin.

/// HSV (all in [0, 1], hue wraps) to linear-ish RGB in [0, 1].
pub fn hsv(h: f32, s: f32, v: f32) -> [f32; 3] {
    let h6 = h.rem_euclid(1.0) * 6.0;
    let f = h6 - h6.floor();
    let (p, q, t) = (v * (1.0 - s), v * (1.0 - s * f), v * (1.0 - s * (1.0 - f)));
    sslinv_augment::color::hsv_sector(h6.floor() as i32, v, p, q, t)
}

/// The colour of a black-body light at `kelvin` (Tanner Helland's fit of the Planckian locus),
/// scaled so the brightest channel is 1: warm light is orange, cold light is blue.
pub fn temperature_rgb(kelvin: f32) -> [f32; 3] {
    let t = (kelvin / 100.0).clamp(10.0, 400.0) as f64;
    let r = if t <= 66.0 {
        255.0
    } else {
        329.698_727_446 * (t - 60.0).powf(-0.133_204_759_2)
    };
    let g = if t <= 66.0 {
        99.470_802_586_1 * t.ln() - 161.119_568_166_1
    } else {
        288.122_169_528_3 * (t - 60.0).powf(-0.075_514_849_2)
    };
    let b = if t >= 66.0 {
        255.0
    } else if t <= 19.0 {
        0.0
    } else {
        138.517_731_223_1 * (t - 10.0).ln() - 305.044_792_730_7
    };
    let c = [r, g, b].map(|x| (x / 255.0).clamp(0.0, 1.0) as f32);
    let m = c.iter().cloned().fold(1e-6f32, f32::max);
    c.map(|x| x / m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsv_primaries_and_temperature_tints() {
        assert_eq!(hsv(0.0, 1.0, 1.0), [1.0, 0.0, 0.0]);
        assert_eq!(hsv(1.0 / 3.0, 1.0, 1.0).map(|x| x.round()), [0.0, 1.0, 0.0]);
        assert_eq!(hsv(0.5, 0.0, 0.5), [0.5, 0.5, 0.5]);
        let warm = temperature_rgb(3000.0);
        let cold = temperature_rgb(9000.0);
        assert!(warm[0] > warm[2] + 0.3, "{warm:?}");
        assert!(cold[2] > cold[0] + 0.1, "{cold:?}");
        let d65 = temperature_rgb(6600.0);
        assert!(d65.iter().all(|&x| x > 0.9), "{d65:?}");
    }
}
