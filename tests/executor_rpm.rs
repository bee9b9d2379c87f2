//! The executor on the RPM family against a recording double: an in-memory
//! file tree, rpm database and keyring, and scripted yum/dnf answers. The
//! sandbox suite (tests/sandbox_rpm.rs) runs the same paths with real rpm
//! and dnf; Debian has no yum, so these pin the exact commands edgeup gives
//! yum on CentOS/RHEL 7, and the yum/dnf choice. Also the `--force`
//! installs on image-built systems (dpkg or rpm alone) and uninstall.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use edgeup::ExitCode;
use edgeup::catalog::Catalog;
use edgeup::facts::{self, InstalledPackage, PackageManager, RootedHost};
use edgeup::install::{self, InstallRequest, Progress};
use edgeup::plan::{self, Plan, PlanOptions, Target};
use edgeup::provisioning::{ConnectionString, Provisioning};
use edgeup::resolve::{self, VersionRequest};
use edgeup::system::{CommandOutput, CommandSpec, Owner, System};
use edgeup::uninstall::{self, UninstallOptions};

const KEY: &str = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBFYxWIwBCADAKoZhZlJxGNGWzqV+1OG1xiQeoowKhssGAKvd+buXCGISZJwT\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n";
const PUBKEY: &str = "gpg-pubkey-be1229cf-5631588c";
const TEMPLATE: &str = "provisioning:\n  source: \"manual\"\n  device_connection_string: \"<ADD DEVICE CONNECTION STRING HERE>\"\n\nagent:\n  name: \"edgeAgent\"\n  type: \"docker\"\n  env: {}\n  config:\n    image: \"mcr.microsoft.com/azureiotedge-agent:1.0\"\n    auth: {}\n\nhostname: \"<ADD HOSTNAME HERE>\"\n";
const SECRET: &str = "c2VjcmV0LWtleS0xMjM=";
const MIRROR: &str = "http://127.0.0.1:9";
const ASSETS: &str = "http://127.0.0.1:9/releases/download";

type FakeFile = (Vec<u8>, u32, Option<Owner>);

/// A CentOS-like machine: `frontend` (yum or dnf) runs, the other does not.
struct Fake {
    frontend: &'static str,
    files: RefCell<BTreeMap<PathBuf, FakeFile>>,
    installed: RefCell<BTreeMap<String, String>>,
    pubkeys: RefCell<Vec<String>>,
    commands: RefCell<Vec<String>>,
    makecache_error: Option<String>,
    /// A package whose scriptlet fails: the transaction installs what
    /// comes before it (as rpm does) and fails.
    fail_pre_of: Option<String>,
}

impl Fake {
    fn new(frontend: &'static str) -> Fake {
        Fake {
            frontend,
            files: RefCell::default(),
            installed: RefCell::default(),
            pubkeys: RefCell::default(),
            commands: RefCell::default(),
            makecache_error: None,
            fail_pre_of: None,
        }
    }

    fn commands(&self) -> Vec<String> {
        self.commands.borrow().clone()
    }

    fn file(&self, path: &str) -> Option<String> {
        self.files
            .borrow()
            .get(Path::new(path))
            .map(|f| String::from_utf8(f.0.clone()).unwrap())
    }
}

fn ok(stdout: &str) -> CommandOutput {
    CommandOutput {
        status: 0,
        stdout: stdout.into(),
        stderr: String::new(),
    }
}

fn status(code: i32, stderr: &str) -> CommandOutput {
    CommandOutput {
        status: code,
        stdout: String::new(),
        stderr: stderr.into(),
    }
}

