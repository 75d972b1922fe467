//! REST v10 under `/api/v10`: the router, and the layer every request passes through (invalid
//! request ban, injected faults, rate limits, `Authorization`, headers, request log).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::HttpBody as _;
use axum::extract::{OriginalUri, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER, VIA};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use tokio::time::Instant;

use crate::api_error::ApiError;
use crate::ratelimit::{BucketHeaders, Injected, RouteKey, Verdict};
use crate::snowflake::unix_ms_now;
use crate::state::Sim;
use crate::types::RateLimitScope;
use crate::violations::rule;
use crate::{rest_app, rest_channels, rest_interactions};

/// The REST router, to be nested under `/api/v10`.
pub(crate) fn router(sim: Arc<Sim>) -> Router<Arc<Sim>> {
    Router::new()
        .route("/users/@me", get(rest_app::current_user))
        .route("/gateway", get(rest_app::gateway))
        .route("/gateway/bot", get(rest_app::gateway_bot))
        .route("/applications/@me", get(rest_app::application))
        .route("/oauth2/applications/@me", get(rest_app::application))
        .route(
            "/applications/{app}/commands",
            get(rest_app::global_commands)
                .put(rest_app::overwrite_global_commands)
                .post(rest_app::create_global_command),
        )
        .route(
            "/applications/{app}/commands/{command}",
            get(rest_app::global_command).delete(rest_app::delete_global_command),
        )
        .route(
            "/applications/{app}/guilds/{guild}/commands",
            get(rest_app::guild_commands)
                .put(rest_app::overwrite_guild_commands)
                .post(rest_app::create_guild_command),
        )
        .route(
            "/applications/{app}/guilds/{guild}/commands/{command}",
            get(rest_app::guild_command).delete(rest_app::delete_guild_command),
        )
        .route(
            "/channels/{channel}/messages",
            get(rest_channels::list_messages).post(rest_channels::create_message),
        )
        .route(
            "/channels/{channel}/messages/{message}",
            get(rest_channels::get_message)
                .patch(rest_channels::edit_message)
                .delete(rest_channels::delete_message),
        )
        .route(
            "/interactions/{interaction}/{token}/callback",
            post(rest_interactions::callback),
        )
        .route("/webhooks/{app}/{token}", post(rest_interactions::followup))
        .route(
            "/webhooks/{app}/{token}/messages/{message}",
            get(rest_interactions::get_webhook_message)
                .patch(rest_interactions::edit_webhook_message)
                .delete(rest_interactions::delete_webhook_message),
        )
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(middleware::from_fn_with_state(sim, rest_layer))
}

fn secs(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

fn set(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(name, v);
    }
}

/// Discord's bucket headers. `X-RateLimit-Scope` is not among them: Discord sends it on 429s
/// only (`too_many` sets it).
fn rate_headers(headers: &mut HeaderMap, h: &BucketHeaders) {
    let reset_ms = unix_ms_now() + u64::try_from(h.reset_after.as_millis()).unwrap_or(0);
    set(headers, "x-ratelimit-limit", &h.limit.to_string());
    set(headers, "x-ratelimit-remaining", &h.remaining.to_string());
    set(
        headers,
        "x-ratelimit-reset",
        &format!("{}.{:03}", reset_ms / 1000, reset_ms % 1000),
    );
    set(headers, "x-ratelimit-reset-after", &secs(h.reset_after));
    set(headers, "x-ratelimit-bucket", &h.hash);
}

fn too_many(retry_after: Duration, scope: RateLimitScope, message: &str) -> Response {
    let global = scope == RateLimitScope::Global;
    let mut body = json!({
        "message": message,
        "retry_after": (retry_after.as_secs_f64() * 1000.0).ceil() / 1000.0,
        "global": global,
    });
    if global && let Some(map) = body.as_object_mut() {
        map.insert("code".into(), json!(0));
    }
    let mut response = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
    let headers = response.headers_mut();
    set(
        headers,
        RETRY_AFTER.as_str(),
        &retry_after.as_secs_f64().ceil().max(1.0).to_string(),
    );
    match scope {
        RateLimitScope::Global => {
            set(headers, "x-ratelimit-global", "true");
            set(headers, "x-ratelimit-scope", "global");
        }
        RateLimitScope::User => set(headers, "x-ratelimit-scope", "user"),
        RateLimitScope::Shared => set(headers, "x-ratelimit-scope", "shared"),
    }
    response
}

/// The answer of an armed REST fault: the response, its bucket headers (the route's untouched
/// bucket, none for a global 429), and whether Discord would count it as an invalid request
/// (every 401, 403 and 429 but a `shared` one, exactly like the simulator's own answers).
fn injected_response(
    injected: Injected,
    idle_headers: Option<BucketHeaders>,
) -> (Response, Option<BucketHeaders>, bool) {
    let limited = |retry_after: f64, scope| {
        too_many(
            Duration::try_from_secs_f64(retry_after.max(0.0)).unwrap_or(Duration::from_secs(1)),
            scope,
            "You are being rate limited.",
        )
    };
    match injected {
        Injected::Status {
            status: 429,
            retry_after,
        } => (
            limited(retry_after, RateLimitScope::User),
            idle_headers,
            true,
        ),
        Injected::Status { status, .. } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body =
                json!({"message": format!("{}: injected fault", status.as_u16()), "code": 0});
            (
                (status, axum::Json(body)).into_response(),
                idle_headers,
                true,
            )
        }
        Injected::RateLimit { scope, retry_after } => {
            let headers = (scope != RateLimitScope::Global)
                .then_some(idle_headers)
                .flatten();
            (
                limited(retry_after, scope),
                headers,
                scope != RateLimitScope::Shared,
            )
        }
    }
}

