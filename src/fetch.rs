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

/// A blocking client with bounded connect and read timeouts. It trusts the
/// system's certificate store; a device without one (a fresh root with no
/// ca-certificates) gets the Mozilla roots built into edgeup instead.
pub fn client(proxy: Option<&str>) -> Result<reqwest::blocking::Client> {
    ensure_crypto_provider();
    let builder = || -> Result<reqwest::blocking::ClientBuilder> {
        let mut builder = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("edgeup/", env!("CARGO_PKG_VERSION")));
        if let Some(p) = proxy {
            let proxy = reqwest::Proxy::all(p).map_err(|e| {
                Error::bad_input(
                    "--proxy",
                    crate::facts::linux::redact_url_credentials(p),
                    chain(&e),
                    "give a proxy URL like http://proxy.example.com:3128",
                )
            })?;
            builder = builder.proxy(proxy);
        }
        Ok(builder)
    };
    match builder()?.build() {
        Ok(client) => Ok(client),
        Err(system_store) => {
            let roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS
                .iter()
                .filter_map(|der| reqwest::Certificate::from_der(der.as_ref()).ok());
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
                })
        }
    }
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
                        detail: chain(&e),
                    });
            }
            Ok(resp) if resp.status().is_server_error() => last = format!("HTTP {}", resp.status()),
            Ok(resp) => {
                return Err(Error::Network {
                    url: url.to_string(),
                    detail: format!("HTTP {}", resp.status()),
                });
            }
            Err(e) => last = chain(&e),
        }
    }
    Err(Error::Network {
        url: url.to_string(),
        detail: last,
    })
}
