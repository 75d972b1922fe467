//! Control API faults that are not covered by the twilight resume tests: op 1 requests and REST
//! faults (injected statuses, 429s, delays), and the request log.

mod common;

use std::time::{Duration, Instant};

use common::{RawGateway, TOKEN, fast, start};
use novera_sim::{Fault, SimHandle};

async fn get(sim: &SimHandle, path: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(format!("{}/api/v10{path}", sim.base_url()))
        .header("Authorization", format!("Bot {TOKEN}"))
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn heartbeat_request_sends_op_1() {
    let sim = start(fast()).await;
    let mut raw = RawGateway::hello(&sim).await;
    raw.identify(TOKEN, 1).await;
    raw.until_op(0).await;
    let applied = sim
        .control()
        .fault(&Fault::HeartbeatRequest { shard: Some(0) })
        .await
        .expect("fault");
    assert_eq!(applied.applied, 1);
    raw.until_op(1).await;
    sim.shutdown().await;
}

#[tokio::test]
async fn rest_faults_hit_the_next_matching_requests() {
    let sim = start(fast()).await;
    let control = sim.control();
    let fault = Fault::Rest {
        status: 503,
        count: 2,
        path_prefix: Some("/users".to_owned()),
        retry_after: None,
    };
    assert_eq!(control.fault(&fault).await.expect("fault").applied, 2);
    assert_eq!(
        get(&sim, "/gateway/bot").await.status().as_u16(),
        200,
        "other prefix"
    );
    assert_eq!(get(&sim, "/users/@me").await.status().as_u16(), 503);
    assert_eq!(get(&sim, "/users/@me").await.status().as_u16(), 503);
    assert_eq!(get(&sim, "/users/@me").await.status().as_u16(), 200);

    let limited = Fault::Rest {
        status: 429,
        count: 1,
        path_prefix: None,
        retry_after: Some(2.5),
    };
    control.fault(&limited).await.expect("fault");
    let resp = get(&sim, "/users/@me").await;
    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(resp.headers()["retry-after"], "3");
    assert_eq!(resp.headers()["x-ratelimit-scope"], "user");
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["retry_after"], 2.5);

    control
        .fault(&Fault::RestDelay { ms: 300, count: 1 })
        .await
        .expect("fault");
    let begin = Instant::now();
    assert_eq!(get(&sim, "/users/@me").await.status().as_u16(), 200);
    assert!(begin.elapsed() >= Duration::from_millis(300));

    let log = control.requests().await.expect("log");
    let statuses: Vec<u16> = log.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 503, 503, 200, 429, 200]);
    assert_eq!(log[1].path, "/api/v10/users/@me");
    assert_eq!(log[1].method, "GET");
    // Injected faults are not the client's fault.
    let state = control.state().await.expect("state");
    assert!(state.violations.is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn too_many_guilds_per_shard_closes_4011_and_bad_intents_4013() {
    let sim = start(fast().guilds(5).max_guilds_per_shard(4)).await;
    let mut raw = RawGateway::hello(&sim).await;
    raw.identify(TOKEN, 1).await;
    assert_eq!(raw.close_code().await, Some(4011));
    let mut raw = RawGateway::hello(&sim).await;
    raw.identify(TOKEN, 1 << 40).await;
    assert_eq!(raw.close_code().await, Some(4013));
    let counts = sim.control().state().await.expect("state").violation_counts;
    assert_eq!(
        (counts["sharding_required"], counts["invalid_intents"]),
        (1, 1)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn guild_members_request_gets_a_chunk() {
    let sim = start(fast().members_per_guild(8)).await;
    let guild = sim.control().state().await.expect("state").guilds[0]
        .id
        .clone();
    let mut raw = RawGateway::hello(&sim).await;
    raw.identify(TOKEN, 1 | 2).await;
    for _ in 0..3 {
        raw.until_op(0).await;
    }
    raw.send(&serde_json::json!({"op": 8, "d": {"guild_id": guild, "query": "", "limit": 0, "nonce": "n1"}}))
        .await;
    let chunk = raw.until_op(0).await;
    assert_eq!(chunk["t"], "GUILD_MEMBERS_CHUNK");
    assert_eq!(chunk["d"]["members"].as_array().map(Vec::len), Some(8));
    assert_eq!(chunk["d"]["nonce"], "n1");
    sim.shutdown().await;
}

/// `GUILDS | GUILD_MESSAGES`.
const GUILDS_AND_MESSAGES: u64 = 1 | 1 << 9;

/// Op 9 ends the connection's session there and then: the connection is unauthenticated, so
/// a RESUME (what discord.js sends after op 9 `true`) or an IDENTIFY (after `false`) on the
/// same socket is accepted, not closed with 4005.
#[tokio::test]
async fn op9_leaves_the_connection_open_for_resume_or_identify() {
    let sim = start(fast().identify_window(Duration::ZERO)).await;
    let control = sim.control();
    let mut raw = RawGateway::hello(&sim).await;
    raw.identify(TOKEN, GUILDS_AND_MESSAGES).await;
    let ready = raw.until_op(0).await;
    assert_eq!(ready["t"], "READY");
    let session_id = ready["d"]["session_id"].clone();
    let mut seq = ready["s"].as_u64().expect("seq");
    for _ in 0..2 {
        seq = raw.until_op(0).await["s"].as_u64().expect("seq");
    }
    let op9 = Fault::InvalidSession {
        resumable: true,
        shard: None,
    };
    assert_eq!(control.fault(&op9).await.expect("fault").applied, 1);
    assert_eq!(raw.until_op(9).await["d"], true);
    // Events while the session waits for its RESUME are replayed by it.
    let channel = control.state().await.expect("state").guilds[0].channels[0].clone();
    control
        .post_message(&channel, "while away", None)
        .await
        .expect("post");
    raw.send(
        &serde_json::json!({"op": 6, "d": {"token": TOKEN, "session_id": session_id, "seq": seq}}),
    )
    .await;
    let replayed = raw.until_op(0).await;
    assert_eq!(
        (replayed["t"].as_str(), replayed["s"].as_u64()),
        (Some("MESSAGE_CREATE"), Some(seq + 1))
    );
    assert_eq!(raw.until_op(0).await["t"], "RESUMED");

    let op9 = Fault::InvalidSession {
        resumable: false,
        shard: None,
    };
    assert_eq!(control.fault(&op9).await.expect("fault").applied, 1);
    assert_eq!(raw.until_op(9).await["d"], false);
    raw.identify(TOKEN, GUILDS_AND_MESSAGES).await;
    let ready = raw.until_op(0).await;
    assert_eq!(ready["t"], "READY");
    assert_ne!(ready["d"]["session_id"], session_id);
    let state = control.state().await.expect("state");
    assert_eq!((state.identifies, state.resumes), (2, 1));
    assert!(state.violations.is_empty(), "{:?}", state.violations);
    sim.shutdown().await;
}
