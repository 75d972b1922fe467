//! Novera's connection to Discord's gateway: a two-step connect, shard runners that never stop
//! heartbeating, sessions that survive restarts, and the cache.
//!
//! The bot this replaces re-identified on every reconnect and every restart, lost the events in
//! between, and could spend Discord's daily identify budget (which resets the token). Here a
//! connection problem costs nothing: shards resume, saved sessions resume across restarts and
//! crashes, the identify budget is guarded, and a slow consumer sheds events instead of stalling
//! heartbeats.
//!
//! # Where it sits
//! It depends on novera-core (supervisor, deadlines, status registry), novera-cache (the
//! cache's compact models) and twilight (`twilight-gateway`, `-http`, `-model`, `-standby`).
//! `app` and `novera-testkit` use it. It must never depend on axum or novera-commands: events
//! leave it as plain `twilight_model` events through a tokio channel ([`Events::into_inner`]),
//! so the command router consumes them without knowing this crate.
//!
//! # Main types
//! - [`login`] (step one) → [`Login`]: `GET /users/@me` (a 401 is
//!   [`ConnectError::InvalidToken`], before any WebSocket), `GET /applications/@me`,
//!   `GET /gateway/bot`, each under a deadline.
//! - [`Gateway::start`] (step two) → [`Gateway`] + [`Events`]: one supervised runner per owned
//!   shard ([`GatewayConfig::shards`]), the cache ([`Gateway::cache`], a [`Cache`] of
//!   novera-cache's compact channels and members), twilight-standby ([`Gateway::standby`]),
//!   per-shard [`GatewayStatus`].
//! - [`FatalClose`]: the typed error a shard closed with 4004 or 4010-4014 reports to the
//!   supervisor (as [`TaskError::fatal`](novera_core::TaskError::fatal)), with an explanation
//!   for the operator.
//! - [`SessionStore`]: where sessions wait between two processes (a small object-safe async
//!   trait; [`FileSessionStore`], a JSON file written atomically, is the default). The gateway
//!   checkpoints every shard's session to it while running (about once a second, only when it
//!   changed) and saves the exact final state at [`Gateway::shutdown`]; the next start, after a
//!   stop or a crash, resumes from it.
//!
//! The identify queue (internal) paces IDENTIFYs by `max_concurrency` bucket and never sends one
//! the daily budget cannot cover: the shard waits for the reset, `/status` shows
//! [`ShardState::WaitingForIdentifyBudget`], and a warn line explains it. RESUMEs are free and
//! always tried first.
//!
//! # Tasks
//! - One runner per owned shard, spawned with [`Supervisor::spawn`](novera_core::Supervisor::spawn)
//!   as `shard-{id}`. It polls the shard, updates the cache and standby inline, `try_send`s each
//!   event, and never awaits anything else. It stops when [`Gateway::shutdown`] is called or
//!   the supervisor's shutdown token fires (closing with a resumable close frame, bounded by a
//!   deadline), or on a fatal close. A panic restarts it from the last known session.
//! - With a session store, one checkpoint task per gateway, supervised as `gateway-checkpoint`:
//!   it reads the shards' latest sessions on its own timer and writes them when they changed
//!   (never more than one write in flight, nothing per event). It stops at the start of
//!   [`Gateway::shutdown`] (finishing a write in progress) or with the supervisor's token.
//! - Short-lived identify-permit tasks, each ending once its shard got its permit or gave up.
//! - twilight's own per-shard and per-client tasks, which end with their shards and client.
//!
//! Metrics: `novera_gateway_*` (see [`describe_metrics`]).
//!
//! # Example
//! ```no_run
//! use std::time::Duration;
//! use novera_core::{RestartPolicy, Shutdown, StatusRegistry, Supervisor};
//! use novera_gateway::{Gateway, GatewayConfig, Secret, login};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = GatewayConfig {
//!     token: Secret::new(std::env::var("DISCORD_TOKEN")?),
//!     session_path: Some("state/sessions.json".into()),
//!     ..GatewayConfig::default()
//! };
//! let shutdown = Shutdown::new();
//! let status = StatusRegistry::new();
//! let (supervisor, _escalations) = Supervisor::new(&shutdown, RestartPolicy::default());
//!
//! let login = login(&config).await?; // a bad token fails here, before any WebSocket
//! let (gateway, mut events) = Gateway::start(&login, &config, &supervisor, &status).await?;
//! while let Some(forwarded) = events.recv().await {
//!     // hand `forwarded.event` to a handler task; never block here for long
//!     # let _ = forwarded;
//!     # break;
//! }
//! let report = gateway.shutdown(Duration::from_secs(5)).await?;
//! assert_eq!(report.sessions_saved, report.closed.len() + report.unclean.len());
//! # Ok(())
//! # }
//! ```

mod checkpoint;
mod close_code;
mod config;
mod error;
mod forwarded;
mod gateway;
mod identify;
mod login;
mod metrics;
mod own_messages;
mod pacer;
mod payload;
mod runner;
mod session_store;
mod shutdown_report;
mod status;

pub use config::{CacheConfig, GatewayConfig, Secret, ShardCount, ShardPlan};
pub use error::{
    ConnectError, FatalClose, GatewayError, SendError, SessionStoreError, ShutdownError,
};
pub use forwarded::{Forwarded, InConsumer};
pub use gateway::{Events, Gateway};
pub use login::{Login, login};
pub use metrics::{
    CLOSES_TOTAL, EVENTS_DROPPED_TOTAL, EVENTS_TOTAL, HEARTBEAT_LATENCY_SECONDS, IDENTIFIES_TOTAL,
    IDENTIFY_BUDGET_REMAINING, PAYLOAD_ERRORS_TOTAL, RECONNECTS_TOTAL, RESUMES_TOTAL, SHARD_ACTIVE,
    describe_metrics,
};
pub use novera_cache::{Cache, ResourceType};
pub use pacer::{BudgetView, IdentifyPacer, PacerFuture, PacerWait};
pub use session_store::{FileSessionStore, SavedSession, SessionStore, StoreFuture};
pub use shutdown_report::ShutdownReport;
pub use status::{GatewayStatus, IdentifyBudgetStatus, ShardState, ShardStatus};
pub use twilight_gateway::EventTypeFlags;
pub use twilight_standby::Standby;
