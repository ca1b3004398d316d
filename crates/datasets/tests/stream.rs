//! The streaming loader: the same batches from memory and from files, whatever the thread
//! count, the queue depth or the step a run starts at; the seeding scheme; memory bounded by
//! the queue; bad files; file listings; synth3d on demand; evaluation batches.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use candle_core::Device;
use common::{pattern, write_image, write_text};
use image::RgbImage;
use sslinv_augment::{Policy, Preprocess};
use sslinv_datasets::stream::{
    BadFiles, FileList, Loader, Plan, StreamSource, Synth3dImages, ViewPairs, batch_count,
    batch_range, batch_tensor, decode_batch, epoch_order, mix, sample_rng,
};
use sslinv_datasets::synth3d::{Synth3d, Synth3dConfig};
use sslinv_datasets::{DatasetError, Split};

type Pairs = Vec<(RgbImage, RgbImage)>;

/// `n` distinct images of varied sizes, in the sorted order a folder listing gives.
fn images(n: usize) -> Vec<RgbImage> {
    (0..n)
        .map(|i| {
            pattern(
                30 + (i as u32 % 5) * 4,
                24 + (i as u32 % 3) * 6,
                (i * 9 % 256) as u8,
            )
        })
        .collect()
}

/// Saves `imgs` losslessly as `dir/c<i%3>/<i>.png` (sorted listing = index order).
fn save(dir: &Path, imgs: &[RgbImage]) {
    for (i, img) in imgs.iter().enumerate() {
        let path = dir.join(format!("c{}/{i:03}.png", i % 3));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        img.save(path).unwrap();
    }
}

/// The views and source indices of `steps` under `loader`.
fn run<S: StreamSource + ?Sized>(
    loader: &Loader<'_, S>,
    views: &ViewPairs,
    steps: std::ops::Range<u64>,
) -> Result<Vec<(u64, Vec<usize>, Pairs)>, DatasetError> {
    loader.run(
        steps,
        |img, rng| views.item(img, rng),
        Ok::<Pairs, DatasetError>,
        |batches| {
            batches
                .map(|b| b.map(|b| (b.step, b.indices, b.data)))
                .collect()
        },
    )
}

fn views() -> ViewPairs {
    ViewPairs::new(Policy::default_policy(), 16)
}

#[test]
fn files_and_memory_give_the_same_batches_for_any_threads_depth_and_start() {
    let imgs = images(21);
    let dir = tempfile::tempdir().unwrap();
    save(dir.path(), &imgs);
    let files = FileList::walk(dir.path()).unwrap();
    let by_name: Vec<RgbImage> = (0..files.len())
        .map(|i| {
            let name = files
                .relative(i)
                .unwrap()
                .file_stem()
                .unwrap()
                .to_str()
                .unwrap();
            imgs[name.parse::<usize>().unwrap()].clone()
        })
        .collect();
    let plan = Plan::shuffled(21, 4, 3);
    assert_eq!(plan.steps_per_epoch(), 5);
    let v = views();
    let memory = run(&Loader::new(&by_name, plan), &v, 0..12).unwrap();
    assert_eq!(memory.len(), 12);
    let streamed = run(&Loader::new(&files, plan).threads(3).depth(1), &v, 0..12).unwrap();
    assert_eq!(memory, streamed);
    let one_thread = run(&Loader::new(&files, plan).threads(1).depth(5), &v, 0..12).unwrap();
    assert_eq!(memory, one_thread);
    let resumed = run(&Loader::new(&by_name, plan), &v, 7..12).unwrap();
    assert_eq!(&memory[7..], &resumed[..]);
    // Epochs differ in order and in views.
    assert_ne!(memory[0].1, memory[5].1);
}

