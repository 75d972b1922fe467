//! `novera`: the Novera bot binary.
//!
//! It loads configuration, then either checks it, registers commands, or runs the bot. The bot
//! itself is assembled by `novera_bot` (login, shards, router, stop order); this binary adds
//! what is its own: configuration (`config/`, translated in `settings.rs`), the CLI, the
//! command list (`commands.rs`), logging, the sandbox, systemd, alerts and exit codes
//! (`run.rs` is the lifecycle around the assembly).

mod alerts;
mod cli;
mod commands;
mod config;
mod diag;
mod exit;
mod guards;
mod instance_lock;
mod logging;
mod redaction;
mod run;
mod sandbox;
mod settings;
mod systemd;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    redaction::install_panic_hook();
    let cli = cli::Cli::parse();
    exit::report(cli::dispatch(cli))
}
