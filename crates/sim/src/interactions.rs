//! Interactions users trigger (slash commands, autocomplete, button clicks, modal submits): the
//! `INTERACTION_CREATE` payloads and what the bot answered, for `GET /_sim/interactions/{id}`.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::time::Instant;

use crate::session::DeliveryMark;
use crate::types::{Followup, Ingress, InteractionStatus, RecordedBody, ResponseVia, ShownModal};
use crate::world::World;

/// One interaction and everything the bot did with it.
#[derive(Debug)]
pub(crate) struct InteractionRecord {
    pub(crate) id: u64,
    pub(crate) token: String,
    pub(crate) kind: u8,
    pub(crate) guild: u32,
    pub(crate) channel_id: u64,
    pub(crate) user_id: u64,
    /// Command name (types 2 and 4).
    pub(crate) command_name: Option<String>,
    /// The message the clicked component is on (type 3, and type 5 when a click showed the modal).
    pub(crate) component_message_id: Option<u64>,
    pub(crate) dispatched_at: Instant,
    pub(crate) first_callback_at: Option<Instant>,
    /// When the accepted initial response came (starts the token's lifetime).
    pub(crate) responded_at: Option<Instant>,
    pub(crate) response_type: Option<u8>,
    pub(crate) original_message_id: Option<u64>,
    pub(crate) ephemeral: bool,
    /// Current content of the original response.
    pub(crate) content: Option<String>,
    pub(crate) followups: Vec<Followup>,
    pub(crate) error: Option<String>,
    pub(crate) allowed_mentions: Option<Value>,
    pub(crate) bodies: Vec<RecordedBody>,
    /// Choices of the accepted autocomplete result (callback type 8).
    pub(crate) choices: Option<Vec<Value>>,
    /// The modal shown in answer (callback type 9).
    pub(crate) modal: Option<ShownModal>,
    /// For a modal submit: `interaction_metadata` of the interaction that showed the modal.
    pub(crate) triggering_metadata: Option<Value>,
    /// Set when the interaction reached the bot (written to a connection, or the endpoint
    /// answered its POST).
    pub(crate) delivered: Arc<DeliveryMark>,
    pub(crate) ingress: Ingress,
    /// How the accepted initial response came.
    pub(crate) response_via: Option<ResponseVia>,
}

impl InteractionRecord {
    /// A new interaction of `kind` (see `kinds::interaction_type`), not dispatched yet.
    pub(crate) fn new(id: u64, kind: u8, guild: u32, channel_id: u64, user_id: u64) -> Self {
        Self {
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
            delivered: Arc::default(),
            ingress: Ingress::Gateway,
            response_via: None,
        }
    }

    pub(crate) fn record_body(&mut self, kind: &str, body: &Value) {
        if let Some(allowed) = body
            .get("allowed_mentions")
            .or_else(|| body.get("data").and_then(|d| d.get("allowed_mentions")))
            .filter(|v| !v.is_null())
        {
            self.allowed_mentions = Some(allowed.clone());
        }
        self.bodies.push(RecordedBody {
            kind: kind.to_owned(),
            body: body.clone(),
        });
    }

    pub(crate) fn fail(&mut self, error: &str) {
        if self.error.is_none() {
            self.error = Some(error.to_owned());
        }
    }

    pub(crate) fn status(&self) -> InteractionStatus {
        InteractionStatus {
            id: self.id.to_string(),
            kind: self.kind,
            responded: self.response_type.is_some(),
            response_type: self.response_type,
            response_ms: self.first_callback_at.map(|t| {
                u64::try_from(t.duration_since(self.dispatched_at).as_millis()).unwrap_or(u64::MAX)
            }),
            response_us: self.first_callback_at.map(|t| {
                u64::try_from(t.duration_since(self.dispatched_at).as_micros()).unwrap_or(u64::MAX)
            }),
            content: self.content.clone(),
            original_message_id: self.original_message_id.map(|id| id.to_string()),
            ephemeral: self.ephemeral,
            followups: self.followups.clone(),
            error: self.error.clone(),
            allowed_mentions: self.allowed_mentions.clone(),
            bodies: self.bodies.clone(),
            choices: self.choices.clone(),
            modal: self.modal.clone(),
            delivered: self.delivered.is_set(),
            ingress: self.ingress,
            response_via: self.response_via,
        }
    }
}

