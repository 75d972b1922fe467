//! `novera`: the Novera bot binary.
//!
//! It loads configuration, then either checks it, registers commands, or runs the bot. The bot
//! itself is assembled by `novera_bot` (login, shards, router, stop order); this binary adds
//! what is its own: configuration (`config/`, translated in `settings.rs`), the CLI, the
//! command list (`commands.rs`), logging, the sandbox, systemd, alerts and exit codes
//! (`run.rs` is the lifecycle around the assembly). Before any of it, `malloc.rs` may start the
//! binary again with glibc's malloc set up for a long-running process.

mod alerts;
mod cli;
mod commands;
mod config;
mod diag;
mod exit;
mod guards;
mod instance_lock;
mod logging;
mod malloc;
mod redaction;
mod run;
mod sandbox;
mod settings;
mod systemd;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    if let Some(error) = malloc::set_up() {
        #[allow(
            clippy::print_stderr,
            reason = "logging is not set up yet, and this happens before anything else"
        )]
        {
            eprintln!(
                "novera: could not start again with {}={} ({error}); running on glibc's malloc defaults",
                malloc::TUNABLES,
                malloc::SETTINGS
            );
        }
    }
    redaction::install_panic_hook();
    let cli = cli::Cli::parse();
    exit::report(cli::dispatch(cli))
}
