//! The one view of the gateway's status: for commands ([`GatewayView`], novera-commands'
//! `GatewayInfo`) and for the health server ([`BotStatus`], novera-health's `StatusProvider`).
//!
//! novera-commands may not depend on novera-gateway, and novera-health on neither (they would
//! pull in twilight-gateway), so the assembly, which owns all three, translates between them.
//! Both translations read the same [`GatewayStatus`] and name states the same way.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use novera_commands::{CommandFailure, GatewayInfo, Router, ShardInfo};
use novera_gateway::{Gateway, GatewayStatus, ShardState, ShardStatus};
use novera_health::{
    CommandReport, IdentifyBudgetReport, IncidentReport, ShardReport, StatusProvider,
};

/// How many recent errors and alerts the status page lists.
pub const RECENT_INCIDENTS: usize = 20;

/// The gateway's shards as commands see them (`/ping`, `/status`, [`GatewayInfo`]).
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

impl GatewayInfo for GatewayView {
    fn shards(&self) -> Vec<ShardInfo> {
        self.gateway
            .status()
            .shards
            .iter()
            .map(|shard| {
                ShardInfo::new(shard.id, command_state(&shard.state))
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

/// A shard state's name, as `/status` and commands show it.
fn state_name(state: &ShardState) -> &'static str {
    match state {
        ShardState::Connecting => "connecting",
        ShardState::Identifying => "identifying",
        ShardState::Resuming => "resuming",
        ShardState::Active => "active",
        ShardState::WaitingForIdentifyBudget { .. } => "waiting_for_identify_budget",
        ShardState::FatallyClosed { .. } => "fatally_closed",
        ShardState::Stopped => "stopped",
        // Disconnected, and any state added later: not serving events.
        _ => "disconnected",
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
        ShardState::Stopped => C::Stopped(state_name(state).to_owned()),
        _ => C::Disconnected,
    }
}

/// What `/status` shows about Discord: shards, identify budget, commands, the last error and
/// the recent errors and alerts (the last [`RECENT_INCIDENTS`]).
///
/// Made before the bot starts (the health server is up while login is retried) and filled in
/// as the gateway and the router come up.
#[derive(Debug, Default)]
pub struct BotStatus {
    gateway: Mutex<Option<Arc<Gateway>>>,
    router: Mutex<Option<Router>>,
    last_error: Mutex<Option<String>>,
    incidents: Mutex<VecDeque<IncidentReport>>,
}

impl BotStatus {
    /// An empty status: no shards, no router, no error.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn set_gateway(&self, gateway: Arc<Gateway>) {
        *lock(&self.gateway) = Some(gateway);
    }

    pub(crate) fn set_router(&self, router: Router) {
        *lock(&self.router) = Some(router);
    }

    /// Records the latest error an operator should see (already free of secrets); it is also
    /// listed among the recent incidents, without a reference id (it was only logged).
    pub fn set_last_error(&self, error: impl Into<String>) {
        let error = error.into();
        self.record_incident("error", None, error.clone());
        *lock(&self.last_error) = Some(error);
    }

    /// Lists a failed command with the reference id its user was shown and its log line carries.
    pub fn record_command_failure(&self, failure: &CommandFailure) {
        self.record_incident(
            &format!("command {}", failure.kind),
            Some(failure.reference.clone()),
            format!("/{}: {}", failure.command, failure.cause),
        );
    }

    /// Lists an alert of `kind` under a fresh reference id and returns it, for the alert's
    /// message and its log line to quote.
    pub fn record_alert(&self, kind: &str, summary: impl Into<String>) -> String {
        // Like the router's reference ids: short enough to read out, enough to grep for.
        let reference = format!("{:08x}", fastrand::u32(..));
        self.record_incident(
            &format!("alert: {kind}"),
            Some(reference.clone()),
            summary.into(),
        );
        reference
    }

    fn record_incident(&self, kind: &str, reference: Option<String>, summary: String) {
        let at_unix_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let mut incidents = lock(&self.incidents);
        if incidents.len() == RECENT_INCIDENTS {
            incidents.pop_back();
        }
        incidents.push_front(IncidentReport {
            at_unix_ms,
            kind: kind.to_owned(),
            reference,
            summary,
        });
    }

    /// The gateway's status, once the shards started.
    #[must_use]
    pub fn gateway_status(&self) -> Option<GatewayStatus> {
        lock(&self.gateway).as_ref().map(|g| g.status())
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl StatusProvider for BotStatus {
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
                via_gateway: stats.via_gateway,
                via_http: stats.via_http,
            }
        })
    }

    fn last_error(&self) -> Option<String> {
        lock(&self.last_error).clone()
    }

    fn incidents(&self) -> Vec<IncidentReport> {
        lock(&self.incidents).iter().cloned().collect()
    }
}

fn shard_report(shard: &ShardStatus) -> ShardReport {
    let detail = match &shard.state {
        ShardState::WaitingForIdentifyBudget {
            until_unix_ms,
            in_secs,
        } => Some(format!(
            "waiting for the identify budget to reset at {} (in {in_secs:.0}s)",
            humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_millis(*until_unix_ms))
        )),
        ShardState::FatallyClosed { code } => Some(format!(
            "closed by Discord with code {code}; not reconnecting"
        )),
        _ => None,
    };
    ShardReport {
        id: shard.id,
        state: state_name(&shard.state).to_owned(),
        heartbeat_latency_ms: shard.heartbeat_latency_secs.map(|s| s * 1000.0),
        last_event_age_secs: shard.last_event_age_secs,
        events: shard.events,
        events_dropped: shard.events_dropped,
        reconnects: shard.reconnects,
        resumes: shard.resumes,
        last_close_code: shard.last_close_code,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_views_name_states_alike() {
        assert_eq!(state_name(&ShardState::Stopped), "stopped");
        assert_eq!(
            command_state(&ShardState::Stopped),
            novera_commands::ShardState::Stopped("stopped".to_owned())
        );
        assert_eq!(
            command_state(&ShardState::FatallyClosed { code: 4014 }),
            novera_commands::ShardState::Stopped("closed with 4014".to_owned())
        );
        assert_eq!(
            state_name(&ShardState::WaitingForIdentifyBudget {
                until_unix_ms: 0,
                in_secs: 1.0
            }),
            "waiting_for_identify_budget"
        );
    }

    #[test]
    fn incidents_are_listed_newest_first_and_bounded() {
        let status = BotStatus::new();
        status.set_last_error("cannot reach Discord");
        let reference = status.record_alert("shard down", "shard-0 has not been active for 60s");
        assert_eq!(reference.len(), 8);
        assert!(
            reference.chars().all(|c| c.is_ascii_hexdigit()),
            "{reference}"
        );
        let incidents = status.incidents();
        assert_eq!(incidents.len(), 2);
        assert_eq!(incidents[0].kind, "alert: shard down");
        assert_eq!(incidents[0].reference.as_deref(), Some(reference.as_str()));
        assert_eq!(incidents[1].kind, "error");
        assert_eq!(incidents[1].reference, None);
        assert_eq!(status.last_error().as_deref(), Some("cannot reach Discord"));

        for i in 0..RECENT_INCIDENTS {
            status.set_last_error(format!("error {i}"));
        }
        let incidents = status.incidents();
        assert_eq!(incidents.len(), RECENT_INCIDENTS);
        let newest = format!("error {}", RECENT_INCIDENTS - 1);
        assert_eq!(incidents[0].summary, newest);
        assert!(
            incidents.iter().all(|i| i.kind == "error"),
            "the oldest went first"
        );
    }
}
