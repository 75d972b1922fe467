//! `BotSettings`: everything the assembly needs, as typed values (no configuration format).

use std::path::PathBuf;
use std::time::Duration;

use novera_cluster::ClusterSettings;
use novera_commands::{RestGuardConfig, RouterConfig, Scope};
use novera_core::BackoffPolicy;
use novera_gateway::GatewayConfig;

/// Which parts of the bot this process runs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Role {
    /// Shards and router in one process (the default; no broker).
    Standalone,
    /// Login, shards and cache, publishing events to the bot's stream; no router.
    Gateway(ClusterSettings),
    /// Router, cache and waiters fed from the bot's stream; no shards.
    Worker(ClusterSettings),
}

impl Role {
    /// Whether this role runs the command router.
    #[must_use]
    pub fn routes(&self) -> bool {
        !matches!(self, Self::Gateway(_))
    }

    /// Whether this role runs shards.
    #[must_use]
    pub fn has_shards(&self) -> bool {
        !matches!(self, Self::Worker(_))
    }

    /// Its name in logs and on the broker.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Standalone => "standalone",
            Self::Gateway(_) => "gateway",
            Self::Worker(_) => "worker",
        }
    }
}

/// How a bot is assembled and stopped. `app` fills it from its configuration, the testkit from
/// its builder; both get the same wiring from it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BotSettings {
    /// Which parts this process runs.
    pub role: Role,
    /// The gateway: token, URLs, intents, shards, sessions, cache (a worker keeps a cache of the
    /// same resources). Its
    /// [`forward`](GatewayConfig::forward) is replaced by what the router acts on.
    pub gateway: GatewayConfig,
    /// The router: auto-defer, deadlines, in-flight limit, prefix.
    pub router: RouterConfig,
    /// Where to register the command definitions at start (only when they changed), or `None`.
    pub registration: Option<Scope>,
    /// Backoff between login attempts that failed for a transient reason.
    pub login_retry: BackoffPolicy,
    /// How long closing the shards (and routing what they queued) may take at stop.
    pub close_timeout: Duration,
    /// How long in-flight handlers get to finish at stop.
    pub drain_timeout: Duration,
    /// The REST guard: Discord's invalid-request limit, when to warn and when to brake.
    pub rest_guard: RestGuardConfig,
    /// Whether this process stops answering commands when it sees another, older instance of
    /// the bot (so users get one answer); off by default.
    pub step_down: bool,
    /// The command state file (an embedded database), unless a store is given to the builder
    /// ([`BotBuilder::state`](crate::BotBuilder::state)); `None`: state in memory, gone at exit.
    pub state_path: Option<PathBuf>,
    /// How often due timers are looked for (a timer fires at most this late).
    pub timer_interval: Duration,
}

impl BotSettings {
    /// Settings for `gateway` with the router's defaults, no registration, a login retry of
    /// 1 s to 60 s, a 5 s close and a 20 s drain, command state in memory and timers checked
    /// every second.
    #[must_use]
    pub fn new(gateway: GatewayConfig) -> Self {
        Self {
            role: Role::Standalone,
            gateway,
            router: RouterConfig::default(),
            registration: None,
            login_retry: BackoffPolicy {
                min: Duration::from_secs(1),
                max: Duration::from_secs(60),
                stable_after: Duration::from_secs(3600),
            },
            close_timeout: Duration::from_secs(5),
            drain_timeout: Duration::from_secs(20),
            state_path: None,
            timer_interval: Duration::from_secs(1),
            rest_guard: RestGuardConfig::default(),
            step_down: false,
        }
    }

    /// Sets [`role`](Self::role).
    #[must_use]
    pub fn role(mut self, role: Role) -> Self {
        self.role = role;
        self
    }

    /// Sets [`state_path`](Self::state_path).
    #[must_use]
    pub fn state_path(mut self, path: Option<PathBuf>) -> Self {
        self.state_path = path;
        self
    }

    /// Sets [`rest_guard`](Self::rest_guard).
    #[must_use]
    pub fn rest_guard(mut self, config: RestGuardConfig) -> Self {
        self.rest_guard = config;
        self
    }

    /// Sets [`step_down`](Self::step_down).
    #[must_use]
    pub fn step_down(mut self, step_down: bool) -> Self {
        self.step_down = step_down;
        self
    }

    /// Sets [`router`](Self::router).
    #[must_use]
    pub fn router(mut self, router: RouterConfig) -> Self {
        self.router = router;
        self
    }

    /// Sets [`registration`](Self::registration).
    #[must_use]
    pub fn registration(mut self, scope: Option<Scope>) -> Self {
        self.registration = scope;
        self
    }

    /// Sets [`login_retry`](Self::login_retry).
    #[must_use]
    pub fn login_retry(mut self, policy: BackoffPolicy) -> Self {
        self.login_retry = policy;
        self
    }

    /// Sets [`close_timeout`](Self::close_timeout) and [`drain_timeout`](Self::drain_timeout).
    #[must_use]
    pub fn stop_timeouts(mut self, close: Duration, drain: Duration) -> Self {
        self.close_timeout = close;
        self.drain_timeout = drain;
        self
    }
}
