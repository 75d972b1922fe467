//! Interaction responses: the callback (types 4-9) with its 3 s window, single acknowledgement
//! and the pairing of callback and interaction types (8 only for autocomplete, 9 recorded as the
//! modal `POST /_sim/modals` submits), and the webhook routes (`@original`, follow-ups) the
//! token opens for 15 min.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::api_error::ApiError;
use crate::extract::{json_body, snowflake_param};
use crate::interactions::{InteractionRecord, interaction_metadata};
use crate::kinds::message_flag::{EPHEMERAL, LOADING};
use crate::kinds::{callback_type, interaction_type, message_type};
use crate::messages::{MessageBody, MessageMeta};
use crate::modals;
use crate::rest_channels::{self, check_everyone};
use crate::state::{Inner, Sim};
use crate::types::{Followup, ResponseVia};
use crate::violations::rule;

type Result<T> = std::result::Result<T, ApiError>;

/// Records the first error the bot got on an interaction.
pub(crate) fn record_error(inner: &mut Inner, id: u64, err: &ApiError) {
    if let Some(record) = inner.interactions.get_mut(id) {
        record.fail(&format!("{} {}", err.code, err.message));
    }
}

pub(crate) async fn callback(
    State(sim): State<Arc<Sim>>,
    Path((id_raw, token)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response> {
    let id = snowflake_param(&id_raw, ApiError::unknown_interaction)?;
    let body = json_body(&body)?;
    let with_response = query
        .get("with_response")
        .is_some_and(|v| v == "true" || v == "1");
    let mut inner = sim.lock();
    let result = respond(&sim, &mut inner, id, &token, &body, ResponseVia::Rest);
    match result {
        Ok(resource) => {
            if !with_response {
                return Ok(StatusCode::NO_CONTENT.into_response());
            }
            let Some(record) = inner.interactions.get(id) else {
                return Err(ApiError::unknown_interaction());
            };
            let mut interaction = json!({"id": id.to_string(), "type": record.kind});
            if let (Some(msg), Some(map)) =
                (record.original_message_id, interaction.as_object_mut())
            {
                map.insert("response_message_id".into(), json!(msg.to_string()));
                map.insert(
                    "response_message_loading".into(),
                    json!(
                        record.response_type
                            == Some(callback_type::DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE)
                    ),
                );
                map.insert("response_message_ephemeral".into(), json!(record.ephemeral));
            }
            let mut out = json!({"interaction": interaction});
            if let (Some(resource), Some(map)) = (resource, out.as_object_mut()) {
                map.insert("resource".into(), resource);
            }
            Ok((StatusCode::OK, Json(out)).into_response())
        }
        Err(err) => {
            record_error(&mut inner, id, &err);
            Err(err)
        }
    }
}

/// Applies an initial response (from the REST callback or an endpoint's HTTP answer, `via`);
/// returns the callback `resource` for `with_response`.
// The response types share their checks; one match keeps them side by side.
#[allow(clippy::too_many_lines)]
pub(crate) fn respond(
    sim: &Sim,
    inner: &mut Inner,
    id: u64,
    token: &str,
    body: &Value,
    via: ResponseVia,
) -> Result<Option<Value>> {
    let now = Instant::now();
    let lenient = sim.cfg.lenient;
    let Some(record) = inner.interactions.get_mut(id).filter(|r| r.token == token) else {
        return Err(ApiError::unknown_interaction());
    };
    record.first_callback_at.get_or_insert(now);
    record.record_body("callback", body);
    let already = record.response_type.is_some();
    let late = !already && now.duration_since(record.dispatched_at) > sim.cfg.interaction_window;
    let waited = now.duration_since(record.dispatched_at);
    if already {
        sim.violation(
            inner,
            rule::INTERACTION_DOUBLE_ACK,
            format!("second initial response to interaction {id}"),
            None,
        );
        if !lenient {
            return Err(ApiError::already_acknowledged());
        }
    }
    if late {
        sim.violation(
            inner,
            rule::INTERACTION_LATE,
            format!(
                "first response to interaction {id} after {waited:?} (window {:?})",
                sim.cfg.interaction_window
            ),
            None,
        );
        if !lenient {
            return Err(ApiError::unknown_interaction());
        }
    }
    let Some(kind) = body
        .get("type")
        .and_then(Value::as_u64)
        .and_then(|t| u8::try_from(t).ok())
        .filter(|t| {
            (callback_type::CHANNEL_MESSAGE_WITH_SOURCE..=callback_type::MODAL).contains(t)
        })
    else {
        return Err(ApiError::invalid_form(
            "type",
            "Value must be one of {4, 5, 6, 7, 8, 9}.",
        ));
    };
    let data = match body.get("data") {
        None | Some(Value::Null) => Value::Null,
        Some(data @ Value::Object(_)) => data.clone(),
        Some(_) => return Err(ApiError::invalid_form("data", "Expected an object.")),
    };
    let Some(record) = inner.interactions.get(id) else {
        return Err(ApiError::unknown_interaction());
    };
    let (guild, channel_id, interaction_kind, component_message) = (
        record.guild,
        record.channel_id,
        record.kind,
        record.component_message_id,
    );
    check_fits(kind, interaction_kind, component_message.is_some())?;
    let choices = if kind == callback_type::APPLICATION_COMMAND_AUTOCOMPLETE_RESULT {
        Some(autocomplete_choices(&data)?)
    } else {
        None
    };
    let modal = if kind == callback_type::MODAL {
        Some(modals::parse(&data)?)
    } else {
        None
    };
    let metadata = interaction_metadata(&sim.world, record);
    let mut resource = None;
    let mut original = None;
    let mut ephemeral = false;
    let mut content = None;
    match kind {
        callback_type::CHANNEL_MESSAGE_WITH_SOURCE
        | callback_type::DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE => {
            let mut msg_body = if data.is_null() {
                MessageBody::default()
            } else {
                MessageBody::parse(&data)?
            };
            if kind == callback_type::CHANNEL_MESSAGE_WITH_SOURCE {
                if msg_body.is_empty() {
                    return Err(ApiError::empty_message());
                }
                check_everyone(sim, inner, &msg_body, "interaction response");
            } else {
                msg_body.content = None;
                msg_body.embeds = None;
                msg_body.components = None;
                msg_body.flags = Some((msg_body.flags.unwrap_or(0) & EPHEMERAL) | LOADING);
            }
            ephemeral = msg_body.flags.unwrap_or(0) & EPHEMERAL != 0;
            let meta = MessageMeta {
                id: sim.ids.next(),
                channel_id,
                author_id: sim.world.bot_id(),
                kind: if interaction_kind == interaction_type::APPLICATION_COMMAND {
                    message_type::CHAT_INPUT_COMMAND
                } else {
                    message_type::REPLY
                },
                webhook_id: Some(sim.world.application_id()),
                interaction_metadata: Some(metadata),
            };
            let msg = rest_channels::post(sim, inner, guild, &meta, &msg_body, !ephemeral);
            content = Some(msg_body.content.clone().unwrap_or_default());
            original = Some(meta.id);
            if kind == callback_type::CHANNEL_MESSAGE_WITH_SOURCE {
                resource = Some(json!({"type": kind, "message": msg}));
            }
        }
        callback_type::DEFERRED_UPDATE_MESSAGE => original = component_message,
        callback_type::UPDATE_MESSAGE => {
            // No `data` changes nothing; malformed `data` is a 50035 like any message body.
            let msg_body = if data.is_null() {
                MessageBody::default()
            } else {
                MessageBody::parse(&data)?
            };
            check_everyone(sim, inner, &msg_body, "interaction update");
            if let Some(message) = component_message {
                if let Some(msg) = rest_channels::edit(sim, inner, message, &msg_body) {
                    content = msg
                        .get("content")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    resource = Some(json!({"type": kind, "message": msg}));
                }
                original = Some(message);
            }
        }
        _ => {}
    }
    let Some(record) = inner.interactions.get_mut(id) else {
        return Err(ApiError::unknown_interaction());
    };
    if !already {
        record.responded_at = Some(now);
        record.response_type = Some(kind);
        record.response_via = Some(via);
    }
    if choices.is_some() {
        record.choices = choices;
    }
    if modal.is_some() {
        record.modal = modal;
    }
    if original.is_some() {
        record.original_message_id = original;
        record.ephemeral = ephemeral;
    }
    if content.is_some() {
        record.content = content;
    }
    Ok(resource)
}

/// Discord's pairing of callback types with interaction types: an autocomplete interaction
/// takes only a result (8) and a result fits nothing else; a modal (9) cannot answer an
/// autocomplete or a modal submit; updates (6, 7) need a message, so a click or the submit of a
/// modal a click opened.
fn check_fits(kind: u8, interaction_kind: u8, on_message: bool) -> Result<()> {
    use callback_type::{
        APPLICATION_COMMAND_AUTOCOMPLETE_RESULT as RESULT, DEFERRED_UPDATE_MESSAGE as DEFER_UPDATE,
        MODAL, UPDATE_MESSAGE as UPDATE,
    };
    use interaction_type::{
        APPLICATION_COMMAND_AUTOCOMPLETE as AUTOCOMPLETE, MESSAGE_COMPONENT as COMPONENT,
        MODAL_SUBMIT,
    };
    let fits = match (kind, interaction_kind) {
        (RESULT, AUTOCOMPLETE) | (DEFER_UPDATE | UPDATE, COMPONENT) => true,
        (DEFER_UPDATE | UPDATE, MODAL_SUBMIT) => on_message,
        (_, AUTOCOMPLETE) | (DEFER_UPDATE | UPDATE | RESULT, _) | (MODAL, MODAL_SUBMIT) => false,
        _ => true,
    };
    if fits {
        Ok(())
    } else {
        Err(ApiError::invalid_callback_type())
    }
}

/// Most choices an autocomplete result may carry.
const MAX_CHOICES: usize = 25;

/// The `data.choices` of an autocomplete result, checked as Discord checks them.
fn autocomplete_choices(data: &Value) -> Result<Vec<Value>> {
    let path = ["data", "choices"];
    let Some(choices) = data.get("choices").and_then(Value::as_array) else {
        return Err(ApiError::invalid_form_at(&path, "This field is required"));
    };
    if choices.len() > MAX_CHOICES {
        return Err(ApiError::invalid_form_at(
            &path,
            "Must be 25 or fewer in length.",
        ));
    }
    let valid = |c: &Value| {
        c.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| (1..=100).contains(&n.chars().count()))
            && c.get("value").is_some_and(|v| {
                v.as_str().is_some_and(|s| s.chars().count() <= 100) || v.is_number()
            })
    };
    if !choices.iter().all(valid) {
        return Err(ApiError::invalid_form_at(
            &path,
            "Each choice needs a name of 1 to 100 characters and a string (up to 100) or number value.",
        ));
    }
    Ok(choices.clone())
}

/// The interaction a webhook route names, checked for application, token and lifetime.
fn webhook_record<'a>(
    sim: &Sim,
    inner: &'a mut Inner,
    app: &str,
    token: &str,
) -> Result<&'a mut InteractionRecord> {
    if app != sim.world.application_id().to_string() {
        return Err(ApiError::unknown_webhook());
    }
    let lifetime = sim.cfg.interaction_token_lifetime;
    let (expired, id) = match inner.interactions.by_token_mut(token) {
        Some(record) => (record.dispatched_at.elapsed() > lifetime, record.id),
        None => return Err(ApiError::invalid_webhook_token()),
    };
    if expired {
        sim.violation(
            inner,
            rule::INTERACTION_TOKEN_EXPIRED,
            format!("interaction {id} token used after {lifetime:?}"),
            None,
        );
        if !sim.cfg.lenient {
            let err = ApiError::invalid_webhook_token();
            record_error(inner, id, &err);
            return Err(err);
        }
    }
    let record = inner
        .interactions
        .get_mut(id)
        .ok_or_else(ApiError::invalid_webhook_token)?;
    if record.response_type.is_none() {
        let err = ApiError::unknown_webhook();
        record.fail(&format!("{} {}", err.code, err.message));
        return Err(err);
    }
    Ok(record)
}

