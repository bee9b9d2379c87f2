//! The receipt: `/var/lib/edgeup/receipt.json`, what edgeup installed, from
//! where, and every file it wrote with its hash. Re-runs, `verify` and
//! `uninstall` read it.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::system::System;

/// Where the receipt lives.
#[cfg(not(windows))]
pub const RECEIPT_PATH: &str = "/var/lib/edgeup/receipt.json";
/// Where the receipt lives.
#[cfg(windows)]
pub const RECEIPT_PATH: &str = r"C:\ProgramData\edgeup\receipt.json";

/// A package edgeup installed, at its package version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptPackage {
    pub name: String,
    pub version: String,
    /// Whether edgeup installed it (false: it was there before, like a kept Docker).
    pub installed_by_edgeup: bool,
}

/// A file edgeup wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptFile {
    pub path: String,
    pub sha256: String,
}

/// The component versions of the install.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptVersions {
    pub daemon: String,
    pub hsm: String,
    pub agent: String,
    pub moby: String,
}

/// The whole receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub edgeup_version: String,
    pub platform: String,
    pub release: String,
    pub requested: String,
    pub versions: ReceiptVersions,
    /// `moby` or `existing`.
    pub engine: String,
    pub packages: Vec<ReceiptPackage>,
    pub files: Vec<ReceiptFile>,
    /// The provisioning method (`manual`, `dps-symmetric-key`, ...), never its secrets.
    pub provisioning: Option<String>,
    pub mirror: String,
    /// The package tool when it is not apt: `yum`, `dnf`, `dpkg` or `rpm`
    /// (absent in apt receipts, as before the RPM family).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_tool: Option<String>,
    /// Keys edgeup imported into rpm's keyring (`gpg-pubkey-<id>-<date>`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rpm_keys: Vec<String>,
}

impl Receipt {
    /// Reads the receipt; `None` when there is none.
    pub fn load(sys: &dyn System) -> Result<Option<Receipt>> {
        let Some(bytes) = sys.read(Path::new(RECEIPT_PATH))? else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::Failed {
                context: format!("reading {RECEIPT_PATH}"),
                detail: format!("{e}; move the file away to start over"),
            })
    }

    /// Writes the receipt (root only, 0600: it names files, not secrets, but
    /// nobody else needs it).
    pub fn save(&self, sys: &dyn System) -> Result<()> {
        let mut text = serde_json::to_string_pretty(self).expect("a receipt serializes");
        text.push('\n');
        sys.write(Path::new(RECEIPT_PATH), text.as_bytes(), 0o600, None)
    }

    /// The recorded version of a package.
    pub fn package(&self, name: &str) -> Option<&ReceiptPackage> {
        self.packages.iter().find(|p| p.name == name)
    }
}

/// The sha256 of bytes, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_like_sha256sum() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
