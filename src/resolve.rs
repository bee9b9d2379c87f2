//! resolve: facts → a platform of the support table (or the reason it is not
//! one, and the nearest that is), and a requested version → the concrete
//! version of every component.

use serde::Serialize;

use crate::catalog::{Arch, Catalog, Family, OsInfo, Platform, Release, Tier};
use crate::error::{Error, Result};
use crate::facts::{Facts, OsFacts, OsRelease, WindowsFacts};
use crate::version::Version;

/// The support verdict for a machine.
#[derive(Debug, Clone)]
pub struct Verdict<'c> {
    /// The machine's platform ID, also when it is not a supported one
    /// (`debian-12-amd64`).
    pub id: String,
    pub tier: Tier,
    /// The platform of the table, when supported.
    pub platform: Option<Platform<'c>>,
    /// The OS and arch as read, for people.
    pub described: String,
    /// Why it is not supported (empty when supported).
    pub reasons: Vec<String>,
    /// The nearest supported platform, when it is not supported.
    pub nearest: Option<Platform<'c>>,
}

/// A platform as JSON shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformSummary {
    pub id: String,
    pub tier: &'static str,
    pub name: String,
    pub arch: String,
    pub family: String,
}

impl PlatformSummary {
    /// The summary of a table platform.
    pub fn of(platform: &Platform<'_>) -> PlatformSummary {
        PlatformSummary {
            id: platform.id.clone(),
            tier: platform.tier.as_str(),
            name: platform.os.name.clone(),
            arch: platform.arch.to_string(),
            family: platform.os.family.to_string(),
        }
    }
}

/// The verdict as JSON shows it.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictSummary {
    pub id: String,
    pub tier: &'static str,
    pub tier_description: &'static str,
    pub detected: String,
    pub name: Option<String>,
    pub family: Option<String>,
    pub reasons: Vec<String>,
    pub nearest: Option<PlatformSummary>,
}

impl<'c> Verdict<'c> {
    /// An unsupported machine's verdict.
    fn unsupported(
        id: String,
        described: String,
        reasons: Vec<String>,
        nearest: Option<Platform<'c>>,
    ) -> Verdict<'c> {
        Verdict {
            id,
            tier: Tier::Unsupported,
            platform: None,
            described,
            reasons,
            nearest,
        }
    }

    /// The JSON form.
    pub fn summary(&self) -> VerdictSummary {
        VerdictSummary {
            id: self.id.clone(),
            tier: self.tier.as_str(),
            tier_description: self.tier.describe(),
            detected: self.described.clone(),
            name: self.platform.as_ref().map(|p| p.os.name.clone()),
            family: self.platform.as_ref().map(|p| p.os.family.to_string()),
            reasons: self.reasons.clone(),
            nearest: self.nearest.as_ref().map(PlatformSummary::of),
        }
    }

    /// The platform to plan for: the machine's own, or with `force` the
    /// nearest supported one. Errors say why and what to do.
    pub fn plannable(&self, force: bool) -> Result<(Platform<'_>, bool)> {
        if let Some(p) = &self.platform {
            return Ok((p.clone(), false));
        }
        let reason = self.reasons.join("; ");
        match (&self.nearest, force) {
            (Some(nearest), true) => Ok((nearest.clone(), true)),
            (Some(nearest), false) => Err(Error::unsupported(
                format!(
                    "{} is not a supported platform ({}): {reason}",
                    self.described, self.id
                ),
                format!(
                    "the nearest supported platform is {} ({}, {}); pass --force to install as that platform at your own risk",
                    nearest.id,
                    nearest.os.name,
                    nearest.tier.describe()
                ),
            )),
            (None, _) => Err(Error::unsupported(
                format!(
                    "{} is not a supported platform ({}): {reason}",
                    self.described, self.id
                ),
                "no supported platform is near enough to force; run `edgeup releases` for the support table",
            )),
        }
    }
}

/// The verdict for the facts of a machine.
pub fn verdict<'c>(catalog: &'c Catalog, facts: &Facts) -> Verdict<'c> {
    verdict_for(catalog, facts, false)
}

