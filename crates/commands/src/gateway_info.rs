//! `GatewayInfo`: what commands may know about the gateway, without depending on it.
//!
//! novera-commands must never depend on novera-gateway or twilight-gateway; `app` (and the
//! testkit) adapt the gateway's status to this trait.

use std::fmt;
use std::time::Duration;

/// Read access to the gateway's state, for `/ping`, `/status` and any command that cares.
pub trait GatewayInfo: Send + Sync + 'static {
    /// Every shard this process runs, by id.
    fn shards(&self) -> Vec<ShardInfo>;

    /// Mean heartbeat latency over the shards that measured one.
    fn latency(&self) -> Option<Duration> {
        let measured: Vec<Duration> = self.shards().iter().filter_map(|s| s.latency).collect();
        let count = u32::try_from(measured.len()).ok().filter(|n| *n > 0)?;
        Some(measured.iter().sum::<Duration>() / count)
    }
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
