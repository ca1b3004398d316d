//! Streaming data: images listed once and decoded on demand, a loader that decodes and
//! transforms batches on worker threads into a bounded queue, and batch-at-a-time evaluation.
//! Memory is bounded by the batch size and the queue depth, not by the dataset.
//!
//! Determinism: epoch `e` visits the images in `epoch_order(seed, e, n)`, and the sample at
//! position `p` of that order draws its randomness from `sample_rng(seed, e, p)`; so a step's
//! batch depends only on (seed, step), not on the thread count, the source kind (memory or
//! files holding the same pixels) or the step a run resumed from.
//!
//! ```no_run
//! use candle_core::Device;
//! use sslinv_augment::Policy;
//! use sslinv_datasets::Split;
//! use sslinv_datasets::stream::{BadFiles, FileList, Loader, Plan, StreamSource, ViewPairs};
//!
//! let files = FileList::imagenet("data/imagenet".as_ref(), Split::Train)?;
//! let views = ViewPairs::new(Policy::default_policy(), 224);
//! let loader = Loader::new(&files, Plan::shuffled(files.len(), 256, 0))
//!     .threads(8)
//!     .depth(4)
//!     .bad_files(BadFiles::Skip);
//! loader.run(
//!     0..100,
//!     |img, rng| views.item(img, rng),
//!     |pairs| views.collate(pairs, &Device::Cpu),
//!     |batches| -> sslinv_datasets::Result<()> {
//!         for batch in batches {
//!             let (x1, x2) = batch?.data;
//!             // ... a training step on x1, x2
//!         }
//!         Ok(())
//!     },
//! )?;
//! println!("skipped {} unreadable images", loader.bad_file_log().skipped);
//! # Ok::<(), sslinv_datasets::DatasetError>(())
//! ```

mod bad_files;
mod eval;
mod files;
mod loader;
mod plan;
mod pretraining;
mod seeding;
mod shard;
mod source;
mod synth3d;
mod views;

pub use bad_files::{BadFileLog, BadFiles, NAMED_BAD_FILES};
pub use eval::{batch_count, batch_range, batch_tensor, decode_batch};
pub use files::{FileList, IMAGE_EXTENSIONS};
pub use loader::{Batches, Loaded, Loader};
pub use plan::Plan;
pub use pretraining::{PretrainingImages, pretraining_images};
pub use seeding::{epoch_order, mix, sample_rng};
pub use shard::shard;
pub use source::{DatasetImages, Prefix, StreamSource};
pub use synth3d::Synth3dImages;
pub use views::ViewPairs;