/// The verdict, for Windows with Linux containers (development only) when
/// asked: then any build from 14393 on passes instead of 17763 only.
pub fn verdict_for<'c>(catalog: &'c Catalog, facts: &Facts, linux_containers: bool) -> Verdict<'c> {
    match &facts.os {
        OsFacts::Linux(os) => linux_verdict(catalog, os, facts),
        OsFacts::Windows(w) => {
            windows_verdict(catalog, w, facts.arch.userland.as_deref(), linux_containers)
        }
    }
}

fn linux_verdict<'c>(catalog: &'c Catalog, os: &OsRelease, facts: &Facts) -> Verdict<'c> {
    let arch_name = facts
        .arch
        .userland
        .clone()
        .unwrap_or_else(|| "unknown".into());
    let arch = Arch::from_debian_name(&arch_name);
    let id = if os.version_id.is_empty() {
        format!("{}-{arch_name}", os.id)
    } else {
        format!("{}-{}-{arch_name}", os.id, os.version_id)
    };
    let described = format!("{} on {arch_name}", os.pretty_name);
    let mut reasons = Vec::new();
    let armv6 = facts
        .arch
        .kernel
        .as_deref()
        .is_some_and(|k| k.starts_with("armv6"));
    if armv6 {
        reasons.push(
            "the CPU is ARMv6 (Raspberry Pi 1 or Zero): IoT Edge and Moby need ARMv7 or newer (Azure/iotedge#1405)".to_string(),
        );
    }
    let known_os = catalog.oses.iter().find(|o| {
        o.family != Family::Windows
            && o.has_id(&os.id)
            && o.matches_version(&os.version_id)
            && o.name_contains
                .as_ref()
                .is_none_or(|n| os.name.contains(n.as_str()))
    });
    let Some(arch) = arch else {
        reasons.push(format!(
            "the {arch_name} architecture is not supported: IoT Edge runs on amd64, armhf (ARM32v7) and arm64"
        ));
        return Verdict::unsupported(id, described, reasons, None);
    };
    if let Some(known) = known_os {
        let tier = catalog.tier(known, arch);
        let id = Catalog::platform_id(known, arch);
        if tier != Tier::Unsupported && !armv6 {
            return Verdict {
                platform: Some(Platform {
                    id: id.clone(),
                    os: known,
                    arch,
                    tier,
                }),
                id,
                tier,
                described,
                reasons,
                nearest: None,
            };
        }
        if tier == Tier::Unsupported {
            reasons.push(format!(
                "the support table has no {arch} cell for {}",
                known.name
            ));
        }
        let nearest = if armv6 {
            None
        } else {
            nearest_by_id(catalog, &[known.id.as_str()], arch, os)
        };
        return Verdict::unsupported(id, described, reasons, nearest);
    }
    let id_known = catalog.oses.iter().any(|o| o.has_id(&os.id));
    let mut candidates: Vec<&str> = vec![os.id.as_str()];
    if id_known {
        let version = if os.version_id.is_empty() {
            "with no VERSION_ID"
        } else {
            os.version_id.as_str()
        };
        reasons.push(format!(
            "{} {version} is not in the support table",
            display_name(catalog, &os.id)
        ));
    } else {
        reasons.push(format!(
            "'{}' ({}) is not in the support table",
            os.id, os.pretty_name
        ));
        candidates.extend(os.id_like.iter().map(String::as_str));
    }
    let nearest = if armv6 {
        None
    } else {
        nearest_by_id(catalog, &candidates, arch, os)
    };
    Verdict::unsupported(id, described, reasons, nearest)
}

/// "Debian", "Ubuntu": the OS name without its version, for messages.
fn display_name(catalog: &Catalog, id: &str) -> String {
    catalog
        .oses
        .iter()
        .find(|o| o.id == id)
        .map(|o| match &o.version {
            Some(v) => o.name.trim_end_matches(v.as_str()).trim().to_string(),
            None => o.name.clone(),
        })
        .unwrap_or_else(|| id.to_string())
}

