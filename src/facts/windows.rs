//! Windows facts: the values of `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion`
//! and the state of the Containers feature, parsed from the text that
//! `reg query` and `dism /get-featureinfo` print. The parsers run (and are
//! tested) everywhere; only the code that runs those commands is Windows-only.

use std::collections::BTreeMap;

use serde::Serialize;

/// The registry key holding the Windows version facts.
pub const CURRENT_VERSION_KEY: &str = r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion";

/// State of an optional Windows feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeatureState {
    Enabled,
    Disabled,
    /// Enabled, waiting for a reboot.
    EnablePending,
    DisablePending,
    /// Not known (the query failed or is not available, as under wine).
    Unknown,
}

/// What edgeup knows about a Windows machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowsFacts {
    /// `CurrentBuildNumber` (17763 for Windows 10 1809 / Server 2019).
    pub build: u32,
    /// `UBR`, the update build revision, when present.
    pub ubr: Option<u32>,
    /// `EditionID` (`IoTEnterprise`, `IoTUAP`, `ServerStandard`, ...).
    pub edition_id: String,
    /// `InstallationType` (`Client`, `Server`, `Server Core`, `IoTUAP`).
    pub installation_type: String,
    /// `ProductName`.
    pub product_name: String,
    /// The Containers optional feature.
    pub containers_feature: FeatureState,
    /// IoT Edge already on the machine.
    pub existing: WindowsInstall,
    /// Whether the machine has a battery (`None`: not known).
    pub battery: Option<bool>,
}

/// What an earlier IoT Edge install left (facts §4.2-4.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WindowsInstall {
    /// The CAB's daemon is installed (1.0.7 or newer).
    pub iotedge: bool,
    /// The CAB's Moby engine is there.
    pub moby: bool,
    /// The layout of 1.0.6 and older (zips under ProgramData).
    pub legacy_layout: bool,
}

/// Files whose presence tells an earlier install apart.
pub const IOTEDGED_PATH: &str = r"C:\Program Files\iotedge\iotedged.exe";
pub const MOBY_PATH: &str = r"C:\Program Files\iotedge-moby\dockerd.exe";
pub const LEGACY_PATHS: [&str; 3] = [
    r"C:\ProgramData\iotedge-moby-data",
    r"C:\ProgramData\iotedge-eventlog",
    r"C:\ProgramData\iotedge\iotedged.exe",
];

impl WindowsInstall {
    /// Reads the earlier install from which of the known paths exist.
    pub fn from_paths(exists: impl Fn(&str) -> bool) -> WindowsInstall {
        WindowsInstall {
            iotedge: exists(IOTEDGED_PATH),
            moby: exists(MOBY_PATH),
            legacy_layout: LEGACY_PATHS.iter().any(|p| exists(p)),
        }
    }
}

/// Parses the count `(Get-CimInstance Win32_Battery | Measure-Object).Count` prints.
pub fn parse_battery_count(text: &str) -> Option<bool> {
    text.trim().parse::<u32>().ok().map(|n| n > 0)
}

impl WindowsFacts {
    /// Builds the facts from `reg query` values; names the first missing or
    /// malformed value.
    pub fn from_values(
        values: &BTreeMap<String, String>,
        containers_feature: FeatureState,
    ) -> Result<WindowsFacts, String> {
        let get = |name: &str| {
            values
                .get(name)
                .map(|v| v.trim().to_string())
                .ok_or_else(|| format!("{CURRENT_VERSION_KEY} has no value {name}"))
        };
        let build_text = get("CurrentBuildNumber")?;
        let build = build_text
            .parse()
            .map_err(|_| format!("CurrentBuildNumber '{build_text}' is not a number"))?;
        Ok(WindowsFacts {
            build,
            ubr: values.get("UBR").and_then(|v| parse_dword(v)),
            edition_id: get("EditionID")?,
            installation_type: values
                .get("InstallationType")
                .cloned()
                .unwrap_or_else(|| "Client".to_string()),
            product_name: get("ProductName")?,
            containers_feature,
            existing: WindowsInstall::default(),
            battery: None,
        })
    }

    /// Whether this is Windows IoT Core (which installs packages with ApplyUpdate).
    pub fn is_iot_core(&self) -> bool {
        self.installation_type == "IoTUAP" || self.edition_id == "IoTUAP"
    }
}

/// `0x4a1` or `1185` → 1185.
fn parse_dword(text: &str) -> Option<u32> {
    let t = text.trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => t.parse().ok(),
    }
}

