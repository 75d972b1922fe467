//! Channel messages: parsing what a client sends, writing the message objects Discord returns,
//! and the store `GET /_sim/channels/{id}/messages` reads.

use std::collections::{HashMap, VecDeque};

use serde_json::{Map, Value, json};

use crate::api_error::ApiError;
use crate::kinds::message_flag;
use crate::snowflake::{iso8601, unix_ms_now};
use crate::world::World;

/// Most messages kept per channel (older ones are forgotten).
const MAX_PER_CHANNEL: usize = 10_000;
/// Discord's content limit.
const MAX_CONTENT_CHARS: usize = 2000;
/// Discord's limit of a string nonce.
const MAX_NONCE_CHARS: usize = 25;

/// The message fields of a create/edit/callback body.
#[derive(Debug, Clone, Default)]
pub(crate) struct MessageBody {
    pub(crate) content: Option<String>,
    pub(crate) embeds: Option<Vec<Value>>,
    pub(crate) components: Option<Vec<Value>>,
    pub(crate) allowed_mentions: Option<Value>,
    pub(crate) flags: Option<u64>,
    pub(crate) tts: bool,
    /// A string of up to 25 characters or an integer.
    pub(crate) nonce: Option<Value>,
    /// Return the author's recent message with the same nonce instead of creating another.
    pub(crate) enforce_nonce: bool,
    pub(crate) message_reference: Option<Value>,
    pub(crate) has_files: bool,
}

impl MessageBody {
    /// Parses and validates a body as Discord does (content length, embed and row counts).
    pub(crate) fn parse(body: &Value) -> Result<Self, ApiError> {
        let Some(map) = body.as_object() else {
            return Err(ApiError::invalid_form("_root", "Expected an object."));
        };
        let content = match map.get("content") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                return Err(ApiError::invalid_form(
                    "content",
                    "Could not interpret as string.",
                ));
            }
        };
        if content
            .as_ref()
            .is_some_and(|c| c.chars().count() > MAX_CONTENT_CHARS)
        {
            return Err(ApiError::invalid_form(
                "content",
                "Must be 2000 or fewer in length.",
            ));
        }
        let embeds = array_field(map, "embeds", 10)?.map(|embeds| {
            embeds
                .into_iter()
                .map(|mut e| {
                    if let Some(obj) = e.as_object_mut() {
                        obj.entry("type").or_insert_with(|| json!("rich"));
                    }
                    e
                })
                .collect()
        });
        let components = array_field(map, "components", 5)?.map(|mut rows| {
            let mut next_id = 1;
            number_components(&mut rows, &mut next_id);
            rows
        });
        let flags = match map.get("flags") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .ok_or_else(|| ApiError::invalid_form("flags", "Value is not int."))?,
            ),
        };
        let nonce = match map.get("nonce") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.chars().count() > MAX_NONCE_CHARS => {
                return Err(ApiError::invalid_form(
                    "nonce",
                    "Must be 25 or fewer in length.",
                ));
            }
            Some(n @ Value::String(_)) => Some(n.clone()),
            Some(n @ Value::Number(number)) if number.is_i64() || number.is_u64() => {
                Some(n.clone())
            }
            Some(_) => {
                return Err(ApiError::invalid_form(
                    "nonce",
                    "Must be a string of up to 25 characters or an integer.",
                ));
            }
        };
        Ok(Self {
            content,
            embeds,
            components,
            allowed_mentions: object_field(map, "allowed_mentions")?,
            flags,
            tts: bool_field(map, "tts")?,
            nonce,
            enforce_nonce: bool_field(map, "enforce_nonce")?,
            message_reference: object_field(map, "message_reference")?,
            has_files: map
                .get("attachments")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty())
                || map
                    .get("sticker_ids")
                    .and_then(Value::as_array)
                    .is_some_and(|a| !a.is_empty()),
        })
    }

    /// Whether the body would create a message with nothing in it (50006).
    pub(crate) fn is_empty(&self) -> bool {
        self.content.as_deref().is_none_or(str::is_empty)
            && self.embeds.as_ref().is_none_or(Vec::is_empty)
            && self.components.as_ref().is_none_or(Vec::is_empty)
            && !self.has_files
    }

    /// Whether the content would ping @everyone/@here: it names them and `allowed_mentions`
    /// (absent = parse everything) does not suppress it.
    pub(crate) fn pings_everyone(&self) -> bool {
        let names_everyone = self
            .content
            .as_deref()
            .is_some_and(|c| c.contains("@everyone") || c.contains("@here"));
        names_everyone && parse_allows(self.allowed_mentions.as_ref(), "everyone")
    }
}

