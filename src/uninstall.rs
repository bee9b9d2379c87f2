//! uninstall: removes what edgeup installed, per its receipt. The IoT Edge
//! packages always; the engine unless `--keep-engine`; edgeup's repository
//! list and key, and the key it imported into rpm (kept with the engine, so
//! it stays updatable); with `--purge` also the config and the receipt. The
//! package manager is asked first what the removal would take with it (apt)
//! or break (rpm, dpkg): nothing beyond the receipt's packages goes.

use std::path::Path;

use serde::Serialize;

use crate::backend::{Backend, rpm};
use crate::error::{Error, Result};
use crate::receipt::{RECEIPT_PATH, Receipt};
use crate::system::{CommandSpec, System};

/// Options of an uninstall.
#[derive(Debug, Clone, Copy, Default)]
pub struct UninstallOptions {
    pub purge: bool,
    pub keep_engine: bool,
}

/// What an uninstall did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UninstallReport {
    pub removed_packages: Vec<String>,
    pub kept_packages: Vec<String>,
    pub removed_files: Vec<String>,
    pub removed_containers: Vec<String>,
    pub notes: Vec<String>,
}

/// Engine packages edgeup may install.
const ENGINE: [&str; 2] = ["moby-engine", "moby-cli"];
/// Packages edgeup installs as fixups and leaves: other software may use them.
const FIXUPS: [&str; 1] = ["libssl1.0.2"];

/// The packages `apt-get remove` would remove, from a simulation.
fn simulated_removals(sys: &dyn System, packages: &[String], purge: bool) -> Result<Vec<String>> {
    let cmd = CommandSpec::new(
        "asking apt what the removal takes with it",
        "apt-get",
        &["-s"],
    )
    .args([if purge { "purge" } else { "remove" }])
    .args(packages.iter().cloned());
    let out = sys.run(&cmd)?.check(&cmd)?;
    Ok(out
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Remv ").or_else(|| l.strip_prefix("Purg ")))
        .filter_map(|l| l.split_whitespace().next())
        .map(|name| name.split(':').next().unwrap_or(name).to_string())
        .collect())
}

/// Removes the IoT Edge runtime containers when an engine answers, edgeAgent
/// first so it cannot restart the others. `docker` and `host_args` name the
/// engine (`docker`, or the IoT Edge Moby's own CLI and pipe on Windows);
/// `silent` is the note when it does not answer.
fn remove_runtime_containers(
    sys: &dyn System,
    report: &mut UninstallReport,
    docker: &str,
    host_args: &[&str],
    silent: &str,
) -> Result<()> {
    let mut args = host_args.to_vec();
    args.extend([
        "ps",
        "-a",
        "--filter",
        "label=net.azure-devices.edge.owner=Microsoft.Azure.Devices.Edge.Agent",
        "--format",
        "{{.Names}}",
    ]);
    let ps = CommandSpec::new("listing the IoT Edge containers", docker, &args);
    let listed = match sys.run(&ps) {
        Ok(out) if out.success() => out.stdout,
        _ => {
            report.notes.push(silent.into());
            return Ok(());
        }
    };
    let mut names: Vec<String> = listed
        .lines()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(String::from)
        .collect();
    names.sort_by_key(|n| (n != "edgeAgent", n.clone()));
    for name in names {
        let mut args = host_args.to_vec();
        args.extend(["rm", "-f", &name]);
        let rm = CommandSpec::new(format!("removing the {name} container"), docker, &args);
        sys.run(&rm)?.check(&rm)?;
        report.removed_containers.push(name);
    }
    Ok(())
}

