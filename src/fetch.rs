//! The fetcher: every byte edgeup downloads goes through here.
//!
//! A download streams into a temp file beside its destination while sha256
//! is computed over the same bytes, and is renamed into place only when the
//! hash matches (a mismatch is exit 8 and leaves nothing behind). A dropped
//! connection resumes with a `Range` request, and the server's answer is
//! checked (a 200 to a range request restarts from zero). Connection errors,
//! stalls, 5xx and 429 are retried with bounded exponential backoff and
//! jitter (429 honours `Retry-After`, bounded); other 4xx are not retried.
//! Every wait is bounded. Plain http is used only for a loopback host, when
//! the expected sha256 is known, or with `--allow-http`.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Installs the ring crypto provider for rustls once per process.
fn ensure_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// An error with its chain of causes, for messages.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// How downloads behave.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// `--proxy`; the environment's proxies apply otherwise (with NO_PROXY).
    pub proxy: Option<String>,
    /// `--ca-cert`: extra trusted roots (PEM), for proxies that re-sign TLS.
    pub ca_cert: Option<PathBuf>,
    /// `--allow-http`.
    pub allow_http: bool,
    /// Tries per download, first included.
    pub attempts: u32,
    /// The longest a connect or a single read may take (a stalled body).
    pub stall: Duration,
    /// The longest pause between tries.
    pub max_backoff: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            proxy: None,
            ca_cert: None,
            allow_http: false,
            attempts: 6,
            stall: Duration::from_secs(30),
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// Progress of one download, rendered by the caller.
pub trait FetchProgress {
    /// A transfer starts (or resumes at `from`) with `total` bytes when known.
    fn start(&self, url: &str, total: Option<u64>, from: u64);
    /// `done` bytes are on disk.
    fn advance(&self, done: u64);
    /// A try failed and another follows after `wait`.
    fn retry(&self, url: &str, why: &str, wait: Duration);
    /// The download is complete.
    fn finish(&self);
}

/// No progress output.
pub struct NoProgress;

impl FetchProgress for NoProgress {
    fn start(&self, _: &str, _: Option<u64>, _: u64) {}
    fn advance(&self, _: u64) {}
    fn retry(&self, _: &str, _: &str, _: Duration) {}
    fn finish(&self) {}
}

/// What a finished download was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub sha256: String,
    pub bytes: u64,
    /// Tries it took.
    pub attempts: u32,
    /// Whether a try resumed a partial download.
    pub resumed: bool,
}

/// Whether a URL's host is a loopback address.
pub fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = rest.split('/').next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host.split(':').next().unwrap_or("")
    };
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// HTTPS by default; plain http only for loopback, a known sha256, or `--allow-http`.
pub fn check_url(url: &str, expected_sha256: Option<&str>, allow_http: bool) -> Result<()> {
    let shown = crate::facts::linux::redact_url_credentials(url);
    if url.starts_with("https://") {
        return Ok(());
    }
    if url.starts_with("http://") {
        if allow_http || expected_sha256.is_some() || is_loopback(url) {
            return Ok(());
        }
        return Err(Error::bad_input(
            "the download URL",
            shown,
            "plain http is not trusted for a file whose sha256 edgeup does not know",
            "use an https:// URL, or pass --allow-http if this network is trusted",
        ));
    }
    Err(Error::bad_input(
        "the download URL",
        shown,
        "only http:// and https:// URLs can be downloaded",
        "give an https:// URL",
    ))
}

/// Where the bytes go: a file (hashed as written) or memory.
trait Sink {
    fn len(&self) -> u64;
    fn reset(&mut self) -> std::io::Result<()>;
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()>;
}

struct FileSink {
    file: File,
    hasher: Sha256,
    len: u64,
}

impl FileSink {
    /// Opens the temp file, hashing what an earlier run left there so the
    /// download resumes after it.
    fn open(path: &Path) -> std::io::Result<FileSink> {
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        let mut hasher = Sha256::new();
        let mut len = 0u64;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            len += n as u64;
        }
        file.seek(SeekFrom::End(0))?;
        Ok(FileSink { file, hasher, len })
    }
}

