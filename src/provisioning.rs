//! Provisioning: how the device proves who it is to IoT Hub. Values are
//! validated before any change, secrets are read from files or the
//! environment, and nothing here ever prints a secret: `Debug` and every
//! message show redacted forms.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::{Error, Result};

/// A secret string: shown as `***` in every formatting.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for writing into the daemon's config and nowhere else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A validated IoT Hub device connection string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionString {
    pub host_name: String,
    pub device_id: String,
    value: Secret,
}

impl ConnectionString {
    /// Parses `HostName=<hub>;DeviceId=<id>;SharedAccessKey=<base64>`.
    pub fn parse(text: &str) -> Result<ConnectionString> {
        let text = text.trim();
        let redacted = redact_connection_string(text);
        let bad = |problem: &str| {
            Error::bad_input(
                "the connection string",
                redacted.clone(),
                problem,
                "copy the device's primary connection string from IoT Hub: HostName=<hub>.azure-devices.net;DeviceId=<device>;SharedAccessKey=<key>",
            )
        };
        let mut host = None;
        let mut device = None;
        let mut key = None;
        for part in text.split(';').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').ok_or_else(|| {
                bad(&format!(
                    "'{}' is not Key=Value",
                    part.split('=').next().unwrap_or("")
                ))
            })?;
            match k {
                "HostName" => host = Some(v.to_string()),
                "DeviceId" => device = Some(v.to_string()),
                "SharedAccessKey" => key = Some(v.to_string()),
                "GatewayHostName" | "SharedAccessKeyName" | "ModuleId" | "x509" => {}
                other => return Err(bad(&format!("unknown part '{other}'"))),
            }
        }
        let host = host.ok_or_else(|| bad("HostName is missing"))?;
        validate_hostname(&host).map_err(|p| bad(&format!("HostName: {p}")))?;
        let device = device
            .filter(|d| !d.is_empty())
            .ok_or_else(|| bad("DeviceId is missing"))?;
        if device.len() > 128 {
            return Err(bad("DeviceId is longer than 128 characters"));
        }
        let key = key.ok_or_else(|| bad("SharedAccessKey is missing"))?;
        if BASE64
            .decode(key.as_bytes())
            .map(|k| k.is_empty())
            .unwrap_or(true)
        {
            return Err(bad("SharedAccessKey is not base64"));
        }
        if text.contains('"') || text.contains('\n') {
            return Err(bad("it contains a quote or a line break"));
        }
        Ok(ConnectionString {
            host_name: host,
            device_id: device,
            value: Secret::new(text),
        })
    }

    /// The whole string, for the config file only.
    pub fn secret(&self) -> &Secret {
        &self.value
    }
}

/// `...;SharedAccessKey=abc` → `...;SharedAccessKey=***`.
pub fn redact_connection_string(text: &str) -> String {
    text.split(';')
        .map(|part| match part.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("SharedAccessKey") => format!("{k}=***"),
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// Checks a host name: at most 64 characters (IoT Edge's limit), RFC 1123 labels.
pub fn validate_hostname(name: &str) -> std::result::Result<(), String> {
    if name.is_empty() {
        return Err("it is empty".into());
    }
    if name.len() > 64 {
        return Err(format!(
            "it has {} characters; IoT Edge allows at most 64",
            name.len()
        ));
    }
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(format!("the label '{label}' must have 1 to 63 characters"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(format!(
                "the label '{label}' may hold only letters, digits and '-' (RFC 1123)"
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!("the label '{label}' may not start or end with '-'"));
        }
    }
    Ok(())
}

/// A base64 key from a file or variable: validated, kept secret.
pub fn parse_key(what: &str, text: &str) -> Result<Secret> {
    let key = text.trim();
    match BASE64.decode(key.as_bytes()) {
        Ok(bytes) if !bytes.is_empty() => Ok(Secret::new(key)),
        _ => Err(Error::bad_input(
            what,
            "***",
            "not a base64 key",
            "give the key exactly as the DPS enrollment shows it (base64)",
        )),
    }
}

/// Checks a DPS registration ID: lowercase letters, digits and `-._:`, 1-128 characters.
pub fn validate_registration_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-._:".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::bad_input(
            "--registration-id",
            id,
            "a registration ID has 1 to 128 lowercase letters, digits, '-', '.', '_' or ':'",
            "use a unique lowercase ID such as the device's serial or MAC (sn-007-888-abc-mac-a1-b2-c3-d4-e5-f6)",
        ))
    }
}

/// The device key of a DPS symmetric-key group enrollment:
/// `base64(HMAC-SHA256(key = base64decode(group key), message = registration ID))`.
pub fn derive_device_key(group_key: &Secret, registration_id: &str) -> Result<Secret> {
    validate_registration_id(registration_id)?;
    let key = BASE64.decode(group_key.expose().as_bytes()).map_err(|_| {
        Error::bad_input(
            "the group key",
            "***",
            "not base64",
            "give the enrollment group's primary key",
        )
    })?;
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(&key).expect("HMAC takes keys of any length");
    mac.update(registration_id.as_bytes());
    Ok(Secret::new(BASE64.encode(mac.finalize().into_bytes())))
}

/// The DPS attestation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attestation {
    SymmetricKey {
        registration_id: String,
        key: Secret,
    },
    X509 {
        registration_id: Option<String>,
        identity_cert: String,
        identity_key: String,
    },
    Tpm {
        registration_id: String,
    },
}

