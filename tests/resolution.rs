//! Version resolution over every cell of the release table, on platforms
//! that exercise the Moby exception and the arm64 floor.

use edgeup::ExitCode;
use edgeup::catalog::Catalog;
use edgeup::resolve::{self, Resolution, VersionRequest};

fn resolve_on(platform: &str, version: &str) -> edgeup::Result<Resolution> {
    let catalog = Catalog::embedded();
    let platform = resolve::platform_by_id(catalog, platform)?;
    resolve::resolve_version(catalog, &VersionRequest::parse(version)?, &platform)
}

/// (platform, requested, release, daemon, libiothsm, agent, moby)
const CASES: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    (
        "ubuntu-18.04-amd64",
        "latest",
        "1.0.9",
        "1.0.9.2",
        "1.0.9.2",
        "1.0.9.2",
        "3.0.6",
    ),
    (
        "ubuntu-18.04-amd64",
        "1.0.9",
        "1.0.9",
        "1.0.9.2",
        "1.0.9.2",
        "1.0.9.2",
        "3.0.6",
    ),
    (
        "ubuntu-18.04-amd64",
        "1.0.9.1",
        "1.0.9",
        "1.0.9.1",
        "1.0.9.1",
        "1.0.9.1",
        "3.0.6",
    ),
    (
        "ubuntu-18.04-amd64",
        "1.0.9.2",
        "1.0.9",
        "1.0.9.2",
        "1.0.9.2",
        "1.0.9.2",
        "3.0.6",
    ),
    (
        "ubuntu-18.04-amd64",
        "1.0.8",
        "1.0.8",
        "1.0.8",
        "1.0.8",
        "1.0.8.5",
        "3.0.6",
    ),
    (
        "ubuntu-18.04-amd64",
        "1.0.8.1",
        "1.0.8",
        "1.0.8",
        "1.0.8",
        "1.0.8.1",
        "3.0.6",
    ),
    (
        "ubuntu-18.04-amd64",
        "1.0.8.3",
        "1.0.8",
        "1.0.8",
        "1.0.8",
        "1.0.8.3",
        "3.0.6",
    ),
    (
        "ubuntu-18.04-amd64",
        "1.0.8.5",
        "1.0.8",
        "1.0.8",
        "1.0.8",
        "1.0.8.5",
        "3.0.6",
    ),
    (
        "ubuntu-18.04-amd64",
        "1.0.7",
        "1.0.7",
        "1.0.7.1",
        "1.0.7.1",
        "1.0.7.1",
        "3.0.5",
    ),
    (
        "ubuntu-16.04-amd64",
        "1.0.7.1",
        "1.0.7",
        "1.0.7.1",
        "1.0.7.1",
        "1.0.7.1",
        "3.0.5",
    ),
    (
        "raspbian-9-armhf",
        "1.0.7",
        "1.0.7",
        "1.0.7.1",
        "1.0.7.1",
        "1.0.7.1",
        "3.0.4",
    ),
    (
        "ubuntu-18.04-armhf",
        "1.0.7",
        "1.0.7",
        "1.0.7.1",
        "1.0.7.1",
        "1.0.7.1",
        "3.0.4",
    ),
    (
        "centos-7-amd64",
        "1.0.7",
        "1.0.7",
        "1.0.7.1",
        "1.0.7.1",
        "1.0.7.1",
        "3.0.4",
    ),
    (
        "rhel-7-amd64",
        "1.0.7",
        "1.0.7",
        "1.0.7.1",
        "1.0.7.1",
        "1.0.7.1",
        "3.0.4",
    ),
    (
        "debian-9-amd64",
        "1.0.7",
        "1.0.7",
        "1.0.7.1",
        "1.0.7.1",
        "1.0.7.1",
        "3.0.5",
    ),
    (
        "raspbian-9-armhf",
        "1.0.8",
        "1.0.8",
        "1.0.8",
        "1.0.8",
        "1.0.8.5",
        "3.0.6",
    ),
    (
        "raspbian-9-armhf",
        "1.0.9",
        "1.0.9",
        "1.0.9.2",
        "1.0.9.2",
        "1.0.9.2",
        "3.0.6",
    ),
    (
        "ubuntu-18.04-amd64",
        "1.0.6",
        "1.0.6",
        "1.0.6.1",
        "1.0.6.1",
        "1.0.6.1",
        "3.0.2",
    ),
    (
        "raspbian-9-armhf",
        "1.0.6",
        "1.0.6",
        "1.0.6.1",
        "1.0.6.1",
        "1.0.6.1",
        "3.0.2",
    ),
    (
        "ubuntu-18.04-amd64",
        "1.0.6.1",
        "1.0.6",
        "1.0.6.1",
        "1.0.6.1",
        "1.0.6.1",
        "3.0.2",
    ),
    (
        "ubuntu-18.04-amd64",
        "1.0.5",
        "1.0.5",
        "1.0.5",
        "1.0.5",
        "1.0.5",
        "3.0.2",
    ),
    (
        "ubuntu-18.04-arm64",
        "1.0.8",
        "1.0.8",
        "1.0.8",
        "1.0.8",
        "1.0.8.5",
        "3.0.6",
    ),
    (
        "windows-10-iot-enterprise-amd64",
        "1.0.8.2",
        "1.0.8",
        "1.0.8",
        "1.0.8",
        "1.0.8.2",
        "3.0.6",
    ),
];

