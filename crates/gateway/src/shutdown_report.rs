//! `ShutdownReport`: what closing the shards and saving their sessions did.
//!
//! Its own module because both the gateway and its error type carry it (a failed save still
//! reports which shards closed).

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

/// What [`Gateway::shutdown`](crate::Gateway::shutdown) did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ShutdownReport {
    /// Shards whose close handshake finished (their sessions stay resumable).
    pub closed: Vec<u32>,
    /// Shards that stopped without a finished handshake (not connected, or out of time).
    pub unclean: Vec<u32>,
    /// Shards whose runner was already gone (fatally closed) or had to be aborted.
    pub not_running: Vec<u32>,
    /// Sessions written to the session store.
    pub sessions_saved: usize,
    /// The session file, when one is configured.
    pub session_path: Option<PathBuf>,
    /// How long the shutdown took.
    pub waited: Duration,
}
