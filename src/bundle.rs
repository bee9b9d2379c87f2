//! Offline bundles: `edgeup bundle` gathers on a connected machine every file
//! an install needs for a platform and release; `edgeup install --offline`
//! checks and extracts one before any change and installs from it with no
//! network access at all.
//!
//! A bundle is a plain tar (its packages are compressed already) whose first
//! entry is `manifest.json`: edgeup version, platform, release, versions and
//! every file with its size and sha256. Entries are sorted and carry fixed
//! times, owners and modes, so the same inputs give a byte-identical bundle.
//! Repository packages are found through the signed `InRelease` (checked with
//! gpgv against the repository key) and the `Packages` index on the Debian
//! family, and through `repodata/repomd.xml` (checked with gpgv against its
//! detached `repomd.xml.asc`) and the `primary` index it names on the RPM
//! family, so each one is downloaded against a known sha256.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::catalog::Catalog;
use crate::debversion;
use crate::error::{Error, Result};
use crate::fetch::{Durability, FetchProgress, Fetcher};
use crate::plan::{self, Action, PackagePin, Plan, PlanOptions};
use crate::resolve::VersionRequest;

/// The manifest's name inside a bundle.
pub const MANIFEST: &str = "manifest.json";
/// The bundle format this edgeup writes and reads.
pub const FORMAT: u32 = 1;
/// Limits when reading a bundle.
pub const MAX_ENTRIES: usize = 256;
pub const MAX_FILE_BYTES: u64 = 2 << 30;
pub const MAX_TOTAL_BYTES: u64 = 8 << 30;

/// One file of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleFile {
    /// Path inside the bundle (`packages/iotedge_1.0.9.2-1_amd64.deb`).
    pub path: String,
    pub size: u64,
    pub sha256: String,
    /// `key` or the transaction (`engine`, `iotedge`, `fixup`).
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
}

/// What a bundle holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub edgeup_version: String,
    pub platform: String,
    pub release: String,
    pub requested: String,
    pub files: Vec<BundleFile>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One package of a repository's `Packages` index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    pub package: String,
    pub version: String,
    pub filename: String,
    pub sha256: String,
    pub size: u64,
}

/// Parses a `Packages` index.
pub fn parse_packages(text: &str) -> Vec<IndexEntry> {
    text.split("\n\n")
        .filter_map(|stanza| {
            let field = |name: &str| {
                stanza.lines().find_map(|l| {
                    l.strip_prefix(name)
                        .and_then(|r| r.strip_prefix(':'))
                        .map(|v| v.trim().to_string())
                })
            };
            Some(IndexEntry {
                package: field("Package")?,
                version: field("Version")?,
                filename: field("Filename")?,
                sha256: field("SHA256")?,
                size: field("Size")?.parse().ok()?,
            })
        })
        .collect()
}

/// The `SHA256:` section of a Release/InRelease file: path → (sha256, size).
pub fn parse_release_sha256(text: &str) -> BTreeMap<String, (String, u64)> {
    let mut out = BTreeMap::new();
    let mut in_section = false;
    for line in text.lines() {
        if line.starts_with("SHA256:") {
            in_section = true;
            continue;
        }
        if in_section {
            if !line.starts_with(' ') {
                in_section = false;
                continue;
            }
            let mut cols = line.split_whitespace();
            if let (Some(sha), Some(size), Some(path)) = (cols.next(), cols.next(), cols.next())
                && let Ok(size) = size.parse()
            {
                out.insert(path.to_string(), (sha.to_string(), size));
            }
        }
    }
    out
}

