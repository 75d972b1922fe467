//! The checkpoint task: while the gateway runs, it saves every shard's session through the
//! session store about once a second, and only when something changed, so a crash (`kill -9`,
//! an OOM kill, a power loss) costs a RESUME instead of an IDENTIFY and the events in between.
//!
//! It stays off the hot path: a runner only keeps its latest sequence number in its slot (as it
//! did before), and this one task per process reads the slots on its own timer and writes.
//!
//! A checkpoint never covers an event the consumer has not taken from the queue yet: after a
//! crash the RESUME replays only what comes after the checkpoint, so such an event would be lost.
//! Runners record an event's sequence after handing it to the queue and count what they handed
//! over; a snapshot of the slots is written once the queue was empty after it was taken, or once
//! more events were queued after it than the queue holds now (the queue is FIFO, so everything
//! queued before the snapshot has left it). Under load that writes the previous tick's snapshot:
//! a checkpoint is at most about two intervals behind, and everything after it is replayed.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use novera_core::TaskError;
use tokio::sync::mpsc::{self, WeakSender};
use tokio::time::{Instant, MissedTickBehavior, interval};
use tokio_util::sync::CancellationToken;
use twilight_gateway::Session;

use crate::config::GatewayConfig;
use crate::forwarded::{Forwarded, InConsumer};
use crate::session_store::{SavedSession, SessionStore};
use crate::status::ShardSlot;

/// One shard's resume position.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Position {
    shard: u32,
    session: Session,
    resume_url: Option<String>,
}

/// Positions read from the slots, with the events queued by then.
#[derive(Debug)]
struct Snapshot {
    positions: Vec<Position>,
    /// Events the runners had queued when the read of every slot was over (or more).
    queued: u64,
}

/// What the checkpoint task needs; one per gateway.
#[derive(Debug)]
pub(crate) struct Checkpoints {
    store: Arc<dyn SessionStore>,
    slots: Arc<BTreeMap<u32, Arc<ShardSlot>>>,
    total: u32,
    /// The consumer's queue, weakly: the event stream still ends when the runners stop.
    queue: WeakSender<Forwarded>,
    /// Events the consumer took but still holds.
    in_consumer: InConsumer,
    every: Duration,
    /// A checkpoint older than this is written again even when nothing changed, so a quiet but
    /// live session never looks too old to resume (half of `max_session_age`).
    refresh_after: Duration,
    /// What the store already holds (the loaded sessions at start).
    written: Vec<SavedSession>,
}

impl Checkpoints {
    /// Checkpoints of `slots` into `store`, every `checkpoint_interval` of `config`; the store
    /// holds `loaded`.
    pub(crate) fn new(
        store: Arc<dyn SessionStore>,
        slots: &Arc<BTreeMap<u32, Arc<ShardSlot>>>,
        total: u32,
        (queue, in_consumer): (&mpsc::Sender<Forwarded>, &InConsumer),
        config: &GatewayConfig,
        loaded: Vec<SavedSession>,
    ) -> Self {
        Self {
            store,
            slots: Arc::clone(slots),
            total,
            queue: queue.downgrade(),
            in_consumer: in_consumer.clone(),
            every: config.checkpoint_interval,
            refresh_after: config.max_session_age / 2,
            written: loaded,
        }
    }

    /// Runs until `cancel` or `stop` fires. A save in progress always finishes first, so once
    /// this returned no checkpoint can land after the final save of a graceful stop.
    pub(crate) async fn run(
        self: Arc<Self>,
        cancel: CancellationToken,
        stop: CancellationToken,
    ) -> Result<(), TaskError> {
        let mut task = Task {
            written: self
                .written
                .iter()
                .map(|s| Position {
                    shard: s.shard,
                    session: s.session.clone(),
                    resume_url: s.resume_url.clone(),
                })
                .collect(),
            written_at: Instant::now(),
            pending: None,
            failing: false,
            config: &self,
        };
        let mut tick = interval(self.every);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                () = cancel.cancelled() => return Ok(()),
                () = stop.cancelled() => return Ok(()),
                _ = tick.tick() => task.round().await,
            }
        }
    }

    /// Every shard's position, and the events queued before the read ended.
    fn snapshot(&self) -> Snapshot {
        let positions = self
            .slots
            .iter()
            .filter_map(|(&shard, slot)| {
                slot.session().map(|(session, resume_url)| Position {
                    shard,
                    session,
                    resume_url,
                })
            })
            .collect();
        // Read again after every position: at least what was queued when the last one was read.
        Snapshot {
            positions,
            queued: self.queued(),
        }
    }

    fn queued(&self) -> u64 {
        self.slots.values().map(|slot| slot.forwarded()).sum()
    }

    /// Events the consumer is not done with: waiting in its queue, or taken and still held;
    /// `None` once every runner dropped its sender.
    fn queue_len(&self) -> Option<u64> {
        let queue = self.queue.upgrade()?;
        let len = queue.max_capacity().saturating_sub(queue.capacity());
        Some(u64::try_from(len).unwrap_or(u64::MAX) + self.in_consumer.holding())
    }
}

