//! Property test of the gateway (issue 17): whatever a client sends, the simulator never
//! panics and answers as Discord's rules say. Each case is a fresh connection sent 1 to 5
//! frames (random bytes, random JSON, payloads of every opcode with random or half-right
//! fields, IDENTIFYs and RESUMEs with right and wrong tokens, intents, shards and thresholds,
//! oversized payloads), as text or binary; a model of the rules predicts the outcome (the close
//! code, or READY / op 9 / op 11 and an open connection), and the connection must end exactly
//! so. 300 cases (deterministic seed); the count of frames tried is printed.

mod common;

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use common::json::json_value;
use common::{TOKEN, fast, within};
use futures_util::{SinkExt, StreamExt};
use novera_sim::SimHandle;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const CASES: u32 = 300;
/// Discord's limit on a client payload.
const MAX_PAYLOAD: usize = 4096;
/// Every intent bit Discord defines.
const ALL_INTENTS: u64 = (1 << 26) - 1;

/// One frame a client sends.
#[derive(Debug, Clone)]
struct Frame {
    binary: bool,
    text: Vec<u8>,
}

/// A token: the right one (with or without `Bot `), a wrong one, or not a string.
fn token() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => Just(json!(TOKEN)),
        1 => Just(json!(format!("Bot {TOKEN}"))),
        2 => "[a-zA-Z0-9.]{0,20}".prop_map(Value::from),
        1 => json_value(),
    ]
}

fn identify() -> impl Strategy<Value = Value> {
    let intents = prop_oneof![
        4 => (0..=ALL_INTENTS).prop_map(Value::from),
        1 => (ALL_INTENTS + 1..u64::MAX).prop_map(Value::from),
        1 => json_value(),
    ];
    let shard = prop_oneof![
        3 => Just(None),
        2 => (0_u32..3, 0_u32..3).prop_map(|(id, n)| Some(json!([id, n]))),
        1 => json_value().prop_map(Some),
    ];
    let threshold = prop_oneof![
        3 => Just(None),
        2 => (0_u64..300).prop_map(|t| Some(json!(t))),
        1 => json_value().prop_map(Some),
    ];
    (
        prop::option::weighted(0.9, token()),
        prop::option::weighted(0.9, intents),
        shard,
        threshold,
    )
        .prop_map(|(token, intents, shard, threshold)| {
            let mut d = serde_json::Map::new();
            d.extend(token.map(|t| ("token".to_owned(), t)));
            d.extend(intents.map(|i| ("intents".to_owned(), i)));
            d.extend(shard.map(|s| ("shard".to_owned(), s)));
            d.extend(threshold.map(|t| ("large_threshold".to_owned(), t)));
            d.insert(
                "properties".to_owned(),
                json!({"os": "fuzz", "browser": "fuzz", "device": "fuzz"}),
            );
            json!({"op": 2, "d": d})
        })
}

fn resume() -> impl Strategy<Value = Value> {
    (token(), prop_oneof![".{0,32}".prop_map(Value::from), json_value()], json_value())
        .prop_map(|(token, session_id, seq)| {
            json!({"op": 6, "d": {"token": token, "session_id": session_id, "seq": seq}})
        })
}

/// A payload with any opcode (known, unknown, not an integer) and any `d`.
fn any_op() -> impl Strategy<Value = Value> {
    let op = prop_oneof![
        4 => prop::sample::select(vec![1_u64, 3, 4, 8, 31, 0, 5, 7, 9, 10, 11, 99]).prop_map(Value::from),
        1 => json_value(),
    ];
    (op, json_value()).prop_map(|(op, d)| json!({"op": op, "d": d}))
}

