//! `Dispatch`: one event handed to the router, with when it was received and, for an
//! interaction another process started answering, how far that got; and `Ingress`, the way it
//! arrived (the gateway, or an interactions endpoint that takes the initial response as its
//! HTTP answer).

use tokio::sync::oneshot;
use tokio::time::Instant;
use twilight_model::gateway::event::Event;
use twilight_model::http::interaction::InteractionResponse;

use crate::ledger::Acknowledged;

/// How an event reached the bot: the `ingress` label of the command metrics and the
/// per-ingress counts of [`RouterStats`](crate::RouterStats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Ingress {
    /// A gateway event (directly from a shard, or through a broker from one).
    #[default]
    Gateway,
    /// An interaction posted to the bot's interactions endpoint.
    Http,
    /// A durable timer of the command state firing (never a [`Dispatch`]'s).
    Timer,
}

impl Ingress {
    /// The metric label: `gateway`, `http` or `timer`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Gateway => "gateway",
            Self::Http => "http",
            Self::Timer => "timer",
        }
    }
}

/// Where the initial response of an interaction that arrived over HTTP goes: the interactions
/// endpoint's HTTP answer.
#[derive(Debug)]
#[non_exhaustive]
pub struct HttpAnswer {
    /// Takes the initial response while the endpoint waits for it. Once the endpoint stopped
    /// waiting (it deferred itself) sending fails, and the response goes over REST.
    pub response: oneshot::Sender<InteractionResponse>,
    /// Completes (or is dropped) once the endpoint wrote its answer: the responder's next
    /// REST call about the interaction waits for it, so that it does not reach Discord before
    /// the response it builds on.
    pub written: oneshot::Receiver<()>,
}

impl HttpAnswer {
    /// The two ends the endpoint hands over.
    #[must_use]
    pub fn new(
        response: oneshot::Sender<InteractionResponse>,
        written: oneshot::Receiver<()>,
    ) -> Self {
        Self { response, written }
    }
}

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
    /// How the event arrived.
    pub ingress: Ingress,
    /// For an interaction posted to an interactions endpoint: where its initial response goes
    /// (the endpoint sends it as the HTTP answer). Everything after it goes over REST, and so
    /// does the initial response itself once the endpoint stopped waiting.
    pub http_answer: Option<HttpAnswer>,
}

impl Dispatch {
    /// An event received just now from the gateway, answered from the start.
    #[must_use]
    pub fn new(event: Event) -> Self {
        Self {
            event,
            received_at: Instant::now(),
            resume: None,
            ingress: Ingress::Gateway,
            http_answer: None,
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

    /// An interaction that arrived over HTTP: its initial response is sent through `answer`
    /// instead of the REST callback (sets [`ingress`](Self::ingress) to [`Ingress::Http`]).
    #[must_use]
    pub fn answer_over_http(mut self, answer: HttpAnswer) -> Self {
        self.ingress = Ingress::Http;
        self.http_answer = Some(answer);
        self
    }
}
