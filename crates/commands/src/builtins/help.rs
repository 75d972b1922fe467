//! `/help`: the registered commands, from the registry.

use std::fmt::Write as _;

use twilight_interactions::command::{CommandModel, CreateCommand};

use crate::command::{BoxFuture, Command, CommandResult};
use crate::context::Context;
use crate::def::CommandDef;
use crate::reply::Reply;

#[derive(CommandModel, CreateCommand)]
#[command(name = "help", desc = "List the commands this bot offers")]
pub(crate) struct HelpOptions {}

pub(crate) fn def() -> CommandDef {
    CommandDef::from_model::<HelpOptions>().prefix(true)
}

pub(crate) struct Help;

impl Command for Help {
    fn run(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            let mut out = String::from("**Commands**\n");
            for def in ctx.registry().defs() {
                let _ = writeln!(out, "`/{}` - {}", def.name(), def.description());
            }
            if let Some(prefix) = ctx.prefix() {
                let text: Vec<String> = ctx
                    .registry()
                    .defs()
                    .filter(|d| d.allows_prefix())
                    .map(|d| format!("`{prefix}{}`", d.name()))
                    .collect();
                if !text.is_empty() {
                    let _ = write!(out, "Also as text: {}", text.join(", "));
                }
            }
            ctx.reply(Reply::text(out.trim_end()).ephemeral()).await?;
            Ok(())
        })
    }
}
