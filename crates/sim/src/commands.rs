//! Registered application commands (global and per guild), as bulk overwrite and create store them.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::api_error::ApiError;
use crate::snowflake::IdGenerator;

/// Commands by scope: `None` is global, `Some(guild_id)` a guild's.
#[derive(Debug, Default)]
pub(crate) struct CommandStore {
    scopes: BTreeMap<Option<u64>, Vec<Value>>,
}

impl CommandStore {
    pub(crate) fn list(&self, scope: Option<u64>) -> Vec<Value> {
        self.scopes.get(&scope).cloned().unwrap_or_default()
    }

    /// Every command, global first.
    pub(crate) fn all(&self) -> Vec<Value> {
        self.scopes.values().flatten().cloned().collect()
    }

    /// Finds a command by name (guild commands shadow global ones).
    pub(crate) fn find(&self, name: &str, guild: Option<u64>) -> Option<&Value> {
        let by_name = |scope: Option<u64>| {
            self.scopes.get(&scope).and_then(|cmds| {
                cmds.iter()
                    .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
            })
        };
        guild
            .and_then(|g| by_name(Some(g)))
            .or_else(|| by_name(None))
    }

    /// `PUT .../commands`: replaces the scope's commands, keeping the id of a command whose
    /// name and type are unchanged (as Discord does).
    pub(crate) fn overwrite(
        &mut self,
        scope: Option<u64>,
        application_id: u64,
        body: &Value,
        ids: &IdGenerator,
    ) -> Result<Vec<Value>, ApiError> {
        let Some(items) = body.as_array() else {
            return Err(ApiError::invalid_form("_root", "Expected an array."));
        };
        if items.len() > 100 {
            return Err(ApiError::invalid_form(
                "_root",
                "Must be 100 or fewer in length.",
            ));
        }
        let old = self.list(scope);
        let mut new = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let existing = old.iter().find(|c| same_command(c, item));
            let id = existing
                .and_then(|c| c.get("id"))
                .and_then(Value::as_str)
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| ids.next());
            new.push(normalize(item, id, application_id, scope, ids, i)?);
        }
        self.scopes.insert(scope, new.clone());
        Ok(new)
    }

    /// `POST .../commands`: creates or replaces one command by name; returns it and whether it
    /// is new (201) or replaced (200).
    pub(crate) fn upsert(
        &mut self,
        scope: Option<u64>,
        application_id: u64,
        body: &Value,
        ids: &IdGenerator,
    ) -> Result<(Value, bool), ApiError> {
        let cmds = self.scopes.entry(scope).or_default();
        let position = cmds.iter().position(|c| same_command(c, body));
        let id = position
            .and_then(|p| cmds[p].get("id"))
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| ids.next());
        let command = normalize(body, id, application_id, scope, ids, 0)?;
        match position {
            Some(p) => cmds[p] = command.clone(),
            None => cmds.push(command.clone()),
        }
        Ok((command, position.is_none()))
    }

    pub(crate) fn get(&self, scope: Option<u64>, id: &str) -> Option<Value> {
        self.scopes
            .get(&scope)?
            .iter()
            .find(|c| c.get("id").and_then(Value::as_str) == Some(id))
            .cloned()
    }

    pub(crate) fn delete(&mut self, scope: Option<u64>, id: &str) -> bool {
        let Some(cmds) = self.scopes.get_mut(&scope) else {
            return false;
        };
        let before = cmds.len();
        cmds.retain(|c| c.get("id").and_then(Value::as_str) != Some(id));
        cmds.len() != before
    }
}

fn kind_of(command: &Value) -> u64 {
    command.get("type").and_then(Value::as_u64).unwrap_or(1)
}

fn same_command(a: &Value, b: &Value) -> bool {
    a.get("name") == b.get("name") && kind_of(a) == kind_of(b)
}

/// The JSON type a command field must have (`null` stands for absent).
#[derive(Debug, Clone, Copy)]
enum FieldType {
    String,
    Integer,
    Boolean,
    Array,
    Object,
}

