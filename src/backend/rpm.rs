//! yum, dnf and rpm, for the RPM family (CentOS and RHEL 7): yum when it is
//! there, else dnf (which took its place and its commands). The repository's
//! key imported into rpm's keyring, the metadata refresh with its failures
//! classified as apt's update is (a bad signature is exit 8, an unreachable
//! repository exit 7), the versions a repository offers and the one
//! installed, pinned installs of repository packages or of local files in
//! one transaction, removal, and the rpm, yum and dnf locks.
//!
//! rpm alone (no dependency resolution) serves `--force` installs on
//! image-built systems (Yocto and relatives) that have an rpm database.

use std::time::Duration;

use base64::Engine as _;

use super::apt::{LockHolder, lock_holder};
use crate::error::{Error, Result};
use crate::system::{CommandOutput, CommandSpec, System};

/// The repository ID of the Microsoft yum repository (its section name in
/// the `.repo` file; Microsoft's own prod.repo files use the same).
pub const REPOSITORY_ID: &str = "packages-microsoft-com-prod";

/// rpm's database lock (fcntl), in both places rpm keeps its database.
pub const RPM_LOCK_FILES: [&str; 2] = ["/var/lib/rpm/.rpm.lock", "/usr/lib/sysimage/rpm/.rpm.lock"];

/// yum's and dnf's locks: files holding the PID of the running process.
pub const PID_LOCK_FILES: [&str; 5] = [
    "/var/run/yum.pid",
    "/run/yum.pid",
    "/var/lib/dnf/rpmdb_lock.pid",
    "/var/cache/dnf/metadata_lock.pid",
    "/var/cache/dnf/download_lock.pid",
];

/// The package front end: yum on CentOS/RHEL 7, dnf where yum is absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frontend {
    Yum,
    Dnf,
}

impl Frontend {
    /// The program name.
    pub fn program(self) -> &'static str {
        match self {
            Frontend::Yum => "yum",
            Frontend::Dnf => "dnf",
        }
    }

    /// The front end by its program name.
    pub fn from_program(name: &str) -> Option<Frontend> {
        match name {
            "yum" => Some(Frontend::Yum),
            "dnf" => Some(Frontend::Dnf),
            _ => None,
        }
    }

    /// yum when it runs here, else dnf; an error naming both when neither does.
    pub fn detect(sys: &dyn System) -> Result<Frontend> {
        for frontend in [Frontend::Yum, Frontend::Dnf] {
            let cmd = CommandSpec::new(
                format!("looking for {}", frontend.program()),
                frontend.program(),
                &["--version"],
            );
            if sys.run(&cmd).is_ok_and(|out| out.success()) {
                return Ok(frontend);
            }
        }
        Err(Error::Failed {
            context: "finding the package manager".into(),
            detail: "neither yum nor dnf runs here; install yum (CentOS/RHEL 7 ship it) and run edgeup again".into(),
        })
    }
}

/// The front end with no prompts, exiting at once on a held lock (edgeup
/// waits for locks itself, visibly and bounded), and the run's proxy in the
/// environment (never on the command line: it may carry credentials).
fn frontend_command(sys: &dyn System, frontend: Frontend, purpose: String) -> CommandSpec {
    let cmd = CommandSpec::new(
        purpose,
        frontend.program(),
        &["-y", "--setopt=exit_on_lock=True"],
    );
    match sys.proxy() {
        Some(p) => cmd.env("http_proxy", p).env("https_proxy", p),
        None => cmd,
    }
}

/// The repository ID of a `.repo` file's content (its first `[section]`).
pub fn repository_id(content: &str) -> Option<String> {
    content.lines().find_map(|l| {
        let l = l.trim();
        l.strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'))
            .map(str::to_string)
    })
}

/// Lines of the output about signatures and keys.
fn signature_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("gpg")
                || l.contains("signature")
                || l.contains("public key")
                || l.contains("nokey")
                || l.contains("not signed")
        })
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("fail")
                || l.contains("error")
                || l.contains("bad")
                || l.contains("not installed")
                || l.contains("nokey")
                || l.contains("not signed")
                || l.contains("could not")
                || l.contains("couldn't")
        })
        .collect()
}

