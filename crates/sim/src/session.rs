//! Gateway sessions: sequence numbers, the replay buffer RESUME draws from, and the outbox that
//! carries frames (and commands such as "close with 4000") to the connection currently serving
//! the session.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::compress::CompressKind;
use crate::frame::{self, LazyFrames};

/// Set once a dispatch that matters on its own (an `INTERACTION_CREATE`) was written to a
/// connection and flushed, at once or replayed on RESUME.
#[derive(Debug, Default)]
pub(crate) struct DeliveryMark(AtomicBool);

impl DeliveryMark {
    pub(crate) fn mark(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub(crate) fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The mark a frame sets when written, if it is tracked.
pub(crate) type Mark = Option<Arc<DeliveryMark>>;

/// One dispatch (or a lazy batch of them) kept for replay.
#[derive(Debug, Clone)]
pub(crate) enum Buffered {
    Frame {
        seq: u64,
        text: Utf8Bytes,
        mark: Mark,
    },
    Lazy {
        first_seq: u64,
        batch: Arc<dyn LazyFrames>,
    },
}

impl Buffered {
    fn first_seq(&self) -> u64 {
        match self {
            Self::Frame { seq, .. } => *seq,
            Self::Lazy { first_seq, .. } => *first_seq,
        }
    }

    fn last_seq(&self) -> u64 {
        match self {
            Self::Frame { seq, .. } => *seq,
            Self::Lazy { first_seq, batch } => first_seq + batch.len().saturating_sub(1),
        }
    }

    fn count(&self) -> u64 {
        match self {
            Self::Frame { .. } => 1,
            Self::Lazy { batch, .. } => batch.len(),
        }
    }

    /// Frames held as text (what the replay buffer's cap counts).
    fn held(&self) -> u64 {
        match self {
            Self::Frame { .. } => 1,
            Self::Lazy { .. } => 0,
        }
    }

    /// The part of this entry after `seq`, as an outbox item.
    fn after(&self, seq: u64) -> Option<OutItem> {
        if self.last_seq() <= seq {
            return None;
        }
        Some(match self {
            Self::Frame { text, mark, .. } => OutItem::Frame(text.clone(), mark.clone()),
            Self::Lazy { first_seq, batch } => OutItem::Lazy {
                batch: Arc::clone(batch),
                first_seq: *first_seq,
                next: seq.saturating_sub(*first_seq - 1).min(batch.len()),
            },
        })
    }
}

/// Something queued for a connection to write.
#[derive(Debug)]
pub(crate) enum OutItem {
    Frame(Utf8Bytes, Mark),
    Lazy {
        batch: Arc<dyn LazyFrames>,
        first_seq: u64,
        next: u64,
    },
}

/// An instruction for a connection, served ahead of queued frames.
#[derive(Debug, Clone)]
pub(crate) enum ConnCommand {
    /// Send this non-dispatch payload (op 1, malformed payloads of a garbage fault).
    Send(String),
    /// Send a binary frame of these bytes as they are, past the compressor (garbage fault).
    SendBinary(Vec<u8>),
    /// Send op 9 `INVALID_SESSION` with this `d`. The session already left the connection (see
    /// `Inner::invalidate_sessions`): the connection is unauthenticated again, so the client may
    /// RESUME or IDENTIFY on it (discord.js resumes on the same socket) or on a new one.
    InvalidSession(bool),
    /// Send op 7 RECONNECT, and close with 4000 after the reconnect grace if the client has
    /// not gone by then.
    Reconnect,
    /// Send a close frame with this code and end the connection after the handshake.
    Close { code: u16, reason: &'static str },
    /// Drop the TCP connection without a close frame.
    Drop,
    /// Stop sending (heartbeat ACKs included) for this long.
    Silence(Duration),
}

/// A frame ready to write, or a lazy one to write first.
pub(crate) enum Pending {
    Text(Utf8Bytes, Mark),
    Lazy {
        batch: Arc<dyn LazyFrames>,
        index: u64,
        seq: u64,
    },
}

#[derive(Debug, Default)]
struct OutQueue {
    items: VecDeque<OutItem>,
    commands: VecDeque<ConnCommand>,
}

/// Frames and commands waiting for one connection.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    queue: Mutex<OutQueue>,
    notify: Notify,
}

impl Outbox {
    fn lock(&self) -> MutexGuard<'_, OutQueue> {
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn push(&self, item: OutItem) {
        self.lock().items.push_back(item);
        self.notify.notify_one();
    }

    pub(crate) fn push_all(&self, items: impl IntoIterator<Item = OutItem>) {
        self.lock().items.extend(items);
        self.notify.notify_one();
    }

    pub(crate) fn command(&self, command: ConnCommand) {
        self.lock().commands.push_back(command);
        self.notify.notify_one();
    }

    pub(crate) async fn notified(&self) {
        self.notify.notified().await;
    }

    pub(crate) fn has_commands(&self) -> bool {
        !self.lock().commands.is_empty()
    }

    pub(crate) fn has_frames(&self) -> bool {
        !self.lock().items.is_empty()
    }

    pub(crate) fn take_commands(&self) -> Vec<ConnCommand> {
        self.lock().commands.drain(..).collect()
    }

    /// Drops the frames not written yet (a session that left the connection replays them from
    /// its buffer on RESUME).
    pub(crate) fn clear_frames(&self) {
        self.lock().items.clear();
    }

    /// Takes up to `max` frames in order, splitting lazy batches.
    pub(crate) fn take_frames(&self, max: usize, out: &mut Vec<Pending>) {
        let mut queue = self.lock();
        while out.len() < max {
            let Some(item) = queue.items.front_mut() else {
                break;
            };
            match item {
                OutItem::Frame(text, mark) => {
                    out.push(Pending::Text(text.clone(), mark.clone()));
                    queue.items.pop_front();
                }
                OutItem::Lazy {
                    batch,
                    first_seq,
                    next,
                } => {
                    while *next < batch.len() && out.len() < max {
                        out.push(Pending::Lazy {
                            batch: Arc::clone(batch),
                            index: *next,
                            seq: *first_seq + *next,
                        });
                        *next += 1;
                    }
                    if *next >= batch.len() {
                        queue.items.pop_front();
                    }
                }
            }
        }
    }
}

/// The connection currently serving a session.
#[derive(Debug, Clone)]
pub(crate) struct ConnLink {
    pub(crate) conn_id: u64,
    pub(crate) outbox: Arc<Outbox>,
}

/// Dispatches a session keeps replayable behind the last sequence its client acknowledged.
///
/// Discord replays everything after the `seq` a RESUME names, and a client may name an older
/// one than its last heartbeat did: a process that crashed resumes from the position it had
/// saved (checkpointed) before, and the events after it arrive again. The buffer therefore keeps
/// acknowledged dispatches too, up to this many, so memory stays bounded in long runs.
pub(crate) const ACKED_KEPT: u64 = 100_000;

/// A gateway session, connected or waiting to be resumed.
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) id: String,
    pub(crate) shard: [u32; 2],
    pub(crate) intents: u64,
    pub(crate) compress: CompressKind,
    pub(crate) seq: u64,
    pub(crate) acked_seq: u64,
    buffer: VecDeque<Buffered>,
    /// Dispatches the buffer can replay.
    buffered: u64,
    /// Frames held as text (lazy batches cost one entry whatever their length).
    held_frames: u64,
    max_held_frames: u64,
    pub(crate) conn: Option<ConnLink>,
    pub(crate) disconnected_at: Option<Instant>,
    /// False once the session was closed with 1000/1001, invalidated or replaced.
    pub(crate) alive: bool,
    pub(crate) heartbeats: u64,
    pub(crate) last_heartbeat: Option<Instant>,
    last_heartbeat_conn: u64,
    pub(crate) max_heartbeat_gap: Duration,
}