/// The state of one run of the task.
struct Task<'a> {
    config: &'a Checkpoints,
    written: Vec<Position>,
    written_at: Instant,
    /// Taken while the queue was not empty: written once the consumer took what preceded it.
    pending: Option<Snapshot>,
    /// Whether the last save failed (one warning per failure streak).
    failing: bool,
}

impl Task<'_> {
    async fn round(&mut self) {
        let snapshot = self.config.snapshot();
        let Some(len) = self.config.queue_len() else {
            return;
        };
        let safe = covered(self.pending.take(), &snapshot, len, self.config.slots.len());
        if len > 0 {
            self.pending = Some(snapshot);
        }
        let Some(positions) = safe else {
            return;
        };
        let refresh =
            !positions.is_empty() && self.written_at.elapsed() >= self.config.refresh_after;
        if positions == self.written && !refresh {
            return;
        }
        let sessions: Vec<SavedSession> = positions
            .iter()
            .map(|p| {
                SavedSession::new(
                    p.shard,
                    self.config.total,
                    p.session.clone(),
                    p.resume_url.clone(),
                )
            })
            .collect();
        match self.config.store.save(&sessions).await {
            Ok(()) => {
                tracing::debug!(sessions = sessions.len(), "checkpointed gateway sessions");
                if self.failing {
                    tracing::info!("gateway session checkpoints are written again");
                }
                self.failing = false;
                self.written = positions;
                self.written_at = Instant::now();
            }
            Err(error) => {
                if !self.failing {
                    tracing::warn!(
                        %error,
                        source = ?std::error::Error::source(&error),
                        "could not checkpoint gateway sessions; retrying every interval (a crash now would resume an older position or identify)"
                    );
                }
                self.failing = true;
            }
        }
    }
}

