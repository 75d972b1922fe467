//! Test command crates offline: novera-sim, novera-gateway and the novera-commands router in
//! one process, on an ephemeral loopback port, with no token and no network.
//!
//! # Where it sits
//! A dev-dependency only. It depends on novera-sim, novera-gateway, novera-commands and
//! novera-core, and wires them the way `app` does (two-step connect, gateway events into
//! [`Router::run`](novera_commands::Router::run), gateway status through [`GatewayView`]), so
//! a command crate's tests exercise the real stack, never mocks of twilight types.
//!
//! # Main types
//! - [`TestBot`] / [`TestBotBuilder`]: start the stack with your [`CommandSet`]s, act as users
//!   ([`TestBot::run_command`], [`TestBot::autocomplete`], [`TestBot::post_message`],
//!   [`TestBot::click`], [`TestBot::submit_modal`]) and inspect what
//!   the bot did ([`TestBot::interaction`], [`TestBot::channel_messages`],
//!   [`TestBot::requests`], [`TestBot::violations`]).
//! - [`options`], [`autocomplete_options`]: a slash command's options as Discord sends them.
//! - Re-exported simulator types ([`InteractionStatus`], ...) and `serde_json`'s [`json!`].
//!
//! # Tasks
//! [`TestBot::start`] spawns the simulator's server, the gateway's shard runners and the
//! router's loop; [`TestBot::shutdown`] stops all of them (bounded), and dropping the bot stops
//! the simulator, which ends the rest.
//!
//! # Example
//! ```no_run
//! use novera_commands::builtins;
//! use novera_testkit::{TestBot, json, options};
//!
//! # async fn run() -> Result<(), novera_testkit::TestkitError> {
//! let bot = TestBot::start([builtins()]).await?;
//! let id = bot
//!     .run_command("ask", options(&[("question", json!("Tea?")), ("timeout", json!(5))]))
//!     .await?;
//! bot.wait_responded(id).await?;
//! bot.post_message("yes please").await?;
//! let done = bot
//!     .wait_for_interaction(id, "the echo", |s| !s.followups.is_empty())
//!     .await?;
//! assert_eq!(done.followups[0].content, "You answered: yes please");
//! bot.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! [`CommandSet`]: novera_commands::CommandSet

mod bot;
mod error;
mod nats;
mod options;
mod state_suite;

pub use bot::{TestBot, TestBotBuilder, WAIT};
pub use error::TestkitError;
pub use nats::NatsServer;
pub use novera_bot::{BotStatus, GatewayView, StopReport};
pub use novera_sim::{
    Followup, InteractionStatus, RecordedBody, RequestLogEntry, ShownModal, SimHandle, Violation,
};
pub use options::{autocomplete_options, options};
pub use serde_json::{Value, json};
pub use state_suite::state_store_suite;
