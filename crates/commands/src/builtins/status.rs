//! `/status`: uptime, version, shards, reconnects and resumes, commands served.

use std::fmt::Write as _;

use twilight_interactions::command::{CommandModel, CreateCommand};

use super::human_duration;
use crate::command::{BoxFuture, Command, CommandResult};
use crate::context::Context;
use crate::def::CommandDef;

#[derive(CommandModel, CreateCommand)]
#[command(
    name = "status",
    desc = "Show uptime, version, shard states and command counters"
)]
pub(crate) struct StatusOptions {}

pub(crate) fn def() -> CommandDef {
    CommandDef::from_model::<StatusOptions>()
}

pub(crate) struct Status;

impl Command for Status {
    fn run(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            ctx.reply(render(&ctx)).await?;
            Ok(())
        })
    }
}

fn render(ctx: &Context) -> String {
    let mut out = format!(
        "**Novera {}** - up {}\n",
        ctx.version(),
        human_duration(ctx.uptime())
    );
    let shards = ctx.gateway().shards();
    if shards.is_empty() {
        out.push_str("Shards: none running\n");
    }
    let (mut reconnects, mut resumes) = (0, 0);
    for shard in &shards {
        reconnects += shard.reconnects;
        resumes += shard.resumes;
        let latency = shard
            .latency
            .map_or_else(String::new, |d| format!(", {} ms", d.as_millis()));
        let _ = writeln!(out, "Shard {}: {}{latency}", shard.id, shard.state);
    }
    let stats = ctx.stats();
    let _ = write!(
        out,
        "Reconnects: {reconnects} - resumes: {resumes}\n\
         Commands: {} served, {} failed, {} busy, {} in flight",
        stats.served, stats.failed, stats.busy_rejected, stats.in_flight
    );
    out
}
