//! What the health router reads: the status registry, the supervisor, the Discord-side provider
//! and the metrics handle, bundled once by `app`.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use metrics_exporter_prometheus::PrometheusHandle;
use novera_core::{StatusRegistry, Supervisor};
use tokio::time::Instant;

use crate::history::{DEFAULT_SAMPLE_PERIOD, History, clamp_period};
use crate::provider::{NoDiscord, StatusProvider};
use crate::redact::Redactor;

/// The default liveness limit: how old the runtime's tick may get before `/healthz` fails.
///
/// Generous next to the usual 1 s tick period, so a briefly busy runtime is not restarted, yet
/// far below Kubernetes' default probe budget so a truly blocked one is.
pub const DEFAULT_MAX_TICK_AGE: Duration = Duration::from_secs(10);

/// Everything the health endpoints read; cheap to clone.
///
/// Built with [`HealthState::builder`]. The Discord-side provider can be swapped later with
/// [`set_provider`](Self::set_provider), because the health server starts before the gateway.
#[derive(Clone)]
pub struct HealthState {
    inner: Arc<Inner>,
}

struct Inner {
    registry: StatusRegistry,
    supervisor: Option<Supervisor>,
    max_tick_age: Duration,
    version: String,
    started_at: Instant,
    started_wall: SystemTime,
    provider: RwLock<Arc<dyn StatusProvider>>,
    metrics: Option<PrometheusHandle>,
    redactor: Redactor,
    history: Mutex<History>,
}

impl HealthState {
    /// Starts building a state over `registry`, the registry every component reports to.
    pub fn builder(registry: StatusRegistry) -> HealthStateBuilder {
        HealthStateBuilder {
            registry,
            supervisor: None,
            max_tick_age: DEFAULT_MAX_TICK_AGE,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at: None,
            provider: Arc::new(NoDiscord),
            metrics: None,
            redactor: Redactor::new(),
            sample_period: DEFAULT_SAMPLE_PERIOD,
        }
    }

    /// Replaces the Discord-side provider (e.g. once the gateway is connected).
    pub fn set_provider(&self, provider: Arc<dyn StatusProvider>) {
        *self
            .inner
            .provider
            .write()
            .unwrap_or_else(PoisonError::into_inner) = provider;
    }

    /// The status registry.
    #[must_use]
    pub fn registry(&self) -> &StatusRegistry {
        &self.inner.registry
    }

    /// The supervisor, when one was given.
    #[must_use]
    pub fn supervisor(&self) -> Option<&Supervisor> {
        self.inner.supervisor.as_ref()
    }

    /// The liveness limit for the runtime's tick.
    #[must_use]
    pub fn max_tick_age(&self) -> Duration {
        self.inner.max_tick_age
    }

    /// The version string shown on `/status` and in `novera_build_info`.
    #[must_use]
    pub fn version(&self) -> &str {
        &self.inner.version
    }

    /// Time since the process (or the state, when no start was given) started.
    #[must_use]
    pub fn uptime(&self) -> Duration {
        self.inner.started_at.elapsed()
    }

    /// When the process started, as milliseconds since the Unix epoch.
    #[must_use]
    pub fn started_at_unix_ms(&self) -> u64 {
        self.inner
            .started_wall
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    /// The monotonic instant the process (or the state) started.
    pub(crate) fn started_at(&self) -> Instant {
        self.inner.started_at
    }

    /// How often [`spawn_sampler`](crate::spawn_sampler) reads the counters.
    #[must_use]
    pub fn sample_period(&self) -> Duration {
        self.with_history(|history| history.period())
    }

    pub(crate) fn with_history<T>(&self, f: impl FnOnce(&mut History) -> T) -> T {
        f(&mut self
            .inner
            .history
            .lock()
            .unwrap_or_else(PoisonError::into_inner))
    }

    /// The current Discord-side provider.
    #[must_use]
    pub fn provider(&self) -> Arc<dyn StatusProvider> {
        self.inner
            .provider
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The Prometheus handle `/metrics` renders, when one was given.
    #[must_use]
    pub fn metrics(&self) -> Option<&PrometheusHandle> {
        self.inner.metrics.as_ref()
    }

    /// The redactor every response passes through.
    #[must_use]
    pub fn redactor(&self) -> &Redactor {
        &self.inner.redactor
    }
}

impl fmt::Debug for HealthState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HealthState")
            .field("components", &self.inner.registry.components().len())
            .field("supervisor", &self.inner.supervisor.is_some())
            .field("max_tick_age", &self.inner.max_tick_age)
            .field("version", &self.inner.version)
            .field("metrics", &self.inner.metrics.is_some())
            .field("redactor", &self.inner.redactor)
            .finish_non_exhaustive()
    }
}

