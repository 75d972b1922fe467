//! The JSON bodies of `/healthz`, `/readyz` and `/status`, computed from a [`HealthState`].
//!
//! Strings are redacted by the router when the body is sent (see [`crate::Redactor`]); the
//! reports built here are also what `app` uses for systemd's `STATUS=` line and watchdog.

use novera_core::{ComponentStatus, Health, SupervisedStatus, Supervisor};
use serde::Serialize;

use crate::guards::{DuplicateInstanceReport, InvalidRequestReport};
use crate::provider::{CommandReport, IdentifyBudgetReport, IncidentReport, ShardReport};
use crate::state::HealthState;

/// The body of `/healthz`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LivenessReport {
    /// `"alive"` or `"stalled"`.
    pub status: &'static str,
    /// Whether the runtime is making progress.
    #[serde(skip)]
    pub alive: bool,
    /// Seconds since the runtime's liveness tick last ran.
    pub tick_age_secs: f64,
    /// The limit for `tick_age_secs`.
    pub max_tick_age_secs: f64,
    /// Why the runtime is not alive: a blocked tick, components that broke their progress promise.
    pub problems: Vec<String>,
}

/// The body of `/readyz`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadinessReport {
    /// `"ready"` or `"not_ready"`.
    pub status: &'static str,
    /// Whether every required component is ready.
    #[serde(skip)]
    pub ready: bool,
    /// One line per component that is not ready, e.g. `shard-3: down: resuming`.
    pub not_ready: Vec<String>,
    /// The components behind `not_ready`, with their state and since when.
    pub components: Vec<ComponentStatus>,
}

/// The body of `/status`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusReport {
    /// The running version.
    pub version: String,
    /// Seconds since the process started.
    pub uptime_secs: f64,
    /// When the process started, as milliseconds since the Unix epoch.
    pub started_at_unix_ms: u64,
    /// What `/readyz` would say.
    pub ready: bool,
    /// What `/healthz` would say.
    pub alive: bool,
    /// Why it is not ready, one line per component.
    pub not_ready: Vec<String>,
    /// Why it is not alive.
    pub liveness_problems: Vec<String>,
    /// Every shard this process owns.
    pub shards: Vec<ShardReport>,
    /// Discord's identify budget, once known.
    pub identify_budget: Option<IdentifyBudgetReport>,
    /// The command router's counters, once it runs.
    pub commands: Option<CommandReport>,
    /// Supervised components with their restart counts.
    pub supervisor: Vec<SupervisedStatus>,
    /// Every component in the status registry.
    pub components: Vec<ComponentStatus>,
    /// The latest operator-facing error, redacted.
    pub last_error: Option<String>,
    /// The latest errors and alerts with their reference ids, newest first, redacted.
    pub incidents: Vec<IncidentReport>,
    /// The bot's invalid requests against Discord's ban limit (the REST guard), once known.
    pub invalid_requests: Option<InvalidRequestReport>,
    /// Evidence of another instance running with the bot's token, once the watch exists.
    pub duplicate_instance: Option<DuplicateInstanceReport>,
}

/// Why no component at all means "not ready": before the gateway and router register, nothing
/// serves users, and a load balancer must not route to the process yet.
const NOTHING_REGISTERED: &str = "no required component has registered yet";

impl HealthState {
    /// Liveness: the runtime's tick is fresh and no component broke its progress promise.
    /// Never looks at Discord.
    #[must_use]
    pub fn liveness(&self) -> LivenessReport {
        let live = self.registry().liveness(self.max_tick_age());
        LivenessReport {
            status: if live.alive { "alive" } else { "stalled" },
            alive: live.alive,
            tick_age_secs: live.tick_age_secs,
            max_tick_age_secs: self.max_tick_age().as_secs_f64(),
            problems: live.problems,
        }
    }

    /// Readiness: at least one required component exists and every required one is ready.
    #[must_use]
    pub fn readiness(&self) -> ReadinessReport {
        let registry = self.registry();
        let readiness = registry.readiness();
        let mut not_ready: Vec<String> = readiness.not_ready.iter().map(describe).collect();
        // Core reports "not ready" with nothing listed only when no required component exists.
        if !readiness.ready && readiness.not_ready.is_empty() {
            not_ready.push(NOTHING_REGISTERED.to_owned());
        }
        let ready = readiness.ready;
        ReadinessReport {
            status: if ready { "ready" } else { "not_ready" },
            ready,
            not_ready,
            components: readiness.not_ready,
        }
    }

    /// Everything `/status` shows.
    #[must_use]
    pub fn status(&self) -> StatusReport {
        let liveness = self.liveness();
        let readiness = self.readiness();
        let provider = self.provider();
        StatusReport {
            version: self.version().to_owned(),
            uptime_secs: self.uptime().as_secs_f64(),
            started_at_unix_ms: self.started_at_unix_ms(),
            ready: readiness.ready,
            alive: liveness.alive,
            not_ready: readiness.not_ready,
            liveness_problems: liveness.problems,
            shards: provider.shards(),
            identify_budget: provider.identify_budget(),
            commands: provider.commands(),
            supervisor: self
                .supervisor()
                .map(Supervisor::components)
                .unwrap_or_default(),
            components: self.registry().components(),
            last_error: provider
                .last_error()
                .map(|e| self.redactor().redact(&e).into_owned()),
            incidents: provider
                .incidents()
                .into_iter()
                .map(|mut incident| {
                    incident.summary = self.redactor().redact(&incident.summary).into_owned();
                    incident
                })
                .collect(),
            invalid_requests: provider.invalid_requests(),
            duplicate_instance: provider.duplicate_instance().map(|mut report| {
                for evidence in &mut report.evidence {
                    evidence.detail = self.redactor().redact(&evidence.detail).into_owned();
                }
                report
            }),
        }
    }
}

/// One line per not-ready component: `shard-3: down: resuming`, `router: starting`.
fn describe(component: &ComponentStatus) -> String {
    let name = &component.name;
    match &component.health {
        Health::Starting => format!("{name}: starting"),
        Health::Ready => format!("{name}: ready"),
        Health::Degraded(reason) => format!("{name}: degraded: {reason}"),
        Health::Down(reason) => format!("{name}: down: {reason}"),
    }
}