/// Uninstalls per the receipt.
pub fn uninstall(sys: &dyn System, options: UninstallOptions) -> Result<UninstallReport> {
    let receipt = Receipt::load(sys)?.ok_or_else(|| {
        Error::usage(
            format!("there is no receipt at {RECEIPT_PATH}: edgeup did not install IoT Edge here"),
            "remove packages installed by other means with apt-get",
        )
    })?;
    if receipt.platform.starts_with("windows-") {
        return uninstall_windows(sys, options);
    }
    let mut report = UninstallReport::default();
    let backend = Backend::from_receipt(receipt.package_tool.as_deref());
    let mut targets = Vec::new();
    for p in &receipt.packages {
        let engine = ENGINE.contains(&p.name.as_str());
        let keep = !p.installed_by_edgeup
            || FIXUPS.contains(&p.name.as_str())
            || (engine && options.keep_engine);
        if keep {
            report.kept_packages.push(p.name.clone());
        } else if backend.installed_version(sys, &p.name)?.is_some() {
            targets.push(p.name.clone());
        }
    }
    if !targets.is_empty() {
        let fix = "remove or keep those packages yourself first (or pass --keep-engine when they depend on the engine), then run uninstall again";
        let (extra, verb) = match &backend {
            Backend::Apt => {
                let would = simulated_removals(sys, &targets, options.purge)?;
                let extra: Vec<String> =
                    would.into_iter().filter(|w| !targets.contains(w)).collect();
                (extra, "also remove")
            }
            Backend::Yum { .. } | Backend::Rpm => (rpm::removal_blockers(sys, &targets)?, "break"),
            Backend::Dpkg => {
                let cmd = CommandSpec::new(
                    "asking dpkg whether the removal breaks anything",
                    "dpkg",
                    &["--no-act", "--remove"],
                )
                .args(targets.iter().cloned());
                let out = sys.run(&cmd)?;
                let extra = if out.success() {
                    Vec::new()
                } else {
                    vec![out.tail(4).replace('\n', " | ")]
                };
                (extra, "break")
            }
        };
        if !extra.is_empty() {
            return Err(Error::usage(
                format!(
                    "removing {} would {verb} {}, which edgeup did not install",
                    targets.join(", "),
                    extra.join(", ")
                ),
                fix,
            ));
        }
        remove_runtime_containers(
            sys,
            &mut report,
            "docker",
            &[],
            "no container engine answered, so no IoT Edge containers were removed",
        )?;
        backend.remove(sys, "removing IoT Edge", &targets, options.purge)?;
        report.removed_packages = targets;
        if backend.is_rpm() {
            rpm_saved_configs(sys, &receipt, options, &mut report)?;
        }
    }
    let keep_repository = options.keep_engine
        && receipt
            .packages
            .iter()
            .any(|p| ENGINE.contains(&p.name.as_str()) && p.installed_by_edgeup);
    for f in &receipt.files {
        let is_config = f.path.starts_with("/etc/iotedge/");
        let is_repository = f.path.contains("microsoft-prod");
        if (is_config && !options.purge) || (is_repository && keep_repository) {
            continue;
        }
        if sys.read(Path::new(&f.path))?.is_some() {
            sys.remove(Path::new(&f.path))?;
            report.removed_files.push(f.path.clone());
        }
    }
    if !keep_repository {
        let present = if receipt.rpm_keys.is_empty() {
            Vec::new()
        } else {
            rpm::pubkeys(sys)?
        };
        for key in receipt.rpm_keys.iter().filter(|k| present.contains(k)) {
            rpm::remove_pubkey(sys, key)?;
            report.removed_packages.push(key.clone());
        }
    }
    if options.purge {
        sys.remove(Path::new(RECEIPT_PATH))?;
        report.removed_files.push(RECEIPT_PATH.into());
    } else {
        report.notes.push(
            "the IoT Edge config and edgeup's receipt are kept (--purge removes them)".into(),
        );
    }
    if report
        .kept_packages
        .iter()
        .any(|p| FIXUPS.contains(&p.as_str()))
    {
        report.notes.push(
            "libssl1.0.2 stays: other software may use it (apt-get remove libssl1.0.2 removes it)"
                .into(),
        );
    }
    Ok(report)
}