#[test]
fn every_release_cell_resolves() {
    for (platform, requested, release, daemon, hsm, agent, moby) in CASES {
        let r = resolve_on(platform, requested)
            .unwrap_or_else(|e| panic!("{platform} {requested}: {e}"));
        let got = (
            r.release.to_string(),
            r.daemon.to_string(),
            r.hsm.to_string(),
            r.agent.to_string(),
            r.moby.version.to_string(),
        );
        let want = (
            release.to_string(),
            daemon.to_string(),
            hsm.to_string(),
            agent.to_string(),
            moby.to_string(),
        );
        assert_eq!(got, want, "{platform} {requested}");
        assert_eq!(r.hub, r.agent, "edge hub and agent share a version");
        assert_eq!(
            r.daemon, r.hsm,
            "iotedge and libiothsm-std are pinned together"
        );
    }
}

#[test]
fn blank_moby_cells_take_the_newest_earlier_engine() {
    let r = resolve_on("ubuntu-18.04-amd64", "1.0.9").unwrap();
    assert_eq!(r.moby.from_release.to_string(), "1.0.8");
    assert!(!r.moby.exception);
    let r = resolve_on("raspbian-9-armhf", "1.0.7").unwrap();
    assert!(r.moby.exception);
    assert_eq!(r.client_sdk, "1.20.1");
}

#[test]
fn unknown_versions_are_bad_input_naming_the_known_ones() {
    for bad in ["1.0.4", "1.0.8.6", "1.0.9.3", "1.1.0", "2.0.0"] {
        let err = resolve_on("ubuntu-18.04-amd64", bad).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::BadInput, "{bad}");
        assert!(err.to_string().contains(bad), "{bad}: {err}");
        let hint = err.hint().unwrap();
        assert!(
            hint.contains("1.0.9.2") && hint.contains("1.0.5") && hint.contains("latest"),
            "{hint}"
        );
    }
    for malformed in ["1.0", "1", "abc", "1.0.8.3.1", "v1.0.8", ""] {
        let err = VersionRequest::parse(malformed).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::BadInput, "{malformed}");
    }
    assert_eq!(
        VersionRequest::parse("LATEST").unwrap(),
        VersionRequest::Latest
    );
}

#[test]
fn arm64_needs_1_0_8_or_newer() {
    for old in ["1.0.7", "1.0.6.1", "1.0.5"] {
        let err = resolve_on("ubuntu-18.04-arm64", old).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::Unsupported, "{old}");
        assert!(err.to_string().contains("arm64"), "{err}");
        assert!(err.hint().unwrap().contains("1.0.8"), "{err:?}");
    }
    assert!(resolve_on("debian-9-arm64", "1.0.8").is_ok());
}

#[test]
fn platform_ids_are_checked() {
    let catalog = Catalog::embedded();
    let err = resolve::platform_by_id(catalog, "ubuntu-20.04-amd64").unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::BadInput);
    assert!(err.hint().unwrap().contains("edgeup releases"));
    let err = resolve::platform_by_id(catalog, "raspbian-9-arm64").unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Unsupported);
    assert!(err.hint().unwrap().contains("raspbian-10-arm64"), "{err:?}");
    let err = resolve::platform_by_id(catalog, "wrlinux-8-armhf").unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Unsupported);
    assert!(err.hint().unwrap().contains("wrlinux-8-amd64"), "{err:?}");
}

#[test]
fn the_contract_platform_ids_exist() {
    let catalog = Catalog::embedded();
    for id in [
        "ubuntu-18.04-amd64",
        "ubuntu-18.04-arm64",
        "raspbian-9-armhf",
        "raspbian-10-arm64",
        "debian-10-armhf",
        "centos-7-amd64",
        "rhel-7-arm64",
    ] {
        assert!(catalog.platform(id).is_some(), "{id}");
    }
    // One platform per (OS, arch) with a cell in either table: Raspbian Stretch 1,
    // Ubuntu 16.04 and 18.04 3 each, Windows 4x1, CentOS/Debian 8/9/10/MEL Flex/
    // RHEL/Yocto 3 each (21), MEL Omni 2, Wind River 1, Raspbian Buster 2.
    assert_eq!(catalog.platforms().len(), 1 + 3 + 3 + 4 + 21 + 2 + 1 + 2);
}