impl Sink for FileSink {
    fn len(&self) -> u64 {
        self.len
    }
    fn reset(&mut self) -> std::io::Result<()> {
        self.file.set_len(0)?;
        self.file.seek(SeekFrom::Start(0))?;
        self.hasher = Sha256::new();
        self.len = 0;
        Ok(())
    }
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file.write_all(bytes)?;
        self.hasher.update(bytes);
        self.len += bytes.len() as u64;
        Ok(())
    }
}

impl Sink for Vec<u8> {
    fn len(&self) -> u64 {
        Vec::len(self) as u64
    }
    fn reset(&mut self) -> std::io::Result<()> {
        self.clear();
        Ok(())
    }
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.extend_from_slice(bytes);
        Ok(())
    }
}

/// Why a try failed, and whether another try may help.
enum TryError {
    /// Retry after this long (or the backoff when `None`).
    Transient(String, Option<Duration>),
    /// Give up.
    Fatal(Error),
}

/// A configured downloader.
/// Whether a downloaded file is synced to disk before it is renamed into place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Synced,
    Scratch,
}

pub struct Fetcher {
    client: reqwest::blocking::Client,
    options: FetchOptions,
}

impl Fetcher {
    /// A fetcher. It trusts the system's certificate store (plus `--ca-cert`);
    /// a device without one (a fresh root with no ca-certificates) gets the
    /// Mozilla roots built into edgeup instead.
    pub fn new(options: FetchOptions) -> Result<Fetcher> {
        ensure_crypto_provider();
        let extra_roots = match &options.ca_cert {
            Some(path) => {
                let pem = std::fs::read(path).map_err(|e| {
                    Error::bad_input(
                        "--ca-cert",
                        path.display().to_string(),
                        format!("cannot be read: {e}"),
                        "give a PEM file with the CA certificate(s)",
                    )
                })?;
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                    Error::bad_input(
                        "--ca-cert",
                        path.display().to_string(),
                        chain(&e),
                        "give a PEM file with the CA certificate(s)",
                    )
                })?
            }
            None => Vec::new(),
        };
        let builder = || -> Result<reqwest::blocking::ClientBuilder> {
            let mut builder = reqwest::blocking::Client::builder()
                .connect_timeout(options.stall)
                .timeout(options.stall)
                .user_agent(concat!("edgeup/", env!("CARGO_PKG_VERSION")))
                .tls_certs_merge(extra_roots.clone());
            if let Some(p) = &options.proxy {
                let proxy = reqwest::Proxy::all(p)
                    .map_err(|e| {
                        Error::bad_input(
                            "--proxy",
                            crate::facts::linux::redact_url_credentials(p),
                            chain(&e),
                            "give a proxy URL like http://proxy.example.com:3128",
                        )
                    })?
                    .no_proxy(reqwest::NoProxy::from_env());
                builder = builder.proxy(proxy);
            }
            Ok(builder)
        };
        let client = match builder()?.build() {
            Ok(client) => client,
            Err(system_store) => {
                let roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS
                    .iter()
                    .filter_map(|der| reqwest::Certificate::from_der(der.as_ref()).ok())
                    .chain(extra_roots.clone());
                builder()?
                    .tls_certs_only(roots)
                    .build()
                    .map_err(|e| Error::Failed {
                        context: "setting up downloads".into(),
                        detail: format!(
                            "{} (with the system's certificates: {})",
                            chain(&e),
                            chain(&system_store)
                        ),
                    })?
            }
        };
        Ok(Fetcher { client, options })
    }

    /// The pause before try `attempt` (1-based retries): exponential,
    /// capped, with up to 50% jitter so devices do not retry in lockstep.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = Duration::from_millis(500).saturating_mul(1 << attempt.min(16));
        let capped = base.min(self.options.max_backoff);
        let jitter = {
            use std::hash::BuildHasher;
            let seed =
                std::collections::hash_map::RandomState::new().hash_one((attempt, Instant::now()));
            (seed % 1000) as f64 / 2000.0
        };
        capped.mul_f64(1.0 + jitter).min(self.options.max_backoff)
    }

    /// Downloads `url` to `dest`: temp file beside it, sha256 as it streams,
    /// synced to disk and renamed on success. With `expected_sha256`, a
    /// mismatch is exit 8 and no file is left.
    pub fn fetch_to(
        &self,
        url: &str,
        dest: &Path,
        expected_sha256: Option<&str>,
        progress: &dyn FetchProgress,
    ) -> Result<Fetched> {
        self.fetch_to_with(url, dest, expected_sha256, progress, Durability::Synced)
    }

    /// [`Fetcher::fetch_to`] with a choice of durability: a file that only
    /// feeds another one and is deleted after (a bundle's scratch copy) need
    /// not reach the disk before it is gone.
    pub fn fetch_to_with(
        &self,
        url: &str,
        dest: &Path,
        expected_sha256: Option<&str>,
        progress: &dyn FetchProgress,
        durability: Durability,
    ) -> Result<Fetched> {
        check_url(url, expected_sha256, self.options.allow_http)?;
        let dir = dest
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| Error::Io {
            action: "create the directory",
            path: dir.to_path_buf(),
            source: e,
        })?;
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = dir.join(format!(".{name}.part"));
        let mut sink = FileSink::open(&temp).map_err(|e| Error::Io {
            action: "open",
            path: temp.clone(),
            source: e,
        })?;
        let outcome = self.transfer(url, &mut sink, progress);
        let (attempts, resumed) = match outcome {
            Ok(r) => r,
            Err(e) => {
                // Keep a partial download for the next run to resume, unless it is empty.
                if sink.len == 0 {
                    let _ = std::fs::remove_file(&temp);
                }
                return Err(e);
            }
        };
        let sha256: String = std::mem::take(&mut sink.hasher)
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let bytes = sink.len;
        if let Some(expected) = expected_sha256
            && !expected.eq_ignore_ascii_case(&sha256)
        {
            drop(sink);
            let _ = std::fs::remove_file(&temp);
            return Err(Error::Integrity {
                message: format!(
                    "{} has sha256 {sha256}, not the expected {expected}; nothing was kept",
                    crate::facts::linux::redact_url_credentials(url)
                ),
                fix: "the file changed on the server or in transit: check the source (a mirror, a proxy) and run again".into(),
            });
        }
        if durability == Durability::Synced {
            sink.file.sync_all().map_err(|e| Error::Io {
                action: "sync",
                path: temp.clone(),
                source: e,
            })?;
        }
        drop(sink);
        std::fs::rename(&temp, dest).map_err(|e| Error::Io {
            action: "rename into place",
            path: dest.to_path_buf(),
            source: e,
        })?;
        Ok(Fetched {
            sha256,
            bytes,
            attempts,
            resumed,
        })
    }

    /// Downloads a small file into memory, with the same policy.
    pub fn fetch_bytes(&self, url: &str) -> Result<Vec<u8>> {
        check_url(url, None, self.options.allow_http)?;
        let mut sink = Vec::new();
        self.transfer(url, &mut sink, &NoProgress)?;
        Ok(sink)
    }

    /// Tries until the body is complete: `(tries, resumed)`.
    fn transfer(
        &self,
        url: &str,
        sink: &mut dyn Sink,
        progress: &dyn FetchProgress,
    ) -> Result<(u32, bool)> {
        let shown = crate::facts::linux::redact_url_credentials(url);
        let mut resumed = false;
        let mut last = String::new();
        for attempt in 1..=self.options.attempts {
            match self.try_once(url, sink, progress, &mut resumed) {
                Ok(()) => {
                    progress.finish();
                    return Ok((attempt, resumed));
                }
                Err(TryError::Fatal(e)) => return Err(e),
                Err(TryError::Transient(why, after)) => {
                    last = why;
                    if attempt < self.options.attempts {
                        let wait = after
                            .map(|a| a.min(self.options.max_backoff))
                            .unwrap_or_else(|| self.backoff(attempt));
                        progress.retry(&shown, &last, wait);
                        std::thread::sleep(wait);
                    }
                }
            }
        }
        Err(Error::Network {
            url: shown,
            detail: format!("{last} (gave up after {} tries)", self.options.attempts),
        })
    }

    fn try_once(
        &self,
        url: &str,
        sink: &mut dyn Sink,
        progress: &dyn FetchProgress,
        resumed: &mut bool,
    ) -> std::result::Result<(), TryError> {
        let io = |e: std::io::Error| {
            TryError::Fatal(Error::Failed {
                context: "writing a download".into(),
                detail: e.to_string(),
            })
        };
        let from = sink.len();
        let mut request = self.client.get(url);
        if from > 0 {
            request = request.header(reqwest::header::RANGE, format!("bytes={from}-"));
        }
        let mut response = request
            .send()
            .map_err(|e| TryError::Transient(chain(&e), None))?;
        let status = response.status();
        let shown = crate::facts::linux::redact_url_credentials(url);
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Err(TryError::Transient(format!("HTTP {status}"), after));
        }
        if status == reqwest::StatusCode::RANGE_NOT_SATISFIABLE && from > 0 {
            // What we have is not a prefix the server knows: start over.
            sink.reset().map_err(io)?;
            return Err(TryError::Transient(
                "the server refused to resume (416); starting over".into(),
                Some(Duration::ZERO),
            ));
        }
        if !status.is_success() {
            return Err(TryError::Fatal(Error::Network {
                url: shown,
                detail: format!("HTTP {status}"),
            }));
        }
        let total = if status == reqwest::StatusCode::PARTIAL_CONTENT {
            let range = response
                .headers()
                .get(reqwest::header::CONTENT_RANGE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            // `bytes START-END/TOTAL`: the server must resume where we are.
            let start = range
                .strip_prefix("bytes ")
                .and_then(|r| r.split('-').next())
                .and_then(|s| s.parse::<u64>().ok());
            if start != Some(from) {
                sink.reset().map_err(io)?;
                return Err(TryError::Transient(
                    format!("the server resumed at the wrong place ({range}); starting over"),
                    Some(Duration::ZERO),
                ));
            }
            *resumed = true;
            range.rsplit('/').next().and_then(|t| t.parse::<u64>().ok())
        } else {
            if from > 0 {
                // A 200 to a range request: the whole file follows.
                sink.reset().map_err(io)?;
            }
            response.content_length()
        };
        progress.start(&shown, total, sink.len());
        let mut buf = vec![0u8; 128 * 1024];
        loop {
            match response.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    sink.write_all(&buf[..n]).map_err(io)?;
                    progress.advance(sink.len());
                }
                Err(e) => {
                    return Err(TryError::Transient(
                        format!("the connection broke after {} bytes: {e}", sink.len()),
                        None,
                    ));
                }
            }
        }
        if let Some(total) = total
            && sink.len() < total
        {
            return Err(TryError::Transient(
                format!("the body ended after {} of {total} bytes", sink.len()),
                None,
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_loopback_hosts() {
        for url in [
            "http://127.0.0.1:8080/x",
            "http://localhost/x",
            "http://[::1]:80/x",
            "http://127.1.2.3/",
            "http://u:p@127.0.0.1:1/",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "http://10.0.0.1/x",
            "http://example.com/x",
            "http://127.0.0.1.example.com/x",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }

    #[test]
    fn plain_http_needs_a_reason() {
        assert!(check_url("https://example.com/a", None, false).is_ok());
        assert!(check_url("http://127.0.0.1:9/a", None, false).is_ok());
        assert!(check_url("http://mirror.example.com/a", Some("ab"), false).is_ok());
        assert!(check_url("http://mirror.example.com/a", None, true).is_ok());
        let err = check_url("http://mirror.example.com/a", None, false).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::ExitCode::BadInput);
        assert!(err.hint().unwrap().contains("--allow-http"));
        assert!(check_url("ftp://x/a", None, true).is_err());
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let f = Fetcher::new(FetchOptions {
            max_backoff: Duration::from_secs(5),
            ..FetchOptions::default()
        })
        .unwrap();
        let first = f.backoff(1);
        assert!(
            first >= Duration::from_millis(1000) && first <= Duration::from_millis(1500),
            "{first:?}"
        );
        assert!(f.backoff(10) <= Duration::from_secs(5));
        assert!(f.backoff(40) <= Duration::from_secs(5), "no overflow");
    }
}