/// rpm keeps an edited `%config(noreplace)` file of a removed package as
/// `<file>.rpmsave` (and an upgrade's pristine one as `<file>.rpmnew`).
/// Without --purge the config stays where it was, as on the Debian family
/// (moved back, owner and mode kept); with --purge both copies go: the
/// config holds the device's secrets.
fn rpm_saved_configs(
    sys: &dyn System,
    receipt: &Receipt,
    options: UninstallOptions,
    report: &mut UninstallReport,
) -> Result<()> {
    for f in receipt
        .files
        .iter()
        .filter(|f| f.path.starts_with("/etc/iotedge/"))
    {
        let saved = format!("{}.rpmsave", f.path);
        let pristine = format!("{}.rpmnew", f.path);
        if options.purge {
            for extra in [&saved, &pristine] {
                if sys.read(Path::new(extra))?.is_some() {
                    sys.remove(Path::new(extra))?;
                    report.removed_files.push(extra.clone());
                }
            }
        } else if sys.read(Path::new(&saved))?.is_some() && sys.read(Path::new(&f.path))?.is_none()
        {
            let mv = CommandSpec::new(
                format!("putting back the config rpm saved as {saved}"),
                "mv",
                &[saved.as_str(), f.path.as_str()],
            );
            sys.run(&mv)?.check(&mv)?;
        }
    }
    Ok(())
}

/// The IoT Edge Moby engine's CLI and pipe on Windows.
const WINDOWS_DOCKER: &str = r"C:\Program Files\iotedge-moby\docker.exe";
const WINDOWS_DOCKER_HOST: &str = "npipe:////./pipe/iotedge_moby_engine";

/// Windows, as Uninstall-IoTEdge does it (facts §4.5).
fn uninstall_windows(sys: &dyn System, options: UninstallOptions) -> Result<UninstallReport> {
    use crate::backend::powershell as ps;
    let mut report = UninstallReport::default();
    let run_ps = |purpose: &str, script: &str| -> Result<i32> {
        let cmd = ps::command(purpose, script);
        let out = sys.run(&cmd)?;
        if out.status == ps::REBOOT_REQUIRED {
            return Ok(out.status);
        }
        out.check(&cmd).map(|o| o.status)
    };
    run_ps(
        "stopping the IoT Edge daemon",
        &ps::stop_services(&["iotedge"]),
    )?;
    remove_runtime_containers(
        sys,
        &mut report,
        WINDOWS_DOCKER,
        &["-H", WINDOWS_DOCKER_HOST],
        "the IoT Edge Moby engine did not answer, so no containers were removed",
    )?;
    run_ps(
        "stopping the IoT Edge engine",
        &ps::stop_services(&["iotedge-moby"]),
    )?;
    let reboot = run_ps(
        "removing the IoT Edge package",
        &ps::remove_windows_package("*microsoft-azure-iotedge*"),
    )? == ps::REBOOT_REQUIRED;
    report
        .removed_packages
        .push(crate::install::WINDOWS_PACKAGE.into());
    run_ps(
        "removing IoT Edge from the machine PATH",
        &ps::remove_from_machine_path(&[
            r"C:\Program Files\iotedge",
            r"C:\Program Files\iotedge-moby",
        ]),
    )?;
    run_ps(
        "removing IOTEDGE_HOST",
        &ps::set_machine_env("IOTEDGE_HOST", None),
    )?;
    run_ps(
        "removing the firewall rule",
        &ps::remove_firewall_rule("iotedged allow inbound 15580,15581"),
    )?;
    if options.purge {
        for dir in [r"C:\ProgramData\iotedge", r"C:\ProgramData\iotedge-moby"] {
            run_ps(&format!("removing {dir}"), &ps::remove_folder(dir))?;
            report.removed_files.push(dir.into());
        }
        sys.remove(Path::new(RECEIPT_PATH))?;
        report.removed_files.push(RECEIPT_PATH.into());
    } else {
        report.notes.push(
            r"C:\ProgramData\iotedge (config) and the Moby data are kept (--purge removes them)"
                .into(),
        );
    }
    if reboot {
        return Err(Error::RebootRequired {
            message: "IoT Edge is removed; Windows must restart to finish removing its package"
                .into(),
        });
    }
    Ok(report)
}
