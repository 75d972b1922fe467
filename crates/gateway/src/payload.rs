//! Payloads from the gateway that are not events this runner can use, and what becomes of them.
//!
//! Discord (or a proxy in between) can send what twilight cannot read: text that is not JSON,
//! an opcode or an event name that did not exist when twilight was released, a known event with
//! fields missing or of the wrong type, a binary frame the decompressor refuses. None of them is
//! a reason to drop the session: Discord keeps sending, so the runner skips the payload, counts
//! it in `novera_gateway_payload_errors_total{shard, kind}` and logs it once per kind and event
//! name (a broken event that repeats would otherwise flood the log). Only a binary frame ends
//! the connection, inside twilight: its zlib/zstd stream is broken, so twilight closes with
//! 4000 and resumes, and Discord replays what followed.
//!
//! Logs never carry the payload: it may hold users' messages. The event name is logged only when
//! it looks like one (`MESSAGE_CREATE`), and a parse error only by its class and column.

use std::collections::HashSet;
use std::error::Error;

use metrics::{Counter, counter};
use twilight_gateway::EventTypeFlags;
use twilight_model::gateway::OpCode;
use twilight_model::gateway::event::{Event, GatewayEventDeserializer};

use crate::metrics::PAYLOAD_ERRORS_TOTAL;

/// Distinct (kind, event name) pairs logged per runner; past it, payload errors are only counted.
const MAX_LOGGED: usize = 64;

/// Longest event name logged (Discord's are far shorter).
const MAX_NAME: usize = 64;

/// Why a payload was skipped (the metric's `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum PayloadKind {
    /// Not a gateway payload twilight can read: not JSON, or no opcode, event name or sequence.
    Invalid,
    /// An opcode Discord does not document.
    UnknownOpcode,
    /// A dispatch whose event name twilight does not know (Discord adds events now and then).
    UnknownEvent,
    /// A known event with missing or mistyped fields.
    Malformed,
    /// A binary frame the transport decompressor could not decode.
    Undecodable,
}

impl PayloadKind {
    const ALL: [Self; 5] = [
        Self::Invalid,
        Self::UnknownOpcode,
        Self::UnknownEvent,
        Self::Malformed,
        Self::Undecodable,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Invalid => "invalid",
            Self::UnknownOpcode => "unknown_opcode",
            Self::UnknownEvent => "unknown_event",
            Self::Malformed => "malformed",
            Self::Undecodable => "undecodable",
        }
    }
}

/// A payload that did not become an event.
#[derive(Debug)]
pub(crate) struct Skipped<'a> {
    pub(crate) kind: PayloadKind,
    /// The `t` field, if the payload has one.
    pub(crate) name: Option<&'a str>,
    /// What the parser said: its class and position, never its text (see [`describe`]).
    pub(crate) cause: Option<String>,
}

/// Turns a text payload into an event, as twilight's own `parse` does, but says why it did not.
pub(crate) fn decode(json: &str) -> Result<Event, Skipped<'_>> {
    let Some(envelope) = GatewayEventDeserializer::from_json(json) else {
        return Err(Skipped {
            kind: PayloadKind::Invalid,
            name: None,
            cause: None,
        });
    };
    let Some(op) = OpCode::from(envelope.op()) else {
        return Err(Skipped {
            kind: PayloadKind::UnknownOpcode,
            name: event_name(json),
            cause: None,
        });
    };
    if EventTypeFlags::try_from((op, envelope.event_type())).is_err() {
        return Err(Skipped {
            kind: PayloadKind::UnknownEvent,
            name: event_name(json),
            cause: None,
        });
    }
    let mut deserializer = serde_json::Deserializer::from_str(json);
    serde::de::DeserializeSeed::deserialize(envelope, &mut deserializer)
        .map(Event::from)
        .map_err(|error| Skipped {
            kind: PayloadKind::Malformed,
            name: event_name(json),
            cause: Some(describe(&error)),
        })
}