/// Lines of the output about an unreachable repository.
fn network_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("curl error")
                || l.contains("cannot download")
                || l.contains("failed to download")
                || l.contains("cannot retrieve repository metadata")
                || l.contains("could not resolve")
                || l.contains("connection refused")
                || l.contains("couldn't connect")
                || l.contains("errno 14")
                || l.contains("timed out")
                || l.contains("404")
        })
        .collect()
}

/// Lines of the output about a held lock.
fn lock_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("lock")
                && (l.contains("held") || l.contains("waiting") || l.contains("obtain"))
        })
        .collect()
}

/// Classifies a failed front-end run: a signature or key problem is an
/// integrity failure, an unreachable repository a network failure, a held
/// lock busy; anything else fails with the purpose and the output's tail.
fn classify(out: CommandOutput, cmd: &CommandSpec, repository_url: &str) -> Result<CommandOutput> {
    if out.success() {
        return Ok(out);
    }
    let all = format!("{}\n{}", out.stdout, out.stderr);
    let signature = signature_lines(&all);
    if !signature.is_empty() {
        return Err(super::unverified_repository(repository_url, &signature));
    }
    let unreachable = network_lines(&all);
    if !unreachable.is_empty() {
        return Err(Error::Network {
            url: repository_url.to_string(),
            detail: unreachable.join(" | "),
        });
    }
    let lock = lock_lines(&all);
    if !lock.is_empty() {
        return Err(Error::Busy {
            message: format!(
                "{} could not take the package database lock: {}",
                cmd.program,
                lock.join(" | ")
            ),
        });
    }
    out.check(cmd)
}

/// Refreshes the metadata of one repository (`makecache` with only it
/// enabled, never skipped when unavailable).
pub fn refresh(
    sys: &dyn System,
    frontend: Frontend,
    repository_id: &str,
    repository_url: &str,
) -> Result<()> {
    let cmd = frontend_command(
        sys,
        frontend,
        format!("reading the package metadata of {repository_url}"),
    )
    .args([
        "--disablerepo=*".to_string(),
        format!("--enablerepo={repository_id}"),
        format!("--setopt={repository_id}.skip_if_unavailable=False"),
        "makecache".to_string(),
    ]);
    let out = sys.run(&cmd)?;
    classify(out, &cmd, repository_url).map(|_| ())
}

/// The versions of a package the enabled repositories offer for this
/// architecture (or noarch), and the installed one, oldest first as listed.
pub fn offered_versions(
    sys: &dyn System,
    frontend: Frontend,
    package: &str,
    arch: &str,
) -> Result<Vec<String>> {
    let cmd = frontend_command(sys, frontend, format!("listing the versions of {package}")).args([
        "-q",
        "--showduplicates",
        "list",
        package,
    ]);
    let out = sys.run(&cmd)?;
    if !out.success() && format!("{}{}", out.stdout, out.stderr).contains("No matching Packages") {
        return Ok(Vec::new());
    }
    let out = out.check(&cmd)?;
    Ok(parse_list(&out.stdout, package, arch))
}

/// Parses `yum/dnf list --showduplicates` output: `name.arch  version  repo`
/// rows, which yum wraps onto a second line when a column is long, so the
/// text is read as a stream of words.
pub fn parse_list(text: &str, package: &str, arch: &str) -> Vec<String> {
    let prefix = format!("{package}.");
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut versions: Vec<String> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let Some(a) = w.strip_prefix(&prefix) else {
            continue;
        };
        if a != arch && a != "noarch" {
            continue;
        }
        if let Some(v) = words.get(i + 1)
            && !versions.iter().any(|x| x == v)
        {
            versions.push(v.to_string());
        }
    }
    versions
}

/// The query format of an installed version: `[epoch:]version-release`.
const VERSION_FORMAT: &str = "%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n";

