//! Bad input gives a clear error, never a panic.

use sslinv_heads::{HeadsError, Labels, Metric, ProbeConfig, Task, kernel_ridge_cv, probe};

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
