//! `/ping`: gateway heartbeat latency and REST round trip.

use tokio::time::Instant;
use twilight_interactions::command::{CommandModel, CreateCommand};

use crate::command::{BoxFuture, Command, CommandResult};
use crate::context::Context;
use crate::def::CommandDef;

#[derive(CommandModel, CreateCommand)]
#[command(
    name = "ping",
    desc = "Show the gateway heartbeat latency and the REST round trip"
)]
pub(crate) struct PingOptions {}

pub(crate) fn def() -> CommandDef {
    CommandDef::from_model::<PingOptions>().prefix(true)
}

pub(crate) struct Ping;

impl Command for Ping {
    fn run(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            let gateway = ctx.gateway().latency().map_or_else(
                || "not measured yet".to_owned(),
                |d| format!("{} ms", d.as_millis()),
            );
            // The reply itself is the REST round trip we measure.
            let start = Instant::now();
            ctx.reply(format!(
                "Pong! Gateway heartbeat: {gateway}. REST round trip: measuring..."
            ))
            .await?;
            let rest = start.elapsed();
            ctx.edit(format!(
                "Pong! Gateway heartbeat: {gateway}. REST round trip: {} ms.",
                rest.as_millis()
            ))
            .await?;
            Ok(())
        })
    }
}
