//! The executor against a recording double of the system: an in-memory
//! file tree and package database, and scripted apt answers. The sandbox
//! suite runs the same paths with real apt; these pin the logic.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use edgeup::ExitCode;
use edgeup::catalog::Catalog;
use edgeup::install::{self, InstallRequest, Progress};
use edgeup::plan::{self, Plan, PlanOptions};
use edgeup::provisioning::{ConnectionString, Provisioning};
use edgeup::resolve::VersionRequest;
use edgeup::system::{CommandOutput, CommandSpec, Owner, System};

const KEY: &str = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBFYxWIwBCADAKoZhZlJxGNGWzqV+1OG1xiQeoowKhssGAKvd+buXCGISZJwT\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n";
const TEMPLATE: &str = "provisioning:\n  source: \"manual\"\n  device_connection_string: \"<ADD DEVICE CONNECTION STRING HERE>\"\n\nagent:\n  name: \"edgeAgent\"\n  type: \"docker\"\n  env: {}\n  config:\n    image: \"mcr.microsoft.com/azureiotedge-agent:1.0\"\n    auth: {}\n\nhostname: \"<ADD HOSTNAME HERE>\"\n";
const SECRET: &str = "c2VjcmV0LWtleS0xMjM=";

/// A file in the fake: content, mode, owner.
type FakeFile = (Vec<u8>, u32, Option<Owner>);

#[derive(Default)]
struct Fake {
    files: RefCell<BTreeMap<PathBuf, FakeFile>>,
    installed: RefCell<BTreeMap<String, String>>,
    offered: BTreeMap<String, Vec<String>>,
    commands: RefCell<Vec<String>>,
    update_output: String,
    fail_install_of: Option<String>,
}

impl Fake {
    fn new() -> Fake {
        let mut offered = BTreeMap::new();
        for name in ["iotedge", "libiothsm-std"] {
            offered.insert(
                name.to_string(),
                [
                    "1.0.9.2-1",
                    "1.0.9.1-1",
                    "1.0.9-1",
                    "1.0.8-2",
                    "1.0.8-1",
                    "1.0.7.1-1",
                ]
                .map(String::from)
                .to_vec(),
            );
        }
        for name in ["moby-engine", "moby-cli"] {
            offered.insert(
                name.to_string(),
                ["3.0.10+azure-0", "3.0.6", "3.0.5"]
                    .map(String::from)
                    .to_vec(),
            );
        }
        Fake {
            offered,
            ..Fake::default()
        }
    }

    fn ran(&self, prefix: &str) -> Vec<String> {
        self.commands
            .borrow()
            .iter()
            .filter(|c| c.starts_with(prefix))
            .cloned()
            .collect()
    }

    fn file(&self, path: &str) -> Option<FakeFile> {
        self.files.borrow().get(Path::new(path)).cloned()
    }
}

fn ok(stdout: &str) -> CommandOutput {
    CommandOutput {
        status: 0,
        stdout: stdout.into(),
        stderr: String::new(),
    }
}

