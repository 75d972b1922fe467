//! The JSON shapes of the control API (`/_sim/...`), shared by the server that writes them and
//! [`ControlClient`](crate::ControlClient) that reads them. Snowflakes are strings, as in Discord.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `GET /_sim/state`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SimState {
    /// Successful IDENTIFYs since start (or the last reset).
    pub identifies: u64,
    /// Successful RESUMEs since start (or the last reset).
    pub resumes: u64,
    /// Gateway sessions, oldest first (sessions are dropped once they can no longer resume).
    pub sessions: Vec<SessionInfo>,
    /// Guilds of the world with their channel ids.
    pub guilds: Vec<GuildInfo>,
    /// Registered application commands (global and guild), as `GET .../commands` returns them.
    pub commands: Vec<Value>,
    /// Rule violations, oldest first (at most 10,000 listed).
    pub violations: Vec<Violation>,
    /// Count of violations per rule; every rule is listed, with 0 when never broken.
    pub violation_counts: BTreeMap<String, u64>,
    /// The identify budget as `/gateway/bot` reports it.
    pub identify_budget: IdentifyBudgetInfo,
    /// True once the identify budget ran out: the token is reset until `POST /_sim/reset`.
    pub token_invalidated: bool,
    /// Whether rules are only counted (`--lenient`).
    pub lenient: bool,
    /// The application id (equal to the bot user id).
    pub application_id: String,
    /// The bot user id.
    pub bot_user_id: String,
    /// Ids of the human users, who post messages and run commands.
    pub users: Vec<String>,
    /// URL of the gateway (`ws://127.0.0.1:PORT`).
    pub gateway_url: String,
}

/// One gateway session in [`SimState`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionInfo {
    /// Session id (what READY carried and RESUME presents).
    pub id: String,
    /// `[shard_id, num_shards]`.
    pub shard: [u32; 2],
    /// Whether a connection currently serves the session.
    pub connected: bool,
    /// Whether the session still exists (connected or resumable).
    pub alive: bool,
    /// Last sequence number dispatched.
    pub seq: u64,
    /// Last sequence number the client reported (heartbeat `d` or RESUME `seq`).
    pub acked_seq: u64,
    /// Intents given at IDENTIFY.
    pub intents: u64,
    /// Transport compression of the last connection: `none`, `zlib-stream` or `zstd-stream`.
    pub compress: String,
    /// Heartbeats received.
    pub heartbeats: u64,
    /// Milliseconds since the last heartbeat, if any.
    pub last_heartbeat_ms_ago: Option<u64>,
    /// Largest gap between two heartbeats on the same connection, in ms.
    pub max_heartbeat_gap_ms: u64,
    /// Dispatches held for replay.
    pub buffered: u64,
}

/// One guild in [`SimState`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GuildInfo {
    /// Guild id.
    pub id: String,
    /// Shard the guild belongs to under the recommended shard count.
    pub shard: u32,
    /// Text channel ids, in position order.
    pub channels: Vec<String>,
}

/// One broken rule.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Violation {
    /// Rule name (see `docs/simulator.md`).
    pub rule: String,
    /// What happened, for a human.
    pub detail: String,
    /// Milliseconds since the simulator started.
    pub at: u64,
    /// Session involved, for gateway rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
}

/// The identify budget in [`SimState`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IdentifyBudgetInfo {
    /// Identifies allowed per period.
    pub total: u32,
    /// Identifies left in this period.
    pub remaining: u32,
    /// Milliseconds until the budget refills.
    pub reset_after: u64,
    /// Identify buckets (`shard_id % max_concurrency`).
    pub max_concurrency: u32,
}

/// `POST /_sim/messages` response.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreatedMessage {
    /// Id of the new message.
    pub id: String,
}

/// `POST /_sim/interactions`, `POST /_sim/components` and `POST /_sim/modals` response.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreatedInteraction {
    /// Interaction id.
    pub id: String,
    /// Interaction token (for `/interactions/{id}/{token}/callback` and webhooks).
    pub token: String,
}

/// A request body the bot sent for an interaction (callback, edit or follow-up).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordedBody {
    /// `callback`, `edit_original`, `delete_original` or `followup`.
    pub kind: String,
    /// The JSON body as received (`null` for bodiless requests).
    pub body: Value,
}

/// A follow-up message of an interaction.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Followup {
    /// Message id.
    pub id: String,
    /// Message content.
    pub content: String,
    /// Message flags (64 = ephemeral).
    pub flags: u64,
    /// `allowed_mentions` the bot sent with it, if any.
    pub allowed_mentions: Option<Value>,
}

