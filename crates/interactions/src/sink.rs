//! `InteractionSink`: where verified interactions go. The endpoint knows nothing of the router
//! or of how it is fed (in-process, or a worker behind a load balancer); whoever assembles the
//! bot implements this.

use tokio::sync::oneshot;
use tokio::time::Instant;
use twilight_model::application::interaction::Interaction;
use twilight_model::http::interaction::InteractionResponse;

/// One verified interaction (never a PING: the endpoint answers those itself).
#[derive(Debug)]
#[non_exhaustive]
pub struct Delivery {
    /// The interaction, parsed by twilight-model.
    pub interaction: Interaction,
    /// When the request's body was read: Discord's 3 s window is counted from here.
    pub received_at: Instant,
    /// Where the initial response goes: the endpoint sends it as the HTTP answer while it
    /// waits. Sending fails once it stopped waiting (it deferred itself); the response then
    /// goes over REST. Dropping it unsent makes the endpoint answer with an empty 204 (the
    /// REST callback answers, or nothing does).
    pub answer: oneshot::Sender<InteractionResponse>,
    /// Completes, or fails as dropped, once the HTTP answer carrying the response was written
    /// (or the connection ended): a REST call that builds on the response (an edit of
    /// `@original`, a follow-up) waits for it, so it does not reach Discord first.
    pub written: oneshot::Receiver<()>,
}

/// Takes verified interactions; called on the request's task, so it must not block (the
/// router's `dispatch` never does).
pub trait InteractionSink: Send + Sync + 'static {
    /// Hands `delivery` on.
    fn deliver(&self, delivery: Delivery);
}

impl<F> InteractionSink for F
where
    F: Fn(Delivery) + Send + Sync + 'static,
{
    fn deliver(&self, delivery: Delivery) {
        self(delivery);
    }
}
