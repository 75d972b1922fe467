//! `ShardLeases`: at most one gateway process per shard, across the bot.
//!
//! A lease is a key per shard (`shard.<id>`) in the bucket `novera_<bot>_shards`, created by the
//! process that runs the shard and renewed every [`RENEW_EVERY`] by compare-and-set; the bucket
//! expires entries after [`LEASE_TTL`] without a write. A process that finds a shard's key held
//! watches it for two renewal periods: if its holder renews it, the holder is alive and the
//! process refuses to start, naming it; if not, the holder died (a crash, a lost machine) and
//! the key is taken over by compare-and-set. A graceful stop deletes the keys, so a
//! replacement starts at once.

use std::ops::Range;
use std::time::Duration;

use async_nats::jetstream::kv;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::broker::Broker;
use crate::error::ConnectError;
use crate::headers::unix_ms_now;

/// How long a lease outlives its last renewal.
pub const LEASE_TTL: Duration = Duration::from_secs(30);
/// How often a holder renews its leases.
pub const RENEW_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Holder {
    owner: String,
    since_unix_ms: u64,
}

/// Why leases could not be taken or kept.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LeaseError {
    /// A live process runs the shard.
    #[error(
        "shard {shard} is already run by {owner} (since {since}); two gateway processes for one shard would both identify and deliver every event twice: check shards.range"
    )]
    Held {
        /// The shard.
        shard: u32,
        /// The process that holds it.
        owner: String,
        /// Since when, RFC 3339.
        since: String,
    },
    /// Another process took a lease this one held (this one stalled past the lease's life).
    #[error("lost the lease of shard {shard} to {owner}")]
    Lost {
        /// The shard.
        shard: u32,
        /// Who has it now.
        owner: String,
    },
    /// The broker failed.
    #[error("shard lease store failed: {0}")]
    Store(String),
}

/// The shard leases of one gateway process.
#[derive(Debug)]
pub struct ShardLeases {
    store: kv::Store,
    owner: String,
    held: Vec<(u32, u64)>,
}

impl ShardLeases {
    /// Takes the leases of `shards` for `owner`, waiting out the leases of dead holders.
    pub async fn acquire(
        broker: &Broker,
        shards: Range<u32>,
        owner: &str,
    ) -> Result<Self, LeaseAcquireError> {
        let bucket = format!("novera_{}_shards", broker.settings().bot);
        let store = broker
            .bucket(&bucket, LEASE_TTL)
            .await
            .map_err(LeaseAcquireError::Connect)?;
        let mut leases = Self {
            store,
            owner: owner.to_owned(),
            held: Vec::new(),
        };
        for shard in shards {
            match leases.take(shard).await {
                Ok(revision) => leases.held.push((shard, revision)),
                Err(error) => {
                    leases.release().await;
                    return Err(LeaseAcquireError::Lease(error));
                }
            }
        }
        Ok(leases)
    }

    fn key(shard: u32) -> String {
        format!("shard.{shard}")
    }

    fn holder(&self) -> Result<Bytes, LeaseError> {
        serde_json::to_vec(&Holder {
            owner: self.owner.clone(),
            since_unix_ms: unix_ms_now(),
        })
        .map(Bytes::from)
        .map_err(|e| LeaseError::Store(e.to_string()))
    }

    async fn take(&self, shard: u32) -> Result<u64, LeaseError> {
        let key = Self::key(shard);
        let store = |e: &dyn std::error::Error| LeaseError::Store(e.to_string());
        match self.store.create(&key, self.holder()?).await {
            Ok(revision) => return Ok(revision),
            Err(error) if error.kind() == kv::CreateErrorKind::AlreadyExists => {}
            Err(error) => return Err(store(&error)),
        }
        // Held: alive if its holder renews it within two renewal periods.
        let watched_until = Instant::now() + RENEW_EVERY * 2 + Duration::from_millis(500);
        let first = self.store.entry(&key).await.map_err(|e| store(&e))?;
        let Some(first) = first.filter(|e| e.operation == kv::Operation::Put) else {
            return self
                .store
                .create(&key, self.holder()?)
                .await
                .map_err(|e| store(&e));
        };
        let holder: Holder = serde_json::from_slice(&first.value).unwrap_or(Holder {
            owner: "an unknown process".to_owned(),
            since_unix_ms: 0,
        });
        tracing::info!(
            shard,
            holder = holder.owner,
            "shard is leased; waiting to see whether its holder is alive"
        );
        while Instant::now() < watched_until {
            tokio::time::sleep(Duration::from_millis(250)).await;
            match self.store.entry(&key).await.map_err(|e| store(&e))? {
                Some(entry) if entry.operation == kv::Operation::Put => {
                    if entry.revision != first.revision {
                        return Err(LeaseError::Held {
                            shard,
                            owner: holder.owner,
                            since: humantime::format_rfc3339_seconds(
                                std::time::UNIX_EPOCH + Duration::from_millis(holder.since_unix_ms),
                            )
                            .to_string(),
                        });
                    }
                }
                // Released or expired meanwhile.
                _ => {
                    return self
                        .store
                        .create(&key, self.holder()?)
                        .await
                        .map_err(|e| store(&e));
                }
            }
        }
        tracing::warn!(
            shard,
            holder = holder.owner,
            "taking over the lease of a holder that stopped renewing it"
        );
        self.store
            .update(&key, self.holder()?, first.revision)
            .await
            .map_err(|e| store(&e))
    }

    /// Renews every lease once; a lease another process took is [`LeaseError::Lost`].
    pub async fn renew(&mut self) -> Result<(), LeaseError> {
        for (shard, revision) in &mut self.held {
            let key = Self::key(*shard);
            let value = serde_json::to_vec(&Holder {
                owner: self.owner.clone(),
                since_unix_ms: unix_ms_now(),
            })
            .map_err(|e| LeaseError::Store(e.to_string()))?;
            match self.store.update(&key, Bytes::from(value), *revision).await {
                Ok(next) => *revision = next,
                Err(error) if error.kind() == kv::UpdateErrorKind::WrongLastRevision => {
                    let owner = match self.store.get(&key).await {
                        Ok(Some(value)) => serde_json::from_slice::<Holder>(&value)
                            .map_or_else(|_| "another process".to_owned(), |h| h.owner),
                        _ => "nobody".to_owned(),
                    };
                    return Err(LeaseError::Lost {
                        shard: *shard,
                        owner,
                    });
                }
                // The broker is away: the lease lives LEASE_TTL; try again next time.
                Err(error) => {
                    tracing::warn!(shard = *shard, %error, "could not renew a shard lease");
                }
            }
        }
        Ok(())
    }

    /// Releases every lease this process still holds (a graceful stop).
    pub async fn release(&mut self) {
        for (shard, revision) in self.held.drain(..) {
            let key = Self::key(shard);
            // Only our own: a lease taken over meanwhile is not ours to delete.
            if let Ok(Some(entry)) = self.store.entry(&key).await
                && entry.revision == revision
                && let Err(error) = self.store.delete(&key).await
            {
                tracing::warn!(shard, %error, "could not release a shard lease");
            }
        }
    }

    /// The shards held.
    #[must_use]
    pub fn shards(&self) -> Vec<u32> {
        self.held.iter().map(|(shard, _)| *shard).collect()
    }
}

/// Taking the leases at start failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LeaseAcquireError {
    /// The bucket could not be set up.
    #[error(transparent)]
    Connect(ConnectError),
    /// A lease is held by a live process, or the store failed.
    #[error(transparent)]
    Lease(LeaseError),
}
