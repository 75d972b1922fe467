//! Several shards in one process: paced IDENTIFYs, and each shard gets its own guilds' events.

use std::collections::BTreeMap;
use std::time::Duration;

use novera_gateway::{GatewayConfig, ShardCount, ShardPlan, ShardState};
use twilight_model::gateway::event::Event;

use crate::common::{Bot, config, connected, count, sim, start_sim, state, wait_until, within};

#[tokio::test]
async fn four_shards_identify_paced_and_route_guild_events() {
    let sim = start_sim(
        sim()
            .guilds(8)
            .shards(4)
            .max_concurrency(2)
            .identify_window(Duration::from_millis(100)),
    )
    .await;
    let control = sim.control();
    let config = GatewayConfig {
        identify_interval: Duration::from_millis(400),
        ..config(&sim)
    };
    let mut bot = Bot::start(&config).await;
    assert_eq!(
        bot.gateway.shard_total(),
        4,
        "auto = what /gateway/bot recommends"
    );
    within("all four shards ready", bot.status.wait_ready()).await;
    bot.connected(8).await;

    let world = state(&control).await;
    assert_eq!(world.identifies, 4);
    assert_eq!(
        world.violation_counts.get("identify_concurrency"),
        Some(&0),
        "one IDENTIFY per bucket per window"
    );
    let mut shards: Vec<_> = world.sessions.iter().map(|s| s.shard).collect();
    shards.sort_unstable();
    assert_eq!(shards, vec![[0, 4], [1, 4], [2, 4], [3, 4]]);

    // One message per guild, each naming its guild.
    for guild in &world.guilds {
        control
            .post_message(&guild.channels[0], &guild.id, None)
            .await
            .expect("post");
    }
    bot.collect_until("one message per guild", |seen| {
        count(seen, |e| matches!(e, Event::MessageCreate(_))) == 8
    })
    .await;
    for event in &bot.seen {
        if let Event::MessageCreate(m) = event {
            assert_eq!(
                m.guild_id.map(|g| g.to_string()).as_deref(),
                Some(m.content.as_str())
            );
        }
    }

    // Each runner processed exactly what the simulator sent its shard, and together they
    // handed on every event once.
    let world = state(&control).await;
    let mut per_shard = BTreeMap::new();
    for id in 0..4 {
        let session = connected(&world, id);
        let seq = session.seq;
        wait_until("status to catch up", || async {
            bot.shard(id).sequence == Some(seq)
        })
        .await;
        let shard = bot.shard(id);
        assert_eq!(shard.state, ShardState::Active);
        assert_eq!(shard.events, seq, "shard {id}");
        assert_eq!(shard.identifies, 1);
        per_shard.insert(id, seq);
    }
    assert_eq!(bot.seen.len() as u64, per_shard.values().sum::<u64>());
    let guilds_per_shard: BTreeMap<u32, usize> =
        world.guilds.iter().fold(BTreeMap::new(), |mut m, g| {
            *m.entry(g.shard).or_default() += 1;
            m
        });
    assert!(
        guilds_per_shard.len() > 1,
        "the world spreads over shards: {guilds_per_shard:?}"
    );
    assert_eq!(bot.gateway.cache().stats().guilds(), 8);
    sim.shutdown().await;
}

#[tokio::test]
async fn two_processes_split_the_shards_by_range() {
    let sim = start_sim(sim().guilds(6).shards(4).max_concurrency(4)).await;
    let control = sim.control();
    let plan = |range| GatewayConfig {
        shards: ShardPlan {
            count: ShardCount::Fixed(4),
            range: Some(range),
        },
        ..config(&sim)
    };
    let low = Bot::start(&plan(0..2)).await;
    let high = Bot::start(&plan(2..4)).await;
    within("low half ready", low.status.wait_ready()).await;
    within("high half ready", high.status.wait_ready()).await;
    let ids = |bot: &Bot| {
        bot.gateway
            .status()
            .shards
            .iter()
            .map(|s| s.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&low), vec![0, 1]);
    assert_eq!(ids(&high), vec![2, 3]);
    let world = state(&control).await;
    assert_eq!(world.identifies, 4);
    for id in 0..4 {
        assert_eq!(connected(&world, id).shard, [id, 4]);
    }
    sim.shutdown().await;
}
