//! `KvSessionStore`: novera-gateway's `SessionStore` in a key-value bucket, so a gateway that
//! is replaced (another machine, another disk) resumes its shards: RESUME, no IDENTIFY.
//!
//! One key per shard, `shard.<total>.<id>`, holding the saved session as JSON; the bucket's
//! entries expire after the session's usable age, as Discord forgets sessions. A process
//! writes only its own shards' keys (its range), so gateways of one bot never overwrite each
//! other's sessions.

use std::ops::Range;
use std::time::Duration;

use async_nats::jetstream::kv;
use bytes::Bytes;
use futures_util::StreamExt as _;
use novera_gateway::{SavedSession, SessionStore, SessionStoreError, StoreFuture};

use crate::broker::Broker;
use crate::error::ConnectError;

/// Sessions of the shards `owned` of `total`, in the bot's sessions bucket.
#[derive(Debug, Clone)]
pub struct KvSessionStore {
    store: kv::Store,
    total: u32,
    owned: Range<u32>,
}

impl KvSessionStore {
    /// The store of `broker`'s bot for shards `owned` of `total`; entries live `max_age`.
    pub async fn new(
        broker: &Broker,
        total: u32,
        owned: Range<u32>,
        max_age: Duration,
    ) -> Result<Self, ConnectError> {
        let bucket = format!("novera_{}_sessions", broker.settings().bot);
        Ok(Self {
            store: broker.bucket(&bucket, max_age).await?,
            total,
            owned,
        })
    }

    fn key(&self, shard: u32) -> String {
        format!("shard.{}.{shard}", self.total)
    }

    async fn load_all(&self) -> Result<Vec<SavedSession>, SessionStoreError> {
        let mut sessions = Vec::new();
        for shard in self.owned.clone() {
            let entry = self.store.entry(self.key(shard)).await.map_err(backend)?;
            let Some(entry) = entry.filter(|e| e.operation == kv::Operation::Put) else {
                continue;
            };
            match serde_json::from_slice::<SavedSession>(&entry.value) {
                Ok(session) => sessions.push(session),
                Err(error) => {
                    tracing::warn!(shard, %error, "ignoring an unreadable saved session");
                }
            }
        }
        Ok(sessions)
    }

    async fn save_all(&self, sessions: &[SavedSession]) -> Result<(), SessionStoreError> {
        for session in sessions {
            if !self.owned.contains(&session.shard) {
                continue;
            }
            let bytes = serde_json::to_vec(session).map_err(backend)?;
            self.store
                .put(self.key(session.shard), Bytes::from(bytes))
                .await
                .map_err(backend)?;
        }
        // A shard of ours without a session has nothing to resume.
        for shard in self.owned.clone() {
            if !sessions.iter().any(|s| s.shard == shard) {
                let _ = self.store.delete(self.key(shard)).await;
            }
        }
        Ok(())
    }

    /// Every session in the bucket, for tests and tools.
    pub async fn keys(&self) -> Vec<String> {
        match self.store.keys().await {
            Ok(keys) => keys.filter_map(|k| async { k.ok() }).collect().await,
            Err(_) => Vec::new(),
        }
    }
}

fn backend(error: impl std::error::Error + Send + Sync + 'static) -> SessionStoreError {
    SessionStoreError::Backend {
        store: "NATS key-value bucket",
        source: Box::new(error),
    }
}

impl SessionStore for KvSessionStore {
    fn load(&self) -> StoreFuture<'_, Result<Vec<SavedSession>, SessionStoreError>> {
        Box::pin(self.load_all())
    }

    fn save<'a>(
        &'a self,
        sessions: &'a [SavedSession],
    ) -> StoreFuture<'a, Result<(), SessionStoreError>> {
        Box::pin(self.save_all(sessions))
    }
}
