//! Lost vs never delivered (issue 17): an interaction record says whether its
//! `INTERACTION_CREATE` reached a connection of the bot, at once or replayed on RESUME.

mod common;

use common::{RawGateway, TOKEN, eventually, fast, start};
use novera_sim::{Ingress, SimHandle};
use serde_json::Value;

/// Connects, identifies and reads READY and both `GUILD_CREATEs`; returns the session id and
/// the last sequence number.
async fn identified(sim: &SimHandle) -> (RawGateway, Value, u64) {
    let mut raw = RawGateway::hello(sim).await;
    raw.identify(TOKEN, 1).await;
    let ready = raw.until_op(0).await;
    assert_eq!(ready["t"], "READY");
    let mut seq = 1;
    while seq < 3 {
        seq = raw.until_op(0).await["s"].as_u64().expect("seq");
    }
    (raw, ready["d"]["session_id"].clone(), seq)
}

async fn delivered(sim: &SimHandle, id: &str) -> bool {
    sim.control()
        .interaction(id)
        .await
        .expect("status")
        .delivered
}

#[tokio::test]
async fn an_interaction_written_to_a_connection_is_delivered() {
    let sim = start(fast()).await;
    let (mut raw, _, _) = identified(&sim).await;
    let created = sim
        .control()
        .run_command("ping", Value::Null, None, None, None)
        .await
        .expect("run");
    let dispatched = raw.until_op(0).await;
    assert_eq!(dispatched["t"], "INTERACTION_CREATE");
    eventually("delivered", || async {
        delivered(&sim, &created.id).await.then_some(())
    })
    .await;
    let status = sim
        .control()
        .interaction(&created.id)
        .await
        .expect("status");
    assert_eq!(status.ingress, Ingress::Gateway);
    assert!(!status.responded);
    sim.shutdown().await;
}

#[tokio::test]
async fn without_a_session_nothing_is_delivered() {
    let sim = start(fast()).await;
    let created = sim
        .control()
        .run_command("ping", Value::Null, None, None, None)
        .await
        .expect("run");
    assert!(
        sim.control()
            .state()
            .await
            .expect("state")
            .sessions
            .is_empty()
    );
    assert!(!delivered(&sim, &created.id).await);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_buffered_interaction_is_delivered_when_resume_replays_it() {
    let sim = start(fast()).await;
    let control = sim.control();
    let (raw, session_id, seq) = identified(&sim).await;
    // TCP drop: the session stays resumable and buffers what it is sent.
    drop(raw);
    eventually("the session to lose its connection", || async {
        let state = control.state().await.expect("state");
        state.sessions.iter().all(|s| !s.connected).then_some(())
    })
    .await;
    let created = control
        .run_command("ping", Value::Null, None, None, None)
        .await
        .expect("run");
    assert!(
        !delivered(&sim, &created.id).await,
        "buffered is not delivered yet"
    );
    let mut raw = RawGateway::hello(&sim).await;
    raw.resume(TOKEN, &session_id, seq).await;
    let replayed = raw.until_op(0).await;
    assert_eq!(replayed["t"], "INTERACTION_CREATE");
    assert_eq!(replayed["d"]["id"], created.id.as_str());
    eventually("delivered on replay", || async {
        delivered(&sim, &created.id).await.then_some(())
    })
    .await;
    sim.shutdown().await;
}
