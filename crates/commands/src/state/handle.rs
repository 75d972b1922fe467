//! `CommandState`: one command's view of the state store (`ctx.state()`): JSON values by key,
//! load-apply-save with compare-and-set, and durable timers.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::state::clock::Clock;
use crate::state::error::StateError;
use crate::state::store::{StateEntry, StateStore};
use crate::state::timers::TimerBook;

/// How many compare-and-sets [`CommandState::update`] tries before giving up.
pub const UPDATE_ATTEMPTS: u32 = 32;

/// A value read from the store with the version to compare-and-set against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    /// The value.
    pub value: T,
    /// Its version.
    pub version: u64,
}

/// What an [`update`](CommandState::update) does with the entry it loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<T> {
    /// Leave it as it is.
    Keep,
    /// Write this value (keeping the entry's expiry).
    Set(T),
    /// Delete the entry.
    Delete,
}

/// What an [`update`](CommandState::update) did: the closure's result and the entry's version
/// afterwards (`None` when deleted or absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Updated<R> {
    /// What the closure returned beside its change.
    pub outcome: R,
    /// The entry's version after the update.
    pub version: Option<u64>,
}

/// One command's state: keys are the command's own (another command's `"votes"` is another
/// entry). Values are JSON (serde); the `*_bytes` methods store raw bytes. Cheap to clone.
///
/// Every process of the bot sees the same state (a file standalone, a NATS bucket in the
/// cluster), so a click may be handled by a process that never saw the command run: load the
/// state, apply the click, save with [`update`](Self::update), which retries when another
/// process saved first, so no click is lost.
#[derive(Clone)]
pub struct CommandState {
    store: Arc<dyn StateStore>,
    namespace: Arc<str>,
    clock: Clock,
    timers: TimerBook,
}

impl std::fmt::Debug for CommandState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandState")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

impl CommandState {
    /// The state of command `namespace` in `store`; timers go to `timers`.
    #[must_use]
    pub fn new(
        store: Arc<dyn StateStore>,
        namespace: impl Into<Arc<str>>,
        clock: Clock,
        timers: TimerBook,
    ) -> Self {
        Self {
            store,
            namespace: namespace.into(),
            clock,
            timers,
        }
    }

    /// The namespace (the command's name).
    #[must_use]
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The current wall-clock time, as the store and timers count it.
    #[must_use]
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// The value at `key`, if any.
    pub async fn get<T: DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<Versioned<T>>, StateError> {
        let Some(entry) = self.get_bytes(key).await? else {
            return Ok(None);
        };
        Ok(Some(Versioned {
            value: decode(key, &entry.value)?,
            version: entry.version,
        }))
    }

    /// Writes `value` at `key` (no expiry); returns its version.
    pub async fn put<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<u64, StateError> {
        self.put_bytes(key, encode(key, value)?, None).await
    }

