//! Platform scenarios of the sandbox suite: real installs on the Tier 2
//! platforms whose IoT Edge packages are GitHub release assets rather than
//! repository packages, and on a real armhf userland under qemu.
//!
//! - Debian 10 amd64: moby-engine from debian/10/prod, the libssl1.0.2 fixup
//!   (from the --debian-archive .deb, from a distribution source, or a
//!   rollback when there is neither), iotedge and libiothsm-std from the
//!   debian10 release assets, then a no-op re-run.
//! - Debian 9 amd64 with 1.0.8: the family-wide assets of releases before
//!   1.0.9 (`iotedge_1.0.8-2_amd64.deb`, no OS tag).
//! - Raspbian Buster on a real armhf root (bookworm armhf under
//!   qemu-user-static) with the cross-built armhf edgeup.
//!
//! Like tests/sandbox.rs these need root, the sandbox tools
//! (scripts/sandbox/deps.sh) and the binaries in EDGEUP_SANDBOX_BIN and
//! EDGEUP_SANDBOX_BIN_ARMHF; `ci/test.sh` provides them and runs this file
//! with `--ignored`. Each scenario asserts the system's state afterwards.

mod common;

use std::process::Command;

use common::*;
use serde_json::Value;

const LIBSSL: &str = "libssl1.0.2 1.0.2u-1~deb9u1";
const LIBSSL_FILE: &str = "libssl1.0.2_1.0.2u-1~deb9u1";

/// `edgeup install` against the server with the release assets served too.
fn install_assets(root: &Root, server: &Server, extra: &[&str]) -> (i32, String, String) {
    let assets = server.assets_url();
    let mut args = vec!["--assets-url", assets.as_str()];
    args.extend_from_slice(extra);
    install(root, server, &args)
}

/// Where `entry` is in `list`; fails naming the list when it is missing.
fn position(list: &[String], entry: &str) -> usize {
    list.iter()
        .position(|l| l == entry)
        .unwrap_or_else(|| panic!("{entry:?} is not in {list:#?}"))
}

/// A release asset (or another file of the stand-in host) was downloaded
/// into /var/cache/edgeup unchanged.
fn assert_cached(root: &Root, served: &str) {
    let name = served.rsplit('/').next().unwrap();
    let cached = std::fs::read(root.path(&format!("/var/cache/edgeup/{name}")))
        .unwrap_or_else(|e| panic!("/var/cache/edgeup/{name} was not downloaded: {e}"));
    let original = std::fs::read(repo().join(served)).unwrap();
    assert!(
        cached == original,
        "{name} differs from the served {served}"
    );
}

