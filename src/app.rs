//! The program: parse, settle settings, run the task, map the result to an
//! exit code. `main.rs` only calls [`main`].

use std::ffi::OsString;

use clap::{CommandFactory, FromArgMatches};

use crate::catalog::Catalog;
use crate::cli::Cli;
use crate::error::{Error, ExitCode, Result};
use crate::facts::{self, Facts, RootedHost};
use crate::output::Ui;
use std::time::Duration;

use crate::install::{self, InstallRequest, Progress, RunLock};
use crate::plan::{self, Plan, Target};
use crate::receipt::Receipt;
use crate::report;
use crate::resolve::{self, VersionRequest};
use crate::settings::{
    InstallSettings, MachineSettings, OutputSettings, PlanSettings, Settings, Task, Verbosity,
};
use crate::system::RealSystem;
use crate::verify::{self, VerifyOptions};

/// Runs edgeup with these arguments and returns the exit code.
pub fn main(args: impl IntoIterator<Item = OsString>) -> std::process::ExitCode {
    let matches = match Cli::command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return std::process::ExitCode::from(if e.use_stderr() {
                ExitCode::BadInput.code()
            } else {
                ExitCode::Ok.code()
            });
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return std::process::ExitCode::from(ExitCode::BadInput.code());
        }
    };
    let fallback = Ui::new(&OutputSettings {
        verbosity: Verbosity::Normal,
        color: cli.global.color.unwrap_or(crate::cli::ColorChoice::Auto),
        json: false,
    });
    let settings = match Settings::resolve(cli, &matches) {
        Ok(s) => s,
        Err(e) => {
            fallback.error(&e);
            return std::process::ExitCode::from(e.exit_code().code());
        }
    };
    let ui = Ui::new(&settings.output);
    match run(&settings, &ui) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            ui.error(&e);
            ui.error_json(&e);
            std::process::ExitCode::from(e.exit_code().code())
        }
    }
}

/// Runs a task.
pub fn run(settings: &Settings, ui: &Ui) -> Result<()> {
    let catalog = Catalog::embedded();
    match &settings.task {
        Task::Detect(machine) => detect(ui, catalog, machine),
        Task::Releases => {
            if ui.json() {
                ui.result_json(&report::releases_report(catalog));
            } else {
                ui.result(&report::releases_text(ui, catalog));
            }
            Ok(())
        }
        Task::Plan(plan) => plan_command(ui, catalog, plan),
        Task::Install(install) => install_command(ui, catalog, install),
        Task::Verify { wait } => verify_command(ui, *wait),
    }
}

fn read_facts(ui: &Ui, machine: &MachineSettings) -> Result<Facts> {
    let host = match &machine.root {
        Some(root) => {
            if !root.is_dir() {
                return Err(Error::bad_input(
                    "--root",
                    root.display().to_string(),
                    "not a directory",
                    "give the directory that holds the machine's /etc/os-release",
                ));
            }
            ui.detail(format!("reading the machine rooted at {}", root.display()));
            RootedHost::at(root)
        }
        None => RootedHost::live(),
    };
    facts::gather(&host, machine.arch.as_deref())
}

fn detect(ui: &Ui, catalog: &Catalog, machine: &MachineSettings) -> Result<()> {
    let facts = read_facts(ui, machine)?;
    let verdict = resolve::verdict(catalog, &facts);
    if ui.json() {
        ui.result_json(&report::DetectReport {
            edgeup: env!("CARGO_PKG_VERSION"),
            platform: verdict.summary(),
            facts: &facts,
        });
    } else {
        ui.result(&report::detect_text(ui, &verdict, &facts));
    }
    Ok(())
}

/// Plans an install for this machine (or a fixture root): facts, verdict
/// (with `--force`, the nearest platform, said loudly), versions, steps.
fn plan_for_machine(
    ui: &Ui,
    catalog: &Catalog,
    machine: &MachineSettings,
    version: &VersionRequest,
    force: bool,
    options: &plan::PlanOptions,
) -> Result<Plan> {
    resolve::check_known(catalog, version)?;
    let facts = read_facts(ui, machine)?;
    let verdict = resolve::verdict(catalog, &facts);
    let (platform, forced) = verdict.plannable(force)?;
    if forced {
        ui.warn(format!(
            "--force: {} is not supported ({}); planning as {} ({}) instead. Microsoft does not support this combination.",
            verdict.described,
            verdict.reasons.join("; "),
            platform.id,
            platform.os.name
        ));
    }
    let forced_from = forced.then(|| verdict.id.clone());
    let resolution = resolve::resolve_version(catalog, version, &platform)?;
    let plan = plan::plan(
        catalog,
        &Target {
            platform: &platform,
            facts: Some(&facts),
            forced_from,
        },
        &resolution,
        options,
    )?;
    Ok(plan)
}

fn show_plan(ui: &Ui, plan: &Plan) {
    for warning in &plan.warnings {
        ui.warn(warning);
    }
    if ui.json() {
        ui.result_json(plan);
    } else {
        ui.result(&report::plan_text(ui, plan));
    }
}