/// The supported platform of one of `ids` (in order of preference) on `arch`
/// whose codename matches, else whose version is numerically closest (ties go
/// to the newer).
fn nearest_by_id<'c>(
    catalog: &'c Catalog,
    ids: &[&str],
    arch: Arch,
    os: &OsRelease,
) -> Option<Platform<'c>> {
    let platforms = catalog.platforms();
    for id in ids {
        let same: Vec<&Platform<'c>> = platforms
            .iter()
            .filter(|p| p.arch == arch && p.os.has_id(id) && p.os.family != Family::Image)
            .collect();
        if same.is_empty() {
            continue;
        }
        // A derivative names its base in UBUNTU_CODENAME / DEBIAN_CODENAME.
        for codename in os.codename.iter().chain(&os.upstream_codenames) {
            if let Some(p) = same
                .iter()
                .find(|p| p.os.codename.as_ref() == Some(codename))
            {
                return Some((*p).clone());
            }
        }
        let wanted = numeric_version(&os.version_id);
        let best = same.iter().min_by(|a, b| {
            let da = distance(wanted, a.os);
            let db = distance(wanted, b.os);
            da.total_cmp(&db).then_with(|| {
                numeric_version(b.os.version.as_deref().unwrap_or(""))
                    .total_cmp(&numeric_version(a.os.version.as_deref().unwrap_or("")))
            })
        });
        if let Some(p) = best {
            return Some((*p).clone());
        }
    }
    None
}

fn numeric_version(v: &str) -> f64 {
    let mut parts = v.split('.');
    let major = parts
        .next()
        .and_then(|p| p.parse::<f64>().ok())
        .unwrap_or(0.0);
    let minor = parts
        .next()
        .and_then(|p| p.parse::<f64>().ok())
        .unwrap_or(0.0);
    major + minor / 100.0
}

fn distance(wanted: f64, os: &OsInfo) -> f64 {
    (numeric_version(os.version.as_deref().unwrap_or("")) - wanted).abs()
}

/// The oldest Windows build that runs Linux containers (Windows 10 1607, facts §4.2).
pub const LINUX_CONTAINERS_MIN_BUILD: u32 = 14393;

fn windows_verdict<'c>(
    catalog: &'c Catalog,
    w: &WindowsFacts,
    arch: Option<&str>,
    linux_containers: bool,
) -> Verdict<'c> {
    let arch_name = arch.unwrap_or("unknown").to_string();
    let described = format!("{} (build {}) on {arch_name}", w.product_name, w.build);
    let edition = catalog.oses.iter().find(|o| {
        o.family == Family::Windows
            && (o.windows_edition_ids.is_empty() || o.windows_edition_ids.contains(&w.edition_id))
            && (o.windows_installation_types.is_empty()
                || o.windows_installation_types.contains(&w.installation_type))
            && o.windows_product_contains
                .as_ref()
                .is_none_or(|p| w.product_name.contains(p.as_str()))
    });
    let server = w.installation_type.starts_with("Server");
    let fallback_key = if server {
        "windows-server-2019"
    } else {
        "windows-10-iot-enterprise"
    };
    let key = edition.map(|e| e.key.clone()).unwrap_or_else(|| {
        format!(
            "windows-{}",
            w.edition_id.to_ascii_lowercase().replace(' ', "-")
        )
    });
    let mut reasons = Vec::new();
    let supported_build = catalog.windows.build;
    let arch = Arch::from_debian_name(&arch_name).filter(|a| catalog.windows.arches.contains(a));
    if arch.is_none() {
        reasons.push(format!(
            "IoT Edge runs Windows containers on AMD64 only, not on {arch_name}"
        ));
    }
    if w.build != supported_build && !(linux_containers && w.build >= LINUX_CONTAINERS_MIN_BUILD) {
        reasons.push(format!(
            "Windows build {} cannot run IoT Edge's Windows containers: build {supported_build} (Windows 10 1809, Server 2019) is the only supported build",
            w.build
        ));
    }
    if edition.is_none() {
        reasons.push(format!(
            "{} (edition {}) is not one of the supported Windows editions",
            w.product_name, w.edition_id
        ));
    }
    let id = if w.build == supported_build {
        format!("{key}-{arch_name}")
    } else {
        format!("{key}-{}-{arch_name}", w.build)
    };
    if let (Some(os), Some(arch), true) = (edition, arch, reasons.is_empty()) {
        let tier = catalog.tier(os, arch);
        return Verdict {
            id,
            tier,
            platform: Some(Platform {
                id: Catalog::platform_id(os, arch),
                os,
                arch,
                tier,
            }),
            described,
            reasons,
            nearest: None,
        };
    }
    let nearest = arch.and_then(|arch| {
        let os = edition.or_else(|| catalog.os(fallback_key))?;
        Some(Platform {
            id: Catalog::platform_id(os, arch),
            os,
            arch,
            tier: catalog.tier(os, arch),
        })
    });
    Verdict::unsupported(id, described, reasons, nearest)
}

