//! The IoT Edge 1.0.x daemon config, `/etc/iotedge/config.yaml`: edgeup
//! edits only what it owns (the `provisioning` block, `hostname`, the agent
//! image and the agent's proxy variable) and keeps every other line of the
//! file, comments included, exactly as it was.

use crate::error::{Error, Result};
use crate::provisioning::{Attestation, Provisioning};

/// What edgeup writes into the config.
#[derive(Debug, Clone)]
pub struct ConfigEdit<'a> {
    /// `None` keeps the provisioning block as it is.
    pub provisioning: Option<&'a Provisioning>,
    pub hostname: Option<&'a str>,
    pub agent_image: &'a str,
    /// `agent.env.https_proxy`; `None` leaves the agent's env alone.
    pub proxy: Option<&'a str>,
    /// On Windows: the endpoints, home and engine of the container mode.
    pub windows: Option<&'a crate::plan::WindowsConfig>,
}

/// The Windows blocks of config.yaml (facts §4.4).
fn windows_blocks(w: &crate::plan::WindowsConfig) -> [(&'static str, String); 4] {
    [
        (
            "connect",
            format!(
                "connect:\n  management_uri: {}\n  workload_uri: {}",
                quote(&w.connect_management_uri),
                quote(&w.connect_workload_uri)
            ),
        ),
        (
            "listen",
            format!(
                "listen:\n  management_uri: {}\n  workload_uri: {}",
                quote(&w.listen_management_uri),
                quote(&w.listen_workload_uri)
            ),
        ),
        ("homedir", format!("homedir: {}", quote(&w.homedir))),
        (
            "moby_runtime",
            format!(
                "moby_runtime:\n  uri: {}\n  network: {}",
                quote(&w.moby_runtime_uri),
                quote(&w.network)
            ),
        ),
    ]
}

/// A YAML double-quoted scalar.
fn quote(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `provisioning:` block for a provisioning.
pub fn provisioning_block(p: &Provisioning) -> String {
    let mut out = String::from("provisioning:\n");
    match p {
        Provisioning::Manual(cs) => {
            out += "  source: \"manual\"\n";
            out += &format!(
                "  device_connection_string: {}\n",
                quote(cs.secret().expose())
            );
        }
        Provisioning::Dps {
            global_endpoint,
            scope_id,
            attestation,
        } => {
            out += "  source: \"dps\"\n";
            out += &format!("  global_endpoint: {}\n", quote(global_endpoint));
            out += &format!("  scope_id: {}\n", quote(scope_id));
            out += "  attestation:\n";
            match attestation {
                Attestation::SymmetricKey {
                    registration_id,
                    key,
                } => {
                    out += "    method: \"symmetric_key\"\n";
                    out += &format!("    registration_id: {}\n", quote(registration_id));
                    out += &format!("    symmetric_key: {}\n", quote(key.expose()));
                }
                Attestation::X509 {
                    registration_id,
                    identity_cert,
                    identity_key,
                } => {
                    out += "    method: \"x509\"\n";
                    if let Some(id) = registration_id {
                        out += &format!("    registration_id: {}\n", quote(id));
                    }
                    out += &format!("    identity_cert: {}\n", quote(&file_uri(identity_cert)));
                    out += &format!("    identity_pk: {}\n", quote(&file_uri(identity_key)));
                }
                Attestation::Tpm { registration_id } => {
                    out += "    method: \"tpm\"\n";
                    out += &format!("    registration_id: {}\n", quote(registration_id));
                }
            }
        }
    }
    out
}

fn file_uri(path: &str) -> String {
    if path.starts_with("file://") {
        path.to_string()
    } else {
        format!("file://{path}")
    }
}

/// A top-level block: its key line and the indented or blank lines after it.
struct Block {
    key: String,
    start: usize,
    end: usize,
}

fn top_level_key(line: &str) -> Option<&str> {
    let first = line.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '_') {
        return None;
    }
    let (key, _) = line.split_once(':')?;
    key.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        .then_some(key)
}

fn blocks(lines: &[String]) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(key) = top_level_key(line) {
            out.push(Block {
                key: key.to_string(),
                start: i,
                end: i + 1,
            });
        } else if let Some(last) = out.last_mut()
            && last.end == i
            && (line.trim().is_empty() || line.starts_with(' ') || line.starts_with('\t'))
        {
            last.end = i + 1;
        }
    }
    // Trailing blank lines are not part of the block's content.
    for b in &mut out {
        while b.end > b.start + 1 && lines[b.end - 1].trim().is_empty() {
            b.end -= 1;
        }
    }
    out
}

