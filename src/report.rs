//! Human reports and JSON documents of `detect`, `releases` and `plan`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::catalog::{Arch, Catalog, Cell, Notes, Release, TierRow, WindowsRules};
use crate::facts::{Facts, OsFacts};
use crate::output::{Style, Ui};
use crate::plan::Plan;
use crate::resolve::{Verdict, VerdictSummary};

/// `detect --json`.
#[derive(Debug, Serialize)]
pub struct DetectReport<'a> {
    pub edgeup: &'static str,
    pub platform: VerdictSummary,
    pub facts: &'a Facts,
}

/// One platform of `releases --json`.
#[derive(Debug, Serialize)]
pub struct PlatformEntry {
    pub id: String,
    pub name: String,
    pub os: String,
    pub arch: String,
    pub tier: &'static str,
    pub family: String,
    pub engine: String,
    pub iotedge: String,
    pub repository: Option<String>,
    pub source: String,
}

/// `releases --json`.
#[derive(Debug, Serialize)]
pub struct ReleasesReport<'a> {
    pub edgeup: &'static str,
    pub releases: &'a [Release],
    pub platforms: Vec<PlatformEntry>,
    pub tier1: &'a [TierRow],
    pub tier2: &'a [TierRow],
    pub windows: &'a WindowsRules,
    pub notes: &'a Notes,
}

/// The JSON document of `releases`.
pub fn releases_report(catalog: &Catalog) -> ReleasesReport<'_> {
    let platforms = catalog
        .platforms()
        .into_iter()
        .map(|p| {
            let source = catalog.source(p.os, p.arch);
            let origin = |o: Option<crate::catalog::Origin>| {
                o.map(|o| format!("{o:?}").to_ascii_lowercase())
                    .unwrap_or_else(|| "build-time".into())
            };
            PlatformEntry {
                name: p.os.name.clone(),
                os: p.os.key.clone(),
                arch: p.arch.to_string(),
                tier: p.tier.as_str(),
                family: p.os.family.to_string(),
                engine: origin(source.map(|s| s.engine)),
                iotedge: origin(source.map(|s| s.iotedge)),
                repository: source
                    .and_then(|s| s.repository.as_ref())
                    .map(|r| r.path.clone()),
                source: source
                    .map(|s| s.source.clone())
                    .or_else(|| p.os.build_time_route.clone())
                    .unwrap_or_default(),
                id: p.id,
            }
        })
        .collect();
    ReleasesReport {
        edgeup: env!("CARGO_PKG_VERSION"),
        releases: &catalog.releases,
        platforms,
        tier1: &catalog.tier1,
        tier2: &catalog.tier2,
        windows: &catalog.windows,
        notes: &catalog.notes,
    }
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The human form of `releases`.
pub fn releases_text(ui: &Ui, catalog: &Catalog) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", ui.paint(Style::Bold, "IoT Edge releases"));
    for r in &catalog.releases {
        let moby = if r.moby.is_empty() {
            "(none new)".to_string()
        } else {
            let mut m = join(&r.moby);
            for e in &r.moby_exceptions {
                let mut on: Vec<String> = e.arches.iter().map(|a| a.to_string()).collect();
                on.extend(e.os_ids.iter().cloned());
                let _ = write!(m, "; {} on {}", e.moby, on.join(", "));
            }
            m
        };
        let _ = writeln!(
            out,
            "  {}  daemon {}  |  agent/hub {}  |  libiothsm {}  |  moby {}  |  client SDK {}",
            ui.paint(Style::Bold, &r.version),
            join(&r.security_daemon),
            join(&r.edge_hub_agent),
            join(&r.libiothsm),
            moby,
            r.client_sdk
        );
    }
    let _ = writeln!(out, "\n{}", ui.paint(Style::Bold, "Platforms"));
    let report = releases_report(catalog);
    for p in &report.platforms {
        let tier = match p.tier {
            "tier1" => ui.paint(Style::Green, "tier1  "),
            "preview" => ui.paint(Style::Yellow, "preview"),
            _ => format!("{:<7}", p.tier),
        };
        let _ = writeln!(
            out,
            "  {:<34} {tier}  {:<32} engine: {:<10} iotedge: {}",
            p.id, p.name, p.engine, p.iotedge
        );
    }
    let _ = writeln!(
        out,
        "\nWindows: build {} only, {} only; {} containers in production, Linux containers {}; {} isolation only.",
        catalog.windows.build,
        catalog
            .windows
            .arches
            .iter()
            .map(|a| catalog.arch_info(*a).seed_column.clone())
            .collect::<Vec<_>>()
            .join(", "),
        catalog.windows.production_containers,
        catalog.windows.linux_containers,
        catalog.windows.isolation
    );
    let _ = writeln!(out, "Engines: {}", catalog.notes.container_engines);
    let _ = writeln!(out, "Sizing a device: ask");
    for q in &catalog.notes.minimum_requirements {
        let _ = writeln!(out, "  - {q}");
    }
    out
}

