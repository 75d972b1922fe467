//! `KvLedger`: novera-commands' `InteractionLedger` over a JetStream key-value bucket, so every
//! process of the bot agrees on who answers each interaction (and each prefix message).
//!
//! One entry per interaction, `i.<id>` (`m.<id>` for a prefix message): `{owner, ack}`.
//! Claiming is create-if-absent; taking over a dead owner's entry is a compare-and-set on its
//! revision, so two workers that both got a redelivery cannot both win; recording an
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

    /// Claims the prefix message `id` (a redelivered `MESSAGE_CREATE`), like an interaction.
    pub async fn claim_message(
        &self,
        id: Id<MessageMarker>,
        take_over: bool,
    ) -> Result<Claim, LedgerError> {
        self.claim_key(format!("m.{id}"), take_over).await
    }

    async fn claim_key(&self, key: String, take_over: bool) -> Result<Claim, LedgerError> {
        let mine = self.entry(None)?;
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
        if !take_over {
            return Ok(Claim::Elsewhere);
        }
        let taken = self.entry(current.ack)?;
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
        let mine = self.entry(Some(ack))?;
        match self.read(&key).await? {
            None => {
                self.store.create(&key, mine).await?;
                Ok(())
            }
            Some((current, _)) if current.owner != self.owner => Err(format!(
                "interaction {key} is answered by {} now; this process stops answering it",
                current.owner
            )
            .into()),
            Some((_, revision)) => {
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

    fn entry(&self, ack: Option<Acknowledged>) -> Result<Bytes, LedgerError> {
        let entry = Entry {
            owner: self.owner.clone(),
            ack,
        };
        Ok(Bytes::from(serde_json::to_vec(&entry)?))
    }
}

impl InteractionLedger for KvLedger {
    fn claim(
        &self,
        interaction: Id<InteractionMarker>,
        take_over: bool,
    ) -> BoxFuture<'_, Result<Claim, LedgerError>> {
        Box::pin(self.claim_key(format!("i.{interaction}"), take_over))
    }

    fn acknowledged(
        &self,
        interaction: Id<InteractionMarker>,
        ack: Acknowledged,
    ) -> BoxFuture<'_, Result<(), LedgerError>> {
        Box::pin(self.record(format!("i.{interaction}"), ack))
    }
}
