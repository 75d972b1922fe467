//! `/duel`: a dice duel that survives restarts. Players click "Join" while it is open; when its
//! time is up everyone who joined rolls and the highest total wins.
//!
//! It shows the three pieces of command state (docs/writing-commands.md, "State that survives
//! restarts"): the duel is a value in `ctx.state()` keyed by its id; each click is a fresh
//! [`Command::component`] invocation (its custom id `duel:join:<id>` starts with the command's
//! name, so the router brings it here) that joins with a compare-and-set `update`; and the end is
//! a durable timer, fired by [`Command::timer`] on time, or right after a restart if the bot was
//! down then. No task waits while the duel is open.

use std::fmt::Write as _;
use std::time::Duration;

use novera_commands::{
    BoxFuture, Change, Command, CommandDef, CommandError, CommandResult, Context, Reply,
    TimerContext, Versioned,
};
use serde::{Deserialize, Serialize};
use twilight_interactions::command::{CommandModel, CreateCommand};
use twilight_model::channel::message::Component;
use twilight_model::channel::message::component::{ActionRow, Button, ButtonStyle};
use twilight_model::id::Id;

use crate::dice::Dice;

/// The custom id prefix of the "Join" button; the duel's id follows.
const JOIN_PREFIX: &str = "duel:join:";
/// Most players in one duel.
pub const MAX_PLAYERS: usize = 20;

/// The options of `/duel`.
#[derive(CommandModel, CreateCommand)]
#[command(name = "duel", desc = "Start a dice duel: players join, then all roll")]
pub struct DuelOptions {
    /// What everyone rolls.
    #[command(desc = "Dice everyone rolls, like 1d20", max_length = 32)]
    pub dice: String,
    /// How long players may join.
    #[command(desc = "Seconds to join (default 30)", min_value = 1, max_value = 600)]
    pub seconds: Option<i64>,
}

pub(crate) fn def() -> CommandDef {
    CommandDef::from_model::<DuelOptions>()
}

/// The duel as stored (serde: the state store keeps JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Duel {
    dice: String,
    players: Vec<u64>,
    /// Where the duel's message is (channel, message), once it was sent.
    message: Option<(u64, u64)>,
}

/// The handler.
#[derive(Debug, Default)]
pub struct DuelCommand;

impl Command for DuelCommand {
    fn run(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            let DuelOptions { dice, seconds } = ctx.options()?;
            let parsed = Dice::parse(&dice)
                .map_err(|e| CommandError::user(format!("`{dice}` is not a dice roll: {e}.")))?;
            let id = ctx
                .interaction()
                .map(|i| i.id.to_string())
                .ok_or_else(|| CommandError::user("Start a duel with /duel."))?;
            let seconds = seconds.unwrap_or(30).clamp(1, 600).unsigned_abs();
            let state = ctx.state();
            let duel = Duel {
                dice: parsed.to_string(),
                players: Vec::new(),
                message: None,
            };
            // Saved (and its end scheduled) before anyone sees the button.
            state.put(&id, &duel).await?;
            state.schedule_in(&id, Duration::from_secs(seconds)).await?;
            let text =
                format!("**Dice duel**: everyone who joins within {seconds}s rolls `{parsed}`.");
            ctx.reply(Reply::text(text).components(join_button(&id)))
                .await?;
            let message = ctx.original_message().await?;
            let at = (message.channel_id.get(), message.id.get());
            state
                .update(&id, |stored: Option<Duel>| match stored {
                    Some(mut duel) => {
                        duel.message = Some(at);
                        (Change::Set(duel), ())
                    }
                    None => (Change::Keep, ()),
                })
                .await?;
            Ok(())
        })
    }

    /// A click on "Join": load the duel, add the player, save; retried by `update` if another
    /// click (on this process or another) saved first.
    fn component(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            let id = ctx
                .custom_id()
                .and_then(|c| c.strip_prefix(JOIN_PREFIX))
                .unwrap_or_default()
                .to_owned();
            let Some(user) = ctx.user_id().map(Id::get) else {
                return Ok(());
            };
            if id.is_empty() {
                ctx.reply(Reply::text("This duel is over.").ephemeral())
                    .await?;
                return Ok(());
            }
            let joined = ctx
                .state()
                .update(&id, |stored: Option<Duel>| match stored {
                    None => (Change::Keep, None),
                    Some(duel) if duel.players.contains(&user) => {
                        (Change::Keep, Some(duel.players.len()))
                    }
                    Some(duel) if duel.players.len() >= MAX_PLAYERS => (Change::Keep, Some(0)),
                    Some(mut duel) => {
                        duel.players.push(user);
                        let count = duel.players.len();
                        (Change::Set(duel), Some(count))
                    }
                })
                .await?;
            let text = match joined.outcome {
                None => "This duel is over.".to_owned(),
                Some(0) => format!("This duel is full ({MAX_PLAYERS} players)."),
                Some(count) => format!("You are in: {count} player(s) so far."),
            };
            ctx.reply(Reply::text(text).ephemeral()).await?;
            Ok(())
        })
    }

    /// The duel's time is up (or passed while the bot was down): everyone rolls.
    fn timer(&self, ctx: TimerContext) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            let state = ctx.state();
            let Some(Versioned { value: duel, .. }) = state.get::<Duel>(ctx.key()).await? else {
                return Ok(());
            };
            let result = outcome(&duel, &mut fastrand::Rng::new());
            if let Some((channel, message)) = duel.message {
                // Players are shown as mentions; the reply pings nobody (Reply's default).
                ctx.edit_message(
                    Id::new(channel),
                    Id::new(message),
                    Reply::text(result).components(Vec::new()),
                )
                .await?;
            }
            // Only once the result is shown: if the edit failed, the timer fires again.
            state.delete(ctx.key()).await?;
            Ok(())
        })
    }
}