/// Runs gpgv against a binary keyring on `files` (written to a scratch
/// directory under their names, passed in order): a clearsigned file alone,
/// or a detached signature then the data it signs.
fn gpgv(files: &[(&str, &[u8])], keyring: &[u8], url: &str) -> Result<()> {
    let dir = scratch_dir()?;
    let keyring_path = dir.path.join("keyring.gpg");
    let io = |path: &Path, e: std::io::Error| Error::Io {
        action: "write",
        path: path.to_path_buf(),
        source: e,
    };
    std::fs::write(&keyring_path, keyring).map_err(|e| io(&keyring_path, e))?;
    let mut args = vec!["--keyring".into(), keyring_path.into_os_string()];
    for (name, bytes) in files {
        let path = dir.path.join(name);
        std::fs::write(&path, bytes).map_err(|e| io(&path, e))?;
        args.push(path.into_os_string());
    }
    let gpgv = which::which("gpgv").map_err(|_| Error::Failed {
        context: "checking the repository's signature".into(),
        detail: "gpgv is not installed here (apt-get install gpgv, or yum install gnupg2)".into(),
    })?;
    let out = duct::cmd(gpgv, args)
        .stdout_capture()
        .stderr_capture()
        .unchecked()
        .run()
        .map_err(|e| Error::Failed {
            context: "running gpgv".into(),
            detail: e.to_string(),
        })?;
    if !out.status.success() {
        return Err(Error::Integrity {
            message: format!(
                "{url} is not signed by the repository key: {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("gpgv refused it")
            ),
            fix: "pass the repository's real signing key with --repo-key".into(),
        });
    }
    Ok(())
}

/// Checks a clearsigned `InRelease` with gpgv against a binary keyring and
/// returns its signed text.
fn verify_inrelease(inrelease: &[u8], keyring: &[u8], url: &str) -> Result<String> {
    gpgv(&[("InRelease", inrelease)], keyring, url)?;
    let text = String::from_utf8_lossy(inrelease).into_owned();
    // The signed text sits between the header's blank line and the signature.
    let body = text
        .split_once("\n\n")
        .map(|(_, b)| b)
        .and_then(|b| b.split("-----BEGIN PGP SIGNATURE-----").next())
        .unwrap_or("")
        .to_string();
    Ok(body)
}

/// A temporary directory removed on drop (edgeup's own, so the library needs no test crates).
struct Scratch {
    path: PathBuf,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn scratch_dir() -> Result<Scratch> {
    let path = std::env::temp_dir().join(format!(
        "edgeup-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&path).map_err(|e| Error::Io {
        action: "create the directory",
        path: path.clone(),
        source: e,
    })?;
    Ok(Scratch { path })
}

/// The `deb` line's repository URL, suite and component.
fn apt_repository(content: &str) -> Option<(String, String, String)> {
    let words: Vec<&str> = content
        .split_whitespace()
        .filter(|w| !w.starts_with('[') && !w.ends_with(']'))
        .collect();
    // deb URL SUITE COMPONENT
    match words.as_slice() {
        ["deb", url, suite, component, ..] => {
            Some((url.to_string(), suite.to_string(), component.to_string()))
        }
        _ => None,
    }
}

/// The `baseurl=` of a yum `.repo` file, without its trailing slash.
fn yum_baseurl(content: &str) -> Option<String> {
    content.lines().find_map(|l| {
        l.trim()
            .strip_prefix("baseurl=")
            .map(|u| u.trim().trim_end_matches('/').to_string())
    })
}

/// The packages of a yum repository for an rpm architecture (and noarch):
/// `repodata/repomd.xml` checked against its detached signature
/// `repomd.xml.asc` with gpgv, then the `primary` index it names, checked
/// against the sha256 it gives.
fn yum_index(
    fetcher: &Fetcher,
    base: &str,
    keyring: &[u8],
    rpm_arch: &str,
) -> Result<Vec<IndexEntry>> {
    let repomd_url = format!("{base}/repodata/repomd.xml");
    let repomd = fetcher.fetch_bytes(&repomd_url)?;
    let signature = fetcher.fetch_bytes(&format!("{repomd_url}.asc"))?;
    gpgv(
        &[("repomd.xml.asc", &signature), ("repomd.xml", &repomd)],
        keyring,
        &repomd_url,
    )?;
    let primary = crate::repodata::parse_repomd(&String::from_utf8_lossy(&repomd), &repomd_url)?;
    let primary_url = format!("{base}/{}", primary.href);
    let gzip = primary.href.ends_with(".xml.gz");
    if !gzip && !primary.href.ends_with(".xml") {
        let kind = primary.href.rsplit('.').next().unwrap_or_default();
        return Err(Error::unsupported(
            format!(
                "{repomd_url} gives the primary index as {}, compressed as '{kind}'; edgeup reads gzip-compressed (.xml.gz) or plain primary indexes",
                primary.href
            ),
            "bundle from a repository made with createrepo's default compression (gzip), or run createrepo_c with --general-compress-type=gz",
        ));
    }
    let raw = fetcher.fetch_bytes(&primary_url)?;
    if sha256_hex(&raw) != primary.sha256 {
        return Err(Error::Integrity {
            message: format!("{primary_url} does not match the sha256 its signed repomd.xml gives"),
            fix: "the mirror is inconsistent or tampered with; try again later or another mirror"
                .into(),
        });
    }
    let text = if gzip {
        let mut s = String::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_string(&mut s)
            .map_err(|e| Error::Failed {
                context: format!("reading {primary_url}"),
                detail: e.to_string(),
            })?;
        s
    } else {
        String::from_utf8_lossy(&raw).into_owned()
    };
    Ok(crate::repodata::parse_primary(&text, &primary_url)?
        .into_iter()
        .filter(|p| p.arch == rpm_arch || p.arch == "noarch")
        .map(|p| IndexEntry {
            package: p.name,
            version: p.version,
            filename: p.location,
            sha256: p.sha256,
            size: p.size,
        })
        .collect())
}

/// The files gathered so far, in a scratch directory.
struct Collected<'a> {
    dir: &'a Path,
    fetcher: &'a Fetcher,
    progress: &'a dyn FetchProgress,
    files: Vec<BundleFile>,
}

