//! Linux facts: os-release, architectures, package database, engine and IoT
//! Edge packages, service manager, memory, disk, virtualization and proxy.

use std::collections::BTreeMap;

use super::{
    ArchFacts, ArchSource, Facts, Host, InstalledPackage, IotEdgeInstall, Memory, OsFacts,
    OsRelease, PackageManager, ServiceManager, Virtualization, normalize_arch,
};

/// Container engine packages, in the order they are reported when several are installed.
pub const ENGINE_PACKAGES: [&str; 4] = ["moby-engine", "docker-ce", "docker-ee", "docker.io"];
/// IoT Edge daemon packages with their HSM / identity package.
pub const IOTEDGE_PACKAGES: [(&str, &str); 2] = [
    ("iotedge", "libiothsm-std"),
    ("aziot-edge", "aziot-identity-service"),
];

/// Reads the Linux facts of a host. `arch` is an already-normalised override.
pub fn gather(host: &dyn Host, arch: Option<&'static str>) -> Facts {
    let mut notes = Vec::new();
    let os = read_os_release(host);
    if host.is_live()
        && let Some(note) = os_info_cross_check(&os)
    {
        notes.push(note);
    }
    let package_manager = package_manager(host);
    let packages = installed_packages(host, package_manager);
    let (userland, userland_source) = match arch {
        Some(a) => (Some(a.to_string()), Some(ArchSource::Option)),
        None => match userland_arch(host, package_manager) {
            Some((a, s)) => (Some(a), Some(s)),
            None => (None, None),
        },
    };
    let kernel = host.run(&["uname", "-m"]);
    if let (Some(k), Some(u)) = (&kernel, &userland)
        && normalize_arch(k) != Some(u.as_str())
    {
        notes.push(format!(
            "the kernel is {k} but the userland is {u}: packages follow the userland"
        ));
    }
    let engine = ENGINE_PACKAGES.iter().find_map(|name| {
        packages.get(*name).map(|version| InstalledPackage {
            name: name.to_string(),
            version: version.clone(),
        })
    });
    let engine = engine.or_else(|| {
        ["/usr/bin/dockerd", "/usr/local/bin/dockerd"]
            .iter()
            .any(|p| host.exists(p))
            .then(|| InstalledPackage {
                name: "dockerd".to_string(),
                version: "unknown (not from a package)".to_string(),
            })
    });
    let iotedge = IOTEDGE_PACKAGES.iter().find_map(|(daemon, hsm)| {
        packages.get(*daemon).map(|version| IotEdgeInstall {
            daemon: InstalledPackage {
                name: daemon.to_string(),
                version: version.clone(),
            },
            hsm: packages.get(*hsm).map(|v| InstalledPackage {
                name: hsm.to_string(),
                version: v.clone(),
            }),
        })
    });
    Facts {
        os: OsFacts::Linux(os),
        arch: ArchFacts {
            userland,
            userland_source,
            kernel,
        },
        service_manager: service_manager(host),
        package_manager,
        engine,
        iotedge,
        memory: host
            .read_text("/proc/meminfo")
            .and_then(|t| parse_meminfo(&t)),
        disk_free_mib: disk_free_mib(host),
        virtualization: virtualization(host),
        proxy: if host.is_live() {
            proxy_from_env()
        } else {
            None
        },
        notes,
    }
}

/// `/etc/os-release`, falling back to `/usr/lib/os-release`.
pub fn read_os_release(host: &dyn Host) -> OsRelease {
    host.read_text("/etc/os-release")
        .or_else(|| host.read_text("/usr/lib/os-release"))
        .map(|t| OsRelease::parse(&t))
        .unwrap_or_else(|| OsRelease::parse(""))
}

/// os_info as a cross-check: it reports Raspbian as unknown Linux and
/// Ubuntu 18.04 as 18.4.0, so edgeup trusts its own parser and only notes
/// a disagreement about the distribution.
fn os_info_cross_check(os: &OsRelease) -> Option<String> {
    let info = os_info::get();
    let theirs = info.os_type().to_string().to_ascii_lowercase();
    let agrees = theirs.contains(&os.id)
        || os.name.to_ascii_lowercase().contains(&theirs)
        || (os.id == "rhel" && theirs.contains("red hat"));
    (!agrees).then(|| {
        format!(
            "os_info reports '{}' {}; edgeup goes by /etc/os-release ('{}')",
            info.os_type(),
            info.version(),
            os.pretty_name
        )
    })
}

