//! `Verifier`: Discord's request signature (`X-Signature-Ed25519` over
//! `X-Signature-Timestamp` followed by the body), the timestamp's age, and replays.
//!
//! The signature is checked first, so nothing unauthenticated reaches the replay memory;
//! ed25519-dalek's `verify_strict` refuses non-canonical and small-order encodings.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use ed25519_dalek::Signature;

use crate::replay::{REPLAY_MEMORY, ReplayGuard};
use crate::settings::PublicKey;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "x-signature-ed25519";
/// The timestamp header (Unix seconds).
pub const TIMESTAMP_HEADER: &str = "x-signature-timestamp";

/// Why a request was refused with 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// A signature header is absent.
    Missing,
    /// The signature is not 128 hex digits, or the timestamp not a number.
    Malformed,
    /// The signature does not verify with the application's key.
    BadSignature,
    /// The timestamp is too far from the local clock.
    Stale,
    /// The same signed request was served before.
    Replayed,
}

impl Rejection {
    /// The `reason` label of `novera_interactions_rejected_total`.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Missing => "missing_signature",
            Self::Malformed => "malformed_signature",
            Self::BadSignature => "bad_signature",
            Self::Stale => "stale",
            Self::Replayed => "replayed",
        }
    }

    /// What the 401's body says.
    pub(crate) fn message(self) -> &'static str {
        match self {
            Self::Missing => "missing request signature",
            Self::Malformed => "malformed request signature",
            Self::BadSignature => "invalid request signature",
            Self::Stale => "request timestamp outside the accepted window",
            Self::Replayed => "request already served",
        }
    }
}

/// Checks requests against the application's key, the clock and what was served.
#[derive(Debug)]
pub(crate) struct Verifier {
    key: PublicKey,
    tolerance_secs: u64,
    replays: ReplayGuard,
}

impl Verifier {
    pub(crate) fn new(key: PublicKey, tolerance: Duration) -> Self {
        let tolerance_secs = tolerance.as_secs().max(1);
        Self {
            key,
            tolerance_secs,
            replays: ReplayGuard::new(tolerance_secs, REPLAY_MEMORY),
        }
    }

    /// Checks a request at the current wall-clock time (Discord's timestamps are wall clock).
    pub(crate) fn check(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), Rejection> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.check_at(headers, body, now)
    }

    pub(crate) fn check_at(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: u64,
    ) -> Result<(), Rejection> {
        let header = |name| headers.get(name).map(axum::http::HeaderValue::as_bytes);
        let (Some(signature), Some(timestamp)) =
            (header(SIGNATURE_HEADER), header(TIMESTAMP_HEADER))
        else {
            return Err(Rejection::Missing);
        };
        let signature: [u8; 64] = hex::decode(signature)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(Rejection::Malformed)?;
        let mut message = Vec::with_capacity(timestamp.len() + body.len());
        message.extend_from_slice(timestamp);
        message.extend_from_slice(body);
        self.key
            .verifying_key()
            .verify_strict(&message, &Signature::from_bytes(&signature))
            .map_err(|_| Rejection::BadSignature)?;
        // Signed, so the timestamp is Discord's: now its age and whether it was served.
        let stamped: u64 = std::str::from_utf8(timestamp)
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or(Rejection::Malformed)?;
        if stamped.abs_diff(now) > self.tolerance_secs {
            return Err(Rejection::Stale);
        }
        if !self.replays.first_use(signature, stamped, now) {
            return Err(Rejection::Replayed);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;
    use ed25519_dalek::{Signer, SigningKey};

    use super::*;

    const BODY: &[u8] = br#"{"type":1}"#;

    fn keys() -> (SigningKey, Verifier) {
        let signing = SigningKey::from_bytes(&[9; 32]);
        let public = PublicKey::from_hex(&hex::encode(signing.verifying_key().as_bytes()))
            .expect("a valid key");
        (signing, Verifier::new(public, Duration::from_secs(30)))
    }

    fn signed(key: &SigningKey, timestamp: &str, body: &[u8]) -> HeaderMap {
        let mut message = timestamp.as_bytes().to_vec();
        message.extend_from_slice(body);
        let signature = hex::encode(key.sign(&message).to_bytes());
        let mut headers = HeaderMap::new();
        headers.insert(
            SIGNATURE_HEADER,
            HeaderValue::from_str(&signature).expect("hex"),
        );
        headers.insert(
            TIMESTAMP_HEADER,
            HeaderValue::from_str(timestamp).expect("digits"),
        );
        headers
    }

    #[test]
    fn a_signed_fresh_request_passes_once() {
        let (key, verifier) = keys();
        let headers = signed(&key, "1700000000", BODY);
        assert_eq!(verifier.check_at(&headers, BODY, 1_700_000_005), Ok(()));
        assert_eq!(
            verifier.check_at(&headers, BODY, 1_700_000_006),
            Err(Rejection::Replayed)
        );
    }

    #[test]
    fn each_kind_of_bad_request_is_named() {
        let (key, verifier) = keys();
        let now = 1_700_000_000;
        assert_eq!(
            verifier.check_at(&HeaderMap::new(), BODY, now),
            Err(Rejection::Missing)
        );
        let mut only_signature = signed(&key, "1700000000", BODY);
        only_signature.remove(TIMESTAMP_HEADER);
        assert_eq!(
            verifier.check_at(&only_signature, BODY, now),
            Err(Rejection::Missing)
        );
        let mut malformed = signed(&key, "1700000000", BODY);
        malformed.insert(SIGNATURE_HEADER, HeaderValue::from_static("abc"));
        assert_eq!(
            verifier.check_at(&malformed, BODY, now),
            Err(Rejection::Malformed)
        );
        // The right key over other bytes, and another key over the right bytes.
        let headers = signed(&key, "1700000000", BODY);
        assert_eq!(
            verifier.check_at(&headers, br#"{"type":2}"#, now),
            Err(Rejection::BadSignature)
        );
        let other = SigningKey::from_bytes(&[3; 32]);
        assert_eq!(
            verifier.check_at(&signed(&other, "1700000000", BODY), BODY, now),
            Err(Rejection::BadSignature)
        );
        // Signed, but an hour old, or from the future, or not a number.
        assert_eq!(
            verifier.check_at(&signed(&key, "1699996400", BODY), BODY, now),
            Err(Rejection::Stale)
        );
        assert_eq!(
            verifier.check_at(&signed(&key, "1700000100", BODY), BODY, now),
            Err(Rejection::Stale)
        );
        assert_eq!(
            verifier.check_at(&signed(&key, "soon", BODY), BODY, now),
            Err(Rejection::Malformed)
        );
    }

    #[test]
    fn a_refused_request_is_not_remembered() {
        let (key, verifier) = keys();
        let headers = signed(&key, "1700000000", BODY);
        // Stale at first (a clock far ahead), then fresh: the refusal left no trace.
        assert_eq!(
            verifier.check_at(&headers, BODY, 1_700_001_000),
            Err(Rejection::Stale)
        );
        assert_eq!(verifier.check_at(&headers, BODY, 1_700_000_000), Ok(()));
    }
}