/// Resolves `@original` or a follow-up id to a message of this interaction.
fn message_of(record: &InteractionRecord, raw: &str) -> Result<u64> {
    if raw == "@original" {
        return record
            .original_message_id
            .ok_or_else(ApiError::unknown_message);
    }
    let id = snowflake_param(raw, ApiError::unknown_message)?;
    if record.followups.iter().any(|f| f.id == raw) || record.original_message_id == Some(id) {
        Ok(id)
    } else {
        Err(ApiError::unknown_message())
    }
}

pub(crate) async fn followup(
    State(sim): State<Arc<Sim>>,
    Path((app, token)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<Value>> {
    let body = json_body(&body)?;
    let mut inner = sim.lock();
    let record = webhook_record(&sim, &mut inner, &app, &token)?;
    record.record_body("followup", &body);
    let (id, guild, channel_id, metadata) = (
        record.id,
        record.guild,
        record.channel_id,
        interaction_metadata(&sim.world, record),
    );
    let msg_body = match MessageBody::parse(&body) {
        Ok(b) if b.is_empty() => Err(ApiError::empty_message()),
        other => other,
    };
    let msg_body = match msg_body {
        Ok(b) => b,
        Err(err) => {
            record_error(&mut inner, id, &err);
            return Err(err);
        }
    };
    check_everyone(&sim, &mut inner, &msg_body, "interaction follow-up");
    let ephemeral = msg_body.flags.unwrap_or(0) & EPHEMERAL != 0;
    let meta = MessageMeta {
        id: sim.ids.next(),
        channel_id,
        author_id: sim.world.bot_id(),
        kind: message_type::DEFAULT,
        webhook_id: Some(sim.world.application_id()),
        interaction_metadata: Some(metadata),
    };
    let msg = rest_channels::post(&sim, &mut inner, guild, &meta, &msg_body, !ephemeral);
    if let Some(record) = inner.interactions.get_mut(id) {
        record.followups.push(Followup {
            id: meta.id.to_string(),
            content: msg_body.content.clone().unwrap_or_default(),
            flags: msg_body.flags.unwrap_or(0),
            allowed_mentions: msg_body.allowed_mentions.clone(),
        });
    }
    Ok(Json(msg))
}

pub(crate) async fn get_webhook_message(
    State(sim): State<Arc<Sim>>,
    Path((app, token, message)): Path<(String, String, String)>,
) -> Result<Json<Value>> {
    let mut inner = sim.lock();
    let record = webhook_record(&sim, &mut inner, &app, &token)?;
    let id = message_of(record, &message)?;
    inner
        .messages
        .get(id)
        .map(|m| Json(m.json.clone()))
        .ok_or_else(ApiError::unknown_message)
}

pub(crate) async fn edit_webhook_message(
    State(sim): State<Arc<Sim>>,
    Path((app, token, message)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Json<Value>> {
    let body = json_body(&body)?;
    let mut inner = sim.lock();
    let record = webhook_record(&sim, &mut inner, &app, &token)?;
    record.record_body("edit_original", &body);
    let interaction = record.id;
    let id = message_of(record, &message)?;
    let is_original = record.original_message_id == Some(id);
    let msg_body = match MessageBody::parse(&body) {
        Ok(b) => b,
        Err(err) => {
            record_error(&mut inner, interaction, &err);
            return Err(err);
        }
    };
    check_everyone(&sim, &mut inner, &msg_body, "interaction edit");
    let msg = rest_channels::edit(&sim, &mut inner, id, &msg_body)
        .ok_or_else(ApiError::unknown_message)?;
    if let Some(record) = inner.interactions.get_mut(interaction) {
        let content = msg
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if is_original {
            record.content = Some(content);
        } else if let Some(f) = record.followups.iter_mut().find(|f| f.id == id.to_string()) {
            f.content = content;
            if msg_body.allowed_mentions.is_some() {
                f.allowed_mentions.clone_from(&msg_body.allowed_mentions);
            }
        }
    }
    Ok(Json(msg))
}

pub(crate) async fn delete_webhook_message(
    State(sim): State<Arc<Sim>>,
    Path((app, token, message)): Path<(String, String, String)>,
) -> Result<StatusCode> {
    let mut inner = sim.lock();
    let record = webhook_record(&sim, &mut inner, &app, &token)?;
    record.record_body("delete_original", &Value::Null);
    let channel_id = record.channel_id;
    let interaction = record.id;
    let id = message_of(record, &message)?;
    if !rest_channels::delete(&sim, &mut inner, channel_id, id) {
        return Err(ApiError::unknown_message());
    }
    if let Some(record) = inner.interactions.get_mut(interaction) {
        if record.original_message_id == Some(id) {
            record.content = None;
        }
        record.followups.retain(|f| f.id != id.to_string());
    }
    Ok(StatusCode::NO_CONTENT)
}
