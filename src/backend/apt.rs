//! apt and dpkg: the repository key and list, `apt-get update` with its
//! failures classified, the mapping of upstream versions to the repository's
//! package versions, pinned installs, removal, and the dpkg lock.

use std::path::Path;
use std::time::Duration;

use base64::Engine as _;

use crate::error::{Error, Result};
use crate::system::{CommandSpec, System};

/// dpkg's locks, frontend first (apt ≥ 1.9 takes it; older only the second).
pub const LOCK_FILES: [&str; 2] = ["/var/lib/dpkg/lock-frontend", "/var/lib/dpkg/lock"];

/// apt-get with no prompts, and the run's proxy when one was given.
fn apt_get(sys: &dyn System, purpose: impl Into<String>) -> CommandSpec {
    let cmd = CommandSpec::new(purpose, "apt-get", &[])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .env("APT_LISTCHANGES_FRONTEND", "none");
    match sys.proxy() {
        Some(p) => cmd.env("http_proxy", p).env("https_proxy", p),
        None => cmd,
    }
}

/// Turns an ASCII-armored OpenPGP key into the binary form every apt
/// version reads (what `gpg --dearmor` does); binary keys pass through.
pub fn dearmor(key: &[u8], source: &str) -> Result<Vec<u8>> {
    let not_a_key = || Error::Integrity {
        message: format!("the repository key from {source} is not an OpenPGP public key"),
        fix: "give --repo-key the repository's signing key (an .asc or .gpg file or URL)".into(),
    };
    if key.first().is_some_and(|b| b & 0x80 != 0) {
        return Ok(key.to_vec());
    }
    let text = std::str::from_utf8(key).map_err(|_| not_a_key())?;
    let begin = text
        .find("-----BEGIN PGP PUBLIC KEY BLOCK-----")
        .ok_or_else(not_a_key)?;
    let body = &text[begin..];
    let end = body
        .find("-----END PGP PUBLIC KEY BLOCK-----")
        .ok_or_else(not_a_key)?;
    // Skip the armor header lines up to the first blank line; drop the
    // `=XXXX` checksum line.
    let mut lines = body[..end].lines().skip(1);
    let mut data = String::new();
    let mut in_headers = true;
    for line in lines.by_ref() {
        let line = line.trim();
        if in_headers {
            if line.is_empty() {
                in_headers = false;
            } else if !line.contains(':') {
                in_headers = false;
                data.push_str(line);
            }
            continue;
        }
        if line.starts_with('=') {
            break;
        }
        data.push_str(line);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.as_bytes())
        .map_err(|_| not_a_key())?;
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        Ok(bytes)
    } else {
        Err(not_a_key())
    }
}

/// `apt-get update`, with a missing or wrong key reported as an integrity
/// failure (exit 8) and an unreachable repository as a network failure
/// (exit 7), each naming the repository and apt's own words.
pub fn update(sys: &dyn System, repository_url: &str) -> Result<()> {
    let cmd = apt_get(
        sys,
        format!("reading the package lists of {repository_url}"),
    )
    .args(["update"]);
    let out = sys.run(&cmd)?;
    let all = format!("{}\n{}", out.stdout, out.stderr);
    let about_ours = |l: &&str| l.contains(repository_url.trim_end_matches('/'));
    let relevant: Vec<&str> = all
        .lines()
        .filter(|l| l.starts_with("E:") || l.starts_with("W:") || l.starts_with("Err"))
        .collect();
    let signature: Vec<&str> = relevant
        .iter()
        .copied()
        .filter(|l| {
            l.contains("NO_PUBKEY")
                || l.contains("is not signed")
                || l.contains("BADSIG")
                || l.contains("signatures were invalid")
                || l.contains("signatures couldn't be verified")
        })
        .collect();
    if !signature.is_empty() {
        return Err(super::unverified_repository(repository_url, &signature));
    }
    let unreachable: Vec<&str> = relevant
        .iter()
        .copied()
        .filter(about_ours)
        .filter(|l| {
            l.contains("Failed to fetch")
                || l.contains("Could not connect")
                || l.contains("Connection refused")
                || l.contains("Temporary failure resolving")
                || l.contains("Could not resolve")
                || l.contains("404")
                || l.contains("timed out")
        })
        .collect();
    if !unreachable.is_empty() {
        return Err(Error::Network {
            url: repository_url.to_string(),
            detail: unreachable.join(" | "),
        });
    }
    out.check(&cmd).map(|_| ())
}

