//! Benchmarks of the real `novera` binary against novera-sim: how many events it keeps up
//! with, how fast it answers, how little memory it needs and how quickly it recovers,
//! measured against the physical limits of the machine.
//!
//! # Where it sits
//! A leaf: the `novera-bench` binary (`src/main.rs`) over this small library. It runs the bot
//! as a child process (the binary operators run, release build by default, configured through
//! `NOVERA_*` variables) and starts novera-sim inside its own process, driving it through the
//! control API ([`novera_sim::ControlClient`]); the `cluster` scenario also runs `nats-server`.
//! It depends on no other workspace crate, so it measures only what the binary does;
//! twilight-model appears only for the deserialization ceiling. Benchmarks may use `anyhow` (style.md); nothing depends on this crate.
//! Everything listens on and connects to 127.0.0.1 only.
//!
//! # Main types
//! - Scenarios, one function each, returning a [`Report`]: [`throughput`], [`ceiling`],
//!   [`latency`], [`memory`], [`recovery`], [`startup`], [`cluster`] (the gateway and worker
//!   roles over a real `nats-server`, against the standalone bot), [`chaos`] (a soak under
//!   seeded faults); [`ratios`] combines two reports.
//! - [`Bench`]: the binary under test, runs per scenario, progress output.
//! - [`BotLaunch`] / [`Bot`]: a `novera` child process: its health address, `/readyz`,
//!   gateway [`Counters`] from `/metrics`, [`Memory`] and CPU time from `/proc`, SIGTERM.
//! - [`FrameReader`]: a bare gateway client that only reads frames (the push ceiling).
//! - [`NatsServer`]: the `cluster` scenario's broker, a `nats-server -js` child process.
//! - [`Report`] / [`Figure`] / [`Summary`] / [`Percentiles`]: one value per run, median and
//!   spread, printed as a table or one JSON object per scenario.
//! - [`WorldSize`]: `GxMxC` (guilds x members x channels) and [`start_sim`].
//!
//! # Tasks
//! Each scenario starts its simulators and bots and stops them before returning: the bot with
//! SIGTERM (it must exit 0) and the simulator with `shutdown`. Every wait is bounded; a bot left
//! behind by an error is killed when its [`Bot`] is dropped. Two reader tasks per bot copy its
//! stdout and stderr into a short tail for error messages and end with the process.
//!
//! Figures are never asserted anywhere: CI runs every scenario once at a tiny size
//! (`.ci/bench-smoke`), which fails only when a scenario breaks. `docs/benchmarks.md` explains
//! each scenario and holds the latest figures.
//!
//! # Example
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! use novera_bench::{Bench, ThroughputOptions, WorldSize, throughput};
//!
//! let bench = Bench {
//!     novera: "target/release/novera".into(),
//!     runs: 5,
//!     progress: true,
//!     bot_env: Vec::new(),
//! };
//! let options = ThroughputOptions {
//!     events: 200_000,
//!     world: "10x50x5".parse::<WorldSize>()?,
//!     mix: true,
//! };
//! let report = throughput(&bench, &options).await?;
//! println!("{}", report.to_table());
//! # Ok(())
//! # }
//! ```

mod bot;
mod ceiling;
mod chaos;
mod cluster;
mod command_load;
mod deployment;
mod frames;
mod harness;
mod latency;
mod memory;
mod nats;
mod ratios;
mod recovery;
mod report;
mod startup;
mod stats;
mod stream_load;
mod takeover;
mod throughput;
mod world;

pub use bot::{BENCH_TOKEN, Bot, BotLaunch, Counters, Memory};
pub use ceiling::{CeilingOptions, ceiling};
pub use chaos::{ChaosOptions, chaos};
pub use cluster::{ClusterOptions, cluster};
pub use frames::{FrameReader, LoadIntents, deserialize};
pub use harness::{Bench, settle, wait_answered, wait_resumed};
pub use latency::{Ingress, LatencyOptions, latency};
pub use memory::{MemoryOptions, memory};
pub use nats::NatsServer;
pub use ratios::ratios;
pub use recovery::{RecoveryOptions, recovery};
pub use report::{Figure, Report};
pub use startup::startup;
pub use stats::{Percentiles, Summary, percentile};
pub use throughput::{ThroughputOptions, throughput};
pub use world::{WorldSize, start_sim};
