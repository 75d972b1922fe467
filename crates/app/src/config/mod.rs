//! Configuration: figment layers, typed keys, and errors that name the key, the value and its source.
//!
//! Layers, lowest first: built-in defaults < `novera.toml` (from `--config`/`NOVERA_CONFIG`, or
//! `./novera.toml` when present) < `DISCORD_TOKEN` < environment `NOVERA_*` (`__` nests) < a `.env`
//! file in the working directory. Every key is documented in docs/configuration.md; a test fails
//! when one is not.

mod cluster;
mod error;
mod guards;
mod interactions;
mod sources;
mod types;

use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

pub(crate) use cluster::ClusterConfig;
pub(crate) use error::ConfigError;
pub(crate) use guards::{InstanceConfig, RestGuardConfig};
pub(crate) use interactions::{InteractionsConfig, SandboxIngress};
pub(crate) use sources::EnvSource;
pub(crate) use types::{
    IntentList, LogFormat, LogRotation, Registration, ResourceList, Secret, ShardCountSetting,
    ShardRangeSetting,
};

/// The whole configuration of the `novera` binary.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Config {
    /// The bot token; without one (and without `token_file`) `novera run` starts the sandbox.
    pub(crate) token: Option<Secret>,
    /// A file holding the token (systemd credentials, Kubernetes/Docker secrets).
    pub(crate) token_file: Option<PathBuf>,
    pub(crate) discord: DiscordConfig,
    pub(crate) shards: ShardsConfig,
    pub(crate) cache: CacheConfig,
    pub(crate) health: HealthConfig,
    pub(crate) sandbox: SandboxConfig,
    pub(crate) session: SessionConfig,
    pub(crate) state: StateConfig,
    pub(crate) log: LogConfig,
    pub(crate) alerts: AlertsConfig,
    pub(crate) commands: CommandsConfig,
    pub(crate) interactions: InteractionsConfig,
    pub(crate) shutdown: ShutdownConfig,
    pub(crate) rest_guard: RestGuardConfig,
    pub(crate) instance: InstanceConfig,
    pub(crate) cluster: ClusterConfig,
}

/// Where Discord is and how to talk to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct DiscordConfig {
    /// REST base URL.
    pub(crate) api_url: String,
    /// Gateway URL override; normally learned from `GET /gateway/bot`.
    pub(crate) gateway_url: Option<String>,
    /// Gateway intents by name.
    pub(crate) intents: IntentList,
    /// Members above which a guild is "large" (50..=250).
    pub(crate) large_threshold: u64,
    /// Deadline of each REST call during connect.
    #[serde(with = "humantime_serde")]
    pub(crate) rest_timeout: Duration,
}

impl Default for DiscordConfig {
    fn default() -> Self {
        Self {
            api_url: "https://discord.com/api/v10".to_owned(),
            gateway_url: None,
            intents: IntentList::default(),
            large_threshold: 50,
            rest_timeout: Duration::from_secs(10),
        }
    }
}

/// How many shards, and which of them this process owns.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ShardsConfig {
    /// `auto` (Discord's recommendation) or a number.
    pub(crate) count: ShardCountSetting,
    /// `start..end`: the shards this process runs; all when absent.
    pub(crate) range: Option<ShardRangeSetting>,
    /// With `process`: each gateway process runs this many consecutive shards.
    pub(crate) per_process: Option<u32>,
    /// With `per_process`: this process's index (e.g. a StatefulSet pod's ordinal), so it
    /// runs shards `process * per_process .. (process + 1) * per_process`.
    pub(crate) process: Option<u32>,
}

impl ShardsConfig {
    /// The range this process runs: `range`, or the one `per_process` and `process` give.
    pub(crate) fn owned(&self) -> Option<std::ops::Range<u32>> {
        if let Some(range) = &self.range {
            return Some(range.range());
        }
        let (per, index) = (self.per_process?, self.process?);
        let start = per.checked_mul(index)?;
        Some(start..start.checked_add(per)?)
    }
}

/// The in-memory cache.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct CacheConfig {
    /// Messages kept per channel.
    pub(crate) message_cache_size: usize,
    /// Resource types cached, by name; every one but presences by default.
    pub(crate) resources: ResourceList,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            message_cache_size: 50,
            resources: ResourceList::default(),
        }
    }
}

