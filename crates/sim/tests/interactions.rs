//! Interaction rules over REST: the 3 s window (10062), single acknowledgement (40060), the
//! token lifetime (50027), `with_response`, and what the simulator records for tests.

mod common;

use std::time::Duration;

use common::{fast, rest, start};
use novera_sim::SimHandle;
use serde_json::{Value, json};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

async fn call(
    sim: &SimHandle,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (status, headers, text) = rest(sim, method, path, body).await;
    // Discord sends Content-Type exactly when there is a body.
    assert_eq!(
        headers
            .get("content-type")
            .is_some_and(|v| v == "application/json"),
        !text.is_empty(),
        "{path} -> {status}"
    );
    (
        status,
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("JSON body")
        },
    )
}

#[tokio::test]
async fn late_first_response_gets_10062() {
    let sim = start(fast().interaction_window(Duration::from_millis(100))).await;
    let control = sim.control();
    let created = control
        .run_command("slow", Value::Null, None, None, None)
        .await
        .expect("run");
    tokio::time::sleep(Duration::from_millis(250)).await;
    let (status, body) = call(
        &sim,
        reqwest::Method::POST,
        &format!("/interactions/{}/{}/callback", created.id, created.token),
        Some(json!({"type": 4, "data": {"content": "too late"}})),
    )
    .await;
    assert_eq!((status, body["code"].as_u64()), (404, Some(10062)));
    let status = control.interaction(&created.id).await.expect("status");
    assert!(!status.responded);
    assert!(status.response_ms.is_some_and(|ms| ms >= 100));
    assert!(
        status
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("10062"))
    );
    let state = control.state().await.expect("state");
    assert_eq!(state.violation_counts["interaction_late"], 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn second_initial_response_gets_40060() {
    let sim = start(fast()).await;
    let control = sim.control();
    let created = control
        .run_command("twice", Value::Null, None, None, None)
        .await
        .expect("run");
    let path = format!("/interactions/{}/{}/callback", created.id, created.token);
    let (status, _) = call(&sim, reqwest::Method::POST, &path, Some(json!({"type": 5}))).await;
    assert_eq!(status, 204);
    let (status, body) = call(
        &sim,
        reqwest::Method::POST,
        &path,
        Some(json!({"type": 4, "data": {"content": "x"}})),
    )
    .await;
    assert_eq!((status, body["code"].as_u64()), (400, Some(40060)));
    let state = control.state().await.expect("state");
    assert_eq!(state.violation_counts["interaction_double_ack"], 1);
    // Deferred: the original is a loading message until edited.
    let app = &state.application_id;
    let (status, msg) = call(
        &sim,
        reqwest::Method::PATCH,
        &format!("/webhooks/{app}/{}/messages/@original", created.token),
        Some(json!({"content": "done", "allowed_mentions": {"parse": []}})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(msg["content"], "done");
    assert_eq!(msg["flags"], 0);
    let status = control.interaction(&created.id).await.expect("status");
    assert_eq!(status.response_type, Some(5));
    assert_eq!(status.content.as_deref(), Some("done"));
    assert_eq!(status.allowed_mentions, Some(json!({"parse": []})));
    assert_eq!(status.bodies.len(), 3);
    sim.shutdown().await;
}

#[tokio::test]
async fn with_response_returns_the_callback_resource() {
    let sim = start(fast()).await;
    let created = sim
        .control()
        .run_command("hi", Value::Null, None, None, None)
        .await
        .expect("run");
    let (status, body) = call(
        &sim,
        reqwest::Method::POST,
        &format!(
            "/interactions/{}/{}/callback?with_response=1",
            created.id, created.token
        ),
        Some(json!({"type": 4, "data": {"content": "hello", "flags": 64}})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["interaction"]["id"], created.id.as_str());
    assert_eq!(body["interaction"]["response_message_ephemeral"], true);
    assert_eq!(body["resource"]["type"], 4);
    assert_eq!(body["resource"]["message"]["content"], "hello");
    // Ephemeral: not in the channel.
    let state = sim.control().state().await.expect("state");
    let messages = sim
        .control()
        .channel_messages(&state.guilds[0].channels[0])
        .await
        .expect("messages");
    assert!(messages.is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn followups_after_token_lifetime_get_50027() {
    let sim = start(fast().interaction_token_lifetime(Duration::from_millis(150))).await;
    let control = sim.control();
    let created = control
        .run_command("later", Value::Null, None, None, None)
        .await
        .expect("run");
    let (status, _) = call(
        &sim,
        reqwest::Method::POST,
        &format!("/interactions/{}/{}/callback", created.id, created.token),
        Some(json!({"type": 4, "data": {"content": "first"}})),
    )
    .await;
    assert_eq!(status, 204);
    let app = control.state().await.expect("state").application_id;
    let followup = format!("/webhooks/{app}/{}", created.token);
    let (status, _) = call(
        &sim,
        reqwest::Method::POST,
        &followup,
        Some(json!({"content": "in time"})),
    )
    .await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, body) = call(
        &sim,
        reqwest::Method::POST,
        &followup,
        Some(json!({"content": "too late"})),
    )
    .await;
    assert_eq!((status, body["code"].as_u64()), (401, Some(50027)));
    let state = control.state().await.expect("state");
    assert_eq!(state.violation_counts["interaction_token_expired"], 1);
    assert_eq!(
        control
            .interaction(&created.id)
            .await
            .expect("status")
            .followups
            .len(),
        1
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn everyone_mentions_are_recorded_unless_suppressed() {
    let sim = start(fast()).await;
    let control = sim.control();
    let state = control.state().await.expect("state");
    let channel = &state.guilds[0].channels[0];
    let path = format!("/channels/{channel}/messages");
    let (status, msg) = call(
        &sim,
        reqwest::Method::POST,
        &path,
        Some(json!({"content": "hey @everyone"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(msg["mention_everyone"], true);
    let (status, msg) = call(
        &sim,
        reqwest::Method::POST,
        &path,
        Some(json!({"content": "hey @everyone", "allowed_mentions": {"parse": []}})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(msg["mention_everyone"], false);
    let state = control.state().await.expect("state");
    assert_eq!(state.violation_counts["mention_everyone"], 1);
    let messages = control.channel_messages(channel).await.expect("messages");
    assert_eq!(messages[0]["allowed_mentions"], Value::Null);
    assert_eq!(messages[1]["allowed_mentions"], json!({"parse": []}));
    sim.shutdown().await;
}

#[tokio::test]
async fn button_click_and_update_message() {
    let sim = start(fast()).await;
    let control = sim.control();
    let state = control.state().await.expect("state");
    let channel = &state.guilds[1].channels[0];
    let (_, msg) = call(
        &sim,
        reqwest::Method::POST,
        &format!("/channels/{channel}/messages"),
        Some(json!({"content": "pick", "components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "Go", "custom_id": "go"}]}]})),
    )
    .await;
    let message_id = msg["id"].as_str().expect("id").to_owned();
    let created = control.click(&message_id, "go", None).await.expect("click");
    let (status, _) = call(
        &sim,
        reqwest::Method::POST,
        &format!("/interactions/{}/{}/callback", created.id, created.token),
        Some(json!({"type": 7, "data": {"content": "picked", "components": []}})),
    )
    .await;
    assert_eq!(status, 204);
    let messages = control.channel_messages(channel).await.expect("messages");
    assert_eq!(messages[0]["content"], "picked");
    let status = control.interaction(&created.id).await.expect("status");
    assert_eq!((status.kind, status.response_type), (3, Some(7)));
    sim.shutdown().await;
}

#[tokio::test]
async fn missing_authorization_and_unknown_routes() {
    let sim = start(fast()).await;
    let resp = client()
        .get(format!("{}/api/v10/users/@me", sim.base_url()))
        .send()
        .await
        .expect("req");
    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(resp.headers()["content-type"], "application/json");
    // Scope comes with 429s only; the bucket headers with every bucketed response.
    assert!(!resp.headers().contains_key("x-ratelimit-scope"));
    assert!(resp.headers().contains_key("x-ratelimit-bucket"));
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["code"], 0);
    let (status, body) = call(&sim, reqwest::Method::GET, "/nope/nothing", None).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (404, Some("404: Not Found"))
    );
    let (status, body) = call(&sim, reqwest::Method::GET, "/gateway/bot", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["url"], sim.gateway_url());
    assert_eq!(body["session_start_limit"]["total"], 1000);
    sim.shutdown().await;
}
