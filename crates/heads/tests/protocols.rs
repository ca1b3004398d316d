//! Parity of the community protocols with direct NumPy implementations on the handwritten
//! digits (fixtures from scripts/reference/protocols.py): DINO's weighted kNN, ssl-transfer's
//! few-shot episodes and RankMe.

use safetensors::SafeTensors;
use serde_json::Value;
use sslinv_heads::{
    DINO_KS, Episode, FewShotConfig, KnnConfig, fewshot, knn_classify, rankme, score_episodes,
};

const D: usize = 64;
const N_TRAIN: usize = 1000;

struct Fixture {
    x: Vec<f32>,
    y: Vec<i64>,
    episodes: Vec<i16>,
    lift: Vec<f32>,
    reference: Value,
}

fn load() -> Fixture {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
    let digits = std::fs::read(format!("{dir}digits.safetensors")).unwrap();
    let digits = SafeTensors::deserialize(&digits).unwrap();
    let extra = std::fs::read(format!("{dir}protocols.safetensors")).unwrap();
    let extra = SafeTensors::deserialize(&extra).unwrap();
    let f32s = |b: &[u8]| -> Vec<f32> {
        b.chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    };
    Fixture {
        x: f32s(digits.tensor("features").unwrap().data()),
        y: digits
            .tensor("labels")
            .unwrap()
            .data()
            .chunks_exact(8)
            .map(|b| i64::from_le_bytes(b.try_into().unwrap()))
            .collect(),
        episodes: extra
            .tensor("episodes")
            .unwrap()
            .data()
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes(b.try_into().unwrap()))
            .collect(),
        lift: f32s(extra.tensor("lift").unwrap().data()),
        reference: serde_json::from_str(
            &std::fs::read_to_string(format!("{dir}protocols.json")).unwrap(),
        )
        .unwrap(),
    }
}

#[test]
fn knn_predictions_equal_dinos_formula_except_ties() {
    let f = load();
    let (xtr, xte) = f.x.split_at(N_TRAIN * D);
    let (ytr, yte) = f.y.split_at(N_TRAIN);
    let cfg = KnnConfig {
        ks: DINO_KS.to_vec(),
        temperature: f.reference["temperature"].as_f64().unwrap(),
    };
    let r = knn_classify(xtr, ytr, xte, yte, D, &cfg).unwrap();
    for (i, reference) in f.reference["knn"].as_array().unwrap().iter().enumerate() {
        assert_eq!(r.scores[i].k, reference["k"].as_u64().unwrap() as usize);
        let ties = reference["ties"].as_array().unwrap();
        let preds = reference["predictions"].as_array().unwrap();
        let (mut differ, mut tied) = (0, 0);
        for (q, (p, t)) in preds.iter().zip(ties).enumerate() {
            if t.as_bool().unwrap() {
                tied += 1;
            } else if p.as_i64().unwrap() != r.predictions[i][q] {
                differ += 1;
            }
        }
        assert_eq!(
            differ, 0,
            "k = {}: predictions differ off ties",
            r.scores[i].k
        );
        println!(
            "k = {}: top-1 {} (NumPy {}), top-5 {} (NumPy {}), {tied} tied queries",
            r.scores[i].k, r.scores[i].top1, reference["top1"], r.scores[i].top5, reference["top5"]
        );
        // Accuracy equal up to the tied queries.
        let tol = tied as f64 / yte.len() as f64 + 1e-12;
        for key in ["top1", "top5"] {
            let ours = if key == "top1" {
                r.scores[i].top1
            } else {
                r.scores[i].top5
            };
            let theirs = reference[key].as_f64().unwrap();
            assert!(
                (ours - theirs).abs() <= tol,
                "k = {} {key}: {ours} vs NumPy {theirs} ({tied} tied queries)",
                r.scores[i].k
            );
        }
    }
    assert_eq!(r.test_score, r.scores[0].top1);
}

fn replay(f: &Fixture, shots: usize) -> Vec<Episode> {
    let reference = &f.reference["fewshot"];
    let ways = reference["ways"].as_u64().unwrap() as usize;
    let per = shots + reference["queries"].as_u64().unwrap() as usize;
    f.episodes
        .chunks_exact(ways * per)
        .map(|ep| {
            let classes: Vec<Vec<usize>> = ep
                .chunks_exact(per)
                .map(|c| c.iter().map(|&r| r as usize).collect())
                .collect();
            Episode {
                support: classes.iter().map(|c| c[..shots].to_vec()).collect(),
                query: classes.iter().map(|c| c[shots..].to_vec()).collect(),
            }
        })
        .collect()
}

