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
    log_json: bool,
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
            log_json: settings.log_json,
        }
    }

    /// How downloads show progress: a bar on a terminal, plain lines
    /// otherwise, nothing with -q.
    pub fn download_display(&self) -> DownloadDisplay {
        if self.verbosity == Verbosity::Quiet || self.log_json {
            DownloadDisplay::Quiet
        } else if std::io::stderr().is_terminal() {
            DownloadDisplay::Bar
        } else {
            DownloadDisplay::Lines
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

    /// One JSON event on stderr (`--log-format json`).
    fn event(&self, level: &str, message: &str, extra: serde_json::Value) {
        let mut event = serde_json::json!({
            "time": unix_time(),
            "level": level,
            "message": message,
        });
        if let (Some(map), serde_json::Value::Object(more)) = (event.as_object_mut(), extra) {
            map.extend(more);
        }
        eprintln!("{event}");
    }

    /// A progress or status message (hidden with -q).
    pub fn info(&self, message: impl Display) {
        if self.verbosity >= Verbosity::Normal {
            if self.log_json {
                self.event("info", &message.to_string(), serde_json::Value::Null);
            } else {
                eprintln!("{message}");
            }
        }
    }

    /// Detail shown with -v.
    pub fn detail(&self, message: impl Display) {
        if self.verbosity >= Verbosity::Verbose {
            if self.log_json {
                self.event("debug", &message.to_string(), serde_json::Value::Null);
            } else {
                eprintln!("{}", self.paint_err(Style::Dim, message));
            }
        }
    }

    /// A warning (shown even with -q).
    pub fn warn(&self, message: impl Display) {
        if self.log_json {
            self.event("warning", &message.to_string(), serde_json::Value::Null);
        } else {
            eprintln!("{} {message}", self.paint_err(Style::Yellow, "warning:"));
        }
    }

    /// An error, with its hint.
    pub fn error(&self, error: &Error) {
        let code = error.exit_code();
        if self.log_json {
            self.event(
                "error",
                &error.to_string(),
                serde_json::json!({"hint": error.hint(), "exit_code": code.code(), "retryable": code.retryable()}),
            );
            return;
        }
        eprintln!("{} {error}", self.paint_err(Style::Red, "error:"));
        if let Some(hint) = error.hint() {
            eprintln!("  {} {hint}", self.paint_err(Style::Bold, "hint:"));
        }
        eprintln!(
            "  {}",
            self.paint_err(Style::Dim, format!("exit code {code}"))
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

/// How downloads show their progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadDisplay {
    Bar,
    Lines,
    Quiet,
}

/// Download progress on stderr: an indicatif bar (bytes, rate, ETA) on a
/// terminal, a plain line every few seconds otherwise, nothing with -q.
pub struct DownloadProgress {
    display: DownloadDisplay,
    bar: std::cell::RefCell<Option<indicatif::ProgressBar>>,
    url: std::cell::RefCell<String>,
    total: std::cell::Cell<Option<u64>>,
    last_line: std::cell::Cell<std::time::Instant>,
}

impl DownloadProgress {
    /// Progress shown the way the output settings say.
    pub fn new(ui: &Ui) -> DownloadProgress {
        DownloadProgress {
            display: ui.download_display(),
            bar: std::cell::RefCell::new(None),
            url: std::cell::RefCell::new(String::new()),
            total: std::cell::Cell::new(None),
            last_line: std::cell::Cell::new(std::time::Instant::now()),
        }
    }

    fn line(&self, done: u64) {
        let url = self.url.borrow();
        match self.total.get() {
            Some(t) if t > 0 => eprintln!("  {url}: {done} of {t} bytes ({}%)", done * 100 / t),
            _ => eprintln!("  {url}: {done} bytes"),
        }
    }
}

impl crate::fetch::FetchProgress for DownloadProgress {
    fn start(&self, url: &str, total: Option<u64>, from: u64) {
        *self.url.borrow_mut() = url.to_string();
        self.total.set(total);
        match self.display {
            DownloadDisplay::Bar => {
                let bar = match total {
                    Some(t) => indicatif::ProgressBar::new(t),
                    None => indicatif::ProgressBar::new_spinner(),
                };
                if let Ok(style) = indicatif::ProgressStyle::with_template(
                    "  {msg} {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {wide_bar}",
                ) {
                    bar.set_style(style);
                }
                bar.set_message(url.rsplit('/').next().unwrap_or(url).to_string());
                bar.set_position(from);
                *self.bar.borrow_mut() = Some(bar);
            }
            DownloadDisplay::Lines => {
                self.last_line.set(std::time::Instant::now());
                if from > 0 {
                    eprintln!("  resuming {url} at byte {from}");
                }
            }
            DownloadDisplay::Quiet => {}
        }
    }

    fn advance(&self, done: u64) {
        match self.display {
            DownloadDisplay::Bar => {
                if let Some(bar) = self.bar.borrow().as_ref() {
                    bar.set_position(done);
                }
            }
            DownloadDisplay::Lines => {
                if self.last_line.get().elapsed() >= std::time::Duration::from_secs(5) {
                    self.line(done);
                    self.last_line.set(std::time::Instant::now());
                }
            }
            DownloadDisplay::Quiet => {}
        }
    }

    fn retry(&self, url: &str, why: &str, wait: std::time::Duration) {
        if self.display != DownloadDisplay::Quiet {
            if let Some(bar) = self.bar.borrow_mut().take() {
                bar.abandon();
            }
            eprintln!("  {url}: {why}; trying again in {:.1}s", wait.as_secs_f64());
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.borrow_mut().take() {
            bar.finish_and_clear();
        }
    }
}

/// Seconds since the Unix epoch, for log events.
fn unix_time() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| (d.as_millis() as f64) / 1000.0)
        .unwrap_or(0.0)
}
