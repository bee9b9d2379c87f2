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

    /// The host path of a path on the system. For a fixture root, symbolic
    /// links are followed inside the root (an absolute target such as
    /// `/bin/busybox` means `<root>/bin/busybox`, and `..` stops at the root),
    /// never out to the machine running edgeup.
    /// `None` for a link loop.
    fn path(&self, path: &str) -> Option<PathBuf> {
        if self.live {
            return Some(PathBuf::from(path));
        }
        resolve_in_root(&self.root, path)
    }
}

/// Resolves `path` inside `root` component by component, following links
/// inside the root; `None` after too many links (a loop).
fn resolve_in_root(root: &Path, path: &str) -> Option<PathBuf> {
    use std::ffi::OsString;
    use std::path::Component;
    fn push_components(pending: &mut Vec<OsString>, path: &Path) {
        for c in path.components().rev() {
            match c {
                Component::Normal(n) => pending.push(n.to_os_string()),
                Component::ParentDir => pending.push("..".into()),
                _ => {}
            }
        }
    }
    let mut pending = Vec::new();
    push_components(&mut pending, Path::new(path));
    let mut current: Vec<OsString> = Vec::new();
    let mut links = 0;
    while let Some(part) = pending.pop() {
        if part == ".." {
            current.pop();
            continue;
        }
        current.push(part);
        let host_path = current.iter().fold(root.to_path_buf(), |p, c| p.join(c));
        let Ok(target) = std::fs::read_link(&host_path) else {
            continue; // not a link, or absent: keep walking
        };
        links += 1;
        if links > 40 {
            return None;
        }
        current.pop();
        if target.is_absolute() {
            current.clear();
        }
        push_components(&mut pending, &target);
    }
    Some(current.iter().fold(root.to_path_buf(), |p, c| p.join(c)))
}

impl Host for RootedHost {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        std::fs::read(self.path(path)?).ok()
    }

    fn exists(&self, path: &str) -> bool {
        self.path(path).is_some_and(|p| p.exists())
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

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_in_a_fixture_root_stay_inside_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["bin", "usr/lib", "etc"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::write(root.join("bin/busybox.nosuid"), b"inside").unwrap();
        symlink("/bin/busybox.nosuid", root.join("bin/sh")).unwrap();
        std::fs::write(root.join("usr/lib/os-release"), b"ID=debian\n").unwrap();
        symlink("../usr/lib/os-release", root.join("etc/os-release")).unwrap();
        symlink("../../../../../../etc/hostname", root.join("etc/escape")).unwrap();
        symlink("loop", root.join("etc/loop")).unwrap();
        let host = RootedHost::at(root);
        assert_eq!(host.read("/bin/sh").unwrap(), b"inside");
        assert_eq!(host.read_text("/etc/os-release").unwrap(), "ID=debian\n");
        assert!(host.read("/etc/escape").is_none(), "`..` stops at the root");
        assert!(host.read("/etc/loop").is_none());
        assert!(host.exists("/bin/sh"));
    }
}
