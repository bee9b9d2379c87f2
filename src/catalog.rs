//! The release and platform table: `data/*.toml`, embedded in the binary,
//! parsed and cross-checked once.
//!
//! Knowledge about releases and platforms lives in the data files, not in code:
//! adding a release or a platform is a data change. This module only gives the
//! data types and the lookups the resolver and planner need.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::version::Version;

const RELEASES_TOML: &str = include_str!("../data/releases.toml");
const PLATFORMS_TOML: &str = include_str!("../data/platforms.toml");

/// A CPU architecture a platform can have, by its Debian name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    Amd64,
    Armhf,
    Arm64,
}

impl Arch {
    /// Every architecture, in the order of the seed's columns.
    pub const ALL: [Arch; 3] = [Arch::Amd64, Arch::Armhf, Arch::Arm64];

    /// The Debian architecture name (`amd64`, `armhf`, `arm64`).
    pub fn debian_name(self) -> &'static str {
        match self {
            Arch::Amd64 => "amd64",
            Arch::Armhf => "armhf",
            Arch::Arm64 => "arm64",
        }
    }

    /// Parses a Debian architecture name.
    pub fn from_debian_name(name: &str) -> Option<Arch> {
        Arch::ALL.into_iter().find(|a| a.debian_name() == name)
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.debian_name())
    }
}

/// What the data says about one architecture.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ArchInfo {
    /// The seed's column header (AMD64, ARM32v7, ARM64).
    pub seed_column: String,
    /// The RPM architecture name.
    pub rpm: String,
    /// `uname -m` values of kernels of this architecture.
    pub uname: Vec<String>,
    /// The first release with packages for this architecture.
    #[serde(default)]
    pub first_release: Option<Version>,
}

/// A package and config layout shared by a range of releases.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Generation {
    pub daemon_package: String,
    pub hsm_package: String,
    pub config_path: String,
    pub config_format: String,
    pub windows_config_path: String,
    pub agent_image: String,
    pub hub_image: String,
}

/// A Moby version that replaces a release's default on some platforms.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MobyException {
    pub moby: Version,
    #[serde(default)]
    pub arches: Vec<Arch>,
    #[serde(default)]
    pub os_ids: Vec<String>,
}

impl MobyException {
    /// Whether this exception applies to an OS (by os-release ID) and arch.
    pub fn applies_to(&self, os_id: &str, arch: Arch) -> bool {
        self.arches.contains(&arch) || self.os_ids.iter().any(|id| id == os_id)
    }
}

/// One row of the seed's release table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    pub version: Version,
    pub generation: String,
    /// Security daemon (`iotedge`) versions, newest first.
    pub security_daemon: Vec<Version>,
    /// Edge hub and Edge agent image versions, newest first.
    pub edge_hub_agent: Vec<Version>,
    /// libiothsm versions, newest first.
    pub libiothsm: Vec<Version>,
    /// Moby versions, newest first; empty is the seed's blank cell.
    pub moby: Vec<Version>,
    #[serde(default)]
    pub moby_exceptions: Vec<MobyException>,
    /// The Microsoft.Azure.Device.Client SDK version the release was tested against.
    pub client_sdk: String,
}

/// How a platform family installs packages at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Apt,
    Rpm,
    Windows,
    /// No package manager at run time (Yocto and relatives): built into the image.
    Image,
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::Apt => "apt",
            Family::Rpm => "rpm",
            Family::Windows => "windows",
            Family::Image => "image",
        })
    }
}

/// An operating system known to edgeup.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OsInfo {
    /// Platform IDs are `<key>-<arch>`.
    pub key: String,
    /// The os-release ID.
    pub id: String,
    #[serde(default)]
    pub also_ids: Vec<String>,
    /// The version as the seed names it.
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub codename: Option<String>,
    pub name: String,
    pub family: Family,
    #[serde(default)]
    pub fixups: Vec<String>,
    /// Whether apt here understands `signed-by` (apt 1.1+).
    #[serde(default = "default_true")]
    pub apt_signed_by: bool,
    #[serde(default)]
    pub name_contains: Option<String>,
    #[serde(default)]
    pub build_time_route: Option<String>,
    /// Image-built systems: whose release assets `--force` installs when the
    /// image has dpkg or rpm.
    #[serde(default)]
    pub forced_assets: Option<ForcedAssets>,
    #[serde(default)]
    pub windows_edition_ids: Vec<String>,
    #[serde(default)]
    pub windows_installation_types: Vec<String>,
    #[serde(default)]
    pub windows_product_contains: Option<String>,
}

