//! Property tests of request bodies (issue 17): whatever JSON (or not JSON) a client sends to
//! the control API or to a REST route that reads a body, the simulator answers with a
//! Discord-style JSON error or a success, never a 5xx or a dropped connection (a panic in a
//! handler drops it). Malformed JSON and a known field of the wrong type are always a 400 with
//! a reason. 500 cases per surface (deterministic seed); the counts are printed.

mod common;

use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use common::json::json_value;
use common::{TOKEN, fast};
use novera_sim::SimHandle;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{Value, json};

const CASES: u32 = 500;

/// The JSON a field accepts.
#[derive(Debug, Clone, Copy)]
enum Kind {
    String,
    /// A snowflake: a string of digits or a non-negative integer.
    Snowflake,
    /// A non-negative integer (of any size the field takes).
    Integer,
    Boolean,
    Array,
    Object,
    Number,
    /// A string of up to 25 characters or an integer.
    Nonce,
}

fn fits(kind: Kind, value: &Value) -> bool {
    match (kind, value) {
        (Kind::String, Value::String(_))
        | (Kind::Boolean, Value::Bool(_))
        | (Kind::Array, Value::Array(_))
        | (Kind::Object, Value::Object(_))
        | (Kind::Number, Value::Number(_)) => true,
        (Kind::Snowflake, Value::String(s)) => s.parse::<u64>().is_ok(),
        (Kind::Snowflake | Kind::Integer, Value::Number(n)) => n.is_u64(),
        (Kind::Nonce, Value::String(s)) => s.chars().count() <= 25,
        (Kind::Nonce, Value::Number(n)) => n.is_i64() || n.is_u64(),
        _ => false,
    }
}

/// A value the field does not accept (never `null`, which optional fields take).
fn wrong(kind: Kind) -> impl Strategy<Value = Value> {
    json_value().prop_filter("a value of the wrong type", move |v| {
        !v.is_null() && !fits(kind, v)
    })
}

/// Bytes that are not one JSON value (cut, trailing garbage, or random).
fn malformed() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (json_value(), any::<prop::sample::Index>()).prop_map(|(v, cut)| {
            let text = v.to_string();
            text.as_bytes()[..cut.index(text.len().max(1))].to_vec()
        }),
        json_value().prop_map(|v| format!("{v} }}x").into_bytes()),
        prop::collection::vec(any::<u8>(), 1..64),
    ]
    .prop_filter("not JSON, not empty", |b| {
        !b.iter().all(u8::is_ascii_whitespace) && serde_json::from_slice::<Value>(b).is_err()
    })
}

/// What a case sends.
#[derive(Debug, Clone)]
enum Body {
    Malformed(Vec<u8>),
    /// The target's valid body with field `field` set to a wrong value.
    WrongType(usize, Value),
    Any(Value),
}

fn body(fields: &'static [(&'static str, Kind)]) -> impl Strategy<Value = Body> {
    let wrong_field = (0..fields.len())
        .prop_flat_map(move |i| wrong(fields[i].1).prop_map(move |v| Body::WrongType(i, v)));
    prop_oneof![
        malformed().prop_map(Body::Malformed),
        wrong_field,
        json_value().prop_map(Body::Any),
    ]
}

/// One place that reads a body: how to reach it, a valid body, and its fields' types.
#[derive(Clone)]
struct Target {
    method: reqwest::Method,
    path: String,
    valid: Value,
    fields: &'static [(&'static str, Kind)],
    /// Wrong types inside an array of one command (`PUT .../commands`).
    in_array: bool,
}

impl Target {
    fn bytes(&self, body: &Body) -> Vec<u8> {
        match body {
            Body::Malformed(bytes) => bytes.clone(),
            Body::Any(value) => value.to_string().into_bytes(),
            Body::WrongType(i, value) => {
                let mut valid = self.valid.clone();
                let object = if self.in_array {
                    &mut valid[0]
                } else {
                    &mut valid
                };
                object[self.fields[*i].0] = value.clone();
                valid.to_string().into_bytes()
            }
        }
    }
}

