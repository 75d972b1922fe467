//! The scenario both conformance tests run: every REST route the simulator serves, with its
//! success and error responses, in the order a bot uses them; and the 429s of a bucket and of
//! the global limit on a second, tightly limited simulator.

use serde_json::json;

use crate::common::{fast, start};
use crate::harness::{Conformance, Spec};
use crate::interactions::interactions;

/// Every (method, route) the simulator serves under `/api/v10`, as the `OpenAPI` file names it.
pub(crate) const SERVED: &[(&str, &str)] = &[
    ("get", "/users/@me"),
    ("get", "/gateway"),
    ("get", "/gateway/bot"),
    ("get", "/applications/@me"),
    ("get", "/oauth2/applications/@me"),
    ("get", "/applications/{application_id}/commands"),
    ("put", "/applications/{application_id}/commands"),
    ("post", "/applications/{application_id}/commands"),
    (
        "get",
        "/applications/{application_id}/commands/{command_id}",
    ),
    (
        "delete",
        "/applications/{application_id}/commands/{command_id}",
    ),
    (
        "get",
        "/applications/{application_id}/guilds/{guild_id}/commands",
    ),
    (
        "put",
        "/applications/{application_id}/guilds/{guild_id}/commands",
    ),
    (
        "post",
        "/applications/{application_id}/guilds/{guild_id}/commands",
    ),
    (
        "get",
        "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
    ),
    (
        "delete",
        "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
    ),
    ("get", "/channels/{channel_id}/messages"),
    ("post", "/channels/{channel_id}/messages"),
    ("get", "/channels/{channel_id}/messages/{message_id}"),
    ("patch", "/channels/{channel_id}/messages/{message_id}"),
    ("delete", "/channels/{channel_id}/messages/{message_id}"),
    (
        "post",
        "/interactions/{interaction_id}/{interaction_token}/callback",
    ),
    ("post", "/webhooks/{webhook_id}/{webhook_token}"),
    (
        "get",
        "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
    ),
    (
        "patch",
        "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
    ),
    (
        "delete",
        "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
    ),
    (
        "get",
        "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
    ),
    (
        "patch",
        "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
    ),
    (
        "delete",
        "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
    ),
];

/// Ids every part of the scenario needs.
pub(crate) struct World {
    pub(crate) app: String,
    pub(crate) guild: String,
    pub(crate) channel: String,
    pub(crate) bot: String,
}

/// Runs every route through `c` (whose simulator allows 1000 requests per bucket) and checks
/// that each served route answered with a success at least once; then the rate limits.
pub(crate) async fn every_route(mut c: Conformance) -> Conformance {
    let state = c.sim.control().state().await.expect("state");
    let world = World {
        app: state.application_id.clone(),
        guild: state.guilds[0].id.clone(),
        channel: state.guilds[0].channels[0].clone(),
        bot: state.bot_user_id.clone(),
    };
    c.call("get", "/users/@me", "/users/@me", None, true).await;
    c.call("get", "/users/@me", "/users/@me", None, false).await; // 401
    c.call("get", "/gateway", "/gateway", None, false).await;
    c.call("get", "/gateway/bot", "/gateway/bot", None, true)
        .await;
    c.call("get", "/applications/@me", "/applications/@me", None, true)
        .await;
    c.call(
        "get",
        "/oauth2/applications/@me",
        "/oauth2/applications/@me",
        None,
        true,
    )
    .await;
    commands(&mut c, &world).await;
    messages(&mut c, &world).await;
    interactions(&mut c, &world).await;

    let missing: Vec<_> = SERVED
        .iter()
        .filter(|(m, t)| !c.covered.contains(&((*m).to_owned(), (*t).to_owned())))
        .collect();
    assert!(
        missing.is_empty(),
        "routes never exercised with a success: {missing:?}"
    );
    assert!(c.checked > 40);
    c
}