impl System for Fake {
    fn run(&self, cmd: &CommandSpec) -> edgeup::Result<CommandOutput> {
        let line = cmd.display();
        self.commands.borrow_mut().push(line.clone());
        let args: Vec<&str> = cmd.args.iter().map(String::as_str).collect();
        Ok(match (cmd.program.as_str(), args.as_slice()) {
            ("dpkg-query", [.., name]) => match self.installed.borrow().get(*name) {
                Some(v) => ok(&format!("ii |{v}")),
                None => CommandOutput { status: 1, ..Default::default() },
            },
            ("apt-cache", ["madison", name]) => ok(&self
                .offered
                .get(*name)
                .map(|vs| vs.iter().map(|v| format!(" {name} | {v} | http://127.0.0.1:9/repo bionic/main amd64 Packages\n")).collect::<String>())
                .unwrap_or_default()),
            ("apt-get", ["update"]) => {
                if self.update_output.is_empty() { ok("") } else { CommandOutput { status: 100, stdout: String::new(), stderr: self.update_output.clone() } }
            }
            ("apt-get", ["install", ..]) => {
                let targets: Vec<&str> = args.iter().copied().filter(|a| a.contains('=') && !a.starts_with("Dpkg")).collect();
                if let Some(fail) = &self.fail_install_of
                    && targets.contains(&fail.as_str())
                {
                    return Ok(CommandOutput { status: 100, stdout: String::new(), stderr: "dpkg: error processing package iotedge (--configure):\n installed iotedge package post-installation script subprocess returned error exit status 1\n".into() });
                }
                for t in targets {
                    let (name, version) = t.split_once('=').unwrap();
                    self.installed.borrow_mut().insert(name.into(), version.into());
                    if name == "iotedge" && !self.files.borrow().contains_key(Path::new("/etc/iotedge/config.yaml")) {
                        self.files.borrow_mut().insert("/etc/iotedge/config.yaml".into(), (TEMPLATE.as_bytes().to_vec(), 0o400, None));
                    }
                }
                ok("")
            }
            ("apt-get", ["purge" | "remove", "-y", names @ ..]) => {
                for n in names {
                    self.installed.borrow_mut().remove(*n);
                }
                ok("")
            }
            ("systemctl", _) => ok("active"),
            ("udevadm", _) => ok(""),
            ("iotedge", ["check", ..]) => ok(r#"{"checks":{"config-yaml-well-formed":{"result":{"result":"ok"}},"host-connect-iothub-amqp":{"result":{"result":"error","details":["offline"]}}}}"#),
            (p, _) => panic!("unexpected command {p}: {line}"),
        })
    }

    fn read(&self, path: &Path) -> edgeup::Result<Option<Vec<u8>>> {
        Ok(self.files.borrow().get(path).map(|f| f.0.clone()))
    }

    fn write(
        &self,
        path: &Path,
        bytes: &[u8],
        mode: u32,
        owner: Option<&Owner>,
    ) -> edgeup::Result<()> {
        self.files
            .borrow_mut()
            .insert(path.to_path_buf(), (bytes.to_vec(), mode, owner.cloned()));
        Ok(())
    }

    fn remove(&self, path: &Path) -> edgeup::Result<()> {
        self.files.borrow_mut().remove(path);
        Ok(())
    }

    fn fetch(&self, url: &str) -> edgeup::Result<Vec<u8>> {
        if url.ends_with(".deb") {
            return Err(edgeup::Error::Network {
                url: url.into(),
                detail: "HTTP 404 Not Found".into(),
            });
        }
        assert_eq!(url, "http://127.0.0.1:9/keys/microsoft.asc");
        Ok(KEY.as_bytes().to_vec())
    }

    fn fetch_file(&self, url: &str, dest: &Path, _: Option<&str>) -> edgeup::Result<String> {
        let bytes = self.fetch(url)?;
        self.write(dest, &bytes, 0o644, None)?;
        Ok(String::new())
    }

    fn mode(&self, path: &Path) -> edgeup::Result<Option<u32>> {
        Ok(self.files.borrow().get(path).map(|f| f.1))
    }

    fn sleep(&self, _: Duration) {}
}

struct Quiet;
impl Progress for Quiet {
    fn step(&self, _: usize, _: usize, _: &str) {}
    fn note(&self, _: &str) {}
}

fn options() -> PlanOptions {
    PlanOptions {
        mirror: "http://127.0.0.1:9".into(),
        repo_key: "http://127.0.0.1:9/keys/microsoft.asc".into(),
        ..PlanOptions::default()
    }
}

fn plan_for(version: &str) -> Plan {
    plan::plan_for_platform(
        Catalog::embedded(),
        "ubuntu-18.04-amd64",
        &VersionRequest::parse(version).unwrap(),
        &options(),
    )
    .unwrap()
}

fn provisioning() -> Provisioning {
    Provisioning::Manual(
        ConnectionString::parse(&format!(
            "HostName=hub.azure-devices.net;DeviceId=dev1;SharedAccessKey={SECRET}"
        ))
        .unwrap(),
    )
}

fn run(
    sys: &Fake,
    plan: &Plan,
    p: Option<&Provisioning>,
) -> edgeup::Result<install::InstallReport> {
    let options = options();
    install::install(
        sys,
        &Quiet,
        &InstallRequest {
            plan,
            options: &options,
            provisioning: p,
            hostname: Some("edge-01"),
            proxy: None,
            lock_wait: Duration::from_secs(1),
            verify: true,
            verify_wait: None,
            offline: false,
        },
    )
}

#[test]
fn fresh_install_orders_pins_and_writes_config_and_receipt() {
    let sys = Fake::new();
    let p = provisioning();
    let report = run(&sys, &plan_for("1.0.8"), Some(&p)).unwrap();
    assert!(report.changed);
    let installs = sys.ran("apt-get install");
    assert_eq!(installs.len(), 2, "{installs:?}");
    assert!(
        installs[0].ends_with("moby-engine=3.0.6 moby-cli=3.0.6"),
        "{}",
        installs[0]
    );
    assert!(
        installs[1].ends_with("libiothsm-std=1.0.8-2 iotedge=1.0.8-2"),
        "the newest revision: {}",
        installs[1]
    );
    assert!(
        installs[0]
            .contains("-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold")
    );
    let cmds = sys.commands.borrow().clone();
    let update = cmds.iter().position(|c| c == "apt-get update").unwrap();
    let madison = cmds
        .iter()
        .position(|c| c.starts_with("apt-cache madison"))
        .unwrap();
    assert!(update < madison);
    let (config, mode, owner) = sys.file("/etc/iotedge/config.yaml").unwrap();
    let config = String::from_utf8(config).unwrap();
    assert!(
        config.contains(SECRET)
            && config.contains("hostname: \"edge-01\"")
            && config.contains("azureiotedge-agent:1.0.8.5"),
        "{config}"
    );
    assert_eq!(mode, 0o400);
    assert_eq!(
        owner,
        Some(Owner {
            user: "iotedge".into(),
            group: "iotedge".into()
        })
    );
    assert_eq!(
        String::from_utf8(
            sys.file("/etc/iotedge/config.yaml.edgeup-backup")
                .unwrap()
                .0
        )
        .unwrap(),
        TEMPLATE
    );
    let list = String::from_utf8(
        sys.file("/etc/apt/sources.list.d/microsoft-prod.list")
            .unwrap()
            .0,
    )
    .unwrap();
    assert_eq!(
        list,
        "deb [arch=amd64 signed-by=/usr/share/keyrings/microsoft-prod.gpg] http://127.0.0.1:9/ubuntu/18.04/multiarch/prod bionic main\n"
    );
    assert_eq!(
        sys.file("/usr/share/keyrings/microsoft-prod.gpg")
            .unwrap()
            .0[0],
        0x99,
        "dearmored"
    );
    let receipt = String::from_utf8(sys.file("/var/lib/edgeup/receipt.json").unwrap().0).unwrap();
    assert!(
        receipt.contains("\"iotedge\"")
            && receipt.contains("1.0.8-2")
            && receipt.contains("\"manual\""),
        "{receipt}"
    );
    assert!(!receipt.contains(SECRET), "no secret in the receipt");
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains(SECRET), "no secret in the report");
    let verify = report.verify.unwrap();
    assert!(verify.ok, "{:?}", verify.failures);
    assert_eq!(verify.check.unwrap().connectivity.len(), 1);
}

