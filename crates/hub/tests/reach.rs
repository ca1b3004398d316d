//! An endpoint nobody listens on, and a host that cannot resolve, fail fast and say why.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use sslinv_hub::check_reachable;

#[test]
fn a_refused_connection_fails_at_once_with_its_cause() {
    // Bind then drop a listener: its port is free, so the connection is refused.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let start = Instant::now();
    let err =
        check_reachable(&format!("http://127.0.0.1:{port}"), Duration::from_secs(3)).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(3));
    assert!(err.to_string().contains("cannot reach") && err.to_string().contains("(offline?)"));
    assert!(
        std::error::Error::source(&err).is_some(),
        "the io error is kept"
    );
}

#[test]
fn a_listening_endpoint_is_reachable() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    check_reachable(
        &format!("http://127.0.0.1:{port}/api"),
        Duration::from_secs(3),
    )
    .unwrap();
}

#[test]
fn an_unresolvable_host_says_so() {
    let err = check_reachable("https://no-such-host.invalid", Duration::from_secs(3)).unwrap_err();
    assert!(err.to_string().contains("(offline?)"), "{err}");
}