/// The human form of `detect`.
pub fn detect_text(ui: &Ui, verdict: &Verdict<'_>, facts: &Facts) -> String {
    let mut out = String::new();
    let mut line = |label: &str, value: String| {
        let _ = writeln!(out, "{:<14}{value}", format!("{label}:"));
    };
    let tier = match verdict.tier {
        crate::catalog::Tier::Unsupported => ui.paint(Style::Red, verdict.tier.describe()),
        crate::catalog::Tier::Tier1 => ui.paint(Style::Green, verdict.tier.describe()),
        _ => ui.paint(Style::Yellow, verdict.tier.describe()),
    };
    line(
        "Platform",
        format!("{}  {tier}", ui.paint(Style::Bold, &verdict.id)),
    );
    line("Detected", verdict.described.clone());
    for reason in &verdict.reasons {
        line("Why", reason.clone());
    }
    if let Some(n) = &verdict.nearest {
        line(
            "Nearest",
            format!(
                "{} ({}, {}); `--force` plans as it",
                n.id,
                n.os.name,
                n.tier.describe()
            ),
        );
    }
    let arch = &facts.arch;
    let source = arch
        .userland_source
        .map(|s| {
            format!(
                " (from {})",
                serde_json::to_value(s)
                    .unwrap_or_default()
                    .as_str()
                    .unwrap_or("")
            )
        })
        .unwrap_or_default();
    line(
        "Architecture",
        format!(
            "userland {}{source}{}",
            arch.userland.as_deref().unwrap_or("unknown"),
            arch.kernel
                .as_ref()
                .map(|k| format!(", kernel {k}"))
                .unwrap_or_default()
        ),
    );
    if let OsFacts::Windows(w) = &facts.os {
        line(
            "Windows",
            format!(
                "edition {}, installation {}, Containers feature {:?}",
                w.edition_id, w.installation_type, w.containers_feature
            ),
        );
    }
    line(
        "Services",
        format!("{:?}", facts.service_manager).to_lowercase(),
    );
    line(
        "Packages",
        facts
            .package_manager
            .map(|p| format!("{p:?}").to_lowercase())
            .unwrap_or_else(|| "no package database".into()),
    );
    line(
        "Engine",
        facts
            .engine
            .as_ref()
            .map(|e| format!("{} {}", e.name, e.version))
            .unwrap_or_else(|| "none".into()),
    );
    line(
        "IoT Edge",
        facts
            .iotedge
            .as_ref()
            .map(|i| {
                let hsm = i
                    .hsm
                    .as_ref()
                    .map(|h| format!(", {} {}", h.name, h.version))
                    .unwrap_or_default();
                format!("{} {}{hsm}", i.daemon.name, i.daemon.version)
            })
            .unwrap_or_else(|| "not installed".into()),
    );
    if let Some(m) = facts.memory {
        line(
            "Memory",
            format!(
                "{} MiB{}",
                m.total_mib,
                m.available_mib
                    .map(|a| format!(" ({a} MiB available)"))
                    .unwrap_or_default()
            ),
        );
    }
    if let Some(d) = facts.disk_free_mib {
        line("Disk free", format!("{d} MiB under /var/lib"));
    }
    let v = &facts.virtualization;
    let mut virt = Vec::new();
    if let Some(vm) = &v.vm {
        virt.push(format!("virtual machine ({vm})"));
    }
    if let Some(c) = &v.container {
        virt.push(format!("container ({c})"));
    }
    if v.chroot {
        virt.push("chroot".into());
    }
    line(
        "Runs in",
        if virt.is_empty() {
            "bare metal or undetected".into()
        } else {
            virt.join(", ")
        },
    );
    if let Some(p) = &facts.proxy {
        line("Proxy", p.clone());
    }
    for note in &facts.notes {
        line("Note", note.clone());
    }
    out
}

