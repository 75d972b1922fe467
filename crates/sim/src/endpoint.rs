//! The application's interactions endpoint URL, run as Discord runs it. Saving a URL
//! (`POST /_sim/application`) first sends a request with an invalid signature, which must be
//! refused with 401, then a signed PING, which must be answered with a PONG; otherwise the URL
//! is refused. Once saved, every interaction is sent there instead of the gateway, signed
//! with the application's key, and the HTTP answer is the initial response (within the 3 s
//! window). `POST /_sim/application/probe` lets tests send badly signed requests themselves.
//!
//! The simulator only calls loopback `http://` URLs and follows no redirect: nothing it does
//! leaves the machine.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CONTENT_TYPE, USER_AGENT};
use reqwest::Url;
use serde_json::{Value, json};

use crate::api_error::ApiError;
use crate::extract::{ControlJson, bad_request};
use crate::kinds::{callback_type, interaction_type};
use crate::requests::{EndpointProbe, ProbeSignature, SetApplication};
use crate::rest_interactions::{record_error, respond};
use crate::signing::{AppKeys, SignedRequest};
use crate::snowflake::unix_ms_now;
use crate::state::{Inner, Sim};
use crate::types::{ProbeAnswer, ResponseVia, SimApplication};
use crate::violations::rule;

type Result<T> = std::result::Result<T, ApiError>;

/// The `User-Agent` of Discord's requests to interactions endpoints.
const DISCORD_USER_AGENT: &str = "Discord-Interactions/1.0 (+https://discord.com)";
/// Age of a `stale` probe's timestamp when the probe does not say.
const DEFAULT_STALE_SECS: u64 = 3600;

/// Checks a URL the simulator may call: `http://` on a loopback address.
pub(crate) fn check_url(raw: &str) -> std::result::Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| format!("`{raw}` is not a URL: {e}"))?;
    if url.scheme() != "http" {
        return Err(format!(
            "`{raw}`: the simulator calls only http:// URLs (TLS is a reverse proxy's job)"
        ));
    }
    let host = url.host_str().unwrap_or_default();
    let loopback = host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        return Err(format!(
            "`{raw}`: the simulator calls only loopback addresses (127.0.0.1, [::1], localhost)"
        ));
    }
    Ok(url)
}

/// Why a request to the endpoint got no HTTP answer.
#[derive(Debug)]
enum SendError {
    /// Not connected: the interaction never reached the bot.
    Unreachable(String),
    /// Sent, but the exchange failed.
    Failed(String),
    /// No answer within the window.
    Timeout(Duration),
}

impl SendError {
    fn describe(&self) -> String {
        match self {
            Self::Unreachable(why) => format!("the endpoint is unreachable: {why}"),
            Self::Failed(why) => format!("the request failed: {why}"),
            Self::Timeout(limit) => format!("no answer within {limit:?}"),
        }
    }
}

/// POSTs `body` to the endpoint with the signature headers `(timestamp, signature)`, if any;
/// returns the answer's status and body.
async fn send(
    sim: &Sim,
    url: &Url,
    signature: Option<(&str, &str)>,
    body: Vec<u8>,
    limit: Duration,
) -> std::result::Result<(u16, Bytes), SendError> {
    let mut request = sim
        .http
        .post(url.clone())
        .header(CONTENT_TYPE, "application/json")
        .header(USER_AGENT, DISCORD_USER_AGENT)
        .body(body);
    if let Some((timestamp, signature)) = signature {
        request = request
            .header("X-Signature-Ed25519", signature)
            .header("X-Signature-Timestamp", timestamp);
    }
    let exchange = async {
        let response = request.send().await.map_err(|e| {
            if e.is_connect() {
                SendError::Unreachable(e.to_string())
            } else {
                SendError::Failed(e.to_string())
            }
        })?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| SendError::Failed(e.to_string()))?;
        Ok((status, body))
    };
    tokio::time::timeout(limit, exchange)
        .await
        .unwrap_or(Err(SendError::Timeout(limit)))
}

fn now_secs() -> u64 {
    unix_ms_now() / 1000
}

/// Signs `body` with a fresh timestamp and remembers the request for replay probes.
fn sign_now(sim: &Sim, inner: &mut Inner, body: Vec<u8>) -> SignedRequest {
    let timestamp = now_secs().to_string();
    let signature = sim.keys.sign(&timestamp, &body);
    let signed = SignedRequest {
        timestamp,
        signature,
        body,
    };
    inner.last_signed = Some(signed.clone());
    signed
}

