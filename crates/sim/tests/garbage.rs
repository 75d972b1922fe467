//! The `garbage` fault (issue 17): what each variant puts on the wire, which ones take a
//! sequence number and are replayed on RESUME, and that the connection and session survive.

mod common;

use common::{RawGateway, TOKEN, fast, start};
use novera_sim::{ControlClient, Fault, Garbage};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

fn garbage(variant: Garbage, bytes: Option<u64>) -> Fault {
    Fault::Garbage {
        variant,
        bytes,
        shard: None,
    }
}

async fn inject(control: &ControlClient, variant: Garbage, bytes: Option<u64>) {
    let applied = control
        .fault(&garbage(variant, bytes))
        .await
        .expect("fault");
    assert_eq!(applied.applied, 1, "{variant:?}");
}

fn text(message: Message) -> String {
    match message {
        Message::Text(text) => text.as_str().to_owned(),
        other => panic!("expected a text frame, got {other:?}"),
    }
}

#[tokio::test]
async fn each_variant_arrives_as_documented_and_the_session_survives() {
    let sim = start(fast()).await;
    let control = sim.control();
    let mut raw = RawGateway::hello(&sim).await;
    raw.identify(TOKEN, 1).await;
    let ready = raw.until_op(0).await;
    let session_id = ready["d"]["session_id"].clone();
    let mut seq = 1;
    while seq < 3 {
        seq = raw.until_op(0).await["s"].as_u64().expect("seq");
    }

    inject(&control, Garbage::InvalidJson, None).await;
    let frame = text(raw.raw_message().await);
    assert!(frame.starts_with(r#"{"t":"MESSAGE_CREATE""#));
    assert!(serde_json::from_str::<Value>(&frame).is_err());

    inject(&control, Garbage::UnknownOpcode, None).await;
    let frame: Value = serde_json::from_str(&text(raw.raw_message().await)).expect("JSON");
    assert_eq!(
        (frame["op"].as_u64(), frame["s"].is_null()),
        (Some(42), true)
    );

    inject(&control, Garbage::Oversized, Some(100_000)).await;
    let frame = text(raw.raw_message().await);
    assert_eq!(frame.len(), 100_000);
    let frame: Value = serde_json::from_str(&frame).expect("JSON");
    assert_eq!(frame["t"], "NOVERA_SIM_OVERSIZED");
    assert!(frame["s"].is_null());

    inject(&control, Garbage::Binary, None).await;
    match raw.raw_message().await {
        Message::Binary(bytes) => assert!(serde_json::from_slice::<Value>(&bytes).is_err()),
        other => panic!("expected a binary frame, got {other:?}"),
    }

    // The broken dispatches take the next sequence numbers.
    let events = [
        (Garbage::UnknownEvent, "NOVERA_SIM_UNKNOWN_EVENT"),
        (Garbage::MissingFields, "MESSAGE_CREATE"),
        (Garbage::WrongTypes, "MESSAGE_CREATE"),
    ];
    for (i, (variant, event)) in (1..).zip(events) {
        inject(&control, variant, None).await;
        let frame = raw.until_op(0).await;
        assert_eq!(
            (frame["t"].as_str(), frame["s"].as_u64()),
            (Some(event), Some(seq + i))
        );
    }
    let missing = &raw_frames_after_resume(&sim, &mut raw, &session_id, seq).await;
    assert_eq!(
        missing.len(),
        4,
        "three broken dispatches and RESUMED: {missing:?}"
    );
    assert!(missing[1]["d"].get("author").is_none());
    assert_eq!(missing[2]["d"]["content"], 42);
    assert_eq!(missing[3]["t"], "RESUMED");

    let state = control.state().await.expect("state");
    assert_eq!(state.sessions.len(), 1);
    assert!(state.sessions[0].connected && state.sessions[0].alive);
    assert_eq!(state.sessions[0].seq, seq + 4);
    assert_eq!(state.resumes, 1);
    sim.shutdown().await;
}

/// Heartbeats (the connection still works), drops it and resumes from `seq` on a new one;
/// returns the dispatches replayed up to RESUMED.
async fn raw_frames_after_resume(
    sim: &novera_sim::SimHandle,
    raw: &mut RawGateway,
    session_id: &Value,
    seq: u64,
) -> Vec<Value> {
    // Acknowledge only `seq`, so the broken dispatches stay in the replay buffer.
    raw.send(&serde_json::json!({"op": 1, "d": seq})).await;
    raw.until_op(11).await;
    let old = std::mem::replace(raw, RawGateway::hello(sim).await);
    drop(old);
    let control = sim.control();
    common::eventually("the old connection to end", || async {
        let state = control.state().await.expect("state");
        state.sessions.iter().all(|s| !s.connected).then_some(())
    })
    .await;
    raw.resume(TOKEN, session_id, seq).await;
    let mut frames = Vec::new();
    loop {
        let frame = raw.until_op(0).await;
        let done = frame["t"] == "RESUMED";
        frames.push(frame);
        if done {
            return frames;
        }
    }
}

#[tokio::test]
async fn binary_garbage_bypasses_the_compression_stream() {
    let sim = start(fast()).await;
    let mut raw = RawGateway::connect(&sim, "&compress=zlib-stream").await;
    raw.identify(TOKEN, 1).await;
    // Wait for the session before injecting (the frames are compressed; only the session matters).
    common::eventually("a session", || async {
        let state = sim.control().state().await.expect("state");
        state.sessions.iter().any(|s| s.connected).then_some(())
    })
    .await;
    inject(&sim.control(), Garbage::Binary, None).await;
    loop {
        if let Message::Binary(bytes) = raw.raw_message().await
            && bytes.as_ref() == b"\xde\xad\xbe\xef\x00\xffnovera-sim\xfe\x01"
        {
            break;
        }
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn bad_garbage_faults_are_refused() {
    let sim = start(fast()).await;
    let control = sim.control();
    for fault in [
        garbage(Garbage::InvalidJson, Some(10)),
        garbage(Garbage::Oversized, Some(0)),
        garbage(Garbage::Oversized, Some((64 << 20) + 1)),
    ] {
        let refused = control.fault(&fault).await;
        assert!(
            refused.is_err_and(|e| e.to_string().contains("400")),
            "{fault:?}"
        );
    }
    // No connection: applied to none.
    let applied = control
        .fault(&garbage(Garbage::WrongTypes, None))
        .await
        .expect("fault");
    assert_eq!(applied.applied, 0);
    sim.shutdown().await;
}
