//! Dotted numeric versions as IoT Edge and Moby use them (`1.0.8`, `1.0.8.5`, `3.0.6`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A version of one to four dot-separated numbers, compared numerically.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version {
    parts: Vec<u32>,
}

impl Version {
    /// The numeric parts, most significant first.
    pub fn parts(&self) -> &[u32] {
        &self.parts
    }

    /// The first `n` parts as a version (`1.0.8.3` → `1.0.8` for `n = 3`).
    pub fn truncated(&self, n: usize) -> Version {
        Version {
            parts: self.parts.iter().copied().take(n).collect(),
        }
    }
}

/// Why a string is not a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseVersionError(pub String);

impl fmt::Display for ParseVersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseVersionError {}

impl FromStr for Version {
    type Err = ParseVersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts = s
            .split('.')
            .map(|part| {
                if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) || part.len() > 9 {
                    Err(ParseVersionError(format!(
                        "'{s}' is not a version: expected numbers separated by dots, like 1.0.8 or 1.0.8.3"
                    )))
                } else {
                    part.parse::<u32>()
                        .map_err(|e| ParseVersionError(format!("'{s}': {e}")))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        if parts.len() > 4 {
            return Err(ParseVersionError(format!(
                "'{s}' has {} parts; IoT Edge versions have at most four (1.0.8.3)",
                parts.len()
            )));
        }
        Ok(Version { parts })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts.cmp(&other.parts)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{part}")?;
        }
        Ok(())
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    #[test]
    fn orders_numerically_not_lexically() {
        assert!(v("1.0.10") > v("1.0.9"));
        assert!(v("1.0.8.5") > v("1.0.8"));
        assert!(v("1.0.8") < v("1.0.8.1"));
        assert!(v("3.0.10") > v("3.0.6"));
        assert_eq!(v("1.0.8").to_string(), "1.0.8");
    }

    #[test]
    fn truncates_to_release() {
        assert_eq!(v("1.0.8.3").truncated(3), v("1.0.8"));
    }

    #[test]
    fn rejects_malformed_versions() {
        for bad in ["", "1..0", "1.0.x", "v1.0.8", "1.0.8.3.1", "-1.0", "1.0.8 "] {
            let err = bad.parse::<Version>().unwrap_err();
            assert!(err.0.contains(&format!("'{bad}'")), "{bad}: {err}");
        }
    }
}