/// The human form of `plan`.
pub fn plan_text(ui: &Ui, plan: &Plan) -> String {
    let mut out = String::new();
    let v = &plan.versions;
    let _ = writeln!(
        out,
        "{} {} ({}, {})",
        ui.paint(Style::Bold, "Plan for"),
        ui.paint(Style::Bold, &plan.platform.id),
        plan.platform.name,
        plan.platform.tier
    );
    if let Some(from) = &plan.forced_from {
        let _ = writeln!(
            out,
            "  {}",
            ui.paint(Style::Yellow, format!("forced: this machine is {from}"))
        );
    }
    let _ = writeln!(
        out,
        "IoT Edge {} (asked: {}): daemon {}, libiothsm {}, agent/hub {}, moby {}",
        v.release, v.requested, v.daemon, v.hsm, v.agent, v.moby.version
    );
    for (i, step) in plan.steps.iter().enumerate() {
        let _ = writeln!(out, "  {:>2}. [{}] {}", i + 1, step.kind(), step.summary);
        if let Some(skip) = &step.skip {
            let _ = writeln!(
                out,
                "      {}",
                ui.paint(Style::Dim, format!("skipped: {skip}"))
            );
        }
    }
    out
}

/// Whether a seed cell exists, for tests and reports: "supported", "preview" or "".
pub fn cell_text(row: &TierRow, arch: Arch) -> &'static str {
    match row.cells.get(&arch) {
        Some(Cell::Supported) => "supported",
        Some(Cell::Preview) => "preview",
        None => "",
    }
}

/// The human form of an install's result.
pub fn install_text(ui: &Ui, report: &crate::install::InstallReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} IoT Edge {} on {}: {}",
        ui.paint(Style::Bold, "Installed"),
        report.release,
        report.platform,
        if report.changed {
            "changes applied"
        } else {
            "already as planned, nothing changed"
        }
    );
    for s in &report.steps {
        let mark = match s.outcome {
            "done" => ui.paint(Style::Green, "done     "),
            "skipped" => ui.paint(Style::Yellow, "skipped  "),
            _ => "unchanged".to_string(),
        };
        let _ = writeln!(
            out,
            "  {mark} [{}] {}",
            s.kind,
            s.detail.clone().unwrap_or_default()
        );
    }
    for p in &report.packages {
        let _ = writeln!(out, "  package  {} {}", p.name, p.version);
    }
    if let Some(v) = &report.verify {
        out.push_str(&verify_text(ui, v));
    }
    out
}

/// The human form of `verify`.
pub fn verify_text(ui: &Ui, v: &crate::verify::VerifySummary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}",
        ui.paint(Style::Bold, "Verify:"),
        if v.ok {
            ui.paint(Style::Green, "ok")
        } else {
            ui.paint(Style::Red, "FAILED")
        }
    );
    for p in &v.packages {
        let _ = writeln!(
            out,
            "  {} {} {} (expected {})",
            if p.ok { "ok  " } else { "FAIL" },
            p.name,
            p.installed.as_deref().unwrap_or("not installed"),
            p.expected
        );
    }
    for s in &v.services {
        let _ = writeln!(
            out,
            "  {} service {}: {}",
            if s.ok { "ok  " } else { "FAIL" },
            s.name,
            s.state
        );
    }
    if let Some(c) = &v.check {
        let _ = writeln!(
            out,
            "  iotedge check: {} ok, {} warnings, {} errors, {} skipped",
            c.ok,
            c.warnings.len(),
            c.errors.len(),
            c.skipped
        );
        for e in &c.errors {
            let _ = writeln!(out, "    error   {}: {}", e.id, e.details.join(" "));
        }
        for w in &c.warnings {
            let _ = writeln!(out, "    warning {}: {}", w.id, w.details.join(" "));
        }
        if !c.connectivity.is_empty() {
            let ids: Vec<&str> = c.connectivity.iter().map(|i| i.id.as_str()).collect();
            let _ = writeln!(
                out,
                "    connectivity checks that need IoT Hub/DPS on the network did not pass: {} (expected offline or behind a closed firewall)",
                ids.join(", ")
            );
        }
    }
    if v.not_provisioned {
        let _ = writeln!(
            out,
            "  {} IoT Edge is installed but not provisioned: run `edgeup install` again with --connection-string-file or the DPS options",
            ui.paint(Style::Yellow, "note:")
        );
    }
    if let Some(running) = v.agent_running {
        let _ = writeln!(out, "  edgeAgent running: {running}");
    }
    out
}
