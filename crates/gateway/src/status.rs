//! Per-shard state shared by a shard runner, the identify queue and `Gateway::status`, and the
//! serializable snapshot `/status` shows.
//!
//! Each shard has one [`ShardSlot`]: the runner writes it after every poll, the identify queue
//! marks the shard as waiting for the identify budget, and readers take a snapshot. The slot
//! also keeps the latest session, so a restarted runner (after a panic) resumes instead of
//! identifying, the checkpoint task can write it while the shard runs, and shutdown can save it.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use novera_core::ComponentHandle;
use serde::Serialize;
use tokio::time::Instant;
use twilight_gateway::Session;

use crate::error::FatalClose;

/// Where a shard is in its connection life.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ShardState {
    /// Opening its first connection.
    Connecting,
    /// Connected, waiting for its turn to IDENTIFY or for READY.
    Identifying,
    /// Connected, RESUME sent, replaying missed events.
    Resuming,
    /// Receiving events.
    Active,
    /// Connected, but IDENTIFY is held back until the daily identify budget resets.
    WaitingForIdentifyBudget {
        /// When the budget resets, in milliseconds since the Unix epoch.
        until_unix_ms: u64,
        /// Seconds until then.
        in_secs: f64,
    },
    /// Lost its connection; reconnecting with twilight's backoff.
    Disconnected,
    /// Closed with a code reconnecting cannot fix; the shard is stopped.
    FatallyClosed {
        /// The close code.
        code: u16,
    },
    /// Stopped on purpose (shutdown).
    Stopped,
}

/// What the runner last saw, before the identify queue's wait is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BaseState {
    Connecting,
    Identifying,
    Resuming,
    Active,
    Disconnected,
    FatallyClosed(u16),
    Stopped,
}

/// A point-in-time view of one shard.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ShardStatus {
    /// Shard id.
    pub id: u32,
    /// Connection state.
    #[serde(flatten)]
    pub state: ShardState,
    /// Latest heartbeat round trip, in seconds.
    pub heartbeat_latency_secs: Option<f64>,
    /// Seconds since the last dispatch event.
    pub last_event_age_secs: Option<f64>,
    /// Sequence number of the last dispatch processed (the one RESUME would present).
    pub sequence: Option<u64>,
    /// Dispatch events received.
    pub events: u64,
    /// Events handed to the consumer's queue: those of the types `GatewayConfig::forward`
    /// names (the rest only update the cache and wake waiters), except those shed.
    pub events_forwarded: u64,
    /// Events shed because the queue to the consumer was full (or its consumer gone).
    pub events_dropped: u64,
    /// Payloads skipped because they could not be read (not JSON, unknown opcode or event,
    /// missing or mistyped fields, an undecodable binary frame).
    pub payload_errors: u64,
    /// New connections after the first one.
    pub reconnects: u64,
    /// Successful RESUMEs (RESUMED received).
    pub resumes: u64,
    /// Successful IDENTIFYs (READY received).
    pub identifies: u64,
    /// The code of the latest close (1006 when the connection was lost without one).
    pub last_close_code: Option<u16>,
    /// What the shard waits for, e.g. another gateway process's identify window.
    pub waiting: Option<String>,
}

/// The daily identify budget as this process knows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct IdentifyBudgetStatus {
    /// IDENTIFYs allowed per period.
    pub total: u32,
    /// IDENTIFYs left in this period.
    pub remaining: u32,
    /// When the budget resets, in milliseconds since the Unix epoch.
    pub resets_at_unix_ms: u64,
    /// Seconds until it resets.
    pub resets_in_secs: f64,
    /// Identify buckets (`shard_id % max_concurrency`); 0 when pacing is off.
    pub max_concurrency: u16,
}

/// A snapshot of the whole gateway, for `/status`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct GatewayStatus {
    /// Total shard count of the bot.
    pub shard_total: u32,
    /// The shards this process owns, by id.
    pub shards: Vec<ShardStatus>,
    /// The identify budget.
    pub identify_budget: IdentifyBudgetStatus,
}

impl GatewayStatus {
    /// Whether every owned shard is active.
    #[must_use]
    pub fn all_active(&self) -> bool {
        self.shards.iter().all(|s| s.state == ShardState::Active)
    }
}

