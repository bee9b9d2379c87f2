//! The program: parse, settle settings, run the task, map the result to an
//! exit code. `main.rs` only calls [`main`].

use std::ffi::OsString;

use clap::{CommandFactory, FromArgMatches};

use crate::catalog::Catalog;
use crate::cli::Cli;
use crate::error::{Error, ExitCode, Result};
use crate::facts::{self, Facts, RootedHost};
use crate::output::Ui;
use crate::plan::{self, Target};
use crate::report;
use crate::resolve;
use crate::settings::{MachineSettings, OutputSettings, PlanSettings, Settings, Task, Verbosity};

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

fn plan_command(ui: &Ui, catalog: &Catalog, settings: &PlanSettings) -> Result<()> {
    // Bad input first: an unknown version is exit 2 whatever the platform.
    resolve::check_known(catalog, &settings.version)?;
    let facts = match &settings.platform {
        Some(_) => None,
        None => Some(read_facts(ui, &settings.machine)?),
    };
    let (platform, forced_from) = match (&settings.platform, &facts) {
        (Some(id), _) => (resolve::platform_by_id(catalog, id)?, None),
        (None, None) => unreachable!("facts are read when no --platform is given"),
        (None, Some(facts)) => {
            let verdict = resolve::verdict(catalog, facts);
            let (platform, forced) = verdict.plannable(settings.force)?;
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
            // The platform borrows the catalog, not the verdict.
            let platform = catalog
                .platform(&platform.id)
                .expect("a verdict's platform is a catalog platform");
            (platform, forced_from)
        }
    };
    let resolution = resolve::resolve_version(catalog, &settings.version, &platform)?;
    let plan = plan::plan(
        catalog,
        &Target {
            platform: &platform,
            facts: facts.as_ref(),
            forced_from,
        },
        &resolution,
        &settings.options,
    )?;
    for warning in &plan.warnings {
        ui.warn(warning);
    }
    if ui.json() {
        ui.result_json(&plan);
    } else {
        ui.result(&report::plan_text(ui, &plan));
    }
    Ok(())
}
