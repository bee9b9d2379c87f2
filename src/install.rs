//! apply: one executor walks a plan against a [`System`]. Before each step
//! it looks at what is already there, so a re-run with the same options
//! changes nothing and runs no package transaction. Every change is
//! journaled; when a step fails the run restores the previous package
//! versions, config and repository files, says what it restored, and exits 1.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::backend::{Backend, apt, rpm};
use crate::daemon_config::{self, ConfigEdit};
use crate::debversion;
use crate::error::{Error, Result};
use crate::plan::{Action, PackagePin, PackageTool, Plan, PlanOptions};
use crate::provisioning::{Attestation, Provisioning};
use crate::receipt::{Receipt, ReceiptFile, ReceiptPackage, ReceiptVersions, sha256_hex};
use crate::system::{CommandSpec, Owner, System};
use crate::verify::{self, VerifyOptions, VerifySummary};

/// How long a restarted daemon gets to become active.
const SERVICE_WAIT: Duration = Duration::from_secs(60);

/// The udev rule giving the iotedge group the TPM (facts §5.2).
pub const TPM_UDEV_RULE: &str = "/etc/udev/rules.d/tpmaccess.rules";
/// The drop-in telling iotedged to use the TPM device.
pub const TPM_DROP_IN: &str = "/etc/systemd/system/iotedge.service.d/tpm.conf";

/// The config template the Windows CAB installs.
pub const WINDOWS_CONFIG_TEMPLATE: &str = r"C:\Program Files\iotedge\config.yaml";

/// Where downloaded packages are kept.
#[cfg(not(windows))]
pub const CACHE_DIR: &str = "/var/cache/edgeup";
/// Where downloaded packages are kept.
#[cfg(windows)]
pub const CACHE_DIR: &str = r"C:\ProgramData\edgeup\cache";

/// Everything an install needs besides the plan.
#[derive(Debug, Clone)]
pub struct InstallRequest<'a> {
    pub plan: &'a Plan,
    pub options: &'a PlanOptions,
    pub provisioning: Option<&'a Provisioning>,
    pub hostname: Option<&'a str>,
    pub proxy: Option<&'a str>,
    /// How long to wait for dpkg's lock.
    pub lock_wait: Duration,
    pub verify: bool,
    pub verify_wait: Option<Duration>,
    /// Installing from an offline bundle: no network access at all.
    pub offline: bool,
}

/// What happened to one step.
#[derive(Debug, Clone, Serialize)]
pub struct StepOutcome {
    pub kind: String,
    pub summary: String,
    /// `done`, `unchanged` or `skipped`.
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The result of an install.
#[derive(Debug, Clone, Serialize)]
pub struct InstallReport {
    pub changed: bool,
    pub platform: String,
    pub release: String,
    pub packages: Vec<ReceiptPackage>,
    pub steps: Vec<StepOutcome>,
    pub verify: Option<VerifySummary>,
}

/// Progress messages from the executor.
pub trait Progress {
    fn step(&self, index: usize, total: usize, summary: &str);
    fn note(&self, message: &str);
}

/// A change the run made, to undo on failure.
#[derive(Debug)]
enum Change {
    File {
        path: PathBuf,
        before: Option<(Vec<u8>, u32)>,
        owner: Option<Owner>,
    },
    Package {
        name: String,
        before: Option<String>,
    },
    /// A key imported into rpm's keyring.
    RpmKey { name: String },
}

/// The executor's state over one run.
struct Run<'a> {
    sys: &'a dyn System,
    progress: &'a dyn Progress,
    request: &'a InstallRequest<'a>,
    journal: Vec<Change>,
    updated: bool,
    changed: bool,
    packages: Vec<ReceiptPackage>,
    files: Vec<ReceiptFile>,
    repository_url: Option<String>,
    /// The yum repository's ID (its `[section]`), for refreshing only it.
    repository_id: Option<String>,
    previous: Option<Receipt>,
    /// The package manager, chosen by the first package step.
    backend: Option<Backend>,
    /// Keys this run imported into rpm's keyring.
    rpm_keys: Vec<String>,
}

/// Holds `/var/lib/edgeup/lock` for the run: a second edgeup exits 6 at once.
pub struct RunLock {
    #[cfg(unix)]
    _file: std::fs::File,
}

