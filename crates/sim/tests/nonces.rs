//! Message nonces (issues 17 and 23): `enforce_nonce` makes a retried send idempotent, and
//! `MESSAGE_CREATE` carries the nonce to every session, the sender's own included.

mod common;

use std::time::Duration;

use common::{RawGateway, TOKEN, fast, rest, start};
use novera_sim::{PostMessage, SimHandle};
use reqwest::Method;
use serde_json::{Value, json};

/// The `GUILDS`, `GUILD_MESSAGES` and `MESSAGE_CONTENT` intents.
const INTENTS: u64 = 1 | (1 << 9) | (1 << 15);

async fn send(sim: &SimHandle, channel: &str, body: Value) -> (u16, Value) {
    let (status, _, text) = rest(
        sim,
        Method::POST,
        &format!("/channels/{channel}/messages"),
        Some(body),
    )
    .await;
    (status, serde_json::from_str(&text).expect("JSON body"))
}

/// Reads dispatches until a `MESSAGE_CREATE`.
async fn next_message(raw: &mut RawGateway) -> Value {
    loop {
        let payload = raw.until_op(0).await;
        if payload["t"] == "MESSAGE_CREATE" {
            return payload["d"].clone();
        }
    }
}

#[tokio::test]
async fn enforce_nonce_returns_the_first_message_instead_of_a_second() {
    let sim = start(fast()).await;
    let control = sim.control();
    let channel = control.state().await.expect("state").guilds[0].channels[0].clone();
    let mut raw = RawGateway::hello(&sim).await;
    raw.identify(TOKEN, INTENTS).await;
    raw.until_op(0).await;

    let body = json!({"content": "once", "nonce": "retry-1", "enforce_nonce": true});
    let (status, first) = send(&sim, &channel, body.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(
        first["nonce"], "retry-1",
        "the create response carries the nonce"
    );
    let created = next_message(&mut raw).await;
    assert_eq!(created["id"], first["id"]);
    assert_eq!(
        created["nonce"], "retry-1",
        "MESSAGE_CREATE carries the nonce"
    );
    assert_eq!(created["author"]["id"], first["author"]["id"]);

    // The retry: the same message, and nothing new in the channel or on the gateway.
    let (status, again) = send(&sim, &channel, body).await;
    assert_eq!((status, &again["id"]), (200, &first["id"]));
    assert_eq!(again["nonce"], "retry-1");
    // Without enforce_nonce, or with another nonce, a message is created.
    let (_, plain) = send(
        &sim,
        &channel,
        json!({"content": "twice", "nonce": "retry-1"}),
    )
    .await;
    assert_ne!(plain["id"], first["id"]);
    let next = next_message(&mut raw).await;
    assert_eq!(next["id"], plain["id"], "the retry dispatched nothing");
    let (_, other) = send(
        &sim,
        &channel,
        json!({"content": "other", "nonce": 77, "enforce_nonce": true}),
    )
    .await;
    assert_eq!(other["nonce"], 77);
    assert_ne!(other["id"], first["id"]);

    let listed = control.channel_messages(&channel).await.expect("messages");
    assert_eq!(listed.len(), 3);
    assert_eq!(
        listed[0]["nonce"], "retry-1",
        "the control API shows nonces"
    );
    let (_, fetched, text) = rest(
        &sim,
        Method::GET,
        &format!(
            "/channels/{channel}/messages/{}",
            first["id"].as_str().expect("id")
        ),
        None,
    )
    .await;
    assert_eq!(fetched["content-type"], "application/json");
    let fetched: Value = serde_json::from_str(&text).expect("JSON");
    assert!(
        fetched.get("nonce").is_none(),
        "GET does not return the nonce"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn the_nonce_window_ends_and_then_a_new_message_is_created() {
    let sim = start(fast().nonce_window(Duration::from_millis(100))).await;
    let channel = sim.control().state().await.expect("state").guilds[0].channels[0].clone();
    let body = json!({"content": "x", "nonce": "n", "enforce_nonce": true});
    let (_, first) = send(&sim, &channel, body.clone()).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    let (_, second) = send(&sim, &channel, body).await;
    assert_ne!(first["id"], second["id"]);
    sim.shutdown().await;
}

#[tokio::test]
async fn malformed_nonces_are_refused() {
    let sim = start(fast()).await;
    let channel = sim.control().state().await.expect("state").guilds[0].channels[0].clone();
    for body in [
        json!({"content": "x", "nonce": "n".repeat(26)}),
        json!({"content": "x", "nonce": true}),
        json!({"content": "x", "nonce": 1.5}),
        json!({"content": "x", "nonce": "n", "enforce_nonce": "yes"}),
    ] {
        let (status, error) = send(&sim, &channel, body.clone()).await;
        assert_eq!(
            (status, error["code"].as_u64()),
            (400, Some(50035)),
            "{body}"
        );
        assert!(
            error["errors"].get("nonce").is_some()
                || error["errors"].get("enforce_nonce").is_some()
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn another_instance_posting_as_the_bot_is_seen_with_its_nonce() {
    let sim = start(fast()).await;
    let control = sim.control();
    let state = control.state().await.expect("state");
    let channel = state.guilds[0].channels[0].clone();
    let bot: u64 = state.bot_user_id.parse().expect("id");
    let mut raw = RawGateway::hello(&sim).await;
    raw.identify(TOKEN, INTENTS).await;
    raw.until_op(0).await;
    let message = PostMessage::new(channel.parse().expect("id"), "from elsewhere")
        .author(bot)
        .nonce("other-process-1");
    control.send_message(&message).await.expect("posted");
    let created = next_message(&mut raw).await;
    assert_eq!(created["author"]["id"], state.bot_user_id);
    assert_eq!(created["nonce"], "other-process-1");
    assert_eq!(created["content"], "from elsewhere");
    sim.shutdown().await;
}