fn plan_command(ui: &Ui, catalog: &Catalog, settings: &PlanSettings) -> Result<()> {
    let plan = match &settings.platform {
        Some(id) => {
            resolve::check_known(catalog, &settings.version)?;
            plan::plan_for_platform(catalog, id, &settings.version, &settings.options)?
        }
        None => plan_for_machine(
            ui,
            catalog,
            &settings.machine,
            &settings.version,
            settings.force,
            &settings.options,
        )?,
    };
    show_plan(ui, &plan);
    Ok(())
}

/// Progress of an install on stderr.
struct UiProgress<'a>(&'a Ui);

impl Progress for UiProgress<'_> {
    fn step(&self, index: usize, total: usize, summary: &str) {
        self.0.info(format!("[{index}/{total}] {summary}"));
    }

    fn note(&self, message: &str) {
        self.0.info(format!("      {message}"));
    }
}

/// Whether edgeup may ask questions: a terminal on stdin, no CI, no -y.
fn may_prompt(yes: bool) -> bool {
    use std::io::IsTerminal;
    !yes && std::io::stdin().is_terminal() && std::env::var_os("CI").is_none()
}

fn install_command(ui: &Ui, catalog: &Catalog, settings: &InstallSettings) -> Result<()> {
    for w in &settings.warnings {
        ui.warn(w);
    }
    let options = &settings.options;
    let mut plan = plan_for_machine(
        ui,
        catalog,
        &MachineSettings::default(),
        &settings.version,
        settings.force,
        options,
    )?;
    if let Some(p) = &settings.provisioning {
        for step in &mut plan.steps {
            if let plan::Action::WriteConfig { provisioning, .. } = &mut step.action {
                *provisioning = p.describe();
                step.summary = format!("write the IoT Edge config: {}", p.describe());
            }
        }
    }
    if let Some(image) = &settings.agent_image {
        let pinned = if image
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains(':'))
        {
            image.clone()
        } else {
            format!("{image}:{}", plan.versions.agent)
        };
        for step in &mut plan.steps {
            if let plan::Action::WriteConfig { agent_image, .. } = &mut step.action {
                *agent_image = pinned.clone();
            }
        }
    }
    if settings.dry_run {
        show_plan(ui, &plan);
        return Ok(());
    }
    if plan.platform.family != "apt" {
        return Err(Error::unsupported(
            format!(
                "this edgeup installs on the Debian family; {} ({}) is planned but not yet installable",
                plan.platform.id, plan.platform.family
            ),
            "run `edgeup plan` to see the steps; install with the platform's own tools meanwhile",
        ));
    }
    require_root()?;
    for warning in &plan.warnings {
        ui.warn(warning);
    }
    if may_prompt(settings.yes) {
        ui.result(&report::plan_text(ui, &plan));
        let go = dialoguer::Confirm::new()
            .with_prompt("Apply this plan?")
            .default(false)
            .interact()
            .map_err(|e| Error::Failed {
                context: "asking for confirmation".into(),
                detail: e.to_string(),
            })?;
        if !go {
            return Err(Error::usage(
                "the plan was not confirmed; nothing was changed",
                "run again and confirm, or pass -y",
            ));
        }
    }
    let _lock = RunLock::acquire()?;
    let sys = RealSystem {
        proxy: settings.proxy.clone(),
    };
    let progress = UiProgress(ui);
    let request = InstallRequest {
        plan: &plan,
        options,
        provisioning: settings.provisioning.as_ref(),
        hostname: settings.hostname.as_deref(),
        proxy: settings.proxy.as_deref(),
        lock_wait: Duration::from_secs(settings.lock_wait),
        verify: settings.verify,
        verify_wait: settings.wait.map(Duration::from_secs),
    };
    let report = install::install(&sys, &progress, &request)?;
    if ui.json() {
        ui.result_json(&report);
    } else {
        ui.result(&report::install_text(ui, &report));
    }
    match &report.verify {
        Some(v) if !v.ok => Err(Error::VerifyFailed {
            failures: v.failures.clone(),
        }),
        _ => Ok(()),
    }
}

fn verify_command(ui: &Ui, wait: Option<u64>) -> Result<()> {
    let sys = RealSystem::default();
    let receipt = Receipt::load(&sys)?.ok_or_else(|| Error::VerifyFailed {
        failures: vec![format!(
            "no receipt at {}: edgeup has not installed IoT Edge here",
            crate::receipt::RECEIPT_PATH
        )],
    })?;
    let facts = facts::gather(&RootedHost::live(), None)?;
    let summary = verify::verify(
        &sys,
        &receipt,
        &VerifyOptions {
            services: facts.service_manager == facts::ServiceManager::Systemd,
            wait: wait.map(Duration::from_secs),
            provisioned: receipt.provisioning.is_some(),
        },
    )?;
    if ui.json() {
        ui.result_json(&summary);
    } else {
        ui.result(&report::verify_text(ui, &summary));
    }
    if summary.ok {
        Ok(())
    } else {
        Err(Error::VerifyFailed {
            failures: summary.failures,
        })
    }
}

/// Changing the system needs root.
fn require_root() -> Result<()> {
    #[cfg(unix)]
    {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return Err(Error::usage(
                "edgeup install changes the system and needs root",
                "run it with sudo (or as root); `edgeup plan` shows the steps without root",
            ));
        }
    }
    Ok(())
}