/// The invalid-request ban: Cloudflare's static answer, not the API's, so it carries no
/// rate-limit header, no `Retry-After` and no `Via` (discord-api-docs issue 5810 shows it).
fn cloudflare_ban() -> Response {
    let body = json!({
        "code": 0,
        "message": "You are being blocked from accessing our API temporarily due to exceeding our rate limits frequently. Please read our docs at https://discord.com/developers/docs/topics/rate-limits to prevent this moving forward.",
    });
    (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response()
}

/// `Content-Type: application/json` exactly on a response with a body, and none on an empty
/// one: clients that choose the parser by content type (discord.js) fail on an empty "JSON"
/// body, and Discord sends no `Content-Type` with its 204s.
fn set_content_type(response: &mut Response) {
    let empty = response.body().size_hint().exact() == Some(0);
    let headers = response.headers_mut();
    if empty {
        headers.remove(CONTENT_TYPE);
    } else {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
}

fn bot_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bot ")
}

// One pipeline, read top to bottom: ban, faults, rate limits, auth, handler, headers and log.
#[allow(clippy::too_many_lines)]
async fn rest_layer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_owned();
    let full_path = req
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| req.uri().path().to_owned(), |u| u.path().to_owned());
    let path = full_path
        .strip_prefix("/api/v10")
        .unwrap_or(&full_path)
        .to_owned();
    let key = RouteKey::from_request(&method, &path);
    let now = Instant::now();
    // What an injected fault answers with: the route's untouched bucket (none for callbacks).
    let idle_headers = (!key.callback).then(|| BucketHeaders {
        limit: sim.cfg.rest_bucket_limit,
        remaining: sim.cfg.rest_bucket_limit,
        reset_after: sim.cfg.rest_bucket_window,
        hash: key.bucket_hash(),
    });

    let (banned, fault, delay) = {
        let mut inner = sim.lock();
        let banned = inner.limiter.banned(now);
        let (fault, delay) = if banned {
            (None, None)
        } else {
            (inner.faults.take_status(&path), inner.faults.take_delay())
        };
        (banned, fault, delay)
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let (mut response, headers, counts_invalid) = if banned {
        (cloudflare_ban(), None, false)
    } else if let Some(injected) = fault {
        injected_response(injected, idle_headers)
    } else {
        let mut found = Vec::new();
        let verdict = {
            let mut inner = sim.lock();
            let verdict = inner.limiter.check(&key, &sim.cfg, now, &mut found);
            for (rule, detail) in found {
                sim.violation(&mut inner, rule, detail, None);
            }
            verdict
        };
        let (limited, headers) = match verdict {
            Verdict::Limited {
                headers,
                retry_after,
                global,
            } => {
                let scope = if global {
                    RateLimitScope::Global
                } else {
                    RateLimitScope::User
                };
                (
                    Some(too_many(retry_after, scope, "You are being rate limited.")),
                    headers,
                )
            }
            Verdict::Allowed(headers) => (None, Some(headers)),
            Verdict::Unlimited => (None, None),
        };
        if let Some(limited) = limited {
            (limited, headers, true)
        } else {
            // `GET /gateway` and interaction routes need no token.
            let authorized = key.interaction || path == "/gateway" || {
                let inner = sim.lock();
                !inner.token_invalidated
                    && bot_token(req.headers()).is_some_and(|t| sim.token_matches(t))
            };
            if authorized {
                (next.run(req).await, headers, true)
            } else {
                let mut inner = sim.lock();
                sim.violation(
                    &mut inner,
                    rule::REST_UNAUTHORIZED,
                    format!("{method} {path} without a valid `Authorization: Bot TOKEN`"),
                    None,
                );
                (ApiError::unauthorized().into_response(), headers, true)
            }
        }
    };

    let status = response.status().as_u16();
    set_content_type(&mut response);
    let response_headers = response.headers_mut();
    if let Some(headers) = &headers {
        rate_headers(response_headers, headers);
    }
    if !banned {
        // Discord's API answers through Google's load balancer; discord.py takes a 429
        // without `Via` for a Cloudflare ban and gives up instead of retrying.
        response_headers.insert(VIA, HeaderValue::from_static("1.1 google"));
    }
    let mut inner = sim.lock();
    sim.log_request(&mut inner, &method, &full_path, status);
    if counts_invalid
        && matches!(status, 401 | 403 | 429)
        && inner.limiter.count_invalid(&sim.cfg, Instant::now())
    {
        sim.violation(
            &mut inner,
            rule::REST_INVALID_REQUEST_BAN,
            format!(
                "{} invalid requests (401/403/429) within {:?}: banned",
                sim.cfg.invalid_request_limit, sim.cfg.invalid_request_window
            ),
            None,
        );
    }
    response
}
