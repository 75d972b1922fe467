//! The endpoint's routes through `tower::ServiceExt::oneshot`: every kind of bad request is
//! refused before the sink sees it, PING is answered, and an interaction's HTTP answer is what
//! the sink sent (or the endpoint's own deferral, or nothing).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use ed25519_dalek::{Signer, SigningKey};
use novera_interactions::{
    Delivery, EndpointSettings, PublicKey, SIGNATURE_HEADER, TIMESTAMP_HEADER, router,
};
use serde_json::{Value, json};
use tower::ServiceExt as _;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};

fn signing_key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

fn settings() -> EndpointSettings {
    let key = PublicKey::from_hex(&hex::encode(signing_key().verifying_key().as_bytes()))
        .expect("a valid key");
    EndpointSettings::new(([127, 0, 0, 1], 0).into(), key)
        .with_body_limit(4096)
        .with_answer_within(Duration::from_millis(2500))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is past 1970")
        .as_secs()
}

/// A request signed by `key` over `timestamp` and `body`.
fn signed_with(key: &SigningKey, timestamp: u64, body: &[u8]) -> Request<Body> {
    let timestamp = timestamp.to_string();
    let mut message = timestamp.as_bytes().to_vec();
    message.extend_from_slice(body);
    Request::post("/interactions")
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, hex::encode(key.sign(&message).to_bytes()))
        .header(TIMESTAMP_HEADER, timestamp)
        .body(Body::from(body.to_vec()))
        .expect("a request")
}

fn signed(body: &[u8]) -> Request<Body> {
    signed_with(&signing_key(), now(), body)
}

fn ping() -> Vec<u8> {
    json!({"application_id": "1", "id": "2", "token": "t", "type": 1, "version": 1})
        .to_string()
        .into_bytes()
}

/// A slash command as Discord sends it (`kind` 2), or a click (`kind` 3).
fn interaction(kind: u8) -> Vec<u8> {
    let data = if kind == 3 {
        json!({"custom_id": "poll:vote:1", "component_type": 2})
    } else {
        json!({"id": "5", "name": "ping", "type": 1})
    };
    json!({
        "application_id": "1",
        "attachment_size_limit": 8_388_608,
        "authorizing_integration_owners": {},
        "channel_id": "3",
        "data": data,
        "entitlements": [],
        "guild_id": "4",
        "id": "6",
        "locale": "en-US",
        "member": {
            "deaf": false, "mute": false, "joined_at": "2024-01-01T00:00:00.000000+00:00",
            "roles": [], "flags": 0, "permissions": "0",
            "user": {"id": "7", "username": "user0", "discriminator": "0", "avatar": null}
        },
        "token": "interaction-token",
        "type": kind,
        "version": 1,
    })
    .to_string()
    .into_bytes()
}

/// Reads a response: status and JSON body (`Value::Null` when empty).
async fn read(response: axum::response::Response) -> (StatusCode, Value) {
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("a body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("a JSON body")
    };
    (status, body)
}

/// A sink that records what it got and answers with `answer`.
fn recording_sink(
    answer: impl Fn(Delivery) + Send + Sync + 'static,
) -> (Arc<Mutex<Vec<u64>>>, axum::Router) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let sink = Arc::new(move |delivery: Delivery| {
        record
            .lock()
            .expect("not poisoned")
            .push(delivery.interaction.id.get());
        answer(delivery);
    });
    (seen, router(&settings(), sink))
}

fn text(content: &str) -> InteractionResponse {
    InteractionResponse {
        kind: InteractionResponseType::ChannelMessageWithSource,
        data: Some(InteractionResponseData {
            content: Some(content.to_owned()),
            ..InteractionResponseData::default()
        }),
    }
}

#[tokio::test]
async fn a_signed_ping_is_answered_with_a_pong() {
    let (seen, app) = recording_sink(|_| panic!("a PING never reaches the sink"));
    let (status, body) = read(app.oneshot(signed(&ping())).await.expect("infallible")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["type"], 1);
    assert!(seen.lock().expect("not poisoned").is_empty());
}

