//! `/_sim/load` and large worlds: pre-serialized `MESSAGE_CREATEs` with consecutive sequence
//! numbers, and `GUILD_CREATEs` streamed lazily.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use common::{RawGateway, SeqCheck, TOKEN, connect, drive, fast, start, within};
use serde_json::json;
use twilight_gateway::queue::InMemoryQueue;
use twilight_gateway::{ConfigBuilder, Event, EventType, Intents, Shard, ShardId};

#[tokio::test]
async fn load_streams_consecutive_message_creates() {
    let sim = start(fast().guilds(2)).await;
    let mut raw = RawGateway::hello(&sim).await;
    raw.identify(TOKEN, 1 | (1 << 9) | (1 << 15)).await;
    for _ in 0..3 {
        raw.until_op(0).await;
    }
    let count = 20_000;
    let started = sim
        .control()
        .load_messages(count, None)
        .await
        .expect("load");
    assert_eq!(started.first_seq, 4);
    assert_eq!(started.last_seq, 3 + count);
    let begin = Instant::now();
    let mut expected = started.first_seq;
    let mut with_mentions = 0;
    let mut with_embeds = 0;
    let mut last_id = 0u64;
    while expected <= started.last_seq {
        let p = raw.payload().await;
        assert_eq!(p["t"], "MESSAGE_CREATE");
        assert_eq!(p["s"], expected);
        let id: u64 = p["d"]["id"]
            .as_str()
            .expect("id")
            .parse()
            .expect("snowflake");
        assert!(id > last_id);
        last_id = id;
        assert!(p["d"]["author"]["id"].is_string());
        assert!(p["d"]["member"]["roles"].is_array());
        with_mentions += usize::from(!p["d"]["mentions"].as_array().expect("mentions").is_empty());
        with_embeds += usize::from(!p["d"]["embeds"].as_array().expect("embeds").is_empty());
        expected += 1;
    }
    let elapsed = begin.elapsed();
    assert!(with_mentions > 0 && with_embeds > 0);
    tracing::info!(?elapsed, "received {count} load messages");
    // Heartbeat with the last seq: recorded; the load stays replayable (one buffer entry
    // whatever its length), as a client may resume from an older saved position.
    raw.send(&json!({"op": 1, "d": started.last_seq})).await;
    raw.until_op(11).await;
    let state = sim.control().state().await.expect("state");
    assert_eq!(state.sessions[0].acked_seq, started.last_seq);
    assert_eq!(state.sessions[0].buffered, started.last_seq);
    sim.shutdown().await;
}

#[tokio::test]
async fn large_world_streams_every_guild() {
    let sim = start(
        fast()
            .guilds(100)
            .channels_per_guild(20)
            .members_per_guild(100)
            .shards(2),
    )
    .await;
    let state = within("state", sim.control().state()).await.expect("state");
    assert_eq!(state.guilds.len(), 100);
    let mut raw = RawGateway::hello(&sim).await;
    // GUILD_PRESENCES and a large_threshold above 100: every member is listed.
    raw.send(&json!({"op": 2, "d": {
        "token": TOKEN, "intents": 1 | (1 << 8), "properties": {}, "shard": [1, 2],
        "large_threshold": 250
    }}))
    .await;
    let ready = raw.until_op(0).await;
    let guilds = ready["d"]["guilds"].as_array().expect("guilds").len();
    assert_eq!(guilds, 50);
    for _ in 0..guilds {
        let g = raw.until_op(0).await;
        assert_eq!(g["t"], "GUILD_CREATE");
        assert_eq!(g["d"]["members"].as_array().map(Vec::len), Some(100));
        assert_eq!(g["d"]["large"], false);
        assert_eq!(g["d"]["channels"].as_array().map(Vec::len), Some(20));
    }
    sim.shutdown().await;
}

/// Every intent the default mix needs, besides `GUILDS`.
fn mix_intents() -> Intents {
    Intents::GUILDS
        | Intents::GUILD_MESSAGES
        | Intents::MESSAGE_CONTENT
        | Intents::GUILD_MESSAGE_REACTIONS
        | Intents::GUILD_MESSAGE_TYPING
        | Intents::GUILD_PRESENCES
        | Intents::GUILD_MEMBERS
}

