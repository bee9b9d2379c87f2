//! Downloads over HTTPS (rustls) or plain HTTP. This first version fetches
//! small files into memory with bounded timeouts and retries; the streaming,
//! hashing and resuming fetcher replaces it for large files.

use std::time::Duration;

use crate::error::{Error, Result};

/// Installs the ring crypto provider for rustls once per process.
fn ensure_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A blocking client with bounded connect and read timeouts.
pub fn client(proxy: Option<&str>) -> Result<reqwest::blocking::Client> {
    ensure_crypto_provider();
    let mut builder = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(120))
        .user_agent(concat!("edgeup/", env!("CARGO_PKG_VERSION")));
    if let Some(p) = proxy {
        let proxy = reqwest::Proxy::all(p).map_err(|e| {
            Error::bad_input(
                "--proxy",
                crate::facts::linux::redact_url_credentials(p),
                e.to_string(),
                "give a proxy URL like http://proxy.example.com:3128",
            )
        })?;
        builder = builder.proxy(proxy);
    }
    builder.build().map_err(|e| Error::Failed {
        context: "setting up downloads".into(),
        detail: e.to_string(),
    })
}

/// Fetches a URL into memory: up to 3 tries for connection errors and 5xx.
pub fn fetch_bytes(url: &str, proxy: Option<&str>) -> Result<Vec<u8>> {
    let client = client(proxy)?;
    let mut last = String::new();
    for attempt in 0..3 {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(500 * (1 << attempt)));
        }
        match client.get(url).send() {
            Ok(resp) if resp.status().is_success() => {
                return resp
                    .bytes()
                    .map(|b| b.to_vec())
                    .map_err(|e| Error::Network {
                        url: url.to_string(),
                        detail: e.to_string(),
                    });
            }
            Ok(resp) if resp.status().is_server_error() => last = format!("HTTP {}", resp.status()),
            Ok(resp) => {
                return Err(Error::Network {
                    url: url.to_string(),
                    detail: format!("HTTP {}", resp.status()),
                });
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(Error::Network {
        url: url.to_string(),
        detail: last,
    })
}