/// The payload's `t`, when it reads as an event name (upper case, digits, underscores).
pub(crate) fn event_name(json: &str) -> Option<&str> {
    let (_, _, name) = GatewayEventDeserializer::from_json(json)?.into_parts();
    let name = match name? {
        std::borrow::Cow::Borrowed(name) => name,
        std::borrow::Cow::Owned(_) => return None,
    };
    let plausible = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    plausible.then_some(name)
}

/// One runner's record of skipped payloads: counters, and what it already logged.
#[derive(Debug)]
pub(crate) struct PayloadErrors {
    shard: u32,
    counters: [Counter; 5],
    logged: HashSet<(PayloadKind, Box<str>)>,
}

impl PayloadErrors {
    pub(crate) fn new(shard: u32) -> Self {
        let label = shard.to_string();
        Self {
            shard,
            counters: PayloadKind::ALL.map(|kind| {
                counter!(PAYLOAD_ERRORS_TOTAL, "shard" => label.clone(), "kind" => kind.label())
            }),
            logged: HashSet::new(),
        }
    }

    /// Counts a skipped payload, and logs it if its kind and name are new to this runner.
    pub(crate) fn record(&mut self, skipped: &Skipped<'_>) {
        let index = PayloadKind::ALL
            .iter()
            .position(|kind| *kind == skipped.kind)
            .unwrap_or_default();
        self.counters[index].increment(1);
        let name = skipped.name.unwrap_or("(none)");
        if self.logged.len() >= MAX_LOGGED || !self.logged.insert((skipped.kind, Box::from(name))) {
            return;
        }
        let cause = skipped.cause.as_deref();
        let (shard, kind) = (self.shard, skipped.kind.label());
        if skipped.kind == PayloadKind::UnknownEvent {
            tracing::info!(
                shard,
                kind,
                event = name,
                "skipped a gateway event this version does not know (logged once)"
            );
        } else {
            tracing::warn!(
                shard,
                kind,
                event = name,
                cause,
                "skipped a gateway payload that could not be read; the session goes on (logged once per event name)"
            );
        }
    }
}