impl Collected<'_> {
    /// Downloads a package into `packages/` (against `sha` when known).
    fn fetch(
        &mut self,
        url: &str,
        role: &str,
        package: Option<&str>,
        sha: Option<&str>,
    ) -> Result<()> {
        let name = url.rsplit('/').next().unwrap_or("file").to_string();
        let rel = format!("packages/{name}");
        let got = self.fetcher.fetch_to_with(
            url,
            &self.dir.join(&rel),
            sha,
            self.progress,
            Durability::Scratch,
        )?;
        self.files.push(BundleFile {
            path: rel,
            size: got.bytes,
            sha256: got.sha256,
            role: role.into(),
            package: package.map(str::to_string),
        });
        Ok(())
    }
}

/// Makes a bundle for a platform and release at `output`.
pub fn create(
    catalog: &Catalog,
    platform: &str,
    request: &VersionRequest,
    options: &PlanOptions,
    fetcher: &Fetcher,
    progress: &dyn FetchProgress,
    output: &Path,
) -> Result<Manifest> {
    let plan = plan::plan_for_platform(catalog, platform, request, options)?;
    if !["apt", "rpm", "windows"].contains(&plan.platform.family.as_str()) {
        return Err(Error::unsupported(
            format!(
                "offline bundles are made for the Debian and RPM families and Windows; {} is {}",
                plan.platform.id, plan.platform.family
            ),
            "bundle a Debian-family, CentOS/RHEL 7 or Windows platform (edgeup releases lists them)",
        ));
    }
    let dir = scratch_dir()?;
    let mut collected = Collected {
        dir: &dir.path,
        fetcher,
        progress,
        files: Vec::new(),
    };
    let mut index: Option<(String, Vec<IndexEntry>)> = None;
    let arch = plan.platform.arch.clone();
    for step in &plan.steps {
        match &step.action {
            Action::AddRepository {
                content, key_url, ..
            } => {
                let key = if key_url.starts_with("http://") || key_url.starts_with("https://") {
                    fetcher.fetch_bytes(key_url)?
                } else {
                    std::fs::read(key_url).map_err(|e| Error::Io {
                        action: "read",
                        path: key_url.into(),
                        source: e,
                    })?
                };
                let binary = crate::backend::apt::dearmor(&key, key_url)?;
                std::fs::create_dir_all(dir.path.join("keys")).map_err(|e| Error::Io {
                    action: "create the directory",
                    path: dir.path.join("keys"),
                    source: e,
                })?;
                std::fs::write(dir.path.join("keys/microsoft.asc"), &key).map_err(|e| {
                    Error::Io {
                        action: "write",
                        path: dir.path.join("keys/microsoft.asc"),
                        source: e,
                    }
                })?;
                collected.files.push(BundleFile {
                    path: "keys/microsoft.asc".into(),
                    size: key.len() as u64,
                    sha256: sha256_hex(&key),
                    role: "key".into(),
                    package: None,
                });
                if let Some(url) = yum_baseurl(content) {
                    let rpm_arch = crate::catalog::Arch::from_debian_name(&arch)
                        .map(|a| catalog.arch_info(a).rpm.clone())
                        .unwrap_or_else(|| arch.clone());
                    index = Some((url.clone(), yum_index(fetcher, &url, &binary, &rpm_arch)?));
                } else if let Some((url, suite, component)) = apt_repository(content) {
                    index = Some((url, Vec::new()));
                    let (base, entries) = index.as_mut().unwrap();
                    let inrelease_url = format!("{base}/dists/{suite}/InRelease");
                    let inrelease = fetcher.fetch_bytes(&inrelease_url)?;
                    let signed = verify_inrelease(&inrelease, &binary, &inrelease_url)?;
                    let sums = parse_release_sha256(&signed);
                    let plain = format!("{component}/binary-{arch}/Packages");
                    let gz = format!("{plain}.gz");
                    let (path, (sha, _)) = sums
                        .get_key_value(&plain)
                        .or_else(|| sums.get_key_value(&gz))
                        .ok_or_else(|| Error::Failed {
                            context: format!("reading {inrelease_url}"),
                            detail: format!("it lists no {plain} index"),
                        })?;
                    let packages_url = format!("{base}/dists/{suite}/{path}");
                    let raw = fetcher.fetch_bytes(&packages_url)?;
                    if sha256_hex(&raw) != *sha {
                        return Err(Error::Integrity {
                            message: format!("{packages_url} does not match the sha256 its signed InRelease gives"),
                            fix: "the mirror is inconsistent or tampered with; try again later or another mirror".into(),
                        });
                    }
                    let text = if path.ends_with(".gz") {
                        let mut s = String::new();
                        flate2::read::GzDecoder::new(&raw[..])
                            .read_to_string(&mut s)
                            .map_err(|e| Error::Failed {
                                context: format!("reading {packages_url}"),
                                detail: e.to_string(),
                            })?;
                        s
                    } else {
                        String::from_utf8_lossy(&raw).into_owned()
                    };
                    *entries = parse_packages(&text);
                }
            }
            Action::InstallPackages {
                transaction,
                packages,
                ..
            } => {
                if packages.iter().all(|p| p.url.is_some()) {
                    for pin in packages {
                        collected.fetch(
                            pin.url.as_deref().unwrap(),
                            transaction,
                            Some(&pin.name),
                            None,
                        )?;
                    }
                    continue;
                }
                let (base, entries) = index.as_ref().ok_or_else(|| Error::Failed {
                    context: "making the bundle".into(),
                    detail: "repository packages without a repository".into(),
                })?;
                let chosen = choose(entries, packages)?;
                for entry in chosen {
                    let url = if entry.filename.starts_with("http://")
                        || entry.filename.starts_with("https://")
                    {
                        entry.filename.clone()
                    } else {
                        format!("{base}/{}", entry.filename)
                    };
                    collected.fetch(
                        &url,
                        transaction,
                        Some(&entry.package),
                        Some(&entry.sha256),
                    )?;
                }
            }
            Action::InstallWindowsPackage { url, .. } => {
                collected.fetch(url, "iotedge", Some(crate::install::WINDOWS_PACKAGE), None)?;
            }
            Action::InstallVcRuntime { url, .. } => {
                collected.fetch(url, "vc-runtime", Some("vc_redist"), None)?;
            }
            Action::Fixup {
                fixup,
                fallback_url,
                packages,
            } => {
                let url = fallback_url.as_deref().ok_or_else(|| {
                    Error::usage(
                        format!("an offline bundle for {} must carry {}, and no --debian-archive was given", plan.platform.id, packages[0].name),
                        "give --debian-archive URL of a Debian archive that carries stretch's libssl1.0.2",
                    )
                })?;
                let _ = fixup;
                collected.fetch(url, "fixup", Some(&packages[0].name), None)?;
            }
            _ => {}
        }
    }
    let mut files = collected.files;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest {
        format: FORMAT,
        edgeup_version: env!("CARGO_PKG_VERSION").to_string(),
        platform: plan.platform.id.clone(),
        release: plan.release.clone(),
        requested: plan.versions.requested.clone(),
        files,
    };
    write_tar(&dir.path, &manifest, output)?;
    Ok(manifest)
}