fn parse_allows(allowed: Option<&Value>, kind: &str) -> bool {
    match allowed {
        None => true,
        Some(allowed) => allowed
            .get("parse")
            .and_then(Value::as_array)
            .is_some_and(|p| p.iter().any(|v| v.as_str() == Some(kind))),
    }
}

fn bool_field(map: &Map<String, Value>, field: &str) -> Result<bool, ApiError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(ApiError::invalid_form(
            field,
            "Must be either true or false.",
        )),
    }
}

fn object_field(map: &Map<String, Value>, field: &str) -> Result<Option<Value>, ApiError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
        Some(_) => Err(ApiError::invalid_form(field, "Expected an object.")),
    }
}

fn array_field(
    map: &Map<String, Value>,
    field: &str,
    max: usize,
) -> Result<Option<Vec<Value>>, ApiError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) if items.len() <= max => Ok(Some(items.clone())),
        Some(Value::Array(_)) => Err(ApiError::invalid_form(
            field,
            &format!("Must be {max} or fewer in length."),
        )),
        Some(_) => Err(ApiError::invalid_form(field, "Expected an array.")),
    }
}

/// Discord numbers every component of a message (the `id` its responses carry).
fn number_components(components: &mut [Value], next_id: &mut u64) {
    for component in components {
        if let Some(obj) = component.as_object_mut() {
            obj.entry("id").or_insert_with(|| json!(*next_id));
            *next_id += 1;
            if let Some(Value::Array(children)) = obj.get_mut("components") {
                number_components(children, next_id);
            }
        }
    }
}

/// Users mentioned as `<@id>` or `<@!id>` in `content` who exist in the world.
fn mentioned_users(world: &World, content: &str) -> Vec<u64> {
    let mut ids = Vec::new();
    let mut rest = content;
    while let Some(start) = rest.find("<@") {
        rest = &rest[start + 2..];
        let digits = rest.strip_prefix('!').unwrap_or(rest);
        let end = digits.find('>').unwrap_or(0);
        if let Ok(id) = digits[..end].parse::<u64>()
            && world.is_user(id)
            && !ids.contains(&id)
        {
            ids.push(id);
        }
    }
    ids
}

/// What a new message is besides its body.
#[derive(Debug, Clone)]
pub(crate) struct MessageMeta {
    pub(crate) id: u64,
    pub(crate) channel_id: u64,
    pub(crate) author_id: u64,
    /// Message type: 0 default, 19 reply, 20 chat input command.
    pub(crate) kind: u8,
    pub(crate) webhook_id: Option<u64>,
    pub(crate) interaction_metadata: Option<Value>,
}