/// Builds a [`HealthState`]; every setting but the registry has a default.
#[must_use = "a builder does nothing until `build` is called"]
pub struct HealthStateBuilder {
    registry: StatusRegistry,
    supervisor: Option<Supervisor>,
    max_tick_age: Duration,
    version: String,
    started_at: Option<(Instant, SystemTime)>,
    provider: Arc<dyn StatusProvider>,
    metrics: Option<PrometheusHandle>,
    redactor: Redactor,
    sample_period: Duration,
}

impl HealthStateBuilder {
    /// The supervisor whose components and restart counts `/status` lists.
    pub fn supervisor(mut self, supervisor: Supervisor) -> Self {
        self.supervisor = Some(supervisor);
        self
    }

    /// How old the runtime's liveness tick may get before `/healthz` fails
    /// (default [`DEFAULT_MAX_TICK_AGE`]); keep it several tick periods long.
    pub fn max_tick_age(mut self, limit: Duration) -> Self {
        self.max_tick_age = limit;
        self
    }

    /// The version string (default: this crate's version; `app` passes its own).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// When the process started (default: when [`build`](Self::build) runs).
    pub fn started_at(mut self, monotonic: Instant, wall: SystemTime) -> Self {
        self.started_at = Some((monotonic, wall));
        self
    }

    /// The Discord-side provider (default [`NoDiscord`]).
    pub fn provider(mut self, provider: Arc<dyn StatusProvider>) -> Self {
        self.provider = provider;
        self
    }

    /// The handle of the Prometheus recorder `app` installed (see [`install_recorder`]).
    /// Without one, `/metrics` serves only process, build and health metrics.
    ///
    /// [`install_recorder`]: crate::install_recorder
    pub fn metrics(mut self, handle: PrometheusHandle) -> Self {
        self.metrics = Some(handle);
        self
    }

    /// The redactor holding the known secrets (token, webhook URL).
    pub fn redactor(mut self, redactor: Redactor) -> Self {
        self.redactor = redactor;
        self
    }

    /// How often the sampler reads the counters for the status page's charts (default
    /// [`DEFAULT_SAMPLE_PERIOD`](crate::DEFAULT_SAMPLE_PERIOD); clamped to
    /// [`MIN_SAMPLE_PERIOD`](crate::MIN_SAMPLE_PERIOD)..=[`MAX_SAMPLE_PERIOD`](crate::MAX_SAMPLE_PERIOD)).
    /// The history keeps [`HISTORY_WINDOW`](crate::HISTORY_WINDOW) worth of points.
    pub fn sample_period(mut self, period: Duration) -> Self {
        self.sample_period = clamp_period(period);
        self
    }

    /// The finished state.
    #[must_use]
    pub fn build(self) -> HealthState {
        let (started_at, started_wall) = self
            .started_at
            .unwrap_or_else(|| (Instant::now(), SystemTime::now()));
        HealthState {
            inner: Arc::new(Inner {
                registry: self.registry,
                supervisor: self.supervisor,
                max_tick_age: self.max_tick_age,
                version: self.version,
                started_at,
                started_wall,
                provider: RwLock::new(self.provider),
                metrics: self.metrics,
                redactor: self.redactor,
                history: Mutex::new(History::new(self.sample_period)),
            }),
        }
    }
}

impl fmt::Debug for HealthStateBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HealthStateBuilder")
            .field("max_tick_age", &self.max_tick_age)
            .field("version", &self.version)
            .field("sample_period", &self.sample_period)
            .finish_non_exhaustive()
    }
}
