//! The RPM family in the sandbox: edgeup installs for real, with real rpm
//! transactions run by dnf, in throwaway el7-like roots (a bookworm root
//! with Debian's rpm and dnf and no dpkg or apt; bookworm has no yum, so
//! this is the "dnf where yum is absent" case; `/etc/os-release` of CentOS
//! 7 or RHEL 7; an rpm database holding the el7 base), against a stand-in
//! of the Microsoft yum repository centos/7/prod (moby-engine and moby-cli
//! RPMs signed with rpmsign, repomd.xml signed beside it) and the el7
//! release assets (iotedge-<ver>-1.el7.x86_64.rpm,
//! libiothsm-std_<ver>-1.el7.x86_64.rpm), all served on 127.0.0.1. The
//! dummy RPMs have the real names, versions, dependencies and scriptlets:
//! iotedge's %pre refuses without a docker group, moby-engine's creates it.
//! yum itself is covered by the recording double in tests/executor_rpm.rs.
//!
//! Also the image-built systems (part 5): Yocto refused with its build-time
//! route, and with --force installed from the release assets by dpkg (a
//! bookworm root claiming to be Yocto) or by rpm (an el7-like root claiming
//! to be Yocto).
//!
//! Like tests/sandbox.rs these need root, the sandbox tools
//! (scripts/sandbox/deps.sh --rpm) and the static binary in
//! EDGEUP_SANDBOX_BIN; `ci/test.sh` provides them and runs this file with
//! `--ignored`. Each scenario asserts the system's state afterwards.

mod common;

use common::*;
use serde_json::Value;

const BASE: &str = "sandbox-el7-base-7-5.1804.noarch";

/// `edgeup install` against the stand-in with the release assets served too.
fn install_el7(root: &Root, server: &Server, extra: &[&str]) -> (i32, String, String) {
    let assets = server.assets_url();
    let mut args = vec!["--assets-url", assets.as_str()];
    args.extend_from_slice(extra);
    install(root, server, &args)
}

/// The rpm keyring's entries.
fn pubkeys(root: &Root) -> Vec<String> {
    root.rpm_all()
        .into_iter()
        .filter(|p| p.starts_with("gpg-pubkey-"))
        .collect()
}

/// Nothing of an install is left: only the el7 base in rpm's database, no
/// repository file, key file, rpm key or receipt.
fn assert_nothing_left(root: &Root) {
    assert_eq!(root.rpm_all(), [BASE], "rpm's database");
    assert!(
        root.read("/etc/yum.repos.d/microsoft-prod.repo").is_none(),
        "the repository file is gone"
    );
    assert!(
        root.read("/etc/pki/rpm-gpg/microsoft-prod.asc").is_none(),
        "the key file is gone"
    );
    assert!(root.read("/var/lib/edgeup/receipt.json").is_none());
}

