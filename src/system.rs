//! The narrow interface through which edgeup changes a machine: run a
//! command (always with a purpose, never through a shell), read and write
//! files (atomically, with mode and owner), and fetch URLs. The executor
//! only talks to a [`System`], so tests can put a recording double in its
//! place.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};

/// A command to run, with the reason it is run (used in errors and logs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSpec {
    pub program: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub purpose: String,
}

impl CommandSpec {
    /// `program args...` run for `purpose`.
    pub fn new(purpose: impl Into<String>, program: &str, args: &[&str]) -> CommandSpec {
        CommandSpec {
            program: program.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
            env: Vec::new(),
            purpose: purpose.into(),
        }
    }

    /// Adds arguments.
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> CommandSpec {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable for the child.
    pub fn env(mut self, key: &str, value: &str) -> CommandSpec {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// The command line for people (arguments are not secrets by construction).
    pub fn display(&self) -> String {
        std::iter::once(self.program.as_str())
            .chain(self.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What a finished command printed and how it exited.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandOutput {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl CommandOutput {
    /// Whether it exited 0.
    pub fn success(&self) -> bool {
        self.status == 0
    }

    /// The last lines of stdout and of stderr, for error messages: apt
    /// prints a maintainer script's own words on stdout and its verdict on
    /// stderr.
    pub fn tail(&self, lines: usize) -> String {
        let last = |text: &str, n: usize| {
            let all: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            all[all.len().saturating_sub(n)..].join("\n")
        };
        [
            last(&self.stdout, lines / 2),
            last(&self.stderr, lines - lines / 2),
        ]
        .into_iter()
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
    }

    /// Turns a failed run into an error naming the purpose.
    pub fn check(self, cmd: &CommandSpec) -> Result<CommandOutput> {
        if self.success() {
            Ok(self)
        } else {
            Err(Error::Failed {
                context: format!(
                    "{} (`{}` exited {})",
                    cmd.purpose,
                    cmd.display(),
                    self.status
                ),
                detail: self.tail(12),
            })
        }
    }
}

/// File ownership, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub user: String,
    pub group: String,
}

/// The effects edgeup has on a machine.
pub trait System {
    /// Runs a command to completion; `Err` only when it cannot be started.
    fn run(&self, cmd: &CommandSpec) -> Result<CommandOutput>;
    /// Reads a file; `None` when it does not exist.
    fn read(&self, path: &Path) -> Result<Option<Vec<u8>>>;
    /// Writes a file atomically (temp file beside it, then rename), creating
    /// parent directories, with this mode and (when given) owner.
    fn write(&self, path: &Path, bytes: &[u8], mode: u32, owner: Option<&Owner>) -> Result<()>;
    /// Removes a file if it exists.
    fn remove(&self, path: &Path) -> Result<()>;
    /// Fetches a URL (a small file such as a key) into memory.
    fn fetch(&self, url: &str) -> Result<Vec<u8>>;
    /// Downloads a URL to a file: streamed, hashed, renamed into place only
    /// when complete (and matching `sha256` when given). Returns the sha256.
    fn fetch_file(&self, url: &str, dest: &Path, sha256: Option<&str>) -> Result<String>;
    /// The mode of a file, when it exists.
    fn mode(&self, path: &Path) -> Result<Option<u32>>;
    /// Sleeps (a double returns at once).
    fn sleep(&self, duration: Duration);
    /// The proxy edgeup and the package manager use, when one was given.
    fn proxy(&self) -> Option<&str> {
        None
    }
}

/// The running machine.
pub struct RealSystem {
    /// How downloads behave (`--proxy`, `--ca-cert`, `--allow-http`).
    pub fetch: crate::fetch::FetchOptions,
    /// Where download progress goes.
    pub progress: Box<dyn crate::fetch::FetchProgress>,
}

impl Default for RealSystem {
    fn default() -> Self {
        RealSystem {
            fetch: crate::fetch::FetchOptions::default(),
            progress: Box::new(crate::fetch::NoProgress),
        }
    }
}

fn io_error(action: &'static str, path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

impl System for RealSystem {
    fn run(&self, cmd: &CommandSpec) -> Result<CommandOutput> {
        let mut expr = duct::cmd(&cmd.program, &cmd.args)
            .stdout_capture()
            .stderr_capture()
            .stdin_null()
            .unchecked();
        for (k, v) in &cmd.env {
            expr = expr.env(k, v);
        }
        let out = expr.run().map_err(|e| Error::Failed {
            context: format!("{} (could not start `{}`)", cmd.purpose, cmd.program),
            detail: e.to_string(),
        })?;
        Ok(CommandOutput {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    fn read(&self, path: &Path) -> Result<Option<Vec<u8>>> {
        match std::fs::read(path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error("read", path, e)),
        }
    }

    fn write(&self, path: &Path, bytes: &[u8], mode: u32, owner: Option<&Owner>) -> Result<()> {
        let dir = path.parent().unwrap_or(Path::new("/"));
        std::fs::create_dir_all(dir).map_err(|e| io_error("create the directory", dir, e))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp: PathBuf = dir.join(format!(".{name}.edgeup-{}", std::process::id()));
        let result = (|| {
            let mut file =
                std::fs::File::create(&temp).map_err(|e| io_error("create", &temp, e))?;
            file.write_all(bytes)
                .map_err(|e| io_error("write", &temp, e))?;
            file.sync_all().map_err(|e| io_error("sync", &temp, e))?;
            set_mode(&temp, mode)?;
            if let Some(owner) = owner {
                chown(&temp, owner)?;
            }
            std::fs::rename(&temp, path).map_err(|e| io_error("rename into place", path, e))
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        result
    }

    fn remove(&self, path: &Path) -> Result<()> {
        match std::fs::remove_file(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error("remove", path, e)),
        }
    }

    fn fetch(&self, url: &str) -> Result<Vec<u8>> {
        crate::fetch::Fetcher::new(self.fetch.clone())?.fetch_bytes(url)
    }

    fn fetch_file(&self, url: &str, dest: &Path, sha256: Option<&str>) -> Result<String> {
        let fetched = crate::fetch::Fetcher::new(self.fetch.clone())?.fetch_to(
            url,
            dest,
            sha256,
            self.progress.as_ref(),
        )?;
        Ok(fetched.sha256)
    }

    fn mode(&self, path: &Path) -> Result<Option<u32>> {
        match std::fs::metadata(path) {
            Ok(m) => Ok(Some(mode_of(&m))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error("inspect", path, e)),
        }
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }

    fn proxy(&self) -> Option<&str> {
        self.fetch.proxy.as_deref()
    }
}

#[cfg(unix)]
fn mode_of(m: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(_: &std::fs::Metadata) -> u32 {
    0o644
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| io_error("set the mode of", path, e))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> Result<()> {
    Ok(())
}

/// Changes the owner by user and group name (looked up in the system's databases).
#[cfg(unix)]
fn chown(path: &Path, owner: &Owner) -> Result<()> {
    let uid = lookup_id("/etc/passwd", &owner.user)?;
    let gid = lookup_id("/etc/group", &owner.group)?;
    std::os::unix::fs::chown(path, Some(uid), Some(gid))
        .map_err(|e| io_error("change the owner of", path, e))
}

#[cfg(not(unix))]
fn chown(_: &Path, _: &Owner) -> Result<()> {
    Ok(())
}

/// The numeric ID of a name in `/etc/passwd` or `/etc/group`.
#[cfg(unix)]
fn lookup_id(database: &str, name: &str) -> Result<u32> {
    let text =
        std::fs::read_to_string(database).map_err(|e| io_error("read", Path::new(database), e))?;
    text.lines()
        .find_map(|l| {
            let mut f = l.split(':');
            (f.next() == Some(name)).then(|| f.nth(1).and_then(|id| id.parse().ok()))?
        })
        .ok_or_else(|| Error::Failed {
            context: format!("setting file ownership to '{name}'"),
            detail: format!(
                "'{name}' is not in {database} (the package that creates it did not run?)"
            ),
        })
}
