//! `ShardRunner`: the one task that owns a twilight `Shard`, polls it, and hands events on
//! without ever awaiting anyone.
//!
//! Heartbeats are sent from inside the shard's poll, so a runner that awaited a slow handler
//! would stop heartbeating and Discord would drop the session: the exact failure this crate
//! exists to prevent. The runner therefore only does cheap inline work per event (cache update,
//! standby, counters) and `try_send`s the event to a bounded queue, shedding with a metric when
//! the consumer is behind. A consumer that must lose nothing (the gateway role's publisher)
//! sets `GatewayConfig::wait_for_room`: the runner then waits that long at most for room, so
//! the socket is read only as fast as the consumer takes events and Discord buffers the rest.
//! It reads the shard's raw messages and parses them itself (`payload.rs`), so a payload
//! twilight cannot use is counted and logged, never silently lost or fatal.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::StreamExt as _;
use novera_cache::Cache;
use novera_core::TaskError;
use tokio::sync::mpsc::{self, error::TrySendError};
use tokio::time::{Instant, MissedTickBehavior, interval, sleep_until};
use tokio_util::sync::CancellationToken;
use twilight_gateway::error::{ReceiveMessageError, ReceiveMessageErrorType};
use twilight_gateway::{
    CloseFrame, Config, ConfigBuilder, Event, EventTypeFlags, Message, Shard, ShardId,
    ShardState as TwilightState,
};
use twilight_model::gateway::Intents;
use twilight_standby::Standby;

use crate::close_code;
use crate::forwarded::Forwarded;
use crate::identify::IdentifyQueue;
use crate::metrics::ShardMetrics;
use crate::own_messages::OwnMessages;
use crate::payload::{self, PayloadErrors, PayloadKind, Skipped};
use crate::status::{BaseState, ShardSlot};

/// At most one "queue full" warning per shard per this period (the metric counts every one).
const SHED_WARN_EVERY: Duration = Duration::from_secs(10);
/// Where the close deadline timer waits until a close begins (it is reset then).
const FAR_FUTURE: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// What every runner of one gateway shares.
#[derive(Debug)]
pub(crate) struct Shared {
    /// Shard configuration (token, intents, gateway URL, identify queue); cloned per shard.
    pub(crate) config: Config<IdentifyQueue>,
    pub(crate) total: u32,
    pub(crate) intents: Intents,
    pub(crate) cache: Arc<Cache>,
    pub(crate) standby: Arc<Standby>,
    /// The events the consumer gets (`GatewayConfig::forward`).
    pub(crate) forward: EventTypeFlags,
    /// How long to wait for room in a full queue before shedding (`GatewayConfig::wait_for_room`).
    pub(crate) wait_for_room: Option<Duration>,
    /// Cancelled by `Gateway::shutdown`.
    pub(crate) stop: CancellationToken,
    /// The deadline `Gateway::shutdown` gave; `None` = `close_deadline` from now.
    pub(crate) stop_deadline: Mutex<Option<Instant>>,
    pub(crate) close_deadline: Duration,
    pub(crate) stall_after: Duration,
    /// Reads the bot's own messages for another instance's nonce.
    pub(crate) own_messages: Option<OwnMessages>,
}

/// What handling one event asks the loop to do next.
#[allow(
    clippy::large_enum_variant,
    reason = "a stack temporary moved once per event; boxing would allocate per event"
)]
enum Flow {
    Continue,
    /// The event goes to the consumer, and is recorded in the slot once it is in the queue.
    HandOff(Forwarded),
    /// Our close handshake finished.
    Closed,
    /// Discord closed with a code that must not be retried.
    Fatal(u16),
}

/// Polls one shard until it is stopped or fatally closed.
pub(crate) struct ShardRunner {
    shared: Arc<Shared>,
    slot: Arc<ShardSlot>,
    events: mpsc::Sender<Forwarded>,
    /// The current session's id, shared by every forwarded event (copied only when it changes).
    session_id: Option<Arc<str>>,
    metrics: ShardMetrics,
    /// Payloads skipped because they could not be read.
    payloads: PayloadErrors,
    /// Whether this runner (or an earlier incarnation) has connected before.
    connected_before: bool,
    /// Whether a close was reported since the latest HELLO.
    closed_since_hello: bool,
    shed_since_warn: u64,
    last_shed_warn: Option<Instant>,
}