/// The versions of a package the configured repositories offer.
pub fn offered_versions(sys: &dyn System, package: &str) -> Result<Vec<String>> {
    let cmd = CommandSpec::new(
        format!("listing the versions of {package}"),
        "apt-cache",
        &["madison", package],
    );
    let out = sys.run(&cmd)?.check(&cmd)?;
    Ok(parse_madison(&out.stdout, package))
}

/// Parses `apt-cache madison` lines: `pkg | version | source`.
pub fn parse_madison(text: &str, package: &str) -> Vec<String> {
    let mut versions: Vec<String> = text
        .lines()
        .filter_map(|l| {
            let mut cols = l.split('|').map(str::trim);
            (cols.next()? == package).then(|| cols.next().map(str::to_string))?
        })
        .collect();
    versions.dedup();
    versions
}

/// The installed version of a package, `None` when it is not installed.
pub fn installed_version(sys: &dyn System, package: &str) -> Result<Option<String>> {
    let cmd = CommandSpec::new(
        format!("looking up the installed {package}"),
        "dpkg-query",
        &["-W", "-f=${db:Status-Abbrev}|${Version}", package],
    );
    let out = sys.run(&cmd)?;
    if !out.success() {
        return Ok(None); // not known to dpkg
    }
    Ok(parse_status_line(&out.stdout))
}

/// `ii |1.0.9-1` → `Some("1.0.9-1")`; half-installed or removed → `None`.
pub fn parse_status_line(text: &str) -> Option<String> {
    let (status, version) = text.trim().split_once('|')?;
    let status = status.trim();
    (status.len() >= 2 && status.as_bytes()[1] == b'i' && !version.is_empty())
        .then(|| version.to_string())
}

/// Installs packages at exact versions (or local `.deb` files) in one transaction.
pub fn install(sys: &dyn System, purpose: &str, targets: &[String]) -> Result<()> {
    let cmd = apt_get(sys, purpose.to_string())
        .args([
            "install",
            "-y",
            "--no-install-recommends",
            "--allow-downgrades",
            "-o",
            "Dpkg::Options::=--force-confdef",
            "-o",
            "Dpkg::Options::=--force-confold",
        ])
        .args(targets.iter().cloned());
    sys.run(&cmd)?.check(&cmd).map(|_| ())
}

/// Removes packages (`purge` also removes their config files).
pub fn remove(sys: &dyn System, purpose: &str, packages: &[String], purge: bool) -> Result<()> {
    let cmd = apt_get(sys, purpose.to_string())
        .args([if purge { "purge" } else { "remove" }, "-y"])
        .args(packages.iter().cloned());
    sys.run(&cmd)?.check(&cmd).map(|_| ())
}

/// dpkg alone: installs local `.deb` files in one run without checking
/// their dependencies (`--force` on image-built systems, whose package
/// names are not the Debian ones the packages declare), never stopping at a
/// conffile prompt.
pub fn dpkg_install_files(sys: &dyn System, purpose: &str, files: &[String]) -> Result<()> {
    let cmd = CommandSpec::new(
        purpose,
        "dpkg",
        &[
            "--force-depends",
            "--force-confdef",
            "--force-confold",
            "-i",
        ],
    )
    .env("DEBIAN_FRONTEND", "noninteractive")
    .args(files.iter().cloned());
    sys.run(&cmd)?.check(&cmd).map(|_| ())
}

/// dpkg alone: removes (`purge`: purges) packages; dpkg refuses when
/// another installed package depends on them.
pub fn dpkg_remove(
    sys: &dyn System,
    purpose: &str,
    packages: &[String],
    purge: bool,
) -> Result<()> {
    let cmd = CommandSpec::new(
        purpose,
        "dpkg",
        &[if purge { "--purge" } else { "--remove" }],
    )
    .args(packages.iter().cloned());
    sys.run(&cmd)?.check(&cmd).map(|_| ())
}

/// Who holds a dpkg lock: the holder's PID and command name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockHolder {
    pub file: String,
    pub pid: i32,
    pub name: String,
}

