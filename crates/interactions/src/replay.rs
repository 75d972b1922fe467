//! `ReplayGuard`: the signatures of requests already served, remembered as long as their
//! timestamp is within the tolerance, so a captured request sent again is refused.
//!
//! Hand-written because it is a set with insertion-ordered expiry and a bound, a dozen lines
//! over `HashSet` and `VecDeque`; no cache crate in the workspace fits without a dependency.
//! The signature is the key: Ed25519 signatures checked with `verify_strict` are not
//! malleable, so one signed request has exactly one accepted signature.

use std::collections::{HashSet, VecDeque};
use std::sync::{Mutex, PoisonError};

/// Most signatures remembered. At Discord's scale a bot gets far fewer interactions per
/// tolerance window; past the bound the oldest are forgotten (counted in
/// `novera_interactions_replay_evictions_total`).
pub(crate) const REPLAY_MEMORY: usize = 65_536;

/// An Ed25519 signature's bytes.
pub(crate) type SignatureBytes = [u8; 64];

#[derive(Debug, Default)]
struct Seen {
    signatures: HashSet<SignatureBytes>,
    /// Insertion order, with the Unix second after which each entry is stale anyway.
    order: VecDeque<(SignatureBytes, u64)>,
}

/// Remembers served signatures until they would be refused as stale.
#[derive(Debug)]
pub(crate) struct ReplayGuard {
    seen: Mutex<Seen>,
    tolerance_secs: u64,
    capacity: usize,
}

impl ReplayGuard {
    pub(crate) fn new(tolerance_secs: u64, capacity: usize) -> Self {
        Self {
            seen: Mutex::new(Seen::default()),
            tolerance_secs,
            capacity: capacity.max(1),
        }
    }

    /// Records `signature` (of a request stamped `timestamp`, at Unix second `now`); `false`
    /// when it was served before.
    pub(crate) fn first_use(&self, signature: SignatureBytes, timestamp: u64, now: u64) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        while seen.order.front().is_some_and(|(_, until)| *until < now) {
            if let Some((old, _)) = seen.order.pop_front() {
                seen.signatures.remove(&old);
            }
        }
        if seen.signatures.contains(&signature) {
            return false;
        }
        if seen.order.len() >= self.capacity
            && let Some((old, _)) = seen.order.pop_front()
        {
            seen.signatures.remove(&old);
            metrics::counter!("novera_interactions_replay_evictions_total").increment(1);
        }
        seen.signatures.insert(signature);
        seen.order
            .push_back((signature, timestamp.saturating_add(self.tolerance_secs)));
        true
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .order
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(n: u8) -> SignatureBytes {
        [n; 64]
    }

    #[test]
    fn a_signature_is_served_once() {
        let guard = ReplayGuard::new(30, 10);
        assert!(guard.first_use(sig(1), 1000, 1000));
        assert!(!guard.first_use(sig(1), 1000, 1001));
        assert!(guard.first_use(sig(2), 1000, 1001));
    }

    #[test]
    fn signatures_are_forgotten_once_stale_anyway() {
        let guard = ReplayGuard::new(30, 10);
        assert!(guard.first_use(sig(1), 1000, 1000));
        assert!(guard.first_use(sig(2), 1020, 1020));
        // At 1031 the first is stale (the timestamp check refuses it); only the second stays.
        assert!(guard.first_use(sig(3), 1031, 1031));
        assert_eq!(guard.len(), 2);
        assert!(!guard.first_use(sig(2), 1020, 1031));
    }

    #[test]
    fn memory_is_bounded() {
        let guard = ReplayGuard::new(30, 3);
        for n in 0..10 {
            assert!(guard.first_use(sig(n), 1000, 1000));
        }
        assert_eq!(guard.len(), 3);
        assert!(!guard.first_use(sig(9), 1000, 1000));
    }
}