/// Resolves `--platform ID`: a platform of the table, or exit 3 for a known
/// OS on an architecture the table leaves empty, or exit 2 for an unknown ID.
pub fn platform_by_id<'c>(catalog: &'c Catalog, id: &str) -> Result<Platform<'c>> {
    if let Some(p) = catalog.platform(id) {
        return Ok(p);
    }
    for os in &catalog.oses {
        if let Some(arch) = id
            .strip_prefix(os.key.as_str())
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(Arch::from_debian_name)
        {
            let nearest = catalog
                .platforms()
                .into_iter()
                .find(|p| p.os.id == os.id && p.arch == arch && p.os.family != Family::Image);
            return Err(Error::unsupported(
                format!("{} on {arch} ({id}) is not in the support table", os.name),
                match nearest {
                    Some(n) => {
                        format!("the nearest supported platform is {} ({})", n.id, n.os.name)
                    }
                    None => format!(
                        "{} is supported on: {}",
                        os.name,
                        Arch::ALL
                            .iter()
                            .filter(|a| catalog.tier(os, **a) != Tier::Unsupported)
                            .map(|a| Catalog::platform_id(os, *a))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                },
            ));
        }
    }
    Err(Error::bad_input(
        "--platform",
        id,
        "no such platform",
        "run `edgeup releases` for the list of platform IDs (for example ubuntu-18.04-amd64, raspbian-9-armhf, centos-7-arm64)",
    ))
}

/// What version the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionRequest {
    /// The newest release.
    Latest,
    /// A release (`1.0.8`): each component at the newest version the release lists.
    Release(Version),
    /// A patch (`1.0.8.3`): each component at the newest listed version not newer than it.
    Patch(Version),
}

impl VersionRequest {
    /// Parses `latest`, `1.0.8` or `1.0.8.3`; other shapes are bad input.
    pub fn parse(text: &str) -> Result<VersionRequest> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("latest") {
            return Ok(VersionRequest::Latest);
        }
        let fix = "give `latest`, a release like 1.0.8 or a patch like 1.0.8.3 (run `edgeup releases` for the list)";
        let version: Version = text
            .parse()
            .map_err(|e: crate::version::ParseVersionError| {
                Error::bad_input("--version", text, e.0, fix)
            })?;
        match version.parts().len() {
            3 => Ok(VersionRequest::Release(version)),
            4 => Ok(VersionRequest::Patch(version)),
            _ => Err(Error::bad_input(
                "--version",
                text,
                "a version names a release (three parts) or a patch (four parts)",
                fix,
            )),
        }
    }
}

/// Why the engine is at the version it is.
#[derive(Debug, Clone, Serialize)]
pub struct MobyChoice {
    pub version: Version,
    /// The release whose Moby cell gave the version.
    pub from_release: Version,
    /// Set when a per-platform exception of that release applied.
    pub exception: bool,
}

/// The concrete version of every component.
#[derive(Debug, Clone, Serialize)]
pub struct Resolution {
    /// What was asked for (`latest`, `1.0.8`, `1.0.8.3`).
    pub requested: String,
    pub release: Version,
    pub generation: String,
    /// Security daemon (`iotedge`).
    pub daemon: Version,
    /// libiothsm-std: always the daemon's version (the packages are pinned together).
    pub hsm: Version,
    /// Edge agent image tag.
    pub agent: Version,
    /// Edge hub image tag.
    pub hub: Version,
    pub moby: MobyChoice,
    pub client_sdk: String,
}

