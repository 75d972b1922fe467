//! Discord's rules, each firing with Discord's outcome and recorded in the violations report;
//! `lenient` only counts them; a well-behaved twilight client breaks none.

mod common;

use std::time::Duration;

use common::{RawGateway, Seen, SeqCheck, TOKEN, connect, drive, fast, http, shard, start, within};
use novera_sim::{Fault, SimHandle};
use serde_json::{Value, json};
use twilight_gateway::{CloseFrame, Event};
use twilight_model::http::interaction::{InteractionResponse, InteractionResponseType};

const INTENTS: u64 = 1 | (1 << 9);

async fn count(sim: &SimHandle, rule: &str) -> u64 {
    sim.control().state().await.expect("state").violation_counts[rule]
}

async fn closes_with(sim: &SimHandle, raw: &mut RawGateway, code: u16, rule: &str) {
    assert_eq!(raw.close_code().await, Some(code));
    assert_eq!(count(sim, rule).await, 1, "violation `{rule}` recorded");
}

#[tokio::test]
async fn payload_before_identify_closes_4003_but_heartbeat_is_fine() {
    let sim = start(fast()).await;
    let mut raw = RawGateway::hello(&sim).await;
    raw.send(&json!({"op": 1, "d": null})).await;
    assert_eq!(raw.payload().await["op"], 11);
    raw.send(
        &json!({"op": 3, "d": {"since": null, "activities": [], "status": "online", "afk": false}}),
    )
    .await;
    closes_with(&sim, &mut raw, 4003, "not_authenticated").await;
    sim.shutdown().await;
}

#[tokio::test]
async fn second_identify_closes_4005() {
    let sim = start(fast()).await;
    let mut raw = RawGateway::hello(&sim).await;
    raw.identify(TOKEN, INTENTS).await;
    raw.until_op(0).await;
    raw.identify(TOKEN, INTENTS).await;
    closes_with(&sim, &mut raw, 4005, "already_authenticated").await;
    sim.shutdown().await;
}

