//! Helpers shared by the integration tests: requests through `oneshot` and a scripted provider.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::sync::Mutex;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use novera_health::{
    CommandReport, DuplicateInstanceReport, IdentifyBudgetReport, IncidentReport,
    InvalidRequestReport, ShardReport, StatusProvider,
};
use serde_json::Value;
use tower::ServiceExt;

/// A made-up token with the shape of a real one; registered in the redactor by the tests.
pub(crate) const TOKEN: &str =
    "MTAxMjM0NTY3ODkwMTIzNDU2Nw.GaBcDe.zyxwvutsrqponmlkjihgfedcba987654321";
/// A made-up webhook URL.
pub(crate) const WEBHOOK: &str = "https://discord.com/api/webhooks/1234567890/s3cret-webhook-token";

/// One response, body fully read.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }
}

/// Sends one request to `app` through `tower::ServiceExt::oneshot`.
pub(crate) async fn send(app: &Router, method: Method, path: &str) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .body(Body::empty())
        .expect("a valid request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = to_bytes(response.into_body(), 16 * 1024 * 1024)
        .await
        .expect("body is readable");
    Reply {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).expect("body is UTF-8"),
    }
}

pub(crate) async fn get(app: &Router, path: &str) -> Reply {
    send(app, Method::GET, path).await
}

/// A provider whose reports the test sets.
#[derive(Debug, Default)]
pub(crate) struct ScriptedDiscord {
    pub(crate) shards: Mutex<Vec<ShardReport>>,
    pub(crate) budget: Mutex<Option<IdentifyBudgetReport>>,
    pub(crate) commands: Mutex<Option<CommandReport>>,
    pub(crate) last_error: Mutex<Option<String>>,
    pub(crate) incidents: Mutex<Vec<IncidentReport>>,
    pub(crate) invalid_requests: Mutex<Option<InvalidRequestReport>>,
    pub(crate) duplicate_instance: Mutex<Option<DuplicateInstanceReport>>,
}

impl StatusProvider for ScriptedDiscord {
    fn shards(&self) -> Vec<ShardReport> {
        self.shards.lock().unwrap().clone()
    }

    fn identify_budget(&self) -> Option<IdentifyBudgetReport> {
        *self.budget.lock().unwrap()
    }

    fn commands(&self) -> Option<CommandReport> {
        *self.commands.lock().unwrap()
    }

    fn last_error(&self) -> Option<String> {
        self.last_error.lock().unwrap().clone()
    }

    fn incidents(&self) -> Vec<IncidentReport> {
        self.incidents.lock().unwrap().clone()
    }

    fn invalid_requests(&self) -> Option<InvalidRequestReport> {
        self.invalid_requests.lock().unwrap().clone()
    }

    fn duplicate_instance(&self) -> Option<DuplicateInstanceReport> {
        self.duplicate_instance.lock().unwrap().clone()
    }
}

pub(crate) fn shard(id: u32, state: &str) -> ShardReport {
    ShardReport {
        id,
        state: state.to_owned(),
        heartbeat_latency_ms: Some(42.0),
        last_event_age_secs: Some(0.5),
        events: 0,
        events_dropped: 0,
        reconnects: 1,
        resumes: 1,
        last_close_code: Some(1006),
        detail: None,
    }
}