/// The newest index entries of a transaction's pins, preferring a version
/// every package offers (pinned together).
fn choose<'a>(entries: &'a [IndexEntry], pins: &[PackagePin]) -> Result<Vec<&'a IndexEntry>> {
    let offered: Vec<Vec<String>> = pins
        .iter()
        .map(|p| {
            entries
                .iter()
                .filter(|e| e.package == p.name)
                .map(|e| e.version.clone())
                .collect()
        })
        .collect();
    let common: Vec<String> = offered[0]
        .iter()
        .filter(|v| offered.iter().all(|o| o.contains(v)))
        .cloned()
        .collect();
    pins.iter()
        .zip(&offered)
        .map(|(pin, offered)| {
            let want = pin.version.as_deref().unwrap_or_default();
            let version = debversion::newest_build(&common, want)
                .or_else(|| debversion::newest_build(offered, want))
                .ok_or_else(|| Error::Failed {
                    context: format!("bundling {} {want}", pin.name),
                    detail: format!(
                        "the repository offers no {} {want} (it offers: {})",
                        pin.name,
                        offered.join(", ")
                    ),
                })?;
            Ok(entries
                .iter()
                .find(|e| e.package == pin.name && e.version == version)
                .expect("chosen from the entries"))
        })
        .collect()
}