fn package_manager(host: &dyn Host) -> Option<PackageManager> {
    if host.exists("/var/lib/dpkg/status") {
        Some(PackageManager::Dpkg)
    } else if host.exists("/var/lib/rpm") || host.exists("/usr/lib/sysimage/rpm") {
        Some(PackageManager::Rpm)
    } else {
        None
    }
}

/// Installed packages and their versions.
fn installed_packages(
    host: &dyn Host,
    package_manager: Option<PackageManager>,
) -> BTreeMap<String, String> {
    match package_manager {
        Some(PackageManager::Dpkg) => host
            .read_text("/var/lib/dpkg/status")
            .map(|t| {
                parse_dpkg_status(&t)
                    .into_iter()
                    .map(|(name, entry)| (name, entry.version))
                    .collect()
            })
            .unwrap_or_default(),
        Some(PackageManager::Rpm) => {
            let mut out = BTreeMap::new();
            let names: Vec<&str> = ENGINE_PACKAGES
                .iter()
                .copied()
                .chain(IOTEDGE_PACKAGES.iter().flat_map(|(a, b)| [*a, *b]))
                .collect();
            for name in names {
                if let Some(v) =
                    host.run(&["rpm", "-q", "--queryformat", "%{VERSION}-%{RELEASE}", name])
                {
                    out.insert(name.to_string(), v);
                }
            }
            out
        }
        None => BTreeMap::new(),
    }
}

/// One installed package in dpkg's status file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpkgEntry {
    pub version: String,
    pub architecture: String,
}

/// Parses `/var/lib/dpkg/status` into the installed packages.
pub fn parse_dpkg_status(text: &str) -> BTreeMap<String, DpkgEntry> {
    let mut out = BTreeMap::new();
    for stanza in text.split("\n\n") {
        let mut fields = BTreeMap::new();
        for line in stanza.lines() {
            if line.starts_with(' ') || line.starts_with('\t') {
                continue; // continuation of a multi-line field
            }
            if let Some((k, v)) = line.split_once(':') {
                fields.insert(k.trim(), v.trim());
            }
        }
        let installed = fields
            .get("Status")
            .is_some_and(|s| s.ends_with(" installed") && !s.contains("not-installed"));
        if let (true, Some(name), Some(version)) =
            (installed, fields.get("Package"), fields.get("Version"))
        {
            out.insert(
                name.to_string(),
                DpkgEntry {
                    version: version.to_string(),
                    architecture: fields.get("Architecture").unwrap_or(&"").to_string(),
                },
            );
        }
    }
    out
}

/// The userland architecture: dpkg's, rpm's, the ELF class of `/bin/sh`, or
/// the kernel's as a last resort.
fn userland_arch(
    host: &dyn Host,
    package_manager: Option<PackageManager>,
) -> Option<(String, ArchSource)> {
    let known = |s: String| normalize_arch(&s).map(str::to_string);
    if package_manager == Some(PackageManager::Dpkg) {
        if let Some(a) = host.run(&["dpkg", "--print-architecture"]).and_then(known) {
            return Some((a, ArchSource::Dpkg));
        }
        let dpkg_arch = host.read_text("/var/lib/dpkg/status").and_then(|t| {
            parse_dpkg_status(&t)
                .remove("dpkg")
                .map(|e| e.architecture)
                .and_then(known)
        });
        if let Some(a) = dpkg_arch {
            return Some((a, ArchSource::DpkgStatus));
        }
    }
    if package_manager == Some(PackageManager::Rpm)
        && let Some(a) = host.run(&["rpm", "--eval", "%{_arch}"]).and_then(known)
    {
        return Some((a, ArchSource::Rpm));
    }
    if let Some(a) = host.read("/bin/sh").and_then(|b| elf_arch(&b)) {
        return Some((a.to_string(), ArchSource::ElfHeader));
    }
    host.run(&["uname", "-m"])
        .and_then(known)
        .map(|a| (a, ArchSource::Uname))
}

