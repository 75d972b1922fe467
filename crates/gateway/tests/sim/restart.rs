//! Sessions survive a restart: a graceful stop saves them, the next process resumes them and
//! receives what was sent while nothing ran, without spending an IDENTIFY.

use std::time::Duration;

use novera_gateway::{FileSessionStore, GatewayConfig, SessionStore as _, ShardState};
use twilight_model::gateway::event::Event;

use crate::common::{
    Bot, channel, config, connected, post_all, sim, start_sim, state, texts, wait_until, within,
};

#[tokio::test]
async fn restart_resumes_from_saved_sessions_and_receives_what_was_missed() {
    // A budget of one IDENTIFY: the second process cannot identify, it must resume.
    let sim = start_sim(sim().session_start_limit(1)).await;
    let control = sim.control();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sessions.json");
    let config = GatewayConfig {
        session_path: Some(path.clone()),
        ..config(&sim)
    };

    let mut first = Bot::start(&config).await;
    first.connected(2).await;
    let channel = channel(&state(&control).await, 0);
    let before = texts("before", 2);
    post_all(&control, channel, &before).await;
    first
        .collect_until("messages before the stop", |seen| {
            crate::common::messages(seen).len() == 2
        })
        .await;

    let report = within("shutdown", first.gateway.shutdown(Duration::from_secs(3)))
        .await
        .expect("shutdown");
    assert_eq!(report.closed, vec![0], "{report:?}");
    assert_eq!(report.sessions_saved, 1);
    assert_eq!(report.session_path.as_deref(), Some(path.as_path()));
    assert!(
        within("end of events", first.events.recv()).await.is_none(),
        "the first process's event stream ended"
    );
    let saved = FileSessionStore::new(&path)
        .load()
        .await
        .expect("session file");
    assert_eq!(saved.len(), 1);
    assert_eq!((saved[0].shard, saved[0].total), (0, 1));
    let world = state(&control).await;
    let session = &world.sessions[0];
    assert!(session.alive && !session.connected, "{session:?}");
    assert_eq!(saved[0].session.id(), session.id);
    assert_eq!(saved[0].session.sequence(), session.seq);

    // Nothing runs: these wait in the session.
    let missed = texts("while down", 3);
    post_all(&control, channel, &missed).await;

    let mut second = Bot::start(&config).await;
    second
        .collect_until("RESUMED and the missed messages", |seen| {
            seen.iter().any(|e| matches!(e, Event::Resumed))
                && crate::common::messages(seen).len() >= 3
        })
        .await;
    second.assert_resumed_with(&missed);
    let world = state(&control).await;
    assert_eq!(world.identifies, 1, "no IDENTIFY after the restart");
    assert_eq!(world.resumes, 1);
    assert_eq!(world.violation_counts.get("identify_budget"), Some(&0));
    let session = connected(&world, 0);
    assert_eq!(session.id, saved[0].session.id());
    let shard = second.shard(0);
    assert_eq!(shard.state, ShardState::Active);
    assert_eq!((shard.identifies, shard.resumes), (0, 1));
    // Resuming spent nothing, so the empty budget never held it.
    assert_eq!(second.gateway.status().identify_budget.remaining, 0);

    // The resumed session stays in the store, and the running process checkpoints its new
    // position: a crash now would resume from there.
    let store = FileSessionStore::new(&path);
    wait_until("a checkpoint of the resumed session", || async {
        let saved = store.load().await.expect("file");
        saved.len() == 1
            && saved[0].session.id() == session.id
            && saved[0].session.sequence() == session.seq
    })
    .await;
    within("shutdown", second.gateway.shutdown(Duration::from_secs(3)))
        .await
        .expect("shutdown");
    sim.shutdown().await;
}

#[tokio::test]
async fn sessions_of_another_shard_count_are_not_resumed() {
    let sim = start_sim(sim()).await;
    let control = sim.control();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sessions.json");
    let config = GatewayConfig {
        session_path: Some(path.clone()),
        ..config(&sim)
    };
    let mut first = Bot::start(&config).await;
    first.connected(2).await;
    within("shutdown", first.gateway.shutdown(Duration::from_secs(3)))
        .await
        .expect("shutdown");
    // Rewrite the saved entry as if it came from a two-shard deployment.
    let store = FileSessionStore::new(&path);
    let mut saved = store.load().await.expect("file");
    saved[0].total = 2;
    store.save(&saved).await.expect("save");

    let mut second = Bot::start(&config).await;
    second.connected(2).await;
    assert!(
        matches!(second.seen[0], Event::Ready(_)),
        "identified afresh"
    );
    let world = state(&control).await;
    assert_eq!((world.identifies, world.resumes), (2, 0));
    within("shutdown", second.gateway.shutdown(Duration::from_secs(3)))
        .await
        .expect("shutdown");
    sim.shutdown().await;
}
