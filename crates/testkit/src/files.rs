//! Writing fixture files.

use std::path::Path;

/// Writes `bytes` to `path`, creating its parent folders (panics: for tests only).
pub fn write_file(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("creating {}: {e}", parent.display()));
    }
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// Copies the committed CIFAR-10 python batches (`crates/datasets/tests/fixtures`) to
/// `<root>/cifar-10-batches-py/`, the layout of the real download.
pub fn cifar10_batches(root: &Path) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../datasets/tests/fixtures/cifar-10-batches-py");
    let files = (1..=5).map(|b| format!("data_batch_{b}"));
    for name in files.chain(["test_batch".to_string()]) {
        let from = src.join(&name);
        let bytes =
            std::fs::read(&from).unwrap_or_else(|e| panic!("reading {}: {e}", from.display()));
        write_file(&root.join("cifar-10-batches-py").join(name), &bytes);
    }
}
