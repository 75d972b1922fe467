//! `KvRateLimits`: novera-core's `SharedRateLimits` over one key-value bucket
//! (`novera_<bot>_rest`), so every process of the bot keeps within Discord's REST limits
//! together.
//!
//! - **Global limit**: one key (`global`) holds a theoretical arrival time (GCRA, the generic
//!   cell rate algorithm). A request reserves the next slot by compare-and-set and is sent at
//!   its time; slots are `1 / rate` apart with a tolerance of `burst - 1` slots. A request that
//!   wakes more than [`LATE`] after its slot takes a new one, so a loaded host cannot bunch
//!   requests up: any second holds at most `rate × (1 s + LATE) + burst` requests of the whole
//!   bot (43 against Discord's 50 by default: 40 a second, bursts of 2). Each process reserves
//!   slots for all its waiting requests in one compare-and-set.
//! - **Buckets**: one key per bucket and major parameter (`b.<bucket>.<channels.1>`) holds the
//!   limit, what remains and when the window ends, taken one request at a time by
//!   compare-and-set and corrected by every response's headers (the smaller remaining wins). A
//!   route's bucket, limit and window are kept under `route.<template>`, so a process sending
//!   to a new channel knows its limit; a route never seen before is probed by one request while
//!   the others wait for its headers.
//!
//! Times are wall-clock (hosts are assumed NTP-synchronised); a window is taken as over only
//! [`MARGIN`] after its reset, which absorbs transit and small skew. A store that cannot be
//! reached lets requests go after logging: twilight's per-process limiter still applies, and
//! without the broker workers get no events to answer anyway.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_nats::jetstream::kv;
use bytes::Bytes;
use novera_core::{LimitFuture, LimitedRoute, RateLimitOutcome, SharedRateLimits};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::broker::Broker;
use crate::error::ConnectError;

/// Past a bucket's reset, how long before its window is taken as over (transit, clock skew).
pub const MARGIN: Duration = Duration::from_millis(100);
/// A request woken this long after its global slot takes a new slot.
pub const LATE: Duration = Duration::from_millis(25);
/// How long one request probing an unknown route holds its bucket.
const PROBE: Duration = Duration::from_secs(2);
/// How often requests waiting on a probe look again.
const PROBE_POLL: Duration = Duration::from_millis(50);
/// How long one store operation may take before the request goes without it.
const OP_TIMEOUT: Duration = Duration::from_millis(500);
/// Global slots one process reserves at once at most.
const MAX_BATCH: usize = 8;
/// Tries of a contended compare-and-set.
const CAS_TRIES: usize = 32;
/// Entries live this long without writes (a route's limits are refreshed well before).
const ENTRY_AGE: Duration = Duration::from_secs(60 * 60);
/// A process rewrites what it knows of a route at most this often.
const ROUTE_REFRESH: Duration = Duration::from_secs(10 * 60);
/// How often an unreachable store is logged.
const WARN_EVERY: Duration = Duration::from_secs(30);

/// Microseconds since the Unix epoch now.
fn unix_us_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

fn us(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// The global limit's pace: a slot every `interval_us`, `tolerance_us` of them at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pace {
    interval_us: u64,
    tolerance_us: u64,
}

impl Pace {
    /// `rate` requests per second with bursts of `burst`.
    pub(crate) fn new(rate: u32, burst: u32) -> Self {
        let interval_us = 1_000_000 / u64::from(rate.max(1));
        Self {
            interval_us,
            tolerance_us: interval_us * u64::from(burst.max(1) - 1),
        }
    }

    /// The slot for a request asking at `now` given the theoretical arrival time `tat`:
    /// when to send it, and the next `tat`.
    pub(crate) fn slot(self, tat: u64, now: u64) -> (u64, u64) {
        let send_at = now.max(tat.saturating_sub(self.tolerance_us));
        (send_at, send_at.max(tat) + self.interval_us)
    }
}

/// What the bot knows of a route: its bucket and the bucket's size, or that it has none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum RouteInfo {
    Bucket {
        bucket: String,
        limit: u16,
        window_us: u64,
    },
    Unlimited,
}

