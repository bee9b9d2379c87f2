//! The fetcher against a scripted HTTP server on 127.0.0.1: dropped
//! connections, 5xx, 404, 429 with Retry-After, stalls, wrong content and a
//! server that ignores Range.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use edgeup::ExitCode;
use edgeup::fetch::{FetchOptions, Fetcher, NoProgress};
use sha2::{Digest, Sha256};

/// The file every path serves: 1 MiB of a repeating, position-dependent pattern.
fn body() -> Vec<u8> {
    (0..1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect()
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A server whose answer depends on the path and on how often it was asked.
struct Server {
    port: u16,
    hits: Arc<Mutex<HashMap<String, u32>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
        let shared = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let hits = shared.clone();
                std::thread::spawn(move || serve(stream, hits));
            }
        });
        Server { port, hits }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn hits(&self, path: &str) -> u32 {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

fn serve(mut stream: TcpStream, hits: Arc<Mutex<HashMap<String, u32>>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut range_from: Option<usize> = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
            break;
        }
        if let Some(v) = header.to_ascii_lowercase().strip_prefix("range: bytes=") {
            range_from = v.trim().trim_end_matches('-').parse().ok();
        }
    }
    let n = {
        let mut h = hits.lock().unwrap();
        let c = h.entry(path.clone()).or_insert(0);
        *c += 1;
        *c
    };
    let body = body();
    let full = |s: &mut TcpStream| {
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = s.write_all(&body);
    };
    let partial = |s: &mut TcpStream, from: usize| {
        let _ = write!(
            s,
            "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {from}-{}/{}\r\nConnection: close\r\n\r\n",
            body.len() - from,
            body.len() - 1,
            body.len()
        );
        let _ = s.write_all(&body[from..]);
    };
    let status = |s: &mut TcpStream, code: &str, extra: &str| {
        let _ = write!(
            s,
            "HTTP/1.1 {code}\r\nContent-Length: 0\r\n{extra}Connection: close\r\n\r\n"
        );
    };
    let drop_half = |s: &mut TcpStream| {
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = s.write_all(&body[..body.len() / 2]);
        let _ = s.flush();
        let _ = s.shutdown(std::net::Shutdown::Both);
    };
    match (path.as_str(), n) {
        ("/drop", 1) => drop_half(&mut stream),
        ("/drop", _) => match range_from {
            Some(from) => partial(&mut stream, from),
            None => full(&mut stream),
        },
        ("/ranged", _) => match range_from {
            Some(from) => partial(&mut stream, from),
            None => full(&mut stream),
        },
        ("/ignores-range", 1) => drop_half(&mut stream),
        ("/ignores-range", _) => full(&mut stream),
        ("/flaky", 1 | 2) => status(&mut stream, "503 Service Unavailable", ""),
        ("/flaky", _) => full(&mut stream),
        ("/busy", 1) => status(&mut stream, "429 Too Many Requests", "Retry-After: 1\r\n"),
        ("/busy", _) => full(&mut stream),
        ("/missing", _) => status(&mut stream, "404 Not Found", ""),
        ("/stall", _) => {
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body[..1000]);
            let _ = stream.flush();
            std::thread::sleep(Duration::from_secs(20));
        }
        _ => full(&mut stream),
    }
}

fn fetcher() -> Fetcher {
    Fetcher::new(FetchOptions {
        attempts: 4,
        stall: Duration::from_secs(2),
        max_backoff: Duration::from_millis(300),
        ..FetchOptions::default()
    })
    .unwrap()
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_dropped_connection_resumes_with_a_range_request_and_the_right_hash() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("pkg.deb");
    let expected = sha(&body());
    let got = fetcher()
        .fetch_to(&server.url("/drop"), &dest, Some(&expected), &NoProgress)
        .unwrap();
    assert!(got.resumed, "{got:?}");
    assert_eq!(got.attempts, 2);
    assert_eq!(got.sha256, expected);
    assert_eq!(std::fs::read(&dest).unwrap(), body());
    assert_eq!(leftovers(dir.path()), vec!["pkg.deb"], "no temp file left");
}

