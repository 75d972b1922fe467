//! `TimerBook`: durable timers in the state store, and the leases that make exactly one process
//! fire each.
//!
//! A timer is an entry of namespace [`TIMERS_NAMESPACE`] keyed `<command>/<key>` (a command name
//! never contains `/`), holding its due time, the lease if a process is firing it, and how many
//! times it was leased. A process that finds it due (and not leased, or its lease ran out because
//! the holder died) takes the lease with a compare-and-set: of two processes only one can win.
//! Once the command's timer handler returns, the holder deletes the entry if it is still the
//! version it leased (a handler that scheduled the same key again keeps its new schedule).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::state::clock::{Clock, from_unix_ms, unix_ms};
use crate::state::error::StateError;
use crate::state::store::StateStore;

/// The namespace timers are stored in (no command can have this name: `#` is not allowed).
pub const TIMERS_NAMESPACE: &str = "#timers";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct TimerRecord {
    command: String,
    key: String,
    due_ms: u64,
    #[serde(default)]
    lease: Option<LeaseRecord>,
    #[serde(default)]
    attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct LeaseRecord {
    holder: String,
    until_ms: u64,
}

/// A timer that is due and free to lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueTimer {
    /// The command that scheduled it.
    pub command: String,
    /// The command's key for it.
    pub key: String,
    /// When it was due.
    pub due_at: SystemTime,
    /// How many times it was leased before (a previous holder died or its handler failed).
    pub attempts: u32,
    version: u64,
    record: TimerRecord,
}

/// A timer this process holds the lease of: fire it, then [`TimerBook::complete`] it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedTimer {
    /// The command that scheduled it.
    pub command: String,
    /// The command's key for it.
    pub key: String,
    /// When it was due.
    pub due_at: SystemTime,
    /// Which lease this is (1 for the first).
    pub attempt: u32,
    version: u64,
}

/// The bot's timers in a state store, as one process sees them. Cheap to clone.
#[derive(Clone)]
pub struct TimerBook {
    store: Arc<dyn StateStore>,
    clock: Clock,
    holder: Arc<str>,
}

impl std::fmt::Debug for TimerBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimerBook")
            .field("holder", &self.holder)
            .finish_non_exhaustive()
    }
}

impl TimerBook {
    /// Timers in `store`, leased under the name `holder` (unique per process).
    #[must_use]
    pub fn new(store: Arc<dyn StateStore>, clock: Clock, holder: impl Into<Arc<str>>) -> Self {
        Self {
            store,
            clock,
            holder: holder.into(),
        }
    }

    /// This process's name in leases.
    #[must_use]
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Schedules `command`'s timer `key` at `at`, replacing any earlier schedule of it.
    pub async fn schedule(
        &self,
        command: &str,
        key: &str,
        at: SystemTime,
    ) -> Result<(), StateError> {
        let record = TimerRecord {
            command: command.to_owned(),
            key: key.to_owned(),
            due_ms: unix_ms(at),
            lease: None,
            attempts: 0,
        };
        self.store
            .put(
                TIMERS_NAMESPACE,
                &entry_key(command, key),
                encode(&record)?,
                None,
            )
            .await
            .map(drop)
    }

    /// Cancels `command`'s timer `key`; returns whether it was scheduled.
    pub async fn cancel(&self, command: &str, key: &str) -> Result<bool, StateError> {
        self.store
            .delete(TIMERS_NAMESPACE, &entry_key(command, key), None)
            .await
    }

    /// When `command`'s timer `key` is due, if it is scheduled.
    pub async fn due_at(&self, command: &str, key: &str) -> Result<Option<SystemTime>, StateError> {
        let Some(entry) = self
            .store
            .get(TIMERS_NAMESPACE, &entry_key(command, key))
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(from_unix_ms(decode(&entry.value)?.due_ms)))
    }

    /// Every timer due now that nobody holds a live lease of, earliest first. Unreadable
    /// entries are skipped (and logged).
    pub async fn due(&self) -> Result<Vec<DueTimer>, StateError> {
        let now = unix_ms(self.clock.now());
        let mut due: Vec<DueTimer> = self
            .store
            .scan(TIMERS_NAMESPACE)
            .await?
            .into_iter()
            .filter_map(|(key, entry)| match decode(&entry.value) {
                Ok(record) => Some((record, entry.version)),
                Err(error) => {
                    tracing::warn!(key, %error, "skipping an unreadable timer");
                    None
                }
            })
            .filter(|(record, _)| {
                record.due_ms <= now && record.lease.as_ref().is_none_or(|l| l.until_ms <= now)
            })
            .map(|(record, version)| DueTimer {
                command: record.command.clone(),
                key: record.key.clone(),
                due_at: from_unix_ms(record.due_ms),
                attempts: record.attempts,
                version,
                record,
            })
            .collect();
        due.sort_by_key(|t| t.due_at);
        Ok(due)
    }

    /// Takes the lease of `timer` for `duration`: `None` when another process took it first
    /// (or the timer was rescheduled or cancelled meanwhile).
    pub async fn lease(
        &self,
        timer: &DueTimer,
        duration: Duration,
    ) -> Result<Option<LeasedTimer>, StateError> {
        let mut record = timer.record.clone();
        record.attempts = record.attempts.saturating_add(1);
        record.lease = Some(LeaseRecord {
            holder: self.holder.to_string(),
            until_ms: unix_ms(self.clock.now() + duration),
        });
        let version = self
            .store
            .compare_and_set(
                TIMERS_NAMESPACE,
                &entry_key(&timer.command, &timer.key),
                Some(timer.version),
                encode(&record)?,
                None,
            )
            .await?;
        Ok(version.map(|version| LeasedTimer {
            command: timer.command.clone(),
            key: timer.key.clone(),
            due_at: timer.due_at,
            attempt: record.attempts,
            version,
        }))
    }

    /// Removes a timer whose handler ran, unless it was scheduled again meanwhile; returns
    /// whether it was removed.
    pub async fn complete(&self, timer: &LeasedTimer) -> Result<bool, StateError> {
        self.store
            .delete(
                TIMERS_NAMESPACE,
                &entry_key(&timer.command, &timer.key),
                Some(timer.version),
            )
            .await
    }

    /// Drops a timer that cannot fire (its command is gone, or it failed too often), unless it
    /// was scheduled again meanwhile.
    pub async fn discard(&self, timer: &DueTimer) -> Result<bool, StateError> {
        self.store
            .delete(
                TIMERS_NAMESPACE,
                &entry_key(&timer.command, &timer.key),
                Some(timer.version),
            )
            .await
    }
}

