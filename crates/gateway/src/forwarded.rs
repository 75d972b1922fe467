//! `Forwarded`: one event a shard runner hands to the consumer, with where and when it came
//! from; and `InConsumer`, what the consumer still holds after taking events off the queue.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::time::Instant;
use twilight_model::gateway::event::Event;

/// A dispatch event from one shard, as the consumer receives it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Forwarded {
    /// The shard that received it.
    pub shard: u32,
    /// Its session (shared, not copied per event).
    pub session: Arc<str>,
    /// Its sequence number in that session.
    pub sequence: u64,
    /// When the shard received it: Discord's 3 s interaction window runs from here.
    pub received_at: Instant,
    /// The event.
    pub event: Event,
}

/// Events the consumer took off the queue but has not finished with (a publisher waiting for
/// the broker's acknowledgement). The checkpoint never covers them: a crash replays them.
///
/// A consumer that is done with an event once it took it (the router, which dispatches at
/// once) never touches it. One that holds events calls [`took`](Self::took) as it takes each
/// and [`settled`](Self::settled) when it is done with it, in the order it took them.
#[derive(Debug, Clone, Default)]
pub struct InConsumer(Arc<AtomicU64>);

impl InConsumer {
    /// The consumer took one more event off the queue.
    pub fn took(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }

    /// The consumer is done with its oldest held event.
    pub fn settled(&self) {
        // Saturating: a consumer that settles more than it took must not wrap the count.
        let _ = self
            .0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
    }

    /// Events held now.
    #[must_use]
    pub fn holding(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }
}
