//! A consumer that never reads cannot delay heartbeats: the runner sheds instead of waiting;
//! a consumer that must lose nothing (`wait_for_room`) gets every event, read as fast as it takes them.

use std::time::Duration;

use novera_gateway::{GatewayConfig, ShardState};
use twilight_model::gateway::event::Event;

use crate::common::{Bot, HEARTBEAT, config, connected, sim, start_sim, state, wait_until};

#[tokio::test]
async fn a_stuck_consumer_never_delays_heartbeats() {
    // Discord allows some slack past the interval; the simulator enforces it (closing with 4009
    // and recording a violation), so a runner that stopped heartbeating fails this test.
    let tolerance = Duration::from_secs(2);
    let sim = start_sim(sim().heartbeat_tolerance(tolerance)).await;
    let control = sim.control();
    let capacity = 8;
    let config = GatewayConfig {
        event_queue_capacity: capacity,
        ..config(&sim)
    };
    // Nobody reads `bot.events` until the end of the test.
    let mut bot = Bot::start(&config).await;
    wait_until("the shard to be active", || async {
        bot.shard(0).state == ShardState::Active
    })
    .await;

    // Far more than the queue holds, but light enough that a loaded machine keeps up.
    let load = control.load_messages(200, None).await.expect("load");
    wait_until("the runner to process the whole load", || async {
        bot.shard(0).sequence >= Some(load.last_seq)
    })
    .await;
    let before = connected(&state(&control).await, 0);
    wait_until("five more heartbeats with the queue still full", || async {
        connected(&state(&control).await, 0).heartbeats >= before.heartbeats + 5
    })
    .await;

    let world = state(&control).await;
    let session = connected(&world, 0);
    assert_eq!(session.id, before.id, "the same session throughout");
    assert_eq!(world.violation_counts.get("heartbeat_timeout"), Some(&0));
    assert!(
        session.max_heartbeat_gap_ms
            < u64::try_from((HEARTBEAT + tolerance).as_millis()).expect("small"),
        "heartbeats kept their interval: {session:?}"
    );
    let shard = bot.shard(0);
    assert_eq!(shard.state, ShardState::Active);
    assert_eq!(shard.reconnects, 0);
    // Everything past the queue's capacity was shed, and counted.
    assert_eq!(shard.events_dropped, shard.events - capacity as u64);
    assert!(shard.events_dropped >= 200 - capacity as u64);

    // The queue holds the oldest events: READY first.
    let first = bot.events.try_recv().expect("queued event").event;
    assert!(matches!(first, Event::Ready(_)), "{first:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_slow_consumer_that_must_lose_nothing_gets_every_event() {
    let sim = start_sim(sim()).await;
    let control = sim.control();
    let capacity = 8;
    let config = GatewayConfig {
        event_queue_capacity: capacity,
        wait_for_room: Some(Duration::from_secs(1)),
        ..config(&sim)
    };
    let mut bot = Bot::start(&config).await;
    wait_until("the shard to be active", || async {
        bot.shard(0).state == ShardState::Active
    })
    .await;

    // 200 messages into a queue of 8, taken by a consumer slower than the socket.
    let load = control.load_messages(200, None).await.expect("load");
    let mut messages = 0;
    while messages < 200 {
        let forwarded = tokio::time::timeout(Duration::from_secs(10), bot.events.recv())
            .await
            .expect("the next event within 10 s")
            .expect("the queue is open");
        if matches!(forwarded.event, Event::MessageCreate(_)) {
            messages += 1;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let shard = bot.shard(0);
    assert_eq!(shard.events_dropped, 0, "{shard:?}");
    assert!(shard.sequence >= Some(load.last_seq), "{shard:?}");
    sim.shutdown().await;
}