/// One bucket for one major parameter. `limit == 0` while a probe is out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BucketState {
    limit: u16,
    remaining: u16,
    reset_at_us: u64,
    window_us: u64,
}

/// Whether a request may go, with the bucket it leaves behind, or until when it waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Take {
    Go(BucketState),
    Wait(u64),
}

impl BucketState {
    fn probe(now: u64) -> Self {
        Self {
            limit: 0,
            remaining: 0,
            reset_at_us: now + us(PROBE),
            window_us: 0,
        }
    }

    fn fresh(limit: u16, window_us: u64, now: u64) -> Self {
        Self {
            limit,
            remaining: limit.saturating_sub(1),
            reset_at_us: now + window_us,
            window_us,
        }
    }

    /// Takes one request from `state` at `now` (`known`: the route's size, if learned).
    pub(crate) fn take(state: Option<Self>, known: Option<(u16, u64)>, now: u64) -> Take {
        let fresh_or_probe = || match known {
            Some((limit, window)) if limit > 0 && window > 0 => {
                Take::Go(Self::fresh(limit, window, now))
            }
            _ => Take::Go(Self::probe(now)),
        };
        match state {
            Some(s) if s.limit == 0 => {
                if now >= s.reset_at_us {
                    fresh_or_probe()
                } else {
                    Take::Wait(s.reset_at_us.min(now + us(PROBE_POLL)))
                }
            }
            Some(s) if now < s.reset_at_us + us(MARGIN) => {
                if s.remaining > 0 {
                    Take::Go(Self {
                        remaining: s.remaining - 1,
                        ..s
                    })
                } else {
                    Take::Wait(s.reset_at_us + us(MARGIN))
                }
            }
            Some(s) if s.window_us > 0 => Take::Go(Self::fresh(s.limit, s.window_us, now)),
            // Nothing known of this bucket yet, or a window of no length.
            None | Some(_) => fresh_or_probe(),
        }
    }

    /// What `state` becomes after a response at `now` said `remaining` of `limit` are left
    /// for `reset_after_us`; `None` when it says nothing new (a late answer of an older
    /// window, or what is already known).
    pub(crate) fn learn(
        state: Option<Self>,
        limit: u16,
        remaining: u16,
        reset_after_us: u64,
        now: u64,
    ) -> Option<Self> {
        let reset_at_us = now + reset_after_us;
        let next = match state {
            None => Self {
                limit,
                remaining,
                reset_at_us,
                window_us: reset_after_us,
            },
            Some(s) if s.limit == 0 => Self {
                limit,
                remaining,
                reset_at_us,
                window_us: s.window_us.max(reset_after_us),
            },
            Some(s) if reset_at_us + us(MARGIN) < s.reset_at_us => return None,
            Some(s) => Self {
                limit,
                remaining: s.remaining.min(remaining),
                reset_at_us: s.reset_at_us.max(reset_at_us),
                window_us: s.window_us.max(reset_after_us),
            },
        };
        (state != Some(next)).then_some(next)
    }
}

/// A short, stable, key-safe name for `text` (FNV-1a: the same in every process and build).
fn key_of(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// `channels/1` as a key token: `channels.1`.
fn major_token(major: &str) -> String {
    if major.is_empty() {
        "-".to_owned()
    } else {
        major
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '.' })
            .collect()
    }
}

/// Shared REST limits on the broker; see the module docs. Cheap to clone.
#[derive(Clone)]
pub struct KvRateLimits {
    inner: Arc<Inner>,
}

struct Inner {
    store: kv::Store,
    pace: Pace,
    /// What this process knows of each route template, and when it last wrote it.
    routes: Mutex<HashMap<String, (RouteInfo, Instant)>>,
    /// Global slots this process reserved and has not handed out yet, earliest first. Its
    /// lock makes this process ask for slots once at a time: contention on the global key is
    /// then between processes, never a herd of one process's own requests.
    reserved: tokio::sync::Mutex<VecDeque<u64>>,
    /// Requests of this process waiting for a global slot (how many slots to ask for at once).
    waiting: AtomicUsize,
    turns: Turns,
    last_warning: Mutex<Option<Instant>>,
}

