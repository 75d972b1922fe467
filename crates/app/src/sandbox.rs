//! Sandbox mode: with no token, the bot runs against an embedded novera-sim, and a line console
//! plays the users.
//!
//! The console speaks the simulator's control API (the same contract tests and benchmarks use):
//! `/name option: value` runs a slash command, `click <custom_id>` presses a button on the latest
//! bot message that has it, anything else is posted as a user's message. A printer task shows the
//! bot's messages and edits in the sandbox channel as they arrive.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use novera_core::{CancellationToken, Shutdown};
use novera_interactions::{EndpointSettings, PublicKey};
use novera_sim::{ControlClient, SimHandle, Simulator};
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt as _;

use crate::config::Config;
use crate::exit::Failure;

/// The token the embedded simulator expects; it is not a secret.
pub(crate) const SANDBOX_TOKEN: &str = "sandbox-token";

/// Starts the embedded simulator on `listen`.
pub(crate) async fn start(listen: SocketAddr) -> Result<SimHandle, Failure> {
    Simulator::builder()
        .listen(listen)
        .token(SANDBOX_TOKEN)
        .start()
        .await
        .map_err(|e| {
            Failure::config(format!(
                "invalid configuration: key `sandbox.listen` = \"{listen}\": cannot start the sandbox simulator: {e}"
            ))
        })
}

/// `sandbox.interactions = "http"`: the bot's interactions endpoint, verifying with the
/// simulator's key, on `interactions.listen` or a free loopback port.
pub(crate) async fn endpoint(
    sim: &SimHandle,
    config: &Config,
) -> Result<EndpointSettings, Failure> {
    let application =
        sim.control().application().await.map_err(|e| {
            Failure::software(format!("the sandbox simulator has no application: {e}"))
        })?;
    let key = PublicKey::from_hex(&application.verify_key).map_err(|e| {
        Failure::software(format!(
            "the sandbox simulator's verify_key is unusable: {e}"
        ))
    })?;
    let listen = config
        .interactions
        .listen
        .unwrap_or_else(|| ([127, 0, 0, 1], 0).into());
    Ok(crate::settings::endpoint_settings(config, listen, key))
}

/// Tells the simulator the endpoint's URL; it checks it as Discord does (a badly signed PING
/// must be refused, a signed one answered) and sends interactions there from now on.
pub(crate) async fn use_endpoint(sim: &SimHandle, url: &str) -> Result<(), Failure> {
    sim.control()
        .set_interactions_endpoint(Some(url))
        .await
        .map(drop)
        .map_err(|e| Failure::software(format!("the sandbox simulator refused {url}: {e}")))
}

/// Where console input goes.
struct Target {
    guild_id: Option<u64>,
    channel_id: u64,
}

async fn target(control: &ControlClient) -> Option<Target> {
    let state = control.state().await.ok()?;
    let guild = state.guilds.first()?;
    Some(Target {
        guild_id: guild.id.parse().ok(),
        channel_id: guild.channels.first()?.parse().ok()?,
    })
}

/// What the console prints; it is the binary's user interface, so it goes to stdout.
#[allow(
    clippy::print_stdout,
    reason = "the sandbox console talks to its user on stdout"
)]
fn say(line: &str) {
    println!("{line}");
}

/// Runs the console until stdin closes, `quit` is typed, or a stop is requested.
pub(crate) async fn console(control: ControlClient, shutdown: Shutdown) {
    let cancel = shutdown.token();
    let Some(target) = target(&control).await else {
        tracing::warn!("sandbox console: the simulator has no channel to talk in");
        return;
    };
    let printer = tokio::spawn(print_bot_messages(
        control.clone(),
        target.channel_id,
        cancel.clone(),
    ));
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    loop {
        let line = tokio::select! {
            () = cancel.cancelled() => break,
            line = lines.next_line() => line,
        };
        let Ok(Some(line)) = line else { break };
        let line = line.trim();
        match line {
            "" => {}
            "help" | "?" => say(HELP),
            "quit" | "exit" => {
                shutdown.request();
                break;
            }
            _ => {
                if let Err(message) = handle_line(&control, &target, line).await {
                    say(&format!("console: {message}"));
                }
            }
        }
    }
    printer.abort();
}

const HELP: &str = "sandbox console:
  /ping                       run a slash command
  /ask question: how are you  options as `name: value`
  click <custom_id>           press a button on the latest bot message that has it
  anything else               post it as a user's message
  quit                        stop the bot (like Ctrl-C)";

