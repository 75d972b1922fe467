//! Conformance to Discord's own API description: every REST route the simulator serves, with
//! its success and error responses, is validated against the response schema of
//! `shared/data/discord-openapi.json` (`OpenAPI` 3.1, JSON Schema 2020-12).

mod common;
#[path = "openapi/interactions.rs"]
mod interactions;

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use common::{TOKEN, fast, start};
use interactions::interactions;
use novera_sim::SimHandle;
use serde_json::{Value, json};

/// Every (method, route) the simulator serves under `/api/v10`, as the `OpenAPI` file names it.
const SERVED: &[(&str, &str)] = &[
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

struct Conformance {
    doc: Value,
    validators: HashMap<String, jsonschema::Validator>,
    /// Routes seen with a success status.
    covered: BTreeSet<(String, String)>,
    checked: usize,
    sim: SimHandle,
    http: reqwest::Client,
}

fn load_spec() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/discord-openapi.json"
    );
    let text = std::fs::read_to_string(path)
        .expect("shared/data/discord-openapi.json beside the repository");
    let mut doc: Value = serde_json::from_str(&text).expect("OpenAPI JSON");
    // The file's RatelimitedResponse wrongly requires `code` (through Error): make it optional.
    let mut error = doc["components"]["schemas"]["Error"].clone();
    error["required"] = json!(["message"]);
    doc["components"]["schemas"]["RatelimitedResponse"]["allOf"][0] = error;
    doc
}

impl Conformance {
    fn new(sim: SimHandle) -> Self {
        Self {
            doc: load_spec(),
            validators: HashMap::new(),
            covered: BTreeSet::new(),
            checked: 0,
            sim,
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(5))
                .build()
                .expect("client"),
        }
    }

    /// The response schema for `status` of an operation (following `$ref`s to components).
    fn schema_for(&self, method: &str, template: &str, status: u16) -> Option<Value> {
        let responses = &self.doc["paths"][template][method]["responses"];
        assert!(
            responses.is_object(),
            "{method} {template} is not in the OpenAPI file"
        );
        let key = status.to_string();
        let mut response = if responses.get(&key).is_some() {
            responses[&key].clone()
        } else if (400..500).contains(&status) {
            responses["4XX"].clone()
        } else {
            panic!("{method} {template}: status {status} is not documented");
        };
        if let Some(reference) = response.get("$ref").and_then(Value::as_str) {
            let pointer = reference.trim_start_matches('#');
            response = self
                .doc
                .pointer(pointer)
                .cloned()
                .expect("response $ref resolves");
        }
        response
            .pointer("/content/application~1json/schema")
            .cloned()
    }

    fn validate(&mut self, label: &str, key: String, schema: &Value, body: &Value) {
        let validator = self.validators.entry(key).or_insert_with(|| {
            let root = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "components": self.doc["components"],
                "$defs": {"target": schema},
                "$ref": "#/$defs/target",
            });
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .build(&root)
                .expect("schema compiles")
        });
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("at {}: {e}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{label} does not match Discord's schema:\n{}\nbody: {body:#}",
            errors.join("\n")
        );
        self.checked += 1;
    }

    /// Sends a request, validates the response against the route's schema, returns the body.
    async fn call(
        &mut self,
        method: &str,
        template: &str,
        path: &str,
        body: Option<Value>,
        auth: bool,
    ) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let mut req = self
            .http
            .request(m, format!("{}/api/v10{path}", self.sim.base_url()));
        if auth {
            req = req.header("Authorization", format!("Bot {TOKEN}"));
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        assert_eq!(resp.headers()["content-type"], "application/json");
        for header in [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "x-ratelimit-reset-after",
            "x-ratelimit-bucket",
        ] {
            assert!(
                resp.headers().contains_key(header),
                "{method} {path}: missing {header}"
            );
        }
        let text = resp.text().await.expect("body");
        let label = format!("{} {path} -> {status}", method.to_uppercase());
        let schema = self.schema_for(method, template, status);
        let body = if status == 204 {
            assert!(text.is_empty(), "{label}: 204 with a body");
            assert!(schema.is_none());
            Value::Null
        } else {
            let body: Value = serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{label}: body is not JSON: {text}"));
            let schema = schema.unwrap_or_else(|| panic!("{label}: no JSON schema documented"));
            self.validate(
                &label,
                format!("{method} {template} {status}"),
                &schema,
                &body,
            );
            body
        };
        if (200..300).contains(&status) {
            self.covered
                .insert((method.to_owned(), template.to_owned()));
        }
        (status, body)
    }
}

/// Ids every part of the scenario needs.
struct World {
    app: String,
    guild: String,
    channel: String,
    bot: String,
}

#[tokio::test]
async fn every_rest_route_conforms_to_discords_openapi() {
    let sim = start(fast().rest_bucket_limit(1000)).await;
    let state = sim.control().state().await.expect("state");
    let world = World {
        app: state.application_id.clone(),
        guild: state.guilds[0].id.clone(),
        channel: state.guilds[0].channels[0].clone(),
        bot: state.bot_user_id.clone(),
    };
    let mut c = Conformance::new(sim);

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
    rate_limits().await;

    let missing: Vec<_> = SERVED
        .iter()
        .filter(|(m, t)| !c.covered.contains(&((*m).to_owned(), (*t).to_owned())))
        .collect();
    assert!(
        missing.is_empty(),
        "routes never exercised with a success: {missing:?}"
    );
    assert!(c.checked > 40);
    c.sim.shutdown().await;
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
    });
    let (status, msg) = c
        .call("post", t_messages, &messages, Some(rich), true)
        .await;
    assert_eq!(status, 200);
    let mid = msg["id"].as_str().expect("id").to_owned();
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

async fn rate_limits() {
    // Rate limits: bucket and global 429 bodies.
    let limited = start(fast().rest_bucket_limit(1).rest_global_limit(2)).await;
    let mut l = Conformance::new(limited);
    l.call("get", "/users/@me", "/users/@me", None, true).await;
    let (status, _) = l.call("get", "/users/@me", "/users/@me", None, true).await;
    assert_eq!(status, 429);
    l.call("get", "/gateway/bot", "/gateway/bot", None, true)
        .await;
    let (status, body) = l
        .call("get", "/applications/@me", "/applications/@me", None, true)
        .await;
    assert_eq!((status, body["global"].as_bool()), (429, Some(true)));
    l.sim.shutdown().await;
}
