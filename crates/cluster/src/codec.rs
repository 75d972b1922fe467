//! Events on the wire between gateways and workers: the dispatch's `d` as twilight serializes
//! it, with the event name in the subject. A worker reads it back with twilight's own
//! name-directed deserializer, so no Novera-specific format exists to drift.

use serde::de::DeserializeSeed as _;
use twilight_model::gateway::event::{DispatchEvent, DispatchEventWithTypeDeserializer, Event};

/// An event could not be read back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// Not a dispatch event (gateway-internal events are never published).
    #[error("{0} is not a dispatch event")]
    NotDispatch(String),
    /// The bytes are not the named event.
    #[error("a published {name} could not be read: {source}")]
    Malformed {
        /// The event name from the subject.
        name: String,
        /// serde's reason.
        source: serde_json::Error,
    },
}

/// The name and bytes to publish for `event`; `None` for events that are not dispatches.
#[must_use]
pub fn encode(event: &Event) -> Option<(&'static str, Vec<u8>)> {
    let name = event.kind().name()?;
    let dispatch = DispatchEvent::try_from(event.clone()).ok()?;
    // Serializing twilight's own models cannot fail (no maps with non-string keys).
    let bytes = serde_json::to_vec(&dispatch).ok()?;
    Some((name, bytes))
}

/// The event named `name` from published `bytes`.
pub fn decode(name: &str, bytes: &[u8]) -> Result<Event, CodecError> {
    let mut json = serde_json::Deserializer::from_slice(bytes);
    let dispatch = DispatchEventWithTypeDeserializer::new(name)
        .deserialize(&mut json)
        .map_err(|source| CodecError::Malformed {
            name: name.to_owned(),
            source,
        })?;
    Ok(Event::from(dispatch))
}

#[cfg(test)]
mod tests {
    use super::*;
    use twilight_model::gateway::payload::incoming::MessageDelete;
    use twilight_model::id::Id;

    #[test]
    fn a_dispatch_survives_the_round_trip() {
        let event = Event::MessageDelete(MessageDelete {
            channel_id: Id::new(2),
            guild_id: Some(Id::new(3)),
            id: Id::new(4),
        });
        let (name, bytes) = encode(&event).unwrap();
        assert_eq!(name, "MESSAGE_DELETE");
        assert_eq!(decode(name, &bytes).unwrap(), event);
    }

    #[test]
    fn gateway_internal_events_are_not_published_and_garbage_is_an_error() {
        assert!(encode(&Event::GatewayHeartbeatAck).is_none());
        assert!(matches!(
            decode("MESSAGE_DELETE", b"{\"id\": 12"),
            Err(CodecError::Malformed { .. })
        ));
        assert!(decode("MESSAGE_DELETE", b"[]").is_err());
        assert!(decode("NO_SUCH_EVENT", b"{}").is_err());
    }
}