/// Counts a request waiting for a global slot while it exists (it may be cancelled).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn enter(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Self(counter)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A queue per bucket key: one request of the process at a time goes for a bucket's room.
#[derive(Default)]
struct Turns(Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>);

/// A request's turn at a bucket; the key's queue is forgotten when nobody waits in it.
struct Turn<'a> {
    turns: &'a Turns,
    key: String,
    queue: Arc<tokio::sync::Mutex<()>>,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Turns {
    async fn enter(&self, key: &str) -> Turn<'_> {
        let queue = Arc::clone(
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(key.to_owned())
                .or_default(),
        );
        let guard = Arc::clone(&queue).lock_owned().await;
        Turn {
            turns: self,
            key: key.to_owned(),
            queue,
            guard: Some(guard),
        }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut queues = self.turns.0.lock().unwrap_or_else(PoisonError::into_inner);
        // The map's handle and this one: nobody else waits.
        if Arc::strong_count(&self.queue) == 2 {
            queues.remove(&self.key);
        }
    }
}

impl std::fmt::Debug for KvRateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KvRateLimits")
            .field("pace", &self.inner.pace)
            .finish_non_exhaustive()
    }
}

/// A store operation that failed or took too long.
struct Unavailable(String);

impl KvRateLimits {
    /// The limits of `broker`'s bot: its processes together send at most `rate` requests a
    /// second (bursts of `burst`) and keep every bucket.
    pub async fn new(broker: &Broker, rate: u32, burst: u32) -> Result<Self, ConnectError> {
        let bot = &broker.settings().bot;
        let store = broker
            .bucket(&format!("novera_{bot}_rest"), ENTRY_AGE)
            .await?;
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                pace: Pace::new(rate, burst),
                routes: Mutex::new(HashMap::new()),
                reserved: tokio::sync::Mutex::new(VecDeque::new()),
                waiting: AtomicUsize::new(0),
                turns: Turns::default(),
                last_warning: Mutex::new(None),
            }),
        })
    }

    async fn acquire_route(&self, route: &LimitedRoute) {
        if let Err(Unavailable(error)) = self.try_acquire(route).await {
            metrics::counter!("novera_cluster_rest_limits_unavailable_total").increment(1);
            let mut last = self
                .inner
                .last_warning
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if last.is_none_or(|at| at.elapsed() >= WARN_EVERY) {
                *last = Some(Instant::now());
                tracing::warn!(%error, route = %route.template, "shared REST limits unavailable; sending on this process's limiter only");
            }
        }
    }

    async fn try_acquire(&self, route: &LimitedRoute) -> Result<(), Unavailable> {
        loop {
            let info = self.route_info(&route.template).await?;
            let (key, known) = match &info {
                Some(RouteInfo::Unlimited) => return self.global_slot().await,
                Some(RouteInfo::Bucket {
                    bucket,
                    limit,
                    window_us,
                }) => (
                    format!("b.{}.{}", key_of(bucket), major_token(&route.major)),
                    Some((*limit, *window_us)),
                ),
                None => (
                    format!(
                        "t.{}.{}",
                        key_of(&route.template),
                        major_token(&route.major)
                    ),
                    None,
                ),
            };
            // One request of this process per bucket at a time, in order: the others wait
            // here rather than all waking at its reset to race for the room (and for global
            // slots they would then waste).
            let turn = self.inner.turns.enter(&key).await;
            loop {
                // Wait for room without spending a global slot on a full bucket.
                let (state, _) = self.bucket_state(&key).await?;
                if let Take::Wait(until) = BucketState::take(state, known, unix_us_now()) {
                    self.wait_until(until, "bucket").await;
                    if known.is_none() {
                        // A probe was out: its answer may have taught the route's bucket.
                        break;
                    }
                    continue;
                }
                self.global_slot().await?;
                if self.take_bucket(&key, known).await? {
                    return Ok(());
                }
                // Another process took the last room while this one waited for its slot: the
                // slot is lost; wait for the bucket again.
            }
            drop(turn);
        }
    }

    /// Reserves a global slot and sleeps until it (a new one if it woke late).
    async fn global_slot(&self) -> Result<(), Unavailable> {
        let _waiting = Waiting::enter(&self.inner.waiting);
        loop {
            let send_at = {
                let mut reserved = self.inner.reserved.lock().await;
                let now = unix_us_now();
                while reserved.front().is_some_and(|&slot| slot + us(LATE) < now) {
                    reserved.pop_front();
                    metrics::counter!("novera_cluster_rest_slots_missed_total").increment(1);
                }
                if let Some(slot) = reserved.pop_front() {
                    slot
                } else {
                    // Everyone of this process waiting now gets a slot from one
                    // compare-and-set.
                    let wanted = self
                        .inner
                        .waiting
                        .load(Ordering::Relaxed)
                        .clamp(1, MAX_BATCH);
                    let mut slots = self.reserve_slots(wanted).await?.into_iter();
                    let first = slots.next().unwrap_or(now);
                    reserved.extend(slots);
                    first
                }
            };
            self.wait_until(send_at, "global").await;
            if unix_us_now() <= send_at + us(LATE) {
                return Ok(());
            }
            metrics::counter!("novera_cluster_rest_slots_missed_total").increment(1);
        }
    }

    /// Reserves the next `count` global slots of the bot.
    async fn reserve_slots(&self, count: usize) -> Result<Vec<u64>, Unavailable> {
        for _ in 0..CAS_TRIES {
            let entry = self.entry("global").await?;
            let mut tat = entry
                .as_ref()
                .and_then(|e| serde_json::from_slice::<u64>(&e.value).ok())
                .unwrap_or(0);
            let now = unix_us_now();
            let slots: Vec<u64> = (0..count)
                .map(|_| {
                    let (send_at, next) = self.inner.pace.slot(tat, now);
                    tat = next;
                    send_at
                })
                .collect();
            if self.write("global", entry.as_ref(), &tat).await? {
                return Ok(slots);
            }
        }
        Err(Unavailable("the global slot stayed contended".to_owned()))
    }

    /// Takes one request from the bucket at `key`; `false` when it is full.
    async fn take_bucket(&self, key: &str, known: Option<(u16, u64)>) -> Result<bool, Unavailable> {
        for _ in 0..CAS_TRIES {
            let (state, entry) = self.bucket_state(key).await?;
            let Take::Go(next) = BucketState::take(state, known, unix_us_now()) else {
                return Ok(false);
            };
            if self.write(key, entry.as_ref(), &next).await? {
                return Ok(true);
            }
        }
        Err(Unavailable(format!("bucket {key} stayed contended")))
    }

    async fn bucket_state(
        &self,
        key: &str,
    ) -> Result<(Option<BucketState>, Option<kv::Entry>), Unavailable> {
        let entry = self.entry(key).await?;
        let state = entry
            .as_ref()
            .and_then(|e| serde_json::from_slice::<BucketState>(&e.value).ok());
        Ok((state, entry))
    }

    async fn wait_until(&self, until_us: u64, limit: &'static str) {
        let wait = Duration::from_micros(until_us.saturating_sub(unix_us_now()));
        if !wait.is_zero() {
            metrics::histogram!("novera_cluster_rest_wait_seconds", "limit" => limit)
                .record(wait.as_secs_f64());
            tokio::time::sleep(wait).await;
        }
    }

    /// What is known of `template`: from this process's memory, else from the store.
    async fn route_info(&self, template: &str) -> Result<Option<RouteInfo>, Unavailable> {
        if let Some((info, _)) = self.routes().get(template) {
            return Ok(Some(info.clone()));
        }
        let entry = self.entry(&format!("route.{}", key_of(template))).await?;
        let info = entry.and_then(|e| serde_json::from_slice::<RouteInfo>(&e.value).ok());
        if let Some(info) = &info {
            self.routes()
                .insert(template.to_owned(), (info.clone(), Instant::now()));
        }
        Ok(info)
    }

    fn routes(&self) -> std::sync::MutexGuard<'_, HashMap<String, (RouteInfo, Instant)>> {
        self.inner
            .routes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Learns from a response: the route's bucket and size, and the bucket's state.
    async fn learn(
        &self,
        route: LimitedRoute,
        outcome: RateLimitOutcome,
    ) -> Result<(), Unavailable> {
        let info = match &outcome {
            RateLimitOutcome::Learned(headers) => RouteInfo::Bucket {
                bucket: headers.bucket.clone(),
                limit: headers.limit,
                window_us: us(headers.reset_after),
            },
            RateLimitOutcome::Unlimited => RouteInfo::Unlimited,
            _ => return Ok(()),
        };
        self.remember_route(&route.template, info).await?;
        let RateLimitOutcome::Learned(headers) = outcome else {
            return Ok(());
        };
        let key = format!(
            "b.{}.{}",
            key_of(&headers.bucket),
            major_token(&route.major)
        );
        for _ in 0..CAS_TRIES {
            let (state, entry) = self.bucket_state(&key).await?;
            let Some(next) = BucketState::learn(
                state,
                headers.limit,
                headers.remaining,
                us(headers.reset_after),
                unix_us_now(),
            ) else {
                return Ok(());
            };
            if self.write(&key, entry.as_ref(), &next).await? {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Writes what is known of a route when it changed (the window only when it grew) or was
    /// last written long ago.
    async fn remember_route(&self, template: &str, mut info: RouteInfo) -> Result<(), Unavailable> {
        {
            let mut routes = self.routes();
            if let Some((known, at)) = routes.get(template) {
                if let (
                    RouteInfo::Bucket { window_us: old, .. },
                    RouteInfo::Bucket {
                        window_us: new,
                        bucket,
                        limit,
                    },
                ) = (known, &info)
                {
                    info = RouteInfo::Bucket {
                        bucket: bucket.clone(),
                        limit: *limit,
                        window_us: (*old).max(*new),
                    };
                }
                if *known == info && at.elapsed() < ROUTE_REFRESH {
                    return Ok(());
                }
            }
            routes.insert(template.to_owned(), (info.clone(), Instant::now()));
        }
        let value = serde_json::to_vec(&info).map_err(|e| Unavailable(e.to_string()))?;
        self.op(self
            .inner
            .store
            .put(format!("route.{}", key_of(template)), Bytes::from(value)))
            .await?
            .map_err(|e| Unavailable(e.to_string()))?;
        Ok(())
    }

    async fn entry(&self, key: &str) -> Result<Option<kv::Entry>, Unavailable> {
        let entry = self
            .op(self.inner.store.entry(key))
            .await?
            .map_err(|e| Unavailable(e.to_string()))?;
        Ok(entry.filter(|e| e.operation == kv::Operation::Put))
    }

    /// Compare-and-set of `key` from `entry` (absent: create); `false` when another process
    /// wrote first.
    async fn write<T: Serialize>(
        &self,
        key: &str,
        entry: Option<&kv::Entry>,
        value: &T,
    ) -> Result<bool, Unavailable> {
        let bytes = Bytes::from(serde_json::to_vec(value).map_err(|e| Unavailable(e.to_string()))?);
        match entry {
            Some(entry) => match self
                .op(self.inner.store.update(key, bytes, entry.revision))
                .await?
            {
                Ok(_) => Ok(true),
                Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => Ok(false),
                Err(e) => Err(Unavailable(e.to_string())),
            },
            None => match self.op(self.inner.store.create(key, bytes)).await? {
                Ok(_) => Ok(true),
                Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => Ok(false),
                Err(e) => Err(Unavailable(e.to_string())),
            },
        }
    }

    async fn op<F: std::future::Future>(&self, future: F) -> Result<F::Output, Unavailable> {
        tokio::time::timeout(OP_TIMEOUT, future)
            .await
            .map_err(|_| Unavailable(format!("no answer from the broker in {OP_TIMEOUT:?}")))
    }
}

impl SharedRateLimits for KvRateLimits {
    fn acquire<'a>(&'a self, route: &'a LimitedRoute) -> LimitFuture<'a> {
        Box::pin(self.acquire_route(route))
    }

    fn complete(&self, route: &LimitedRoute, outcome: RateLimitOutcome) {
        if matches!(outcome, RateLimitOutcome::Unknown) {
            return;
        }
        let this = self.clone();
        let route = route.clone();
        tokio::spawn(async move {
            if let Err(Unavailable(error)) = this.learn(route, outcome).await {
                tracing::debug!(%error, "could not share what a response said about rate limits");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000;

    #[test]
    fn global_slots_are_paced_with_a_burst() {
        let pace = Pace::new(40, 8);
        let mut tat = 0;
        let now = 100 * S;
        let mut sends = Vec::new();
        // 60 requests asking at once: 8 go now, then one every 25 ms.
        for _ in 0..60 {
            let (send_at, next) = pace.slot(tat, now);
            sends.push(send_at);
            tat = next;
        }
        assert_eq!(sends.iter().filter(|&&s| s == now).count(), 8);
        assert_eq!(sends[8] - sends[7], 25_000);
        // However they ask, no second holds more than rate + burst.
        let mut tat = 0;
        let mut sends = Vec::new();
        let mut asking = 50 * S;
        for i in 0..2_000u64 {
            let (send_at, next) = pace.slot(tat, asking);
            sends.push(send_at);
            tat = next;
            asking += (i * 7919) % 40_000;
        }
        for (i, start) in sends.iter().enumerate() {
            let in_second = sends[i..].iter().take_while(|&&s| s < start + S).count();
            assert!(in_second <= 48, "{in_second} in the second from {start}");
        }
    }

    #[test]
    fn a_known_bucket_is_taken_until_empty_then_waits_for_its_reset() {
        let now = 10 * S;
        let known = Some((5, 5 * S));
        let mut state = None;
        for left in (0..5).rev() {
            match BucketState::take(state, known, now) {
                Take::Go(next) => {
                    assert_eq!(next.remaining, left);
                    state = Some(next);
                }
                Take::Wait(_) => panic!("room for five"),
            }
        }
        assert_eq!(
            BucketState::take(state, known, now + S),
            Take::Wait(now + 5 * S + us(MARGIN))
        );
        // Past the reset and its margin: a fresh window.
        let Take::Go(fresh) = BucketState::take(state, known, now + 5 * S + us(MARGIN)) else {
            panic!("a new window");
        };
        assert_eq!(fresh.remaining, 4);
    }

    #[test]
    fn an_unknown_route_is_probed_by_one_request() {
        let now = 10 * S;
        let Take::Go(probe) = BucketState::take(None, None, now) else {
            panic!("the first request probes");
        };
        assert_eq!(probe.limit, 0);
        assert_eq!(
            BucketState::take(Some(probe), None, now + 1_000),
            Take::Wait(now + 1_000 + us(PROBE_POLL))
        );
        // Its answer tells the size.
        let learned = BucketState::learn(Some(probe), 5, 4, 5 * S, now + 2_000).unwrap();
        assert_eq!(learned.remaining, 4);
        assert_eq!(learned.window_us, 5 * S);
        // A probe that never came back frees the bucket after PROBE.
        assert!(matches!(
            BucketState::take(Some(probe), None, now + us(PROBE)),
            Take::Go(BucketState { limit: 0, .. })
        ));
    }

    #[test]
    fn responses_only_ever_lower_what_remains() {
        let now = 10 * S;
        let state = BucketState::fresh(5, 5 * S, now);
        let mut taken = state;
        taken.remaining = 1;
        // Another process's older response says 3 are left: ours says 1, keep 1.
        assert_eq!(BucketState::learn(Some(taken), 5, 3, 4 * S, now + S), None);
        // The server counted more than we did (a request of before): 0 left.
        let lower = BucketState::learn(Some(taken), 5, 0, 4 * S, now + S).unwrap();
        assert_eq!(lower.remaining, 0);
        // The server's window ends later than we thought: its reset wins.
        let later = BucketState::learn(Some(taken), 5, 1, 5 * S, now + S).unwrap();
        assert_eq!(later.reset_at_us, now + 6 * S);
        // A late answer from the window before is ignored.
        assert_eq!(BucketState::learn(Some(state), 5, 0, 1_000, now), None);
    }

    #[test]
    fn keys_are_safe_and_stable() {
        assert_eq!(major_token("channels/17"), "channels.17");
        assert_eq!(major_token(""), "-");
        assert_eq!(key_of("abc"), key_of("abc"));
        assert_eq!(key_of("abc").len(), 16);
        assert_ne!(key_of("abc"), key_of("abd"));
    }
}
