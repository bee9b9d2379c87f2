//! `edgeup detect --root` against the fixture roots of tests/fixtures: every
//! OS row of the support table plus a few unsupported machines, each checked
//! for the platform ID, tier and (where unsupported) nearest platform it gets.

use assert_cmd::Command;
use serde_json::Value;

/// One fixture root and what detection must make of it.
struct Case {
    fixture: &'static str,
    id: &'static str,
    tier: &'static str,
    /// `platform.nearest.id`; `None` means the JSON has `null` there.
    nearest: Option<&'static str>,
    /// `facts.arch.userland`.
    userland: &'static str,
    /// `facts.arch.userland_source`.
    source: &'static str,
}

const CASES: &[Case] = &[
    Case {
        fixture: "raspbian-stretch",
        id: "raspbian-9-armhf",
        tier: "tier1",
        nearest: None,
        userland: "armhf",
        source: "dpkg-status",
    },
    Case {
        fixture: "raspbian-buster",
        id: "raspbian-10-armhf",
        tier: "tier2",
        nearest: None,
        userland: "armhf",
        source: "dpkg-status",
    },
    Case {
        fixture: "raspbian-buster-arm64",
        id: "raspbian-10-arm64",
        tier: "tier2",
        nearest: None,
        userland: "arm64",
        source: "dpkg-status",
    },
    Case {
        fixture: "debian-8",
        id: "debian-8-amd64",
        tier: "tier2",
        nearest: None,
        userland: "amd64",
        source: "dpkg-status",
    },
    Case {
        fixture: "debian-9",
        id: "debian-9-armhf",
        tier: "tier2",
        nearest: None,
        userland: "armhf",
        source: "dpkg-status",
    },
    Case {
        fixture: "debian-10",
        id: "debian-10-arm64",
        tier: "tier2",
        nearest: None,
        userland: "arm64",
        source: "dpkg-status",
    },
    Case {
        fixture: "ubuntu-16.04",
        id: "ubuntu-16.04-amd64",
        tier: "tier1",
        nearest: None,
        userland: "amd64",
        source: "dpkg-status",
    },
    Case {
        fixture: "ubuntu-18.04",
        id: "ubuntu-18.04-amd64",
        tier: "tier1",
        nearest: None,
        userland: "amd64",
        source: "dpkg-status",
    },
    Case {
        fixture: "ubuntu-18.04-arm64",
        id: "ubuntu-18.04-arm64",
        tier: "preview",
        nearest: None,
        userland: "arm64",
        source: "dpkg-status",
    },
    Case {
        fixture: "ubuntu-18.04-armhf",
        id: "ubuntu-18.04-armhf",
        tier: "tier2",
        nearest: None,
        userland: "armhf",
        source: "dpkg-status",
    },
    Case {
        fixture: "centos-7.5",
        id: "centos-7-amd64",
        tier: "tier2",
        nearest: None,
        userland: "amd64",
        source: "elf-header",
    },
    Case {
        fixture: "rhel-7.5",
        id: "rhel-7-arm64",
        tier: "tier2",
        nearest: None,
        userland: "arm64",
        source: "elf-header",
    },
    Case {
        fixture: "yocto",
        id: "yocto-armhf",
        tier: "tier2",
        nearest: None,
        userland: "armhf",
        source: "elf-header",
    },
    Case {
        fixture: "wrlinux-8",
        id: "wrlinux-8-amd64",
        tier: "tier2",
        nearest: None,
        userland: "amd64",
        source: "elf-header",
    },
    Case {
        fixture: "mel-flex",
        id: "mel-flex-arm64",
        tier: "tier2",
        nearest: None,
        userland: "arm64",
        source: "elf-header",
    },
    Case {
        fixture: "mel-omni",
        id: "mel-omni-amd64",
        tier: "tier2",
        nearest: None,
        userland: "amd64",
        source: "elf-header",
    },
    Case {
        fixture: "debian-12",
        id: "debian-12-amd64",
        tier: "unsupported",
        nearest: Some("debian-10-amd64"),
        userland: "amd64",
        source: "dpkg-status",
    },
    Case {
        fixture: "linuxmint-19",
        id: "linuxmint-19-amd64",
        tier: "unsupported",
        nearest: Some("ubuntu-18.04-amd64"),
        userland: "amd64",
        source: "dpkg-status",
    },
    // Mint 18.3 is built on Ubuntu 16.04 (UBUNTU_CODENAME=xenial), although
    // its own VERSION_ID is closer to 18.04: the codename decides.
    Case {
        fixture: "linuxmint-18.3",
        id: "linuxmint-18.3-amd64",
        tier: "unsupported",
        nearest: Some("ubuntu-16.04-amd64"),
        userland: "amd64",
        source: "dpkg-status",
    },
    Case {
        fixture: "raspbian-stretch-arm64",
        id: "raspbian-9-arm64",
        tier: "unsupported",
        nearest: Some("raspbian-10-arm64"),
        userland: "arm64",
        source: "dpkg-status",
    },
    Case {
        fixture: "ubuntu-18.04-docker-ce",
        id: "ubuntu-18.04-amd64",
        tier: "tier1",
        nearest: None,
        userland: "amd64",
        source: "dpkg-status",
    },
    Case {
        fixture: "ubuntu-18.04-iotedge",
        id: "ubuntu-18.04-amd64",
        tier: "tier1",
        nearest: None,
        userland: "amd64",
        source: "dpkg-status",
    },
];