async fn handle_line(control: &ControlClient, target: &Target, line: &str) -> Result<(), String> {
    if let Some(rest) = line.strip_prefix('/') {
        let (name, options) = parse_command(rest);
        let known = control.state().await.map_err(|e| e.to_string())?.commands;
        let definition = known
            .iter()
            .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
            .ok_or_else(|| format!("no registered command /{name} (try /help)"))?;
        let options = typed_options(definition, &options)?;
        control
            .run_command(
                name,
                options,
                target.guild_id,
                Some(target.channel_id),
                None,
            )
            .await
            .map_err(|e| e.to_string())?;
        return Ok(());
    }
    if let Some(custom_id) = line.strip_prefix("click ") {
        let custom_id = custom_id.trim();
        let messages = control
            .channel_messages(target.channel_id)
            .await
            .map_err(|e| e.to_string())?;
        let message_id = messages
            .iter()
            .rev()
            .find(|m| has_component(m, custom_id))
            .and_then(|m| m.get("id").and_then(Value::as_str))
            .ok_or_else(|| format!("no bot message has a button {custom_id:?}"))?;
        control
            .click(message_id, custom_id, None)
            .await
            .map_err(|e| e.to_string())?;
        return Ok(());
    }
    control
        .post_message(target.channel_id, line, None)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Splits `ask question: how are you mood: fine` into the name and `(option, value)` pairs.
fn parse_command(text: &str) -> (&str, Vec<(String, String)>) {
    let (name, rest) = text.split_once(' ').unwrap_or((text, ""));
    let mut options: Vec<(String, String)> = Vec::new();
    for word in rest.split_whitespace() {
        if let Some(key) = word.strip_suffix(':').filter(|k| !k.is_empty()) {
            options.push((key.to_owned(), String::new()));
        } else if let Some((_, value)) = options.last_mut() {
            if !value.is_empty() {
                value.push(' ');
            }
            value.push_str(word);
        }
    }
    (name, options)
}

/// Turns console option text into Discord's typed `data.options`, using the registered definition.
fn typed_options(definition: &Value, options: &[(String, String)]) -> Result<Value, String> {
    let declared = definition
        .get("options")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for (name, raw) in options {
        let kind = declared
            .iter()
            .find(|o| o.get("name").and_then(Value::as_str) == Some(name))
            .and_then(|o| o.get("type").and_then(Value::as_u64))
            .ok_or_else(|| format!("the command has no option {name:?}"))?;
        let value = match kind {
            4 => json!(
                raw.parse::<i64>()
                    .map_err(|_| format!("{name} must be a whole number"))?
            ),
            5 => json!(matches!(raw.as_str(), "true" | "yes" | "1")),
            10 => json!(
                raw.parse::<f64>()
                    .map_err(|_| format!("{name} must be a number"))?
            ),
            _ => json!(raw),
        };
        out.push(json!({"name": name, "type": kind, "value": value}));
    }
    Ok(Value::Array(out))
}

fn has_component(message: &Value, custom_id: &str) -> bool {
    fn walk(v: &Value, id: &str) -> bool {
        match v {
            Value::Object(map) => {
                map.get("custom_id").and_then(Value::as_str) == Some(id)
                    || map.values().any(|c| walk(c, id))
            }
            Value::Array(items) => items.iter().any(|c| walk(c, id)),
            _ => false,
        }
    }
    message
        .get("components")
        .is_some_and(|c| walk(c, custom_id))
}

/// Prints new bot messages and edits in the channel, polling the simulator.
async fn print_bot_messages(control: ControlClient, channel_id: u64, cancel: CancellationToken) {
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut interval = tokio::time::interval(Duration::from_millis(200));
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            _ = interval.tick() => {}
        }
        let Ok(messages) = control.channel_messages(channel_id).await else {
            continue;
        };
        for message in &messages {
            let is_bot = message
                .pointer("/author/bot")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let (Some(id), true) = (message.get("id").and_then(Value::as_str), is_bot) else {
                continue;
            };
            let content = render(message);
            match seen.get(id) {
                Some(previous) if *previous == content => {}
                Some(_) => say(&format!("bot (edited): {content}")),
                None => say(&format!("bot: {content}")),
            }
            seen.insert(id.to_owned(), content);
        }
    }
}

fn render(message: &Value) -> String {
    let mut text = message
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if let Some(embeds) = message.get("embeds").and_then(Value::as_array) {
        for embed in embeds {
            for key in ["title", "description"] {
                if let Some(s) = embed.get(key).and_then(Value::as_str) {
                    let _ = write!(text, "\n  {s}");
                }
            }
        }
    }
    let mut buttons = Vec::new();
    collect_buttons(
        message.get("components").unwrap_or(&Value::Null),
        &mut buttons,
    );
    if !buttons.is_empty() {
        let _ = write!(text, "\n  buttons: {}", buttons.join(", "));
    }
    if message.get("flags").and_then(Value::as_u64).unwrap_or(0) & 64 != 0 {
        text.push_str("  (only you can see this)");
    }
    if text.is_empty() {
        "(thinking...)".to_owned()
    } else {
        text
    }
}

fn collect_buttons(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let Some(id) = map.get("custom_id").and_then(Value::as_str) {
                let label = map.get("label").and_then(Value::as_str).unwrap_or(id);
                out.push(format!("[{label}] (click {id})"));
            }
            for child in map.values() {
                collect_buttons(child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|c| collect_buttons(c, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_options_with_spaces() {
        let (name, options) = parse_command("ask question: how are you today");
        assert_eq!(name, "ask");
        assert_eq!(
            options,
            vec![("question".to_owned(), "how are you today".to_owned())]
        );
        let (name, options) = parse_command("ping");
        assert_eq!(name, "ping");
        assert!(options.is_empty());
    }

    #[test]
    fn types_options_from_the_definition() {
        let def = json!({"name": "roll", "options": [
            {"name": "sides", "type": 4}, {"name": "label", "type": 3}
        ]});
        let out = typed_options(
            &def,
            &[("sides".into(), "6".into()), ("label".into(), "d6".into())],
        )
        .unwrap();
        assert_eq!(out[0]["value"], json!(6));
        assert_eq!(out[1]["value"], json!("d6"));
        assert!(typed_options(&def, &[("sides".into(), "six".into())]).is_err());
        assert!(typed_options(&def, &[("nope".into(), "1".into())]).is_err());
    }
}
