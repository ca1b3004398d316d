//! Extrinsic invariance: kernel ridge recovers a latent the features carry, not one they lack.

use rand::SeedableRng;
use rand::distr::{Distribution, Uniform};
use rand_chacha::ChaCha8Rng;
use sslinv_invariance::extrinsic::{score_features, select_latents};

#[test]
fn kernel_ridge_recovers_encoded_latents_only() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let u = Uniform::new(0.0f32, 1.0).unwrap();
    let dim = 6;
    let make = |n: usize, rng: &mut ChaCha8Rng| {
        let (mut x, mut y) = (vec![], vec![]);
        for _ in 0..n {
            let (seen, hidden) = (u.sample(rng), u.sample(rng));
            x.push((6.0 * seen).sin());
            x.push(seen);
            for _ in 2..dim {
                x.push(0.1 * u.sample(rng));
            }
            y.extend([seen, hidden]);
        }
        (x, y)
    };
    let (train_x, train_y) = make(80, &mut rng);
    let (test_x, test_y) = make(40, &mut rng);
    let names = vec!["seen".to_string(), "hidden".to_string()];
    let cols = select_latents("all", &names).unwrap();
    let s = score_features(&train_x, &train_y, &test_x, &test_y, dim, &names, &cols, 0).unwrap();
    assert_eq!(s[0].latent, "seen");
    assert!(s[0].r2 > 0.9, "seen latent r2 {}", s[0].r2);
    assert!(s[1].r2 < 0.2, "hidden latent r2 {}", s[1].r2);
    assert_eq!(select_latents("1", &names).unwrap(), vec![1]);
    assert_eq!(select_latents("hidden", &names).unwrap(), vec![1]);
    assert!(select_latents("nope", &names).is_err());
}
