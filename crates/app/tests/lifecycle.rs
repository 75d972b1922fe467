//! The real `novera` binary against novera-sim: sandbox, graceful stop and resume, bad token,
//! bad configuration, and the health endpoints.

mod common;

use std::time::Duration;

use common::{Novera, TOKEN, command, eventually, get, wait_status, webhook_capture};
use novera_sim::{ControlClient, SimHandle, Simulator};
use serde_json::{Value, json};

async fn simulator() -> SimHandle {
    Simulator::builder()
        .token(TOKEN)
        .start()
        .await
        .expect("the simulator starts")
}

fn with_token(dir: &std::path::Path, sim: &SimHandle) -> tokio::process::Command {
    let mut cmd = command(dir);
    cmd.env("NOVERA_TOKEN", TOKEN)
        .env("NOVERA_DISCORD__API_URL", sim.base_url())
        .env("NOVERA_COMMANDS__PREFIX", "!");
    cmd
}

async fn first_channel(control: &ControlClient) -> u64 {
    control.state().await.unwrap().guilds[0].channels[0]
        .parse()
        .unwrap()
}

async fn answered(control: &ControlClient, id: &str) -> novera_sim::InteractionStatus {
    eventually("the interaction to be answered", || async {
        let status = control.interaction(id).await.ok()?;
        (status.responded && status.content.as_deref().is_some_and(|c| !c.is_empty()))
            .then_some(status)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_starts_gets_ready_and_answers_ping_and_roll() {
    let dir = tempfile::tempdir().unwrap();
    let mut novera = Novera::spawn(command(dir.path()));
    let sim_url = novera.url_after("simulator at ").await;
    let health = novera.url_after("health on ").await;
    wait_status(&format!("{health}/readyz"), 200).await;

    let control = ControlClient::new(sim_url);
    let created = control
        .run_command("ping", Value::Null, None, None, None)
        .await
        .unwrap();
    let outcome = answered(&control, &created.id).await;
    assert!(outcome.error.is_none(), "{outcome:?}");
    assert!(
        outcome.content.unwrap().to_lowercase().contains("pong"),
        "ping answers with pong"
    );

    // The example command crate is plugged into the binary's command list: /roll is served.
    let created = control
        .run_command(
            "roll",
            json!([{"name": "dice", "type": 3, "value": "2d6+1"}]),
            None,
            None,
            None,
        )
        .await
        .unwrap();
    let outcome = answered(&control, &created.id).await;
    assert!(outcome.error.is_none(), "{outcome:?}");
    let text = outcome.content.unwrap();
    assert!(
        text.starts_with("`2d6+1` ["),
        "/roll answers with the dice: {text}"
    );

    novera.signal("TERM");
    let status = novera.exit().await;
    assert_eq!(status.code(), Some(0), "{}", novera.dump());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_command_finishes_it_saves_sessions_and_the_next_start_resumes() {
    let sim = simulator().await;
    let control = sim.control();
    let channel = first_channel(&control).await;
    let dir = tempfile::tempdir().unwrap();

    let mut novera = Novera::spawn(with_token(dir.path(), &sim));
    let health = novera.url_after("health on ").await;
    wait_status(&format!("{health}/readyz"), 200).await;
    let state = control.state().await.unwrap();
    assert_eq!(state.identifies, 1, "{state:?}\n{}", novera.dump());

    // A command that is still waiting when the stop arrives: /ask with a 2 s timeout.
    let ask = control
        .run_command(
            "ask",
            json!([{"name": "question", "type": 3, "value": "still there?"},
                   {"name": "timeout", "type": 4, "value": 2}]),
            None,
            Some(channel),
            None,
        )
        .await
        .unwrap();
    eventually("the question to be asked", || async {
        control
            .interaction(&ask.id)
            .await
            .ok()?
            .responded
            .then_some(())
    })
    .await;
    novera.signal("TERM");
    let status = novera.exit().await;
    assert_eq!(status.code(), Some(0), "{}", novera.dump());

    let outcome = control.interaction(&ask.id).await.unwrap();
    let said: Vec<String> = outcome
        .followups
        .iter()
        .map(|f| f.content.clone())
        .chain(outcome.content.clone())
        .collect();
    assert!(
        said.iter().any(|c| c.contains("No answer within 2s")),
        "the /ask reply arrived after SIGTERM: {said:?}\n{}",
        novera.dump()
    );
    let saved = std::fs::read_to_string(dir.path().join("sessions.json"))
        .expect("the session file was written");
    assert!(saved.contains("session"), "{saved}");

    // While no process runs, a user sends a prefix command.
    control.post_message(channel, "!ping", None).await.unwrap();

    let mut again = Novera::spawn(with_token(dir.path(), &sim));
    let health = again.url_after("health on ").await;
    wait_status(&format!("{health}/readyz"), 200).await;
    let state = control.state().await.unwrap();
    assert_eq!(
        state.identifies, 1,
        "the restart resumed instead of identifying"
    );
    assert!(state.resumes >= 1);

    eventually(
        "the bot to answer the !ping sent while it was down",
        || async {
            let messages = control.channel_messages(channel).await.ok()?;
            messages
                .iter()
                .any(|m| {
                    m.pointer("/author/bot").and_then(Value::as_bool) == Some(true)
                        && m["content"]
                            .as_str()
                            .is_some_and(|c| c.to_lowercase().contains("pong"))
                })
                .then_some(())
        },
    )
    .await;

    again.signal("TERM");
    assert_eq!(again.exit().await.code(), Some(0), "{}", again.dump());
    for output in [novera.dump(), again.dump()] {
        assert!(!output.contains(TOKEN), "the token leaked:\n{output}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_exits_78_at_step_one_without_a_websocket() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = command(dir.path());
    cmd.env("NOVERA_TOKEN", "wrong-token-value")
        .env("NOVERA_DISCORD__API_URL", sim.base_url());
    let started = std::time::Instant::now();
    let mut novera = Novera::spawn(cmd);
    let status = novera.exit().await;
    assert_eq!(status.code(), Some(78), "{}", novera.dump());
    assert!(started.elapsed() < Duration::from_secs(10));
    let last = novera
        .stderr()
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned();
    assert!(last.starts_with("novera: "), "{last}");
    assert!(last.contains("token"), "{last}");
    assert!(!novera.dump().contains("wrong-token-value"));

    let state = sim.control().state().await.unwrap();
    assert!(state.sessions.is_empty(), "no WebSocket session was opened");
    assert_eq!(state.identifies, 0);
    let requests = sim.control().requests().await.unwrap();
    assert!(
        requests.iter().all(|r| !r.path.contains("gateway")),
        "{requests:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_config_value_exits_78_naming_the_key_and_its_source() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = command(dir.path());
    cmd.env("NOVERA_COMMANDS__DEFER_AFTER", "5s");
    let mut novera = Novera::spawn(cmd);
    assert_eq!(novera.exit().await.code(), Some(78), "{}", novera.dump());
    let stderr = novera.stderr();
    assert!(stderr.contains("`commands.defer_after`"), "{stderr}");
    assert!(stderr.contains("NOVERA_COMMANDS__DEFER_AFTER"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    std::fs::write(dir.path().join("novera.toml"), "[health]\nlisen = 1\n").unwrap();
    let mut novera = Novera::spawn(command(dir.path()));
    assert_eq!(novera.exit().await.code(), Some(78), "{}", novera.dump());
    assert!(novera.stderr().contains("unknown key `health.lisen`"));
    assert!(novera.stderr().contains("novera.toml"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_endpoints_answer_as_specified() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = with_token(dir.path(), &sim);
    cmd.env(
        "NOVERA_ALERTS__WEBHOOK_URL",
        format!("http://{}/api/webhooks/1/hook-secret-xyz", sim.api_host()),
    );
    let mut novera = Novera::spawn(cmd);
    let health = novera.url_after("health on ").await;
    wait_status(&format!("{health}/readyz"), 200).await;

    let (code, body) = get(&format!("{health}/healthz")).await;
    assert_eq!(code, 200, "{body}");
    let (code, body) = get(&format!("{health}/status")).await;
    assert_eq!(code, 200);
    let status: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(status["shards"][0]["state"], "active", "{status}");
    assert!(
        status["identify_budget"]["remaining"].is_number(),
        "{status}"
    );
    assert!(status["commands"]["served"].is_number(), "{status}");
    let (code, metrics) = get(&format!("{health}/metrics")).await;
    assert_eq!(code, 200);
    assert!(metrics.contains("novera_build_info"), "{metrics}");
    assert!(metrics.contains("novera_gateway_"), "{metrics}");
    let (code, _) = get(&format!("{health}/nope")).await;
    assert_eq!(code, 404);
    let (code, page) = get(&format!("{health}/")).await;
    assert_eq!(code, 200);
    assert!(page.contains("<title>Novera status</title>"), "{page}");
    let (code, history) = get(&format!("{health}/history")).await;
    assert_eq!(code, 200);
    for text in [&body, &metrics, &page, &history] {
        assert!(!text.contains(TOKEN) && !text.contains("hook-secret-xyz"));
    }

    novera.signal("TERM");
    assert_eq!(novera.exit().await.code(), Some(0), "{}", novera.dump());
    let output = novera.dump();
    assert!(
        !output.contains(TOKEN) && !output.contains("hook-secret-xyz"),
        "{output}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_config_redacts_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = command(dir.path());
    cmd.arg("check-config").env("DISCORD_TOKEN", TOKEN).env(
        "NOVERA_ALERTS__WEBHOOK_URL",
        "https://discord.com/api/webhooks/1/hook-secret-xyz",
    );
    let mut novera = Novera::spawn(cmd);
    assert_eq!(novera.exit().await.code(), Some(0), "{}", novera.dump());
    let out = novera.dump();
    assert!(out.contains("[redacted]"), "{out}");
    assert!(
        !out.contains(TOKEN) && !out.contains("hook-secret-xyz"),
        "{out}"
    );
    assert!(out.contains("[health]"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disallowed_intents_exit_78_with_the_fix_and_no_reconnect() {
    let sim = Simulator::builder()
        .token(TOKEN)
        .deny_privileged_intents(true)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (webhook, posted) = webhook_capture().await;
    // The default intents include MESSAGE_CONTENT, which this "application" may not use.
    let mut cmd = with_token(dir.path(), &sim);
    cmd.env(
        "NOVERA_ALERTS__WEBHOOK_URL",
        format!("http://{webhook}/api/webhooks/42/hook-secret-xyz"),
    );
    let mut novera = Novera::spawn(cmd);
    let status = novera.exit().await;
    assert_eq!(status.code(), Some(78), "{}", novera.dump());
    let last = novera
        .stderr()
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned();
    assert!(last.contains("4014"), "{last}");
    assert!(last.contains("MESSAGE_CONTENT"), "{last}");
    let state = sim.control().state().await.unwrap();
    assert_eq!(
        state.violation_counts.get("disallowed_intents").copied(),
        Some(1),
        "exactly one refused IDENTIFY, no retry: {state:?}"
    );
    assert!(!novera.dump().contains(TOKEN));

    let alerts = posted.lock().unwrap().clone();
    assert_eq!(alerts.len(), 1, "one alert for the fatal close: {alerts:?}");
    let content = alerts[0]["content"].as_str().unwrap_or_default();
    assert!(
        content.contains("fatal gateway close")
            && content.contains("4014")
            && content.contains("(reference "),
        "{content}"
    );
    assert_eq!(alerts[0]["allowed_mentions"]["parse"], json!([]));
    let all = serde_json::to_string(&alerts).unwrap();
    assert!(
        !all.contains(TOKEN) && !all.contains("hook-secret-xyz"),
        "{all}"
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn systemd_gets_ready_watchdog_status_and_stopping() {
    let dir = tempfile::tempdir().unwrap();
    let socket_path = dir.path().join("notify.sock");
    let socket = tokio::net::UnixDatagram::bind(&socket_path).unwrap();
    let mut cmd = command(dir.path());
    // Sandbox mode; a 1 s watchdog means a WATCHDOG=1 at least every 500 ms while live.
    cmd.env("NOTIFY_SOCKET", &socket_path)
        .env("WATCHDOG_USEC", "1000000");
    let mut novera = Novera::spawn(cmd);

    let mut seen: Vec<String> = Vec::new();
    let mut buf = vec![0u8; 4096];
    let got = |seen: &[String], what: &str| seen.iter().any(|m| m.lines().any(|l| l == what));
    let collected = tokio::time::timeout(common::PATIENCE, async {
        while !(got(&seen, "READY=1")
            && seen.iter().filter(|m| m.contains("WATCHDOG=1")).count() >= 2)
        {
            let n = socket.recv(&mut buf).await.unwrap();
            seen.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
    })
    .await;
    assert!(
        collected.is_ok(),
        "READY=1 and watchdog pings: {seen:?}\n{}",
        novera.dump()
    );
    assert!(
        seen.iter().any(|m| m.starts_with("STATUS=")),
        "a STATUS= line: {seen:?}"
    );
    let ready_at = seen.iter().position(|m| m.contains("READY=1")).unwrap();
    assert!(
        seen[..ready_at]
            .iter()
            .any(|m| m.contains("STATUS=waiting for")),
        "status says what it waits for before READY: {seen:?}"
    );

    novera.signal("TERM");
    let stopping = tokio::time::timeout(common::PATIENCE, async {
        loop {
            let n = socket.recv(&mut buf).await.unwrap();
            if String::from_utf8_lossy(&buf[..n]).contains("STOPPING=1") {
                return;
            }
        }
    })
    .await;
    assert!(stopping.is_ok(), "STOPPING=1 on SIGTERM");
    assert_eq!(novera.exit().await.code(), Some(0), "{}", novera.dump());
}