/// The release assets a `--force` install on an image-built system takes:
/// those of the packaged OS (by key) closest to the image, per package
/// database, and why they are the closest.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ForcedAssets {
    /// The OS whose `.deb` assets dpkg installs.
    pub dpkg: String,
    /// The OS whose `.rpm` assets rpm installs.
    pub rpm: String,
    pub why: String,
}

fn default_true() -> bool {
    true
}

impl OsInfo {
    /// Whether an os-release ID names this OS.
    pub fn has_id(&self, id: &str) -> bool {
        self.id == id || self.also_ids.iter().any(|a| a == id)
    }

    /// Whether an os-release VERSION_ID names this OS's version (`7` matches `7.5`).
    pub fn matches_version(&self, version_id: &str) -> bool {
        match &self.version {
            None => true,
            Some(v) => {
                version_id == v
                    || version_id
                        .strip_prefix(v.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
            }
        }
    }
}

/// A support cell of the seed's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cell {
    Supported,
    Preview,
}

/// One row of a seed tier table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TierRow {
    pub row: String,
    pub os: String,
    pub cells: BTreeMap<Arch, Cell>,
}

/// Where a component comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// The Microsoft package repository (apt or yum).
    Repository,
    /// GitHub release assets.
    Assets,
    /// Shipped inside the IoT Edge package (Windows: Moby is in the CAB).
    Bundled,
    /// The Windows CAB release asset.
    Cab,
}

/// A Microsoft package repository, relative to the repository base.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RepositoryInfo {
    pub path: String,
    pub suite: String,
    pub component: String,
}

/// Where a set of platforms get their packages.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub os: Vec<String>,
    pub arches: Vec<Arch>,
    pub engine: Origin,
    pub iotedge: Origin,
    #[serde(default)]
    pub asset_os: Option<String>,
    /// Arches that have per-OS assets, when fewer than `arches`.
    #[serde(default)]
    pub asset_os_arches: Option<Vec<Arch>>,
    #[serde(default)]
    pub repository: Option<RepositoryInfo>,
    /// Where this entry's facts come from.
    pub source: String,
}

/// File name templates of one release-asset scheme.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AssetScheme {
    pub deb_daemon: String,
    pub deb_hsm: String,
    #[serde(default)]
    pub deb_hsm_debian: Option<String>,
    #[serde(default)]
    pub rpm_daemon: Option<String>,
    #[serde(default)]
    pub rpm_hsm: Option<String>,
    pub windows_cab: String,
}

/// Which asset scheme and revision a set of releases use.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseAssets {
    pub releases: Vec<Version>,
    pub scheme: String,
    pub revision: String,
    #[serde(default)]
    pub no_windows_cab: Vec<Version>,
}

/// An OS-specific fixup applied before IoT Edge.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Fixup {
    pub package: String,
    pub summary: String,
    /// Path of the fallback package in a Debian archive, `{arch}` substituted.
    pub archive_file: String,
}

/// The seed's Windows rules.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsRules {
    pub build: u32,
    pub arches: Vec<Arch>,
    pub production_containers: String,
    pub linux_containers: String,
    pub isolation: String,
}

/// The seed's notes.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Notes {
    pub container_engines: String,
    pub host_container_family: String,
    pub virtual_machines: String,
    pub minimum_requirements: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReleasesFile {
    generations: BTreeMap<String, Generation>,
    releases: Vec<Release>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformsFile {
    arches: BTreeMap<Arch, ArchInfo>,
    os: Vec<OsInfo>,
    tier1: Vec<TierRow>,
    tier2: Vec<TierRow>,
    sources: Vec<Source>,
    asset_schemes: BTreeMap<String, AssetScheme>,
    release_assets: Vec<ReleaseAssets>,
    fixups: BTreeMap<String, Fixup>,
    windows: WindowsRules,
    notes: Notes,
}

/// The support tier of a platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Tier 1: supported and tested by Microsoft.
    Tier1,
    /// Tier 1 public preview.
    Preview,
    /// Tier 2: compatible, not tested by Microsoft.
    Tier2,
    /// Not in the support tables.
    Unsupported,
}