fn replace_block(lines: &mut Vec<String>, key: &str, new: &str) {
    let new_lines: Vec<String> = new.lines().map(str::to_string).collect();
    match blocks(lines).into_iter().find(|b| b.key == key) {
        Some(b) => {
            lines.splice(b.start..b.end, new_lines);
        }
        None => {
            if lines.last().is_some_and(|l| !l.trim().is_empty()) {
                lines.push(String::new());
            }
            lines.extend(new_lines);
        }
    }
}

/// Applies an edit to the text of a config file. Errors when the file lacks
/// the agent section edgeup must pin.
pub fn edit(current: &str, change: &ConfigEdit<'_>) -> Result<String> {
    let mut lines: Vec<String> = current.lines().map(str::to_string).collect();
    if let Some(p) = change.provisioning {
        replace_block(&mut lines, "provisioning", &provisioning_block(p));
    }
    if let Some(w) = change.windows {
        for (key, block) in windows_blocks(w) {
            replace_block(&mut lines, key, &block);
        }
    }
    if let Some(h) = change.hostname {
        replace_block(&mut lines, "hostname", &format!("hostname: {}", quote(h)));
    }
    let agent = blocks(&lines)
        .into_iter()
        .find(|b| b.key == "agent")
        .ok_or_else(|| malformed("it has no top-level 'agent:' section"))?;
    let image_at = (agent.start..agent.end)
        .find(|&i| lines[i].trim_start().starts_with("image:"))
        .ok_or_else(|| malformed("its agent section has no 'image:'"))?;
    let indent = &lines[image_at][..lines[image_at].len() - lines[image_at].trim_start().len()];
    lines[image_at] = format!("{indent}image: {}", quote(change.agent_image));
    if let Some(proxy) = change.proxy {
        set_agent_proxy(&mut lines, agent.start, proxy)?;
    }
    let mut out = lines.join("\n");
    out.push('\n');
    Ok(out)
}

/// Sets `agent.env.https_proxy`, turning `env: {}` into a block when needed.
fn set_agent_proxy(lines: &mut Vec<String>, agent_start: usize, proxy: &str) -> Result<()> {
    let agent = blocks(lines)
        .into_iter()
        .find(|b| b.start == agent_start)
        .expect("the agent block exists");
    let env_at = (agent.start..agent.end)
        .find(|&i| lines[i].trim_start().starts_with("env:"))
        .ok_or_else(|| malformed("its agent section has no 'env:'"))?;
    let indent = lines[env_at].len() - lines[env_at].trim_start().len();
    let child = format!("{}https_proxy: {}", " ".repeat(indent + 2), quote(proxy));
    let inline = lines[env_at].trim_start()["env:".len()..]
        .trim()
        .to_string();
    if inline == "{}" {
        lines[env_at] = format!("{}env:", " ".repeat(indent));
        lines.insert(env_at + 1, child);
        return Ok(());
    }
    if !inline.is_empty() {
        return Err(malformed(
            "its agent env is an inline map edgeup cannot edit safely",
        ));
    }
    let mut i = env_at + 1;
    while i < agent.end {
        let line = &lines[i];
        let this_indent = line.len() - line.trim_start().len();
        if !line.trim().is_empty() && this_indent <= indent {
            break;
        }
        if line.trim_start().starts_with("https_proxy:") {
            lines[i] = child;
            return Ok(());
        }
        i += 1;
    }
    lines.insert(env_at + 1, child);
    Ok(())
}

