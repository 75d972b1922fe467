//! The status registry: what every component says about itself, readiness, and liveness.
//!
//! Components (a shard, the command router, the health server) register once and then report
//! [`Health`] changes through their [`ComponentHandle`]. Readiness aggregates the components that
//! count toward it. Liveness is separate on purpose: it asks only whether the runtime is making
//! progress (the tick task runs, components that promised progress keep making it), never whether
//! Discord is reachable, so an outage cannot turn into a restart storm.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// What a component says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "reason", rename_all = "snake_case")]
pub enum Health {
    /// Not serving yet.
    Starting,
    /// Serving normally.
    Ready,
    /// Serving, but impaired; still counts as ready.
    Degraded(String),
    /// Not serving, with why.
    Down(String),
}

impl Health {
    /// Whether this state counts toward readiness.
    #[must_use]
    pub fn is_ready(&self) -> bool {
        matches!(self, Self::Ready | Self::Degraded(_))
    }
}

/// A point-in-time view of one component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentStatus {
    /// The name it registered with, e.g. `shard-3`.
    pub name: String,
    /// Its current health.
    #[serde(flatten)]
    pub health: Health,
    /// When it entered that health, as milliseconds since the Unix epoch.
    pub since_unix_ms: u64,
    /// How long it has been in that health.
    pub for_secs: f64,
    /// Whether readiness waits for it.
    pub required: bool,
    /// Seconds since it last reported progress, when it promised to.
    pub progress_age_secs: Option<f64>,
}

/// The aggregate readiness of every required component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readiness {
    /// True when every required component is ready (or degraded).
    pub ready: bool,
    /// The required components that are not, with their health.
    pub not_ready: Vec<ComponentStatus>,
}

/// Whether the runtime is making progress.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Liveness {
    /// True when the tick is fresh and no component has stalled.
    pub alive: bool,
    /// Seconds since the liveness tick last ran.
    pub tick_age_secs: f64,
    /// Human-readable reasons for `alive == false`.
    pub problems: Vec<String>,
}

#[derive(Debug)]
struct Entry {
    health: Health,
    since: Instant,
    since_wall: SystemTime,
    required: bool,
    progress: Option<Progress>,
}

#[derive(Debug, Clone, Copy)]
struct Progress {
    last: Instant,
    stall_after: Duration,
}

#[derive(Debug)]
struct Inner {
    components: RwLock<BTreeMap<String, Entry>>,
    last_tick: Mutex<Instant>,
    changes: watch::Sender<u64>,
}

/// Shared registry of component health; cheap to clone.
#[derive(Debug, Clone)]
pub struct StatusRegistry {
    inner: Arc<Inner>,
}

impl Default for StatusRegistry {
    fn default() -> Self {
        Self::new()
    }
}

