//! The identify queue: pacing by `max_concurrency` buckets, and the daily identify budget guard.
//!
//! Discord allows one IDENTIFY per bucket (`shard_id % max_concurrency`) per 5 s, and about
//! 1000 per day; running out resets the bot's token. twilight asks its `Queue` for permission
//! before every IDENTIFY (RESUMEs never ask: they are free), so this queue is where both rules
//! are kept. It replaces twilight's `InMemoryQueue` because that one has a fixed 5 s window
//! (tests need milliseconds) and waits for an exhausted budget silently, while Novera must show
//! the wait on `/status` and explain it in a log line.
//!
//! Each request is served by a small task that ends as soon as it granted the permit or the
//! shard dropped its receiver (disconnected, stopped), so no task outlives the shards.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::{Instant, sleep_until};
use twilight_gateway::queue::{LIMIT_PERIOD, Queue};
use twilight_http::Client;
use twilight_model::gateway::SessionStartLimit;
use twilight_model::gateway::connection_info::BotConnectionInfo;

use crate::login::{Accounting, fetch};
use crate::metrics;
use crate::pacer::{BudgetView, IdentifyPacer, PacerWait};
use crate::status::{IdentifyBudgetStatus, ShardSlot, unix_ms};

/// Shortest wait for a budget reset, so a budget reported as empty with `reset_after: 0`
/// cannot become a hot loop.
const MIN_BUDGET_WAIT: Duration = Duration::from_secs(1);

/// The budget as last known.
#[derive(Debug, Clone, Copy)]
struct Budget {
    total: u32,
    remaining: u32,
    resets_at: Instant,
}

/// How IDENTIFYs are paced.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pacing {
    /// Identify buckets; 0 disables pacing.
    pub(crate) max_concurrency: u16,
    /// Time between two IDENTIFYs of one bucket.
    pub(crate) interval: Duration,
}

/// Where a refreshed budget comes from once the period ends.
#[derive(Debug, Clone)]
pub(crate) struct BudgetSource {
    pub(crate) http: Arc<Client>,
    pub(crate) rest_deadline: Duration,
    pub(crate) invalid_requests: Option<Arc<dyn novera_core::InvalidRequestLog>>,
    pub(crate) rate_limits: Option<Arc<dyn novera_core::SharedRateLimits>>,
}

#[derive(Debug)]
struct Inner {
    budget: Mutex<Budget>,
    /// Serializes budget refreshes so waiting shards ask Discord once.
    refresh: tokio::sync::Mutex<()>,
    /// Last grant per bucket; a fair (FIFO) lock, so shards identify in request order.
    buckets: Vec<tokio::sync::Mutex<Option<Instant>>>,
    pacing: Pacing,
    slots: Arc<BTreeMap<u32, Arc<ShardSlot>>>,
    source: Option<BudgetSource>,
    /// The bot's other processes, when they pace with this one.
    pacer: Option<Arc<dyn IdentifyPacer>>,
}

/// The identify queue shared by every shard of a gateway (cheap to clone).
#[derive(Debug, Clone)]
pub(crate) struct IdentifyQueue {
    inner: Arc<Inner>,
}

impl IdentifyQueue {
    /// A queue starting from `limit` as of `fetched_at`.
    pub(crate) fn new(
        limit: &SessionStartLimit,
        fetched_at: Instant,
        pacing: Pacing,
        slots: Arc<BTreeMap<u32, Arc<ShardSlot>>>,
        source: Option<BudgetSource>,
        pacer: Option<Arc<dyn IdentifyPacer>>,
    ) -> Self {
        let budget = Budget {
            total: limit.total,
            remaining: limit.remaining,
            resets_at: fetched_at + Duration::from_millis(limit.reset_after),
        };
        metrics::identify_budget(budget.remaining);
        let buckets = (0..pacing.max_concurrency)
            .map(|_| tokio::sync::Mutex::new(None))
            .collect();
        Self {
            inner: Arc::new(Inner {
                budget: Mutex::new(budget),
                refresh: tokio::sync::Mutex::new(()),
                buckets,
                pacing,
                slots,
                source,
                pacer,
            }),
        }
    }

