//! Settings: flags and `EDGEUP_*` variables (through clap), then the config
//! file, then defaults; validated before anything is done with them.

use std::path::{Path, PathBuf};

use clap::ArgMatches;
use clap::parser::ValueSource;
use serde::Deserialize;

use crate::cli::{Cli, ColorChoice, Command};
use crate::error::{Error, Result};
use crate::plan::{self, EngineChoice, PlanOptions};
use crate::provisioning::{self, Attestation, ConnectionString, Provisioning};
use crate::resolve::VersionRequest;

/// The config file (`--config FILE`): every key is a long option's name.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    pub color: Option<ColorChoice>,
    pub quiet: Option<bool>,
    pub json: Option<bool>,
    pub root: Option<PathBuf>,
    pub arch: Option<String>,
    pub platform: Option<String>,
    pub version: Option<String>,
    pub engine: Option<EngineChoice>,
    pub mirror: Option<String>,
    pub repo_key: Option<String>,
    pub assets_url: Option<String>,
    pub debian_archive: Option<String>,
    pub force: Option<bool>,
    pub connection_string_file: Option<PathBuf>,
    pub connection_string: Option<String>,
    pub scope_id: Option<String>,
    pub registration_id: Option<String>,
    pub symmetric_key_file: Option<PathBuf>,
    pub group_key_file: Option<PathBuf>,
    pub identity_cert: Option<PathBuf>,
    pub identity_key: Option<PathBuf>,
    pub tpm: Option<bool>,
    pub hostname: Option<String>,
    pub agent_image: Option<String>,
    pub proxy: Option<String>,
    pub yes: Option<bool>,
    pub no_verify: Option<bool>,
    pub wait: Option<u64>,
    pub lock_wait: Option<u64>,
    pub ca_cert: Option<PathBuf>,
    pub allow_http: Option<bool>,
    pub offline: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub linux_containers: Option<bool>,
    pub log_format: Option<crate::cli::LogFormat>,
    pub splay: Option<u64>,
}

impl ConfigFile {
    /// Reads and parses a config file; errors name the file and the key.
    pub fn load(path: &Path) -> Result<ConfigFile> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::bad_input(
                "--config",
                path.display().to_string(),
                format!("cannot be read: {e}"),
                "give the path of a readable TOML file",
            )
        })?;
        toml::from_str(&text).map_err(|e| {
            Error::bad_input(
                "--config",
                path.display().to_string(),
                e.to_string().trim().replace('\n', " "),
                "keys are the long option names (version, mirror, force, ...); see the README",
            )
        })
    }
}

/// How much to say on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
    Debug,
}

/// Output settings.
#[derive(Debug, Clone)]
pub struct OutputSettings {
    pub verbosity: Verbosity,
    pub color: ColorChoice,
    pub json: bool,
    /// `--log-format json`: one JSON event per line on stderr.
    pub log_json: bool,
}

/// Which machine to read.
#[derive(Debug, Clone, Default)]
pub struct MachineSettings {
    pub root: Option<PathBuf>,
    pub arch: Option<String>,
}

/// Validated settings of `plan`.
#[derive(Debug, Clone)]
pub struct PlanSettings {
    pub platform: Option<String>,
    pub machine: MachineSettings,
    pub version: VersionRequest,
    pub force: bool,
    pub options: PlanOptions,
}

/// Validated settings of `install`.
#[derive(Debug, Clone)]
pub struct InstallSettings {
    pub version: VersionRequest,
    pub force: bool,
    pub options: PlanOptions,
    pub provisioning: Option<Provisioning>,
    pub hostname: Option<String>,
    pub agent_image: Option<String>,
    pub proxy: Option<String>,
    pub yes: bool,
    pub verify: bool,
    pub dry_run: bool,
    pub wait: Option<u64>,
    pub lock_wait: u64,
    /// How edgeup's own downloads behave.
    pub fetch: crate::fetch::FetchOptions,
    /// `--offline BUNDLE`.
    pub offline: Option<PathBuf>,
    /// Whether --version was given (flag, environment or file).
    pub version_given: bool,
    /// `--splay SECS`.
    pub splay: Option<u64>,
}

