//! `/_sim/load` and large worlds: pre-serialized `MESSAGE_CREATEs` with consecutive sequence
//! numbers, and `GUILD_CREATEs` streamed lazily.

mod common;

use std::time::Instant;

use common::{RawGateway, TOKEN, fast, start, within};
use serde_json::json;

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
    // Heartbeat with the last seq: the replay buffer is freed.
    raw.send(&json!({"op": 1, "d": started.last_seq})).await;
    raw.until_op(11).await;
    let state = sim.control().state().await.expect("state");
    assert_eq!(state.sessions[0].acked_seq, started.last_seq);
    assert_eq!(state.sessions[0].buffered, 0);
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
    raw.send(
        &json!({"op": 2, "d": {"token": TOKEN, "intents": 1, "properties": {}, "shard": [1, 2]}}),
    )
    .await;
    let ready = raw.until_op(0).await;
    let guilds = ready["d"]["guilds"].as_array().expect("guilds").len();
    assert_eq!(guilds, 50);
    for _ in 0..guilds {
        let g = raw.until_op(0).await;
        assert_eq!(g["t"], "GUILD_CREATE");
        assert_eq!(g["d"]["members"].as_array().map(Vec::len), Some(100));
        assert_eq!(g["d"]["channels"].as_array().map(Vec::len), Some(20));
    }
    sim.shutdown().await;
}
