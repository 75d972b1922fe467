//! The identify budget guard: no IDENTIFY the budget cannot cover, and the wait is visible.

use std::time::Duration;

use novera_core::Health;
use novera_gateway::ShardState;
use novera_sim::Fault;
use twilight_model::gateway::event::Event;

use crate::common::{Bot, HEARTBEAT, config, count, sim, start_sim, state, wait_until};

fn waiting(state: &ShardState) -> Option<f64> {
    match state {
        ShardState::WaitingForIdentifyBudget { in_secs, .. } => Some(*in_secs),
        _ => None,
    }
}

#[tokio::test]
async fn no_identify_without_budget_and_the_status_says_why() {
    let sim = start_sim(sim().session_start_limit(0)).await;
    let control = sim.control();
    let bot = Bot::start(&config(&sim)).await;

    wait_until("the shard to report the budget wait", || async {
        waiting(&bot.shard(0).state).is_some()
    })
    .await;
    let status = bot.gateway.status();
    let wait = waiting(&status.shards[0].state).expect("waiting");
    // The simulator's budget resets a day after it is first used.
    assert!(wait > 3600.0, "waits for the reset: {wait}s");
    assert_eq!(status.identify_budget.remaining, 0);
    assert!(status.identify_budget.resets_in_secs > 3600.0);
    let json = serde_json::to_value(&status).expect("status serializes");
    assert_eq!(json["shards"][0]["state"], "waiting_for_identify_budget");
    assert!(
        json["shards"][0]["until_unix_ms"].as_u64().is_some(),
        "{json}"
    );

    let readiness = bot.status.readiness();
    assert!(!readiness.ready);
    assert!(
        matches!(&readiness.not_ready[0].health, Health::Down(reason) if reason.contains("identify budget")),
        "{readiness:?}"
    );

    // Several heartbeats later the connection is alive and still nothing was identified.
    tokio::time::sleep(HEARTBEAT * 4).await;
    let world = state(&control).await;
    assert_eq!(world.identifies, 0);
    assert_eq!(world.violation_counts.get("identify_budget"), Some(&0));
    assert!(!world.token_invalidated);
    assert!(waiting(&bot.shard(0).state).is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn an_exhausted_budget_delays_reidentify_until_it_resets() {
    let reset = Duration::from_millis(600);
    let sim = start_sim(sim().session_start_limit(1).session_start_reset(reset)).await;
    let control = sim.control();
    let mut bot = Bot::start(&config(&sim)).await;
    bot.connected(2).await;
    assert_eq!(bot.gateway.status().identify_budget.remaining, 0);

    // The session dies: the shard must identify, but the budget is spent until the reset.
    control
        .fault(&Fault::InvalidSession {
            resumable: false,
            shard: None,
        })
        .await
        .expect("fault");
    bot.collect_until("a second READY after the reset", |seen| {
        count(seen, |e| matches!(e, Event::Ready(_))) == 2
    })
    .await;
    let world = state(&control).await;
    assert_eq!(world.identifies, 2);
    assert_eq!(
        world.violation_counts.get("identify_budget"),
        Some(&0),
        "never identified with an empty budget"
    );
    assert!(!world.token_invalidated);
    assert_eq!(bot.shard(0).state, ShardState::Active);
    sim.shutdown().await;
}
