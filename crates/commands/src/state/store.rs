//! `StateStore`: the contract every state backend keeps (the embedded file, memory, a NATS
//! key-value bucket in the cluster).

use std::time::SystemTime;

use crate::boxed::BoxFuture;
use crate::state::error::StateError;

/// Longest namespace or key accepted, in bytes (keys name things; values hold the data).
pub const MAX_KEY_LEN: usize = 256;

/// One stored value with its version and expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateEntry {
    /// The bytes stored.
    pub value: Vec<u8>,
    /// Changes on every write of this key and is never reused by the store (not even after a
    /// delete), so a compare-and-set against it cannot succeed on a value written since.
    pub version: u64,
    /// When the entry stops existing, if ever.
    pub expires_at: Option<SystemTime>,
}

/// Small values per namespace and key, with versions for compare-and-set and optional expiry.
///
/// Object safe: the router holds an `Arc<dyn StateStore>`. Commands use it through
/// [`CommandState`](crate::CommandState) (`ctx.state()`), whose namespace is the command's name;
/// timers use the namespace [`TIMERS_NAMESPACE`](crate::TIMERS_NAMESPACE).
///
/// Every implementation keeps the same rules, checked for each by one shared test suite
/// (novera-testkit's `state_store_suite`):
/// - an entry whose `expires_at` has passed does not exist: reads skip it, a compare-and-set
///   expecting "absent" replaces it, [`scan`](Self::scan) leaves it out;
/// - a write acknowledged by `Ok` survives a crash of the process right after;
/// - versions only grow, so a stale compare-and-set always fails;
/// - namespaces and keys are any non-empty strings of at most [`MAX_KEY_LEN`] bytes.
pub trait StateStore: Send + Sync + 'static {
    /// The live entry at `namespace`/`key`, if any.
    fn get<'a>(
        &'a self,
        namespace: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<StateEntry>, StateError>>;

    /// Writes `value` whatever is there; returns the new version.
    fn put<'a>(
        &'a self,
        namespace: &'a str,
        key: &'a str,
        value: Vec<u8>,
        expires_at: Option<SystemTime>,
    ) -> BoxFuture<'a, Result<u64, StateError>>;

    /// Writes `value` only if the live entry's version is `expected` (`None`: only if there is
    /// no live entry). Returns the new version, or `None` when the entry changed meanwhile
    /// (load again, apply again, retry).
    fn compare_and_set<'a>(
        &'a self,
        namespace: &'a str,
        key: &'a str,
        expected: Option<u64>,
        value: Vec<u8>,
        expires_at: Option<SystemTime>,
    ) -> BoxFuture<'a, Result<Option<u64>, StateError>>;

    /// Deletes the entry: any version when `expected` is `None`, else only that version.
    /// Returns whether a live entry was deleted.
    fn delete<'a>(
        &'a self,
        namespace: &'a str,
        key: &'a str,
        expected: Option<u64>,
    ) -> BoxFuture<'a, Result<bool, StateError>>;

    /// Every live entry of `namespace`, by key.
    fn scan<'a>(
        &'a self,
        namespace: &'a str,
    ) -> BoxFuture<'a, Result<Vec<(String, StateEntry)>, StateError>>;

    /// Removes entries that expired (reads already ignore them; this frees their space).
    /// Returns how many were removed.
    fn purge_expired(&self) -> BoxFuture<'_, Result<usize, StateError>>;
}

/// Refuses an empty or oversized namespace or key.
pub(crate) fn check_key(namespace: &str, key: &str) -> Result<(), StateError> {
    for part in [namespace, key] {
        if part.is_empty() || part.len() > MAX_KEY_LEN {
            return Err(StateError::InvalidKey {
                namespace: namespace.chars().take(64).collect(),
                key: key.chars().take(64).collect(),
            });
        }
    }
    Ok(())
}

/// Whether an entry expiring at `expires_at` is gone at `now`.
#[must_use]
pub fn is_expired(expires_at: Option<SystemTime>, now: SystemTime) -> bool {
    expires_at.is_some_and(|at| at <= now)
}
