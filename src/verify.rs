//! verify: the health of what is installed: package versions against the
//! receipt, engine and daemon state, `iotedge check --output json`
//! summarised, and optionally a wait for edgeAgent to run.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::receipt::Receipt;
use crate::system::{CommandSpec, System};

/// One package's installed version against the receipt's.
#[derive(Debug, Clone, Serialize)]
pub struct PackageCheck {
    pub name: String,
    pub expected: String,
    pub installed: Option<String>,
    pub ok: bool,
}

/// A service's state.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceCheck {
    pub name: String,
    /// `active`, `inactive`, `failed`, ... or `not checked (...)`.
    pub state: String,
    pub ok: bool,
}

/// One failing or warning check of `iotedge check`.
#[derive(Debug, Clone, Serialize)]
pub struct CheckItem {
    pub id: String,
    pub result: String,
    pub details: Vec<String>,
}

/// `iotedge check` summarised.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckSummary {
    pub ok: usize,
    pub warnings: Vec<CheckItem>,
    pub errors: Vec<CheckItem>,
    /// Connectivity checks that failed: they cannot pass without network
    /// access to IoT Hub and DPS, so they are listed apart.
    pub connectivity: Vec<CheckItem>,
    pub skipped: usize,
}

/// The verify result.
#[derive(Debug, Clone, Serialize)]
pub struct VerifySummary {
    pub ok: bool,
    pub packages: Vec<PackageCheck>,
    pub services: Vec<ServiceCheck>,
    pub check: Option<CheckSummary>,
    pub agent_running: Option<bool>,
    /// Installed without provisioning: the daemon waits for it (not a failure).
    pub not_provisioned: bool,
    pub failures: Vec<String>,
}

/// Whether a check ID is one of the connectivity checks.
pub fn is_connectivity_check(id: &str) -> bool {
    id.starts_with("host-connect-")
        || id.starts_with("container-connect-")
        || id.starts_with("container-default-connect-")
}

/// Summarises `iotedge check --output json` (IoT Edge 1.0.9's shape:
/// `checks.<id>.result.result`).
pub fn summarise_check(json: &str) -> Result<CheckSummary> {
    let doc: Value = serde_json::from_str(json).map_err(|e| Error::Failed {
        context: "reading `iotedge check --output json`".into(),
        detail: e.to_string(),
    })?;
    let checks = doc
        .get("checks")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::Failed {
            context: "reading `iotedge check --output json`".into(),
            detail: "no 'checks' map in its output".into(),
        })?;
    let mut summary = CheckSummary::default();
    for (id, entry) in checks {
        let result = entry
            .pointer("/result/result")
            .and_then(Value::as_str)
            .unwrap_or("error")
            .to_string();
        let details = entry
            .pointer("/result/details")
            .and_then(Value::as_array)
            .map(|d| {
                d.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let item = CheckItem {
            id: id.clone(),
            result: result.clone(),
            details,
        };
        match result.as_str() {
            "ok" => summary.ok += 1,
            "warning" => summary.warnings.push(item),
            "skipped" | "ignored" => summary.skipped += 1,
            _ if is_connectivity_check(id) => summary.connectivity.push(item),
            _ => summary.errors.push(item),
        }
    }
    Ok(summary)
}

/// Options of a verify run.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Whether a service manager runs (else service states are not checked).
    pub services: bool,
    /// Wait this long for edgeAgent to be running.
    pub wait: Option<Duration>,
    /// Whether provisioning was ever written; when not, the daemon's
    /// "not configured" check is expected and reported as such.
    pub provisioned: bool,
}

fn service_state(sys: &dyn System, name: &str) -> Result<String> {
    let cmd = CommandSpec::new(
        format!("asking systemd about {name}"),
        "systemctl",
        &["is-active", name],
    );
    let out = sys.run(&cmd)?;
    Ok(out.stdout.trim().to_string())
}

/// The daemon version `iotedge version` reports on Windows (`iotedge 1.0.9.2 (sha)`).
fn windows_daemon_version(sys: &dyn System) -> Result<Option<String>> {
    let cmd = CommandSpec::new(
        "asking IoT Edge its version",
        r"C:\Program Files\iotedge\iotedge.exe",
        &["version"],
    );
    Ok(match sys.run(&cmd) {
        Ok(out) if out.success() => out.stdout.split_whitespace().nth(1).map(str::to_string),
        _ => None,
    })
}

fn windows_service_state(sys: &dyn System, name: &str) -> Result<String> {
    let cmd = crate::backend::powershell::command(
        format!("asking Windows about {name}"),
        &crate::backend::powershell::service_status(name),
    );
    Ok(sys.run(&cmd)?.stdout.trim().to_string())
}