#[tokio::test]
async fn oversized_or_invalid_payload_closes_4002() {
    let sim = start(fast()).await;
    let mut raw = RawGateway::hello(&sim).await;
    raw.send(&json!({"op": 1, "d": null, "pad": "x".repeat(5000)}))
        .await;
    closes_with(&sim, &mut raw, 4002, "decode_error").await;
    let mut raw = RawGateway::hello(&sim).await;
    raw.send_text("{not json").await;
    assert_eq!(raw.close_code().await, Some(4002));
    assert_eq!(count(&sim, "decode_error").await, 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn unknown_opcode_closes_4001() {
    let sim = start(fast()).await;
    let mut raw = RawGateway::hello(&sim).await;
    raw.send(&json!({"op": 99, "d": null})).await;
    closes_with(&sim, &mut raw, 4001, "unknown_opcode").await;
    sim.shutdown().await;
}

#[tokio::test]
async fn too_many_payloads_close_4008() {
    let sim = start(fast().gateway_rate_limit(5)).await;
    let mut raw = RawGateway::hello(&sim).await;
    for _ in 0..6 {
        raw.send(&json!({"op": 1, "d": null})).await;
    }
    closes_with(&sim, &mut raw, 4008, "gateway_rate").await;
    sim.shutdown().await;
}

#[tokio::test]
async fn missing_heartbeats_close_but_the_session_resumes() {
    let sim = start(
        fast()
            .heartbeat_interval(Duration::from_millis(100))
            .heartbeat_tolerance(Duration::from_millis(50)),
    )
    .await;
    let mut raw = RawGateway::hello(&sim).await;
    raw.identify(TOKEN, INTENTS).await;
    let ready = raw.until_op(0).await;
    let session_id = ready["d"]["session_id"]
        .as_str()
        .expect("session")
        .to_owned();
    closes_with(&sim, &mut raw, 4009, "heartbeat_timeout").await;
    let state = sim.control().state().await.expect("state");
    assert!(state.sessions[0].alive && !state.sessions[0].connected);

    let mut raw = RawGateway::hello(&sim).await;
    raw.send(&json!({"op": 6, "d": {"token": TOKEN, "session_id": session_id, "seq": 1}}))
        .await;
    loop {
        let p = raw.until_op(0).await;
        if p["t"] == "RESUMED" {
            break;
        }
        assert_eq!(p["t"], "GUILD_CREATE", "replayed what was missed");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn a_client_that_ignores_op7_is_closed_resumably() {
    let sim = start(fast().reconnect_grace(Duration::from_millis(200))).await;
    let mut raw = RawGateway::hello(&sim).await;
    raw.identify(TOKEN, INTENTS).await;
    let ready = raw.until_op(0).await;
    let session_id = ready["d"]["session_id"]
        .as_str()
        .expect("session")
        .to_owned();
    sim.control()
        .fault(&Fault::Reconnect { shard: None })
        .await
        .expect("fault");
    raw.until_op(7).await;
    // The client stays: after the grace the simulator closes with 4000.
    let closed = loop {
        match raw.next().await {
            Seen::Closed(code) => break code,
            Seen::Payload(p) => assert_ne!(p["op"], 7, "op 7 is sent once"),
        }
    };
    assert_eq!(closed, Some(4000));
    let state = sim.control().state().await.expect("state");
    assert!(state.sessions[0].alive && !state.sessions[0].connected);
    assert!(state.violations.is_empty(), "{:?}", state.violations);

    let mut raw = RawGateway::hello(&sim).await;
    raw.send(&json!({"op": 6, "d": {"token": TOKEN, "session_id": session_id, "seq": 1}}))
        .await;
    loop {
        let p = raw.until_op(0).await;
        if p["t"] == "RESUMED" {
            break;
        }
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn privileged_intents_close_4014_when_denied() {
    let sim = start(fast().deny_privileged_intents(true)).await;
    let mut raw = RawGateway::hello(&sim).await;
    raw.identify(TOKEN, INTENTS | (1 << 15)).await;
    closes_with(&sim, &mut raw, 4014, "disallowed_intents").await;
    sim.shutdown().await;
}

#[tokio::test]
async fn invalid_shard_closes_4010() {
    let sim = start(fast()).await;
    let mut raw = RawGateway::hello(&sim).await;
    raw.send(&json!({"op": 2, "d": {"token": TOKEN, "intents": INTENTS, "properties": {}, "shard": [2, 2]}})).await;
    closes_with(&sim, &mut raw, 4010, "invalid_shard").await;
    sim.shutdown().await;
}

#[tokio::test]
async fn large_threshold_out_of_range_closes_4001() {
    let sim = start(fast()).await;
    let mut raw = RawGateway::hello(&sim).await;
    raw.send(&json!({"op": 2, "d": {"token": TOKEN, "intents": INTENTS, "properties": {}, "large_threshold": 10}})).await;
    closes_with(&sim, &mut raw, 4001, "large_threshold").await;
    sim.shutdown().await;
}

async fn rest_status(sim: &SimHandle, path: &str) -> u16 {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    client
        .get(format!("{}/api/v10{path}", sim.base_url()))
        .header("Authorization", format!("Bot {TOKEN}"))
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

#[tokio::test]
async fn identify_budget_exhaustion_invalidates_the_token() {
    let sim = start(fast().session_start_limit(2)).await;
    for _ in 0..2 {
        let mut raw = RawGateway::hello(&sim).await;
        raw.identify(TOKEN, INTENTS).await;
        assert_eq!(raw.until_op(0).await["t"], "READY");
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    let mut raw = RawGateway::hello(&sim).await;
    raw.identify(TOKEN, INTENTS).await;
    let invalid = raw.until_op(9).await;
    assert_eq!(invalid["d"], false);
    assert_eq!(count(&sim, "identify_budget").await, 1);
    assert_eq!(rest_status(&sim, "/users/@me").await, 401);
    let mut raw = RawGateway::hello(&sim).await;
    raw.identify(TOKEN, INTENTS).await;
    assert_eq!(raw.close_code().await, Some(4004));
    let state = sim.control().state().await.expect("state");
    assert!(state.token_invalidated);
    assert_eq!(state.identify_budget.remaining, 0);
    assert!(state.sessions.iter().all(|s| !s.alive));

    sim.control().reset().await.expect("reset");
    assert_eq!(rest_status(&sim, "/users/@me").await, 200);
    let mut raw = RawGateway::hello(&sim).await;
    raw.identify(TOKEN, INTENTS).await;
    assert_eq!(raw.until_op(0).await["t"], "READY");
    sim.shutdown().await;
}

#[tokio::test]
async fn identify_concurrency_allows_one_per_bucket_per_window() {
    let sim = start(fast().identify_window(Duration::from_secs(5)).shards(2)).await;
    let identify = |shard: u32| json!({"op": 2, "d": {"token": TOKEN, "intents": INTENTS, "properties": {}, "shard": [shard, 2]}});
    let mut first = RawGateway::hello(&sim).await;
    first.send(&identify(0)).await;
    assert_eq!(first.until_op(0).await["t"], "READY");
    let mut second = RawGateway::hello(&sim).await;
    second.send(&identify(1)).await;
    assert_eq!(second.until_op(9).await["d"], false);
    assert_eq!(count(&sim, "identify_concurrency").await, 1);
    sim.shutdown().await;

    // With max_concurrency 2, shards 0 and 1 are in different buckets.
    let sim = start(
        fast()
            .identify_window(Duration::from_secs(5))
            .shards(2)
            .max_concurrency(2),
    )
    .await;
    for shard in 0..2 {
        let mut raw = RawGateway::hello(&sim).await;
        raw.send(&identify(shard)).await;
        assert_eq!(raw.until_op(0).await["t"], "READY");
    }
    assert_eq!(count(&sim, "identify_concurrency").await, 0);
    sim.shutdown().await;
}

async fn post(sim: &SimHandle, path: &str, body: Value, auth: bool) -> reqwest::Response {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let mut req = client
        .post(format!("{}/api/v10{path}", sim.base_url()))
        .json(&body);
    if auth {
        req = req.header("Authorization", format!("Bot {TOKEN}"));
    }
    req.send().await.expect("request")
}

#[tokio::test]
async fn bucket_limit_gives_429_and_retrying_early_is_recorded() {
    let sim = start(
        fast()
            .rest_bucket_limit(2)
            .rest_bucket_window(Duration::from_secs(30)),
    )
    .await;
    let channel = sim.control().state().await.expect("state").guilds[0].channels[0].clone();
    let path = format!("/channels/{channel}/messages");
    for remaining in ["1", "0"] {
        let resp = post(&sim, &path, json!({"content": "hi"}), true).await;
        assert_eq!(resp.status().as_u16(), 200);
        assert_eq!(resp.headers()["x-ratelimit-limit"], "2");
        assert_eq!(resp.headers()["x-ratelimit-remaining"], remaining);
    }
    let resp = post(&sim, &path, json!({"content": "hi"}), true).await;
    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(resp.headers()["x-ratelimit-scope"], "user");
    assert!(resp.headers().contains_key("retry-after"));
    assert!(!resp.headers().contains_key("x-ratelimit-global"));
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["global"], false);
    assert!(body["retry_after"].as_f64().is_some_and(|s| s > 0.0));
    assert_eq!(count(&sim, "rest_rate_limit").await, 1);
    let resp = post(&sim, &path, json!({"content": "hi"}), true).await;
    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(count(&sim, "rest_retry_after_ignored").await, 1);
    // Another channel is another bucket.
    let other = sim.control().state().await.expect("state").guilds[0].channels[1].clone();
    let resp = post(
        &sim,
        &format!("/channels/{other}/messages"),
        json!({"content": "hi"}),
        true,
    )
    .await;
    assert_eq!(resp.status().as_u16(), 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn global_limit_gives_global_429_except_for_interactions() {
    let sim = start(
        fast()
            .rest_global_limit(3)
            .rest_bucket_limit(100)
            .rest_global_window(Duration::from_secs(30)),
    )
    .await;
    for _ in 0..3 {
        assert_eq!(rest_status(&sim, "/users/@me").await, 200);
    }
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let resp = client
        .get(format!("{}/api/v10/gateway/bot", sim.base_url()))
        .header("Authorization", format!("Bot {TOKEN}"))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(resp.headers()["x-ratelimit-global"], "true");
    assert_eq!(resp.headers()["x-ratelimit-scope"], "global");
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["global"], true);
    assert_eq!(count(&sim, "rest_global_rate_limit").await, 1);
    let created = sim
        .control()
        .run_command("x", Value::Null, None, None, None)
        .await
        .expect("run");
    let resp = post(
        &sim,
        &format!("/interactions/{}/{}/callback", created.id, created.token),
        json!({"type": 4, "data": {"content": "exempt"}}),
        false,
    )
    .await;
    assert_eq!(resp.status().as_u16(), 204);
    sim.shutdown().await;
}

#[tokio::test]
async fn too_many_invalid_requests_get_banned() {
    let sim = start(fast().invalid_request_limit(3)).await;
    for _ in 0..3 {
        let resp = post(&sim, "/applications/1/commands", json!([]), false).await;
        assert_eq!(resp.status().as_u16(), 401);
    }
    assert_eq!(count(&sim, "rest_invalid_request_ban").await, 1);
    let resp = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(format!("{}/api/v10/users/@me", sim.base_url()))
        .header("Authorization", format!("Bot {TOKEN}"))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body: Value = resp.json().await.expect("a JSON ban, not HTML");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("blocked"))
    );
    assert_eq!(count(&sim, "rest_unauthorized").await, 3);
    sim.shutdown().await;
}

#[tokio::test]
async fn lenient_counts_without_enforcing() {
    let sim = start(
        fast()
            .lenient(true)
            .gateway_rate_limit(3)
            .rest_bucket_limit(1)
            .session_start_limit(1),
    )
    .await;
    let mut raw = RawGateway::hello(&sim).await;
    raw.send(&json!({"op": 3, "d": {}})).await;
    for _ in 0..4 {
        raw.send(&json!({"op": 1, "d": null})).await;
    }
    raw.identify(TOKEN, INTENTS).await;
    let mut acks = 0;
    loop {
        match raw.next().await {
            Seen::Payload(p) if p["op"] == 11 => acks += 1,
            Seen::Payload(p) if p["t"] == "READY" => break,
            Seen::Payload(_) => {}
            Seen::Closed(code) => panic!("lenient simulator closed with {code:?}"),
        }
    }
    assert_eq!(acks, 4);
    let channel = sim.control().state().await.expect("state").guilds[0].channels[0].clone();
    for _ in 0..3 {
        let resp = post(
            &sim,
            &format!("/channels/{channel}/messages"),
            json!({"content": "x"}),
            true,
        )
        .await;
        assert_eq!(resp.status().as_u16(), 200);
    }
    let mut again = RawGateway::hello(&sim).await;
    again.identify(TOKEN, INTENTS).await;
    assert_eq!(
        again.until_op(0).await["t"],
        "READY",
        "budget exhausted but lenient"
    );
    let state = sim.control().state().await.expect("state");
    assert!(state.lenient);
    assert_eq!(state.violation_counts["not_authenticated"], 1);
    assert!(state.violation_counts["gateway_rate"] >= 1);
    assert_eq!(state.violation_counts["rest_rate_limit"], 2);
    assert_eq!(state.violation_counts["identify_budget"], 1);
    assert!(!state.token_invalidated);
    sim.shutdown().await;
}

#[tokio::test]
async fn well_behaved_twilight_client_breaks_no_rule() {
    let sim = start(fast()).await;
    let control = sim.control();
    let http = http(&sim);
    let app = within("app", http.current_user_application())
        .await
        .expect("app")
        .model()
        .await
        .expect("model");
    let command = twilight_util::builder::command::CommandBuilder::new(
        "ping",
        "Replies pong",
        twilight_model::application::command::CommandType::ChatInput,
    )
    .build();
    within(
        "commands",
        http.interaction(app.id).set_global_commands(&[command]),
    )
    .await
    .expect("commands");
    within("gateway", http.gateway().authed())
        .await
        .expect("gateway/bot");

    let mut shard = shard(&sim, TOKEN, 0, 1);
    let mut check = SeqCheck::default();
    connect(&mut shard, &mut check, 2).await;
    let channel: u64 = control.state().await.expect("state").guilds[0].channels[0]
        .parse()
        .expect("id");

    control
        .post_message(channel, "hello", None)
        .await
        .expect("post");
    drive(&mut shard, &mut check, |e| {
        matches!(e, Event::MessageCreate(_))
    })
    .await;
    within(
        "reply",
        http.create_message(twilight_model::id::Id::new(channel))
            .content("hi there"),
    )
    .await
    .expect("reply");

    control
        .run_command("ping", Value::Null, None, None, None)
        .await
        .expect("run");
    let mut interaction = None;
    drive(&mut shard, &mut check, |e| {
        if let Event::InteractionCreate(i) = e {
            interaction = Some(i.0.clone());
        }
        interaction.is_some()
    })
    .await;
    let interaction = interaction.expect("interaction");
    let response = InteractionResponse {
        kind: InteractionResponseType::DeferredChannelMessageWithSource,
        data: None,
    };
    within(
        "defer",
        http.interaction(app.id)
            .create_response(interaction.id, &interaction.token, &response),
    )
    .await
    .expect("defer");
    within(
        "edit",
        http.interaction(app.id)
            .update_response(&interaction.token)
            .content(Some("pong")),
    )
    .await
    .expect("edit");

    // A heartbeat acknowledged: the client heartbeats on time.
    drive(&mut shard, &mut check, |e| {
        matches!(e, Event::GatewayHeartbeatAck)
    })
    .await;
    control
        .fault(&Fault::Reconnect { shard: None })
        .await
        .expect("fault");
    drive(&mut shard, &mut check, |e| matches!(e, Event::Resumed)).await;
    shard.close(CloseFrame::RESUME);
    drive(&mut shard, &mut check, |e| {
        matches!(e, Event::GatewayClose(_))
    })
    .await;

    let state = control.state().await.expect("state");
    assert!(
        state.violations.is_empty(),
        "violations: {:?}",
        state.violations
    );
    assert!(state.violation_counts.values().all(|&n| n == 0));
    assert!(state.sessions[0].heartbeats > 0);
    sim.shutdown().await;
}
