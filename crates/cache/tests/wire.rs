//! `encode` and `decode`: Discord's gateway frame, typed errors for every kind of bad input, and
//! a bounded fuzz run (random and mutated frames) that must never panic.

mod support;

use novera_cache::{DecodeError, EncodeError, ResourceType, decode, encode, snapshot};
use serde_json::json;
use support::{cache_with, dispatch, guild, member, role, text_channel};
use twilight_model::gateway::event::{Event, EventType};
use twilight_model::id::Id;

/// The snapshot of a small guild, encoded: the fuzz run's seeds.
fn seeds() -> Vec<Vec<u8>> {
    let mut alpha = guild(
        1,
        "Alpha",
        &[
            text_channel(10, "general", 0),
            text_channel(11, "random", 1),
        ],
        &[role(1, "@everyone", 0), role(20, "mod", 1)],
        &[member(100, Some("ally"), &[20]), member(101, None, &[])],
    );
    alpha["voice_states"] = json!([
        {"channel_id": "10", "user_id": "100", "session_id": "s", "deaf": false, "mute": false,
         "self_deaf": false, "self_mute": true, "self_video": false, "suppress": false,
         "request_to_speak_timestamp": null},
    ]);
    let cache = cache_with(
        ResourceType::all(),
        &[
            dispatch("GUILD_CREATE", &alpha),
            dispatch(
                "USER_UPDATE",
                &json!({"id": "900", "username": "novera", "discriminator": "0", "bot": true,
                        "mfa_enabled": false}),
            ),
        ],
    );
    snapshot(&cache)
        .map(|event| encode(&event).expect("snapshot events encode"))
        .collect()
}

#[test]
fn encode_writes_discords_gateway_frame() {
    let event = dispatch(
        "CHANNEL_PINS_UPDATE",
        &json!({"channel_id": "10", "guild_id": "1", "last_pin_timestamp": null}),
    );
    let bytes = encode(&event).expect("a dispatch event encodes");
    let text = std::str::from_utf8(&bytes).expect("JSON is UTF-8");
    assert!(
        text.starts_with(r#"{"t":"CHANNEL_PINS_UPDATE","s":0,"op":0,"d":{"#),
        "{text}"
    );
    assert_eq!(decode(&bytes).expect("its own frame decodes"), event);
}

#[test]
fn decode_reads_a_frame_as_discord_orders_it() {
    // Discord puts `t` first, but any order of the top-level keys with `t`, `s` and `op`
    // before `d` decodes.
    let frame = br#"{"op":0,"s":42,"t":"GUILD_ROLE_DELETE","d":{"guild_id":"1","role_id":"20"}}"#;
    let Event::RoleDelete(deleted) = decode(frame).expect("a valid frame decodes") else {
        panic!("the frame is a role deletion");
    };
    assert_eq!(
        (deleted.guild_id, deleted.role_id),
        (Id::new(1), Id::new(20))
    );
}

#[test]
fn a_gateway_only_event_is_not_encoded() {
    let error = encode(&Event::GatewayHeartbeatAck).expect_err("not a dispatch event");
    assert!(
        matches!(
            error,
            EncodeError::NotDispatch {
                kind: EventType::GatewayHeartbeatAck
            }
        ),
        "{error:?}"
    );
}

/// Whether an error is the one a case expects.
type Expected = fn(&DecodeError) -> bool;

#[test]
fn each_kind_of_bad_input_has_its_error() {
    let cases: [(&[u8], Expected); 7] = [
        (b"\xff\xfe{}", |e| matches!(e, DecodeError::NotUtf8(_))),
        (b"{}", |e| matches!(e, DecodeError::NoOpcode)),
        (br#"{"t":null,"s":null,"op":300,"d":null}"#, |e| {
            matches!(e, DecodeError::NoOpcode)
        }),
        (br#"{"t":null,"s":null,"op":11,"d":null}"#, |e| {
            matches!(e, DecodeError::NotDispatch { op: 11 })
        }),
        (br#"{"t":"NOT_AN_EVENT","s":1,"op":0,"d":{}}"#, |e| {
            matches!(e, DecodeError::Json { event_type: Some(t), .. } if t == "NOT_AN_EVENT")
        }),
        (br#"{"s":1,"op":0,"d":{}}"#, |e| {
            matches!(e, DecodeError::Json { event_type: None, .. })
        }),
        (
            br#"{"t":"GUILD_ROLE_DELETE","s":1,"op":0,"d":{"guild_id":"1","role_id":"2"}} trailing"#,
            |e| matches!(e, DecodeError::Json { event_type: Some(t), .. } if t == "GUILD_ROLE_DELETE"),
        ),
    ];
    for (input, expected) in cases {
        let error = decode(input).expect_err("bad input is refused");
        assert!(
            expected(&error),
            "{:?} gave {error:?}",
            String::from_utf8_lossy(input)
        );
    }
}

/// xorshift64*: a fixed sequence, so the fuzz run is the same every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(bound.max(1)).unwrap_or(u64::MAX)).unwrap_or(0)
    }

    fn byte(&mut self) -> u8 {
        self.next().to_le_bytes()[0]
    }
}

/// One mutation of `seed`: bytes flipped, cut, inserted (favouring JSON's own characters),
/// removed, or a span copied from elsewhere.
fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    const SIGNIFICANT: &[u8] = br#"{}[]":,0123456789-.etnfalsru\ "#;
    let mut input = seed.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(input.len());
        match rng.below(5) {
            0 => input[at] = rng.byte(),
            1 => input.truncate(at),
            2 => input.insert(at, SIGNIFICANT[rng.below(SIGNIFICANT.len())]),
            3 => {
                if at < input.len() {
                    input.remove(at);
                }
            }
            _ => {
                let from = rng.below(input.len());
                let len = rng.below(16).min(input.len() - from);
                let span = input[from..from + len].to_vec();
                input.splice(at..at, span);
            }
        }
        if input.is_empty() {
            break;
        }
    }
    input
}

#[test]
fn decode_never_panics_on_random_or_mutated_frames() {
    let seeds = seeds();
    assert!(seeds.len() >= 3, "the seeds cover several event types");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut inputs: Vec<Vec<u8>> = (0..500)
        .map(|n| mutate(&mut rng, &seeds[n % seeds.len()]))
        .collect();
    inputs.extend((0..100).map(|_| (0..rng.below(64)).map(|_| rng.byte()).collect()));

    let (mut decoded, mut refused) = (0, 0);
    for input in &inputs {
        match decode(input) {
            // Whatever decoded is a real event: it encodes, and its encoding decodes to an event
            // that encodes the same (not always to the same event: a timestamp with
            // nanoseconds is written with microseconds).
            Ok(event) => {
                let encoded = encode(&event).expect("a decoded event encodes");
                let again = decode(&encoded).expect("its encoding decodes");
                assert_eq!(encode(&again).expect("and encodes again"), encoded);
                decoded += 1;
            }
            Err(_) => refused += 1,
        }
    }
    // Both paths ran: some mutations keep a frame valid (a changed digit or letter), most break it.
    assert!(
        decoded > 0 && refused > 0,
        "{decoded} decoded, {refused} refused"
    );
}
