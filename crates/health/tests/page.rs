//! The status page: its files and their security headers, and the history it draws, sampled by
//! the sampler task in paused time.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{StatusCode, header};
use common::{ScriptedDiscord, get, shard};
use novera_core::{CancellationToken, StatusRegistry};
use novera_health::{CommandReport, HealthState, prometheus_builder, router, spawn_sampler};

#[tokio::test(start_paused = true)]
async fn the_page_and_its_files_are_served_with_a_strict_policy() {
    let app = router(HealthState::builder(StatusRegistry::new()).build());
    for (path, kind) in [
        ("/", "text/html; charset=utf-8"),
        ("/page/status.js", "text/javascript; charset=utf-8"),
        ("/page/status.css", "text/css; charset=utf-8"),
    ] {
        let reply = get(&app, path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.headers[header::CONTENT_TYPE], kind, "{path}");
        assert_eq!(reply.headers[header::CACHE_CONTROL], "no-store", "{path}");
        assert_eq!(reply.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let policy = reply.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
        assert!(!policy.contains("unsafe"), "{policy}");
    }
    let page = get(&app, "/").await.body;
    for id in [
        "shards",
        "served",
        "failed",
        "shed",
        "budget",
        "chart-events",
        "chart-latency",
        "incidents",
        "version",
        "uptime",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "no #{id}");
    }
    // The 404 body lists the page with the other endpoints.
    let endpoints = get(&app, "/nope").await.json()["endpoints"].clone();
    assert_eq!(endpoints[0], "/");
}

#[tokio::test(start_paused = true)]
async fn the_sampler_turns_the_counters_into_chart_points() {
    let recorder = prometheus_builder().build_recorder();
    let provider = Arc::new(ScriptedDiscord::default());
    let mut shard0 = shard(0, "active");
    shard0.events = 100;
    *provider.shards.lock().unwrap() = vec![shard0.clone()];
    *provider.commands.lock().unwrap() = Some(CommandReport::default());
    let state = HealthState::builder(StatusRegistry::new())
        .provider(provider.clone())
        .metrics(recorder.handle())
        .sample_period(Duration::from_secs(2))
        .build();
    assert_eq!(state.sample_period(), Duration::from_secs(2));
    let app = router(state.clone());
    let stop = CancellationToken::new();
    let sampler = spawn_sampler(state.clone(), stop.clone());
    // The first point at once.
    tokio::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(state.history(0).points.len(), 1);

    // Over the next 2 s: 40 events and two /ping taking 4 ms.
    shard0.events = 140;
    *provider.shards.lock().unwrap() = vec![shard0.clone()];
    *provider.commands.lock().unwrap() = Some(CommandReport {
        served: 2,
        ..CommandReport::default()
    });
    metrics::with_local_recorder(&recorder, || {
        for _ in 0..2 {
            metrics::histogram!("novera_commands_duration_seconds", "command" => "ping")
                .record(0.004);
        }
    });
    tokio::time::sleep(Duration::from_secs(2)).await;

    let body = get(&app, "/history").await.json();
    assert_eq!(body["sample_period_secs"], 2.0);
    assert_eq!(body["window_secs"], 900.0);
    assert_eq!(body["latency_window_secs"], 60.0);
    let points = body["points"].as_array().unwrap();
    assert_eq!(points.len(), 2, "{body}");
    assert_eq!(points[0]["events_per_sec"], serde_json::Value::Null);
    assert_eq!(points[1]["events_per_sec"], 20.0);
    assert_eq!(points[1]["commands_per_sec"], 1.0);
    assert_eq!(points[1]["latency_count"], 2);
    let p99 = points[1]["latency_p99_ms"].as_f64().unwrap();
    assert!(p99 > 2.5 && p99 <= 5.0, "{p99}");
    let (first, second) = (
        points[0]["at_unix_ms"].as_u64().unwrap(),
        points[1]["at_unix_ms"].as_u64().unwrap(),
    );
    assert_eq!(second - first, 2000);

    // The page asks only for what it does not have.
    let newer = get(&app, &format!("/history?since={first}")).await.json();
    assert_eq!(newer["points"].as_array().unwrap().len(), 1);
    assert_eq!(newer["points"][0]["at_unix_ms"], second);
    let reply = get(&app, "/history?since=yesterday").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);

    stop.cancel();
    sampler.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn fifteen_minutes_of_points_are_kept_and_no_more() {
    let state = HealthState::builder(StatusRegistry::new())
        .sample_period(Duration::from_secs(5))
        .build();
    let stop = CancellationToken::new();
    let sampler = spawn_sampler(state.clone(), stop.clone());
    tokio::time::sleep(Duration::from_secs(3600)).await;
    let points = state.history(0).points;
    assert_eq!(points.len(), 180);
    let span = points[179].at_unix_ms - points[0].at_unix_ms;
    assert_eq!(span, 179 * 5000);
    // Without shards, router or recorder there is nothing to chart, and nothing is made up.
    assert!(points.iter().all(|p| p.events_per_sec.is_none()
        && p.commands_per_sec.is_none()
        && p.latency_p50_ms.is_none()));
    stop.cancel();
    sampler.await.unwrap();
}
