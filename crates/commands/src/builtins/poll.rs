//! `/poll`: a question with choices as buttons, a live tally, closing after a duration (or
//! when its author clicks "Close") and showing the result.
//!
//! Nothing waits in memory: the poll lives in the command's state (key: the poll's id, the
//! `/poll` interaction's), each click is a fresh [`Command::component`] invocation that loads
//! it, applies the vote and saves it with compare-and-set (two clicks at once, on one process
//! or two, both count), and the close is a durable timer that fires on time, or right after a
//! restart if the bot was down then. A graceful stop therefore never waits for an open poll.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use twilight_interactions::command::{CommandModel, CreateCommand};
use twilight_model::channel::message::Component;
use twilight_model::channel::message::component::{ActionRow, Button, ButtonStyle};
use twilight_model::id::Id;

use crate::command::{BoxFuture, Command, CommandResult};
use crate::context::Context;
use crate::def::CommandDef;
use crate::error::CommandError;
use crate::error::chain;
use crate::reply::Reply;
use crate::state::{Change, CommandState, unix_ms};
use crate::timer_context::TimerContext;

const DEFAULT_SECONDS: i64 = 60;
const MAX_SECONDS: i64 = 900;
const MAX_CHOICES: usize = 5;
/// Discord's button label limit.
const MAX_LABEL: usize = 80;
/// `poll:vote:<poll>:<choice>`.
const VOTE_PREFIX: &str = "poll:vote:";
/// `poll:close:<poll>`.
const CLOSE_PREFIX: &str = "poll:close:";
/// How long a poll's state outlives its close time: a closed poll still answers late clicks
/// ("closed") and late tally updates with its result, then the store forgets it.
const KEEP_AFTER_CLOSE: Duration = Duration::from_secs(3600);
/// How often a click re-reads the poll after updating its message, so the message ends on the
/// latest tally even when two clicks' updates reach Discord in the opposite order.
const CONVERGE_ROUNDS: usize = 4;
/// How long a close waits for the poll's message to be known (the poll was created an instant
/// before) before giving up on editing it.
const MESSAGE_GRACE: Duration = Duration::from_secs(60);

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
    CommandDef::from_model::<PollOptions>()
}

pub(crate) struct Poll;

/// A poll as stored: votes (one per user; a later click changes it) and where its message is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct PollState {
    question: String,
    choices: Vec<String>,
    votes: BTreeMap<u64, usize>,
    author: Option<u64>,
    closes_at_ms: u64,
    /// The poll's message (channel, message), once it was sent.
    message: Option<(u64, u64)>,
    closed: bool,
}

