//! The Discord-side details `/status` shows, supplied by whoever owns the shards and the router.
//!
//! novera-health must never depend on twilight or on the gateway and command crates, so those
//! details reach it through [`StatusProvider`], a small trait of plain, serializable reports
//! defined here. novera-bot's `BotStatus` implements it over the gateway's and router's state.

use serde::{Deserialize, Serialize};

use crate::guards::{DuplicateInstanceReport, InvalidRequestReport};

/// One shard as `/status` shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardReport {
    /// The shard id.
    pub id: u32,
    /// Where the shard is, in the gateway's words: `active`, `resuming`, `identifying`,
    /// `waiting_for_identify_budget`, `fatally_closed`, ...
    pub state: String,
    /// The latest heartbeat round trip, in milliseconds.
    pub heartbeat_latency_ms: Option<f64>,
    /// Seconds since the shard last received a dispatch event.
    pub last_event_age_secs: Option<f64>,
    /// Dispatch events the shard received since the process started (the status page's
    /// events-per-second chart is the rate of their sum).
    pub events: u64,
    /// Events the shard shed because the queue to the command router was full.
    pub events_dropped: u64,
    /// Times the shard reconnected.
    pub reconnects: u64,
    /// Times the shard resumed its session instead of identifying.
    pub resumes: u64,
    /// The close code of the latest gateway close, if any.
    pub last_close_code: Option<u16>,
    /// A sentence for a person, e.g. `waiting for identify budget until 2026-11-23T04:00:00Z`.
    pub detail: Option<String>,
}

/// Discord's daily identify budget (`session_start_limit`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentifyBudgetReport {
    /// Identifies left before the reset.
    pub remaining: u32,
    /// Identifies allowed per reset period.
    pub total: u32,
    /// When the budget resets, as milliseconds since the Unix epoch.
    pub resets_at_unix_ms: u64,
}

/// The command router's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandReport {
    /// Commands running now.
    pub in_flight: u64,
    /// Commands that completed successfully since start.
    pub served: u64,
    /// Commands that failed, panicked or timed out since start.
    pub failed: u64,
    /// Commands refused because the work pool was full.
    pub busy_rejected: u64,
}

/// One recent error or alert, newest first in [`StatusProvider::incidents`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentReport {
    /// When it happened, as milliseconds since the Unix epoch.
    pub at_unix_ms: u64,
    /// What it was: `command error`, `command panic`, `command deadline`, `alert: shard down`,
    /// `error`, ...
    pub kind: String,
    /// The reference id the user was shown or the alert carried, to find its log line; none for
    /// errors that were only logged.
    pub reference: Option<String>,
    /// One line for the operator, already redacted by the caller (health redacts again).
    pub summary: String,
}

/// Supplies the Discord-side parts of `/status`.
///
/// Methods are called on every `/status` request from the HTTP task, so they must be cheap and
/// must not block or await: read from atomics or a briefly held lock. `/healthz`, `/readyz` and
/// `/metrics` never call the provider, so a broken provider cannot fail a probe.
pub trait StatusProvider: Send + Sync + 'static {
    /// Every shard this process owns, in id order.
    fn shards(&self) -> Vec<ShardReport>;

    /// The identify budget, once the gateway has fetched it.
    fn identify_budget(&self) -> Option<IdentifyBudgetReport>;

    /// The command router's counters, once it runs.
    fn commands(&self) -> Option<CommandReport>;

    /// The latest operator-facing error, already redacted by the caller (health redacts again).
    fn last_error(&self) -> Option<String>;

    /// The latest errors and alerts, newest first, a bounded list (the status page shows them).
    fn incidents(&self) -> Vec<IncidentReport> {
        Vec::new()
    }

    /// The bot's invalid requests against Discord's ban limit, once the REST guard exists.
    fn invalid_requests(&self) -> Option<InvalidRequestReport> {
        None
    }

    /// Evidence of another instance of the bot, once the instance watch exists.
    fn duplicate_instance(&self) -> Option<DuplicateInstanceReport> {
        None
    }
}

/// A provider with nothing to say: for tests and for the time before the gateway exists.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoDiscord;

impl StatusProvider for NoDiscord {
    fn shards(&self) -> Vec<ShardReport> {
        Vec::new()
    }

    fn identify_budget(&self) -> Option<IdentifyBudgetReport> {
        None
    }

    fn commands(&self) -> Option<CommandReport> {
        None
    }

    fn last_error(&self) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_report_serializes_every_field_by_name() {
        let report = ShardReport {
            id: 3,
            state: "resuming".into(),
            heartbeat_latency_ms: Some(41.5),
            last_event_age_secs: None,
            events: 1200,
            events_dropped: 3,
            reconnects: 2,
            resumes: 1,
            last_close_code: Some(1006),
            detail: Some("connection reset".into()),
        };
        let value = serde_json::to_value(&report).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "id": 3,
                "state": "resuming",
                "heartbeat_latency_ms": 41.5,
                "last_event_age_secs": null,
                "events": 1200,
                "events_dropped": 3,
                "reconnects": 2,
                "resumes": 1,
                "last_close_code": 1006,
                "detail": "connection reset",
            })
        );
        let back: ShardReport = serde_json::from_value(value).unwrap();
        assert_eq!(back, report);
    }

    #[test]
    fn no_discord_reports_nothing() {
        let provider = NoDiscord;
        assert!(provider.shards().is_empty());
        assert_eq!(provider.identify_budget(), None);
        assert_eq!(provider.commands(), None);
        assert_eq!(provider.last_error(), None);
        assert_eq!(provider.incidents(), Vec::new());
    }
}
