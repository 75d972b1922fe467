//! Error type of novera-bot.

use novera_commands::{ConfigError, StateError};
use novera_gateway::{ConnectError, GatewayError};

/// The bot did not start. Every variant but [`StopRequested`](Self::StopRequested) is a
/// configuration or credentials problem: retrying with the same settings fails the same way
/// (transient login failures are retried inside [`BotBuilder::start`](crate::BotBuilder::start)
/// and never surface here).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// A stop was requested while login was being retried: nothing to stop, exit cleanly.
    #[error("stop requested before the bot logged in")]
    StopRequested,
    /// Login was refused for good: no token, a rejected token, or an unusable API URL.
    #[error(transparent)]
    Login(ConnectError),
    /// The shards could not start (impossible shard count or range).
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    /// The router refused its configuration or the command sets (duplicate names...).
    #[error(transparent)]
    Router(#[from] ConfigError),
    /// The broker refused the credentials, or the cluster settings are unusable (a broker that
    /// is merely unreachable is retried, never reported here).
    #[error(transparent)]
    Cluster(novera_cluster::ConnectError),
    /// Another live gateway process runs some of this process's shards.
    #[error(transparent)]
    ShardsTaken(novera_cluster::LeaseError),
    /// The command state store could not be opened (unwritable `state.path`, or another bot
    /// process holds the file).
    /// (The message names the cause: the binary prints only this line before exiting 78.)
    #[error("cannot open the command state store: {}", novera_core::error_chain(.0))]
    State(StateError),
}
