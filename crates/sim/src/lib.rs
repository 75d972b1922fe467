//! A faithful local Discord: gateway v10 over WebSocket, REST v10 and a control API, on one
//! loopback port, for Novera's integration tests, the sandbox mode of `novera` and benchmarks.
//!
//! # Where it sits
//! `novera-sim` depends on no other workspace crate, and it writes Discord's JSON itself, as
//! Discord documents it (compact, envelope in the order `t, s, op, d`) instead of serializing
//! twilight-model types, so twilight's parsing is tested against an independent writer.
//! twilight is only a dev-dependency, used by this crate's tests. `novera-testkit`, the
//! sandbox of `app` and `novera-bench` start it; anything can drive it over HTTP.
//!
//! One port serves REST under `/api/v10`, the control API under `/_sim`, and the gateway on
//! every other path when the request is a WebSocket upgrade. The simulator is strict: it
//! enforces Discord's rules (identify budget and concurrency, gateway and REST rate limits,
//! the 3 s interaction window...) with Discord's outcomes, and records every broken rule in the
//! violations report of `GET /_sim/state`. [`SimulatorBuilder::lenient`] only counts them.
//! `docs/simulator.md` documents the behaviour, the rules and the control API.
//!
//! # Main types
//! - [`Simulator`] / [`SimulatorBuilder`]: the world's size, the token, and every timing window
//!   (all shrinkable so tests run in milliseconds).
//! - [`SimHandle`]: a running simulator: its URLs, a [`ControlClient`], `shutdown`.
//! - [`ControlClient`]: typed control API calls, returning the types of the control JSON
//!   ([`SimState`], [`InteractionStatus`], [`Fault`], ...).
//!
//! # Tasks
//! `start` spawns the HTTP server, a task per gateway connection and a reaper that frees the
//! replay buffers of sessions past their resume window. All of them watch one cancellation
//! token: [`SimHandle::shutdown`] cancels it and waits (bounded) for them; dropping the handle
//! cancels it without waiting.
//!
//! # Example
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//!
//! let sim = novera_sim::Simulator::builder()
//!     .guilds(3)
//!     .token("test-token")
//!     .heartbeat_interval(Duration::from_millis(200))
//!     .start()
//!     .await?;
//! // Point twilight at it: ConfigBuilder::proxy_url(sim.gateway_url()) and
//! // twilight_http::Client::builder().proxy(sim.api_host(), true).
//! let control = sim.control();
//! let state = control.state().await?;
//! control
//!     .post_message(&state.guilds[0].channels[0], "hello bot", None)
//!     .await?;
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```

#![recursion_limit = "256"]

mod api_error;
mod commands;
mod compress;
mod config;
mod control;
mod control_client;
mod control_users;
mod endpoint;
mod error;
mod extract;
mod frame;
mod garbage;
mod gateway;
mod identify;
mod interactions;
mod kinds;
mod load;
mod load_spec;
mod messages;
mod modals;
mod nonces;
mod ratelimit;
mod requests;
mod rest;
mod rest_app;
mod rest_channels;
mod rest_interactions;
mod server;
mod session;
mod signing;
mod snowflake;
mod state;
mod types;
mod violations;
mod world;

pub use config::SimulatorBuilder;
pub use control_client::ControlClient;
pub use error::{ControlError, SimError};
pub use kinds::{callback_type, component_type, interaction_type};
pub use requests::{Click, EndpointProbe, PostMessage, ProbeSignature, RunCommand};
pub use server::{SimHandle, Simulator};
pub use types::{
    CreatedInteraction, CreatedMessage, Fault, FaultApplied, Followup, Garbage, GuildInfo,
    IdentifyBudgetInfo, Ingress, InteractionStatus, LoadStarted, ProbeAnswer, RateLimitScope,
    RecordedBody, RequestLogEntry, ResponseVia, SessionInfo, ShownModal, SimApplication, SimState,
    Violation,
};