/// `moby-engine-3.0.6+azure-0` or `/var/cache/edgeup/libiothsm-std_1.0.9.2-1.el7.x86_64.rpm`
/// → (name, version-release).
fn name_version(target: &str) -> (String, String) {
    let base = target.rsplit('/').next().unwrap();
    let base = base
        .strip_suffix(".rpm")
        .map(|b| b.rsplit_once('.').unwrap().0.replacen('_', "-", 1))
        .unwrap_or_else(|| base.to_string());
    let mut parts = base.rsplitn(3, '-');
    let release = parts.next().unwrap();
    let version = parts.next().unwrap();
    (
        parts.next().unwrap().to_string(),
        format!("{version}-{release}"),
    )
}

impl System for Fake {
    fn run(&self, cmd: &CommandSpec) -> edgeup::Result<CommandOutput> {
        let line = cmd.display();
        self.commands.borrow_mut().push(line.clone());
        let args: Vec<&str> = cmd.args.iter().map(String::as_str).collect();
        let program = cmd.program.as_str();
        if (program == "yum" || program == "dnf") && program != self.frontend {
            return Err(edgeup::Error::Failed {
                context: format!("{} (could not start `{program}`)", cmd.purpose),
                detail: "No such file or directory (os error 2)".into(),
            });
        }
        Ok(match (program, args.as_slice()) {
            ("yum" | "dnf", ["--version"]) => ok("4.14.0\n"),
            ("yum" | "dnf", ["-y", "--setopt=exit_on_lock=True", rest @ ..]) => match rest {
                [.., "makecache"] => match &self.makecache_error {
                    Some(e) => status(1, e),
                    None => ok("Metadata cache created.\n"),
                },
                ["-q", "--showduplicates", "list", name] => {
                    let versions: &[&str] = if name.starts_with("moby") {
                        &["3.0.5+azure-0", "3.0.6+azure-0", "3.0.10+azure-0"]
                    } else {
                        &[]
                    };
                    if versions.is_empty() {
                        status(1, "Error: No matching Packages to list\n")
                    } else {
                        ok(&versions
                            .iter()
                            .map(|v| format!("{name}.x86_64    {v}    packages-microsoft-com-prod\n{name}.aarch64    {v}    packages-microsoft-com-prod\n"))
                            .collect::<String>())
                    }
                }
                ["install" | "downgrade", targets @ ..]
                | ["--disablerepo=*", "install" | "downgrade", targets @ ..] => {
                    for t in targets {
                        let (name, version) = name_version(t);
                        if self.fail_pre_of.as_deref() == Some(name.as_str()) {
                            return Ok(CommandOutput {
                                status: 1,
                                stdout: format!(
                                    "ERROR: No container runtime detected.\nerror: %prein({name}-{version}.x86_64) scriptlet failed, exit status 1\n"
                                ),
                                stderr: format!(
                                    "Error in PREIN scriptlet in rpm package {name}\nError: Transaction failed\n"
                                ),
                            });
                        }
                        self.installed.borrow_mut().insert(name.clone(), version);
                        if name == "iotedge"
                            && !self
                                .files
                                .borrow()
                                .contains_key(Path::new("/etc/iotedge/config.yaml"))
                        {
                            self.files.borrow_mut().insert(
                                "/etc/iotedge/config.yaml".into(),
                                (TEMPLATE.as_bytes().to_vec(), 0o400, None),
                            );
                        }
                    }
                    ok("Complete!\n")
                }
                [
                    "--setopt=clean_requirements_on_remove=False",
                    "remove",
                    names @ ..,
                ] => {
                    for n in names {
                        self.installed.borrow_mut().remove(*n);
                    }
                    ok("Complete!\n")
                }
                other => panic!("unexpected {program} arguments {other:?}"),
            },
            ("rpm", ["--eval", "%{_arch}"]) => ok("x86_64\n"),
            ("rpm", ["-q", "gpg-pubkey", ..]) => {
                let keys = self.pubkeys.borrow();
                if keys.is_empty() {
                    status(1, "")
                } else {
                    ok(&keys.iter().map(|k| format!("{k}\n")).collect::<String>())
                }
            }
            ("rpm", ["--import", _]) => {
                if !self.pubkeys.borrow().contains(&PUBKEY.to_string()) {
                    self.pubkeys.borrow_mut().push(PUBKEY.into());
                }
                ok("")
            }
            ("rpm", ["-e", "--test", ..]) => ok(""),
            ("rpm", ["-e", name]) if name.starts_with("gpg-pubkey-") => {
                self.pubkeys.borrow_mut().retain(|k| k != name);
                ok("")
            }
            ("rpm", ["-q", "--qf", _, name]) => match self.installed.borrow().get(*name) {
                Some(v) => ok(&format!("{v}\n")),
                None => CommandOutput {
                    status: 1,
                    stdout: format!("package {name} is not installed\n"),
                    stderr: String::new(),
                },
            },
            ("rpm", ["-U", "--nodeps", "--oldpackage", files @ ..]) => {
                for f in files {
                    let (name, version) = name_version(f);
                    self.installed.borrow_mut().insert(name, version);
                }
                self.files.borrow_mut().insert(
                    "/etc/iotedge/config.yaml".into(),
                    (TEMPLATE.as_bytes().to_vec(), 0o400, None),
                );
                ok("")
            }
            (
                "dpkg",
                [
                    "--force-depends",
                    "--force-confdef",
                    "--force-confold",
                    "-i",
                    files @ ..,
                ],
            ) => {
                for f in files {
                    // /var/cache/edgeup/iotedge_1.0.9.2-1_debian10_armhf.deb
                    let base = f.rsplit('/').next().unwrap();
                    let mut parts = base.split('_');
                    let name = parts.next().unwrap().to_string();
                    let version = parts.next().unwrap().to_string();
                    self.installed.borrow_mut().insert(name, version);
                }
                self.files.borrow_mut().insert(
                    "/etc/iotedge/config.yaml".into(),
                    (TEMPLATE.as_bytes().to_vec(), 0o400, None),
                );
                ok("")
            }
            ("dpkg-query", [.., name]) => match self.installed.borrow().get(*name) {
                Some(v) => ok(&format!("ii |{v}")),
                None => status(1, ""),
            },
            ("systemctl", _) => ok("active"),
            ("docker", _) => status(1, "Cannot connect to the Docker daemon"),
            ("iotedge", ["check", ..]) => {
                ok(r#"{"checks":{"config-yaml-well-formed":{"result":{"result":"ok"}}}}"#)
            }
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
        if url.ends_with(".rpm") || url.ends_with(".deb") {
            assert!(url.starts_with(ASSETS), "{url}");
            return Ok(b"package".to_vec());
        }
        assert_eq!(url, format!("{MIRROR}/keys/microsoft.asc"));
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
        mirror: MIRROR.into(),
        repo_key: format!("{MIRROR}/keys/microsoft.asc"),
        assets_url: ASSETS.into(),
        ..PlanOptions::default()
    }
}

fn plan_for(id: &str, version: &str) -> Plan {
    plan::plan_for_platform(
        Catalog::embedded(),
        id,
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
    run_with(sys, plan, p, false)
}

fn run_with(
    sys: &Fake,
    plan: &Plan,
    p: Option<&Provisioning>,
    offline: bool,
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
            offline,
        },
    )
}

const YUM: &str = "yum -y --setopt=exit_on_lock=True";

#[test]
fn centos_with_yum_runs_exactly_these_commands() {
    let sys = Fake::new("yum");
    let p = provisioning();
    let report = run(&sys, &plan_for("centos-7-amd64", "1.0.9"), Some(&p)).unwrap();
    assert!(report.changed);
    let q = "rpm -q --qf %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n";
    let expected: Vec<String> = [
        // The repository: yum is found, rpm names the arch, the key goes
        // into rpm's keyring.
        "yum --version".to_string(),
        "rpm --eval %{_arch}".into(),
        "rpm -q gpg-pubkey --qf %{NAME}-%{VERSION}-%{RELEASE}\\n".into(),
        "rpm --import /etc/pki/rpm-gpg/microsoft-prod.asc".into(),
        "rpm -q gpg-pubkey --qf %{NAME}-%{VERSION}-%{RELEASE}\\n".into(),
        // The engine, in its own transaction, pinned to the repository's build of 3.0.6.
        format!("{q} moby-engine"),
        format!("{q} moby-cli"),
        format!("{YUM} --disablerepo=* --enablerepo=packages-microsoft-com-prod --setopt=packages-microsoft-com-prod.skip_if_unavailable=False makecache"),
        format!("{YUM} -q --showduplicates list moby-engine"),
        format!("{YUM} -q --showduplicates list moby-cli"),
        format!("{YUM} install moby-engine-3.0.6+azure-0 moby-cli-3.0.6+azure-0"),
        format!("{q} moby-engine"),
        format!("{q} moby-cli"),
        // IoT Edge from the el7 assets, both files in one transaction.
        format!("{q} libiothsm-std"),
        format!("{q} iotedge"),
        format!("{YUM} install /var/cache/edgeup/libiothsm-std_1.0.9.2-1.el7.x86_64.rpm /var/cache/edgeup/iotedge-1.0.9.2-1.el7.x86_64.rpm"),
        format!("{q} libiothsm-std"),
        format!("{q} iotedge"),
        // The service (systemd here) and verification.
        "systemctl daemon-reload".into(),
        "systemctl restart iotedge".into(),
        "systemctl is-active iotedge".into(),
        format!("{q} moby-engine"),
        format!("{q} moby-cli"),
        format!("{q} libiothsm-std"),
        format!("{q} iotedge"),
        "systemctl is-active docker".into(),
        "systemctl is-active iotedge".into(),
        "iotedge check --output json".into(),
    ]
    .into_iter()
    .collect();
    assert_eq!(sys.commands(), expected);
    assert_eq!(
        sys.file("/etc/yum.repos.d/microsoft-prod.repo").unwrap(),
        format!(
            "[packages-microsoft-com-prod]\nname=Microsoft packages for IoT Edge\nbaseurl={MIRROR}/centos/7/prod/\nenabled=1\ngpgcheck=1\nrepo_gpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/microsoft-prod.asc\n"
        )
    );
    assert_eq!(
        sys.file("/etc/pki/rpm-gpg/microsoft-prod.asc").unwrap(),
        KEY,
        "yum reads armored keys: kept armored"
    );
    let receipt: serde_json::Value =
        serde_json::from_str(&sys.file("/var/lib/edgeup/receipt.json").unwrap()).unwrap();
    assert_eq!(receipt["package_tool"], "yum");
    assert_eq!(receipt["rpm_keys"], serde_json::json!([PUBKEY]));
    assert!(!receipt.to_string().contains(SECRET));
    let config = sys.file("/etc/iotedge/config.yaml").unwrap();
    assert!(config.contains(SECRET) && config.contains("azureiotedge-agent:1.0.9.2"));
    assert!(report.verify.unwrap().ok);

    // Again: no yum, no rpm import, nothing changed.
    sys.commands.borrow_mut().clear();
    let report = run(&sys, &plan_for("centos-7-amd64", "1.0.9"), Some(&p)).unwrap();
    assert!(!report.changed);
    let ran = sys.commands();
    assert!(
        !ran.iter()
            .any(|c| c.starts_with("yum -y") || c.starts_with("rpm --import")),
        "{ran:#?}"
    );
}

#[test]
fn dnf_serves_where_yum_is_absent() {
    let sys = Fake::new("dnf");
    run(&sys, &plan_for("rhel-7-amd64", "1.0.9"), None).unwrap();
    let ran = sys.commands();
    assert_eq!(ran[0], "yum --version", "yum first");
    assert_eq!(ran[1], "dnf --version", "then dnf");
    assert!(
        ran.contains(&"dnf -y --setopt=exit_on_lock=True install moby-engine-3.0.6+azure-0 moby-cli-3.0.6+azure-0".to_string()),
        "{ran:#?}"
    );
    let receipt = sys.file("/var/lib/edgeup/receipt.json").unwrap();
    assert!(receipt.contains("\"package_tool\": \"dnf\""), "{receipt}");
}

#[test]
fn neither_yum_nor_dnf_is_a_clear_failure_with_nothing_changed() {
    let sys = Fake::new("none");
    let err = run(&sys, &plan_for("centos-7-amd64", "1.0.9"), None).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Failed);
    assert!(err.to_string().contains("neither yum nor dnf"), "{err}");
    assert!(sys.files.borrow().is_empty(), "nothing written");
}

#[test]
fn moving_down_a_patch_uses_downgrade() {
    let sys = Fake::new("yum");
    run(&sys, &plan_for("centos-7-amd64", "1.0.9"), None).unwrap();
    sys.commands.borrow_mut().clear();
    run(&sys, &plan_for("centos-7-amd64", "1.0.9.1"), None).unwrap();
    let ran = sys.commands();
    assert!(
        ran.contains(&format!("{YUM} downgrade /var/cache/edgeup/libiothsm-std_1.0.9.1-1.el7.x86_64.rpm /var/cache/edgeup/iotedge-1.0.9.1-1.el7.x86_64.rpm")),
        "{ran:#?}"
    );
    assert!(
        !ran.iter().any(|c| c.contains("makecache")),
        "the engine is unchanged: {ran:#?}"
    );
    assert_eq!(sys.installed.borrow()["iotedge"], "1.0.9.1-1.el7");
    // And up again: install.
    sys.commands.borrow_mut().clear();
    run(&sys, &plan_for("centos-7-amd64", "1.0.9.2"), None).unwrap();
    assert!(
        sys.commands().iter().any(|c| c.starts_with(&format!(
            "{YUM} install /var/cache/edgeup/libiothsm-std_1.0.9.2"
        ))),
        "{:#?}",
        sys.commands()
    );
}

#[test]
fn a_failed_scriptlet_rolls_back_what_went_in_and_the_key() {
    let mut sys = Fake::new("yum");
    sys.fail_pre_of = Some("iotedge".into());
    let err = run(&sys, &plan_for("centos-7-amd64", "1.0.9"), None).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Failed);
    let text = err.to_string();
    assert!(text.contains("scriptlet failed"), "{text}");
    assert!(text.contains("No container runtime detected"), "{text}");
    assert!(
        text.contains("removed libiothsm-std, moby-cli, moby-engine"),
        "only what is installed is removed: {text}"
    );
    assert!(
        text.contains(&format!("removed the key {PUBKEY} from rpm")),
        "{text}"
    );
    assert!(
        sys.commands().contains(&format!(
            "{YUM} --setopt=clean_requirements_on_remove=False remove libiothsm-std moby-cli moby-engine"
        )),
        "{:#?}",
        sys.commands()
    );
    assert!(sys.installed.borrow().is_empty());
    assert!(sys.pubkeys.borrow().is_empty());
    assert!(sys.file("/etc/yum.repos.d/microsoft-prod.repo").is_none());
    assert!(sys.file("/etc/pki/rpm-gpg/microsoft-prod.asc").is_none());
    assert!(sys.file("/var/lib/edgeup/receipt.json").is_none());
}

