//! `GatewayInfo`: what commands may know about the gateway, without depending on it.
//!
//! novera-commands must never depend on novera-gateway or twilight-gateway; `app` (and the
//! testkit) adapt the gateway's status to this trait.

use std::fmt;
use std::time::Duration;

use twilight_model::gateway::payload::outgoing::{RequestGuildMembers, UpdatePresence};
use twilight_model::id::Id;
use twilight_model::id::marker::GuildMarker;

use crate::boxed::BoxFuture;

/// Read access to the gateway's state, for `/ping`, `/status` and any command that cares, and
/// the gateway commands a handler may send.
pub trait GatewayInfo: Send + Sync + 'static {
    /// Every shard of the bot this process knows of, by id (its own, or in a worker role the
    /// gateways' shards).
    fn shards(&self) -> Vec<ShardInfo>;

    /// Sends a gateway command through the shard that owns it (request guild members goes to
    /// the guild's shard, a presence update to every shard). In a worker role it reaches the
    /// owning gateway process through the broker. The default says it is not supported.
    fn send(&self, command: GatewayCommand) -> BoxFuture<'_, Result<(), GatewayCommandError>> {
        drop(command);
        Box::pin(async { Err(GatewayCommandError::Unsupported) })
    }

    /// Mean heartbeat latency over the shards that measured one.
    fn latency(&self) -> Option<Duration> {
        let measured: Vec<Duration> = self.shards().iter().filter_map(|s| s.latency).collect();
        let count = u32::try_from(measured.len()).ok().filter(|n| *n > 0)?;
        Some(measured.iter().sum::<Duration>() / count)
    }
}

/// A gateway command a handler may ask for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
#[non_exhaustive]
pub enum GatewayCommand {
    /// `REQUEST_GUILD_MEMBERS`: the members arrive as `GUILD_MEMBERS_CHUNK` events (waiters
    /// and the cache see them).
    RequestGuildMembers(RequestGuildMembers),
    /// `PRESENCE_UPDATE`: the bot's status and activity, on every shard.
    UpdatePresence(UpdatePresence),
}

impl GatewayCommand {
    /// The guild whose shard must send it; `None` for every shard.
    #[must_use]
    pub fn guild(&self) -> Option<Id<GuildMarker>> {
        match self {
            Self::RequestGuildMembers(request) => Some(request.d.guild_id),
            Self::UpdatePresence(_) => None,
        }
    }

    /// The payload as the gateway expects it (`{"op": .., "d": ..}`).
    #[must_use]
    pub fn to_json(&self) -> String {
        // Serializing twilight's payload models cannot fail (no non-string map keys).
        match self {
            Self::RequestGuildMembers(request) => serde_json::to_string(request),
            Self::UpdatePresence(presence) => serde_json::to_string(presence),
        }
        .unwrap_or_default()
    }
}

/// The shard of `guild` among `total` shards (Discord's rule).
#[must_use]
pub fn shard_of(guild: Id<GuildMarker>, total: u32) -> u32 {
    u32::try_from((guild.get() >> 22) % u64::from(total.max(1))).unwrap_or(0)
}

/// A gateway command could not be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GatewayCommandError {
    /// This process has no way to reach a gateway.
    #[error("gateway commands are not available here")]
    Unsupported,
    /// The shard that owns it is not running (or no gateway process owns it).
    #[error("shard {shard} cannot send it now: {reason}")]
    Unavailable {
        /// The shard.
        shard: u32,
        /// Why.
        reason: String,
    },
}

/// One shard as commands see it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShardInfo {
    /// Shard id.
    pub id: u32,
    /// Connection state.
    pub state: ShardState,
    /// Last heartbeat round trip, once one was acknowledged.
    pub latency: Option<Duration>,
    /// Times the shard reconnected.
    pub reconnects: u64,
    /// Times the shard resumed its session instead of identifying.
    pub resumes: u64,
}

impl ShardInfo {
    /// A shard in `state` with nothing measured yet.
    #[must_use]
    pub fn new(id: u32, state: ShardState) -> Self {
        Self {
            id,
            state,
            latency: None,
            reconnects: 0,
            resumes: 0,
        }
    }

    /// Sets the heartbeat latency.
    #[must_use]
    pub fn with_latency(mut self, latency: Option<Duration>) -> Self {
        self.latency = latency;
        self
    }

    /// Sets the reconnect and resume counts.
    #[must_use]
    pub fn with_counts(mut self, reconnects: u64, resumes: u64) -> Self {
        self.reconnects = reconnects;
        self.resumes = resumes;
        self
    }
}

/// A shard's connection state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShardState {
    /// Opening the connection.
    Connecting,
    /// Waiting for the identify queue or budget.
    WaitingToIdentify,
    /// Identifying a new session.
    Identifying,
    /// Resuming the previous session.
    Resuming,
    /// Receiving events.
    Active,
    /// Disconnected, about to reconnect.
    Disconnected,
    /// Stopped for good; the reason is for operators.
    Stopped(String),
}

impl fmt::Display for ShardState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connecting => f.write_str("connecting"),
            Self::WaitingToIdentify => f.write_str("waiting to identify"),
            Self::Identifying => f.write_str("identifying"),
            Self::Resuming => f.write_str("resuming"),
            Self::Active => f.write_str("active"),
            Self::Disconnected => f.write_str("disconnected"),
            Self::Stopped(reason) => write!(f, "stopped ({reason})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Vec<ShardInfo>);

    impl GatewayInfo for Fixed {
        fn shards(&self) -> Vec<ShardInfo> {
            self.0.clone()
        }
    }

    #[test]
    fn latency_is_the_mean_of_measured_shards() {
        let info = Fixed(vec![
            ShardInfo::new(0, ShardState::Active).with_latency(Some(Duration::from_millis(40))),
            ShardInfo::new(1, ShardState::Active).with_latency(Some(Duration::from_millis(60))),
            ShardInfo::new(2, ShardState::Connecting),
        ]);
        assert_eq!(info.latency(), Some(Duration::from_millis(50)));
        assert_eq!(Fixed(Vec::new()).latency(), None);
    }
}
