//! Channel message routes, and posting a message into a channel (stored, then dispatched as
//! `MESSAGE_CREATE` to the sessions that should see it).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::api_error::ApiError;
use crate::extract::{json_body, snowflake_param};
use crate::kinds::message_type;
use crate::messages::{self, MessageBody, MessageMeta, StoredMessage};
use crate::nonces::nonce_key;
use crate::state::{Audience, Inner, Sim};
use crate::violations::rule;

type Result<T> = std::result::Result<T, ApiError>;

/// Records a `mention_everyone` violation when a bot message would ping @everyone/@here.
pub(crate) fn check_everyone(sim: &Sim, inner: &mut Inner, body: &MessageBody, what: &str) {
    if body.pings_everyone() {
        sim.violation(
            inner,
            rule::MENTION_EVERYONE,
            format!("{what} mentions @everyone/@here without allowed_mentions suppressing it"),
            None,
        );
    }
}

/// Stores a new message and dispatches `MESSAGE_CREATE` (to every live session of the guild's
/// shard that receives guild messages, the author's own included, with the `nonce` it was sent
/// with); `listed: false` keeps it out of the channel (ephemeral responses). Returns the
/// message as the create response shows it.
pub(crate) fn post(
    sim: &Sim,
    inner: &mut Inner,
    guild: u32,
    meta: &MessageMeta,
    body: &MessageBody,
    listed: bool,
) -> Value {
    let world = &sim.world;
    let msg = messages::message_json(world, meta, body);
    let mut json = msg.clone();
    if let Some(map) = json.as_object_mut() {
        map.remove("nonce");
    }
    let stored = StoredMessage {
        json,
        guild,
        allowed_mentions: body.allowed_mentions.clone(),
        nonce: body.nonce.clone(),
    };
    if let Some(key) = body.nonce.as_ref().and_then(nonce_key) {
        inner.nonces.remember(
            meta.author_id,
            key,
            meta.id,
            Instant::now(),
            sim.cfg.nonce_window,
        );
    }
    if listed {
        inner.messages.insert(meta.channel_id, meta.id, stored);
        let from_bot = meta.author_id == world.bot_id();
        let d = messages::gateway_message(world, &msg, guild);
        let content_exempt = from_bot || messages::mentions_user(&msg, world.bot_id());
        sim.dispatch_guild(
            inner,
            world.guild_id(guild),
            "MESSAGE_CREATE",
            &d,
            Audience::GuildMessages { content_exempt },
        );
    } else {
        inner.messages.insert_hidden(meta.id, stored);
    }
    msg
}

/// Applies an edit to a stored message and dispatches `MESSAGE_UPDATE` if it is listed.
pub(crate) fn edit(sim: &Sim, inner: &mut Inner, id: u64, body: &MessageBody) -> Option<Value> {
    let world = &sim.world;
    let stored = inner.messages.get_mut(id)?;
    messages::apply_edit(world, &mut stored.json, body);
    if body.allowed_mentions.is_some() {
        stored.allowed_mentions.clone_from(&body.allowed_mentions);
    }
    let msg = stored.json.clone();
    let guild = stored.guild;
    if inner.messages.is_listed(id) {
        let d = messages::gateway_message(world, &msg, guild);
        sim.dispatch_guild(
            inner,
            world.guild_id(guild),
            "MESSAGE_UPDATE",
            &d,
            Audience::GuildMessages {
                content_exempt: true,
            },
        );
    }
    Some(msg)
}

/// Deletes a stored message and dispatches `MESSAGE_DELETE` if it was listed.
pub(crate) fn delete(sim: &Sim, inner: &mut Inner, channel_id: u64, id: u64) -> bool {
    let listed = inner.messages.is_listed(id);
    let Some(removed) = inner.messages.remove(channel_id, id) else {
        return false;
    };
    if listed {
        let guild_id = sim.world.guild_id(removed.guild);
        let d = json!({
            "id": id.to_string(),
            "channel_id": channel_id.to_string(),
            "guild_id": guild_id.to_string(),
        });
        sim.dispatch_guild(
            inner,
            guild_id,
            "MESSAGE_DELETE",
            &d,
            Audience::GuildMessages {
                content_exempt: true,
            },
        );
    }
    true
}

fn channel(sim: &Sim, raw: &str) -> Result<(u64, u32)> {
    let id = snowflake_param(raw, ApiError::unknown_channel)?;
    let (guild, _) = sim
        .world
        .channel_location(id)
        .ok_or_else(ApiError::unknown_channel)?;
    Ok((id, guild))
}

