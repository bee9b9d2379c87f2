//! The sandbox suite: edgeup installs for real, with real apt and dpkg, in
//! throwaway Debian roots (overlays over a pristine bookworm root, entered
//! with unshare + chroot), against a stand-in for the Microsoft repository:
//! a GPG-signed apt repository of dummy packages with the real names,
//! versions, dependencies and maintainer-script behaviour, served on
//! 127.0.0.1. Older systems are simulated by their /etc/os-release.
//!
//! These tests need root, the sandbox tools (scripts/sandbox/deps.sh) and the
//! static binary in EDGEUP_SANDBOX_BIN; `ci/test.sh` provides all three and
//! runs them with `--ignored`. Each scenario asserts the system's state
//! afterwards, not only the exit code.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn ubuntu_1804_install_rerun_and_downgrade() {
    let server = Server::start();
    let root = Root::new("t-ubuntu1804", "ubuntu-18.04");
    root.write("/root/device.conn", CS);
    let (code, out, err) = install(
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
    assert_eq!(report["changed"], true);
    assert_eq!(root.installed("moby-engine").as_deref(), Some("3.0.6"));
    assert_eq!(root.installed("iotedge").as_deref(), Some("1.0.9.2-1"));
    assert_eq!(
        root.installed("libiothsm-std").as_deref(),
        Some("1.0.9.2-1")
    );
    let config = root.read("/etc/iotedge/config.yaml").unwrap();
    assert!(
        config.contains(&format!("device_connection_string: \"{CS}\"")),
        "{config}"
    );
    assert!(
        config.contains("mcr.microsoft.com/azureiotedge-agent:1.0.9.2"),
        "{config}"
    );
    let (_, stat, _) = root.run(&["stat", "-c", "%a %U:%G", "/etc/iotedge/config.yaml"]);
    assert_eq!(stat.trim(), "400 iotedge:iotedge");
    assert!(
        root.read("/var/lib/edgeup/receipt.json")
            .unwrap()
            .contains("1.0.9.2-1")
    );
    assert_eq!(report["verify"]["ok"], true, "{}", report["verify"]);
    let skipped: Vec<&Value> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "service")
        .collect();
    assert_eq!(
        skipped[0]["outcome"], "skipped",
        "no service manager in a chroot"
    );

    // The same command again changes nothing and runs no package transaction.
    let dpkg_before = root.dpkg_log_lines();
    let (code, out, err) = install(
        &root,
        &server,
        &[
            "--version",
            "1.0.9",
            "--connection-string-file",
            "/root/device.conn",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["changed"], false);
    assert_eq!(
        root.dpkg_log_lines(),
        dpkg_before,
        "dpkg ran on a no-op re-run"
    );

    // Down to 1.0.8: both pinned packages move, the engine and the config stay.
    let (code, out, err) = install(&root, &server, &["--version", "1.0.8"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(root.installed("iotedge").as_deref(), Some("1.0.8-2"));
    assert_eq!(root.installed("libiothsm-std").as_deref(), Some("1.0.8-2"));
    assert_eq!(root.installed("moby-engine").as_deref(), Some("3.0.6"));
    let config = root.read("/etc/iotedge/config.yaml").unwrap();
    assert!(
        config.contains(CS),
        "the provisioning survived the downgrade"
    );
    assert!(config.contains("azureiotedge-agent:1.0.8.5"), "{config}");
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn bad_input_leaves_the_root_untouched() {
    let server = Server::start();
    let root = Root::new("t-badinput", "ubuntu-18.04");
    root.write(
        "/root/bad.conn",
        "HostName=hub1.azure-devices.net;DeviceId=d;SharedAccessKey=%%%not-base64",
    );
    let (code, out, err) = install(
        &root,
        &server,
        &["--connection-string-file", "/root/bad.conn"],
    );
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("SharedAccessKey is not base64"), "{err}");
    assert!(
        !err.contains("%%%not-base64"),
        "the bad key is not echoed: {err}"
    );
    let (code, _, err) = install(&root, &server, &["--hostname", "under_score"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        root.read("/etc/apt/sources.list.d/microsoft-prod.list")
            .is_none()
    );
    assert_eq!(root.installed("moby-engine"), None);
    assert!(root.read("/var/lib/edgeup/receipt.json").is_none());
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn a_wrong_key_is_an_integrity_failure_with_nothing_left() {
    let server = Server::start();
    let root = Root::new("t-wrongkey", "ubuntu-18.04");
    let mirror = server.url();
    let wrong = format!("{mirror}/keys/wrong.asc");
    let (code, out, err) = root.run(&[
        "edgeup",
        "install",
        "-y",
        "--mirror",
        &mirror,
        "--repo-key",
        &wrong,
    ]);
    assert_eq!(code, 8, "{out}\n{err}");
    assert!(err.contains("could not be verified"), "{err}");
    assert!(
        root.read("/etc/apt/sources.list.d/microsoft-prod.list")
            .is_none(),
        "the list was restored (removed)"
    );
    assert!(
        root.read("/usr/share/keyrings/microsoft-prod.gpg")
            .is_none()
    );
    assert_eq!(root.installed("moby-engine"), None);
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn a_failing_maintainer_script_rolls_everything_back() {
    let server = Server::start();
    let root = Root::new("t-postinst", "ubuntu-18.04");
    root.write("/etc/edgeup-test/fail-postinst", "");
    let (code, out, err) = install(&root, &server, &["--version", "1.0.9"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("simulated failure") || err.contains("post-installation"),
        "{err}"
    );
    assert!(err.contains("restored:"), "{err}");
    assert_eq!(root.installed("iotedge"), None);
    assert_eq!(root.installed("moby-engine"), None);
    assert!(
        root.read("/etc/apt/sources.list.d/microsoft-prod.list")
            .is_none()
    );
    assert!(root.read("/var/lib/edgeup/receipt.json").is_none());
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn existing_docker_ce_is_refused_before_any_change_unless_kept() {
    let server = Server::start();
    let root = Root::new("t-dockerce", "ubuntu-18.04");
    let extra = repo().join("extra");
    for deb in std::fs::read_dir(&extra).unwrap() {
        let deb = deb.unwrap().path();
        let name = deb.file_name().unwrap().to_str().unwrap().to_string();
        let out = root_sh(&[
            "put",
            &root.name,
            deb.to_str().unwrap(),
            &format!("/tmp/{name}"),
        ]);
        assert!(out.status.success());
    }
    let (code, _, err) = root.run(&["sh", "-c", "dpkg -i /tmp/*_amd64.deb"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = install(&root, &server, &[]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        err.contains("docker-ce") && err.contains("--engine existing"),
        "{err}"
    );
    assert!(
        root.read("/etc/apt/sources.list.d/microsoft-prod.list")
            .is_none(),
        "refused before any change"
    );
    let (code, out, err) = install(&root, &server, &["--engine", "existing"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(err.contains("best-effort"), "{err}");
    assert!(root.installed("iotedge").is_some());
    assert_eq!(root.installed("moby-engine"), None);
    assert!(root.installed("docker-ce").is_some());
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn a_held_dpkg_lock_is_waited_for_then_exit_6() {
    let server = Server::start();
    let root = Root::new("t-dpkglock", "ubuntu-18.04");
    let lock = root.path("/var/lib/dpkg/lock-frontend");
    let mut holder = Command::new("python3")
        .args([
            "-c",
            "import fcntl,sys,time; f=open(sys.argv[1],'a+'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
            lock.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let start = Instant::now();
    let (code, out, err) = install(&root, &server, &["--lock-wait", "3"]);
    let took = start.elapsed();
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(code, 6, "{out}\n{err}");
    assert!(
        err.contains("waiting for") && err.contains("lock-frontend"),
        "a visible wait naming the lock: {err}"
    );
    assert!(
        err.contains("after 3s (--lock-wait); run edgeup again once it is done"),
        "the way out: {err}"
    );
    assert!(took < Duration::from_secs(60), "bounded: {took:?}");
    assert_eq!(root.installed("moby-engine"), None);
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn a_concurrent_run_exits_6_at_once() {
    let server = Server::start();
    let root = Root::new("t-concurrent", "ubuntu-18.04");
    let lock = root.path("/var/lib/edgeup/lock");
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    let mut holder = Command::new("flock")
        .arg(&lock)
        .args(["sleep", "60"])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    let (code, out, err) = install(&root, &server, &[]);
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(code, 6, "{out}\n{err}");
    assert!(err.contains("another edgeup run"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(20), "at once");
    assert!(
        root.read("/etc/apt/sources.list.d/microsoft-prod.list")
            .is_none()
    );
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn uninstall_removes_what_the_receipt_lists() {
    let server = Server::start();
    let root = Root::new("t-uninstall", "ubuntu-18.04");
    root.write("/root/device.conn", CS);
    let (code, _, err) = install(
        &root,
        &server,
        &[
            "--connection-string-file",
            "/root/device.conn",
            "--splay",
            "1",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("--splay: waiting"),
        "a fleet's random start delay is said: {err}"
    );
    let (code, out, err) = root.run(&["edgeup", "uninstall", "--keep-engine"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(root.installed("iotedge"), None);
    assert_eq!(root.installed("libiothsm-std"), None);
    assert_eq!(
        root.installed("moby-engine").as_deref(),
        Some("3.0.6"),
        "--keep-engine"
    );
    assert!(
        root.read("/etc/apt/sources.list.d/microsoft-prod.list")
            .is_some(),
        "kept with the engine"
    );
    assert!(
        root.read("/var/lib/edgeup/receipt.json").is_some(),
        "kept without --purge"
    );
    let (code, out, err) = root.run(&["edgeup", "uninstall", "--purge"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(root.installed("moby-engine"), None);
    assert_eq!(root.installed("moby-cli"), None);
    assert!(
        root.read("/etc/apt/sources.list.d/microsoft-prod.list")
            .is_none()
    );
    assert!(
        root.read("/usr/share/keyrings/microsoft-prod.gpg")
            .is_none()
    );
    assert!(root.read("/var/lib/edgeup/receipt.json").is_none());
    let (_, dpkg, _) = root.run(&["dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Package}\n"]);
    for line in dpkg.lines().filter(|l| l.starts_with("ii")) {
        assert!(
            !line.contains("iotedge") && !line.contains("iothsm") && !line.contains("moby"),
            "left behind: {line}"
        );
    }
    let (code, _, err) = root.run(&["edgeup", "uninstall"]);
    assert_eq!(code, 2, "nothing to uninstall: {err}");
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn provision_writes_each_dps_method_and_keeps_the_rest() {
    let server = Server::start();
    let root = Root::new("t-provision", "ubuntu-18.04");
    let (code, _, err) = install(&root, &server, &["--version", "1.0.9"]);
    assert_eq!(code, 0, "installed without provisioning: {err}");
    // Group enrollment: the device key is derived here and written only into the config.
    root.write(
        "/root/group.key",
        "8isrFI1sGsIlvvFSSFRiMfCNzv21fjbE/+ah/lSh3lF8e2YG1Te7w1KpZhJFFXJrqYKi9yegxkqIChbqOS9Egw==",
    );
    let (code, out, err) = root.run(&[
        "edgeup",
        "provision",
        "--json",
        "--scope-id",
        "0ne00000A0A",
        "--group-key-file",
        "/root/group.key",
        "--registration-id",
        "sn-007-888-abc-mac-a1-b2-c3-d4-e5-f6",
        "--hostname",
        "edge-gw-01",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    for t in [&out, &err] {
        assert!(
            !t.contains("Jsm0lyGp") && !t.contains("8isrFI1s"),
            "a key leaked:\n{t}"
        );
    }
    let config = root.read("/etc/iotedge/config.yaml").unwrap();
    assert!(config.contains("  source: \"dps\"\n  global_endpoint: \"https://global.azure-devices-provisioning.net\"\n  scope_id: \"0ne00000A0A\"\n  attestation:\n    method: \"symmetric_key\"\n    registration_id: \"sn-007-888-abc-mac-a1-b2-c3-d4-e5-f6\"\n    symmetric_key: \"Jsm0lyGpjaVYVP2g3FnmnmG9dI/9qU24wNoykUmermc=\"\n"), "{config}");
    assert!(config.contains("hostname: \"edge-gw-01\""));
    assert!(
        config.contains("azureiotedge-agent:1.0.9.2"),
        "the agent pin stays"
    );
    assert!(
        root.read("/etc/iotedge/config.yaml.edgeup-backup")
            .is_some()
    );
    let receipt = root.read("/var/lib/edgeup/receipt.json").unwrap();
    assert!(
        receipt.contains("dps-symmetric-key") && receipt.contains("1.0.9.2-1"),
        "{receipt}"
    );
    // X.509 identity.
    root.write("/etc/edge/id.pem", "-----BEGIN CERTIFICATE-----\n");
    root.write("/etc/edge/id.key", "-----BEGIN PRIVATE KEY-----\n");
    let (code, _, err) = root.run(&[
        "edgeup",
        "provision",
        "--scope-id",
        "0ne00000A0A",
        "--identity-cert",
        "/etc/edge/id.pem",
        "--identity-key",
        "/etc/edge/id.key",
    ]);
    assert_eq!(code, 0, "{err}");
    let config = root.read("/etc/iotedge/config.yaml").unwrap();
    assert!(config.contains("    method: \"x509\"\n    identity_cert: \"file:///etc/edge/id.pem\"\n    identity_pk: \"file:///etc/edge/id.key\"\n"), "{config}");
    // TPM.
    let (code, _, err) = root.run(&[
        "edgeup",
        "provision",
        "--scope-id",
        "0ne00000A0A",
        "--tpm",
        "--registration-id",
        "tpm-dev-1",
    ]);
    assert_eq!(code, 0, "{err}");
    let config = root.read("/etc/iotedge/config.yaml").unwrap();
    assert!(
        config.contains("    method: \"tpm\"\n    registration_id: \"tpm-dev-1\"\n"),
        "{config}"
    );
    assert!(
        !config.contains("Jsm0lyGp"),
        "the old provisioning block is replaced"
    );
    let (_, stat, _) = root.run(&["stat", "-c", "%a %U:%G", "/etc/iotedge/config.yaml"]);
    assert_eq!(stat.trim(), "400 iotedge:iotedge");
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn a_proxy_reaches_the_engine_the_daemon_and_the_agent() {
    let server = Server::start();
    let root = Root::new("t-proxy", "ubuntu-18.04");
    let dir = tempfile::tempdir().unwrap();
    let (portfile, log) = (dir.path().join("port"), dir.path().join("log"));
    let mut forwarder = Command::new(project().join("scripts/sandbox/proxy.py"))
        .args([portfile.to_str().unwrap(), log.to_str().unwrap(), "user:pw"])
        .spawn()
        .unwrap();
    let start = Instant::now();
    let port = loop {
        if let Some(p) = std::fs::read_to_string(&portfile)
            .ok()
            .filter(|p| !p.is_empty())
        {
            break p;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the proxy did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let proxy = format!("http://user:pw@127.0.0.1:{port}");
    let (code, out, err) = install(&root, &server, &["--proxy", &proxy]);
    assert_eq!(code, 0, "{out}\n{err}");
    for t in [&out, &err] {
        assert!(!t.contains("user:pw"), "proxy credentials leaked:\n{t}");
    }
    for unit in ["docker", "iotedge"] {
        let path = format!("/etc/systemd/system/{unit}.service.d/http-proxy.conf");
        let dropin = root.read(&path).unwrap_or_else(|| panic!("{path} missing"));
        assert!(
            dropin.contains(&format!("\"HTTPS_PROXY={proxy}\"")),
            "{dropin}"
        );
        let (_, stat, _) = root.run(&["stat", "-c", "%a", &path]);
        assert_eq!(stat.trim(), "600", "credentials: root only");
    }
    let config = root.read("/etc/iotedge/config.yaml").unwrap();
    assert!(
        config.contains(&format!("    https_proxy: \"{proxy}\"")),
        "{config}"
    );
    let _ = forwarder.kill();
    let _ = forwarder.wait();
    let seen = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        seen.contains("/keys/microsoft.asc"),
        "edgeup's own download went through the proxy:\n{seen}"
    );
    assert!(
        seen.contains("/dists/bionic/"),
        "apt went through the proxy:\n{seen}"
    );
}

/// `edgeup bundle` on the host against the server; returns the manifest.
fn make_bundle(server: &Server, platform: &str, output: &std::path::Path, extra: &[&str]) -> Value {
    let mirror = server.url();
    let key = format!("{mirror}/keys/microsoft.asc");
    let out = Command::new(assert_cmd::cargo::cargo_bin("edgeup"))
        .args([
            "bundle",
            "--json",
            "--platform",
            platform,
            "--version",
            "1.0.9",
            "--mirror",
            &mirror,
            "--repo-key",
            &key,
            "-o",
        ])
        .arg(output)
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bundle failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&String::from_utf8_lossy(&out.stdout))
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn an_offline_bundle_is_reproducible_and_installs_with_the_server_gone() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("a.tar"), dir.path().join("b.tar"));
    let root = Root::new("t-offline", "ubuntu-18.04");
    {
        let server = Server::start();
        let manifest = make_bundle(&server, "ubuntu-18.04-amd64", &first, &[]);
        make_bundle(&server, "ubuntu-18.04-amd64", &second, &[]);
        assert_eq!(
            std::fs::read(&first).unwrap(),
            std::fs::read(&second).unwrap(),
            "byte-identical bundles"
        );
        let paths: Vec<&str> = manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        for want in [
            "keys/microsoft.asc",
            "packages/moby-engine_3.0.6_amd64.deb",
            "packages/moby-cli_3.0.6_amd64.deb",
            "packages/iotedge_1.0.9.2-1_amd64.deb",
            "packages/libiothsm-std_1.0.9.2-1_amd64.deb",
        ] {
            assert!(paths.contains(&want), "{want} not in {paths:?}");
        }
        assert_eq!(manifest["platform"], "ubuntu-18.04-amd64");
    } // the server stops here: the install below has no repository to reach
    let bytes = std::fs::read(&first).unwrap();
    // A tampered copy is refused before any change.
    let mut tampered = bytes.clone();
    let at = tampered.len() / 2;
    tampered[at] ^= 0x40;
    root.write("/root/tampered.tar", "");
    std::fs::write(root.path("/root/tampered.tar"), &tampered).unwrap();
    let (code, out, err) =
        root.run(&["edgeup", "install", "-y", "--offline", "/root/tampered.tar"]);
    assert_eq!(code, 8, "{out}\n{err}");
    assert_eq!(root.installed("moby-engine"), None);
    assert!(
        root.read("/etc/apt/sources.list.d/microsoft-prod.list")
            .is_none()
    );
    // The real one installs with no network.
    let (code, out, err) = root.install_offline(&bytes);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(root.installed("moby-engine").as_deref(), Some("3.0.6"));
    assert_eq!(root.installed("iotedge").as_deref(), Some("1.0.9.2-1"));
    assert_eq!(
        root.installed("libiothsm-std").as_deref(),
        Some("1.0.9.2-1")
    );
    assert!(
        root.read("/etc/apt/sources.list.d/microsoft-prod.list")
            .is_none(),
        "offline: no repository"
    );
    assert!(root.read("/etc/iotedge/config.yaml").unwrap().contains(CS));
    assert!(root.read("/var/lib/edgeup/receipt.json").is_some());
    assert_eq!(json(&out)["verify"]["ok"], true);
    // Asking for another release than the bundle holds is bad input.
    let (code, _, err) = root.run(&[
        "edgeup",
        "install",
        "-y",
        "--offline",
        "/root/bundle.tar",
        "--version",
        "1.0.8",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the bundle holds IoT Edge 1.0.9"), "{err}");
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn a_bundle_for_another_platform_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("debian10.tar");
    let server = Server::start();
    let assets = format!("{}/releases/download", server.url());
    let archive = format!("{}/debian", server.url());
    let manifest = make_bundle(
        &server,
        "debian-10-amd64",
        &other,
        &["--assets-url", &assets, "--debian-archive", &archive],
    );
    let roles: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["role"].as_str().unwrap())
        .collect();
    assert!(
        roles.contains(&"fixup"),
        "libssl1.0.2 travels with a Debian 10 bundle: {roles:?}"
    );
    let root = Root::new("t-offline-other", "ubuntu-18.04");
    std::fs::write(
        root.path("/root/debian10.tar"),
        std::fs::read(&other).unwrap(),
    )
    .unwrap();
    let (code, _, err) = root.run(&["edgeup", "install", "-y", "--offline", "/root/debian10.tar"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("made for debian-10-amd64") && err.contains("ubuntu-18.04-amd64"),
        "{err}"
    );
    assert_eq!(root.installed("moby-engine"), None);
}
