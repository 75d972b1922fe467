//! The REST guard keeps the real binary under Discord's invalid-request limit.
//!
//! The scenario the guard exists for: the bot lost `Send Messages` in a busy channel (a REST
//! `403` fault on `/channels/`, far more than the limit) and users keep spamming a prefix
//! command there. novera-sim bans at `--invalid-request-limit` (lowered to 200 here) exactly as
//! Discord does at 10,000. With the guard disabled the bot is banned, which proves the scenario
//! can fail; with it enabled the ban never comes, slash commands elsewhere are still answered,
//! the warnings and one alert fire and the metric shows the count.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Novera, TOKEN, command, eventually, get, status, wait_status, webhook_capture};
use novera_sim::{ControlClient, Fault, SimHandle, Simulator};
use serde_json::Value;

/// The simulator's (and the guard's) limit: 200 invalid requests in 10 minutes.
const LIMIT: u32 = 200;
/// Messages users send in the channel that refuses the bot: half again the limit.
const SPAM: u32 = 300;

struct Scenario {
    /// Holds the session file and its lock for the process's life.
    _dir: tempfile::TempDir,
    novera: Novera,
    sim: SimHandle,
    control: ControlClient,
    health: String,
    alerts: Arc<Mutex<Vec<Value>>>,
}

/// A bot with `rest_guard.enabled = guarded` against a simulator that bans at [`LIMIT`], after
/// the users' spam in a channel where every request 403s.
async fn spam_a_forbidden_channel(guarded: bool) -> Scenario {
    let sim = Simulator::builder()
        .token(TOKEN)
        .guilds(2)
        .invalid_request_limit(LIMIT)
        .start()
        .await
        .expect("the simulator starts");
    let control = sim.control();
    let (webhook, alerts) = webhook_capture().await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = command(dir.path());
    cmd.env("NOVERA_TOKEN", TOKEN)
        .env("NOVERA_DISCORD__API_URL", sim.base_url())
        .env("NOVERA_COMMANDS__PREFIX", "!")
        .env(
            "NOVERA_ALERTS__WEBHOOK_URL",
            format!("http://{webhook}/api/webhooks/42/hook-secret"),
        )
        .env("NOVERA_REST_GUARD__LIMIT", LIMIT.to_string())
        .env("NOVERA_REST_GUARD__ENABLED", guarded.to_string());
    let novera = Novera::spawn(cmd);
    let health = novera.url_after("health on ").await;
    wait_status(&format!("{health}/readyz"), 200).await;

    let channel: u64 = control.state().await.unwrap().guilds[0].channels[0]
        .parse()
        .unwrap();
    control
        .fault(&Fault::Rest {
            status: 403,
            count: 50 * LIMIT,
            path_prefix: Some("/channels/".to_owned()),
            retry_after: None,
        })
        .await
        .unwrap();
    for i in 0..SPAM {
        control.post_message(channel, "!ping", None).await.unwrap();
        if i % 10 == 9 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    Scenario {
        _dir: dir,
        novera,
        sim,
        control,
        health,
        alerts,
    }
}

fn bans(state: &novera_sim::SimState) -> u64 {
    state
        .violation_counts
        .get("rest_invalid_request_ban")
        .copied()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_guard_the_spam_gets_the_bot_banned() {
    let scenario = spam_a_forbidden_channel(false).await;
    let control = &scenario.control;
    eventually("the simulator to ban the bot", || async {
        (bans(&control.state().await.ok()?) > 0).then_some(())
    })
    .await;
    drop(scenario.novera);
    scenario.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guard_keeps_the_bot_under_the_limit_and_answering() {
    let scenario = spam_a_forbidden_channel(true).await;
    let Scenario {
        _dir,
        mut novera,
        sim,
        control,
        health,
        alerts,
    } = scenario;

    // Every spam message was handled (the user-facing error goes nowhere: the channel refuses).
    eventually("the bot to handle every spam message", || async {
        let served = status(&health).await["commands"]["served"].as_u64()?;
        (served >= u64::from(SPAM)).then_some(())
    })
    .await;
    let state = control.state().await.unwrap();
    assert_eq!(bans(&state), 0, "banned: {:?}", state.violation_counts);

    // Slash commands elsewhere are still answered.
    let other: u64 = state.guilds[1].channels[0].parse().unwrap();
    for _ in 0..3 {
        let ping = control
            .run_command("ping", Value::Null, None, Some(other), None)
            .await
            .unwrap();
        eventually("/ping in another guild to be answered", || async {
            let answer = control.interaction(&ping.id).await.ok()?;
            answer
                .content
                .is_some_and(|c| c.contains("REST round trip:") && !c.contains("measuring"))
                .then_some(())
        })
        .await;
    }

    // /status: the count, the limit, the oldest entry and what contributes.
    let report = status(&health).await["invalid_requests"].clone();
    let count = report["count"].as_u64().unwrap();
    assert!(
        count >= u64::from(LIMIT) / 2 && count < u64::from(LIMIT),
        "{report}"
    );
    assert_eq!(report["limit"], LIMIT);
    assert!(report["oldest_at_unix_ms"].as_u64().is_some(), "{report}");
    assert_eq!(report["braking"], true, "{report}");
    assert!(report["refused"].as_u64().unwrap() > 0, "{report}");
    let top = report["top"][0]["summary"].as_str().unwrap();
    assert!(
        top.starts_with("403 ") && top.contains("on POST /channels/{id}/messages: "),
        "{top}"
    );

    // The metric.
    let (code, metrics) = get(&format!("{health}/metrics")).await;
    assert_eq!(code, 200);
    let gauge = metric(&metrics, "novera_rest_invalid_requests ");
    assert!(
        gauge >= f64::from(LIMIT) / 2.0 && gauge < f64::from(LIMIT),
        "{gauge}"
    );
    assert!(
        metric(&metrics, "novera_rest_refused_total{") > 0.0,
        "{metrics}"
    );

    // The warnings (50 %, 80 %, braking) in the log, and one alert (the others of the kind are
    // coalesced within `alerts.min_interval`).
    let logs = novera.stderr();
    let warnings = logs
        .lines()
        .filter(|l| l.contains("invalid requests (401/403/429)") && l.contains("WARN"))
        .count();
    assert!(warnings >= 3, "warnings at 50%, 80% and the brake:\n{logs}");
    assert!(logs.contains("Missing") || logs.contains("403"), "{logs}");
    let posted = alerts.lock().unwrap().clone();
    let ours: Vec<&Value> = posted
        .iter()
        .filter(|a| {
            a["content"]
                .as_str()
                .is_some_and(|c| c.contains("invalid requests"))
        })
        .collect();
    assert_eq!(ours.len(), 1, "one alert: {posted:?}");
    let content = ours[0]["content"].as_str().unwrap();
    assert!(
        content.contains("POST /channels/{id}/messages") && content.contains("(reference "),
        "{content}"
    );

    novera.signal("TERM");
    assert_eq!(novera.exit().await.code(), Some(0), "{}", novera.dump());
    assert_eq!(bans(&control.state().await.unwrap()), 0);
    sim.shutdown().await;
}

/// The value of the first sample whose line starts with `prefix`.
fn metric(text: &str, prefix: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(prefix))
        .find_map(|l| l.rsplit(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {prefix} in:\n{text}"))
}
