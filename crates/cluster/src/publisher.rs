//! The gateway role's outlet: every event the gateway forwards goes to the bot's stream, under
//! the subject of its class, shard and name, with a message id from its shard, session and
//! sequence (a republish after a crash and a resume is dropped by the stream's duplicate
//! window) and the time it was received.
//!
//! Publishes are pipelined: up to [`IN_FLIGHT`] await their acknowledgement at once, in order.
//! An event the broker did not acknowledge (it is down, restarting, or timed out) is published
//! again with the same id until it is, so a broker restart loses nothing that was read from
//! Discord; meanwhile the gateway's bounded queue fills, and past it the shard sheds (counted in
//! `novera_gateway_events_dropped_total`) rather than stall its heartbeats.

use std::collections::VecDeque;
use std::future::IntoFuture as _;
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::context::PublishAckFuture;
use bytes::Bytes;
use novera_core::{CancellationToken, ComponentHandle, within};
use novera_gateway::{Events, Forwarded};
use tokio::time::Instant;
use twilight_model::gateway::event::Event;

use crate::broker::Broker;
use crate::headers::{MESSAGE_ID, RECEIVED_AT, unix_ms_now};
use crate::subjects::{EventClass, message_id};

/// Publishes awaiting their acknowledgement at once.
pub const IN_FLIGHT: usize = 256;
/// How long one acknowledgement may take before the publish is retried.
const ACK_DEADLINE: Duration = Duration::from_secs(5);
/// NATS's default `max_payload` (1 MiB), less room for the headers.
const MAX_PAYLOAD: usize = 1024 * 1024 - 4096;
/// Backoff between retries of an unacknowledged publish.
const RETRY_AFTER: Duration = Duration::from_millis(250);

/// One publish waiting for its acknowledgement, with what it takes to send it again.
struct Pending {
    subject: String,
    headers: HeaderMap,
    payload: Bytes,
    ack: Option<PublishAckFuture>,
}

/// Publishes what the gateway forwards until its event stream ends and everything it held was
/// published (the gateway stopped). `class` says where each event goes. Events taken off the
/// queue count as held by the consumer until settled ([`InConsumer`]), so the gateway's
/// checkpoint never covers an event the broker has not acknowledged. Once `cancel` fires (a
/// stop), an event the broker keeps refusing is given up after a few tries instead of retried
/// forever (the final session save then covers it: say so in the log). `component` is ready
/// while publishing works.
pub async fn run_publisher(
    broker: Broker,
    mut events: Events,
    class: impl Fn(&Event) -> EventClass + Send,
    component: ComponentHandle,
    cancel: CancellationToken,
) {
    let held = events.in_consumer();
    let mut pending: VecDeque<Pending> = VecDeque::with_capacity(IN_FLIGHT);
    component.ready();
    loop {
        // Fill the window, then settle the oldest publish.
        while pending.len() < IN_FLIGHT {
            let next = if pending.is_empty() {
                events.recv().await
            } else {
                events.try_recv().ok()
            };
            let Some(forwarded) = next else { break };
            held.took();
            match prepare(&broker, &forwarded, class(&forwarded.event)) {
                Some(mut message) => {
                    message.ack = send(&broker, &message).await;
                    pending.push_back(message);
                }
                None => held.settled(),
            }
        }
        // Empty only when the channel closed and everything it held was published.
        let Some(mut oldest) = pending.pop_front() else {
            return;
        };
        settle(&broker, &mut oldest, &component, &cancel).await;
        held.settled();
    }
}

fn prepare(broker: &Broker, forwarded: &Forwarded, class: EventClass) -> Option<Pending> {
    // The wire format is novera-cache's: Discord's own dispatch frame, as twilight writes it.
    let name = forwarded.event.kind().name()?;
    let bytes = match novera_cache::encode(&forwarded.event) {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::warn!(%error, "an event could not be written for the broker");
            return None;
        }
    };
    if bytes.len() > MAX_PAYLOAD {
        // NATS refuses it; a worker's cache gets this state from the next snapshot.
        metrics::counter!("novera_cluster_oversized_events_total").increment(1);
        tracing::warn!(
            event = name,
            bytes = bytes.len(),
            "an event is larger than the broker's message limit; workers miss it"
        );
        return None;
    }
    let age = Instant::now().saturating_duration_since(forwarded.received_at);
    let received_unix_ms =
        unix_ms_now().saturating_sub(u64::try_from(age.as_millis()).unwrap_or(0));
    let mut headers = HeaderMap::new();
    headers.insert(
        MESSAGE_ID,
        message_id(forwarded.shard, &forwarded.session, forwarded.sequence).as_str(),
    );
    headers.insert(RECEIVED_AT, received_unix_ms.to_string().as_str());
    Some(Pending {
        subject: broker.subjects().event(class, forwarded.shard, name),
        headers,
        payload: Bytes::from(bytes),
        ack: None,
    })
}

async fn send(broker: &Broker, message: &Pending) -> Option<PublishAckFuture> {
    broker
        .jetstream()
        .publish_with_headers(
            message.subject.clone(),
            message.headers.clone(),
            message.payload.clone(),
        )
        .await
        .ok()
}

/// Waits for `message`'s acknowledgement, publishing it again (same id) until the broker
/// acknowledges it; gives up only when a stop was requested and the deadline passed.
async fn settle(
    broker: &Broker,
    message: &mut Pending,
    component: &ComponentHandle,
    cancel: &CancellationToken,
) {
    let mut failures = 0u32;
    loop {
        if let Some(ack) = message.ack.take() {
            match within(ACK_DEADLINE, ack.into_future()).await {
                Some(Ok(ack)) => {
                    metrics::counter!("novera_cluster_published_total").increment(1);
                    if ack.duplicate {
                        metrics::counter!("novera_cluster_duplicates_dropped_total").increment(1);
                    }
                    if failures > 0 {
                        component.ready();
                    }
                    return;
                }
                Some(Err(error)) => tracing::debug!(%error, "publish not acknowledged"),
                None => tracing::debug!("publish acknowledgement timed out"),
            }
        }
        failures += 1;
        metrics::counter!("novera_cluster_publish_retries_total").increment(1);
        if failures == 3 {
            tracing::warn!(
                subject = message.subject,
                "the broker does not acknowledge publishes; retrying until it does"
            );
            component.down("the broker does not acknowledge publishes");
        }
        if cancel.is_cancelled() && failures > 3 {
            tracing::error!(
                subject = message.subject,
                "stopping with an event the broker never acknowledged; it is replayed from the saved session"
            );
            return;
        }
        if within(RETRY_AFTER, cancel.cancelled()).await.is_some() && failures > 3 {
            return;
        }
        message.ack = send(broker, message).await;
    }
}
