//! Downloads from the Hugging Face Hub into the standard cache (`HF_HOME`), failing fast and
//! naming the repo when offline (`HF_HUB_OFFLINE=1` or no route to the endpoint).

use crate::error::{EncoderError, Result};
use hf_hub::api::sync::ApiBuilder;
use hf_hub::{Cache, Repo, RepoType};
use std::path::PathBuf;
use std::time::Duration;

fn hub_error(repo: &str, reason: impl Into<String>) -> EncoderError {
    EncoderError::Hub {
        repo: repo.to_string(),
        reason: reason.into(),
        source: None,
    }
}

/// A Hub error with the client or network error that caused it.
fn hub_cause(
    repo: &str,
    reason: impl Into<String>,
) -> impl FnOnce(Box<dyn std::error::Error + Send + Sync>) -> EncoderError {
    let (repo, reason) = (repo.to_string(), reason.into());
    move |source| EncoderError::Hub {
        repo,
        reason,
        source: Some(source),
    }
}

/// The cached path of `file` in model repo `repo`, if the cache holds it.
pub fn cached(repo: &str, file: &str) -> Option<PathBuf> {
    Cache::from_env()
        .repo(Repo::new(repo.to_string(), RepoType::Model))
        .get(file)
}

/// The local path of `file` from model repo `repo`: the cache when it holds it, else a download.
pub fn fetch(repo: &str, file: &str, progress: bool) -> Result<PathBuf> {
    if let Some(path) = cached(repo, file) {
        return Ok(path);
    }
    if sslinv_hub::offline() {
        return Err(hub_error(
            repo,
            format!(
                "HF_HUB_OFFLINE is set and {file} is not in the cache ({})",
                Cache::from_env().path().display()
            ),
        ));
    }
    let endpoint = sslinv_hub::endpoint();
    sslinv_hub::check_reachable(&endpoint, Duration::from_secs(5)).map_err(|e| {
        EncoderError::Hub {
            repo: repo.to_string(),
            reason: e.reason,
            source: e.source.map(|s| s.into()),
        }
    })?;
    let api = ApiBuilder::from_env()
        .with_endpoint(endpoint)
        .with_progress(progress)
        .build()
        .map_err(|e| hub_cause(repo, "building the Hub client")(e.into()))?;
    api.model(repo.to_string())
        .get(file)
        .map_err(|e| hub_cause(repo, format!("downloading {file}"))(e.into()))
}
