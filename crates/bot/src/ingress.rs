//! `RouterIngress`: the interactions endpoint's sink over the router, so an interaction posted
//! over HTTP goes through exactly what a gateway one goes through (cache, waiters, then
//! `Router::dispatch` with the same auto-defer, deadlines, isolation and shedding), with its
//! initial response handed back for the HTTP answer.

use std::sync::Arc;

use novera_commands::{Dispatch, HttpAnswer, Router};
use novera_gateway::{Cache, Standby};
use novera_interactions::{Delivery, InteractionSink};
use twilight_model::gateway::event::Event;
use twilight_model::gateway::payload::incoming::InteractionCreate;

/// Feeds interactions from an interactions endpoint into a router. It is independent of how
/// the router's other events arrive: a standalone bot gives it the gateway's cache and
/// standby, a worker its own.
#[derive(Clone)]
pub struct RouterIngress {
    router: Router,
    cache: Arc<Cache>,
    standby: Arc<Standby>,
}

impl std::fmt::Debug for RouterIngress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterIngress")
            .field("router", &self.router)
            .finish_non_exhaustive()
    }
}

impl RouterIngress {
    /// Delivers to `router`, updating `cache` and running `standby` first, as a shard does.
    #[must_use]
    pub fn new(router: Router, cache: Arc<Cache>, standby: Arc<Standby>) -> Self {
        Self {
            router,
            cache,
            standby,
        }
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
        self.cache.update(&event);
        self.standby.process(&event);
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
