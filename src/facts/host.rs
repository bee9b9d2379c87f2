//! The one interface through which detection reads the system, so that tests
//! and `--root DIR` read a fixture root instead of `/`.

use std::path::{Path, PathBuf};

/// Read access to a system: its files, and (on the live system only) its
/// commands.
pub trait Host {
    /// Reads a file by its absolute path on the system.
    fn read(&self, path: &str) -> Option<Vec<u8>>;
    /// Whether a path exists on the system.
    fn exists(&self, path: &str) -> bool;
    /// Runs a command on the live system and returns its trimmed stdout when
    /// it succeeds; `None` for a fixture root or a failing command.
    fn run(&self, argv: &[&str]) -> Option<String>;
    /// Whether this is the running system (not a fixture root).
    fn is_live(&self) -> bool;
    /// The directory that stands for `/`.
    fn root(&self) -> &Path;

    /// Reads a file as UTF-8 text (lossily).
    fn read_text(&self, path: &str) -> Option<String> {
        self.read(path)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// A system rooted at a directory: `/` for the running machine, or a fixture.
#[derive(Debug, Clone)]
pub struct RootedHost {
    root: PathBuf,
    live: bool,
}

impl RootedHost {
    /// The running machine.
    pub fn live() -> RootedHost {
        RootedHost {
            root: PathBuf::from("/"),
            live: true,
        }
    }

    /// A root directory standing for another system; commands are not run.
    pub fn at(root: impl Into<PathBuf>) -> RootedHost {
        let root = root.into();
        let live = root == Path::new("/");
        RootedHost { root, live }
    }

    fn path(&self, path: &str) -> PathBuf {
        self.root.join(path.trim_start_matches('/'))
    }
}

impl Host for RootedHost {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        std::fs::read(self.path(path)).ok()
    }

    fn exists(&self, path: &str) -> bool {
        self.path(path).exists()
    }

    fn run(&self, argv: &[&str]) -> Option<String> {
        if !self.live {
            return None;
        }
        let (program, args) = argv.split_first()?;
        let program = which::which(program).ok()?;
        let output = duct::cmd(program, args)
            .stdout_capture()
            .stderr_null()
            .unchecked()
            .run()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
    }

    fn is_live(&self) -> bool {
        self.live
    }

    fn root(&self) -> &Path {
        &self.root
    }
}
