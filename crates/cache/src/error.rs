//! Errors of turning events into bytes and back ([`encode`](crate::encode),
//! [`decode`](crate::decode)).

use std::str::Utf8Error;

use twilight_model::gateway::event::EventType;

/// Why an event could not be encoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// Only dispatch events (what Discord sends with opcode 0) have a wire form here; the
    /// gateway's own events (hello, heartbeat acknowledgements, closes) stay in the gateway.
    #[error("{kind:?} is not a dispatch event")]
    NotDispatch {
        /// Type of the event.
        kind: EventType,
    },
    /// `serde_json` refused the event.
    #[error("serializing a {kind:?} event failed")]
    Json {
        /// Type of the event.
        kind: EventType,
        /// What `serde_json` reported.
        #[source]
        source: serde_json::Error,
    },
}

/// Why bytes could not be decoded into an event. Any input gives either an event or this
/// error, never a panic.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The bytes are not UTF-8, so not JSON.
    #[error("event is not UTF-8")]
    NotUtf8(#[source] Utf8Error),
    /// No `"op":` with a number from 0 to 255 was found.
    #[error("event has no gateway opcode")]
    NoOpcode,
    /// The opcode is not 0 (dispatch).
    #[error("event has opcode {op}, not dispatch (0)")]
    NotDispatch {
        /// The opcode found.
        op: u8,
    },
    /// The JSON is malformed, has no event type (`t`), an unknown one, or a payload (`d`) that
    /// does not match it.
    #[error("malformed {} event", event_type.as_deref().unwrap_or("untyped"))]
    Json {
        /// The event type (`t`) found, if any.
        event_type: Option<String>,
        /// What `serde_json` or twilight's deserializer reported.
        #[source]
        source: serde_json::Error,
    },
}
