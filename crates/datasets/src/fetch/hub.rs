//! The download: list the repository (online) or its complete cached copy (offline), fetch the files
//! through hf-hub's cache, then install them under the root in the layout the loader reads.

use std::path::{Path, PathBuf};
use std::time::Duration;

use hf_hub::api::sync::ApiBuilder;
use hf_hub::{Cache, Repo, RepoType};

use super::unpack::{archives_before, is_archive, unpack, unpack_nested};
use super::{HubSource, Install, hub_source, layout_help};
use crate::error::{DatasetError, Result};
use crate::fsutil;
use crate::registry::canonical;
use crate::views::flickr1024;

/// Where `fetch` downloads from and caches to.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// The Hub endpoint (`HF_ENDPOINT`, else `https://huggingface.co`).
    pub endpoint: String,
    /// The hf-hub cache folder (`None`: `HF_HOME/hub`, else `~/.cache/huggingface/hub`).
    pub cache_dir: Option<PathBuf>,
    /// Show progress bars.
    pub progress: bool,
    /// How long to wait for the endpoint before taking the machine to be offline.
    pub timeout: Duration,
    /// Use the hub cache alone, without trying the endpoint (`HF_HUB_OFFLINE`).
    pub offline: bool,
}

impl FetchOptions {
    /// The options the environment gives (`HF_ENDPOINT`, `HF_HOME`, `HF_HUB_OFFLINE`), with a 5 s
    /// reachability timeout.
    pub fn from_env(progress: bool) -> FetchOptions {
        FetchOptions {
            endpoint: sslinv_hub::endpoint(),
            cache_dir: None,
            progress,
            timeout: Duration::from_secs(5),
            offline: sslinv_hub::offline(),
        }
    }
}

/// What `fetch` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FetchReport {
    /// Canonical dataset name.
    pub dataset: String,
    /// The Hub repository.
    pub repo: String,
    /// Repository files used (hub cache paths).
    pub files: usize,
    /// Archives unpacked.
    pub archives: usize,
    /// True when the Hub was unreachable and a complete cached copy was used.
    pub from_cache: bool,
    /// Where the data went.
    pub root: PathBuf,
}

impl std::fmt::Display for FetchReport {
    /// One line: how many files came from where.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = if self.from_cache {
            "offline: installed the hub cache's complete copy of"
        } else {
            "downloaded"
        };
        let (files, archives, repo) = (self.files, self.archives, &self.repo);
        write!(
            f,
            "{how} {files} files ({archives} archives unpacked) from {repo}"
        )
    }
}

/// Fails within `timeout` when the Hub endpoint cannot be reached, naming the repo.
pub fn check_reachable(endpoint: &str, repo: &str, timeout: Duration) -> Result<()> {
    sslinv_hub::check_reachable(endpoint, timeout).map_err(|e| DatasetError::Hub {
        repo: repo.into(),
        reason: match e.source {
            Some(cause) => format!("{}: {cause}", e.reason),
            None => e.reason,
        },
    })
}

/// Downloads a dataset's Hub copy into the hub cache and installs it under `root` (options from the
/// environment).
pub fn fetch(name: &str, root: &Path, progress: bool) -> Result<FetchReport> {
    fetch_with(name, root, &FetchOptions::from_env(progress))
}

/// Downloads a dataset's Hub copy into the hub cache and installs it under `root`.
///
/// Offline, a copy that an earlier online fetch completed in the cache is installed instead; without
/// one the error names the repo.
pub fn fetch_with(name: &str, root: &Path, opts: &FetchOptions) -> Result<FetchReport> {
    let canon = canonical(name)?;
    let Some(src) = hub_source(canon) else {
        return Err(DatasetError::Unsupported(format!(
            "`{canon}` has no Hub copy; get it by hand. {}",
            layout_help(canon)?
        )));
    };
    let cache = match &opts.cache_dir {
        Some(dir) => Cache::new(dir.clone()),
        None => Cache::from_env(),
    };
    let repo = Repo::new(src.repo.into(), RepoType::Dataset);
    // HF_HUB_OFFLINE asks for the cache alone, as hf-hub and huggingface_hub do.
    let reachable = if opts.offline {
        Err(DatasetError::Hub {
            repo: src.repo.into(),
            reason: "HF_HUB_OFFLINE is set".into(),
        })
    } else {
        check_reachable(&opts.endpoint, src.repo, opts.timeout)
    };
    let (files, from_cache) = match reachable {
        Ok(()) => (download(&src, &cache, &repo, opts)?, false),
        Err(offline) => match cached_copy(&src, &cache, &repo) {
            Some(files) => (files, true),
            None => {
                return Err(DatasetError::Hub {
                    repo: src.repo.into(),
                    reason: format!(
                        "{}; the hub cache {} holds no complete copy (fetch once online, or set HF_HOME)",
                        match offline {
                            DatasetError::Hub { reason, .. } => reason,
                            other => other.to_string(),
                        },
                        cache.path().display()
                    ),
                });
            }
        },
    };
    let archives = install(&src, &files, root)?;
    Ok(FetchReport {
        dataset: canon.into(),
        repo: src.repo.into(),
        files: files.len(),
        archives,
        from_cache,
        root: root.to_path_buf(),
    })
}

