//! Error types of novera-gateway, one per operation family.

use std::path::PathBuf;

use novera_core::DeadlineExceeded;

use crate::shutdown_report::ShutdownReport;

/// Step one ([`login`](crate::login)) failed; no gateway connection was attempted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// No token is configured.
    #[error("no bot token is configured")]
    MissingToken,
    /// Discord answered 401: the token is wrong, revoked or was reset.
    #[error(
        "discord rejected the bot token (401 on {endpoint}): copy a fresh token from the \
         Developer Portal (Bot > Reset Token) into the configuration"
    )]
    InvalidToken {
        /// The REST call that was refused.
        endpoint: &'static str,
    },
    /// `api_url` is not an `http(s)://host[:port]` URL.
    #[error("invalid api_url `{url}`: {reason}")]
    InvalidApiUrl {
        /// The configured value.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A REST call did not finish in time.
    #[error(transparent)]
    Deadline(#[from] DeadlineExceeded),
    /// A REST call failed (network, unexpected status).
    #[error("{endpoint} failed")]
    Http {
        /// The REST call.
        endpoint: &'static str,
        /// twilight-http's error.
        #[source]
        source: twilight_http::Error,
    },
    /// A REST response could not be read.
    #[error("{endpoint} returned a body that could not be read")]
    Body {
        /// The REST call.
        endpoint: &'static str,
        /// twilight-http's error.
        #[source]
        source: twilight_http::response::DeserializeBodyError,
    },
}

/// Step two ([`Gateway::start`](crate::Gateway::start)) could not start the shards.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GatewayError {
    /// The shard count or range is impossible.
    #[error("invalid shard plan: {reason}")]
    InvalidShardPlan {
        /// What is wrong.
        reason: String,
    },
    /// A configuration value is out of range.
    #[error("invalid gateway configuration: {reason}")]
    InvalidConfig {
        /// What is wrong.
        reason: String,
    },
}

/// A shard was closed with a code that reconnecting cannot fix (4004, 4010-4014).
///
/// It reaches the supervisor as [`TaskError::fatal`](novera_core::TaskError::fatal); downcast
/// [`TaskError::inner`](novera_core::TaskError::inner) to read it. `app` maps it to exit code 78.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("shard {shard} was closed by discord with code {code}: {explanation}")]
#[non_exhaustive]
pub struct FatalClose {
    /// The shard that was closed.
    pub shard: u32,
    /// The close code.
    pub code: u16,
    /// What it means and what the operator must change, in one sentence.
    pub explanation: String,
}

/// Reading or writing saved sessions failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionStoreError {
    /// File system error.
    #[error("{action} {path} failed")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a session file.
    #[error("{path} is not a valid session file")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// The blocking file task died.
    #[error("session file task failed")]
    Task(#[source] tokio::task::JoinError),
    /// A store other than the file (a key-value bucket, ...) failed.
    #[error("session store {store} failed")]
    Backend {
        /// Which store.
        store: &'static str,
        /// Its error.
        #[source]
        source: novera_core::BoxError,
    },
}

/// [`Gateway::shutdown`](crate::Gateway::shutdown) closed the shards but could not save their
/// sessions; the next start will identify instead of resuming.
#[derive(Debug, thiserror::Error)]
#[error("saving gateway sessions failed")]
#[non_exhaustive]
pub struct ShutdownError {
    /// What the shutdown did before the save failed.
    pub report: ShutdownReport,
    /// Why the save failed.
    #[source]
    pub source: SessionStoreError,
}

/// A gateway command could not be handed to a shard.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// This process does not run the shard.
    #[error("shard {shard} is not run by this process")]
    NotOwned {
        /// The shard.
        shard: u32,
    },
    /// The shard's runner is not running (stopping, or fatally closed).
    #[error("shard {shard} is not running")]
    NotRunning {
        /// The shard.
        shard: u32,
    },
}