/// The installed version of a package, `None` when it is not installed.
pub fn installed_version(sys: &dyn System, package: &str) -> Result<Option<String>> {
    let cmd = CommandSpec::new(
        format!("looking up the installed {package}"),
        "rpm",
        &["-q", "--qf", VERSION_FORMAT, package],
    );
    let out = sys.run(&cmd)?;
    if !out.success() {
        return Ok(None); // "package X is not installed"
    }
    Ok(out
        .stdout
        .lines()
        .next()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string))
}

/// rpm's words about failed scriptlets (`%prein(iotedge-...) scriptlet
/// failed`, `Error in PREIN scriptlet`), with the error lines the
/// scriptlets printed themselves ("ERROR: No container runtime detected.").
fn failed_scriptlets(out: &CommandOutput) -> Vec<String> {
    let all = format!("{}\n{}", out.stdout, out.stderr);
    if !all.contains("scriptlet failed") && !all.contains("Error in P") {
        return Vec::new();
    }
    let mut lines: Vec<String> = Vec::new();
    for l in all.lines().map(str::trim) {
        let relevant = (l.contains("scriptlet") || l.to_ascii_lowercase().contains("error"))
            && !l.starts_with("Running scriptlet");
        if relevant && !lines.iter().any(|x| x == l) {
            lines.push(l.to_string());
        }
    }
    lines
}

/// A transaction with a failed scriptlet is a failure, also when rpm only
/// warned (a failed %post) and the front end exited 0, as apt treats a
/// failing maintainer script; the error names the scriptlets.
fn check_scriptlets(out: CommandOutput, cmd: &CommandSpec) -> Result<()> {
    let failed = failed_scriptlets(&out);
    if failed.is_empty() {
        return out.check(cmd).map(|_| ());
    }
    Err(Error::Failed {
        context: format!(
            "{} (`{}` exited {})",
            cmd.purpose,
            cmd.display(),
            out.status
        ),
        detail: format!("a package scriptlet failed: {}", failed.join(" | ")),
    })
}

/// Installs in one transaction: repository packages pinned as
/// `name-version` or local `.rpm` files; `downgrade` when a package moves
/// down (yum's `install` never downgrades). `offline`: every repository
/// disabled, so that yum/dnf read no metadata and reach no network (the
/// local files' dependencies must be installed already).
pub fn install(
    sys: &dyn System,
    frontend: Frontend,
    purpose: &str,
    targets: &[String],
    downgrade: bool,
    repository_url: &str,
    offline: bool,
) -> Result<()> {
    let mut cmd = frontend_command(sys, frontend, purpose.to_string());
    if offline {
        cmd = cmd.args(["--disablerepo=*"]);
    }
    let cmd = cmd
        .args([if downgrade { "downgrade" } else { "install" }])
        .args(targets.iter().cloned());
    let out = sys.run(&cmd)?;
    if !failed_scriptlets(&out).is_empty() {
        return check_scriptlets(out, &cmd);
    }
    classify(out, &cmd, repository_url).map(|_| ())
}

/// Removes packages, and only them (no unused dependencies with them).
pub fn remove(
    sys: &dyn System,
    frontend: Frontend,
    purpose: &str,
    packages: &[String],
) -> Result<()> {
    let cmd = frontend_command(sys, frontend, purpose.to_string())
        .args(["--setopt=clean_requirements_on_remove=False", "remove"])
        .args(packages.iter().cloned());
    check_scriptlets(sys.run(&cmd)?, &cmd)
}

/// The installed packages that need one of `packages` and are not among
/// them (`rpm -e --test`): what a removal would break.
pub fn removal_blockers(sys: &dyn System, packages: &[String]) -> Result<Vec<String>> {
    let cmd = CommandSpec::new(
        "asking rpm what needs the packages to be removed",
        "rpm",
        &["-e", "--test"],
    )
    .args(packages.iter().cloned());
    let out = sys.run(&cmd)?;
    if out.success() {
        return Ok(Vec::new());
    }
    let blockers = parse_needed_by(&format!("{}\n{}", out.stdout, out.stderr));
    if blockers.is_empty() {
        out.check(&cmd)?;
    }
    Ok(blockers
        .into_iter()
        .filter(|b| !packages.iter().any(|p| p == name_of_nevra(b)))
        .collect())
}