fn cache_listing(root: &Root) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.path("/var/cache/edgeup"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn assert_config(root: &Root, agent: &str, provisioned: bool) {
    let config = root.read("/etc/iotedge/config.yaml").unwrap();
    assert!(
        config.contains(&format!("mcr.microsoft.com/azureiotedge-agent:{agent}")),
        "{config}"
    );
    if provisioned {
        assert!(
            config.contains(&format!("device_connection_string: \"{CS}\"")),
            "{config}"
        );
    }
    assert_eq!(
        root.mode_owner("/etc/iotedge/config.yaml"),
        "400 iotedge:iotedge"
    );
}

/// What an IoT Edge 1.0.9 install on the Buster family (Debian 10, Raspbian
/// Buster) leaves behind: the engine from debian/10/prod, libssl1.0.2 before
/// IoT Edge, IoT Edge from the debian10 release assets of `arch`, the config
/// and the receipt. `libssl_detail` is the fixup step's detail (where
/// libssl1.0.2 came from).
fn assert_buster_install(
    root: &Root,
    server: &Server,
    report: &Value,
    platform: &str,
    arch: &str,
    libssl_detail: &str,
) {
    assert_eq!(report["platform"], platform, "{report}");
    assert_eq!(report["release"], "1.0.9");
    assert_eq!(report["changed"], true);
    assert_eq!(report["verify"]["ok"], true, "{}", report["verify"]);

    // The engine comes from the Buster repository; that repository carries
    // no IoT Edge packages, so those can only come from the assets.
    assert_eq!(
        root.read("/etc/apt/sources.list.d/microsoft-prod.list")
            .as_deref(),
        Some(
            format!(
                "deb [arch={arch} signed-by=/usr/share/keyrings/microsoft-prod.gpg] {}/debian/10/prod buster main\n",
                server.url()
            )
            .as_str()
        )
    );
    let (code, madison, err) = root.run(&["apt-cache", "madison", "iotedge", "libiothsm-std"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(madison.trim(), "", "debian/10/prod offers no IoT Edge");
    assert_eq!(root.installed("moby-engine").as_deref(), Some("3.0.6"));
    assert_eq!(root.installed("moby-cli").as_deref(), Some("3.0.6"));
    assert_eq!(
        root.installed("libssl1.0.2").as_deref(),
        Some("1.0.2u-1~deb9u1")
    );
    assert_eq!(root.installed("iotedge").as_deref(), Some("1.0.9.2-1"));
    assert_eq!(
        root.installed("libiothsm-std").as_deref(),
        Some("1.0.9.2-1")
    );

    // Order, as dpkg saw it: engine, then libssl1.0.2, then IoT Edge.
    let installs = root.dpkg_log("install");
    let libssl = position(&installs, LIBSSL);
    assert!(
        position(&installs, "moby-engine 3.0.6") < libssl,
        "{installs:#?}"
    );
    assert!(
        libssl < position(&installs, "libiothsm-std 1.0.9.2-1"),
        "libssl1.0.2 goes in before IoT Edge: {installs:#?}"
    );
    assert!(
        libssl < position(&installs, "iotedge 1.0.9.2-1"),
        "{installs:#?}"
    );
    assert!(root.dpkg_log("remove").is_empty(), "{installs:#?}");

    // Order, as the report says it: the fixup step runs before the IoT Edge
    // transaction and says where the package came from.
    let steps = steps(report);
    let kinds: Vec<&str> = steps.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "add_repository",
            "install_packages",
            "fixup",
            "install_packages",
            "write_config",
            "service",
            "verify"
        ],
        "{steps:#?}"
    );
    assert_eq!(steps[1].2, "moby-engine=3.0.6 moby-cli=3.0.6");
    assert_eq!(steps[2].1, "done");
    assert_eq!(steps[2].2, libssl_detail);
    let hsm_asset = format!("libiothsm-std_1.0.9.2-1-1_debian10_{arch}.deb");
    let daemon_asset = format!("iotedge_1.0.9.2-1_debian10_{arch}.deb");
    assert_eq!(
        steps[3].2,
        format!("/var/cache/edgeup/{hsm_asset} /var/cache/edgeup/{daemon_asset}"),
        "IoT Edge installed from the downloaded debian10 assets"
    );
    assert_cached(root, &format!("releases/download/1.0.9.2/{hsm_asset}"));
    assert_cached(root, &format!("releases/download/1.0.9.2/{daemon_asset}"));

    assert_config(root, "1.0.9.2", true);
    let receipt: Value =
        serde_json::from_str(&root.read("/var/lib/edgeup/receipt.json").unwrap()).unwrap();
    assert_eq!(receipt["platform"], platform);
    let recorded: Vec<String> = receipt["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{} {}", p["name"].as_str().unwrap(), p["version"]))
        .collect();
    for p in [
        "moby-engine \"3.0.6\"",
        "moby-cli \"3.0.6\"",
        "libssl1.0.2 \"1.0.2u-1~deb9u1\"",
        "libiothsm-std \"1.0.9.2-1\"",
        "iotedge \"1.0.9.2-1\"",
    ] {
        assert!(recorded.iter().any(|r| r == p), "{p} in {recorded:#?}");
    }
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn debian_10_amd64_libssl_from_the_debian_archive_then_a_noop_rerun() {
    let server = Server::start();
    let root = Root::new("tp-debian10", "debian-10");
    root.write("/root/device.conn", CS);
    let archive = server.debian_archive();
    let args = [
        "--version",
        "1.0.9",
        "--debian-archive",
        archive.as_str(),
        "--connection-string-file",
        "/root/device.conn",
    ];
    let (code, out, err) = install_assets(&root, &server, &args);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    assert_no_secret(&[&out, &err]);
    assert!(err.contains("Tier 2"), "{err}");
    let report = json(&out);
    let libssl_url = format!("{archive}/pool/main/o/openssl1.0/{LIBSSL_FILE}_amd64.deb");
    assert_buster_install(
        &root,
        &server,
        &report,
        "debian-10-amd64",
        "amd64",
        &format!("from {libssl_url}"),
    );
    // The root has no source carrying libssl1.0.2: it is the archive's .deb.
    assert_cached(
        &root,
        &format!("debian/pool/main/o/openssl1.0/{LIBSSL_FILE}_amd64.deb"),
    );
    let cache = cache_listing(&root);

    // The same command again changes nothing and runs no package transaction.
    let dpkg_before = root.dpkg_log_lines();
    let config_before = root.read("/etc/iotedge/config.yaml");
    let (code, out, err) = install_assets(&root, &server, &args);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    let report = json(&out);
    assert_eq!(report["changed"], false, "{out}");
    assert_eq!(
        root.dpkg_log_lines(),
        dpkg_before,
        "dpkg ran on a no-op re-run"
    );
    for (kind, outcome, detail) in steps(&report) {
        let expected = match kind.as_str() {
            "service" => "skipped",
            "verify" => "done",
            _ => "unchanged",
        };
        assert_eq!(outcome, expected, "{kind}: {detail}");
    }
    assert!(
        !err.contains("downloading"),
        "nothing downloaded again: {err}"
    );
    assert_eq!(cache_listing(&root), cache);
    assert_eq!(root.read("/etc/iotedge/config.yaml"), config_before);
    assert_eq!(json(&out)["verify"]["ok"], true);
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn debian_10_amd64_libssl_from_a_distribution_source() {
    let server = Server::start();
    let root = Root::new("tp-debian10-dist", "debian-10");
    root.write("/root/device.conn", CS);
    // A Debian source that still carries libssl1.0.2 (the stand-in archive,
    // buster suite, signed by its own key).
    root.put(
        &repo().join("keys/debian-archive.asc"),
        "/usr/share/keyrings/sandbox-debian-archive.asc",
    );
    root.write(
        "/etc/apt/sources.list.d/debian.list",
        &format!(
            "deb [signed-by=/usr/share/keyrings/sandbox-debian-archive.asc] {} buster main\n",
            server.debian_archive()
        ),
    );
    let (code, out, err) = install_assets(
        &root,
        &server,
        &[
            "--version",
            "1.0.9",
            "--connection-string-file",
            "/root/device.conn",
        ],
    );
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    assert_no_secret(&[&out, &err]);
    let report = json(&out);
    assert_buster_install(
        &root,
        &server,
        &report,
        "debian-10-amd64",
        "amd64",
        "from the distribution",
    );
    assert!(
        !cache_listing(&root).iter().any(|f| f.starts_with("libssl")),
        "nothing downloaded for libssl1.0.2: {:?}",
        cache_listing(&root)
    );
    assert_eq!(
        root.read("/etc/apt/sources.list.d/debian.list")
            .map(|l| l.contains("/debian buster main")),
        Some(true),
        "the user's own source is left alone"
    );
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn debian_10_amd64_without_a_libssl_source_fails_and_rolls_back() {
    let server = Server::start();
    let root = Root::new("tp-debian10-nossl", "debian-10");
    let (code, out, err) = install_assets(&root, &server, &["--version", "1.0.9"]);
    assert_eq!(code, 1, "stdout:\n{out}\nstderr:\n{err}");
    let report = json(&out);
    let message = report["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("libssl1.0.2") && message.contains("--debian-archive"),
        "the error names the package and tells the user to give --debian-archive: {out}"
    );
    assert!(
        err.contains("--debian-archive") && err.contains("restored:"),
        "{err}"
    );
    // The engine went in first, and came out again.
    let installs = root.dpkg_log("install");
    assert!(
        installs.contains(&"moby-engine 3.0.6".to_string()),
        "{installs:#?}"
    );
    assert!(
        root.dpkg_log("remove")
            .contains(&"moby-engine <none>".to_string()),
        "{:#?}",
        root.dpkg_log("remove")
    );
    for p in [
        "moby-engine",
        "moby-cli",
        "libssl1.0.2",
        "iotedge",
        "libiothsm-std",
    ] {
        assert_eq!(root.installed(p), None, "{p} is still installed");
    }
    assert!(
        root.read("/etc/apt/sources.list.d/microsoft-prod.list")
            .is_none(),
        "the list file was removed"
    );
    assert!(
        root.read("/usr/share/keyrings/microsoft-prod.gpg")
            .is_none(),
        "the key was removed"
    );
    assert!(root.read("/var/lib/edgeup/receipt.json").is_none());
    assert!(root.read("/etc/iotedge/config.yaml").is_none());

    // Doing what the error says then works on the rolled-back root.
    let archive = server.debian_archive();
    let (code, out, err) = install_assets(
        &root,
        &server,
        &["--version", "1.0.9", "--debian-archive", archive.as_str()],
    );
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    assert_eq!(
        root.installed("libssl1.0.2").as_deref(),
        Some("1.0.2u-1~deb9u1")
    );
    assert_eq!(root.installed("iotedge").as_deref(), Some("1.0.9.2-1"));
    assert_eq!(root.installed("moby-engine").as_deref(), Some("3.0.6"));
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn debian_9_amd64_1_0_8_plan_names_the_family_wide_assets() {
    let assets = "http://assets.example.invalid/releases/download";
    let out = Command::new(binary())
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .args([
            "plan",
            "--platform",
            "debian-9-amd64",
            "--version",
            "1.0.8",
            "--json",
            "--mirror",
            "http://mirror.example.invalid",
            "--assets-url",
            assets,
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan = json(&stdout);
    assert_eq!(plan["platform"]["id"], "debian-9-amd64");
    assert_eq!(plan["platform"]["tier"], "tier2");
    assert_eq!(plan["versions"]["daemon"], "1.0.8");
    let steps = plan["steps"].as_array().unwrap();
    assert!(
        !steps.iter().any(|s| s["kind"] == "fixup"),
        "Debian 9 needs no libssl1.0.2 fixup"
    );
    assert!(
        steps[0]["content"]
            .as_str()
            .unwrap()
            .contains("http://mirror.example.invalid/debian/stretch/multiarch/prod stretch main"),
        "{}",
        steps[0]
    );
    let iotedge = steps
        .iter()
        .find(|s| s["transaction"] == "iotedge")
        .expect("an iotedge transaction");
    let pins: Vec<(&str, &str, &str)> = iotedge["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["file"].as_str().unwrap_or_default(),
                p["url"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        pins,
        [
            (
                "libiothsm-std",
                "libiothsm-std_1.0.8-2_amd64.deb",
                format!("{assets}/1.0.8/libiothsm-std_1.0.8-2_amd64.deb").as_str()
            ),
            (
                "iotedge",
                "iotedge_1.0.8-2_amd64.deb",
                format!("{assets}/1.0.8/iotedge_1.0.8-2_amd64.deb").as_str()
            ),
        ],
        "1.0.8 assets are family-wide: no OS tag in the names"
    );
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn debian_9_amd64_1_0_8_installs_the_family_wide_assets() {
    let server = Server::start();
    let root = Root::new("tp-debian9", "debian-9");
    let (code, out, err) = install_assets(&root, &server, &["--version", "1.0.8"]);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    let report = json(&out);
    assert_eq!(report["platform"], "debian-9-amd64");
    assert_eq!(report["changed"], true);
    assert_eq!(report["verify"]["ok"], true, "{}", report["verify"]);
    assert_eq!(
        root.read("/etc/apt/sources.list.d/microsoft-prod.list")
            .as_deref(),
        Some(
            format!(
                "deb [arch=amd64 signed-by=/usr/share/keyrings/microsoft-prod.gpg] {}/debian/stretch/multiarch/prod stretch main\n",
                server.url()
            )
            .as_str()
        )
    );
    assert_eq!(root.installed("moby-engine").as_deref(), Some("3.0.6"));
    assert_eq!(root.installed("iotedge").as_deref(), Some("1.0.8-2"));
    assert_eq!(root.installed("libiothsm-std").as_deref(), Some("1.0.8-2"));
    assert_eq!(root.installed("libssl1.0.2"), None, "no fixup on Debian 9");
    let steps = steps(&report);
    assert!(!steps.iter().any(|s| s.0 == "fixup"), "{steps:#?}");
    let iotedge = steps
        .iter()
        .filter(|s| s.0 == "install_packages")
        .nth(1)
        .expect("the iotedge transaction");
    // The stretch repository carries 1.0.8-2 too: the detail and the cache
    // show it was the release assets that were installed.
    assert_eq!(
        iotedge.2,
        "/var/cache/edgeup/libiothsm-std_1.0.8-2_amd64.deb /var/cache/edgeup/iotedge_1.0.8-2_amd64.deb"
    );
    assert_cached(
        &root,
        "releases/download/1.0.8/libiothsm-std_1.0.8-2_amd64.deb",
    );
    assert_cached(&root, "releases/download/1.0.8/iotedge_1.0.8-2_amd64.deb");
    assert_eq!(
        cache_listing(&root),
        [
            "iotedge_1.0.8-2_amd64.deb",
            "libiothsm-std_1.0.8-2_amd64.deb"
        ]
    );
    let installs = root.dpkg_log("install");
    assert!(
        position(&installs, "moby-engine 3.0.6") < position(&installs, "iotedge 1.0.8-2"),
        "{installs:#?}"
    );
    assert_config(&root, "1.0.8.5", false);
    assert!(root.read("/var/lib/edgeup/receipt.json").is_some());
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn raspbian_10_on_a_real_armhf_root_under_qemu() {
    let server = Server::start();
    let root = Root::new_with(
        "tp-raspbian10-armhf",
        "raspbian-10",
        Some("armhf"),
        &binary_armhf(),
    );
    root.write("/root/device.conn", CS);

    // A real armhf userland: dpkg says armhf, the kernel (qemu) says armv7l.
    let (code, arch, err) = root.run(&["dpkg", "--print-architecture"]);
    assert_eq!((code, arch.trim()), (0, "armhf"), "{err}");
    let (code, out, err) = root.run(&["edgeup", "detect", "--json"]);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    let facts = json(&out);
    assert_eq!(facts["platform"]["id"], "raspbian-10-armhf", "{out}");
    assert_eq!(facts["facts"]["arch"]["userland"], "armhf");
    assert_eq!(facts["facts"]["arch"]["userland_source"], "dpkg");
    assert_eq!(facts["facts"]["os"]["id"], "raspbian");

    let archive = server.debian_archive();
    let (code, out, err) = install_assets(
        &root,
        &server,
        &[
            "--version",
            "1.0.9",
            "--debian-archive",
            archive.as_str(),
            "--connection-string-file",
            "/root/device.conn",
        ],
    );
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    assert_no_secret(&[&out, &err]);
    let report = json(&out);
    assert_buster_install(
        &root,
        &server,
        &report,
        "raspbian-10-armhf",
        "armhf",
        &format!("from {archive}/pool/main/o/openssl1.0/{LIBSSL_FILE}_armhf.deb"),
    );
    assert_cached(
        &root,
        &format!("debian/pool/main/o/openssl1.0/{LIBSSL_FILE}_armhf.deb"),
    );
    // Every package is the armhf build.
    let (code, out, err) = root.run(&[
        "dpkg-query",
        "-W",
        "-f=${Package}:${Architecture}\n",
        "moby-engine",
        "libssl1.0.2",
        "libiothsm-std",
        "iotedge",
    ]);
    assert_eq!(code, 0, "{err}");
    let mut builds: Vec<&str> = out.lines().collect();
    builds.sort();
    assert_eq!(
        builds,
        [
            "iotedge:armhf",
            "libiothsm-std:armhf",
            "libssl1.0.2:armhf",
            "moby-engine:armhf"
        ]
    );
}

// ---- every simulated OS of the table, each with another provisioning method ----

/// The attestation block edgeup wrote, for comparison.
fn provisioning_block(config: &str) -> String {
    config
        .split("\nprovisioning:\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no provisioning block:\n{config}"))
        .split("\n\n")
        .next()
        .unwrap()
        .to_string()
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn ubuntu_1604_from_the_repository_with_a_dps_symmetric_key() {
    let server = Server::start();
    let root = Root::new("p-ubuntu1604", "ubuntu-16.04");
    root.write("/root/device.key", "c2FuZGJveC1kZXZpY2Uta2V5LTE2MDQ=\n");
    let (code, out, err) = install(
        &root,
        &server,
        &[
            "--version",
            "1.0.8",
            "--scope-id",
            "0ne00000A0A",
            "--registration-id",
            "xenial-dev-1",
            "--symmetric-key-file",
            "/root/device.key",
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert_no_secret(&[&out, &err]);
    assert!(!out.contains("c2FuZGJveC1kZXZpY2Uta2V5") && !err.contains("c2FuZGJveC1kZXZpY2Uta2V5"));
    assert_eq!(json(&out)["platform"], "ubuntu-16.04-amd64");
    assert!(
        root.read("/etc/apt/sources.list.d/microsoft-prod.list")
            .unwrap()
            .contains("/ubuntu/16.04/multiarch/prod xenial main")
    );
    assert_eq!(root.installed("iotedge").as_deref(), Some("1.0.8-2"));
    assert_eq!(root.installed("libiothsm-std").as_deref(), Some("1.0.8-2"));
    assert_eq!(root.installed("moby-engine").as_deref(), Some("3.0.6"));
    let block = provisioning_block(&root.read("/etc/iotedge/config.yaml").unwrap());
    assert!(block.contains("    method: \"symmetric_key\"\n    registration_id: \"xenial-dev-1\"\n    symmetric_key: \"c2FuZGJveC1kZXZpY2Uta2V5LTE2MDQ=\""), "{block}");
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn debian_8_from_release_assets_without_signed_by_with_x509() {
    let server = Server::start();
    let root = Root::new("p-debian8", "debian-8");
    root.write("/etc/edge/device.pem", "-----BEGIN CERTIFICATE-----\n");
    root.write("/etc/edge/device.key", "-----BEGIN PRIVATE KEY-----\n");
    let (code, out, err) = install_assets(
        &root,
        &server,
        &[
            "--version",
            "1.0.9",
            "--scope-id",
            "0ne00000A0A",
            "--identity-cert",
            "/etc/edge/device.pem",
            "--identity-key",
            "/etc/edge/device.key",
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(json(&out)["platform"], "debian-8-amd64");
    // apt 1.0 on Debian 8 has no signed-by: the key goes to the global trust directory.
    let list = root
        .read("/etc/apt/sources.list.d/microsoft-prod.list")
        .unwrap();
    assert!(
        list.starts_with("deb [arch=amd64] ")
            && list.contains("/debian/8/multiarch/prod jessie main"),
        "{list}"
    );
    assert!(
        root.path("/etc/apt/trusted.gpg.d/microsoft-prod.gpg")
            .is_file()
    );
    assert!(
        root.path("/var/cache/edgeup/iotedge_1.0.9.2-1_debian8_amd64.deb")
            .is_file()
    );
    assert!(
        root.path("/var/cache/edgeup/libiothsm-std_1.0.9.2-1-1_debian8_amd64.deb")
            .is_file()
    );
    assert_eq!(root.installed("iotedge").as_deref(), Some("1.0.9.2-1"));
    let block = provisioning_block(&root.read("/etc/iotedge/config.yaml").unwrap());
    assert!(block.contains("    method: \"x509\"\n    identity_cert: \"file:///etc/edge/device.pem\"\n    identity_pk: \"file:///etc/edge/device.key\""), "{block}");
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn raspbian_stretch_on_a_real_armhf_root_from_the_tier1_repository_with_tpm() {
    let server = Server::start();
    let root = Root::new_with(
        "p-stretch-armhf",
        "raspbian-9",
        Some("armhf"),
        &binary_armhf(),
    );
    let (code, out, err) = install(
        &root,
        &server,
        &[
            "--version",
            "1.0.9",
            "--scope-id",
            "0ne00000A0A",
            "--tpm",
            "--registration-id",
            "pi-tpm-1",
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(json(&out)["platform"], "raspbian-9-armhf");
    assert!(
        root.read("/etc/apt/sources.list.d/microsoft-prod.list")
            .unwrap()
            .contains("[arch=armhf signed-by=")
    );
    let (_, arch, _) = root.run(&["dpkg-query", "-W", "-f=${Architecture}", "iotedge"]);
    assert_eq!(arch.trim(), "armhf");
    assert_eq!(
        root.installed("iotedge").as_deref(),
        Some("1.0.9.2-1"),
        "from the repository, not assets"
    );
    assert_eq!(
        root.installed("libssl1.0.2"),
        None,
        "Stretch needs no fixup"
    );
    let block = provisioning_block(&root.read("/etc/iotedge/config.yaml").unwrap());
    assert!(
        block.contains("    method: \"tpm\"\n    registration_id: \"pi-tpm-1\""),
        "{block}"
    );
    assert!(
        root.read("/etc/udev/rules.d/tpmaccess.rules")
            .unwrap()
            .contains("GROUP=\"iotedge\"")
    );
    assert!(
        root.read("/etc/systemd/system/iotedge.service.d/tpm.conf")
            .unwrap()
            .contains("IOTEDGE_USE_TPM_DEVICE=ON")
    );
}
