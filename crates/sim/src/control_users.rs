//! What the world's users do through the control API: post messages, run commands, click
//! components, submit modals. Interactions go to the bot over the gateway, or to its
//! interactions endpoint when the application has one.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::api_error::ApiError;
use crate::endpoint;
use crate::extract::{ControlJson, bad_request};
use crate::interactions::{InteractionRecord, interaction_json, interaction_metadata};
use crate::kinds::{component_type, interaction_type, message_type};
use crate::messages::{MessageBody, MessageMeta};
use crate::modals;
use crate::requests::{Click, PostMessage, RunCommand, SubmitModal};
use crate::rest_channels;
use crate::state::{Audience, Inner, Sim};
use crate::types::{CreatedInteraction, CreatedMessage, Ingress};

type Result<T> = std::result::Result<T, ApiError>;

fn user_or_default(sim: &Sim, user: Option<u64>) -> Result<u64> {
    match user {
        Some(id) if sim.world.is_user(id) => Ok(id),
        Some(id) => Err(bad_request(format!("user {id} is not in the world"))),
        None => Ok(sim.world.user_id(0)),
    }
}

pub(crate) async fn post_message(
    State(sim): State<Arc<Sim>>,
    ControlJson(request): ControlJson<PostMessage>,
) -> Result<Json<CreatedMessage>> {
    let (guild, _) = sim
        .world
        .channel_location(request.channel_id)
        .ok_or_else(ApiError::unknown_channel)?;
    let author_id = user_or_default(&sim, request.author_id)?;
    let mut msg_body = MessageBody::parse(&json!({
        "content": request.content,
        "embeds": request.embeds,
        "nonce": request.nonce,
    }))?;
    // Users' messages carry no allowed_mentions: they ping whoever they name.
    msg_body.allowed_mentions = None;
    let meta = MessageMeta {
        id: sim.ids.next(),
        channel_id: request.channel_id,
        author_id,
        kind: message_type::DEFAULT,
        webhook_id: None,
        interaction_metadata: None,
    };
    let mut inner = sim.lock();
    rest_channels::post(&sim, &mut inner, guild, &meta, &msg_body, true);
    Ok(Json(CreatedMessage {
        id: meta.id.to_string(),
    }))
}

/// Stores an interaction and sends it: a signed POST to the interactions endpoint when the
/// application has one (Discord then sends nothing over the gateway), else `INTERACTION_CREATE`
/// to the sessions of the guild's shard.
fn dispatch_interaction(
    sim: &Arc<Sim>,
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
    let id = record.id;
    let guild_id = sim.world.guild_id(record.guild);
    if let Some(url) = inner.endpoint_url.clone() {
        record.ingress = Ingress::Http;
        inner.interactions.insert(record);
        endpoint::deliver(sim, inner, url, id, d.to_string().into_bytes());
    } else {
        let mark = Some(Arc::clone(&record.delivered));
        inner.interactions.insert(record);
        sim.dispatch_guild_marked(
            inner,
            guild_id,
            "INTERACTION_CREATE",
            &d,
            Audience::Everyone,
            &mark,
        );
    }
    created
}

/// How many options (sub-command options included) are marked `focused`.
fn focused_count(options: &[Value]) -> usize {
    options
        .iter()
        .map(|o| {
            usize::from(o.get("focused").and_then(Value::as_bool) == Some(true))
                + o.get("options")
                    .and_then(Value::as_array)
                    .map_or(0, |inner| focused_count(inner))
        })
        .sum()
}

pub(crate) async fn run_command(
    State(sim): State<Arc<Sim>>,
    ControlJson(request): ControlJson<RunCommand>,
) -> Result<Json<CreatedInteraction>> {
    let world = &sim.world;
    if request.name.is_empty() {
        return Err(bad_request("`name` must not be empty"));
    }
    let guild = match (request.guild_id, request.channel_id) {
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
    let channel_id = match request.channel_id {
        Some(c) if world.channel_location(c).is_some_and(|(g, _)| g == guild) => c,
        Some(_) => return Err(ApiError::unknown_channel()),
        None => world.channel_id(guild, 0),
    };
    let user_id = user_or_default(&sim, request.user_id)?;
    let kind = match request.kind {
        None => interaction_type::APPLICATION_COMMAND,
        Some(
            kind @ (interaction_type::APPLICATION_COMMAND
            | interaction_type::APPLICATION_COMMAND_AUTOCOMPLETE),
        ) => kind,
        Some(_) => {
            return Err(bad_request(
                "`type` must be 2 (command) or 4 (autocomplete)",
            ));
        }
    };
    let options = request.options.unwrap_or_default();
    if kind == interaction_type::APPLICATION_COMMAND_AUTOCOMPLETE && focused_count(&options) != 1 {
        return Err(bad_request(
            "an autocomplete interaction needs exactly one option with `\"focused\": true`",
        ));
    }
    let guild_id = world.guild_id(guild);
    let mut inner = sim.lock();
    let registered = inner.commands.find(&request.name, Some(guild_id)).cloned();
    let id = sim.ids.next();
    let mut data = json!({
        "id": registered
            .as_ref()
            .and_then(|c| c.get("id").cloned())
            .unwrap_or_else(|| json!(sim.ids.next().to_string())),
        "name": request.name,
        "type": registered.as_ref().and_then(|c| c.get("type").cloned()).unwrap_or(json!(1)),
    });
    if let Some(map) = data.as_object_mut() {
        if !options.is_empty() {
            map.insert("options".into(), Value::Array(options));
        }
        if let Some(g) = registered.as_ref().and_then(|c| c.get("guild_id")) {
            map.insert("guild_id".into(), g.clone());
        }
    }
    let mut record = InteractionRecord::new(id, kind, guild, channel_id, user_id);
    record.command_name = Some(request.name);
    Ok(Json(dispatch_interaction(
        &sim, &mut inner, record, data, None,
    )))
}

pub(crate) async fn click(
    State(sim): State<Arc<Sim>>,
    ControlJson(request): ControlJson<Click>,
) -> Result<Json<CreatedInteraction>> {
    let user_id = user_or_default(&sim, request.user_id)?;
    let mut inner = sim.lock();
    let (guild, channel_id, message) = component_message(&sim, &inner, request.message_id)
        .ok_or_else(ApiError::unknown_message)?;
    let data = match request.values {
        Some(values) => json!({
            "custom_id": request.custom_id,
            "component_type": component_type::STRING_SELECT,
            "values": values,
        }),
        None => json!({"custom_id": request.custom_id, "component_type": component_type::BUTTON}),
    };
    let id = sim.ids.next();
    let mut record = InteractionRecord::new(
        id,
        interaction_type::MESSAGE_COMPONENT,
        guild,
        channel_id,
        user_id,
    );
    record.component_message_id = Some(request.message_id);
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
pub(crate) async fn submit_modal(
    State(sim): State<Arc<Sim>>,
    ControlJson(request): ControlJson<SubmitModal>,
) -> Result<Json<CreatedInteraction>> {
    let shown_to = request.interaction_id;
    let values = request.values.unwrap_or_default();
    if let Some(user) = request.user_id.filter(|u| !sim.world.is_user(*u)) {
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
        request.user_id.unwrap_or(origin.user_id),
        origin.component_message_id,
        origin.command_name.clone(),
    );
    let triggering = interaction_metadata(&sim.world, origin);
    let message = on_message.and_then(|m| component_message(&sim, &inner, m));
    let id = sim.ids.next();
    let mut record = InteractionRecord::new(
        id,
        interaction_type::MODAL_SUBMIT,
        guild,
        channel_id,
        user_id,
    );
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
