//! A parser for `/etc/os-release` (os-release(5)): shell-like `KEY=value`
//! lines, values optionally quoted, with backslash escapes inside double quotes.

use std::collections::BTreeMap;

use serde::Serialize;

/// The os-release fields edgeup uses, plus every field as read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OsRelease {
    /// `ID`, lower-case (`ubuntu`, `debian`, `raspbian`, `centos`, ...); `linux` when absent.
    pub id: String,
    /// `VERSION_ID` (`18.04`, `10`, `7`), empty when absent (rolling or embedded systems).
    pub version_id: String,
    /// `VERSION_CODENAME`, or `UBUNTU_CODENAME`, or the codename in parentheses in `VERSION`.
    pub codename: Option<String>,
    /// `ID_LIKE`, split on spaces.
    pub id_like: Vec<String>,
    /// The codenames of the distributions this one is built on
    /// (`UBUNTU_CODENAME`, `DEBIAN_CODENAME`), as derivatives like Linux Mint set them.
    pub upstream_codenames: Vec<String>,
    /// `PRETTY_NAME`, or `NAME` and `VERSION`.
    pub pretty_name: String,
    /// `NAME`.
    pub name: String,
    #[serde(skip)]
    pub fields: BTreeMap<String, String>,
}

impl OsRelease {
    /// Parses the file's text. Malformed lines are skipped, as systemd does.
    pub fn parse(text: &str) -> OsRelease {
        let mut fields = BTreeMap::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((key, raw)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim();
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                continue;
            }
            if let Some(value) = unquote(raw.trim()) {
                fields.insert(key.to_string(), value);
            }
        }
        let get = |k: &str| fields.get(k).cloned().filter(|v| !v.is_empty());
        let version = get("VERSION");
        let codename = get("VERSION_CODENAME")
            .or_else(|| get("UBUNTU_CODENAME"))
            .or_else(|| version.as_deref().and_then(codename_in_version));
        let name = get("NAME").unwrap_or_else(|| "Linux".to_string());
        let pretty_name = get("PRETTY_NAME").unwrap_or_else(|| match &version {
            Some(v) => format!("{name} {v}"),
            None => name.clone(),
        });
        OsRelease {
            id: get("ID")
                .map(|s| s.to_ascii_lowercase())
                .unwrap_or_else(|| "linux".to_string()),
            version_id: get("VERSION_ID").unwrap_or_default(),
            codename: codename.map(|c| c.to_ascii_lowercase()),
            id_like: get("ID_LIKE")
                .map(|s| s.split_whitespace().map(str::to_ascii_lowercase).collect())
                .unwrap_or_default(),
            upstream_codenames: ["UBUNTU_CODENAME", "DEBIAN_CODENAME"]
                .iter()
                .filter_map(|k| get(k))
                .map(|c| c.to_ascii_lowercase())
                .collect(),
            pretty_name,
            name,
            fields,
        }
    }
}

/// `9 (stretch)` → `stretch`; `18.04.5 LTS (Bionic Beaver)` → `bionic`.
fn codename_in_version(version: &str) -> Option<String> {
    let inner = version.split_once('(')?.1.split_once(')')?.0;
    inner.split_whitespace().next().map(str::to_string)
}

/// Undoes os-release quoting; `None` for an unterminated quote.
fn unquote(raw: &str) -> Option<String> {
    let mut chars = raw.chars();
    match chars.next() {
        Some(q @ ('"' | '\'')) => {
            let mut out = String::new();
            let mut escaped = false;
            for c in chars.by_ref() {
                if escaped {
                    out.push(c);
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    return Some(out);
                } else {
                    out.push(c);
                }
            }
            None
        }
        _ => Some(raw.split(" #").next().unwrap_or(raw).trim().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_raspbian_buster() {
        let os = OsRelease::parse(
            "PRETTY_NAME=\"Raspbian GNU/Linux 10 (buster)\"\nNAME=\"Raspbian GNU/Linux\"\n\
             VERSION_ID=\"10\"\nVERSION=\"10 (buster)\"\nVERSION_CODENAME=buster\nID=raspbian\n\
             ID_LIKE=debian\nHOME_URL=\"http://www.raspbian.org/\"\n",
        );
        assert_eq!(os.id, "raspbian");
        assert_eq!(os.version_id, "10");
        assert_eq!(os.codename.as_deref(), Some("buster"));
        assert_eq!(os.id_like, vec!["debian"]);
        assert_eq!(os.pretty_name, "Raspbian GNU/Linux 10 (buster)");
    }

    #[test]
    fn takes_the_codename_from_version_when_no_codename_field() {
        // Debian 8 has no VERSION_CODENAME.
        let os = OsRelease::parse("ID=debian\nVERSION_ID=\"8\"\nVERSION=\"8 (jessie)\"\n");
        assert_eq!(os.codename.as_deref(), Some("jessie"));
        // Ubuntu 16.04 has UBUNTU_CODENAME too; VERSION_CODENAME wins when present.
        let os = OsRelease::parse(
            "ID=ubuntu\nVERSION=\"16.04.6 LTS (Xenial Xerus)\"\nUBUNTU_CODENAME=xenial\n",
        );
        assert_eq!(os.codename.as_deref(), Some("xenial"));
    }

    #[test]
    fn handles_quotes_escapes_comments_and_junk() {
        let os = OsRelease::parse(
            "# comment\n\nNAME='Single Quoted'\nID=\"CentOS\"\nPRETTY_NAME=\"A \\\"quoted\\\" name\"\n\
             garbage line\n=novalue\nVERSION_ID=\"7\nID_LIKE=\"rhel fedora\"\n",
        );
        assert_eq!(os.name, "Single Quoted");
        assert_eq!(os.id, "centos");
        assert_eq!(os.pretty_name, "A \"quoted\" name");
        assert_eq!(os.version_id, "", "an unterminated quote is dropped");
        assert_eq!(os.id_like, vec!["rhel", "fedora"]);
    }

    #[test]
    fn keeps_the_upstream_codename_of_a_derivative() {
        let os = OsRelease::parse(
            "NAME=\"Linux Mint\"\nVERSION=\"18.3 (Sylvia)\"\nID=linuxmint\nID_LIKE=ubuntu\n\
             VERSION_ID=\"18.3\"\nVERSION_CODENAME=sylvia\nUBUNTU_CODENAME=xenial\n",
        );
        assert_eq!(os.codename.as_deref(), Some("sylvia"));
        assert_eq!(os.upstream_codenames, vec!["xenial"]);
    }

    #[test]
    fn empty_file_is_generic_linux() {
        let os = OsRelease::parse("");
        assert_eq!(os.id, "linux");
        assert_eq!(os.pretty_name, "Linux");
        assert_eq!(os.codename, None);
    }
}