    fn budget(&self) -> MutexGuard<'_, Budget> {
        self.inner
            .budget
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The budget for `/status`.
    pub(crate) fn status(&self) -> IdentifyBudgetStatus {
        let budget = *self.budget();
        IdentifyBudgetStatus {
            total: budget.total,
            remaining: budget.remaining,
            resets_at_unix_ms: unix_ms(budget.resets_at),
            resets_in_secs: budget
                .resets_at
                .saturating_duration_since(Instant::now())
                .as_secs_f64(),
            max_concurrency: self.inner.pacing.max_concurrency,
        }
    }

    /// `Some(reset time)` when no IDENTIFY is left.
    fn exhausted(&self) -> Option<Instant> {
        let budget = self.budget();
        (budget.remaining == 0).then_some(budget.resets_at)
    }

    /// Takes one IDENTIFY from the budget; false when none is left.
    fn take(&self) -> bool {
        let mut budget = self.budget();
        if budget.remaining == 0 {
            return false;
        }
        budget.remaining -= 1;
        metrics::identify_budget(budget.remaining);
        true
    }

    /// Gives back an IDENTIFY that was granted but never used.
    fn refund(&self) {
        let mut budget = self.budget();
        budget.remaining = budget.remaining.saturating_add(1).min(budget.total);
        metrics::identify_budget(budget.remaining);
    }

    /// After the period ended: asks Discord for the new budget (other processes of the bot
    /// share it), or assumes a full one when that fails.
    async fn refresh(&self) {
        let _serialized = self.inner.refresh.lock().await;
        if Instant::now() < self.budget().resets_at {
            return; // another waiter refreshed it
        }
        let fresh = match &self.inner.source {
            Some(source) => {
                let started = Instant::now();
                match fetch::<BotConnectionInfo, _>(
                    "GET /gateway/bot",
                    source.rest_deadline,
                    Accounting::of(
                        source.invalid_requests.as_ref(),
                        source.rate_limits.as_ref(),
                    ),
                    source.http.gateway().authed(),
                )
                .await
                {
                    Ok(info) => Some((info.session_start_limit, started)),
                    Err(error) => {
                        tracing::warn!(%error, "could not refresh the identify budget; assuming it reset in full");
                        None
                    }
                }
            }
            None => None,
        };
        let now = Instant::now();
        let mut budget = self.budget();
        if let Some((limit, at)) = fresh {
            budget.total = limit.total;
            budget.remaining = limit.remaining;
            budget.resets_at = at + Duration::from_millis(limit.reset_after);
        } else {
            budget.remaining = budget.total;
            budget.resets_at = now + LIMIT_PERIOD;
        }
        budget.resets_at = budget.resets_at.max(now + MIN_BUDGET_WAIT);
        metrics::identify_budget(budget.remaining);
        tracing::info!(
            remaining = budget.remaining,
            total = budget.total,
            "identify budget refreshed"
        );
    }

    /// Waits until the bot's other processes let `shard` identify (its bucket is free across
    /// the bot, the shared budget has one left): `true`. `false` when the shared budget is
    /// spent (the local budget is then marked spent until the shared reset).
    async fn shared_permit(&self, shard: u32, slot: Option<&ShardSlot>) -> bool {
        let Some(pacer) = &self.inner.pacer else {
            return true;
        };
        let max = self.inner.pacing.max_concurrency.max(1);
        let bucket = u16::try_from(shard % u32::from(max)).unwrap_or(0);
        loop {
            let budget = {
                let budget = self.budget();
                BudgetView::new(budget.remaining, budget.total, unix_ms(budget.resets_at))
            };
            match pacer
                .try_acquire(bucket, self.inner.pacing.interval, budget)
                .await
            {
                Ok(()) => {
                    if let Some(slot) = slot {
                        slot.set_waiting(None);
                    }
                    return true;
                }
                Err(PacerWait::BucketBusy { holder, retry_in }) => {
                    if let Some(slot) = slot {
                        slot.set_waiting(Some(format!(
                            "identify bucket {bucket} is in use by {holder}"
                        )));
                    }
                    tokio::time::sleep(retry_in).await;
                }
                Err(PacerWait::BudgetExhausted { resets_at_unix_ms }) => {
                    let mut own = self.budget();
                    own.remaining = 0;
                    let left = resets_at_unix_ms.saturating_sub(unix_ms(Instant::now()));
                    own.resets_at =
                        Instant::now() + Duration::from_millis(left).max(MIN_BUDGET_WAIT);
                    return false;
                }
            }
        }
    }