/// How the device is provisioned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provisioning {
    Manual(ConnectionString),
    Dps {
        global_endpoint: String,
        scope_id: String,
        attestation: Attestation,
    },
}

/// The DPS global endpoint.
pub const DPS_GLOBAL_ENDPOINT: &str = "https://global.azure-devices-provisioning.net";

impl Provisioning {
    /// A one-line description without secrets, for plans and logs.
    pub fn describe(&self) -> String {
        match self {
            Provisioning::Manual(cs) => format!(
                "manual: device '{}' on hub '{}' (connection string)",
                cs.device_id, cs.host_name
            ),
            Provisioning::Dps {
                scope_id,
                attestation,
                ..
            } => match attestation {
                Attestation::SymmetricKey {
                    registration_id, ..
                } => {
                    format!("DPS scope {scope_id}: symmetric key for '{registration_id}'")
                }
                Attestation::X509 { identity_cert, .. } => {
                    format!("DPS scope {scope_id}: X.509 identity {identity_cert}")
                }
                Attestation::Tpm { registration_id } => {
                    format!("DPS scope {scope_id}: TPM for '{registration_id}'")
                }
            },
        }
    }

    /// The method name used in receipts and JSON.
    pub fn method(&self) -> &'static str {
        match self {
            Provisioning::Manual(_) => "manual",
            Provisioning::Dps {
                attestation: Attestation::SymmetricKey { .. },
                ..
            } => "dps-symmetric-key",
            Provisioning::Dps {
                attestation: Attestation::X509 { .. },
                ..
            } => "dps-x509",
            Provisioning::Dps {
                attestation: Attestation::Tpm { .. },
                ..
            } => "dps-tpm",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CS: &str =
        "HostName=hub1.azure-devices.net;DeviceId=dev-01;SharedAccessKey=c2VjcmV0LWtleS12YWx1ZQ==";

    #[test]
    fn parses_a_connection_string_and_never_shows_the_key() {
        let cs = ConnectionString::parse(CS).unwrap();
        assert_eq!(cs.host_name, "hub1.azure-devices.net");
        assert_eq!(cs.device_id, "dev-01");
        assert_eq!(cs.secret().expose(), CS);
        let shown = format!("{cs:?} {}", Provisioning::Manual(cs.clone()).describe());
        assert!(!shown.contains("c2VjcmV0"), "{shown}");
    }

    #[test]
    fn refuses_malformed_connection_strings_naming_the_problem_not_the_key() {
        for (bad, problem) in [
            ("DeviceId=d;SharedAccessKey=c2VjcmV0", "HostName is missing"),
            (
                "HostName=hub;SharedAccessKey=c2VjcmV0",
                "DeviceId is missing",
            ),
            ("HostName=hub;DeviceId=d", "SharedAccessKey is missing"),
            (
                "HostName=hub;DeviceId=d;SharedAccessKey=not base64!",
                "not base64",
            ),
            (
                "HostName=hub_1;DeviceId=d;SharedAccessKey=c2VjcmV0",
                "RFC 1123",
            ),
            (
                "HostName=hub;DeviceId=d;SharedAccessKey=c2VjcmV0;Foo=1",
                "unknown part",
            ),
            ("garbage", "not Key=Value"),
        ] {
            let err = ConnectionString::parse(bad).unwrap_err();
            let text = format!("{err} {:?}", err.hint());
            assert!(text.contains(problem), "{bad}: {text}");
            assert!(!text.contains("c2VjcmV0"), "the key leaked: {text}");
            assert_eq!(err.exit_code(), crate::error::ExitCode::BadInput);
        }
    }

    #[test]
    fn hostnames_follow_rfc_1123_and_the_64_character_limit() {
        assert!(validate_hostname("edge-gw-01").is_ok());
        assert!(validate_hostname("edge.example.com").is_ok());
        assert!(
            validate_hostname(&"a".repeat(64)).is_err(),
            "one label over 63"
        );
        let long = format!("{}.{}", "a".repeat(40), "b".repeat(24));
        assert!(
            validate_hostname(&long)
                .unwrap_err()
                .contains("65 characters")
        );
        for bad in ["", "-edge", "edge-", "edge_gw", "edge gw", "a..b"] {
            assert!(validate_hostname(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn derives_the_dps_device_key_of_the_documented_test_vector() {
        // how-to-auto-provision-symmetric-keys.md (facts §5.1).
        let group = Secret::new(
            "8isrFI1sGsIlvvFSSFRiMfCNzv21fjbE/+ah/lSh3lF8e2YG1Te7w1KpZhJFFXJrqYKi9yegxkqIChbqOS9Egw==",
        );
        let key = derive_device_key(&group, "sn-007-888-abc-mac-a1-b2-c3-d4-e5-f6").unwrap();
        assert_eq!(key.expose(), "Jsm0lyGpjaVYVP2g3FnmnmG9dI/9qU24wNoykUmermc=");
        assert_eq!(format!("{key:?}"), "Secret(***)");
        assert!(derive_device_key(&group, "Upper-Case").is_err());
    }

    #[test]
    fn keys_must_be_base64() {
        assert!(parse_key("--symmetric-key-file", "c2VjcmV0\n").is_ok());
        let err = parse_key("--symmetric-key-file", "not-a-key!").unwrap_err();
        assert!(!err.to_string().contains("not-a-key"), "{err}");
    }
}