#[tokio::test]
async fn a_mixed_load_parses_into_twilight_events_of_every_kind() {
    let sim = start(fast().guilds(1).channels_per_guild(2).members_per_guild(20)).await;
    let config = ConfigBuilder::new(TOKEN.to_owned(), mix_intents())
        .proxy_url(sim.gateway_url())
        .queue(InMemoryQueue::new(0, 0, Duration::ZERO, 0))
        .build();
    let mut shard = Shard::with_config(ShardId::ONE, config);
    let mut check = SeqCheck::default();
    connect(&mut shard, &mut check, 1).await;
    let state = sim.control().state().await.expect("state");
    let channel: u64 = state.guilds[0].channels[1].parse().expect("channel id");
    let count = 2_000;
    let started = sim
        .control()
        .load_mix(count, Some(channel), None)
        .await
        .expect("mixed load");
    assert_eq!(started.last_seq - started.first_seq + 1, count);
    let mut kinds: HashMap<EventType, u64> = HashMap::new();
    let mut created = HashSet::new();
    // `drive` fails the test on any event twilight cannot parse, and `check` on any gap.
    drive(&mut shard, &mut check, |event| {
        *kinds.entry(event.kind()).or_default() += 1;
        match event {
            Event::MessageCreate(m) => {
                assert_eq!(m.channel_id.get(), channel);
                created.insert(m.id);
            }
            Event::MessageUpdate(m) => {
                assert!(created.contains(&m.id), "edit of a message never created");
                assert!(m.edited_timestamp.is_some());
            }
            Event::MessageDelete(m) => assert!(created.contains(&m.id)),
            Event::ReactionAdd(r) => {
                assert!(created.contains(&r.message_id));
                assert!(r.member.is_some());
            }
            Event::ReactionRemove(r) => assert!(created.contains(&r.message_id)),
            Event::PresenceUpdate(p) => assert_eq!(
                p.guild_id.get(),
                state.guilds[0].id.parse::<u64>().expect("guild id")
            ),
            Event::MemberUpdate(m) => assert!(m.nick.is_some()),
            _ => {}
        }
        kinds.values().sum::<u64>() == count
    })
    .await;
    // The default mix, per 20 events: 4 messages, 2 edits, 1 delete, 2 + 1 reactions, 4
    // typing, 5 presences, 1 member update; 2,000 events are 100 cycles.
    for (kind, per_cycle) in [
        (EventType::MessageCreate, 4),
        (EventType::MessageUpdate, 2),
        (EventType::MessageDelete, 1),
        (EventType::ReactionAdd, 2),
        (EventType::ReactionRemove, 1),
        (EventType::TypingStart, 4),
        (EventType::PresenceUpdate, 5),
        (EventType::MemberUpdate, 1),
    ] {
        assert_eq!(kinds.get(&kind).copied(), Some(per_cycle * 100), "{kind:?}");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn a_load_the_session_may_not_receive_is_refused() {
    let sim = start(fast()).await;
    let mut raw = RawGateway::hello(&sim).await;
    raw.identify(TOKEN, 1 | (1 << 9)).await;
    raw.until_op(0).await;
    let control = sim.control();
    let refused = control
        .load_mix(10, None, None)
        .await
        .expect_err("no presence intent");
    let message = refused.to_string();
    assert!(
        message.contains("409") && message.contains("GUILD_PRESENCES"),
        "{message}"
    );
    let bad = control
        .load_mix(10, None, Some(&[("MESSAGE_CRATE", 1)]))
        .await
        .expect_err("unknown event");
    assert!(bad.to_string().contains("400"), "{bad}");
    // A mix of what the session may receive goes through.
    let started = control
        .load_mix(
            10,
            None,
            Some(&[("MESSAGE_CREATE", 1), ("MESSAGE_DELETE", 1)]),
        )
        .await
        .expect("messages and deletes");
    let mut kinds = Vec::new();
    while kinds.len() < 10 {
        let p = raw.until_op(0).await;
        if p["s"].as_u64() >= Some(started.first_seq) {
            kinds.push(p["t"].as_str().unwrap_or_default().to_owned());
        }
    }
    assert_eq!(started.last_seq - started.first_seq, 9);
    assert_eq!(kinds.iter().filter(|t| *t == "MESSAGE_DELETE").count(), 5);
    assert_eq!(kinds[0], "MESSAGE_CREATE");
    sim.shutdown().await;
}

#[tokio::test]
async fn guild_creates_list_every_member_only_with_presences_in_small_guilds() {
    // (intents, large_threshold) -> members listed, as Discord decides. One simulator per case:
    // IDENTIFYs in quick succession would break the identify window.
    for (intents, threshold, listed, large) in [
        (1 | (1 << 9), 250, 1, false),
        (1 | (1 << 8), 250, 60, false),
        (1 | (1 << 8), 50, 1, true),
    ] {
        let sim = start(fast().guilds(1).members_per_guild(60)).await;
        let mut raw = RawGateway::hello(&sim).await;
        raw.send(&json!({"op": 2, "d": {
            "token": TOKEN, "intents": intents, "properties": {}, "large_threshold": threshold
        }}))
        .await;
        raw.until_op(0).await;
        let g = raw.until_op(0).await;
        assert_eq!(g["t"], "GUILD_CREATE");
        let members = g["d"]["members"].as_array().expect("members");
        assert_eq!(
            members.len(),
            listed,
            "intents {intents}, threshold {threshold}"
        );
        assert_eq!(g["d"]["large"], large);
        assert_eq!(g["d"]["member_count"], 60);
        // The rest comes on request (op 8), whatever the intents.
        raw.send(&json!({"op": 8, "d": {"guild_id": g["d"]["id"], "query": "", "limit": 0}}))
            .await;
        let chunk = raw.until_op(0).await;
        assert_eq!(chunk["t"], "GUILD_MEMBERS_CHUNK");
        assert_eq!(chunk["d"]["members"].as_array().map(Vec::len), Some(60));
        let state = sim.control().state().await.expect("state");
        assert!(state.violations.is_empty(), "{:?}", state.violations);
        sim.shutdown().await;
    }
}