/// Sends one body; checks the answer by the rules above.
async fn check(
    http: &reqwest::Client,
    sim: &SimHandle,
    target: &Target,
    body: &Body,
) -> Result<(), String> {
    let request = http
        .request(
            target.method.clone(),
            format!("{}{}", sim.base_url(), target.path),
        )
        .header("Authorization", format!("Bot {TOKEN}"))
        .header("Content-Type", "application/json")
        .body(target.bytes(body));
    let response = request
        .send()
        .await
        .map_err(|e| format!("no answer (a panic drops the connection): {e}"))?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| e.to_string())?;
    let what = format!(
        "{} {} {body:?} -> {status} {text}",
        target.method, target.path
    );
    if status >= 500 {
        return Err(format!("server error: {what}"));
    }
    if status >= 400 {
        let error: Value =
            serde_json::from_str(&text).map_err(|_| format!("error body not JSON: {what}"))?;
        let reason = error["message"].as_str().unwrap_or_default();
        if reason.is_empty() || !error["code"].is_u64() {
            return Err(format!("error without code and message: {what}"));
        }
    }
    if matches!(body, Body::Malformed(_) | Body::WrongType(..)) && status != 400 {
        return Err(format!("expected 400: {what}"));
    }
    Ok(())
}

fn runner() -> TestRunner {
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

fn report(surface: &str, tried: &AtomicU64) {
    let _ = writeln!(
        std::io::stderr(),
        "{surface} fuzz: {CASES} cases, {} bodies tried",
        tried.load(Ordering::Relaxed)
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(common::WAIT)
        .build()
        .expect("client")
}

const MESSAGE: &[(&str, Kind)] = &[
    ("content", Kind::String),
    ("embeds", Kind::Array),
    ("components", Kind::Array),
    ("flags", Kind::Integer),
    ("tts", Kind::Boolean),
    ("nonce", Kind::Nonce),
    ("enforce_nonce", Kind::Boolean),
    ("allowed_mentions", Kind::Object),
    ("message_reference", Kind::Object),
];
const COMMAND: &[(&str, Kind)] = &[
    ("name", Kind::String),
    ("description", Kind::String),
    ("type", Kind::Integer),
    ("options", Kind::Array),
    ("nsfw", Kind::Boolean),
    ("dm_permission", Kind::Boolean),
    ("default_member_permissions", Kind::String),
    ("name_localizations", Kind::Object),
    ("contexts", Kind::Array),
    ("integration_types", Kind::Array),
];
const CALLBACK: &[(&str, Kind)] = &[("type", Kind::Integer), ("data", Kind::Object)];

fn valid_message() -> Value {
    json!({
        "content": "fuzz", "embeds": [], "components": [], "flags": 0, "tts": false,
        "nonce": "n", "enforce_nonce": false, "allowed_mentions": {"parse": []},
        "message_reference": {"message_id": "1"},
    })
}

fn valid_command() -> Value {
    json!({
        "name": "fuzz", "description": "a command", "type": 1, "options": [], "nsfw": false,
        "dm_permission": true, "default_member_permissions": "0", "name_localizations": {},
        "contexts": [0], "integration_types": [0],
    })
}

#[test]
fn rest_bodies_500_cases_never_5xx_and_bad_ones_are_400() {
    let runtime = runtime();
    let http = http();
    let (sim, channel, message, app, guild) = runtime.block_on(async {
        let sim = fast()
            .rest_bucket_limit(1_000_000)
            .rest_global_limit(1_000_000)
            .invalid_request_limit(1_000_000)
            .start()
            .await
            .expect("simulator");
        let state = sim.control().state().await.expect("state");
        let channel = state.guilds[0].channels[0].clone();
        let (_, _, created) = common::rest(
            &sim,
            reqwest::Method::POST,
            &format!("/channels/{channel}/messages"),
            Some(json!({"content": "to edit"})),
        )
        .await;
        let message: Value = serde_json::from_str(&created).expect("message");
        let message = message["id"].as_str().expect("id").to_owned();
        (
            sim,
            channel,
            message,
            state.application_id,
            state.guilds[0].id.clone(),
        )
    });
    let targets = [
        Target {
            method: reqwest::Method::POST,
            path: format!("/api/v10/channels/{channel}/messages"),
            valid: valid_message(),
            fields: MESSAGE,
            in_array: false,
        },
        Target {
            method: reqwest::Method::PATCH,
            path: format!("/api/v10/channels/{channel}/messages/{message}"),
            valid: valid_message(),
            fields: MESSAGE,
            in_array: false,
        },
        Target {
            method: reqwest::Method::PUT,
            path: format!("/api/v10/applications/{app}/guilds/{guild}/commands"),
            valid: json!([valid_command()]),
            fields: COMMAND,
            in_array: true,
        },
        Target {
            method: reqwest::Method::POST,
            path: format!("/api/v10/applications/{app}/commands"),
            valid: valid_command(),
            fields: COMMAND,
            in_array: false,
        },
    ];
    let tried = AtomicU64::new(0);
    let strategy = prop_oneof![
        (0..2_usize, body(MESSAGE)),
        (2..4_usize, body(COMMAND)),
        body(CALLBACK).prop_map(|b| (usize::MAX, b)),
        body(MESSAGE).prop_map(|b| (usize::MAX - 1, b)),
    ];
    let result = runner().run(&strategy, |(index, body)| {
        tried.fetch_add(1, Ordering::Relaxed);
        runtime
            .block_on(async {
                let target = match index {
                    usize::MAX => callback_target(&sim).await,
                    i if i == usize::MAX - 1 => followup_target(&sim, &app).await,
                    i => targets[i].clone(),
                };
                check(&http, &sim, &target, &body).await
            })
            .map_err(TestCaseError::fail)
    });
    report("REST body", &tried);
    if let Err(failure) = result {
        panic!("{failure}");
    }
    runtime.block_on(sim.shutdown());
}

/// The callback of a fresh interaction (each can be answered once).
async fn callback_target(sim: &SimHandle) -> Target {
    let created = sim
        .control()
        .run_command("fuzz", Value::Null, None, None, None)
        .await
        .expect("interaction");
    Target {
        method: reqwest::Method::POST,
        path: format!(
            "/api/v10/interactions/{}/{}/callback",
            created.id, created.token
        ),
        valid: json!({"type": 4, "data": {"content": "fuzz"}}),
        fields: CALLBACK,
        in_array: false,
    }
}

/// A follow-up of a fresh, deferred interaction.
async fn followup_target(sim: &SimHandle, app: &str) -> Target {
    let created = sim
        .control()
        .run_command("fuzz", Value::Null, None, None, None)
        .await
        .expect("interaction");
    let (status, _, _) = common::rest(
        sim,
        reqwest::Method::POST,
        &format!("/interactions/{}/{}/callback", created.id, created.token),
        Some(json!({"type": 5})),
    )
    .await;
    assert_eq!(status, 204);
    Target {
        method: reqwest::Method::POST,
        path: format!("/api/v10/webhooks/{app}/{}", created.token),
        valid: valid_message(),
        fields: MESSAGE,
        in_array: false,
    }
}

const POST_MESSAGE: &[(&str, Kind)] = &[
    ("channel_id", Kind::Snowflake),
    ("content", Kind::String),
    ("author_id", Kind::Snowflake),
    ("embeds", Kind::Array),
    ("nonce", Kind::Nonce),
];
const RUN_COMMAND: &[(&str, Kind)] = &[
    ("name", Kind::String),
    ("options", Kind::Array),
    ("guild_id", Kind::Snowflake),
    ("channel_id", Kind::Snowflake),
    ("user_id", Kind::Snowflake),
    ("type", Kind::Integer),
];
const CLICK: &[(&str, Kind)] = &[
    ("message_id", Kind::Snowflake),
    ("custom_id", Kind::String),
    ("user_id", Kind::Snowflake),
];
const MODAL: &[(&str, Kind)] = &[
    ("interaction_id", Kind::Snowflake),
    ("values", Kind::Object),
    ("user_id", Kind::Snowflake),
];
const FAULT: &[(&str, Kind)] = &[
    ("kind", Kind::String),
    ("status", Kind::Integer),
    ("count", Kind::Integer),
    ("path_prefix", Kind::String),
    ("retry_after", Kind::Number),
];
const LOAD: &[(&str, Kind)] = &[("count", Kind::Integer), ("channel_id", Kind::Snowflake)];
const APPLICATION: &[(&str, Kind)] = &[("interactions_endpoint_url", Kind::String)];
const PROBE: &[(&str, Kind)] = &[("signature", Kind::String), ("stale_secs", Kind::Integer)];

#[test]
fn control_bodies_500_cases_never_5xx_and_bad_ones_are_400() {
    let runtime = runtime();
    let http = http();
    let sim = runtime.block_on(async { fast().start().await.expect("simulator") });
    let state = runtime.block_on(sim.control().state()).expect("state");
    let (channel, user) = (state.guilds[0].channels[0].clone(), state.users[0].clone());
    let target = |path: &str, valid: Value, fields| Target {
        method: reqwest::Method::POST,
        path: format!("/_sim{path}"),
        valid,
        fields,
        in_array: false,
    };
    let targets = [
        target(
            "/messages",
            json!({"channel_id": channel, "content": "hi", "author_id": user, "embeds": [], "nonce": 1}),
            POST_MESSAGE,
        ),
        target(
            "/interactions",
            json!({"name": "fuzz", "options": [], "channel_id": channel, "user_id": user, "type": 2}),
            RUN_COMMAND,
        ),
        target(
            "/components",
            json!({"message_id": "1", "custom_id": "b", "user_id": user}),
            CLICK,
        ),
        target(
            "/modals",
            json!({"interaction_id": "1", "values": {}, "user_id": user}),
            MODAL,
        ),
        target(
            "/faults",
            json!({"kind": "rest", "status": 500, "count": 1, "path_prefix": "/nowhere", "retry_after": 1.0}),
            FAULT,
        ),
        target(
            "/load",
            json!({"kind": "messages", "count": 1, "channel_id": channel}),
            LOAD,
        ),
        target(
            "/application",
            json!({"interactions_endpoint_url": null}),
            APPLICATION,
        ),
        target(
            "/application/probe",
            json!({"signature": "valid", "stale_secs": 5}),
            PROBE,
        ),
    ];
    let tried = AtomicU64::new(0);
    let strategy = prop_oneof![
        body(POST_MESSAGE).prop_map(|b| (0, b)),
        body(RUN_COMMAND).prop_map(|b| (1, b)),
        body(CLICK).prop_map(|b| (2, b)),
        body(MODAL).prop_map(|b| (3, b)),
        body(FAULT).prop_map(|b| (4, b)),
        body(LOAD).prop_map(|b| (5, b)),
        body(APPLICATION).prop_map(|b| (6, b)),
        body(PROBE).prop_map(|b| (7, b)),
    ];
    let result = runner().run(&strategy, |(index, body)| {
        tried.fetch_add(1, Ordering::Relaxed);
        runtime
            .block_on(check(&http, &sim, &targets[index], &body))
            .map_err(TestCaseError::fail)
    });
    report("control body", &tried);
    if let Err(failure) = result {
        panic!("{failure}");
    }
    runtime.block_on(sim.shutdown());
}