/// The health server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct HealthConfig {
    /// Address to serve `/healthz`, `/readyz`, `/status` and `/metrics` on.
    pub(crate) listen: std::net::SocketAddr,
    /// Liveness fails when the runtime's tick is older than this.
    #[serde(with = "humantime_serde")]
    pub(crate) liveness_max_tick_age: Duration,
    /// How often the status page's charts get a point.
    #[serde(with = "humantime_serde")]
    pub(crate) sample_period: Duration,
}

impl Default for HealthConfig {
    fn default() -> Self {
        Self {
            listen: ([127, 0, 0, 1], 8686).into(),
            liveness_max_tick_age: Duration::from_secs(10),
            sample_period: novera_health::DEFAULT_SAMPLE_PERIOD,
        }
    }
}

/// The sandbox (no token): an embedded simulator.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct SandboxConfig {
    /// Address of the embedded novera-sim.
    pub(crate) listen: std::net::SocketAddr,
    /// How the sandbox's interactions reach the bot: `gateway` or `http` (the interactions
    /// endpoint, whose URL the simulator is told).
    pub(crate) interactions: SandboxIngress,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            listen: ([127, 0, 0, 1], 0).into(),
            interactions: SandboxIngress::Gateway,
        }
    }
}

/// Resumable gateway sessions across restarts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct SessionConfig {
    /// The session file.
    pub(crate) path: PathBuf,
    /// Saved sessions older than this are discarded (Discord forgets them).
    #[serde(with = "humantime_serde")]
    pub(crate) max_age: Duration,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            path: PathBuf::from("novera-sessions.json"),
            max_age: Duration::from_secs(600),
        }
    }
}

/// Command state (polls, timers) that survives restarts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct StateConfig {
    /// The state file (an embedded database); next to `session.path` when absent.
    pub(crate) path: Option<PathBuf>,
    /// How often due timers are looked for.
    #[serde(with = "humantime_serde")]
    pub(crate) timer_interval: Duration,
}

impl Default for StateConfig {
    fn default() -> Self {
        Self {
            path: None,
            timer_interval: Duration::from_secs(1),
        }
    }
}

impl StateConfig {
    /// The state file: `path`, or `novera-state.redb` in the session file's directory.
    pub(crate) fn resolved_path(&self, session: &SessionConfig) -> PathBuf {
        self.path.clone().unwrap_or_else(|| {
            session
                .path
                .parent()
                .map_or_else(PathBuf::new, Path::to_path_buf)
                .join("novera-state.redb")
        })
    }
}

/// Logging.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct LogConfig {
    /// `auto` (pretty on a terminal, JSON otherwise), `pretty` or `json`.
    pub(crate) format: LogFormat,
    /// A tracing filter such as `info` or `info,novera_gateway=debug`.
    pub(crate) level: String,
    /// Also write JSON logs to this file.
    pub(crate) file: Option<PathBuf>,
    /// Rotation of `file`.
    pub(crate) rotation: LogRotation,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Auto,
            level: "info".to_owned(),
            file: None,
            rotation: LogRotation::Daily,
        }
    }
}

/// Webhook alerts for critical events.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct AlertsConfig {
    /// A Discord webhook URL; alerts are off without one.
    pub(crate) webhook_url: Option<Secret>,
    /// Alert when a shard stays down longer than this.
    #[serde(with = "humantime_serde")]
    pub(crate) shard_down_after: Duration,
    /// At most one alert per kind per this interval (later ones are counted and coalesced).
    #[serde(with = "humantime_serde")]
    pub(crate) min_interval: Duration,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        Self {
            webhook_url: None,
            shard_down_after: Duration::from_secs(120),
            min_interval: Duration::from_secs(60),
        }
    }
}

/// Commands.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct CommandsConfig {
    /// `global`, `guild:<id>` or `off`.
    pub(crate) registration: Registration,
    /// Prefix for text commands (needs the `MESSAGE_CONTENT` intent); off when absent.
    pub(crate) prefix: Option<String>,
    /// Defer an interaction when its handler has not answered after this (below 3 s).
    #[serde(with = "humantime_serde")]
    pub(crate) defer_after: Duration,
    /// Default per-command deadline.
    #[serde(with = "humantime_serde")]
    pub(crate) deadline: Duration,
    /// Handlers running at once; more get a "busy" reply.
    pub(crate) max_in_flight: usize,
    /// Serve `/diag` (an operator's check: answers after a delay, naming the process).
    pub(crate) diagnostics: bool,
}

impl Default for CommandsConfig {
    fn default() -> Self {
        Self {
            registration: Registration::Global,
            prefix: None,
            defer_after: Duration::from_secs(2),
            deadline: Duration::from_secs(30),
            max_in_flight: 256,
            diagnostics: false,
        }
    }
}

