//! Output: the command's result on stdout (a human report, or one JSON
//! document with `--json`), and messages (progress, warnings, errors) on
//! stderr. Colors only on a terminal unless asked, and never with NO_COLOR.

use std::fmt::Display;
use std::io::{IsTerminal, Write};

use crate::cli::ColorChoice;
use crate::error::Error;
use crate::settings::{OutputSettings, Verbosity};

/// A terminal style.
#[derive(Debug, Clone, Copy)]
pub enum Style {
    Bold,
    Green,
    Yellow,
    Red,
    Dim,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Bold => "1",
            Style::Green => "32",
            Style::Yellow => "33",
            Style::Red => "31",
            Style::Dim => "2",
        }
    }
}

/// Where messages and results go.
#[derive(Debug, Clone)]
pub struct Ui {
    verbosity: Verbosity,
    stdout_color: bool,
    stderr_color: bool,
    json: bool,
}

fn color_enabled(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

impl Ui {
    /// The output of a run.
    pub fn new(settings: &OutputSettings) -> Ui {
        Ui {
            verbosity: settings.verbosity,
            stdout_color: color_enabled(settings.color, std::io::stdout().is_terminal()),
            stderr_color: color_enabled(settings.color, std::io::stderr().is_terminal()),
            json: settings.json,
        }
    }

    /// Whether the result is JSON.
    pub fn json(&self) -> bool {
        self.json
    }

    /// Styles text for stdout.
    pub fn paint(&self, style: Style, text: impl Display) -> String {
        paint(self.stdout_color, style, text)
    }

    fn paint_err(&self, style: Style, text: impl Display) -> String {
        paint(self.stderr_color, style, text)
    }

    /// A progress or status message (hidden with -q).
    pub fn info(&self, message: impl Display) {
        if self.verbosity >= Verbosity::Normal {
            eprintln!("{message}");
        }
    }

    /// Detail shown with -v.
    pub fn detail(&self, message: impl Display) {
        if self.verbosity >= Verbosity::Verbose {
            eprintln!("{}", self.paint_err(Style::Dim, message));
        }
    }

    /// A warning (shown even with -q).
    pub fn warn(&self, message: impl Display) {
        eprintln!("{} {message}", self.paint_err(Style::Yellow, "warning:"));
    }

    /// An error, with its hint.
    pub fn error(&self, error: &Error) {
        eprintln!("{} {error}", self.paint_err(Style::Red, "error:"));
        if let Some(hint) = error.hint() {
            eprintln!("  {} {hint}", self.paint_err(Style::Bold, "hint:"));
        }
        eprintln!(
            "  {}",
            self.paint_err(Style::Dim, format!("exit code {}", error.exit_code()))
        );
    }

    /// With `--json`, the error as the one JSON document on stdout, so a
    /// machine reader always gets a document; the human message still goes
    /// to stderr.
    pub fn error_json(&self, error: &Error) {
        if self.json {
            let code = error.exit_code();
            self.result_json(&serde_json::json!({
                "error": {
                    "message": error.to_string(),
                    "hint": error.hint(),
                    "exit_code": code.code(),
                    "meaning": code.meaning(),
                    "retryable": code.retryable(),
                }
            }));
        }
    }

    /// The human result, on stdout.
    pub fn result(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        // A closed pipe (`edgeup releases | head`) is not an error worth a panic.
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    /// The JSON result, on stdout.
    pub fn result_json(&self, value: &impl serde::Serialize) {
        let text =
            serde_json::to_string_pretty(value).expect("edgeup's result types always serialize");
        self.result(&format!("{text}\n"));
    }
}

fn paint(enabled: bool, style: Style, text: impl Display) -> String {
    if enabled {
        format!("\x1b[{}m{text}\x1b[0m", style.code())
    } else {
        text.to_string()
    }
}
