//! The interactions endpoint URL (issue 18): saved after Discord's checks, interactions sent
//! there signed with the application's key, the HTTP answer as the initial response within
//! the window, 40060 for a REST callback after it, and probes with bad signatures.

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use common::{RawGateway, TOKEN, eventually, fast, rest, start};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use novera_sim::{
    CreatedInteraction, EndpointProbe, Ingress, InteractionStatus, ProbeSignature, ResponseVia,
    SimHandle, callback_type,
};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// How the test endpoint answers an interaction that is not a PING.
#[derive(Debug, Clone)]
enum Answer {
    Json(Value),
    Empty,
}

/// What the test endpoint checks and does.
#[derive(Debug, Clone)]
struct Behaviour {
    /// Verify signatures with this key (401 when they do not verify).
    key: Option<VerifyingKey>,
    /// Refuse timestamps older than this many seconds.
    max_age: Option<u64>,
    /// Refuse a signature seen before.
    refuse_replays: bool,
    /// What a PING gets.
    pong: Value,
    answer: Answer,
    delay: Duration,
}

impl Behaviour {
    fn verifying(key: VerifyingKey) -> Self {
        Self {
            key: Some(key),
            max_age: None,
            refuse_replays: false,
            pong: json!({"type": 1}),
            answer: Answer::Json(json!({"type": 4, "data": {"content": "pong"}})),
            delay: Duration::ZERO,
        }
    }
}

/// A request as the endpoint received it.
#[derive(Debug, Clone)]
struct Received {
    timestamp: Option<String>,
    signature: Option<String>,
    body: Bytes,
}

impl Received {
    /// Whether its signature headers verify with `key` over timestamp and body.
    fn signed_by(&self, key: &VerifyingKey) -> bool {
        verifies(
            key,
            self.timestamp.as_deref().unwrap_or_default(),
            self.signature.as_deref().unwrap_or_default(),
            &self.body,
        )
    }
}

struct Endpoint {
    behaviour: Behaviour,
    seen: Mutex<HashSet<String>>,
    received: mpsc::UnboundedSender<Received>,
}

fn unix_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn verifies(key: &VerifyingKey, timestamp: &str, signature: &str, body: &[u8]) -> bool {
    let Ok(bytes) = hex::decode(signature) else {
        return false;
    };
    let Ok(bytes) = <[u8; 64]>::try_from(bytes.as_slice()) else {
        return false;
    };
    let mut message = timestamp.as_bytes().to_vec();
    message.extend_from_slice(body);
    key.verify(&message, &Signature::from_bytes(&bytes)).is_ok()
}

