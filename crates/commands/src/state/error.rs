//! `StateError`: what reading or writing command state can fail with.

use novera_core::BoxError;

/// Reading or writing command state failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// An empty namespace or key, or one longer than [`MAX_KEY_LEN`](crate::MAX_KEY_LEN) bytes.
    #[error("invalid state key {namespace:?}/{key:?}: must be 1 to 256 bytes")]
    InvalidKey {
        /// The namespace (cut to 64 characters).
        namespace: String,
        /// The key (cut to 64 characters).
        key: String,
    },
    /// The store itself failed (file, database, broker).
    #[error("state store failed")]
    Backend(#[source] BoxError),
    /// The store did not answer in time.
    #[error("state store did not answer within {0:?}")]
    Timeout(std::time::Duration),
    /// A value could not be encoded as JSON.
    #[error("cannot encode the state value of {key:?}")]
    Encode {
        /// The key.
        key: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// A stored value is not what the command expects (changed format, or corrupt).
    #[error("stored state value of {key:?} is unreadable")]
    Decode {
        /// The key.
        key: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// Other writers kept changing the entry: every compare-and-set lost.
    #[error("state of {key:?} kept changing: gave up after {attempts} attempts")]
    Contended {
        /// The key.
        key: String,
        /// How many compare-and-sets were tried.
        attempts: u32,
    },
}

impl StateError {
    /// Wraps a backend's own error.
    pub fn backend(error: impl Into<BoxError>) -> Self {
        Self::Backend(error.into())
    }
}