async fn commands(c: &mut Conformance, w: &World) {
    let (app, guild) = (&w.app, &w.guild);
    // Commands, global and guild.
    let option = json!({"type": 3, "name": "text", "description": "What to say", "required": true});
    let commands = json!([
        {"name": "ping", "description": "Replies pong"},
        {"name": "echo", "description": "Echoes", "options": [option]},
        {"name": "Inspect", "type": 2},
    ]);
    let global = format!("/applications/{app}/commands");
    let t_global = "/applications/{application_id}/commands";
    let t_global_one = "/applications/{application_id}/commands/{command_id}";
    let (status, list) = c
        .call("put", t_global, &global, Some(commands.clone()), true)
        .await;
    assert_eq!(status, 200);
    c.call(
        "put",
        t_global,
        &global,
        Some(json!([{"name": "Bad Name", "description": "x"}])),
        true,
    )
    .await; // 400
    c.call("get", t_global, &global, None, true).await;
    let (status, created) = c
        .call(
            "post",
            t_global,
            &global,
            Some(json!({"name": "extra", "description": "More"})),
            true,
        )
        .await;
    assert_eq!(status, 201);
    let id = list[0]["id"].as_str().expect("id").to_owned();
    c.call("get", t_global_one, &format!("{global}/{id}"), None, true)
        .await;
    c.call("get", t_global_one, &format!("{global}/1"), None, true)
        .await; // 404
    let extra = created["id"].as_str().expect("id").to_owned();
    c.call(
        "delete",
        t_global_one,
        &format!("{global}/{extra}"),
        None,
        true,
    )
    .await;
    c.call("get", t_global, "/applications/1/commands", None, true)
        .await; // unknown application
    let guild_path = format!("/applications/{app}/guilds/{guild}/commands");
    let t_guild = "/applications/{application_id}/guilds/{guild_id}/commands";
    let t_guild_one = "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}";
    let (_, guild_list) = c
        .call("put", t_guild, &guild_path, Some(commands), true)
        .await;
    c.call("get", t_guild, &guild_path, None, true).await;
    let (_, created) = c
        .call(
            "post",
            t_guild,
            &guild_path,
            Some(json!({"name": "local", "description": "Local"})),
            true,
        )
        .await;
    let gid = guild_list[1]["id"].as_str().expect("id").to_owned();
    c.call(
        "get",
        t_guild_one,
        &format!("{guild_path}/{gid}"),
        None,
        true,
    )
    .await;
    let local = created["id"].as_str().expect("id").to_owned();
    c.call(
        "delete",
        t_guild_one,
        &format!("{guild_path}/{local}"),
        None,
        true,
    )
    .await;
}

async fn messages(c: &mut Conformance, w: &World) {
    let (channel, control) = (&w.channel, c.sim.control());
    // Channel messages.
    let messages = format!("/channels/{channel}/messages");
    let t_messages = "/channels/{channel_id}/messages";
    let t_message = "/channels/{channel_id}/messages/{message_id}";
    control
        .post_message(&channel, &format!("hi <@{}>", w.bot), None)
        .await
        .expect("user post");
    let rich = json!({
        "content": "report <@{}>",
        "embeds": [{"title": "Build", "description": "green", "color": 5_763_719, "fields": [{"name": "took", "value": "42s", "inline": true}]}],
        "components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "Again", "custom_id": "again"}]}],
        "allowed_mentions": {"parse": []},
        "message_reference": null,
        "nonce": "12345",
        "enforce_nonce": true,
    });
    let (status, msg) = c
        .call("post", t_messages, &messages, Some(rich.clone()), true)
        .await;
    assert_eq!(status, 200);
    let mid = msg["id"].as_str().expect("id").to_owned();
    // The retry with the same nonce: the first message again.
    let (status, again) = c
        .call("post", t_messages, &messages, Some(rich), true)
        .await;
    assert_eq!((status, again["id"].as_str()), (200, Some(mid.as_str())));
    c.call(
        "post",
        t_messages,
        &messages,
        Some(json!({"content": ""})),
        true,
    )
    .await; // 50006
    c.call(
        "post",
        t_messages,
        &messages,
        Some(json!({"content": "x".repeat(2001)})),
        true,
    )
    .await; // 50035
    c.call(
        "post",
        t_messages,
        "/channels/1/messages",
        Some(json!({"content": "x"})),
        true,
    )
    .await; // 10003
    c.call("get", t_messages, &messages, None, true).await;
    c.call("get", t_message, &format!("{messages}/{mid}"), None, true)
        .await;
    c.call("get", t_message, &format!("{messages}/1"), None, true)
        .await; // 10008
    c.call(
        "patch",
        t_message,
        &format!("{messages}/{mid}"),
        Some(json!({"content": "edited", "components": []})),
        true,
    )
    .await;
    let reply = json!({"content": "reply", "message_reference": {"message_id": mid}});
    c.call("post", t_messages, &messages, Some(reply), true)
        .await;
    c.call(
        "delete",
        t_message,
        &format!("{messages}/{mid}"),
        None,
        true,
    )
    .await;
}

/// Bucket and global 429s, on a simulator with a bucket of 1 and a global limit of 2.
pub(crate) async fn rate_limits(spec: Option<Spec>) -> Option<Spec> {
    let limited = start(fast().rest_bucket_limit(1).rest_global_limit(2)).await;
    let mut l = Conformance::new(limited, spec);
    l.call("get", "/users/@me", "/users/@me", None, true).await;
    let (status, _) = l.call("get", "/users/@me", "/users/@me", None, true).await;
    assert_eq!(status, 429);
    l.call("get", "/gateway/bot", "/gateway/bot", None, true)
        .await;
    let (status, body) = l
        .call("get", "/applications/@me", "/applications/@me", None, true)
        .await;
    assert_eq!((status, body["global"].as_bool()), (429, Some(true)));
    let (sim, spec) = l.into_spec();
    sim.shutdown().await;
    spec
}
