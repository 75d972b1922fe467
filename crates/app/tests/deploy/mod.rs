//! Shared facts and parsers for `deploy_manifests`: where the files are, YAML navigation,
//! durations as supervisors write them, probe URLs. One module per supervisor holds that
//! supervisor's parser and its tests.

pub(crate) mod cluster;
pub(crate) mod compose;
pub(crate) mod docker;
pub(crate) mod kubernetes;
pub(crate) mod systemd;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde_norway::Value;

/// The health port every document (runbook, Prometheus examples, compose port mapping) names.
pub(crate) const HEALTH_PORT: u16 = 8686;
pub(crate) const LIVENESS_PATH: &str = "/healthz";
pub(crate) const READINESS_PATH: &str = "/readyz";
pub(crate) const METRICS_PATH: &str = "/metrics";
/// Where containers and the systemd unit keep the session file.
pub(crate) const SESSION_PATH: &str = "/var/lib/novera/sessions.json";
/// The binary's defaults for `shutdown.drain_timeout` and `shutdown.close_timeout`.
pub(crate) const DEFAULT_DRAIN: Duration = Duration::from_secs(20);
pub(crate) const DEFAULT_CLOSE: Duration = Duration::from_secs(5);
/// Exit code for configuration and credential problems (`EX_CONFIG`).
pub(crate) const EX_CONFIG: &str = "78";
/// Discord's daily IDENTIFY budget, and the share restarts may use for this many shards.
pub(crate) const IDENTIFY_BUDGET_PER_DAY: u64 = 1000;
pub(crate) const SHARDS_THE_DEFAULTS_ARE_SIZED_FOR: u64 = 4;

pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) fn deploy_dir() -> PathBuf {
    repo_root().join("deploy")
}

pub(crate) fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every document of a YAML file (`---` separated), empty documents skipped.
pub(crate) fn yaml_documents(path: &Path) -> Vec<Value> {
    let text = read(path);
    serde_norway::Deserializer::from_str(&text)
        .map(|doc| {
            Value::deserialize(doc)
                .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()))
        })
        .filter(|doc| !doc.is_null())
        .collect()
}

/// `a.b.c` inside a YAML value, `None` when any step is missing.
pub(crate) fn at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(value, |v, key| v.get(key))
        .filter(|v| !v.is_null())
}

pub(crate) fn str_at<'a>(value: &'a Value, path: &str) -> Option<&'a str> {
    at(value, path).and_then(Value::as_str)
}

pub(crate) fn seq_at<'a>(value: &'a Value, path: &str) -> &'a [Value] {
    at(value, path)
        .and_then(Value::as_sequence)
        .map_or(&[], Vec::as_slice)
}

/// A scalar as text (`8686` and `"8686"` alike).
pub(crate) fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The port of a `host:port` listen address.
pub(crate) fn listen_port(listen: &str) -> u16 {
    listen
        .rsplit_once(':')
        .and_then(|(_, port)| port.parse().ok())
        .unwrap_or_else(|| panic!("{listen:?} is not a host:port listen address"))
}

/// `http://host:port/path` found inside a probe command.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ProbeUrl {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) path: String,
}

pub(crate) fn probe_url(command: &str) -> ProbeUrl {
    let start = command
        .find("http://")
        .unwrap_or_else(|| panic!("no http:// URL in probe command {command:?}"));
    let url = command[start + "http://".len()..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'')
        .next()
        .unwrap_or_default();
    let (authority, path) = url.split_once('/').unwrap_or((url, ""));
    let (host, port) = authority
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("probe URL {url:?} names no port (it would probe port 80)"));
    ProbeUrl {
        host: host.to_owned(),
        port: port
            .parse()
            .unwrap_or_else(|e| panic!("probe URL {url:?}: bad port: {e}")),
        path: format!("/{path}"),
    }
}

/// A duration as systemd, compose and novera.toml write it: `40s`, `1h`, `1min 30s`, `45`.
pub(crate) fn duration(text: &str) -> Duration {
    let text = text.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Duration::from_secs(secs);
    }
    humantime::parse_duration(text).unwrap_or_else(|e| panic!("bad duration {text:?}: {e}"))
}

/// `shutdown.drain_timeout + shutdown.close_timeout` of a novera.toml text (defaults if absent).
pub(crate) fn stop_budget(novera_toml: &str) -> Duration {
    let table: toml::Table = novera_toml
        .parse()
        .unwrap_or_else(|e| panic!("novera.toml does not parse: {e}"));
    let shutdown = table.get("shutdown").and_then(toml::Value::as_table);
    let get = |key: &str, default: Duration| {
        shutdown
            .and_then(|s| s.get(key))
            .and_then(toml::Value::as_str)
            .map_or(default, duration)
    };
    get("drain_timeout", DEFAULT_DRAIN) + get("close_timeout", DEFAULT_CLOSE)
}

pub(crate) fn example_config() -> String {
    read(&deploy_dir().join("novera.toml"))
}