/// An error's class and position without its text (serde's messages quote the offending
/// value, which may be a user's message).
pub(crate) fn describe(error: &(dyn Error + 'static)) -> String {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(json) = error.downcast_ref::<serde_json::Error>() {
            return format!(
                "{:?} error at line {} column {}",
                json.classify(),
                json.line(),
                json.column()
            );
        }
        current = error.source();
    }
    "unreadable".to_owned()
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    use super::*;

    /// A `MESSAGE_CREATE` twilight reads.
    const MESSAGE: &str = r#"{"t":"MESSAGE_CREATE","s":3,"op":0,"d":{"id":"10","channel_id":"20","guild_id":"30","author":{"id":"40","username":"u","discriminator":"0","avatar":null},"content":"hello","timestamp":"2024-01-01T00:00:00.000000+00:00","edited_timestamp":null,"tts":false,"mention_everyone":false,"mentions":[],"mention_roles":[],"attachments":[],"embeds":[],"pinned":false,"type":0}}"#;

    fn kind_of(json: &str) -> Option<PayloadKind> {
        decode(json).err().map(|skipped| skipped.kind)
    }

    #[test]
    fn a_good_event_is_decoded() {
        assert!(matches!(decode(MESSAGE), Ok(Event::MessageCreate(_))));
        assert!(matches!(
            decode(r#"{"t":null,"s":null,"op":11,"d":null}"#),
            Ok(Event::GatewayHeartbeatAck)
        ));
    }

    #[test]
    fn each_garbage_variant_of_the_simulator_is_classified() {
        assert_eq!(kind_of("not json at all"), Some(PayloadKind::Invalid));
        assert_eq!(
            kind_of(r#"{"t":null,"s":null,"op":42,"d":null}"#),
            Some(PayloadKind::UnknownOpcode)
        );
        let unknown = r#"{"t":"NOVERA_SIM_UNKNOWN_EVENT","s":4,"op":0,"d":{"id":"1","note":"x"}}"#;
        let skipped = decode(unknown).expect_err("unknown");
        assert_eq!(skipped.kind, PayloadKind::UnknownEvent);
        assert_eq!(skipped.name, Some("NOVERA_SIM_UNKNOWN_EVENT"));
        let missing =
            r#"{"t":"MESSAGE_CREATE","s":5,"op":0,"d":{"id":"1","channel_id":"2","guild_id":"3"}}"#;
        assert_eq!(kind_of(missing), Some(PayloadKind::Malformed));
        let wrong = r#"{"t":"MESSAGE_CREATE","s":6,"op":0,"d":{"id":"not-a-snowflake","author":"nobody","content":42,"timestamp":true}}"#;
        let skipped = decode(wrong).expect_err("wrong types");
        assert_eq!(skipped.kind, PayloadKind::Malformed);
        assert_eq!(skipped.name, Some("MESSAGE_CREATE"));
        let cause = skipped.cause.expect("a cause");
        assert!(cause.contains("Data error at line 1"), "{cause}");
        assert!(
            !cause.contains("snowflake") && !cause.contains("nobody"),
            "{cause}"
        );
    }

    #[test]
    fn only_plausible_event_names_are_logged() {
        assert_eq!(event_name(MESSAGE), Some("MESSAGE_CREATE"));
        assert_eq!(
            event_name(r#"{"t":"EVIL\nNAME","s":1,"op":0,"d":{}}"#),
            None
        );
        assert_eq!(
            event_name(r#"{"t":"message_create","s":1,"op":0,"d":{}}"#),
            None
        );
        let long = format!(r#"{{"t":"{}","s":1,"op":0,"d":{{}}}}"#, "A".repeat(65));
        assert_eq!(event_name(&long), None);
        assert_eq!(event_name("{"), None);
    }

    #[test]
    fn a_repeated_error_is_logged_once_and_counted_every_time() {
        let mut errors = PayloadErrors::new(0);
        let skipped = decode(r#"{"t":"NOVERA_X","s":1,"op":0,"d":{}}"#).expect_err("unknown");
        for _ in 0..3 {
            errors.record(&skipped);
        }
        assert_eq!(errors.logged.len(), 1);
        for i in 0..(MAX_LOGGED * 2) {
            let json = format!(r#"{{"t":"NOVERA_X{i}","s":1,"op":0,"d":{{}}}}"#);
            errors.record(&decode(&json).expect_err("unknown"));
        }
        assert_eq!(errors.logged.len(), MAX_LOGGED, "memory stays bounded");
    }

    /// Whatever text arrives (random, or a real event cut, spliced or with bytes replaced),
    /// decoding returns an event or a reason, and never panics. 2,000 cases, counted.
    #[test]
    fn decoding_never_panics() {
        const CASES: u32 = 2000;
        let mutated =
            (0..MESSAGE.len(), 0..MESSAGE.len(), any::<String>()).prop_map(|(a, b, insert)| {
                let (start, end) = (a.min(b), a.max(b));
                let mut text = MESSAGE.as_bytes()[..start].to_vec();
                text.extend_from_slice(insert.as_bytes());
                text.extend_from_slice(&MESSAGE.as_bytes()[end..]);
                String::from_utf8_lossy(&text).into_owned()
            });
        let envelope = (any::<i64>(), "[A-Z_]{0,30}", any::<String>()).prop_map(|(op, t, d)| {
            format!(
                r#"{{"t":"{t}","s":1,"op":{op},"d":{}}}"#,
                serde_json::json!(d)
            )
        });
        let strategy = prop_oneof![any::<String>(), mutated, envelope];
        let config = Config {
            cases: CASES,
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
        let tried = std::cell::Cell::new(0_u64);
        let errors = std::cell::RefCell::new(PayloadErrors::new(0));
        runner
            .run(&strategy, |json| {
                tried.set(tried.get() + 1);
                if let Err(skipped) = decode(&json) {
                    errors.borrow_mut().record(&skipped);
                }
                Ok(())
            })
            .expect("no input panics");
        let _ = writeln!(
            std::io::stderr(),
            "gateway payload fuzz: {CASES} cases, {} payloads decoded",
            tried.get()
        );
    }
}
