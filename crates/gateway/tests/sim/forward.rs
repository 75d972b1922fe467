//! `GatewayConfig::forward`: events the consumer does not take still update the cache and wake
//! `Standby` waiters, and never reach the consumer's queue.

use novera_gateway::{EventTypeFlags, GatewayConfig};
use serde_json::Value;
use twilight_model::gateway::event::Event;
use twilight_model::id::Id;

use crate::common::{Bot, channel, config, connected, sim, start_sim, state, wait_until, within};

#[tokio::test]
async fn only_forwarded_events_reach_the_consumer_but_all_reach_cache_and_waiters() {
    let sim = start_sim(sim().guilds(1)).await;
    let control = sim.control();
    let config = GatewayConfig {
        forward: EventTypeFlags::INTERACTION_CREATE,
        ..config(&sim)
    };
    let mut bot = Bot::start(&config).await;
    let world = state(&control).await;
    let channel_id = channel(&world, 0);

    // READY and GUILD_CREATE are handled (counted, cached) but not forwarded.
    let seq = connected(&state(&control).await, 0).seq;
    wait_until("READY and GUILD_CREATE handled", || async {
        bot.gateway.status().shards[0].sequence == Some(seq)
    })
    .await;
    assert_eq!(bot.gateway.cache().stats().guilds(), 1);

    // A message wakes a waiter and lands in the cache.
    let waiter = bot
        .gateway
        .standby()
        .wait_for_message(Id::new(channel_id), |_: &_| true);
    let posted = control
        .post_message(channel_id, "not for the router", None)
        .await
        .expect("post");
    let seen = within("the waiter", waiter).await.expect("waiter woken");
    assert_eq!(seen.id.to_string(), posted.id);
    assert!(
        bot.gateway
            .cache()
            .message(posted.id.parse().expect("id"))
            .is_some()
    );

    // The interaction is the first event the consumer gets.
    let created = control
        .run_command("ping", Value::Null, None, Some(channel_id), None)
        .await
        .expect("command");
    bot.collect_until("the interaction", |seen| !seen.is_empty())
        .await;
    match &bot.seen[..] {
        [Event::InteractionCreate(interaction)] => {
            assert_eq!(interaction.id.to_string(), created.id);
        }
        other => panic!("the consumer got {other:?}"),
    }
    let shard = bot.shard(0);
    assert_eq!(shard.events_dropped, 0);
    assert!(shard.events >= seq + 2);
}