#[test]
fn a_bad_repository_signature_is_exit_8() {
    let mut sys = Fake::new("yum");
    // yum 3's words for a repomd.xml.asc that the key does not verify.
    sys.makecache_error = Some("http://127.0.0.1:9/centos/7/prod/repodata/repomd.xml: [Errno -1] repomd.xml signature could not be verified for packages-microsoft-com-prod\n".into());
    let err = run(&sys, &plan_for("centos-7-amd64", "1.0.9"), None).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Integrity, "{err}");
    assert!(err.to_string().contains("could not be verified"), "{err}");
    assert!(sys.pubkeys.borrow().is_empty(), "the key import is undone");
    assert!(sys.file("/etc/yum.repos.d/microsoft-prod.repo").is_none());
    let mut sys = Fake::new("yum");
    sys.makecache_error = Some("http://127.0.0.1:9/centos/7/prod/repodata/repomd.xml: [Errno 14] curl#7 - \"Failed connect to 127.0.0.1:9; Connection refused\"\nCannot retrieve repository metadata (repomd.xml) for repository: packages-microsoft-com-prod.\n".into());
    let err = run(&sys, &plan_for("centos-7-amd64", "1.0.9"), None).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Network, "{err}");
}

#[test]
fn uninstall_asks_rpm_what_breaks_then_removes_with_yum() {
    let sys = Fake::new("yum");
    run(&sys, &plan_for("centos-7-amd64", "1.0.9"), None).unwrap();
    sys.commands.borrow_mut().clear();
    let report = uninstall::uninstall(
        &sys,
        UninstallOptions {
            purge: true,
            keep_engine: false,
        },
    )
    .unwrap();
    let ran = sys.commands();
    let test = ran
        .iter()
        .position(|c| c == "rpm -e --test moby-engine moby-cli libiothsm-std iotedge")
        .unwrap_or_else(|| panic!("{ran:#?}"));
    let remove = ran
        .iter()
        .position(|c| {
            c == &format!("{YUM} --setopt=clean_requirements_on_remove=False remove moby-engine moby-cli libiothsm-std iotedge")
        })
        .unwrap_or_else(|| panic!("{ran:#?}"));
    assert!(test < remove);
    assert!(ran.contains(&format!("rpm -e {PUBKEY}")), "{ran:#?}");
    assert!(report.removed_packages.contains(&PUBKEY.to_string()));
    assert!(sys.installed.borrow().is_empty());
    assert!(sys.file("/etc/yum.repos.d/microsoft-prod.repo").is_none());
    assert!(sys.file("/etc/iotedge/config.yaml").is_none(), "--purge");
}

