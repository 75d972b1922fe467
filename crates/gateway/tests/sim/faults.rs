//! Connection faults: everything but the fatal codes resumes without losing or repeating an
//! event; op 9 false and the closes that end the session (4009, 1001) re-identify; 4004 and
//! 4014 stop the shard with a typed error.

use novera_core::{EscalationReason, SupervisedState};
use novera_gateway::ShardState;
use novera_sim::Fault;
use twilight_model::gateway::event::Event;

use crate::common::{
    Bot, HEARTBEAT, channel, config, connected, count, intents, post_all, sessions_of, sim,
    start_sim, state, texts, within,
};

/// Injects `fault` between messages; the shard must come back (RESUMED, or READY when
/// `reidentifies`) and deliver every message once, in order.
async fn survives(fault: Fault, reidentifies: bool) {
    let sim = start_sim(sim()).await;
    let control = sim.control();
    let mut bot = Bot::start(&config(&sim)).await;
    bot.connected(2).await;
    let channel = channel(&state(&control).await, 0);

    let mut expected = texts("before", 3);
    post_all(&control, channel, &expected).await;
    bot.collect_until("messages before the fault", |seen| {
        crate::common::messages(seen).len() == 3
    })
    .await;

    let applied = control.fault(&fault).await.expect("fault");
    assert_eq!(applied.applied, 1, "{fault:?} hit the connection");
    if !reidentifies {
        // Sent while the connection is failing: held by the session and replayed on RESUME.
        let during = texts("during", 3);
        post_all(&control, channel, &during).await;
        expected.extend(during);
    }
    let readies_before = count(&bot.seen, |e| matches!(e, Event::Ready(_)));
    bot.collect_until("the shard to come back", |seen| {
        if reidentifies {
            count(seen, |e| matches!(e, Event::Ready(_))) > readies_before
        } else {
            seen.iter().any(|e| matches!(e, Event::Resumed))
        }
    })
    .await;
    let after = texts("after", 3);
    post_all(&control, channel, &after).await;
    expected.extend(after);
    let n = expected.len();
    bot.collect_until("every message", |seen| {
        crate::common::messages(seen).len() >= n
    })
    .await;
    assert_eq!(bot.messages(), expected, "every message once, in order");

    let world = state(&control).await;
    let shard = bot.shard(0);
    if reidentifies {
        assert_eq!(world.identifies, 2);
        assert_eq!(shard.identifies, 2);
    } else {
        assert_eq!(
            world.identifies, 1,
            "the shard resumed instead of identifying"
        );
        assert!(world.resumes >= 1);
        assert_eq!(shard.identifies, 1);
        assert!(shard.resumes >= 1, "{shard:?}");
        assert!(shard.reconnects >= 1, "{shard:?}");
        // One session throughout: its dispatches are numbered 1..=seq, and the consumer got
        // exactly that many, so none was lost and none delivered twice.
        let session = connected(&world, 0);
        assert_eq!(sessions_of(&world, 0).len(), 1);
        assert_eq!(bot.seen.len() as u64, session.seq, "{session:?}");
        assert_eq!(shard.sequence, Some(session.seq));
    }
    assert_eq!(shard.state, ShardState::Active);
    assert!(shard.last_close_code.is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn op7_reconnect_resumes_without_loss() {
    survives(Fault::Reconnect { shard: None }, false).await;
}

#[tokio::test]
async fn op9_resumable_resumes_without_loss() {
    let fault = Fault::InvalidSession {
        resumable: true,
        shard: None,
    };
    survives(fault, false).await;
}

#[tokio::test]
async fn tcp_drop_resumes_without_loss() {
    survives(Fault::Drop { shard: Some(0) }, false).await;
}

#[tokio::test]
async fn close_4000_resumes_without_loss() {
    let fault = Fault::Close {
        code: 4000,
        shard: None,
    };
    survives(fault, false).await;
}

#[tokio::test]
async fn silence_zombie_resumes_without_loss() {
    // Long enough for a heartbeat to go unanswered through a whole interval.
    let ms = u64::try_from((HEARTBEAT * 5).as_millis()).expect("small");
    survives(Fault::Silence { ms, shard: None }, false).await;
}

#[tokio::test]
async fn op9_not_resumable_reidentifies() {
    let fault = Fault::InvalidSession {
        resumable: false,
        shard: None,
    };
    survives(fault, true).await;
}

#[tokio::test]
async fn close_4009_reidentifies() {
    // Discord's "session timed out": the session is gone, a RESUME would be refused.
    let fault = Fault::Close {
        code: 4009,
        shard: None,
    };
    survives(fault, true).await;
}

#[tokio::test]
async fn close_1001_reidentifies() {
    // "Going away" from the server ends the session like the client's own 1000/1001 would.
    let fault = Fault::Close {
        code: 1001,
        shard: None,
    };
    survives(fault, true).await;
}

/// Waits for the supervisor's escalation of `shard-0` and checks it is a fatal one.
async fn expect_fatal_escalation(bot: &mut Bot, code: u16) {
    let escalation = within("escalation", bot.escalations.recv())
        .await
        .expect("an escalation");
    assert_eq!(escalation.component, "shard-0");
    match &escalation.reason {
        EscalationReason::Fatal { error } => {
            assert!(error.contains(&code.to_string()), "{error}");
        }
        other => panic!("expected a fatal escalation, got {other:?}"),
    }
    let supervised = bot.supervisor.components();
    assert_eq!(supervised[0].state, SupervisedState::Failed);
    let shard = bot.shard(0);
    assert_eq!(shard.state, ShardState::FatallyClosed { code });
    assert_eq!(shard.last_close_code, Some(code));
    assert!(!bot.status.readiness().ready);
}

#[tokio::test]
async fn close_4004_is_a_typed_fatal_error_and_never_retried() {
    let sim = start_sim(sim()).await;
    let control = sim.control();
    let mut bot = Bot::start(&config(&sim)).await;
    bot.connected(2).await;
    control
        .fault(&Fault::Close {
            code: 4004,
            shard: None,
        })
        .await
        .expect("fault");
    expect_fatal_escalation(&mut bot, 4004).await;
    let fatal = bot.gateway.fatal_closes();
    assert_eq!(fatal.len(), 1);
    assert_eq!((fatal[0].shard, fatal[0].code), (0, 4004));
    assert!(
        fatal[0].explanation.contains("token"),
        "{}",
        fatal[0].explanation
    );

    // Several heartbeat intervals later: no RESUME, no IDENTIFY, no new connection.
    tokio::time::sleep(HEARTBEAT * 4).await;
    let world = state(&control).await;
    assert_eq!((world.identifies, world.resumes), (1, 0));
    assert!(
        world.sessions.iter().all(|s| !s.connected),
        "{:?}",
        world.sessions
    );
    assert_eq!(bot.shard(0).reconnects, 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn close_4014_names_the_privileged_intent_and_is_never_retried() {
    let sim = start_sim(sim().deny_privileged_intents(true)).await;
    let control = sim.control();
    let mut bot = Bot::start(&config(&sim)).await;
    expect_fatal_escalation(&mut bot, 4014).await;
    let fatal = bot.gateway.fatal_closes();
    assert_eq!(fatal.len(), 1);
    assert_eq!(fatal[0].code, 4014);
    assert!(intents().contains(twilight_model::gateway::Intents::MESSAGE_CONTENT));
    assert!(
        fatal[0].explanation.contains("MESSAGE_CONTENT"),
        "{}",
        fatal[0].explanation
    );
    assert!(
        fatal[0].explanation.contains("Developer Portal"),
        "{}",
        fatal[0].explanation
    );

    tokio::time::sleep(HEARTBEAT * 4).await;
    let world = state(&control).await;
    assert_eq!(world.identifies, 0);
    assert_eq!(
        world.violation_counts.get("disallowed_intents"),
        Some(&1),
        "exactly one IDENTIFY was refused: the shard did not retry"
    );
    assert!(
        within("end of events", bot.events.recv()).await.is_none(),
        "the stopped runner released the queue"
    );
    sim.shutdown().await;
}