impl ShardRunner {
    pub(crate) fn new(
        shared: Arc<Shared>,
        slot: Arc<ShardSlot>,
        events: mpsc::Sender<Forwarded>,
        restarted: bool,
    ) -> Self {
        let metrics = ShardMetrics::new(slot.id);
        let payloads = PayloadErrors::new(slot.id);
        Self {
            shared,
            slot,
            events,
            session_id: None,
            metrics,
            payloads,
            connected_before: restarted,
            closed_since_hello: false,
            shed_since_warn: 0,
            last_shed_warn: None,
        }
    }

    /// A shard resuming the slot's session when there is one.
    fn build_shard(&self) -> Shard<IdentifyQueue> {
        let mut builder = ConfigBuilder::from(self.shared.config.clone());
        if let Some((session, resume_url)) = self.slot.session() {
            tracing::info!(
                shard = self.slot.id,
                sequence = session.sequence(),
                "resuming saved session"
            );
            builder = builder.session(session);
            if let Some(url) = resume_url {
                builder = builder.resume_url(url);
            }
        }
        Shard::with_config(
            ShardId::new(self.slot.id, self.shared.total),
            builder.build(),
        )
    }

    /// Runs until `cancel` or the gateway's stop token fires (then closes resumably and returns
    /// `Ok`), or until a fatal close (returns [`TaskError::fatal`] with a `FatalClose`).
    pub(crate) async fn run(mut self, cancel: CancellationToken) -> Result<(), TaskError> {
        let mut shard = self.build_shard();
        self.slot.lock().sender = Some(shard.sender());
        let id = self.slot.id;
        self.slot.set_base(if self.connected_before {
            BaseState::Disconnected
        } else {
            BaseState::Connecting
        });
        self.slot.component.expect_progress(self.shared.stall_after);
        // The shard's poll returns at least once per heartbeat while connected; this timer keeps
        // the progress promise while it waits on Discord (connect backoff, a long outage), so
        // liveness only fails when this task itself is stuck.
        let mut tick = interval((self.shared.stall_after / 4).max(Duration::from_millis(10)));
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let stop = self.shared.stop.clone();
        let mut closing: Option<Instant> = None;
        let mut clean = false;
        // Built once, not per event: a burst runs this loop a hundred thousand times a second.
        let stop_requested = stop_requested(&cancel, &stop);
        tokio::pin!(stop_requested);
        let close_deadline = sleep_until(Instant::now() + FAR_FUTURE);
        tokio::pin!(close_deadline);

        loop {
            let item = tokio::select! {
                biased;
                () = &mut stop_requested, if closing.is_none() => {
                    match self.begin_close(&shard) {
                        Some(deadline) => {
                            closing = Some(deadline);
                            close_deadline.as_mut().reset(deadline);
                            continue;
                        }
                        None => break,
                    }
                }
                () = &mut close_deadline, if closing.is_some() => {
                    tracing::warn!(shard = id, "close handshake did not finish before the deadline");
                    break;
                }
                _ = tick.tick() => {
                    self.slot.component.touch();
                    continue;
                }
                item = shard.next() => item,
            };
            // No touch per event: `tick` keeps the progress promise, and is polled first on
            // every turn of a burst.
            // A burst of buffered frames makes `next_event` ready every time, so this task would
            // never yield, and the router (woken on this worker) would get no CPU until the queue
            // overflowed and events were shed. Spending tokio's cooperative budget yields every
            // few dozen events; heartbeats are unaffected (they are sent from this same poll).
            tokio::task::consume_budget().await;
            let event = match item {
                Some(Ok(Message::Close(frame))) => Event::GatewayClose(frame),
                Some(Ok(Message::Text(json))) => {
                    // The bot's own messages carry a nonce twilight's model drops.
                    if let Some(own) = &self.shared.own_messages {
                        own.inspect(&json);
                    }
                    match payload::decode(&json) {
                        Ok(event) => event,
                        Err(skipped) => {
                            self.skipped(&skipped);
                            continue;
                        }
                    }
                }
                Some(Err(error)) => {
                    self.receive_error(&error);
                    continue;
                }
                // Only after a fatal close, which `handle` already turned into an error.
                None => {
                    let code = self.slot.lock().last_close_code.unwrap_or_default();
                    return Err(self.fatal(code));
                }
            };
            match self.handle(&shard, event, closing.is_some()) {
                Flow::Continue => {}
                Flow::HandOff(forwarded) => {
                    let queued = self.forward(forwarded).await;
                    self.record(&shard, queued);
                }
                Flow::Closed => {
                    clean = true;
                    break;
                }
                Flow::Fatal(code) => return Err(self.fatal(code)),
            }
        }
        self.finish(&shard, clean);
        Ok(())
    }

