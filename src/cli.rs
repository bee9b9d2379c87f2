//! The command line: clap types only. `settings` turns them, the environment
//! and the config file into validated settings.

use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use serde::Deserialize;

use crate::plan::EngineChoice;

/// edgeup turns a Linux or Windows machine into an Azure IoT Edge device:
/// it detects the platform, resolves the component versions from the release
/// table, and plans (then applies) the install.
#[derive(Debug, Parser)]
#[command(name = "edgeup", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Say more on stderr (repeat for more)
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,
    /// Say only warnings and errors on stderr
    #[arg(short, long, global = true, env = "EDGEUP_QUIET", value_parser = BoolishValueParser::new())]
    pub quiet: bool,
    /// When to use colors (NO_COLOR is honoured with auto)
    #[arg(
        long,
        global = true,
        value_enum,
        env = "EDGEUP_COLOR",
        value_name = "WHEN"
    )]
    pub color: Option<ColorChoice>,
    /// Read option values from this TOML file; flags and EDGEUP_* variables win over it
    #[arg(long, global = true, env = "EDGEUP_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print one JSON document on stdout instead of the human report
    #[arg(long, global = true, env = "EDGEUP_JSON", value_parser = BoolishValueParser::new())]
    pub json: bool,
    /// How messages on stderr look: text for people, or one JSON event per line
    #[arg(
        long,
        global = true,
        value_enum,
        env = "EDGEUP_LOG_FORMAT",
        value_name = "FORMAT"
    )]
    pub log_format: Option<LogFormat>,
}

/// The format of messages on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// When to use colors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the facts of this machine and its support verdict
    Detect(DetectArgs),
    /// Show the release table and the support matrix
    Releases,
    /// Show everything an install would do, changing nothing
    Plan(PlanArgs),
    /// Install, provision and verify IoT Edge on this machine
    Install(Box<InstallCommandArgs>),
    /// Check what edgeup installed: versions, services, `iotedge check`
    Verify(VerifyArgs),
    /// (Re)write the provisioning of an edgeup install and restart the daemon
    Provision(Box<ProvisionArgs>),
    /// Remove what edgeup installed, per its receipt
    Uninstall(UninstallArgs),
    /// DPS helpers
    #[command(subcommand)]
    Dps(DpsCommand),
    /// Download a file the way edgeup does: streamed, resumable, verified
    Fetch(FetchArgs),
    /// Make an offline bundle of everything an install needs, for another device
    Bundle(Box<BundleArgs>),
}

/// `edgeup bundle`.
#[derive(Debug, Args)]
pub struct BundleArgs {
    /// The platform of the device the bundle is for (see `edgeup releases`)
    #[arg(long, env = "EDGEUP_PLATFORM", value_name = "ID")]
    pub platform: Option<String>,
    /// Where to write the bundle (a tar file)
    #[arg(short, long, value_name = "FILE")]
    pub output: std::path::PathBuf,
    #[command(flatten)]
    pub install: InstallArgs,
    #[command(flatten)]
    pub download: DownloadArgs,
}

/// `edgeup fetch`.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The URL to download
    pub url: String,
    /// Where to put it
    #[arg(short, long, value_name = "FILE")]
    pub output: std::path::PathBuf,
    /// The expected sha256 (hex); a mismatch is exit 8 and leaves no file
    #[arg(long, value_name = "HEX")]
    pub sha256: Option<String>,
    #[command(flatten)]
    pub download: DownloadArgs,
}

/// How edgeup's own downloads behave.
#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// A proxy for downloads (http://host:port); the environment's are used otherwise
    #[arg(long = "proxy", env = "EDGEUP_PROXY", value_name = "URL")]
    pub download_proxy: Option<String>,
    /// Also trust these CA certificates (PEM), for proxies that re-sign TLS
    #[arg(long = "ca-cert", env = "EDGEUP_CA_CERT", value_name = "FILE")]
    pub download_ca_cert: Option<std::path::PathBuf>,
    /// Allow plain-http downloads whose sha256 edgeup does not know
    #[arg(long = "allow-http", env = "EDGEUP_ALLOW_HTTP", value_parser = BoolishValueParser::new())]
    pub download_allow_http: bool,
}

/// `edgeup provision`.
#[derive(Debug, Args)]
pub struct ProvisionArgs {
    #[command(flatten)]
    pub provisioning: ProvisioningArgs,
    /// Skip the verification at the end
    #[arg(long, env = "EDGEUP_NO_VERIFY", value_parser = BoolishValueParser::new())]
    pub no_verify: bool,
}

