//! A TCP connection to the endpoint before any download, so an offline machine fails within the
//! timeout instead of after the HTTP client's retries.

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Why the endpoint cannot be reached; every reason ends in "(offline?)".
#[derive(Debug, thiserror::Error)]
#[error("{reason}")]
pub struct Unreachable {
    /// What failed: resolving the host, or connecting to it.
    pub reason: String,
    /// The resolver's or the connection's error.
    #[source]
    pub source: Option<std::io::Error>,
}

/// `host:port` of an `http(s)://host[:port]/...` endpoint (port 443, or 80 for `http://`).
fn address(endpoint: &str) -> (String, String) {
    let rest = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
    let host = rest.split('/').next().unwrap_or(rest).to_string();
    let port = if endpoint.starts_with("http://") {
        80
    } else {
        443
    };
    let addr = if host.contains(':') {
        host.clone()
    } else {
        format!("{host}:{port}")
    };
    (host, addr)
}

/// Resolves the endpoint's host and connects to it within `timeout`.
pub fn check_reachable(endpoint: &str, timeout: Duration) -> Result<(), Unreachable> {
    let (host, addr) = address(endpoint);
    let fail = |reason: String, source| Unreachable { reason, source };
    let first = addr
        .to_socket_addrs()
        .map_err(|e| fail(format!("cannot resolve {host} (offline?)"), Some(e)))?
        .next()
        .ok_or_else(|| fail(format!("{host} resolves to no address (offline?)"), None))?;
    TcpStream::connect_timeout(&first, timeout)
        .map_err(|e| fail(format!("cannot reach {endpoint} (offline?)"), Some(e)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::address;

    #[test]
    fn endpoints_give_host_and_port() {
        let a = |e: &str| address(e).1;
        assert_eq!(a("https://huggingface.co"), "huggingface.co:443");
        assert_eq!(a("http://mirror.local/hub"), "mirror.local:80");
        assert_eq!(a("http://127.0.0.1:9"), "127.0.0.1:9");
        assert_eq!(address("https://hf.co/x").0, "hf.co");
    }
}
