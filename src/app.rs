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
    let args: Vec<OsString> = args.into_iter().collect();
    let matches = match Cli::command().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            if !e.use_stderr() {
                return std::process::ExitCode::from(ExitCode::Ok.code()); // --help, --version
            }
            // A fleet tool that asked for --json gets the error document for
            // a usage error too (an unknown flag, a missing value).
            if json_in_raw_args(&args) {
                let rendered = e.render().to_string();
                let message = rendered
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim_start_matches("error: ")
                    .to_string();
                let json_ui = Ui::new(&OutputSettings {
                    verbosity: Verbosity::Quiet,
                    color: crate::cli::ColorChoice::Never,
                    json: true,
                    log_json: false,
                });
                json_ui.error_json(&Error::Usage {
                    message,
                    fix: "see `edgeup --help` and `edgeup <command> --help`".into(),
                });
            }
            return std::process::ExitCode::from(ExitCode::BadInput.code());
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return std::process::ExitCode::from(ExitCode::BadInput.code());
        }
    };
    let fallback_output = OutputSettings {
        verbosity: Verbosity::Normal,
        color: cli.global.color.unwrap_or(crate::cli::ColorChoice::Auto),
        json: false,
        log_json: cli.global.log_format == Some(crate::cli::LogFormat::Json),
    };
    let fallback = Ui::new(&fallback_output);
    // Said before validation, so it is seen even when the value is refused.
    if let Some((_, sub)) = matches.subcommand()
        && sub.try_contains_id("connection_string").unwrap_or(false)
        && matches!(
            sub.value_source("connection_string"),
            Some(clap::parser::ValueSource::CommandLine)
        )
    {
        fallback.warn(
            "--connection-string is visible to every user in the process list; prefer --connection-string-file or EDGEUP_CONNECTION_STRING",
        );
    }
    let settings = match Settings::resolve(cli, &matches) {
        Ok(s) => s,
        Err(e) => {
            fallback.error(&e);
            // With --json the error is still the one document on stdout.
            if crate::settings::json_requested(&matches) {
                Ui::new(&OutputSettings {
                    json: true,
                    ..fallback_output
                })
                .error_json(&e);
            }
            return std::process::ExitCode::from(e.exit_code().code());
        }
    };
    let ui = Ui::new(&settings.output);
    for warning in &settings.warnings {
        ui.warn(warning);
    }
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
        Task::Provision {
            provisioning,
            hostname,
            verify,
        } => provision_command(ui, catalog, provisioning, hostname.as_deref(), *verify),
        Task::Uninstall(options) => uninstall_command(ui, *options),
        Task::Bundle {
            platform,
            output,
            version,
            options,
            fetch,
        } => {
            resolve::check_known(catalog, version)?;
            let fetcher = crate::fetch::Fetcher::new(fetch.clone())?;
            let manifest = crate::bundle::create(
                catalog,
                platform,
                version,
                options,
                &fetcher,
                &crate::output::DownloadProgress::new(ui),
                output,
            )?;
            if ui.json() {
                ui.result_json(&manifest);
            } else {
                let total: u64 = manifest.files.iter().map(|f| f.size).sum();
                let mut text = format!(
                    "{}: IoT Edge {} for {}, {} files, {} bytes\n",
                    output.display(),
                    manifest.release,
                    manifest.platform,
                    manifest.files.len(),
                    total
                );
                for f in &manifest.files {
                    text.push_str(&format!("  {}  {}\n", f.sha256, f.path));
                }
                ui.result(&text);
            }
            Ok(())
        }
        Task::Fetch {
            url,
            output,
            sha256,
            options,
        } => {
            let fetched = crate::fetch::Fetcher::new(options.clone())?.fetch_to(
                url,
                output,
                sha256.as_deref(),
                &crate::output::DownloadProgress::new(ui),
            )?;
            if ui.json() {
                ui.result_json(&serde_json::json!({
                    "path": output,
                    "sha256": fetched.sha256,
                    "bytes": fetched.bytes,
                    "attempts": fetched.attempts,
                    "resumed": fetched.resumed,
                }));
            } else {
                ui.result(&format!("{}  {}\n", fetched.sha256, output.display()));
            }
            Ok(())
        }
        Task::DeriveKey {
            group_key,
            registration_id,
        } => {
            let key = crate::provisioning::derive_device_key(group_key, registration_id)?;
            // Printing the derived key is what this command is for.
            if ui.json() {
                ui.result_json(&serde_json::json!({
                    "registration_id": registration_id,
                    "device_key": key.expose(),
                }));
            } else {
                ui.result(&format!("{}\n", key.expose()));
            }
            Ok(())
        }
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
    let verdict = resolve::verdict_for(catalog, &facts, options.linux_containers);
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
            force,
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
    let options = &plan::PlanOptions {
        proxy: settings.proxy.clone(),
        ..settings.options.clone()
    };
    let offline = match &settings.offline {
        Some(bundle) => {
            require_root()?;
            let dir = std::path::Path::new(install::CACHE_DIR).join("offline");
            ui.info(format!("checking the bundle {}", bundle.display()));
            let manifest = crate::bundle::extract(bundle, &dir)?;
            Some((manifest, dir))
        }
        None => None,
    };
    let version = match &offline {
        Some((manifest, _)) if !settings.version_given => {
            VersionRequest::parse(&manifest.requested)?
        }
        _ => settings.version.clone(),
    };
    let mut plan = plan_for_machine(
        ui,
        catalog,
        &MachineSettings::default(),
        &version,
        settings.force,
        options,
    )?;
    if let Some((manifest, dir)) = &offline {
        if manifest.platform != plan.platform.id {
            return Err(Error::usage(
                format!(
                    "the bundle was made for {}, and this machine is {}",
                    manifest.platform, plan.platform.id
                ),
                format!(
                    "make a bundle with `edgeup bundle --platform {}`",
                    plan.platform.id
                ),
            ));
        }
        if manifest.release != plan.release || manifest.requested != plan.versions.requested {
            return Err(Error::usage(
                format!(
                    "the bundle holds IoT Edge {} ({}), and {} was asked for",
                    manifest.release, manifest.requested, plan.versions.requested
                ),
                "drop --version to install the bundle's release, or make a bundle of the release you want",
            ));
        }
        plan = crate::bundle::offline_plan(plan, manifest, dir)?;
    }
    if let Some(p) = &settings.provisioning {
        describe_provisioning(&mut plan, p);
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
    require_root()?;
    for warning in &plan.warnings {
        ui.warn(warning);
    }
    let asked;
    let mut provisioning = settings.provisioning.as_ref();
    if provisioning.is_none() && may_prompt(settings.yes) {
        // Ask only what is missing, and only on a terminal.
        let text: String = dialoguer::Password::new()
            .with_prompt(
                "Device connection string (empty: provision later with `edgeup provision`)",
            )
            .allow_empty_password(true)
            .interact()
            .map_err(|e| Error::Failed {
                context: "asking for the connection string".into(),
                detail: e.to_string(),
            })?;
        if !text.trim().is_empty() {
            asked = crate::provisioning::Provisioning::Manual(
                crate::provisioning::ConnectionString::parse(&text)?,
            );
            describe_provisioning(&mut plan, &asked);
            provisioning = Some(&asked);
        }
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
    if let Some(splay) = settings.splay.filter(|s| *s > 0) {
        let wait = random_below(splay);
        ui.info(format!(
            "--splay: waiting {wait}s of at most {splay}s before starting"
        ));
        std::thread::sleep(Duration::from_secs(wait));
    }
    let _lock = RunLock::acquire()?;
    let sys = RealSystem {
        fetch: crate::fetch::FetchOptions {
            proxy: settings.proxy.clone(),
            ..settings.fetch.clone()
        },
        progress: Box::new(crate::output::DownloadProgress::new(ui)),
    };
    let progress = UiProgress(ui);
    let request = InstallRequest {
        plan: &plan,
        options,
        provisioning,
        hostname: settings.hostname.as_deref(),
        proxy: settings.proxy.as_deref(),
        lock_wait: Duration::from_secs(settings.lock_wait),
        verify: settings.verify,
        verify_wait: settings.wait.map(Duration::from_secs),
        offline: settings.offline.is_some(),
    };
    let report = install::install(&sys, &progress, &request)?;
    show_install_report(ui, &report)
}

/// Prints an install's report; a failed verification is exit 4.
fn show_install_report(ui: &Ui, report: &install::InstallReport) -> Result<()> {
    if ui.json() {
        ui.result_json(report);
    } else {
        ui.result(&report::install_text(ui, report));
    }
    match &report.verify {
        Some(v) if !v.ok => Err(Error::VerifyFailed {
            failures: v.failures.clone(),
        }),
        _ => Ok(()),
    }
}

/// Names the provisioning (without secrets) in the plan's config step.
fn describe_provisioning(plan: &mut Plan, p: &crate::provisioning::Provisioning) {
    for step in &mut plan.steps {
        if let plan::Action::WriteConfig { provisioning, .. } = &mut step.action {
            *provisioning = p.describe();
            step.summary = format!("write the IoT Edge config: {}", p.describe());
        }
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

/// Writes new provisioning into an edgeup install: the same platform and
/// versions as its receipt, only the config, service and verify steps.
fn provision_command(
    ui: &Ui,
    catalog: &Catalog,
    provisioning: &crate::provisioning::Provisioning,
    hostname: Option<&str>,
    verify: bool,
) -> Result<()> {
    require_root()?;
    let sys = RealSystem::default();
    let receipt = Receipt::load(&sys)?.ok_or_else(|| {
        Error::usage(
            "edgeup has not installed IoT Edge here (no receipt), so there is nothing to provision",
            "run `edgeup install` with the provisioning options",
        )
    })?;
    let version = if receipt.requested == "latest" {
        receipt.release.clone()
    } else {
        receipt.requested.clone()
    };
    let options = plan::PlanOptions {
        repo_key: plan::default_repo_key(&receipt.mirror),
        mirror: receipt.mirror.clone(),
        engine: if receipt.engine == "existing" {
            plan::EngineChoice::Existing
        } else {
            plan::EngineChoice::Moby
        },
        ..plan::PlanOptions::default()
    };
    // The receipt's platform was chosen at install time (with --force when
    // the machine is not in the table, or is image-built), so plan for it
    // the same way.
    let forced = resolve::verdict(catalog, &facts::gather(&RootedHost::live(), None)?)
        .platform
        .is_none_or(|p| p.os.family == crate::catalog::Family::Image);
    let mut plan = plan_for_machine(
        ui,
        catalog,
        &MachineSettings::default(),
        &VersionRequest::parse(&version)?,
        forced,
        &options,
    )?;
    plan.steps.retain(|s| {
        matches!(
            s.action,
            plan::Action::WriteConfig { .. } | plan::Action::Service { .. } | plan::Action::Verify
        )
    });
    describe_provisioning(&mut plan, provisioning);
    let _lock = RunLock::acquire()?;
    let report = install::install(
        &sys,
        &UiProgress(ui),
        &InstallRequest {
            plan: &plan,
            options: &options,
            provisioning: Some(provisioning),
            hostname,
            proxy: None,
            lock_wait: Duration::from_secs(0),
            verify,
            verify_wait: None,
            offline: false,
        },
    )?;
    show_install_report(ui, &report)
}

fn uninstall_command(ui: &Ui, options: crate::uninstall::UninstallOptions) -> Result<()> {
    require_root()?;
    let _lock = RunLock::acquire()?;
    let report = crate::uninstall::uninstall(&RealSystem::default(), options)?;
    if ui.json() {
        ui.result_json(&report);
    } else {
        let mut text = String::new();
        for (what, list) in [
            ("removed packages", &report.removed_packages),
            ("kept packages", &report.kept_packages),
            ("removed files", &report.removed_files),
            ("removed containers", &report.removed_containers),
        ] {
            if !list.is_empty() {
                text.push_str(&format!("{what}: {}\n", list.join(", ")));
            }
        }
        for note in &report.notes {
            text.push_str(&format!("note: {note}\n"));
        }
        ui.result(&text);
    }
    Ok(())
}

/// A random whole number of seconds in 0..=max (for --splay).
fn random_below(max: u64) -> u64 {
    use std::hash::BuildHasher;
    let seed =
        std::collections::hash_map::RandomState::new().hash_one(std::time::SystemTime::now());
    seed % (max + 1)
}

/// Changing the system needs root (Administrator on Windows).
fn require_root() -> Result<()> {
    #[cfg(windows)]
    {
        let script = "([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)";
        let cmd = crate::backend::powershell::command("checking for Administrator rights", script);
        let admin = crate::system::System::run(&RealSystem::default(), &cmd)
            .map(|o| o.stdout.trim() == "True")
            .unwrap_or(false);
        if !admin {
            return Err(Error::usage(
                "edgeup install changes the system and needs Administrator rights",
                "run it from an elevated PowerShell (Run as Administrator)",
            ));
        }
    }
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

/// Whether the raw arguments (before any `--`) or EDGEUP_JSON ask for JSON,
/// for errors found before the arguments could be parsed.
fn json_in_raw_args(args: &[OsString]) -> bool {
    let flag = args
        .iter()
        .skip(1)
        .take_while(|a| a.as_os_str() != "--")
        .any(|a| a.as_os_str() == "--json");
    let env = std::env::var("EDGEUP_JSON")
        .is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"));
    flag || env
}
