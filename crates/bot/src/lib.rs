//! The bot assembly: the one place where login, gateway, router and status are put together,
//! and taken apart in the order that loses nothing.
//!
//! The binary (`app`) and `novera-testkit` both run the bot through this crate, so a command
//! crate's tests exercise the wiring that ships: the same forwarding (the router gets only the
//! events it acts on; the cache and waiters see every event), the same registration, the same
//! gateway-status view and the same stop order. Roles are arrangements of these parts:
//! standalone (gateway and router in one process) today.
//!
//! # Where it sits
//! It depends on novera-core, novera-gateway, novera-commands and novera-health (for the
//! [`StatusProvider`](novera_health::StatusProvider) it implements). It never depends on the
//! simulator outside its dev-dependencies, nor on any HTTP-serving code but novera-health's
//! (checked in CI). `app` keeps what is the binary's own (configuration format, CLI, sandbox
//! console, logging, systemd, alerts); `novera-testkit` adds the simulator and user helpers.
//!
//! # Main types
//! - [`BotSettings`]: typed settings (gateway, router, registration scope, login retry,
//!   close and drain timeouts).
//! - [`Core`]: the process's [`Shutdown`](novera_core::Shutdown),
//!   [`StatusRegistry`](novera_core::StatusRegistry) and
//!   [`Supervisor`](novera_core::Supervisor).
//! - [`Bot::builder`] → [`BotBuilder`] (command sets, failure observer, status) →
//!   [`BotBuilder::start`] → [`Bot`] → [`Bot::stop`] → [`StopReport`].
//! - [`GatewayView`] (the gateway for commands) and [`BotStatus`] (the gateway and router for
//!   the health server, and the recent errors, command failures and alerts with their reference
//!   ids): the one view of the gateway's status.
//! - [`StartError`]: what retrying cannot fix.
//!
//! # Phases
//! 1. **Build** settings and [`Core`]; register the `command-router` component first, so
//!    readiness cannot hold before the shards and the router exist.
//! 2. **Start**: REST login, retried with backoff on transient failures (final on a rejected
//!    token); the shards, resuming saved sessions; the router on their events; registration.
//! 3. **Stop**: shards closed resumably and sessions saved, queued events routed, intake
//!    closed, handlers drained within the deadline; the [`StopReport`] names what hung.
//!
//! # Tasks
//! The shard runners (supervised, see novera-gateway), the router's intake task (tracked by
//! the [`Shutdown`](novera_core::Shutdown) as `command router intake`; it ends when the
//! shards' event stream ends or at stop) and the handlers' tasks (the router's work pool, on
//! the same tracker). [`Bot::stop`] ends all of them.
//!
//! # Example
//! ```no_run
//! use novera_bot::{Bot, BotSettings, Core};
//! use novera_core::RestartPolicy;
//! use novera_gateway::{GatewayConfig, Secret};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let (core, mut escalations) = Core::new(RestartPolicy::default());
//! let settings = BotSettings::new(GatewayConfig {
//!     token: Secret::new(std::env::var("DISCORD_TOKEN")?),
//!     ..GatewayConfig::default()
//! });
//! let bot = Bot::builder(settings)
//!     .commands(novera_commands::builtins())
//!     .start(&core)
//!     .await?;
//! tokio::select! {
//!     () = core.shutdown.requested() => {}
//!     _ = escalations.recv() => {}
//! }
//! let report = bot.stop().await;
//! assert!(report.drain.complete);
//! # Ok(())
//! # }
//! ```

mod assembly;
mod broker;
mod cluster_roles;
mod error;
mod gateway_commands;
mod login;
mod parts;
mod remote;
mod reports;
mod settings;
mod start;
mod view;

pub use assembly::{Bot, BotBuilder, StopReport};
pub use error::StartError;
pub use parts::Core;
pub use remote::RemoteShards;
pub use settings::{BotSettings, Role};
pub use view::{BotStatus, GatewayView, RECENT_INCIDENTS};
