//! `/healthz`, `/readyz` and `/status` in healthy and unhealthy states, 404/405, and redaction.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode, header};
use common::{ScriptedDiscord, TOKEN, WEBHOOK, get, send, shard};
use novera_core::{
    RestartPolicy, Shutdown, StatusRegistry, SupervisedState, Supervisor, TaskError, within,
};
use novera_health::{
    CommandReport, DuplicateEvidenceReport, DuplicateInstanceReport, HealthState,
    IdentifyBudgetReport, IncidentReport, InvalidRequestReport, InvalidRequestSource, NoDiscord,
    Redactor, router,
};
use serde_json::json;

fn state(registry: &StatusRegistry) -> HealthState {
    HealthState::builder(registry.clone())
        .max_tick_age(Duration::from_secs(10))
        .version("9.8.7")
        .build()
}

#[tokio::test(start_paused = true)]
async fn healthz_is_alive_while_the_tick_is_fresh() {
    let registry = StatusRegistry::new();
    let app = router(state(&registry));

    let reply = get(&app, "/healthz").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["status"], "alive");
    assert_eq!(body["problems"], json!([]));
    assert_eq!(body["max_tick_age_secs"], 10.0);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "application/json",
        "{reply:?}"
    );
    assert_eq!(reply.headers[header::CACHE_CONTROL], "no-store");
}

#[tokio::test(start_paused = true)]
async fn healthz_fails_when_the_tick_is_stale_and_recovers_when_it_runs() {
    let registry = StatusRegistry::new();
    let app = router(state(&registry));

    tokio::time::advance(Duration::from_secs(9)).await;
    assert_eq!(get(&app, "/healthz").await.status, StatusCode::OK);

    // The tick task would have run every second; a blocked runtime stops it.
    tokio::time::advance(Duration::from_secs(2)).await;
    let reply = get(&app, "/healthz").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    let body = reply.json();
    assert_eq!(body["status"], "stalled");
    assert!((body["tick_age_secs"].as_f64().unwrap() - 11.0).abs() < 1e-6);
    let problems = body["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{body}");
    assert!(
        problems[0].as_str().unwrap().contains("runtime is blocked"),
        "{body}"
    );

    registry.tick();
    assert_eq!(get(&app, "/healthz").await.status, StatusCode::OK);
}