#[test]
fn batches_follow_the_seeding_scheme() {
    // The mixing the pretraining loop has always used (values from a Python transcription of
    // splitmix64): changing it changes every run.
    assert_eq!(mix(0, 5, 0), 0x1b39_896a_51a8_749b);
    assert_eq!(mix(7, 6, 3), 0xdefc_defb_d434_b63d);
    let imgs = images(10);
    let plan = Plan::shuffled(10, 3, 11);
    let v = views();
    let got = run(&Loader::new(&imgs, plan), &v, 0..6).unwrap();
    for (step, indices, pairs) in got {
        let epoch = step / 3;
        let order = epoch_order(11, epoch, 10);
        for (k, pos) in (((step % 3) * 3) as usize..((step % 3) * 3 + 3) as usize).enumerate() {
            assert_eq!(indices[k], order[pos]);
            let want = v
                .policy
                .views(&imgs[order[pos]], 16, &mut sample_rng(11, epoch, pos));
            assert_eq!(pairs[k], want, "step {step} sample {k}");
        }
    }
}

/// A source that counts decodes.
struct Counting<'a> {
    inner: &'a [RgbImage],
    loads: AtomicUsize,
}

impl StreamSource for Counting<'_> {
    fn len(&self) -> usize {
        self.inner.len()
    }
    fn load(&self, i: usize) -> sslinv_datasets::Result<RgbImage> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        self.inner.load(i)
    }
    fn origin(&self, i: usize) -> String {
        self.inner.origin(i)
    }
}

#[test]
fn the_loader_stays_at_most_depth_plus_one_batches_ahead() {
    let imgs = images(200);
    let src = Counting {
        inner: &imgs,
        loads: AtomicUsize::new(0),
    };
    let (batch, depth) = (5, 2);
    let loader = Loader::new(&src, Plan::shuffled(200, batch, 0)).depth(depth);
    let v = views();
    let worst = loader.run(
        0..30,
        |img, rng| v.item(img, rng),
        Ok::<Pairs, DatasetError>,
        |batches| {
            let mut worst = 0;
            for (k, b) in batches.enumerate() {
                b.unwrap();
                // Give the producer time to fill the queue.
                std::thread::sleep(std::time::Duration::from_millis(15));
                let ahead = src.loads.load(Ordering::SeqCst) as isize - ((k + 1) * batch) as isize;
                worst = worst.max(ahead);
            }
            worst
        },
    );
    let bound = ((depth + 1) * batch) as isize;
    assert!(
        worst <= bound,
        "decoded {worst} images ahead (bound {bound})"
    );
    assert!(
        worst >= (depth * batch) as isize,
        "the queue never filled: {worst}"
    );
}

#[test]
fn a_bad_file_fails_naming_it_or_is_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    save(dir.path(), &images(12));
    let bad = dir.path().join("c1/004.png");
    std::fs::write(&bad, b"not a png").unwrap();
    let files = FileList::walk(dir.path()).unwrap();
    let plan = Plan::shuffled(12, 4, 0);
    let v = views();
    let err = run(&Loader::new(&files, plan), &v, 0..3).unwrap_err();
    assert!(err.to_string().contains("004.png"), "{err}");

    let skip = Loader::new(&files, plan)
        .bad_files(BadFiles::Skip)
        .threads(2);
    let got = run(&skip, &v, 0..6).unwrap();
    assert!(got.iter().all(|(_, idx, p)| idx.len() == 4 && p.len() == 4));
    let log = skip.bad_file_log();
    // Every epoch covers 12 of 12 images, so the bad one is met once per epoch.
    assert_eq!(log.skipped, 2);
    assert_eq!(log.files.len(), 1);
    assert!(log.files[0].0.ends_with("004.png"));
    let bad_index = (0..files.len())
        .find(|&i| files.origin(i).ends_with("004.png"))
        .unwrap();
    assert!(got.iter().all(|(_, idx, _)| !idx.contains(&bad_index)));
    let again = Loader::new(&files, plan)
        .bad_files(BadFiles::Skip)
        .threads(1);
    assert_eq!(run(&again, &v, 0..6).unwrap(), got);
}

#[test]
fn a_plan_for_another_size_is_an_error() {
    let imgs = images(8);
    let err = run(&Loader::new(&imgs, Plan::shuffled(9, 4, 0)), &views(), 0..1).unwrap_err();
    assert!(err.to_string().contains("9 images"), "{err}");
}

