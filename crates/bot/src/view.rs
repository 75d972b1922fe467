//! The one view of the gateway's status: for commands ([`GatewayView`], novera-commands'
//! `GatewayInfo`) and for the health server ([`BotStatus`], novera-health's `StatusProvider`).
//!
//! novera-commands may not depend on novera-gateway, and novera-health on neither (they would
//! pull in twilight-gateway), so the assembly, which owns all three, translates between them.
//! Both translations read the same [`GatewayStatus`] and name states the same way.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::gateway_commands::send_local;
use crate::remote::RemoteShards;
use crate::reports::{command_state, identify_budget_report, shard_report};
use novera_commands::{
    BoxFuture, CommandFailure, GatewayCommand, GatewayCommandError, GatewayInfo, RestGuard, Router,
    ShardInfo,
};
use novera_core::InstanceWatch;
use novera_gateway::{Gateway, GatewayStatus};
use novera_health::{
    CommandReport, DuplicateInstanceReport, IdentifyBudgetReport, IncidentReport,
    InvalidRequestReport, ShardReport, StatusProvider,
};

mod guards;

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
    fn send(&self, command: GatewayCommand) -> BoxFuture<'_, Result<(), GatewayCommandError>> {
        let result = send_local(&self.gateway, &command);
        Box::pin(async move { result })
    }

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

/// What `/status` shows about Discord: shards, identify budget, commands, the last error and
/// the recent errors and alerts (the last [`RECENT_INCIDENTS`]).
///
/// Made before the bot starts (the health server is up while login is retried) and filled in
/// as the gateway and the router come up.
#[derive(Debug, Default)]
pub struct BotStatus {
    shards: Mutex<Option<Shards>>,
    router: Mutex<Option<Router>>,
    last_error: Mutex<Option<String>>,
    incidents: Mutex<VecDeque<IncidentReport>>,
    guards: Mutex<Option<(RestGuard, Arc<InstanceWatch>)>>,
}

impl BotStatus {
    /// An empty status: no shards, no router, no error.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn set_gateway(&self, gateway: Arc<Gateway>) {
        *lock(&self.shards) = Some(Shards::Local(gateway));
    }

    pub(crate) fn set_remote_shards(&self, remote: RemoteShards) {
        *lock(&self.shards) = Some(Shards::Remote(remote));
    }

    pub(crate) fn set_router(&self, router: Router) {
        *lock(&self.router) = Some(router);
    }

    pub(crate) fn set_guards(&self, rest_guard: RestGuard, instance: Arc<InstanceWatch>) {
        *lock(&self.guards) = Some((rest_guard, instance));
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

    /// This process's gateway's status, once its shards started (`None` in a worker role,
    /// whose shards run elsewhere).
    #[must_use]
    pub fn gateway_status(&self) -> Option<GatewayStatus> {
        match lock(&self.shards).as_ref()? {
            Shards::Local(gateway) => Some(gateway.status()),
            Shards::Remote(_) => None,
        }
    }
}

/// Where the shards `/status` shows run: in this process, or in the bot's gateway processes.
#[derive(Debug)]
enum Shards {
    Local(Arc<Gateway>),
    Remote(RemoteShards),
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl StatusProvider for BotStatus {
    fn shards(&self) -> Vec<ShardReport> {
        match lock(&self.shards).as_ref() {
            Some(Shards::Local(gateway)) => {
                gateway.status().shards.iter().map(shard_report).collect()
            }
            Some(Shards::Remote(remote)) => remote.reports(),
            None => Vec::new(),
        }
    }

    fn identify_budget(&self) -> Option<IdentifyBudgetReport> {
        match lock(&self.shards).as_ref()? {
            Shards::Local(gateway) => {
                Some(identify_budget_report(&gateway.status().identify_budget))
            }
            Shards::Remote(remote) => remote.identify_budget(),
        }
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

    fn incidents(&self) -> Vec<IncidentReport> {
        lock(&self.incidents).iter().cloned().collect()
    }

    fn invalid_requests(&self) -> Option<InvalidRequestReport> {
        let guard = lock(&self.guards)
            .as_ref()
            .map(|(guard, _)| guard.clone())?;
        Some(guards::invalid_request_report(&guard.status()))
    }

    fn duplicate_instance(&self) -> Option<DuplicateInstanceReport> {
        let watch = lock(&self.guards)
            .as_ref()
            .map(|(_, watch)| Arc::clone(watch))?;
        Some(guards::duplicate_report(&watch.report()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