/// `GET /_sim/interactions/{id}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InteractionStatus {
    /// Interaction id.
    pub id: String,
    /// Interaction type (2 command, 3 component, 4 autocomplete, 5 modal submit).
    #[serde(rename = "type")]
    pub kind: u8,
    /// Whether an initial response was accepted.
    pub responded: bool,
    /// Type of the accepted initial response (4-9).
    pub response_type: Option<u8>,
    /// Milliseconds from dispatch to the first callback request (accepted or not).
    pub response_ms: Option<u64>,
    /// The same in microseconds (for latency figures below a millisecond).
    #[serde(default)]
    pub response_us: Option<u64>,
    /// Current content of the original response (after edits).
    pub content: Option<String>,
    /// Id of the original response message, if one exists.
    pub original_message_id: Option<String>,
    /// Whether the original response is ephemeral.
    pub ephemeral: bool,
    /// Follow-up messages, oldest first.
    pub followups: Vec<Followup>,
    /// First error the bot got on this interaction, e.g. `10062 Unknown interaction`.
    pub error: Option<String>,
    /// `allowed_mentions` of the last body that carried one.
    pub allowed_mentions: Option<Value>,
    /// Every body the bot sent for this interaction, in order.
    pub bodies: Vec<RecordedBody>,
    /// The choices of an accepted autocomplete result (callback type 8).
    #[serde(default)]
    pub choices: Option<Vec<Value>>,
    /// The modal the bot showed (callback type 9), which `POST /_sim/modals` submits.
    #[serde(default)]
    pub modal: Option<ShownModal>,
}

/// A modal the bot showed in answer to an interaction (callback type 9).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShownModal {
    /// The modal's `custom_id` (the submission carries it back).
    pub custom_id: String,
    /// The modal's title.
    pub title: String,
    /// The modal's components as the bot sent them (action rows or labels of text inputs).
    pub components: Value,
}

/// One line of `GET /_sim/requests`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RequestLogEntry {
    /// HTTP method.
    pub method: String,
    /// Path, `/api/v10/...`, without the query.
    pub path: String,
    /// Status the simulator answered.
    pub status: u16,
    /// Milliseconds since the simulator started.
    pub at: u64,
}

/// `POST /_sim/load` response.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LoadStarted {
    /// Sequence number of the load's first dispatch.
    pub first_seq: u64,
    /// Sequence number of the load's last dispatch.
    pub last_seq: u64,
}

/// `POST /_sim/faults` response.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FaultApplied {
    /// Connections affected (gateway faults) or requests armed (REST faults).
    pub applied: u64,
}

/// A fault to inject with `POST /_sim/faults`. Gateway faults hit the connected sessions of
/// `shard` (every connected session when `None`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fault {
    /// Send op 7 RECONNECT.
    Reconnect {
        /// Target shard id.
        #[serde(default)]
        shard: Option<u32>,
    },
    /// Send op 9 `INVALID_SESSION`; `resumable: false` also ends the session.
    InvalidSession {
        /// `d` of the op 9.
        #[serde(default)]
        resumable: bool,
        /// Target shard id.
        #[serde(default)]
        shard: Option<u32>,
    },
    /// Close the connection with a close frame (default 4000).
    Close {
        /// Close code.
        #[serde(default = "default_close_code")]
        code: u16,
        /// Target shard id.
        #[serde(default)]
        shard: Option<u32>,
    },
    /// Drop the TCP connection without a close frame.
    Drop {
        /// Target shard id.
        #[serde(default)]
        shard: Option<u32>,
    },
    /// Stop sending anything, heartbeat ACKs included, for `ms` milliseconds.
    Silence {
        /// Duration in milliseconds.
        ms: u64,
        /// Target shard id.
        #[serde(default)]
        shard: Option<u32>,
    },
    /// Send op 1 (the client must heartbeat at once).
    HeartbeatRequest {
        /// Target shard id.
        #[serde(default)]
        shard: Option<u32>,
    },
    /// Answer the next `count` REST requests (under `path_prefix`) with `status`.
    Rest {
        /// HTTP status.
        status: u16,
        /// Requests affected.
        #[serde(default = "default_count")]
        count: u32,
        /// Only paths (after `/api/v10`) starting with this.
        #[serde(default)]
        path_prefix: Option<String>,
        /// Seconds in `Retry-After` (429 only, default 1).
        #[serde(default)]
        retry_after: Option<f64>,
    },
    /// Delay the next `count` REST responses by `ms`.
    RestDelay {
        /// Delay in milliseconds.
        ms: u64,
        /// Requests affected.
        #[serde(default = "default_count")]
        count: u32,
    },
}

fn default_close_code() -> u16 {
    4000
}

fn default_count() -> u32 {
    1
}