    /// Grants `shard` its IDENTIFY through `tx` once the budget and its bucket allow it.
    async fn grant(self, shard: u32, mut tx: oneshot::Sender<()>) {
        let slot = self.inner.slots.get(&shard).cloned();
        loop {
            if let Some(until) = self.exhausted() {
                let wait = until.saturating_duration_since(Instant::now());
                if wait.is_zero() {
                    self.refresh().await;
                    continue;
                }
                tracing::warn!(
                    shard,
                    wait_secs = wait.as_secs(),
                    resets_at_unix_ms = unix_ms(until),
                    "daily identify budget exhausted: holding IDENTIFY until it resets (resumes \
                     still work; identifying now would get the token reset by Discord)"
                );
                if let Some(slot) = &slot {
                    slot.set_budget_wait(Some(until));
                }
                tokio::select! {
                    () = sleep_until(until) => self.refresh().await,
                    () = tx.closed() => break,
                }
                continue;
            }
            if let Some(slot) = &slot {
                slot.set_budget_wait(None);
            }

            let bucket = match self.inner.pacing.max_concurrency {
                0 => None,
                n => self
                    .inner
                    .buckets
                    .get(usize::try_from(shard % u32::from(n)).unwrap_or(0)),
            };
            let mut guard = match bucket {
                Some(bucket) => tokio::select! {
                    guard = bucket.lock() => Some(guard),
                    () = tx.closed() => break,
                },
                None => None,
            };
            if let Some(last) = guard.as_deref().copied().flatten() {
                tokio::select! {
                    () = sleep_until(last + self.inner.pacing.interval) => {}
                    () = tx.closed() => break,
                }
            }
            let permitted = tokio::select! {
                permitted = self.shared_permit(shard, slot.as_deref()) => permitted,
                () = tx.closed() => break,
            };
            if !permitted {
                continue; // the bot's shared budget is spent: wait for it like our own
            }
            if !self.take() {
                continue; // spent while this shard waited for its bucket
            }
            if tx.send(()).is_err() {
                self.refund();
                break;
            }
            if let Some(guard) = guard.as_deref_mut() {
                *guard = Some(Instant::now());
            }
            tracing::debug!(shard, "identify granted");
            return;
        }
        if let Some(slot) = &slot {
            slot.set_budget_wait(None);
        }
    }
}

impl Queue for IdentifyQueue {
    fn enqueue(&self, shard: u32) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        // twilight calls this from inside `Shard::poll_next`, so a runtime is present.
        tokio::spawn(self.clone().grant(shard, tx));
        rx
    }
}

#[cfg(test)]
mod tests {
    use novera_core::StatusRegistry;

    use super::*;
    use crate::status::{BaseState, ShardState};

    fn slots(ids: &[u32]) -> (StatusRegistry, Arc<BTreeMap<u32, Arc<ShardSlot>>>) {
        let registry = StatusRegistry::new();
        let map = ids
            .iter()
            .map(|&id| {
                let slot = ShardSlot::new(id, registry.register(format!("shard-{id}")), None, None);
                (id, Arc::new(slot))
            })
            .collect();
        (registry, Arc::new(map))
    }

