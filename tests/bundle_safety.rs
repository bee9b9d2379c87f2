//! `install --offline` checks a bundle completely before any change: only
//! regular files at plain relative paths, bounded counts, every byte as the
//! manifest says. Each tampered bundle here is refused with exit 8 and
//! leaves nothing extracted.

use std::path::Path;

use edgeup::ExitCode;
use edgeup::bundle::{self, BundleFile, Manifest};
use sha2::{Digest, Sha256};

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn manifest(files: &[(&str, &[u8])]) -> Manifest {
    Manifest {
        format: bundle::FORMAT,
        edgeup_version: "0.1.0".into(),
        platform: "ubuntu-18.04-amd64".into(),
        release: "1.0.9".into(),
        requested: "1.0.9".into(),
        files: files
            .iter()
            .map(|(p, b)| BundleFile {
                path: p.to_string(),
                size: b.len() as u64,
                sha256: sha(b),
                role: "iotedge".into(),
                package: Some("iotedge".into()),
            })
            .collect(),
    }
}

/// An entry whose name is written raw, so it can hold what tar's own API refuses.
fn raw_entry(
    tar: &mut tar::Builder<Vec<u8>>,
    name: &str,
    kind: tar::EntryType,
    data: &[u8],
    link: Option<&str>,
) {
    let mut header = tar::Header::new_old();
    let raw = &mut header.as_old_mut().name;
    raw[..name.len()].copy_from_slice(name.as_bytes());
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_entry_type(kind);
    if let Some(target) = link {
        header.as_old_mut().linkname[..target.len()].copy_from_slice(target.as_bytes());
    }
    header.set_cksum();
    tar.append(&header, data).unwrap();
}

/// A bundle with the manifest first and then `entries` (path, type, data, link).
fn bundle(
    dir: &Path,
    m: &Manifest,
    entries: &[(&str, tar::EntryType, &[u8], Option<&str>)],
) -> std::path::PathBuf {
    let mut tar = tar::Builder::new(Vec::new());
    let json = serde_json::to_vec(m).unwrap();
    raw_entry(
        &mut tar,
        bundle::MANIFEST,
        tar::EntryType::Regular,
        &json,
        None,
    );
    for (name, kind, data, link) in entries {
        raw_entry(&mut tar, name, *kind, data, *link);
    }
    let path = dir.join("bundle.tar");
    std::fs::write(&path, tar.into_inner().unwrap()).unwrap();
    path
}

const DEB: &[u8] = b"!<arch>\ndebian-binary   a dummy package body";

fn refused(path: &Path, dest: &Path, expect: &str) {
    let err = bundle::extract(path, dest).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Integrity, "{err}");
    assert!(err.to_string().contains(expect), "{err}");
    assert!(!dest.exists(), "nothing is left extracted");
}

#[test]
fn a_good_bundle_extracts() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(&[("packages/iotedge.deb", DEB)]);
    let b = bundle(
        dir.path(),
        &m,
        &[("packages/iotedge.deb", tar::EntryType::Regular, DEB, None)],
    );
    let dest = dir.path().join("out");
    assert_eq!(bundle::extract(&b, &dest).unwrap(), m);
    assert_eq!(
        std::fs::read(dest.join("packages/iotedge.deb")).unwrap(),
        DEB
    );
}

#[test]
fn a_changed_byte_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(&[("packages/iotedge.deb", DEB)]);
    let mut changed = DEB.to_vec();
    changed[10] ^= 1;
    let b = bundle(
        dir.path(),
        &m,
        &[(
            "packages/iotedge.deb",
            tar::EntryType::Regular,
            &changed,
            None,
        )],
    );
    refused(&b, &dir.path().join("out"), "has sha256");
}

#[test]
fn paths_that_leave_the_tree_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(&[("../evil.deb", DEB)]);
    let b = bundle(
        dir.path(),
        &m,
        &[("../evil.deb", tar::EntryType::Regular, DEB, None)],
    );
    refused(&b, &dir.path().join("out"), "not a plain relative path");
    let m = manifest(&[("/etc/evil.deb", DEB)]);
    let b = bundle(
        dir.path(),
        &m,
        &[("/etc/evil.deb", tar::EntryType::Regular, DEB, None)],
    );
    refused(&b, &dir.path().join("out"), "not a plain relative path");
    assert!(!dir.path().join("evil.deb").exists());
}