/// A forced plan for an image-built fixture, with the package database and
/// engine it is given.
fn forced_image_plan(
    fixture: &str,
    package_manager: Option<PackageManager>,
    engine: bool,
) -> edgeup::Result<Plan> {
    let catalog = Catalog::embedded();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(fixture);
    let mut facts = facts::gather(&RootedHost::at(root), None)?;
    facts.package_manager = package_manager;
    facts.engine = engine.then(|| InstalledPackage {
        name: "dockerd".into(),
        version: "unknown (not from a package)".into(),
    });
    let verdict = resolve::verdict(catalog, &facts);
    let (platform, _) = verdict.plannable(true)?;
    let resolution = resolve::resolve_version(catalog, &VersionRequest::Latest, &platform)?;
    plan::plan(
        catalog,
        &Target {
            platform: &platform,
            facts: Some(&facts),
            forced_from: None,
            force: true,
        },
        &resolution,
        &options(),
    )
}

#[test]
fn forced_image_installs_run_dpkg_or_rpm_alone() {
    let sys = Fake::new("none");
    let plan = forced_image_plan("yocto", Some(PackageManager::Dpkg), true).unwrap();
    run(&sys, &plan, None).unwrap();
    assert!(
        sys.commands().contains(
            &"dpkg --force-depends --force-confdef --force-confold -i /var/cache/edgeup/libiothsm-std_1.0.9.2-1-1_debian10_armhf.deb /var/cache/edgeup/iotedge_1.0.9.2-1_debian10_armhf.deb".to_string()
        ),
        "{:#?}",
        sys.commands()
    );
    assert!(
        sys.file("/var/lib/edgeup/receipt.json")
            .unwrap()
            .contains("\"package_tool\": \"dpkg\"")
    );

    let sys = Fake::new("none");
    let plan = forced_image_plan("mel-flex", Some(PackageManager::Rpm), true).unwrap();
    run(&sys, &plan, None).unwrap();
    assert!(
        sys.commands().contains(
            &"rpm -U --nodeps --oldpackage /var/cache/edgeup/libiothsm-std_1.0.9.2-1.el7.aarch64.rpm /var/cache/edgeup/iotedge-1.0.9.2-1.el7.aarch64.rpm".to_string()
        ),
        "{:#?}",
        sys.commands()
    );
    assert!(
        !sys.commands()
            .iter()
            .any(|c| c.starts_with("yum") || c.starts_with("dnf")),
        "no repository front end on an image"
    );
}