/// The Debian architecture of an ELF file from its header: class, machine
/// and, for 32-bit ARM, the hard-float ABI flag.
pub fn elf_arch(bytes: &[u8]) -> Option<&'static str> {
    if bytes.len() < 52 || &bytes[..4] != b"\x7fELF" {
        return None;
    }
    let class = bytes[4];
    let little = bytes[5] == 1;
    let u16_at = |i: usize| {
        let b = [bytes[i], bytes[i + 1]];
        if little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }
    };
    let machine = u16_at(18);
    const EM_386: u16 = 3;
    const EM_ARM: u16 = 40;
    const EM_X86_64: u16 = 62;
    const EM_AARCH64: u16 = 183;
    const EF_ARM_ABI_FLOAT_HARD: u32 = 0x400;
    match (class, machine) {
        (2, EM_X86_64) => Some("amd64"),
        (2, EM_AARCH64) => Some("arm64"),
        (1, EM_386) => Some("i386"),
        (1, EM_ARM) => {
            let f = [bytes[36], bytes[37], bytes[38], bytes[39]];
            let flags = if little {
                u32::from_le_bytes(f)
            } else {
                u32::from_be_bytes(f)
            };
            Some(if flags & EF_ARM_ABI_FLOAT_HARD != 0 {
                "armhf"
            } else {
                "armel"
            })
        }
        _ => None,
    }
}

/// systemd runs when `/run/systemd/system` exists (sd_booted(3)).
fn service_manager(host: &dyn Host) -> ServiceManager {
    if host.exists("/run/systemd/system") {
        ServiceManager::Systemd
    } else {
        ServiceManager::None
    }
}

/// Parses `/proc/meminfo`.
pub fn parse_meminfo(text: &str) -> Option<Memory> {
    let kib = |key: &str| {
        text.lines().find_map(|l| {
            let rest = l.strip_prefix(key)?.strip_prefix(':')?;
            rest.split_whitespace().next()?.parse::<u64>().ok()
        })
    };
    Some(Memory {
        total_mib: kib("MemTotal")? / 1024,
        available_mib: kib("MemAvailable").map(|k| k / 1024),
    })
}

/// Free space where container images go (`/var/lib`), from `df -Pk`.
fn disk_free_mib(host: &dyn Host) -> Option<u64> {
    let out = host.run(&["df", "-Pk", "/var/lib"])?;
    parse_df(&out)
}

/// The available KiB column of `df -Pk`, in MiB.
pub fn parse_df(text: &str) -> Option<u64> {
    let line = text.lines().nth(1)?;
    line.split_whitespace()
        .nth(3)?
        .parse::<u64>()
        .ok()
        .map(|k| k / 1024)
}

fn virtualization(host: &dyn Host) -> Virtualization {
    let mut v = Virtualization::default();
    let detect_virt = |flag: &str| {
        host.run(&["systemd-detect-virt", flag])
            .filter(|s| !s.is_empty() && s != "none")
    };
    v.vm = detect_virt("--vm").or_else(|| vm_from_dmi(host));
    v.container = detect_virt("--container").or_else(|| container_from_files(host));
    v.chroot = host.is_live() && in_chroot();
    v
}

