//! `/poll`: a question with choices as buttons, a live tally, closing after a duration (or
//! when its author clicks "Close") and showing the result.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;
use twilight_interactions::command::{CommandModel, CreateCommand};
use twilight_model::channel::message::Component;
use twilight_model::channel::message::component::{ActionRow, Button, ButtonStyle};
use twilight_model::id::Id;
use twilight_model::id::marker::UserMarker;

use crate::command::{BoxFuture, Command, CommandResult};
use crate::context::Context;
use crate::def::CommandDef;
use crate::error::CommandError;
use crate::error::chain;
use crate::reply::Reply;

const DEFAULT_SECONDS: i64 = 60;
const MAX_SECONDS: i64 = 900;
const MAX_CHOICES: usize = 5;
/// Discord's button label limit.
const MAX_LABEL: usize = 80;
const CLOSE_ID: &str = "poll:close";
const VOTE_PREFIX: &str = "poll:vote:";

#[derive(CommandModel, CreateCommand)]
#[command(
    name = "poll",
    desc = "Start a poll with buttons; it closes after a while and shows the result"
)]
pub(crate) struct PollOptions {
    /// The question.
    #[command(desc = "The question", max_length = 200)]
    question: String,
    /// Choices, comma separated.
    #[command(desc = "2 to 5 choices separated by commas", max_length = 400)]
    choices: String,
    /// Duration.
    #[command(
        desc = "Seconds before the poll closes (default 60)",
        min_value = 1,
        max_value = 900
    )]
    seconds: Option<i64>,
}

pub(crate) fn def() -> CommandDef {
    // The handler runs for the poll's whole life.
    CommandDef::from_model::<PollOptions>()
        .deadline(Duration::from_secs(MAX_SECONDS.unsigned_abs() + 30))
}

pub(crate) struct Poll;

/// Votes, one per user (a later click changes it).
struct Tally {
    question: String,
    choices: Vec<String>,
    votes: HashMap<Id<UserMarker>, usize>,
}

impl Tally {
    fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.choices.len()];
        for choice in self.votes.values() {
            counts[*choice] += 1;
        }
        counts
    }

    fn open(&self, closes_at_unix: u64) -> Reply {
        let mut text = format!("**{}**\n", self.question);
        for (choice, count) in self.choices.iter().zip(self.counts()) {
            let _ = writeln!(text, "{choice}: {count}");
        }
        let _ = write!(text, "Closes <t:{closes_at_unix}:R>.");
        Reply::text(text).components(self.buttons())
    }

    fn closed(&self) -> Reply {
        let counts = self.counts();
        let mut text = format!("**{}** (closed)\n", self.question);
        for (choice, count) in self.choices.iter().zip(&counts) {
            let _ = writeln!(text, "{choice}: {count}");
        }
        let best = counts.iter().copied().max().unwrap_or(0);
        let winners: Vec<&str> = self
            .choices
            .iter()
            .zip(&counts)
            .filter(|(_, c)| **c == best)
            .map(|(choice, _)| choice.as_str())
            .collect();
        if best == 0 {
            text.push_str("Result: no votes.");
        } else if let [winner] = winners.as_slice() {
            let _ = write!(text, "Result: **{winner}** with {best} vote(s).");
        } else {
            let _ = write!(
                text,
                "Result: tie between {} with {best} vote(s) each.",
                winners.join(", ")
            );
        }
        Reply::text(text).components(Vec::new())
    }

    fn buttons(&self) -> Vec<Component> {
        let mut buttons: Vec<Component> = self
            .choices
            .iter()
            .enumerate()
            .map(|(i, choice)| button(format!("{VOTE_PREFIX}{i}"), choice, ButtonStyle::Primary))
            .collect();
        buttons.push(button(
            CLOSE_ID.to_owned(),
            "Close poll",
            ButtonStyle::Danger,
        ));
        vec![Component::ActionRow(ActionRow {
            components: buttons,
            id: None,
        })]
    }
}

fn button(custom_id: String, label: &str, style: ButtonStyle) -> Component {
    Component::Button(Button {
        custom_id: Some(custom_id),
        disabled: false,
        emoji: None,
        id: None,
        label: Some(label.to_owned()),
        sku_id: None,
        style,
        url: None,
    })
}

