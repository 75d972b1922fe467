//! `/diag`: an operator's synthetic check, off unless `commands.diagnostics = true`.
//!
//! It answers after an optional delay with the name of the process that answered, so an
//! operator can see in a deployment that a slow command is deferred and completed, and which
//! worker serves which command (the cluster roles spread commands over workers).

use std::time::Duration;

use novera_commands::{BoxFuture, Command, CommandDef, CommandResult, CommandSet, Context, Reply};
use twilight_interactions::command::{CommandModel, CreateCommand};

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
}

struct Diag;

impl Command for Diag {
    fn run(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            let DiagOptions { delay } = ctx.options()?;
            let delay = delay.unwrap_or(0).clamp(0, MAX_DELAY_MS);
            tokio::time::sleep(Duration::from_millis(delay.unsigned_abs())).await;
            ctx.reply(
                Reply::text(format!(
                    "diag: answered by {} after a {delay} ms delay",
                    novera_cluster::process_name()
                ))
                .ephemeral(),
            )
            .await?;
            Ok(())
        })
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
