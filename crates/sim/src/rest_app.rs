//! REST routes about the bot itself: the current user, the gateway, the application and its
//! commands.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::api_error::ApiError;
use crate::extract::{json_body, snowflake_param};
use crate::state::Sim;

type Result<T> = std::result::Result<T, ApiError>;

pub(crate) async fn current_user(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(sim.world.bot_user_private_json())
}

pub(crate) async fn gateway(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!({"url": sim.gateway_url}))
}

pub(crate) async fn gateway_bot(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let budget = {
        let mut inner = sim.lock();
        sim.budget_info(&mut inner)
    };
    Json(json!({
        "url": sim.gateway_url,
        "shards": sim.cfg.recommended_shards(),
        "session_start_limit": {
            "total": budget.total,
            "remaining": budget.remaining,
            "reset_after": budget.reset_after,
            "max_concurrency": budget.max_concurrency,
        },
    }))
}

pub(crate) async fn application(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let world = &sim.world;
    let endpoint_url = sim.lock().endpoint_url.clone();
    let owner = world.user_json(world.user_id(0));
    Json(json!({
        "id": world.application_id().to_string(),
        "name": "Novera Sim",
        "icon": null,
        "description": "An application living in novera-sim",
        "summary": "",
        "type": null,
        "bot": world.bot_user_json(),
        "bot_public": true,
        "bot_require_code_grant": false,
        "verify_key": sim.keys.verify_key_hex(),
        "flags": 0,
        "flags_new": "0",
        "redirect_uris": [],
        "interactions_endpoint_url": endpoint_url,
        "role_connections_verification_url": null,
        "owner": owner,
        "approximate_guild_count": world.guild_count(),
        "approximate_user_install_count": 0,
        "approximate_user_authorization_count": 0,
        "explicit_content_filter": 0,
        "team": null,
        "eligible_oauth2_scopes": ["bot", "applications.commands"],
        "rpc_origins": [],
        "tags": [],
        "integration_types_config": {"0": {}},
    }))
}

fn check_app(sim: &Sim, app: &str) -> Result<()> {
    if app == sim.world.application_id().to_string() {
        Ok(())
    } else {
        Err(ApiError::unknown_application())
    }
}

fn guild_scope(sim: &Sim, guild: &str) -> Result<Option<u64>> {
    let id = snowflake_param(guild, ApiError::unknown_guild)?;
    sim.world
        .guild_index(id)
        .map(|_| Some(id))
        .ok_or_else(ApiError::unknown_guild)
}

fn list(sim: &Sim, app: &str, scope: Option<u64>) -> Result<Json<Value>> {
    check_app(sim, app)?;
    Ok(Json(Value::Array(sim.lock().commands.list(scope))))
}

fn overwrite(sim: &Sim, app: &str, scope: Option<u64>, body: &Bytes) -> Result<Json<Value>> {
    check_app(sim, app)?;
    let body = json_body(body)?;
    let mut inner = sim.lock();
    let commands = inner
        .commands
        .overwrite(scope, sim.world.application_id(), &body, &sim.ids)?;
    Ok(Json(Value::Array(commands)))
}

fn create(sim: &Sim, app: &str, scope: Option<u64>, body: &Bytes) -> Result<Response> {
    check_app(sim, app)?;
    let body = json_body(body)?;
    let mut inner = sim.lock();
    let (command, created) =
        inner
            .commands
            .upsert(scope, sim.world.application_id(), &body, &sim.ids)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(command)).into_response())
}

fn get_one(sim: &Sim, app: &str, scope: Option<u64>, id: &str) -> Result<Json<Value>> {
    check_app(sim, app)?;
    sim.lock()
        .commands
        .get(scope, id)
        .map(Json)
        .ok_or_else(ApiError::unknown_command)
}

fn delete_one(sim: &Sim, app: &str, scope: Option<u64>, id: &str) -> Result<StatusCode> {
    check_app(sim, app)?;
    if sim.lock().commands.delete(scope, id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::unknown_command())
    }
}

pub(crate) async fn global_commands(
    State(sim): State<Arc<Sim>>,
    Path(app): Path<String>,
) -> Result<Json<Value>> {
    list(&sim, &app, None)
}

pub(crate) async fn overwrite_global_commands(
    State(sim): State<Arc<Sim>>,
    Path(app): Path<String>,
    body: Bytes,
) -> Result<Json<Value>> {
    overwrite(&sim, &app, None, &body)
}

pub(crate) async fn create_global_command(
    State(sim): State<Arc<Sim>>,
    Path(app): Path<String>,
    body: Bytes,
) -> Result<Response> {
    create(&sim, &app, None, &body)
}

pub(crate) async fn global_command(
    State(sim): State<Arc<Sim>>,
    Path((app, command)): Path<(String, String)>,
) -> Result<Json<Value>> {
    get_one(&sim, &app, None, &command)
}

pub(crate) async fn delete_global_command(
    State(sim): State<Arc<Sim>>,
    Path((app, command)): Path<(String, String)>,
) -> Result<StatusCode> {
    delete_one(&sim, &app, None, &command)
}

pub(crate) async fn guild_commands(
    State(sim): State<Arc<Sim>>,
    Path((app, guild)): Path<(String, String)>,
) -> Result<Json<Value>> {
    list(&sim, &app, guild_scope(&sim, &guild)?)
}

pub(crate) async fn overwrite_guild_commands(
    State(sim): State<Arc<Sim>>,
    Path((app, guild)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<Value>> {
    overwrite(&sim, &app, guild_scope(&sim, &guild)?, &body)
}

pub(crate) async fn create_guild_command(
    State(sim): State<Arc<Sim>>,
    Path((app, guild)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response> {
    create(&sim, &app, guild_scope(&sim, &guild)?, &body)
}

pub(crate) async fn guild_command(
    State(sim): State<Arc<Sim>>,
    Path((app, guild, command)): Path<(String, String, String)>,
) -> Result<Json<Value>> {
    get_one(&sim, &app, guild_scope(&sim, &guild)?, &command)
}

pub(crate) async fn delete_guild_command(
    State(sim): State<Arc<Sim>>,
    Path((app, guild, command)): Path<(String, String, String)>,
) -> Result<StatusCode> {
    delete_one(&sim, &app, guild_scope(&sim, &guild)?, &command)
}
