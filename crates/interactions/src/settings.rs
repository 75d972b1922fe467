//! `EndpointSettings` and `PublicKey`: where the endpoint listens and what it accepts.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use ed25519_dalek::VerifyingKey;

use crate::error::{EndpointError, KeyError};

/// Discord's window for the initial response: after it, an answer is worthless.
pub const INTERACTION_WINDOW: Duration = Duration::from_secs(3);
/// Default path of the endpoint.
pub const DEFAULT_PATH: &str = "/interactions";
/// Default largest request body, in bytes (1 MiB). Discord's interactions are a few KiB; the
/// largest (a component on a message with ten embeds, resolved members) stay far below this.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// Default largest difference between `X-Signature-Timestamp` and this machine's clock.
pub const DEFAULT_TIMESTAMP_TOLERANCE: Duration = Duration::from_secs(30);
/// Default time the endpoint waits for the router's initial response before it defers itself.
pub const DEFAULT_ANSWER_WITHIN: Duration = Duration::from_millis(2500);

/// The application's Ed25519 public key (the Developer Portal's "Public Key", `verify_key` in
/// `GET /applications/@me`), which every request to the endpoint must be signed for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Parses 64 hex digits (either case).
    pub fn from_hex(hex_digits: &str) -> Result<Self, KeyError> {
        let trimmed = hex_digits.trim();
        let bytes: [u8; 32] = hex::decode(trimmed)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(KeyError::Format {
                length: trimmed.chars().count(),
            })?;
        VerifyingKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| KeyError::NotAKey)
    }

    pub(crate) fn verifying_key(&self) -> &VerifyingKey {
        &self.0
    }
}

impl FromStr for PublicKey {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_hex(s)
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0.as_bytes()))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}

/// How the interactions endpoint listens and what it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EndpointSettings {
    /// Address to listen on (plain HTTP: TLS is the reverse proxy's job).
    pub listen: SocketAddr,
    /// The application's public key.
    pub public_key: PublicKey,
    /// The path Discord POSTs to (default [`DEFAULT_PATH`]); every other path is 404.
    pub path: String,
    /// Largest request body in bytes; larger ones get 413 (default [`DEFAULT_BODY_LIMIT`]).
    pub body_limit: usize,
    /// Requests whose `X-Signature-Timestamp` is further than this from the local clock are
    /// refused with 401 (default [`DEFAULT_TIMESTAMP_TOLERANCE`]); signatures are remembered
    /// as long, so a captured request cannot be replayed.
    pub timestamp_tolerance: Duration,
    /// How long a request waits for the router's initial response before the endpoint answers
    /// with a deferral itself (default [`DEFAULT_ANSWER_WITHIN`]; below Discord's 3 s). It is
    /// a backstop: the router's auto-defer normally answers first, through the same channel,
    /// so the bot assembly sets it between the router's auto-defer and the window.
    pub answer_within: Duration,
}

impl EndpointSettings {
    /// Settings for `listen` and `public_key` with the defaults.
    #[must_use]
    pub fn new(listen: SocketAddr, public_key: PublicKey) -> Self {
        Self {
            listen,
            public_key,
            path: DEFAULT_PATH.to_owned(),
            body_limit: DEFAULT_BODY_LIMIT,
            timestamp_tolerance: DEFAULT_TIMESTAMP_TOLERANCE,
            answer_within: DEFAULT_ANSWER_WITHIN,
        }
    }

    /// Sets [`path`](Self::path).
    #[must_use]
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Sets [`body_limit`](Self::body_limit).
    #[must_use]
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Sets [`timestamp_tolerance`](Self::timestamp_tolerance).
    #[must_use]
    pub fn with_timestamp_tolerance(mut self, tolerance: Duration) -> Self {
        self.timestamp_tolerance = tolerance;
        self
    }

    /// Sets [`answer_within`](Self::answer_within).
    #[must_use]
    pub fn with_answer_within(mut self, within: Duration) -> Self {
        self.answer_within = within;
        self
    }

    /// Checks the values.
    pub fn validate(&self) -> Result<(), EndpointError> {
        let refuse = |setting, reason: &str| {
            Err(EndpointError::Setting {
                setting,
                reason: reason.to_owned(),
            })
        };
        if !self.path.starts_with('/') || self.path.contains(['?', '#', ' ']) {
            return refuse("path", "must be a path starting with `/`");
        }
        if self.body_limit < 1024 {
            return refuse("body_limit", "must be at least 1024 bytes");
        }
        if self.timestamp_tolerance < Duration::from_secs(1) {
            return refuse(
                "timestamp_tolerance",
                "must be at least 1s (timestamps are whole seconds)",
            );
        }
        if self.answer_within.is_zero() || self.answer_within >= INTERACTION_WINDOW {
            return refuse(
                "answer_within",
                "must be above zero and below Discord's 3 s window",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    #[test]
    fn a_key_parses_from_hex_and_prints_back() {
        let key = PublicKey::from_hex(KEY).expect("a valid key");
        assert_eq!(key.to_string(), KEY);
        assert_eq!(PublicKey::from_hex(&KEY.to_uppercase()), Ok(key));
        assert_eq!(format!("{key:?}"), format!("PublicKey({KEY})"));
    }

    #[test]
    fn bad_keys_are_refused_without_panicking() {
        for bad in [
            "",
            "zz",
            &KEY[..62],
            &format!("{KEY}00"),
            "ü".repeat(32).as_str(),
        ] {
            assert!(
                matches!(PublicKey::from_hex(bad), Err(KeyError::Format { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn defaults_are_valid_and_bad_values_are_named() {
        let key = PublicKey::from_hex(KEY).expect("a valid key");
        let base = || EndpointSettings::new(([127, 0, 0, 1], 0).into(), key);
        assert!(base().validate().is_ok());
        let named = |settings: EndpointSettings| match settings.validate() {
            Err(EndpointError::Setting { setting, .. }) => setting,
            other => panic!("expected a refused setting, got {other:?}"),
        };
        assert_eq!(named(base().with_path("interactions")), "path");
        assert_eq!(named(base().with_body_limit(10)), "body_limit");
        assert_eq!(
            named(base().with_timestamp_tolerance(Duration::ZERO)),
            "timestamp_tolerance"
        );
        assert_eq!(
            named(base().with_answer_within(INTERACTION_WINDOW)),
            "answer_within"
        );
    }
}
