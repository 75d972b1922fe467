//! Gateway processes that share one bot's limits through NATS: identify pacing across
//! processes, one process per shard, and sessions that follow a replaced gateway. Real
//! `novera gateway` processes, a real nats-server and novera-sim with four shards.
//!
//! Skipped (one line) when nats-server is not installed outside CI; under CI it must be.

mod common;

use std::time::Duration;

use common::cluster::{replies, role, spawn};
use common::{Novera, TOKEN, eventually, get, wait_status};
use novera_sim::{SimHandle, Simulator};
use novera_testkit::NatsServer;
use serde_json::Value;

async fn simulator() -> SimHandle {
    Simulator::builder()
        .token(TOKEN)
        .max_concurrency(1)
        .start()
        .await
        .expect("the simulator starts")
}

/// A gateway process for shards `range` of four.
fn gateway(dir: &std::path::Path, name: &str, range: &str, sim: &SimHandle, nats: &str) -> Novera {
    let mut cmd = role(dir, name, "gateway", sim, nats);
    cmd.env("NOVERA_SHARDS__COUNT", "4")
        .env("NOVERA_SHARDS__RANGE", range);
    Novera::spawn(cmd)
}

async fn shard_states(health: &str) -> Vec<(String, Option<String>)> {
    let (_, body) = get(&format!("{health}/status")).await;
    let status: Value = serde_json::from_str(&body).unwrap_or_default();
    status["shards"]
        .as_array()
        .map(|shards| {
            shards
                .iter()
                .map(|s| {
                    (
                        s["state"].as_str().unwrap_or_default().to_owned(),
                        s["detail"].as_str().map(str::to_owned),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_gateways_started_together_share_the_identify_window() {
    let Some(nats) = NatsServer::start().await.unwrap() else {
        return;
    };
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let first = gateway(dir.path(), "gw-a", "0..2", &sim, &nats.url());
    let second = gateway(dir.path(), "gw-b", "2..4", &sim, &nats.url());
    let a = first.url_after("health on ").await;
    let b = second.url_after("health on ").await;

    // While one process holds the bot's identify window, the other's shard says so.
    let waiting = eventually("a shard waiting for the other process's window", || async {
        for health in [&a, &b] {
            for (_, detail) in shard_states(health).await {
                if let Some(detail) = detail.filter(|d| d.contains("is in use by")) {
                    return Some(detail);
                }
            }
        }
        None
    })
    .await;
    assert!(waiting.contains("identify bucket 0"), "{waiting}");

    for health in [&a, &b] {
        wait_status(&format!("{health}/readyz"), 200).await;
    }
    let state = sim.control().state().await.unwrap();
    assert_eq!(state.identifies, 4, "{state:?}");
    // The simulator enforces one IDENTIFY per bucket per 5 s: none refused, no violation.
    assert!(
        state.violations.is_empty(),
        "{:?}\n{}\n{}",
        state.violations,
        first.dump(),
        second.dump()
    );
    for health in [&a, &b] {
        let states = shard_states(health).await;
        assert_eq!(states.len(), 2, "{states:?}");
        assert!(states.iter().all(|(s, _)| s == "active"), "{states:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_second_gateway_for_an_owned_range_refuses_naming_the_owner() {
    let Some(nats) = NatsServer::start().await.unwrap() else {
        return;
    };
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let owner = gateway(dir.path(), "owner", "0..2", &sim, &nats.url());
    let health = owner.url_after("health on ").await;
    wait_status(&format!("{health}/readyz"), 200).await;

    let mut intruder = gateway(dir.path(), "intruder", "1..3", &sim, &nats.url());
    let status = intruder.exit().await;
    assert_eq!(status.code(), Some(78), "{}", intruder.dump());
    let said = intruder.stderr();
    assert!(
        said.contains("shard 1 is already run by") && said.contains(&format!("-{}-", owner.pid())),
        "names the owner: {said}"
    );
    // The owner was not disturbed.
    assert_eq!(sim.control().state().await.unwrap().identifies, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replaced_gateway_resumes_and_delivers_every_event_once() {
    let Some(nats) = NatsServer::start().await.unwrap() else {
        return;
    };
    let sim = simulator().await;
    let control = sim.control();
    let dir = tempfile::tempdir().unwrap();
    let mut old = gateway(dir.path(), "gw-old", "0..4", &sim, &nats.url());
    let health = old.url_after("health on ").await;
    wait_status(&format!("{health}/readyz"), 200).await;
    let _worker = spawn(dir.path(), "worker", "worker", &sim, &nats.url()).await;
    let channel: u64 = control.state().await.unwrap().guilds[0].channels[0]
        .parse()
        .unwrap();
    control.post_message(channel, "!ping", None).await.unwrap();
    eventually("the first answer", || async {
        (replies(&control, "Pong").await == 1).then_some(())
    })
    .await;

    // A rolling restart: SIGTERM, messages while no gateway runs, a replacement elsewhere.
    old.signal("TERM");
    assert_eq!(old.exit().await.code(), Some(0), "{}", old.dump());
    for _ in 0..4 {
        control.post_message(channel, "!ping", None).await.unwrap();
    }
    let new = gateway(dir.path(), "gw-new", "0..4", &sim, &nats.url());
    let health = new.url_after("health on ").await;
    wait_status(&format!("{health}/readyz"), 200).await;
    let state = control.state().await.unwrap();
    assert_eq!(state.identifies, 4, "no new IDENTIFY: {state:?}");
    assert!(
        state.resumes >= 4,
        "every shard resumed: {state:?}\nNEWDUMP{}",
        new.dump()
    );
    eventually("the messages sent while no gateway ran", || async {
        (replies(&control, "Pong").await == 5).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(replies(&control, "Pong").await, 5, "each answered once");
    assert!(control.state().await.unwrap().violations.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_workers_and_two_gateways_keep_the_rest_limits_together() {
    let Some(nats) = NatsServer::start().await.unwrap() else {
        return;
    };
    // Twenty channels whose buckets allow 10 messages a second each: only the global limit
    // (50 a second for the whole bot) holds the replies back.
    let sim = Simulator::builder()
        .token(TOKEN)
        .max_concurrency(1)
        .guilds(4)
        .channels_per_guild(5)
        .rest_bucket_limit(10)
        .rest_bucket_window(Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    let control = sim.control();
    let dir = tempfile::tempdir().unwrap();
    let gateways = [("gw-a", "0..1"), ("gw-b", "1..2")].map(|(name, range)| {
        let mut cmd = role(dir.path(), name, "gateway", &sim, &nats.url());
        cmd.env("NOVERA_SHARDS__COUNT", "2")
            .env("NOVERA_SHARDS__RANGE", range);
        Novera::spawn(cmd)
    });
    for gateway in &gateways {
        let health = gateway.url_after("health on ").await;
        wait_status(&format!("{health}/readyz"), 200).await;
    }
    let mut workers = Vec::new();
    for i in 0..4 {
        workers.push(
            spawn(
                dir.path(),
                &format!("worker-{i}"),
                "worker",
                &sim,
                &nats.url(),
            )
            .await,
        );
    }

    let channels: Vec<u64> = control
        .state()
        .await
        .unwrap()
        .guilds
        .iter()
        .flat_map(|g| g.channels.iter().map(|c| c.parse().unwrap()))
        .collect();
    // Each !ping posts its reply and edits it: 240 REST calls, 6 s at the shared pace.
    let commands: usize = 120;
    let posting = std::time::Instant::now();
    for i in 0..commands {
        control
            .post_message(channels[i % channels.len()], "!ping", None)
            .await
            .unwrap();
    }
    let posted_in = posting.elapsed();
    #[allow(clippy::cast_precision_loss, reason = "a rate for a message")]
    let offered = commands as f64 / posted_in.as_secs_f64();
    assert!(offered > 50.0, "commands came at {offered:.0}/s");

    let pongs = || async {
        let mut total = 0;
        for &channel in &channels {
            total += control
                .channel_messages(channel)
                .await
                .unwrap()
                .iter()
                .filter(|m| m["author"]["bot"].as_bool() == Some(true))
                .filter(|m| m["content"].as_str().is_some_and(|c| c.contains("Pong")))
                .count();
        }
        total
    };
    eventually("every command answered", || async {
        (pongs().await >= commands).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(pongs().await, commands, "each answered once");
    let state = control.state().await.unwrap();
    for rule in [
        "rest_global_rate_limit",
        "rest_rate_limit",
        "rest_retry_after_ignored",
    ] {
        assert_eq!(
            state.violation_counts.get(rule).copied().unwrap_or(0),
            0,
            "{rule}: {:?}",
            state.violations.iter().take(5).collect::<Vec<_>>()
        );
    }
    assert!(
        state.violations.is_empty(),
        "{:?}",
        state.violations.iter().take(5).collect::<Vec<_>>()
    );
}
