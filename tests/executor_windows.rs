//! The Windows steps against a recording double that plays Windows: the
//! Containers feature (and its reboot), the VC++ runtime, the CAB, PATH,
//! config with the Windows values, socket folders, IOTEDGE_HOST, services.

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

const KEY: &str = "d2luZG93cy1zZWNyZXQta2V5";
const TEMPLATE: &str = "provisioning:\n  source: \"manual\"\n  device_connection_string: \"<ADD DEVICE CONNECTION STRING HERE>\"\n\nagent:\n  name: \"edgeAgent\"\n  type: \"docker\"\n  env: {}\n  config:\n    image: \"mcr.microsoft.com/azureiotedge-agent:1.0.9\"\n    auth: {}\n\nhostname: \"<ADD HOSTNAME HERE>\"\n\nconnect:\n  management_uri: \"x\"\n  workload_uri: \"x\"\n\nlisten:\n  management_uri: \"x\"\n  workload_uri: \"x\"\n\nhomedir: \"x\"\n\nmoby_runtime:\n  uri: \"x\"\n  network: \"x\"\n";

struct Windows {
    files: RefCell<BTreeMap<PathBuf, Vec<u8>>>,
    feature: RefCell<String>,
    reboot_on_enable: bool,
    path: RefCell<String>,
    services: RefCell<BTreeMap<String, String>>,
    daemon: RefCell<Option<String>>,
    env: RefCell<BTreeMap<String, String>>,
    folders: RefCell<Vec<String>>,
    commands: RefCell<Vec<CommandSpec>>,
}

impl Windows {
    fn new(feature: &str, reboot_on_enable: bool) -> Windows {
        Windows {
            files: RefCell::default(),
            feature: RefCell::new(feature.into()),
            reboot_on_enable,
            path: RefCell::new(r"C:\Windows\system32;C:\Windows".into()),
            services: RefCell::default(),
            daemon: RefCell::default(),
            env: RefCell::default(),
            folders: RefCell::default(),
            commands: RefCell::default(),
        }
    }

    fn scripts(&self, needle: &str) -> usize {
        self.commands
            .borrow()
            .iter()
            .filter(|c| c.args.last().is_some_and(|s| s.contains(needle)))
            .count()
    }
}

fn out(status: i32, stdout: &str) -> CommandOutput {
    CommandOutput {
        status,
        stdout: stdout.into(),
        stderr: String::new(),
    }
}

/// The single-quoted literal after `marker` in a script.
fn literal_after<'a>(script: &'a str, marker: &str) -> &'a str {
    let rest = &script[script.find(marker).unwrap() + marker.len()..];
    let rest = rest.trim_start().strip_prefix('\'').unwrap();
    &rest[..rest.find('\'').unwrap()]
}

