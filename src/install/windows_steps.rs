//! The Windows steps of a plan, as Microsoft's IotEdgeSecurityDaemon.ps1 did
//! them (facts §4.3-4.4): the Containers feature (a reboot ends the run with
//! exit 5; the same command resumes), the VC++ runtime, the IoT Edge CAB,
//! PATH, the daemon's socket folders and `IOTEDGE_HOST`, and the services.
//! Every command goes through PowerShell with literal arguments, through the
//! [`System`](crate::system::System), so a recording double checks them.

use std::path::Path;

use super::Run;
use crate::backend::powershell as ps;
use crate::error::{Error, Result};
use crate::plan::{PackagePin, WindowsConfig};
use crate::system::CommandSpec;

/// The Windows package the IoT Edge CAB installs.
pub const WINDOWS_PACKAGE: &str = "microsoft-azure-iotedge";
/// The daemon the CAB installs.
pub const IOTEDGED: &str = r"C:\Program Files\iotedge\iotedged.exe";

impl Run<'_> {
    /// Requires a service to be running (Docker Desktop for Linux containers).
    pub(super) fn require_service(
        &mut self,
        name: &str,
        why: &str,
    ) -> Result<(bool, Option<String>)> {
        let status = self.powershell(
            &format!("reading the {name} service"),
            &ps::service_status(name),
        )?;
        if status == "Running" {
            Ok((false, Some(format!("{name} is running"))))
        } else {
            Err(Error::usage(
                format!("the {name} service is {status}"),
                why.to_string(),
            ))
        }
    }

    /// Whether the plan is for Windows.
    pub(super) fn on_windows(&self) -> bool {
        self.request.plan.platform.family == "windows"
    }

    /// Runs a PowerShell script; 3010 means a reboot is needed.
    fn powershell(&self, purpose: &str, script: &str) -> Result<String> {
        let cmd = ps::command(purpose, script);
        let out = self.sys.run(&cmd)?;
        if out.status == ps::REBOOT_REQUIRED {
            return Err(Error::RebootRequired {
                message: format!(
                    "Windows must restart to finish {purpose}; run the same edgeup command again after the reboot and it goes on from there"
                ),
            });
        }
        Ok(out.check(&cmd)?.stdout.trim().to_string())
    }

    pub(super) fn windows_feature(&mut self, feature: &str) -> Result<(bool, Option<String>)> {
        let state = self.powershell(
            &format!("reading the state of the {feature} feature"),
            &format!(
                "(Get-WindowsOptionalFeature -Online -FeatureName {}).State.ToString()",
                ps::quote(feature)
            ),
        )?;
        if state == "Enabled" {
            return Ok((false, Some(format!("{feature} is enabled"))));
        }
        if state == "EnablePending" {
            return Err(Error::RebootRequired {
                message: format!(
                    "the {feature} feature waits for a reboot; run the same edgeup command again after it"
                ),
            });
        }
        self.changed = true;
        self.powershell(
            &format!("enabling the {feature} feature"),
            &ps::enable_feature(feature),
        )?;
        Ok((true, Some(format!("{feature} enabled"))))
    }

    pub(super) fn vc_runtime(
        &mut self,
        url: &str,
        only_if_missing: &str,
    ) -> Result<(bool, Option<String>)> {
        if self.sys.read(Path::new(only_if_missing))?.is_some() {
            return Ok((false, Some(format!("{only_if_missing} is present"))));
        }
        let installer = self.download(
            &PackagePin {
                name: "vc_redist".into(),
                version: None,
                file: Some("vc_redist.x64.exe".into()),
                url: Some(url.into()),
            },
            "the Visual C++ runtime URL",
        )?;
        let cmd = CommandSpec::new(
            "installing the Visual C++ runtime",
            &installer.to_string_lossy(),
            &["/quiet", "/norestart"],
        );
        let out = self.sys.run(&cmd)?;
        // 1638: a newer runtime is installed; 3010: installed, reboot later.
        if !matches!(out.status, 0 | 1638 | 3010) {
            out.check(&cmd)?;
        }
        self.changed = true;
        Ok((true, None))
    }

    /// The daemon version the `iotedge` CLI reports, when one is installed.
    fn installed_daemon(&self) -> Result<Option<String>> {
        if self.sys.read(Path::new(IOTEDGED))?.is_none() {
            return Ok(None);
        }
        let cmd = CommandSpec::new(
            "asking the installed IoT Edge its version",
            r"C:\Program Files\iotedge\iotedge.exe",
            &["version"],
        );
        let out = self.sys.run(&cmd)?;
        // `iotedge 1.0.9.2 (sha)`
        Ok(out.stdout.split_whitespace().nth(1).map(str::to_string))
    }

    pub(super) fn windows_package(
        &mut self,
        url: &str,
        file: &str,
        method: &str,
    ) -> Result<(bool, Option<String>)> {
        let want = self.request.plan.versions.daemon.to_string();
        let installed = self.installed_daemon()?;
        if installed.as_deref() == Some(want.as_str()) {
            self.note_package(WINDOWS_PACKAGE, want.clone(), false);
            return Ok((false, Some(format!("IoT Edge {want} is installed"))));
        }
        let cab = self.download(
            &PackagePin {
                name: WINDOWS_PACKAGE.into(),
                version: Some(want.clone()),
                file: Some(file.into()),
                url: Some(url.into()),
            },
            "--assets-url",
        )?;
        let cab = cab.to_string_lossy().into_owned();
        self.changed = true;
        self.powershell(
            "stopping the IoT Edge services",
            &ps::stop_services(&["iotedge", "iotedge-moby"]),
        )?;
        if method == "ApplyUpdate" {
            // IoT Core: stage, then commit (which reboots the device).
            for args in [["-stage", cab.as_str()], ["-commit", ""]] {
                let args: Vec<&str> = args.into_iter().filter(|a| !a.is_empty()).collect();
                let cmd =
                    CommandSpec::new("installing IoT Edge on IoT Core", "ApplyUpdate.exe", &args);
                self.sys.run(&cmd)?.check(&cmd)?;
            }
            self.note_package(WINDOWS_PACKAGE, want.clone(), true);
            return Err(Error::RebootRequired {
                message: "IoT Core applies the IoT Edge package during a reboot; run the same edgeup command again after it".into(),
            });
        }
        self.powershell(
            "installing the IoT Edge package",
            &ps::add_windows_package(&cab),
        )
        .inspect(|_| self.note_package(WINDOWS_PACKAGE, want.clone(), true))
        .inspect_err(|e| {
            if matches!(e, Error::RebootRequired { .. }) {
                self.note_package(WINDOWS_PACKAGE, want.clone(), true);
            }
        })?;
        Ok((true, Some(format!("IoT Edge {want} from {file}"))))
    }

    pub(super) fn windows_path(&mut self, dirs: &[String]) -> Result<(bool, Option<String>)> {
        let current = self.powershell(
            "reading the machine PATH",
            "[Environment]::GetEnvironmentVariable('Path', 'Machine')",
        )?;
        let parts: Vec<&str> = current.split(';').collect();
        if dirs.iter().all(|d| parts.contains(&d.as_str())) {
            return Ok((false, None));
        }
        let dirs: Vec<&str> = dirs.iter().map(String::as_str).collect();
        self.powershell(
            "adding IoT Edge to the machine PATH",
            &ps::add_to_machine_path(&dirs),
        )?;
        self.changed = true;
        Ok((true, None))
    }

    /// The daemon's socket folders (Modify for Authenticated Users) and the
    /// machine-wide `IOTEDGE_HOST`.
    pub(super) fn windows_config_extras(&mut self, w: &WindowsConfig) -> Result<()> {
        if w.listen_management_uri.starts_with("unix:") {
            for dir in [
                r"C:\ProgramData\iotedge\mgmt",
                r"C:\ProgramData\iotedge\workload",
            ] {
                self.powershell(&format!("creating {dir}"), &ps::socket_folder(dir))?;
            }
        } else {
            self.powershell(
                "allowing the daemon's ports through the firewall",
                &ps::add_firewall_rule(
                    "iotedged allow inbound 15580,15581",
                    IOTEDGED,
                    "15580-15581",
                ),
            )?;
        }
        self.powershell(
            "setting IOTEDGE_HOST",
            &ps::set_machine_env("IOTEDGE_HOST", Some(&w.iotedge_host)),
        )?;
        Ok(())
    }

    pub(super) fn windows_service(
        &mut self,
        name: &str,
        action: &str,
    ) -> Result<(bool, Option<String>)> {
        let status = self.powershell(
            &format!("reading the {name} service"),
            &ps::service_status(name),
        )?;
        if status == "Running" && !self.changed {
            return Ok((false, Some(format!("{name} is running"))));
        }
        let script = if status == "Running" {
            format!("Restart-Service -Name {}", ps::quote(name))
        } else {
            ps::start_service(name, 60)
        };
        self.powershell(&format!("{action}ing the {name} service"), &script)?;
        Ok((true, Some(format!("{name} is running"))))
    }
}
