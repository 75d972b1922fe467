//! `GatewayView`: novera-gateway's status seen through novera-commands' `GatewayInfo`.

use std::sync::Arc;
use std::time::Duration;

use novera_commands::{GatewayInfo, ShardInfo, ShardState};
use novera_gateway::{Gateway, ShardState as GatewayShardState};

/// Adapts a running [`Gateway`] to [`GatewayInfo`] (what `/ping` and `/status` read).
#[derive(Debug, Clone)]
pub struct GatewayView {
    gateway: Arc<Gateway>,
}

impl GatewayView {
    /// A view of `gateway`.
    #[must_use]
    pub fn new(gateway: Arc<Gateway>) -> Self {
        Self { gateway }
    }
}

fn state(state: &GatewayShardState) -> ShardState {
    match state {
        GatewayShardState::Connecting => ShardState::Connecting,
        GatewayShardState::Identifying => ShardState::Identifying,
        GatewayShardState::Resuming => ShardState::Resuming,
        GatewayShardState::Active => ShardState::Active,
        GatewayShardState::WaitingForIdentifyBudget { .. } => ShardState::WaitingToIdentify,
        GatewayShardState::FatallyClosed { code } => {
            ShardState::Stopped(format!("closed with {code}"))
        }
        GatewayShardState::Stopped => ShardState::Stopped("shutdown".to_owned()),
        // Disconnected, and any state added later: not serving events.
        _ => ShardState::Disconnected,
    }
}

impl GatewayInfo for GatewayView {
    fn shards(&self) -> Vec<ShardInfo> {
        self.gateway
            .status()
            .shards
            .iter()
            .map(|shard| {
                ShardInfo::new(shard.id, state(&shard.state))
                    .with_latency(
                        shard
                            .heartbeat_latency_secs
                            .and_then(|s| Duration::try_from_secs_f64(s).ok()),
                    )
                    .with_counts(shard.reconnects, shard.resumes)
            })
            .collect()
    }
}