/// What to run, with validated settings.
#[derive(Debug, Clone)]
pub enum Task {
    Detect(MachineSettings),
    Releases,
    Plan(PlanSettings),
    Install(Box<InstallSettings>),
    Verify {
        wait: Option<u64>,
    },
    Provision {
        provisioning: Box<Provisioning>,
        hostname: Option<String>,
        verify: bool,
    },
    Uninstall(crate::uninstall::UninstallOptions),
    DeriveKey {
        group_key: provisioning::Secret,
        registration_id: String,
    },
    Bundle {
        platform: String,
        output: PathBuf,
        version: VersionRequest,
        options: PlanOptions,
        fetch: crate::fetch::FetchOptions,
    },
    Fetch {
        url: String,
        output: PathBuf,
        sha256: Option<String>,
        options: crate::fetch::FetchOptions,
    },
}

/// Everything a run needs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub output: OutputSettings,
    pub task: Task,
    /// Said on stderr before the task runs (secret files others may read).
    pub warnings: Vec<String>,
}

/// Whether a value came from the command line or the environment.
fn explicit(matches: &ArgMatches, id: &str) -> bool {
    matches!(
        matches.value_source(id),
        Some(ValueSource::CommandLine | ValueSource::EnvVariable)
    )
}

/// A bool option: flag or env first, then the file, then false.
fn flag(matches: &ArgMatches, id: &str, value: bool, file: Option<bool>) -> bool {
    if explicit(matches, id) {
        value
    } else {
        file.unwrap_or(false)
    }
}

