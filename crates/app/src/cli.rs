//! The command line (clap).

use std::io::IsTerminal as _;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::{Config, Sources};
use crate::exit::Failure;
use crate::run::{ClusterRole, RunMode};

/// Novera: a Discord bot runtime that stays up.
#[derive(Debug, Parser)]
#[command(name = "novera", version, about)]
pub(crate) struct Cli {
    /// Configuration file (default: ./novera.toml when present).
    #[arg(long, global = true, env = "NOVERA_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Connect and run the bot (the default). With no token: the sandbox.
    Run(RunArgs),
    /// Run shards only, publishing events to the broker (`[cluster]`); workers answer them.
    Gateway,
    /// Run the command router only, fed by the broker (`[cluster]`); gateways feed it.
    Worker,
    /// Print the effective configuration, secrets redacted, and exit.
    CheckConfig,
    /// Register the commands with Discord (only if they changed), then exit.
    RegisterCommands,
}

/// Options of `novera run`.
#[derive(Debug, Default, clap::Args)]
pub(crate) struct RunArgs {
    /// Drive the sandbox from a line console (default: on when stdin is a terminal).
    #[arg(long, overrides_with = "no_console")]
    pub(crate) console: bool,
    /// Never start the sandbox console.
    #[arg(long)]
    pub(crate) no_console: bool,
}

pub(crate) fn dispatch(cli: Cli) -> Result<(), Failure> {
    let config = Config::load(&Sources::from_process(cli.config.clone()))
        .map_err(|e| Failure::config(e.to_string()))?;
    match cli.command.unwrap_or(Command::Run(RunArgs::default())) {
        Command::CheckConfig => {
            #[allow(clippy::print_stdout, reason = "check-config prints the configuration")]
            {
                print!("{}", config.to_redacted_toml());
            }
            Ok(())
        }
        Command::Run(args) => {
            let console = !args.no_console && (args.console || std::io::stdin().is_terminal());
            crate::run::run(config, RunMode::standalone(console))
        }
        Command::Gateway => crate::run::run(config, RunMode::cluster(ClusterRole::Gateway)),
        Command::Worker => crate::run::run(config, RunMode::cluster(ClusterRole::Worker)),
        Command::RegisterCommands => crate::run::register_only(&config),
    }
}