/// A PING as Discord sends it when an endpoint URL is saved.
fn ping_body(sim: &Sim) -> Vec<u8> {
    let world = &sim.world;
    let id = sim.ids.next();
    json!({
        "application_id": world.application_id().to_string(),
        "id": id.to_string(),
        "token": format!("ping-{id}"),
        "type": interaction_type::PING,
        "user": world.user_json(world.user_id(0)),
        "version": 1,
    })
    .to_string()
    .into_bytes()
}

/// Discord's checks when an endpoint URL is saved.
async fn verify(sim: &Sim, url: &Url) -> std::result::Result<(), String> {
    let limit = sim.cfg.interaction_window;
    let body = ping_body(sim);
    // An endpoint that does not check signatures cannot be saved: Discord tries one first.
    let timestamp = now_secs().to_string();
    let mut other = body.clone();
    other.push(b' ');
    let bad = sim.keys.sign(&timestamp, &other);
    match send(sim, url, Some((&timestamp, &bad)), body.clone(), limit).await {
        Ok((401, _)) => {}
        Ok((status, _)) => {
            return Err(format!(
                "a request with an invalid signature was answered {status}, not 401"
            ));
        }
        Err(e) => return Err(e.describe()),
    }
    let signed = sign_now(sim, &mut sim.lock(), body);
    let answer = send(
        sim,
        url,
        Some((&signed.timestamp, &signed.signature)),
        signed.body,
        limit,
    )
    .await
    .map_err(|e| e.describe())?;
    let pong = serde_json::from_slice::<Value>(&answer.1)
        .ok()
        .is_some_and(|v| v.get("type").and_then(Value::as_u64) == Some(callback_type::PONG.into()));
    if answer.0 == 200 && pong {
        Ok(())
    } else {
        Err(format!(
            "the PING was answered {} `{}`, not 200 with {{\"type\": 1}}",
            answer.0,
            String::from_utf8_lossy(&answer.1)
        ))
    }
}

fn snapshot(sim: &Sim) -> SimApplication {
    SimApplication {
        interactions_endpoint_url: sim.lock().endpoint_url.clone(),
        verify_key: sim.keys.verify_key_hex(),
    }
}

/// `GET /_sim/application`.
pub(crate) async fn application(State(sim): State<Arc<Sim>>) -> Json<SimApplication> {
    Json(snapshot(&sim))
}

/// `POST /_sim/application`: saves (after Discord's checks) or clears the endpoint URL.
pub(crate) async fn set_application(
    State(sim): State<Arc<Sim>>,
    ControlJson(request): ControlJson<SetApplication>,
) -> Result<Json<SimApplication>> {
    let url = request.interactions_endpoint_url.filter(|u| !u.is_empty());
    if let Some(raw) = &url {
        let refused = |why: String| {
            ApiError::invalid_form(
                "interactions_endpoint_url",
                &format!("The specified interactions endpoint url could not be verified: {why}"),
            )
        };
        let parsed = check_url(raw).map_err(refused)?;
        verify(&sim, &parsed).await.map_err(refused)?;
    }
    sim.lock().endpoint_url = url;
    Ok(Json(snapshot(&sim)))
}

/// `POST /_sim/application/probe`: one request to the endpoint, signed as asked.
pub(crate) async fn probe(
    State(sim): State<Arc<Sim>>,
    ControlJson(probe): ControlJson<EndpointProbe>,
) -> Result<Json<ProbeAnswer>> {
    let conflict = |why: &str| ApiError::new(StatusCode::CONFLICT, 0, why);
    let raw = sim
        .lock()
        .endpoint_url
        .clone()
        .ok_or_else(|| conflict("the application has no interactions endpoint URL"))?;
    let url = check_url(&raw).map_err(bad_request)?;
    let body = probe
        .body
        .map_or_else(|| ping_body(&sim), |b| b.to_string().into_bytes());
    let now = now_secs().to_string();
    let (signature, body) = match probe.signature {
        ProbeSignature::Valid => {
            let signed = sign_now(&sim, &mut sim.lock(), body);
            (Some((signed.timestamp, signed.signature)), signed.body)
        }
        ProbeSignature::Bad => {
            let mut other = body.clone();
            other.push(b' ');
            (Some((now.clone(), sim.keys.sign(&now, &other))), body)
        }
        ProbeSignature::Missing => (None, body),
        ProbeSignature::WrongKey => (
            Some((now.clone(), AppKeys::generate().sign(&now, &body))),
            body,
        ),
        ProbeSignature::Stale => {
            let age = probe.stale_secs.unwrap_or(DEFAULT_STALE_SECS);
            let timestamp = now_secs().saturating_sub(age).to_string();
            let signature = sim.keys.sign(&timestamp, &body);
            (Some((timestamp, signature)), body)
        }
        ProbeSignature::Replayed => {
            let last = sim
                .lock()
                .last_signed
                .clone()
                .ok_or_else(|| conflict("nothing was sent to the endpoint yet"))?;
            (Some((last.timestamp, last.signature)), last.body)
        }
    };
    let headers = signature.as_ref().map(|(t, s)| (t.as_str(), s.as_str()));
    match send(&sim, &url, headers, body, sim.cfg.interaction_window).await {
        Ok((status, body)) => Ok(Json(ProbeAnswer {
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
        })),
        Err(e) => Err(ApiError::new(StatusCode::BAD_GATEWAY, 0, e.describe())),
    }
}

