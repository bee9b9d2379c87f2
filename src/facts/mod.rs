//! detect: the facts about a machine that the support verdict and the plan
//! depend on. Everything is read through [`Host`], so a fixture root stands
//! in for `/` in tests and with `--root DIR`.

pub mod host;
pub mod linux;
pub mod os_release;
pub mod windows;

use serde::Serialize;

pub use host::{Host, RootedHost};
pub use os_release::OsRelease;
pub use windows::WindowsFacts;

use crate::error::{Error, Result};

/// The operating system, as read.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum OsFacts {
    Linux(OsRelease),
    Windows(WindowsFacts),
}

impl OsFacts {
    /// A name for people: `Raspbian GNU/Linux 10 (buster)`, `Windows Server 2019 Datacenter (build 17763)`.
    pub fn describe(&self) -> String {
        match self {
            OsFacts::Linux(os) => os.pretty_name.clone(),
            OsFacts::Windows(w) => format!("{} (build {})", w.product_name, w.build),
        }
    }
}

/// Where the userland architecture was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArchSource {
    /// The `--arch` option.
    Option,
    /// `dpkg --print-architecture`.
    Dpkg,
    /// The architecture of the installed `dpkg` package in dpkg's status file.
    DpkgStatus,
    /// `rpm --eval %{_arch}`.
    Rpm,
    /// The ELF header of `/bin/sh`.
    ElfHeader,
    /// `uname -m` (the kernel's, used only when nothing better is there).
    Uname,
    /// The Windows processor architecture.
    Windows,
}

/// Kernel and userland architecture. They differ on, say, a Raspberry Pi
/// with a 64-bit kernel and a 32-bit Raspbian: packages follow the userland.
#[derive(Debug, Clone, Serialize)]
pub struct ArchFacts {
    /// The userland architecture as a Debian name (`amd64`, `armhf`, `arm64`, `i386`, ...).
    pub userland: Option<String>,
    pub userland_source: Option<ArchSource>,
    /// `uname -m` of the running kernel (live system only).
    pub kernel: Option<String>,
}

/// Whether a service manager runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceManager {
    Systemd,
    /// Windows services (the Service Control Manager).
    Windows,
    /// None running: a container, a chroot or an image build.
    None,
}

/// The package database the system has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageManager {
    Dpkg,
    Rpm,
}

/// An installed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstalledPackage {
    pub name: String,
    pub version: String,
}

/// IoT Edge as installed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IotEdgeInstall {
    pub daemon: InstalledPackage,
    pub hsm: Option<InstalledPackage>,
}

/// Memory in MiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Memory {
    pub total_mib: u64,
    pub available_mib: Option<u64>,
}

/// Virtual machine, container or chroot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Virtualization {
    /// The hypervisor, when in a VM (`kvm`, `vmware`, `microsoft`, ...).
    pub vm: Option<String>,
    /// The container runtime, when in a container (`docker`, `podman`, `lxc`, ...).
    pub container: Option<String>,
    /// Whether edgeup runs in a chroot.
    pub chroot: bool,
}

/// Everything detect learns about a machine.
#[derive(Debug, Clone, Serialize)]
pub struct Facts {
    pub os: OsFacts,
    pub arch: ArchFacts,
    pub service_manager: ServiceManager,
    pub package_manager: Option<PackageManager>,
    /// The container engine package installed (moby-engine, docker-ce, docker-ee, docker.io).
    pub engine: Option<InstalledPackage>,
    pub iotedge: Option<IotEdgeInstall>,
    pub memory: Option<Memory>,
    pub disk_free_mib: Option<u64>,
    pub virtualization: Virtualization,
    /// The proxy in the environment, credentials removed.
    pub proxy: Option<String>,
    /// Things worth saying about what was read.
    pub notes: Vec<String>,
}

impl Facts {
    /// Facts with only the OS and architecture known; everything else empty.
    pub fn new(os: OsFacts, arch: ArchFacts, service_manager: ServiceManager) -> Facts {
        Facts {
            os,
            arch,
            service_manager,
            package_manager: None,
            engine: None,
            iotedge: None,
            memory: None,
            disk_free_mib: None,
            virtualization: Virtualization::default(),
            proxy: None,
            notes: Vec::new(),
        }
    }
}

/// Normalises an architecture name from dpkg, rpm, uname or the user to a
/// Debian name; `None` when it is not an architecture name at all.
pub fn normalize_arch(name: &str) -> Option<&'static str> {
    Some(match name.trim().to_ascii_lowercase().as_str() {
        "amd64" | "x86_64" | "x64" => "amd64",
        "arm64" | "aarch64" | "arm64v8" => "arm64",
        "armhf" | "armv7l" | "armv7hl" | "armv8l" | "arm32v7" | "arm32" => "armhf",
        "armel" | "armv6l" | "armv6hl" | "armv5tel" => "armel",
        "i386" | "i686" | "i586" | "x86" => "i386",
        "ppc64el" | "ppc64le" => "ppc64el",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        "mips64el" => "mips64el",
        _ => return None,
    })
}

/// Reads the facts of a system. `arch` overrides the userland architecture.
pub fn gather(host: &dyn Host, arch: Option<&str>) -> Result<Facts> {
    let arch = match arch {
        Some(a) => Some(normalize_arch(a).ok_or_else(|| {
            Error::bad_input(
                "--arch",
                a,
                "not an architecture edgeup knows",
                "use a Debian architecture name: amd64, armhf or arm64 (also accepted: x86_64, aarch64, armv7l, i386, armel)",
            )
        })?),
        None => None,
    };
    #[cfg(windows)]
    if host.is_live() {
        let (facts, windows_arch) = windows::read_live().map_err(|detail| Error::Failed {
            context: "could not read the Windows version".into(),
            detail,
        })?;
        let mut facts = Facts::new(
            OsFacts::Windows(facts),
            ArchFacts {
                userland: Some(arch.map(str::to_string).unwrap_or(windows_arch)),
                userland_source: Some(if arch.is_some() {
                    ArchSource::Option
                } else {
                    ArchSource::Windows
                }),
                kernel: None,
            },
            ServiceManager::Windows,
        );
        facts.proxy = linux::proxy_from_env();
        return Ok(facts);
    }
    Ok(linux::gather(host, arch))
}
