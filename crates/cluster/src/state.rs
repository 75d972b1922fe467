//! `KvStateStore`: novera-commands' `StateStore` over a JetStream key-value bucket, so every
//! process of the bot (workers in the cluster roles) shares command state and timers.
//!
//! - **Keys**: `<namespace>.<key>`, each part escaped to the characters NATS keys allow
//!   (`A-Z a-z 0-9 - _` as they are, every other byte as `=XX`), so any string is a key and
//!   `.` only ever separates the two parts.
//! - **Versions** are the bucket's revisions (stream sequences): they only grow and are never
//!   reused; compare-and-set is the bucket's `update` with the expected last revision, and
//!   create-if-absent its `create`.
//! - **Expiry per key**: nats-server 2.9 has no per-message TTL (2.11 does) and a bucket-wide
//!   `max_age` would expire every entry alike, so each value carries its own expiry: an 8-byte
//!   big-endian Unix-milliseconds prefix (0: never) before the value's bytes. Reads treat an
//!   expired entry as absent, create-if-absent replaces it by compare-and-set on its revision,
//!   and [`purge_expired`](StateStore::purge_expired) (the bot's timer runner calls it every
//!   minute) removes it.
//!   One latitude: a compare-and-set naming the revision of an entry that expired *after* the
//!   caller read it still succeeds (the bucket checks revisions, not expiry); callers that read
//!   through the store never hold such a revision, since an expired entry reads as absent.
//! - **Deletes leave nothing behind**: instead of the bucket's delete marker (a tombstone per
//!   deleted key, kept forever in a bucket without `max_age`), a delete purges the key's
//!   subject *up to its revision* (`purge` with `filter` and `seq`, JetStream API since 2.7):
//!   that removes exactly the version read and never a newer write, so it is also the
//!   compare-and-delete. The account needs the `$JS.API.STREAM.PURGE` permission.
//! - **Scans** (the timer runner's, once per interval) read the namespace's last value per key
//!   with an ordered consumer filtered on `$KV.<bucket>.<namespace>.>`.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use async_nats::jetstream::consumer::{DeliverPolicy, ReplayPolicy, push};
use async_nats::jetstream::kv;
use bytes::Bytes;
use futures_util::StreamExt as _;
use novera_commands::{
    BoxFuture, Clock, StateEntry, StateError, StateStore, from_unix_ms, is_expired, unix_ms,
};

use crate::broker::Broker;
use crate::error::ConnectError;

/// How long a scan waits for the server to deliver a namespace's entries.
const SCAN_DEADLINE: Duration = Duration::from_secs(5);

/// The bucket holding bot `bot`'s command state and timers.
#[must_use]
pub fn state_bucket(bot: &str) -> String {
    format!("novera_{bot}_state")
}

/// Command state in a key-value bucket shared by every process of the bot. Cheap to clone.
#[derive(Debug, Clone)]
pub struct KvStateStore {
    store: kv::Store,
    client: async_nats::Client,
    clock: Clock,
}

impl KvStateStore {
    /// The bot's state bucket ([`state_bucket`]), created when missing, with no bucket-wide
    /// expiry (entries expire by their own expiry only).
    pub async fn open(broker: &Broker) -> Result<Self, ConnectError> {
        let store = broker
            .bucket(&state_bucket(&broker.settings().bot), Duration::ZERO)
            .await?;
        Ok(Self::new(store, broker.client().clone()))
    }

    /// A state store over `store`; `client` is the connection scans subscribe on.
    #[must_use]
    pub fn new(store: kv::Store, client: async_nats::Client) -> Self {
        Self {
            store,
            client,
            clock: Clock::new(),
        }
    }

    /// Reads time from `clock` (tests).
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    fn subject(&self, key: &str) -> String {
        format!("{}{key}", self.store.prefix)
    }

    /// The live entry at `key` and, whether live or expired, its revision.
    async fn read(&self, key: &str) -> Result<(Option<StateEntry>, Option<u64>), StateError> {
        let Some(entry) = self.store.entry(key).await.map_err(StateError::backend)? else {
            return Ok((None, None));
        };
        if entry.operation != kv::Operation::Put {
            return Ok((None, Some(entry.revision)));
        }
        let stored = unwrap_value(&entry.value, entry.revision)?;
        let live = (!is_expired(stored.expires_at, self.clock.now())).then_some(stored);
        Ok((live, Some(entry.revision)))
    }