/// Sends interaction `id` (its JSON `body`) to the endpoint in a task of the simulator and
/// applies the answer as the initial response.
pub(crate) fn deliver(sim: &Arc<Sim>, inner: &mut Inner, url: String, id: u64, body: Vec<u8>) {
    let signed = sign_now(sim, inner, body);
    let task_sim = Arc::clone(sim);
    sim.tracker.spawn(async move {
        // Strict: the answer must come within the window. Lenient: it is waited for as long
        // as the token lives, and a late one is accepted (and counted).
        let limit = if task_sim.cfg.lenient {
            task_sim.cfg.interaction_token_lifetime
        } else {
            task_sim.cfg.interaction_window
        };
        let outcome = match check_url(&url) {
            Ok(url) => {
                let sending = send(
                    &task_sim,
                    &url,
                    Some((&signed.timestamp, &signed.signature)),
                    signed.body.clone(),
                    limit,
                );
                tokio::select! {
                    () = task_sim.shutdown.cancelled() => return,
                    outcome = sending => outcome,
                }
            }
            Err(why) => Err(SendError::Unreachable(why)),
        };
        settle(&task_sim, &mut task_sim.lock(), id, outcome);
    });
}

/// Records what the endpoint did with interaction `id`.
fn settle(
    sim: &Sim,
    inner: &mut Inner,
    id: u64,
    outcome: std::result::Result<(u16, Bytes), SendError>,
) {
    let Some(record) = inner.interactions.get_mut(id) else {
        return;
    };
    let token = record.token.clone();
    let (status, body) = match outcome {
        Ok(answer) => answer,
        Err(SendError::Timeout(limit)) => {
            // The endpoint took the request: the bot had it and did not answer in time.
            record.delivered.mark();
            if record.response_type.is_none() {
                record.fail("10062 Unknown interaction: the endpoint did not answer in time");
                sim.violation(
                    inner,
                    rule::INTERACTION_LATE,
                    format!(
                        "the interactions endpoint did not answer interaction {id} within {limit:?}"
                    ),
                    None,
                );
            }
            return;
        }
        Err(error) => {
            if matches!(error, SendError::Failed(_)) {
                record.delivered.mark();
            }
            record.fail(&format!("interactions endpoint: {}", error.describe()));
            return;
        }
    };
    record.delivered.mark();
    if !(200..300).contains(&status) {
        record.fail(&format!("the interactions endpoint answered {status}"));
        return;
    }
    // An empty 2xx answers nothing: the bot may still answer through the REST callback.
    if body.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    let answer = match serde_json::from_slice::<Value>(&body) {
        Ok(answer) => answer,
        Err(e) => {
            record.fail(&format!(
                "the interactions endpoint answered invalid JSON: {e}"
            ));
            return;
        }
    };
    if let Err(err) = respond(sim, inner, id, &token, &answer, ResponseVia::Http) {
        record_error(inner, id, &err);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_urls_are_called() {
        assert!(check_url("http://127.0.0.1:8080/interactions").is_ok());
        assert!(check_url("http://localhost:1/i").is_ok());
        assert!(check_url("http://[::1]:1/i").is_ok());
        assert!(check_url("http://127.1.2.3/").is_ok());
        for refused in [
            "https://127.0.0.1/i",
            "http://example.com/i",
            "http://10.0.0.1/i",
            "not a url",
            "file:///etc/passwd",
        ] {
            assert!(check_url(refused).is_err(), "{refused}");
        }
    }
}
