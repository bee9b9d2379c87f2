//! plan: a pure function from (platform, resolution, facts, options) to an
//! ordered list of typed steps. A plan is plain data: `edgeup plan` prints
//! it, `--json` emits it, and the executor walks it.

use serde::Serialize;

use crate::catalog::{Arch, Catalog, Family, Generation, Origin, Platform, Source};
use crate::error::{Error, Result};
use crate::facts::{Facts, OsFacts, ServiceManager, windows::FeatureState};
use crate::resolve::{PlatformSummary, Resolution};

/// The Microsoft package repository, the default of `--mirror`.
pub const DEFAULT_MIRROR: &str = "https://packages.microsoft.com";
/// The GitHub release-asset base, the default of `--assets-url`.
pub const DEFAULT_ASSETS_URL: &str = "https://github.com/Azure/azure-iotedge/releases/download";
/// The Visual C++ runtime the Windows IoT Edge daemon needs (facts §4.3).
pub const VC_RUNTIME_URL: &str = "https://download.microsoft.com/download/0/6/4/064F84EA-D1DB-4EAA-9A5C-CC2F0FF6A638/vc_redist.x64.exe";

/// dpkg options for every apt transaction: never stop at a conffile prompt
/// (sandbox notes, gotcha 4).
pub const DPKG_OPTIONS: [&str; 2] = ["--force-confdef", "--force-confold"];

/// Which container engine the install uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum EngineChoice {
    /// moby-engine from the Microsoft repository (recommended for production).
    Moby,
    /// Keep the installed Docker CE/EE (best-effort support from Microsoft).
    Existing,
}

/// Options that shape a plan.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Package repository base (`--mirror`).
    pub mirror: String,
    /// The repository key (`--repo-key`), a URL or a local path.
    pub repo_key: String,
    /// Release-asset base (`--assets-url`).
    pub assets_url: String,
    /// Debian archive for the libssl1.0.2 fallback (`--debian-archive`).
    pub debian_archive: Option<String>,
    pub engine: EngineChoice,
    /// A proxy for the engine, the daemon, the agent and the package manager.
    pub proxy: Option<String>,
    /// Windows only: Linux containers through Docker Desktop, for
    /// development and testing (production runs Windows containers).
    pub linux_containers: bool,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            mirror: DEFAULT_MIRROR.to_string(),
            repo_key: default_repo_key(DEFAULT_MIRROR),
            assets_url: DEFAULT_ASSETS_URL.to_string(),
            debian_archive: None,
            engine: EngineChoice::Moby,
            proxy: None,
            linux_containers: false,
        }
    }
}

/// The repository key URL served beside a mirror.
pub fn default_repo_key(mirror: &str) -> String {
    format!("{}/keys/microsoft.asc", mirror.trim_end_matches('/'))
}

/// The package tool a step uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageTool {
    Apt,
    /// yum, or dnf where yum is absent (chosen at apply time).
    Yum,
    /// dpkg alone: `--force` on an image-built system that has dpkg.
    Dpkg,
    /// rpm alone: `--force` on an image-built system that has rpm.
    Rpm,
}

/// A package at a version; `file`/`url` for packages installed from a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackagePin {
    pub name: String,
    /// The upstream version (`1.0.8`); the repository's revision is found at
    /// apply time. `None`: whatever the distribution offers.
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One thing the install does.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Write the repository definition and its signing key.
    AddRepository {
        manager: PackageTool,
        file: String,
        content: String,
        key_url: String,
        key_file: String,
    },
    /// Install packages in one transaction.
    InstallPackages {
        manager: PackageTool,
        transaction: String,
        packages: Vec<PackagePin>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        dpkg_options: Vec<String>,
    },
    /// An OS-specific fixup.
    Fixup {
        fixup: String,
        packages: Vec<PackagePin>,
        /// Where the package comes from when the distribution has none.
        fallback_url: Option<String>,
    },
    /// Write the daemon's config file.
    WriteConfig {
        path: String,
        agent_image: String,
        provisioning: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        windows: Option<WindowsConfig>,
    },
    /// Start or restart a service.
    Service { name: String, action: String },
    /// Check the result.
    Verify,
    /// Enable an optional Windows feature (may need a reboot).
    EnableWindowsFeature { feature: String },
    /// Install the Visual C++ runtime when `vcruntime140.dll` is missing.
    InstallVcRuntime {
        url: String,
        only_if_missing: String,
    },
    /// Install the IoT Edge CAB.
    InstallWindowsPackage {
        url: String,
        file: String,
        method: String,
    },
    /// Add folders to the machine PATH.
    AddToPath { dirs: Vec<String> },
    /// Require a running service this install builds on (Docker Desktop for
    /// Linux containers on Windows).
    RequireService { name: String, why: String },
    /// Give services a proxy with systemd drop-ins. `proxy` is shown without
    /// credentials; the files are written from the real value at apply time.
    ServiceProxy {
        proxy: String,
        drop_ins: Vec<String>,
    },
}

