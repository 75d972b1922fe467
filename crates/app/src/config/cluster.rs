//! `[cluster]`: the broker of the `gateway` and `worker` roles (unused by `novera run`).

use std::path::PathBuf;
use std::time::Duration;

use figment::Figment;
use novera_cluster::{ClusterSettings, SettingsError};
use serde::{Deserialize, Serialize};

use super::ConfigError;

/// Where the bot's processes meet: NATS with JetStream.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ClusterConfig {
    /// The NATS server(s), e.g. `nats://nats:4222`.
    pub(crate) nats_url: String,
    /// A NATS credentials file (`.creds`), when the server requires one.
    pub(crate) credentials_file: Option<PathBuf>,
    /// The bot's name in subjects and buckets (several bots can share one NATS account).
    pub(crate) bot: String,
    /// The events stream (default `NOVERA_<BOT>`).
    pub(crate) stream: Option<String>,
    /// The durable consumer every worker shares.
    pub(crate) consumer: String,
    /// How long the stream keeps events.
    #[serde(with = "humantime_serde")]
    pub(crate) max_age: Duration,
    /// The most bytes the stream keeps.
    pub(crate) max_bytes: i64,
    /// How long a republished event is recognised as a duplicate.
    #[serde(with = "humantime_serde")]
    pub(crate) duplicate_window: Duration,
    /// How long a worker has to acknowledge (or extend) an event before it is redelivered.
    #[serde(with = "humantime_serde")]
    pub(crate) ack_wait: Duration,
    /// REST requests per second Discord allows the bot (50 unless Discord raised it); the
    /// processes share 80% of it with bursts of 4%.
    pub(crate) rest_global_limit: u32,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        let defaults = ClusterSettings::new("nats://127.0.0.1:4222", "novera");
        Self {
            nats_url: defaults.nats_url,
            credentials_file: None,
            bot: defaults.bot,
            stream: None,
            consumer: defaults.consumer,
            max_age: defaults.max_age,
            max_bytes: defaults.max_bytes,
            duplicate_window: defaults.duplicate_window,
            ack_wait: defaults.ack_wait,
            rest_global_limit: defaults.rest_global_limit,
        }
    }
}

impl ClusterConfig {
    /// The settings novera-cluster takes.
    pub(crate) fn settings(&self) -> ClusterSettings {
        let mut settings = ClusterSettings::new(self.nats_url.clone(), self.bot.clone());
        settings.credentials.clone_from(&self.credentials_file);
        if let Some(stream) = &self.stream {
            settings.stream.clone_from(stream);
        }
        settings.consumer.clone_from(&self.consumer);
        settings.max_age = self.max_age;
        settings.max_bytes = self.max_bytes;
        settings.duplicate_window = self.duplicate_window;
        settings.ack_wait = self.ack_wait;
        settings.rest_global_limit = self.rest_global_limit;
        settings
    }

    /// Checks the values, naming the key and its source on error.
    pub(crate) fn validate(&self, figment: &Figment) -> Result<(), ConfigError> {
        let Err(error) = self.settings().validate() else {
            return Ok(());
        };
        let (key, value) = match &error {
            SettingsError::Name { key, value } => (format!("cluster.{key}"), value.clone()),
            SettingsError::Empty(key) => (format!("cluster.{key}"), String::new()),
            SettingsError::AckWait(wait) => (
                "cluster.ack_wait".to_owned(),
                humantime::format_duration(*wait).to_string(),
            ),
            // Named by the key the operator set: a short `max_age` under the default window
            // is a `max_age` problem.
            SettingsError::DuplicateWindow { max_age, .. }
                if self.duplicate_window == Self::default().duplicate_window =>
            {
                (
                    "cluster.max_age".to_owned(),
                    humantime::format_duration(*max_age).to_string(),
                )
            }
            SettingsError::DuplicateWindow { window, .. } => (
                "cluster.duplicate_window".to_owned(),
                humantime::format_duration(*window).to_string(),
            ),
            SettingsError::RestGlobalLimit(limit) => {
                ("cluster.rest_global_limit".to_owned(), limit.to_string())
            }
            _ => ("cluster".to_owned(), String::new()),
        };
        Err(ConfigError::invalid(
            figment,
            &key,
            &value,
            &error.to_string(),
        ))
    }
}