impl System for Windows {
    fn run(&self, cmd: &CommandSpec) -> edgeup::Result<CommandOutput> {
        self.commands.borrow_mut().push(cmd.clone());
        if cmd.program == "powershell.exe" {
            let script = cmd.args.last().unwrap().as_str();
            return Ok(if script.contains("Enable-WindowsOptionalFeature") {
                if self.reboot_on_enable {
                    *self.feature.borrow_mut() = "EnablePending".into();
                    out(3010, "")
                } else {
                    *self.feature.borrow_mut() = "Enabled".into();
                    out(0, "")
                }
            } else if script.contains("Get-WindowsOptionalFeature") {
                out(0, &self.feature.borrow())
            } else if script.contains("Add-WindowsPackage") {
                let cab = literal_after(script, "-PackagePath");
                assert!(
                    self.files.borrow().contains_key(Path::new(cab)),
                    "the CAB was downloaded first: {cab}"
                );
                self.files.borrow_mut().insert(
                    install::WINDOWS_CONFIG_TEMPLATE.into(),
                    TEMPLATE.as_bytes().to_vec(),
                );
                self.files.borrow_mut().insert(
                    r"C:\Program Files\iotedge\iotedged.exe".into(),
                    b"MZ".to_vec(),
                );
                *self.daemon.borrow_mut() = Some("1.0.9.2".into());
                out(0, "")
            } else if script.contains("$drop") {
                let kept: Vec<String> = self
                    .path
                    .borrow()
                    .split(';')
                    .filter(|p| !script.contains(&format!("'{p}'")))
                    .map(String::from)
                    .collect();
                *self.path.borrow_mut() = kept.join(";");
                out(0, "")
            } else if script.contains("Remove-WindowsPackage") {
                *self.daemon.borrow_mut() = None;
                out(0, "")
            } else if script.contains("SetEnvironmentVariable('IOTEDGE_HOST', $null") {
                self.env.borrow_mut().remove("IOTEDGE_HOST");
                out(0, "")
            } else if script.contains("Remove-NetFirewallRule") || script.contains("takeown.exe") {
                out(0, "")
            } else if script.contains("SetEnvironmentVariable('Path'") {
                for d in [
                    r"C:\Program Files\iotedge",
                    r"C:\Program Files\iotedge-moby",
                ] {
                    if script.contains(d) && !self.path.borrow().contains(d) {
                        self.path.borrow_mut().push_str(&format!(";{d}"));
                    }
                }
                out(0, "")
            } else if script.contains("GetEnvironmentVariable('Path', 'Machine')") {
                out(0, &self.path.borrow())
            } else if script.contains("S-1-5-11") {
                self.folders
                    .borrow_mut()
                    .push(literal_after(script, "$d =").to_string());
                out(0, "")
            } else if script.contains("SetEnvironmentVariable('IOTEDGE_HOST'") {
                let value = script
                    .split(", ")
                    .nth(1)
                    .unwrap()
                    .trim_matches('\'')
                    .to_string();
                self.env.borrow_mut().insert("IOTEDGE_HOST".into(), value);
                out(0, "")
            } else if script.contains("Start-Service") {
                let name = literal_after(script, "Start-Service -Name");
                self.services
                    .borrow_mut()
                    .insert(name.into(), "Running".into());
                out(0, "")
            } else if script.contains("Get-Service") {
                let name = literal_after(script, "Get-Service -Name");
                out(
                    0,
                    self.services
                        .borrow()
                        .get(name)
                        .map(String::as_str)
                        .unwrap_or("Missing"),
                )
            } else if script.contains("Stop-Service") || script.contains("Restart-Service") {
                out(0, "")
            } else {
                panic!("unexpected script: {script}")
            });
        }
        if cmd.program.ends_with("vc_redist.x64.exe") {
            assert_eq!(cmd.args, ["/quiet", "/norestart"]);
            self.files.borrow_mut().insert(
                r"C:\Windows\System32\vcruntime140.dll".into(),
                b"MZ".to_vec(),
            );
            return Ok(out(0, ""));
        }
        if cmd.program.ends_with("iotedge.exe") {
            return Ok(match cmd.args.first().map(String::as_str) {
                Some("version") => match self.daemon.borrow().as_ref() {
                    Some(v) => out(0, &format!("iotedge {v} (abcdef)")),
                    None => out(1, ""),
                },
                Some("check") => out(
                    1,
                    r#"{"checks":{"config-yaml-well-formed":{"result":{"result":"ok"}},"windows-host-version":{"result":{"result":"ok"}},"host-connect-iothub-amqp":{"result":{"result":"error","details":["offline"]}}}}"#,
                ),
                _ => out(0, ""),
            });
        }
        if cmd.program.ends_with("docker.exe") {
            assert_eq!(
                cmd.args[..2],
                ["-H", "npipe:////./pipe/iotedge_moby_engine"]
            );
            return Ok(match cmd.args[2].as_str() {
                "ps" => out(0, "edgeHub\nSimulatedTemperatureSensor\nedgeAgent\n"),
                _ => out(0, ""),
            });
        }
        if cmd.program == "ApplyUpdate.exe" {
            return Ok(out(0, ""));
        }
        panic!("unexpected command {}", cmd.display())
    }

    fn read(&self, path: &Path) -> edgeup::Result<Option<Vec<u8>>> {
        Ok(self.files.borrow().get(path).cloned())
    }