/// `libiothsm-std = 1.0.9-1 is needed by (installed) iotedge-1.0.9-1.el7.x86_64`
/// lines → the needing packages (NEVRA), each once.
pub fn parse_needed_by(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in text.lines() {
        if let Some((_, by)) = l.split_once("is needed by (installed) ") {
            let by = by.trim().to_string();
            if !out.contains(&by) {
                out.push(by);
            }
        }
    }
    out
}

/// The name of `name-version-release.arch`.
pub fn name_of_nevra(nevra: &str) -> &str {
    let mut parts = nevra.rsplitn(3, '-');
    let _release_arch = parts.next();
    let _version = parts.next();
    parts.next().unwrap_or(nevra)
}

/// rpm alone: local files in one transaction, upgrades and downgrades,
/// dependencies not checked (`--force` on image-built systems, whose
/// package names are not the ones the packages were built against).
pub fn rpm_install_files(sys: &dyn System, purpose: &str, files: &[String]) -> Result<()> {
    let cmd = CommandSpec::new(purpose, "rpm", &["-U", "--nodeps", "--oldpackage"])
        .args(files.iter().cloned());
    check_scriptlets(sys.run(&cmd)?, &cmd)
}

/// rpm alone: erases packages.
pub fn rpm_erase(sys: &dyn System, purpose: &str, packages: &[String]) -> Result<()> {
    let cmd = CommandSpec::new(purpose, "rpm", &["-e", "--nodeps"]).args(packages.iter().cloned());
    sys.run(&cmd)?.check(&cmd).map(|_| ())
}

/// The `gpg-pubkey-<keyid>-<created>` entries of rpm's keyring.
pub fn pubkeys(sys: &dyn System) -> Result<Vec<String>> {
    let cmd = CommandSpec::new(
        "listing rpm's trusted keys",
        "rpm",
        &[
            "-q",
            "gpg-pubkey",
            "--qf",
            "%{NAME}-%{VERSION}-%{RELEASE}\\n",
        ],
    );
    let out = sys.run(&cmd)?;
    if !out.success() {
        return Ok(Vec::new()); // "package gpg-pubkey is not installed"
    }
    Ok(out
        .stdout
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("gpg-pubkey-"))
        .map(str::to_string)
        .collect())
}

/// Imports a key file into rpm's keyring (what gpgcheck verifies against).
pub fn import_key(sys: &dyn System, path: &str) -> Result<()> {
    let cmd = CommandSpec::new(
        format!("importing the repository key {path} into rpm"),
        "rpm",
        &["--import", path],
    );
    let out = sys.run(&cmd)?;
    if out.success() {
        return Ok(());
    }
    Err(Error::Integrity {
        message: format!(
            "rpm refused the repository key {path}: {}",
            out.tail(4).replace('\n', " | ")
        ),
        fix: "give --repo-key the repository's signing key (an .asc file or URL)".into(),
    })
}

/// Removes a key from rpm's keyring.
pub fn remove_pubkey(sys: &dyn System, name: &str) -> Result<()> {
    let cmd = CommandSpec::new(
        format!("removing the key {name} from rpm"),
        "rpm",
        &["-e", name],
    );
    sys.run(&cmd)?.check(&cmd).map(|_| ())
}