/// The edgeup binary with no EDGEUP_* variable from the caller's environment
/// and no colors.
fn edgeup() -> Command {
    let mut cmd = Command::cargo_bin("edgeup").unwrap();
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("EDGEUP_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("NO_COLOR", "1").env_remove("CI");
    cmd
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// `edgeup detect --root <fixture> --json [extra...]`, which must exit 0;
/// returns the parsed document.
fn detect_json(name: &str, extra: &[&str]) -> Value {
    let root = fixture(name);
    let out = edgeup()
        .args(["detect", "--root", root.as_str(), "--json"])
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{name}: stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{name}: stdout is not JSON ({e}):\n{stdout}"))
}

#[test]
fn every_fixture_gets_its_platform_and_tier() {
    let mut failures = Vec::new();
    for case in CASES {
        let doc = detect_json(case.fixture, &[]);
        let platform = &doc["platform"];
        let arch = &doc["facts"]["arch"];
        let nearest = platform["nearest"]["id"].as_str();
        let got = (
            platform["id"].as_str(),
            platform["tier"].as_str(),
            nearest,
            arch["userland"].as_str(),
            arch["userland_source"].as_str(),
        );
        let want = (
            Some(case.id),
            Some(case.tier),
            case.nearest,
            Some(case.userland),
            Some(case.source),
        );
        if got != want {
            failures.push(format!(
                "{}: got (id, tier, nearest, userland, source) = {got:?}, want {want:?}",
                case.fixture
            ));
        }
        if case.nearest.is_none() && !platform["nearest"].is_null() {
            failures.push(format!(
                "{}: a supported platform has no nearest, got {}",
                case.fixture, platform["nearest"]
            ));
        }
        if case.tier == "unsupported" {
            if platform["reasons"].as_array().is_none_or(|r| r.is_empty()) {
                failures.push(format!("{}: unsupported without a reason", case.fixture));
            }
        } else if platform["reasons"] != Value::Array(Vec::new()) {
            failures.push(format!(
                "{}: supported but with reasons {}",
                case.fixture, platform["reasons"]
            ));
        }
        if doc["facts"]["memory"]["total_mib"].as_u64().is_none() {
            failures.push(format!(
                "{}: no memory read from proc/meminfo",
                case.fixture
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_table_covers_every_fixture_directory() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut in_table: Vec<String> = CASES.iter().map(|c| c.fixture.to_string()).collect();
    in_table.sort();
    assert_eq!(on_disk, in_table);
}

#[test]
fn package_database_and_service_manager_are_read() {
    let expected = [
        // (fixture, package_manager, service_manager)
        ("ubuntu-18.04", Value::from("dpkg"), "none"),
        ("centos-7.5", Value::from("rpm"), "none"),
        ("rhel-7.5", Value::from("rpm"), "none"),
        ("yocto", Value::Null, "none"),
        ("ubuntu-18.04-iotedge", Value::from("dpkg"), "systemd"),
    ];
    for (name, packages, services) in expected {
        let doc = detect_json(name, &[]);
        assert_eq!(doc["facts"]["package_manager"], packages, "{name}");
        assert_eq!(doc["facts"]["service_manager"], services, "{name}");
    }
}

#[test]
fn a_clean_machine_has_no_engine_and_no_iotedge() {
    let doc = detect_json("ubuntu-18.04", &[]);
    assert!(doc["facts"]["engine"].is_null(), "{}", doc["facts"]);
    assert!(doc["facts"]["iotedge"].is_null(), "{}", doc["facts"]);
}

#[test]
fn docker_ce_is_reported_as_the_engine() {
    let doc = detect_json("ubuntu-18.04-docker-ce", &[]);
    let engine = &doc["facts"]["engine"];
    assert_eq!(engine["name"], "docker-ce");
    assert_eq!(engine["version"], "5:19.03.13~3-0~ubuntu-bionic");
    assert!(doc["facts"]["iotedge"].is_null());
}

#[test]
fn an_installed_iotedge_and_moby_are_reported() {
    let doc = detect_json("ubuntu-18.04-iotedge", &[]);
    let facts = &doc["facts"];
    assert_eq!(doc["platform"]["id"], "ubuntu-18.04-amd64");
    assert_eq!(facts["iotedge"]["daemon"]["name"], "iotedge");
    assert_eq!(facts["iotedge"]["daemon"]["version"], "1.0.8-2");
    assert_eq!(facts["iotedge"]["hsm"]["name"], "libiothsm-std");
    assert_eq!(facts["iotedge"]["hsm"]["version"], "1.0.8-2");
    assert_eq!(facts["engine"]["name"], "moby-engine");
    assert_eq!(facts["engine"]["version"], "3.0.6");
    assert_eq!(facts["service_manager"], "systemd");
}

#[test]
fn os_release_is_read_from_usr_lib_when_etc_has_none() {
    // The debian-10 root has only usr/lib/os-release (Debian's
    // /etc/os-release is a symlink to it).
    let doc = detect_json("debian-10", &[]);
    let os = &doc["facts"]["os"];
    assert_eq!(os["kind"], "linux");
    assert_eq!(os["id"], "debian");
    assert_eq!(os["version_id"], "10");
    assert_eq!(os["codename"], "buster");
}

#[test]
fn os_release_fields_are_parsed_as_shipped() {
    // Debian 8 has no VERSION_CODENAME: the codename comes from VERSION.
    let doc = detect_json("debian-8", &[]);
    assert_eq!(doc["facts"]["os"]["codename"], "jessie");
    // CentOS quotes its ID and has VERSION_ID="7".
    let doc = detect_json("centos-7.5", &[]);
    assert_eq!(doc["facts"]["os"]["id"], "centos");
    assert_eq!(doc["facts"]["os"]["version_id"], "7");
    assert_eq!(
        doc["facts"]["os"]["id_like"],
        serde_json::json!(["rhel", "fedora"])
    );
    // Yocto's os-release says ID=poky; the platform is the Yocto row.
    let doc = detect_json("yocto", &[]);
    assert_eq!(doc["facts"]["os"]["id"], "poky");
    assert_eq!(doc["platform"]["name"], "Yocto");
    // Flex OS and Omni OS share ID=mel and differ by NAME.
    let doc = detect_json("mel-flex", &[]);
    assert_eq!(doc["facts"]["os"]["id"], "mel");
    assert_eq!(doc["platform"]["name"], "Mentor Embedded Linux Flex OS");
    let doc = detect_json("mel-omni", &[]);
    assert_eq!(doc["facts"]["os"]["id"], "mel");
    assert_eq!(doc["platform"]["name"], "Mentor Embedded Linux Omni OS");
}

#[test]
fn a_docker_container_root_is_reported() {
    let doc = detect_json("debian-12", &[]);
    assert_eq!(doc["facts"]["virtualization"]["container"], "docker");
    let doc = detect_json("debian-9", &[]);
    assert!(doc["facts"]["virtualization"]["container"].is_null());
}

#[test]
fn arch_option_overrides_the_userland() {
    let doc = detect_json("ubuntu-18.04", &["--arch", "arm64"]);
    assert_eq!(doc["platform"]["id"], "ubuntu-18.04-arm64");
    assert_eq!(doc["platform"]["tier"], "preview");
    assert_eq!(doc["facts"]["arch"]["userland"], "arm64");
    assert_eq!(doc["facts"]["arch"]["userland_source"], "option");
}

#[test]
fn unknown_arch_option_is_bad_input() {
    let root = fixture("ubuntu-18.04");
    let out = edgeup()
        .args([
            "detect",
            "--root",
            root.as_str(),
            "--arch",
            "sparc",
            "--json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{stderr}");
    assert!(stderr.contains("sparc"), "stderr names the value: {stderr}");
}

#[test]
fn missing_root_is_bad_input() {
    let out = edgeup()
        .args(["detect", "--root", "/nonexistent", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn human_report_names_the_platform_verdict_and_nearest() {
    let root = fixture("debian-12");
    let out = edgeup()
        .args(["detect", "--root", root.as_str()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{stdout}");
    for needle in ["debian-12-amd64", "unsupported", "debian-10-amd64"] {
        assert!(
            stdout.contains(needle),
            "{needle:?} missing from:\n{stdout}"
        );
    }
    assert!(
        !stdout.contains('\u{1b}'),
        "NO_COLOR=1 means no escape codes:\n{stdout}"
    );
}