/// The lock file of edgeup runs.
#[cfg(not(windows))]
pub const LOCK_PATH: &str = "/var/lib/edgeup/lock";
/// The lock file of edgeup runs.
#[cfg(windows)]
pub const LOCK_PATH: &str = r"C:\ProgramData\edgeup\lock";

impl RunLock {
    /// Takes the lock or fails with [`Error::Busy`] at once.
    pub fn acquire() -> Result<RunLock> {
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            let path = Path::new(LOCK_PATH);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| Error::Io {
                    action: "create the directory",
                    path: dir.to_path_buf(),
                    source: e,
                })?;
            }
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(path)
                .map_err(|e| Error::Io {
                    action: "open",
                    path: path.to_path_buf(),
                    source: e,
                })?;
            // SAFETY: flock on an open descriptor.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if rc != 0 {
                return Err(Error::Busy {
                    message: format!("another edgeup run holds {LOCK_PATH}; nothing was changed"),
                });
            }
            Ok(RunLock { _file: file })
        }
        #[cfg(not(unix))]
        {
            Ok(RunLock {})
        }
    }
}

/// Runs a plan. On failure of any step before verification, what the run
/// changed is restored and the error says what was restored.
pub fn install(
    sys: &dyn System,
    progress: &dyn Progress,
    request: &InstallRequest<'_>,
) -> Result<InstallReport> {
    let plan = request.plan;
    let previous = Receipt::load(sys)?;
    let mut run = Run {
        sys,
        progress,
        request,
        journal: Vec::new(),
        updated: false,
        changed: false,
        packages: Vec::new(),
        files: Vec::new(),
        repository_url: None,
        repository_id: None,
        previous: previous.clone(),
        backend: None,
        rpm_keys: Vec::new(),
    };
    let mut outcomes = Vec::new();
    let total = plan.steps.len();
    let mut verify_summary = None;
    for (i, step) in plan.steps.iter().enumerate() {
        progress.step(i + 1, total, &step.summary);
        if let Some(reason) = &step.skip {
            outcomes.push(StepOutcome {
                kind: step.kind(),
                summary: step.summary.clone(),
                outcome: "skipped",
                detail: Some(reason.clone()),
            });
            continue;
        }
        if matches!(step.action, Action::Verify) {
            // Verification follows the receipt, written first.
            let receipt = run.receipt(previous.as_ref());
            if previous.as_ref() != Some(&receipt) {
                receipt.save(sys)?;
            }
            if request.verify {
                let summary = verify::verify(
                    sys,
                    &receipt,
                    &VerifyOptions {
                        services: !plan.steps.iter().any(|s| {
                            matches!(s.action, Action::Service { .. }) && s.skip.is_some()
                        }),
                        wait: request.verify_wait,
                        provisioned: receipt.provisioning.is_some(),
                    },
                )?;
                verify_summary = Some(summary);
                outcomes.push(StepOutcome {
                    kind: step.kind(),
                    summary: step.summary.clone(),
                    outcome: "done",
                    detail: None,
                });
            } else {
                outcomes.push(StepOutcome {
                    kind: step.kind(),
                    summary: step.summary.clone(),
                    outcome: "skipped",
                    detail: Some("--no-verify".into()),
                });
            }
            continue;
        }
        match run.apply(&step.action) {
            Ok((changed, detail)) => outcomes.push(StepOutcome {
                kind: step.kind(),
                summary: step.summary.clone(),
                outcome: if changed { "done" } else { "unchanged" },
                detail,
            }),
            Err(error @ Error::RebootRequired { .. }) => {
                // Not a failure: what is done stays, and the same command resumes.
                let receipt = run.receipt(previous.as_ref());
                receipt.save(sys)?;
                return Err(error);
            }
            Err(error) => {
                let restored = run.rollback();
                return Err(Error::RolledBack {
                    step: format!("step {} of {total} ({})", i + 1, step.kind()),
                    source: Box::new(error),
                    restored,
                });
            }
        }
    }
    if verify_summary.is_none() {
        let receipt = run.receipt(previous.as_ref());
        if previous.as_ref() != Some(&receipt) {
            receipt.save(sys)?;
        }
    }
    Ok(InstallReport {
        changed: run.changed,
        platform: plan.platform.id.clone(),
        release: plan.release.clone(),
        packages: run.packages.clone(),
        steps: outcomes,
        verify: verify_summary,
    })
}

mod windows_steps;
pub use windows_steps::{IOTEDGED, WINDOWS_PACKAGE};