/// Parses `reg query <key>` output into value name → data. Lines look like
/// `    CurrentBuildNumber    REG_SZ    17763`; data may contain spaces.
pub fn parse_reg_query(text: &str) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    for line in text.lines() {
        if !line.starts_with(' ') && !line.starts_with('\t') {
            continue; // the key's own line, or blank
        }
        let trimmed = line.trim();
        let Some(type_at) = trimmed.find("    REG_") else {
            continue;
        };
        let name = trimmed[..type_at].trim().to_string();
        let after = trimmed[type_at..].trim_start();
        let data = match after.find("    ") {
            Some(i) => after[i..].trim().to_string(),
            None => String::new(), // a value with empty data
        };
        values.insert(name, data);
    }
    values
}

/// Parses the `State : Enabled` line of
/// `dism /online /get-featureinfo /featurename:Containers /English`, or the
/// `State` property printed by `Get-WindowsOptionalFeature`.
pub fn parse_feature_state(text: &str) -> FeatureState {
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if key.trim() != "State" {
            continue;
        }
        return match value.trim().to_ascii_lowercase().replace(' ', "").as_str() {
            "enabled" => FeatureState::Enabled,
            "disabled" | "disabledwithpayloadremoved" => FeatureState::Disabled,
            "enablepending" => FeatureState::EnablePending,
            "disablepending" => FeatureState::DisablePending,
            _ => FeatureState::Unknown,
        };
    }
    FeatureState::Unknown
}

/// The Windows architecture as a Debian name, from `PROCESSOR_ARCHITECTURE`
/// (and `PROCESSOR_ARCHITEW6432`, which a 32-bit process on 64-bit Windows sees).
pub fn arch_from_env(processor_architecture: &str, architew6432: Option<&str>) -> String {
    let native = architew6432.unwrap_or(processor_architecture);
    match native.to_ascii_uppercase().as_str() {
        "AMD64" => "amd64".to_string(),
        "ARM64" => "arm64".to_string(),
        "ARM" => "armhf".to_string(),
        "X86" => "i386".to_string(),
        other => other.to_ascii_lowercase(),
    }
}

