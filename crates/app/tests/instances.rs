//! One bot, one instance: the real binary refuses a second local copy and detects a remote one.
//!
//! Two `novera run` processes with one token used to both come up and answer every command
//! twice. On one host the second now exits at once (code 73) naming the first; on two hosts
//! (two session files) each notices the other from its messages' nonces and Discord's 40060s,
//! reports it (metric, `/status`, one alert), and with `instance.step_down` the newer one stops
//! answering, so users get one answer per command.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Novera, TOKEN, command, eventually, get, status, wait_status, webhook_capture};
use novera_sim::{ControlClient, SimHandle, Simulator};
use serde_json::Value;

async fn simulator() -> SimHandle {
    Simulator::builder()
        .token(TOKEN)
        // Two processes identify the same shard a moment apart.
        .identify_window(Duration::from_millis(100))
        .start()
        .await
        .expect("the simulator starts")
}

fn bot(dir: &Path, sim: &SimHandle) -> tokio::process::Command {
    let mut cmd = command(dir);
    cmd.env("NOVERA_TOKEN", TOKEN)
        .env("NOVERA_DISCORD__API_URL", sim.base_url())
        .env("NOVERA_COMMANDS__PREFIX", "!");
    cmd
}

async fn ready(cmd: tokio::process::Command) -> (Novera, String) {
    let novera = Novera::spawn(cmd);
    let health = novera.url_after("health on ").await;
    wait_status(&format!("{health}/readyz"), 200).await;
    (novera, health)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_copy_with_the_same_session_file_exits_naming_the_first() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let (mut first, _) = ready(bot(dir.path(), &sim)).await;

    let mut second = Novera::spawn(bot(dir.path(), &sim));
    let exited = tokio::time::timeout(Duration::from_secs(5), second.exit())
        .await
        .expect("the second copy exits within 5 s");
    assert_eq!(exited.code(), Some(73), "{}", second.dump());
    let last = second.last_stderr_line();
    assert!(
        last.contains(&format!("pid {}, started ", first.pid()))
            && last.contains("sessions.json.lock"),
        "{last}"
    );
    assert!(
        !second.stdout().contains("health on"),
        "it stopped before serving anything: {}",
        second.dump()
    );
    let identifies = sim.control().state().await.unwrap().identifies;
    assert_eq!(identifies, 1, "the second copy never reached the gateway");

    // The lock dies with its holder: after kill -9 the next start is normal.
    first.signal("KILL");
    first.exit().await;
    let (mut third, health) = ready(bot(dir.path(), &sim)).await;
    let answered = status(&health).await;
    assert_eq!(answered["ready"], true, "{answered}");
    third.signal("TERM");
    assert_eq!(third.exit().await.code(), Some(0), "{}", third.dump());
    sim.shutdown().await;
}

/// One `novera` of a pair on "another host": its own session file, its own alert webhook.
struct Instance {
    _dir: tempfile::TempDir,
    novera: Novera,
    health: String,
    alerts: Arc<Mutex<Vec<Value>>>,
}

async fn instance(sim: &SimHandle) -> Instance {
    let dir = tempfile::tempdir().unwrap();
    let (webhook, alerts) = webhook_capture().await;
    let mut cmd = bot(dir.path(), sim);
    cmd.env("NOVERA_INSTANCE__STEP_DOWN", "true").env(
        "NOVERA_ALERTS__WEBHOOK_URL",
        format!("http://{webhook}/api/webhooks/42/hook-secret"),
    );
    let (novera, health) = ready(cmd).await;
    Instance {
        _dir: dir,
        novera,
        health,
        alerts,
    }
}

async fn detected(health: &str) -> u64 {
    status(health).await["duplicate_instance"]["detected"]
        .as_u64()
        .unwrap_or(0)
}