/// Asks the kernel whether a lock file is locked (fcntl F_GETLK), and by whom.
#[cfg(unix)]
pub fn lock_holder(file: &str) -> Option<LockHolder> {
    use std::os::unix::io::AsRawFd;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(file)
        .ok()?;
    // SAFETY: a zeroed flock is a valid argument; F_GETLK only writes into it.
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = libc::F_WRLCK as _;
    fl.l_whence = libc::SEEK_SET as _;
    // SAFETY: the descriptor is open for the duration of the call.
    let rc = unsafe { libc::fcntl(f.as_raw_fd(), libc::F_GETLK, &mut fl) };
    if rc != 0 || i32::from(fl.l_type) == libc::F_UNLCK {
        return None;
    }
    let pid = fl.l_pid;
    let name = std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "another process".to_string());
    Some(LockHolder {
        file: file.to_string(),
        pid,
        name,
    })
}

#[cfg(not(unix))]
pub fn lock_holder(_: &str) -> Option<LockHolder> {
    None
}

/// Waits, visibly and for at most `limit`, while another process (typically
/// unattended-upgrades on first boot) holds dpkg's lock; then exit 6.
pub fn wait_for_dpkg_lock(
    sys: &dyn System,
    limit: Duration,
    report: impl FnMut(&LockHolder, Duration),
) -> Result<()> {
    super::wait_while_locked(
        sys,
        limit,
        || {
            LOCK_FILES
                .iter()
                .filter(|f| Path::new(f).exists())
                .find_map(|f| lock_holder(f))
        },
        report,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_madison_and_status() {
        let text = "   iotedge |    1.0.9-1 | http://127.0.0.1:8080/ubuntu/18.04/multiarch/prod bionic/main amd64 Packages\n   iotedge |    1.0.8-2 | http://127.0.0.1:8080/ubuntu/18.04/multiarch/prod bionic/main amd64 Packages\nlibiothsm-std | 1.0.9-1 | x\n";
        assert_eq!(parse_madison(text, "iotedge"), vec!["1.0.9-1", "1.0.8-2"]);
        assert_eq!(parse_status_line("ii |1.0.9-1"), Some("1.0.9-1".into()));
        assert_eq!(parse_status_line("hi |3.0.6"), Some("3.0.6".into()));
        assert_eq!(parse_status_line("un |"), None);
        assert_eq!(parse_status_line("rc |1.0.8-2"), None);
        assert_eq!(parse_status_line("iU |1.0.8-2"), None);
    }

    const ARMORED: &str = "-----BEGIN PGP PUBLIC KEY BLOCK-----\nComment: test\n\nmQENBFYxWIwBCADAKoZhZlJxGNGWzqV+1OG1xiQeoowKhssGAKvd+buXCGISZJwT\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n";

    #[test]
    fn dearmors_keys_and_refuses_what_is_not_one() {
        let bin = dearmor(ARMORED.as_bytes(), "test").unwrap();
        assert_eq!(bin[0], 0x99, "a public-key packet");
        assert_eq!(dearmor(&bin, "test").unwrap(), bin, "binary passes through");
        for bad in [
            &b"<html>404</html>"[..],
            b"",
            b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!\n-----END PGP PUBLIC KEY BLOCK-----",
        ] {
            let err = dearmor(bad, "http://x/key").unwrap_err();
            assert_eq!(err.exit_code(), crate::error::ExitCode::Integrity);
        }
    }

    #[test]
    fn finds_the_holder_of_a_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        std::fs::write(&path, b"").unwrap();
        assert_eq!(lock_holder(path.to_str().unwrap()), None);
        // A POSIX record lock held by another process (as apt holds dpkg's):
        // a process never conflicts with its own locks, so use a child.
        let mut holder = std::process::Command::new("python3")
            .args([
                "-c",
                "import fcntl,sys,time; f=open(sys.argv[1],'r+'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(10)",
                path.to_str().unwrap(),
            ])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs the lock holder");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(holder.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        assert_eq!(line.trim(), "locked");
        let found = lock_holder(path.to_str().unwrap()).expect("the lock is seen");
        assert_eq!(found.pid as u32, holder.id());
        assert!(found.name.starts_with("python"), "{found:?}");
        holder.kill().unwrap();
        let _ = holder.wait();
    }
}