    /// Removes `key`'s value at `revision` (and nothing written after it); whether it did.
    async fn purge_revision(&self, key: &str, revision: u64) -> Result<bool, StateError> {
        let purged = self
            .store
            .stream
            .purge()
            .filter(self.subject(key))
            .sequence(revision + 1)
            .await
            .map_err(StateError::backend)?;
        Ok(purged.purged > 0)
    }

    /// The last value of every key under `filter` (a subject below the bucket's prefix).
    async fn last_values(&self, filter: &str) -> Result<Vec<(String, u64, Bytes)>, StateError> {
        let consumer = self
            .store
            .stream
            .create_consumer(push::OrderedConfig {
                deliver_subject: self.client.new_inbox(),
                description: Some("novera state scan".to_owned()),
                filter_subject: format!("{}{filter}", self.store.prefix),
                replay_policy: ReplayPolicy::Instant,
                deliver_policy: DeliverPolicy::LastPerSubject,
                ..push::OrderedConfig::default()
            })
            .await
            .map_err(StateError::backend)?;
        if consumer.cached_info().num_pending == 0 {
            return Ok(Vec::new());
        }
        let mut messages = consumer.messages().await.map_err(StateError::backend)?;
        let mut found = Vec::new();
        let reading = async {
            while let Some(message) = messages.next().await {
                let message = message.map_err(StateError::backend)?;
                let info = message.info().map_err(StateError::backend)?;
                let (revision, pending) = (info.stream_sequence, info.pending);
                let deleted = message
                    .headers
                    .as_ref()
                    .and_then(|h| h.get("KV-Operation"))
                    .is_some_and(|op| op.as_str() != "PUT");
                if !deleted && let Some(key) = message.subject.strip_prefix(&self.store.prefix) {
                    found.push((key.to_owned(), revision, message.payload.clone()));
                }
                if pending == 0 {
                    break;
                }
            }
            Ok::<_, StateError>(())
        };
        tokio::time::timeout(SCAN_DEADLINE, reading)
            .await
            .map_err(|_| StateError::Timeout(SCAN_DEADLINE))??;
        Ok(found)
    }
}

impl StateStore for KvStateStore {
    fn get<'a>(
        &'a self,
        namespace: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<StateEntry>, StateError>> {
        Box::pin(async move {
            let key = kv_key(namespace, key)?;
            Ok(self.read(&key).await?.0)
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
            let key = kv_key(namespace, key)?;
            self.store
                .put(&key, wrap_value(&value, expires_at))
                .await
                .map_err(StateError::backend)
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
            let key = kv_key(namespace, key)?;
            let value = wrap_value(&value, expires_at);
            let expected = match expected {
                Some(version) => version,
                None => match self.store.create(&key, value.clone()).await {
                    Ok(revision) => return Ok(Some(revision)),
                    Err(error) if error.kind() == kv::CreateErrorKind::AlreadyExists => {
                        // Absent also means expired: replace exactly that revision.
                        match self.read(&key).await? {
                            (None, Some(revision)) => revision,
                            _ => return Ok(None),
                        }
                    }
                    Err(error) => return Err(StateError::backend(error)),
                },
            };
            match self.store.update(&key, value, expected).await {
                Ok(revision) => Ok(Some(revision)),
                Err(error) if error.kind() == kv::UpdateErrorKind::WrongLastRevision => Ok(None),
                Err(error) => Err(StateError::backend(error)),
            }
        })
    }