/// With `--proxy`, the systemd drop-ins that give the engine and the daemon
/// the proxy (credentials redacted in what is shown).
fn proxy_step(options: &PlanOptions, generation: &Generation) -> Option<Step> {
    let proxy = options.proxy.as_ref()?;
    let shown = crate::facts::linux::redact_url_credentials(proxy);
    Some(Step::new(
        format!(
            "give the docker and {} services the proxy {shown} (systemd drop-ins); the Edge agent gets it in the config",
            generation.daemon_package
        ),
        Action::ServiceProxy {
            proxy: shown,
            drop_ins: vec![
                proxy_drop_in("docker"),
                proxy_drop_in(&generation.daemon_package),
            ],
        },
    ))
}

/// The systemd drop-in that gives a service a proxy.
pub fn proxy_drop_in(service: &str) -> String {
    format!("/etc/systemd/system/{service}.service.d/http-proxy.conf")
}

/// The Windows-specific values of config.yaml (facts §4.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowsConfig {
    pub connect_management_uri: String,
    pub connect_workload_uri: String,
    pub listen_management_uri: String,
    pub listen_workload_uri: String,
    pub homedir: String,
    pub moby_runtime_uri: String,
    pub network: String,
    /// The machine-wide `IOTEDGE_HOST` the `iotedge` CLI uses.
    pub iotedge_host: String,
}

impl WindowsConfig {
    /// Windows containers, the production setup: sockets in folders under
    /// `C:\ProgramData\iotedge`, the IoT Edge Moby engine's pipe, `nat`.
    pub fn windows_containers() -> WindowsConfig {
        let mgmt = "unix:///C:/ProgramData/iotedge/mgmt/sock".to_string();
        let workload = "unix:///C:/ProgramData/iotedge/workload/sock".to_string();
        WindowsConfig {
            connect_management_uri: mgmt.clone(),
            connect_workload_uri: workload.clone(),
            listen_management_uri: mgmt.clone(),
            listen_workload_uri: workload,
            homedir: r"C:\ProgramData\iotedge".into(),
            moby_runtime_uri: "npipe://./pipe/iotedge_moby_engine".into(),
            network: "nat".into(),
            iotedge_host: mgmt,
        }
    }

    /// Linux containers on Windows (development and testing only): TCP
    /// endpoints, Docker Desktop's pipe, the `azure-iot-edge` network.
    pub fn linux_containers() -> WindowsConfig {
        WindowsConfig {
            connect_management_uri: "http://host.docker.internal:15580".into(),
            connect_workload_uri: "http://host.docker.internal:15581".into(),
            listen_management_uri: "http://127.0.0.1:15580".into(),
            listen_workload_uri: "http://127.0.0.1:15581".into(),
            homedir: r"C:\ProgramData\iotedge".into(),
            moby_runtime_uri: "npipe://./pipe/docker_engine".into(),
            network: "azure-iot-edge".into(),
            iotedge_host: "http://127.0.0.1:15580".into(),
        }
    }
}

/// A step: what it does for people (`summary`) and as data.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub summary: String,
    #[serde(flatten)]
    pub action: Action,
    /// Why the step will be skipped, when it will.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip: Option<String>,
}

impl Step {
    fn new(summary: impl Into<String>, action: Action) -> Step {
        Step {
            summary: summary.into(),
            action,
            skip: None,
        }
    }

    /// The step's kind as JSON names it.
    pub fn kind(&self) -> String {
        serde_json::to_value(&self.action)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
            .unwrap_or_default()
    }
}

/// Everything an install would do.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub platform: PlatformSummary,
    /// Set when `--force` planned for the nearest platform: the machine's own ID.
    pub forced_from: Option<String>,
    pub release: String,
    pub versions: Resolution,
    pub steps: Vec<Step>,
    pub warnings: Vec<String>,
}