impl StatusRegistry {
    /// An empty registry whose liveness tick counts from now.
    #[must_use]
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                components: RwLock::new(BTreeMap::new()),
                last_tick: Mutex::new(Instant::now()),
                changes: watch::channel(0).0,
            }),
        }
    }

    /// Registers a component that readiness waits for, starting in [`Health::Starting`].
    ///
    /// Registering a name again replaces the earlier entry (a component rebuilt after a restart).
    pub fn register(&self, name: impl Into<String>) -> ComponentHandle {
        self.insert(name.into(), true)
    }

    /// Registers a component shown in status but ignored by readiness.
    pub fn register_optional(&self, name: impl Into<String>) -> ComponentHandle {
        self.insert(name.into(), false)
    }

    fn insert(&self, name: String, required: bool) -> ComponentHandle {
        let entry = Entry {
            health: Health::Starting,
            since: Instant::now(),
            since_wall: SystemTime::now(),
            required,
            progress: None,
        };
        self.write().insert(name.clone(), entry);
        self.bump();
        ComponentHandle {
            registry: self.clone(),
            name: Arc::from(name),
        }
    }

    /// Every component, sorted by name.
    #[must_use]
    pub fn components(&self) -> Vec<ComponentStatus> {
        let now = Instant::now();
        self.read()
            .iter()
            .map(|(name, entry)| snapshot(name, entry, now))
            .collect()
    }

    /// One component by name.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<ComponentStatus> {
        let now = Instant::now();
        self.read()
            .get(name)
            .map(|entry| snapshot(name, entry, now))
    }

    /// Aggregate readiness over required components.
    ///
    /// With no required component registered yet the process is not ready: nothing that could
    /// serve exists, and a supervisor told "ready" that early would route traffic to it.
    #[must_use]
    pub fn readiness(&self) -> Readiness {
        let required: Vec<_> = self
            .components()
            .into_iter()
            .filter(|c| c.required)
            .collect();
        let any_required = !required.is_empty();
        let not_ready: Vec<_> = required
            .into_iter()
            .filter(|c| !c.health.is_ready())
            .collect();
        Readiness {
            ready: any_required && not_ready.is_empty(),
            not_ready,
        }
    }

    /// Waits until every required component is ready.
    pub async fn wait_ready(&self) {
        let mut changes = self.inner.changes.subscribe();
        loop {
            if self.readiness().ready {
                return;
            }
            if changes.changed().await.is_err() {
                // The sender lives in `inner`, which `self` keeps alive.
                std::future::pending::<()>().await;
            }
        }
    }

    /// A receiver that changes whenever any component's health changes.
    #[must_use]
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.inner.changes.subscribe()
    }

    /// Records that the runtime made progress now; normally called by the tick task.
    pub fn tick(&self) {
        *self
            .inner
            .last_tick
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Instant::now();
    }

    /// Time since the last [`tick`](Self::tick).
    #[must_use]
    pub fn tick_age(&self) -> Duration {
        self.inner
            .last_tick
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .elapsed()
    }

    /// Spawns the liveness tick: a task that ticks every `period` until `cancel` fires.
    ///
    /// It is a plain timer task on the shared runtime: if the runtime's workers are all blocked,
    /// it stops ticking and [`liveness`](Self::liveness) reports it.
    #[allow(
        clippy::must_use_candidate,
        reason = "the task runs detached until cancelled"
    )]
    pub fn spawn_tick(&self, period: Duration, cancel: CancellationToken) -> JoinHandle<()> {
        let registry = self.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(period);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = cancel.cancelled() => return,
                    _ = interval.tick() => registry.tick(),
                }
            }
        })
    }

    /// Liveness: the tick is younger than `max_tick_age` and no component has stalled.
    #[must_use]
    pub fn liveness(&self, max_tick_age: Duration) -> Liveness {
        let tick_age = self.tick_age();
        let mut problems = Vec::new();
        if tick_age > max_tick_age {
            problems.push(format!(
                "runtime liveness tick is {:.1}s old (limit {:.1}s): the runtime is blocked",
                tick_age.as_secs_f64(),
                max_tick_age.as_secs_f64()
            ));
        }
        let now = Instant::now();
        for (name, entry) in self.read().iter() {
            if let Some(progress) = entry.progress {
                let age = now.saturating_duration_since(progress.last);
                if age > progress.stall_after {
                    problems.push(format!(
                        "{name} made no progress for {:.1}s (limit {:.1}s): it is stuck",
                        age.as_secs_f64(),
                        progress.stall_after.as_secs_f64()
                    ));
                }
            }
        }
        Liveness {
            alive: problems.is_empty(),
            tick_age_secs: tick_age.as_secs_f64(),
            problems,
        }
    }

    fn update(&self, name: &str, f: impl FnOnce(&mut Entry) -> bool) {
        let changed = self.write().get_mut(name).is_some_and(f);
        if changed {
            self.bump();
        }
    }

    fn bump(&self) {
        self.inner.changes.send_modify(|v| *v = v.wrapping_add(1));
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Entry>> {
        self.inner
            .components
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Entry>> {
        self.inner
            .components
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

fn snapshot(name: &str, entry: &Entry, now: Instant) -> ComponentStatus {
    ComponentStatus {
        name: name.to_owned(),
        health: entry.health.clone(),
        since_unix_ms: entry
            .since_wall
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        for_secs: now.saturating_duration_since(entry.since).as_secs_f64(),
        required: entry.required,
        progress_age_secs: entry
            .progress
            .map(|p| now.saturating_duration_since(p.last).as_secs_f64()),
    }
}

/// A component's handle for reporting its own health; cheap to clone.
#[derive(Debug, Clone)]
pub struct ComponentHandle {
    registry: StatusRegistry,
    name: Arc<str>,
}

impl ComponentHandle {
    /// The registered name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reports a new health; `since` only moves when the health actually changes.
    pub fn set(&self, health: Health) {
        self.registry.update(&self.name, |entry| {
            if entry.health == health {
                return false;
            }
            entry.health = health;
            entry.since = Instant::now();
            entry.since_wall = SystemTime::now();
            true
        });
    }

    /// Reports [`Health::Ready`].
    pub fn ready(&self) {
        self.set(Health::Ready);
    }

    /// Reports [`Health::Degraded`] with a reason.
    pub fn degraded(&self, reason: impl Into<String>) {
        self.set(Health::Degraded(reason.into()));
    }

    /// Reports [`Health::Down`] with a reason.
    pub fn down(&self, reason: impl Into<String>) {
        self.set(Health::Down(reason.into()));
    }

    /// Promises progress at least every `stall_after`; liveness fails when a promise is broken.
    pub fn expect_progress(&self, stall_after: Duration) {
        self.registry.update(&self.name, |entry| {
            entry.progress = Some(Progress {
                last: Instant::now(),
                stall_after,
            });
            false
        });
    }

    /// Records progress now (a shard runner calls this on every poll that returns).
    pub fn touch(&self) {
        self.registry.update(&self.name, |entry| {
            if let Some(progress) = &mut entry.progress {
                progress.last = Instant::now();
            }
            false
        });
    }

    /// Stops liveness from watching this component (e.g. it stopped on purpose).
    pub fn stop_progress(&self) {
        self.registry.update(&self.name, |entry| {
            entry.progress = None;
            false
        });
    }

    /// The current status of this component.
    #[must_use]
    pub fn status(&self) -> Option<ComponentStatus> {
        self.registry.get(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn readiness_waits_for_every_required_component() {
        let registry = StatusRegistry::new();
        let shard0 = registry.register("shard-0");
        let shard1 = registry.register("shard-1");
        let extra = registry.register_optional("alerts");
        extra.down("no webhook configured");

        let r = registry.readiness();
        assert!(!r.ready);
        assert_eq!(r.not_ready.len(), 2);

        shard0.ready();
        shard1.down("resuming");
        let r = registry.readiness();
        assert!(!r.ready);
        assert_eq!(r.not_ready.len(), 1);
        assert_eq!(r.not_ready[0].name, "shard-1");
        assert_eq!(r.not_ready[0].health, Health::Down("resuming".into()));

        shard1.degraded("high latency");
        assert!(registry.readiness().ready);
    }

    #[tokio::test(start_paused = true)]
    async fn nothing_registered_is_not_ready() {
        let registry = StatusRegistry::new();
        let optional = registry.register_optional("alerts");
        optional.ready();
        let r = registry.readiness();
        assert!(!r.ready);
        assert!(r.not_ready.is_empty());
        registry.register("router").ready();
        assert!(registry.readiness().ready);
    }

    #[tokio::test(start_paused = true)]
    async fn since_moves_only_on_change() {
        let registry = StatusRegistry::new();
        let c = registry.register("router");
        c.ready();
        tokio::time::advance(Duration::from_secs(10)).await;
        c.ready();
        let status = c.status().unwrap();
        assert!((status.for_secs - 10.0).abs() < 1e-6, "{}", status.for_secs);
    }

    #[tokio::test(start_paused = true)]
    async fn liveness_fails_when_tick_is_stale_and_recovers() {
        let registry = StatusRegistry::new();
        let limit = Duration::from_secs(5);
        assert!(registry.liveness(limit).alive);
        tokio::time::advance(Duration::from_secs(6)).await;
        let live = registry.liveness(limit);
        assert!(!live.alive);
        assert!(live.problems[0].contains("blocked"), "{live:?}");
        registry.tick();
        assert!(registry.liveness(limit).alive);
    }

    #[tokio::test(start_paused = true)]
    async fn tick_task_keeps_liveness_fresh_until_cancelled() {
        let registry = StatusRegistry::new();
        let cancel = CancellationToken::new();
        let task = registry.spawn_tick(Duration::from_secs(1), cancel.clone());
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert!(registry.liveness(Duration::from_secs(3)).alive);
        cancel.cancel();
        task.await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert!(!registry.liveness(Duration::from_secs(3)).alive);
    }

    #[tokio::test(start_paused = true)]
    async fn a_stalled_component_fails_liveness() {
        let registry = StatusRegistry::new();
        let runner = registry.register("shard-2");
        runner.expect_progress(Duration::from_secs(90));
        tokio::time::advance(Duration::from_secs(60)).await;
        runner.touch();
        registry.tick();
        assert!(registry.liveness(Duration::from_secs(5)).alive);
        tokio::time::advance(Duration::from_secs(91)).await;
        registry.tick();
        let live = registry.liveness(Duration::from_secs(5));
        assert!(!live.alive);
        assert!(
            live.problems[0].starts_with("shard-2 made no progress"),
            "{live:?}"
        );
        runner.stop_progress();
        assert!(registry.liveness(Duration::from_secs(5)).alive);
    }

    #[tokio::test(start_paused = true)]
    async fn wait_ready_returns_once_everything_is_ready() {
        let registry = StatusRegistry::new();
        let a = registry.register("a");
        let waiter = tokio::spawn({
            let registry = registry.clone();
            async move { registry.wait_ready().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        a.ready();
        crate::within(Duration::from_secs(1), waiter)
            .await
            .expect("wait_ready returned")
            .unwrap();
    }

    #[test]
    fn health_serializes_with_state_and_reason() {
        let v = serde_json::to_value(Health::Down("waiting for identify budget".into())).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"state": "down", "reason": "waiting for identify budget"})
        );
        let v = serde_json::to_value(Health::Ready).unwrap();
        assert_eq!(v, serde_json::json!({"state": "ready"}));
    }
}