fn join_button(id: &str) -> Vec<Component> {
    vec![Component::ActionRow(ActionRow {
        id: None,
        components: vec![Component::Button(Button {
            custom_id: Some(format!("{JOIN_PREFIX}{id}")),
            disabled: false,
            emoji: None,
            id: None,
            label: Some("Join".to_owned()),
            sku_id: None,
            style: ButtonStyle::Primary,
            url: None,
        })],
    })]
}

/// The result text: each player's roll and the winner (ties share it).
fn outcome(duel: &Duel, rng: &mut fastrand::Rng) -> String {
    let Ok(dice) = Dice::parse(&duel.dice) else {
        return "**Dice duel** is over: its dice could not be read.".to_owned();
    };
    if duel.players.is_empty() {
        return format!("**Dice duel** (`{dice}`) is over: nobody joined.");
    }
    let rolls: Vec<(u64, i64, String)> = duel
        .players
        .iter()
        .map(|player| {
            let roll = dice.roll(rng);
            (*player, roll.total, roll.to_string())
        })
        .collect();
    let best = rolls.iter().map(|r| r.1).max().unwrap_or_default();
    let mut text = format!("**Dice duel** (`{dice}`) is over:\n");
    for (player, _, roll) in &rolls {
        let _ = writeln!(text, "<@{player}> {roll}");
    }
    let winners: Vec<String> = rolls
        .iter()
        .filter(|r| r.1 == best)
        .map(|r| format!("<@{}>", r.0))
        .collect();
    let _ = write!(text, "Winner: {} with {best}.", winners.join(", "));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyone_rolls_and_the_highest_total_wins() {
        let duel = Duel {
            dice: "1d20".into(),
            players: vec![1, 2, 3],
            message: None,
        };
        let text = outcome(&duel, &mut fastrand::Rng::with_seed(7));
        // Seeded: 9, 6, 9, a tie the winners share.
        assert_eq!(
            text,
            "**Dice duel** (`1d20`) is over:\n<@1> [9] = **9**\n<@2> [6] = **6**\n\
             <@3> [9] = **9**\nWinner: <@1>, <@3> with 9."
        );
        let nobody = Duel {
            players: Vec::new(),
            ..duel
        };
        assert!(outcome(&nobody, &mut fastrand::Rng::new()).contains("nobody joined"));
    }
}
