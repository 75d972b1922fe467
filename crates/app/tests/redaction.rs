//! No secret leaves the real `novera` binary, at `trace`, through any of its outputs.
//!
//! The bot runs against novera-sim with a token, an alert webhook (served by the simulator),
//! pretty logs on stderr and a JSON log file. It answers slash commands through every
//! token-bearing REST route (callback, edit of `@original`, follow-up), then a fatal close fires
//! the alert and stops it. The bot token, the webhook's token and every interaction token (read
//! from the simulator's control API) must then be absent from stdout, stderr, the log file,
//! `/status` and `/metrics`, while the routes themselves, with their ids, are still logged.

mod common;

use common::{Novera, TOKEN, command, eventually, get, wait_status};
use novera_sim::{ControlClient, CreatedInteraction, Fault, InteractionStatus, Simulator};
use serde_json::{Value, json};

/// The alert webhook's credential (the last segment of its URL).
const HOOK_TOKEN: &str = "hook-s3cr3t-Zq9xK2mP7vL4wN";

async fn status_when(
    control: &ControlClient,
    id: &str,
    what: &str,
    done: impl Fn(&InteractionStatus) -> bool,
) -> InteractionStatus {
    eventually(what, || async {
        let status = control.interaction(id).await.ok()?;
        done(&status).then_some(status)
    })
    .await
}

/// The interactions the bot answered, each with its token: `/ping` (callback, edit of
/// `@original`), `/ask` (callback, follow-up) and a `/ping` whose edit the simulator fails, so the
/// error reply goes out as a follow-up (all three on one interaction).
async fn answer_commands(control: &ControlClient, channel: u64) -> [CreatedInteraction; 3] {
    let ping = control
        .run_command("ping", Value::Null, None, None, None)
        .await
        .unwrap();
    status_when(control, &ping.id, "/ping to edit its reply", |s| {
        s.content.as_deref().is_some_and(|c| c.contains(" ms."))
    })
    .await;

    let ask = control
        .run_command(
            "ask",
            json!([{"name": "question", "type": 3, "value": "favourite number?"},
                   {"name": "timeout", "type": 4, "value": 30}]),
            None,
            Some(channel),
            None,
        )
        .await
        .unwrap();
    status_when(control, &ask.id, "/ask to ask", |s| s.responded).await;
    control
        .post_message(channel, "forty-two", None)
        .await
        .unwrap();
    status_when(control, &ask.id, "/ask to follow up", |s| {
        s.followups
            .iter()
            .any(|f| f.content.contains("You answered: forty-two"))
    })
    .await;

    // Five 500s: all the attempts the responder makes at the edit (a single 500 is retried), so
    // the command fails, and the retries' log lines are checked too.
    control
        .fault(&Fault::Rest {
            status: 500,
            count: 5,
            path_prefix: Some("/webhooks/".to_owned()),
            retry_after: None,
        })
        .await
        .unwrap();
    let failing = control
        .run_command("ping", Value::Null, None, None, None)
        .await
        .unwrap();
    status_when(control, &failing.id, "the error follow-up", |s| {
        !s.followups.is_empty()
    })
    .await;
    let requests = control.requests().await.unwrap();
    assert!(
        requests.iter().any(|r| r.method == "PATCH"
            && r.path.contains(&failing.token)
            && r.path.ends_with("/messages/@original")
            && r.status == 500),
        "the edit of @original was sent and failed: {requests:?}"
    );
    [ping, ask, failing]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_webhook_or_interaction_token_in_any_output_at_trace() {
    let sim = Simulator::builder()
        .token(TOKEN)
        .start()
        .await
        .expect("the simulator starts");
    let control = sim.control();
    let state = control.state().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log_file = dir.path().join("logs").join("novera.log");
    let webhook = format!("http://{}/api/webhooks/42/{HOOK_TOKEN}", sim.api_host());

    let mut cmd = command(dir.path());
    cmd.env("NOVERA_TOKEN", TOKEN)
        .env("NOVERA_DISCORD__API_URL", sim.base_url())
        .env("NOVERA_LOG__LEVEL", "trace")
        .env("NOVERA_LOG__FORMAT", "pretty")
        .env("NOVERA_LOG__FILE", &log_file)
        .env("NOVERA_LOG__ROTATION", "never")
        .env("NOVERA_ALERTS__WEBHOOK_URL", &webhook);
    let mut novera = Novera::spawn(cmd);
    let health = novera.url_after("health on ").await;
    wait_status(&format!("{health}/readyz"), 200).await;

    let channel: u64 = state.guilds[0].channels[0].parse().unwrap();
    let interactions = answer_commands(&control, channel).await;
    let (code, status) = get(&format!("{health}/status")).await;
    assert_eq!(code, 200, "{status}");
    let (code, metrics) = get(&format!("{health}/metrics")).await;
    assert_eq!(code, 200);

    // A fatal close: the alert fires (its POST reaches the simulator) and the bot stops with 78.
    control
        .fault(&Fault::Close {
            code: 4004,
            shard: None,
        })
        .await
        .unwrap();
    let exit = novera.exit().await;
    assert_eq!(exit.code(), Some(78), "{}", novera.dump());
    let requests = control.requests().await.unwrap();
    assert!(
        requests
            .iter()
            .any(|r| r.method == "POST" && r.path.ends_with(&format!("/webhooks/42/{HOOK_TOKEN}"))),
        "the alert was posted: {requests:?}"
    );

    let stdout = novera.stdout();
    let stderr = novera.stderr();
    let file = std::fs::read_to_string(&log_file).expect("the log file was written");
    for line in file.lines() {
        serde_json::from_str::<Value>(line)
            .unwrap_or_else(|e| panic!("a log file line is not JSON ({e}): {line}"));
    }

    // The trace really recorded the token-bearing routes, readable, ids included.
    let app_id = &state.application_id;
    for route in [
        format!("interactions/{}/[redacted]/callback", interactions[0].id),
        format!("webhooks/{app_id}/[redacted]/messages/@original"),
        format!("webhooks/{app_id}/[redacted]"),
        "webhooks/42/[redacted]".to_owned(),
    ] {
        assert!(stderr.contains(&route), "stderr lacks {route}");
        assert!(file.contains(&route), "the log file lacks {route}");
    }

    let mut secrets = vec![
        ("the bot token", TOKEN),
        ("the webhook URL", webhook.as_str()),
        ("the webhook token", HOOK_TOKEN),
    ];
    secrets.extend(
        interactions
            .iter()
            .map(|i| ("an interaction token", i.token.as_str())),
    );
    let outputs = [
        ("stdout", &stdout),
        ("stderr", &stderr),
        ("the log file", &file),
        ("/status", &status),
        ("/metrics", &metrics),
    ];
    for (secret_name, secret) in secrets {
        for (output_name, text) in outputs {
            if let Some(at) = text.find(secret) {
                let line = text[..at].rsplit('\n').next().unwrap_or_default();
                panic!("{secret_name} appears in {output_name}, after: {line}");
            }
        }
    }
}