impl Session {
    pub(crate) fn new(
        id: String,
        shard: [u32; 2],
        intents: u64,
        compress: CompressKind,
        max_buffered: usize,
    ) -> Self {
        Self {
            id,
            shard,
            intents,
            compress,
            seq: 0,
            acked_seq: 0,
            buffer: VecDeque::new(),
            buffered: 0,
            held_frames: 0,
            max_held_frames: max_buffered as u64,
            conn: None,
            disconnected_at: None,
            alive: true,
            heartbeats: 0,
            last_heartbeat: None,
            last_heartbeat_conn: 0,
            max_heartbeat_gap: Duration::ZERO,
        }
    }

    /// Whether this session should receive events (alive; connected or resumable).
    pub(crate) fn live(&self) -> bool {
        self.alive
    }

    fn push_buffered(&mut self, entry: Buffered) {
        self.buffered += entry.count();
        self.held_frames += entry.held();
        self.buffer.push_back(entry);
        while self.held_frames > self.max_held_frames {
            match self.buffer.pop_front() {
                Some(old) => self.forget(&old),
                None => break,
            }
        }
    }

    fn forget(&mut self, old: &Buffered) {
        self.buffered -= old.count();
        self.held_frames -= old.held();
    }

    /// Sends one dispatch: assigns the next `seq`, keeps it for replay, queues it if connected.
    pub(crate) fn dispatch(&mut self, event: &str, d_json: &str) -> u64 {
        self.dispatch_marked(event, d_json, None)
    }

