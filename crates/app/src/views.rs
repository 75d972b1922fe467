//! Adapters between crates that must not know each other: the gateway's status as the commands'
//! `GatewayInfo`, and gateway + router state as the health server's `StatusProvider`.
//!
//! novera-commands may not depend on novera-gateway, and novera-health on neither (they would pull
//! in twilight-gateway), so the binary that owns all three translates between them here.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use novera_commands::{GatewayInfo, Router, ShardInfo};
use novera_gateway::{Gateway, GatewayStatus, ShardState, ShardStatus};
use novera_health::{CommandReport, IdentifyBudgetReport, ShardReport, StatusProvider};

/// The gateway's shards as novera-commands sees them (for `/ping` and `/status`).
pub(crate) struct GatewayView {
    gateway: Arc<Gateway>,
}

impl GatewayView {
    pub(crate) fn new(gateway: Arc<Gateway>) -> Self {
        Self { gateway }
    }
}

impl GatewayInfo for GatewayView {
    fn shards(&self) -> Vec<ShardInfo> {
        self.gateway
            .status()
            .shards
            .iter()
            .map(|shard| {
                ShardInfo::new(shard.id, command_state(&shard.state))
                    .with_latency(shard.heartbeat_latency_secs.map(Duration::from_secs_f64))
                    .with_counts(shard.reconnects, shard.resumes)
            })
            .collect()
    }
}

fn command_state(state: &ShardState) -> novera_commands::ShardState {
    use novera_commands::ShardState as C;
    match state {
        ShardState::Connecting => C::Connecting,
        ShardState::Identifying => C::Identifying,
        ShardState::Resuming => C::Resuming,
        ShardState::Active => C::Active,
        ShardState::WaitingForIdentifyBudget { .. } => C::WaitingToIdentify,
        ShardState::FatallyClosed { code } => C::Stopped(format!("closed with {code}")),
        ShardState::Stopped => C::Stopped("stopped".to_owned()),
        // Disconnected, and any state added later, reads as disconnected.
        _ => C::Disconnected,
    }
}

/// What `/status` shows about Discord: shards, identify budget, commands, last error.
#[derive(Default)]
pub(crate) struct AppStatus {
    gateway: Mutex<Option<Arc<Gateway>>>,
    router: Mutex<Option<Router>>,
    last_error: Mutex<Option<String>>,
}

impl AppStatus {
    pub(crate) fn set_gateway(&self, gateway: Arc<Gateway>) {
        *lock(&self.gateway) = Some(gateway);
    }

    pub(crate) fn set_router(&self, router: Router) {
        *lock(&self.router) = Some(router);
    }

    /// Records the latest error an operator should see (already free of secrets).
    pub(crate) fn set_last_error(&self, error: impl Into<String>) {
        *lock(&self.last_error) = Some(error.into());
    }

    pub(crate) fn gateway_status(&self) -> Option<GatewayStatus> {
        lock(&self.gateway).as_ref().map(|g| g.status())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl StatusProvider for AppStatus {
    fn shards(&self) -> Vec<ShardReport> {
        self.gateway_status()
            .map(|status| status.shards.iter().map(shard_report).collect())
            .unwrap_or_default()
    }

    fn identify_budget(&self) -> Option<IdentifyBudgetReport> {
        self.gateway_status().map(|status| {
            let budget = status.identify_budget;
            IdentifyBudgetReport {
                remaining: budget.remaining,
                total: budget.total,
                resets_at_unix_ms: budget.resets_at_unix_ms,
            }
        })
    }

    fn commands(&self) -> Option<CommandReport> {
        lock(&self.router).as_ref().map(|router| {
            let stats = router.stats();
            CommandReport {
                in_flight: u64::try_from(stats.in_flight).unwrap_or(u64::MAX),
                served: stats.served,
                failed: stats.failed,
                busy_rejected: stats.busy_rejected,
            }
        })
    }

    fn last_error(&self) -> Option<String> {
        lock(&self.last_error).clone()
    }
}

fn shard_report(shard: &ShardStatus) -> ShardReport {
    let (state, detail) = match &shard.state {
        ShardState::WaitingForIdentifyBudget {
            until_unix_ms,
            in_secs,
        } => (
            "waiting_for_identify_budget",
            Some(format!(
                "waiting for the identify budget to reset at {} (in {in_secs:.0}s)",
                humantime::format_rfc3339_seconds(
                    std::time::UNIX_EPOCH + Duration::from_millis(*until_unix_ms)
                )
            )),
        ),
        ShardState::FatallyClosed { code } => (
            "fatally_closed",
            Some(format!(
                "closed by Discord with code {code}; not reconnecting"
            )),
        ),
        ShardState::Connecting => ("connecting", None),
        ShardState::Identifying => ("identifying", None),
        ShardState::Resuming => ("resuming", None),
        ShardState::Active => ("active", None),
        ShardState::Stopped => ("stopped", None),
        _ => ("disconnected", None),
    };
    ShardReport {
        id: shard.id,
        state: state.to_owned(),
        heartbeat_latency_ms: shard.heartbeat_latency_secs.map(|s| s * 1000.0),
        last_event_age_secs: shard.last_event_age_secs,
        reconnects: shard.reconnects,
        resumes: shard.resumes,
        last_close_code: shard.last_close_code,
        detail,
    }
}
