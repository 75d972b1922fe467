//! The `garbage` fault: malformed payloads sent to the bot's connections, to prove it survives
//! what a gateway can send on a bad day. Payloads that are not dispatches (broken JSON, an
//! unknown opcode, an oversized frame, stray binary) carry no sequence number and are never
//! replayed; the broken dispatches (an unknown event, a message with missing or mistyped
//! fields) take the session's next sequence number like any dispatch.

use serde_json::json;

use crate::frame;
use crate::session::ConnCommand;
use crate::state::{Inner, Sim};
use crate::types::Garbage;

/// Size of an `oversized` frame when the fault does not say (4 MiB).
pub(crate) const DEFAULT_OVERSIZED_BYTES: u64 = 4 << 20;
/// Largest `oversized` frame (64 MiB).
pub(crate) const MAX_OVERSIZED_BYTES: u64 = 64 << 20;

/// The text of a payload cut in the middle of its JSON.
const INVALID_JSON: &str = r#"{"t":"MESSAGE_CREATE","s":null,"op":0,"d":{"id":"1"#;
/// An opcode Discord's gateway never sends.
const UNKNOWN_OPCODE: u8 = 42;
/// Bytes that are neither JSON nor zlib or zstd data.
const BINARY: &[u8] = b"\xde\xad\xbe\xef\x00\xffnovera-sim\xfe\x01";

/// `{"t":"NOVERA_SIM_OVERSIZED","s":null,"op":0,"d":{"padding":"aaa…"}}` of `bytes` bytes
/// (or just the envelope when `bytes` is smaller).
fn oversized(bytes: u64) -> String {
    const HEAD: &str = r#"{"t":"NOVERA_SIM_OVERSIZED","s":null,"op":0,"d":{"padding":""#;
    const TAIL: &str = r#""}}"#;
    let padding = usize::try_from(bytes)
        .unwrap_or(usize::MAX)
        .saturating_sub(HEAD.len() + TAIL.len());
    let mut out = String::with_capacity(HEAD.len() + padding + TAIL.len());
    out.push_str(HEAD);
    out.extend(std::iter::repeat_n('a', padding));
    out.push_str(TAIL);
    out
}

/// Sends `variant` to the connected sessions of `shard` (all when `None`); returns how many
/// got it, or why the fault is refused.
pub(crate) fn inject(
    sim: &Sim,
    inner: &mut Inner,
    variant: Garbage,
    bytes: Option<u64>,
    shard: Option<u32>,
) -> Result<u64, String> {
    if bytes.is_some() && variant != Garbage::Oversized {
        return Err("`bytes` only goes with `variant: \"oversized\"`".to_owned());
    }
    let raw = match variant {
        Garbage::InvalidJson => ConnCommand::Send(INVALID_JSON.to_owned()),
        Garbage::UnknownOpcode => ConnCommand::Send(frame::control(UNKNOWN_OPCODE, "null")),
        Garbage::Oversized => {
            let bytes = bytes.unwrap_or(DEFAULT_OVERSIZED_BYTES);
            if !(1..=MAX_OVERSIZED_BYTES).contains(&bytes) {
                return Err(format!("`bytes` must be 1..={MAX_OVERSIZED_BYTES}"));
            }
            ConnCommand::Send(oversized(bytes))
        }
        Garbage::Binary => ConnCommand::SendBinary(BINARY.to_vec()),
        Garbage::UnknownEvent | Garbage::MissingFields | Garbage::WrongTypes => {
            return Ok(broken_dispatch(sim, inner, variant, shard));
        }
    };
    Ok(sim.command_connections(inner, shard, &raw))
}

/// Dispatches a broken event to each connected session of `shard`, about a guild of its shard.
fn broken_dispatch(sim: &Sim, inner: &mut Inner, variant: Garbage, shard: Option<u32>) -> u64 {
    let world = &sim.world;
    let mut applied = 0;
    for session in inner.sessions.values_mut() {
        if session.conn.is_none() || shard.is_some_and(|s| session.shard[0] != s) {
            continue;
        }
        let guild = world
            .guilds_of_shard(session.shard[0], session.shard[1])
            .first()
            .copied()
            .unwrap_or(0);
        let guild_id = world.guild_id(guild).to_string();
        let channel_id = world.channel_id(guild, 0).to_string();
        let id = sim.ids.next().to_string();
        let (event, d) = match variant {
            Garbage::UnknownEvent => (
                "NOVERA_SIM_UNKNOWN_EVENT",
                json!({"id": id, "guild_id": guild_id, "note": "an event this client does not know"}),
            ),
            Garbage::MissingFields => (
                "MESSAGE_CREATE",
                json!({"id": id, "channel_id": channel_id, "guild_id": guild_id}),
            ),
            _ => (
                "MESSAGE_CREATE",
                json!({
                    "id": "not-a-snowflake", "channel_id": channel_id, "guild_id": guild_id,
                    "author": "nobody", "content": 42, "timestamp": true,
                    "edited_timestamp": 7, "tts": "no", "mention_everyone": "no",
                    "mentions": {}, "mention_roles": "none", "attachments": 1,
                    "embeds": "none", "pinned": null, "type": "default", "flags": "x",
                }),
            ),
        };
        session.dispatch(event, &d.to_string());
        applied += 1;
    }
    applied
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_frames_have_the_asked_size_and_stay_json() {
        let frame = oversized(10_000);
        assert_eq!(frame.len(), 10_000);
        let value: serde_json::Value = serde_json::from_str(&frame).expect("valid JSON");
        assert_eq!(value["t"], "NOVERA_SIM_OVERSIZED");
        assert!(oversized(1).len() > 1, "at least the envelope");
        assert!(serde_json::from_str::<serde_json::Value>(INVALID_JSON).is_err());
        assert!(serde_json::from_slice::<serde_json::Value>(BINARY).is_err());
    }
}
