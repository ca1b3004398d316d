//! Command lines for tests that run a binary: one readable line instead of a column of strings.

use std::ffi::OsString;

/// Arguments from a command line whose `{}` words are replaced, in order, by the paths or
/// strings that follow: `cli!("probe --train {} --out {}", &f, dir.join("o.json"))`.
#[macro_export]
macro_rules! cli {
    ($line:literal $(, $a:expr)* $(,)?) => {
        $crate::fill($line, vec![$(std::ffi::OsString::from($a)),*])
    };
}

/// The words of `line`, each `{}` replaced by the next of `values`; panics when the counts differ.
pub fn fill(line: &str, values: Vec<OsString>) -> Vec<OsString> {
    let mut values = values.into_iter();
    let out: Vec<OsString> = line
        .split_whitespace()
        .map(|w| match w {
            "{}" => values
                .next()
                .expect("fewer values than {} in the command line"),
            _ => w.into(),
        })
        .collect();
    assert!(values.next().is_none(), "more values than {{}} in `{line}`");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_take_whole_arguments_in_order() {
        let a = crate::cli!("x --a {} --b {}", "p q", std::path::Path::new("/t"));
        assert_eq!(a, ["x", "--a", "p q", "--b", "/t"]);
    }
}
