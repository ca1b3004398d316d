//! A loopback stand-in for the two Hub endpoints hf-hub 0.4 calls: the repo listing
//! (`/api/datasets/<repo>/revision/main`) and file downloads (`/datasets/<repo>/resolve/main/<file>`,
//! ranged, with the `etag`, `x-repo-commit` and `content-range` headers hf-hub reads).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, Once};

/// hf-hub's HTTP agents take a proxy from the environment and ureq 2 has no NO_PROXY, so a proxy
/// setting would send the loopback requests to the proxy. Drops it for this test process, once; every
/// test of the binary calls this first, so no test reads the environment while it changes.
pub fn no_proxy() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for var in [
            "ALL_PROXY",
            "all_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
        ] {
            if std::env::var_os(var).is_some() {
                // SAFETY: the other tests of this binary wait on `ONCE` before touching the environment.
                unsafe { std::env::remove_var(var) };
            }
        }
    });
}

/// A served repository: its files, and the paths requested so far.
pub struct FakeHub {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl FakeHub {
    /// Serves `files` (repository path, bytes) of the dataset repo `repo` until the process ends.
    pub fn serve(repo: &str, files: Vec<(String, Vec<u8>)>) -> FakeHub {
        no_proxy();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let files: BTreeMap<String, Vec<u8>> = files.into_iter().collect();
        let repo = repo.to_string();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if let Some(path) = answer(stream, &repo, &files) {
                    log.lock().unwrap().push(path);
                }
            }
        });
        FakeHub { endpoint, requests }
    }

    /// The paths requested so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

fn etag(bytes: &[u8]) -> String {
    // FNV-1a: distinct contents get distinct blobs in the cache.
    let h = bytes.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    });
    format!("{h:016x}{:08x}", bytes.len())
}

fn answer(mut stream: TcpStream, repo: &str, files: &BTreeMap<String, Vec<u8>>) -> Option<String> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut first = String::new();
    reader.read_line(&mut first).ok()?;
    let path = first.split_whitespace().nth(1)?.to_string();
    let mut range = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("range")
        {
            range = v.trim().strip_prefix("bytes=").map(str::to_string);
        }
    }
    let listing = format!("/api/datasets/{repo}/revision/main");
    let resolve = format!("/datasets/{repo}/resolve/main/");
    let (status, headers, body) = if path == listing {
        let siblings: Vec<String> = files
            .keys()
            .map(|f| format!("{{\"rfilename\":\"{f}\"}}"))
            .collect();
        let json = format!(
            "{{\"sha\":\"{COMMIT}\",\"siblings\":[{}]}}",
            siblings.join(",")
        );
        (
            "200 OK",
            "Content-Type: application/json\r\n".to_string(),
            json.into_bytes(),
        )
    } else if let Some(bytes) = path.strip_prefix(&resolve).and_then(|f| files.get(f)) {
        let total = bytes.len();
        let (start, end) = match range.as_deref().and_then(|r| r.split_once('-')) {
            Some((a, b)) => (
                a.parse().unwrap_or(0),
                b.parse::<usize>().map_or(total, |e| (e + 1).min(total)),
            ),
            None => (0, total),
        };
        let start = start.min(end);
        let headers = format!(
            "ETag: \"{}\"\r\nX-Repo-Commit: {COMMIT}\r\nContent-Range: bytes {start}-{}/{total}\r\n",
            etag(bytes),
            end.max(1) - 1
        );
        ("206 Partial Content", headers, bytes[start..end].to_vec())
    } else {
        ("404 Not Found", String::new(), b"not found".to_vec())
    };
    let head = format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(&body).ok()?;
    stream.flush().ok()?;
    Some(path)
}
