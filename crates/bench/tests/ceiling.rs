//! The parts of the bench that need no `novera` binary, against a real simulator: the ceiling
//! scenario end to end at a tiny size, the bare frame reader, and a bot that cannot start.
//! (Every scenario with the bot runs in CI through `.ci/bench-smoke`.)

use std::collections::HashSet;
use std::time::Duration;

use novera_bench::{Bench, BotLaunch, CeilingOptions, FrameReader, LoadIntents, WorldSize};

fn bench(novera: &str) -> Bench {
    Bench {
        novera: novera.into(),
        runs: 1,
        progress: false,
        bot_env: Vec::new(),
    }
}

fn tiny_world() -> WorldSize {
    "1x6x2".parse().expect("world size")
}

#[tokio::test]
async fn the_ceiling_scenario_reports_every_limit() {
    let options = CeilingOptions {
        events: 400,
        sample: 40,
        world: tiny_world(),
    };
    let report = tokio::time::timeout(
        Duration::from_secs(60),
        novera_bench::ceiling(&bench("/nonexistent/novera"), &options),
    )
    .await
    .expect("ceiling finishes")
    .expect("ceiling runs");
    for name in [
        "deserialize_events_per_s",
        "mix_deserialize_events_per_s",
        "frames_zstd_events_per_s",
        "frames_plain_events_per_s",
    ] {
        let figure = report
            .get(name)
            .unwrap_or_else(|| panic!("{name} reported"));
        assert_eq!(figure.values.len(), 1, "{name}: one value per run");
        assert!(figure.values[0] > 0.0, "{name}: {:?}", figure.values);
    }
    // The mixed load is mostly smaller events than messages.
    let bytes = |key: &str| report.parameters[key].as_u64().expect(key);
    assert!(bytes("mix_mean_payload_bytes") > 100);
    assert!(bytes("mean_payload_bytes") > bytes("mix_mean_payload_bytes"));
}

#[tokio::test]
async fn the_mixed_load_is_every_kind_and_twilight_parses_it() {
    let world = tiny_world();
    let sim = novera_bench::start_sim(world, None)
        .await
        .expect("simulator");
    let mut reader =
        FrameReader::identify(&sim.gateway_url(), false, world.guilds, LoadIntents::Mix)
            .await
            .expect("identify");
    sim.control()
        .load_mix(200, None, None)
        .await
        .expect("mixed load");
    let frames = reader.capture(200).await.expect("frames");
    let kinds: HashSet<String> = frames
        .iter()
        .map(|f| {
            let v: serde_json::Value = serde_json::from_str(f).expect("JSON frame");
            v["t"].as_str().expect("dispatch").to_owned()
        })
        .collect();
    assert_eq!(kinds.len(), 8, "{kinds:?}");
    novera_bench::deserialize(&frames, 400).expect("twilight parses every mixed payload");
    reader.close().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn a_bot_that_cannot_start_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let launch = BotLaunch::new("/nonexistent/novera".as_ref(), dir.path());
    let error = tokio::time::timeout(Duration::from_secs(30), launch.spawn())
        .await
        .expect("spawn gives up")
        .expect_err("no such binary");
    assert!(
        format!("{error:#}").contains("/nonexistent/novera"),
        "{error:#}"
    );
}