/// The positions that are safe to write now, if any.
///
/// `snapshot` was taken now and the queue held `len` events after it. `pending` was taken a
/// round earlier. Each of `runners` runners may have queued one event it has not counted yet, so
/// the events queued since `pending` are at least `snapshot.queued - pending.queued - runners`;
/// when they are at least `len`, everything queued before `pending` has left the queue.
fn covered(
    pending: Option<Snapshot>,
    snapshot: &Snapshot,
    len: u64,
    runners: usize,
) -> Option<Vec<Position>> {
    if len == 0 {
        return Some(snapshot.positions.clone());
    }
    let pending = pending?;
    let runners = u64::try_from(runners).unwrap_or(u64::MAX);
    let queued_since = snapshot.queued.saturating_sub(pending.queued);
    (queued_since >= len.saturating_add(runners)).then_some(pending.positions)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use novera_core::StatusRegistry;

    use super::*;
    use crate::session_store::StoreFuture;

    /// Remembers every save.
    #[derive(Debug, Default)]
    struct Recording(Mutex<Vec<Vec<SavedSession>>>);

    impl Recording {
        fn sequences(&self) -> Vec<u64> {
            self.0
                .lock()
                .unwrap()
                .iter()
                .map(|saved| saved[0].session.sequence())
                .collect()
        }
    }

    impl SessionStore for Recording {
        fn load(&self) -> StoreFuture<'_, Result<Vec<SavedSession>, crate::SessionStoreError>> {
            Box::pin(async { Ok(Vec::new()) })
        }

        fn save<'a>(
            &'a self,
            sessions: &'a [SavedSession],
        ) -> StoreFuture<'a, Result<(), crate::SessionStoreError>> {
            self.0.lock().unwrap().push(sessions.to_vec());
            Box::pin(async { Ok(()) })
        }
    }

    /// What a runner does per event: queue it, then record its sequence and count it.
    fn receive(slot: &ShardSlot, tx: &mpsc::Sender<Forwarded>, seq: u64) {
        tx.try_send(Forwarded {
            shard: 0,
            session: Arc::from("s"),
            sequence: seq,
            received_at: Instant::now(),
            event: twilight_model::gateway::event::Event::GatewayHeartbeatAck,
        })
        .unwrap();
        let mut info = slot.lock();
        info.forwarded += 1;
        info.record_session(Some(&Session::new(seq, "s".to_owned())));
    }

    #[tokio::test(start_paused = true)]
    async fn writes_only_changes_only_once_the_consumer_took_them() {
        let registry = StatusRegistry::new();
        let slot = Arc::new(ShardSlot::new(0, registry.register("shard-0"), None, None));
        let slots = Arc::new(BTreeMap::from([(0, Arc::clone(&slot))]));
        let store = Arc::new(Recording::default());
        let (tx, mut rx) = mpsc::channel(16);
        let in_consumer = InConsumer::default();
        let config = GatewayConfig::default();
        let checkpoints = Checkpoints::new(
            store.clone(),
            &slots,
            1,
            (&tx, &in_consumer),
            &config,
            Vec::new(),
        );
        let stop = CancellationToken::new();
        let task = tokio::spawn(Arc::new(checkpoints).run(CancellationToken::new(), stop.clone()));
        let every = config.checkpoint_interval;
        // The test acts half-way between two rounds (at 0, 1, 2, ... intervals).
        tokio::time::sleep(every / 2).await;

        tokio::time::sleep(every * 3).await;
        assert!(store.sequences().is_empty(), "no session, nothing written");

        receive(&slot, &tx, 5);
        tokio::time::sleep(every * 3).await;
        assert!(
            store.sequences().is_empty(),
            "the consumer has not taken it"
        );
        rx.recv().await.unwrap();
        tokio::time::sleep(every * 3).await;
        assert_eq!(
            store.sequences(),
            [5],
            "one write, none while nothing changes"
        );

        // A busy queue: the round after these three sees them waiting and keeps a snapshot.
        for seq in 6..9 {
            receive(&slot, &tx, seq);
        }
        tokio::time::sleep(every).await;
        // The consumer takes them and more, but the queue is never empty again: 8 queued, 4
        // taken, 4 (13..=16) waiting.
        for _ in 6..9 {
            rx.recv().await.unwrap();
        }
        for seq in 9..17 {
            receive(&slot, &tx, seq);
            if seq % 2 == 0 {
                rx.recv().await.unwrap();
            }
        }
        tokio::time::sleep(every * 2).await;
        assert_eq!(
            store.sequences(),
            [5, 8],
            "the kept snapshot, once more was queued after it than waits"
        );
        for _ in 13..17 {
            rx.recv().await.unwrap();
        }
        tokio::time::sleep(every).await;
        assert_eq!(store.sequences(), [5, 8, 16]);

        // A consumer that holds what it took (a publisher awaiting the broker's
        // acknowledgement): nothing it holds is covered until it settled it.
        receive(&slot, &tx, 17);
        rx.recv().await.unwrap();
        in_consumer.took();
        tokio::time::sleep(every * 3).await;
        assert_eq!(store.sequences(), [5, 8, 16], "17 is still held");
        in_consumer.settled();
        tokio::time::sleep(every * 2).await;
        assert_eq!(store.sequences(), [5, 8, 16, 17]);

        stop.cancel();
        task.await.unwrap().unwrap();
    }

    fn at(seq: u64) -> Vec<Position> {
        vec![Position {
            shard: 0,
            session: Session::new(seq, "s".to_owned()),
            resume_url: None,
        }]
    }

    fn snapshot(seq: u64, queued: u64) -> Snapshot {
        Snapshot {
            positions: at(seq),
            queued,
        }
    }

    #[test]
    fn an_empty_queue_makes_the_new_snapshot_safe() {
        assert_eq!(covered(None, &snapshot(7, 3), 0, 1), Some(at(7)));
    }

    #[test]
    fn a_busy_queue_waits_for_what_preceded_the_pending_snapshot() {
        // Nothing pending yet: nothing is safe.
        assert_eq!(covered(None, &snapshot(7, 3), 2, 1), None);
        // 10 events queued since the pending snapshot, 4 in the queue (+1 uncounted): the
        // queue holds only newer events.
        assert_eq!(
            covered(Some(snapshot(5, 3)), &snapshot(15, 13), 4, 1),
            Some(at(5))
        );
        // 10 queued since, but 10 in the queue: some may be older than the pending snapshot.
        assert_eq!(
            covered(Some(snapshot(5, 3)), &snapshot(15, 13), 10, 1),
            None
        );
        // A consumer that took nothing never makes anything safe.
        assert_eq!(covered(Some(snapshot(5, 3)), &snapshot(5, 3), 3, 1), None);
    }
}
