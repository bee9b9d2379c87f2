//! The one error type of edgeup and the one mapping from errors to exit codes.

use std::fmt;
use std::path::PathBuf;

/// Process exit codes: the contract with scripts, fleets and the README table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Everything asked for was done.
    Ok = 0,
    /// A step failed; what the run changed was rolled back.
    Failed = 1,
    /// Bad input or usage; nothing was changed.
    BadInput = 2,
    /// The platform or architecture is not supported.
    Unsupported = 3,
    /// The install finished but verification failed.
    VerifyFailed = 4,
    /// A reboot is required; run the same command again after it.
    RebootRequired = 5,
    /// Another edgeup or the package manager holds the lock.
    Busy = 6,
    /// A network failure.
    Network = 7,
    /// A checksum or signature did not match.
    Integrity = 8,
}

impl ExitCode {
    /// Every code, in numeric order.
    pub const ALL: [ExitCode; 9] = [
        ExitCode::Ok,
        ExitCode::Failed,
        ExitCode::BadInput,
        ExitCode::Unsupported,
        ExitCode::VerifyFailed,
        ExitCode::RebootRequired,
        ExitCode::Busy,
        ExitCode::Network,
        ExitCode::Integrity,
    ];

    /// The number the process exits with.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// What the code means, as the README's table says it.
    pub fn meaning(self) -> &'static str {
        match self {
            ExitCode::Ok => "ok",
            ExitCode::Failed => "failed (what the run changed was rolled back)",
            ExitCode::BadInput => "bad input or usage (nothing was changed)",
            ExitCode::Unsupported => "unsupported platform or architecture",
            ExitCode::VerifyFailed => "verification failed",
            ExitCode::RebootRequired => "reboot required (run the same command again after it)",
            ExitCode::Busy => "busy: another edgeup or the package manager holds the lock",
            ExitCode::Network => "network failure",
            ExitCode::Integrity => "integrity failure (checksum or signature mismatch)",
        }
    }

    /// Whether running the same command again later may succeed without changes.
    pub fn retryable(self) -> bool {
        matches!(
            self,
            ExitCode::RebootRequired | ExitCode::Busy | ExitCode::Network
        )
    }
}

/// Everything that can go wrong in edgeup. Every variant maps to one exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value given by the user is wrong. `value` must already be redacted
    /// when it could be a secret.
    #[error("{what} '{value}' is not valid: {problem}")]
    BadInput {
        what: String,
        value: String,
        problem: String,
        fix: String,
    },
    /// A usage problem that is not about one value (conflicting options, a
    /// choice that has to be made).
    #[error("{message}")]
    Usage { message: String, fix: String },
    /// The platform cannot be served.
    #[error("{message}")]
    Unsupported { message: String, fix: String },
    /// A file could not be read or written.
    #[error("could not {action} '{path}': {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// A step failed.
    #[error("{context}: {detail}")]
    Failed { context: String, detail: String },
    /// A download or repository could not be reached.
    #[error("could not fetch {url}: {detail}")]
    Network { url: String, detail: String },
    /// A checksum or signature did not match.
    #[error("{message}")]
    Integrity { message: String, fix: String },
    /// Another edgeup or the package manager holds the lock.
    #[error("{message}")]
    Busy { message: String },
    /// A step failed and what the run had changed was restored. The exit
    /// code is the cause's (1 for a failed step, 7, 8 or 6 when the network,
    /// a signature or a lock was the cause).
    #[error("{step} failed: {source}\nrestored: {}", if restored.is_empty() { "nothing had changed yet".to_string() } else { restored.join("; ") })]
    RolledBack {
        step: String,
        source: Box<Error>,
        restored: Vec<String>,
    },
    /// Windows needs a reboot before the run can go on; the same command
    /// resumes after it.
    #[error("{message}")]
    RebootRequired { message: String },
    /// What is installed does not pass verification.
    #[error("verification failed: {}", failures.join("; "))]
    VerifyFailed { failures: Vec<String> },
}

impl Error {
    /// A bad value, with what would be right.
    pub fn bad_input(
        what: impl Into<String>,
        value: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Error {
        Error::BadInput {
            what: what.into(),
            value: value.into(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    /// A usage problem with the way out.
    pub fn usage(message: impl Into<String>, fix: impl Into<String>) -> Error {
        Error::Usage {
            message: message.into(),
            fix: fix.into(),
        }
    }

    /// An unsupported platform with the way out.
    pub fn unsupported(message: impl Into<String>, fix: impl Into<String>) -> Error {
        Error::Unsupported {
            message: message.into(),
            fix: fix.into(),
        }
    }

    /// The exit code for this error: the one mapping in the program.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::BadInput { .. } | Error::Usage { .. } => ExitCode::BadInput,
            Error::Unsupported { .. } => ExitCode::Unsupported,
            Error::Io { .. } | Error::Failed { .. } => ExitCode::Failed,
            Error::Network { .. } => ExitCode::Network,
            Error::Integrity { .. } => ExitCode::Integrity,
            Error::Busy { .. } => ExitCode::Busy,
            Error::VerifyFailed { .. } => ExitCode::VerifyFailed,
            Error::RolledBack { source, .. } => source.exit_code(),
            Error::RebootRequired { .. } => ExitCode::RebootRequired,
        }
    }

    /// The next thing to try, when there is an obvious one.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::BadInput { fix, .. }
            | Error::Usage { fix, .. }
            | Error::Unsupported { fix, .. }
            | Error::Integrity { fix, .. } => Some(fix.as_str()).filter(|f| !f.is_empty()),
            Error::Network { .. } => {
                Some("check the network and any proxy (--proxy), then run the same command again")
            }
            Error::Busy { .. } => {
                Some("wait for the other run to finish, then run the same command again")
            }
            Error::RolledBack { source, .. } => source.hint(),
            Error::RebootRequired { .. } => {
                Some("reboot, then run the same command again: it resumes where it stopped")
            }
            Error::Io { .. } | Error::Failed { .. } | Error::VerifyFailed { .. } => None,
        }
    }
}

impl fmt::Display for ExitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code(), self.meaning())
    }
}

/// The result type of edgeup.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_designs_numbers() {
        let numbers: Vec<u8> = ExitCode::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(numbers, vec![0, 1, 2, 3, 4, 5, 6, 7, 8]);
        let retryable: Vec<u8> = ExitCode::ALL
            .iter()
            .filter(|c| c.retryable())
            .map(|c| c.code())
            .collect();
        assert_eq!(retryable, vec![5, 6, 7]);
    }

    #[test]
    fn errors_map_to_their_codes() {
        let bad = Error::bad_input("--version", "1.0.4", "unknown release", "use 1.0.9");
        assert_eq!(bad.exit_code(), ExitCode::BadInput);
        assert_eq!(bad.hint(), Some("use 1.0.9"));
        assert_eq!(
            Error::unsupported("Debian 12 is not supported", "").exit_code(),
            ExitCode::Unsupported
        );
        assert_eq!(Error::unsupported("x", "").hint(), None);
    }
}