/// The message object as REST returns it.
pub(crate) fn message_json(world: &World, meta: &MessageMeta, body: &MessageBody) -> Value {
    let content = body.content.clone().unwrap_or_default();
    let mentions: Vec<Value> = if parse_allows(body.allowed_mentions.as_ref(), "users") {
        mentioned_users(world, &content)
            .into_iter()
            .map(|id| world.user_json(id))
            .collect()
    } else {
        body.allowed_mentions
            .as_ref()
            .and_then(|a| a.get("users"))
            .and_then(Value::as_array)
            .map(|users| {
                users
                    .iter()
                    .filter_map(|u| u.as_str().and_then(|s| s.parse::<u64>().ok()))
                    .filter(|id| content.contains(&id.to_string()) && world.is_user(*id))
                    .map(|id| world.user_json(id))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut msg = json!({
        "type": meta.kind,
        "content": content,
        "mentions": mentions,
        "mention_roles": [],
        "attachments": [],
        "embeds": body.embeds.clone().unwrap_or_default(),
        "timestamp": iso8601(unix_ms_now()),
        "edited_timestamp": null,
        "flags": body.flags.unwrap_or(0),
        "components": body.components.clone().unwrap_or_default(),
        "id": meta.id.to_string(),
        "channel_id": meta.channel_id.to_string(),
        "author": world.user_json(meta.author_id),
        "pinned": false,
        "mention_everyone": body.pings_everyone(),
        "tts": body.tts,
    });
    if let Some(map) = msg.as_object_mut() {
        if let Some(nonce) = &body.nonce {
            map.insert("nonce".into(), nonce.clone());
        }
        if let Some(reference) = &body.message_reference {
            let mut reference = reference.clone();
            if let Some(r) = reference.as_object_mut() {
                r.entry("type").or_insert(json!(0));
                r.entry("channel_id")
                    .or_insert_with(|| json!(meta.channel_id.to_string()));
            }
            map.insert("message_reference".into(), reference);
        }
        if let Some(webhook) = meta.webhook_id {
            map.insert("webhook_id".into(), json!(webhook.to_string()));
            map.insert(
                "application_id".into(),
                json!(world.application_id().to_string()),
            );
        }
        if let Some(metadata) = &meta.interaction_metadata {
            map.insert("interaction_metadata".into(), metadata.clone());
        }
    }
    msg
}

/// The `MESSAGE_CREATE/UPDATE` `d` for a stored message: the REST object plus `guild_id`, the
/// author's `member` and each mention's `member`.
pub(crate) fn gateway_message(world: &World, msg: &Value, guild: u32) -> Value {
    let mut d = msg.clone();
    if let Some(map) = d.as_object_mut() {
        map.insert("guild_id".into(), json!(world.guild_id(guild).to_string()));
        let is_webhook = map.contains_key("webhook_id");
        if !is_webhook {
            map.insert("member".into(), world.partial_member_json(guild));
        }
        if let Some(Value::Array(mentions)) = map.get_mut("mentions") {
            for m in mentions {
                if let Some(obj) = m.as_object_mut() {
                    obj.insert("member".into(), world.partial_member_json(guild));
                }
            }
        }
    }
    d
}

/// Whether a message mentions the bot (content is then visible without `MESSAGE_CONTENT`).
pub(crate) fn mentions_user(msg: &Value, user_id: u64) -> bool {
    let id = user_id.to_string();
    msg.get("mentions")
        .and_then(Value::as_array)
        .is_some_and(|m| {
            m.iter()
                .any(|u| u.get("id").and_then(Value::as_str) == Some(&id))
        })
}

/// Applies an edit body to a stored message object.
pub(crate) fn apply_edit(world: &World, msg: &mut Value, body: &MessageBody) {
    let Some(map) = msg.as_object_mut() else {
        return;
    };
    if let Some(content) = &body.content {
        map.insert("content".into(), json!(content));
        let mention_ids = mentioned_users(world, content);
        map.insert(
            "mentions".into(),
            Value::Array(
                mention_ids
                    .into_iter()
                    .map(|id| world.user_json(id))
                    .collect(),
            ),
        );
        map.insert("mention_everyone".into(), json!(body.pings_everyone()));
    }
    if let Some(embeds) = &body.embeds {
        map.insert("embeds".into(), json!(embeds));
    }
    if let Some(components) = &body.components {
        map.insert("components".into(), json!(components));
    }
    if let Some(flags) = body.flags {
        // Editing can only add SUPPRESS_EMBEDS; keep other flags but clear LOADING.
        let old = map.get("flags").and_then(Value::as_u64).unwrap_or(0);
        map.insert(
            "flags".into(),
            json!((old & !message_flag::LOADING) | (flags & message_flag::SUPPRESS_EMBEDS)),
        );
    } else if let Some(old) = map.get("flags").and_then(Value::as_u64) {
        map.insert("flags".into(), json!(old & !message_flag::LOADING));
    }
    map.insert("edited_timestamp".into(), json!(iso8601(unix_ms_now())));
}

/// A message kept by the simulator.
#[derive(Debug, Clone)]
pub(crate) struct StoredMessage {
    /// The message as `GET` returns it: without `nonce`, which only the create response and
    /// `MESSAGE_CREATE` carry.
    pub(crate) json: Value,
    pub(crate) guild: u32,
    pub(crate) allowed_mentions: Option<Value>,
    pub(crate) nonce: Option<Value>,
}

/// Messages by channel, oldest first.
#[derive(Debug, Default)]
pub(crate) struct MessageStore {
    channels: HashMap<u64, VecDeque<u64>>,
    /// Messages not listed in a channel (ephemeral responses), oldest first.
    hidden: VecDeque<u64>,
    messages: HashMap<u64, StoredMessage>,
}

impl MessageStore {
    pub(crate) fn insert(&mut self, channel_id: u64, id: u64, message: StoredMessage) {
        let ids = self.channels.entry(channel_id).or_default();
        ids.push_back(id);
        if ids.len() > MAX_PER_CHANNEL
            && let Some(old) = ids.pop_front()
        {
            self.messages.remove(&old);
        }
        self.messages.insert(id, message);
    }

    /// Keeps a message that is not shown in its channel (an ephemeral response).
    pub(crate) fn insert_hidden(&mut self, id: u64, message: StoredMessage) {
        self.hidden.push_back(id);
        if self.hidden.len() > MAX_PER_CHANNEL
            && let Some(old) = self.hidden.pop_front()
        {
            self.messages.remove(&old);
        }
        self.messages.insert(id, message);
    }

    /// Whether a message is shown in its channel (not ephemeral).
    pub(crate) fn is_listed(&self, id: u64) -> bool {
        self.messages.get(&id).is_some_and(|m| {
            m.json
                .get("channel_id")
                .and_then(Value::as_str)
                .and_then(|c| c.parse::<u64>().ok())
                .and_then(|c| self.channels.get(&c))
                .is_some_and(|ids| ids.contains(&id))
        })
    }

    pub(crate) fn get(&self, id: u64) -> Option<&StoredMessage> {
        self.messages.get(&id)
    }

    pub(crate) fn get_mut(&mut self, id: u64) -> Option<&mut StoredMessage> {
        self.messages.get_mut(&id)
    }

    /// The stored message `id` if it is in `channel_id`.
    pub(crate) fn in_channel_mut(
        &mut self,
        channel_id: u64,
        id: u64,
    ) -> Option<&mut StoredMessage> {
        let channel = channel_id.to_string();
        self.messages
            .get_mut(&id)
            .filter(|m| m.json.get("channel_id").and_then(Value::as_str) == Some(&channel))
    }

    pub(crate) fn remove(&mut self, channel_id: u64, id: u64) -> Option<StoredMessage> {
        let removed = self.messages.remove(&id)?;
        if let Some(ids) = self.channels.get_mut(&channel_id) {
            ids.retain(|m| *m != id);
        }
        Some(removed)
    }

    /// A channel's messages, oldest first.
    pub(crate) fn channel(&self, channel_id: u64) -> Vec<&StoredMessage> {
        self.channels
            .get(&channel_id)
            .map(|ids| ids.iter().filter_map(|id| self.messages.get(id)).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyone_ping_depends_on_allowed_mentions() {
        let ping = |body: Value| {
            MessageBody::parse(&body)
                .expect("valid body")
                .pings_everyone()
        };
        assert!(ping(json!({"content": "hi @everyone"})));
        assert!(!ping(
            json!({"content": "hi @everyone", "allowed_mentions": {"parse": []}})
        ));
        assert!(ping(
            json!({"content": "@here", "allowed_mentions": {"parse": ["everyone"]}})
        ));
        assert!(!ping(json!({"content": "hello"})));
    }

    #[test]
    fn rejects_long_and_empty_messages() {
        let long = "x".repeat(2001);
        assert_eq!(
            MessageBody::parse(&json!({"content": long}))
                .map_err(|e| e.code)
                .err(),
            Some(50035)
        );
        assert!(
            MessageBody::parse(&json!({"content": ""}))
                .expect("parses")
                .is_empty()
        );
    }

    #[test]
    fn parses_mentions_of_world_users() {
        let world = World::new(1, 1, 4);
        let u = world.user_id(1);
        assert_eq!(
            mentioned_users(&world, &format!("hi <@{u}> and <@!{u}> <@12>")),
            vec![u]
        );
    }
}