fn vm_from_dmi(host: &dyn Host) -> Option<String> {
    let read = |p: &str| {
        host.read_text(p)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let vendor = read("/sys/class/dmi/id/sys_vendor");
    let product = read("/sys/class/dmi/id/product_name");
    let known = [
        ("QEMU", "qemu"),
        ("VMware", "vmware"),
        ("innotek", "oracle"),
        ("Xen", "xen"),
        ("Amazon EC2", "amazon"),
        ("Google", "google"),
        ("Parallels", "parallels"),
    ];
    for (needle, name) in known {
        if vendor.contains(needle) || product.contains(needle) {
            return Some(name.to_string());
        }
    }
    if vendor.contains("Microsoft") && product.contains("Virtual") {
        return Some("microsoft".to_string());
    }
    if product.contains("KVM") {
        return Some("kvm".to_string());
    }
    None
}

fn container_from_files(host: &dyn Host) -> Option<String> {
    if host.exists("/.dockerenv") {
        return Some("docker".to_string());
    }
    if host.exists("/run/.containerenv") {
        return Some("podman".to_string());
    }
    if host.is_live()
        && let Some(env) = host.read("/proc/1/environ")
    {
        for var in env.split(|b| *b == 0) {
            if let Some(value) = var.strip_prefix(b"container=") {
                return Some(String::from_utf8_lossy(value).into_owned());
            }
        }
    }
    None
}

/// Whether `/` differs from the root of PID 1 (needs root to see).
fn in_chroot() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata("/"), std::fs::metadata("/proc/1/root/")) {
            (Ok(ours), Ok(init)) => ours.dev() != init.dev() || ours.ino() != init.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// The proxy from the environment, with any credentials removed.
pub fn proxy_from_env() -> Option<String> {
    [
        "https_proxy",
        "HTTPS_PROXY",
        "http_proxy",
        "HTTP_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ]
    .iter()
    .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    .map(|p| redact_url_credentials(&p))
}

/// `http://user:pass@proxy:3128` → `http://***@proxy:3128`.
pub fn redact_url_credentials(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (format!("{s}://"), r),
        None => (String::new(), url),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}***@{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dpkg_status_installed_only() {
        let status = "Package: dpkg\nStatus: install ok installed\nArchitecture: armhf\nVersion: 1.19.7\n\
Description: Debian package management system\n This package provides the low-level\n\n\
Package: moby-engine\nStatus: install ok installed\nArchitecture: armhf\nVersion: 3.0.6\n\n\
Package: docker-ce\nStatus: deinstall ok config-files\nArchitecture: armhf\nVersion: 5:19.03.1~3-0~raspbian-buster\n\n\
Package: iotedge\nStatus: hold ok installed\nArchitecture: armhf\nVersion: 1.0.8-2\n";
        let packages = parse_dpkg_status(status);
        assert_eq!(packages["dpkg"].architecture, "armhf");
        assert_eq!(packages["moby-engine"].version, "3.0.6");
        assert_eq!(packages["iotedge"].version, "1.0.8-2");
        assert!(
            !packages.contains_key("docker-ce"),
            "config-files only is not installed"
        );
    }

    fn elf_header(class: u8, machine: u16, flags: u32) -> Vec<u8> {
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = class;
        h[5] = 1;
        h[18..20].copy_from_slice(&machine.to_le_bytes());
        h[36..40].copy_from_slice(&flags.to_le_bytes());
        h
    }

    #[test]
    fn reads_the_arch_from_an_elf_header() {
        assert_eq!(elf_arch(&elf_header(2, 62, 0)), Some("amd64"));
        assert_eq!(elf_arch(&elf_header(2, 183, 0)), Some("arm64"));
        assert_eq!(elf_arch(&elf_header(1, 40, 0x0500_0400)), Some("armhf"));
        assert_eq!(elf_arch(&elf_header(1, 40, 0x0500_0200)), Some("armel"));
        assert_eq!(elf_arch(&elf_header(1, 3, 0)), Some("i386"));
        assert_eq!(elf_arch(b"#!/bin/sh\n"), None);
        assert_eq!(
            elf_arch(&elf_header(2, 243, 0)),
            None,
            "riscv is not mapped"
        );
    }

    #[test]
    fn reads_the_arch_of_this_test_binary() {
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let expected = normalize_arch(std::env::consts::ARCH).unwrap();
        assert_eq!(elf_arch(&me), Some(expected));
    }

    #[test]
    fn parses_meminfo_and_df() {
        let m = parse_meminfo(
            "MemTotal:        3884328 kB\nMemFree:  1 kB\nMemAvailable:    2911236 kB\n",
        )
        .unwrap();
        assert_eq!(m.total_mib, 3793);
        assert_eq!(m.available_mib, Some(2843));
        assert_eq!(parse_meminfo("nothing"), None);
        let df = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n\
                  /dev/root         30502896  4421720  24794208      16% /\n";
        assert_eq!(parse_df(df), Some(24213));
        assert_eq!(parse_df("only a header\n"), None);
    }

    #[test]
    fn redacts_proxy_credentials() {
        assert_eq!(
            redact_url_credentials("http://user:s3cret@proxy.corp:3128/"),
            "http://***@proxy.corp:3128/"
        );
        assert_eq!(
            redact_url_credentials("http://proxy:3128"),
            "http://proxy:3128"
        );
        assert_eq!(redact_url_credentials("user:pw@proxy:80"), "***@proxy:80");
    }
}