/// The target of a plan.
pub struct Target<'a, 'c> {
    pub platform: &'a Platform<'c>,
    /// The machine's facts when planning for this machine; `None` with `--platform`.
    pub facts: Option<&'a Facts>,
    /// The machine's own platform ID when `--force` replaced it.
    pub forced_from: Option<String>,
    /// Whether `--force` was given (image-built systems then install the
    /// release assets when they have dpkg or rpm).
    pub force: bool,
}

/// Plans an install.
pub fn plan(
    catalog: &Catalog,
    target: &Target<'_, '_>,
    resolution: &Resolution,
    options: &PlanOptions,
) -> Result<Plan> {
    let platform = target.platform;
    let generation = catalog
        .generations
        .get(&resolution.generation)
        .ok_or_else(|| Error::Failed {
            context: "planning".into(),
            detail: format!("unknown generation {}", resolution.generation),
        })?;
    let mut warnings = Vec::new();
    if let Some(from) = &target.forced_from {
        warnings.push(format!(
            "--force: planning for {} ({}) although this machine is {from}; this is not a supported combination",
            platform.id, platform.os.name
        ));
    }
    match platform.tier {
        crate::catalog::Tier::Preview => warnings.push(format!(
            "{} is in public preview: fine for evaluation, not yet generally available",
            platform.id
        )),
        crate::catalog::Tier::Tier2 => warnings.push(format!(
            "{} is Tier 2: compatible, but not tested by Microsoft",
            platform.id
        )),
        _ => {}
    }
    if options.linux_containers {
        if platform.os.family != Family::Windows {
            return Err(Error::usage(
                "--linux-containers is for Windows devices",
                "drop it: Linux devices always run Linux containers",
            ));
        }
        warnings.push(format!(
            "Linux containers on Windows are for {} only, never for production: production Windows devices run Windows containers",
            catalog.windows.linux_containers
        ));
    }
    if let Some(OsFacts::Windows(w)) = target.facts.map(|f| &f.os) {
        if w.battery == Some(true) && !options.linux_containers {
            warnings.push("this device has a battery: sleep and hibernation break process-isolated Windows containers, so keep it from sleeping".into());
        }
        if w.existing.iotedge {
            warnings.push("IoT Edge is installed: the plan updates it in place and keeps its config (as Update-IoTEdge does)".into());
        } else if w.existing.moby {
            warnings.push("a Moby engine from an earlier IoT Edge install is present: the IoT Edge package replaces it".into());
        }
    }
    let mut steps = match platform.os.family {
        Family::Apt | Family::Rpm => {
            let engine_choice = check_engine(target.facts, options.engine, &mut warnings)?;
            let source = catalog.source(platform.os, platform.arch).ok_or_else(|| {
                Error::unsupported(format!("{} has no package source", platform.id), "")
            })?;
            linux_steps(
                catalog,
                platform,
                source,
                generation,
                resolution,
                options,
                engine_choice,
            )?
        }
        Family::Windows => {
            check_engine(target.facts, options.engine, &mut warnings)?;
            windows_steps(catalog, target, generation, resolution, options)?
        }
        Family::Image => image_steps(
            catalog,
            target,
            generation,
            resolution,
            options,
            &mut warnings,
        )?,
    };
    if let Some(facts) = target.facts {
        if facts.service_manager == ServiceManager::None {
            for step in &mut steps {
                if matches!(step.action, Action::Service { .. }) {
                    step.skip = Some(
                        "no service manager is running here (container, chroot or image build): the service is configured but not started".into(),
                    );
                }
            }
        }
        if let Some(installed) = &facts.iotedge
            && !crate::debversion::is_build_of(
                &installed.daemon.version,
                &resolution.daemon.to_string(),
            )
        {
            let direction = if crate::debversion::compare(
                &installed.daemon.version,
                &resolution.daemon.to_string(),
            )
            .is_lt()
            {
                "up"
            } else {
                "down"
            };
            warnings.push(format!(
                "{} {} is installed: the plan moves it {direction} to {}",
                installed.daemon.name, installed.daemon.version, resolution.daemon
            ));
        }
    }
    Ok(Plan {
        platform: PlatformSummary::of(platform),
        forced_from: target.forced_from.clone(),
        release: resolution.release.to_string(),
        versions: resolution.clone(),
        steps,
        warnings,
    })
}

