//! The control API under `/_sim`: what tests, the sandbox console and benchmarks use to act as
//! Discord's users and to look inside the simulator. Documented in `docs/simulator.md`; the
//! bodies are the types of `requests.rs` and `types.rs`, read with [`ControlJson`].

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::api_error::ApiError;
use crate::control_users;
use crate::endpoint;
use crate::extract::{ControlJson, bad_request};
use crate::frame::{self, op};
use crate::garbage;
use crate::load::Load;
use crate::load_spec::LoadSpec;
use crate::ratelimit::Injected;
use crate::requests::LoadRequest;
use crate::session::ConnCommand;
use crate::snowflake::unix_ms_now;
use crate::state::Sim;
use crate::types::{
    Fault, FaultApplied, InteractionStatus, LoadStarted, RequestLogEntry, SimState,
};
use crate::world::{INTENT_MESSAGE_CONTENT, World};

type Result<T> = std::result::Result<T, ApiError>;

pub(crate) fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/state", get(state))
        .route("/messages", post(control_users::post_message))
        .route("/interactions", post(control_users::run_command))
        .route("/interactions/{id}", get(interaction))
        .route("/components", post(control_users::click))
        .route("/modals", post(control_users::submit_modal))
        .route("/channels/{id}/messages", get(channel_messages))
        .route("/requests", get(requests))
        .route("/faults", post(fault))
        .route("/load", post(load))
        .route("/reset", post(reset))
        .route(
            "/application",
            get(endpoint::application).post(endpoint::set_application),
        )
        .route("/application/probe", post(endpoint::probe))
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
}

async fn state(State(sim): State<Arc<Sim>>) -> Json<SimState> {
    let mut inner = sim.lock();
    Json(sim.snapshot(&mut inner))
}

async fn interaction(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
) -> Result<Json<InteractionStatus>> {
    let id: u64 = id.parse().map_err(|_| ApiError::unknown_interaction())?;
    let inner = sim.lock();
    inner
        .interactions
        .get(id)
        .map(|r| Json(r.status()))
        .ok_or_else(ApiError::unknown_interaction)
}

async fn channel_messages(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
) -> Result<Json<Vec<Value>>> {
    let id: u64 = id.parse().map_err(|_| ApiError::unknown_channel())?;
    if sim.world.channel_location(id).is_none() {
        return Err(ApiError::unknown_channel());
    }
    let inner = sim.lock();
    Ok(Json(
        inner
            .messages
            .channel(id)
            .into_iter()
            .map(|m| {
                let mut json = m.json.clone();
                if let Some(map) = json.as_object_mut() {
                    map.insert(
                        "allowed_mentions".into(),
                        m.allowed_mentions.clone().unwrap_or(Value::Null),
                    );
                    if let Some(nonce) = &m.nonce {
                        map.insert("nonce".into(), nonce.clone());
                    }
                }
                json
            })
            .collect(),
    ))
}

async fn requests(State(sim): State<Arc<Sim>>) -> Json<Vec<RequestLogEntry>> {
    Json(sim.lock().requests.clone())
}

/// `Retry-After` of an injected 429: 1 s by default; negative or non-finite values refused.
fn retry_after(value: Option<f64>) -> Result<f64> {
    match value {
        None => Ok(1.0),
        Some(secs) if secs.is_finite() && secs >= 0.0 => Ok(secs),
        Some(_) => Err(bad_request(
            "`retry_after` must be a number of seconds >= 0",
        )),
    }
}

async fn fault(
    State(sim): State<Arc<Sim>>,
    ControlJson(fault): ControlJson<Fault>,
) -> Result<Json<FaultApplied>> {
    let mut inner = sim.lock();
    let applied = match fault {
        Fault::Reconnect { shard } => {
            sim.command_connections(&mut inner, shard, &ConnCommand::Reconnect)
        }
        Fault::InvalidSession { resumable, shard } => inner.invalidate_sessions(shard, resumable),
        Fault::Close { code, shard } => sim.command_connections(
            &mut inner,
            shard,
            &ConnCommand::Close {
                code,
                reason: "Injected fault",
            },
        ),
        Fault::Drop { shard } => sim.command_connections(&mut inner, shard, &ConnCommand::Drop),
        Fault::Silence { ms, shard } => sim.command_connections(
            &mut inner,
            shard,
            &ConnCommand::Silence(Duration::from_millis(ms)),
        ),
        Fault::HeartbeatRequest { shard } => sim.command_connections(
            &mut inner,
            shard,
            &ConnCommand::Send(frame::control(op::HEARTBEAT, "null")),
        ),
        Fault::Rest {
            status,
            count,
            path_prefix,
            retry_after: secs,
        } => {
            if !(400..=599).contains(&status) {
                return Err(bad_request("`status` must be 400..=599"));
            }
            let answer = Injected::Status {
                status,
                retry_after: retry_after(secs)?,
            };
            inner.faults.arm(answer, count, path_prefix);
            u64::from(count)
        }
        Fault::RateLimit {
            scope,
            count,
            path_prefix,
            retry_after: secs,
        } => {
            let answer = Injected::RateLimit {
                scope,
                retry_after: retry_after(secs)?,
            };
            inner.faults.arm(answer, count, path_prefix);
            u64::from(count)
        }
        Fault::RestDelay { ms, count } => {
            inner.faults.arm_delay(Duration::from_millis(ms), count);
            u64::from(count)
        }
        Fault::Garbage {
            variant,
            bytes,
            shard,
        } => garbage::inject(&sim, &mut inner, variant, bytes, shard).map_err(bad_request)?,
    };
    Ok(Json(FaultApplied { applied }))
}

async fn load(
    State(sim): State<Arc<Sim>>,
    ControlJson(request): ControlJson<LoadRequest>,
) -> Result<Json<LoadStarted>> {
    let world = &sim.world;
    let spec = LoadSpec::from_request(&request).map_err(bad_request)?;
    let channel_id = request.channel_id.unwrap_or_else(|| world.channel_id(0, 0));
    let (guild, channel) = world
        .channel_location(channel_id)
        .ok_or_else(ApiError::unknown_channel)?;
    let guild_id = world.guild_id(guild);
    let mut inner = sim.lock();
    let target = inner
        .session_order
        .iter()
        .rev()
        .filter_map(|id| inner.sessions.get(id))
        .find(|s| s.live() && World::shard_of(guild_id, s.shard[1]) == s.shard[0])
        .map(|s| (s.id.clone(), s.intents));
    let Some((session_id, intents)) = target else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            0,
            "no live session receives this channel's guild",
        ));
    };
    if let Some(missing) = spec.missing_intents(intents) {
        return Err(ApiError::new(StatusCode::CONFLICT, 0, missing));
    }
    let first_message_id = sim.ids.reserve(Load::message_ids(&spec));
    let batch = Load::new(
        world,
        &spec,
        (guild, channel),
        first_message_id,
        unix_ms_now(),
        intents & INTENT_MESSAGE_CONTENT != 0,
    );
    let Some(session) = inner.sessions.get_mut(&session_id) else {
        return Err(ApiError::new(StatusCode::CONFLICT, 0, "session vanished"));
    };
    let (first_seq, last_seq) = session.dispatch_lazy(Arc::new(batch));
    Ok(Json(LoadStarted {
        first_seq,
        last_seq,
    }))
}

async fn reset(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let mut inner = sim.lock();
    sim.reset(&mut inner);
    Json(json!({}))
}