    fn write(
        &self,
        path: &Path,
        bytes: &[u8],
        _: u32,
        owner: Option<&Owner>,
    ) -> edgeup::Result<()> {
        assert!(
            owner.is_none() || !path.starts_with(r"C:\"),
            "no Unix owners on Windows"
        );
        self.files
            .borrow_mut()
            .insert(path.to_path_buf(), bytes.to_vec());
        Ok(())
    }

    fn remove(&self, path: &Path) -> edgeup::Result<()> {
        self.files.borrow_mut().remove(path);
        Ok(())
    }

    fn fetch(&self, url: &str) -> edgeup::Result<Vec<u8>> {
        panic!("no in-memory fetches on Windows: {url}")
    }

    fn fetch_file(&self, url: &str, dest: &Path, _: Option<&str>) -> edgeup::Result<String> {
        assert!(url.starts_with("https://"), "{url}");
        self.files
            .borrow_mut()
            .insert(dest.to_path_buf(), url.as_bytes().to_vec());
        Ok(String::new())
    }

    fn mode(&self, path: &Path) -> edgeup::Result<Option<u32>> {
        Ok(self.files.borrow().get(path).map(|_| 0o644))
    }

    fn sleep(&self, _: Duration) {}
}

struct Quiet;
impl Progress for Quiet {
    fn step(&self, _: usize, _: usize, _: &str) {}
    fn note(&self, _: &str) {}
}

fn plan_for(platform: &str) -> Plan {
    plan::plan_for_platform(
        Catalog::embedded(),
        platform,
        &VersionRequest::parse("1.0.9").unwrap(),
        &PlanOptions::default(),
    )
    .unwrap()
}

fn run(sys: &Windows, plan: &Plan) -> edgeup::Result<install::InstallReport> {
    let p = Provisioning::Manual(
        ConnectionString::parse(&format!(
            "HostName=hub.azure-devices.net;DeviceId=win1;SharedAccessKey={KEY}"
        ))
        .unwrap(),
    );
    let options = PlanOptions::default();
    install::install(
        sys,
        &Quiet,
        &InstallRequest {
            plan,
            options: &options,
            provisioning: Some(&p),
            hostname: Some("edge-win-01"),
            proxy: None,
            lock_wait: Duration::from_secs(1),
            verify: true,
            verify_wait: None,
            offline: false,
        },
    )
}

#[test]
fn server_2019_reboots_after_the_containers_feature_then_resumes() {
    let sys = Windows::new("Disabled", true);
    let plan = plan_for("windows-server-2019-amd64");
    let err = run(&sys, &plan).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::RebootRequired);
    assert!(
        err.to_string()
            .contains("run the same edgeup command again"),
        "{err}"
    );
    assert_eq!(
        sys.scripts("Add-WindowsPackage"),
        0,
        "nothing after the reboot point ran"
    );
    assert!(
        sys.files
            .borrow()
            .contains_key(Path::new(edgeup::receipt::RECEIPT_PATH)),
        "the run's state is kept, not rolled back"
    );

    // After the reboot the feature is enabled; the same command goes on.
    *sys.feature.borrow_mut() = "Enabled".into();
    let report = run(&sys, &plan).unwrap();
    assert!(report.changed);
    assert_eq!(
        sys.scripts("Enable-WindowsOptionalFeature"),
        1,
        "not enabled twice"
    );
    assert_eq!(sys.scripts("Add-WindowsPackage"), 1);
    let cab = sys
        .commands
        .borrow()
        .iter()
        .find(|c| c.args.last().unwrap().contains("Add-WindowsPackage"))
        .unwrap()
        .clone();
    assert!(
        cab.args
            .last()
            .unwrap()
            .contains("Microsoft-Azure-IoTEdge-amd64.cab' -NoRestart"),
        "{:?}",
        cab.args
    );
    assert!(
        sys.path.borrow().contains(r"C:\Program Files\iotedge")
            && sys.path.borrow().contains(r"C:\Program Files\iotedge-moby")
    );
    assert_eq!(
        *sys.folders.borrow(),
        [
            r"C:\ProgramData\iotedge\mgmt",
            r"C:\ProgramData\iotedge\workload"
        ]
    );
    assert_eq!(
        sys.env.borrow()["IOTEDGE_HOST"],
        "unix:///C:/ProgramData/iotedge/mgmt/sock"
    );
    let config = String::from_utf8(
        sys.files.borrow()[Path::new(r"C:\ProgramData\iotedge\config.yaml")].clone(),
    )
    .unwrap();
    assert!(
        config.contains(KEY) && config.contains("hostname: \"edge-win-01\""),
        "{config}"
    );
    assert!(
        config.contains(
            "moby_runtime:\n  uri: \"npipe://./pipe/iotedge_moby_engine\"\n  network: \"nat\""
        ),
        "{config}"
    );
    assert!(config.contains("azureiotedge-agent:1.0.9.2"), "{config}");
    assert_eq!(sys.services.borrow()["iotedge-moby"], "Running");
    assert_eq!(sys.services.borrow()["iotedge"], "Running");
    let starts: Vec<String> = sys
        .commands
        .borrow()
        .iter()
        .filter_map(|c| {
            c.args
                .last()
                .filter(|s| s.contains("Start-Service"))
                .cloned()
        })
        .collect();
    assert!(
        starts[0].contains("'iotedge-moby'") && starts[1].contains("'iotedge'"),
        "the engine first: {starts:?}"
    );
    assert!(report.verify.unwrap().ok);
    for c in sys.commands.borrow().iter() {
        assert!(
            !c.display().contains(KEY),
            "a secret reached a command line: {}",
            c.display()
        );
    }