#[tokio::test]
async fn bad_missing_foreign_and_stale_signatures_are_refused_with_401() {
    let body = interaction(2);
    let key = signing_key();
    let mut other_bytes = body.clone();
    other_bytes.push(b' ');
    let mut bad = signed(&other_bytes);
    *bad.body_mut() = Body::from(body.clone());
    let missing = Request::post("/interactions")
        .body(Body::from(body.clone()))
        .expect("a request");
    let mut no_timestamp = signed(&body);
    no_timestamp.headers_mut().remove(TIMESTAMP_HEADER);
    let mut not_hex = signed(&body);
    not_hex
        .headers_mut()
        .insert(SIGNATURE_HEADER, "zz".parse().expect("a header value"));
    let cases = [
        ("bad", bad),
        ("missing", missing),
        ("no timestamp", no_timestamp),
        ("not hex", not_hex),
        (
            "wrong key",
            signed_with(&SigningKey::from_bytes(&[1; 32]), now(), &body),
        ),
        ("an hour old", signed_with(&key, now() - 3600, &body)),
        ("a minute ahead", signed_with(&key, now() + 60, &body)),
    ];
    let (seen, app) = recording_sink(|_| panic!("a refused request never reaches the sink"));
    for (what, request) in cases {
        let (status, answer) = read(app.clone().oneshot(request).await.expect("infallible")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {answer}");
        assert!(answer["message"].is_string(), "{what}: {answer}");
    }
    assert!(seen.lock().expect("not poisoned").is_empty());
}

#[tokio::test]
async fn a_replayed_request_is_refused() {
    let body = interaction(2);
    let timestamp = now();
    let (seen, app) = recording_sink(|delivery| {
        let _ = delivery.answer.send(text("hi"));
    });
    let first = signed_with(&signing_key(), timestamp, &body);
    let (status, _) = read(app.clone().oneshot(first).await.expect("infallible")).await;
    assert_eq!(status, StatusCode::OK);
    let again = signed_with(&signing_key(), timestamp, &body);
    let (status, answer) = read(app.oneshot(again).await.expect("infallible")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer["message"], "request already served");
    assert_eq!(
        seen.lock().expect("not poisoned").len(),
        1,
        "delivered once"
    );
}

#[tokio::test]
async fn oversized_and_malformed_bodies_are_refused_and_only_post_is_routed() {
    let (seen, app) = recording_sink(|_| panic!("nothing reaches the sink"));
    let big = vec![b' '; 5000];
    let (status, _) = read(app.clone().oneshot(signed(&big)).await.expect("infallible")).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    let (status, _) = read(
        app.clone()
            .oneshot(signed(b"{not json"))
            .await
            .expect("infallible"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Signed and JSON, but not an interaction twilight can read.
    let (status, _) = read(
        app.clone()
            .oneshot(signed(br#"{"type": 2}"#))
            .await
            .expect("infallible"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let get = Request::get("/interactions")
        .body(Body::empty())
        .expect("a request");
    let status = app.clone().oneshot(get).await.expect("infallible").status();
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let elsewhere = Request::post("/other")
        .body(Body::empty())
        .expect("a request");
    let status = app.oneshot(elsewhere).await.expect("infallible").status();
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(seen.lock().expect("not poisoned").is_empty());
}

#[tokio::test]
async fn the_initial_response_is_the_http_answer_and_its_writing_is_signalled() {
    let written = Arc::new(Mutex::new(None));
    let keep = Arc::clone(&written);
    let (seen, app) = recording_sink(move |delivery| {
        assert_eq!(delivery.interaction.token, "interaction-token");
        *keep.lock().expect("not poisoned") = Some(delivery.written);
        let _ = delivery.answer.send(text("Pong!"));
    });
    let response = app
        .oneshot(signed(&interaction(2)))
        .await
        .expect("infallible");
    let mut written = written.lock().expect("not poisoned").take().expect("kept");
    assert!(
        matches!(
            written.try_recv(),
            Err(tokio::sync::oneshot::error::TryRecvError::Empty)
        ),
        "not written before the body is"
    );
    assert_eq!(
        response.headers()["content-length"],
        response_len(&text("Pong!")).to_string()
    );
    let (status, body) = read(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"type": 4, "data": {"content": "Pong!"}}));
    assert!(
        matches!(
            written.try_recv(),
            Err(tokio::sync::oneshot::error::TryRecvError::Closed)
        ),
        "signalled once the body is done"
    );
    assert_eq!(*seen.lock().expect("not poisoned"), vec![6]);
}

fn response_len(response: &InteractionResponse) -> usize {
    serde_json::to_vec(response).expect("serializes").len()
}

#[tokio::test(start_paused = true)]
async fn a_late_router_gets_the_endpoints_deferral_and_a_closed_channel() {
    let late = Arc::new(Mutex::new(None));
    let keep = Arc::clone(&late);
    let (_, app) = recording_sink(move |delivery| {
        // Holds the channel past the window, like a router whose worker is blocked.
        *keep.lock().expect("not poisoned") = Some(delivery.answer);
    });
    for (kind, deferral) in [(2, 5), (3, 6)] {
        let started = tokio::time::Instant::now();
        let (status, body) = read(
            app.clone()
                .oneshot(signed(&interaction(kind)))
                .await
                .expect("infallible"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["type"], deferral, "{body}");
        assert_eq!(started.elapsed(), Duration::from_millis(2500));
        let answer = late.lock().expect("not poisoned").take().expect("held");
        assert!(
            answer.send(text("too late")).is_err(),
            "the responder must go over REST now"
        );
    }
}

#[tokio::test]
async fn a_channel_dropped_unsent_is_an_empty_answer() {
    let (_, app) = recording_sink(|delivery| drop(delivery.answer));
    let response = app
        .oneshot(signed(&interaction(2)))
        .await
        .expect("infallible");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, body) = read(response).await;
    assert_eq!(body, Value::Null);
}
