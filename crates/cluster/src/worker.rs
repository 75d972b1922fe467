//! The worker role's intake: the shared durable pull consumer (each event to one worker), the
//! interaction ledger, and the router.
//!
//! Each work item is claimed in the ledger, dispatched to the router with the gateway's receive
//! time, kept alive with "in progress" acknowledgements while its handler runs, and
//! acknowledged when it is answered. A worker that dies mid-command stops sending progress: the
//! broker redelivers after `ack_wait` to another worker, which takes the ledger entry over and
//! continues from what was acknowledged (a deferral becomes an edit of `@original`). Discord's
//! 3 s window is counted from the receive time, so the taking-over worker defers at once if it
//! must.

use std::future::IntoFuture as _;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, pull};
use async_nats::jetstream::{AckKind, Message};
use futures_util::StreamExt as _;
use novera_commands::{Acknowledged, Claim, Dispatch, InteractionLedger as _, Router};
use novera_core::{CancellationToken, ComponentHandle, Shutdown, within};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use twilight_model::application::interaction::InteractionType;
use twilight_model::channel::message::MessageFlags;
use twilight_model::gateway::event::Event;
use twilight_model::id::Id;
use twilight_model::id::marker::ApplicationMarker;

use crate::broker::Broker;
use crate::error::ConnectError;
use crate::headers::received_at;
use crate::ledger::KvLedger;

/// Events a worker has pulled but not yet started (bounds what another worker could have taken).
const PULL_BATCH: usize = 16;
/// How long a click waits before the router may claim it: a waiter (on any worker) that
/// matches it claims it first through the ledger.
pub const COMPONENT_GRACE: Duration = Duration::from_millis(250);
/// How often the consumer's lag is read for the metrics.
const LAG_EVERY: Duration = Duration::from_secs(5);
/// After a broken pull, wait this long before pulling again.
const REPULL_AFTER: Duration = Duration::from_millis(500);

/// Runs the shared work consumer until `cancel` fires; in-flight items are tracked by
/// `shutdown` (each is acknowledged when its answer is done), so the drain waits for them.
///
/// `component` is ready while the consumer is bound.
pub async fn run_work(
    broker: Broker,
    router: Router,
    ledger: Arc<KvLedger>,
    discord: Discord,
    shutdown: Shutdown,
    component: ComponentHandle,
    cancel: CancellationToken,
) -> Result<(), ConnectError> {
    let settings = broker.settings().clone();
    let stream = broker.events_stream().await?;
    let config = pull::Config {
        durable_name: Some(settings.consumer.clone()),
        description: Some("workers of the bot: each event to one of them".to_owned()),
        filter_subject: broker.subjects().work_filter(),
        ack_policy: AckPolicy::Explicit,
        ack_wait: settings.ack_wait,
        // A consumer created now starts with what arrives now: older interactions are
        // expired anyway. An existing consumer keeps its position.
        deliver_policy: DeliverPolicy::New,
        max_ack_pending: 10_000,
        // An event no worker could handle in this many tries is given up (and logged).
        max_deliver: 10,
        ..pull::Config::default()
    };
    let consumer = stream
        .get_or_create_consumer(&settings.consumer, config)
        .await
        .map_err(|e| ConnectError::JetStream {
            what: format!("consumer {}", settings.consumer),
            reason: novera_core::error_chain(&e),
        })?;
    // Consumer lag, for operators: events waiting for any worker, and ones delivered but not
    // yet acknowledged.
    let lag = consumer.clone();
    let lag_cancel = cancel.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(LAG_EVERY);
        loop {
            tokio::select! {
                () = lag_cancel.cancelled() => return,
                _ = tick.tick() => {}
            }
            if let Ok(info) = lag.get_info().await {
                #[allow(clippy::cast_precision_loss, reason = "a gauge of counts")]
                {
                    metrics::gauge!("novera_cluster_consumer_pending").set(info.num_pending as f64);
                    metrics::gauge!("novera_cluster_consumer_ack_pending")
                        .set(info.num_ack_pending as f64);
                }
            }
        }
    });
    let intake = Intake {
        router,
        ledger,
        discord,
        shutdown: shutdown.clone(),
        progress_every: settings.ack_wait / 3,
    };
    while !cancel.is_cancelled() {
        let pulled = consumer
            .stream()
            .max_messages_per_batch(PULL_BATCH)
            .heartbeat(Duration::from_secs(2))
            .expires(Duration::from_secs(5))
            .messages()
            .await;
        let mut messages = match pulled {
            Ok(messages) => messages,
            Err(error) => {
                component.down(format!("cannot pull from the work consumer: {error}"));
                tracing::warn!(%error, "cannot pull from the work consumer; retrying");
                if within(REPULL_AFTER, cancel.cancelled()).await.is_some() {
                    break;
                }
                continue;
            }
        };
        component.ready();
        loop {
            let next = tokio::select! {
                biased;
                () = cancel.cancelled() => break,
                next = messages.next() => next,
            };
            match next {
                Some(Ok(message)) => intake.take(message),
                Some(Err(error)) => {
                    tracing::warn!(%error, "work consumer error; pulling again");
                    component.degraded(format!("work consumer: {error}"));
                    break;
                }
                None => break,
            }
        }
    }
    component.down("stopped pulling work");
    Ok(())
}

/// What a worker needs to ask Discord whether an interaction it takes over was answered.
#[derive(Debug, Clone)]
pub struct Discord {
    /// The REST client.
    pub http: Arc<twilight_http::Client>,
    /// The application.
    pub application_id: Id<ApplicationMarker>,
}

