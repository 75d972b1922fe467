//! Waiting for a user's next message or click, on twilight-standby, with a timeout that is a
//! value (`None`), never an error, and never a task left behind.
//!
//! Standby futures spawn nothing: dropping one (which the timeout does) removes the waiter at
//! the next event. Component clicks need more care than messages because each click is an
//! interaction that must be answered within 3 s, and the router would otherwise route it to
//! the owning command too. So the predicate a waiter registers *claims* the interaction in a
//! [`ClaimBook`] when it matches. The gateway runs standby before dispatching (an architecture
//! invariant), so the router always finds the claim, leaves the click to the waiter, and only
//! arms an auto-defer for it: a click that matched just as the waiter gave up is still
//! acknowledged.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;
use twilight_model::id::Id;
use twilight_model::id::marker::InteractionMarker;

use crate::responder::Responder;

/// Claims older than this are forgotten (an interaction token lives 15 minutes).
const CLAIM_LIFETIME: Duration = Duration::from_secs(15 * 60);

#[derive(Debug)]
struct Claim {
    responder: Arc<Responder>,
    seen_by_router: bool,
    taken_by_waiter: bool,
    at: Instant,
}

/// Component interactions a waiter matched, shared by the waiters and the router.
#[derive(Debug, Default)]
pub(crate) struct ClaimBook {
    claims: Mutex<HashMap<Id<InteractionMarker>, Claim>>,
}

impl ClaimBook {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Id<InteractionMarker>, Claim>> {
        self.claims.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Called from a waiter's predicate, inside `Standby::process`.
    pub(crate) fn claim(&self, id: Id<InteractionMarker>, responder: Arc<Responder>) {
        let now = Instant::now();
        let mut claims = self.lock();
        claims.retain(|_, claim| now.duration_since(claim.at) < CLAIM_LIFETIME);
        claims.entry(id).or_insert(Claim {
            responder,
            seen_by_router: false,
            taken_by_waiter: false,
            at: now,
        });
    }

    /// The router saw interaction `id`: its responder if a waiter claimed it.
    pub(crate) fn router_sees(&self, id: Id<InteractionMarker>) -> Option<Arc<Responder>> {
        let mut claims = self.lock();
        let claim = claims.get_mut(&id)?;
        claim.seen_by_router = true;
        let responder = Arc::clone(&claim.responder);
        if claim.taken_by_waiter {
            claims.remove(&id);
        }
        Some(responder)
    }

    /// A waiter received interaction `id`: the responder its predicate created.
    pub(crate) fn take(&self, id: Id<InteractionMarker>) -> Option<Arc<Responder>> {
        let mut claims = self.lock();
        let claim = claims.get_mut(&id)?;
        claim.taken_by_waiter = true;
        let responder = Arc::clone(&claim.responder);
        if claim.seen_by_router {
            claims.remove(&id);
        }
        Some(responder)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::responder::{Kind, Rest, Target};

    fn responder() -> Arc<Responder> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Arc::new(Responder::new(
            Rest {
                http: Arc::new(twilight_http::Client::new(String::new())),
                guard: crate::RestGuard::default(),
                instance: Arc::new(novera_core::InstanceWatch::new(false)),
            },
            Id::new(1),
            Target::Interaction {
                id: Id::new(7),
                token: "t".into(),
                component_message: None,
            },
            Kind::Component,
            Duration::from_secs(1),
        ))
    }

    #[tokio::test]
    async fn a_claim_is_forgotten_once_both_sides_saw_it() {
        let book = ClaimBook::default();
        assert!(book.router_sees(Id::new(7)).is_none());
        book.claim(Id::new(7), responder());
        assert!(book.take(Id::new(7)).is_some());
        assert_eq!(book.len(), 1);
        assert!(book.router_sees(Id::new(7)).is_some());
        assert_eq!(book.len(), 0);

        book.claim(Id::new(8), responder());
        assert!(book.router_sees(Id::new(8)).is_some());
        assert!(book.take(Id::new(8)).is_some());
        assert_eq!(book.len(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn stale_claims_are_pruned() {
        let book = ClaimBook::default();
        book.claim(Id::new(1), responder());
        tokio::time::advance(CLAIM_LIFETIME + Duration::from_secs(1)).await;
        book.claim(Id::new(2), responder());
        assert_eq!(book.len(), 1);
        assert!(book.take(Id::new(1)).is_none());
    }
}
