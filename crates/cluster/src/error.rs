//! Error types of novera-cluster, one per operation family.

use std::time::Duration;

/// A [`ClusterSettings`](crate::ClusterSettings) value is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// A name that must be a subject token is not one.
    #[error("cluster.{key} = {value:?}: use letters, digits, `-` and `_` only (at most 64)")]
    Name {
        /// The setting.
        key: &'static str,
        /// Its value.
        value: String,
    },
    /// A required setting is empty.
    #[error("cluster.{0} is empty")]
    Empty(&'static str),
    /// The acknowledgement wait cannot serve Discord's 3 s window.
    #[error(
        "cluster.ack_wait = {0:?}: must be between 100ms and 2s, so a dead worker's interaction is redelivered within Discord's 3s window"
    )]
    AckWait(Duration),
    /// The global REST limit is too small to share.
    #[error(
        "cluster.rest_global_limit = {0}: Discord's global limit is 50 requests per second (at least 5)"
    )]
    RestGlobalLimit(u32),
    /// The stream would forget messages before it forgot their ids.
    #[error("cluster.duplicate_window ({window:?}) must not exceed cluster.max_age ({max_age:?})")]
    DuplicateWindow {
        /// The duplicate window.
        window: Duration,
        /// The stream's max age.
        max_age: Duration,
    },
}

/// Connecting to the broker failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The settings are unusable.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The broker refused the credentials (or the file is unreadable): retrying cannot help.
    #[error("the NATS server refused the credentials: {0}")]
    Credentials(String),
    /// The broker could not be reached (refused, timed out): worth retrying.
    #[error("cannot reach the NATS server at {url}: {reason}")]
    Unreachable {
        /// The configured URL.
        url: String,
        /// What happened.
        reason: String,
    },
    /// JetStream is not enabled on the server, or the stream or a bucket cannot be set up.
    #[error("cannot set up JetStream ({what}): {reason}")]
    JetStream {
        /// What was being set up.
        what: String,
        /// The server's answer.
        reason: String,
    },
}

impl ConnectError {
    /// Whether retrying later may succeed (the broker is down or starting), as opposed to a
    /// configuration problem (exit 78).
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::JetStream { .. })
    }
}
