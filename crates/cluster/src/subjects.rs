//! The bot's names on the broker: subjects, message ids and buckets.
//!
//! ```text
//! novera.<bot>.work.<shard>.<EVENT>      events a worker's router acts on (one worker each)
//! novera.<bot>.fanout.<shard>.<EVENT>    events only caches and waiters use (every worker)
//! novera.<bot>.gateway.snapshot          a worker asks every gateway for its cache
//! novera.<bot>.gateway.shard.<n>.command a gateway command for shard n (its gateway answers)
//! novera.<bot>.gateway.all.command       a gateway command for every shard
//! KV novera_<bot>_claims                 who answers which interaction (15 min)
//! KV novera_<bot>_status                 each gateway's shard status (expires when it dies)
//! ```
//!
//! NATS 2.9 gives a consumer one filter subject, so the class (`work` or `fanout`) comes
//! before the shard: the shared work consumer filters `novera.<bot>.work.>`, and each worker's
//! own fan-out consumer reads the whole stream.

/// Whether every worker needs an event, or one worker's router.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventClass {
    /// The router acts on it (interactions, prefix messages): delivered to one worker.
    Work,
    /// Only caches and waiters use it: every worker reads it.
    Fanout,
}

impl EventClass {
    fn token(self) -> &'static str {
        match self {
            Self::Work => "work",
            Self::Fanout => "fanout",
        }
    }
}

/// Subject and bucket names of one bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subjects {
    bot: String,
}

impl Subjects {
    /// The names of `bot` (a validated subject token).
    #[must_use]
    pub fn new(bot: &str) -> Self {
        Self {
            bot: bot.to_owned(),
        }
    }

    /// Where a gateway publishes event `name` of `shard`.
    #[must_use]
    pub fn event(&self, class: EventClass, shard: u32, name: &str) -> String {
        format!("novera.{}.{}.{shard}.{name}", self.bot, class.token())
    }

    /// The stream's subjects.
    #[must_use]
    pub fn stream_subjects(&self) -> Vec<String> {
        vec![self.work_filter(), format!("novera.{}.fanout.>", self.bot)]
    }

    /// The shared work consumer's filter.
    #[must_use]
    pub fn work_filter(&self) -> String {
        format!("novera.{}.work.>", self.bot)
    }

    /// Where workers ask gateways for a snapshot of their caches.
    #[must_use]
    pub fn snapshot(&self) -> String {
        format!("novera.{}.gateway.snapshot", self.bot)
    }

    /// Where a gateway command for `shard` goes (the owning gateway answers).
    #[must_use]
    pub fn shard_command(&self, shard: u32) -> String {
        format!("novera.{}.gateway.shard.{shard}.command", self.bot)
    }

    /// What a gateway subscribes to for its shards' commands.
    #[must_use]
    pub fn shard_commands(&self) -> String {
        format!("novera.{}.gateway.shard.*.command", self.bot)
    }

    /// Where a command for every shard goes (each gateway applies it to its own).
    #[must_use]
    pub fn all_shards_command(&self) -> String {
        format!("novera.{}.gateway.all.command", self.bot)
    }

    /// The interaction ledger's bucket.
    #[must_use]
    pub fn claims_bucket(&self) -> String {
        format!("novera_{}_claims", self.bot)
    }

    /// The bucket of gateways' shard statuses.
    #[must_use]
    pub fn status_bucket(&self) -> String {
        format!("novera_{}_status", self.bot)
    }
}

/// The event name at the end of an event subject (`INTERACTION_CREATE`).
#[must_use]
pub fn event_name(subject: &str) -> Option<&str> {
    subject.rsplit('.').next().filter(|name| !name.is_empty())
}

/// The `Nats-Msg-Id` of a dispatch: the same event of the same session always gets the same
/// id, so republishing it (a gateway that crashed and resumed, Discord replaying after the
/// checkpointed sequence) is dropped by the stream's duplicate window.
#[must_use]
pub fn message_id(shard: u32, session: &str, sequence: u64) -> String {
    format!("{shard}:{session}:{sequence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable() {
        let subjects = Subjects::new("dice");
        assert_eq!(
            subjects.event(EventClass::Work, 3, "INTERACTION_CREATE"),
            "novera.dice.work.3.INTERACTION_CREATE"
        );
        assert_eq!(
            subjects.stream_subjects(),
            ["novera.dice.work.>", "novera.dice.fanout.>"]
        );
        assert_eq!(
            event_name("novera.dice.fanout.0.GUILD_CREATE"),
            Some("GUILD_CREATE")
        );
        assert_eq!(event_name("novera.dice.fanout.0."), None);
        assert_eq!(message_id(2, "abc", 17), "2:abc:17");
        assert_eq!(subjects.claims_bucket(), "novera_dice_claims");
    }
}
