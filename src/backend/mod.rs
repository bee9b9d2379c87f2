//! Package-manager backends: the commands edgeup runs for each family, and
//! [`Backend`], which the executor, `verify` and `uninstall` dispatch on.

pub mod apt;
pub mod powershell;
pub mod rpm;

use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::plan::PackageTool;
use crate::system::System;

pub use apt::LockHolder;

/// The package manager a run installs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// apt over dpkg (the Debian family).
    Apt,
    /// yum or dnf over rpm (CentOS/RHEL 7), with rpm's name of the
    /// userland architecture (`x86_64`, `armv7hl`, `aarch64`).
    Yum {
        frontend: rpm::Frontend,
        arch: String,
    },
    /// dpkg alone, for local files whose dependencies are not checked
    /// (`--force` on an image-built system that has dpkg).
    Dpkg,
    /// rpm alone, likewise (`--force` on an image-built system with rpm).
    Rpm,
}

impl Backend {
    /// The backend for a plan's package tool: for yum, yum when it runs here
    /// and dnf otherwise, and rpm's architecture name.
    pub fn for_tool(sys: &dyn System, tool: PackageTool) -> Result<Backend> {
        Ok(match tool {
            PackageTool::Apt => Backend::Apt,
            PackageTool::Yum => {
                let frontend = rpm::Frontend::detect(sys)?;
                let cmd = crate::system::CommandSpec::new(
                    "asking rpm for the architecture",
                    "rpm",
                    &["--eval", "%{_arch}"],
                );
                let arch = sys.run(&cmd)?.check(&cmd)?.stdout.trim().to_string();
                Backend::Yum { frontend, arch }
            }
            PackageTool::Dpkg => Backend::Dpkg,
            PackageTool::Rpm => Backend::Rpm,
        })
    }

    /// The backend a receipt names (`None`: apt, as receipts before the
    /// RPM family were all apt's).
    pub fn from_receipt(name: Option<&str>) -> Backend {
        match name {
            Some("dpkg") => Backend::Dpkg,
            Some("rpm") => Backend::Rpm,
            Some(other) => match rpm::Frontend::from_program(other) {
                Some(frontend) => Backend::Yum {
                    frontend,
                    arch: String::new(),
                },
                None => Backend::Apt,
            },
            None => Backend::Apt,
        }
    }

