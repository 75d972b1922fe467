//! Configuration errors that name the key, the bad value and where it came from.

use std::path::PathBuf;

use figment::error::Kind;
use figment::{Figment, Metadata, Profile, Source};

use super::types::Secret;

/// Keys whose values are never shown.
const SECRET_KEYS: &[&str] = &["token", "alerts.webhook_url"];

/// Why the configuration was rejected. The binary exits with 78 (`EX_CONFIG`) on any of these.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum ConfigError {
    /// `--config`/`NOVERA_CONFIG` names a file that does not exist.
    #[error("configuration file {} does not exist", path.display())]
    MissingFile {
        /// The path given.
        path: PathBuf,
    },
    /// The `.env` file could not be parsed.
    #[error("cannot read .env file {}: {message}", path.display())]
    Dotenv {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// A key has a bad value, or is unknown.
    #[error("{}", .0.join("; "))]
    Keys(Vec<String>),
}

impl ConfigError {
    /// An invalid value found after extraction (range checks and the like).
    pub(crate) fn invalid(figment: &Figment, key: &str, value: &str, reason: &str) -> Self {
        let origin = figment
            .find_metadata(key)
            .map_or_else(|| "built-in default".to_owned(), |m| origin(m, key));
        Self::Keys(vec![format!(
            "invalid configuration: key `{key}` = {} (from {origin}): {reason}",
            show(key, value)
        )])
    }

    /// Translates figment's errors into one line per problem.
    pub(crate) fn from_figment(error: &figment::Error, figment: &Figment) -> Self {
        let lines = error
            .clone()
            .into_iter()
            .map(|e| {
                let path = e.path.join(".");
                match &e.kind {
                    Kind::UnknownField(field, expected) => {
                        let key = if path.is_empty() {
                            field.clone()
                        } else if e.path.last() == Some(field) {
                            path.clone()
                        } else {
                            format!("{path}.{field}")
                        };
                        let origin = figment
                            .find_metadata(&key)
                            .map_or_else(|| "an unknown source".to_owned(), |m| origin(m, &key));
                        format!(
                            "invalid configuration: unknown key `{key}` (from {origin}); expected one of: {}",
                            expected.join(", ")
                        )
                    }
                    kind => {
                        let value = figment
                            .find_value(&path)
                            .ok()
                            .map_or_else(|| "?".to_owned(), |v| render(&path, &v));
                        let origin = e
                            .metadata
                            .as_ref()
                            .map_or_else(|| "built-in default".to_owned(), |m| origin(m, &path));
                        format!(
                            "invalid configuration: key `{path}` = {value} (from {origin}): {}",
                            redact_kind(&path, kind)
                        )
                    }
                }
            })
            .collect();
        Self::Keys(lines)
    }
}

fn origin(metadata: &Metadata, key: &str) -> String {
    if let Some(Source::File(path)) = &metadata.source {
        return format!("file {}", path.display());
    }
    let parts: Vec<&str> = key.split('.').collect();
    let variable = metadata.interpolate(&Profile::Default, &parts);
    if metadata.name.contains("variable") {
        format!("{} {variable}", metadata.name)
    } else {
        metadata.name.to_string()
    }
}

fn render(key: &str, value: &figment::value::Value) -> String {
    if SECRET_KEYS.contains(&key) {
        return Secret::REDACTED.to_owned();
    }
    match value {
        figment::value::Value::String(_, s) => format!("{s:?}"),
        other => serde_json::to_string(other).unwrap_or_else(|_| "?".to_owned()),
    }
}

fn show(key: &str, value: &str) -> String {
    if SECRET_KEYS.contains(&key) {
        Secret::REDACTED.to_owned()
    } else {
        format!("{value:?}")
    }
}

fn redact_kind(key: &str, kind: &Kind) -> String {
    if SECRET_KEYS.contains(&key) {
        "invalid value".to_owned()
    } else {
        kind.to_string()
    }
}
