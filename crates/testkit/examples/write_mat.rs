//! Writes a Flowers-102 style `imagelabels.mat` to the path given (default `imagelabels.mat`).

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "imagelabels.mat".into());
    let labels = sslinv_testkit::mat_v5(&[("labels", &[1, 4], &[1.0, 2.0, 1.0, 2.0])]);
    sslinv_testkit::write_file(std::path::Path::new(&path), &labels);
    println!("wrote {path} ({} bytes)", labels.len());
}