async fn serve_interaction(
    State(endpoint): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (timestamp, signature) = (
        header("x-signature-timestamp"),
        header("x-signature-ed25519"),
    );
    let _ = endpoint.received.send(Received {
        timestamp: timestamp.clone(),
        signature: signature.clone(),
        body: body.clone(),
    });
    let behaviour = &endpoint.behaviour;
    if let Some(key) = &behaviour.key {
        let (Some(timestamp), Some(signature)) = (&timestamp, &signature) else {
            return StatusCode::UNAUTHORIZED.into_response();
        };
        if !verifies(key, timestamp, signature, &body) {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        let age = unix_secs().saturating_sub(timestamp.parse().unwrap_or(0));
        if behaviour.max_age.is_some_and(|max| age > max) {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        let fresh = endpoint
            .seen
            .lock()
            .expect("lock")
            .insert(signature.clone());
        if behaviour.refuse_replays && !fresh {
            return StatusCode::UNAUTHORIZED.into_response();
        }
    }
    let interaction: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if interaction["type"] == 1 {
        return Json(behaviour.pong.clone()).into_response();
    }
    tokio::time::sleep(behaviour.delay).await;
    match &behaviour.answer {
        Answer::Json(answer) => Json(answer.clone()).into_response(),
        Answer::Empty => StatusCode::NO_CONTENT.into_response(),
    }
}

/// Starts a test endpoint on `127.0.0.1:0`; returns its URL and what it receives.
async fn endpoint(behaviour: Behaviour) -> (String, mpsc::UnboundedReceiver<Received>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let state = Arc::new(Endpoint {
        behaviour,
        seen: Mutex::new(HashSet::new()),
        received: tx,
    });
    let app = axum::Router::new()
        .route("/interactions", axum::routing::post(serve_interaction))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://{}/interactions",
        listener.local_addr().expect("addr")
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, rx)
}

async fn verify_key(sim: &SimHandle) -> VerifyingKey {
    let key = sim
        .control()
        .application()
        .await
        .expect("application")
        .verify_key;
    let bytes: [u8; 32] = hex::decode(key).expect("hex").try_into().expect("32 bytes");
    VerifyingKey::from_bytes(&bytes).expect("key")
}

/// A simulator whose application has a verifying endpoint with `adjust`ed behaviour, saved
/// through the control API.
async fn with_endpoint(
    builder: novera_sim::SimulatorBuilder,
    adjust: impl FnOnce(&mut Behaviour),
) -> (SimHandle, mpsc::UnboundedReceiver<Received>) {
    let sim = start(builder).await;
    let mut behaviour = Behaviour::verifying(verify_key(&sim).await);
    adjust(&mut behaviour);
    let (url, received) = endpoint(behaviour).await;
    let saved = sim
        .control()
        .set_interactions_endpoint(Some(&url))
        .await
        .expect("endpoint saved");
    assert_eq!(
        saved.interactions_endpoint_url.as_deref(),
        Some(url.as_str())
    );
    (sim, received)
}

/// A REST callback answering `created` with a message: the status and body.
async fn callback(sim: &SimHandle, created: &CreatedInteraction, content: &str) -> (u16, String) {
    let (status, _, body) = rest(
        sim,
        Method::POST,
        &format!("/interactions/{}/{}/callback", created.id, created.token),
        Some(json!({"type": 4, "data": {"content": content}})),
    )
    .await;
    (status, body)
}

async fn settled(sim: &SimHandle, id: &str) -> InteractionStatus {
    eventually("the endpoint's answer", || async {
        let status = sim.control().interaction(id).await.expect("status");
        (status.responded || status.error.is_some()).then_some(status)
    })
    .await
}

#[tokio::test]
async fn saving_checks_signatures_and_the_pong_then_the_application_shows_both() {
    let (sim, mut received) = with_endpoint(fast(), |_| {}).await;
    // Discord's two checks: a badly signed request first, then a signed PING.
    let first = received.recv().await.expect("first check");
    let second = received.recv().await.expect("second check");
    let key = verify_key(&sim).await;
    let check = |r: &Received| r.signed_by(&key);
    assert!(!check(&first) && check(&second));
    let ping: Value = serde_json::from_slice(&second.body).expect("JSON");
    assert_eq!(ping["type"], 1);
    let (_, _, app) = rest(&sim, Method::GET, "/applications/@me", None).await;
    let app: Value = serde_json::from_str(&app).expect("JSON");
    let control_app = sim.control().application().await.expect("application");
    assert_eq!(app["verify_key"], control_app.verify_key.as_str());
    assert_eq!(
        app["interactions_endpoint_url"].as_str(),
        control_app.interactions_endpoint_url.as_deref()
    );
    let cleared = sim
        .control()
        .set_interactions_endpoint(None)
        .await
        .expect("cleared");
    assert!(cleared.interactions_endpoint_url.is_none());
    sim.shutdown().await;
}

#[tokio::test]
async fn endpoints_that_fail_discords_checks_are_refused() {
    let sim = start(fast()).await;
    let control = sim.control();
    let key = verify_key(&sim).await;
    let careless = Behaviour {
        key: None,
        ..Behaviour::verifying(key)
    };
    let wrong_pong = Behaviour {
        pong: json!({"type": 4}),
        ..Behaviour::verifying(key)
    };
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}/i", listener.local_addr().expect("addr"))
    };
    let cases = [
        (endpoint(careless).await.0, "invalid signature"),
        (endpoint(wrong_pong).await.0, "PING"),
        (closed, "unreachable"),
        ("http://192.0.2.1/i".to_owned(), "loopback"),
        ("https://127.0.0.1/i".to_owned(), "http://"),
    ];
    for (url, reason) in cases {
        let refused = control
            .set_interactions_endpoint(Some(&url))
            .await
            .expect_err("refused");
        let text = refused.to_string();
        assert!(text.contains("400") && text.contains("50035"), "{text}");
        assert!(text.contains(reason), "{url}: {text}");
    }
    let app = control.application().await.expect("application");
    assert!(app.interactions_endpoint_url.is_none());
    sim.shutdown().await;
}