/// The repository's folder in the hub cache (`datasets--owner--name`).
fn repo_cache_dir(cache: &Cache, repo: &Repo) -> PathBuf {
    cache.path().join(repo.folder_name())
}

/// The commit the cache's `refs/main` points at.
fn cached_commit(cache: &Cache, repo: &Repo) -> Option<String> {
    let text = std::fs::read_to_string(repo_cache_dir(cache, repo).join("refs/main")).ok()?;
    Some(text.trim().to_string()).filter(|c| !c.is_empty())
}

/// The list of files a completed fetch used, kept beside the cache's snapshots: hf-hub only records
/// files one by one, so without it an interrupted download would look like a smaller dataset.
fn manifest_path(cache: &Cache, repo: &Repo, commit: &str) -> PathBuf {
    repo_cache_dir(cache, repo).join(format!("sslinv-complete-{commit}.txt"))
}

fn download(
    src: &HubSource,
    cache: &Cache,
    repo: &Repo,
    opts: &FetchOptions,
) -> Result<Vec<(String, PathBuf)>> {
    let hub = |reason: String| DatasetError::Hub {
        repo: src.repo.into(),
        reason,
    };
    let api = ApiBuilder::from_cache(cache.clone())
        .with_endpoint(opts.endpoint.clone())
        .with_progress(opts.progress)
        .build()
        .map_err(|e| hub(e.to_string()))?;
    let api_repo = api.repo(repo.clone());
    let info = api_repo
        .info()
        .map_err(|e| hub(format!("listing files: {e}")))?;
    let listing: Vec<String> = info.siblings.into_iter().map(|s| s.rfilename).collect();
    let wanted = src.wanted(&listing);
    if wanted.is_empty() {
        let some: Vec<&str> = listing.iter().take(10).map(String::as_str).collect();
        return Err(hub(format!(
            "no files under `{}` with extension {:?} (it has: {})",
            src.prefix,
            src.exts,
            some.join(", ")
        )));
    }
    let mut files = Vec::with_capacity(wanted.len());
    for file in &wanted {
        let cached = api_repo
            .get(file)
            .map_err(|e| hub(format!("downloading {file}: {e}")))?;
        files.push((file.clone(), cached));
    }
    if let Some(commit) = cached_commit(cache, repo) {
        // Only offline reuse needs the manifest: failing to write it must not fail the download.
        let _ = fsutil::write_atomic(
            &manifest_path(cache, repo, &commit),
            wanted.join("\n").as_bytes(),
        );
    }
    Ok(files)
}

/// The files of a complete earlier fetch still in the cache, if every one of them is there.
fn cached_copy(src: &HubSource, cache: &Cache, repo: &Repo) -> Option<Vec<(String, PathBuf)>> {
    let commit = cached_commit(cache, repo)?;
    let manifest = std::fs::read_to_string(manifest_path(cache, repo, &commit)).ok()?;
    let listed: Vec<String> = manifest.lines().map(str::to_string).collect();
    let snapshot = repo_cache_dir(cache, repo).join("snapshots").join(&commit);
    let files: Vec<(String, PathBuf)> = src
        .wanted(&listed)
        .into_iter()
        .map(|f| {
            let p = snapshot.join(&f);
            (f, p)
        })
        .collect();
    (!files.is_empty() && files.iter().all(|(_, p)| p.is_file())).then_some(files)
}

/// Copies a cached file (a symlink into the blobs) to `target` through a temp file and a rename;
/// a target of the same size is taken to be there already.
fn copy_atomic(cached: &Path, target: &Path) -> Result<()> {
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).ok();
    if size(target).is_some() && size(target) == size(cached) {
        return Ok(());
    }
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| DatasetError::io(parent, e))?;
    }
    let tmp = target.with_extension(format!("partial{}", std::process::id()));
    std::fs::copy(cached, &tmp).map_err(|e| DatasetError::io(&tmp, e))?;
    std::fs::rename(&tmp, target).map_err(|e| DatasetError::io(target, e))
}

/// Puts the fetched files under `root` in the loader's layout; returns the archives unpacked.
fn install(src: &HubSource, files: &[(String, PathBuf)], root: &Path) -> Result<usize> {
    let dest = root.join(src.dest);
    std::fs::create_dir_all(&dest).map_err(|e| DatasetError::io(&dest, e))?;
    if src.install == Install::StereoPairs {
        let shards: Vec<PathBuf> = files.iter().map(|(_, p)| p.clone()).collect();
        flickr1024::convert_parquet(&shards, &dest)?;
        return Ok(0);
    }
    let before = archives_before(&dest)?;
    let mut archives = 0;
    for (file, cached) in files {
        let rel = file.strip_prefix(src.prefix).unwrap_or(file);
        if is_archive(rel) {
            unpack(cached, &dest)?;
            archives += 1;
        } else {
            copy_atomic(cached, &dest.join(rel))?;
        }
    }
    Ok(archives + unpack_nested(&dest, &before)?)
}