pub(crate) async fn create_message(
    State(sim): State<Arc<Sim>>,
    Path(channel_raw): Path<String>,
    body: Bytes,
) -> Result<Json<Value>> {
    let (channel_id, guild) = channel(&sim, &channel_raw)?;
    let body = MessageBody::parse(&json_body(&body)?)?;
    if body.is_empty() {
        return Err(ApiError::empty_message());
    }
    let kind = if body.message_reference.is_some() {
        message_type::REPLY
    } else {
        message_type::DEFAULT
    };
    let author_id = sim.world.bot_id();
    let mut inner = sim.lock();
    if let Some(first) = first_with_nonce(&sim, &mut inner, author_id, &body) {
        return Ok(Json(first));
    }
    let meta = MessageMeta {
        id: sim.ids.next(),
        channel_id,
        author_id,
        kind,
        webhook_id: None,
        interaction_metadata: None,
    };
    check_everyone(&sim, &mut inner, &body, "channel message");
    Ok(Json(post(&sim, &mut inner, guild, &meta, &body, true)))
}

/// With `enforce_nonce`, the author's message created with the same nonce within the nonce
/// window (still existing), which Discord returns instead of creating another.
fn first_with_nonce(
    sim: &Sim,
    inner: &mut Inner,
    author: u64,
    body: &MessageBody,
) -> Option<Value> {
    if !body.enforce_nonce {
        return None;
    }
    let nonce = body.nonce.as_ref()?;
    let key = nonce_key(nonce)?;
    let first = inner
        .nonces
        .find(author, &key, Instant::now(), sim.cfg.nonce_window)?;
    let stored = inner.messages.get(first)?;
    let mut json = stored.json.clone();
    if let (Some(map), Some(nonce)) = (json.as_object_mut(), &stored.nonce) {
        map.insert("nonce".into(), nonce.clone());
    }
    Some(json)
}

/// Query of `GET /channels/{id}/messages`.
#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    limit: Option<usize>,
}

pub(crate) async fn list_messages(
    State(sim): State<Arc<Sim>>,
    Path(channel_raw): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>> {
    let (channel_id, _) = channel(&sim, &channel_raw)?;
    let limit = query.limit.unwrap_or(50).clamp(1, 100);
    let inner = sim.lock();
    // Newest first, as Discord lists them.
    let messages: Vec<Value> = inner
        .messages
        .channel(channel_id)
        .into_iter()
        .rev()
        .take(limit)
        .map(|m| m.json.clone())
        .collect();
    Ok(Json(Value::Array(messages)))
}

pub(crate) async fn get_message(
    State(sim): State<Arc<Sim>>,
    Path((channel_raw, message_raw)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let (channel_id, _) = channel(&sim, &channel_raw)?;
    let id = snowflake_param(&message_raw, ApiError::unknown_message)?;
    let mut inner = sim.lock();
    inner
        .messages
        .in_channel_mut(channel_id, id)
        .map(|m| Json(m.json.clone()))
        .ok_or_else(ApiError::unknown_message)
}

pub(crate) async fn edit_message(
    State(sim): State<Arc<Sim>>,
    Path((channel_raw, message_raw)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<Value>> {
    let (channel_id, _) = channel(&sim, &channel_raw)?;
    let id = snowflake_param(&message_raw, ApiError::unknown_message)?;
    let body = MessageBody::parse(&json_body(&body)?)?;
    let mut inner = sim.lock();
    let Some(stored) = inner.messages.in_channel_mut(channel_id, id) else {
        return Err(ApiError::unknown_message());
    };
    let author = stored.json["author"]["id"].as_str().unwrap_or_default();
    if author != sim.world.bot_id().to_string() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            50005,
            "Cannot edit a message authored by another user",
        ));
    }
    check_everyone(&sim, &mut inner, &body, "message edit");
    edit(&sim, &mut inner, id, &body)
        .map(Json)
        .ok_or_else(ApiError::unknown_message)
}

pub(crate) async fn delete_message(
    State(sim): State<Arc<Sim>>,
    Path((channel_raw, message_raw)): Path<(String, String)>,
) -> Result<StatusCode> {
    let (channel_id, _) = channel(&sim, &channel_raw)?;
    let id = snowflake_param(&message_raw, ApiError::unknown_message)?;
    let mut inner = sim.lock();
    if inner.messages.in_channel_mut(channel_id, id).is_none() {
        return Err(ApiError::unknown_message());
    }
    delete(&sim, &mut inner, channel_id, id);
    Ok(StatusCode::NO_CONTENT)
}