#[test]
fn a_rerun_with_the_same_options_changes_nothing_and_runs_no_apt() {
    let sys = Fake::new();
    let p = provisioning();
    run(&sys, &plan_for("1.0.8"), Some(&p)).unwrap();
    let receipt_before = sys.file("/var/lib/edgeup/receipt.json").unwrap();
    sys.commands.borrow_mut().clear();
    let report = run(&sys, &plan_for("1.0.8"), Some(&p)).unwrap();
    assert!(!report.changed);
    assert!(sys.ran("apt-get").is_empty(), "{:?}", sys.commands.borrow());
    assert!(
        sys.ran("systemctl restart").is_empty(),
        "nothing to restart"
    );
    assert!(
        report
            .steps
            .iter()
            .all(|s| s.outcome != "done" || s.kind == "verify"),
        "{:?}",
        report.steps
    );
    assert_eq!(
        sys.file("/var/lib/edgeup/receipt.json").unwrap(),
        receipt_before
    );
}

#[test]
fn a_version_change_moves_both_pinned_packages_and_keeps_the_config() {
    let sys = Fake::new();
    let p = provisioning();
    run(&sys, &plan_for("1.0.9"), Some(&p)).unwrap();
    assert_eq!(sys.installed.borrow()["iotedge"], "1.0.9.2-1");
    sys.commands.borrow_mut().clear();
    let report = run(&sys, &plan_for("1.0.8"), None).unwrap();
    assert!(report.changed);
    assert_eq!(sys.installed.borrow()["iotedge"], "1.0.8-2");
    assert_eq!(sys.installed.borrow()["libiothsm-std"], "1.0.8-2");
    let installs = sys.ran("apt-get install");
    assert_eq!(installs.len(), 1, "the engine stays: {installs:?}");
    assert!(installs[0].contains("--allow-downgrades"));
    let config = String::from_utf8(sys.file("/etc/iotedge/config.yaml").unwrap().0).unwrap();
    assert!(
        config.contains(SECRET),
        "provisioning kept when none is given"
    );
    assert!(config.contains("azureiotedge-agent:1.0.8.5"));
}