impl Tier {
    /// The tier as the JSON contract spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Tier1 => "tier1",
            Tier::Preview => "preview",
            Tier::Tier2 => "tier2",
            Tier::Unsupported => "unsupported",
        }
    }

    /// A phrase for people.
    pub fn describe(self) -> &'static str {
        match self {
            Tier::Tier1 => "Tier 1 (supported, tested by Microsoft)",
            Tier::Preview => "Tier 1 public preview",
            Tier::Tier2 => "Tier 2 (compatible, not tested by Microsoft)",
            Tier::Unsupported => "unsupported",
        }
    }
}

/// A supported (OS, architecture) pair of the tables.
#[derive(Debug, Clone)]
pub struct Platform<'c> {
    pub id: String,
    pub os: &'c OsInfo,
    pub arch: Arch,
    pub tier: Tier,
}

/// The whole table.
#[derive(Debug)]
pub struct Catalog {
    pub generations: BTreeMap<String, Generation>,
    /// Newest first.
    pub releases: Vec<Release>,
    pub arches: BTreeMap<Arch, ArchInfo>,
    pub oses: Vec<OsInfo>,
    pub tier1: Vec<TierRow>,
    pub tier2: Vec<TierRow>,
    pub sources: Vec<Source>,
    pub asset_schemes: BTreeMap<String, AssetScheme>,
    pub release_assets: Vec<ReleaseAssets>,
    pub fixups: BTreeMap<String, Fixup>,
    pub windows: WindowsRules,
    pub notes: Notes,
}

