//! Bad input gives a clear error, never a panic.

use sslinv_heads::{
    HeadsError, Labels, Metric, ProbeConfig, Task, kernel_ridge_cv, kernel_ridge_cv_each, probe,
};

fn data(n: usize) -> (Vec<f32>, Labels) {
    let x = (0..n * 2).map(|i| (i % 7) as f32).collect();
    (x, Labels::Classes((0..n as i64).map(|i| i % 2).collect()))
}

#[test]
fn mismatched_rows_nan_single_class_and_empty_splits_are_errors() {
    let (x, y) = data(20);
    let cfg = ProbeConfig::default();
    let short = Labels::Classes(vec![0, 1, 0]);
    assert!(matches!(
        probe(&x, &short, &x, &y, 2, &cfg),
        Err(HeadsError::Shape(_))
    ));
    let mut bad = x.clone();
    bad[5] = f32::INFINITY;
    assert!(matches!(
        probe(&bad, &y, &x, &y, 2, &cfg),
        Err(HeadsError::NonFinite { row: 2, col: 1, .. })
    ));
    let one = Labels::Classes(vec![3; 20]);
    assert!(matches!(
        probe(&x, &one, &x, &y, 2, &cfg),
        Err(HeadsError::SingleClass(1))
    ));
    assert!(matches!(
        probe(&x, &y, &[], &Labels::Classes(vec![]), 2, &cfg),
        Err(HeadsError::Empty(_))
    ));
    let (x3, y3) = data(3);
    assert!(matches!(
        probe(&x3, &y3, &x, &y, 2, &cfg),
        Err(HeadsError::Empty(_))
    ));
    let wrong = ProbeConfig {
        task: Task::Regression,
        metric: Metric::R2,
        ..Default::default()
    };
    assert!(matches!(
        probe(&x, &y, &x, &y, 2, &wrong),
        Err(HeadsError::Config(_))
    ));
    let neg = ProbeConfig {
        lambda: Some(-1.0),
        ..Default::default()
    };
    assert!(matches!(
        probe(&x, &y, &x, &y, 2, &neg),
        Err(HeadsError::Config(_))
    ));
    assert!(kernel_ridge_cv(&x, &[1.0; 7], &x, &[1.0; 20], 2, 0).is_err());
}

#[test]
fn kernel_ridge_cv_fits_a_smooth_function() {
    let n = 120;
    let x: Vec<f32> = (0..n).map(|i| i as f32 / n as f32 * 6.0).collect();
    let y: Vec<f32> = x.iter().map(|v| v.sin()).collect();
    let (tr, te): (Vec<usize>, Vec<usize>) = (0..n).partition(|i| i % 4 != 0);
    let pick = |v: &[f32], idx: &[usize]| idx.iter().map(|&i| v[i]).collect::<Vec<f32>>();
    let r = kernel_ridge_cv(
        &pick(&x, &tr),
        &pick(&y, &tr),
        &pick(&x, &te),
        &pick(&y, &te),
        1,
        0,
    )
    .unwrap();
    assert!(r.r2 > 0.95, "{r:?}");
    assert_eq!(r.cv_scores.len(), 5);
    assert_eq!(r.cv_scores[0].len(), 8);
}

#[test]
fn kernel_ridge_cv_each_matches_one_cv_per_output() {
    // Two inputs, three outputs of different smoothness, so the outputs choose different
    // (alpha, gamma); fitting them together must give what one call per output gives.
    let n = 150;
    let x: Vec<f32> = (0..n)
        .flat_map(|i| [(i % 15) as f32 / 3.0, (i / 15) as f32 / 2.0])
        .collect();
    let y: Vec<f32> = x
        .chunks(2)
        .enumerate()
        .flat_map(|(i, r)| {
            let noise = ((i * 7919) % 13) as f32 / 13.0 - 0.5;
            [
                r[0].sin(),
                (3.0 * r[1]).cos() + 0.3 * noise,
                r[0] * r[1] + noise,
            ]
        })
        .collect();
    let (tr, te): (Vec<usize>, Vec<usize>) = (0..n).partition(|i| i % 5 != 0);
    let rows = |v: &[f32], w: usize, idx: &[usize]| {
        idx.iter()
            .flat_map(|&i| v[i * w..(i + 1) * w].to_vec())
            .collect::<Vec<f32>>()
    };
    let column = |v: &[f32], c: usize| v.iter().skip(c).step_by(3).copied().collect::<Vec<_>>();
    let (xtr, xte, ytr, yte) = (
        rows(&x, 2, &tr),
        rows(&x, 2, &te),
        rows(&y, 3, &tr),
        rows(&y, 3, &te),
    );
    let each = kernel_ridge_cv_each(&xtr, &ytr, &xte, &yte, 2, 3).unwrap();
    assert_eq!(each.len(), 3);
    let mut chosen = Vec::new();
    for (c, r) in each.iter().enumerate() {
        let one = kernel_ridge_cv(&xtr, &column(&ytr, c), &xte, &column(&yte, c), 2, 3).unwrap();
        assert_eq!((r.alpha, r.gamma), (one.alpha, one.gamma), "output {c}");
        assert!(
            (r.r2 - one.r2).abs() < 1e-9,
            "output {c}: {} vs {}",
            r.r2,
            one.r2
        );
        for (a, b) in r
            .cv_scores
            .iter()
            .flatten()
            .zip(one.cv_scores.iter().flatten())
        {
            assert!((a - b).abs() < 1e-9, "output {c} CV {a} vs {b}");
        }
        chosen.push((r.alpha, r.gamma));
    }
    chosen.dedup();
    assert!(
        chosen.len() > 1,
        "the outputs should not all pick one setting: {chosen:?}"
    );
}