#[test]
fn a_failing_step_restores_what_the_run_changed() {
    let mut sys = Fake::new();
    sys.fail_install_of = Some("iotedge=1.0.8-2".into());
    sys.files.borrow_mut().insert(
        "/etc/apt/sources.list.d/microsoft-prod.list".into(),
        (b"deb old\n".to_vec(), 0o644, None),
    );
    let err = run(&sys, &plan_for("1.0.8"), Some(&provisioning())).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Failed);
    let text = err.to_string();
    assert!(text.contains("post-installation script"), "{text}");
    assert!(
        text.contains("removed iotedge, libiothsm-std, moby-cli, moby-engine"),
        "what the run installed is purged: {text}"
    );
    assert!(
        text.contains("restored /etc/apt/sources.list.d/microsoft-prod.list"),
        "{text}"
    );
    assert!(
        sys.installed.borrow().is_empty(),
        "{:?}",
        sys.installed.borrow()
    );
    assert_eq!(
        sys.file("/etc/apt/sources.list.d/microsoft-prod.list")
            .unwrap()
            .0,
        b"deb old\n"
    );
    assert!(sys.file("/usr/share/keyrings/microsoft-prod.gpg").is_none());
    assert!(
        sys.file("/var/lib/edgeup/receipt.json").is_none(),
        "no receipt for a failed run"
    );
}

#[test]
fn a_failed_upgrade_reinstalls_the_previous_versions() {
    let mut sys = Fake::new();
    let p = provisioning();
    run(&sys, &plan_for("1.0.8"), Some(&p)).unwrap();
    sys.fail_install_of = Some("iotedge=1.0.9.2-1".into());
    // The failing install changes nothing in the fake; what matters is what rollback asks for.
    let err = run(&sys, &plan_for("1.0.9"), Some(&p)).unwrap_err();
    assert!(err.to_string().contains("reinstalled"), "{err}");
    let last = sys.ran("apt-get install").pop().unwrap();
    assert!(
        last.contains("iotedge=1.0.8-2") && last.contains("libiothsm-std=1.0.8-2"),
        "{last}"
    );
    assert_eq!(sys.installed.borrow()["iotedge"], "1.0.8-2");
    assert_eq!(
        sys.installed.borrow()["moby-engine"],
        "3.0.6",
        "the engine was not touched"
    );
}

