//! `InteractionLedger`: where a process records the interactions it answers, so that when
//! several processes may receive the same interaction (a redelivery after a worker died, a click
//! that reached a waiter on one worker and the router on another), exactly one answers it, and a
//! takeover resumes where the first one stopped.
//!
//! The router never needs one in a single process: one process, one answer. The cluster roles
//! back it with a key-value store (a `JetStream` bucket); this crate only defines the contract, so
//! it stays broker-agnostic.

use twilight_model::id::Id;
use twilight_model::id::marker::InteractionMarker;

use crate::boxed::BoxFuture;

/// How far an interaction's answer got, as recorded after each acknowledging callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "stage")]
#[non_exhaustive]
pub enum Acknowledged {
    /// Deferred with "thinking...": the answer is an edit of `@original`.
    Deferred {
        /// Whether the deferral (and so `@original`) is ephemeral.
        ephemeral: bool,
    },
    /// A click acknowledged without a visible change.
    DeferredUpdate,
    /// Answered (a message, an update of the component's message, or autocomplete choices).
    Responded,
    /// Answered with a modal.
    ModalShown,
}

/// What claiming an interaction found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Claim {
    /// Nobody had claimed it: this process answers it.
    Fresh,
    /// It was claimed at an earlier delivery by a process that stopped answering it; this
    /// process now owns it and resumes from what was acknowledged, if anything.
    TakenOver(Option<Acknowledged>),
    /// Another process owns it: leave it alone.
    Elsewhere,
}

/// The ledger's store failed; the caller decides whether answering anyway is safe.
pub type LedgerError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Records which process answers which interaction.
///
/// Implementations must make [`claim`](Self::claim) atomic (create-if-absent, or
/// compare-and-set on takeover), and must expire entries after an interaction token's life
/// (15 minutes).
pub trait InteractionLedger: Send + Sync + 'static {
    /// Claims `interaction` for this process.
    ///
    /// `delivery` is the broker's delivery count of the event that makes this claim: `1` for
    /// the first delivery, more for a redelivery (its previous receiver stopped acknowledging
    /// it), `0` for a claim that is not a delivery (a waiter's click). A claim made at an
    /// earlier delivery than `delivery` is taken over; one made at the same or a later delivery
    /// belongs to a live process, so two receivers of one redelivery never both win.
    fn claim(
        &self,
        interaction: Id<InteractionMarker>,
        delivery: u64,
    ) -> BoxFuture<'_, Result<Claim, LedgerError>>;

    /// Records that `interaction` got `ack` from this process. Fails when another process took
    /// the interaction over meanwhile (this one should stop answering it).
    fn acknowledged(
        &self,
        interaction: Id<InteractionMarker>,
        ack: Acknowledged,
    ) -> BoxFuture<'_, Result<(), LedgerError>>;
}
