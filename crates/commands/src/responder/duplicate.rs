//! A 40060 on a first response this process never sent: evidence of another instance.
//!
//! Discord refuses a second initial response with 40060. Two causes are legitimate and must not
//! be reported: a replay after a restart (the interaction was created before this process
//! started, and the previous process answered it) and a takeover in the cluster roles (the
//! responder resumes another process's answer). Anything else means another process with this
//! bot's token answered an interaction this process received live.

use twilight_model::id::Id;
use twilight_model::id::marker::InteractionMarker;

use super::Responder;

/// Milliseconds between the Unix epoch and Discord's (snowflakes count from 2015).
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
/// Interactions created this soon after the process started may be replays from before it
/// (clocks differ a little between Discord and this host).
const REPLAY_GRACE_MS: u64 = 5_000;

impl Responder {
    /// Records the 40060 Discord gave this process's first response to `id`, unless a replay or
    /// a takeover explains it.
    pub(super) fn check_duplicate(&self, id: Id<InteractionMarker>) {
        if self.taken_over {
            return;
        }
        let instance = &self.rest.instance;
        if !is_live(id, instance.tag().started_unix_secs()) {
            return;
        }
        instance.already_acknowledged(format!(
            "interaction {id} was already acknowledged (40060), but this instance ({}) never answered it",
            instance.tag()
        ));
    }
}

/// Whether `id` was created after this process started (with a margin), so it was not replayed
/// from before.
fn is_live(id: Id<InteractionMarker>, started_unix_secs: u64) -> bool {
    let created_ms = (id.get() >> 22).saturating_add(DISCORD_EPOCH_MS);
    created_ms
        >= started_unix_secs
            .saturating_mul(1000)
            .saturating_add(REPLAY_GRACE_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn created_at(unix_ms: u64) -> Id<InteractionMarker> {
        Id::new((unix_ms - DISCORD_EPOCH_MS) << 22 | 1)
    }

    #[test]
    fn only_interactions_created_after_the_start_are_live() {
        let started = 1_750_000_000;
        assert!(
            !is_live(created_at(started * 1000 - 60_000), started),
            "a replay"
        );
        assert!(
            !is_live(created_at(started * 1000 + 1_000), started),
            "within the grace"
        );
        assert!(is_live(created_at(started * 1000 + 6_000), started));
    }
}