#[tokio::test]
async fn interactions_go_to_the_endpoint_and_its_answer_is_the_response() {
    let (sim, mut received) = with_endpoint(fast(), |_| {}).await;
    let control = sim.control();
    let mut raw = RawGateway::hello(&sim).await;
    raw.identify(TOKEN, 1).await;
    raw.until_op(0).await;
    let seq_before = eventually("READY and the GUILD_CREATEs", || async {
        let state = control.state().await.expect("state");
        state
            .sessions
            .first()
            .map(|s| s.seq)
            .filter(|seq| *seq >= 3)
    })
    .await;
    let created = control
        .run_command("ping", Value::Null, None, None, None)
        .await
        .expect("run");
    let status = settled(&sim, &created.id).await;
    assert!(status.responded, "{status:?}");
    assert_eq!(
        status.response_type,
        Some(callback_type::CHANNEL_MESSAGE_WITH_SOURCE)
    );
    assert_eq!(status.response_via, Some(ResponseVia::Http));
    assert_eq!(status.ingress, Ingress::Http);
    assert!(status.delivered);
    assert_eq!(status.content.as_deref(), Some("pong"));
    // The POST was signed with the application's key over timestamp + body.
    let key = verify_key(&sim).await;
    let post = loop {
        let r = received.recv().await.expect("a request");
        if serde_json::from_slice::<Value>(&r.body).expect("JSON")["id"] == created.id.as_str() {
            break r;
        }
    };
    assert!(post.signed_by(&key));
    // Nothing went over the gateway (the session has GUILDS only: no MESSAGE_CREATE either).
    let state = control.state().await.expect("state");
    assert_eq!(state.sessions[0].seq, seq_before, "no INTERACTION_CREATE");
    // Already answered in the HTTP response: a REST callback is 40060.
    let (status_code, body) = callback(&sim, &created, "again").await;
    let body: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!((status_code, body["code"].as_u64()), (400, Some(40060)));
    let state = control.state().await.expect("state");
    assert_eq!(state.violation_counts["interaction_double_ack"], 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_deferral_over_http_is_completed_over_rest() {
    let (sim, _received) = with_endpoint(fast(), |b| {
        b.answer = Answer::Json(json!({"type": 5}));
    })
    .await;
    let control = sim.control();
    let created = control
        .run_command("slow", Value::Null, None, None, None)
        .await
        .expect("run");
    let status = settled(&sim, &created.id).await;
    assert_eq!(
        status.response_type,
        Some(callback_type::DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE)
    );
    let app = control.state().await.expect("state").application_id;
    let (code, _, _) = rest(
        &sim,
        Method::PATCH,
        &format!("/webhooks/{app}/{}/messages/@original", created.token),
        Some(json!({"content": "done", "allowed_mentions": {"parse": []}})),
    )
    .await;
    assert_eq!(code, 200);
    let status = control.interaction(&created.id).await.expect("status");
    assert_eq!(status.content.as_deref(), Some("done"));
    assert_eq!(status.response_via, Some(ResponseVia::Http));
    sim.shutdown().await;
}

#[tokio::test]
async fn an_answer_after_the_window_is_lost_and_counted() {
    let window = Duration::from_millis(200);
    let (sim, _received) = with_endpoint(fast().interaction_window(window), |b| {
        b.delay = 3 * window;
    })
    .await;
    let created = sim
        .control()
        .run_command("slow", Value::Null, None, None, None)
        .await
        .expect("run");
    let status = settled(&sim, &created.id).await;
    assert!(!status.responded);
    assert!(status.delivered, "the endpoint took the request");
    assert!(
        status
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("10062")),
        "{status:?}"
    );
    let state = sim.control().state().await.expect("state");
    assert_eq!(state.violation_counts["interaction_late"], 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn an_empty_answer_leaves_the_rest_callback_to_answer() {
    let (sim, _received) = with_endpoint(fast(), |b| b.answer = Answer::Empty).await;
    let created = sim
        .control()
        .run_command("ping", Value::Null, None, None, None)
        .await
        .expect("run");
    eventually("the endpoint's empty answer", || async {
        let status = sim
            .control()
            .interaction(&created.id)
            .await
            .expect("status");
        status.delivered.then_some(())
    })
    .await;
    assert_eq!(callback(&sim, &created, "over rest").await.0, 204);
    let status = sim
        .control()
        .interaction(&created.id)
        .await
        .expect("status");
    assert_eq!(status.response_via, Some(ResponseVia::Rest));
    assert_eq!(status.ingress, Ingress::Http);
    sim.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_endpoint_never_delivers() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}/i", listener.local_addr().expect("addr"))
    };
    let sim = start(fast().interactions_endpoint_url(closed)).await;
    let created = sim
        .control()
        .run_command("ping", Value::Null, None, None, None)
        .await
        .expect("run");
    let status = settled(&sim, &created.id).await;
    assert!(!status.delivered && !status.responded);
    assert!(
        status
            .error
            .as_deref()
            .is_some_and(|e| e.contains("unreachable")),
        "{status:?}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_builder_url_the_simulator_may_not_call_stops_the_start() {
    let refused = fast()
        .interactions_endpoint_url("http://192.0.2.1/i")
        .start()
        .await;
    assert!(refused.is_err_and(|e| e.to_string().contains("loopback")));
}

#[tokio::test]
async fn probes_carry_the_signatures_they_name() {
    // A recording endpoint that checks nothing, set from the start (it could not be saved).
    let (url, mut received) = endpoint(Behaviour {
        key: None,
        ..Behaviour::verifying(VerifyingKey::from_bytes(&[0; 32]).expect("key"))
    })
    .await;
    let sim = start(fast().interactions_endpoint_url(url)).await;
    let control = sim.control();
    let key = verify_key(&sim).await;
    let replay = control
        .probe_endpoint(&EndpointProbe::new(ProbeSignature::Replayed))
        .await;
    assert!(
        replay.is_err_and(|e| e.to_string().contains("409")),
        "nothing to replay yet"
    );
    let mut probe = async |signature| {
        let answer = control
            .probe_endpoint(&EndpointProbe::new(signature).stale_secs(600))
            .await
            .expect("probe");
        assert_eq!(answer.status, 200);
        received.recv().await.expect("received")
    };
    let valid = probe(ProbeSignature::Valid).await;
    let check = |r: &Received| r.signed_by(&key);
    assert!(check(&valid));
    assert!(!check(&probe(ProbeSignature::Bad).await));
    assert!(!check(&probe(ProbeSignature::WrongKey).await));
    let missing = probe(ProbeSignature::Missing).await;
    assert!(missing.timestamp.is_none() && missing.signature.is_none());
    let stale = probe(ProbeSignature::Stale).await;
    assert!(check(&stale));
    let age = unix_secs()
        - stale
            .timestamp
            .as_deref()
            .expect("ts")
            .parse::<u64>()
            .expect("secs");
    assert!((599..=610).contains(&age), "{age}");
    let replayed = probe(ProbeSignature::Replayed).await;
    assert_eq!(
        (&replayed.timestamp, &replayed.signature, &replayed.body),
        (&valid.timestamp, &valid.signature, &valid.body)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_verifying_endpoint_refuses_every_bad_probe() {
    let (sim, _received) = with_endpoint(fast(), |b| {
        b.max_age = Some(60);
        b.refuse_replays = true;
    })
    .await;
    let control = sim.control();
    for (signature, expected) in [
        (ProbeSignature::Valid, 200),
        (ProbeSignature::Bad, 401),
        (ProbeSignature::Missing, 401),
        (ProbeSignature::WrongKey, 401),
        (ProbeSignature::Stale, 401),
        (ProbeSignature::Replayed, 401),
    ] {
        let answer = control
            .probe_endpoint(&EndpointProbe::new(signature))
            .await
            .expect("probe");
        assert_eq!(answer.status, expected, "{signature:?}: {}", answer.body);
    }
    sim.shutdown().await;
}
