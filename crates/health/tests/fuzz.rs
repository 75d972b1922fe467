//! Property test of the health router's surface (issue 17): any method on any path (odd
//! Unicode, percent-encoding, dot segments, long paths, query strings) gets an answer, never a
//! panic or a 500; unknown paths a JSON 404, other methods a JSON 405 with `Allow`; every
//! answer `Cache-Control: no-store`; `HEAD` never a body. 4,000 cases with a fixed seed; the
//! count of requests tried (and of those the HTTP layer refuses to build) is printed.

use std::cell::Cell;
use std::io::Write as _;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use novera_core::StatusRegistry;
use novera_health::{HealthState, router};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::Value;
use tower::ServiceExt as _;

const CASES: u32 = 4000;

const KNOWN: [&str; 9] = [
    "/",
    "/healthz",
    "/readyz",
    "/status",
    "/history",
    "/metrics",
    "/status.js",
    "/status.css",
    "/favicon.ico",
];

fn method() -> impl Strategy<Value = Method> {
    let standard = prop::sample::select(vec![
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::TRACE,
        Method::CONNECT,
    ]);
    let custom = "[A-Za-z!#$%&'*+.^_`|~0-9-]{1,20}"
        .prop_filter_map("a method token", |m| Method::from_bytes(m.as_bytes()).ok());
    prop_oneof![3 => standard, 1 => custom]
}

/// Paths near the known ones and far from them.
fn path() -> impl Strategy<Value = String> {
    let known = prop::sample::select(KNOWN.to_vec()).prop_map(str::to_owned);
    let segment = prop_oneof![
        "[a-z0-9._~-]{0,12}",
        Just("..".to_owned()),
        Just("%2e%2e".to_owned()),
        Just("%00".to_owned()),
        Just("%ff%fe".to_owned()),
        any::<String>().prop_map(|s| percent_encode(&s)),
    ];
    let suffix = prop_oneof![
        Just(String::new()),
        Just("/".to_owned()),
        Just("//".to_owned()),
        prop::collection::vec(segment.clone(), 1..4).prop_map(|s| format!("/{}", s.join("/"))),
    ];
    let query = prop_oneof![
        Just(String::new()),
        Just("?since=0".to_owned()),
        Just("?since=-1".to_owned()),
        Just("?since=abc".to_owned()),
        Just("?since=99999999999999999999999".to_owned()),
        "[a-z=&%0-9]{0,30}".prop_map(|q| format!("?{q}")),
    ];
    prop_oneof![
        (known, suffix, query.clone()).prop_map(|(k, s, q)| format!("{k}{s}{q}")),
        (prop::collection::vec(segment, 0..8), query)
            .prop_map(|(s, q)| format!("/{}{q}", s.join("/"))),
        (0_usize..10_000).prop_map(|n| format!("/{}", "a".repeat(n))),
    ]
}

fn percent_encode(text: &str) -> String {
    use std::fmt::Write as _;
    text.bytes().fold(String::new(), |mut out, b| {
        let _ = write!(out, "%{b:02X}");
        out
    })
}

/// One request through the router; `Ok(None)` when the `http` crate refuses to build it (a
/// server would have refused it before routing).
async fn check(app: &Router, method: Method, path: &str) -> Result<Option<()>, TestCaseError> {
    let Ok(request) = Request::builder()
        .method(method.clone())
        .uri(path)
        .body(Body::empty())
    else {
        return Ok(None);
    };
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), 64 * 1024 * 1024)
        .await
        .map_err(|e| TestCaseError::fail(format!("unreadable body: {e}")))?;
    let what = format!("{method} {path} -> {status}");
    prop_assert!(status != StatusCode::INTERNAL_SERVER_ERROR, "{}", what);
    prop_assert!(
        matches!(status.as_u16(), 200 | 400 | 404 | 405 | 503),
        "{}",
        what
    );
    prop_assert_eq!(
        headers
            .get(header::CACHE_CONTROL)
            .map(axum::http::HeaderValue::as_bytes),
        Some(&b"no-store"[..]),
        "{}",
        what
    );
    if method == Method::HEAD {
        prop_assert!(body.is_empty(), "{}: a HEAD answer with a body", what);
        return Ok(Some(()));
    }
    if status.is_client_error() {
        let error: Value = serde_json::from_slice(&body)
            .map_err(|_| TestCaseError::fail(format!("{what}: error body is not JSON")))?;
        prop_assert!(error["error"].is_string(), "{}: {}", what, error);
    }
    if status == StatusCode::METHOD_NOT_ALLOWED {
        let allow = headers
            .get(header::ALLOW)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        prop_assert!(allow.contains("GET"), "{}: Allow {:?}", what, allow);
    }
    Ok(Some(()))
}

#[test]
fn any_method_on_any_path_gets_a_sound_answer() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("runtime");
    let registry = StatusRegistry::new();
    let app = router(
        HealthState::builder(registry)
            .max_tick_age(Duration::from_secs(10))
            .version("fuzz")
            .build(),
    );
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let (tried, refused) = (Cell::new(0_u64), Cell::new(0_u64));
    runner
        .run(&(method(), path()), |(method, path)| {
            tried.set(tried.get() + 1);
            if runtime.block_on(check(&app, method, &path))?.is_none() {
                refused.set(refused.get() + 1);
            }
            Ok(())
        })
        .expect("every request gets a sound answer");
    let _ = writeln!(
        std::io::stderr(),
        "health fuzz: {CASES} cases, {} requests tried, {} refused by the http crate before routing",
        tried.get(),
        refused.get()
    );
}