struct Intake {
    router: Router,
    ledger: Arc<KvLedger>,
    discord: Discord,
    shutdown: Shutdown,
    progress_every: Duration,
}

impl Intake {
    fn take(&self, message: Message) {
        let event = match novera_cache::decode(&message.payload) {
            Ok(event) => event,
            Err(error) => {
                tracing::warn!(%error, "dropping a published event no worker can read");
                metrics::counter!("novera_cluster_malformed_events_total").increment(1);
                let shutdown = self.shutdown.clone();
                shutdown.spawn("cluster: terminate unreadable event", async move {
                    let _ = message.ack_with(AckKind::Term).await;
                });
                return;
            }
        };
        let delivery = message
            .info()
            .map_or(1, |info| u64::try_from(info.delivered).unwrap_or(1));
        let redelivered = delivery > 1;
        if redelivered {
            metrics::counter!("novera_cluster_redeliveries_total").increment(1);
        }
        let received = received_at(message.headers.as_ref());
        let router = self.router.clone();
        let ledger = Arc::clone(&self.ledger);
        let discord = self.discord.clone();
        let progress_every = self.progress_every;
        self.shutdown.spawn("cluster: work item", async move {
            let Some(resume) = claim(&ledger, &discord, &event, delivery, received).await else {
                ack(&message).await;
                return;
            };
            let answering =
                router.dispatch(Dispatch::new(event).received_at(received).resume(resume));
            if let Some(answering) = answering {
                keep_alive(&message, answering, progress_every).await;
            }
            ack(&message).await;
        });
    }
}

/// Claims the event's interaction or message: `None` when there is nothing to do (another
/// worker owns it, or the worker it is taken over from already answered it), else what to
/// resume from.
async fn claim(
    ledger: &KvLedger,
    discord: &Discord,
    event: &Event,
    delivery: u64,
    received: Instant,
) -> Option<Option<Acknowledged>> {
    let claimed = match event {
        Event::InteractionCreate(created) => {
            if created.kind == InteractionType::MessageComponent && delivery <= 1 {
                // Waiters get the first chance at a click.
                tokio::time::sleep_until(received + COMPONENT_GRACE).await;
            }
            ledger.claim(created.id, delivery).await
        }
        Event::MessageCreate(created) => ledger.claim_message(created.id, delivery).await,
        _ => Ok(Claim::Fresh),
    };
    match claimed {
        Ok(Claim::Elsewhere) => None,
        Ok(Claim::TakenOver(ack)) => resume_from(discord, event, ack).await,
        Ok(_) => Some(None),
        Err(error) => {
            // Answering without the ledger risks a second answer (Discord refuses it with
            // 40060, handled as already answered); not answering loses the command.
            tracing::warn!(%error, "interaction ledger unavailable; answering anyway");
            Some(None)
        }
    }
}

/// What a takeover continues from. A deferral is continued (the answer edits `@original`); an
/// interaction already answered is left alone, so its user never gets the answer twice. When
/// the previous worker recorded nothing, it may still have answered just before it stopped:
/// Discord is asked (`@original` exists once a response was accepted), because a second
/// initial response would be refused with 40060.
async fn resume_from(
    discord: &Discord,
    event: &Event,
    ack: Option<Acknowledged>,
) -> Option<Option<Acknowledged>> {
    match ack {
        Some(Acknowledged::Deferred { ephemeral }) => {
            return Some(Some(Acknowledged::Deferred { ephemeral }));
        }
        Some(_) => {
            tracing::info!("a taken-over interaction was already answered; not running it again");
            return None;
        }
        None => {}
    }
    let Event::InteractionCreate(created) = event else {
        return Some(None);
    };
    match created.kind {
        // Choices are only useful while the user types: a late second answer helps nobody.
        InteractionType::ApplicationCommandAutocomplete => return None,
        InteractionType::ApplicationCommand | InteractionType::ModalSubmit => {}
        _ => return Some(None),
    }
    let original = within(
        Duration::from_secs(5),
        discord
            .http
            .interaction(discord.application_id)
            .response(&created.token)
            .into_future(),
    )
    .await;
    let Some(Ok(response)) = original else {
        return Some(None);
    };
    let Ok(message) = response.model().await else {
        return Some(None);
    };
    let flags = message.flags.unwrap_or_else(MessageFlags::empty);
    if flags.contains(MessageFlags::LOADING) {
        Some(Some(Acknowledged::Deferred {
            ephemeral: flags.contains(MessageFlags::EPHEMERAL),
        }))
    } else {
        tracing::info!("a taken-over interaction was already answered; not running it again");
        None
    }
}

/// Tells the broker the item is still being worked on until its answer is done, so a long
/// handler is not redelivered while this worker lives.
async fn keep_alive(message: &Message, mut answering: JoinHandle<()>, every: Duration) {
    let mut tick = tokio::time::interval_at(Instant::now() + every, every);
    loop {
        tokio::select! {
            _ = &mut answering => return,
            _ = tick.tick() => {
                if let Err(error) = message.ack_with(AckKind::Progress).await {
                    tracing::debug!(%error, "could not extend a work item's acknowledgement deadline");
                }
            }
        }
    }
}

async fn ack(message: &Message) {
    if let Err(error) = message.ack().await {
        // The broker will redeliver; the ledger makes the next worker skip it.
        tracing::debug!(%error, "could not acknowledge a work item");
    }
}