fn entry_key(command: &str, key: &str) -> String {
    format!("{command}/{key}")
}

fn encode(record: &TimerRecord) -> Result<Vec<u8>, StateError> {
    serde_json::to_vec(record).map_err(|source| StateError::Encode {
        key: entry_key(&record.command, &record.key),
        source,
    })
}

fn decode(bytes: &[u8]) -> Result<TimerRecord, StateError> {
    serde_json::from_slice(bytes).map_err(|source| StateError::Decode {
        key: TIMERS_NAMESPACE.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::memory::MemoryStateStore;

    fn books() -> (TimerBook, TimerBook) {
        let clock = Clock::new();
        let store: Arc<dyn StateStore> = Arc::new(MemoryStateStore::with_clock(clock));
        (
            TimerBook::new(Arc::clone(&store), clock, "a"),
            TimerBook::new(store, clock, "b"),
        )
    }

    #[tokio::test(start_paused = true)]
    async fn a_timer_is_due_at_its_time_and_leased_by_one_process_only() {
        let (a, b) = books();
        let at = a.clock.now() + Duration::from_secs(10);
        a.schedule("poll", "42", at).await.unwrap();
        assert!(a.due().await.unwrap().is_empty());
        assert_eq!(
            a.due_at("poll", "42").await.unwrap(),
            Some(from_unix_ms(unix_ms(at)))
        );

        tokio::time::sleep(Duration::from_secs(10)).await;
        let (due_a, due_b) = (a.due().await.unwrap(), b.due().await.unwrap());
        assert_eq!(due_a.len(), 1);
        let leased = a.lease(&due_a[0], Duration::from_secs(30)).await.unwrap();
        let lost = b.lease(&due_b[0], Duration::from_secs(30)).await.unwrap();
        let leased = leased.expect("the first lease wins");
        assert!(lost.is_none(), "the second lease of the same version loses");
        assert_eq!(leased.attempt, 1);
        assert!(
            b.due().await.unwrap().is_empty(),
            "leased: not due for others"
        );

        assert!(a.complete(&leased).await.unwrap());
        assert!(a.due_at("poll", "42").await.unwrap().is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn a_dead_holders_lease_runs_out_and_another_process_takes_over() {
        let (a, b) = books();
        a.schedule("poll", "1", a.clock.now()).await.unwrap();
        let due = a.due().await.unwrap();
        let first = a
            .lease(&due[0], Duration::from_secs(30))
            .await
            .unwrap()
            .unwrap();
        tokio::time::sleep(Duration::from_secs(31)).await;
        let due = b.due().await.unwrap();
        assert_eq!(due[0].attempts, 1);
        let second = b
            .lease(&due[0], Duration::from_secs(30))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(second.attempt, 2);
        assert!(!a.complete(&first).await.unwrap(), "the old lease is stale");
        assert!(b.complete(&second).await.unwrap());
    }

    #[tokio::test(start_paused = true)]
    async fn a_timer_scheduled_again_while_firing_is_kept() {
        let (a, _) = books();
        a.schedule("poll", "1", a.clock.now()).await.unwrap();
        let due = a.due().await.unwrap();
        let leased = a
            .lease(&due[0], Duration::from_secs(30))
            .await
            .unwrap()
            .unwrap();
        let later = a.clock.now() + Duration::from_secs(60);
        a.schedule("poll", "1", later).await.unwrap();
        assert!(!a.complete(&leased).await.unwrap());
        assert!(a.due_at("poll", "1").await.unwrap().is_some());
        assert!(a.cancel("poll", "1").await.unwrap());
        assert!(!a.cancel("poll", "1").await.unwrap());
    }
}