#[test]
fn file_lists_read_folders_image_folders_imagenet_and_list_files() {
    let dir = tempfile::tempdir().unwrap();
    let train = dir.path().join("train");
    for (class, file, tag) in [
        ("n02", "b.JPEG", 1),
        ("n01", "z.jpg", 2),
        ("n01", "a.JPEG", 3),
        ("n01", "sub/c.png", 4),
    ] {
        write_image(&train.join(class).join(file), 8, 6, tag);
    }
    write_text(&train.join("n01/notes.txt"), "not an image");
    let net = FileList::imagenet(dir.path(), Split::Train).unwrap();
    assert_eq!(net.classes(), ["n01", "n02"]);
    let rel: Vec<_> = (0..net.len())
        .map(|i| net.relative(i).unwrap().to_owned())
        .collect();
    assert_eq!(
        rel,
        ["n01/a.JPEG", "n01/sub/c.png", "n01/z.jpg", "n02/b.JPEG"].map(std::path::PathBuf::from)
    );
    assert_eq!((net.label(0), net.label(3)), (Some(0), Some(1)));
    assert_eq!(net.load(1).unwrap(), pattern(8, 6, 4));
    let err = FileList::imagenet(dir.path(), Split::Val).unwrap_err();
    assert!(err.to_string().contains("val"), "{err}");

    let walked = FileList::walk(dir.path()).unwrap();
    assert_eq!(walked.len(), 4);
    assert_eq!(walked.path(0).unwrap(), train.join("n01/a.JPEG"));
    assert!(walked.label(0).is_none());
    let empty = tempfile::tempdir().unwrap();
    assert!(FileList::walk(empty.path()).is_err());

    let list = dir.path().join("lists/pick.txt");
    write_text(
        &list,
        "# two files\n../train/n02/b.JPEG\n\n../train/n01/z.jpg\n",
    );
    let mut picked = FileList::from_list_file(&list).unwrap();
    assert_eq!(picked.len(), 2);
    // `folder_or_list` takes either; `paths` are full paths in the list's order.
    let either = FileList::folder_or_list(&list).unwrap().paths();
    assert_eq!(either[0], dir.path().join("lists/../train/n02/b.JPEG"));
    assert_eq!(
        FileList::folder_or_list(&dir.path().join("train"))
            .unwrap()
            .paths()
            .len(),
        4
    );
    assert_eq!(picked.load(0).unwrap(), net.load(3).unwrap());
    picked.truncate(1);
    assert_eq!(picked.len(), 1);
    assert!(picked.load(1).is_err());
}

#[test]
fn synth3d_images_render_the_generated_pretraining_images() {
    let cfg = Synth3dConfig::quick();
    let data = Synth3d::generate(&cfg).unwrap();
    let lazy = Synth3dImages::pretrain(&cfg).unwrap();
    assert_eq!(lazy.len(), data.pretrain.len());
    for i in [0, 1, lazy.len() - 1] {
        assert_eq!(lazy.load(i).unwrap(), data.pretrain[i]);
    }
}

#[test]
fn evaluation_batches_cover_the_list_in_order() {
    let imgs = images(7);
    assert_eq!(batch_count(7, 3), 3);
    assert_eq!(batch_range(7, 3, 2), 6..7);
    assert_eq!(batch_range(7, 3, 5), 7..7);
    let all: Vec<RgbImage> = (0..batch_count(7, 3))
        .flat_map(|k| decode_batch(&imgs, 3, k, |im| im).unwrap())
        .collect();
    assert_eq!(all, imgs);
    let prep = Preprocess::new(Some(20), Some(16));
    let t = batch_tensor(&imgs, 3, 2, &prep, &Device::Cpu).unwrap();
    assert_eq!(t.dims(), [1, 3, 16, 16]);
    let want = prep.to_tensor(&imgs[6..], &Device::Cpu).unwrap();
    let diff = (t - want).unwrap().abs().unwrap().sum_all().unwrap();
    assert_eq!(diff.to_scalar::<f32>().unwrap(), 0.0);
}