#[tokio::test(start_paused = true)]
async fn healthz_fails_when_a_shard_runner_stops_polling() {
    let registry = StatusRegistry::new();
    let runner = registry.register("shard-2");
    runner.ready();
    runner.expect_progress(Duration::from_secs(30));
    let app = router(state(&registry));
    let cancel = novera_core::CancellationToken::new();
    // The runtime itself keeps ticking: only the runner is stuck.
    let _tick = registry.spawn_tick(Duration::from_secs(1), cancel.clone());

    tokio::time::sleep(Duration::from_secs(20)).await;
    runner.touch();
    tokio::time::sleep(Duration::from_secs(20)).await;
    assert_eq!(get(&app, "/healthz").await.status, StatusCode::OK);

    tokio::time::sleep(Duration::from_secs(15)).await;
    let reply = get(&app, "/healthz").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    let body = reply.json();
    let problems: Vec<&str> = body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(problems.len(), 1, "{body}");
    assert!(
        problems[0].starts_with("shard-2 made no progress for 35.0s"),
        "{body}"
    );

    runner.touch();
    assert_eq!(get(&app, "/healthz").await.status, StatusCode::OK);
    cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn a_discord_outage_does_not_fail_liveness() {
    let registry = StatusRegistry::new();
    let provider = Arc::new(ScriptedDiscord::default());
    let state = HealthState::builder(registry.clone())
        .provider(provider.clone())
        .build();
    let app = router(state);
    let runners: Vec<_> = (0..4)
        .map(|id| {
            let handle = registry.register(format!("shard-{id}"));
            handle.expect_progress(Duration::from_secs(30));
            handle.down("reconnecting: connection refused");
            handle
        })
        .collect();
    *provider.shards.lock().unwrap() = (0..4).map(|id| shard(id, "reconnecting")).collect();
    *provider.last_error.lock().unwrap() = Some("gateway unreachable".into());

    // A minute of outage: the runners keep polling (and failing to connect), the runtime ticks.
    for _ in 0..12 {
        tokio::time::advance(Duration::from_secs(5)).await;
        registry.tick();
        runners.iter().for_each(novera_core::ComponentHandle::touch);
    }

    assert_eq!(get(&app, "/healthz").await.status, StatusCode::OK);
    let ready = get(&app, "/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.json()["not_ready"].as_array().unwrap().len(), 4);
}

#[tokio::test(start_paused = true)]
async fn readyz_is_ready_when_every_required_component_is() {
    let registry = StatusRegistry::new();
    let app = router(state(&registry));
    registry.register("shard-0").ready();
    registry.register("router").degraded("slow replies");
    registry
        .register_optional("alerts")
        .down("no webhook configured");

    let reply = get(&app, "/readyz").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!({"status": "ready", "not_ready": [], "components": []})
    );
}

#[tokio::test(start_paused = true)]
async fn readyz_lists_a_resuming_shard_and_a_shard_waiting_for_the_identify_budget() {
    let registry = StatusRegistry::new();
    let app = router(state(&registry));
    registry.register("router").ready();
    registry.register("shard-0").ready();
    registry.register("shard-3").down("resuming");
    registry
        .register("shard-4")
        .down("waiting for identify budget until 2026-11-23T04:00:00Z");
    registry.register("shard-5");

    let reply = get(&app, "/readyz").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    let body = reply.json();
    assert_eq!(body["status"], "not_ready");
    assert_eq!(
        body["not_ready"],
        json!([
            "shard-3: down: resuming",
            "shard-4: down: waiting for identify budget until 2026-11-23T04:00:00Z",
            "shard-5: starting",
        ])
    );
    let components = body["components"].as_array().unwrap();
    assert_eq!(components.len(), 3);
    assert_eq!(components[0]["name"], "shard-3");
    assert_eq!(components[0]["state"], "down");
    assert_eq!(components[0]["reason"], "resuming");

    registry.register("shard-3").ready();
    registry.register("shard-4").ready();
    registry.register("shard-5").ready();
    assert_eq!(get(&app, "/readyz").await.status, StatusCode::OK);
}

#[tokio::test(start_paused = true)]
async fn readyz_is_not_ready_before_anything_registers() {
    let registry = StatusRegistry::new();
    let app = router(state(&registry));
    registry.register_optional("alerts").ready();

    let reply = get(&app, "/readyz").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        reply.json()["not_ready"],
        json!(["no required component has registered yet"])
    );
}

/// A supervised component that fails twice with `error`, then runs until shutdown.
fn flaky(supervisor: &Supervisor, name: &str, error: String) {
    supervisor.spawn(name, move |ctx| {
        let error = error.clone();
        async move {
            if ctx.restarts < 2 {
                return Err(TaskError::retry(error));
            }
            ctx.cancel.cancelled().await;
            Ok(())
        }
    });
}

