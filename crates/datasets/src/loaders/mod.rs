//! One loader per dataset layout; each returns an [`ImageSet`](crate::ImageSet).

pub mod caltech101;
pub mod causal3dident;
pub mod celeba;
pub mod cifar10;
pub mod cifar10_parquet;
pub mod flowers102;
pub mod folder;
pub mod image_folder;
pub mod lsp;
#[cfg(feature = "parquet")]
pub mod parquet_cells;
pub mod pts;
pub mod w300;