/// `edgeup uninstall`.
#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// Also remove the IoT Edge config and edgeup's receipt
    #[arg(long)]
    pub purge: bool,
    /// Keep the container engine (and the repository it updates from)
    #[arg(long)]
    pub keep_engine: bool,
}

/// `edgeup dps ...`.
#[derive(Debug, Subcommand)]
pub enum DpsCommand {
    /// Print the device key of a DPS symmetric-key group enrollment
    DeriveKey(DeriveKeyArgs),
}

/// `edgeup dps derive-key`.
#[derive(Debug, Args)]
pub struct DeriveKeyArgs {
    /// The enrollment group's primary key, from this file
    #[arg(long, env = "EDGEUP_GROUP_KEY_FILE", value_name = "FILE")]
    pub group_key_file: std::path::PathBuf,
    /// The device's registration ID
    #[arg(long, env = "EDGEUP_REGISTRATION_ID", value_name = "ID")]
    pub registration_id: String,
}

/// `edgeup install`.
#[derive(Debug, Args)]
pub struct InstallCommandArgs {
    #[command(flatten)]
    pub install: InstallArgs,
    #[command(flatten)]
    pub provisioning: ProvisioningArgs,
    /// Do not ask for confirmation
    #[arg(short = 'y', long, env = "EDGEUP_YES", value_parser = BoolishValueParser::new())]
    pub yes: bool,
    /// Skip the verification at the end
    #[arg(long, env = "EDGEUP_NO_VERIFY", value_parser = BoolishValueParser::new())]
    pub no_verify: bool,
    /// Show the plan and change nothing (same as `edgeup plan`)
    #[arg(long)]
    pub dry_run: bool,
    /// Wait up to SECS for edgeAgent to run when verifying
    #[arg(long, env = "EDGEUP_WAIT", value_name = "SECS")]
    pub wait: Option<u64>,
    /// Wait at most SECS for another process to release dpkg's (or rpm's) lock
    #[arg(long, env = "EDGEUP_LOCK_WAIT", value_name = "SECS")]
    pub lock_wait: Option<u64>,
    /// Also trust these CA certificates (PEM) for downloads, for proxies that re-sign TLS
    #[arg(long, env = "EDGEUP_CA_CERT", value_name = "FILE")]
    pub ca_cert: Option<std::path::PathBuf>,
    /// Allow plain-http downloads whose sha256 edgeup does not know (loopback is always allowed)
    #[arg(long, env = "EDGEUP_ALLOW_HTTP", value_parser = BoolishValueParser::new())]
    pub allow_http: bool,
    /// Install from this bundle (made by `edgeup bundle`), with no network access
    #[arg(long, env = "EDGEUP_OFFLINE", value_name = "BUNDLE")]
    pub offline: Option<std::path::PathBuf>,
    /// Wait a random 0..SECS before starting, so a fleet booting together does not stampede DPS
    #[arg(long, env = "EDGEUP_SPLAY", value_name = "SECS")]
    pub splay: Option<u64>,
}

