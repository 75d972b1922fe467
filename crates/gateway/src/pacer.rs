//! `IdentifyPacer`: identify pacing shared with the bot's other processes.
//!
//! Discord's identify limits are per bot, not per process: one IDENTIFY per `max_concurrency`
//! bucket per 5 s, and a daily budget. The identify queue keeps both inside one process; with a
//! pacer it also asks the bot's other processes (the cluster roles back it with a key-value
//! bucket: a lease per bucket for the interval, a shared budget), so two gateway processes
//! started together never identify in the same window. This crate only defines the contract.

use std::fmt;
use std::pin::Pin;
use std::time::Duration;

/// A boxed, sendable future (the trait stays object safe).
pub type PacerFuture<'a, T> = Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// Why a pacer did not grant an IDENTIFY now.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PacerWait {
    /// Another process identified in this bucket within the interval; retry after `retry_in`.
    BucketBusy {
        /// Which process holds the bucket, for `/status`.
        holder: String,
        /// When to ask again.
        retry_in: Duration,
    },
    /// The bot's shared daily budget is spent until `resets_at_unix_ms`.
    BudgetExhausted {
        /// When the budget resets, in milliseconds since the Unix epoch.
        resets_at_unix_ms: u64,
    },
}

/// Shares identify pacing with the bot's other processes.
pub trait IdentifyPacer: fmt::Debug + Send + Sync {
    /// Asks for one IDENTIFY of a shard in `bucket`: `Ok(())` takes the bucket for `interval`
    /// and one identify from the shared budget (`remaining` of `total`, resetting at
    /// `resets_at_unix_ms`, is this process's view of it, used when the shared one is unknown
    /// or stale). `Err(wait)` says why not yet. A broker that cannot be reached grants it (the
    /// process's own pacing still applies), after logging.
    fn try_acquire(
        &self,
        bucket: u16,
        interval: Duration,
        budget: BudgetView,
    ) -> PacerFuture<'_, Result<(), PacerWait>>;
}

/// This process's view of the daily identify budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BudgetView {
    /// Identifies left.
    pub remaining: u32,
    /// Identifies per period.
    pub total: u32,
    /// When the period ends, in milliseconds since the Unix epoch.
    pub resets_at_unix_ms: u64,
}

impl BudgetView {
    /// A view of `remaining` of `total`, resetting at `resets_at_unix_ms`.
    #[must_use]
    pub fn new(remaining: u32, total: u32, resets_at_unix_ms: u64) -> Self {
        Self {
            remaining,
            total,
            resets_at_unix_ms,
        }
    }
}
