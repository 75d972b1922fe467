//! The control API under `/_sim`: what tests, the sandbox console and benchmarks use to act as
//! Discord's users and to look inside the simulator. Documented in `docs/simulator.md`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::api_error::ApiError;
use crate::frame::{self, op};
use crate::interactions::{InteractionRecord, interaction_json, interaction_metadata, new_token};
use crate::load::Load;
use crate::load_spec::LoadSpec;
use crate::messages::{MessageBody, MessageMeta};
use crate::modals;
use crate::rest::json_body;
use crate::rest_channels;
use crate::session::ConnCommand;
use crate::snowflake::unix_ms_now;
use crate::state::{Audience, Inner, Sim};
use crate::types::{
    CreatedInteraction, CreatedMessage, Fault, FaultApplied, InteractionStatus, LoadStarted,
    RequestLogEntry, SimState,
};
use crate::world::{INTENT_MESSAGE_CONTENT, World};

type Result<T> = std::result::Result<T, ApiError>;

pub(crate) fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/state", get(state))
        .route("/messages", post(post_message))
        .route("/interactions", post(run_command))
        .route("/interactions/{id}", get(interaction))
        .route("/components", post(click))
        .route("/modals", post(submit_modal))
        .route("/channels/{id}/messages", get(channel_messages))
        .route("/requests", get(requests))
        .route("/faults", post(fault))
        .route("/load", post(load))
        .route("/reset", post(reset))
        .fallback(|| async { ApiError::not_found() })
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, 0, message)
}

/// Reads an id given as a JSON string or number.
fn id_field(body: &Value, field: &str) -> Result<Option<u64>> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => s
            .parse()
            .map(Some)
            .map_err(|_| bad_request(format!("`{field}` is not a snowflake"))),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| bad_request(format!("`{field}` is not a snowflake"))),
        Some(_) => Err(bad_request(format!("`{field}` is not a snowflake"))),
    }
}

fn user_or_default(sim: &Sim, body: &Value, field: &str) -> Result<u64> {
    match id_field(body, field)? {
        Some(id) if sim.world.is_user(id) => Ok(id),
        Some(id) => Err(bad_request(format!("user {id} is not in the world"))),
        None => Ok(sim.world.user_id(0)),
    }
}

async fn state(State(sim): State<Arc<Sim>>) -> Json<SimState> {
    let mut inner = sim.lock();
    Json(sim.snapshot(&mut inner))
}