/// Graceful shutdown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ShutdownConfig {
    /// How long in-flight handlers may finish after a stop request.
    #[serde(with = "humantime_serde")]
    pub(crate) drain_timeout: Duration,
    /// How long closing the shards (and saving sessions) may take.
    #[serde(with = "humantime_serde")]
    pub(crate) close_timeout: Duration,
}

impl Default for ShutdownConfig {
    fn default() -> Self {
        Self {
            drain_timeout: Duration::from_secs(20),
            close_timeout: Duration::from_secs(5),
        }
    }
}

/// Where configuration comes from; the process's by default, explicit in tests.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sources {
    /// `--config`; else `NOVERA_CONFIG` from `env`; else `./novera.toml` if present.
    pub(crate) config_file: Option<PathBuf>,
    /// The process environment.
    pub(crate) env: Vec<(String, String)>,
    /// The `.env` file to read, if present.
    pub(crate) dotenv: Option<PathBuf>,
}

impl Sources {
    /// The running process's sources.
    pub(crate) fn from_process(config_file: Option<PathBuf>) -> Self {
        Self {
            config_file,
            env: std::env::vars().collect(),
            dotenv: Some(PathBuf::from(".env")),
        }
    }

    fn config_path(&self) -> Option<(PathBuf, bool)> {
        if let Some(path) = &self.config_file {
            return Some((path.clone(), true));
        }
        if let Some((_, path)) = self.env.iter().find(|(k, _)| k == "NOVERA_CONFIG") {
            return Some((PathBuf::from(path), true));
        }
        let default = PathBuf::from("novera.toml");
        default.exists().then_some((default, false))
    }
}

impl Config {
    /// Loads, validates and resolves the configuration.
    pub(crate) fn load(sources: &Sources) -> Result<Self, ConfigError> {
        let figment = Self::figment(sources)?;
        let mut config: Self = figment
            .extract()
            .map_err(|e| ConfigError::from_figment(&e, &figment))?;
        config.validate(&figment)?;
        config.resolve_token_file(&figment)?;
        Ok(config)
    }

    fn validate_shards(&self, figment: &Figment) -> Result<(), ConfigError> {
        let invalid = |key: &str, value: String, reason: &str| {
            Err(ConfigError::invalid(figment, key, &value, reason))
        };
        match (
            &self.shards.range,
            self.shards.per_process,
            self.shards.process,
        ) {
            (Some(_), Some(per), _) => invalid(
                "shards.per_process",
                per.to_string(),
                "give either shards.range or shards.per_process with shards.process, not both",
            ),
            (None, Some(0), _) => {
                invalid("shards.per_process", "0".to_owned(), "must be at least 1")
            }
            (None, Some(per), None) => invalid(
                "shards.per_process",
                per.to_string(),
                "needs shards.process (this process's index, e.g. the pod ordinal)",
            ),
            (None, None, Some(index)) => invalid(
                "shards.process",
                index.to_string(),
                "needs shards.per_process",
            ),
            (None, Some(per), Some(index))
                if per
                    .checked_mul(index)
                    .and_then(|s| s.checked_add(per))
                    .is_none() =>
            {
                invalid(
                    "shards.process",
                    index.to_string(),
                    "gives a shard range past 2^32",
                )
            }
            _ => Ok(()),
        }
    }