impl Settings {
    /// Merges the parsed command line (and the environment clap read) with
    /// the config file, and validates the result.
    pub fn resolve(cli: Cli, matches: &ArgMatches) -> Result<Settings> {
        let file = match &cli.global.config {
            Some(path) => ConfigFile::load(path)?,
            None => ConfigFile::default(),
        };
        let mut warnings = Vec::new();
        if let Some(path) = &cli.global.config
            && file.connection_string.is_some()
        {
            warnings.extend(readable_by_others("the config file", path));
        }
        let (_, sub) = matches.subcommand().expect("clap requires a subcommand");
        let verbosity = if flag(sub, "quiet", cli.global.quiet, file.quiet) {
            Verbosity::Quiet
        } else {
            match cli.global.verbose {
                0 => Verbosity::Normal,
                1 => Verbosity::Verbose,
                _ => Verbosity::Debug,
            }
        };
        let output = OutputSettings {
            verbosity,
            color: cli.global.color.or(file.color).unwrap_or(ColorChoice::Auto),
            json: flag(sub, "json", cli.global.json, file.json),
            log_json: cli.global.log_format.or(file.log_format)
                == Some(crate::cli::LogFormat::Json),
        };
        let machine = |m: crate::cli::MachineArgs| MachineSettings {
            root: m.root.or_else(|| file.root.clone()),
            arch: m.arch.or_else(|| file.arch.clone()),
        };
        let task = match cli.command {
            Command::Detect(args) => Task::Detect(machine(args.machine)),
            Command::Releases => Task::Releases,
            Command::Plan(args) => {
                let platform = args.platform.or_else(|| file.platform.clone());
                let machine = machine(args.machine);
                if platform.is_some() && (machine.root.is_some() || machine.arch.is_some()) {
                    return Err(Error::usage(
                        "--platform plans for another device, so --root and --arch do not apply",
                        "give either --platform ID, or --root/--arch (in flags, environment or config file)",
                    ));
                }
                let (version, force, options) = install_options(args.install, &file, sub)?;
                Task::Plan(PlanSettings {
                    platform,
                    machine,
                    version,
                    force,
                    options,
                })
            }
            Command::Install(args) => {
                let args = *args;
                let version_given = args.install.version.is_some() || file.version.is_some();
                let (version, force, options) = install_options(args.install, &file, sub)?;
                let p = args.provisioning;
                let agent_image = p.agent_image.clone().or_else(|| file.agent_image.clone());
                let proxy = url_option("--proxy", p.proxy.clone().or_else(|| file.proxy.clone()))?;
                let (inputs, hostname) = provisioning_inputs(p, &file, sub)?;
                warnings.extend(inputs.secret_file_warnings());
                Task::Install(Box::new(InstallSettings {
                    version,
                    force,
                    options,
                    provisioning: inputs.resolve()?,
                    hostname,
                    agent_image,
                    proxy,
                    yes: flag(sub, "yes", args.yes, file.yes),
                    verify: !flag(sub, "no_verify", args.no_verify, file.no_verify),
                    dry_run: args.dry_run,
                    wait: args.wait.or(file.wait),
                    lock_wait: args.lock_wait.or(file.lock_wait).unwrap_or(300),
                    fetch: crate::fetch::FetchOptions {
                        ca_cert: match args.ca_cert.or_else(|| file.ca_cert.clone()) {
                            Some(p) if !p.is_file() => {
                                return Err(Error::bad_input(
                                    "--ca-cert",
                                    p.display().to_string(),
                                    "no such file",
                                    "give the PEM file of the CA that signs your proxy's certificates",
                                ));
                            }
                            other => other,
                        },
                        allow_http: flag(sub, "allow_http", args.allow_http, file.allow_http),
                        ..crate::fetch::FetchOptions::default()
                    },
                    offline: args.offline.or_else(|| file.offline.clone()),
                    version_given,
                    splay: args.splay.or(file.splay),
                }))
            }
            Command::Verify(args) => Task::Verify {
                wait: args.wait.or(file.wait),
            },
            Command::Provision(args) => {
                let args = *args;
                let (inputs, hostname) = provisioning_inputs(args.provisioning, &file, sub)?;
                warnings.extend(inputs.secret_file_warnings());
                let provisioning = inputs.resolve()?.ok_or_else(|| {
                    Error::usage(
                        "provision needs provisioning options",
                        "give --connection-string-file, or --scope-id with one DPS attestation",
                    )
                })?;
                Task::Provision {
                    provisioning: Box::new(provisioning),
                    hostname,
                    verify: !flag(sub, "no_verify", args.no_verify, file.no_verify),
                }
            }
            Command::Uninstall(args) => Task::Uninstall(crate::uninstall::UninstallOptions {
                purge: args.purge,
                keep_engine: args.keep_engine,
            }),
            Command::Bundle(args) => {
                let args = *args;
                let platform = args.platform.or_else(|| file.platform.clone()).ok_or_else(
                    || {
                        Error::usage(
                            "bundle needs --platform, the device's platform",
                            "run `edgeup releases` for the IDs, or `edgeup detect` on the device",
                        )
                    },
                )?;
                let fetch = download_options(&args.download, &file, sub)?;
                let (version, _, options) = install_options(args.install, &file, sub)?;
                Task::Bundle {
                    platform,
                    output: args.output,
                    version,
                    options,
                    fetch,
                }
            }
            Command::Fetch(args) => {
                if let Some(h) = &args.sha256
                    && (h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()))
                {
                    return Err(Error::bad_input(
                        "--sha256",
                        h,
                        "a sha256 is 64 hexadecimal digits",
                        "copy it from the .sha256 file or `sha256sum` output",
                    ));
                }
                Task::Fetch {
                    options: download_options(&args.download, &file, sub)?,
                    url: args.url,
                    output: args.output,
                    sha256: args.sha256,
                }
            }
            Command::Dps(crate::cli::DpsCommand::DeriveKey(args)) => Task::DeriveKey {
                group_key: provisioning::parse_key(
                    "--group-key-file",
                    &read_secret_file("--group-key-file", &args.group_key_file)?,
                )?,
                registration_id: {
                    provisioning::validate_registration_id(&args.registration_id)?;
                    args.registration_id
                },
            },
        };
        Ok(Settings {
            output,
            task,
            warnings,
        })
    }
}

/// Whether `--json` was asked for (flag, environment, else the config file
/// when it loads), for an error that stops the run before the settings are
/// resolved: it still becomes the one JSON document on stdout.
pub fn json_requested(matches: &ArgMatches) -> bool {
    let Some((_, sub)) = matches.subcommand() else {
        return false;
    };
    let value = sub
        .try_get_one::<bool>("json")
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false);
    let file = || {
        sub.try_get_one::<PathBuf>("config")
            .ok()
            .flatten()
            .and_then(|p| ConfigFile::load(p).ok())
            .and_then(|f| f.json)
    };
    if explicit(sub, "json") {
        value
    } else {
        file().unwrap_or(false)
    }
}

