//! Refusing PyTorch pickles that import anything besides tensor rebuilding. Nothing here (nor
//! candle's reader) executes a pickle; the check makes a hostile file an error that says what
//! it tried to import instead of a vague "no state dict", as `torch.load(weights_only=True)`
//! would refuse it.

use crate::error::{EncoderError, Result};
use candle_core::pickle::{Object, Stack};
use std::io::{BufReader, Read};
use std::path::Path;

/// Whether `module.name` is something a state dict needs: torch's tensor and storage
/// rebuilders, dtypes and sizes, ordered dicts, numpy scalars and arrays, argparse namespaces
/// (training scripts save their arguments) and `_codecs.encode` (how pickles hold bytes).
fn allowed(module: &str, name: &str) -> bool {
    match module {
        "torch._utils" => name.starts_with("_rebuild_"),
        "torch._tensor" => name == "_rebuild_from_type_v2",
        "torch" => {
            name.ends_with("Storage")
                || matches!(name, "Size" | "device" | "Tensor")
                || name.starts_with("float")
                || name.starts_with("int")
                || name.starts_with("uint")
                || matches!(name, "bfloat16" | "half" | "double" | "long" | "bool")
        }
        "torch.nn.parameter" => name == "Parameter",
        "collections" => matches!(name, "OrderedDict" | "defaultdict"),
        "numpy.core.multiarray" | "numpy._core.multiarray" => {
            matches!(name, "scalar" | "_reconstruct")
        }
        "numpy" => matches!(name, "dtype" | "ndarray"),
        "argparse" => name == "Namespace",
        "_codecs" => name == "encode",
        _ => false,
    }
}

/// Checks every `*data.pkl` of the zip at `path`; files that are not zips are left to the
/// reader, which refuses them with its own message.
pub fn check_pickle_imports(path: &Path) -> Result<()> {
    let Ok(file) = std::fs::File::open(path) else {
        return Ok(());
    };
    let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(file)) else {
        return Ok(());
    };
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .filter(|n| n.ends_with("data.pkl"))
        .collect();
    for name in names {
        let Ok(entry) = zip.by_name(&name) else {
            continue;
        };
        // Pickles of state dicts are small next to their tensors; a bound keeps a hostile
        // entry from filling memory.
        let mut bytes = Vec::new();
        if entry.take(1 << 30).read_to_end(&mut bytes).is_err() {
            continue;
        }
        let mut reader = std::io::Cursor::new(bytes);
        let mut stack = Stack::empty();
        // Stop at the first op candle cannot read: it will report that itself.
        while let Ok(done) = stack.read(&mut reader) {
            if let Some(Object::Class {
                module_name,
                class_name,
            }) = stack.stack().last()
                && !allowed(module_name, class_name)
            {
                return Err(EncoderError::Checkpoint {
                    path: path.to_path_buf(),
                    reason: format!(
                        "{name} imports `{module_name}.{class_name}`, which is not allowed: \
                         only tensor rebuilding is (torch storages and rebuilders, \
                         collections.OrderedDict, numpy arrays, argparse.Namespace); \
                         refused without running anything"
                    ),
                });
            }
            if done {
                break;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::allowed;

    #[test]
    fn tensor_rebuilding_is_allowed_and_code_is_not() {
        assert!(allowed("torch._utils", "_rebuild_tensor_v2"));
        assert!(allowed("torch", "FloatStorage"));
        assert!(allowed("collections", "OrderedDict"));
        for (m, n) in [
            ("posix", "system"),
            ("os", "system"),
            ("builtins", "eval"),
            ("subprocess", "Popen"),
            ("torch", "load"),
            ("torch.hub", "load"),
        ] {
            assert!(!allowed(m, n), "{m}.{n}");
        }
    }
}
