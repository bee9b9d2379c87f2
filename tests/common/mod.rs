//! The sandbox harness shared by the sandbox test files: the stand-in
//! repository (built once per run), a loopback server per test, and
//! throwaway roots that clean up after themselves.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

pub const CS: &str =
    "HostName=hub1.azure-devices.net;DeviceId=sandbox-dev;SharedAccessKey=c2FuZGJveC1zZWNyZXQta2V5";
pub const KEY_MATERIAL: &str = "c2FuZGJveC1zZWNyZXQta2V5";

pub fn project() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The stand-in repository, built once per test run. Each test file gets
/// its own directory: make-repo.sh wipes its output and makes new keys, so a
/// shared one would change under another test binary's running servers.
pub fn repo() -> &'static Path {
    static REPO: OnceLock<PathBuf> = OnceLock::new();
    REPO.get_or_init(|| {
        let dir = project().join(format!("target/sandbox-repo-{}", env!("CARGO_CRATE_NAME")));
        let out = Command::new(project().join("scripts/sandbox/make-repo.sh"))
            .arg(&dir)
            .output()
            .expect("make-repo.sh runs");
        assert!(
            out.status.success(),
            "make-repo.sh failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
}

/// The stand-in with the RPM family too (`make-repo.sh --rpm`: the signed
/// yum repository centos/7/prod, the el7 release assets and the el7 base
/// package), built once per test run.
pub fn repo_rpm() -> &'static Path {
    static REPO: OnceLock<PathBuf> = OnceLock::new();
    REPO.get_or_init(|| {
        let dir = project().join(format!(
            "target/sandbox-repo-{}-rpm",
            env!("CARGO_CRATE_NAME")
        ));
        let out = Command::new(project().join("scripts/sandbox/make-repo.sh"))
            .arg(&dir)
            .arg("--rpm")
            .output()
            .expect("make-repo.sh runs");
        assert!(
            out.status.success(),
            "make-repo.sh --rpm failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
}

pub fn binary() -> PathBuf {
    let path = std::env::var_os("EDGEUP_SANDBOX_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| project().join("target/x86_64-unknown-linux-musl/debug/edgeup"));
    assert!(
        path.is_file(),
        "{} is missing: build it with `cargo build --target x86_64-unknown-linux-musl` (ci/test.sh does)",
        path.display()
    );
    path
}

/// The armhf edgeup for armhf roots (run under qemu): EDGEUP_SANDBOX_BIN_ARMHF,
/// else the debug build of the armv7-unknown-linux-gnueabihf cross target.
pub fn binary_armhf() -> PathBuf {
    let path = std::env::var_os("EDGEUP_SANDBOX_BIN_ARMHF")
        .map(PathBuf::from)
        .unwrap_or_else(|| project().join("target/armv7-unknown-linux-gnueabihf/debug/edgeup"));
    assert!(
        path.is_file(),
        "{} is missing: cross-build it with \
         `cargo zigbuild --target armv7-unknown-linux-gnueabihf.2.17` \
         (zig and cargo-zigbuild from scripts/zig-toolchain.sh; ci/test.sh does)",
        path.display()
    );
    path
}

/// The repository served on 127.0.0.1 for one test.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    pub fn start() -> Server {
        Server::start_in(repo())
    }

    /// Serves the stand-in with the RPM family ([`repo_rpm`]).
    pub fn start_rpm() -> Server {
        Server::start_in(repo_rpm())
    }

    /// Serves any directory (a tampered copy of the stand-in, say).
    pub fn start_in(repo: &Path) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let portfile = dir.path().join("port");
        let child = Command::new(project().join("scripts/sandbox/serve.sh"))
            .arg(repo)
            .arg(&portfile)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve.sh starts");
        let start = Instant::now();
        let port = loop {
            if let Ok(text) = std::fs::read_to_string(&portfile)
                && let Ok(port) = text.trim().parse()
            {
                break port;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the repository server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        Server { child, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The release-asset base (`--assets-url`).
    pub fn assets_url(&self) -> String {
        format!("{}/releases/download", self.url())
    }

    /// The Debian-archive-like libssl1.0.2 repository (`--debian-archive`).
    pub fn debian_archive(&self) -> String {
        format!("{}/debian", self.url())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn root_sh(args: &[&str]) -> Output {
    Command::new(project().join("scripts/sandbox/root.sh"))
        .args(args)
        .output()
        .expect("root.sh runs")
}

/// A throwaway root for one test.
pub struct Root {
    pub name: String,
    pub dir: PathBuf,
}

impl Root {
    /// A root of the host's architecture with `os`'s os-release and the
    /// static edgeup in /usr/local/bin.
    pub fn new(name: &str, os: &str) -> Root {
        Root::new_with(name, os, None, &binary())
    }

    /// A root of `arch` (a Debian architecture; `None`: the host's) with
    /// `os`'s os-release and `binary` as /usr/local/bin/edgeup. Foreign
    /// architectures run under qemu-user-static (root.sh registers binfmt
    /// for the duration of each run).
    pub fn new_with(name: &str, os: &str, arch: Option<&str>, binary: &Path) -> Root {
        Root::create(name, os, arch, binary, false)
    }

    /// An el7-like root (root.sh new --rpm: rpm and dnf, no dpkg or apt)
    /// with `os`'s os-release and the static edgeup. For CentOS and RHEL
    /// the rpm database gets the el7 base package (`rpm -i --justdb`), so
    /// that it holds what a CentOS 7 install provides; an image-built
    /// system's database starts empty.
    pub fn new_rpm(name: &str, os: &str) -> Root {
        let root = Root::create(name, os, None, &binary(), true);
        if os == "centos-7" || os == "rhel-7" {
            let base = repo_rpm().join("el7/sandbox-el7-base-7-5.1804.noarch.rpm");
            root.put(&base, "/tmp/sandbox-el7-base.rpm");
            let (code, _, err) = root.run(&[
                "rpm",
                "-i",
                "--justdb",
                "--nodeps",
                "/tmp/sandbox-el7-base.rpm",
            ]);
            assert_eq!(code, 0, "the el7 base package: {err}");
        }
        root
    }

    fn create(name: &str, os: &str, arch: Option<&str>, binary: &Path, rpm: bool) -> Root {
        let _ = root_sh(&["rm", name]);
        let mut args = vec!["new", name];
        if let Some(arch) = arch {
            args.extend(["--arch", arch]);
        }
        if rpm {
            args.push("--rpm");
        }
        let out = root_sh(&args);
        assert!(
            out.status.success(),
            "root.sh new: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dir = PathBuf::from(
            String::from_utf8_lossy(&out.stdout)
                .trim()
                .lines()
                .last()
                .unwrap()
                .to_string(),
        );
        // From here on a failed assertion still removes the root (Drop).
        let root = Root {
            name: name.to_string(),
            dir,
        };
        let out = root_sh(&["write-os-release", name, os]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        root.put(binary, "/usr/local/bin/edgeup");
        root
    }

    /// Copies a host file into the root (mode kept).
    pub fn put(&self, src: &Path, dest: &str) {
        let out = root_sh(&["put", &self.name, src.to_str().unwrap(), dest]);
        assert!(
            out.status.success(),
            "root.sh put {} {dest}: {}",
            src.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs a command inside; returns (exit code, stdout, stderr).
    /// Copies a bundle into the root and runs `edgeup install --offline`
    /// from it with the sandbox's connection string; checks that no secret
    /// was printed.
    pub fn install_offline(&self, bundle: &[u8]) -> (i32, String, String) {
        std::fs::write(self.path("/root/bundle.tar"), bundle).unwrap();
        self.write("/root/device.conn", CS);
        let (code, out, err) = self.run(&[
            "edgeup",
            "install",
            "-y",
            "--json",
            "--offline",
            "/root/bundle.tar",
            "--connection-string-file",
            "/root/device.conn",
        ]);
        assert_no_secret(&[&out, &err]);
        (code, out, err)
    }

    pub fn run(&self, cmd: &[&str]) -> (i32, String, String) {
        let mut args = vec!["run", self.name.as_str(), "--"];
        args.extend_from_slice(cmd);
        let out = root_sh(&args);
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    pub fn path(&self, p: &str) -> PathBuf {
        self.dir.join(p.trim_start_matches('/'))
    }

    pub fn write(&self, p: &str, content: &str) {
        let path = self.path(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    pub fn read(&self, p: &str) -> Option<String> {
        std::fs::read_to_string(self.path(p)).ok()
    }

    /// `name version` of every installed package of interest.
    pub fn installed(&self, name: &str) -> Option<String> {
        let (code, out, _) = self.run(&[
            "dpkg-query",
            "-W",
            "-f=${db:Status-Abbrev}|${Version}",
            name,
        ]);
        (code == 0 && out.starts_with("ii"))
            .then(|| out.split('|').nth(1).unwrap_or("").to_string())
    }

    /// `[epoch:]version-release` of an installed RPM package.
    pub fn rpm_installed(&self, name: &str) -> Option<String> {
        let (code, out, _) = self.run(&["rpm", "-q", "--qf", "%{VERSION}-%{RELEASE}", name]);
        (code == 0).then(|| out.trim().to_string())
    }

    /// Every package in rpm's database, as `name-version-release.arch`, sorted.
    pub fn rpm_all(&self) -> Vec<String> {
        let (code, out, err) = self.run(&["rpm", "-qa"]);
        assert_eq!(code, 0, "rpm -qa: {err}");
        let mut all: Vec<String> = out.lines().map(str::to_string).collect();
        all.sort();
        all
    }

    /// Lines of dnf's transaction log (what rpm did through dnf).
    pub fn dnf_log_lines(&self) -> usize {
        self.read("/var/log/dnf.rpm.log")
            .map(|t| t.lines().count())
            .unwrap_or(0)
    }

    pub fn dpkg_log_lines(&self) -> usize {
        self.read("/var/log/dpkg.log")
            .map(|t| t.lines().count())
            .unwrap_or(0)
    }

    /// The packages of dpkg.log's `ACTION` lines (`install`, `upgrade`,
    /// `remove`, `purge`), in log order, as `name version` with the
    /// `:arch` qualifier dropped (the new version; `<none>` for removals).
    pub fn dpkg_log(&self, action: &str) -> Vec<String> {
        self.read("/var/log/dpkg.log")
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                // 2020-03-17 00:00:00 install iotedge:amd64 <none> 1.0.9.2-1
                let f: Vec<&str> = l.split_whitespace().collect();
                (f.len() == 6 && f[2] == action).then(|| {
                    let name = f[3].split(':').next().unwrap_or(f[3]);
                    format!("{name} {}", f[5])
                })
            })
            .collect()
    }

    /// `stat -c %a %U:%G` of a path, as the root's own users and groups see it.
    pub fn mode_owner(&self, p: &str) -> String {
        let (code, out, err) = self.run(&["stat", "-c", "%a %U:%G", p]);
        assert_eq!(code, 0, "stat {p}: {err}");
        out.trim().to_string()
    }
}

impl Drop for Root {
    fn drop(&mut self) {
        let _ = root_sh(&["rm", &self.name]);
    }
}

/// `edgeup install` inside a root against the server, with extra arguments.
pub fn install(root: &Root, server: &Server, extra: &[&str]) -> (i32, String, String) {
    let mirror = server.url();
    let key = format!("{mirror}/keys/microsoft.asc");
    let mut cmd = vec![
        "edgeup",
        "install",
        "-y",
        "--json",
        "--mirror",
        &mirror,
        "--repo-key",
        &key,
    ];
    cmd.extend_from_slice(extra);
    root.run(&cmd)
}

pub fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

pub fn assert_no_secret(texts: &[&str]) {
    for t in texts {
        assert!(!t.contains(KEY_MATERIAL), "the key leaked:\n{t}");
    }
}

/// The report's steps as (kind, outcome, detail).
pub fn steps(report: &Value) -> Vec<(String, String, String)> {
    report["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("no steps in {report}"))
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap_or_default().to_string(),
                s["outcome"].as_str().unwrap_or_default().to_string(),
                s["detail"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}