    // A third run changes nothing.
    sys.commands.borrow_mut().clear();
    let report = run(&sys, &plan).unwrap();
    assert!(!report.changed, "{:?}", report.steps);
    assert_eq!(
        sys.scripts("Add-WindowsPackage")
            + sys.scripts("Start-Service")
            + sys.scripts("Enable-Windows"),
        0
    );
}

#[test]
fn iot_core_installs_with_apply_update_and_reboots() {
    let sys = Windows::new("Enabled", false);
    let err = run(&sys, &plan_for("windows-10-iot-core-amd64")).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::RebootRequired);
    let apply: Vec<String> = sys
        .commands
        .borrow()
        .iter()
        .filter(|c| c.program == "ApplyUpdate.exe")
        .map(|c| c.args.join(" "))
        .collect();
    assert_eq!(apply.len(), 2);
    assert!(
        apply[0].starts_with("-stage ") && apply[0].ends_with("Microsoft-Azure-IoTEdge-amd64.cab"),
        "{apply:?}"
    );
    assert_eq!(apply[1], "-commit");
    assert_eq!(
        sys.scripts("Enable-WindowsOptionalFeature"),
        0,
        "IoT Core carries the containers package"
    );
}

#[test]
fn uninstall_undoes_the_windows_install() {
    let sys = Windows::new("Enabled", false);
    run(&sys, &plan_for("windows-server-2019-amd64")).unwrap();
    sys.commands.borrow_mut().clear();
    let report = edgeup::uninstall::uninstall(
        &sys,
        edgeup::uninstall::UninstallOptions {
            purge: true,
            keep_engine: false,
        },
    )
    .unwrap();
    assert_eq!(
        report.removed_containers,
        ["edgeAgent", "SimulatedTemperatureSensor", "edgeHub"],
        "edgeAgent first"
    );
    assert_eq!(sys.scripts("Remove-WindowsPackage"), 1);
    assert!(
        !sys.path.borrow().contains("iotedge"),
        "{}",
        sys.path.borrow()
    );
    assert!(!sys.env.borrow().contains_key("IOTEDGE_HOST"));
    assert_eq!(
        sys.scripts("takeown.exe"),
        2,
        "config and Moby data folders, with retries"
    );
    assert!(
        !sys.files
            .borrow()
            .contains_key(Path::new(edgeup::receipt::RECEIPT_PATH))
    );
    let stop_daemon = sys
        .commands
        .borrow()
        .iter()
        .position(|c| {
            c.args
                .last()
                .is_some_and(|s| s.contains("Stop-Service") && s.contains("'iotedge')"))
        })
        .unwrap();
    let rm = sys
        .commands
        .borrow()
        .iter()
        .position(|c| c.program.ends_with("docker.exe") && c.args.contains(&"rm".to_string()))
        .unwrap();
    assert!(
        stop_daemon < rm,
        "the daemon stops before its containers go"
    );
}

#[test]
fn an_offline_bundle_carries_the_cab_and_the_vc_runtime() {
    use edgeup::bundle::{self, BundleFile, Manifest};
    let file = |path: &str, package: &str, role: &str| BundleFile {
        path: path.into(),
        size: 2,
        sha256: String::new(),
        role: role.into(),
        package: Some(package.into()),
    };
    let manifest = Manifest {
        format: bundle::FORMAT,
        edgeup_version: "0.1.0".into(),
        platform: "windows-server-2019-amd64".into(),
        release: "1.0.9".into(),
        requested: "1.0.9".into(),
        files: vec![
            file(
                "packages/Microsoft-Azure-IoTEdge-amd64.cab",
                "microsoft-azure-iotedge",
                "iotedge",
            ),
            file("packages/vc_redist.x64.exe", "vc_redist", "vc-runtime"),
        ],
    };
    let dir = Path::new(r"C:\ProgramData\edgeup\cache\offline");
    let plan = bundle::offline_plan(plan_for("windows-server-2019-amd64"), &manifest, dir).unwrap();
    let sys = Windows::new("Enabled", false);
    // The extracted bundle, as the double's file system sees it.
    let cab = dir.join("packages/Microsoft-Azure-IoTEdge-amd64.cab");
    sys.files.borrow_mut().insert(cab.clone(), b"MSCF".to_vec());
    run(&sys, &plan).unwrap();
    let script = sys
        .commands
        .borrow()
        .iter()
        .find_map(|c| {
            c.args
                .last()
                .filter(|s| s.contains("Add-WindowsPackage"))
                .cloned()
        })
        .unwrap();
    assert!(
        script.contains(&format!("-PackagePath '{}'", cab.display())),
        "{script}"
    );
    assert!(
        sys.commands
            .borrow()
            .iter()
            .any(|c| c.program.ends_with("offline/packages/vc_redist.x64.exe")),
        "the runtime from the bundle"
    );
}
