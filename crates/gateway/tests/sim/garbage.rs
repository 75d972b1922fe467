//! Malformed input from Discord (issue 17): every variant of the simulator's `garbage` fault is
//! skipped and counted, the session goes on (a broken zstd stream is resumed, never
//! re-identified), no event around it is lost, and heartbeats never stall.

use novera_gateway::ShardState;
use novera_sim::{Fault, Garbage};
use twilight_model::gateway::event::Event;

use crate::common::{
    Bot, HEARTBEAT, channel, config, connected, count, post_all, sim, start_sim, state,
};

const VARIANTS: [Garbage; 7] = [
    Garbage::InvalidJson,
    Garbage::UnknownOpcode,
    Garbage::Oversized,
    Garbage::UnknownEvent,
    Garbage::MissingFields,
    Garbage::WrongTypes,
    Garbage::Binary,
];

#[tokio::test]
async fn every_garbage_variant_is_skipped_and_the_session_goes_on() {
    let sim = start_sim(sim()).await;
    let control = sim.control();
    let mut bot = Bot::start(&config(&sim)).await;
    bot.connected(2).await;
    let channel = channel(&state(&control).await, 0);

    let mut expected = Vec::new();
    for variant in VARIANTS {
        let fault = Fault::Garbage {
            variant,
            bytes: None,
            shard: None,
        };
        let applied = control.fault(&fault).await.expect("fault");
        assert_eq!(applied.applied, 1, "{variant:?} reached the session");
        // The next event still arrives, in order, after whatever the garbage did.
        let text = vec![format!("after {variant:?}")];
        post_all(&control, channel, &text).await;
        expected.extend(text);
        let n = expected.len();
        bot.collect_until(&format!("the message after {variant:?}"), |seen| {
            crate::common::messages(seen).len() >= n
        })
        .await;
    }
    assert_eq!(bot.messages(), expected, "every message once, in order");

    let shard = bot.shard(0);
    assert_eq!(shard.payload_errors, 7, "{shard:?}");
    assert_eq!(shard.state, ShardState::Active);
    let world = state(&control).await;
    assert_eq!(world.identifies, 1, "no new session");
    assert_eq!(count(&bot.seen, |e| matches!(e, Event::Ready(_))), 1);
    // Only the binary frame broke the zstd stream: twilight closed with 4000 and resumed.
    assert_eq!(world.resumes, 1, "{world:?}");
    assert_eq!(shard.resumes, 1);
    assert!(world.violations.is_empty(), "{:?}", world.violations);
    // The three broken dispatches took sequence numbers, and the shard counted past them.
    let session = connected(&world, 0);
    assert_eq!(shard.sequence, Some(session.seq));
    assert!(
        u128::from(session.max_heartbeat_gap_ms) < 5 * HEARTBEAT.as_millis(),
        "heartbeats stalled: {session:?}"
    );
    sim.shutdown().await;
}
