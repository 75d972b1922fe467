//! `/ask`: asks a question, waits for that user's next message in the channel, echoes it or
//! says it timed out (the seeds' `safe_wait_for` example, without its leaked tasks).

use std::time::Duration;

use twilight_interactions::command::{CommandModel, CreateCommand};

use crate::command::{BoxFuture, Command, CommandResult};
use crate::context::Context;
use crate::def::CommandDef;
use crate::error::CommandError;

const DEFAULT_TIMEOUT_SECS: i64 = 60;
const MAX_TIMEOUT_SECS: i64 = 300;

#[derive(CommandModel, CreateCommand)]
#[command(
    name = "ask",
    desc = "Ask a question and wait for your next message in this channel"
)]
pub(crate) struct AskOptions {
    /// The question.
    #[command(desc = "The question to ask", max_length = 300)]
    question: String,
    /// Seconds to wait.
    #[command(
        desc = "Seconds to wait for the answer (default 60)",
        min_value = 1,
        max_value = 300
    )]
    timeout: Option<i64>,
}

pub(crate) fn def() -> CommandDef {
    // The handler lives as long as the wait: its deadline covers the longest allowed timeout.
    CommandDef::from_model::<AskOptions>()
        .deadline(Duration::from_secs(MAX_TIMEOUT_SECS.unsigned_abs() + 30))
}

pub(crate) struct Ask;

impl Command for Ask {
    fn run(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            let AskOptions { question, timeout } = ctx.options()?;
            let secs = timeout
                .unwrap_or(DEFAULT_TIMEOUT_SECS)
                .clamp(1, MAX_TIMEOUT_SECS)
                .unsigned_abs();
            let user = ctx
                .user_id()
                .ok_or_else(|| CommandError::user("I can't tell who asked."))?;
            // Registered before the question is shown, so a fast answer is not missed.
            let answer =
                ctx.wait_for_message(Duration::from_secs(secs), move |m| m.author.id == user);
            ctx.reply(format!(
                "{question}\nAnswer in this channel within {secs}s."
            ))
            .await?;
            match answer.await {
                Some(message) => {
                    ctx.follow_up(format!("You answered: {}", message.content))
                        .await?
                }
                None => ctx.follow_up(format!("No answer within {secs}s.")).await?,
            };
            Ok(())
        })
    }
}
