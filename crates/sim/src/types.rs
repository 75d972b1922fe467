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
    /// Whether the interaction reached the bot: its `INTERACTION_CREATE` was written to a
    /// connection of the bot's (at once, or replayed on RESUME), or its endpoint answered
    /// the POST. `false` means Discord could never have delivered it (no live connection, an
    /// unreachable endpoint), as opposed to a command the bot received and lost.
    #[serde(default)]
    pub delivered: bool,
    /// How the interaction was sent: over the gateway or to the interactions endpoint.
    #[serde(default)]
    pub ingress: Ingress,
    /// How the accepted initial response came: in the endpoint's HTTP answer or through the
    /// REST callback (`None` before one was accepted).
    #[serde(default)]
    pub response_via: Option<ResponseVia>,
}

/// How an interaction was sent to the bot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Ingress {
    /// `INTERACTION_CREATE` to the sessions of the guild's shard.
    #[default]
    Gateway,
    /// A signed POST to the application's interactions endpoint URL.
    Http,
}

/// How an accepted initial response reached the simulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ResponseVia {
    /// The body of the endpoint's answer to the interaction's POST.
    Http,
    /// `POST /interactions/{id}/{token}/callback`.
    Rest,
}

/// `GET /_sim/application` and `POST /_sim/application`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SimApplication {
    /// Where interactions are sent, when set (else they go over the gateway).
    pub interactions_endpoint_url: Option<String>,
    /// The application's Ed25519 public key, hex (what `verify_key` in
    /// `GET /applications/@me` says): the key endpoint requests are signed with.
    pub verify_key: String,
}

/// `POST /_sim/application/probe` response: what the endpoint answered.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProbeAnswer {
    /// HTTP status of the endpoint's answer.
    pub status: u16,
    /// Its body, as text.
    pub body: String,
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
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
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
    /// Answer the next `count` REST requests (under `path_prefix`) with a 429 of `scope`, as
    /// Discord writes each scope; `shared` ones do not count toward the invalid-request limit.
    RateLimit {
        /// `X-RateLimit-Scope` of the 429s.
        scope: RateLimitScope,
        /// Requests affected.
        #[serde(default = "default_count")]
        count: u32,
        /// Only paths (after `/api/v10`) starting with this.
        #[serde(default)]
        path_prefix: Option<String>,
        /// Seconds in `Retry-After` (default 1).
        #[serde(default)]
        retry_after: Option<f64>,
    },
    /// Send one malformed payload to the connected sessions of `shard`.
    Garbage {
        /// What is broken (see [`Garbage`]).
        variant: Garbage,
        /// Size of an `oversized` frame in bytes (default 4 MiB, at most 64 MiB).
        #[serde(default)]
        bytes: Option<u64>,
        /// Target shard id.
        #[serde(default)]
        shard: Option<u32>,
    },
}

/// The scope of an injected 429 (`X-RateLimit-Scope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RateLimitScope {
    /// A per-route limit of this bot: bucket headers, `"global": false`.
    User,
    /// The bot's global limit: `X-RateLimit-Global: true`, `"global": true`, no bucket headers.
    Global,
    /// A resource's limit shared by every bot: bucket headers, `"global": false`; it does not
    /// count toward the invalid-request limit.
    Shared,
}

/// The malformed payloads of [`Fault::Garbage`]. The first four are not dispatches of the
/// session: they carry no sequence number and RESUME does not replay them. The last three are
/// dispatches with the session's next sequence number, replayed on RESUME like any other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Garbage {
    /// A text payload cut in the middle of its JSON: `{"t":"MESSAGE_CREATE","s":null,"op":0,"d":{"id":"1`.
    InvalidJson,
    /// `{"t":null,"s":null,"op":42,"d":null}`: an opcode Discord never sends.
    UnknownOpcode,
    /// A text frame of `bytes` bytes: a dispatch (`"s": null`) of the unknown event
    /// `NOVERA_SIM_OVERSIZED` whose `d` is padding.
    Oversized,
    /// A binary frame of bytes that are neither JSON nor part of the connection's compression
    /// stream: a binary frame where text is expected, or bytes the client's decompressor
    /// cannot take.
    Binary,
    /// A dispatch of the event `NOVERA_SIM_UNKNOWN_EVENT` (Discord adds events without notice).
    UnknownEvent,
    /// A `MESSAGE_CREATE` with only `id`, `channel_id` and `guild_id` (no author, content,
    /// timestamp...).
    MissingFields,
    /// A `MESSAGE_CREATE` with every field but of the wrong type (`id` not a snowflake,
    /// `author` a string, `content` a number, `mentions` an object...).
    WrongTypes,
}

fn default_close_code() -> u16 {
    4000
}

fn default_count() -> u32 {
    1
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn faults_refuse_unknown_fields_and_name_their_variants() {
        let garbage: Fault =
            serde_json::from_value(json!({"kind": "garbage", "variant": "wrong_types"}))
                .expect("garbage fault");
        assert!(matches!(
            garbage,
            Fault::Garbage {
                variant: Garbage::WrongTypes,
                bytes: None,
                shard: None
            }
        ));
        let typo = serde_json::from_value::<Fault>(json!({"kind": "drop", "shrad": 1}));
        assert!(typo.is_err_and(|e| e.to_string().contains("shrad")));
        let shared: Fault =
            serde_json::from_value(json!({"kind": "rate_limit", "scope": "shared", "count": 2}))
                .expect("rate limit fault");
        assert!(matches!(
            shared,
            Fault::RateLimit {
                scope: RateLimitScope::Shared,
                count: 2,
                ..
            }
        ));
    }
}