fn frame() -> impl Strategy<Value = Frame> {
    let text = prop_oneof![
        3 => any_op().prop_map(|v| v.to_string().into_bytes()),
        3 => identify().prop_map(|v| v.to_string().into_bytes()),
        1 => resume().prop_map(|v| v.to_string().into_bytes()),
        1 => json_value().prop_map(|v| v.to_string().into_bytes()),
        1 => ".{0,40}".prop_map(String::into_bytes),
        1 => (MAX_PAYLOAD - 40..MAX_PAYLOAD + 40).prop_map(|n| {
            format!(r#"{{"op":1,"d":"{}"}}"#, "x".repeat(n)).into_bytes()
        }),
    ];
    let binary_bytes = prop::collection::vec(any::<u8>(), 0..64);
    prop_oneof![
        8 => (any::<bool>(), text).prop_map(|(binary, text)| Frame { binary, text }),
        1 => binary_bytes.prop_map(|text| Frame { binary: true, text }),
    ]
}

/// What the connection must show for a case.
#[derive(Debug, Default, PartialEq, Eq)]
struct Expected {
    close: Option<u16>,
    readies: u32,
    invalid_sessions: u32,
    acks: u32,
}

/// The rules the simulator enforces, in its order (see `docs/simulator.md`, Rules).
fn model(frames: &[Frame]) -> Expected {
    let mut expected = Expected::default();
    let mut authenticated = false;
    for frame in frames {
        if let Some(code) = step(frame, &mut authenticated, &mut expected) {
            expected.close = Some(code);
            return expected;
        }
    }
    expected
}

/// One payload; `Some(code)` when it closes the connection.
fn step(frame: &Frame, authenticated: &mut bool, expected: &mut Expected) -> Option<u16> {
    if frame.text.len() > MAX_PAYLOAD {
        return Some(4002);
    }
    let value: Option<Value> = serde_json::from_slice(&frame.text).ok();
    let Some(op) = value
        .as_ref()
        .and_then(|v| v.get("op"))
        .and_then(Value::as_u64)
    else {
        return Some(4002);
    };
    let d = value
        .as_ref()
        .and_then(|v| v.get("d"))
        .cloned()
        .unwrap_or(Value::Null);
    match op {
        1 => {
            expected.acks += 1;
            None
        }
        2 | 6 if *authenticated => Some(4005),
        2 => identify_outcome(&d, authenticated, expected),
        6 => {
            let (Some(token), Some(_)) = (
                d.get("token").and_then(Value::as_str),
                d.get("session_id").and_then(Value::as_str),
            ) else {
                return Some(4002);
            };
            if !token_ok(token) {
                return Some(4004);
            }
            // No session of the fuzz is known: op 9 false, the connection stays.
            expected.invalid_sessions += 1;
            None
        }
        3 | 4 | 8 | 31 => (!*authenticated).then_some(4003),
        _ => Some(4001),
    }
}

fn token_ok(token: &str) -> bool {
    token.strip_prefix("Bot ").unwrap_or(token).trim() == TOKEN
}

fn identify_outcome(d: &Value, authenticated: &mut bool, expected: &mut Expected) -> Option<u16> {
    let (Some(token), Some(intents)) = (
        d.get("token").and_then(Value::as_str),
        d.get("intents").and_then(Value::as_u64),
    ) else {
        return Some(4002);
    };
    if !token_ok(token) {
        return Some(4004);
    }
    if intents & !ALL_INTENTS != 0 {
        return Some(4013);
    }
    match d.get("shard") {
        None | Some(Value::Null) => {}
        Some(shard) => match serde_json::from_value::<[u32; 2]>(shard.clone()) {
            Ok([id, count]) if count > 0 && id < count => {}
            _ => return Some(4010),
        },
    }
    if let Some(threshold) = d.get("large_threshold").filter(|t| !t.is_null())
        && !threshold.as_u64().is_some_and(|t| (50..=250).contains(&t))
    {
        return Some(4001);
    }
    *authenticated = true;
    expected.readies += 1;
    None
}

/// Sends the frames on a fresh connection and reads what the simulator did.
async fn observe(sim: &SimHandle, frames: &[Frame], expected: &Expected) -> Expected {
    let url = format!("{}/?v=10&encoding=json", sim.gateway_url());
    let (mut ws, _) = within("connect", tokio_tungstenite::connect_async(url))
        .await
        .expect("connects");
    for frame in frames {
        let message = if frame.binary {
            Message::binary(frame.text.clone())
        } else {
            Message::text(String::from_utf8_lossy(&frame.text).into_owned())
        };
        // After a close the simulator reads no more: later sends may fail, as on Discord.
        if ws.send(message).await.is_err() {
            break;
        }
    }
    let mut seen = Expected::default();
    if expected.close.is_none() {
        // One more heartbeat: its ACK proves every frame before it was handled.
        let _ = ws.send(Message::text(r#"{"op":1,"d":null}"#)).await;
    }
    let wanted_acks = expected.acks + u32::from(expected.close.is_none());
    within("the simulator's answer", async {
        while let Some(message) = ws.next().await {
            match message {
                Ok(Message::Text(text)) => {
                    let payload: Value =
                        serde_json::from_str(&text).expect("the simulator sends JSON");
                    match (payload["op"].as_u64(), payload["t"].as_str()) {
                        (Some(11), _) => seen.acks += 1,
                        (Some(9), _) => seen.invalid_sessions += 1,
                        (Some(0), Some("READY")) => seen.readies += 1,
                        _ => {}
                    }
                    // READY is queued behind the session's dispatches while ACKs and op 9
                    // are written at once, so wait for both.
                    if expected.close.is_none()
                        && seen.acks == wanted_acks
                        && seen.readies >= expected.readies
                    {
                        seen.acks -= 1;
                        return;
                    }
                }
                Ok(Message::Close(frame)) => {
                    seen.close = Some(frame.map_or(0, |f| u16::from(f.code)));
                    return;
                }
                Ok(_) => {}
                Err(_) => {
                    seen.close = Some(0);
                    return;
                }
            }
        }
        seen.close = Some(0);
    })
    .await;
    seen
}

#[test]
fn gateway_frames_300_cases_never_panic_and_close_by_the_rules() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let sim = Arc::new(runtime.block_on(async {
        fast()
            .heartbeat_interval(Duration::from_secs(30))
            .identify_window(Duration::ZERO)
            .session_start_limit(1_000_000)
            .start()
            .await
            .expect("simulator")
    }));
    let frames_tried = AtomicU64::new(0);
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let result = runner.run(&prop::collection::vec(frame(), 1..=5), |frames| {
        frames_tried.fetch_add(frames.len() as u64, Ordering::Relaxed);
        let expected = model(&frames);
        let mut seen = runtime.block_on(observe(&sim, &frames, &expected));
        if expected.close.is_some() {
            // A close ends the connection before the dispatches queued for it (READY) are
            // written; they stay in the session's replay buffer, as on Discord.
            seen.readies = expected.readies;
        }
        if seen == expected {
            Ok(())
        } else {
            Err(TestCaseError::fail(format!(
                "expected {expected:?}, saw {seen:?}"
            )))
        }
    });
    let tried = frames_tried.load(Ordering::Relaxed);
    let _ = writeln!(
        std::io::stderr(),
        "gateway fuzz: {CASES} cases, {tried} frames tried"
    );
    if let Err(failure) = result {
        panic!("{failure}");
    }
    // The simulator still serves.
    let state = runtime
        .block_on(sim.control().state())
        .expect("the simulator still answers");
    assert!(state.identifies > 0, "some IDENTIFYs were valid");
    assert!(tried >= u64::from(CASES));
}
