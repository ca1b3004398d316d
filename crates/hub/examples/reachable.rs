//! Says whether the Hub endpoint (`HF_ENDPOINT`, else huggingface.co) answers within 5 s, and
//! whether `HF_HUB_OFFLINE` asks for cache-only operation.

use std::time::Duration;

fn main() {
    let endpoint = sslinv_hub::endpoint();
    println!(
        "HF_HUB_OFFLINE asks for cache only: {}",
        sslinv_hub::offline()
    );
    match sslinv_hub::check_reachable(&endpoint, Duration::from_secs(5)) {
        Ok(()) => println!("{endpoint}: reachable"),
        Err(e) => println!("{endpoint}: {e}"),
    }
}
