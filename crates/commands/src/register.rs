//! Registration: bulk-overwrite the commands Discord knows, only when they differ.
//!
//! A restart must cost no rate-limit budget, so `register` fetches what is registered, compares
//! it with the definitions semantically (ignoring ids, versions and fields Discord fills in with
//! their defaults), and sends the PUT only when something changed.

use std::collections::BTreeMap;
use std::future::IntoFuture;
use std::time::Duration;

use novera_core::deadline;
use serde_json::{Map, Value};
use twilight_http::Client;
use twilight_model::application::command::Command as CommandModel;
use twilight_model::id::Id;
use twilight_model::id::marker::{ApplicationMarker, GuildMarker};

use crate::def::CommandDef;
use crate::error::RegisterError;
use crate::rest_guard::RestGuard;

/// Deadline of each registration request.
const REQUEST_DEADLINE: Duration = Duration::from_secs(30);

/// Where commands are registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every guild and DMs (Discord may take a while to propagate changes).
    Global,
    /// One guild, effective at once (handy for development).
    Guild(Id<GuildMarker>),
}

/// What [`register`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegisterOutcome {
    /// Registered commands already matched; nothing was sent.
    Unchanged {
        /// Commands registered.
        count: usize,
    },
    /// The scope was overwritten.
    Overwritten {
        /// Commands registered now.
        count: usize,
        /// Names that were not registered before.
        added: Vec<String>,
        /// Names that are no longer registered.
        removed: Vec<String>,
        /// Names whose definition changed.
        changed: Vec<String>,
    },
}

/// Makes `scope` hold exactly `defs`, with a PUT only when they differ from what is registered.
pub async fn register(
    http: &Client,
    application_id: Id<ApplicationMarker>,
    defs: &[CommandDef],
    scope: Scope,
) -> Result<RegisterOutcome, RegisterError> {
    register_with(http, None, application_id, defs, scope).await
}

/// [`register`], counting a failed request in the bot's [`RestGuard`] (registration is one of
/// the bot's essentials: never refused, but a 401 or 403 counts like any other).
pub async fn register_guarded(
    http: &Client,
    guard: &RestGuard,
    application_id: Id<ApplicationMarker>,
    defs: &[CommandDef],
    scope: Scope,
) -> Result<RegisterOutcome, RegisterError> {
    register_with(http, Some(guard), application_id, defs, scope).await
}

async fn register_with(
    http: &Client,
    guard: Option<&RestGuard>,
    application_id: Id<ApplicationMarker>,
    defs: &[CommandDef],
    scope: Scope,
) -> Result<RegisterOutcome, RegisterError> {
    let wanted: Vec<CommandModel> = defs.iter().map(|d| d.model().clone()).collect();
    let wanted_keys = keyed(&wanted)?;
    let client = http.interaction(application_id);
    let path = match scope {
        Scope::Global => format!("applications/{application_id}/commands"),
        Scope::Guild(guild_id) => {
            format!("applications/{application_id}/guilds/{guild_id}/commands")
        }
    };
    let listing = match scope {
        Scope::Global => client.global_commands().into_future(),
        Scope::Guild(guild_id) => client.guild_commands(guild_id).into_future(),
    };
    let response = observe(
        guard,
        "GET",
        &path,
        deadline("GET commands", REQUEST_DEADLINE, listing).await?,
    )?;
    let registered: Vec<CommandModel> =
        deadline("GET commands", REQUEST_DEADLINE, response.models()).await??;
    let registered_keys = keyed(&registered)?;

    let added: Vec<String> = wanted_keys
        .keys()
        .filter(|k| !registered_keys.contains_key(*k))
        .map(|(name, _)| name.clone())
        .collect();
    let removed: Vec<String> = registered_keys
        .keys()
        .filter(|k| !wanted_keys.contains_key(*k))
        .map(|(name, _)| name.clone())
        .collect();
    let changed: Vec<String> = wanted_keys
        .iter()
        .filter(|(k, v)| registered_keys.get(*k).is_some_and(|r| r != *v))
        .map(|((name, _), _)| name.clone())
        .collect();

    if added.is_empty() && removed.is_empty() && changed.is_empty() {
        tracing::info!(?scope, count = wanted.len(), "commands already registered");
        return Ok(RegisterOutcome::Unchanged {
            count: wanted.len(),
        });
    }
    let overwrite = match scope {
        Scope::Global => client.set_global_commands(&wanted).into_future(),
        Scope::Guild(guild_id) => client.set_guild_commands(guild_id, &wanted).into_future(),
    };
    observe(
        guard,
        "PUT",
        &path,
        deadline("PUT commands", REQUEST_DEADLINE, overwrite).await?,
    )?;
    tracing::info!(?scope, ?added, ?removed, ?changed, "commands registered");
    Ok(RegisterOutcome::Overwritten {
        count: wanted.len(),
        added,
        removed,
        changed,
    })
}

