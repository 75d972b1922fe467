//! `RouterIngress`: the interactions endpoint's sink over the router, so an interaction posted
//! over HTTP goes through exactly what a gateway one goes through (the router's cache and
//! waiters, then `Router::dispatch` with the same auto-defer, deadlines, isolation and
//! shedding), with its initial response handed back for the HTTP answer.

use novera_commands::{Dispatch, HttpAnswer, Router};
use novera_interactions::{Delivery, InteractionSink};
use twilight_model::gateway::event::Event;
use twilight_model::gateway::payload::incoming::InteractionCreate;

/// Feeds interactions from an interactions endpoint into a router, whatever feeds its other
/// events (a standalone bot's shards, a worker's broker consumers): the router's own cache and
/// standby see each interaction first.
#[derive(Debug, Clone)]
pub struct RouterIngress {
    router: Router,
}

impl RouterIngress {
    /// Delivers to `router`, updating its cache and running its standby first, as a shard does.
    #[must_use]
    pub fn new(router: Router) -> Self {
        Self { router }
    }
}

impl InteractionSink for RouterIngress {
    fn deliver(&self, delivery: Delivery) {
        let Delivery {
            interaction,
            received_at,
            answer,
            written,
            ..
        } = delivery;
        let event = Event::InteractionCreate(Box::new(InteractionCreate(interaction)));
        // The gateway's order: the cache and the waiters see the event before the router, so
        // a click a waiter claims is left to it (component waits rely on that).
        self.router.cache().update(&event);
        self.router.standby().process(&event);
        // Never blocks; the handle is only for callers that await the answer.
        drop(
            self.router.dispatch(
                Dispatch::new(event)
                    .received_at(received_at)
                    .answer_over_http(HttpAnswer::new(answer, written)),
            ),
        );
    }
}