impl PollState {
    fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.choices.len()];
        for choice in self.votes.values() {
            if let Some(count) = counts.get_mut(*choice) {
                *count += 1;
            }
        }
        counts
    }

    /// The message as it stands: open with its buttons, or closed with the result.
    fn render(&self, poll: u64) -> Reply {
        if self.closed {
            return self.result();
        }
        let mut text = format!("**{}**\n", self.question);
        for (choice, count) in self.choices.iter().zip(self.counts()) {
            let _ = writeln!(text, "{choice}: {count}");
        }
        let _ = write!(text, "Closes <t:{}:R>.", self.closes_at_ms / 1000);
        Reply::text(text).components(self.buttons(poll))
    }

    fn result(&self) -> Reply {
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

    fn buttons(&self, poll: u64) -> Vec<Component> {
        let mut buttons: Vec<Component> = self
            .choices
            .iter()
            .enumerate()
            .map(|(i, choice)| {
                button(
                    format!("{VOTE_PREFIX}{poll}:{i}"),
                    choice,
                    ButtonStyle::Primary,
                )
            })
            .collect();
        buttons.push(button(
            format!("{CLOSE_PREFIX}{poll}"),
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

/// What a click asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Click {
    Vote { poll: u64, choice: usize },
    Close { poll: u64 },
}

impl Click {
    /// `None` for anything else (including the buttons of polls from before polls were
    /// stored, `poll:vote:1`, which can no longer be counted).
    fn parse(custom_id: &str) -> Option<Self> {
        if let Some(rest) = custom_id.strip_prefix(VOTE_PREFIX) {
            let (poll, choice) = rest.split_once(':')?;
            return Some(Self::Vote {
                poll: poll.parse().ok()?,
                choice: choice.parse().ok()?,
            });
        }
        let poll = custom_id.strip_prefix(CLOSE_PREFIX)?.parse().ok()?;
        Some(Self::Close { poll })
    }
}

/// Tells one clicking user something privately; a failure only costs that one answer.
async fn tell(click: &Context, text: &str) {
    if let Err(error) = click.reply(Reply::text(text).ephemeral()).await {
        tracing::warn!(error = %chain(&error), "poll: could not answer a click");
    }
}

/// Updates the poll's message from a click, then makes sure it ends on the latest tally: if
/// another click saved after this one, its update may have reached Discord first, so this one
/// shows the newer state again (each click does this, so the last update shown is the latest).
async fn show(click: &Context, state: &CommandState, poll: u64, mut shown: (PollState, u64)) {
    for _ in 0..CONVERGE_ROUNDS {
        if let Err(error) = click.update_message(shown.0.render(poll)).await {
            tracing::warn!(error = %chain(&error), "poll: could not update the message");
            return;
        }
        match state.get::<PollState>(&poll.to_string()).await {
            Ok(Some(latest)) if latest.version != shown.1 => {
                shown = (latest.value, latest.version);
            }
            Ok(_) => return,
            Err(error) => {
                tracing::warn!(error = %chain(&error), "poll: could not re-read the poll");
                return;
            }
        }
    }
}

impl Poll {
    async fn vote(ctx: &Context, user: u64, poll: u64, choice: usize) -> CommandResult {
        let state = ctx.state();
        let updated = state
            .update(
                &poll.to_string(),
                |stored: Option<PollState>| match stored {
                    Some(mut poll) if !poll.closed && choice < poll.choices.len() => {
                        poll.votes.insert(user, choice);
                        (Change::Set(poll.clone()), Some(poll))
                    }
                    Some(poll) if !poll.closed => (Change::Keep, Some(poll)),
                    _ => (Change::Keep, None),
                },
            )
            .await?;
        match (updated.outcome, updated.version) {
            (Some(poll_state), Some(version)) => {
                show(ctx, &state, poll, (poll_state, version)).await;
            }
            _ => tell(ctx, "This poll has closed.").await,
        }
        Ok(())
    }

    async fn close_by(ctx: &Context, user: u64, poll: u64) -> CommandResult {
        let state = ctx.state();
        let key = poll.to_string();
        let closed = state
            .update(&key, |stored: Option<PollState>| match stored {
                Some(mut poll) if !poll.closed && poll.author == Some(user) => {
                    poll.closed = true;
                    (Change::Set(poll.clone()), Ok(poll))
                }
                Some(poll) if !poll.closed => (Change::Keep, Err(false)),
                _ => (Change::Keep, Err(true)),
            })
            .await?;
        match closed.outcome {
            Ok(poll) => {
                if let Err(error) = state.cancel(&key).await {
                    // It fires anyway, finds the poll closed and shows the same result.
                    tracing::warn!(error = %chain(&error), "poll: could not cancel the close timer");
                }
                ctx.update_message(poll.result()).await?;
            }
            Err(false) => tell(ctx, "Only the poll's author can close it.").await,
            Err(true) => tell(ctx, "This poll has closed.").await,
        }
        Ok(())
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
            let Some(poll) = ctx.interaction().map(|i| i.id.get()) else {
                return Err(CommandError::user("Polls are started with /poll."));
            };
            let secs = seconds
                .unwrap_or(DEFAULT_SECONDS)
                .clamp(1, MAX_SECONDS)
                .unsigned_abs();
            let state = ctx.state();
            let key = poll.to_string();
            let open_for = Duration::from_secs(secs);
            let closes_at = state.now() + open_for;
            let stored = PollState {
                question,
                choices,
                votes: BTreeMap::new(),
                author: ctx.user_id().map(Id::get),
                closes_at_ms: unix_ms(closes_at),
                message: None,
                closed: false,
            };
            // Saved before anyone can see a button, so no click finds it missing.
            state
                .put_expiring(&key, &stored, open_for + KEEP_AFTER_CLOSE)
                .await?;
            state.schedule(&key, closes_at).await?;
            if let Err(error) = ctx.reply(stored.render(poll)).await {
                let _ = state.cancel(&key).await;
                let _ = state.delete(&key).await;
                return Err(error.into());
            }
            let message = ctx.original_message().await?;
            let at = (message.channel_id.get(), message.id.get());
            state
                .update(&key, |stored: Option<PollState>| match stored {
                    Some(mut poll) => {
                        poll.message = Some(at);
                        (Change::Set(poll), ())
                    }
                    None => (Change::Keep, ()),
                })
                .await?;
            Ok(())
        })
    }

    fn component(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            let click = ctx.custom_id().and_then(Click::parse);
            let (Some(click), Some(user)) = (click, ctx.user_id().map(Id::get)) else {
                tell(&ctx, "This poll has closed.").await;
                return Ok(());
            };
            match click {
                Click::Vote { poll, choice } => Self::vote(&ctx, user, poll, choice).await,
                Click::Close { poll } => Self::close_by(&ctx, user, poll).await,
            }
        })
    }

    /// The poll's close time came (or passed while the bot was down): show the result.
    fn timer(&self, ctx: TimerContext) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            let state = ctx.state();
            let key = ctx.key().to_owned();
            let now_ms = unix_ms(state.now());
            let grace_ms = u64::try_from(MESSAGE_GRACE.as_millis()).unwrap_or(u64::MAX);
            let closing = state
                .update(&key, |stored: Option<PollState>| match stored {
                    // Created an instant ago: its message is not recorded yet. Try again soon.
                    Some(poll)
                        if poll.message.is_none()
                            && now_ms < poll.closes_at_ms.saturating_add(grace_ms) =>
                    {
                        (Change::Keep, Closing::NotYet)
                    }
                    Some(poll) if poll.closed => (Change::Keep, Closing::Show(poll)),
                    Some(mut poll) => {
                        poll.closed = true;
                        (Change::Set(poll.clone()), Closing::Show(poll))
                    }
                    None => (Change::Keep, Closing::Gone),
                })
                .await?;
            match closing.outcome {
                Closing::NotYet => state.schedule_in(&key, Duration::from_secs(1)).await?,
                Closing::Gone => {}
                Closing::Show(poll) => match poll.message {
                    Some((channel, message)) if channel != 0 && message != 0 => {
                        ctx.edit_message(Id::new(channel), Id::new(message), poll.result())
                            .await?;
                    }
                    _ => {
                        tracing::warn!(key, "poll: closed a poll whose message was never recorded");
                    }
                },
            }
            Ok(())
        })
    }
}