/// Tells `guard` (if any) about a failed request, and passes the result on.
fn observe<T>(
    guard: Option<&RestGuard>,
    method: &str,
    path: &str,
    result: Result<T, twilight_http::Error>,
) -> Result<T, twilight_http::Error> {
    if let (Some(guard), Err(error)) = (guard, &result) {
        guard.observe(method, path, error);
    }
    result
}

/// Normalized definitions by `(name, type)`.
fn keyed(commands: &[CommandModel]) -> Result<BTreeMap<(String, u64), Value>, RegisterError> {
    let mut out = BTreeMap::new();
    for command in commands {
        let value = normalize(serde_json::to_value(command)?);
        let kind = value.get("type").and_then(Value::as_u64).unwrap_or(1);
        if out.insert((command.name.clone(), kind), value).is_some() {
            return Err(RegisterError::Duplicate(command.name.clone()));
        }
    }
    Ok(out)
}

/// Fields Discord assigns, which never make a definition differ.
const ASSIGNED: [&str; 4] = ["id", "application_id", "version", "guild_id"];

/// Strips assigned fields and fields equal to Discord's default, recursively, so that a
/// definition and its registered echo compare equal.
fn normalize(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, field) in map {
                if ASSIGNED.contains(&key.as_str()) {
                    continue;
                }
                let field = normalize(field);
                if !is_default(&key, &field) {
                    out.insert(key, field);
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(normalize).collect()),
        other => other,
    }
}

fn is_default(key: &str, value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(false) => matches!(key, "nsfw" | "required" | "autocomplete"),
        Value::Bool(true) => key == "dm_permission",
        Value::Array(items) if items.is_empty() => true,
        Value::Object(map) if map.is_empty() => true,
        Value::Array(items) => key == "integration_types" && items.len() == 1 && items[0] == 0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_registered_echo_equals_its_definition() {
        let sent = json!({
            "name": "roll", "description": "Roll dice", "type": 1,
            "options": [{"type": 3, "name": "dice", "description": "like 2d6", "required": true}],
            "version": "1", "nsfw": null, "contexts": null
        });
        let echoed = json!({
            "id": "123", "application_id": "9", "version": "456", "guild_id": "7",
            "default_member_permissions": null, "type": 1, "name": "roll",
            "name_localizations": null, "description": "Roll dice",
            "description_localizations": null, "dm_permission": true, "contexts": null,
            "integration_types": [0], "nsfw": false,
            "options": [{"type": 3, "name": "dice", "description": "like 2d6", "required": true, "autocomplete": false}]
        });
        assert_eq!(normalize(sent), normalize(echoed));
    }

    #[test]
    fn a_changed_description_or_option_differs() {
        let base = json!({"name": "roll", "description": "Roll dice", "type": 1});
        let other = json!({"name": "roll", "description": "Roll some dice", "type": 1});
        assert_ne!(normalize(base.clone()), normalize(other));
        let with_option = json!({"name": "roll", "description": "Roll dice", "type": 1,
            "options": [{"type": 4, "name": "times", "description": "n"}]});
        assert_ne!(normalize(base), normalize(with_option));
    }
}