/// Waits until `name` has restarted `restarts` times and runs again.
async fn wait_for_restarts(supervisor: &Supervisor, name: &str, restarts: u32) {
    within(Duration::from_secs(600), async {
        while !supervisor.components().iter().any(|c| {
            c.name == name && c.restarts == restarts && c.state == SupervisedState::Running
        }) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the component restarted in time");
}

#[tokio::test(start_paused = true)]
async fn status_reports_version_uptime_shards_budget_commands_and_supervision() {
    let registry = StatusRegistry::new();
    let shutdown = Shutdown::new();
    let (supervisor, _escalations) = Supervisor::with_seed(&shutdown, RestartPolicy::default(), 7);
    flaky(&supervisor, "gateway", "connect failed".into());
    let provider = Arc::new(ScriptedDiscord::default());
    let built = tokio::time::Instant::now();
    let state = HealthState::builder(registry.clone())
        .version("9.8.7")
        .supervisor(supervisor.clone())
        .provider(Arc::new(NoDiscord))
        .build();
    // The gateway comes up after the health server.
    state.set_provider(provider.clone());
    let app = router(state);

    let mut resuming = shard(1, "resuming");
    resuming.detail = Some("session resumed after close 1006".into());
    *provider.shards.lock().unwrap() = vec![shard(0, "active"), resuming];
    *provider.budget.lock().unwrap() = Some(IdentifyBudgetReport {
        remaining: 998,
        total: 1000,
        resets_at_unix_ms: 1_800_000_000_000,
    });
    *provider.commands.lock().unwrap() = Some(CommandReport {
        in_flight: 2,
        served: 40,
        failed: 1,
        busy_rejected: 3,
    });
    registry.register("shard-0").ready();
    registry.register("shard-1").ready();
    wait_for_restarts(&supervisor, "gateway", 2).await;

    tokio::time::advance(Duration::from_secs(42)).await;
    registry.tick();
    let reply = get(&app, "/status").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["version"], "9.8.7");
    let uptime = body["uptime_secs"].as_f64().unwrap();
    assert!(uptime >= 42.0, "{uptime}");
    assert!(
        (uptime - built.elapsed().as_secs_f64()).abs() < 1e-6,
        "{uptime}"
    );
    assert_eq!(body["ready"], true);
    assert_eq!(body["alive"], true);
    assert_eq!(body["not_ready"], json!([]));
    assert_eq!(body["shards"][0]["state"], "active");
    assert_eq!(body["shards"][1]["state"], "resuming");
    assert_eq!(body["shards"][1]["heartbeat_latency_ms"], 42.0);
    assert_eq!(body["shards"][1]["last_close_code"], 1006);
    assert_eq!(
        body["shards"][1]["detail"],
        "session resumed after close 1006"
    );
    assert_eq!(
        body["identify_budget"],
        json!({"remaining": 998, "total": 1000, "resets_at_unix_ms": 1_800_000_000_000_u64})
    );
    assert_eq!(
        body["commands"],
        json!({"in_flight": 2, "served": 40, "failed": 1, "busy_rejected": 3})
    );
    assert_eq!(
        body["supervisor"],
        json!([{"name": "gateway", "state": "running", "restarts": 2, "restarts_in_window": 2, "last_error": "connect failed"}])
    );
    let names: Vec<&str> = body["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["shard-0", "shard-1"]);
    assert_eq!(body["last_error"], json!(null));
    assert_eq!(body["incidents"], json!([]));
    assert_eq!(body["invalid_requests"], json!(null));
    assert_eq!(body["duplicate_instance"], json!(null));

    shutdown.request();
    assert!(shutdown.drain(Duration::from_secs(5)).await.complete);
}

#[tokio::test(start_paused = true)]
async fn status_answers_200_and_explains_an_unhealthy_process() {
    let registry = StatusRegistry::new();
    let provider = Arc::new(ScriptedDiscord::default());
    let state = HealthState::builder(registry.clone())
        .provider(provider.clone())
        .build();
    let app = router(state);
    let runner = registry.register("shard-0");
    runner.down("waiting for identify budget");
    runner.expect_progress(Duration::from_secs(5));
    let mut waiting = shard(0, "waiting_for_identify_budget");
    waiting.detail = Some("waiting for identify budget until 2026-11-23T04:00:00Z".into());
    *provider.shards.lock().unwrap() = vec![waiting];
    *provider.budget.lock().unwrap() = Some(IdentifyBudgetReport {
        remaining: 0,
        total: 1000,
        resets_at_unix_ms: 1_795_406_400_000,
    });
    *provider.last_error.lock().unwrap() = Some("identify budget exhausted".into());
    tokio::time::advance(Duration::from_secs(12)).await;

    let reply = get(&app, "/status").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["ready"], false);
    assert_eq!(body["alive"], false);
    assert_eq!(
        body["not_ready"],
        json!(["shard-0: down: waiting for identify budget"])
    );
    let problems = body["liveness_problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{body}");
    assert_eq!(body["identify_budget"]["remaining"], 0);
    assert_eq!(
        body["shards"][0]["detail"],
        "waiting for identify budget until 2026-11-23T04:00:00Z"
    );
    assert_eq!(body["last_error"], "identify budget exhausted");
    assert_eq!(body["supervisor"], json!([]));
    assert_eq!(body["commands"], json!(null));
}

#[tokio::test(start_paused = true)]
async fn unknown_paths_answer_json_404() {
    let registry = StatusRegistry::new();
    let app = router(state(&registry));
    for (method, path) in [
        (Method::GET, "/index.html"),
        (Method::GET, "/page/other.js"),
        (Method::GET, "/healthz/extra"),
        (Method::GET, "/admin"),
        (Method::POST, "/nope"),
    ] {
        let reply = send(&app, method.clone(), path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(
            reply.json(),
            json!({"error": "not found", "endpoints": ["/", "/healthz", "/readyz", "/status", "/history", "/metrics"]})
        );
    }
}

#[tokio::test(start_paused = true)]
async fn only_get_and_head_are_allowed() {
    let registry = StatusRegistry::new();
    registry.register("shard-0").ready();
    let app = router(state(&registry));
    for path in ["/healthz", "/readyz", "/status", "/metrics"] {
        for method in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
            let reply = send(&app, method.clone(), path).await;
            assert_eq!(
                reply.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            assert_eq!(reply.headers[header::ALLOW], "GET,HEAD", "{method} {path}");
            assert_eq!(reply.json()["error"], "method not allowed");
        }
        let head = send(&app, Method::HEAD, path).await;
        assert_eq!(head.status, StatusCode::OK, "HEAD {path}");
        assert!(head.body.is_empty(), "HEAD {path} has a body");
        assert_eq!(get(&app, path).await.status, StatusCode::OK, "GET {path}");
    }
}

#[tokio::test(start_paused = true)]
async fn no_endpoint_reveals_the_token_or_a_webhook_url() {
    let registry = StatusRegistry::new();
    let shutdown = Shutdown::new();
    let (supervisor, _escalations) = Supervisor::with_seed(&shutdown, RestartPolicy::default(), 1);
    flaky(
        &supervisor,
        "alerts",
        format!("POST {WEBHOOK} failed with token {TOKEN}"),
    );
    let provider = Arc::new(ScriptedDiscord::default());
    let recorder = novera_health::prometheus_builder().build_recorder();
    let handle = recorder.handle();
    let state = HealthState::builder(registry.clone())
        .supervisor(supervisor.clone())
        .provider(provider.clone())
        .metrics(handle)
        .version(format!("1.0.0 {TOKEN}"))
        .redactor(Redactor::new().with_secret(TOKEN).with_secret(WEBHOOK))
        .build();
    let app = router(state.clone());

    registry
        .register("shard-0")
        .down(format!("identify rejected for Bot {TOKEN}"));
    let runner = registry.register(format!("webhook {WEBHOOK}"));
    runner.expect_progress(Duration::from_secs(1));
    let mut leaky = shard(0, "fatally_closed");
    leaky.detail = Some(format!("closed 4004 with token {TOKEN}"));
    *provider.shards.lock().unwrap() = vec![leaky];
    *provider.last_error.lock().unwrap() = Some(format!(
        "authentication failed: token={TOKEN} alerts={WEBHOOK}"
    ));
    *provider.incidents.lock().unwrap() = vec![IncidentReport {
        at_unix_ms: 1,
        kind: "command error".into(),
        reference: Some("0badc0de".into()),
        summary: format!("/leak: sent {TOKEN} to {WEBHOOK}"),
    }];
    metrics::with_local_recorder(&recorder, || {
        metrics::counter!("novera_alerts_failed_total", "target" => WEBHOOK).increment(1);
    });
    wait_for_restarts(&supervisor, "alerts", 2).await;

    let token_tail = &TOKEN[TOKEN.len() - 20..];
    let webhook_secret = "s3cret-webhook-token";
    state.sample();
    let pages = [
        "/",
        "/page/status.js",
        "/page/status.css",
        "/history",
        "/healthz",
        "/readyz",
        "/status",
        "/metrics",
        "/nope",
    ];
    for path in pages {
        let reply = get(&app, path).await;
        assert!(
            !reply.body.contains(token_tail),
            "{path} leaked the token: {}",
            reply.body
        );
        assert!(
            !reply.body.contains(webhook_secret),
            "{path} leaked the webhook: {}",
            reply.body
        );
    }
    // The information around the secret is still there for the operator.
    let status = get(&app, "/status").await.json();
    assert_eq!(
        status["last_error"],
        "authentication failed: token=[redacted] alerts=[redacted]"
    );
    assert_eq!(
        status["shards"][0]["detail"],
        "closed 4004 with token [redacted]"
    );
    assert_eq!(
        status["supervisor"][0]["last_error"],
        "POST [redacted] failed with token [redacted]"
    );
    assert_eq!(
        status["not_ready"][0],
        "shard-0: down: identify rejected for Bot [redacted]"
    );
    assert_eq!(
        status["incidents"][0]["summary"],
        "/leak: sent [redacted] to [redacted]"
    );
    assert_eq!(status["incidents"][0]["reference"], "0badc0de");

    shutdown.request();
    assert!(shutdown.drain(Duration::from_secs(5)).await.complete);
}

#[tokio::test(start_paused = true)]
async fn status_shows_the_invalid_requests_and_another_instance_redacted() {
    let registry = StatusRegistry::new();
    let provider = Arc::new(ScriptedDiscord::default());
    let state = HealthState::builder(registry.clone())
        .provider(provider.clone())
        .redactor(Redactor::new().with_secret(TOKEN))
        .build();
    let app = router(state);
    *provider.invalid_requests.lock().unwrap() = Some(InvalidRequestReport {
        count: 3912,
        limit: 10_000,
        window_secs: 600.0,
        oldest_at_unix_ms: Some(1_800_000_000_000),
        braking: false,
        enabled: true,
        top: vec![InvalidRequestSource {
            status: 403,
            code: Some(50013),
            route: "POST /channels/{id}/messages".into(),
            description: "Missing Permissions".into(),
            count: 3912,
            summary: "403 Missing Permissions (50013) on POST /channels/{id}/messages: 3,912"
                .into(),
        }],
        ..InvalidRequestReport::default()
    });
    *provider.duplicate_instance.lock().unwrap() = Some(DuplicateInstanceReport {
        this_instance: "0abcdefghijk".into(),
        detected: 1,
        evidence: vec![DuplicateEvidenceReport {
            at_unix_ms: 1,
            kind: "foreign_nonce".into(),
            detail: format!("a message by this bot, sent with {TOKEN}"),
            other_instance: Some("0abcdefghijz".into()),
            other_started_at_unix_ms: Some(1_000),
        }],
        ..DuplicateInstanceReport::default()
    });
    let body = get(&app, "/status").await.json();
    assert_eq!(body["invalid_requests"]["count"], 3912);
    assert_eq!(body["invalid_requests"]["limit"], 10_000);
    assert_eq!(
        body["invalid_requests"]["oldest_at_unix_ms"],
        1_800_000_000_000_u64
    );
    assert_eq!(
        body["invalid_requests"]["top"][0]["summary"],
        "403 Missing Permissions (50013) on POST /channels/{id}/messages: 3,912"
    );
    assert_eq!(body["duplicate_instance"]["detected"], 1);
    assert_eq!(
        body["duplicate_instance"]["evidence"][0]["other_instance"],
        "0abcdefghijz"
    );
    assert_eq!(
        body["duplicate_instance"]["evidence"][0]["detail"],
        "a message by this bot, sent with [redacted]"
    );
}