impl Run<'_> {
    fn receipt(&self, previous: Option<&Receipt>) -> Receipt {
        let plan = self.request.plan;
        let v = &plan.versions;
        let mut files = self.files.clone();
        // Files written by an earlier run and untouched now stay recorded.
        if let Some(prev) = previous {
            for f in &prev.files {
                if !files.iter().any(|x| x.path == f.path) {
                    files.push(f.clone());
                }
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        // So do packages a run did not touch (`provision` touches none).
        let mut packages = self.packages.clone();
        if let Some(prev) = previous {
            for p in &prev.packages {
                if !packages.iter().any(|x| x.name == p.name) {
                    packages.push(p.clone());
                }
            }
        }
        Receipt {
            edgeup_version: env!("CARGO_PKG_VERSION").to_string(),
            platform: plan.platform.id.clone(),
            release: plan.release.clone(),
            requested: v.requested.clone(),
            versions: ReceiptVersions {
                daemon: v.daemon.to_string(),
                hsm: v.hsm.to_string(),
                agent: v.agent.to_string(),
                moby: v.moby.version.to_string(),
            },
            engine: format!("{:?}", self.request.options.engine).to_lowercase(),
            packages,
            files,
            provisioning: self
                .request
                .provisioning
                .map(|p| p.method().to_string())
                .or_else(|| previous.and_then(|p| p.provisioning.clone())),
            mirror: self.request.options.mirror.clone(),
            package_tool: match &self.backend {
                Some(b) => b.receipt_name().map(str::to_string),
                None => previous.and_then(|p| p.package_tool.clone()),
            },
            rpm_keys: {
                let mut keys: Vec<String> =
                    previous.map(|p| p.rpm_keys.clone()).unwrap_or_default();
                for k in &self.rpm_keys {
                    if !keys.contains(k) {
                        keys.push(k.clone());
                    }
                }
                keys
            },
        }
    }

    /// Applies one step: `(changed, detail)`.
    fn apply(&mut self, action: &Action) -> Result<(bool, Option<String>)> {
        match action {
            Action::AddRepository {
                manager,
                content,
                key_url,
                key_file,
                file,
            } => self.add_repository(
                *manager,
                Path::new(file),
                content,
                key_url,
                Path::new(key_file),
            ),
            Action::InstallPackages {
                manager,
                packages,
                transaction,
                ..
            } => self.install_packages(*manager, transaction, packages),
            Action::Fixup {
                packages,
                fallback_url,
                ..
            } => self.fixup(&packages[0].name, fallback_url.as_deref()),
            Action::WriteConfig {
                path,
                agent_image,
                windows,
                ..
            } => self.write_config(Path::new(path), agent_image, windows.as_ref()),
            Action::Service { name, action } if self.on_windows() => {
                self.windows_service(name, action)
            }
            Action::Service { name, action } => self.service(name, action),
            Action::ServiceProxy { drop_ins, .. } => self.service_proxy(drop_ins),
            Action::Verify => Ok((false, None)),
            Action::EnableWindowsFeature { feature } => self.windows_feature(feature),
            Action::InstallVcRuntime {
                url,
                only_if_missing,
            } => self.vc_runtime(url, only_if_missing),
            Action::InstallWindowsPackage { url, file, method } => {
                self.windows_package(url, file, method)
            }
            Action::AddToPath { dirs } => self.windows_path(dirs),
            Action::RequireService { name, why } => self.require_service(name, why),
        }
    }

    /// Writes a file, journaling what was there.
    fn write_file(
        &mut self,
        path: &Path,
        bytes: &[u8],
        mode: u32,
        owner: Option<&Owner>,
    ) -> Result<()> {
        let before = match self.sys.read(path)? {
            Some(b) => Some((b, self.sys.mode(path)?.unwrap_or(0o644))),
            None => None,
        };
        self.journal.push(Change::File {
            path: path.to_path_buf(),
            before,
            owner: owner.cloned(),
        });
        self.sys.write(path, bytes, mode, owner)?;
        self.record_file(path, bytes);
        self.changed = true;
        Ok(())
    }

    fn record_file(&mut self, path: &Path, bytes: &[u8]) {
        let path = path.to_string_lossy().into_owned();
        self.files.retain(|f| f.path != path);
        self.files.push(ReceiptFile {
            path,
            sha256: sha256_hex(bytes),
        });
    }

    fn add_repository(
        &mut self,
        manager: PackageTool,
        list: &Path,
        content: &str,
        key_source: &str,
        key_path: &Path,
    ) -> Result<(bool, Option<String>)> {
        self.backend(manager)?;
        self.repository_url = content
            .split_whitespace()
            .find(|w| {
                w.starts_with("http://") || w.starts_with("https://") || w.starts_with("baseurl=")
            })
            .map(|w| w.trim_start_matches("baseurl=").to_string());
        self.repository_id = rpm::repository_id(content);
        let key = if key_source.starts_with("http://") || key_source.starts_with("https://") {
            self.sys.fetch(key_source)?
        } else {
            self.sys.read(Path::new(key_source))?.ok_or_else(|| {
                Error::bad_input(
                    "--repo-key",
                    key_source,
                    "the file does not exist",
                    "give the path or URL of the repository key",
                )
            })?
        };
        // Checks that it is an OpenPGP key; apt gets the binary form, yum
        // (which reads only armored keys) the armored one.
        let binary = apt::dearmor(&key, key_source)?;
        let key = if manager == PackageTool::Yum {
            if key.first().is_some_and(|b| b & 0x80 != 0) {
                rpm::armor(&binary).into_bytes()
            } else {
                key
            }
        } else {
            binary
        };
        let mut changed = false;
        let mut key_written = false;
        if self.sys.read(key_path)?.as_deref() != Some(&key[..]) {
            self.write_file(key_path, &key, 0o644, None)?;
            changed = true;
            key_written = true;
        } else {
            self.record_file(key_path, &key);
        }
        if self.sys.read(list)?.as_deref() != Some(content.as_bytes()) {
            self.write_file(list, content.as_bytes(), 0o644, None)?;
            changed = true;
        } else {
            self.record_file(list, content.as_bytes());
        }
        if manager == PackageTool::Yum {
            changed |= self.import_rpm_key(key_path, key_written)?;
        }
        if changed {
            self.updated = false;
        }
        Ok((changed, None))
    }

    /// Imports the repository key into rpm's keyring (gpgcheck checks
    /// packages against it) when it was just written or an earlier run's
    /// import is gone; records the `gpg-pubkey` entry it added, so that a
    /// rollback or an uninstall can take it out again.
    fn import_rpm_key(&mut self, key_path: &Path, key_written: bool) -> Result<bool> {
        let before = rpm::pubkeys(self.sys)?;
        let recorded = self
            .previous
            .as_ref()
            .map(|p| p.rpm_keys.clone())
            .unwrap_or_default();
        if !key_written && recorded.iter().all(|k| before.contains(k)) {
            return Ok(false);
        }
        // rpm waits for its database lock without end: wait here instead, bounded.
        self.wait_for_lock()?;
        rpm::import_key(self.sys, &key_path.to_string_lossy())?;
        let added: Vec<String> = rpm::pubkeys(self.sys)?
            .into_iter()
            .filter(|k| !before.contains(k))
            .collect();
        for name in &added {
            self.journal.push(Change::RpmKey { name: name.clone() });
            self.rpm_keys.push(name.clone());
        }
        self.changed |= !added.is_empty();
        Ok(!added.is_empty())
    }

    /// The package manager of this run, chosen by the first step that needs
    /// one (yum or dnf is found then).
    fn backend(&mut self, tool: PackageTool) -> Result<Backend> {
        if self.backend.is_none() {
            self.backend = Some(Backend::for_tool(self.sys, tool)?);
        }
        Ok(self.backend.clone().expect("set above"))
    }

    fn wait_for_lock(&self) -> Result<()> {
        let progress = self.progress;
        let limit = self.request.lock_wait;
        let report = |holder: &apt::LockHolder, waited: Duration| {
            progress.note(&format!(
                "waiting for {} (pid {}) to release {} ({}s of at most {}s)",
                holder.name,
                holder.pid,
                holder.file,
                waited.as_secs(),
                limit.as_secs()
            ));
        };
        match &self.backend {
            Some(b) => b.wait_for_lock(self.sys, limit, report),
            None => apt::wait_for_dpkg_lock(self.sys, limit, report),
        }
    }

    fn ensure_updated(&mut self) -> Result<()> {
        if !self.updated {
            self.wait_for_lock()?;
            let url = self
                .repository_url
                .clone()
                .unwrap_or_else(|| self.request.options.mirror.clone());
            let id = self
                .repository_id
                .clone()
                .unwrap_or_else(|| rpm::REPOSITORY_ID.to_string());
            self.backend
                .clone()
                .unwrap_or(Backend::Apt)
                .update(self.sys, &url, &id)?;
            self.updated = true;
        }
        Ok(())
    }

    /// Installs a transaction's packages unless all are already at the
    /// wanted upstream versions.
    fn install_packages(
        &mut self,
        manager: PackageTool,
        transaction: &str,
        pins: &[PackagePin],
    ) -> Result<(bool, Option<String>)> {
        let backend = self.backend(manager)?;
        let mut current = Vec::new();
        for pin in pins {
            current.push(backend.installed_version(self.sys, &pin.name)?);
        }
        let satisfied =
            pins.iter()
                .zip(&current)
                .all(|(pin, installed)| match (&pin.version, installed) {
                    (Some(want), Some(have)) => debversion::is_build_of(have, want),
                    (None, Some(_)) => true,
                    _ => false,
                });
        if satisfied {
            for (pin, installed) in pins.iter().zip(&current) {
                self.note_package(&pin.name, installed.clone().unwrap_or_default(), false);
            }
            return Ok((
                false,
                Some(format!("{transaction}: already at the planned versions")),
            ));
        }
        let mut targets = Vec::new();
        // The versions the packages move to, to tell a downgrade.
        let mut wanted = Vec::new();
        if pins.iter().all(|p| p.url.is_some()) {
            for pin in pins {
                let file = self.download(pin, "--assets-url")?;
                targets.push(file.to_string_lossy().into_owned());
                wanted.push(pin.version.clone().unwrap_or_default());
            }
        } else {
            self.ensure_updated()?;
            let offered = pins
                .iter()
                .map(|p| backend.offered_versions(self.sys, &p.name))
                .collect::<Result<Vec<_>>>()?;
            // Pinned together: prefer a package version every package of the
            // transaction offers (iotedge depends on libiothsm-std of its own version).
            let common: Vec<String> = offered[0]
                .iter()
                .filter(|v| offered.iter().all(|o| o.contains(v)))
                .cloned()
                .collect();
            for (pin, offered) in pins.iter().zip(&offered) {
                let want = pin.version.as_deref().unwrap_or_default();
                let pick = debversion::newest_build(&common, want)
                    .or_else(|| debversion::newest_build(offered, want))
                    .ok_or_else(|| Error::Failed {
                        context: format!("installing {} {want}", pin.name),
                        detail: format!(
                            "the repository offers no {} {want} (it offers: {})",
                            pin.name,
                            if offered.is_empty() {
                                "nothing".to_string()
                            } else {
                                offered.join(", ")
                            }
                        ),
                    })?;
                targets.push(backend.pin(&pin.name, pick));
                wanted.push(pick.to_string());
            }
        }
        let downgrade = current.iter().zip(&wanted).any(|(have, want)| {
            have.as_deref()
                .is_some_and(|have| debversion::compare(have, want).is_gt())
        });
        for (pin, before) in pins.iter().zip(current) {
            self.journal.push(Change::Package {
                name: pin.name.clone(),
                before,
            });
        }
        self.wait_for_lock()?;
        let repository = self.repository_url.clone().unwrap_or_default();
        backend.install(
            self.sys,
            &format!("installing the {transaction} packages"),
            &targets,
            downgrade,
            &repository,
            self.request.offline,
        )?;
        self.changed = true;
        for pin in pins {
            let v = backend
                .installed_version(self.sys, &pin.name)?
                .unwrap_or_default();
            self.note_package(&pin.name, v, true);
        }
        Ok((true, Some(targets.join(" "))))
    }

    /// Records a package for the receipt. It counts as edgeup's when this
    /// run installed it or an earlier run did; a package that was there
    /// before edgeup (a Docker the user keeps, say) never does.
    fn note_package(&mut self, name: &str, version: String, installed_now: bool) {
        let by_edgeup = installed_now
            || self
                .previous
                .as_ref()
                .and_then(|r| r.package(name))
                .is_some_and(|p| p.installed_by_edgeup);
        self.packages.retain(|p| p.name != name);
        self.packages.push(ReceiptPackage {
            name: name.to_string(),
            version,
            installed_by_edgeup: by_edgeup,
        });
    }

    /// Downloads a package file into the cache (kept when already there with
    /// the same name: release assets are immutable).
    /// `option` names where the URL came from, for the error when the file
    /// is not there.
    fn download(&mut self, pin: &PackagePin, option: &str) -> Result<PathBuf> {
        let url = pin.url.as_deref().expect("asset pins carry a URL");
        if let Some(local) = url.strip_prefix("file://") {
            // From an offline bundle, already checked against its manifest.
            return Ok(PathBuf::from(local));
        }
        let name = pin
            .file
            .clone()
            .unwrap_or_else(|| url.rsplit('/').next().unwrap_or("package.deb").to_string());
        let path = Path::new(CACHE_DIR).join(&name);
        if self.sys.read(&path)?.is_none() {
            self.progress.note(&format!("downloading {url}"));
            self.sys.fetch_file(url, &path, None).map_err(|e| match e {
                Error::Network { url, detail } if detail.starts_with("HTTP 4") => Error::Network {
                    detail: format!("{detail}; the URL is built from {option}: check that it points at the right place"),
                    url,
                },
                other => other,
            })?;
        }
        Ok(path)
    }

    /// libssl1.0.2 on Debian 10 family: the distribution's package when it
    /// has one, else the Debian stretch build from --debian-archive.
    fn fixup(
        &mut self,
        package: &str,
        fallback_url: Option<&str>,
    ) -> Result<(bool, Option<String>)> {
        self.backend(PackageTool::Apt)?;
        if let Some(v) = apt::installed_version(self.sys, package)? {
            self.note_package(package, v, false);
            return Ok((false, Some(format!("{package} is installed"))));
        }
        let offered = if self.request.offline {
            Vec::new() // offline: the bundle carries the package
        } else {
            self.ensure_updated()?;
            apt::offered_versions(self.sys, package)?
        };
        let (target, source) = if let Some(newest) =
            offered.iter().max_by(|a, b| debversion::compare(a, b))
        {
            (
                format!("{package}={newest}"),
                "from the distribution".to_string(),
            )
        } else if let Some(url) = fallback_url {
            let pin = PackagePin {
                name: package.into(),
                version: None,
                file: None,
                url: Some(url.into()),
            };
            (
                self.download(&pin, "--debian-archive")?
                    .to_string_lossy()
                    .into_owned(),
                format!("from {url}"),
            )
        } else {
            return Err(Error::Failed {
                context: format!("installing {package}"),
                detail: format!(
                    "the distribution no longer offers {package} (later Debian 10 point releases dropped it); give --debian-archive URL of a Debian archive that still carries stretch's {package}"
                ),
            });
        };
        self.journal.push(Change::Package {
            name: package.into(),
            before: None,
        });
        self.wait_for_lock()?;
        apt::install(self.sys, &format!("installing {package}"), &[target])?;
        self.changed = true;
        let v = apt::installed_version(self.sys, package)?.unwrap_or_default();
        self.note_package(package, v, true);
        Ok((true, Some(source)))
    }

    /// Writes edgeup's part of the daemon config: provisioning, hostname,
    /// agent image and proxy. Backs up the previous file; 0400 iotedge:iotedge.
    fn write_config(
        &mut self,
        path: &Path,
        agent_image: &str,
        windows: Option<&crate::plan::WindowsConfig>,
    ) -> Result<(bool, Option<String>)> {
        let current = match (self.sys.read(path)?, windows) {
            (Some(c), _) => c,
            // Windows: the first config starts from the CAB's template.
            (None, Some(_)) => self.sys.read(Path::new(WINDOWS_CONFIG_TEMPLATE))?.ok_or_else(|| Error::Failed {
                context: format!("configuring {}", path.display()),
                detail: format!("{WINDOWS_CONFIG_TEMPLATE} is missing although the IoT Edge package installs it"),
            })?,
            (None, None) => {
                return Err(Error::Failed {
                    context: format!("configuring {}", path.display()),
                    detail: "the file is missing although the iotedge package installs it".into(),
                });
            }
        };
        let current_text = String::from_utf8_lossy(&current).into_owned();
        let desired = daemon_config::edit(
            &current_text,
            &ConfigEdit {
                provisioning: self.request.provisioning,
                hostname: self.request.hostname,
                agent_image,
                proxy: self.request.proxy,
                windows,
            },
        )?;
        self.tpm_access()?;
        // On Windows the file's ACL comes from its folder; on Linux it is 0400 iotedge.
        let mode_ok = windows.is_some() || self.sys.mode(path)? == Some(0o400);
        let existed = self.sys.read(path)?.is_some();
        if desired == current_text && mode_ok && existed {
            self.record_file(path, desired.as_bytes());
            return Ok((false, None));
        }
        if desired != current_text && existed {
            let backup = PathBuf::from(format!("{}.edgeup-backup", path.display()));
            self.write_file(&backup, &current, 0o400, None)?;
        }
        let owner = Owner {
            user: "iotedge".into(),
            group: "iotedge".into(),
        };
        let owner = windows.is_none().then_some(&owner);
        self.write_file(path, desired.as_bytes(), 0o400, owner)?;
        if let Some(w) = windows {
            self.windows_config_extras(w)?;
        }
        let what = match self.request.provisioning {
            Some(p) => p.describe(),
            None => "agent image only (no provisioning given)".into(),
        };
        Ok((true, Some(what)))
    }

    /// Writes the proxy drop-ins (0600 when the URL carries credentials),
    /// and with systemd reloads units and restarts the engine.
    fn service_proxy(&mut self, drop_ins: &[String]) -> Result<(bool, Option<String>)> {
        let proxy = self.request.proxy.ok_or_else(|| Error::Failed {
            context: "configuring the proxy".into(),
            detail: "the plan has a proxy step but no proxy was given".into(),
        })?;
        let content = format!(
            "# Written by edgeup\n[Service]\nEnvironment=\"HTTP_PROXY={proxy}\" \"HTTPS_PROXY={proxy}\" \"http_proxy={proxy}\" \"https_proxy={proxy}\" \"NO_PROXY=localhost,127.0.0.1\"\n"
        );
        let mode = if proxy.contains('@') { 0o600 } else { 0o644 };
        let mut changed = false;
        for path in drop_ins {
            let path = Path::new(path);
            if self.sys.read(path)?.as_deref() == Some(content.as_bytes()) {
                self.record_file(path, content.as_bytes());
            } else {
                self.write_file(path, content.as_bytes(), mode, None)?;
                changed = true;
            }
        }
        if changed && self.services_run() {
            for args in [&["daemon-reload"][..], &["restart", "docker"][..]] {
                let cmd = CommandSpec::new("applying the proxy to the engine", "systemctl", args);
                self.sys.run(&cmd)?.check(&cmd)?;
            }
        }
        Ok((changed, None))
    }

    /// Whether the plan manages services (a service manager runs).
    fn services_run(&self) -> bool {
        self.request
            .plan
            .steps
            .iter()
            .any(|s| matches!(s.action, Action::Service { .. }) && s.skip.is_none())
    }

    /// TPM attestation: the iotedge group may use /dev/tpm0 (udev rule) and
    /// the daemon is told to use the device (drop-in), as facts §5.2 says.
    fn tpm_access(&mut self) -> Result<()> {
        let tpm = matches!(
            self.request.provisioning,
            Some(Provisioning::Dps {
                attestation: Attestation::Tpm { .. },
                ..
            })
        );
        if !tpm {
            return Ok(());
        }
        let files = [
            (
                TPM_UDEV_RULE,
                "# Written by edgeup: the IoT Edge daemon reads the TPM\nKERNEL==\"tpm0\", SUBSYSTEM==\"tpm\", GROUP=\"iotedge\", MODE=\"0660\"\n",
            ),
            (
                TPM_DROP_IN,
                "# Written by edgeup\n[Service]\nEnvironment=IOTEDGE_USE_TPM_DEVICE=ON\n",
            ),
        ];
        for (path, content) in files {
            let path = Path::new(path);
            if self.sys.read(path)?.as_deref() != Some(content.as_bytes()) {
                self.write_file(path, content.as_bytes(), 0o644, None)?;
            } else {
                self.record_file(path, content.as_bytes());
            }
        }
        if self.services_run() {
            let cmd = CommandSpec::new(
                "applying the TPM udev rule",
                "udevadm",
                &["trigger", "--subsystem-match=tpm"],
            );
            // A machine without a TPM has nothing to trigger; the daemon reports that.
            let _ = self.sys.run(&cmd);
        }
        Ok(())
    }

    /// Restarts a service when the run changed something.
    fn service(&mut self, name: &str, action: &str) -> Result<(bool, Option<String>)> {
        if !self.changed {
            return Ok((false, Some("nothing changed".into())));
        }
        for args in [&["daemon-reload"][..], &[action, name][..]] {
            let cmd =
                CommandSpec::new(format!("{action}ing the {name} service"), "systemctl", args);
            self.sys.run(&cmd)?.check(&cmd)?;
        }
        // An unprovisioned daemon exits 153 by design; wait only for a provisioned one.
        let provisioned = self.request.provisioning.is_some()
            || self
                .previous
                .as_ref()
                .is_some_and(|r| r.provisioning.is_some());
        if !provisioned {
            return Ok((true, Some(format!("{name} waits for provisioning"))));
        }
        let state = self.wait_active(name, SERVICE_WAIT)?;
        Ok((true, Some(format!("{name} is {state}"))))
    }

    /// Polls `systemctl is-active` until the service is active or `limit`
    /// passes; returns the last state (verification judges it).
    fn wait_active(&self, name: &str, limit: Duration) -> Result<String> {
        let cmd = CommandSpec::new(
            format!("waiting for {name}"),
            "systemctl",
            &["is-active", name],
        );
        let start = std::time::Instant::now();
        loop {
            let state = self.sys.run(&cmd)?.stdout.trim().to_string();
            if state == "active" || start.elapsed() >= limit {
                return Ok(state);
            }
            if state == "failed" {
                return Ok(state);
            }
            self.sys.sleep(Duration::from_secs(1));
        }
    }

    /// Undoes the journal, newest first; returns what was restored.
    fn rollback(&mut self) -> Vec<String> {
        let mut restored = Vec::new();
        let mut packages_back: Vec<(String, String)> = Vec::new();
        let mut packages_out: Vec<String> = Vec::new();
        for change in self.journal.iter().rev() {
            match change {
                Change::Package {
                    name,
                    before: Some(v),
                } => {
                    if !packages_back.iter().any(|(p, _)| p == name) {
                        packages_back.push((name.clone(), v.clone()));
                    }
                }
                Change::Package { name, before: None } => {
                    if !packages_out.contains(name) {
                        packages_out.push(name.clone());
                    }
                }
                Change::File { .. } | Change::RpmKey { .. } => {}
            }
        }
        let backend = self.backend.clone().unwrap_or(Backend::Apt);
        if backend != Backend::Apt {
            // yum, dnf and rpm refuse to remove what is not installed (a
            // transaction that failed part-way installed only some).
            packages_out.retain(|p| {
                backend
                    .installed_version(self.sys, p)
                    .is_ok_and(|v| v.is_some())
            });
        }
        if !packages_out.is_empty() {
            match backend.remove(
                self.sys,
                "removing what the failed run installed",
                &packages_out,
                true,
            ) {
                Ok(()) => restored.push(format!("removed {}", packages_out.join(", "))),
                Err(e) => {
                    restored.push(format!("could not remove {}: {e}", packages_out.join(", ")))
                }
            }
        }
        if !packages_back.is_empty() {
            let targets: Vec<String> = packages_back
                .iter()
                .map(|(name, v)| backend.pin(name, v))
                .collect();
            let downgrade = packages_back.iter().any(|(name, v)| {
                backend
                    .installed_version(self.sys, name)
                    .ok()
                    .flatten()
                    .is_some_and(|now| debversion::compare(&now, v).is_gt())
            });
            match backend.install(
                self.sys,
                "reinstalling the previous package versions",
                &targets,
                downgrade,
                self.repository_url.as_deref().unwrap_or_default(),
                self.request.offline,
            ) {
                Ok(()) => restored.push(format!("reinstalled {}", targets.join(", "))),
                Err(e) => restored.push(format!("could not reinstall {}: {e}", targets.join(", "))),
            }
        }
        for change in self.journal.iter().rev() {
            match change {
                Change::File {
                    path,
                    before,
                    owner,
                } => {
                    let result = match before {
                        Some((bytes, mode)) => self.sys.write(path, bytes, *mode, owner.as_ref()),
                        None => self.sys.remove(path),
                    };
                    restored.push(match (result, before) {
                        (Ok(()), Some(_)) => format!("restored {}", path.display()),
                        (Ok(()), None) => format!("removed {}", path.display()),
                        (Err(e), _) => format!("could not restore {}: {e}", path.display()),
                    });
                }
                Change::RpmKey { name } => {
                    restored.push(match rpm::remove_pubkey(self.sys, name) {
                        Ok(()) => format!("removed the key {name} from rpm"),
                        Err(e) => format!("could not remove the key {name} from rpm: {e}"),
                    })
                }
                Change::Package { .. } => {}
            }
        }
        self.rpm_keys.clear();
        self.journal.clear();
        restored
    }
}
