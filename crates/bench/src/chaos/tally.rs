//! What became of each command of a chaos soak, read from the simulator's records.
//!
//! A slash command is classified by its interaction record: `delivered` says whether Discord
//! (the simulator) could hand it to a live session at all, `response_ms` when the bot's first
//! callback came, `followups` whether the user saw a second message. A prefix command (`!ping`)
//! by the bot's messages that reply to it.

use std::collections::HashMap;
use std::time::Duration;

use novera_sim::InteractionStatus;
use serde_json::Value;

/// Discord's window for the first response.
pub(crate) const WINDOW_MS: u64 = 3000;

/// Slash commands by outcome.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Commands {
    /// Created by users (the control API accepted them).
    pub(crate) sent: u64,
    /// Written to a live session of the bot (at once or replayed on RESUME).
    pub(crate) delivered: u64,
    /// Never deliverable: no live session existed while the command was pending (after a
    /// session ended and before the next READY), as on Discord.
    pub(crate) undeliverable: u64,
    /// An initial response was accepted.
    pub(crate) answered: u64,
    /// The first callback came after the 3 s window.
    pub(crate) late: u64,
    /// The user saw more than one message (a follow-up; `/ping` never sends one).
    pub(crate) twice: u64,
    /// Answered with the router's error or "busy" reply instead of the command's own.
    pub(crate) error_replies: u64,
    /// Delivered but never answered: what the bot lost.
    pub(crate) lost: u64,
    /// Answered although the simulator never marked them delivered (should stay 0).
    pub(crate) answered_undelivered: u64,
}

impl Commands {
    /// Adds one command's record; `own_answer` tells the command's own reply from an error.
    pub(crate) fn add(&mut self, status: &InteractionStatus, own_answer: impl Fn(&str) -> bool) {
        self.sent += 1;
        if status.delivered {
            self.delivered += 1;
        } else {
            self.undeliverable += 1;
        }
        if status.response_ms.is_some_and(|ms| ms > WINDOW_MS) {
            self.late += 1;
        }
        if !status.followups.is_empty() {
            self.twice += 1;
        }
        if status.responded {
            self.answered += 1;
            if !status.delivered {
                self.answered_undelivered += 1;
            }
            if !own_answer(status.content.as_deref().unwrap_or_default()) {
                self.error_replies += 1;
            }
        } else if status.delivered {
            self.lost += 1;
        }
    }
}

/// Prefix commands by outcome.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Prefixed {
    /// Posted by users.
    pub(crate) sent: u64,
    /// Answered by exactly one reply of the bot.
    pub(crate) answered: u64,
    /// Answered by more than one reply.
    pub(crate) twice: u64,
    /// Not answered: never delivered (posted while no session was live: Discord does not keep
    /// messages for a new session) or lost; the simulator cannot tell these apart for messages.
    pub(crate) unanswered: u64,
    /// Of those, posted while a session existed: the slash commands sent just before and just
    /// after were both delivered. What the bot may have lost.
    pub(crate) unanswered_with_a_session: u64,
}

impl Prefixed {
    /// Counts the replies of `bot` in `messages` to each message id of `posted`; `deliveries`
    /// (slash commands by send time, delivered or not, in order) tells when a session existed.
    pub(crate) fn count(
        posted: &[(Duration, String)],
        messages: &[Value],
        bot: &str,
        deliveries: &[(Duration, bool)],
    ) -> Self {
        let mut replies: HashMap<&str, u64> = HashMap::new();
        for message in messages {
            if message["author"]["id"].as_str() != Some(bot) {
                continue;
            }
            if let Some(to) = message["message_reference"]["message_id"].as_str() {
                *replies.entry(to).or_default() += 1;
            }
        }
        let mut out = Self::default();
        for (at, id) in posted {
            out.sent += 1;
            match replies.get(id.as_str()).copied().unwrap_or(0) {
                0 => {
                    out.unanswered += 1;
                    out.unanswered_with_a_session += u64::from(session_at(deliveries, *at));
                }
                1 => out.answered += 1,
                _ => out.twice += 1,
            }
        }
        out
    }
}

/// Whether the slash commands sent just before and just after `at` were both delivered.
fn session_at(deliveries: &[(Duration, bool)], at: Duration) -> bool {
    let after = deliveries.partition_point(|(sent, _)| *sent < at);
    let before = after.checked_sub(1).and_then(|i| deliveries.get(i));
    match (before, deliveries.get(after)) {
        (Some((_, a)), Some((_, b))) => *a && *b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn status(
        delivered: bool,
        response_ms: Option<u64>,
        content: &str,
        followups: usize,
    ) -> InteractionStatus {
        let followups: Vec<Value> = (0..followups)
            .map(|i| json!({"id": i.to_string(), "content": "again", "flags": 0, "allowed_mentions": null}))
            .collect();
        serde_json::from_value(json!({
            "id": "1", "type": 2, "responded": response_ms.is_some() && response_ms <= Some(WINDOW_MS),
            "response_type": 4, "response_ms": response_ms, "content": content,
            "original_message_id": null, "ephemeral": false, "followups": followups,
            "error": null, "allowed_mentions": null, "bodies": [], "delivered": delivered,
        }))
        .expect("a status")
    }

    #[test]
    fn commands_are_classified_by_what_the_user_saw() {
        let pong = |c: &str| c.starts_with("Pong");
        let mut tally = Commands::default();
        tally.add(&status(true, Some(12), "Pong!", 0), pong);
        tally.add(&status(false, None, "", 0), pong);
        tally.add(&status(true, None, "", 0), pong);
        tally.add(&status(true, Some(3500), "", 0), pong);
        tally.add(&status(true, Some(40), "Pong!", 1), pong);
        tally.add(&status(true, Some(40), "The bot is busy", 0), pong);
        assert_eq!(
            tally,
            Commands {
                sent: 6,
                delivered: 5,
                undeliverable: 1,
                answered: 3,
                late: 1,
                twice: 1,
                error_replies: 1,
                lost: 2,
                answered_undelivered: 0,
            }
        );
    }

    #[test]
    fn prefix_replies_are_counted_per_message() {
        let bot = "99";
        let reply =
            |to: &str| json!({"author": {"id": bot}, "message_reference": {"message_id": to}});
        let messages = vec![
            json!({"author": {"id": "5"}, "content": "!ping"}),
            reply("1"),
            reply("2"),
            reply("2"),
            json!({"author": {"id": "5"}, "message_reference": {"message_id": "3"}}),
        ];
        let at = Duration::from_secs;
        let posted: Vec<(Duration, String)> = [(1, "1"), (2, "2"), (3, "3")]
            .map(|(t, id)| (at(t), id.to_owned()))
            .to_vec();
        // "3" was posted while a session existed (both neighbours delivered).
        let deliveries = [(at(0), true), (at(2), false), (at(2), true), (at(4), true)];
        assert_eq!(
            Prefixed::count(&posted, &messages, bot, &deliveries),
            Prefixed {
                sent: 3,
                answered: 1,
                twice: 1,
                unanswered: 1,
                unanswered_with_a_session: 1,
            }
        );
        // Posted in a gap: its neighbour after it was not delivered.
        let gap = [(at(0), true), (at(4), false)];
        assert_eq!(
            Prefixed::count(&posted, &messages, bot, &gap).unanswered_with_a_session,
            0
        );
    }
}
