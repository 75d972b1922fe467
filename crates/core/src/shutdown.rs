//! Shutdown: one cancellation tree, signals handled once, and a drain with a deadline.
//!
//! The first SIGINT/SIGTERM (or [`Shutdown::request`]) cancels the root token: components stop
//! taking new work and wind down. Tasks spawned through [`Shutdown::spawn`] or a [`WorkPool`] are
//! tracked by name, so [`Shutdown::drain`] can wait for them up to a deadline and say exactly which
//! did not finish. A second signal cancels the "now" token: drain returns at once and the process
//! exits without waiting further.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::error::Busy;

#[derive(Debug)]
struct Inner {
    requested: CancellationToken,
    now: CancellationToken,
    tracker: TaskTracker,
    live: Mutex<BTreeMap<u64, Arc<str>>>,
    next_id: AtomicU64,
}

/// The process-wide shutdown coordinator; cheap to clone.
#[derive(Debug, Clone)]
pub struct Shutdown {
    inner: Arc<Inner>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

/// What [`Shutdown::drain`] saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DrainReport {
    /// Every tracked task finished before the deadline.
    pub complete: bool,
    /// A second signal cut the drain short.
    pub interrupted: bool,
    /// How long the drain waited.
    pub waited: Duration,
    /// Names of the tracked tasks still running when the drain gave up, sorted.
    pub unfinished: Vec<String>,
}

impl Shutdown {
    /// A coordinator with nothing requested yet.
    #[must_use]
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                requested: CancellationToken::new(),
                now: CancellationToken::new(),
                tracker: TaskTracker::new(),
                live: Mutex::new(BTreeMap::new()),
                next_id: AtomicU64::new(0),
            }),
        }
    }

    /// The root of the cancellation tree: cancelled on the first stop request.
    #[must_use]
    pub fn token(&self) -> CancellationToken {
        self.inner.requested.clone()
    }

    /// A child of the root, for one component that may also be cancelled on its own.
    #[must_use]
    pub fn child_token(&self) -> CancellationToken {
        self.inner.requested.child_token()
    }

    /// Cancelled on the second stop request, or when a drain runs out of time.
    #[must_use]
    pub fn now_token(&self) -> CancellationToken {
        self.inner.now.clone()
    }

    /// Whether a stop was requested.
    #[must_use]
    pub fn is_requested(&self) -> bool {
        self.inner.requested.is_cancelled()
    }

    /// Waits for the first stop request.
    pub async fn requested(&self) {
        self.inner.requested.cancelled().await;
    }

    /// Asks for a graceful stop: components stop taking work and wind down. Idempotent.
    pub fn request(&self) {
        self.inner.requested.cancel();
    }

    /// Asks to stop now: a running drain returns at once. Implies [`request`](Self::request).
    pub fn request_now(&self) {
        self.inner.requested.cancel();
        self.inner.now.cancel();
    }

    /// Installs SIGINT and SIGTERM handlers (Ctrl-C elsewhere): the first signal calls
    /// [`request`](Self::request), the second [`request_now`](Self::request_now).
    ///
    /// Only signals count: a programmatic `request` does not make the next signal the second.
    /// The listener task ends after the second signal or when the "now" token fires.
    pub fn listen_for_signals(&self) -> std::io::Result<JoinHandle<()>> {
        let signals = Signals::install()?;
        let shutdown = self.clone();
        Ok(tokio::spawn(async move {
            let mut signals = signals;
            let mut seen = 0u32;
            loop {
                let name = tokio::select! {
                    name = signals.next() => name,
                    () = shutdown.inner.now.cancelled() => return,
                };
                seen += 1;
                if seen == 1 {
                    tracing::info!(
                        signal = name,
                        "stop requested: finishing in-flight work (send it again to stop now)"
                    );
                    shutdown.request();
                } else {
                    tracing::warn!(signal = name, "second stop signal: stopping now");
                    shutdown.request_now();
                    return;
                }
            }
        }))
    }

    /// Spawns a tracked task whose name appears in a drain report while it runs.
    pub fn spawn<F>(&self, name: impl Into<Arc<str>>, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let guard = self.enter(name.into());
        self.inner.tracker.spawn(async move {
            let _guard = guard;
            future.await
        })
    }

    fn enter(&self, name: Arc<str>) -> LiveGuard {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        self.live().insert(id, name);
        LiveGuard {
            inner: self.inner.clone(),
            id,
        }
    }

    /// A pool for short-lived work sharing this coordinator's tracker, at most `limit` at once.
    #[must_use]
    pub fn work_pool(&self, limit: usize) -> WorkPool {
        WorkPool {
            shutdown: self.clone(),
            permits: Arc::new(Semaphore::new(limit)),
            limit,
        }
    }

    /// Names of the tracked tasks running now, sorted.
    #[must_use]
    pub fn running(&self) -> Vec<String> {
        let mut names: Vec<String> = self.live().values().map(ToString::to_string).collect();
        names.sort();
        names
    }

    /// Waits up to `limit` for every tracked task; reports those that did not finish.
    ///
    /// When the deadline passes, the "now" token is cancelled so cooperative tasks can give up.
    /// A second stop request during the drain ends it at once.
    pub async fn drain(&self, limit: Duration) -> DrainReport {
        let start = Instant::now();
        self.inner.tracker.close();
        let (complete, interrupted) = tokio::select! {
            () = self.inner.tracker.wait() => (true, false),
            () = tokio::time::sleep(limit) => (false, false),
            () = self.inner.now.cancelled() => (false, true),
        };
        if !complete {
            self.inner.now.cancel();
        }
        let report = DrainReport {
            complete,
            interrupted,
            waited: start.elapsed(),
            unfinished: if complete { Vec::new() } else { self.running() },
        };
        if !report.complete {
            tracing::warn!(
                unfinished = ?report.unfinished,
                waited_ms = u64::try_from(report.waited.as_millis()).unwrap_or(u64::MAX),
                interrupted,
                "drain ended with tasks still running"
            );
        }
        report
    }

    fn live(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<str>>> {
        self.inner
            .live
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

struct LiveGuard {
    inner: Arc<Inner>,
    id: u64,
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.inner
            .live
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.id);
    }
}

