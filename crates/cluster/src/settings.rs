//! `ClusterSettings`: where the broker is and how the bot's streams and buckets are named.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::SettingsError;

/// How a process of the bot reaches NATS and names what it uses there.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClusterSettings {
    /// The broker, e.g. `nats://127.0.0.1:4222` (several comma-separated for a cluster).
    pub nats_url: String,
    /// A NATS credentials file (`.creds`: a JWT and an `NKey` seed), when the server wants one.
    pub credentials: Option<PathBuf>,
    /// The bot's name in every subject and bucket (`novera.<bot>.…`): one NATS account can
    /// carry several bots. Letters, digits, `-` and `_` only.
    pub bot: String,
    /// The JetStream stream gateways publish events to.
    pub stream: String,
    /// The durable pull consumer every worker shares (each event goes to one worker).
    pub consumer: String,
    /// How long the stream keeps events (a worker that was down longer misses them).
    pub max_age: Duration,
    /// How many bytes the stream keeps at most (oldest events go first).
    pub max_bytes: i64,
    /// How long the stream remembers a message id: a gateway that republishes an event within
    /// it (after a crash and a resume) creates no duplicate.
    pub duplicate_window: Duration,
    /// How long a worker has to acknowledge an event (or say it is still working on it) before
    /// the broker redelivers it to another worker. Short, because Discord's 3 s window is
    /// short: see docs/scaling.md.
    pub ack_wait: Duration,
    /// How long connecting may take.
    pub connect_timeout: Duration,
    /// REST requests per second Discord allows the bot (its global limit, 50 unless Discord
    /// raised it). The bot's processes together send at most 80% of it steadily with bursts
    /// of 4% ([`rest_pace`](Self::rest_pace)), leaving the rest for transit and late wake-ups.
    pub rest_global_limit: u32,
}

impl ClusterSettings {
    /// Settings for the bot `bot` on the broker at `nats_url`, with the documented defaults.
    #[must_use]
    pub fn new(nats_url: impl Into<String>, bot: impl Into<String>) -> Self {
        let bot = bot.into();
        Self {
            nats_url: nats_url.into(),
            credentials: None,
            stream: default_stream(&bot),
            consumer: "workers".to_owned(),
            bot,
            max_age: Duration::from_secs(60 * 60),
            max_bytes: 1 << 30,
            duplicate_window: Duration::from_secs(10 * 60),
            ack_wait: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(5),
            rest_global_limit: 50,
        }
    }

    /// Checks the names and durations; the messages name the setting.
    pub fn validate(&self) -> Result<(), SettingsError> {
        for (key, value) in [
            ("bot", &self.bot),
            ("stream", &self.stream),
            ("consumer", &self.consumer),
        ] {
            if !is_name(value) {
                return Err(SettingsError::Name {
                    key,
                    value: value.clone(),
                });
            }
        }
        if self.nats_url.trim().is_empty() {
            return Err(SettingsError::Empty("nats_url"));
        }
        if self.ack_wait < Duration::from_millis(100) || self.ack_wait > Duration::from_secs(2) {
            return Err(SettingsError::AckWait(self.ack_wait));
        }
        if self.rest_global_limit < 5 {
            return Err(SettingsError::RestGlobalLimit(self.rest_global_limit));
        }
        if self.duplicate_window > self.max_age {
            return Err(SettingsError::DuplicateWindow {
                window: self.duplicate_window,
                max_age: self.max_age,
            });
        }
        Ok(())
    }

    /// The shared REST pace: requests per second and burst (80% and 4% of the global limit).
    /// The remaining 16% absorb what happens between a slot and Discord's clock: the bucket
    /// check after the slot, transit and a loaded host's late wake-ups.
    #[must_use]
    pub fn rest_pace(&self) -> (u32, u32) {
        let limit = self.rest_global_limit;
        ((limit / 5 * 4).max(1), (limit / 25).max(1))
    }
}

/// The stream's default name: `NOVERA_<BOT>` (stream names are conventionally upper case).
#[must_use]
pub fn default_stream(bot: &str) -> String {
    format!("NOVERA_{}", bot.to_uppercase().replace('-', "_"))
}

/// A subject token and JetStream name: non-empty, letters, digits, `-` and `_`.
fn is_name(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_names_are_checked() {
        let settings = ClusterSettings::new("nats://127.0.0.1:4222", "my-bot");
        assert_eq!(settings.stream, "NOVERA_MY_BOT");
        settings.validate().unwrap();
        for bad in ["", "a.b", "a b", "a*", "a>", "ü"] {
            let mut settings = settings.clone();
            settings.bot = bad.to_owned();
            assert!(
                matches!(
                    settings.validate(),
                    Err(SettingsError::Name { key: "bot", .. })
                ),
                "{bad:?}"
            );
        }
        assert_eq!(settings.rest_pace(), (40, 2));
        let mut tiny = settings.clone();
        tiny.rest_global_limit = 4;
        assert_eq!(tiny.validate(), Err(SettingsError::RestGlobalLimit(4)));
        let mut slow = settings.clone();
        slow.ack_wait = Duration::from_secs(5);
        assert!(matches!(slow.validate(), Err(SettingsError::AckWait(_))));
    }
}
