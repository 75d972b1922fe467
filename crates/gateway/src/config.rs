//! `GatewayConfig`: everything the two connect steps need, as a plain struct with defaults.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use novera_cache::ResourceType;
use novera_core::{InstanceWatch, InvalidRequestLog, SharedRateLimits};
use serde::Deserialize;
use twilight_gateway::EventTypeFlags;
use twilight_model::gateway::Intents;

use crate::pacer::IdentifyPacer;
use crate::session_store::SessionStore;

/// A secret string (the bot token) that never shows itself in `Debug` or `Display`.
///
/// Only [`expose`](Self::expose) reveals it, at the one place that hands it to twilight.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; callers must not log it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty (or only whitespace).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How many shards the bot runs in total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShardCount {
    /// The count `GET /gateway/bot` recommends.
    #[default]
    Auto,
    /// Exactly this many.
    Fixed(u32),
}

/// The shards of the bot, and the part of them this process runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShardPlan {
    /// Total shard count across every process of the bot.
    pub count: ShardCount,
    /// Shard ids owned by this process (`0..16` of 64); `None` = all of them.
    pub range: Option<Range<u32>>,
}

/// What the in-memory cache keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheConfig {
    /// Resource types cached (twilight's `ResourceType` flags).
    pub resource_types: ResourceType,
    /// Messages kept per channel.
    pub message_cache_size: usize,
}

impl Default for CacheConfig {
    /// Everything but presences (the largest and least useful resource for a command bot),
    /// with 100 messages per channel.
    fn default() -> Self {
        Self {
            resource_types: ResourceType::all().difference(ResourceType::PRESENCE),
            message_cache_size: 100,
        }
    }
}

/// Configuration of both connect steps ([`login`](crate::login) and
/// [`Gateway::start`](crate::Gateway::start)).
#[derive(Debug, Clone)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "a plain configuration struct; each flag is an independent knob"
)]
pub struct GatewayConfig {
    /// The bot token (with or without a `Bot ` prefix).
    pub token: Secret,
    /// REST base URL like `http://127.0.0.1:PORT`; `None` = Discord.
    pub api_url: Option<String>,
    /// Gateway URL override (`ws://127.0.0.1:PORT`); `None` = the `url` of `GET /gateway/bot`.
    pub gateway_url: Option<String>,
    /// Gateway intents sent in IDENTIFY.
    pub intents: Intents,
    /// Shard count and the range this process owns.
    pub shards: ShardPlan,
    /// The session file ([`FileSessionStore`](crate::FileSessionStore)): sessions are loaded
    /// from it at start, checkpointed to it while running, and saved to it at shutdown; `None`
    /// (and no `session_store`) = never resume across restarts.
    pub session_path: Option<PathBuf>,
    /// Another [`SessionStore`] (a key-value bucket, ...); when set it is used instead of
    /// `session_path`.
    pub session_store: Option<Arc<dyn SessionStore>>,
    /// Identify pacing shared with the bot's other processes (the cluster's gateway role);
    /// `None` = this process paces alone.
    pub identify_pacer: Option<Arc<dyn IdentifyPacer>>,
    /// How often the running gateway checkpoints its sessions to the store (only when they
    /// changed): a crash loses at most about this much of the position, which a RESUME replays.
    pub checkpoint_interval: Duration,
    /// Saved sessions older than this are ignored (Discord forgets them after a few minutes).
    pub max_session_age: Duration,
    /// What the cache keeps.
    pub cache: CacheConfig,
    /// Capacity of the event queue between shard runners and the consumer; events beyond it
    /// are shed (counted in `novera_gateway_events_dropped_total`).
    pub event_queue_capacity: usize,
    /// The events handed to the consumer (default: all). Every event still updates the cache
    /// and wakes `Standby` waiters; the others just never cross to the consumer's task, which
    /// under a burst of presences and typing saves a task wake-up per event.
    pub forward: EventTypeFlags,
    /// Deadline of each REST call of the connect steps and the identify budget refresh.
    pub rest_deadline: Duration,
    /// How long a shard waits for the close handshake when stopped without an explicit
    /// deadline (process shutdown through the supervisor's token).
    pub close_deadline: Duration,
    /// `large_threshold` sent in IDENTIFY (50..=250).
    pub large_threshold: u64,
    /// Pace IDENTIFYs by `max_concurrency` buckets, one per bucket per `identify_interval`.
    /// Tests may turn it off; against Discord it must stay on.
    pub pace_identifies: bool,
    /// Time between two IDENTIFYs of one bucket (Discord: 5 s).
    pub identify_interval: Duration,
    /// A shard runner promises to make progress at least this often; liveness fails when it
    /// does not. It ticks on its own timer too, so an unreachable Discord never breaks it.
    pub stall_after: Duration,
    /// Where the bot's invalid requests are counted (novera-commands' `RestGuard` keeps it):
    /// a 401, 403 or 429 of the login calls and of the identify budget's refresh is recorded
    /// there. These requests are the bot's essentials: never held back.
    pub invalid_requests: Option<Arc<dyn InvalidRequestLog>>,
    /// Rate limits shared with the bot's other processes (the cluster's): the login calls and
    /// the budget's refresh wait for them like every other request of the bot.
    pub rate_limits: Option<Arc<dyn SharedRateLimits>>,
    /// This process's instance watch: a `MESSAGE_CREATE` by the bot's own user whose nonce this
    /// process did not write is reported to it (evidence of another instance).
    pub instance: Option<Arc<InstanceWatch>>,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            token: Secret::default(),
            api_url: None,
            gateway_url: None,
            intents: Intents::GUILDS | Intents::GUILD_MESSAGES,
            shards: ShardPlan::default(),
            session_path: None,
            session_store: None,
            identify_pacer: None,
            checkpoint_interval: Duration::from_secs(1),
            max_session_age: Duration::from_secs(10 * 60),
            cache: CacheConfig::default(),
            event_queue_capacity: 1024,
            forward: EventTypeFlags::all(),
            rest_deadline: Duration::from_secs(10),
            close_deadline: Duration::from_secs(5),
            large_threshold: 50,
            pace_identifies: true,
            identify_interval: Duration::from_secs(5),
            stall_after: Duration::from_secs(60),
            invalid_requests: None,
            rate_limits: None,
            instance: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints_itself() {
        let config = GatewayConfig {
            token: Secret::new("MTIz.abc.def"),
            ..GatewayConfig::default()
        };
        let debug = format!("{config:?}");
        assert!(!debug.contains("MTIz"), "{debug}");
        assert!(debug.contains("<redacted>"));
        assert_eq!(config.token.to_string(), "<redacted>");
        assert_eq!(config.token.expose(), "MTIz.abc.def");
    }

    #[test]
    fn secret_deserializes_from_a_plain_string() {
        let secret: Secret = serde_json::from_str("\"tok\"").unwrap();
        assert_eq!(secret.expose(), "tok");
        assert!(Secret::new("  ").is_empty());
    }
}