/// Short-lived work (event handlers) on the shutdown tracker, with a concurrency limit.
#[derive(Debug, Clone)]
pub struct WorkPool {
    shutdown: Shutdown,
    permits: Arc<Semaphore>,
    limit: usize,
}

impl WorkPool {
    /// Spawns `future` if fewer than `limit` pool tasks run; otherwise sheds it with [`Busy`].
    pub fn try_spawn<F>(
        &self,
        name: impl Into<Arc<str>>,
        future: F,
    ) -> Result<JoinHandle<F::Output>, Busy>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .try_acquire_owned()
            .map_err(|_| Busy { limit: self.limit })?;
        Ok(self.shutdown.spawn(name, async move {
            let _permit = permit;
            future.await
        }))
    }

    /// Spawns `future` once a slot is free, waiting for one.
    ///
    /// # Panics
    /// Never: the pool's semaphore is never closed.
    pub async fn spawn<F>(&self, name: impl Into<Arc<str>>, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("the pool never closes its semaphore");
        self.shutdown.spawn(name, async move {
            let _permit = permit;
            future.await
        })
    }

    /// Pool tasks running now.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.limit - self.permits.available_permits()
    }

    /// The concurrency limit.
    #[must_use]
    pub fn limit(&self) -> usize {
        self.limit
    }
}

/// The process signals that request a stop.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    #[cfg(unix)]
    fn install() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    #[cfg(not(unix))]
    fn install() -> std::io::Result<Self> {
        Ok(Self {})
    }

    #[cfg(unix)]
    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }

    #[cfg(not(unix))]
    async fn next(&mut self) -> &'static str {
        match tokio::signal::ctrl_c().await {
            Ok(()) => "ctrl-c",
            Err(_) => std::future::pending().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn drain_reports_the_task_that_ignored_cancellation() {
        let shutdown = Shutdown::new();
        for i in 0..3 {
            let token = shutdown.token();
            shutdown.spawn(
                format!("polite-{i}"),
                async move { token.cancelled().await },
            );
        }
        shutdown.spawn("stubborn", std::future::pending::<()>());
        assert_eq!(shutdown.running().len(), 4);

        shutdown.request();
        let report = shutdown.drain(Duration::from_secs(5)).await;
        assert!(!report.complete);
        assert!(!report.interrupted);
        assert_eq!(report.unfinished, vec!["stubborn".to_owned()]);
        assert_eq!(report.waited, Duration::from_secs(5));
        assert!(shutdown.now_token().is_cancelled());
    }

    #[tokio::test(start_paused = true)]
    async fn drain_completes_as_soon_as_everything_finished() {
        let shutdown = Shutdown::new();
        shutdown.spawn("handler", tokio::time::sleep(Duration::from_millis(300)));
        shutdown.request();
        let report = shutdown.drain(Duration::from_secs(10)).await;
        assert!(report.complete);
        assert_eq!(report.waited, Duration::from_millis(300));
        assert!(report.unfinished.is_empty());
        assert!(!shutdown.now_token().is_cancelled());
    }

    #[tokio::test(start_paused = true)]
    async fn second_request_interrupts_the_drain() {
        let shutdown = Shutdown::new();
        shutdown.spawn("slow", tokio::time::sleep(Duration::from_secs(60)));
        shutdown.request();
        // Programmatic requests are idempotent: only a second *signal* means "now".
        shutdown.request();
        assert!(!shutdown.now_token().is_cancelled());
        let drain = tokio::spawn({
            let shutdown = shutdown.clone();
            async move { shutdown.drain(Duration::from_secs(30)).await }
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
        shutdown.request_now();
        let report = drain.await.unwrap();
        assert!(report.interrupted);
        assert_eq!(report.waited, Duration::from_secs(1));
        assert_eq!(report.unfinished, vec!["slow".to_owned()]);
    }

    #[tokio::test(start_paused = true)]
    async fn child_tokens_follow_the_root() {
        let shutdown = Shutdown::new();
        let child = shutdown.child_token();
        assert!(!child.is_cancelled());
        shutdown.request();
        assert!(child.is_cancelled());
        assert!(shutdown.is_requested());
    }

    #[tokio::test(start_paused = true)]
    async fn work_pool_sheds_over_its_limit_and_frees_slots() {
        let shutdown = Shutdown::new();
        let pool = shutdown.work_pool(2);
        let gate = CancellationToken::new();
        for i in 0..2 {
            let gate = gate.clone();
            pool.try_spawn(format!("h{i}"), async move { gate.cancelled().await })
                .unwrap();
        }
        assert_eq!(pool.in_flight(), 2);
        let err = pool.try_spawn("h2", async {}).unwrap_err();
        assert_eq!(err.limit, 2);

        gate.cancel();
        let waited = pool.spawn("h3", async { 7 }).await;
        assert_eq!(waited.await.unwrap(), 7);
        assert_eq!(pool.in_flight(), 0);
    }
}
