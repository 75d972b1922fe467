//! Sessions are checkpointed while the gateway runs: a process that stops without saving (a
//! crash) leaves a checkpoint the next one resumes from. A checkpoint never covers an event the
//! consumer has not taken, so whatever the crashed process had not handled is replayed.

use std::time::Duration;

use novera_gateway::{FileSessionStore, GatewayConfig, SessionStore as _};
use twilight_model::gateway::event::Event;

use crate::common::{
    Bot, channel, config, connected, messages, post_all, sim, start_sim, state, texts, wait_until,
    within,
};

/// Checkpoint interval of these tests.
const EVERY: Duration = Duration::from_millis(50);

#[tokio::test]
async fn a_crash_resumes_from_the_checkpoint_and_replays_what_was_not_taken() {
    // A budget of one IDENTIFY: the second process cannot identify, it must resume.
    let sim = start_sim(sim().session_start_limit(1)).await;
    let control = sim.control();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sessions.json");
    let config = GatewayConfig {
        session_path: Some(path.clone()),
        checkpoint_interval: EVERY,
        ..config(&sim)
    };
    let store = FileSessionStore::new(&path);

    let mut first = Bot::start(&config).await;
    first.connected(2).await;
    let channel = channel(&state(&control).await, 0);
    post_all(&control, channel, &texts("taken", 2)).await;
    first
        .collect_until("the first messages", |seen| messages(seen).len() == 2)
        .await;
    // Everything sent so far was taken: a checkpoint covers it while the process runs.
    let session = connected(&state(&control).await, 0);
    wait_until("a checkpoint of everything taken", || async {
        let saved = store.load().await.expect("session file");
        saved.len() == 1
            && saved[0].session.id() == session.id
            && saved[0].session.sequence() == session.seq
    })
    .await;

    // Received by the shard but never taken from the queue: no checkpoint may cover them.
    let untaken = texts("untaken", 2);
    post_all(&control, channel, &untaken).await;
    wait_until("the shard to receive them", || async {
        first.shard(0).sequence == Some(session.seq + 2)
    })
    .await;
    tokio::time::sleep(EVERY * 6).await;
    let saved = store.load().await.expect("session file");
    assert_eq!(
        saved[0].session.sequence(),
        session.seq,
        "the checkpoint stayed behind the queue"
    );

    // The crash: the process stops without `Gateway::shutdown`, so nothing saves a final state.
    first.shutdown.request();
    first.shutdown.drain(Duration::from_secs(5)).await;
    drop(first);

    let missed = texts("while down", 2);
    post_all(&control, channel, &missed).await;

    let mut second = Bot::start(&config).await;
    second
        .collect_until("RESUMED and the replayed messages", |seen| {
            seen.iter().any(|e| matches!(e, Event::Resumed)) && messages(seen).len() >= 4
        })
        .await;
    // What the crashed process never handled, then what was sent while it was down.
    let expected: Vec<String> = untaken.iter().chain(&missed).cloned().collect();
    second.assert_resumed_with(&expected);
    let world = state(&control).await;
    assert_eq!((world.identifies, world.resumes), (1, 1));
    assert!(world.violations.is_empty(), "{:?}", world.violations);

    within("shutdown", second.gateway.shutdown(Duration::from_secs(3)))
        .await
        .expect("shutdown");
    sim.shutdown().await;
}

#[tokio::test]
async fn nothing_is_written_while_nothing_changes() {
    let sim = start_sim(sim()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sessions.json");
    let config = GatewayConfig {
        session_path: Some(path.clone()),
        checkpoint_interval: EVERY,
        ..config(&sim)
    };
    let mut bot = Bot::start(&config).await;
    bot.connected(2).await;
    let control = sim.control();
    let session = connected(&state(&control).await, 0);
    let store = FileSessionStore::new(&path);
    wait_until("the first checkpoint", || async {
        store
            .load()
            .await
            .expect("file")
            .first()
            .is_some_and(|s| s.session.sequence() == session.seq)
    })
    .await;
    let written = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .expect("mtime");
    let inode = file_id(&path);
    // Heartbeats go on, no dispatch arrives: several intervals pass without a write.
    tokio::time::sleep(EVERY * 6).await;
    assert_eq!(
        std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .expect("mtime"),
        written
    );
    assert_eq!(file_id(&path), inode, "the file was not replaced");

    within("shutdown", bot.gateway.shutdown(Duration::from_secs(3)))
        .await
        .expect("shutdown");
    sim.shutdown().await;
}

/// The file's inode: every atomic write replaces it.
#[cfg(unix)]
fn file_id(path: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata(path).expect("metadata").ino()
}

#[cfg(not(unix))]
fn file_id(_: &std::path::Path) -> u64 {
    0
}