/// Writes the tar: manifest first, then the files in path order, with fixed
/// metadata; into a temp file renamed into place.
fn write_tar(dir: &Path, manifest: &Manifest, output: &Path) -> Result<()> {
    let temp = output.with_file_name(format!(
        ".{}.part",
        output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    let io = |path: &Path, e: std::io::Error| Error::Io {
        action: "write",
        path: path.to_path_buf(),
        source: e,
    };
    let file = std::fs::File::create(&temp).map_err(|e| io(&temp, e))?;
    // Straight into the file, no BufWriter: a package's bytes go from its
    // scratch copy to the tar by std::io::copy between two files, which the
    // kernel does itself (copy_file_range) without passing them through here.
    let mut tar = tar::Builder::new(file);
    tar.mode(tar::HeaderMode::Deterministic);
    let header = |size: u64| {
        let mut header = tar::Header::new_gnu();
        header.set_size(size);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        header
    };
    let mut json = serde_json::to_vec_pretty(manifest).expect("a manifest serializes");
    json.push(b'\n');
    tar.append_data(&mut header(json.len() as u64), MANIFEST, &json[..])
        .map_err(|e| io(&temp, e))?;
    for f in &manifest.files {
        let path = dir.join(&f.path);
        let mut source = std::fs::File::open(&path).map_err(|e| io(&path, e))?;
        // The header (and a GNU long-name entry when the path needs one) by
        // the tar crate, with no data: it pads only what it copied. Then the
        // data and its padding to a 512-byte block.
        tar.append_data(&mut header(f.size), &f.path, std::io::empty())
            .map_err(|e| io(&temp, e))?;
        let out = tar.get_mut();
        let copied = std::io::copy(&mut source, out).map_err(|e| io(&temp, e))?;
        if copied != f.size {
            return Err(io(
                &path,
                std::io::Error::other(format!("{} bytes, the manifest says {}", copied, f.size)),
            ));
        }
        let pad = (512 - f.size % 512) % 512;
        out.write_all(&[0u8; 512][..pad as usize])
            .map_err(|e| io(&temp, e))?;
    }
    let inner = tar.into_inner().map_err(|e| io(&temp, e))?;
    inner.sync_all().map_err(|e| io(&temp, e))?;
    std::fs::rename(&temp, output).map_err(|e| Error::Io {
        action: "rename into place",
        path: output.to_path_buf(),
        source: e,
    })
}

fn tampered(bundle: &Path, problem: impl Into<String>) -> Error {
    Error::Integrity {
        message: format!(
            "the bundle {} is not as edgeup made it: {}; nothing was changed",
            bundle.display(),
            problem.into()
        ),
        fix: "make the bundle again with `edgeup bundle` on a connected machine and copy it again"
            .into(),
    }
}

/// Whether a path inside a bundle is a plain relative path with no `..`.
fn safe_path(path: &Path) -> bool {
    !path.as_os_str().is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Checks and extracts a bundle into `dest` (created, emptied first): only
/// regular files at safe relative paths, bounded sizes and counts, every
/// file's sha256 as the manifest says, nothing missing and nothing extra.
/// On any problem `dest` is removed and the error says what was wrong.
pub fn extract(bundle: &Path, dest: &Path) -> Result<Manifest> {
    let result = extract_inner(bundle, dest);
    if result.is_err() {
        let _ = std::fs::remove_dir_all(dest);
    }
    result
}

fn extract_inner(bundle: &Path, dest: &Path) -> Result<Manifest> {
    let file = std::fs::File::open(bundle).map_err(|e| {
        Error::bad_input(
            "--offline",
            bundle.display().to_string(),
            format!("cannot be read: {e}"),
            "give the path of a bundle made by `edgeup bundle`",
        )
    })?;
    let _ = std::fs::remove_dir_all(dest);
    std::fs::create_dir_all(dest).map_err(|e| Error::Io {
        action: "create the directory",
        path: dest.to_path_buf(),
        source: e,
    })?;
    let mut archive = tar::Archive::new(file);
    let mut manifest: Option<Manifest> = None;
    let mut seen: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut total = 0u64;
    let entries = archive
        .entries()
        .map_err(|e| tampered(bundle, e.to_string()))?;
    for (i, entry) in entries.enumerate() {
        let mut entry = entry.map_err(|e| tampered(bundle, e.to_string()))?;
        if i >= MAX_ENTRIES {
            return Err(tampered(
                bundle,
                format!("it has more than {MAX_ENTRIES} entries"),
            ));
        }
        let path = entry
            .path()
            .map_err(|e| tampered(bundle, e.to_string()))?
            .into_owned();
        let shown = path.display().to_string();
        if !safe_path(&path) {
            return Err(tampered(
                bundle,
                format!("the entry '{shown}' is not a plain relative path"),
            ));
        }
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(tampered(
                bundle,
                format!(
                    "the entry '{shown}' is a {:?}, not a regular file",
                    entry.header().entry_type()
                ),
            ));
        }
        let size = entry.size();
        if size > MAX_FILE_BYTES {
            return Err(tampered(
                bundle,
                format!("the entry '{shown}' is {size} bytes, over the limit"),
            ));
        }
        total += size;
        if total > MAX_TOTAL_BYTES {
            return Err(tampered(
                bundle,
                "it is larger than any bundle edgeup makes",
            ));
        }
        if i == 0 {
            if shown != MANIFEST {
                return Err(tampered(
                    bundle,
                    format!("its first entry is '{shown}', not {MANIFEST}"),
                ));
            }
            let mut text = Vec::new();
            entry
                .read_to_end(&mut text)
                .map_err(|e| tampered(bundle, e.to_string()))?;
            let m: Manifest = serde_json::from_slice(&text)
                .map_err(|e| tampered(bundle, format!("{MANIFEST}: {e}")))?;
            if m.format != FORMAT {
                return Err(tampered(
                    bundle,
                    format!(
                        "it is format {}, this edgeup reads format {FORMAT}",
                        m.format
                    ),
                ));
            }
            manifest = Some(m);
            continue;
        }
        if seen.contains_key(&shown) {
            return Err(tampered(
                bundle,
                format!("the entry '{shown}' appears twice"),
            ));
        }
        let target = dest.join(&path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::Io {
                action: "create the directory",
                path: parent.to_path_buf(),
                source: e,
            })?;
        }
        let mut out = std::fs::File::create(&target).map_err(|e| Error::Io {
            action: "create",
            path: target.clone(),
            source: e,
        })?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 128 * 1024];
        loop {
            let n = entry
                .read(&mut buf)
                .map_err(|e| tampered(bundle, e.to_string()))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(|e| Error::Io {
                action: "write",
                path: target.clone(),
                source: e,
            })?;
        }
        let sha: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        seen.insert(shown, (size, sha));
    }
    let manifest = manifest.ok_or_else(|| tampered(bundle, "it is empty"))?;
    for f in &manifest.files {
        match seen.remove(&f.path) {
            None => return Err(tampered(bundle, format!("'{}' is missing", f.path))),
            Some((size, sha)) if size != f.size || sha != f.sha256 => {
                return Err(tampered(
                    bundle,
                    format!(
                        "'{}' has sha256 {sha}, the manifest says {}",
                        f.path, f.sha256
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = seen.keys().next() {
        return Err(tampered(
            bundle,
            format!("'{extra}' is not in the manifest"),
        ));
    }
    Ok(manifest)
}

/// Turns a plan into its offline form: no repository step, every package
/// from the extracted bundle (`file://` URLs).
pub fn offline_plan(mut plan: Plan, manifest: &Manifest, dir: &Path) -> Result<Plan> {
    let local = |role: &str, package: &str| -> Result<String> {
        manifest
            .files
            .iter()
            .find(|f| f.role == role && f.package.as_deref() == Some(package))
            .map(|f| format!("file://{}", dir.join(&f.path).display()))
            .ok_or_else(|| {
                Error::usage(
                    format!("the bundle holds no {package} for the '{role}' step"),
                    "make the bundle for this platform and release with `edgeup bundle`",
                )
            })
    };
    plan.steps
        .retain(|s| !matches!(s.action, Action::AddRepository { .. }));
    for step in &mut plan.steps {
        match &mut step.action {
            Action::InstallPackages {
                transaction,
                packages,
                ..
            } => {
                for pin in packages.iter_mut() {
                    let url = local(transaction, &pin.name)?;
                    pin.file = url.rsplit('/').next().map(str::to_string);
                    pin.url = Some(url);
                }
                step.summary = format!("{} (from the offline bundle)", step.summary);
            }
            Action::InstallWindowsPackage { url, .. } => {
                *url = local("iotedge", crate::install::WINDOWS_PACKAGE)?;
            }
            Action::InstallVcRuntime { url, .. } => {
                *url = local("vc-runtime", "vc_redist")?;
            }
            Action::Fixup {
                fallback_url,
                packages,
                ..
            } => {
                let url = local("fixup", &packages[0].name)?;
                packages[0].url = Some(url.clone());
                *fallback_url = Some(url);
            }
            _ => {}
        }
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// write_tar copies package bytes file to file and pads them itself:
    /// sizes around the 512-byte block and a path too long for a plain tar
    /// header must come back out of `extract` intact, and twice the same.
    #[test]
    fn written_tars_extract_to_the_same_bytes_and_are_reproducible() {
        let scratch = scratch_dir().unwrap();
        let src = scratch.path.join("src");
        let long = format!("packages/{}.deb", "x".repeat(120));
        let contents: Vec<(String, Vec<u8>)> = [0usize, 1, 511, 512, 513, 70_000]
            .iter()
            .map(|&n| {
                (
                    format!("packages/file-{n}.deb"),
                    (0..n).map(|i| (i * 7 % 251) as u8).collect(),
                )
            })
            .chain([(long.clone(), b"long name".to_vec())])
            .collect();
        for (path, bytes) in &contents {
            let p = src.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        let manifest = Manifest {
            format: FORMAT,
            edgeup_version: "test".into(),
            platform: "ubuntu-18.04-amd64".into(),
            release: "1.0.9".into(),
            requested: "1.0.9".into(),
            files: contents
                .iter()
                .map(|(path, bytes)| BundleFile {
                    path: path.clone(),
                    size: bytes.len() as u64,
                    sha256: sha256_hex(bytes),
                    role: "iotedge".into(),
                    package: None,
                })
                .collect(),
        };
        let (first, second) = (scratch.path.join("a.tar"), scratch.path.join("b.tar"));
        write_tar(&src, &manifest, &first).unwrap();
        write_tar(&src, &manifest, &second).unwrap();
        let bytes = std::fs::read(&first).unwrap();
        assert_eq!(bytes, std::fs::read(&second).unwrap(), "reproducible");
        assert_eq!(bytes.len() % 512, 0, "whole blocks");

        let out = scratch.path.join("out");
        let back = extract(&first, &out).unwrap();
        assert_eq!(back, manifest);
        for (path, expected) in &contents {
            assert_eq!(&std::fs::read(out.join(path)).unwrap(), expected, "{path}");
        }
    }
}
