//! Settings: flags and `EDGEUP_*` variables (through clap), then the config
//! file, then defaults; validated before anything is done with them.

use std::path::{Path, PathBuf};

use clap::ArgMatches;
use clap::parser::ValueSource;
use serde::Deserialize;

use crate::cli::{Cli, ColorChoice, Command};
use crate::error::{Error, Result};
use crate::plan::{self, EngineChoice, PlanOptions};
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

/// What to run, with validated settings.
#[derive(Debug, Clone)]
pub enum Task {
    Detect(MachineSettings),
    Releases,
    Plan(PlanSettings),
}

/// Everything a run needs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub output: OutputSettings,
    pub task: Task,
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
        };
        let machine = |m: crate::cli::MachineArgs| MachineSettings {
            root: m.root.or_else(|| file.root.clone()),
            arch: m.arch.or_else(|| file.arch.clone()),
        };
        let task = match cli.command {
            Command::Detect(args) => Task::Detect(machine(args.machine)),
            Command::Releases => Task::Releases,
            Command::Plan(args) => {
                let install = args.install;
                let platform = args.platform.or_else(|| file.platform.clone());
                let machine = machine(args.machine);
                if platform.is_some() && (machine.root.is_some() || machine.arch.is_some()) {
                    return Err(Error::usage(
                        "--platform plans for another device, so --root and --arch do not apply",
                        "give either --platform ID, or --root/--arch (in flags, environment or config file)",
                    ));
                }
                let version_text = install
                    .version
                    .or_else(|| file.version.clone())
                    .unwrap_or_else(|| "latest".to_string());
                let mirror =
                    url_option("--mirror", install.mirror.or_else(|| file.mirror.clone()))?
                        .unwrap_or_else(|| plan::DEFAULT_MIRROR.to_string());
                let repo_key = install
                    .repo_key
                    .or_else(|| file.repo_key.clone())
                    .map(|k| key_option(&k))
                    .transpose()?
                    .unwrap_or_else(|| plan::default_repo_key(&mirror));
                Task::Plan(PlanSettings {
                    platform,
                    machine,
                    version: VersionRequest::parse(&version_text)?,
                    force: flag(sub, "force", install.force, file.force),
                    options: PlanOptions {
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
                    },
                })
            }
        };
        Ok(Settings { output, task })
    }
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