    /// Logs (and counts, for a payload) an error the shard reported instead of a message.
    fn receive_error(&mut self, error: &ReceiveMessageError) {
        let id = self.slot.id;
        let (kind, name) = match error.kind() {
            ReceiveMessageErrorType::Reconnect => {
                tracing::warn!(shard = id, %error, "could not connect to the gateway; retrying with backoff");
                return;
            }
            // The shard could not even read the envelope (the payload is never logged).
            ReceiveMessageErrorType::Deserializing { event } => {
                (PayloadKind::Invalid, payload::event_name(event))
            }
            // twilight closes with 4000 and resumes: the stream after it is unreadable.
            ReceiveMessageErrorType::Compression => (PayloadKind::Undecodable, None),
            _ => {
                tracing::warn!(shard = id, %error, "gateway receive error");
                return;
            }
        };
        let cause = std::error::Error::source(error).map(payload::describe);
        self.skipped(&Skipped { kind, name, cause });
    }

    /// Counts (and the first time, logs) a payload that did not become an event.
    fn skipped(&mut self, skipped: &Skipped<'_>) {
        self.payloads.record(skipped);
        self.slot.lock().payload_errors += 1;
    }

    /// Starts a resumable close; `None` when there is no connection to close.
    fn begin_close(&self, shard: &Shard<IdentifyQueue>) -> Option<Instant> {
        if matches!(
            shard.state(),
            TwilightState::Disconnected { .. } | TwilightState::FatallyClosed
        ) {
            return None;
        }
        // 4000 keeps the session resumable; 1000/1001 would end it.
        shard.close(CloseFrame::RESUME);
        let deadline = *self
            .shared
            .stop_deadline
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Some(deadline.unwrap_or_else(|| Instant::now() + self.shared.close_deadline))
    }

    /// Records the final session for the session store and marks the shard stopped.
    fn finish(&self, shard: &Shard<IdentifyQueue>, clean: bool) {
        {
            let mut info = self.slot.lock();
            info.record_session(shard.session());
            info.resume_url = shard.resume_url().map(str::to_owned);
            info.clean_close = Some(clean);
        }
        self.slot.component.stop_progress();
        self.slot.set_base(BaseState::Stopped);
        self.metrics.active.set(0.0);
        tracing::info!(shard = self.slot.id, clean, "shard stopped");
    }

    fn fatal(&self, code: u16) -> TaskError {
        let fatal =
            close_code::fatal_close(self.slot.id, self.shared.total, code, self.shared.intents);
        {
            let mut info = self.slot.lock();
            // A fatally closed session can never resume.
            info.record_session(None);
            info.resume_url = None;
            info.fatal = Some(fatal.clone());
        }
        self.slot.component.stop_progress();
        self.slot.set_base(BaseState::FatallyClosed(code));
        self.metrics.active.set(0.0);
        tracing::error!(shard = self.slot.id, code, explanation = %fatal.explanation, "shard fatally closed; not reconnecting");
        TaskError::fatal(fatal)
    }

    fn handle(&mut self, shard: &Shard<IdentifyQueue>, event: Event, closing: bool) -> Flow {
        let id = self.slot.id;
        match &event {
            Event::GatewayHello(_) => {
                if self.connected_before {
                    let mut info = self.slot.lock();
                    info.reconnects += 1;
                    if !self.closed_since_hello {
                        // twilight reconnects after a connection ended without a close frame
                        // (TCP reset, EOF) without reporting a close: record it as WebSocket's
                        // "abnormal closure".
                        info.last_close_code = Some(1006);
                        self.metrics.close(1006);
                    }
                    self.metrics.reconnects.increment(1);
                }
                self.closed_since_hello = false;
                self.connected_before = true;
                let resuming = shard.state() == TwilightState::Resuming;
                tracing::debug!(shard = id, resuming, "gateway hello");
                self.slot.set_base(if resuming {
                    BaseState::Resuming
                } else {
                    BaseState::Identifying
                });
                return Flow::Continue;
            }
            Event::GatewayHeartbeatAck => {
                if let Some(latency) = shard.latency().recent().first().copied() {
                    self.slot.lock().latency = Some(latency);
                    self.metrics.latency.set(latency.as_secs_f64());
                }
                return Flow::Continue;
            }
            Event::GatewayHeartbeat | Event::GatewayReconnect => return Flow::Continue,
            Event::GatewayInvalidateSession(resumable) => {
                tracing::info!(shard = id, resumable, "session invalidated by the gateway");
                return Flow::Continue;
            }
            Event::GatewayClose(frame) => {
                let code = frame.as_ref().map_or(1006, |f| f.code);
                self.closed_since_hello = true;
                self.slot.lock().last_close_code = Some(code);
                self.metrics.close(code);
                self.metrics.active.set(0.0);
                if closing {
                    return Flow::Closed;
                }
                if close_code::is_fatal(code) {
                    return Flow::Fatal(code);
                }
                tracing::info!(shard = id, code, "gateway connection closed; reconnecting");
                self.slot.set_base(BaseState::Disconnected);
                return Flow::Continue;
            }
            Event::Ready(_) => {
                self.slot.lock().identifies += 1;
                self.metrics.identifies.increment(1);
                self.metrics.active.set(1.0);
                self.slot.set_base(BaseState::Active);
                tracing::info!(shard = id, "identified (READY)");
            }
            Event::Resumed => {
                self.slot.lock().resumes += 1;
                self.metrics.resumes.increment(1);
                self.metrics.active.set(1.0);
                self.slot.set_base(BaseState::Active);
                tracing::info!(shard = id, "resumed (RESUMED)");
            }
            _ => {}
        }

        self.metrics.events.increment(1);
        self.shared.cache.update(&event);
        self.shared.standby.process(&event);
        if self
            .shared
            .forward
            .contains(EventTypeFlags::from(event.kind()))
        {
            return Flow::HandOff(self.forwarded(shard, event));
        }
        self.record(shard, false);
        Flow::Continue
    }