    /// Writes `value` at `key`, gone after `ttl`.
    pub async fn put_expiring<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
        ttl: Duration,
    ) -> Result<u64, StateError> {
        let expires = self.clock.now() + ttl;
        self.put_bytes(key, encode(key, value)?, Some(expires))
            .await
    }

    /// Writes `value` only if the entry's version is still `expected` (`None`: only if there is
    /// none); `None` back means it changed meanwhile. `ttl` sets an expiry from now.
    pub async fn compare_and_set<T: Serialize + ?Sized>(
        &self,
        key: &str,
        expected: Option<u64>,
        value: &T,
        ttl: Option<Duration>,
    ) -> Result<Option<u64>, StateError> {
        let expires = ttl.map(|ttl| self.clock.now() + ttl);
        self.store
            .compare_and_set(&self.namespace, key, expected, encode(key, value)?, expires)
            .await
    }

    /// Deletes `key`; returns whether it existed.
    pub async fn delete(&self, key: &str) -> Result<bool, StateError> {
        self.store.delete(&self.namespace, key, None).await
    }

    /// Loads `key`, lets `apply` decide the change, and saves it with compare-and-set; when
    /// another writer saved first, loads again and applies again (up to [`UPDATE_ATTEMPTS`]).
    /// `apply` may run several times, so it must only compute.
    pub async fn update<T, R, F>(&self, key: &str, mut apply: F) -> Result<Updated<R>, StateError>
    where
        T: Serialize + DeserializeOwned,
        F: FnMut(Option<T>) -> (Change<T>, R),
    {
        for attempt in 0..UPDATE_ATTEMPTS {
            let current = self.get_bytes(key).await?;
            let (version, expires_at) = current
                .as_ref()
                .map_or((None, None), |e| (Some(e.version), e.expires_at));
            let value = current.map(|e| decode::<T>(key, &e.value)).transpose()?;
            let (change, outcome) = apply(value);
            let saved = match change {
                Change::Keep => return Ok(Updated { outcome, version }),
                Change::Set(value) => {
                    let bytes = encode(key, &value)?;
                    self.store
                        .compare_and_set(&self.namespace, key, version, bytes, expires_at)
                        .await?
                        .map(Some)
                }
                Change::Delete => match version {
                    None => Some(None),
                    Some(v) => self
                        .store
                        .delete(&self.namespace, key, Some(v))
                        .await?
                        .then_some(None),
                },
            };
            if let Some(version) = saved {
                return Ok(Updated { outcome, version });
            }
            // Lost to another writer: spread the retries so two writers do not collide again.
            let pause = fastrand::u64(0..=u64::from(attempt + 1) * 2);
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
        Err(StateError::Contended {
            key: key.to_owned(),
            attempts: UPDATE_ATTEMPTS,
        })
    }

    /// The raw entry at `key`.
    pub async fn get_bytes(&self, key: &str) -> Result<Option<StateEntry>, StateError> {
        self.store.get(&self.namespace, key).await
    }

    /// Writes raw bytes at `key`, expiring at `expires_at` if given.
    pub async fn put_bytes(
        &self,
        key: &str,
        value: Vec<u8>,
        expires_at: Option<SystemTime>,
    ) -> Result<u64, StateError> {
        self.store
            .put(&self.namespace, key, value, expires_at)
            .await
    }

    /// Every entry of this command, by key, as JSON values of type `T`.
    pub async fn entries<T: DeserializeOwned>(
        &self,
    ) -> Result<Vec<(String, Versioned<T>)>, StateError> {
        let entries = self.store.scan(&self.namespace).await?;
        entries
            .into_iter()
            .map(|(key, entry)| {
                let value = decode(&key, &entry.value)?;
                Ok((
                    key,
                    Versioned {
                        value,
                        version: entry.version,
                    },
                ))
            })
            .collect()
    }

    /// Schedules this command's timer `key` at `at` (replacing an earlier schedule of the same
    /// key): the bot calls [`Command::timer`](crate::Command::timer) once it is due, after a
    /// restart too, and in a cluster on exactly one process.
    pub async fn schedule(&self, key: &str, at: SystemTime) -> Result<(), StateError> {
        self.timers.schedule(&self.namespace, key, at).await
    }

    /// Schedules timer `key` `after` from now.
    pub async fn schedule_in(&self, key: &str, after: Duration) -> Result<(), StateError> {
        self.schedule(key, self.clock.now() + after).await
    }

    /// Cancels timer `key`; returns whether it was scheduled.
    pub async fn cancel(&self, key: &str) -> Result<bool, StateError> {
        self.timers.cancel(&self.namespace, key).await
    }
}

fn encode<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<Vec<u8>, StateError> {
    serde_json::to_vec(value).map_err(|source| StateError::Encode {
        key: key.to_owned(),
        source,
    })
}

fn decode<T: DeserializeOwned>(key: &str, bytes: &[u8]) -> Result<T, StateError> {
    serde_json::from_slice(bytes).map_err(|source| StateError::Decode {
        key: key.to_owned(),
        source,
    })
}