/// Refuses to put moby-engine over Docker, and `--engine existing` without an engine.
fn check_engine(
    facts: Option<&Facts>,
    choice: EngineChoice,
    warnings: &mut Vec<String>,
) -> Result<EngineChoice> {
    let installed = facts.and_then(|f| f.engine.as_ref());
    match (choice, installed) {
        (EngineChoice::Moby, Some(e)) if e.name != "moby-engine" => Err(Error::usage(
            format!(
                "{} {} is installed; installing moby-engine next to it would collide (both ship containerd and dockerd, Azure/iotedge#2539)",
                e.name, e.version
            ),
            format!(
                "pass --engine existing to keep {} (Microsoft gives Docker CE/EE best-effort support only), or remove {} and run again to get moby-engine, which Microsoft recommends for production",
                e.name, e.name
            ),
        )),
        (EngineChoice::Existing, None) if facts.is_some() => Err(Error::usage(
            "--engine existing was given, but no container engine is installed",
            "drop --engine existing to install moby-engine",
        )),
        (EngineChoice::Existing, installed) => {
            let what = installed
                .map(|e| format!("{} {}", e.name, e.version))
                .unwrap_or_else(|| "the device's own container engine".into());
            warnings.push(format!(
                "keeping {what}: Docker CE/EE get best-effort support only; moby-engine is recommended for production"
            ));
            Ok(EngineChoice::Existing)
        }
        _ => Ok(choice),
    }
}