/// A warning when other users may read a file that holds a secret.
fn readable_by_others(what: &str, path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o7777;
        (mode & 0o077 != 0).then(|| {
            format!(
                "{what} {} holds a secret and other users may read it (mode {mode:04o}): chmod 600 it",
                path.display()
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = (what, path);
        None
    }
}

/// The options shared by `plan` and `install`, merged and validated.
fn install_options(
    install: crate::cli::InstallArgs,
    file: &ConfigFile,
    sub: &ArgMatches,
) -> Result<(VersionRequest, bool, PlanOptions)> {
    let version_text = install
        .version
        .or_else(|| file.version.clone())
        .unwrap_or_else(|| "latest".to_string());
    let mirror = url_option("--mirror", install.mirror.or_else(|| file.mirror.clone()))?
        .unwrap_or_else(|| plan::DEFAULT_MIRROR.to_string());
    let repo_key = install
        .repo_key
        .or_else(|| file.repo_key.clone())
        .map(|k| key_option(&k))
        .transpose()?
        .unwrap_or_else(|| plan::default_repo_key(&mirror));
    let options = PlanOptions {
        repo_key,
        assets_url: url_option(
            "--assets-url",
            install.assets_url.or_else(|| file.assets_url.clone()),
        )?
        .unwrap_or_else(|| plan::DEFAULT_ASSETS_URL.to_string()),
        debian_archive: url_option(
            "--debian-archive",
            install
                .debian_archive
                .or_else(|| file.debian_archive.clone()),
        )?,
        engine: install.engine.or(file.engine).unwrap_or(EngineChoice::Moby),
        mirror,
        proxy: None,
        linux_containers: flag(
            sub,
            "linux_containers",
            install.linux_containers,
            file.linux_containers,
        ),
    };
    Ok((
        VersionRequest::parse(&version_text)?,
        flag(sub, "force", install.force, file.force),
        options,
    ))
}

/// Download options from the flags, environment and file.
fn download_options(
    args: &crate::cli::DownloadArgs,
    file: &ConfigFile,
    sub: &ArgMatches,
) -> Result<crate::fetch::FetchOptions> {
    let ca_cert = args
        .download_ca_cert
        .clone()
        .or_else(|| file.ca_cert.clone());
    if let Some(p) = &ca_cert
        && !p.is_file()
    {
        return Err(Error::bad_input(
            "--ca-cert",
            p.display().to_string(),
            "no such file",
            "give the PEM file of the CA that signs your proxy's certificates",
        ));
    }
    Ok(crate::fetch::FetchOptions {
        proxy: url_option(
            "--proxy",
            args.download_proxy.clone().or_else(|| file.proxy.clone()),
        )?,
        ca_cert,
        allow_http: flag(
            sub,
            "download_allow_http",
            args.download_allow_http,
            file.allow_http,
        ),
        ..crate::fetch::FetchOptions::default()
    })
}

/// The provisioning inputs and host name of the command line, environment and file.
fn provisioning_inputs(
    p: crate::cli::ProvisioningArgs,
    file: &ConfigFile,
    sub: &ArgMatches,
) -> Result<(ProvisioningInputs, Option<String>)> {
    let hostname = p.hostname.or_else(|| file.hostname.clone());
    if let Some(h) = &hostname {
        provisioning::validate_hostname(h).map_err(|problem| {
            Error::bad_input(
                "--hostname",
                h,
                problem,
                "give a DNS name of at most 64 characters: letters, digits and '-' in dot-separated labels",
            )
        })?;
    }
    let inputs = ProvisioningInputs {
        connection_string_file: p
            .connection_string_file
            .or_else(|| file.connection_string_file.clone()),
        connection_string: p
            .connection_string
            .or_else(|| file.connection_string.clone()),
        scope_id: p.scope_id.or_else(|| file.scope_id.clone()),
        registration_id: p.registration_id.or_else(|| file.registration_id.clone()),
        symmetric_key_file: p
            .symmetric_key_file
            .or_else(|| file.symmetric_key_file.clone()),
        group_key_file: p.group_key_file.or_else(|| file.group_key_file.clone()),
        identity_cert: p.identity_cert.or_else(|| file.identity_cert.clone()),
        identity_key: p.identity_key.or_else(|| file.identity_key.clone()),
        tpm: flag(sub, "tpm", p.tpm, file.tpm),
    };
    Ok((inputs, hostname))
}

/// Provisioning values as given, before validation.
#[derive(Debug, Default)]
pub struct ProvisioningInputs {
    pub connection_string_file: Option<PathBuf>,
    pub connection_string: Option<String>,
    pub scope_id: Option<String>,
    pub registration_id: Option<String>,
    pub symmetric_key_file: Option<PathBuf>,
    pub group_key_file: Option<PathBuf>,
    pub identity_cert: Option<PathBuf>,
    pub identity_key: Option<PathBuf>,
    pub tpm: bool,
}

/// Reads a secret file; errors name the option and the path, never the content.
fn read_secret_file(what: &str, path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| {
        Error::bad_input(
            what,
            path.display().to_string(),
            format!("cannot be read: {e}"),
            "give the path of a readable file",
        )
    })
}

fn existing_file(what: &str, path: &Path) -> Result<String> {
    if path.is_file() {
        Ok(path.display().to_string())
    } else {
        Err(Error::bad_input(
            what,
            path.display().to_string(),
            "no such file",
            "give the path of the PEM file on this device",
        ))
    }
}

impl ProvisioningInputs {
    /// Warnings for the secret files that other users may read.
    pub fn secret_file_warnings(&self) -> Vec<String> {
        [
            ("--connection-string-file", &self.connection_string_file),
            ("--symmetric-key-file", &self.symmetric_key_file),
            ("--group-key-file", &self.group_key_file),
        ]
        .into_iter()
        .filter_map(|(what, path)| readable_by_others(what, path.as_deref()?))
        .collect()
    }

    /// Validates the inputs into at most one provisioning, reading secret
    /// files now so that a bad value stops the run before any change.
    pub fn resolve(self) -> Result<Option<Provisioning>> {
        let manual = self.connection_string_file.is_some() || self.connection_string.is_some();
        let dps_attestations = [
            self.symmetric_key_file.is_some(),
            self.group_key_file.is_some(),
            self.identity_cert.is_some() || self.identity_key.is_some(),
            self.tpm,
        ];
        let dps = self.scope_id.is_some() || dps_attestations.iter().any(|a| *a);
        if manual && dps {
            return Err(Error::usage(
                "both a connection string and DPS options were given",
                "provision either manually (--connection-string-file) or with DPS (--scope-id and one attestation), not both",
            ));
        }
        if self.connection_string_file.is_some() && self.connection_string.is_some() {
            return Err(Error::usage(
                "both --connection-string-file and a connection string (flag or EDGEUP_CONNECTION_STRING) were given",
                "give the connection string one way",
            ));
        }
        if manual {
            let text = match (&self.connection_string_file, self.connection_string) {
                (Some(path), _) => read_secret_file("--connection-string-file", path)?,
                (None, Some(cs)) => cs,
                (None, None) => unreachable!("manual means one of them is set"),
            };
            return Ok(Some(Provisioning::Manual(ConnectionString::parse(&text)?)));
        }
        if !dps {
            return Ok(None);
        }
        let scope_id = self.scope_id.clone().ok_or_else(|| {
            Error::usage(
                "DPS options were given without --scope-id",
                "add --scope-id with the DPS ID scope (0ne...)",
            )
        })?;
        if scope_id.is_empty() || !scope_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::bad_input(
                "--scope-id",
                &scope_id,
                "an ID scope has only letters and digits",
                "copy the ID scope from the DPS overview (0ne...)",
            ));
        }
        let count = dps_attestations.iter().filter(|a| **a).count();
        if count != 1 {
            return Err(Error::usage(
                format!("DPS needs exactly one attestation, {count} were given"),
                "give one of --symmetric-key-file, --group-key-file, --identity-cert with --identity-key, or --tpm",
            ));
        }
        let registration_id = |required: bool| -> Result<Option<String>> {
            match &self.registration_id {
                Some(id) => provisioning::validate_registration_id(id).map(|_| Some(id.clone())),
                None if required => Err(Error::usage(
                    "this attestation needs --registration-id",
                    "add --registration-id (the enrollment's registration ID)",
                )),
                None => Ok(None),
            }
        };
        let attestation = if let Some(path) = &self.symmetric_key_file {
            let key = provisioning::parse_key(
                "--symmetric-key-file",
                &read_secret_file("--symmetric-key-file", path)?,
            )?;
            Attestation::SymmetricKey {
                registration_id: registration_id(true)?.unwrap_or_default(),
                key,
            }
        } else if let Some(path) = &self.group_key_file {
            let group = provisioning::parse_key(
                "--group-key-file",
                &read_secret_file("--group-key-file", path)?,
            )?;
            let id = match registration_id(false)? {
                Some(id) => id,
                None => default_registration_id()?,
            };
            let key = provisioning::derive_device_key(&group, &id)?;
            Attestation::SymmetricKey {
                registration_id: id,
                key,
            }
        } else if self.tpm {
            Attestation::Tpm {
                registration_id: registration_id(true)?.unwrap_or_default(),
            }
        } else {
            let (Some(cert), Some(key)) = (&self.identity_cert, &self.identity_key) else {
                return Err(Error::usage(
                    "X.509 needs both --identity-cert and --identity-key",
                    "give both PEM files",
                ));
            };
            Attestation::X509 {
                registration_id: registration_id(false)?,
                identity_cert: existing_file("--identity-cert", cert)?,
                identity_key: existing_file("--identity-key", key)?,
            }
        };
        Ok(Some(Provisioning::Dps {
            global_endpoint: provisioning::DPS_GLOBAL_ENDPOINT.to_string(),
            scope_id,
            attestation,
        }))
    }
}

