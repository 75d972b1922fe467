//! Tracing setup: pretty on a terminal, JSON otherwise, optional rotated file; every line
//! redacted.
//!
//! Logs go to stderr so stdout stays free for the sandbox console and `check-config`. Each layer
//! writes through [`Redacting`], so no line reaches stderr or the file before the process's
//! redactor has seen it (see `redacting.rs`); `filter.rs` says what each level turns on.

mod filter;
mod redacting;

use std::io::IsTerminal as _;

use novera_health::Redactor;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

use self::redacting::Redacting;
use crate::config::{LogConfig, LogFormat, LogRotation};
use crate::exit::Failure;

/// Keeps the file writer flushing until dropped at exit.
pub(crate) struct LogGuard {
    _file: Option<WorkerGuard>,
}

/// Installs the global subscriber, writing through `redactor`, which also becomes the process's
/// (panic messages, the exit line). `RUST_LOG` overrides `log.level`.
pub(crate) fn init(config: &LogConfig, redactor: &Redactor) -> Result<LogGuard, Failure> {
    crate::redaction::set_process(redactor);
    let levels = match std::env::var("RUST_LOG") {
        Ok(from_env) if !from_env.is_empty() => EnvFilter::try_new(&from_env)
            .map_err(|e| Failure::config(format!("invalid RUST_LOG filter {from_env:?}: {e}")))?,
        _ => EnvFilter::try_new(filter::directives(&config.level)).map_err(|e| {
            Failure::config(format!(
                "invalid configuration: key `log.level` = {:?}: {e}",
                config.level
            ))
        })?,
    };
    let pretty = match config.format {
        LogFormat::Pretty => true,
        LogFormat::Json => false,
        LogFormat::Auto => std::io::stderr().is_terminal(),
    };
    let stderr_pretty = pretty.then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(Redacting::new(std::io::stderr, redactor.clone()))
            .with_target(false)
            .compact()
    });
    let stderr_json = (!pretty).then(|| {
        tracing_subscriber::fmt::layer()
            .json()
            .with_writer(Redacting::new(std::io::stderr, redactor.clone()))
            .with_current_span(false)
    });
    let (file_layer, guard) = match &config.file {
        Some(path) => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or_else(|| std::path::Path::new("."));
            let name = path.file_name().ok_or_else(|| {
                Failure::config(format!(
                    "invalid configuration: key `log.file` = {:?}: not a file path",
                    path.display()
                ))
            })?;
            std::fs::create_dir_all(dir).map_err(|e| {
                Failure::config(format!(
                    "invalid configuration: key `log.file` = {:?}: cannot create {}: {e}",
                    path.display(),
                    dir.display()
                ))
            })?;
            let appender = match config.rotation {
                LogRotation::Daily => tracing_appender::rolling::daily(dir, name),
                LogRotation::Hourly => tracing_appender::rolling::hourly(dir, name),
                LogRotation::Never => tracing_appender::rolling::never(dir, name),
            };
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = tracing_subscriber::fmt::layer()
                .json()
                .with_writer(Redacting::new(writer, redactor.clone()))
                .with_ansi(false);
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    // A second init (only possible in tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(levels)
        .with(filter::no_payload_dumps())
        .with(stderr_pretty)
        .with(stderr_json)
        .with(file_layer)
        .try_init();
    Ok(LogGuard { _file: guard })
}
