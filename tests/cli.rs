//! The edgeup binary's command-line contract: JSON shapes, exit codes, and
//! the precedence flag > environment > config file > default.

use assert_cmd::Command;
use serde_json::Value;

fn edgeup() -> Command {
    let mut cmd = Command::cargo_bin("edgeup").unwrap();
    for (key, _) in std::env::vars() {
        if key.starts_with("EDGEUP_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("NO_COLOR", "1").env_remove("CI");
    cmd
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs, checks the exit code, returns (stdout JSON or Null, stderr).
fn run(cmd: &mut Command, code: i32) -> (Value, String) {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (serde_json::from_str(&stdout).unwrap_or(Value::Null), stderr)
}

fn step_index(plan: &Value, pred: impl Fn(&Value) -> bool) -> Option<usize> {
    plan["steps"].as_array().unwrap().iter().position(pred)
}

fn has_package(step: &Value, name: &str, version: &str) -> bool {
    step["packages"].as_array().is_some_and(|p| {
        p.iter()
            .any(|p| p["name"] == name && p["version"] == version)
    })
}

#[test]
fn plan_json_for_ubuntu_1804_release_108() {
    let (plan, _) = run(
        edgeup().args([
            "plan",
            "--platform",
            "ubuntu-18.04-amd64",
            "--version",
            "1.0.8",
            "--json",
        ]),
        0,
    );
    assert_eq!(plan["platform"]["id"], "ubuntu-18.04-amd64");
    assert_eq!(plan["platform"]["tier"], "tier1");
    assert_eq!(plan["release"], "1.0.8");
    for step in plan["steps"].as_array().unwrap() {
        assert!(
            step["kind"].is_string() && step["summary"].is_string(),
            "{step}"
        );
    }
    let engine =
        step_index(&plan, |s| has_package(s, "moby-engine", "3.0.6")).expect("moby-engine 3.0.6");
    let iotedge = step_index(&plan, |s| {
        has_package(s, "iotedge", "1.0.8") && has_package(s, "libiothsm-std", "1.0.8")
    })
    .expect("iotedge and libiothsm-std 1.0.8 in one step");
    assert!(engine < iotedge);
    assert!(
        !has_package(&plan["steps"][engine], "iotedge", "1.0.8"),
        "separate transactions"
    );
    let config = step_index(&plan, |s| s["kind"] == "write_config").unwrap();
    assert_eq!(
        plan["steps"][config]["agent_image"],
        "mcr.microsoft.com/azureiotedge-agent:1.0.8.5"
    );
    assert_eq!(plan["versions"]["agent"], "1.0.8.5");
}

#[test]
fn plan_puts_the_libssl_fixup_before_iotedge_on_buster_only() {
    let (buster, _) = run(
        edgeup().args(["plan", "--platform", "raspbian-10-armhf", "--json"]),
        0,
    );
    let fixup = step_index(&buster, |s| s["kind"] == "fixup").expect("a fixup on Buster");
    assert_eq!(buster["steps"][fixup]["packages"][0]["name"], "libssl1.0.2");
    let iotedge = step_index(&buster, |s| s["transaction"] == "iotedge").unwrap();
    assert!(fixup < iotedge);
    let (stretch, _) = run(
        edgeup().args(["plan", "--platform", "raspbian-9-armhf", "--json"]),
        0,
    );
    assert_eq!(step_index(&stretch, |s| s["kind"] == "fixup"), None);
}

#[test]
fn plan_human_output_lists_numbered_steps() {
    let out = edgeup()
        .args([
            "plan",
            "--platform",
            "raspbian-9-armhf",
            "--version",
            "1.0.7",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Plan for raspbian-9-armhf"), "{text}");
    assert!(text.contains("moby 3.0.4"), "{text}");
    assert!(text.contains(" 1. [add_repository]"), "{text}");
    assert!(!text.contains('\x1b'), "NO_COLOR: no escapes");
}

#[test]
fn color_always_paints_even_without_a_terminal() {
    let out = edgeup()
        .args([
            "--color",
            "always",
            "plan",
            "--platform",
            "raspbian-9-armhf",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains("\x1b[1m"));
}

#[test]
fn releases_json_lists_releases_and_every_platform() {
    let (doc, _) = run(edgeup().args(["releases", "--json"]), 0);
    let releases = doc["releases"].as_array().unwrap();
    let versions: Vec<&str> = releases
        .iter()
        .map(|r| r["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["1.0.9", "1.0.8", "1.0.7", "1.0.6", "1.0.5"]);
    assert_eq!(releases[1]["edge_hub_agent"][0], "1.0.8.5");
    assert_eq!(releases[1]["moby"][0], "3.0.6");
    assert_eq!(releases[2]["moby_exceptions"][0]["moby"], "3.0.4");
    assert_eq!(releases[0]["client_sdk"], "1.21.1");
    let platforms = doc["platforms"].as_array().unwrap();
    let tier = |id: &str| {
        platforms
            .iter()
            .find(|p| p["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing"))["tier"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(tier("ubuntu-18.04-amd64"), "tier1");
    assert_eq!(tier("ubuntu-18.04-arm64"), "preview");
    assert_eq!(tier("raspbian-9-armhf"), "tier1");
    assert_eq!(tier("raspbian-10-arm64"), "tier2");
    assert_eq!(tier("debian-10-armhf"), "tier2");
    assert_eq!(tier("centos-7-amd64"), "tier2");
    assert_eq!(tier("rhel-7-arm64"), "tier2");
    assert_eq!(tier("windows-server-2019-amd64"), "tier1");
    assert_eq!(platforms.len(), 37);
}

#[test]
fn plan_on_this_machine_names_it_and_the_nearest_platform() {
    let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let field = |key: &str| {
        os_release
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .map(|v| v.trim_matches('"').to_string())
            .unwrap_or_default()
    };
    let (detected, _) = run(edgeup().args(["detect", "--json"]), 0);
    let id = detected["platform"]["id"].as_str().unwrap().to_string();
    assert!(id.starts_with(&format!("{}-", field("ID"))), "{id}");
    if field("ID") == "debian" && field("VERSION_ID") == "12" {
        // The machine this project builds on: Debian 12 is not in the table.
        let (_, stderr) = run(edgeup().arg("plan"), 3);
        assert!(stderr.contains("Debian GNU/Linux 12"), "{stderr}");
        assert!(stderr.contains("debian-10-"), "{stderr}");
        assert_eq!(detected["platform"]["tier"], "unsupported");
    } else {
        // Anywhere else the verdict still names the machine's platform.
        assert!(detected["platform"]["tier"].is_string());
    }
}

#[test]
fn bad_input_exits_2_naming_the_value() {
    let (_, stderr) = run(
        edgeup().args([
            "plan",
            "--platform",
            "ubuntu-18.04-amd64",
            "--version",
            "1.0.4",
        ]),
        2,
    );
    assert!(
        stderr.contains("'1.0.4'") && stderr.contains("1.0.9.2"),
        "{stderr}"
    );
    let (_, stderr) = run(
        edgeup().args(["plan", "--platform", "ubuntu-20.04-amd64"]),
        2,
    );
    assert!(
        stderr.contains("ubuntu-20.04-amd64") && stderr.contains("edgeup releases"),
        "{stderr}"
    );
    let (_, stderr) = run(
        edgeup().args([
            "plan",
            "--platform",
            "ubuntu-18.04-amd64",
            "--mirror",
            "ftp://m",
        ]),
        2,
    );
    assert!(
        stderr.contains("--mirror") && stderr.contains("ftp://m"),
        "{stderr}"
    );
    let (_, stderr) = run(
        edgeup().args([
            "plan",
            "--platform",
            "ubuntu-18.04-amd64",
            "--repo-key",
            "/no/such.asc",
        ]),
        2,
    );
    assert!(stderr.contains("/no/such.asc"), "{stderr}");
    run(
        edgeup().args(["plan", "--platform", "ubuntu-18.04-amd64", "--root", "/"]),
        2,
    );
    run(edgeup().args(["install-everything"]), 2);
    run(
        edgeup().args([
            "plan",
            "--platform",
            "ubuntu-18.04-amd64",
            "--engine",
            "podman",
        ]),
        2,
    );
}

#[test]
fn errors_are_a_json_document_with_json() {
    let (doc, _) = run(
        edgeup().args(["plan", "--platform", "raspbian-9-arm64", "--json"]),
        3,
    );
    assert_eq!(doc["error"]["exit_code"], 3);
    assert_eq!(doc["error"]["retryable"], false);
    assert!(
        doc["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("raspbian-10-arm64"),
        "{doc}"
    );
}

#[test]
fn help_and_version_exit_0() {
    let (_, _) = run(edgeup().arg("--help"), 0);
    let out = edgeup().arg("--version").output().unwrap();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("edgeup ")
    );
}

fn release_of(cmd: &mut Command) -> String {
    let (doc, _) = run(cmd, 0);
    doc["release"].as_str().unwrap().to_string()
}

#[test]
fn precedence_is_flag_then_env_then_file_then_default() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("edgeup.toml");
    std::fs::write(
        &config,
        "version = \"1.0.7\"\nplatform = \"ubuntu-18.04-amd64\"\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let base = || {
        let mut c = edgeup();
        c.args(["plan", "--json", "--config", config]);
        c
    };
    assert_eq!(
        release_of(
            base()
                .env("EDGEUP_VERSION", "1.0.8")
                .args(["--version", "1.0.9"])
        ),
        "1.0.9"
    );
    assert_eq!(release_of(base().env("EDGEUP_VERSION", "1.0.8")), "1.0.8");
    assert_eq!(release_of(&mut base()), "1.0.7");
    assert_eq!(
        release_of(edgeup().args(["plan", "--json", "--platform", "ubuntu-18.04-amd64"])),
        "1.0.9",
        "default: latest"
    );
    // The config file can come from the environment too.
    assert_eq!(
        release_of(
            edgeup()
                .env("EDGEUP_CONFIG", config)
                .args(["plan", "--json"])
        ),
        "1.0.7"
    );
    // A flag's environment variable: EDGEUP_PLATFORM.
    let (doc, _) = run(
        edgeup()
            .env("EDGEUP_PLATFORM", "raspbian-9-armhf")
            .args(["plan", "--json"]),
        0,
    );
    assert_eq!(doc["platform"]["id"], "raspbian-9-armhf");
}

#[test]
fn boolean_options_follow_the_same_precedence() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("edgeup.toml");
    std::fs::write(
        &config,
        format!("root = \"{}\"\nforce = true\n", fixture("debian-12")),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let (doc, stderr) = run(edgeup().args(["plan", "--json", "--config", config]), 0);
    assert_eq!(doc["platform"]["id"], "debian-10-amd64");
    assert_eq!(doc["forced_from"], "debian-12-amd64");
    assert!(
        stderr.contains("--force"),
        "the force is said loudly: {stderr}"
    );
    run(
        edgeup()
            .env("EDGEUP_FORCE", "false")
            .args(["plan", "--json", "--config", config]),
        3,
    );
    run(edgeup().args(["plan", "--root", &fixture("debian-12")]), 3);
    run(
        edgeup()
            .env("EDGEUP_FORCE", "true")
            .args(["plan", "--root", &fixture("debian-12")]),
        0,
    );
}

#[test]
fn config_file_errors_name_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "verison = \"1.0.8\"\n").unwrap();
    let (_, stderr) = run(
        edgeup().args(["plan", "--config", config.to_str().unwrap()]),
        2,
    );
    assert!(
        stderr.contains("verison") && stderr.contains("bad.toml"),
        "{stderr}"
    );
    std::fs::write(&config, "force = \"yes\"\n").unwrap();
    let (_, stderr) = run(
        edgeup().args(["plan", "--config", config.to_str().unwrap()]),
        2,
    );
    assert!(stderr.contains("force"), "{stderr}");
    let (_, stderr) = run(
        edgeup().args(["releases", "--config", "/no/such/edgeup.toml"]),
        2,
    );
    assert!(stderr.contains("/no/such/edgeup.toml"), "{stderr}");
}

#[test]
fn boolean_environment_variables_take_the_usual_spellings() {
    for yes in ["1", "yes", "true", "on"] {
        let (doc, _) = run(
            edgeup()
                .env("EDGEUP_JSON", yes)
                .args(["plan", "--platform", "raspbian-9-armhf"]),
            0,
        );
        assert_eq!(
            doc["platform"]["id"], "raspbian-9-armhf",
            "EDGEUP_JSON={yes}"
        );
    }
    let (doc, _) = run(
        edgeup()
            .env("EDGEUP_JSON", "0")
            .args(["plan", "--platform", "raspbian-9-armhf"]),
        0,
    );
    assert_eq!(doc, Value::Null, "EDGEUP_JSON=0 gives the human report");
}

#[test]
fn dps_derive_key_reproduces_the_documented_test_vector() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("group.key");
    std::fs::write(
        &key,
        "8isrFI1sGsIlvvFSSFRiMfCNzv21fjbE/+ah/lSh3lF8e2YG1Te7w1KpZhJFFXJrqYKi9yegxkqIChbqOS9Egw==\n",
    )
    .unwrap();
    let out = edgeup()
        .args([
            "dps",
            "derive-key",
            "--group-key-file",
            key.to_str().unwrap(),
        ])
        .args(["--registration-id", "sn-007-888-abc-mac-a1-b2-c3-d4-e5-f6"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "Jsm0lyGpjaVYVP2g3FnmnmG9dI/9qU24wNoykUmermc=\n"
    );
    let (_, stderr) = run(
        edgeup().args([
            "dps",
            "derive-key",
            "--group-key-file",
            key.to_str().unwrap(),
            "--registration-id",
            "Not_Valid",
        ]),
        2,
    );
    assert!(stderr.contains("Not_Valid"), "{stderr}");
}

#[test]
fn install_needs_root_and_validates_first() {
    // Bad provisioning is refused (exit 2) before anything else, even as root.
    let (_, stderr) = run(
        edgeup().args([
            "install",
            "-y",
            "--scope-id",
            "0ne000",
            "--tpm",
            "--symmetric-key-file",
            "/x",
        ]),
        2,
    );
    assert!(stderr.contains("exactly one attestation"), "{stderr}");
    let (_, stderr) = run(
        edgeup().args([
            "install",
            "-y",
            "--connection-string",
            "HostName=h;DeviceId=d",
        ]),
        2,
    );
    assert!(stderr.contains("SharedAccessKey is missing"), "{stderr}");
    assert!(
        stderr.contains("process list"),
        "a secret on the command line is warned about: {stderr}"
    );
    let (_, stderr) = run(edgeup().args(["provision"]), 2);
    assert!(stderr.contains("provisioning options"), "{stderr}");
}

#[test]
fn log_format_json_writes_one_event_per_line_on_stderr() {
    let out = edgeup()
        .args([
            "--log-format",
            "json",
            "plan",
            "--platform",
            "raspbian-10-armhf",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    let events: Vec<Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        events
            .iter()
            .any(|e| e["level"] == "warning" && e["message"].as_str().unwrap().contains("Tier 2")),
        "{stderr}"
    );
    assert!(events.iter().all(|e| e["time"].is_f64()), "{stderr}");
    let out = edgeup()
        .env("EDGEUP_LOG_FORMAT", "json")
        .args(["plan", "--platform", "raspbian-9-arm64"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let error: Value = serde_json::from_str(stderr.lines().last().unwrap()).unwrap();
    assert_eq!(error["level"], "error");
    assert_eq!(error["exit_code"], 3);
    assert_eq!(error["retryable"], false);
}

#[test]
fn image_built_systems_are_refused_with_their_build_time_route() {
    for (root, id, route) in [
        ("yocto", "yocto-armhf", "meta-iotedge layer"),
        ("wrlinux-8", "wrlinux-8-amd64", "Wind River Linux project"),
        ("mel-flex", "mel-flex-arm64", "Mentor BSP"),
        ("mel-omni", "mel-omni-amd64", "Mentor BSP"),
    ] {
        let (_, stderr) = run(edgeup().args(["plan", "--root", &fixture(root)]), 3);
        assert!(
            stderr.contains(&format!("({id}) gets IoT Edge at build time")),
            "{root}: {stderr}"
        );
        assert!(stderr.contains(route), "{root}: {stderr}");
        assert!(
            stderr.contains("`edgeup install --force` installs the release assets"),
            "the way out is named: {stderr}"
        );
        // The fixtures have no package database: even --force cannot install.
        let (_, stderr) = run(
            edgeup().args(["plan", "--force", "--root", &fixture(root)]),
            3,
        );
        assert!(
            stderr.contains("neither dpkg nor rpm, so even --force cannot install"),
            "{root}: {stderr}"
        );
        assert!(stderr.contains(route), "{root}: {stderr}");
    }
}

#[test]
fn usage_errors_are_a_json_document_when_json_is_asked_for() {
    // An unknown flag is found before any setting is read: with --json (or
    // EDGEUP_JSON) the error is still the one document on stdout.
    for cmd in [
        edgeup().args(["install", "--json", "--no-such-flag"]),
        edgeup()
            .args(["install", "--no-such-flag"])
            .env("EDGEUP_JSON", "1"),
    ] {
        let (doc, stderr) = run(cmd, 2);
        assert_eq!(doc["error"]["exit_code"], 2, "{stderr}");
        assert_eq!(doc["error"]["retryable"], false);
        assert!(
            doc["error"]["message"]
                .as_str()
                .unwrap()
                .contains("'--no-such-flag'"),
            "{doc}"
        );
        assert!(stderr.contains("unexpected argument"), "{stderr}");
    }
    // Without it, stdout stays empty; help is not an error.
    let (doc, _) = run(edgeup().args(["install", "--no-such-flag"]), 2);
    assert_eq!(doc, Value::Null);
    let out = edgeup()
        .args(["install", "--json", "--help"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("\"error\""));
}

#[test]
fn errors_before_the_run_are_a_json_document_too() {
    // Settings are refused before the run starts (a key that is not base64,
    // an unknown key in the config file): with --json (or EDGEUP_JSON) the
    // error is still the one document on stdout, for fleet tools that parse it.
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("group.key");
    std::fs::write(&key, "REPLACE-WITH-THE-GROUP-KEY\n").unwrap();
    let config = dir.path().join("edgeup.toml");
    std::fs::write(
        &config,
        format!(
            "scope-id = \"0ne00000A0A\"\ngroup-key-file = \"{}\"\n",
            key.display()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let (doc, stderr) = run(
        edgeup().args(["install", "-y", "--json", "--config", config]),
        2,
    );
    assert_eq!(doc["error"]["exit_code"], 2, "{stderr}");
    assert_eq!(doc["error"]["retryable"], false);
    let message = doc["error"]["message"].as_str().unwrap();
    assert!(message.contains("--group-key-file"), "{message}");
    assert!(!doc.to_string().contains("REPLACE-WITH"), "{doc}");
    let (doc, _) = run(
        edgeup()
            .env("EDGEUP_JSON", "1")
            .args(["install", "-y", "--config", config]),
        2,
    );
    assert_eq!(doc["error"]["exit_code"], 2);
    // json = true in the config file counts when the file loads.
    let with_json = dir.path().join("json.toml");
    std::fs::write(
        &with_json,
        format!(
            "json = true\nscope-id = \"0ne00000A0A\"\ngroup-key-file = \"{}\"\n",
            key.display()
        ),
    )
    .unwrap();
    let with_json = with_json.to_str().unwrap();
    let (doc, _) = run(edgeup().args(["install", "-y", "--config", with_json]), 2);
    assert_eq!(doc["error"]["exit_code"], 2);
    // ... unless the flag or the environment says otherwise.
    let (doc, _) = run(
        edgeup()
            .env("EDGEUP_JSON", "0")
            .args(["install", "-y", "--config", with_json]),
        2,
    );
    assert_eq!(doc, Value::Null);
    std::fs::write(dir.path().join("bad.toml"), "scope_id = \"0ne00000A0A\"\n").unwrap();
    let bad = dir.path().join("bad.toml");
    let (doc, _) = run(
        edgeup().args(["install", "-y", "--json", "--config", bad.to_str().unwrap()]),
        2,
    );
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("scope_id"),
        "{doc}"
    );
    // Without --json, stdout stays empty.
    let (doc, _) = run(edgeup().args(["install", "-y", "--config", config]), 2);
    assert_eq!(doc, Value::Null);
}

#[cfg(unix)]
#[test]
fn secret_files_other_users_may_read_are_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("group.key");
    std::fs::write(
        &key,
        "8isrFI1sGsIlvvFSSFRiMfCNzv21fjbE/+ah/lSh3lF8e2YG1Te7w1KpZhJFFXJrqYKi9yegxkqIChbqOS9Egw==\n",
    )
    .unwrap();
    let cs = dir.path().join("edgeup.toml");
    std::fs::write(
        &cs,
        "connection-string = \"HostName=h.azure-devices.net;DeviceId=d;SharedAccessKey=c2VjcmV0\"\n",
    )
    .unwrap();
    // The warnings come right after the settings are resolved, before the
    // run (which may fail here on an unsupported machine: the exit code does
    // not matter).
    let stderr_of = |args: &[&str]| {
        let out = edgeup().args(args).output().unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let group = [
        "install",
        "--dry-run",
        "--scope-id",
        "0ne00000A0A",
        "--registration-id",
        "sn-1",
        "--group-key-file",
        key.to_str().unwrap(),
    ];
    let inline = ["install", "--dry-run", "--config", cs.to_str().unwrap()];
    for mode in [0o644, 0o640] {
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
        std::fs::set_permissions(&cs, std::fs::Permissions::from_mode(mode)).unwrap();
        let stderr = stderr_of(&group);
        assert!(
            stderr.contains(&format!(
                "--group-key-file {} holds a secret and other users may read it (mode {mode:04o})",
                key.display()
            )),
            "{stderr}"
        );
        let stderr = stderr_of(&inline);
        assert!(
            stderr.contains("the config file") && stderr.contains("chmod 600"),
            "{stderr}"
        );
        assert!(!stderr.contains("c2VjcmV0"), "{stderr}");
    }
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(&cs, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(!stderr_of(&group).contains("other users may read"));
    assert!(!stderr_of(&inline).contains("other users may read"));
}
