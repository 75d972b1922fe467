//! `/diag`: an operator's synthetic check, off unless `commands.diagnostics = true`.
//!
//! It answers after an optional delay with the name of the process that answered, so an
//! operator can see in a deployment that a slow command is deferred and completed, and which
//! worker serves which command (the cluster roles spread commands over workers). With
//! `gateway: true` it also asks the guild's shard for the guild's members, which in a worker
//! crosses the broker to the gateway that owns the shard and back.

use std::time::Duration;

use novera_commands::{
    BoxFuture, Command, CommandDef, CommandResult, CommandSet, Context, GatewayCommand, Reply,
};
use twilight_interactions::command::{CommandModel, CreateCommand};
use twilight_model::gateway::event::Event;
use twilight_model::gateway::payload::outgoing::RequestGuildMembers;

/// The longest delay `/diag` accepts.
const MAX_DELAY_MS: i64 = 10_000;

#[derive(CommandModel, CreateCommand)]
#[command(
    name = "diag",
    desc = "Operator check: answer after a delay, naming the process"
)]
struct DiagOptions {
    /// Milliseconds to wait before answering (0 to 10000).
    #[command(
        desc = "Milliseconds to wait before answering",
        min_value = 0,
        max_value = 10_000
    )]
    delay: Option<i64>,
    /// Also ask the guild's shard for the guild's members (checks the path from this process
    /// to the gateway that owns the shard, through the broker in a worker).
    #[command(desc = "Also ask the guild's gateway for its members")]
    gateway: Option<bool>,
}

struct Diag;

impl Command for Diag {
    fn run(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            let DiagOptions { delay, gateway } = ctx.options()?;
            let delay = delay.unwrap_or(0).clamp(0, MAX_DELAY_MS);
            tokio::time::sleep(Duration::from_millis(delay.unsigned_abs())).await;
            let mut text = format!(
                "diag: answered by {} after a {delay} ms delay",
                novera_cluster::process_name()
            );
            if gateway == Some(true) {
                text.push_str(&members(&ctx).await);
            }
            ctx.reply(Reply::text(text).ephemeral()).await?;
            Ok(())
        })
    }
}

/// Asks the guild's shard for the guild's members and counts the first chunk that comes back.
async fn members(ctx: &Context) -> String {
    let Some(guild) = ctx.guild_id() else {
        return "; gateway: not in a guild".to_owned();
    };
    let nonce = format!("diag-{:08x}", fastrand::u32(..));
    let wanted = nonce.clone();
    // Registered before the request, so the chunk cannot come back unseen.
    let chunk = ctx.standby().wait_for(guild, move |event: &Event| {
        matches!(event, Event::MemberChunk(chunk) if chunk.nonce.as_deref() == Some(wanted.as_str()))
    });
    let request = RequestGuildMembers::builder(guild)
        .nonce(nonce)
        .query("", None);
    if let Err(error) = ctx
        .gateway()
        .send(GatewayCommand::RequestGuildMembers(request))
        .await
    {
        return format!("; gateway: {error}");
    }
    match novera_core::within(Duration::from_secs(5), chunk).await {
        Some(Ok(Event::MemberChunk(chunk))) => {
            format!(
                "; gateway: {} members in the first chunk",
                chunk.members.len()
            )
        }
        _ => "; gateway: no member chunk came back within 5s".to_owned(),
    }
}

/// The `/diag` command set.
pub(crate) fn commands() -> CommandSet {
    CommandSet::new().with(
        CommandDef::from_model::<DiagOptions>()
            .ephemeral(true)
            .deadline(Duration::from_secs(15)),
        Diag,
    )
}