/// The default registration ID of a group enrollment: the host name, lower-cased.
fn default_registration_id() -> Result<String> {
    let name = std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_ascii_lowercase())
        .unwrap_or_default();
    provisioning::validate_registration_id(&name)
        .map(|_| name.clone())
        .map_err(|_| {
            Error::usage(
                format!("the host name '{name}' is not a usable registration ID"),
                "give --registration-id",
            )
        })
}

/// Checks that a URL option is an http(s) URL with a host; trims a trailing slash.
pub fn url_option(what: &str, value: Option<String>) -> Result<Option<String>> {
    let Some(value) = value else { return Ok(None) };
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let host = rest.map(|r| r.split('/').next().unwrap_or(""));
    match host {
        Some(h) if !h.is_empty() && !h.contains(char::is_whitespace) => {
            Ok(Some(value.trim_end_matches('/').to_string()))
        }
        _ => Err(Error::bad_input(
            what,
            crate::facts::linux::redact_url_credentials(&value),
            "not an http:// or https:// URL with a host",
            format!("give a URL like https://mirror.example.com/base for {what}"),
        )),
    }
}

/// A repository key is a URL or an existing file.
fn key_option(value: &str) -> Result<String> {
    if value.starts_with("http://") || value.starts_with("https://") {
        return Ok(url_option("--repo-key", Some(value.to_string()))?.unwrap_or_default());
    }
    if Path::new(value).is_file() {
        return Ok(value.to_string());
    }
    Err(Error::bad_input(
        "--repo-key",
        value,
        "neither an http(s) URL nor an existing file",
        "give the URL of the repository's signing key or the path of a key file (.asc or .gpg)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_options_are_checked() {
        assert_eq!(
            url_option("--mirror", Some("http://127.0.0.1:8080/".into())).unwrap(),
            Some("http://127.0.0.1:8080".into())
        );
        for bad in [
            "ftp://x",
            "packages.microsoft.com",
            "https://",
            "https:// x",
        ] {
            let err = url_option("--mirror", Some(bad.into())).unwrap_err();
            assert_eq!(err.exit_code(), crate::error::ExitCode::BadInput, "{bad}");
            assert!(err.to_string().contains("--mirror"), "{err}");
        }
        let err = url_option("--mirror", Some("ftp://user:pw@host".into())).unwrap_err();
        assert!(
            !err.to_string().contains("pw"),
            "credentials are redacted: {err}"
        );
    }

    #[test]
    fn config_file_names_unknown_keys() {
        let err = toml::from_str::<ConfigFile>("versoin = \"1.0.8\"\n").unwrap_err();
        assert!(err.to_string().contains("versoin"), "{err}");
        let ok: ConfigFile =
            toml::from_str("version = \"1.0.8\"\nrepo-key = \"/k.asc\"\nforce = true\n").unwrap();
        assert_eq!(ok.version.as_deref(), Some("1.0.8"));
        assert_eq!(ok.repo_key.as_deref(), Some("/k.asc"));
        assert_eq!(ok.force, Some(true));
    }
}