fn linux_steps(
    catalog: &Catalog,
    platform: &Platform<'_>,
    source: &Source,
    generation: &Generation,
    resolution: &Resolution,
    options: &PlanOptions,
    engine: EngineChoice,
) -> Result<Vec<Step>> {
    let family = platform.os.family;
    let tool = if family == Family::Apt {
        PackageTool::Apt
    } else {
        PackageTool::Yum
    };
    let dpkg_options: Vec<String> = if family == Family::Apt {
        DPKG_OPTIONS.iter().map(|s| s.to_string()).collect()
    } else {
        Vec::new()
    };
    let mirror = options.mirror.trim_end_matches('/');
    let mut steps = Vec::new();
    let needs_repository = engine == EngineChoice::Moby || source.iotedge == Origin::Repository;
    if let (true, Some(repo)) = (needs_repository, &source.repository) {
        let repo_url = format!("{mirror}/{}", repo.path);
        let step = if family == Family::Apt {
            let (key_file, options_field) = if platform.os.apt_signed_by {
                let key = "/usr/share/keyrings/microsoft-prod.gpg";
                (key, format!("[arch={} signed-by={key}]", platform.arch))
            } else {
                // apt < 1.1 has no signed-by: the key goes to the global trust directory.
                (
                    "/etc/apt/trusted.gpg.d/microsoft-prod.gpg",
                    format!("[arch={}]", platform.arch),
                )
            };
            Step::new(
                format!(
                    "add the Microsoft apt repository {repo_url} ({} {}) trusting the key from {}",
                    repo.suite, repo.component, options.repo_key
                ),
                Action::AddRepository {
                    manager: PackageTool::Apt,
                    file: "/etc/apt/sources.list.d/microsoft-prod.list".into(),
                    content: format!(
                        "deb {options_field} {repo_url} {} {}\n",
                        repo.suite, repo.component
                    ),
                    key_url: options.repo_key.clone(),
                    key_file: key_file.into(),
                },
            )
        } else {
            // gpgcheck: rpm checks each package's signature against the key
            // imported into its keyring; repo_gpgcheck: yum/dnf check
            // repodata/repomd.xml.asc, which Microsoft's yum repositories
            // carry (microsoft/linux-package-repositories repoaudit/yum.py
            // verifies it).
            let key_file = "/etc/pki/rpm-gpg/microsoft-prod.asc";
            Step::new(
                format!(
                    "add the Microsoft yum repository {repo_url}/ (packages and metadata signed) trusting the key from {}, imported into rpm",
                    options.repo_key
                ),
                Action::AddRepository {
                    manager: PackageTool::Yum,
                    file: "/etc/yum.repos.d/microsoft-prod.repo".into(),
                    content: format!(
                        "[{}]\nname=Microsoft packages for IoT Edge\nbaseurl={repo_url}/\nenabled=1\ngpgcheck=1\nrepo_gpgcheck=1\ngpgkey=file://{key_file}\n",
                        crate::backend::rpm::REPOSITORY_ID
                    ),
                    key_url: options.repo_key.clone(),
                    key_file: key_file.into(),
                },
            )
        };
        steps.push(step);
    }
    if engine == EngineChoice::Moby {
        let moby = resolution.moby.version.to_string();
        let why = if resolution.moby.exception {
            format!(
                " (the {} exception for this platform)",
                resolution.moby.from_release
            )
        } else if resolution.moby.from_release != resolution.release {
            format!(
                " ({} ships no new engine; {} is the newest, from {})",
                resolution.release, moby, resolution.moby.from_release
            )
        } else {
            String::new()
        };
        let script = if family == Family::Apt {
            "preinst"
        } else {
            "%pre scriptlet"
        };
        steps.push(Step::new(
            format!(
                "install moby-engine {moby} and moby-cli {moby}{why} in their own transaction, before IoT Edge: its {script} needs the docker group the engine creates"
            ),
            Action::InstallPackages {
                manager: tool,
                transaction: "engine".into(),
                packages: ["moby-engine", "moby-cli"]
                    .iter()
                    .map(|n| PackagePin {
                        name: n.to_string(),
                        version: Some(moby.clone()),
                        file: None,
                        url: None,
                    })
                    .collect(),
                dpkg_options: dpkg_options.clone(),
            },
        ));
    }
    steps.extend(proxy_step(options, generation));
    for fixup_id in &platform.os.fixups {
        let fixup = &catalog.fixups[fixup_id];
        let fallback_url = options.debian_archive.as_ref().map(|base| {
            format!(
                "{}/{}",
                base.trim_end_matches('/'),
                fixup
                    .archive_file
                    .replace("{arch}", platform.arch.debian_name())
            )
        });
        steps.push(Step::new(
            match &fallback_url {
                Some(url) => format!(
                    "{}; from {url} when the distribution has none",
                    fixup.summary
                ),
                None => fixup.summary.clone(),
            },
            Action::Fixup {
                fixup: fixup_id.clone(),
                packages: vec![PackagePin {
                    name: fixup.package.clone(),
                    version: None,
                    file: None,
                    url: fallback_url.clone(),
                }],
                fallback_url,
            },
        ));
    }
    let daemon = resolution.daemon.to_string();
    let hsm = resolution.hsm.to_string();
    let packages = match source.iotedge {
        Origin::Repository => vec![
            PackagePin {
                name: generation.hsm_package.clone(),
                version: Some(hsm.clone()),
                file: None,
                url: None,
            },
            PackagePin {
                name: generation.daemon_package.clone(),
                version: Some(daemon.clone()),
                file: None,
                url: None,
            },
        ],
        _ => asset_packages(catalog, platform, source, generation, resolution, options)?,
    };
    let from = if source.iotedge == Origin::Repository {
        "from the repository".to_string()
    } else {
        format!("from the {} release assets", resolution.daemon)
    };
    steps.push(Step::new(
        format!(
            "install {} {hsm} and {} {daemon} {from}, pinned together",
            generation.hsm_package, generation.daemon_package
        ),
        Action::InstallPackages {
            manager: tool,
            transaction: "iotedge".into(),
            packages,
            dpkg_options,
        },
    ));
    steps.extend(daemon_steps(generation, resolution));
    Ok(steps)
}

/// The Linux steps after the packages: the config, the daemon's restart
/// and verification.
fn daemon_steps(generation: &Generation, resolution: &Resolution) -> Vec<Step> {
    let agent_image = format!("{}:{}", generation.agent_image, resolution.agent);
    vec![
        Step::new(
            format!(
                "write {} with the agent image {agent_image}; no provisioning given, so the daemon stays unconfigured until a connection string or DPS settings are written",
                generation.config_path
            ),
            Action::WriteConfig {
                path: generation.config_path.clone(),
                agent_image,
                provisioning: "none".into(),
                windows: None,
            },
        ),
        Step::new(
            format!(
                "restart the {} service and wait for it",
                generation.daemon_package
            ),
            Action::Service {
                name: generation.daemon_package.clone(),
                action: "restart".into(),
            },
        ),
        verify_step(),
    ]
}