    /// The name a receipt records (`None` for apt, keeping apt receipts as
    /// they were).
    pub fn receipt_name(&self) -> Option<&'static str> {
        match self {
            Backend::Apt => None,
            Backend::Yum { frontend, .. } => Some(frontend.program()),
            Backend::Dpkg => Some("dpkg"),
            Backend::Rpm => Some("rpm"),
        }
    }

    /// Whether rpm keeps the package database.
    pub fn is_rpm(&self) -> bool {
        matches!(self, Backend::Yum { .. } | Backend::Rpm)
    }

    /// The installed version of a package.
    pub fn installed_version(&self, sys: &dyn System, package: &str) -> Result<Option<String>> {
        if self.is_rpm() {
            rpm::installed_version(sys, package)
        } else {
            apt::installed_version(sys, package)
        }
    }

    /// The versions the configured repositories offer (nothing without a
    /// repository front end).
    pub fn offered_versions(&self, sys: &dyn System, package: &str) -> Result<Vec<String>> {
        match self {
            Backend::Apt => apt::offered_versions(sys, package),
            Backend::Yum { frontend, arch } => rpm::offered_versions(sys, *frontend, package, arch),
            Backend::Dpkg | Backend::Rpm => Ok(Vec::new()),
        }
    }

    /// Refreshes the repository's package lists.
    pub fn update(
        &self,
        sys: &dyn System,
        repository_url: &str,
        repository_id: &str,
    ) -> Result<()> {
        match self {
            Backend::Apt => apt::update(sys, repository_url),
            Backend::Yum { frontend, .. } => {
                rpm::refresh(sys, *frontend, repository_id, repository_url)
            }
            Backend::Dpkg | Backend::Rpm => Ok(()),
        }
    }

    /// A repository package at an exact version, as the install command takes it.
    pub fn pin(&self, name: &str, version: &str) -> String {
        match self {
            Backend::Yum { .. } | Backend::Rpm => format!("{name}-{version}"),
            Backend::Apt | Backend::Dpkg => format!("{name}={version}"),
        }
    }

    /// Installs targets (pins or local files) in one transaction.
    /// `downgrade`: a package moves down (yum needs its own command for that).
    /// `offline`: yum/dnf with every repository disabled (no network).
    pub fn install(
        &self,
        sys: &dyn System,
        purpose: &str,
        targets: &[String],
        downgrade: bool,
        repository_url: &str,
        offline: bool,
    ) -> Result<()> {
        match self {
            Backend::Apt => apt::install(sys, purpose, targets),
            Backend::Yum { frontend, .. } => rpm::install(
                sys,
                *frontend,
                purpose,
                targets,
                downgrade,
                repository_url,
                offline,
            ),
            Backend::Dpkg => apt::dpkg_install_files(sys, purpose, targets),
            Backend::Rpm => rpm::rpm_install_files(sys, purpose, targets),
        }
    }

    /// Removes packages (`purge`: their config files too, where the package
    /// manager keeps them apart).
    pub fn remove(
        &self,
        sys: &dyn System,
        purpose: &str,
        packages: &[String],
        purge: bool,
    ) -> Result<()> {
        match self {
            Backend::Apt => apt::remove(sys, purpose, packages, purge),
            Backend::Yum { frontend, .. } => rpm::remove(sys, *frontend, purpose, packages),
            Backend::Dpkg => apt::dpkg_remove(sys, purpose, packages, purge),
            Backend::Rpm => rpm::rpm_erase(sys, purpose, packages),
        }
    }

    /// Waits, visibly and bounded, for the package database's lock.
    pub fn wait_for_lock(
        &self,
        sys: &dyn System,
        limit: Duration,
        report: impl FnMut(&LockHolder, Duration),
    ) -> Result<()> {
        if self.is_rpm() {
            rpm::wait_for_lock(sys, limit, report)
        } else {
            apt::wait_for_dpkg_lock(sys, limit, report)
        }
    }
}

/// The error for a repository whose metadata the installed key does not
/// verify, with the package manager's own lines about it.
fn unverified_repository(repository_url: &str, lines: &[&str]) -> Error {
    Error::Integrity {
        message: format!(
            "the repository {repository_url} could not be verified with the key edgeup installed: {}",
            lines.join(" | ")
        ),
        fix: "pass the repository's real signing key with --repo-key (the default is <mirror>/keys/microsoft.asc)".into(),
    }
}

/// Waits while `holder` finds the lock held: reports every 10 s, gives up
/// with exit 6 after `limit`.
pub fn wait_while_locked(
    sys: &dyn System,
    limit: Duration,
    holder: impl Fn() -> Option<LockHolder>,
    mut report: impl FnMut(&LockHolder, Duration),
) -> Result<()> {
    let start = Instant::now();
    let mut last_report: Option<Instant> = None;
    loop {
        let Some(holder) = holder() else {
            return Ok(());
        };
        let waited = start.elapsed();
        if waited >= limit {
            return Err(Error::Busy {
                message: format!(
                    "{} (pid {}) still holds {} after {}s (--lock-wait); run edgeup again once it is done",
                    holder.name,
                    holder.pid,
                    holder.file,
                    limit.as_secs()
                ),
            });
        }
        if last_report.is_none_or(|t| t.elapsed() >= Duration::from_secs(10)) {
            report(&holder, waited);
            last_report = Some(Instant::now());
        }
        sys.sleep(Duration::from_millis(500));
    }
}