/// Most interactions remembered (the oldest are forgotten first).
const MAX_INTERACTIONS: usize = 100_000;

/// Interactions by id, and ids by token.
#[derive(Debug, Default)]
pub(crate) struct InteractionStore {
    by_id: HashMap<u64, InteractionRecord>,
    by_token: HashMap<String, u64>,
    order: VecDeque<u64>,
}

impl InteractionStore {
    pub(crate) fn insert(&mut self, record: InteractionRecord) {
        self.by_token.insert(record.token.clone(), record.id);
        self.order.push_back(record.id);
        self.by_id.insert(record.id, record);
        while self.order.len() > MAX_INTERACTIONS {
            if let Some(old) = self.order.pop_front().and_then(|id| self.by_id.remove(&id)) {
                self.by_token.remove(&old.token);
            }
        }
    }

    pub(crate) fn get(&self, id: u64) -> Option<&InteractionRecord> {
        self.by_id.get(&id)
    }

    pub(crate) fn get_mut(&mut self, id: u64) -> Option<&mut InteractionRecord> {
        self.by_id.get_mut(&id)
    }

    pub(crate) fn by_token_mut(&mut self, token: &str) -> Option<&mut InteractionRecord> {
        let id = self.by_token.get(token)?;
        self.by_id.get_mut(id)
    }
}

/// A random interaction token (Discord's are long opaque strings).
fn new_token(id: u64) -> String {
    let mut token = format!("aW50ZXJhY3Rpb246{id}:");
    token.extend((0..64).map(|_| fastrand::alphanumeric()));
    token
}

/// Fields every `INTERACTION_CREATE` has.
pub(crate) fn interaction_json(world: &World, record: &InteractionRecord, data: Value) -> Value {
    let guild_id = world.guild_id(record.guild).to_string();
    let (guild, channel) = world
        .channel_location(record.channel_id)
        .unwrap_or((record.guild, 0));
    let mut channel_json = world.channel_json(guild, channel);
    if let Some(map) = channel_json.as_object_mut() {
        map.remove("permission_overwrites");
    }
    let mut interaction = json!({
        "id": record.id.to_string(),
        "application_id": world.application_id().to_string(),
        "type": record.kind,
        "guild": {"id": guild_id, "locale": "en-US", "features": []},
        "guild_id": guild_id,
        "channel": channel_json,
        "channel_id": record.channel_id.to_string(),
        "member": {
            "user": world.user_json(record.user_id),
            "roles": [],
            "nick": null,
            "avatar": null,
            "banner": null,
            "premium_since": null,
            "joined_at": "2022-01-01T00:00:00.000000+00:00",
            "deaf": false,
            "mute": false,
            "flags": 0,
            "pending": false,
            "permissions": World::member_permissions(),
            "communication_disabled_until": null,
        },
        "token": record.token,
        "version": 1,
        "app_permissions": World::member_permissions(),
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": guild_id},
        "context": 0,
        "attachment_size_limit": 10_485_760,
    });
    if let Some(map) = interaction.as_object_mut() {
        map.insert("data".into(), data);
    }
    interaction
}

/// `interaction_metadata` of a message created by an interaction response.
pub(crate) fn interaction_metadata(world: &World, record: &InteractionRecord) -> Value {
    let mut meta = json!({
        "id": record.id.to_string(),
        "type": record.kind,
        "user": world.user_json(record.user_id),
        "authorizing_integration_owners": {"0": world.guild_id(record.guild).to_string()},
    });
    let Some(map) = meta.as_object_mut() else {
        return meta;
    };
    if let Some(triggering) = &record.triggering_metadata {
        map.insert("triggering_interaction_metadata".into(), triggering.clone());
    } else if let Some(message) = record.component_message_id {
        map.insert("interacted_message_id".into(), json!(message.to_string()));
    }
    meta
}