/// What the close timer found.
enum Closing {
    NotYet,
    Show(PollState),
    Gone,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll(votes: &[(u64, usize)]) -> PollState {
        PollState {
            question: "Lunch?".into(),
            choices: vec!["pizza".into(), "sushi".into()],
            votes: votes.iter().copied().collect(),
            author: Some(1),
            closes_at_ms: 60_000,
            message: None,
            closed: false,
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
        let text = poll(&[(1, 0), (2, 0), (3, 1)]).result().content.unwrap();
        assert!(text.contains("pizza: 2"), "{text}");
        assert!(text.contains("Result: **pizza** with 2 vote(s)."), "{text}");
        let text = poll(&[(1, 0), (2, 1)]).result().content.unwrap();
        assert!(text.contains("tie between pizza, sushi"), "{text}");
        let text = poll(&[]).result().content.unwrap();
        assert!(text.contains("no votes"), "{text}");
    }

    #[test]
    fn an_open_poll_has_a_button_per_choice_and_a_close_button() {
        let reply = poll(&[]).render(42);
        let Some(Component::ActionRow(row)) = reply.components.as_ref().and_then(|c| c.first())
        else {
            panic!("no action row");
        };
        let ids: Vec<&str> = row
            .components
            .iter()
            .filter_map(|c| match c {
                Component::Button(b) => b.custom_id.as_deref(),
                _ => None,
            })
            .collect();
        assert_eq!(ids, ["poll:vote:42:0", "poll:vote:42:1", "poll:close:42"]);
        assert!(reply.content.unwrap().contains("Closes <t:60:R>."));
        let mut closed = poll(&[]);
        closed.closed = true;
        assert!(closed.render(42).components.unwrap().is_empty());
    }

    #[test]
    fn clicks_are_parsed_and_anything_else_is_refused() {
        assert_eq!(
            Click::parse("poll:vote:42:1"),
            Some(Click::Vote {
                poll: 42,
                choice: 1
            })
        );
        assert_eq!(
            Click::parse("poll:close:42"),
            Some(Click::Close { poll: 42 })
        );
        for bad in [
            "poll:vote:1",
            "poll:close",
            "poll:vote:x:1",
            "poll:vote:1:-1",
            "poll:close:",
        ] {
            assert_eq!(Click::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_vote_out_of_range_is_not_counted() {
        let stored = poll(&[(1, 7)]);
        assert_eq!(stored.counts(), [0, 0]);
    }
}
