//! `SharedInvalidRequests`: novera-core's `InvalidRequestLog` kept by every process of a bot
//! together, so the REST guard of each one brakes on the bot's count, which is what Discord
//! bans on (10,000 invalid requests in 10 minutes per bot, not per process).
//!
//! Each process counts in its own window at once (request paths never wait on the broker) and
//! publishes every entry to a stream (`<stream>_INVALID`, subject
//! `novera.<bot>.rest.invalid`) that keeps exactly one window of them. Each process reads the
//! stream with an ordered consumer from its start, so a process that starts, or restarts, late
//! knows the bot's count at once; entries of others are added at the time they were made.
//! While the broker is away, a process counts its own only and publishes again when it is back
//! (entries made meanwhile are published late, with their own time).

use std::sync::{Arc, Weak};
use std::time::Duration;

use async_nats::jetstream::consumer::{DeliverPolicy, pull};
use async_nats::jetstream::stream;
use bytes::Bytes;
use futures_util::StreamExt as _;
use novera_core::{
    CancellationToken, InvalidRequest, InvalidRequestLog, InvalidRequestSummary,
    InvalidRequestWindow,
};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::broker::Broker;
use crate::error::ConnectError;
use crate::headers::{instant_of, unix_ms_now};

/// Entries waiting to be published at most (beyond, the oldest unpublished are only local).
const QUEUE: usize = 4_096;
/// After a broken consumer or a failed publish, wait this long.
const RETRY_AFTER: Duration = Duration::from_millis(500);
/// The stream keeps at most this many entries (far above Discord's 10,000).
const MAX_ENTRIES: i64 = 200_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    origin: String,
    at_ms: u64,
    status: u16,
    code: Option<u64>,
    route: String,
    description: String,
}

/// The bot's invalid requests, counted by all its processes; see the module docs.
#[derive(Debug)]
pub struct SharedInvalidRequests {
    window: Arc<InvalidRequestWindow>,
    origin: String,
    outbox: mpsc::Sender<Entry>,
    /// Stops the reader when the log is dropped.
    reading: CancellationToken,
}

impl Drop for SharedInvalidRequests {
    fn drop(&mut self) {
        self.reading.cancel();
    }
}

impl SharedInvalidRequests {
    /// Joins the count of `broker`'s bot over `window` (Discord's: 10 minutes) as `origin`
    /// (this process's unique name), reading what the other processes counted in the window.
    pub async fn start(
        broker: &Broker,
        window: Duration,
        origin: impl Into<String>,
    ) -> Result<Self, ConnectError> {
        let settings = broker.settings();
        let subject = format!("novera.{}.rest.invalid", settings.bot);
        let name = format!("{}_INVALID", settings.stream);
        let config = stream::Config {
            name: name.clone(),
            subjects: vec![subject.clone()],
            retention: stream::RetentionPolicy::Limits,
            storage: stream::StorageType::File,
            discard: stream::DiscardPolicy::Old,
            max_age: window,
            max_messages: MAX_ENTRIES,
            description: Some(format!(
                "invalid REST requests of bot {} (one window)",
                settings.bot
            )),
            ..stream::Config::default()
        };
        let failed = |reason: String| ConnectError::JetStream {
            what: format!("stream {name}"),
            reason,
        };
        broker
            .jetstream()
            .create_or_update_stream(config)
            .await
            .map_err(|e| failed(novera_core::error_chain(&e)))?;
        let stream = broker
            .jetstream()
            .get_stream(&name)
            .await
            .map_err(|e| failed(novera_core::error_chain(&e)))?;
        let window = Arc::new(InvalidRequestWindow::new(window));
        let origin = origin.into();
        let (outbox, queued) = mpsc::channel(QUEUE);
        tokio::spawn(publish(broker.clone(), subject, queued));
        let reading = CancellationToken::new();
        tokio::spawn(read(
            stream,
            Arc::downgrade(&window),
            origin.clone(),
            reading.clone(),
        ));
        Ok(Self {
            window,
            origin,
            outbox,
            reading,
        })
    }
}

impl InvalidRequestLog for SharedInvalidRequests {
    fn record(&self, request: InvalidRequest) {
        let entry = Entry {
            origin: self.origin.clone(),
            at_ms: unix_ms_now(),
            status: request.status,
            code: request.code,
            route: request.route.clone(),
            description: request.description.clone(),
        };
        self.window.record(request);
        if self.outbox.try_send(entry).is_err() {
            metrics::counter!("novera_cluster_invalid_requests_unshared_total").increment(1);
        }
    }

    fn summary(&self, top: usize) -> InvalidRequestSummary {
        self.window.summary(top)
    }
}

/// Publishes this process's entries until the log is dropped.
async fn publish(broker: Broker, subject: String, mut queued: mpsc::Receiver<Entry>) {
    while let Some(entry) = queued.recv().await {
        let Ok(payload) = serde_json::to_vec(&entry) else {
            continue;
        };
        let payload = Bytes::from(payload);
        // Stored once the broker acknowledges it; retried while it is away.
        loop {
            let sent = match broker
                .jetstream()
                .publish(subject.clone(), payload.clone())
                .await
            {
                Ok(ack) => ack.await.map(drop).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match sent {
                Ok(()) => break,
                Err(error) => {
                    tracing::debug!(%error, "could not share an invalid request; retrying");
                    tokio::time::sleep(RETRY_AFTER).await;
                }
            }
        }
    }
}

/// Adds the other processes' entries to `window` until the log is dropped.
async fn read(
    stream: stream::Stream,
    window: Weak<InvalidRequestWindow>,
    origin: String,
    cancel: CancellationToken,
) {
    let mut deliver = DeliverPolicy::All;
    let mut last_sequence = 0;
    while !cancel.is_cancelled() {
        let config = pull::OrderedConfig {
            description: Some("one process's view of the bot's invalid requests".to_owned()),
            deliver_policy: deliver,
            ..pull::OrderedConfig::default()
        };
        let messages = match stream.create_consumer(config).await {
            Ok(consumer) => consumer.messages().await.map_err(|e| e.to_string()),
            Err(error) => Err(error.to_string()),
        };
        match messages {
            Ok(mut messages) => loop {
                let next = tokio::select! {
                    biased;
                    () = cancel.cancelled() => return,
                    next = messages.next() => next,
                };
                let Some(Ok(message)) = next else { break };
                if let Ok(info) = message.info() {
                    last_sequence = info.stream_sequence;
                }
                let Some(window) = window.upgrade() else {
                    return;
                };
                let Ok(entry) = serde_json::from_slice::<Entry>(&message.payload) else {
                    tracing::debug!("skipping an invalid-request entry no process can read");
                    continue;
                };
                if entry.origin != origin {
                    window.record_at(
                        InvalidRequest::new(entry.status, entry.route)
                            .code(entry.code)
                            .description(entry.description),
                        instant_of(entry.at_ms),
                    );
                }
            },
            Err(error) => {
                tracing::debug!(%error, "cannot read the bot's invalid requests; retrying");
            }
        }
        if novera_core::within(RETRY_AFTER, cancel.cancelled())
            .await
            .is_some()
        {
            return;
        }
        if last_sequence > 0 {
            deliver = DeliverPolicy::ByStartSequence {
                start_sequence: last_sequence + 1,
            };
        }
    }
}