    fn figment(sources: &Sources) -> Result<Figment, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Self::default()));
        if let Some((path, explicit)) = sources.config_path() {
            if explicit && !path.exists() {
                return Err(ConfigError::MissingFile { path });
            }
            figment = figment.merge(Toml::file_exact(&path));
        }
        figment = figment
            .merge(EnvSource::discord_token(
                "environment variable",
                &sources.env,
            ))
            .merge(EnvSource::prefixed("environment variable", &sources.env));
        if let Some(dotenv) = sources.dotenv.as_deref().filter(|p| p.exists()) {
            let pairs = read_dotenv(dotenv)?;
            figment = figment
                .merge(EnvSource::discord_token(".env file variable", &pairs))
                .merge(EnvSource::prefixed(".env file variable", &pairs));
        }
        Ok(figment)
    }

    fn validate(&self, figment: &Figment) -> Result<(), ConfigError> {
        self.cluster.validate(figment)?;
        self.validate_shards(figment)?;
        let invalid = |key: &'static str, value: &str, reason: &str| {
            Err(ConfigError::invalid(figment, key, value, reason))
        };
        if !(50..=250).contains(&self.discord.large_threshold) {
            return invalid(
                "discord.large_threshold",
                &self.discord.large_threshold.to_string(),
                "must be between 50 and 250 (Discord closes the connection with 4001 otherwise)",
            );
        }
        if !(self.discord.api_url.starts_with("http://")
            || self.discord.api_url.starts_with("https://"))
        {
            return invalid(
                "discord.api_url",
                &self.discord.api_url,
                "must be an http:// or https:// URL",
            );
        }
        if let Some(url) = &self.discord.gateway_url
            && !(url.starts_with("ws://") || url.starts_with("wss://"))
        {
            return invalid("discord.gateway_url", url, "must be a ws:// or wss:// URL");
        }
        if self.commands.defer_after >= Duration::from_secs(3) {
            return invalid(
                "commands.defer_after",
                &humantime::format_duration(self.commands.defer_after).to_string(),
                "must be below 3s: Discord drops interactions not answered within 3 seconds",
            );
        }
        if self.commands.deadline <= self.commands.defer_after {
            return invalid(
                "commands.deadline",
                &humantime::format_duration(self.commands.deadline).to_string(),
                "must be longer than commands.defer_after",
            );
        }
        let sample_period = self.health.sample_period;
        if !(novera_health::MIN_SAMPLE_PERIOD..=novera_health::MAX_SAMPLE_PERIOD)
            .contains(&sample_period)
        {
            return invalid(
                "health.sample_period",
                &humantime::format_duration(sample_period).to_string(),
                "must be between 100ms and 60s",
            );
        }
        if !(Duration::from_millis(100)..=Duration::from_secs(60))
            .contains(&self.state.timer_interval)
        {
            return invalid(
                "state.timer_interval",
                &humantime::format_duration(self.state.timer_interval).to_string(),
                "must be between 100ms and 60s",
            );
        }
        if self.commands.max_in_flight == 0 {
            return invalid("commands.max_in_flight", "0", "must be at least 1");
        }
        if let (ShardCountSetting::Fixed(count), Some(range)) =
            (self.shards.count, &self.shards.range)
            && range.end > count
        {
            return invalid(
                "shards.range",
                &range.to_string(),
                &format!("ends past shards.count = {count}"),
            );
        }
        if self.commands.prefix.as_deref().is_some_and(str::is_empty) {
            return invalid(
                "commands.prefix",
                "",
                "must not be empty; leave it out to disable prefix commands",
            );
        }
        self.rest_guard.validate(figment)?;
        self.interactions
            .validate(figment, self.token.is_some() || self.token_file.is_some())
    }

    fn resolve_token_file(&mut self, figment: &Figment) -> Result<(), ConfigError> {
        if self.token.is_some() {
            return Ok(());
        }
        let Some(path) = &self.token_file else {
            return Ok(());
        };
        match std::fs::read_to_string(path) {
            Ok(text) if !text.trim().is_empty() => {
                self.token = Some(Secret::new(text.trim()));
                Ok(())
            }
            Ok(_) => Err(ConfigError::invalid(
                figment,
                "token_file",
                &path.display().to_string(),
                "the file is empty",
            )),
            Err(e) => Err(ConfigError::invalid(
                figment,
                "token_file",
                &path.display().to_string(),
                &format!("cannot be read: {e}"),
            )),
        }
    }

    /// The configuration as TOML with every secret redacted, for `novera check-config`.
    pub(crate) fn to_redacted_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
    }

    /// Every documented key path (`health.listen`, ...), derived from the type itself.
    #[cfg(test)]
    pub(crate) fn key_paths() -> Vec<String> {
        fn walk(prefix: &str, value: &serde_json::Value, out: &mut Vec<String>) {
            if let serde_json::Value::Object(map) = value {
                for (key, child) in map {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    if child.is_object() {
                        walk(&path, child, out);
                    } else {
                        out.push(path);
                    }
                }
            }
        }
        let value = serde_json::to_value(Self::default()).expect("config serializes");
        let mut out = Vec::new();
        walk("", &value, &mut out);
        out
    }
}

fn read_dotenv(path: &Path) -> Result<Vec<(String, String)>, ConfigError> {
    let iter = dotenvy::from_path_iter(path).map_err(|e| ConfigError::Dotenv {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    iter.map(|item| {
        item.map_err(|e| ConfigError::Dotenv {
            path: path.to_owned(),
            message: e.to_string(),
        })
    })
    .collect()
}

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;
