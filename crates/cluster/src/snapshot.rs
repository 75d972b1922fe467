//! Cache snapshots over the broker: each gateway answers a worker's request with its cache as
//! events (novera-cache's [`snapshot`](novera_cache::snapshot)); the worker applies them to its
//! empty cache before the live events it buffered meanwhile.
//!
//! The request goes to `novera.<bot>.gateway.snapshot` with a reply inbox; every gateway
//! streams its events there, then an end marker naming its shards and the shard total. The
//! worker waits until the markers cover every shard (or a deadline passes: then it goes on with
//! what it got, and says so).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use async_nats::HeaderMap;
use bytes::Bytes;
use futures_util::StreamExt as _;
use novera_cache::Cache;
use novera_core::{CancellationToken, within};
use tokio::time::Instant;

use crate::broker::Broker;

/// Header of the end marker: `<shard ids, comma-separated>/<shard total>`.
const END: &str = "Novera-Snapshot-End";
/// Events sent between two flushes, so a large snapshot does not pile up in the client.
const FLUSH_EVERY: usize = 64;

/// Answers snapshot requests with `cache` for `shards` of `total`, until `cancel` fires.
pub async fn serve_snapshots(
    broker: Broker,
    cache: Arc<Cache>,
    shards: Vec<u32>,
    total: u32,
    cancel: CancellationToken,
) -> Result<(), async_nats::SubscribeError> {
    let mut requests = broker
        .client()
        .subscribe(broker.subjects().snapshot())
        .await?;
    let marker = format!(
        "{}/{total}",
        shards
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    );
    loop {
        let request = tokio::select! {
            () = cancel.cancelled() => return Ok(()),
            request = requests.next() => request,
        };
        let Some(request) = request else {
            return Ok(());
        };
        let Some(reply) = request.reply else { continue };
        let started = Instant::now();
        let sent = send_snapshot(&broker, &cache, &reply, &marker).await;
        match sent {
            Ok(events) => tracing::info!(
                events,
                took_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                "sent a cache snapshot to a worker"
            ),
            Err(error) => tracing::warn!(%error, "could not send a cache snapshot"),
        }
    }
}

async fn send_snapshot(
    broker: &Broker,
    cache: &Cache,
    reply: &async_nats::Subject,
    marker: &str,
) -> Result<usize, async_nats::Error> {
    // Encoded in batches off the cache's locks, sent between batches.
    let mut events = novera_cache::snapshot(cache);
    let mut sent = 0;
    loop {
        let batch: Vec<Vec<u8>> = events
            .by_ref()
            .take(FLUSH_EVERY)
            .filter_map(|event| novera_cache::encode(&event).ok())
            .collect();
        if batch.is_empty() {
            break;
        }
        for bytes in batch {
            broker
                .client()
                .publish(reply.clone(), Bytes::from(bytes))
                .await?;
            sent += 1;
        }
        broker.client().flush().await?;
        tokio::task::yield_now().await;
    }
    let mut headers = HeaderMap::new();
    headers.insert(END, marker);
    broker
        .client()
        .publish_with_headers(reply.clone(), headers, Bytes::new())
        .await?;
    broker.client().flush().await?;
    Ok(sent)
}

/// What a worker got from the gateways.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotOutcome {
    /// Events applied.
    pub events: usize,
    /// Shards covered by the gateways that answered.
    pub shards: BTreeSet<u32>,
    /// The shard total the gateways reported (0 when none answered).
    pub total: u32,
}

impl SnapshotOutcome {
    /// Whether every shard's gateway answered.
    #[must_use]
    pub fn complete(&self) -> bool {
        self.total > 0 && self.shards.len() == self.total as usize
    }
}

/// Asks every gateway for its cache and applies what arrives to `cache`, until every shard is
/// covered or `deadline` passed.
pub async fn request_snapshots(
    broker: &Broker,
    cache: &Cache,
    deadline: Duration,
) -> Result<SnapshotOutcome, async_nats::Error> {
    let inbox = broker.client().new_inbox();
    let mut replies = broker.client().subscribe(inbox.clone()).await?;
    broker
        .client()
        .publish_with_reply(broker.subjects().snapshot(), inbox, Bytes::new())
        .await?;
    broker.client().flush().await?;
    let mut outcome = SnapshotOutcome {
        events: 0,
        shards: BTreeSet::new(),
        total: 0,
    };
    let until = Instant::now() + deadline;
    while !outcome.complete() {
        let left = until.saturating_duration_since(Instant::now());
        let Some(Some(message)) = within(left, replies.next()).await else {
            break;
        };
        if let Some(end) = message.headers.as_ref().and_then(|h| h.get(END)) {
            let (shards, total) = end.as_str().split_once('/').unwrap_or(("", "0"));
            outcome.total = total.parse().unwrap_or(outcome.total);
            outcome
                .shards
                .extend(shards.split(',').filter_map(|s| s.parse::<u32>().ok()));
            continue;
        }
        match novera_cache::decode(&message.payload) {
            Ok(event) => {
                cache.update(&event);
                outcome.events += 1;
            }
            Err(error) => tracing::warn!(%error, "skipping an unreadable snapshot event"),
        }
    }
    Ok(outcome)
}
