//! The Discord-agnostic runtime core every other Novera crate stands on.
//!
//! novera-core owns the rules that keep a long-running bot up: every wait has a deadline
//! ([`within`], [`deadline`]), failed components restart with jittered [`Backoff`] inside a restart
//! budget ([`Supervisor`]), shutdown is one cancellation tree with a bounded drain ([`Shutdown`],
//! [`WorkPool`]), and every component reports its [`Health`] to a [`StatusRegistry`] that also
//! answers liveness and readiness. Two guards keep one bot from hurting itself:
//! [`InvalidRequestLog`] / [`InvalidRequestWindow`] count what a remote API holds against the
//! bot before it bans it, and [`InstanceWatch`] names this process ([`InstanceTag`], on every
//! nonce it sends) and notices another live instance of the same bot.
//!
//! # Where it sits
//! It depends only on tokio, tokio-util, serde, tracing and the `metrics` facade. Every other
//! workspace crate uses it; it must never import twilight, axum, hyper or anything that knows
//! about Discord or HTTP (checked in CI with `cargo tree`).
//!
//! # Tasks
//! - [`Supervisor::spawn`] runs one task per component; it stops when the component returns, when
//!   the shutdown root token fires, or when the supervisor gives up (reported via [`Escalations`]).
//! - [`StatusRegistry::spawn_tick`] runs the liveness tick until its token is cancelled.
//! - [`Shutdown::listen_for_signals`] runs until the second signal.
//!
//! No function here creates a runtime or blocks on one: the binary builds the single runtime.
//!
//! # Example
//! ```
//! use std::time::Duration;
//! use novera_core::{RestartPolicy, Shutdown, StatusRegistry, Supervisor, TaskError, within};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! let shutdown = Shutdown::new();
//! let status = StatusRegistry::new();
//! let (supervisor, _escalations) = Supervisor::new(&shutdown, RestartPolicy::default());
//!
//! let component = status.register("ticker");
//! supervisor.spawn("ticker", move |ctx| {
//!     let component = component.clone();
//!     async move {
//!         component.ready();
//!         // A timeout is a value, not an exception.
//!         if within(Duration::from_secs(1), ctx.cancel.cancelled()).await.is_none() {
//!             return Err(TaskError::retry("nothing happened for a second"));
//!         }
//!         Ok(())
//!     }
//! });
//!
//! status.wait_ready().await;
//! shutdown.request();
//! let report = shutdown.drain(Duration::from_secs(5)).await;
//! assert!(report.complete);
//! # }
//! ```

mod backoff;
mod deadline;
mod error;
mod instance;
mod invalid_requests;
mod rate_limits;
mod shutdown;
mod status;
mod supervisor;

pub use backoff::{Backoff, BackoffPolicy};
pub use deadline::{deadline, within};
pub use error::{Busy, DeadlineExceeded, error_chain};
pub use instance::{
    DuplicateEvidence, DuplicateReport, EvidenceKind, InstanceTag, InstanceWatch, NONCE_MAX_LEN,
    TAG_LEN,
};
pub use invalid_requests::{
    Contributor, InvalidRequest, InvalidRequestLog, InvalidRequestSummary, InvalidRequestWindow,
    thousands,
};
pub use rate_limits::{
    BucketHeaders, LimitFuture, LimitedRoute, RateLimitOutcome, SharedRateLimits,
};
pub use shutdown::{DrainReport, Shutdown, WorkPool};
pub use status::{ComponentHandle, ComponentStatus, Health, Liveness, Readiness, StatusRegistry};
pub use supervisor::{
    BoxError, Escalation, EscalationReason, Escalations, RestartPolicy, SupervisedState,
    SupervisedStatus, Supervisor, TaskContext, TaskError, panic_message,
};
pub use tokio_util::sync::CancellationToken;