    /// [`dispatch`](Self::dispatch) that sets `mark` when the frame is written to a connection.
    pub(crate) fn dispatch_marked(&mut self, event: &str, d_json: &str, mark: Mark) -> u64 {
        self.seq += 1;
        let seq = self.seq;
        let text = Utf8Bytes::from(frame::dispatch(event, seq, d_json));
        if let Some(conn) = &self.conn {
            conn.outbox.push(OutItem::Frame(text.clone(), mark.clone()));
        }
        self.push_buffered(Buffered::Frame { seq, text, mark });
        seq
    }

    /// Sends a lazy batch of dispatches; returns `(first_seq, last_seq)`.
    pub(crate) fn dispatch_lazy(&mut self, batch: Arc<dyn LazyFrames>) -> (u64, u64) {
        let first_seq = self.seq + 1;
        let len = batch.len();
        if len == 0 {
            return (first_seq, self.seq);
        }
        self.seq += len;
        if let Some(conn) = &self.conn {
            conn.outbox.push(OutItem::Lazy {
                batch: Arc::clone(&batch),
                first_seq,
                next: 0,
            });
        }
        self.push_buffered(Buffered::Lazy { first_seq, batch });
        (first_seq, self.seq)
    }

    /// Records a heartbeat (or a RESUME) carrying the last `seq` the client saw, and frees
    /// what lies more than [`ACKED_KEPT`] dispatches before it.
    pub(crate) fn ack(&mut self, seq: u64) {
        let seq = seq.min(self.seq);
        self.acked_seq = self.acked_seq.max(seq);
        while let Some(front) = self.buffer.front() {
            if front.last_seq().saturating_add(ACKED_KEPT) > self.acked_seq {
                break;
            }
            if let Some(old) = self.buffer.pop_front() {
                self.forget(&old);
            }
        }
    }

    pub(crate) fn record_heartbeat(&mut self, conn_id: u64, now: Instant) {
        if let Some(last) = self.last_heartbeat
            && self.last_heartbeat_conn == conn_id
        {
            self.max_heartbeat_gap = self.max_heartbeat_gap.max(now - last);
        }
        self.heartbeats += 1;
        self.last_heartbeat = Some(now);
        self.last_heartbeat_conn = conn_id;
    }

