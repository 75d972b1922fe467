//! Error types of novera-interactions.

use std::net::SocketAddr;

/// A public key that is not an Ed25519 public key in hex.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// Not hex, or not 32 bytes of it.
    #[error("expected the application's public key as 64 hex digits, got {length} characters")]
    Format {
        /// Characters given.
        length: usize,
    },
    /// 32 bytes that are not a point of the curve.
    #[error("the bytes are not an Ed25519 public key")]
    NotAKey,
}

/// The endpoint could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// A setting is out of range (its name and why).
    #[error("invalid interactions endpoint setting `{setting}`: {reason}")]
    Setting {
        /// The setting, as `EndpointSettings` names it.
        setting: &'static str,
        /// Why it is refused.
        reason: String,
    },
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("the interactions endpoint stopped: {0}")]
    Serve(#[source] std::io::Error),
}