/// `install --offline` of an el7 bundle: no repository, no key, no
/// metadata; both transactions from the bundle's files with yum reading no
/// repository at all, the engine first.
#[test]
fn an_offline_install_reads_no_repository() {
    use edgeup::bundle::{BundleFile, FORMAT, Manifest};
    let file = |path: &str, role: &str, package: &str| BundleFile {
        path: format!("packages/{path}"),
        size: 7,
        sha256: "0".repeat(64),
        role: role.into(),
        package: Some(package.into()),
    };
    let manifest = Manifest {
        format: FORMAT,
        edgeup_version: "test".into(),
        platform: "centos-7-amd64".into(),
        release: "1.0.9".into(),
        requested: "1.0.9".into(),
        files: vec![
            file("iotedge-1.0.9.2-1.el7.x86_64.rpm", "iotedge", "iotedge"),
            file(
                "libiothsm-std_1.0.9.2-1.el7.x86_64.rpm",
                "iotedge",
                "libiothsm-std",
            ),
            file("moby-cli-3.0.6+azure-0.x86_64.rpm", "engine", "moby-cli"),
            file(
                "moby-engine-3.0.6+azure-0.x86_64.rpm",
                "engine",
                "moby-engine",
            ),
        ],
    };
    let dir = Path::new("/var/cache/edgeup/offline");
    let plan =
        edgeup::bundle::offline_plan(plan_for("centos-7-amd64", "1.0.9"), &manifest, dir).unwrap();
    let sys = Fake::new("yum");
    let report = run_with(&sys, &plan, Some(&provisioning()), true).unwrap();
    assert!(report.changed);
    let commands = sys.commands();
    let yum: Vec<&String> = commands
        .iter()
        .filter(|c| c.starts_with("yum -y"))
        .collect();
    assert_eq!(
        yum,
        [
            &format!(
                "{YUM} --disablerepo=* install {d}/moby-engine-3.0.6+azure-0.x86_64.rpm {d}/moby-cli-3.0.6+azure-0.x86_64.rpm",
                d = "/var/cache/edgeup/offline/packages"
            ),
            &format!(
                "{YUM} --disablerepo=* install {d}/libiothsm-std_1.0.9.2-1.el7.x86_64.rpm {d}/iotedge-1.0.9.2-1.el7.x86_64.rpm",
                d = "/var/cache/edgeup/offline/packages"
            ),
        ],
        "{commands:#?}"
    );
    assert!(
        !commands.iter().any(|c| c.contains("--import")),
        "no key: {commands:#?}"
    );
    assert!(sys.file("/etc/yum.repos.d/microsoft-prod.repo").is_none());
    assert_eq!(
        sys.installed.borrow().get("iotedge").map(String::as_str),
        Some("1.0.9.2-1.el7")
    );
    // A bundle without the engine's files is refused before any change.
    let mut partial = manifest.clone();
    partial.files.retain(|f| f.role != "engine");
    let err = edgeup::bundle::offline_plan(plan_for("centos-7-amd64", "1.0.9"), &partial, dir)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no moby-engine for the 'engine' step"),
        "{err}"
    );
}
