//! Each worker's own view of every event: an ordered, ephemeral consumer of the whole stream
//! that feeds the worker's cache and waiters (twilight-standby), as a gateway's shard runner
//! does in a single process.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::consumer::{DeliverPolicy, pull};
use futures_util::StreamExt as _;
use novera_cache::Cache;
use novera_core::{CancellationToken, ComponentHandle, within};
use twilight_standby::Standby;

use crate::broker::Broker;
use crate::error::ConnectError;
use crate::snapshot::request_snapshots;

/// After a broken consumer, wait this long before creating it again.
const RETRY_AFTER: Duration = Duration::from_millis(500);

/// Feeds `cache` and `standby` from every event published from now on, until `cancel` fires.
///
/// The consumer is created first; then, with `sync`, the cache is filled from the gateways'
/// snapshots (bounded by `sync`) before the events that arrived meanwhile are applied, so the
/// worker's cache ends up as the gateways' are. `started` is cancelled once the cache is ready.
pub async fn run_fanout(
    broker: Broker,
    cache: Arc<Cache>,
    standby: Arc<Standby>,
    component: ComponentHandle,
    mut sync: Option<Duration>,
    started: CancellationToken,
    cancel: CancellationToken,
) -> Result<(), ConnectError> {
    let stream = broker.events_stream().await?;
    let mut deliver = DeliverPolicy::New;
    let mut last_sequence = 0;
    while !cancel.is_cancelled() {
        let config = pull::OrderedConfig {
            description: Some("one worker's cache and waiters".to_owned()),
            deliver_policy: deliver,
            ..pull::OrderedConfig::default()
        };
        let messages = match stream.create_consumer(config).await {
            Ok(consumer) => consumer.messages().await.map_err(|e| e.to_string()),
            Err(error) => Err(error.to_string()),
        };
        let mut messages = match messages {
            Ok(messages) => messages,
            Err(error) => {
                component.down(format!("cannot read the event stream: {error}"));
                tracing::warn!(%error, "cannot create the fan-out consumer; retrying");
                if within(RETRY_AFTER, cancel.cancelled()).await.is_some() {
                    break;
                }
                continue;
            }
        };
        if let Some(deadline) = sync.take() {
            match request_snapshots(&broker, &cache, deadline).await {
                Ok(outcome) if outcome.complete() => tracing::info!(
                    events = outcome.events,
                    shards = outcome.total,
                    "cache filled from the gateways' snapshots"
                ),
                Ok(outcome) => tracing::warn!(
                    events = outcome.events,
                    answered = ?outcome.shards,
                    total = outcome.total,
                    "not every gateway sent its cache in time; the cache fills from live events"
                ),
                Err(error) => tracing::warn!(%error, "could not ask the gateways for their caches"),
            }
        }
        started.cancel();
        component.ready();
        loop {
            let next = tokio::select! {
                biased;
                () = cancel.cancelled() => return Ok(()),
                next = messages.next() => next,
            };
            let message = match next {
                Some(Ok(message)) => message,
                Some(Err(error)) => {
                    tracing::warn!(%error, "fan-out consumer error; resuming after the last event");
                    component.degraded(format!("fan-out consumer: {error}"));
                    break;
                }
                None => break,
            };
            if let Ok(info) = message.info() {
                last_sequence = info.stream_sequence;
            }
            match novera_cache::decode(&message.payload) {
                Ok(event) => {
                    cache.update(&event);
                    standby.process(&event);
                }
                Err(error) => {
                    tracing::warn!(%error, "skipping a published event no worker can read");
                }
            }
        }
        // A new ordered consumer resumes right after what this one delivered.
        deliver = DeliverPolicy::ByStartSequence {
            start_sequence: last_sequence + 1,
        };
    }
    Ok(())
}
