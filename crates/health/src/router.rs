//! The axum router: the status page and five read-only endpoints, JSON 400, 404 and 405, no
//! caching.

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, middleware};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::exposition::{METRICS_CONTENT_TYPE, render};
use crate::page;
use crate::state::HealthState;

/// The endpoints, listed in 404 bodies so a person with curl finds the right one.
const ENDPOINTS: [&str; 6] = [
    "/", "/healthz", "/readyz", "/status", "/history", "/metrics",
];

/// The health router with its state applied: the status page at `/` (with its script and style
/// sheet), `/healthz`, `/readyz`, `/status`, `/history` (the page's chart points) and `/metrics`.
///
/// Only `GET` and `HEAD` are answered (405 with `Allow: GET,HEAD` otherwise); unknown paths get a
/// JSON 404. Every JSON string and the metrics text pass through the state's
/// [`Redactor`](crate::Redactor), and no response may be cached.
pub fn router(state: HealthState) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route(page::SCRIPT_PATH, get(page::script))
        .route(page::STYLE_PATH, get(page::style))
        .route("/history", get(history))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/status", get(status))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::map_response(no_store))
        .with_state(state)
}

async fn healthz(State(state): State<HealthState>) -> Response {
    let report = state.liveness();
    let code = if report.alive {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    redacted_json(&state, code, &report)
}

async fn readyz(State(state): State<HealthState>) -> Response {
    let report = state.readiness();
    let code = if report.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    redacted_json(&state, code, &report)
}

async fn status(State(state): State<HealthState>) -> Response {
    // /status describes problems rather than being one: it answers 200 whatever it reports.
    redacted_json(&state, StatusCode::OK, &state.status())
}

/// `?since=` a point's `at_unix_ms`: only newer points (the page polls with the last it has).
#[derive(Debug, Deserialize)]
struct HistoryQuery {
    since: Option<u64>,
}

async fn history(
    State(state): State<HealthState>,
    query: Result<Query<HistoryQuery>, QueryRejection>,
) -> Response {
    // axum's own rejection is plain text; every error of this router is JSON.
    let query = match query {
        Ok(Query(query)) => query,
        Err(rejection) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": "bad query", "reason": rejection.body_text()})),
            )
                .into_response();
        }
    };
    let report = state.history(query.since.unwrap_or(0));
    redacted_json(&state, StatusCode::OK, &report)
}

async fn metrics(State(state): State<HealthState>) -> Response {
    (
        [(header::CONTENT_TYPE, METRICS_CONTENT_TYPE)],
        render(&state),
    )
        .into_response()
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"error": "not found", "endpoints": ENDPOINTS})),
    )
        .into_response()
}

async fn method_not_allowed() -> Response {
    // axum adds the `Allow` header listing the route's methods.
    (
        StatusCode::METHOD_NOT_ALLOWED,
        Json(json!({"error": "method not allowed", "allowed": ["GET", "HEAD"]})),
    )
        .into_response()
}

/// Probes and scrapes must see the state now, never a proxy's copy.
async fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn redacted_json(state: &HealthState, code: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_value(body) {
        Ok(mut value) => {
            state.redactor().redact_json(&mut value);
            (code, Json(value)).into_response()
        }
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": "could not encode the report"})),
        )
            .into_response(),
    }
}
