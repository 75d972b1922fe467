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
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::context::PublishAckFuture;
use bytes::Bytes;
use novera_core::{CancellationToken, ComponentHandle, within};
use tokio::sync::mpsc;
use twilight_model::gateway::event::Event;

use crate::broker::Broker;
use crate::headers::{MESSAGE_ID, RECEIVED_AT, unix_ms_now};
use crate::subjects::{EventClass, message_id};

/// Publishes awaiting their acknowledgement at once.
pub const IN_FLIGHT: usize = 256;
/// How long one acknowledgement may take before the publish is retried.
const ACK_DEADLINE: Duration = Duration::from_secs(5);
/// Backoff between retries of an unacknowledged publish.
const RETRY_AFTER: Duration = Duration::from_millis(250);

/// One event the gateway hands to the publisher.
#[derive(Debug)]
pub struct Outgoing {
    /// The shard it came from.
    pub shard: u32,
    /// Its session, for the message id.
    pub session: Arc<str>,
    /// Its sequence number.
    pub sequence: u64,
    /// When the shard received it, in milliseconds since the Unix epoch.
    pub received_unix_ms: u64,
    /// Where it goes.
    pub class: EventClass,
    /// The event.
    pub event: Event,
}

/// One publish waiting for its acknowledgement, with what it takes to send it again.
struct Pending {
    subject: String,
    headers: HeaderMap,
    payload: Bytes,
    ack: Option<PublishAckFuture>,
}

/// Publishes what arrives on `events` until the channel closes and everything it held was
/// published (the gateway stopped). Once `cancel` fires (a stop), an event the broker keeps
/// refusing is given up after a few tries instead of retried forever; it stays in Discord's
/// session and is replayed on the next RESUME. `consumed` counts events whose publish was
/// settled. `component` is ready while publishing works.
pub async fn run_publisher(
    broker: Broker,
    mut events: mpsc::Receiver<Outgoing>,
    consumed: Arc<AtomicU64>,
    component: ComponentHandle,
    cancel: CancellationToken,
) {
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
            let Some(outgoing) = next else { break };
            match prepare(&broker, &outgoing) {
                Some(mut message) => {
                    message.ack = send(&broker, &message).await;
                    pending.push_back(message);
                }
                None => {
                    consumed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        // Empty only when the channel closed and everything it held was published.
        let Some(mut oldest) = pending.pop_front() else {
            return;
        };
        settle(&broker, &mut oldest, &component, &cancel).await;
        consumed.fetch_add(1, Ordering::Relaxed);
    }
}

fn prepare(broker: &Broker, outgoing: &Outgoing) -> Option<Pending> {
    // The wire format is novera-cache's: Discord's own dispatch frame, as twilight writes it.
    let name = outgoing.event.kind().name()?;
    let bytes = match novera_cache::encode(&outgoing.event) {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::warn!(%error, "an event could not be written for the broker");
            return None;
        }
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        MESSAGE_ID,
        message_id(outgoing.shard, &outgoing.session, outgoing.sequence).as_str(),
    );
    headers.insert(RECEIVED_AT, outgoing.received_unix_ms.to_string().as_str());
    Some(Pending {
        subject: broker
            .subjects()
            .event(outgoing.class, outgoing.shard, name),
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

/// The receive time of an event taken now, for [`Outgoing::received_unix_ms`].
#[must_use]
pub fn received_now() -> u64 {
    unix_ms_now()
}
