//! [`encode`] and [`decode`]: twilight events as bytes, in the form Discord's gateway sends them
//! (`{"t":"GUILD_CREATE","s":0,"op":0,"d":{...}}`, compact JSON), so a snapshot, and any other
//! dispatch event, can cross a process boundary.
//!
//! Discord's own frame rather than a format of ours: twilight's `Event` has no serde impls, but
//! twilight-model serializes a `GatewayEvent` to this frame and parses it back with its
//! `GatewayEventDeserializer` (what twilight-gateway itself uses), so both directions are
//! twilight's code. It also means raw frames from a shard decode with the same function.

use serde::de::DeserializeSeed;
use twilight_model::gateway::event::{
    DispatchEvent, Event, GatewayEvent, GatewayEventDeserializer,
};

use crate::{DecodeError, EncodeError};

/// Sequence number written in encoded events. Discord numbers the events of a session; a
/// snapshot's events belong to none, and `decode` ignores the number.
const SEQUENCE: u64 = 0;

/// Encodes a dispatch event as Discord's gateway frame, compact JSON.
///
/// Clones the event: twilight serializes only owned dispatch events.
pub fn encode(event: &Event) -> Result<Vec<u8>, EncodeError> {
    let kind = event.kind();
    let dispatch =
        DispatchEvent::try_from(event.clone()).map_err(|_| EncodeError::NotDispatch { kind })?;
    serde_json::to_vec(&GatewayEvent::Dispatch(SEQUENCE, dispatch))
        .map_err(|source| EncodeError::Json { kind, source })
}

/// Decodes a dispatch event from a gateway frame, as [`encode`] writes it or Discord sends it
/// (uncompressed). Bad input, whatever it is, returns an error.
pub fn decode(bytes: &[u8]) -> Result<Event, DecodeError> {
    let text = std::str::from_utf8(bytes).map_err(DecodeError::NotUtf8)?;
    let (op, _, event_type) = GatewayEventDeserializer::from_json(text)
        .ok_or(DecodeError::NoOpcode)?
        .into_parts();
    if op != 0 {
        return Err(DecodeError::NotDispatch { op });
    }
    let json_error = |source| DecodeError::Json {
        event_type: event_type.as_deref().map(str::to_owned),
        source,
    };
    let mut json = serde_json::Deserializer::from_str(text);
    let event = GatewayEventDeserializer::new(op, event_type.as_deref())
        .deserialize(&mut json)
        .map_err(json_error)?;
    json.end().map_err(json_error)?;
    Ok(Event::from(event))
}