/// Image-built systems (Yocto, Wind River, Mentor Embedded Linux) get IoT
/// Edge at build time. With `--force`, on an image that has dpkg or rpm,
/// the release assets of the closest packaged OS are installed with that
/// tool alone, their declared dependencies unchecked, next to the image's
/// own container engine; said loudly.
fn image_steps(
    catalog: &Catalog,
    target: &Target<'_, '_>,
    generation: &Generation,
    resolution: &Resolution,
    options: &PlanOptions,
    warnings: &mut Vec<String>,
) -> Result<Vec<Step>> {
    let platform = target.platform;
    let route = platform.os.build_time_route.clone().unwrap_or_default();
    let build_time = format!(
        "{} ({}) gets IoT Edge at build time, not from a package manager at run time",
        platform.os.name, platform.id
    );
    if !target.force {
        return Err(Error::unsupported(
            build_time,
            format!(
                "{route}. On an image that has dpkg or rpm, `edgeup install --force` installs the release assets instead, at your own risk"
            ),
        ));
    }
    let Some(facts) = target.facts else {
        return Err(Error::unsupported(build_time, route));
    };
    let Some(package_manager) = facts.package_manager else {
        return Err(Error::unsupported(
            format!(
                "{build_time}, and this image has neither dpkg nor rpm, so even --force cannot install packages"
            ),
            route,
        ));
    };
    let Some(engine) = &facts.engine else {
        return Err(Error::unsupported(
            format!(
                "{build_time}, and this image has no container engine: the IoT Edge package refuses to install without one (no docker group), and edgeup installs no engine on an image"
            ),
            format!(
                "build an engine into the image (the docker or moby recipe of meta-virtualization) and run `edgeup install --force` again; or, better: {route}"
            ),
        ));
    };
    let forced = platform
        .os
        .forced_assets
        .as_ref()
        .expect("the catalog check guarantees forced_assets for image OSes");
    let (key, tool, tool_name, format) = match package_manager {
        crate::facts::PackageManager::Dpkg => (&forced.dpkg, PackageTool::Dpkg, "dpkg", ".deb"),
        crate::facts::PackageManager::Rpm => (&forced.rpm, PackageTool::Rpm, "rpm", ".rpm"),
    };
    let os = catalog
        .os(key)
        .expect("the catalog check guarantees the forced_assets OS");
    let closest = Platform {
        id: Catalog::platform_id(os, platform.arch),
        os,
        arch: platform.arch,
        tier: catalog.tier(os, platform.arch),
    };
    let source = catalog
        .source(os, platform.arch)
        .expect("the catalog check guarantees its assets");
    let packages = asset_packages(catalog, &closest, source, generation, resolution, options)?;
    warnings.push(format!(
        "--force: {build_time} ({route}). Installing instead the {} {format} release assets built for {} with {tool_name} alone, the closest naming scheme to this image ({}); the dependencies they declare for {} are not checked, so the image must provide what they need (the libraries they link, useradd/groupadd). The image's {} {} stays the container engine. Microsoft does not support this",
        resolution.daemon, os.name, forced.why, os.name, engine.name, engine.version
    ));
    let daemon = resolution.daemon.to_string();
    let hsm = resolution.hsm.to_string();
    let mut steps = vec![Step::new(
        format!(
            "install {} {hsm} and {} {daemon} from the {} release assets for {} with {tool_name} (dependencies not checked), pinned together",
            generation.hsm_package, generation.daemon_package, resolution.daemon, os.name
        ),
        Action::InstallPackages {
            manager: tool,
            transaction: "iotedge".into(),
            packages,
            dpkg_options: if tool == PackageTool::Dpkg {
                DPKG_OPTIONS.iter().map(|s| s.to_string()).collect()
            } else {
                Vec::new()
            },
        },
    )];
    steps.extend(proxy_step(options, generation));
    steps.extend(daemon_steps(generation, resolution));
    Ok(steps)
}

fn verify_step() -> Step {
    Step::new(
        "verify: installed versions, engine and daemon state, `iotedge check`",
        Action::Verify,
    )
}