#[test]
fn a_missing_key_is_an_integrity_failure_and_leaves_nothing() {
    let mut sys = Fake::new();
    sys.update_output = "W: GPG error: http://127.0.0.1:9/ubuntu/18.04/multiarch/prod bionic InRelease: The following signatures couldn't be verified because the public key is not available: NO_PUBKEY EB3E94ADBE1229CF\nE: The repository 'http://127.0.0.1:9/ubuntu/18.04/multiarch/prod bionic InRelease' is not signed.\n".into();
    let err = run(&sys, &plan_for("1.0.8"), None).unwrap_err();
    assert_eq!(
        err.exit_code(),
        ExitCode::Integrity,
        "the cause's code survives the rollback"
    );
    assert!(err.to_string().contains("NO_PUBKEY"), "{err}");
    assert!(
        sys.file("/etc/apt/sources.list.d/microsoft-prod.list")
            .is_none()
    );
}

#[test]
fn with_systemd_the_daemon_is_restarted_and_waited_for() {
    let sys = Fake::new();
    let p = provisioning();
    run(&sys, &plan_for("1.0.9"), Some(&p)).unwrap();
    let systemctl = sys.ran("systemctl");
    assert!(
        systemctl.contains(&"systemctl daemon-reload".to_string()),
        "{systemctl:?}"
    );
    assert!(
        systemctl.contains(&"systemctl restart iotedge".to_string()),
        "{systemctl:?}"
    );
    assert!(
        systemctl.contains(&"systemctl is-active iotedge".to_string()),
        "waited for: {systemctl:?}"
    );
}

#[test]
fn tpm_provisioning_gives_the_daemon_the_device() {
    use edgeup::provisioning::Attestation;
    let sys = Fake::new();
    let tpm = Provisioning::Dps {
        global_endpoint: edgeup::provisioning::DPS_GLOBAL_ENDPOINT.into(),
        scope_id: "0ne00000A0A".into(),
        attestation: Attestation::Tpm {
            registration_id: "tpm-1".into(),
        },
    };
    run(&sys, &plan_for("1.0.9"), Some(&tpm)).unwrap();
    let rule = String::from_utf8(sys.file(install::TPM_UDEV_RULE).unwrap().0).unwrap();
    assert!(
        rule.contains("KERNEL==\"tpm0\", SUBSYSTEM==\"tpm\", GROUP=\"iotedge\", MODE=\"0660\""),
        "{rule}"
    );
    let dropin = String::from_utf8(sys.file(install::TPM_DROP_IN).unwrap().0).unwrap();
    assert!(
        dropin.contains("Environment=IOTEDGE_USE_TPM_DEVICE=ON"),
        "{dropin}"
    );
    // Not for other methods.
    let sys = Fake::new();
    run(&sys, &plan_for("1.0.9"), Some(&provisioning())).unwrap();
    assert!(sys.file(install::TPM_UDEV_RULE).is_none());
}

#[test]
fn a_missing_fallback_package_names_the_option_it_came_from() {
    let sys = Fake::new();
    let options = PlanOptions {
        debian_archive: Some("http://127.0.0.1:9/wrong".into()),
        ..options()
    };
    let plan = plan::plan_for_platform(
        Catalog::embedded(),
        "debian-10-amd64",
        &VersionRequest::Latest,
        &options,
    )
    .unwrap();
    let err = install::install(
        &sys,
        &Quiet,
        &InstallRequest {
            plan: &plan,
            options: &options,
            provisioning: None,
            hostname: None,
            proxy: None,
            lock_wait: Duration::from_secs(1),
            verify: false,
            verify_wait: None,
            offline: false,
        },
    )
    .unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Network);
    let text = err.to_string();
    assert!(
        text.contains("HTTP 404") && text.contains("--debian-archive"),
        "{text}"
    );
    assert!(
        text.contains("removed moby-cli, moby-engine"),
        "rolled back: {text}"
    );
}