fn parse_choices(raw: &str) -> Result<Vec<String>, CommandError> {
    let choices: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    if !(2..=MAX_CHOICES).contains(&choices.len()) {
        return Err(CommandError::user(
            "Give 2 to 5 choices, separated by commas.",
        ));
    }
    if choices.iter().any(|c| c.chars().count() > MAX_LABEL) {
        return Err(CommandError::user(
            "Each choice must be at most 80 characters.",
        ));
    }
    for (i, choice) in choices.iter().enumerate() {
        if choices[..i].contains(choice) {
            return Err(CommandError::user(format!("`{choice}` is listed twice.")));
        }
    }
    Ok(choices)
}

/// Updates the poll message from a click; one failed click must not end the poll.
async fn answer(click: &Context, reply: Reply) {
    if let Err(error) = click.update_message(reply).await {
        tracing::warn!(error = %chain(&error), "poll: could not update the message");
    }
}

/// Tells one clicking user something privately; a failure only costs that one answer.
async fn tell(click: &Context, text: &str) {
    if let Err(error) = click.reply(Reply::text(text).ephemeral()).await {
        tracing::warn!(error = %chain(&error), "poll: could not answer a click");
    }
}

impl Command for Poll {
    fn run(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            let PollOptions {
                question,
                choices,
                seconds,
            } = ctx.options()?;
            let choices = parse_choices(&choices)?;
            let author = ctx.user_id();
            let secs = seconds
                .unwrap_or(DEFAULT_SECONDS)
                .clamp(1, MAX_SECONDS)
                .unsigned_abs();
            let end = Instant::now() + Duration::from_secs(secs);
            // Only for display (Discord renders it in each reader's time zone).
            let closes_at_unix = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
                + secs;
            let mut tally = Tally {
                question,
                choices,
                votes: HashMap::new(),
            };

            ctx.reply(tally.open(closes_at_unix)).await?;
            let message = ctx.original_message().await?;
            let mut clicks = ctx.components(message.id, |_| true);
            let mut closed = false;
            while let Some(click) = clicks.next_until(end).await {
                let Some(user) = click.user_id() else {
                    continue;
                };
                match click.custom_id() {
                    Some(CLOSE_ID) if Some(user) == author => {
                        answer(&click, tally.closed()).await;
                        closed = true;
                        break;
                    }
                    Some(CLOSE_ID) => {
                        tell(&click, "Only the poll's author can close it.").await;
                    }
                    Some(id) => {
                        if let Some(choice) = id
                            .strip_prefix(VOTE_PREFIX)
                            .and_then(|i| i.parse::<usize>().ok())
                            .filter(|i| *i < tally.choices.len())
                        {
                            tally.votes.insert(user, choice);
                        }
                        answer(&click, tally.open(closes_at_unix)).await;
                    }
                    None => answer(&click, tally.open(closes_at_unix)).await,
                }
            }
            if !closed {
                ctx.edit(tally.closed()).await?;
            }
            for late in clicks.ready() {
                tell(&late, "This poll has closed.").await;
            }
            Ok(())
        })
    }

    fn component(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            ctx.reply(Reply::text("This poll has closed.").ephemeral())
                .await?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(votes: &[(u64, usize)]) -> Tally {
        Tally {
            question: "Lunch?".into(),
            choices: vec!["pizza".into(), "sushi".into()],
            votes: votes.iter().map(|(u, c)| (Id::new(*u), *c)).collect(),
        }
    }

    #[test]
    fn choices_are_validated() {
        assert_eq!(parse_choices(" a, b ,c").unwrap(), ["a", "b", "c"]);
        assert!(parse_choices("only one").is_err());
        assert!(parse_choices("a,b,c,d,e,f").is_err());
        assert!(parse_choices("a,a").is_err());
    }

    #[test]
    fn the_result_names_the_winner_or_the_tie() {
        let text = tally(&[(1, 0), (2, 0), (3, 1)]).closed().content.unwrap();
        assert!(text.contains("pizza: 2"), "{text}");
        assert!(text.contains("Result: **pizza** with 2 vote(s)."), "{text}");
        let text = tally(&[(1, 0), (2, 1)]).closed().content.unwrap();
        assert!(text.contains("tie between pizza, sushi"), "{text}");
        let text = tally(&[]).closed().content.unwrap();
        assert!(text.contains("no votes"), "{text}");
    }

    #[test]
    fn an_open_poll_has_a_button_per_choice_and_a_close_button() {
        let reply = tally(&[]).open(0);
        let Some(Component::ActionRow(row)) = reply.components.as_ref().and_then(|c| c.first())
        else {
            panic!("no action row");
        };
        assert_eq!(row.components.len(), 3);
        assert!(tally(&[]).closed().components.unwrap().is_empty());
    }
}