/// The packages of IoT Edge 1.0.9 (daemon 1.0.9.2) as rpm has them: the
/// engine from the repository, IoT Edge from the el7 assets, x86_64 (rpm's
/// name for amd64).
fn assert_el7_1092_installed(root: &Root) {
    let all = root.rpm_all();
    for want in [
        "moby-engine-3.0.6+azure-0.x86_64",
        "moby-cli-3.0.6+azure-0.x86_64",
        "libiothsm-std-1.0.9.2-1.el7.x86_64",
        "iotedge-1.0.9.2-1.el7.x86_64",
    ] {
        assert!(all.iter().any(|p| p == want), "{want} not in {all:?}");
    }
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn centos_7_install_rerun_downgrade_and_uninstall() {
    let server = Server::start_rpm();
    let root = Root::new_rpm("r-centos7", "centos-7");
    root.write("/root/device.conn", CS);
    let (code, out, err) = install_el7(
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
    assert_eq!(report["platform"], "centos-7-amd64");
    assert_eq!(report["changed"], true);
    assert_eq!(report["verify"]["ok"], true, "{}", report["verify"]);

    // The repository: signed packages (gpgcheck) and metadata (repo_gpgcheck),
    // the key in /etc/pki/rpm-gpg and in rpm's keyring.
    let repo_file = root.read("/etc/yum.repos.d/microsoft-prod.repo").unwrap();
    assert_eq!(
        repo_file,
        format!(
            "[packages-microsoft-com-prod]\nname=Microsoft packages for IoT Edge\nbaseurl={}/centos/7/prod/\nenabled=1\ngpgcheck=1\nrepo_gpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/microsoft-prod.asc\n",
            server.url()
        )
    );
    let key = root.read("/etc/pki/rpm-gpg/microsoft-prod.asc").unwrap();
    assert_eq!(
        key,
        std::fs::read_to_string(repo_rpm().join("keys/microsoft.asc")).unwrap(),
        "the armored key, as served"
    );
    let keys = pubkeys(&root);
    assert_eq!(keys.len(), 1, "{keys:?}");

    assert_el7_1092_installed(&root);
    let steps = steps(&report);
    let kinds: Vec<&str> = steps.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "add_repository",
            "install_packages",
            "install_packages",
            "write_config",
            "service",
            "verify"
        ]
    );
    assert_eq!(
        steps[1].2,
        "moby-engine-3.0.6+azure-0 moby-cli-3.0.6+azure-0"
    );
    assert_eq!(
        steps[2].2,
        "/var/cache/edgeup/libiothsm-std_1.0.9.2-1.el7.x86_64.rpm /var/cache/edgeup/iotedge-1.0.9.2-1.el7.x86_64.rpm"
    );
    assert_eq!(steps[4].1, "skipped", "no service manager in a chroot");
    // The engine went in first, in its own transaction (iotedge's %pre
    // needs the docker group moby-engine's %pre made).
    let log = root.read("/var/log/dnf.rpm.log").unwrap();
    let at = |what: &str| {
        log.find(what)
            .unwrap_or_else(|| panic!("{what} not in dnf's log:\n{log}"))
    };
    assert!(at("Installed: moby-engine-3.0.6+azure-0") < at("Installed: iotedge-1.0.9.2-1.el7"));
    let (_, group, _) = root.run(&["getent", "group", "docker"]);
    assert!(group.contains("iotedge"), "iotedge is in docker: {group}");

    let config = root.read("/etc/iotedge/config.yaml").unwrap();
    assert!(
        config.contains(&format!("device_connection_string: \"{CS}\"")),
        "{config}"
    );
    assert!(config.contains("mcr.microsoft.com/azureiotedge-agent:1.0.9.2"));
    assert!(config.contains("hostname: \"sandbox\""), "%post's hostname");
    assert_eq!(
        root.mode_owner("/etc/iotedge/config.yaml"),
        "400 iotedge:iotedge"
    );
    let receipt: Value =
        serde_json::from_str(&root.read("/var/lib/edgeup/receipt.json").unwrap()).unwrap();
    assert_eq!(receipt["platform"], "centos-7-amd64");
    assert_eq!(receipt["package_tool"], "dnf");
    assert_eq!(receipt["rpm_keys"], serde_json::json!(keys));
    assert!(
        receipt["packages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "iotedge" && p["version"] == "1.0.9.2-1.el7")
    );
    assert!(!receipt.to_string().contains(KEY_MATERIAL));

    // The same command again changes nothing and runs no transaction.
    let transactions = root.dnf_log_lines();
    let (code, out, err) = install_el7(
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
    assert_eq!(json(&out)["changed"], false, "{out}");
    assert_eq!(
        root.dnf_log_lines(),
        transactions,
        "dnf ran on a no-op re-run"
    );
    assert_eq!(pubkeys(&root), keys, "the key is not imported twice");

    // Down to the 1.0.9.1 patch: both pinned packages move down together
    // (dnf downgrade), the engine and the provisioning stay.
    let (code, out, err) = install_el7(&root, &server, &["--version", "1.0.9.1"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        root.rpm_installed("iotedge").as_deref(),
        Some("1.0.9.1-1.el7")
    );
    assert_eq!(
        root.rpm_installed("libiothsm-std").as_deref(),
        Some("1.0.9.1-1.el7")
    );
    assert_eq!(
        root.rpm_installed("moby-engine").as_deref(),
        Some("3.0.6+azure-0")
    );
    let config = root.read("/etc/iotedge/config.yaml").unwrap();
    assert!(
        config.contains(CS),
        "the provisioning survived the downgrade"
    );
    assert!(config.contains("azureiotedge-agent:1.0.9.1"), "{config}");

    // Uninstall keeping the engine: IoT Edge goes, the engine, the
    // repository, its key and the config stay.
    let (code, out, err) = root.run(&["edgeup", "uninstall", "--keep-engine"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(root.rpm_installed("iotedge"), None);
    assert_eq!(root.rpm_installed("libiothsm-std"), None);
    assert!(root.rpm_installed("moby-engine").is_some(), "--keep-engine");
    assert!(root.read("/etc/yum.repos.d/microsoft-prod.repo").is_some());
    assert_eq!(pubkeys(&root), keys, "the key stays with the engine");
    assert!(
        root.read("/etc/iotedge/config.yaml").unwrap().contains(CS),
        "the config stays where it was (rpm had saved it as .rpmsave)"
    );
    // --purge: everything, the config (with its secret) included.
    let (code, out, err) = root.run(&["edgeup", "uninstall", "--purge"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_nothing_left(&root);
    let (_, leftovers, _) = root.run(&["sh", "-c", "ls -A /etc/iotedge 2>/dev/null"]);
    assert_eq!(leftovers.trim(), "", "no config copies left behind");
    let (code, _, err) = root.run(&["edgeup", "uninstall"]);
    assert_eq!(code, 2, "nothing to uninstall: {err}");
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn a_failing_scriptlet_rolls_everything_back() {
    let server = Server::start_rpm();
    let root = Root::new_rpm("r-scriptlet", "centos-7");
    // %pre fails: rpm leaves iotedge out but has already installed
    // libiothsm-std in the same transaction, and dnf exits 1.
    root.write("/etc/edgeup-test/fail-pre", "");
    let (code, out, err) = install_el7(&root, &server, &[]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("scriptlet failed") && err.contains("ERROR: simulated failure of %pre"),
        "rpm's words and the scriptlet's own: {err}"
    );
    assert!(err.contains("restored:"), "{err}");
    assert!(
        err.contains("removed libiothsm-std, moby-cli, moby-engine"),
        "what went in is taken out, iotedge (never installed) is not asked for: {err}"
    );
    assert!(
        err.contains("from rpm"),
        "the imported key is removed: {err}"
    );
    assert_nothing_left(&root);

    // %post fails: rpm only warns and dnf exits 0, but edgeup does not
    // take a failed scriptlet for an install.
    std::fs::remove_file(root.path("/etc/edgeup-test/fail-pre")).unwrap();
    root.write("/etc/edgeup-test/fail-post", "");
    let (code, out, err) = install_el7(&root, &server, &[]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("%post(iotedge") && err.contains("ERROR: simulated failure of %post"),
        "{err}"
    );
    assert!(err.contains("restored:"), "{err}");
    assert_nothing_left(&root);
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn a_wrong_key_is_an_integrity_failure_with_nothing_left() {
    let server = Server::start_rpm();
    let root = Root::new_rpm("r-wrongkey", "centos-7");
    let mirror = server.url();
    let wrong = format!("{mirror}/keys/wrong.asc");
    let assets = server.assets_url();
    let (code, out, err) = root.run(&[
        "edgeup",
        "install",
        "-y",
        "--mirror",
        &mirror,
        "--repo-key",
        &wrong,
        "--assets-url",
        &assets,
    ]);
    assert_eq!(code, 8, "{out}\n{err}");
    assert!(err.contains("could not be verified"), "{err}");
    assert!(err.contains("centos/7/prod"), "names the repository: {err}");
    assert_nothing_left(&root);
    assert!(
        root.read("/var/cache/edgeup/iotedge-1.0.9.2-1.el7.x86_64.rpm")
            .is_none(),
        "stopped before IoT Edge"
    );
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn rhel_7_detects_x86_64_as_amd64_and_installs() {
    let server = Server::start_rpm();
    let root = Root::new_rpm("r-rhel7", "rhel-7");
    let (code, out, err) = root.run(&["edgeup", "detect", "--json"]);
    assert_eq!(code, 0, "{err}");
    let facts = json(&out);
    assert_eq!(facts["platform"]["id"], "rhel-7-amd64");
    assert_eq!(facts["facts"]["package_manager"], "rpm");
    assert_eq!(facts["facts"]["arch"]["userland"], "amd64");
    assert_eq!(
        facts["facts"]["arch"]["userland_source"], "rpm",
        "rpm --eval %{{_arch}} says x86_64"
    );
    let (code, out, err) = install_el7(&root, &server, &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    let report = json(&out);
    assert_eq!(report["platform"], "rhel-7-amd64");
    assert!(
        err.contains("/centos/7/prod/"),
        "RHEL 7 uses the CentOS 7 repository: {err}"
    );
    assert_eq!(
        root.rpm_installed("iotedge").as_deref(),
        Some("1.0.9.2-1.el7")
    );
    assert_eq!(report["verify"]["ok"], true, "{}", report["verify"]);
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn a_held_rpm_lock_is_waited_for_then_exit_6() {
    let server = Server::start_rpm();
    let root = Root::new_rpm("r-rpmlock", "centos-7");
    let lock = root.path("/var/lib/rpm/.rpm.lock");
    let mut holder = std::process::Command::new("python3")
        .args([
            "-c",
            "import fcntl,sys,time; f=open(sys.argv[1],'a+'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
            lock.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let start = std::time::Instant::now();
    let (code, out, err) = install_el7(&root, &server, &["--lock-wait", "3"]);
    let took = start.elapsed();
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(code, 6, "{out}\n{err}");
    assert!(
        err.contains("waiting for") && err.contains(".rpm.lock"),
        "a visible wait naming the lock: {err}"
    );
    assert!(
        took < std::time::Duration::from_secs(60),
        "bounded: {took:?}"
    );
    assert_nothing_left(&root);
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn yocto_is_refused_with_its_build_time_route_and_forced_installs_with_dpkg() {
    let server = Server::start_rpm();
    let root = Root::new("r-yocto-dpkg", "yocto");
    let (code, out, err) = install_el7(&root, &server, &[]);
    assert_eq!(code, 3, "{out}\n{err}");
    assert!(
        err.contains("Yocto (yocto-amd64) gets IoT Edge at build time")
            && err.contains("meta-iotedge")
            && err.contains("--force"),
        "{err}"
    );
    // --force without a container engine in the image: still refused.
    let (code, _, err) = install_el7(&root, &server, &["--force"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("no container engine"), "{err}");
    assert_eq!(root.installed("iotedge"), None);

    // The image's own engine (here the dummy moby-engine, put in with dpkg).
    let engine = repo_rpm()
        .join("ubuntu/18.04/multiarch/prod/pool/main/m/moby-engine/moby-engine_3.0.6_amd64.deb");
    root.put(&engine, "/tmp/moby-engine.deb");
    let (code, _, err) = root.run(&["dpkg", "-i", "/tmp/moby-engine.deb"]);
    assert_eq!(code, 0, "{err}");
    root.write("/root/device.conn", CS);
    let (code, out, err) = install_el7(
        &root,
        &server,
        &["--force", "--connection-string-file", "/root/device.conn"],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert_no_secret(&[&out, &err]);
    assert!(
        err.contains("built for Debian 10 with dpkg alone")
            && err.contains("not checked")
            && err.contains("moby-engine 3.0.6 stays the container engine"),
        "the warning says what --force does: {err}"
    );
    let report = json(&out);
    assert_eq!(report["platform"], "yocto-amd64");
    let steps = steps(&report);
    assert_eq!(
        steps[0].2,
        "/var/cache/edgeup/libiothsm-std_1.0.9.2-1-1_debian10_amd64.deb /var/cache/edgeup/iotedge_1.0.9.2-1_debian10_amd64.deb"
    );
    assert_eq!(root.installed("iotedge").as_deref(), Some("1.0.9.2-1"));
    assert_eq!(
        root.installed("libiothsm-std").as_deref(),
        Some("1.0.9.2-1")
    );
    assert!(
        root.read("/etc/apt/sources.list.d/microsoft-prod.list")
            .is_none(),
        "no repository on an image"
    );
    assert!(root.read("/etc/iotedge/config.yaml").unwrap().contains(CS));
    assert_eq!(
        root.mode_owner("/etc/iotedge/config.yaml"),
        "400 iotedge:iotedge"
    );
    let receipt: Value =
        serde_json::from_str(&root.read("/var/lib/edgeup/receipt.json").unwrap()).unwrap();
    assert_eq!(receipt["package_tool"], "dpkg");
    assert_eq!(report["verify"]["ok"], true, "{}", report["verify"]);
    // A re-run changes nothing; uninstall takes IoT Edge and leaves the
    // image's engine.
    let (code, out, err) = install_el7(
        &root,
        &server,
        &["--force", "--connection-string-file", "/root/device.conn"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["changed"], false);
    let (code, out, err) = root.run(&["edgeup", "uninstall", "--purge"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(root.installed("iotedge"), None);
    assert_eq!(root.installed("libiothsm-std"), None);
    assert_eq!(root.installed("moby-engine").as_deref(), Some("3.0.6"));
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn yocto_with_rpm_forced_installs_the_el7_assets_with_rpm() {
    let server = Server::start_rpm();
    let root = Root::new_rpm("r-yocto-rpm", "yocto");
    // The image's engine, in its rpm database (no el7 base: Yocto's own
    // package names would be there, so rpm cannot resolve el7 dependencies).
    let engine = repo_rpm().join("centos/7/prod/moby-engine-3.0.6+azure-0.x86_64.rpm");
    root.put(&engine, "/tmp/moby-engine.rpm");
    let (code, _, err) = root.run(&[
        "rpm",
        "-i",
        "--nodeps",
        "--nosignature",
        "/tmp/moby-engine.rpm",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = install_el7(&root, &server, &["--force"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        err.contains("built for CentOS 7.5 with rpm alone"),
        "the warning names the el7 assets and rpm: {err}"
    );
    let report = json(&out);
    assert_eq!(report["platform"], "yocto-amd64");
    assert_eq!(
        steps(&report)[0].2,
        "/var/cache/edgeup/libiothsm-std_1.0.9.2-1.el7.x86_64.rpm /var/cache/edgeup/iotedge-1.0.9.2-1.el7.x86_64.rpm"
    );
    assert_eq!(
        root.rpm_installed("iotedge").as_deref(),
        Some("1.0.9.2-1.el7")
    );
    assert_eq!(
        root.mode_owner("/etc/iotedge/config.yaml"),
        "400 iotedge:iotedge"
    );
    assert!(root.read("/etc/yum.repos.d/microsoft-prod.repo").is_none());
    let receipt: Value =
        serde_json::from_str(&root.read("/var/lib/edgeup/receipt.json").unwrap()).unwrap();
    assert_eq!(receipt["package_tool"], "rpm");
    let (code, out, err) = root.run(&["edgeup", "uninstall", "--purge"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(root.rpm_installed("iotedge"), None);
    assert_eq!(root.rpm_installed("libiothsm-std"), None);
    assert!(
        root.rpm_installed("moby-engine").is_some(),
        "the image's engine stays"
    );
}

/// `edgeup bundle` of centos-7-amd64 1.0.9 on the host against a server;
/// the exit code, stdout and stderr.
fn bundle_el7(mirror: &str, assets: &str, output: &std::path::Path) -> (i32, String, String) {
    let key = format!("{mirror}/keys/microsoft.asc");
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("edgeup"))
        .args([
            "bundle",
            "--json",
            "--platform",
            "centos-7-amd64",
            "--version",
            "1.0.9",
            "--mirror",
            mirror,
            "--repo-key",
            &key,
            "--assets-url",
            assets,
            "-o",
        ])
        .arg(output)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn an_el7_offline_bundle_is_reproducible_and_installs_with_the_server_gone() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("a.tar"), dir.path().join("b.tar"));
    let root = Root::new_rpm("r-offline", "centos-7");
    {
        let server = Server::start_rpm();
        let (code, out, err) = bundle_el7(&server.url(), &server.assets_url(), &first);
        assert_eq!(code, 0, "{out}\n{err}");
        let manifest = json(&out);
        let (code, _, err) = bundle_el7(&server.url(), &server.assets_url(), &second);
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            std::fs::read(&first).unwrap(),
            std::fs::read(&second).unwrap(),
            "byte-identical bundles"
        );
        assert_eq!(manifest["platform"], "centos-7-amd64");
        assert_eq!(manifest["release"], "1.0.9");
        let files: Vec<(String, String)> = manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_string(),
                    f["role"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let want = [
            ("keys/microsoft.asc", "key"),
            ("packages/iotedge-1.0.9.2-1.el7.x86_64.rpm", "iotedge"),
            ("packages/libiothsm-std_1.0.9.2-1.el7.x86_64.rpm", "iotedge"),
            ("packages/moby-cli-3.0.6+azure-0.x86_64.rpm", "engine"),
            ("packages/moby-engine-3.0.6+azure-0.x86_64.rpm", "engine"),
        ];
        assert_eq!(
            files,
            want.map(|(p, r)| (p.to_string(), r.to_string())),
            "the x86_64 packages at the pinned versions, nothing else"
        );
        // Each repository package is the one the signed metadata names.
        for (path, _) in &files[3..] {
            let name = path.trim_start_matches("packages/");
            let served = walk(&repo_rpm().join("centos/7/prod"))
                .into_iter()
                .find(|p| p.file_name().unwrap() == name)
                .unwrap_or_else(|| panic!("{name} is not in the stand-in"));
            let entry = manifest["files"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["path"] == path.as_str())
                .unwrap();
            assert_eq!(
                entry["size"].as_u64().unwrap(),
                std::fs::metadata(&served).unwrap().len()
            );
        }
    } // the server stops here: the install below has no repository to reach
    let (code, out, err) = root.install_offline(&std::fs::read(&first).unwrap());
    assert_eq!(code, 0, "{out}\n{err}");
    let report = json(&out);
    assert_eq!(report["platform"], "centos-7-amd64");
    assert_eq!(report["verify"]["ok"], true, "{}", report["verify"]);
    assert_el7_1092_installed(&root);
    let steps = steps(&report);
    let kinds: Vec<&str> = steps.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "install_packages",
            "install_packages",
            "write_config",
            "service",
            "verify"
        ],
        "offline: no repository step"
    );
    assert_eq!(
        steps[0].2,
        "/var/cache/edgeup/offline/packages/moby-engine-3.0.6+azure-0.x86_64.rpm /var/cache/edgeup/offline/packages/moby-cli-3.0.6+azure-0.x86_64.rpm",
        "the engine from the bundle's files"
    );
    // The engine in its own transaction, before IoT Edge.
    let log = root.read("/var/log/dnf.rpm.log").unwrap();
    let at = |what: &str| {
        log.find(what)
            .unwrap_or_else(|| panic!("{what} not in dnf's log:\n{log}"))
    };
    assert!(at("moby-engine-3.0.6") < at("iotedge-1.0.9.2"), "{log}");
    // dnf read no repository: every one disabled on its command lines.
    let commands: Vec<String> = root
        .read("/var/log/dnf.log")
        .unwrap()
        .lines()
        .filter(|l| l.contains("Command: dnf") && l.contains(" install "))
        .map(str::to_string)
        .collect();
    assert_eq!(commands.len(), 2, "{commands:?}");
    assert!(
        commands.iter().all(|c| c.contains("--disablerepo=*")),
        "{commands:?}"
    );
    assert!(
        root.read("/etc/yum.repos.d/microsoft-prod.repo").is_none(),
        "offline: no repository"
    );
    assert!(root.read("/etc/iotedge/config.yaml").unwrap().contains(CS));
    let receipt = json(&root.read("/var/lib/edgeup/receipt.json").unwrap());
    assert_eq!(receipt["package_tool"], "dnf", "{receipt}");
    assert_eq!(receipt["release"], "1.0.9", "{receipt}");
    assert_eq!(receipt["versions"]["daemon"], "1.0.9.2", "{receipt}");
    assert!(
        receipt.get("rpm_keys").is_none(),
        "offline: no key imported: {receipt}"
    );
    assert!(pubkeys(&root).is_empty());
    let by_edgeup: Vec<&str> = receipt["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["installed_by_edgeup"] == true)
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        by_edgeup.len(),
        4,
        "moby-engine, moby-cli, libiothsm-std, iotedge: {receipt}"
    );
}

/// Every file under a directory.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
#[ignore = "needs root and the sandbox tools; ci/test.sh runs it"]
fn a_repomd_that_does_not_match_its_signature_makes_no_bundle() {
    // A copy of the stand-in whose repomd.xml changed after it was signed.
    let copy = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(repo_rpm().join("keys"))
        .arg(repo_rpm().join("centos"))
        .arg(repo_rpm().join("releases"))
        .arg(copy.path())
        .status()
        .unwrap();
    assert!(status.success());
    let repomd = copy.path().join("centos/7/prod/repodata/repomd.xml");
    let text = std::fs::read_to_string(&repomd).unwrap();
    std::fs::write(&repomd, text.replace("<revision>", "<revision>1")).unwrap();
    let server = Server::start_in(copy.path());
    let out_dir = tempfile::tempdir().unwrap();
    let output = out_dir.path().join("bundle.tar");
    let (code, out, err) = bundle_el7(&server.url(), &server.assets_url(), &output);
    assert_eq!(code, 8, "{out}\n{err}");
    assert!(
        err.contains("centos/7/prod/repodata/repomd.xml is not signed by the repository key"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(out_dir.path()).unwrap().count(),
        0,
        "no bundle, not even a partial one"
    );
}