    /// Everything after `seq` for a RESUME, or `None` if `seq` is ahead of the session or older
    /// than the replay buffer still holds.
    pub(crate) fn replay_after(&self, seq: u64) -> Option<Vec<OutItem>> {
        if seq > self.seq {
            return None;
        }
        let oldest = self
            .buffer
            .front()
            .map_or(self.seq + 1, Buffered::first_seq);
        if seq + 1 < oldest && seq < self.seq {
            return None;
        }
        Some(self.buffer.iter().filter_map(|b| b.after(seq)).collect())
    }

    pub(crate) fn buffered(&self) -> u64 {
        self.buffered
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Three;
    impl LazyFrames for Three {
        fn len(&self) -> u64 {
            3
        }
        fn write(&self, index: u64, seq: u64, out: &mut String) {
            out.push_str(&index.to_string());
            out.push(':');
            out.push_str(&seq.to_string());
        }
    }

    fn seqs(items: Vec<OutItem>) -> Vec<u64> {
        let outbox = Outbox::default();
        outbox.push_all(items);
        let mut pending = Vec::new();
        outbox.take_frames(100, &mut pending);
        pending
            .into_iter()
            .map(|p| match p {
                Pending::Text(t, _) => serde_json::from_str::<serde_json::Value>(&t)
                    .ok()
                    .and_then(|v| v["s"].as_u64())
                    .unwrap_or(0),
                Pending::Lazy { seq, .. } => seq,
            })
            .collect()
    }

    #[test]
    fn replay_covers_frames_and_lazy_batches_after_seq() {
        let mut s = Session::new("a".into(), [0, 1], 0, CompressKind::None, 100);
        s.dispatch("READY", "{}");
        s.dispatch_lazy(Arc::new(Three));
        s.dispatch("MESSAGE_CREATE", "{}");
        assert_eq!(s.seq, 5);
        assert_eq!(
            seqs(s.replay_after(0).expect("replay")),
            vec![1, 2, 3, 4, 5]
        );
        assert_eq!(seqs(s.replay_after(2).expect("replay")), vec![3, 4, 5]);
        assert_eq!(seqs(s.replay_after(5).expect("replay")), Vec::<u64>::new());
        assert!(s.replay_after(6).is_none());
        s.ack(4);
        assert_eq!(s.acked_seq, 4);
        // An acknowledged position is still replayable: a crashed client resumes from an older
        // checkpoint than its last heartbeat.
        assert_eq!(seqs(s.replay_after(1).expect("replay")), vec![2, 3, 4, 5]);
        assert_eq!(seqs(s.replay_after(4).expect("replay")), vec![5]);
    }

    #[derive(Debug)]
    struct Many(u64);
    impl LazyFrames for Many {
        fn len(&self) -> u64 {
            self.0
        }
        fn write(&self, _: u64, seq: u64, out: &mut String) {
            out.push_str(&seq.to_string());
        }
    }

    #[test]
    fn acknowledged_dispatches_are_freed_beyond_the_kept_window() {
        let mut s = Session::new("a".into(), [0, 1], 0, CompressKind::None, 100);
        s.dispatch_lazy(Arc::new(Many(5)));
        s.dispatch_lazy(Arc::new(Many(ACKED_KEPT + 10)));
        s.ack(s.seq);
        // The first batch (1..=5) lies more than ACKED_KEPT behind the acknowledged seq.
        assert!(s.replay_after(1).is_none());
        assert_eq!(s.buffered(), ACKED_KEPT + 10);
        assert!(s.replay_after(5).is_some());
    }

    #[test]
    fn buffer_cap_drops_oldest() {
        let mut s = Session::new("a".into(), [0, 1], 0, CompressKind::None, 2);
        for _ in 0..4 {
            s.dispatch("X", "{}");
        }
        assert_eq!(s.buffered(), 2);
        assert!(s.replay_after(1).is_none());
        assert!(s.replay_after(2).is_some());
    }
}