/// Milliseconds since the Unix epoch of a tokio instant (via the wall clock now).
pub(crate) fn unix_ms(at: Instant) -> u64 {
    let now = Instant::now();
    let wall = if at >= now {
        SystemTime::now() + (at - now)
    } else {
        SystemTime::now() - (now - at)
    };
    wall.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The mutable part of a slot.
#[derive(Debug)]
pub(crate) struct ShardInfo {
    pub(crate) base: BaseState,
    /// Set by the identify queue while it holds this shard's IDENTIFY for the budget.
    pub(crate) budget_wait: Option<Instant>,
    pub(crate) latency: Option<Duration>,
    pub(crate) last_event: Option<Instant>,
    pub(crate) events: u64,
    /// Events handed to the consumer's queue, counted after the hand-off (what the checkpoint
    /// compares with the queue's length: see `checkpoint.rs`).
    pub(crate) forwarded: u64,
    pub(crate) dropped: u64,
    pub(crate) payload_errors: u64,
    pub(crate) reconnects: u64,
    pub(crate) resumes: u64,
    pub(crate) identifies: u64,
    pub(crate) last_close_code: Option<u16>,
    /// The session to resume; its sequence is `sequence` (kept apart, so recording the
    /// sequence of every event copies nothing: see [`ShardInfo::record_session`]).
    session: Option<Session>,
    sequence: u64,
    pub(crate) resume_url: Option<String>,
    /// Sends gateway commands (request members, presence) through the running shard.
    pub(crate) sender: Option<twilight_gateway::MessageSender>,
    /// What the shard waits for besides the budget (another process's identify window).
    pub(crate) waiting: Option<String>,
    /// Set when the runner stopped: whether its close handshake finished.
    pub(crate) clean_close: Option<bool>,
    /// Set when the shard closed fatally.
    pub(crate) fatal: Option<FatalClose>,
}

/// One shard's shared state and its status-registry handle.
#[derive(Debug)]
pub(crate) struct ShardSlot {
    pub(crate) id: u32,
    pub(crate) component: ComponentHandle,
    info: Mutex<ShardInfo>,
}

impl ShardSlot {
    pub(crate) fn new(
        id: u32,
        component: ComponentHandle,
        session: Option<Session>,
        resume_url: Option<String>,
    ) -> Self {
        Self {
            id,
            component,
            info: Mutex::new(ShardInfo {
                base: BaseState::Connecting,
                budget_wait: None,
                latency: None,
                last_event: None,
                events: 0,
                forwarded: 0,
                dropped: 0,
                payload_errors: 0,
                reconnects: 0,
                resumes: 0,
                identifies: 0,
                last_close_code: None,
                sequence: session.as_ref().map_or(0, Session::sequence),
                session,
                resume_url,
                sender: None,
                waiting: None,
                clean_close: None,
                fatal: None,
            }),
        }
    }

    /// Locks the slot; never held across an await.
    pub(crate) fn lock(&self) -> MutexGuard<'_, ShardInfo> {
        self.info.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Changes the base state and publishes the resulting health.
    pub(crate) fn set_base(&self, base: BaseState) {
        let mut info = self.lock();
        info.base = base;
        self.publish(&info);
    }

    /// Marks (or unmarks) the shard as waiting for the identify budget until `until`.
    /// Says what the shard waits for (or that it no longer waits).
    pub(crate) fn set_waiting(&self, what: Option<String>) {
        self.lock().waiting = what;
    }

    pub(crate) fn set_budget_wait(&self, until: Option<Instant>) {
        let mut info = self.lock();
        if info.budget_wait == until {
            return;
        }
        info.budget_wait = until;
        self.publish(&info);
    }

    /// The state readers see: the queue's wait applies while the runner thinks it identifies.
    fn effective(info: &ShardInfo) -> ShardState {
        match (info.base, info.budget_wait) {
            (BaseState::Identifying | BaseState::Connecting, Some(until)) => {
                ShardState::WaitingForIdentifyBudget {
                    until_unix_ms: unix_ms(until),
                    in_secs: until
                        .saturating_duration_since(Instant::now())
                        .as_secs_f64(),
                }
            }
            (BaseState::Connecting, None) => ShardState::Connecting,
            (BaseState::Identifying, None) => ShardState::Identifying,
            (BaseState::Resuming, _) => ShardState::Resuming,
            (BaseState::Active, _) => ShardState::Active,
            (BaseState::Disconnected, _) => ShardState::Disconnected,
            (BaseState::FatallyClosed(code), _) => ShardState::FatallyClosed { code },
            (BaseState::Stopped, _) => ShardState::Stopped,
        }
    }

    /// Pushes the health matching `info` to the status registry (readiness = active).
    fn publish(&self, info: &ShardInfo) {
        let component = &self.component;
        match Self::effective(info) {
            ShardState::Active => component.ready(),
            ShardState::Connecting => component.down("connecting"),
            ShardState::Identifying => component.down("identifying"),
            ShardState::Resuming => component.down("resuming"),
            ShardState::WaitingForIdentifyBudget { in_secs, .. } => component.down(format!(
                "waiting {in_secs:.0}s for the daily identify budget to reset"
            )),
            ShardState::Disconnected => component.down(match info.last_close_code {
                Some(code) => format!("disconnected (close code {code}), reconnecting"),
                None => "disconnected, reconnecting".to_owned(),
            }),
            ShardState::FatallyClosed { code } => {
                component.down(format!("fatally closed with code {code}"));
            }
            ShardState::Stopped => component.down("stopped"),
        }
    }

    /// A snapshot for `/status`.
    pub(crate) fn status(&self) -> ShardStatus {
        let info = self.lock();
        let now = Instant::now();
        ShardStatus {
            id: self.id,
            state: Self::effective(&info),
            heartbeat_latency_secs: info.latency.map(|d| d.as_secs_f64()),
            last_event_age_secs: info
                .last_event
                .map(|at| now.saturating_duration_since(at).as_secs_f64()),
            sequence: info.session.as_ref().map(|_| info.sequence),
            events: info.events,
            events_forwarded: info.forwarded,
            events_dropped: info.dropped,
            payload_errors: info.payload_errors,
            reconnects: info.reconnects,
            resumes: info.resumes,
            identifies: info.identifies,
            last_close_code: info.last_close_code,
            waiting: info.waiting.clone(),
        }
    }

    /// Where to send a gateway command for this shard, while its runner runs.
    pub(crate) fn sender(&self) -> Option<twilight_gateway::MessageSender> {
        self.lock().sender.clone()
    }

    /// The session to resume with and its URL, if any.
    pub(crate) fn session(&self) -> Option<(Session, Option<String>)> {
        let info = self.lock();
        info.session()
            .map(|session| (session, info.resume_url.clone()))
    }

    /// Events queued for the consumer so far.
    pub(crate) fn forwarded(&self) -> u64 {
        self.lock().forwarded
    }
}

impl ShardInfo {
    /// Records the shard's live session (`None`: there is none to resume). Called for every
    /// event: the session id is copied only when it changes, the sequence always.
    pub(crate) fn record_session(&mut self, live: Option<&Session>) {
        match (&self.session, live) {
            (Some(kept), Some(live)) if kept.id() == live.id() => self.sequence = live.sequence(),
            _ => {
                self.session = live.cloned();
                self.sequence = live.map_or(0, Session::sequence);
            }
        }
    }

    /// The session to resume, with its latest sequence.
    pub(crate) fn session(&self) -> Option<Session> {
        self.session
            .as_ref()
            .map(|kept| Session::new(self.sequence, kept.id().to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use novera_core::{Health, StatusRegistry};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn budget_wait_shows_only_while_identifying() {
        let registry = StatusRegistry::new();
        let slot = ShardSlot::new(3, registry.register("shard-3"), None, None);
        assert_eq!(slot.status().state, ShardState::Connecting);

        slot.set_base(BaseState::Identifying);
        slot.set_budget_wait(Some(Instant::now() + Duration::from_secs(60)));
        match slot.status().state {
            ShardState::WaitingForIdentifyBudget { in_secs, .. } => {
                assert!((in_secs - 60.0).abs() < 1e-3, "{in_secs}");
            }
            other => panic!("unexpected {other:?}"),
        }
        let health = registry.get("shard-3").unwrap().health;
        assert!(
            matches!(&health, Health::Down(reason) if reason.contains("identify budget")),
            "{health:?}"
        );

        slot.set_base(BaseState::Active);
        assert_eq!(slot.status().state, ShardState::Active);
        assert!(registry.readiness().ready);
    }

    #[test]
    fn state_serializes_flat_with_a_tag() {
        let v = serde_json::to_value(ShardState::FatallyClosed { code: 4014 }).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"state": "fatally_closed", "code": 4014})
        );
        let v = serde_json::to_value(ShardState::Active).unwrap();
        assert_eq!(v, serde_json::json!({"state": "active"}));
    }
}
