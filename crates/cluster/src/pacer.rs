//! `KvPacer`: novera-gateway's `IdentifyPacer` over two key-value buckets, so every gateway
//! process of the bot shares Discord's identify limits.
//!
//! - `novera_<bot>_identify`: one key per `max_concurrency` bucket (`bucket.<n>`), created when
//!   a process identifies in it. The bucket's entries expire after the identify interval (plus
//!   a margin for the server's expiry timer), so the key exists exactly while the window is
//!   closed: create-if-absent is the lease.
//! - `novera_<bot>_budget`: the daily budget (`budget`: remaining, total, reset time), taken one
//!   IDENTIFY at a time by compare-and-set; a process that finds it missing or past its reset
//!   writes its own view from `GET /gateway/bot`.

use std::time::Duration;

use async_nats::jetstream::kv;
use bytes::Bytes;
use novera_gateway::{BudgetView, IdentifyPacer, PacerFuture, PacerWait};
use serde::{Deserialize, Serialize};

use crate::broker::Broker;
use crate::error::ConnectError;
use crate::headers::unix_ms_now;

/// Added to the identify interval for the bucket's expiry: entries are removed by the server's
/// timer, a little after their age passed, never before.
const EXPIRY_MARGIN: Duration = Duration::from_millis(500);
/// How soon to ask again for a bucket another process holds.
const RETRY_BUSY: Duration = Duration::from_millis(250);
/// How long the budget entry lives without writes (longer than a budget period).
const BUDGET_AGE: Duration = Duration::from_secs(48 * 60 * 60);
/// Tries of a contended compare-and-set before granting on the local view.
const CAS_TRIES: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct SharedBudget {
    remaining: u32,
    total: u32,
    resets_at_unix_ms: u64,
}

/// Identify pacing shared through the broker; see the module docs.
#[derive(Debug, Clone)]
pub struct KvPacer {
    windows: kv::Store,
    budget: kv::Store,
    holder: String,
}

impl KvPacer {
    /// The pacer of `broker`'s bot for identify windows of `interval`, identifying this process
    /// as `holder`.
    pub async fn new(
        broker: &Broker,
        interval: Duration,
        holder: impl Into<String>,
    ) -> Result<Self, ConnectError> {
        let bot = &broker.settings().bot;
        Ok(Self {
            windows: broker
                .bucket(&format!("novera_{bot}_identify"), interval + EXPIRY_MARGIN)
                .await?,
            budget: broker
                .bucket(&format!("novera_{bot}_budget"), BUDGET_AGE)
                .await?,
            holder: holder.into(),
        })
    }

    async fn acquire(&self, bucket: u16, view: BudgetView) -> Result<(), PacerWait> {
        let key = format!("bucket.{bucket}");
        match self
            .windows
            .create(&key, Bytes::from(self.holder.clone()))
            .await
        {
            Ok(_) => {}
            Err(error) if error.kind() == kv::CreateErrorKind::AlreadyExists => {
                let holder = match self.windows.get(&key).await {
                    Ok(Some(value)) => String::from_utf8_lossy(&value).into_owned(),
                    _ => "another process".to_owned(),
                };
                return Err(PacerWait::BucketBusy {
                    holder,
                    retry_in: RETRY_BUSY,
                });
            }
            Err(error) => {
                tracing::warn!(%error, "identify pacing broker unavailable; pacing in this process only");
                return Ok(());
            }
        }
        match self.take_one(view).await {
            Ok(()) => Ok(()),
            Err(wait) => {
                // Not identifying after all: reopen the window for the others.
                let _ = self.windows.delete(&key).await;
                Err(wait)
            }
        }
    }

    /// Takes one IDENTIFY from the shared budget.
    async fn take_one(&self, view: BudgetView) -> Result<(), PacerWait> {
        for _ in 0..CAS_TRIES {
            let now = unix_ms_now();
            let entry = match self.budget.entry("budget").await {
                Ok(entry) => entry.filter(|e| e.operation == kv::Operation::Put),
                Err(error) => {
                    tracing::warn!(%error, "shared identify budget unavailable; using this process's view");
                    return Ok(());
                }
            };
            let shared = entry
                .as_ref()
                .and_then(|e| serde_json::from_slice::<SharedBudget>(&e.value).ok())
                .filter(|b| b.resets_at_unix_ms > now);
            let current = shared.unwrap_or(SharedBudget {
                remaining: view.remaining,
                total: view.total,
                resets_at_unix_ms: view.resets_at_unix_ms,
            });
            if current.remaining == 0 {
                return Err(PacerWait::BudgetExhausted {
                    resets_at_unix_ms: current.resets_at_unix_ms,
                });
            }
            let next = SharedBudget {
                remaining: current.remaining - 1,
                ..current
            };
            let Ok(bytes) = serde_json::to_vec(&next) else {
                return Ok(());
            };
            let written = match &entry {
                Some(entry) => self
                    .budget
                    .update("budget", Bytes::from(bytes), entry.revision)
                    .await
                    .map(drop)
                    .map_err(|e| e.kind() == kv::UpdateErrorKind::WrongLastRevision),
                None => self
                    .budget
                    .create("budget", Bytes::from(bytes))
                    .await
                    .map(drop)
                    .map_err(|e| e.kind() == kv::CreateErrorKind::AlreadyExists),
            };
            // Another process took one at the same time (`Err(true)`): read again. A store
            // error grants on the local view.
            if written != Err(true) {
                return Ok(());
            }
        }
        Ok(())
    }
}

impl IdentifyPacer for KvPacer {
    fn try_acquire(
        &self,
        bucket: u16,
        _interval: Duration,
        budget: BudgetView,
    ) -> PacerFuture<'_, Result<(), PacerWait>> {
        Box::pin(self.acquire(bucket, budget))
    }
}
