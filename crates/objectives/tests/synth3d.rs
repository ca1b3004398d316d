//! On a small synth3d set, MoCo v2 learns within a few dozen steps: the loss falls and the
//! contrastive accuracy rises. The small test backbone keeps this fast; `tests/resnet.rs`
//! covers the ResNet path.

mod common;

use common::{Tiny, assert_moco_learned, learning_schedule};
use sslinv_datasets::synth3d::{Synth3d, Synth3dConfig};
use sslinv_objectives::{Objective, PretrainConfig, pretrain_with};

#[test]
fn moco_on_synth3d_learns() {
    let data = Synth3d::generate(&Synth3dConfig {
        seed: 0,
        size: 48,
        n_pretrain: 128,
        n_train: 0,
        n_test: 0,
        n_groups: 0,
        views_per_group: 0,
    })
    .unwrap();
    let mut cfg = PretrainConfig::new(Objective::MocoV2, "ventral", "tiny");
    cfg.image_size = 32;
    learning_schedule(&mut cfg, 32, 1);
    let dir = tempfile::tempdir().unwrap();
    let run = pretrain_with(&cfg, &data.pretrain, dir.path(), false, false, &Tiny::new).unwrap();
    let h = &run.report.history;
    // From step 4 the queue holds only real keys (128 / 32), not the initial random ones.
    assert_moco_learned(h, 4, 12);
}