#[test]
fn a_server_that_ignores_range_is_noticed_and_the_file_is_still_right() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("pkg.deb");
    let got = fetcher()
        .fetch_to(
            &server.url("/ignores-range"),
            &dest,
            Some(&sha(&body())),
            &NoProgress,
        )
        .unwrap();
    assert!(!got.resumed, "a 200 to a range request restarts from zero");
    assert_eq!(std::fs::read(&dest).unwrap(), body());
}

#[test]
fn two_503s_then_a_200_succeeds() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let got = fetcher()
        .fetch_to(
            &server.url("/flaky"),
            &dir.path().join("f"),
            None,
            &NoProgress,
        )
        .unwrap();
    assert_eq!(got.attempts, 3);
    assert_eq!(server.hits("/flaky"), 3);
}

#[test]
fn a_404_is_exit_7_naming_the_url_and_is_not_retried() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let err = fetcher()
        .fetch_to(
            &server.url("/missing"),
            &dir.path().join("m"),
            None,
            &NoProgress,
        )
        .unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Network);
    assert!(
        err.to_string().contains(&server.url("/missing")) && err.to_string().contains("404"),
        "{err}"
    );
    assert_eq!(server.hits("/missing"), 1, "4xx is not retried");
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn a_429_waits_for_retry_after() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let fetcher = Fetcher::new(FetchOptions {
        max_backoff: Duration::from_secs(5),
        ..FetchOptions::default()
    })
    .unwrap();
    let start = Instant::now();
    fetcher
        .fetch_to(
            &server.url("/busy"),
            &dir.path().join("b"),
            None,
            &NoProgress,
        )
        .unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "Retry-After: 1 was honoured: {:?}",
        start.elapsed()
    );
    assert_eq!(server.hits("/busy"), 2);
}

#[test]
fn a_stalled_body_times_out_within_its_bound() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let fetcher = Fetcher::new(FetchOptions {
        attempts: 2,
        stall: Duration::from_secs(1),
        max_backoff: Duration::from_millis(100),
        ..FetchOptions::default()
    })
    .unwrap();
    let start = Instant::now();
    let err = fetcher
        .fetch_to(
            &server.url("/stall"),
            &dir.path().join("s"),
            None,
            &NoProgress,
        )
        .unwrap_err();
    let took = start.elapsed();
    assert_eq!(err.exit_code(), ExitCode::Network);
    assert!(err.to_string().contains("gave up after 2 tries"), "{err}");
    // Two tries of at most ~1 s each, not the server's 20 s sleep.
    assert!(took < Duration::from_secs(8), "{took:?}");
}

#[test]
fn wrong_content_is_exit_8_and_leaves_no_file() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("w.deb");
    let err = fetcher()
        .fetch_to(
            &server.url("/whole"),
            &dest,
            Some(&sha(b"something else")),
            &NoProgress,
        )
        .unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Integrity);
    assert!(
        err.to_string().contains(&sha(&body())),
        "names the actual hash: {err}"
    );
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
}

#[test]
fn a_partial_file_from_an_earlier_run_is_resumed() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("pkg.deb");
    std::fs::write(dir.path().join(".pkg.deb.part"), &body()[..300_000]).unwrap();
    let got = fetcher()
        .fetch_to(
            &server.url("/ranged"),
            &dest,
            Some(&sha(&body())),
            &NoProgress,
        )
        .unwrap();
    assert!(got.resumed, "{got:?}");
    assert_eq!(got.attempts, 1);
    assert_eq!(
        got.sha256,
        sha(&body()),
        "the hash covers the earlier bytes too"
    );
    assert_eq!(std::fs::read(&dest).unwrap(), body());
}

#[test]
fn a_stale_partial_file_is_restarted_when_the_server_cannot_resume() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("pkg.deb");
    std::fs::write(dir.path().join(".pkg.deb.part"), &body()[..300_000]).unwrap();
    let got = fetcher().fetch_to(
        &server.url("/drop-resume"),
        &dest,
        Some(&sha(&body())),
        &NoProgress,
    );
    // /drop-resume serves full bodies and ignores Range, so this must restart and still be right.
    let got = got.unwrap();
    assert_eq!(got.sha256, sha(&body()));
    assert_eq!(std::fs::read(&dest).unwrap(), body());
}
