//! Pretraining streamed from files equals pretraining on the same pixels in memory (with a
//! resume across the switch), and unreadable files stop the run naming the file or are skipped.

mod common;

use common::{Tiny, images, values};
use sslinv_datasets::stream::{BadFiles, FileList};
use sslinv_objectives::{Backbone, Objective, PretrainConfig, pretrain_with};

fn config() -> PretrainConfig {
    let mut cfg = PretrainConfig::new(Objective::MocoV2, "default", "tiny");
    cfg.image_size = 32;
    cfg.batch_size = 8;
    cfg.epochs = 2;
    cfg.seed = 5;
    cfg.hyper.queue_size = 32;
    cfg
}

/// Writes `imgs` losslessly as `dir/<i>.png` (sorted listing = index order).
fn save(dir: &std::path::Path, imgs: &[image::RgbImage]) -> FileList {
    for (i, img) in imgs.iter().enumerate() {
        img.save(dir.join(format!("{i:03}.png"))).unwrap();
    }
    FileList::walk(dir).unwrap()
}

#[test]
fn files_train_exactly_as_the_same_images_in_memory_and_resume_across() {
    let imgs = images(24, 40, 9);
    let data = tempfile::tempdir().unwrap();
    let files = save(data.path(), &imgs);
    let cfg = config();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let (a, b, c) = (dirs[0].path(), dirs[1].path(), dirs[2].path());
    let memory = pretrain_with(&cfg, &imgs, a, false, false, &Tiny::new).unwrap();
    assert_eq!(memory.report.history.len(), 6);

    // Stream the first half of the run from files, resume the rest from memory.
    let mut cut = cfg.clone();
    cut.max_steps = Some(3);
    pretrain_with(&cut, &files, b, false, false, &Tiny::new).unwrap();
    let rest = pretrain_with(&cfg, &imgs, b, false, true, &Tiny::new).unwrap();
    let streamed = pretrain_with(&cfg, &files, c, false, false, &Tiny::new).unwrap();

    let losses = |h: &[sslinv_objectives::StepLog]| h.iter().map(|s| s.loss).collect::<Vec<_>>();
    assert_eq!(
        losses(&streamed.report.history),
        losses(&memory.report.history)
    );
    assert_eq!(
        losses(&rest.report.history),
        losses(&memory.report.history[3..])
    );
    for ((_, x), (_, y)) in memory
        .backbone
        .named_vars()
        .iter()
        .zip(streamed.backbone.named_vars().iter())
    {
        assert_eq!(values(x.as_tensor()), values(y.as_tensor()));
    }
}

#[test]
fn an_unreadable_file_stops_the_run_naming_it_unless_skipped() {
    let data = tempfile::tempdir().unwrap();
    let files = save(data.path(), &images(16, 40, 2));
    std::fs::write(data.path().join("006.png"), b"truncated").unwrap();
    let mut cfg = config();
    cfg.epochs = 1;
    let out = tempfile::tempdir().unwrap();
    let err = pretrain_with(&cfg, &files, out.path(), false, false, &Tiny::new)
        .err()
        .unwrap();
    assert!(err.to_string().contains("006.png"), "{err}");

    cfg.bad_files = BadFiles::Skip;
    let run = pretrain_with(&cfg, &files, out.path(), false, false, &Tiny::new).unwrap();
    assert_eq!(run.report.history.len(), 2);
    assert_eq!(run.report.bad_files.skipped, 1);
    assert!(run.report.bad_files.files[0].0.ends_with("006.png"));
}