fn malformed(problem: &str) -> Error {
    Error::Failed {
        context: "editing the IoT Edge config".into(),
        detail: format!(
            "{problem}; edgeup keeps the file as it is (restore the package's template with `apt-get install --reinstall iotedge` or fix it by hand)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provisioning::{ConnectionString, Secret};

    const TEMPLATE: &str = r#"###############################################################################
#                      IoT Edge Security Daemon configuration
###############################################################################

# Manual provisioning configuration
provisioning:
  source: "manual"
  device_connection_string: "<ADD DEVICE CONNECTION STRING HERE>"

# DPS TPM provisioning configuration
# provisioning:
#   source: "dps"
#   global_endpoint: "https://global.azure-devices-provisioning.net"
#   scope_id: "{scope_id}"

agent:
  name: "edgeAgent"
  type: "docker"
  env: {}
  config:
    image: "mcr.microsoft.com/azureiotedge-agent:1.0"
    auth: {}

hostname: "<ADD HOSTNAME HERE>"

connect:
  management_uri: "unix:///var/run/iotedge/mgmt.sock"
  workload_uri: "unix:///var/run/iotedge/workload.sock"

homedir: "/var/lib/iotedge"

moby_runtime:
  uri: "unix:///var/run/docker.sock"
#   network: "azure-iot-edge"
"#;

    fn manual() -> Provisioning {
        Provisioning::Manual(
            ConnectionString::parse("HostName=h.azure-devices.net;DeviceId=d;SharedAccessKey=a2V5")
                .unwrap(),
        )
    }

    #[test]
    fn writes_what_edgeup_owns_and_keeps_the_rest() {
        let p = manual();
        let out = edit(
            TEMPLATE,
            &ConfigEdit {
                provisioning: Some(&p),
                hostname: Some("edge-01"),
                agent_image: "mcr.microsoft.com/azureiotedge-agent:1.0.9.2",
                proxy: None,
                windows: None,
            },
        )
        .unwrap();
        assert!(out.contains("provisioning:\n  source: \"manual\"\n  device_connection_string: \"HostName=h.azure-devices.net;DeviceId=d;SharedAccessKey=a2V5\"\n\n# DPS TPM"), "{out}");
        assert!(
            out.contains("    image: \"mcr.microsoft.com/azureiotedge-agent:1.0.9.2\"\n"),
            "{out}"
        );
        assert!(out.contains("hostname: \"edge-01\"\n"));
        assert!(!out.contains("<ADD"));
        // Everything else is byte for byte the template.
        for kept in [
            "# DPS TPM provisioning configuration\n# provisioning:\n#   source: \"dps\"",
            "connect:\n  management_uri",
            "moby_runtime:\n  uri: \"unix:///var/run/docker.sock\"\n#   network: \"azure-iot-edge\"\n",
            "  env: {}\n",
        ] {
            assert!(out.contains(kept), "lost {kept:?}:\n{out}");
        }
        // Editing again with the same values changes nothing.
        let again = edit(
            &out,
            &ConfigEdit {
                provisioning: Some(&p),
                hostname: Some("edge-01"),
                agent_image: "mcr.microsoft.com/azureiotedge-agent:1.0.9.2",
                proxy: None,
                windows: None,
            },
        )
        .unwrap();
        assert_eq!(again, out);
    }

    #[test]
    fn writes_dps_blocks() {
        let p = Provisioning::Dps {
            global_endpoint: crate::provisioning::DPS_GLOBAL_ENDPOINT.into(),
            scope_id: "0ne00000A0A".into(),
            attestation: Attestation::SymmetricKey {
                registration_id: "sn-1".into(),
                key: Secret::new("a2V5"),
            },
        };
        let out = edit(
            TEMPLATE,
            &ConfigEdit {
                provisioning: Some(&p),
                hostname: None,
                agent_image: "img:1",
                proxy: None,
                windows: None,
            },
        )
        .unwrap();
        assert!(out.contains("provisioning:\n  source: \"dps\"\n  global_endpoint: \"https://global.azure-devices-provisioning.net\"\n  scope_id: \"0ne00000A0A\"\n  attestation:\n    method: \"symmetric_key\"\n    registration_id: \"sn-1\"\n    symmetric_key: \"a2V5\"\n"), "{out}");
        let x509 = Provisioning::Dps {
            global_endpoint: crate::provisioning::DPS_GLOBAL_ENDPOINT.into(),
            scope_id: "s".into(),
            attestation: Attestation::X509 {
                registration_id: None,
                identity_cert: "/etc/edge/id.pem".into(),
                identity_key: "/etc/edge/id.key".into(),
            },
        };
        let out = edit(
            TEMPLATE,
            &ConfigEdit {
                provisioning: Some(&x509),
                hostname: None,
                agent_image: "i",
                proxy: None,
                windows: None,
            },
        )
        .unwrap();
        assert!(out.contains("    identity_cert: \"file:///etc/edge/id.pem\"\n    identity_pk: \"file:///etc/edge/id.key\"\n"), "{out}");
    }

    #[test]
    fn sets_the_agent_proxy_in_both_env_forms() {
        let edit_proxy = |text: &str| {
            edit(
                text,
                &ConfigEdit {
                    provisioning: None,
                    hostname: None,
                    agent_image: "i",
                    proxy: Some("http://proxy:3128"),
                    windows: None,
                },
            )
            .unwrap()
        };
        let once = edit_proxy(TEMPLATE);
        assert!(
            once.contains("  env:\n    https_proxy: \"http://proxy:3128\"\n  config:"),
            "{once}"
        );
        assert_eq!(edit_proxy(&once), once, "idempotent");
        let with_other =
            TEMPLATE.replace("  env: {}\n", "  env:\n    RuntimeLogLevel: \"debug\"\n");
        let out = edit_proxy(&with_other);
        assert!(
            out.contains(
                "    https_proxy: \"http://proxy:3128\"\n    RuntimeLogLevel: \"debug\"\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn refuses_a_config_without_an_agent_section() {
        let err = edit(
            "hostname: \"x\"\n",
            &ConfigEdit {
                provisioning: None,
                hostname: None,
                agent_image: "i",
                proxy: None,
                windows: None,
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("agent"), "{err}");
    }

    #[test]
    fn quotes_yaml_specials() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}

#[cfg(test)]
mod windows_tests {
    use super::*;
    use crate::plan::WindowsConfig;

    /// The 1.0.9 Windows template's shape (IE@1.0.9:edgelet/contrib/config/windows/config.yaml).
    const WINDOWS_TEMPLATE: &str = "provisioning:\n  source: \"manual\"\n  device_connection_string: \"<ADD DEVICE CONNECTION STRING HERE>\"\n\nagent:\n  name: \"edgeAgent\"\n  type: \"docker\"\n  env: {}\n  config:\n    image: \"mcr.microsoft.com/azureiotedge-agent:1.0.9\"\n    auth: {}\n\nhostname: \"<ADD HOSTNAME HERE>\"\n\n# Connect settings\nconnect:\n  management_uri: \"unix:///C:/ProgramData/iotedge/mgmt/sock\"\n  workload_uri: \"unix:///C:/ProgramData/iotedge/workload/sock\"\n\nlisten:\n  management_uri: \"unix:///C:/ProgramData/iotedge/mgmt/sock\"\n  workload_uri: \"unix:///C:/ProgramData/iotedge/workload/sock\"\n\nhomedir: \"C:\\\\ProgramData\\\\iotedge\"\n\nmoby_runtime:\n  uri: \"npipe://./pipe/iotedge_moby_engine\"\n  network: \"nat\"\n";

    fn edit_for(w: &WindowsConfig) -> String {
        edit(
            WINDOWS_TEMPLATE,
            &ConfigEdit {
                provisioning: None,
                hostname: Some("edge-win-01"),
                agent_image: "mcr.microsoft.com/azureiotedge-agent:1.0.9.2",
                proxy: None,
                windows: Some(w),
            },
        )
        .unwrap()
    }

    #[test]
    fn windows_containers_keep_the_production_values() {
        let out = edit_for(&WindowsConfig::windows_containers());
        assert!(out.contains("connect:\n  management_uri: \"unix:///C:/ProgramData/iotedge/mgmt/sock\"\n  workload_uri: \"unix:///C:/ProgramData/iotedge/workload/sock\"\n"), "{out}");
        assert!(
            out.contains(
                "moby_runtime:\n  uri: \"npipe://./pipe/iotedge_moby_engine\"\n  network: \"nat\"\n"
            ),
            "{out}"
        );
        assert!(
            out.contains("homedir: \"C:\\\\ProgramData\\\\iotedge\"\n"),
            "a YAML-escaped Windows path: {out}"
        );
        assert!(out.contains("hostname: \"edge-win-01\""));
        assert!(out.contains("# Connect settings\n"), "comments kept");
        assert!(out.contains("azureiotedge-agent:1.0.9.2"));
    }

    #[test]
    fn linux_containers_switch_to_tcp_and_docker_desktop() {
        let out = edit_for(&WindowsConfig::linux_containers());
        assert!(out.contains("connect:\n  management_uri: \"http://host.docker.internal:15580\"\n  workload_uri: \"http://host.docker.internal:15581\"\n"), "{out}");
        assert!(out.contains("listen:\n  management_uri: \"http://127.0.0.1:15580\"\n  workload_uri: \"http://127.0.0.1:15581\"\n"), "{out}");
        assert!(out.contains("moby_runtime:\n  uri: \"npipe://./pipe/docker_engine\"\n  network: \"azure-iot-edge\"\n"), "{out}");
    }
}
