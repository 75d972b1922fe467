//! Commands that always answer: the [`Command`] trait, registration, the [`Router`] and the
//! built-in commands of Novera.
//!
//! Command handlers are where bots fail their users: a slow handler earns "This interaction
//! failed" (Discord's 3 s window), a panic or a hang leaves the user staring at nothing, a
//! `wait_for` without a deadline leaks a task, an echoed `@everyone` pings a whole server. This
//! crate makes each of those impossible by construction:
//!
//! - **auto-defer**: if a handler has not answered after [`RouterConfig::auto_defer`] (2 s, must
//!   be below 3 s), the router defers; the handler's later [`Context::reply`] becomes an edit of
//!   `@original`, transparently;
//! - **deadline**: each handler is cancelled after its deadline (30 s by default, per command
//!   with [`CommandDef::deadline`]) and the user gets an ephemeral "took too long";
//! - **isolation**: a panic or an internal error gives the user an ephemeral reply with a short
//!   reference id and the operator an error log line with the same id, the command and the
//!   cause (`novera_commands_failed_total`);
//! - **back-pressure**: over [`RouterConfig::in_flight_limit`], an interaction is answered "busy"
//!   at once (`novera_commands_busy_rejected_total`), never dropped silently;
//! - **safe by default**: every message sent through a [`Context`] carries
//!   `allowed_mentions: {"parse": []}` unless the [`Reply`] opts in;
//! - **waits are values**: [`Context::wait_for_message`] and [`Context::wait_for_component`]
//!   (on twilight-standby) return `None` on timeout and leave no task behind.
//!
//! # Where it sits
//! It depends on novera-core, novera-cache (the cache type handlers read) and twilight's model,
//! http, standby and interactions crates. It must never import twilight-gateway, axum or novera-gateway (checked in CI with
//! `cargo tree`): events arrive as a `tokio::sync::mpsc::Receiver<Event>` from the gateway,
//! which updates the cache and runs [`Standby::process`](twilight_standby::Standby::process)
//! *before* dispatching (component waits rely on that order), and gateway state reaches
//! commands through the small [`GatewayInfo`] trait. `app` composes [`CommandSet`]s from several
//! crates; `novera-testkit` runs them against novera-sim.
//!
//! # Main types
//! - [`Command`] (object safe, async through [`BoxFuture`]), [`command_fn`], [`CommandDef`]
//!   (definition data, from twilight-interactions or twilight-util) and [`CommandSet`].
//! - [`register`] with [`Scope`]: fetch, compare semantically, PUT only on change.
//! - [`Router`] / [`RouterBuilder`] / [`RouterConfig`] / [`RouterStats`] / [`Registry`].
//! - [`Context`], [`Reply`], [`ComponentStream`].
//! - Command state ([`Context::state`] → [`CommandState`]): values that survive restarts and are
//!   shared by every process of the bot, load-apply-save with compare-and-set
//!   ([`CommandState::update`]), and durable timers fired through [`Command::timer`] with a
//!   [`TimerContext`]; behind the object-safe [`StateStore`] ([`FileStateStore`], an embedded
//!   redb file; [`MemoryStateStore`]; novera-cluster's bucket) and [`TimerBook`] (leases).
//! - [`builtins`]: `/ping`, `/status`, `/ask`, `/poll`, `/help`.
//!
//! Components and modals are routed by `custom_id`: the part before the first `:` names the
//! owning command (`poll:vote:1`); [`Context::show_modal`] insists on it. Autocomplete goes to
//! [`Command::autocomplete`], which must answer within [`RouterConfig::auto_defer`] (no deferral
//! exists for it): a failing, panicking or slow handler, or an unknown command, gets an empty
//! choice list, and more than 25 choices are cut to Discord's 25. A modal submission or click
//! for a command the router does not know gets an ephemeral "This is no longer active.". Prefix commands (`!roll 2d6`) run when a prefix is configured
//! and the definition opts in with [`CommandDef::prefix`]; they need the privileged
//! `MESSAGE_CONTENT` intent, without which Discord sends messages with empty content.
//!
//! # Tasks
//! Every handler runs on the [`WorkPool`](novera_core::WorkPool) the router makes from the
//! [`Shutdown`](novera_core::Shutdown) given to [`RouterBuilder::build`]; quick answers (busy,
//! unknown command) and click guards (the auto-defer of a click a waiter claimed) run on the
//! same tracker. All of them end on their own, bounded by the handler deadline or the REST
//! deadline, so `Shutdown::drain` waits for them. [`Router::run`] returns when the event
//! channel closes or its cancellation token fires; so does [`Router::run_timers`] (the timer
//! runner the bot assembly spawns) when its token fires, timers it already fired running on the
//! same work pool. The [`FileStateStore`] runs each transaction on tokio's blocking pool.
//!
//! # Example
//! ```no_run
//! use std::sync::Arc;
//! use novera_commands::{
//!     CommandDef, CommandSet, GatewayInfo, Reply, Router, RouterConfig, ShardInfo, builtins,
//!     command_fn,
//! };
//! use twilight_util::builder::command::CommandBuilder;
//! use twilight_model::application::command::CommandType;
//!
//! struct NoShards;
//! impl GatewayInfo for NoShards {
//!     fn shards(&self) -> Vec<ShardInfo> { Vec::new() }
//! }
//!
//! # async fn run(
//! #     http: Arc<twilight_http::Client>,
//! #     app: twilight_model::id::Id<twilight_model::id::marker::ApplicationMarker>,
//! #     events: tokio::sync::mpsc::Receiver<twilight_model::gateway::event::Event>,
//! # ) -> Result<(), Box<dyn std::error::Error>> {
//! let hello = CommandSet::new().with(
//!     CommandDef::new(CommandBuilder::new("hello", "Say hello", CommandType::ChatInput).build()),
//!     command_fn(|ctx| async move {
//!         ctx.reply(Reply::text("Hello!")).await?;
//!         Ok(())
//!     }),
//! );
//! let shutdown = novera_core::Shutdown::new();
//! let router = Router::builder(
//!     Arc::clone(&http),
//!     app,
//!     Arc::new(novera_cache::Cache::new()),
//!     Arc::new(twilight_standby::Standby::new()),
//!     Arc::new(NoShards),
//! )
//! .config(RouterConfig::default())
//! .commands(builtins())
//! .commands(hello)
//! .build(&shutdown)?;
//! novera_commands::register(&http, app, &router.defs(), novera_commands::Scope::Global).await?;
//! router.run(events, shutdown.token()).await;
//! # Ok(())
//! # }
//! ```

