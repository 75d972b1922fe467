//! `/roll`: the command itself: options, validation, reply.

use novera_commands::{
    BoxFuture, Command, CommandDef, CommandError, CommandResult, Context, Reply,
};
use twilight_interactions::command::{CommandModel, CreateCommand};

use crate::dice::Dice;

/// The options Discord shows, derived with twilight-interactions.
#[derive(CommandModel, CreateCommand)]
#[command(name = "roll", desc = "Roll dice, like 2d6 or 1d20+5")]
pub struct RollOptions {
    /// The expression.
    #[command(desc = "Dice to roll, like 2d6 or 1d20+5", max_length = 32)]
    pub dice: String,
    /// What the roll is for, shown with the result.
    #[command(desc = "What the roll is for", max_length = 100)]
    pub label: Option<String>,
}

/// The definition alone: registration needs nothing else.
#[must_use]
pub(crate) fn def() -> CommandDef {
    CommandDef::from_model::<RollOptions>().prefix(true)
}

/// The handler.
#[derive(Debug, Default)]
pub struct RollCommand;

impl Command for RollCommand {
    fn run(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            let RollOptions { dice, label } = ctx.options()?;
            // A bad expression is the user's mistake: they see why, nothing is logged as failed.
            let parsed = Dice::parse(&dice)
                .map_err(|e| CommandError::user(format!("`{dice}` is not a dice roll: {e}.")))?;
            let roll = parsed.roll(&mut fastrand::Rng::new());
            let text = match label {
                // Echoed user text: the reply mentions nobody, whatever the label says.
                Some(label) => format!("{label}: `{parsed}` {roll}"),
                None => format!("`{parsed}` {roll}"),
            };
            ctx.reply(Reply::text(text)).await?;
            Ok(())
        })
    }
}