#[test]
fn fewshot_equals_numpy_on_the_same_episodes_and_falls_in_its_interval_on_ours() {
    let f = load();
    let reference = &f.reference["fewshot"];
    let shots = reference["shots"].as_u64().unwrap() as usize;
    let xte = &f.x[N_TRAIN * D..];
    let episodes = replay(&f, shots);
    let (acc, mean, _, ci95) = score_episodes(xte, D, &episodes).unwrap();
    let theirs = reference["accuracies"].as_array().unwrap();
    let tied = reference["tied_queries"].as_array().unwrap();
    let per_episode =
        (reference["ways"].as_f64().unwrap()) * reference["queries"].as_f64().unwrap();
    for (e, (a, t)) in acc.iter().zip(theirs).enumerate() {
        let ties = tied[e].as_f64().unwrap();
        assert!(
            (a - t.as_f64().unwrap()).abs() <= ties / per_episode + 1e-12,
            "episode {e}: {a} vs NumPy {t}"
        );
    }
    let ref_mean = reference["mean"].as_f64().unwrap();
    let ref_ci = reference["ci95"].as_f64().unwrap();
    let all_ties: f64 = tied.iter().map(|t| t.as_f64().unwrap()).sum();
    assert!((mean - ref_mean).abs() <= all_ties / per_episode / acc.len() as f64 + 1e-12);
    assert!((ci95 - ref_ci).abs() < 1e-3 * ref_ci + all_ties / per_episode / acc.len() as f64);

    // Our own seeded episodes: a different draw, so within the reference's 95 % interval.
    let cfg = FewShotConfig {
        ways: reference["ways"].as_u64().unwrap() as usize,
        shots,
        queries: reference["queries"].as_u64().unwrap() as usize,
        episodes: reference["episodes"].as_u64().unwrap() as usize,
        seed: 0,
    };
    let ours = fewshot(xte, &f.y[N_TRAIN..], D, &cfg).unwrap();
    println!(
        "few-shot replayed: {mean} +- {ci95} (NumPy {ref_mean} +- {ref_ci}); own episodes: {} +- {}",
        ours.test_score, ours.ci95
    );
    assert!(
        (ours.test_score - ref_mean).abs() <= ref_ci,
        "ours {} +- {} vs NumPy {ref_mean} +- {ref_ci}",
        ours.test_score,
        ours.ci95
    );
    assert_eq!(ours.classes_used, 10);
}

#[test]
fn rankme_within_1e4_relative_of_numpy_svd() {
    let f = load();
    let reference = &f.reference["rankme"];
    let check = |x: &[f32], dim: usize, key: &str| {
        let ours = rankme(x, dim).unwrap().rankme;
        let theirs = reference[key].as_f64().unwrap();
        let rel = (ours - theirs).abs() / theirs;
        println!("RankMe {key}: {ours} vs NumPy {theirs}, relative {rel:.2e}");
        assert!(
            rel < 1e-4,
            "{key}: {ours} vs NumPy {theirs} (relative {rel:e})"
        );
    };
    check(&f.x, D, "digits");
    check(&f.x[..N_TRAIN * D], D, "digits_train");
    // ReLU(digits @ W) in f64, rounded to f32 as the reference did.
    let width = f.lift.len() / D;
    let lift = &f.lift;
    let lifted: Vec<f32> =
        f.x.chunks_exact(D)
            .flat_map(|row| {
                (0..width).map(move |j| {
                    let v: f64 = row
                        .iter()
                        .enumerate()
                        .map(|(i, &a)| a as f64 * lift[i * width + j] as f64)
                        .sum();
                    v.max(0.0) as f32
                })
            })
            .collect();
    check(&lifted, width, "lifted");
    // A wide matrix (fewer rows than columns) goes through the row Gram.
    let ours = rankme(&lifted[..100 * width], width).unwrap();
    assert_eq!(ours.singular_values.len(), 100);
}