/// The release-asset packages of a platform, in install order (HSM first).
fn asset_packages(
    catalog: &Catalog,
    platform: &Platform<'_>,
    source: &Source,
    generation: &Generation,
    resolution: &Resolution,
    options: &PlanOptions,
) -> Result<Vec<PackagePin>> {
    let assets = catalog
        .release_assets(&resolution.release)
        .expect("the catalog check guarantees every release has an asset entry");
    let scheme = &catalog.asset_schemes[&assets.scheme];
    let arch = platform.arch;
    let rpm_arch = catalog.arch_info(arch).rpm.clone();
    let daemon = resolution.daemon.to_string();
    let os_tag = source.asset_os.clone().unwrap_or_default();
    let templates = match platform.os.family {
        Family::Rpm => match (&scheme.rpm_hsm, &scheme.rpm_daemon) {
            (Some(h), Some(d)) => (h.clone(), d.clone()),
            _ => {
                return Err(Error::unsupported(
                    format!(
                        "IoT Edge {} published no el7 RPMs for {}",
                        resolution.release, platform.os.name
                    ),
                    first_release_with(catalog, |_, _, scheme| scheme.rpm_daemon.is_some()),
                ));
            }
        },
        _ => {
            let per_os_missing = scheme.deb_daemon.contains("{os}")
                && source
                    .asset_os_arches
                    .as_ref()
                    .is_some_and(|a| !a.contains(&arch));
            if per_os_missing {
                return Err(Error::unsupported(
                    format!(
                        "IoT Edge {} has no {} packages for {} (that build was never made)",
                        resolution.release, arch, platform.os.name
                    ),
                    "pick another architecture's device, or a release whose packages cover it",
                ));
            }
            let hsm = match &scheme.deb_hsm_debian {
                Some(t) if os_tag.starts_with("debian") => t.clone(),
                _ => scheme.deb_hsm.clone(),
            };
            (hsm, scheme.deb_daemon.clone())
        }
    };
    let fill = |template: &str| {
        template
            .replace("{version}", &daemon)
            .replace("{revision}", &assets.revision)
            .replace("{os}", &os_tag)
            .replace("{arch}", arch_name(arch))
            .replace("{rpm_arch}", &rpm_arch)
    };
    let base = options.assets_url.trim_end_matches('/');
    let pin = |name: &str, template: &str| {
        let file = fill(template);
        PackagePin {
            name: name.to_string(),
            version: Some(daemon.clone()),
            url: Some(format!("{base}/{daemon}/{file}")),
            file: Some(file),
        }
    };
    Ok(vec![
        pin(&generation.hsm_package, &templates.0),
        pin(&generation.daemon_package, &templates.1),
    ])
}

fn arch_name(arch: Arch) -> &'static str {
    arch.debian_name()
}

/// The oldest release whose assets pass `has`, as a hint ("use --version X or newer").
fn first_release_with(
    catalog: &Catalog,
    has: impl Fn(
        &crate::version::Version,
        &crate::catalog::ReleaseAssets,
        &crate::catalog::AssetScheme,
    ) -> bool,
) -> String {
    catalog
        .releases
        .iter()
        .rev()
        .find(|r| {
            catalog
                .release_assets(&r.version)
                .is_some_and(|a| has(&r.version, a, &catalog.asset_schemes[&a.scheme]))
        })
        .map(|r| format!("use --version {} or newer", r.version))
        .unwrap_or_default()
}

