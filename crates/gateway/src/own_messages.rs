//! `OwnMessages`: the bot's own `MESSAGE_CREATE`s, read for another instance's nonce.
//!
//! Every message Novera creates carries a nonce starting with this process's tag (novera-core's
//! `InstanceWatch`), and Discord echoes it in the `MESSAGE_CREATE`. One by the bot's own user
//! whose nonce this process did not write was sent by another process with the same token.
//! twilight's `Message` model has no `nonce` field, so the runner hands each raw frame here
//! before parsing it. The check stays off the hot path's costs: it looks at the event type and
//! searches the text for the bot's id (no allocation), and only a frame that passes both (the
//! bot's own messages, or one mentioning it) is deserialized a second time, into borrowed
//! fields; only foreign evidence allocates.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use novera_core::InstanceWatch;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use twilight_model::gateway::event::GatewayEventDeserializer;
use twilight_model::id::Id;
use twilight_model::id::marker::UserMarker;

/// Reads the bot's own messages' nonces for one gateway.
#[derive(Debug)]
pub(crate) struct OwnMessages {
    /// The bot's user id as it appears in JSON: `"123"`.
    needle: String,
    watch: Arc<InstanceWatch>,
}

/// The fields of a `MESSAGE_CREATE` frame the check reads; the rest is skipped unparsed.
#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(borrow)]
    d: Created<'a>,
}

#[derive(Deserialize)]
struct Created<'a> {
    #[serde(borrow)]
    author: Author<'a>,
    #[serde(default, borrow)]
    channel_id: Option<&'a str>,
    #[serde(default, borrow)]
    id: Option<&'a str>,
    #[serde(default, borrow)]
    nonce: Option<Nonce<'a>>,
}

#[derive(Deserialize)]
struct Author<'a> {
    #[serde(borrow)]
    id: &'a str,
}

/// A nonce as Discord sends it: a string (borrowed unless escaped) or an integer.
struct Nonce<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Nonce<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NonceVisitor;
        impl<'de> Visitor<'de> for NonceVisitor {
            type Value = Nonce<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or integer nonce")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Nonce(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Nonce(Cow::Owned(v.to_owned())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Nonce(Cow::Owned(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Nonce(Cow::Owned(v.to_string())))
            }
        }
        deserializer.deserialize_any(NonceVisitor)
    }
}

impl OwnMessages {
    /// Checks the messages of `bot` against `watch`.
    pub(crate) fn new(bot: Id<UserMarker>, watch: Arc<InstanceWatch>) -> Self {
        Self {
            needle: format!("\"{bot}\""),
            watch,
        }
    }

    /// Inspects one raw gateway frame; reports a `MESSAGE_CREATE` by the bot whose nonce this
    /// process did not write. Returns whether it did.
    pub(crate) fn inspect(&self, json: &str) -> bool {
        let is_message = GatewayEventDeserializer::from_json(json)
            .is_some_and(|frame| frame.event_type() == Some("MESSAGE_CREATE"));
        if !is_message || !json.contains(self.needle.as_str()) {
            return false;
        }
        let Ok(frame) = serde_json::from_str::<Frame<'_>>(json) else {
            return false;
        };
        let created = frame.d;
        if self.needle.get(1..self.needle.len() - 1) != Some(created.author.id) {
            return false;
        }
        let Some(Nonce(nonce)) = created.nonce else {
            // Interaction responses and webhook messages carry no nonce.
            return false;
        };
        self.watch.check_nonce(&nonce, || {
            format!(
                "MESSAGE_CREATE {} by this bot in channel {} carries nonce {nonce:?}, which this instance ({}) never sent",
                created.id.unwrap_or("?"),
                created.channel_id.unwrap_or("?"),
                self.watch.tag()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use novera_core::{InstanceTag, InstanceWatch};

    use super::*;

    fn frame(author: u64, nonce: &str) -> String {
        format!(
            r#"{{"op":0,"s":42,"t":"MESSAGE_CREATE","d":{{"id":"9","channel_id":"5","content":"\"nonce\": \"x\" <@1>","author":{{"id":"{author}","username":"bot","bot":true}},"nonce":{nonce},"referenced_message":null}}}}"#
        )
    }

    #[test]
    fn a_foreign_nonce_on_the_bots_own_message_is_reported() {
        let watch = Arc::new(InstanceWatch::with_tag(
            InstanceTag::new(1_750_000_000, 1),
            false,
        ));
        let own = OwnMessages::new(Id::new(1), Arc::clone(&watch));
        let ours = format!("\"{}\"", watch.next_nonce());
        assert!(!own.inspect(&frame(1, &ours)), "our own nonce");
        assert!(!own.inspect(&frame(2, "\"someone\"")), "another author");
        assert!(!own.inspect(&frame(1, "null")), "no nonce");
        assert_eq!(watch.report().detected, 0);

        let other = InstanceWatch::with_tag(InstanceTag::new(1_750_000_009, 2), false);
        assert!(own.inspect(&frame(1, &format!("\"{}\"", other.next_nonce()))));
        assert!(own.inspect(&frame(1, "12345")), "an integer nonce");
        assert!(own.inspect(&frame(1, r#""with \"escape\"""#)));
        let report = watch.report();
        assert_eq!(report.detected, 3);
        assert_eq!(report.evidence[2].other.as_ref(), Some(other.tag()));
        assert!(
            report.evidence[2].detail.contains("channel 5"),
            "{}",
            report.evidence[2].detail
        );
    }

    #[test]
    fn other_events_and_garbage_are_ignored() {
        let watch = Arc::new(InstanceWatch::new(false));
        let own = OwnMessages::new(Id::new(1), Arc::clone(&watch));
        let update = frame(1, "\"x\"").replace("MESSAGE_CREATE", "MESSAGE_UPDATE");
        assert!(!own.inspect(&update));
        assert!(!own.inspect(r#"{"op":0,"t":"MESSAGE_CREATE","d":{"author":"1"}}"#));
        assert!(!own.inspect("not json \"1\""));
        assert!(!own.inspect(""));
        assert_eq!(watch.report().detected, 0);
    }
}
