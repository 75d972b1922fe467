//! `Dispatch`: one event handed to the router, with when it was received and, for an
//! interaction another process started answering, how far that got.

use tokio::time::Instant;
use twilight_model::gateway::event::Event;

use crate::ledger::Acknowledged;

/// An event for [`Router::dispatch`](crate::Router::dispatch).
#[derive(Debug)]
#[non_exhaustive]
pub struct Dispatch {
    /// The gateway event.
    pub event: Event,
    /// When the bot received it from Discord: the auto-defer counts Discord's 3 s window from
    /// here, so an event that waited (in a queue, in a broker, for a redelivery) is deferred
    /// sooner, not later.
    pub received_at: Instant,
    /// For an interaction taken over from a process that stopped answering it: what that
    /// process already acknowledged (the handler's reply then continues from there).
    pub resume: Option<Acknowledged>,
}

impl Dispatch {
    /// An event received just now, answered from the start.
    #[must_use]
    pub fn new(event: Event) -> Self {
        Self {
            event,
            received_at: Instant::now(),
            resume: None,
        }
    }

    /// Sets [`received_at`](Self::received_at).
    #[must_use]
    pub fn received_at(mut self, at: Instant) -> Self {
        self.received_at = at;
        self
    }

    /// Sets [`resume`](Self::resume).
    #[must_use]
    pub fn resume(mut self, acknowledged: Option<Acknowledged>) -> Self {
        self.resume = acknowledged;
        self
    }
}
