//! What `/status` shows of the bot's two guards: its invalid requests against Discord's ban limit
//! (novera-commands' REST guard) and evidence of another instance running with its token
//! (novera-core's instance watch). Plain reports, filled by novera-bot's `BotStatus`.

use serde::{Deserialize, Serialize};

/// The bot's invalid requests (401, 403, 429) in Discord's sliding window, against the limit at
/// which Discord bans its IP for about an hour.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InvalidRequestReport {
    /// Invalid requests in the window.
    pub count: u64,
    /// The limit (Discord: 10,000).
    pub limit: u64,
    /// The window's length in seconds (Discord: 600).
    pub window_secs: f64,
    /// When the oldest entry still in the window was recorded (it leaves the window
    /// `window_secs` later), as milliseconds since the Unix epoch.
    pub oldest_at_unix_ms: Option<u64>,
    /// Requests on their way that could still fail (the brake counts them).
    pub in_flight: u64,
    /// Whether the guard brakes at all (`rest_guard.enabled`).
    pub enabled: bool,
    /// Whether requests to channels and messages that just answered 403/404 are refused now.
    pub braking: bool,
    /// Whether only interaction responses and essentials are sent now.
    pub essentials_only: bool,
    /// Requests refused locally since start.
    pub refused: u64,
    /// Channels and messages that answered 403/404 recently (refused while braking).
    pub failed_targets: u64,
    /// What contributes most, largest first.
    pub top: Vec<InvalidRequestSource>,
}

/// One kind of invalid request in the window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidRequestSource {
    /// The HTTP status.
    pub status: u16,
    /// Discord's JSON error code, when the body had one.
    pub code: Option<u64>,
    /// The route template: `POST /channels/{id}/messages`.
    pub route: String,
    /// Discord's description: `Missing Permissions`.
    pub description: String,
    /// How many are in the window.
    pub count: u64,
    /// All of it on one line: `403 Missing Permissions (50013) on POST /channels/{id}/messages: 3,912`.
    pub summary: String,
}

/// Evidence that another process runs with this bot's token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateInstanceReport {
    /// This process's tag: the start of the nonce of every message it sends.
    pub this_instance: String,
    /// Pieces of evidence seen since start (0: no other instance seen).
    pub detected: u64,
    /// Whether this process stopped answering commands (it is the newer of two instances and
    /// `instance.step_down` is on).
    pub stepped_down: bool,
    /// Whether `instance.step_down` is on.
    pub step_down_enabled: bool,
    /// The latest evidence, newest first.
    pub evidence: Vec<DuplicateEvidenceReport>,
}

/// One piece of evidence of another instance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateEvidenceReport {
    /// When, as milliseconds since the Unix epoch.
    pub at_unix_ms: u64,
    /// `foreign_nonce` (a message by the bot with a nonce this process did not write) or
    /// `already_acknowledged` (Discord's 40060 on a first response this process never sent).
    pub kind: String,
    /// One line for the operator (ids, the nonce; never message content).
    pub detail: String,
    /// The other instance's tag, when its nonce was one Novera writes.
    pub other_instance: Option<String>,
    /// When the other instance started, read from its tag, as milliseconds since the Unix epoch.
    pub other_started_at_unix_ms: Option<u64>,
}