/// ASCII armor for a binary OpenPGP key (yum reads only armored keys).
pub fn armor(binary: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(binary);
    let crc = crc24(binary);
    let crc = base64::engine::general_purpose::STANDARD.encode([
        (crc >> 16) as u8,
        (crc >> 8) as u8,
        crc as u8,
    ]);
    let mut out = String::from("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("={crc}\n-----END PGP PUBLIC KEY BLOCK-----\n"));
    out
}

/// The CRC-24 of RFC 4880 §6.1.
fn crc24(data: &[u8]) -> u32 {
    let mut crc: u32 = 0x00B7_04CE;
    for &b in data {
        crc ^= u32::from(b) << 16;
        for _ in 0..8 {
            crc <<= 1;
            if crc & 0x0100_0000 != 0 {
                crc ^= 0x0186_4CFB;
            }
        }
    }
    crc & 0x00FF_FFFF
}

/// Who holds rpm's database lock or runs yum or dnf, if anyone.
pub fn lock_holder_now() -> Option<LockHolder> {
    RPM_LOCK_FILES
        .iter()
        .filter(|f| std::path::Path::new(f).exists())
        .find_map(|f| lock_holder(f))
        .or_else(|| PID_LOCK_FILES.iter().find_map(|f| pid_file_holder(f)))
}

/// A yum/dnf PID lock file whose process is alive (and is not this one).
fn pid_file_holder(file: &str) -> Option<LockHolder> {
    let pid: i32 = std::fs::read_to_string(file).ok()?.trim().parse().ok()?;
    if pid <= 0 || pid as u32 == std::process::id() {
        return None;
    }
    let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
    Some(LockHolder {
        file: file.to_string(),
        pid,
        name: name.trim().to_string(),
    })
}

/// Waits, visibly and for at most `limit`, while another process holds
/// rpm's lock or runs yum or dnf; then exit 6.
pub fn wait_for_lock(
    sys: &dyn System,
    limit: Duration,
    report: impl FnMut(&LockHolder, Duration),
) -> Result<()> {
    super::wait_while_locked(sys, limit, lock_holder_now, report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_list_output_also_when_yum_wraps_it() {
        let dnf = "Installed Packages\nmoby-engine.x86_64     3.0.6+azure-0     @packages-microsoft-com-prod\nAvailable Packages\nmoby-engine.aarch64    3.0.5+azure-0     packages-microsoft-com-prod\nmoby-engine.x86_64     3.0.5+azure-0     packages-microsoft-com-prod\nmoby-engine.x86_64     3.0.6+azure-0     packages-microsoft-com-prod\nmoby-engine.x86_64     3.0.10+azure-0    packages-microsoft-com-prod\nmoby-engine-extra.x86_64 9.9-1 x\n";
        assert_eq!(
            parse_list(dnf, "moby-engine", "x86_64"),
            ["3.0.6+azure-0", "3.0.5+azure-0", "3.0.10+azure-0"]
        );
        assert_eq!(parse_list(dnf, "moby-engine", "aarch64"), ["3.0.5+azure-0"]);
        let yum = "Available Packages\nlibiothsm-std.x86_64\n                  1.0.9.2-1.el7      packages-microsoft-com-prod\nfoo.noarch 1:2.0-1 r\n";
        assert_eq!(
            parse_list(yum, "libiothsm-std", "x86_64"),
            ["1.0.9.2-1.el7"]
        );
        assert_eq!(parse_list(yum, "foo", "x86_64"), ["1:2.0-1"]);
        assert!(parse_list("", "iotedge", "x86_64").is_empty());
    }

    #[test]
    fn finds_what_a_removal_would_break() {
        let text = "error: Failed dependencies:\n\tlibiothsm-std = 1.0.9.2-1.el7 is needed by (installed) iotedge-1.0.9.2-1.el7.x86_64\n\tdocker is needed by (installed) podman-compat-1.0-1.noarch\n";
        assert_eq!(
            parse_needed_by(text),
            ["iotedge-1.0.9.2-1.el7.x86_64", "podman-compat-1.0-1.noarch"]
        );
        assert_eq!(name_of_nevra("iotedge-1.0.9.2-1.el7.x86_64"), "iotedge");
        assert_eq!(
            name_of_nevra("moby-engine-3.0.6+azure-0.x86_64"),
            "moby-engine"
        );
        assert_eq!(name_of_nevra("gpg-pubkey-be1229cf-5631588c"), "gpg-pubkey");
    }

    #[test]
    fn reads_repository_ids() {
        assert_eq!(
            repository_id("[packages-microsoft-com-prod]\nname=x\n").as_deref(),
            Some("packages-microsoft-com-prod")
        );
        assert_eq!(repository_id("name=x\n"), None);
    }

    #[test]
    fn classifies_front_end_failures() {
        let cmd = CommandSpec::new("reading", "dnf", &["makecache"]);
        let fail = |stderr: &str| CommandOutput {
            status: 1,
            stdout: String::new(),
            stderr: stderr.into(),
        };
        let err = classify(
            fail("Error: Failed to download metadata for repo 'packages-microsoft-com-prod': repomd.xml GPG signature verification error: Bad GPG signature"),
            &cmd,
            "http://x/centos/7/prod",
        )
        .unwrap_err();
        assert_eq!(err.exit_code(), crate::error::ExitCode::Integrity, "{err}");
        let err = classify(
            fail("Curl error (7): Couldn't connect to server for http://127.0.0.1:9/centos/7/prod/repodata/repomd.xml [Failed to connect to 127.0.0.1 port 9: Connection refused]"),
            &cmd,
            "http://127.0.0.1:9/centos/7/prod",
        )
        .unwrap_err();
        assert_eq!(err.exit_code(), crate::error::ExitCode::Network, "{err}");
        let err = classify(
            fail("Public key for moby-engine-3.0.6+azure-0.x86_64.rpm is not installed"),
            &cmd,
            "r",
        )
        .unwrap_err();
        assert_eq!(err.exit_code(), crate::error::ExitCode::Integrity, "{err}");
        let err = classify(fail("Error: Nothing to do."), &cmd, "r").unwrap_err();
        assert_eq!(err.exit_code(), crate::error::ExitCode::Failed, "{err}");
        assert!(classify(CommandOutput::default(), &cmd, "r").is_ok());
    }

    #[test]
    fn a_failed_scriptlet_fails_the_transaction() {
        let cmd = CommandSpec::new("installing", "dnf", &["install"]);
        let out = CommandOutput {
            status: 0,
            stdout:
                "warning: %post(iotedge-1.0.9.2-1.el7.x86_64) scriptlet failed, exit status 1\n"
                    .into(),
            stderr: String::new(),
        };
        let err = check_scriptlets(out, &cmd).unwrap_err();
        assert!(err.to_string().contains("%post(iotedge"), "{err}");
        assert!(check_scriptlets(CommandOutput::default(), &cmd).is_ok());
        let out = CommandOutput {
            status: 1,
            stdout: "  Running scriptlet: iotedge-1.0.9.2-1.el7.x86_64 2/2\n ERROR: No container runtime detected.\nerror: %prein(iotedge-1.0.9.2-1.el7.x86_64) scriptlet failed, exit status 1\n  Verifying : iotedge\n".into(),
            stderr: "Error in PREIN scriptlet in rpm package iotedge\nError: Transaction failed\n".into(),
        };
        let err = check_scriptlets(out, &cmd).unwrap_err().to_string();
        assert!(err.contains("exited 1"), "{err}");
        assert!(
            err.contains("ERROR: No container runtime detected."),
            "{err}"
        );
        assert!(
            err.contains("%prein(iotedge-1.0.9.2-1.el7.x86_64) scriptlet failed"),
            "{err}"
        );
        assert!(
            !err.contains("Verifying") && !err.contains("Running"),
            "{err}"
        );
    }

    #[test]
    fn armors_binary_keys_as_gpg_does() {
        // CRC-24/OPENPGP's check value.
        assert_eq!(crc24(b"123456789"), 0x0021_CF02);
        let bin = super::super::apt::dearmor(
            b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBFYxWIwBCADAKoZhZlJxGNGWzqV+1OG1xiQeoowKhssGAKvd+buXCGISZJwT\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n",
            "test",
        )
        .unwrap();
        let armored = armor(&bin);
        assert!(armored.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBFYx"));
        assert_eq!(
            super::super::apt::dearmor(armored.as_bytes(), "test").unwrap(),
            bin
        );
    }
}