/// How the device is provisioned.
#[derive(Debug, Args)]
pub struct ProvisioningArgs {
    /// Read the device connection string from this file
    #[arg(long, env = "EDGEUP_CONNECTION_STRING_FILE", value_name = "FILE")]
    pub connection_string_file: Option<std::path::PathBuf>,
    /// The device connection string (visible in the process list: prefer
    /// --connection-string-file or EDGEUP_CONNECTION_STRING)
    #[arg(
        long,
        env = "EDGEUP_CONNECTION_STRING",
        value_name = "CS",
        hide_env_values = true
    )]
    pub connection_string: Option<String>,
    /// DPS ID scope
    #[arg(long, env = "EDGEUP_SCOPE_ID", value_name = "SCOPE")]
    pub scope_id: Option<String>,
    /// DPS registration ID (default with --group-key-file: the host name)
    #[arg(long, env = "EDGEUP_REGISTRATION_ID", value_name = "ID")]
    pub registration_id: Option<String>,
    /// DPS individual enrollment: the device's symmetric key, from this file
    #[arg(long, env = "EDGEUP_SYMMETRIC_KEY_FILE", value_name = "FILE")]
    pub symmetric_key_file: Option<std::path::PathBuf>,
    /// DPS group enrollment: the group key, from this file; the device key is derived here
    #[arg(long, env = "EDGEUP_GROUP_KEY_FILE", value_name = "FILE")]
    pub group_key_file: Option<std::path::PathBuf>,
    /// DPS X.509: the identity certificate (PEM)
    #[arg(long, env = "EDGEUP_IDENTITY_CERT", value_name = "FILE")]
    pub identity_cert: Option<std::path::PathBuf>,
    /// DPS X.509: the identity private key (PEM)
    #[arg(long, env = "EDGEUP_IDENTITY_KEY", value_name = "FILE")]
    pub identity_key: Option<std::path::PathBuf>,
    /// DPS with TPM attestation
    #[arg(long, env = "EDGEUP_TPM", value_parser = BoolishValueParser::new())]
    pub tpm: bool,
    /// The device's host name in config.yaml (at most 64 characters, RFC 1123)
    #[arg(long, env = "EDGEUP_HOSTNAME", value_name = "NAME")]
    pub hostname: Option<String>,
    /// The Edge agent image (its tag is pinned to the resolved version when it has none)
    #[arg(long, env = "EDGEUP_AGENT_IMAGE", value_name = "IMAGE")]
    pub agent_image: Option<String>,
    /// A proxy for downloads and the Edge agent (http://host:port)
    #[arg(long, env = "EDGEUP_PROXY", value_name = "URL")]
    pub proxy: Option<String>,
}

/// `edgeup verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Wait up to SECS for edgeAgent to run
    #[arg(long, env = "EDGEUP_WAIT", value_name = "SECS")]
    pub wait: Option<u64>,
}

/// Which machine to read.
#[derive(Debug, Args)]
pub struct MachineArgs {
    /// Read this directory as the machine's root instead of /
    #[arg(long, env = "EDGEUP_ROOT", value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Take this as the userland architecture (amd64, armhf, arm64)
    #[arg(long, env = "EDGEUP_ARCH", value_name = "ARCH")]
    pub arch: Option<String>,
}

/// `edgeup detect`.
#[derive(Debug, Args)]
pub struct DetectArgs {
    #[command(flatten)]
    pub machine: MachineArgs,
}

/// `edgeup plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Plan for this platform (see `edgeup releases`) instead of this machine
    #[arg(long, env = "EDGEUP_PLATFORM", value_name = "ID", conflicts_with_all = ["root", "arch"])]
    pub platform: Option<String>,
    #[command(flatten)]
    pub machine: MachineArgs,
    #[command(flatten)]
    pub install: InstallArgs,
}

/// Options that shape what an install does.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// latest, a release (1.0.8) or a patch (1.0.8.3)
    #[arg(long = "version", env = "EDGEUP_VERSION", value_name = "V")]
    pub version: Option<String>,
    /// moby: install moby-engine; existing: keep the installed Docker CE/EE
    #[arg(long, value_enum, env = "EDGEUP_ENGINE", value_name = "ENGINE")]
    pub engine: Option<EngineChoice>,
    /// Package repository base [default: https://packages.microsoft.com]
    #[arg(long, env = "EDGEUP_MIRROR", value_name = "URL")]
    pub mirror: Option<String>,
    /// The repository signing key, a URL or a file [default: <mirror>/keys/microsoft.asc]
    #[arg(long, env = "EDGEUP_REPO_KEY", value_name = "PATH|URL")]
    pub repo_key: Option<String>,
    /// Release-asset base [default: https://github.com/Azure/azure-iotedge/releases/download]
    #[arg(long, env = "EDGEUP_ASSETS_URL", value_name = "URL")]
    pub assets_url: Option<String>,
    /// Debian archive holding libssl1.0.2 for Debian 10 systems whose distribution lacks it
    #[arg(long, env = "EDGEUP_DEBIAN_ARCHIVE", value_name = "URL")]
    pub debian_archive: Option<String>,
    /// On an unsupported platform, plan as the nearest supported one; on
    /// Yocto, Wind River and MEL, install the release assets with dpkg or rpm
    #[arg(long, env = "EDGEUP_FORCE", value_parser = BoolishValueParser::new())]
    pub force: bool,
    /// Windows: run Linux containers in Docker Desktop (development and testing only)
    #[arg(long, env = "EDGEUP_LINUX_CONTAINERS", value_parser = BoolishValueParser::new())]
    pub linux_containers: bool,
}