/// The bot's replies to the user message `id` in `channel`.
async fn replies_to(control: &ControlClient, channel: u64, id: &str) -> usize {
    control
        .channel_messages(channel)
        .await
        .unwrap()
        .iter()
        .filter(|m| m["message_reference"]["message_id"].as_str() == Some(id))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hosts_both_report_the_duplicate_and_the_newer_steps_down() {
    let sim = simulator().await;
    let control = sim.control();
    let channel: u64 = control.state().await.unwrap().guilds[0].channels[0]
        .parse()
        .unwrap();
    let mut older = instance(&sim).await;
    // A new second: the tags' start times tell the two apart without their random parts.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut newer = instance(&sim).await;

    // Traffic until both noticed the other, within 10 s.
    let noticed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            control.post_message(channel, "!ping", None).await.unwrap();
            control
                .run_command("ping", Value::Null, None, None, None)
                .await
                .unwrap();
            if detected(&older.health).await > 0 && detected(&newer.health).await > 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    assert!(
        noticed.is_ok(),
        "both report the duplicate within 10 s\nolder: {}\nnewer: {}",
        status(&older.health).await["duplicate_instance"],
        status(&newer.health).await["duplicate_instance"]
    );

    for (who, instance) in [("older", &older), ("newer", &newer)] {
        assert_reported(who, instance).await;
    }
    let newer_report = status(&newer.health).await["duplicate_instance"].clone();
    eventually("the newer instance to step down", || async {
        let report = status(&newer.health).await["duplicate_instance"].clone();
        (report["stepped_down"] == true).then_some(())
    })
    .await;
    let older_report = status(&older.health).await["duplicate_instance"].clone();
    assert_eq!(older_report["stepped_down"], false, "{older_report}");
    assert!(
        older_report["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["other_instance"] == newer_report["this_instance"]),
        "the older names the newer: {older_report} / {newer_report}"
    );

    // One answer per command from here on.
    one_answer_each(&control, channel, &newer.health).await;

    // One alert each.
    for (who, instance) in [("older", &older), ("newer", &newer)] {
        assert_eq!(
            duplicate_alerts(instance),
            1,
            "{who}: {:?}",
            instance.alerts
        );
    }

    for novera in [&mut older.novera, &mut newer.novera] {
        novera.signal("TERM");
        assert_eq!(novera.exit().await.code(), Some(0), "{}", novera.dump());
    }
    sim.shutdown().await;
}

/// Events the stepped-down router passed over (`novera_commands_stepped_down_total`).
async fn stepped_down_total(health: &str) -> f64 {
    let (_, metrics) = get(&format!("{health}/metrics")).await;
    metrics
        .lines()
        .find(|l| l.starts_with("novera_commands_stepped_down_total"))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
        .unwrap_or(0.0)
}

/// `instance` reports the other one: evidence in `/status`, the metric, an error log line.
async fn assert_reported(who: &str, instance: &Instance) {
    let report = status(&instance.health).await["duplicate_instance"].clone();
    assert!(
        !report["evidence"].as_array().unwrap().is_empty(),
        "{who}: {report}"
    );
    let (_, metrics) = get(&format!("{}/metrics", instance.health)).await;
    let counted: f64 = metrics
        .lines()
        .filter(|l| l.starts_with("novera_duplicate_instance_detected_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert!(counted >= 1.0, "{who}: {metrics}");
    let logs = instance.novera.stderr();
    assert!(
        logs.contains("another instance of this bot is running with the same token"),
        "{who} logs it at error:\n{logs}"
    );
}

/// Five prefix and three slash commands after the step-down: the stepped-down instance passes
/// over all eight, and each gets exactly one answer.
async fn one_answer_each(control: &ControlClient, channel: u64, stepped_down: &str) {
    let stepped_down_before = stepped_down_total(stepped_down).await;
    let mut sent = Vec::new();
    for _ in 0..5 {
        sent.push(
            control
                .post_message(channel, "!ping", None)
                .await
                .unwrap()
                .id,
        );
    }
    let mut slash = Vec::new();
    for _ in 0..3 {
        slash.push(
            control
                .run_command("ping", Value::Null, None, None, None)
                .await
                .unwrap()
                .id,
        );
    }
    // The stepped-down instance saw all eight and answered none.
    eventually("the newer instance to pass over every command", || async {
        (stepped_down_total(stepped_down).await >= stepped_down_before + 8.0).then_some(())
    })
    .await;
    for id in &sent {
        eventually("the prefix command to be answered", || async {
            (replies_to(control, channel, id).await >= 1).then_some(())
        })
        .await;
    }
    for id in &slash {
        eventually("the slash command to be answered", || async {
            control.interaction(id).await.ok()?.responded.then_some(())
        })
        .await;
    }
    for id in &sent {
        assert_eq!(replies_to(control, channel, id).await, 1, "message {id}");
    }
    for id in &slash {
        let answer = control.interaction(id).await.unwrap();
        assert!(answer.error.is_none(), "one answer, no 40060: {answer:?}");
    }
}

/// The `duplicate instance` alerts `instance` posted.
fn duplicate_alerts(instance: &Instance) -> usize {
    instance
        .alerts
        .lock()
        .unwrap()
        .iter()
        .filter(|a| {
            a["content"]
                .as_str()
                .is_some_and(|c| c.contains("duplicate instance"))
        })
        .count()
}
