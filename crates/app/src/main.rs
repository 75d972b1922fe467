//! `novera`: the Novera bot binary.
//!
//! It loads configuration, then either checks it, registers commands, or runs the bot. The run
//! path (two-step connect, shards, router, health server, sandbox) is wired in `run.rs`.

mod alerts;
mod cli;
mod config;
mod exit;
mod logging;
mod run;
mod sandbox;
mod systemd;
mod views;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    exit::report(cli::dispatch(cli))
}