    /// Records a handled event in the slot. Called after the hand-off, so a checkpoint read
    /// from the slot never covers an event that is not in the queue yet (checkpoint.rs relies
    /// on this order). Copies only the sequence number, as before: the session id when it
    /// changes, the URL likewise.
    fn record(&self, shard: &Shard<IdentifyQueue>, queued: bool) {
        let mut info = self.slot.lock();
        info.events += 1;
        info.forwarded += u64::from(queued);
        info.last_event = Some(Instant::now());
        info.record_session(shard.session());
        if info.resume_url.as_deref() != shard.resume_url() {
            info.resume_url = shard.resume_url().map(str::to_owned);
        }
    }

    /// The event with where it came from, for the consumer.
    fn forwarded(&mut self, shard: &Shard<IdentifyQueue>, event: Event) -> Forwarded {
        let (session, sequence) = match shard.session() {
            Some(current) => {
                if self.session_id.as_deref() != Some(current.id()) {
                    self.session_id = Some(Arc::from(current.id()));
                }
                (
                    self.session_id.clone().unwrap_or_else(|| Arc::from("")),
                    current.sequence(),
                )
            }
            None => (Arc::from(""), 0),
        };
        Forwarded {
            shard: self.slot.id,
            session,
            sequence,
            received_at: Instant::now(),
            event,
        }
    }

    /// Hands the event to the consumer (`true`) without waiting, or with a full queue waiting
    /// at most `wait_for_room`; sheds it when the queue stays full (`false`).
    async fn forward(&mut self, forwarded: Forwarded) -> bool {
        let closed = match self.events.try_send(forwarded) {
            Ok(()) => return true,
            Err(TrySendError::Full(forwarded)) => match self.shared.wait_for_room {
                Some(wait) => match tokio::time::timeout(wait, self.events.send(forwarded)).await {
                    Ok(Ok(())) => return true,
                    Ok(Err(_)) => true,
                    Err(_) => false,
                },
                None => false,
            },
            Err(TrySendError::Closed(_)) => true,
        };
        self.slot.lock().dropped += 1;
        self.metrics.dropped.increment(1);
        self.shed_since_warn += 1;
        let now = Instant::now();
        if self
            .last_shed_warn
            .is_none_or(|at| now.saturating_duration_since(at) >= SHED_WARN_EVERY)
        {
            if closed {
                tracing::warn!(
                    shard = self.slot.id,
                    dropped = self.shed_since_warn,
                    "event consumer is gone; events are dropped"
                );
            } else {
                tracing::warn!(
                    shard = self.slot.id,
                    dropped = self.shed_since_warn,
                    capacity = self.events.max_capacity(),
                    "event queue full: the consumer is behind, events are shed so heartbeats keep going"
                );
            }
            self.last_shed_warn = Some(now);
            self.shed_since_warn = 0;
        }
        false
    }
}

/// Resolves when either token is cancelled.
async fn stop_requested(a: &CancellationToken, b: &CancellationToken) {
    tokio::select! {
        () = a.cancelled() => {}
        () = b.cancelled() => {}
    }
}