    fn delete<'a>(
        &'a self,
        namespace: &'a str,
        key: &'a str,
        expected: Option<u64>,
    ) -> BoxFuture<'a, Result<bool, StateError>> {
        Box::pin(async move {
            let key = kv_key(namespace, key)?;
            match self.read(&key).await? {
                (Some(live), _) if expected.is_none_or(|v| v == live.version) => {
                    self.purge_revision(&key, live.version).await
                }
                (None, Some(stale)) => {
                    // Expired (or an old marker): clean it up, but nothing live was deleted.
                    self.purge_revision(&key, stale).await?;
                    Ok(false)
                }
                _ => Ok(false),
            }
        })
    }

    fn scan<'a>(
        &'a self,
        namespace: &'a str,
    ) -> BoxFuture<'a, Result<Vec<(String, StateEntry)>, StateError>> {
        Box::pin(async move {
            let prefix = kv_key(namespace, "-")?;
            let prefix = prefix.trim_end_matches('-');
            let now = self.clock.now();
            let mut found = Vec::new();
            for (key, revision, payload) in self.last_values(&format!("{prefix}>")).await? {
                let Some(decoded) = key.strip_prefix(prefix).and_then(unescape) else {
                    continue;
                };
                let entry = unwrap_value(&payload, revision)?;
                if !is_expired(entry.expires_at, now) {
                    found.push((decoded, entry));
                }
            }
            Ok(found)
        })
    }

    fn purge_expired(&self) -> BoxFuture<'_, Result<usize, StateError>> {
        Box::pin(async move {
            let now = self.clock.now();
            let mut removed = 0;
            for (key, revision, payload) in self.last_values(">").await? {
                let expired = unwrap_value(&payload, revision)
                    .is_ok_and(|entry| is_expired(entry.expires_at, now));
                if expired && self.purge_revision(&key, revision).await? {
                    removed += 1;
                }
            }
            Ok(removed)
        })
    }
}

/// `<namespace>.<key>`, both escaped, after the store's key rules.
fn kv_key(namespace: &str, key: &str) -> Result<String, StateError> {
    for part in [namespace, key] {
        if part.is_empty() || part.len() > novera_commands::MAX_KEY_LEN {
            return Err(StateError::InvalidKey {
                namespace: namespace.chars().take(64).collect(),
                key: key.chars().take(64).collect(),
            });
        }
    }
    Ok(format!("{}.{}", escape(namespace), escape(key)))
}

fn escape(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for byte in part.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "={byte:02X}");
        }
    }
    out
}

fn unescape(escaped: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(escaped.len());
    let mut rest = escaped.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'=' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(first);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

fn wrap_value(value: &[u8], expires_at: Option<SystemTime>) -> Bytes {
    // 0 means "never"; a time at or before the epoch is already past, so 1 keeps it expired.
    let expires = expires_at.map_or(0, |at| unix_ms(at).max(1));
    let mut bytes = Vec::with_capacity(8 + value.len());
    bytes.extend_from_slice(&expires.to_be_bytes());
    bytes.extend_from_slice(value);
    Bytes::from(bytes)
}

fn unwrap_value(stored: &[u8], revision: u64) -> Result<StateEntry, StateError> {
    let Some((expires, value)) = stored.split_first_chunk::<8>() else {
        return Err(StateError::backend(format!(
            "state entry at revision {revision} is {} bytes, shorter than its expiry",
            stored.len()
        )));
    };
    let expires = u64::from_be_bytes(*expires);
    Ok(StateEntry {
        value: value.to_vec(),
        version: revision,
        expires_at: (expires != 0).then(|| from_unix_ms(expires)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_string_becomes_a_valid_key_and_back() {
        for part in [
            "poll",
            "#timers",
            "a.b",
            "with space",
            "ünï",
            "=3D",
            "a/b:c",
            "*",
            ">",
        ] {
            let escaped = escape(part);
            assert!(
                escaped
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_=".contains(&b)),
                "{escaped}"
            );
            assert_eq!(unescape(&escaped).as_deref(), Some(part));
        }
        assert_eq!(kv_key("poll", "42").unwrap(), "poll.42");
        assert!(kv_key("", "x").is_err());
        assert_eq!(unescape("=4"), None);
        assert_eq!(unescape("=ZZ"), None);
    }

    #[test]
    fn values_carry_their_expiry() {
        let at = from_unix_ms(1_700_000_000_000);
        let entry = unwrap_value(&wrap_value(b"abc", Some(at)), 7).unwrap();
        assert_eq!(
            (entry.value.as_slice(), entry.version, entry.expires_at),
            (&b"abc"[..], 7, Some(at))
        );
        let entry = unwrap_value(&wrap_value(b"", None), 1).unwrap();
        assert_eq!(entry.expires_at, None);
        assert!(unwrap_value(b"short", 1).is_err());
    }
}
