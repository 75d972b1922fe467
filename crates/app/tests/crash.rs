//! The real `novera` binary killed with SIGKILL (what an OOM kill or a power loss amounts to):
//! the session it checkpointed while running lets the next start RESUME, so nothing sent while
//! it was down is lost and no identify is spent, and nothing it had answered is answered again.

mod common;

use std::os::unix::process::ExitStatusExt as _;
use std::path::Path;

use common::{Novera, TOKEN, command, eventually, get, wait_status};
use novera_sim::{ControlClient, SimHandle, Simulator};
use serde_json::Value;

fn with_token(dir: &Path, sim: &SimHandle) -> tokio::process::Command {
    let mut cmd = command(dir);
    cmd.env("NOVERA_TOKEN", TOKEN)
        .env("NOVERA_DISCORD__API_URL", sim.base_url())
        .env("NOVERA_COMMANDS__PREFIX", "!");
    cmd
}

/// The bot's messages in `channel` that reply to message `id`.
async fn replies_to(control: &ControlClient, channel: u64, id: &str) -> Vec<Value> {
    control
        .channel_messages(channel)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|m| {
            m.pointer("/author/bot").and_then(Value::as_bool) == Some(true)
                && m.pointer("/message_reference/message_id")
                    .and_then(Value::as_str)
                    == Some(id)
        })
        .collect()
}

/// Posts `!ping` and returns the message id.
async fn ping_message(control: &ControlClient, channel: u64) -> String {
    control
        .post_message(channel, "!ping", None)
        .await
        .expect("post a message")
        .id
}

/// `(session id, sequence)` of the checkpoint in `path`, if there is one.
fn checkpoint(path: &Path) -> Option<(String, u64)> {
    let text = std::fs::read_to_string(path).ok()?;
    let file: Value = serde_json::from_str(&text).ok()?;
    let session = file.pointer("/sessions/0/session")?;
    Some((
        session.get("id")?.as_str()?.to_owned(),
        session.get("sequence")?.as_u64()?,
    ))
}

/// A gateway counter summed over shards, from `/metrics`.
async fn counter(health: &str, name: &str) -> u64 {
    let (_, text) = get(&format!("{health}/metrics")).await;
    text.lines()
        .filter(|l| l.starts_with(name) && !l.starts_with('#'))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_then_restart_resumes_from_the_checkpoint_and_loses_nothing() {
    let sim = Simulator::builder()
        .token(TOKEN)
        .start()
        .await
        .expect("the simulator starts");
    let control = sim.control();
    let channel: u64 = control.state().await.unwrap().guilds[0].channels[0]
        .parse()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sessions = dir.path().join("sessions.json");

    let mut first = Novera::spawn(with_token(dir.path(), &sim));
    let health = first.url_after("health on ").await;
    wait_status(&format!("{health}/readyz"), 200).await;

    // Traffic the first process answers before it dies.
    let before = ping_message(&control, channel).await;
    let answered_before = control
        .run_command("ping", Value::Null, None, Some(channel), None)
        .await
        .unwrap();
    eventually("the first process to answer both pings", || async {
        let status = control.interaction(&answered_before.id).await.ok()?;
        let edited = status.bodies.iter().any(|b| b.kind == "edit_original");
        (edited && !replies_to(&control, channel, &before).await.is_empty()).then_some(())
    })
    .await;
    // The checkpoint is written about once a second: wait until one covers the whole session.
    let (session_id, seq) = eventually("a checkpoint covering the session", || async {
        let state = control.state().await.ok()?;
        let live = state.sessions.iter().find(|s| s.connected)?;
        let saved = checkpoint(&sessions)?;
        (saved == (live.id.clone(), live.seq)).then_some(saved)
    })
    .await;

    first.signal("KILL");
    let status = first.exit().await;
    assert_eq!(status.signal(), Some(9), "{}", first.dump());
    assert_eq!(
        checkpoint(&sessions),
        Some((session_id.clone(), seq)),
        "no graceful stop wrote anything after the kill"
    );

    // While nothing runs, users write and run a slash command.
    let mut while_down = Vec::new();
    for _ in 0..3 {
        while_down.push(ping_message(&control, channel).await);
    }
    let missed = control
        .run_command("ping", Value::Null, None, Some(channel), None)
        .await
        .unwrap();

    let mut second = Novera::spawn(with_token(dir.path(), &sim));
    let health = second.url_after("health on ").await;
    wait_status(&format!("{health}/readyz"), 200).await;
    let state = control.state().await.unwrap();
    assert_eq!(
        state.identifies, 1,
        "no IDENTIFY after the crash: {state:?}"
    );
    assert!(state.resumes >= 1, "{state:?}");
    let live: Vec<_> = state.sessions.iter().filter(|s| s.connected).collect();
    assert_eq!(live.len(), 1, "{state:?}");
    assert_eq!(live[0].id, session_id, "the same session, resumed");

    // Every message posted while the bot was down reached it and was answered once.
    for id in &while_down {
        let replies = eventually("an answer to each message sent while down", || async {
            let replies = replies_to(&control, channel, id).await;
            (!replies.is_empty()).then_some(replies)
        })
        .await;
        assert_eq!(replies.len(), 1, "{replies:?}");
    }
    let status = eventually("the slash command sent while down", || async {
        let status = control.interaction(&missed.id).await.ok()?;
        status
            .bodies
            .iter()
            .any(|b| b.kind == "edit_original")
            .then_some(status)
    })
    .await;
    assert!(
        status
            .content
            .as_deref()
            .is_some_and(|c| c.contains("Pong")),
        "{status:?}"
    );
    assert!(status.error.is_none(), "{status:?}");

    // Nothing the first process had answered was answered again.
    assert_eq!(replies_to(&control, channel, &before).await.len(), 1);
    let earlier = control.interaction(&answered_before.id).await.unwrap();
    let kinds: Vec<&str> = earlier.bodies.iter().map(|b| b.kind.as_str()).collect();
    assert_eq!(kinds, ["callback", "edit_original"], "{earlier:?}");
    assert!(earlier.followups.is_empty(), "{earlier:?}");
    let state = control.state().await.unwrap();
    assert!(state.violations.is_empty(), "{:?}", state.violations);
    // The new process resumed and identified nothing, by its own count too.
    assert_eq!(counter(&health, "novera_gateway_identifies_total").await, 0);
    assert_eq!(counter(&health, "novera_gateway_resumes_total").await, 1);

    second.signal("TERM");
    assert_eq!(second.exit().await.code(), Some(0), "{}", second.dump());
    for output in [first.dump(), second.dump()] {
        assert!(!output.contains(TOKEN), "the token leaked:\n{output}");
    }
}