    fn limit(total: u32, remaining: u32, reset_after: Duration) -> SessionStartLimit {
        SessionStartLimit {
            max_concurrency: 1,
            remaining,
            reset_after: u64::try_from(reset_after.as_millis()).unwrap(),
            total,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn one_identify_per_bucket_per_interval() {
        let (_registry, slots) = slots(&[0, 1, 2, 3]);
        let pacing = Pacing {
            max_concurrency: 2,
            interval: Duration::from_secs(5),
        };
        let queue = IdentifyQueue::new(
            &limit(1000, 1000, Duration::from_secs(3600)),
            Instant::now(),
            pacing,
            slots,
            None,
            None,
        );
        let start = Instant::now();
        let receivers: Vec<_> = (0..4).map(|id| (id, queue.enqueue(id))).collect();
        let mut granted = Vec::new();
        for (id, rx) in receivers {
            rx.await.unwrap();
            granted.push((id, start.elapsed()));
        }
        // Shards 0 and 1 are in different buckets: both at once; 2 and 3 wait one interval.
        assert_eq!(granted[0].1, Duration::ZERO);
        assert_eq!(granted[1].1, Duration::ZERO);
        assert_eq!(granted[2].1, Duration::from_secs(5));
        assert_eq!(granted[3].1, Duration::from_secs(5));
        assert_eq!(queue.status().remaining, 996);
    }

    #[tokio::test(start_paused = true)]
    async fn an_empty_budget_holds_identify_until_the_reset_and_says_so() {
        let (_registry, slots) = slots(&[0]);
        let slot = Arc::clone(&slots[&0]);
        slot.set_base(BaseState::Identifying);
        let pacing = Pacing {
            max_concurrency: 1,
            interval: Duration::from_secs(5),
        };
        let queue = IdentifyQueue::new(
            &limit(1000, 0, Duration::from_secs(600)),
            Instant::now(),
            pacing,
            slots,
            None,
            None,
        );
        let start = Instant::now();
        let mut rx = queue.enqueue(0);
        tokio::time::sleep(Duration::from_secs(300)).await;
        assert!(rx.try_recv().is_err(), "granted with no budget left");
        assert!(
            matches!(slot.status().state, ShardState::WaitingForIdentifyBudget { in_secs, .. } if (in_secs - 300.0).abs() < 1.0),
            "{:?}",
            slot.status().state
        );
        rx.await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(600));
        assert_eq!(slot.status().state, ShardState::Identifying);
        let budget = queue.status();
        assert_eq!((budget.total, budget.remaining), (1000, 999));
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_request_spends_nothing() {
        let (_registry, slots) = slots(&[0]);
        let pacing = Pacing {
            max_concurrency: 1,
            interval: Duration::from_secs(5),
        };
        let queue = IdentifyQueue::new(
            &limit(10, 1, Duration::from_secs(60)),
            Instant::now(),
            pacing,
            slots,
            None,
            None,
        );
        queue.enqueue(0).await.unwrap();
        assert_eq!(queue.status().remaining, 0);
        // Waits for the budget; the shard gives up (disconnects) before the reset.
        let rx = queue.enqueue(0);
        tokio::time::sleep(Duration::from_secs(10)).await;
        drop(rx);
        tokio::time::sleep(Duration::from_secs(100)).await;
        // The reset refilled the budget and nothing was taken from it.
        let rx = queue.enqueue(0);
        rx.await.unwrap();
        assert_eq!(queue.status().remaining, 9);
    }

    #[tokio::test(start_paused = true)]
    async fn pacing_off_grants_at_once_but_still_guards_the_budget() {
        let (_registry, slots) = slots(&[0, 1, 2]);
        let pacing = Pacing {
            max_concurrency: 0,
            interval: Duration::from_secs(5),
        };
        let queue = IdentifyQueue::new(
            &limit(5, 2, Duration::from_secs(60)),
            Instant::now(),
            pacing,
            slots,
            None,
            None,
        );
        let start = Instant::now();
        queue.enqueue(0).await.unwrap();
        queue.enqueue(1).await.unwrap();
        assert_eq!(start.elapsed(), Duration::ZERO);
        queue.enqueue(2).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(60));
    }
}