#[test]
fn links_and_other_special_entries_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(&[]);
    let b = bundle(
        dir.path(),
        &m,
        &[(
            "packages/escape",
            tar::EntryType::Symlink,
            b"",
            Some("/etc/shadow"),
        )],
    );
    refused(&b, &dir.path().join("out"), "not a regular file");
    let b = bundle(
        dir.path(),
        &m,
        &[(
            "packages/hard",
            tar::EntryType::Link,
            b"",
            Some("../../etc/shadow"),
        )],
    );
    refused(&b, &dir.path().join("out"), "not a regular file");
}

#[test]
fn missing_extra_and_misplaced_entries_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(&[("packages/a.deb", DEB), ("packages/b.deb", DEB)]);
    let b = bundle(
        dir.path(),
        &m,
        &[("packages/a.deb", tar::EntryType::Regular, DEB, None)],
    );
    refused(&b, &dir.path().join("out"), "'packages/b.deb' is missing");
    let m = manifest(&[("packages/a.deb", DEB)]);
    let b = bundle(
        dir.path(),
        &m,
        &[
            ("packages/a.deb", tar::EntryType::Regular, DEB, None),
            ("packages/x.deb", tar::EntryType::Regular, DEB, None),
        ],
    );
    refused(&b, &dir.path().join("out"), "not in the manifest");
    // The manifest must come first.
    let mut tar = tar::Builder::new(Vec::new());
    raw_entry(
        &mut tar,
        "packages/a.deb",
        tar::EntryType::Regular,
        DEB,
        None,
    );
    let path = dir.path().join("late.tar");
    std::fs::write(&path, tar.into_inner().unwrap()).unwrap();
    refused(&path, &dir.path().join("out"), "first entry");
}

#[test]
fn entry_counts_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..bundle::MAX_ENTRIES + 5)
        .map(|i| format!("packages/{i}.deb"))
        .collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), DEB)).collect();
    let m = manifest(&files);
    let entries: Vec<(&str, tar::EntryType, &[u8], Option<&str>)> = names
        .iter()
        .map(|n| (n.as_str(), tar::EntryType::Regular, DEB, None))
        .collect();
    let b = bundle(dir.path(), &m, &entries);
    refused(&b, &dir.path().join("out"), "more than");
}

#[test]
fn a_file_that_is_not_a_bundle_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.tar");
    std::fs::write(&path, b"this is not a tar file at all, just some text").unwrap();
    let err = bundle::extract(&path, &dir.path().join("out")).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Integrity, "{err}");
    let err = bundle::extract(&dir.path().join("absent.tar"), &dir.path().join("out")).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::BadInput, "{err}");
}

#[test]
fn index_and_release_parsers_read_real_shapes() {
    let release = "Origin: microsoft\nSuite: bionic\nSHA256:\n 0123abcd 1234 main/binary-amd64/Packages\n 4567ef01 567 main/binary-amd64/Packages.gz\nAcquire-By-Hash: no\n";
    let sums = bundle::parse_release_sha256(release);
    assert_eq!(
        sums["main/binary-amd64/Packages"],
        ("0123abcd".to_string(), 1234)
    );
    assert_eq!(sums.len(), 2);
    let packages = "Package: iotedge\nVersion: 1.0.9-1\nArchitecture: amd64\nFilename: pool/main/i/iotedge/iotedge_1.0.9-1_amd64.deb\nSize: 42\nSHA256: aa\nDescription: x\n multi-line\n\nPackage: broken\nVersion: 1\n";
    let entries = bundle::parse_packages(packages);
    assert_eq!(
        entries.len(),
        1,
        "a stanza without Filename/SHA256/Size is skipped"
    );
    assert_eq!(
        entries[0].filename,
        "pool/main/i/iotedge/iotedge_1.0.9-1_amd64.deb"
    );
    assert_eq!(entries[0].size, 42);
}
