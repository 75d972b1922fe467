//! `MemoryStateStore`: state in this process's memory, gone when it stops. The default of a
//! router built without a store (tests, embedders); the bot assembly uses a file or a bucket.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::SystemTime;

use crate::boxed::BoxFuture;
use crate::state::clock::Clock;
use crate::state::error::StateError;
use crate::state::store::{StateEntry, StateStore, check_key, is_expired};

#[derive(Debug, Default)]
struct Entries {
    revision: u64,
    map: BTreeMap<(String, String), StateEntry>,
}

impl Entries {
    fn live(&self, namespace: &str, key: &str, now: SystemTime) -> Option<&StateEntry> {
        self.map
            .get(&(namespace.to_owned(), key.to_owned()))
            .filter(|e| !is_expired(e.expires_at, now))
    }

    fn write(
        &mut self,
        namespace: &str,
        key: &str,
        value: Vec<u8>,
        expires_at: Option<SystemTime>,
    ) -> u64 {
        self.revision += 1;
        let version = self.revision;
        self.map.insert(
            (namespace.to_owned(), key.to_owned()),
            StateEntry {
                value,
                version,
                expires_at,
            },
        );
        version
    }
}

/// Command state in memory (not durable: a restart forgets it).
#[derive(Debug, Default)]
pub struct MemoryStateStore {
    entries: Mutex<Entries>,
    clock: Clock,
}

impl MemoryStateStore {
    /// An empty store on the wall clock.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store reading time from `clock`.
    #[must_use]
    pub fn with_clock(clock: Clock) -> Self {
        Self {
            entries: Mutex::default(),
            clock,
        }
    }

    fn locked<T>(&self, f: impl FnOnce(&mut Entries, SystemTime) -> T) -> T {
        // A panic while holding the lock cannot leave the map half-written (each write is one
        // insert), so a poisoned lock is still consistent.
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut entries, self.clock.now())
    }
}

impl StateStore for MemoryStateStore {
    fn get<'a>(
        &'a self,
        namespace: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<StateEntry>, StateError>> {
        Box::pin(async move {
            check_key(namespace, key)?;
            Ok(self.locked(|e, now| e.live(namespace, key, now).cloned()))
        })
    }

    fn put<'a>(
        &'a self,
        namespace: &'a str,
        key: &'a str,
        value: Vec<u8>,
        expires_at: Option<SystemTime>,
    ) -> BoxFuture<'a, Result<u64, StateError>> {
        Box::pin(async move {
            check_key(namespace, key)?;
            Ok(self.locked(|e, _| e.write(namespace, key, value, expires_at)))
        })
    }

    fn compare_and_set<'a>(
        &'a self,
        namespace: &'a str,
        key: &'a str,
        expected: Option<u64>,
        value: Vec<u8>,
        expires_at: Option<SystemTime>,
    ) -> BoxFuture<'a, Result<Option<u64>, StateError>> {
        Box::pin(async move {
            check_key(namespace, key)?;
            Ok(self.locked(|e, now| {
                let current = e.live(namespace, key, now).map(|entry| entry.version);
                (current == expected).then(|| e.write(namespace, key, value, expires_at))
            }))
        })
    }

    fn delete<'a>(
        &'a self,
        namespace: &'a str,
        key: &'a str,
        expected: Option<u64>,
    ) -> BoxFuture<'a, Result<bool, StateError>> {
        Box::pin(async move {
            check_key(namespace, key)?;
            Ok(self.locked(|e, now| {
                let Some(current) = e.live(namespace, key, now).map(|entry| entry.version) else {
                    return false;
                };
                if expected.is_some_and(|v| v != current) {
                    return false;
                }
                e.map.remove(&(namespace.to_owned(), key.to_owned()));
                true
            }))
        })
    }

    fn scan<'a>(
        &'a self,
        namespace: &'a str,
    ) -> BoxFuture<'a, Result<Vec<(String, StateEntry)>, StateError>> {
        Box::pin(async move {
            check_key(namespace, "-")?;
            Ok(self.locked(|e, now| {
                e.map
                    .iter()
                    .filter(|((ns, _), entry)| {
                        ns == namespace && !is_expired(entry.expires_at, now)
                    })
                    .map(|((_, key), entry)| (key.clone(), entry.clone()))
                    .collect()
            }))
        })
    }

    fn purge_expired(&self) -> BoxFuture<'_, Result<usize, StateError>> {
        Box::pin(async move {
            Ok(self.locked(|e, now| {
                let before = e.map.len();
                e.map.retain(|_, entry| !is_expired(entry.expires_at, now));
                before - e.map.len()
            }))
        })
    }
}
