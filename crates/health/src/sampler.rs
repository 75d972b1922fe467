//! The sampler: a task that reads the counters every sample period into the status page's
//! history.
//!
//! It reads what `/status` and `/metrics` read (the provider's shard and router counters, the
//! recorder's command duration histogram), from its own task: it never runs on a shard's task
//! or a handler's, and costs one provider call and one metrics render per period.

use novera_core::CancellationToken;
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

use crate::history::{HistoryReport, Reading};
use crate::latency::{Buckets, COMMAND_DURATION};
use crate::state::HealthState;

impl HealthState {
    /// Reads the counters once and appends a point to the status page's history.
    pub fn sample(&self) {
        let reading = self.read_counters();
        self.with_history(|history| history.record(reading));
    }

    /// The history `/history` serves: the points after `since_unix_ms` (`0`: all of them).
    #[must_use]
    pub fn history(&self, since_unix_ms: u64) -> HistoryReport {
        self.with_history(|history| history.report(since_unix_ms))
    }

    fn read_counters(&self) -> Reading {
        let provider = self.provider();
        let shards = provider.shards();
        let events = (!shards.is_empty()).then(|| {
            shards
                .iter()
                .fold(0_u64, |sum, shard| sum.saturating_add(shard.events))
        });
        let commands = provider.commands().map(|c| {
            c.served
                .saturating_add(c.failed)
                .saturating_add(c.busy_rejected)
        });
        let latency = self
            .metrics()
            .map(|handle| Buckets::read(&handle.render(), COMMAND_DURATION))
            .unwrap_or_default();
        let at = Instant::now();
        let since_start = at.saturating_duration_since(self.started_at());
        Reading {
            at,
            at_unix_ms: self
                .started_at_unix_ms()
                .saturating_add(u64::try_from(since_start.as_millis()).unwrap_or(u64::MAX)),
            events,
            commands,
            latency,
        }
    }
}

/// Samples `state` every [`HealthState::sample_period`] (the first time at once) until `cancel`
/// fires; `app` runs it beside the health server.
#[allow(
    clippy::must_use_candidate,
    reason = "the task runs detached until cancelled"
)]
pub fn spawn_sampler(state: HealthState, cancel: CancellationToken) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(state.sample_period());
        // A late tick is taken late, not twice: rates divide by the real elapsed time.
        interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = cancel.cancelled() => return,
                _ = interval.tick() => state.sample(),
            }
        }
    })
}