/// The type of every field the simulator reads from a command.
const FIELD_TYPES: [(&str, FieldType); 11] = [
    ("name", FieldType::String),
    ("description", FieldType::String),
    ("type", FieldType::Integer),
    ("options", FieldType::Array),
    ("nsfw", FieldType::Boolean),
    ("dm_permission", FieldType::Boolean),
    ("default_member_permissions", FieldType::String),
    ("name_localizations", FieldType::Object),
    ("description_localizations", FieldType::Object),
    ("contexts", FieldType::Array),
    ("integration_types", FieldType::Array),
];

/// A field of the wrong JSON type is a 50035 naming it, as Discord answers.
fn check_field_types(map: &serde_json::Map<String, Value>, index: usize) -> Result<(), ApiError> {
    for (field, expected) in FIELD_TYPES {
        let fits = match (map.get(field), expected) {
            (None | Some(Value::Null), _)
            | (Some(Value::String(_)), FieldType::String)
            | (Some(Value::Bool(_)), FieldType::Boolean)
            | (Some(Value::Array(_)), FieldType::Array)
            | (Some(Value::Object(_)), FieldType::Object) => true,
            (Some(Value::Number(n)), FieldType::Integer) => n.is_u64(),
            _ => false,
        };
        if !fits {
            let why = match expected {
                FieldType::String => "Could not interpret as string.",
                FieldType::Integer => "Value is not int.",
                FieldType::Boolean => "Must be either true or false.",
                FieldType::Array => "Expected an array.",
                FieldType::Object => "Expected an object.",
            };
            return Err(ApiError::invalid_form(&format!("{index}.{field}"), why));
        }
    }
    Ok(())
}

/// Validates a command as Discord does and writes it with every field the API returns.
fn normalize(
    item: &Value,
    id: u64,
    application_id: u64,
    scope: Option<u64>,
    ids: &IdGenerator,
    index: usize,
) -> Result<Value, ApiError> {
    let field = |name: &str| format!("{index}.{name}");
    let Some(map) = item.as_object() else {
        return Err(ApiError::invalid_form(
            &index.to_string(),
            "Expected an object.",
        ));
    };
    check_field_types(map, index)?;
    let kind = kind_of(item);
    let name = map.get("name").and_then(Value::as_str).unwrap_or_default();
    let name_ok = (1..=32).contains(&name.chars().count())
        && (kind != 1
            || name
                .chars()
                .all(|c| c.is_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'));
    if !name_ok {
        return Err(ApiError::invalid_form(
            &field("name"),
            "Command name is invalid",
        ));
    }
    let description = map
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if kind == 1 && !(1..=100).contains(&description.chars().count()) {
        return Err(ApiError::invalid_form(
            &field("description"),
            "Must be between 1 and 100 in length.",
        ));
    }
    let mut command = json!({
        "id": id.to_string(),
        "application_id": application_id.to_string(),
        "version": ids.next().to_string(),
        "default_member_permissions": map.get("default_member_permissions").cloned().unwrap_or(Value::Null),
        "type": kind,
        "name": name,
        "name_localizations": map.get("name_localizations").cloned().unwrap_or(Value::Null),
        "description": description,
        "description_localizations": map.get("description_localizations").cloned().unwrap_or(Value::Null),
        "dm_permission": map.get("dm_permission").and_then(Value::as_bool).unwrap_or(true),
        "contexts": map.get("contexts").cloned().unwrap_or(Value::Null),
        "integration_types": map.get("integration_types").cloned().unwrap_or_else(|| json!([0])),
        "nsfw": map.get("nsfw").and_then(Value::as_bool).unwrap_or(false),
    });
    if let Some(out) = command.as_object_mut() {
        if let Some(options) = map.get("options").filter(|o| o.is_array()) {
            out.insert("options".into(), options.clone());
        }
        if let Some(guild) = scope {
            out.insert("guild_id".into(), json!(guild.to_string()));
            out.remove("dm_permission");
        }
    }
    Ok(command)
}
