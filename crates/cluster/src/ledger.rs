//! `KvLedger`: novera-commands' `InteractionLedger` over a JetStream key-value bucket, so every
//! process of the bot agrees on who answers each interaction (and each prefix message).
//!
//! One entry per interaction, `i.<id>` (`m.<id>` for a prefix message): `{owner, delivery,
//! ack}`. Claiming is create-if-absent. A redelivered event (delivery `n`) takes over an entry
//! claimed at an earlier delivery, by a compare-and-set on its revision; an entry claimed at
//! delivery `n` or later belongs to a live receiver, so two receivers of one redelivery never
//! both win and a takeover is never taken over by its own delivery. Recording an
//! acknowledgement is a compare-and-set too, so a worker that was taken over (it was alive but
//! late) learns it no longer owns the interaction. The bucket expires entries after an
//! interaction token's life (15 minutes).

use std::time::Duration;

use async_nats::jetstream::kv;
use bytes::Bytes;
use novera_commands::{Acknowledged, BoxFuture, Claim, InteractionLedger, LedgerError};
use serde::{Deserialize, Serialize};
use twilight_model::id::Id;
use twilight_model::id::marker::{InteractionMarker, MessageMarker};

/// An interaction token's life: after it, nothing can be sent for the interaction anyway.
pub const CLAIM_LIFETIME: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    owner: String,
    /// The delivery of the event the claim was made for (0: not a delivery, a waiter's).
    #[serde(default)]
    delivery: u64,
    ack: Option<Acknowledged>,
}

/// The bot's interaction ledger in a key-value bucket; `owner` names this process.
#[derive(Debug, Clone)]
pub struct KvLedger {
    store: kv::Store,
    owner: String,
}

impl KvLedger {
    /// A ledger over `store` (see [`Broker::bucket`](crate::Broker::bucket)) for the process
    /// `owner` (unique per process, e.g. [`process_name`](crate::process_name)).
    #[must_use]
    pub fn new(store: kv::Store, owner: impl Into<String>) -> Self {
        Self {
            store,
            owner: owner.into(),
        }
    }

    /// This process's name in entries.
    #[must_use]
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Claims the prefix message `id` at its `delivery`, like an interaction.
    pub async fn claim_message(
        &self,
        id: Id<MessageMarker>,
        delivery: u64,
    ) -> Result<Claim, LedgerError> {
        self.claim_key(format!("m.{id}"), delivery).await
    }

    async fn claim_key(&self, key: String, delivery: u64) -> Result<Claim, LedgerError> {
        let mine = self.entry(delivery, None)?;
        match self.store.create(&key, mine.clone()).await {
            Ok(_) => return Ok(Claim::Fresh),
            Err(error) if error.kind() == kv::CreateErrorKind::AlreadyExists => {}
            Err(error) => return Err(error.into()),
        }
        let Some((current, revision)) = self.read(&key).await? else {
            // Expired or purged between the two calls: claim it afresh.
            return Ok(match self.store.create(&key, mine).await {
                Ok(_) => Claim::Fresh,
                Err(_) => Claim::Elsewhere,
            });
        };
        if current.owner == self.owner {
            return Ok(Claim::Fresh);
        }
        if delivery <= current.delivery || delivery <= 1 {
            return Ok(Claim::Elsewhere);
        }
        let taken = self.entry(delivery, current.ack)?;
        match self.store.update(&key, taken, revision).await {
            Ok(_) => {
                metrics::counter!("novera_cluster_takeovers_total").increment(1);
                tracing::info!(
                    key,
                    previous = current.owner,
                    ack = ?current.ack,
                    "took over an interaction whose worker stopped answering it"
                );
                Ok(Claim::TakenOver(current.ack))
            }
            Err(error) if error.kind() == kv::UpdateErrorKind::WrongLastRevision => {
                Ok(Claim::Elsewhere)
            }
            Err(error) => Err(error.into()),
        }
    }

    async fn record(&self, key: String, ack: Acknowledged) -> Result<(), LedgerError> {
        match self.read(&key).await? {
            None => {
                self.store.create(&key, self.entry(0, Some(ack))?).await?;
                Ok(())
            }
            Some((current, _)) if current.owner != self.owner => Err(format!(
                "interaction {key} is answered by {} now; this process stops answering it",
                current.owner
            )
            .into()),
            Some((current, revision)) => {
                let mine = self.entry(current.delivery, Some(ack))?;
                self.store.update(&key, mine, revision).await?;
                Ok(())
            }
        }
    }

    async fn read(&self, key: &str) -> Result<Option<(Entry, u64)>, LedgerError> {
        let Some(entry) = self.store.entry(key).await? else {
            return Ok(None);
        };
        if entry.operation != kv::Operation::Put {
            return Ok(None);
        }
        let parsed: Entry = serde_json::from_slice(&entry.value)
            .map_err(|e| format!("unreadable ledger entry {key}: {e}"))?;
        Ok(Some((parsed, entry.revision)))
    }

    fn entry(&self, delivery: u64, ack: Option<Acknowledged>) -> Result<Bytes, LedgerError> {
        let entry = Entry {
            owner: self.owner.clone(),
            delivery,
            ack,
        };
        Ok(Bytes::from(serde_json::to_vec(&entry)?))
    }
}

impl InteractionLedger for KvLedger {
    fn claim(
        &self,
        interaction: Id<InteractionMarker>,
        delivery: u64,
    ) -> BoxFuture<'_, Result<Claim, LedgerError>> {
        Box::pin(self.claim_key(format!("i.{interaction}"), delivery))
    }

    fn acknowledged(
        &self,
        interaction: Id<InteractionMarker>,
        ack: Acknowledged,
    ) -> BoxFuture<'_, Result<(), LedgerError>> {
        Box::pin(self.record(format!("i.{interaction}"), ack))
    }
}