async fn post_message(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Json<CreatedMessage>> {
    let body = json_body(&body)?;
    let channel_id =
        id_field(&body, "channel_id")?.ok_or_else(|| bad_request("`channel_id` is required"))?;
    let (guild, _) = sim
        .world
        .channel_location(channel_id)
        .ok_or_else(ApiError::unknown_channel)?;
    let author_id = user_or_default(&sim, &body, "author_id")?;
    let mut msg_body = MessageBody::parse(&body)?;
    // Users' messages carry no allowed_mentions: they ping whoever they name.
    msg_body.allowed_mentions = None;
    let meta = MessageMeta {
        id: sim.ids.next(),
        channel_id,
        author_id,
        kind: 0,
        webhook_id: None,
        interaction_metadata: None,
    };
    let mut inner = sim.lock();
    rest_channels::post(&sim, &mut inner, guild, &meta, &msg_body, true);
    Ok(Json(CreatedMessage {
        id: meta.id.to_string(),
    }))
}

/// Stores an interaction and dispatches its `INTERACTION_CREATE`.
fn dispatch_interaction(
    sim: &Sim,
    inner: &mut Inner,
    mut record: InteractionRecord,
    data: Value,
    message: Option<Value>,
) -> CreatedInteraction {
    record.dispatched_at = Instant::now();
    let mut d = interaction_json(&sim.world, &record, data);
    if let (Some(message), Some(map)) = (message, d.as_object_mut()) {
        map.insert("message".into(), message);
    }
    let created = CreatedInteraction {
        id: record.id.to_string(),
        token: record.token.clone(),
    };
    let guild_id = sim.world.guild_id(record.guild);
    inner.interactions.insert(record);
    sim.dispatch_guild(
        inner,
        guild_id,
        "INTERACTION_CREATE",
        &d,
        Audience::Everyone,
    );
    created
}

fn new_record(id: u64, kind: u8, guild: u32, channel_id: u64, user_id: u64) -> InteractionRecord {
    InteractionRecord {
        id,
        token: new_token(id),
        kind,
        guild,
        channel_id,
        user_id,
        command_name: None,
        component_message_id: None,
        dispatched_at: Instant::now(),
        first_callback_at: None,
        responded_at: None,
        response_type: None,
        original_message_id: None,
        ephemeral: false,
        content: None,
        followups: Vec::new(),
        error: None,
        allowed_mentions: None,
        bodies: Vec::new(),
        choices: None,
        modal: None,
        triggering_metadata: None,
    }
}

/// How many options (sub-command options included) are marked `focused`.
fn focused_count(options: &Value) -> usize {
    options.as_array().map_or(0, |options| {
        options
            .iter()
            .map(|o| {
                usize::from(o.get("focused").and_then(Value::as_bool) == Some(true))
                    + focused_count(o.get("options").unwrap_or(&Value::Null))
            })
            .sum()
    })
}

async fn run_command(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Json<CreatedInteraction>> {
    let body = json_body(&body)?;
    let world = &sim.world;
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| bad_request("`name` is required"))?
        .to_owned();
    let channel = id_field(&body, "channel_id")?;
    let guild = match (id_field(&body, "guild_id")?, channel) {
        (Some(g), _) => world.guild_index(g).ok_or_else(ApiError::unknown_guild)?,
        (None, Some(c)) => {
            world
                .channel_location(c)
                .ok_or_else(ApiError::unknown_channel)?
                .0
        }
        (None, None) => 0,
    };
    if world.guild_count() == 0 {
        return Err(ApiError::unknown_guild());
    }
    let channel_id = match channel {
        Some(c) if world.channel_location(c).is_some_and(|(g, _)| g == guild) => c,
        Some(_) => return Err(ApiError::unknown_channel()),
        None => world.channel_id(guild, 0),
    };
    let user_id = user_or_default(&sim, &body, "user_id")?;
    let kind = match body.get("type") {
        None | Some(Value::Null) => 2,
        Some(t) if t.as_u64() == Some(2) => 2,
        Some(t) if t.as_u64() == Some(4) => 4,
        Some(_) => {
            return Err(bad_request(
                "`type` must be 2 (command) or 4 (autocomplete)",
            ));
        }
    };
    if kind == 4 && focused_count(body.get("options").unwrap_or(&Value::Null)) != 1 {
        return Err(bad_request(
            "an autocomplete interaction needs exactly one option with `\"focused\": true`",
        ));
    }
    let guild_id = world.guild_id(guild);
    let mut inner = sim.lock();
    let registered = inner.commands.find(&name, Some(guild_id)).cloned();
    let id = sim.ids.next();
    let mut data = json!({
        "id": registered
            .as_ref()
            .and_then(|c| c.get("id").cloned())
            .unwrap_or_else(|| json!(sim.ids.next().to_string())),
        "name": name,
        "type": registered.as_ref().and_then(|c| c.get("type").cloned()).unwrap_or(json!(1)),
    });
    if let Some(map) = data.as_object_mut() {
        if let Some(options) = body
            .get("options")
            .filter(|o| o.as_array().is_some_and(|a| !a.is_empty()))
        {
            map.insert("options".into(), options.clone());
        }
        if let Some(g) = registered.as_ref().and_then(|c| c.get("guild_id")) {
            map.insert("guild_id".into(), g.clone());
        }
    }
    let mut record = new_record(id, kind, guild, channel_id, user_id);
    record.command_name = Some(name);
    Ok(Json(dispatch_interaction(
        &sim, &mut inner, record, data, None,
    )))
}

async fn click(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Json<CreatedInteraction>> {
    let body = json_body(&body)?;
    let message_id =
        id_field(&body, "message_id")?.ok_or_else(|| bad_request("`message_id` is required"))?;
    let custom_id = body
        .get("custom_id")
        .and_then(Value::as_str)
        .ok_or_else(|| bad_request("`custom_id` is required"))?
        .to_owned();
    let user_id = user_or_default(&sim, &body, "user_id")?;
    let mut inner = sim.lock();
    let (guild, channel_id, message) =
        component_message(&sim, &inner, message_id).ok_or_else(ApiError::unknown_message)?;
    let data = match body.get("values").and_then(Value::as_array) {
        Some(values) => json!({"custom_id": custom_id, "component_type": 3, "values": values}),
        None => json!({"custom_id": custom_id, "component_type": 2}),
    };
    let id = sim.ids.next();
    let mut record = new_record(id, 3, guild, channel_id, user_id);
    record.component_message_id = Some(message_id);
    Ok(Json(dispatch_interaction(
        &sim,
        &mut inner,
        record,
        data,
        Some(message),
    )))
}

/// The message a component sits on, as `INTERACTION_CREATE.message` carries it.
fn component_message(sim: &Sim, inner: &Inner, message_id: u64) -> Option<(u32, u64, Value)> {
    let stored = inner.messages.get(message_id)?;
    let channel_id = stored.json["channel_id"].as_str()?.parse().ok()?;
    let mut message = stored.json.clone();
    if let Some(map) = message.as_object_mut() {
        map.insert(
            "guild_id".into(),
            json!(sim.world.guild_id(stored.guild).to_string()),
        );
    }
    Some((stored.guild, channel_id, message))
}

/// A user submits the modal the bot showed in answer to `interaction_id`: `MODAL_SUBMIT`.
async fn submit_modal(
    State(sim): State<Arc<Sim>>,
    body: Bytes,
) -> Result<Json<CreatedInteraction>> {
    let body = json_body(&body)?;
    let shown_to = id_field(&body, "interaction_id")?
        .ok_or_else(|| bad_request("`interaction_id` is required"))?;
    let values = match body.get("values") {
        None | Some(Value::Null) => serde_json::Map::new(),
        Some(Value::Object(values)) => values.clone(),
        Some(_) => return Err(bad_request("`values` must be an object")),
    };
    let user = id_field(&body, "user_id")?;
    if let Some(user) = user.filter(|u| !sim.world.is_user(*u)) {
        return Err(bad_request(format!("user {user} is not in the world")));
    }
    let mut inner = sim.lock();
    let origin = inner
        .interactions
        .get(shown_to)
        .ok_or_else(ApiError::unknown_interaction)?;
    let Some(modal) = &origin.modal else {
        return Err(bad_request(format!(
            "interaction {shown_to} was not answered with a modal"
        )));
    };
    let data = modals::submit_data(modal, &values).map_err(bad_request)?;
    let (guild, channel_id, user_id, on_message, name) = (
        origin.guild,
        origin.channel_id,
        user.unwrap_or(origin.user_id),
        origin.component_message_id,
        origin.command_name.clone(),
    );
    let triggering = interaction_metadata(&sim.world, origin);
    let message = on_message.and_then(|m| component_message(&sim, &inner, m));
    let id = sim.ids.next();
    let mut record = new_record(id, 5, guild, channel_id, user_id);
    record.command_name = name;
    record.component_message_id = message.as_ref().and(on_message);
    record.triggering_metadata = Some(triggering);
    Ok(Json(dispatch_interaction(
        &sim,
        &mut inner,
        record,
        data,
        message.map(|(_, _, m)| m),
    )))
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
                }
                json
            })
            .collect(),
    ))
}

async fn requests(State(sim): State<Arc<Sim>>) -> Json<Vec<RequestLogEntry>> {
    Json(sim.lock().requests.clone())
}

async fn fault(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Json<FaultApplied>> {
    let fault: Fault =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("invalid fault: {e}")))?;
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
            retry_after,
        } => {
            if !(400..=599).contains(&status) {
                return Err(bad_request("`status` must be 400..=599"));
            }
            inner
                .faults
                .arm_status(status, count, path_prefix, retry_after.unwrap_or(1.0));
            u64::from(count)
        }
        Fault::RestDelay { ms, count } => {
            inner.faults.arm_delay(Duration::from_millis(ms), count);
            u64::from(count)
        }
    };
    Ok(Json(FaultApplied { applied }))
}

async fn load(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Json<LoadStarted>> {
    let body = json_body(&body)?;
    let world = &sim.world;
    let spec = LoadSpec::parse(&body).map_err(bad_request)?;
    let channel_id = id_field(&body, "channel_id")?.unwrap_or_else(|| world.channel_id(0, 0));
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
