//! Error type of novera-testkit.

use std::time::Duration;

/// Starting the test bot or talking to the simulator failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestkitError {
    /// The simulator did not start.
    #[error("simulator did not start")]
    Sim(#[from] novera_sim::SimError),
    /// A control API call failed.
    #[error("simulator control call failed")]
    Control(#[from] novera_sim::ControlError),
    /// The bot did not start (login refused, shards or router misconfigured).
    #[error("the bot did not start")]
    Start(#[from] novera_bot::StartError),
    /// Registering the command definitions at start failed.
    #[error("command registration failed: {0}")]
    Registration(String),
    /// Registering the command definitions again failed.
    #[error("command registration failed")]
    Register(#[from] novera_commands::RegisterError),
    /// Something did not happen within the wait limit.
    #[error("timed out after {limit:?} waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long.
        limit: Duration,
    },
    /// The test NATS server could not be started or is missing under CI.
    #[error("nats-server: {0}")]
    Nats(String),
    /// The command state store could not be set up.
    #[error("command state store: {0}")]
    State(String),
    /// The simulator returned an id that is not a snowflake.
    #[error("the simulator returned a malformed id `{0}`")]
    BadId(String),
}