mod boxed;
mod builtins;
mod command;
mod config;
mod context;
mod cooldown;
mod def;
mod dispatch;
mod error;
mod failure;
mod gateway_info;
mod invoke;
mod ledger;
mod nonce;
mod prefix;
mod register;
mod registry;
mod reply;
mod responder;
mod rest_guard;
mod retry;
mod router;
mod state;
mod stats;
mod timer_context;
mod timer_runner;
mod wait;

pub use builtins::{builtin_defs, builtins};
pub use command::{BoxFuture, Command, CommandResult, CommandSet, FnCommand, command_fn};
pub use config::RouterConfig;
pub use context::ComponentStream;
pub use context::Context;
pub use def::CommandDef;
pub use dispatch::{Dispatch, HttpAnswer, Ingress};
pub use error::{
    CommandError, ConfigError, Refusal, RegisterError, ReplyError, RestError, RestRefused,
};
pub use failure::{CommandFailure, FailureKind};
pub use gateway_info::{
    GatewayCommand, GatewayCommandError, GatewayInfo, ShardInfo, ShardState, shard_of,
};
pub use ledger::{Acknowledged, Claim, InteractionLedger, LedgerError};
pub use register::{RegisterOutcome, Scope, register, register_guarded};
pub use registry::Registry;
pub use reply::Reply;
pub use rest_guard::{GuardAlert, GuardStage, GuardStatus, RestGuard, RestGuardConfig};
pub use router::{Router, RouterBuilder};
pub use state::{
    Change, Clock, CommandState, DueTimer, FileStateStore, LeasedTimer, MAX_KEY_LEN,
    MemoryStateStore, StateEntry, StateError, StateStore, TIMERS_NAMESPACE, TimerBook,
    UPDATE_ATTEMPTS, Updated, Versioned, from_unix_ms, is_expired, unix_ms,
};
pub use stats::RouterStats;
pub use timer_context::TimerContext;