/// Reads the live Windows facts with `reg` and `dism`.
#[cfg(windows)]
pub fn read_live() -> Result<(WindowsFacts, String), String> {
    let run = |program: &str, args: &[&str]| -> Option<String> {
        let out = duct::cmd(program, args)
            .stdout_capture()
            .stderr_null()
            .unchecked()
            .run()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let reg = run("reg", &["query", CURRENT_VERSION_KEY])
        .ok_or_else(|| format!("could not read {CURRENT_VERSION_KEY} with reg query"))?;
    let feature = run(
        "dism",
        &[
            "/online",
            "/get-featureinfo",
            "/featurename:Containers",
            "/English",
        ],
    )
    .map(|t| parse_feature_state(&t))
    .unwrap_or(FeatureState::Unknown);
    let mut facts = WindowsFacts::from_values(&parse_reg_query(&reg), feature)?;
    facts.existing = WindowsInstall::from_paths(|p| std::path::Path::new(p).exists());
    facts.battery = run(
        "powershell.exe",
        &[
            "-NoProfile",
            "-NonInteractive",
            "-Command",
            "(Get-CimInstance -ClassName Win32_Battery | Measure-Object).Count",
        ],
    )
    .and_then(|t| parse_battery_count(&t));
    let arch = arch_from_env(
        &std::env::var("PROCESSOR_ARCHITECTURE").unwrap_or_default(),
        std::env::var("PROCESSOR_ARCHITEW6432").ok().as_deref(),
    );
    Ok((facts, arch))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Recorded from `reg query "HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion"`
    // on Windows 10 IoT Enterprise LTSC 2019 (abridged to the values around ours).
    const IOT_ENTERPRISE: &str = "\r
HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\r
    SystemRoot    REG_SZ    C:\\Windows\r
    BuildBranch    REG_SZ    rs5_release\r
    BuildGUID    REG_SZ    ffffffff-ffff-ffff-ffff-ffffffffffff\r
    BuildLab    REG_SZ    17763.rs5_release.180914-1434\r
    CurrentBuild    REG_SZ    17763\r
    CurrentBuildNumber    REG_SZ    17763\r
    CurrentMajorVersionNumber    REG_DWORD    0xa\r
    CurrentType    REG_SZ    Multiprocessor Free\r
    CurrentVersion    REG_SZ    6.3\r
    EditionID    REG_SZ    IoTEnterpriseS\r
    InstallationType    REG_SZ    Client\r
    ProductName    REG_SZ    Windows 10 IoT Enterprise LTSC 2019\r
    ReleaseId    REG_SZ    1809\r
    UBR    REG_DWORD    0x6b5\r
    PathName    REG_SZ    C:\\Windows\r
    Customizations    REG_SZ    \r
\r
HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Accessibility\r
";

    const SERVER_CORE: &str = "
HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion
    CurrentBuildNumber    REG_SZ    17763
    EditionID    REG_SZ    ServerDatacenter
    InstallationType    REG_SZ    Server Core
    ProductName    REG_SZ    Windows Server 2019 Datacenter
    UBR    REG_DWORD    0x4a1
";

    const DISM_ENABLED: &str = "
Deployment Image Servicing and Management tool
Version: 10.0.17763.1

Image Version: 10.0.17763.1697

Feature Information:

Feature Name : Containers
Display Name : Containers
Description : Provides services and tools to create and manage Windows Server Containers and their resources.
Restart Required : Possible
State : Enabled

Custom Properties:

(No custom properties found)

The operation completed successfully.
";

    #[test]
    fn parses_reg_query_output() {
        let values = parse_reg_query(IOT_ENTERPRISE);
        assert_eq!(values["CurrentBuildNumber"], "17763");
        assert_eq!(values["ProductName"], "Windows 10 IoT Enterprise LTSC 2019");
        assert_eq!(values["InstallationType"], "Client");
        assert_eq!(values["Customizations"], "");
        assert_eq!(values["UBR"], "0x6b5");
        let facts = WindowsFacts::from_values(&values, FeatureState::Disabled).unwrap();
        assert_eq!(facts.build, 17763);
        assert_eq!(facts.ubr, Some(0x6b5));
        assert_eq!(facts.edition_id, "IoTEnterpriseS");
        assert!(!facts.is_iot_core());
    }

    #[test]
    fn parses_server_core() {
        let facts = WindowsFacts::from_values(&parse_reg_query(SERVER_CORE), FeatureState::Enabled)
            .unwrap();
        assert_eq!(facts.installation_type, "Server Core");
        assert_eq!(facts.ubr, Some(1185));
        assert_eq!(facts.product_name, "Windows Server 2019 Datacenter");
    }

    #[test]
    fn names_a_missing_value() {
        let err = WindowsFacts::from_values(
            &parse_reg_query("K\n    EditionID    REG_SZ    IoTUAP\n"),
            FeatureState::Unknown,
        )
        .unwrap_err();
        assert!(err.contains("CurrentBuildNumber"), "{err}");
        let mut values = parse_reg_query(SERVER_CORE);
        values.insert("CurrentBuildNumber".into(), "17763a".into());
        let err = WindowsFacts::from_values(&values, FeatureState::Unknown).unwrap_err();
        assert!(err.contains("'17763a'"), "{err}");
    }

    #[test]
    fn parses_feature_state() {
        assert_eq!(parse_feature_state(DISM_ENABLED), FeatureState::Enabled);
        assert_eq!(
            parse_feature_state("State : Enable Pending\n"),
            FeatureState::EnablePending
        );
        assert_eq!(
            parse_feature_state("State            : Disabled\r\n"),
            FeatureState::Disabled
        );
        assert_eq!(parse_feature_state("Error: 740\n"), FeatureState::Unknown);
    }

    #[test]
    fn tells_earlier_installs_apart() {
        let only = |paths: &'static [&'static str]| move |p: &str| paths.contains(&p);
        assert_eq!(
            WindowsInstall::from_paths(only(&[])),
            WindowsInstall::default()
        );
        let cab = WindowsInstall::from_paths(only(&[IOTEDGED_PATH, MOBY_PATH]));
        assert!(cab.iotedge && cab.moby && !cab.legacy_layout);
        let moby_only = WindowsInstall::from_paths(only(&[MOBY_PATH]));
        assert!(!moby_only.iotedge && moby_only.moby);
        assert!(WindowsInstall::from_paths(only(&[LEGACY_PATHS[0]])).legacy_layout);
        assert_eq!(parse_battery_count("1\r\n"), Some(true));
        assert_eq!(parse_battery_count("0"), Some(false));
        assert_eq!(parse_battery_count(""), None);
    }

    #[test]
    fn maps_processor_architecture() {
        assert_eq!(arch_from_env("AMD64", None), "amd64");
        assert_eq!(arch_from_env("x86", Some("AMD64")), "amd64");
        assert_eq!(arch_from_env("ARM", None), "armhf");
        assert_eq!(arch_from_env("x86", None), "i386");
    }
}