/// Checks that a requested release or patch is in the table (exit 2 when
/// not), before anything depends on the platform.
pub fn check_known(catalog: &Catalog, request: &VersionRequest) -> Result<()> {
    match request {
        VersionRequest::Latest => Ok(()),
        VersionRequest::Release(v) => find_release(catalog, v).map(|_| ()),
        VersionRequest::Patch(p) => find_patch(catalog, p).map(|_| ()),
    }
}

/// The release of a patch, when the release lists the patch in any component.
fn find_patch<'c>(catalog: &'c Catalog, patch: &Version) -> Result<&'c Release> {
    let release = find_release(catalog, &patch.truncated(3))?;
    let listed = release
        .security_daemon
        .iter()
        .chain(&release.edge_hub_agent)
        .chain(&release.libiothsm)
        .any(|c| c == patch);
    if listed {
        Ok(release)
    } else {
        Err(unknown_version(catalog, &patch.to_string()))
    }
}

/// Resolves a request for a platform.
pub fn resolve_version(
    catalog: &Catalog,
    request: &VersionRequest,
    platform: &Platform<'_>,
) -> Result<Resolution> {
    let (release, ceiling, requested) = match request {
        VersionRequest::Latest => (catalog.latest(), None, "latest".to_string()),
        VersionRequest::Release(v) => (find_release(catalog, v)?, None, v.to_string()),
        VersionRequest::Patch(p) => (find_patch(catalog, p)?, Some(p), p.to_string()),
    };
    if let Some(first) = &catalog.arch_info(platform.arch).first_release
        && release.version < *first
    {
        return Err(Error::unsupported(
            format!(
                "IoT Edge {} has no {} packages or images: {} support starts with {first}",
                release.version, platform.arch, platform.arch
            ),
            format!("use --version {first} or newer on {}", platform.id),
        ));
    }
    let pick = |list: &[Version]| -> Version {
        // Lists are newest first; the oldest entry is the release itself.
        list.iter()
            .find(|v| ceiling.is_none_or(|c| *v <= c))
            .unwrap_or_else(|| &list[list.len() - 1])
            .clone()
    };
    let daemon = pick(&release.security_daemon);
    let hsm = pick(&release.libiothsm);
    let agent = pick(&release.edge_hub_agent);
    Ok(Resolution {
        requested,
        release: release.version.clone(),
        generation: release.generation.clone(),
        daemon,
        hsm,
        hub: agent.clone(),
        agent,
        moby: moby_for(catalog, release, &platform.os.id, platform.arch),
        client_sdk: release.client_sdk.clone(),
    })
}

fn find_release<'c>(catalog: &'c Catalog, version: &Version) -> Result<&'c Release> {
    catalog
        .release(version)
        .ok_or_else(|| unknown_version(catalog, &version.to_string()))
}

fn unknown_version(catalog: &Catalog, text: &str) -> Error {
    let known: Vec<String> = catalog
        .known_versions()
        .iter()
        .map(Version::to_string)
        .collect();
    Error::bad_input(
        "--version",
        text,
        "no such IoT Edge release or patch in edgeup's release table",
        format!("known versions: latest, {}", known.join(", ")),
    )
}

/// The Moby version for a release on a platform: the release's own cell (or
/// its per-platform exception), else the newest Moby of an earlier release.
pub fn moby_for(catalog: &Catalog, release: &Release, os_id: &str, arch: Arch) -> MobyChoice {
    let source = catalog
        .releases
        .iter()
        .filter(|r| r.version <= release.version)
        .find(|r| !r.moby.is_empty())
        .expect("the catalog check guarantees the oldest release names a Moby version");
    match source
        .moby_exceptions
        .iter()
        .find(|e| e.applies_to(os_id, arch))
    {
        Some(e) => MobyChoice {
            version: e.moby.clone(),
            from_release: source.version.clone(),
            exception: true,
        },
        None => MobyChoice {
            version: source.moby[0].clone(),
            from_release: source.version.clone(),
            exception: false,
        },
    }
}
