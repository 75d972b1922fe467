//! Liveness, readiness, status and Prometheus metrics over HTTP, in the shapes Kubernetes probes,
//! Docker's `HEALTHCHECK`, systemd's watchdog, Prometheus and a person with curl expect, and a
//! live status page for a person with a browser.
//!
//! # Where it sits
//! It depends on novera-core (the [`StatusRegistry`](novera_core::StatusRegistry) and the
//! [`Supervisor`](novera_core::Supervisor)), axum, serde and the Prometheus exporter. `app` builds
//! a [`HealthState`] and serves [`router`] with [`serve`]. It must never import twilight (checked
//! in CI with `cargo tree`), so it depends on neither novera-gateway nor novera-commands: the
//! Discord-side details reach it through the [`StatusProvider`] trait and its plain reports
//! ([`ShardReport`], [`IdentifyBudgetReport`], [`CommandReport`], [`IncidentReport`],
//! [`InvalidRequestReport`], [`DuplicateInstanceReport`]).
//!
//! # Endpoints
//! - `GET /`: the status page (static HTML, script and style compiled in, no library, works
//!   offline): shards, command counters, identify budget, recent errors and alerts with their
//!   reference ids, and SVG charts of the last 15 minutes, refreshed by polling `/status` and
//!   `/history`.
//! - `GET /healthz`: liveness. 200 `{"status":"alive"}` while the runtime's tick is fresh and every
//!   component that promised progress (each shard runner) made it; 503 with the problems
//!   otherwise. Never depends on Discord, so an outage cannot become a restart storm.
//! - `GET /readyz`: readiness. 200 when at least one required component registered and all are
//!   ready; 503 listing each one that is not, e.g. `shard-3: down: resuming`.
//! - `GET /status`: a [`StatusReport`] for people and scripts (always 200).
//! - `GET /history[?since=MS]`: a [`HistoryReport`], the page's chart points (events and commands
//!   per second, command latency p50/p99), every [`HealthState::sample_period`] over
//!   [`HISTORY_WINDOW`].
//! - `GET /metrics`: the Prometheus text from the handle `app` installed with
//!   [`install_recorder`], plus `novera_process_*` (read at scrape time), `novera_build_info`,
//!   `novera_health_{alive,ready,liveness_tick_age_seconds}` and the supervisor's restart budget
//!   (`novera_supervisor_{restart_budget,restart_window_seconds,restarts_in_window}`).
//!
//! Unknown paths answer a JSON 404, other methods a JSON 405 with `Allow`. Every response
//! passes through a [`Redactor`] holding the known secrets, so no endpoint reveals the token or
//! a webhook URL even when a caller forgot to redact.
//!
//! # Tasks
//! [`serve`] runs until its `CancellationToken` fires. [`spawn_upkeep`] runs the recorder's
//! upkeep until its token fires. [`spawn_sampler`] reads the counters into the page's bounded
//! history every sample period until its token fires (it reads the provider and the recorder's
//! text from its own task, never from a shard's). Nothing else is spawned, and nothing runs on
//! import: health never installs a recorder by itself.
//!
//! # Example
//! ```no_run
//! use std::sync::Arc;
//! use novera_core::{CancellationToken, StatusRegistry};
//! use novera_health::{HealthState, NoDiscord, Redactor, install_recorder, serve, spawn_sampler};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let registry = StatusRegistry::new();
//! let metrics = install_recorder()?;
//! let state = HealthState::builder(registry.clone())
//!     .version("1.2.3")
//!     .metrics(metrics)
//!     .redactor(Redactor::new().with_secret("the bot token"))
//!     .provider(Arc::new(NoDiscord))
//!     .build();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:9090").await?;
//! let shutdown = CancellationToken::new();
//! spawn_sampler(state.clone(), shutdown.clone());
//! serve(listener, state, shutdown).await?;
//! # Ok(())
//! # }
//! ```

mod error;
mod exposition;
mod guards;
mod history;
mod latency;
mod page;
mod process;
mod provider;
mod redact;
mod report;
mod router;
mod sampler;
mod serve;
mod state;

pub use error::{RecorderError, ServeError};
pub use exposition::{
    DURATION_BUCKETS, METRICS_CONTENT_TYPE, UPKEEP_PERIOD, install_recorder, prometheus_builder,
    spawn_upkeep,
};
pub use guards::{
    DuplicateEvidenceReport, DuplicateInstanceReport, InvalidRequestReport, InvalidRequestSource,
};
pub use history::{
    DEFAULT_SAMPLE_PERIOD, HISTORY_WINDOW, HistoryPoint, HistoryReport, LATENCY_WINDOW,
    MAX_SAMPLE_PERIOD, MIN_SAMPLE_PERIOD,
};
pub use provider::{
    CommandReport, IdentifyBudgetReport, IncidentReport, NoDiscord, ShardReport, StatusProvider,
};
pub use redact::{REDACTED, Redactor};
pub use report::{LivenessReport, ReadinessReport, StatusReport};
pub use router::router;
pub use sampler::spawn_sampler;
pub use serve::serve;
pub use state::{DEFAULT_MAX_TICK_AGE, HealthState, HealthStateBuilder};