fn agent_running(sys: &dyn System) -> Result<bool> {
    let cmd = CommandSpec::new("listing the IoT Edge modules", "iotedge", &["list"]);
    let out = sys.run(&cmd)?;
    Ok(out.success()
        && out.stdout.lines().any(|l| {
            let mut cols = l.split_whitespace();
            cols.next() == Some("edgeAgent") && cols.next() == Some("running")
        }))
}

/// Verifies an install against its receipt.
pub fn verify(
    sys: &dyn System,
    receipt: &Receipt,
    options: &VerifyOptions,
) -> Result<VerifySummary> {
    let mut failures = Vec::new();
    let mut packages = Vec::new();
    let windows = receipt.platform.starts_with("windows-");
    let backend = Backend::from_receipt(receipt.package_tool.as_deref());
    for p in &receipt.packages {
        let installed = if windows {
            windows_daemon_version(sys)?
        } else {
            backend.installed_version(sys, &p.name)?
        };
        let ok = installed.as_deref() == Some(p.version.as_str());
        if !ok {
            failures.push(format!(
                "{} is {} but the receipt says {}",
                p.name,
                installed.as_deref().unwrap_or("not installed"),
                p.version
            ));
        }
        packages.push(PackageCheck {
            name: p.name.clone(),
            expected: p.version.clone(),
            installed,
            ok,
        });
    }
    let mut services = Vec::new();
    let names: &[&str] = if windows {
        &["iotedge-moby", "iotedge"]
    } else {
        &["docker", "iotedge"]
    };
    for &name in names {
        let (state, ok) = if options.services {
            let state = if windows {
                windows_service_state(sys, name)?
            } else {
                service_state(sys, name)?
            };
            let ok = state == "active" || state == "Running";
            if !ok {
                failures.push(format!("the {name} service is {state}"));
            }
            (state, ok)
        } else {
            (
                "not checked (no service manager runs here)".to_string(),
                true,
            )
        };
        services.push(ServiceCheck {
            name: name.into(),
            state,
            ok,
        });
    }
    // On Windows a PATH changed in this run does not reach this process's children.
    let iotedge = if windows {
        r"C:\Program Files\iotedge\iotedge.exe"
    } else {
        "iotedge"
    };
    let check_cmd = CommandSpec::new(
        "running `iotedge check`",
        iotedge,
        &["check", "--output", "json"],
    );
    let check = match sys.run(&check_cmd) {
        Ok(out) if !out.stdout.trim().is_empty() => {
            let mut summary = summarise_check(&out.stdout)?;
            if !options.provisioned {
                summary.errors.retain(|e| e.id != "connection-string");
            }
            for e in &summary.errors {
                failures.push(format!(
                    "iotedge check: {} failed: {}",
                    e.id,
                    e.details.join(" ")
                ));
            }
            Some(summary)
        }
        Ok(out) => {
            failures.push(format!("`iotedge check` printed nothing: {}", out.tail(3)));
            None
        }
        Err(e) => {
            failures.push(e.to_string());
            None
        }
    };
    let agent = match options.wait {
        Some(limit) => {
            let start = Instant::now();
            let mut running = agent_running(sys)?;
            while !running && start.elapsed() < limit {
                sys.sleep(Duration::from_secs(2));
                running = agent_running(sys)?;
            }
            if !running {
                failures.push(format!(
                    "edgeAgent was not running after {}s",
                    limit.as_secs()
                ));
            }
            Some(running)
        }
        None => None,
    };
    Ok(VerifySummary {
        ok: failures.is_empty(),
        packages,
        services,
        check,
        agent_running: agent,
        not_provisioned: !options.provisioned,
        failures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summarises_the_real_check_shape() {
        let json = r#"{"additional_info":{"iotedged_version":"1.0.9"},"checks":{
            "config-yaml-well-formed":{"result":{"result":"ok"},"additional_info":{}},
            "connection-string":{"result":{"result":"error","details":["Device connection string is not set"]}},
            "host-local-time":{"result":{"result":"warning","details":["offset 12s"]}},
            "host-connect-iothub-amqp":{"result":{"result":"error","details":["could not connect"]}},
            "container-connect-iothub-mqtt":{"result":{"result":"skipped"}}}}"#;
        let s = summarise_check(json).unwrap();
        assert_eq!(s.ok, 1);
        assert_eq!(s.skipped, 1);
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].id, "connection-string");
        assert_eq!(s.connectivity[0].id, "host-connect-iothub-amqp");
        assert_eq!(s.warnings[0].details, vec!["offset 12s"]);
        assert!(summarise_check("{}").is_err());
        assert!(summarise_check("not json").is_err());
    }
}