fn windows_steps(
    catalog: &Catalog,
    target: &Target<'_, '_>,
    generation: &Generation,
    resolution: &Resolution,
    options: &PlanOptions,
) -> Result<Vec<Step>> {
    let assets = catalog
        .release_assets(&resolution.release)
        .expect("the catalog check guarantees every release has an asset entry");
    if assets.no_windows_cab.contains(&resolution.release) {
        return Err(Error::unsupported(
            format!(
                "IoT Edge {} shipped Windows zips, not the CAB package edgeup installs",
                resolution.release
            ),
            first_release_with(catalog, |v, assets, _| !assets.no_windows_cab.contains(v)),
        ));
    }
    let cab = &catalog.asset_schemes[&assets.scheme].windows_cab;
    let windows = target.facts.and_then(|f| match &f.os {
        OsFacts::Windows(w) => Some(w),
        OsFacts::Linux(_) => None,
    });
    let iot_core = target.platform.os.key == "windows-10-iot-core";
    let linux = options.linux_containers;
    if let Some(w) = windows
        && w.existing.legacy_layout
    {
        return Err(Error::usage(
            "an IoT Edge of 1.0.6 or older is installed (its files are under C:\\ProgramData\\iotedge-moby-data or iotedge-eventlog); the CAB cannot install over it",
            "remove it first with the script it came with (Uninstall-SecurityDaemon -DeleteConfig -DeleteMobyDataRoot), then run edgeup again",
        ));
    }
    if linux && iot_core {
        return Err(Error::usage(
            "Linux containers on Windows need Docker Desktop, which IoT Core cannot run",
            "drop --linux-containers: IoT Core runs Windows containers",
        ));
    }
    let mut steps = Vec::new();
    if linux {
        steps.push(Step::new(
            "check that Docker Desktop runs (Linux containers on Windows use its engine)",
            Action::RequireService {
                name: "com.docker.service".into(),
                why:
                    "Linux containers on Windows run in Docker Desktop: install and start it first"
                        .into(),
            },
        ));
    }
    let mut feature = Step::new(
        "enable the Windows Containers feature (a reboot may be needed; run the same command again after it)",
        Action::EnableWindowsFeature {
            feature: "Containers".into(),
        },
    );
    if iot_core {
        feature.skip = Some("IoT Core images carry the containers package".into());
    } else if windows.is_some_and(|w| w.containers_feature == FeatureState::Enabled) {
        feature.skip = Some("the Containers feature is already enabled".into());
    }
    if !linux {
        steps.push(feature);
    }
    let mut vc = Step::new(
        "install the Visual C++ runtime if vcruntime140.dll is missing",
        Action::InstallVcRuntime {
            url: VC_RUNTIME_URL.into(),
            only_if_missing: r"C:\Windows\System32\vcruntime140.dll".into(),
        },
    );
    if iot_core {
        vc.skip = Some("IoT Core carries the runtime".into());
    }
    steps.push(vc);
    let daemon = resolution.daemon.to_string();
    let url = format!(
        "{}/{daemon}/{cab}",
        options.assets_url.trim_end_matches('/')
    );
    let method = if iot_core {
        "ApplyUpdate"
    } else {
        "Add-WindowsPackage"
    };
    steps.push(Step::new(
        format!(
            "install IoT Edge {daemon} (with its bundled Moby engine) from {url} with {method}"
        ),
        Action::InstallWindowsPackage {
            url,
            file: cab.clone(),
            method: method.into(),
        },
    ));
    steps.push(Step::new(
        r"add C:\Program Files\iotedge and C:\Program Files\iotedge-moby to the machine PATH",
        Action::AddToPath {
            dirs: vec![
                r"C:\Program Files\iotedge".into(),
                r"C:\Program Files\iotedge-moby".into(),
            ],
        },
    ));
    let agent_image = format!("{}:{}", generation.agent_image, resolution.agent);
    let (mode, config, services): (&str, WindowsConfig, &[&str]) = if linux {
        (
            "Linux containers in Docker Desktop (development and testing only; TCP ports 15580-15581, firewall rule)",
            WindowsConfig::linux_containers(),
            &["iotedge"],
        )
    } else {
        (
            "Windows containers (process isolation, nat network)",
            WindowsConfig::windows_containers(),
            &["iotedge-moby", "iotedge"],
        )
    };
    steps.push(Step::new(
        format!(
            "write {} for {mode} with the agent image {agent_image}",
            generation.windows_config_path
        ),
        Action::WriteConfig {
            path: generation.windows_config_path.clone(),
            agent_image,
            provisioning: "none".into(),
            windows: Some(config),
        },
    ));
    for &service in services {
        steps.push(Step::new(
            format!("start the {service} service and wait for it"),
            Action::Service {
                name: service.into(),
                action: "start".into(),
            },
        ));
    }
    steps.push(verify_step());
    Ok(steps)
}

/// Plans for another device by platform ID (`edgeup plan --platform ID`):
/// no facts, so no service skips and no engine checks.
pub fn plan_for_platform(
    catalog: &Catalog,
    id: &str,
    request: &crate::resolve::VersionRequest,
    options: &PlanOptions,
) -> Result<Plan> {
    let platform = crate::resolve::platform_by_id(catalog, id)?;
    let resolution = crate::resolve::resolve_version(catalog, request, &platform)?;
    plan(
        catalog,
        &Target {
            platform: &platform,
            facts: None,
            forced_from: None,
            force: false,
        },
        &resolution,
        options,
    )
}