impl Catalog {
    /// The table embedded in this binary. Its consistency is checked by tests,
    /// so a failure here is a build defect.
    pub fn embedded() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::parse(RELEASES_TOML, PLATFORMS_TOML)
                .unwrap_or_else(|e| panic!("the embedded release table is inconsistent: {e}"))
        })
    }

    /// Parses and cross-checks the two data files.
    pub fn parse(releases_toml: &str, platforms_toml: &str) -> Result<Catalog, String> {
        let releases: ReleasesFile =
            toml::from_str(releases_toml).map_err(|e| format!("releases.toml: {e}"))?;
        let platforms: PlatformsFile =
            toml::from_str(platforms_toml).map_err(|e| format!("platforms.toml: {e}"))?;
        let mut catalog = Catalog {
            generations: releases.generations,
            releases: releases.releases,
            arches: platforms.arches,
            oses: platforms.os,
            tier1: platforms.tier1,
            tier2: platforms.tier2,
            sources: platforms.sources,
            asset_schemes: platforms.asset_schemes,
            release_assets: platforms.release_assets,
            fixups: platforms.fixups,
            windows: platforms.windows,
            notes: platforms.notes,
        };
        catalog.releases.sort_by(|a, b| b.version.cmp(&a.version));
        catalog.check()?;
        Ok(catalog)
    }

    fn check(&self) -> Result<(), String> {
        for arch in Arch::ALL {
            if !self.arches.contains_key(&arch) {
                return Err(format!("arch {arch} has no [arches.{arch}] entry"));
            }
        }
        let mut keys = std::collections::BTreeSet::new();
        for os in &self.oses {
            if !keys.insert(os.key.as_str()) {
                return Err(format!("os key '{}' is defined twice", os.key));
            }
            if let Some(version) = &os.version
                && os.key != format!("{}-{}", os.id, version)
            {
                return Err(format!(
                    "os '{}': a versioned OS's key must be <id>-<version>",
                    os.key
                ));
            }
            for fixup in &os.fixups {
                if !self.fixups.contains_key(fixup) {
                    return Err(format!("os '{}' names unknown fixup '{fixup}'", os.key));
                }
            }
            if os.family == Family::Image && os.build_time_route.is_none() {
                return Err(format!("os '{}' has no build_time_route", os.key));
            }
            if os.family == Family::Image && os.forced_assets.is_none() {
                return Err(format!("os '{}' has no forced_assets", os.key));
            }
        }
        // Forced assets name a packaged OS with release assets on every
        // arch the image-built system has.
        for os in self.oses.iter().filter(|o| o.family == Family::Image) {
            let forced = os.forced_assets.as_ref().expect("checked above");
            for (key, family) in [(&forced.dpkg, Family::Apt), (&forced.rpm, Family::Rpm)] {
                let other = self.os(key).filter(|o| o.family == family).ok_or_else(|| {
                    format!(
                        "os '{}': forced_assets names '{key}', which is not a {family} OS",
                        os.key
                    )
                })?;
                for arch in Arch::ALL {
                    if self.tier(os, arch) == Tier::Unsupported {
                        continue;
                    }
                    let has_assets = self.source(other, arch).is_some_and(|s| {
                        s.iotedge == Origin::Assets
                            && s.asset_os_arches.as_ref().is_none_or(|a| a.contains(&arch))
                    });
                    if !has_assets {
                        return Err(format!(
                            "os '{}': {key} has no release assets for {arch}",
                            os.key
                        ));
                    }
                }
            }
        }
        for row in self.tier1.iter().chain(&self.tier2) {
            if self.os(&row.os).is_none() {
                return Err(format!(
                    "tier row '{}' names unknown os '{}'",
                    row.row, row.os
                ));
            }
        }
        for source in &self.sources {
            for key in &source.os {
                if self.os(key).is_none() {
                    return Err(format!("a source names unknown os '{key}'"));
                }
            }
            if source.engine == Origin::Repository && source.repository.is_none() {
                return Err(format!("source for {:?} lacks a repository", source.os));
            }
        }
        for platform in self.platforms() {
            if platform.os.family == Family::Image {
                continue; // built into the image: no run-time source
            }
            let source = self
                .source(platform.os, platform.arch)
                .ok_or_else(|| format!("platform {} has no package source", platform.id))?;
            if source.iotedge == Origin::Assets
                && platform.os.family == Family::Apt
                && source.asset_os.is_none()
            {
                return Err(format!("platform {} needs an asset_os", platform.id));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for release in &self.releases {
            let v = &release.version;
            if !seen.insert(v.clone()) {
                return Err(format!("release {v} is listed twice"));
            }
            if !self.generations.contains_key(&release.generation) {
                return Err(format!(
                    "release {v}: unknown generation '{}'",
                    release.generation
                ));
            }
            if release.libiothsm != release.security_daemon {
                return Err(format!(
                    "release {v}: libiothsm and the security daemon must list the same versions \
                     (the packages are pinned together)"
                ));
            }
            for (name, list) in [
                ("security_daemon", &release.security_daemon),
                ("edge_hub_agent", &release.edge_hub_agent),
                ("libiothsm", &release.libiothsm),
                ("moby", &release.moby),
            ] {
                if list.windows(2).any(|w| w[0] <= w[1]) {
                    return Err(format!("release {v}: {name} must be listed newest first"));
                }
                if name != "moby" && list.is_empty() {
                    return Err(format!("release {v}: {name} is empty"));
                }
                if name != "moby" && list.iter().any(|c| c.truncated(3) != *v) {
                    return Err(format!(
                        "release {v}: a {name} version is outside the release"
                    ));
                }
            }
            let assets = self
                .release_assets(v)
                .ok_or_else(|| format!("release {v} has no [[release_assets]] entry"))?;
            if !self.asset_schemes.contains_key(&assets.scheme) {
                return Err(format!(
                    "release {v}: unknown asset scheme '{}'",
                    assets.scheme
                ));
            }
        }
        if self.releases.last().is_some_and(|r| r.moby.is_empty()) {
            return Err("the oldest release must name a Moby version".into());
        }
        Ok(())
    }

    /// The OS with this key.
    pub fn os(&self, key: &str) -> Option<&OsInfo> {
        self.oses.iter().find(|o| o.key == key)
    }

    /// The release with exactly this version.
    pub fn release(&self, version: &Version) -> Option<&Release> {
        self.releases.iter().find(|r| &r.version == version)
    }

    /// The newest release.
    pub fn latest(&self) -> &Release {
        &self.releases[0]
    }

    /// The asset scheme entry of a release.
    pub fn release_assets(&self, release: &Version) -> Option<&ReleaseAssets> {
        self.release_assets
            .iter()
            .find(|a| a.releases.contains(release))
    }

    /// Where an OS on an arch gets its packages.
    pub fn source(&self, os: &OsInfo, arch: Arch) -> Option<&Source> {
        self.sources
            .iter()
            .find(|s| s.os.contains(&os.key) && s.arches.contains(&arch))
    }

    /// The tier of an OS on an arch, from the seed's tables: a Tier 1 cell
    /// wins over a Tier 2 cell for the same OS and arch.
    pub fn tier(&self, os: &OsInfo, arch: Arch) -> Tier {
        let cell = |rows: &[TierRow]| {
            rows.iter()
                .filter(|r| r.os == os.key)
                .find_map(|r| r.cells.get(&arch).copied())
        };
        match (cell(&self.tier1), cell(&self.tier2)) {
            (Some(Cell::Supported), _) => Tier::Tier1,
            (Some(Cell::Preview), _) | (None, Some(Cell::Preview)) => Tier::Preview,
            (None, Some(Cell::Supported)) => Tier::Tier2,
            (None, None) => Tier::Unsupported,
        }
    }

    /// The platform ID of an OS on an arch.
    pub fn platform_id(os: &OsInfo, arch: Arch) -> String {
        format!("{}-{}", os.key, arch)
    }

    /// Every supported platform, in table order.
    pub fn platforms(&self) -> Vec<Platform<'_>> {
        let mut out = Vec::new();
        for os in &self.oses {
            for arch in Arch::ALL {
                let tier = self.tier(os, arch);
                if tier != Tier::Unsupported {
                    out.push(Platform {
                        id: Catalog::platform_id(os, arch),
                        os,
                        arch,
                        tier,
                    });
                }
            }
        }
        out
    }

    /// The platform with this ID.
    pub fn platform(&self, id: &str) -> Option<Platform<'_>> {
        self.platforms().into_iter().find(|p| p.id == id)
    }

    /// The arch entry.
    pub fn arch_info(&self, arch: Arch) -> &ArchInfo {
        &self.arches[&arch]
    }

    /// Every known version string: releases and their patches, newest first.
    pub fn known_versions(&self) -> Vec<Version> {
        let mut all: Vec<Version> = self
            .releases
            .iter()
            .flat_map(|r| {
                std::iter::once(r.version.clone())
                    .chain(r.security_daemon.iter().cloned())
                    .chain(r.edge_hub_agent.iter().cloned())
            })
            .collect();
        all.sort_by(|a, b| b.cmp(a));
        all.dedup();
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_loads_and_is_consistent() {
        let catalog = Catalog::embedded();
        assert_eq!(catalog.latest().version.to_string(), "1.0.9");
        assert_eq!(catalog.releases.len(), 5);
        assert!(catalog.platforms().len() > 30);
    }

    #[test]
    fn every_platform_id_is_unique() {
        let ids: Vec<String> = Catalog::embedded()
            .platforms()
            .into_iter()
            .map(|p| p.id)
            .collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids.len(), sorted.len());
    }

    #[test]
    fn inconsistent_data_is_refused() {
        let platforms = PLATFORMS_TOML;
        let swapped = RELEASES_TOML.replace("libiothsm = [\"1.0.8\"]", "libiothsm = [\"1.0.8.1\"]");
        let err = Catalog::parse(&swapped, platforms).unwrap_err();
        assert!(err.contains("pinned together"), "{err}");

        let unsorted = RELEASES_TOML.replace(
            "[\"1.0.9.2\", \"1.0.9.1\", \"1.0.9\"]",
            "[\"1.0.9\", \"1.0.9.1\", \"1.0.9.2\"]",
        );
        let err = Catalog::parse(&unsorted, platforms).unwrap_err();
        assert!(err.contains("newest first"), "{err}");

        let bad_row = PLATFORMS_TOML.replace("os = \"rhel-7\"\ncells", "os = \"rhel-8\"\ncells");
        let err = Catalog::parse(RELEASES_TOML, &bad_row).unwrap_err();
        assert!(err.contains("unknown os 'rhel-8'"), "{err}");

        let unknown_key = RELEASES_TOML.replace(
            "client_sdk = \"1.21.1\"",
            "client_sdk = \"1.21.1\"\nsdk = 1",
        );
        let err = Catalog::parse(&unknown_key, platforms).unwrap_err();
        assert!(err.contains("unknown field"), "{err}");
    }

    #[test]
    fn version_ids_match_by_prefix_at_a_dot() {
        let catalog = Catalog::embedded();
        let rhel = catalog.os("rhel-7").unwrap();
        assert!(rhel.matches_version("7"));
        assert!(rhel.matches_version("7.5"));
        assert!(!rhel.matches_version("70"));
        assert!(!rhel.matches_version("8.1"));
        let ubuntu = catalog.os("ubuntu-18.04").unwrap();
        assert!(ubuntu.matches_version("18.04"));
        assert!(!ubuntu.matches_version("18.041"));
    }
}
