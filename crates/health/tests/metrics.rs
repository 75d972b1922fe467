//! `/metrics` is valid Prometheus text that follows Novera's naming rules.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use axum::http::{StatusCode, header};
use common::get;
use novera_core::{RestartPolicy, Shutdown, StatusRegistry, Supervisor, TaskError};
use novera_health::{HealthState, prometheus_builder, router};
use prometheus_parse::{LineInfo, SampleType, Scrape, Value};

/// Label keys that would identify a Discord user, guild, interaction or message.
const FORBIDDEN_LABEL_WORDS: [&str; 6] =
    ["user", "guild", "interaction", "member", "message", "token"];

/// Parses `text` strictly: every non-empty line must be a HELP, TYPE or sample line (the parser
/// silently skips lines it does not understand, so that alone would prove little), no family is
/// typed twice, and the whole text parses into samples.
fn parse_strictly(text: &str) -> (Scrape, BTreeMap<String, SampleType>) {
    let mut types = BTreeMap::new();
    for line in text.lines() {
        match LineInfo::parse(line) {
            LineInfo::Ignored => panic!("not Prometheus text: {line:?}\n{text}"),
            LineInfo::Type {
                metric_name,
                metric_alias,
                sample_type,
            } => {
                let family = metric_alias.unwrap_or(metric_name);
                assert!(
                    types.insert(family.clone(), sample_type).is_none(),
                    "{family} is typed twice:\n{text}"
                );
            }
            LineInfo::Sample { value, labels, .. } => {
                // The parser skips samples whose value or labels it cannot read; refuse them.
                let is_float =
                    matches!(value, "+Inf" | "-Inf" | "NaN") || value.parse::<f64>().is_ok();
                assert!(is_float, "bad sample value in {line:?}");
                for pair in labels
                    .unwrap_or_default()
                    .split(',')
                    .filter(|p| !p.is_empty())
                {
                    let (key, quoted) = pair
                        .split_once('=')
                        .unwrap_or_else(|| panic!("bad label {pair:?} in {line:?}"));
                    let name_ok = key
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                    assert!(name_ok, "bad label name {key:?} in {line:?}");
                    assert!(
                        quoted.len() >= 2 && quoted.starts_with('"') && quoted.ends_with('"'),
                        "unquoted label value in {line:?}"
                    );
                }
            }
            LineInfo::Doc { .. } | LineInfo::Empty => {}
        }
    }
    let scrape = Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).expect("parses");
    (scrape, types)
}

/// Checks Novera's rules on every family and sample; returns the samples by name.
fn check_naming(text: &str) -> BTreeMap<String, Vec<prometheus_parse::Sample>> {
    let (scrape, types) = parse_strictly(text);
    assert!(!scrape.samples.is_empty(), "no samples:\n{text}");
    for (family, kind) in &types {
        assert!(
            family.starts_with("novera_"),
            "{family} lacks the novera_ prefix"
        );
        if *kind == SampleType::Counter {
            assert!(
                family.ends_with("_total"),
                "counter {family} must end in _total"
            );
        } else {
            assert!(
                !family.ends_with("_total"),
                "{kind:?} {family} must not end in _total"
            );
        }
    }
    let mut by_name: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for sample in scrape.samples {
        assert!(
            sample.metric.starts_with("novera_"),
            "{} lacks the novera_ prefix",
            sample.metric
        );
        assert!(
            types.keys().any(|f| sample.metric.starts_with(f.as_str())),
            "{} has no TYPE line",
            sample.metric
        );
        for key in sample.labels.keys() {
            let key = key.to_ascii_lowercase();
            assert!(
                !FORBIDDEN_LABEL_WORDS.iter().any(|w| key.contains(w)),
                "{} has a forbidden label {key}",
                sample.metric
            );
        }
        by_name
            .entry(sample.metric.clone())
            .or_default()
            .push(sample);
    }
    by_name
}

fn single(samples: &BTreeMap<String, Vec<prometheus_parse::Sample>>, name: &str) -> f64 {
    let found = samples
        .get(name)
        .unwrap_or_else(|| panic!("{name} missing; have {:?}", samples.keys()));
    assert_eq!(found.len(), 1, "{name}: {found:?}");
    match found[0].value {
        Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => v,
        ref other => panic!("{name} is not a single value: {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn metrics_are_valid_prometheus_text_following_the_naming_rules() {
    let recorder = prometheus_builder().build_recorder();
    let registry = StatusRegistry::new();
    registry.register("shard-0").ready();
    let state = HealthState::builder(registry.clone())
        .version("1.4.2-rc.1")
        .metrics(recorder.handle())
        .build();
    let app = router(state);
    // What the other crates record through the facade.
    metrics::with_local_recorder(&recorder, || {
        metrics::counter!("novera_gateway_events_total", "shard" => "0", "kind" => "MESSAGE_CREATE")
            .increment(5);
        metrics::counter!("novera_gateway_events_total", "shard" => "1", "kind" => "MESSAGE_CREATE")
            .increment(2);
        metrics::gauge!("novera_gateway_heartbeat_latency_seconds", "shard" => "0").set(0.041);
        metrics::histogram!("novera_commands_duration_seconds", "command" => "ping").record(0.2);
        metrics::histogram!("novera_commands_duration_seconds", "command" => "ping").record(4.0);
        metrics::histogram!("novera_gateway_payload_bytes").record(512.0);
    });

    let reply = get(&app, "/metrics").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let samples = check_naming(&reply.body);

    let events: f64 = samples["novera_gateway_events_total"]
        .iter()
        .map(|s| match s.value {
            Value::Counter(v) => v,
            ref other => panic!("not a counter: {other:?}"),
        })
        .sum();
    assert!((events - 7.0).abs() < f64::EPSILON);
    assert!((single(&samples, "novera_gateway_heartbeat_latency_seconds") - 0.041).abs() < 1e-9);
    match &samples["novera_commands_duration_seconds"][0].value {
        Value::Histogram(buckets) => {
            let le_025 = buckets
                .iter()
                .find(|b| (b.less_than - 0.25).abs() < 1e-9)
                .unwrap();
            assert!((le_025.count - 1.0).abs() < f64::EPSILON);
            let le_5 = buckets
                .iter()
                .find(|b| (b.less_than - 5.0).abs() < 1e-9)
                .unwrap();
            assert!((le_5.count - 2.0).abs() < f64::EPSILON);
        }
        other => panic!("a _seconds histogram must have buckets: {other:?}"),
    }

    let build = &samples["novera_build_info"];
    assert_eq!(build[0].labels.get("version"), Some("1.4.2-rc.1"));
    assert!((single(&samples, "novera_build_info") - 1.0).abs() < f64::EPSILON);
    assert!((single(&samples, "novera_health_alive") - 1.0).abs() < f64::EPSILON);
    assert!((single(&samples, "novera_health_ready") - 1.0).abs() < f64::EPSILON);

    if cfg!(target_os = "linux") {
        assert!(single(&samples, "novera_process_resident_memory_bytes") > 1024.0 * 1024.0);
        // A young test process may not have used a full clock tick of CPU yet.
        assert!(single(&samples, "novera_process_cpu_seconds_total") >= 0.0);
        assert!(single(&samples, "novera_process_open_fds") >= 3.0);
        // After 2020-09-13 and not in the future.
        let start = single(&samples, "novera_process_start_time_seconds");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        assert!(start > 1.6e9 && start <= now + 1.0, "{start} vs {now}");
    }
}

#[tokio::test(start_paused = true)]
async fn metrics_report_an_unhealthy_process_as_zeros() {
    let registry = StatusRegistry::new();
    registry.register("shard-3").down("resuming");
    let app = router(HealthState::builder(registry.clone()).build());
    tokio::time::advance(Duration::from_secs(30)).await;

    let reply = get(&app, "/metrics").await;
    assert_eq!(reply.status, StatusCode::OK);
    let samples = check_naming(&reply.body);
    assert!(single(&samples, "novera_health_alive").abs() < f64::EPSILON);
    assert!(single(&samples, "novera_health_ready").abs() < f64::EPSILON);
    assert!((single(&samples, "novera_health_liveness_tick_age_seconds") - 30.0).abs() < 1e-6);
}

#[tokio::test(start_paused = true)]
async fn without_a_recorder_metrics_still_serve_process_and_build_families() {
    let registry = StatusRegistry::new();
    let app = router(HealthState::builder(registry).version("0.1.0").build());

    let reply = get(&app, "/metrics").await;
    assert_eq!(reply.status, StatusCode::OK);
    let samples = check_naming(&reply.body);
    let names: BTreeSet<&str> = samples.keys().map(String::as_str).collect();
    assert!(names.contains("novera_build_info"), "{names:?}");
    assert!(names.contains("novera_health_alive"), "{names:?}");
    if cfg!(target_os = "linux") {
        assert!(
            names.contains("novera_process_cpu_seconds_total"),
            "{names:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn metrics_show_how_much_of_the_restart_budget_each_component_used() {
    let shutdown = Shutdown::new();
    let policy = RestartPolicy {
        max_restarts: 3,
        window: Duration::from_secs(120),
        ..RestartPolicy::default()
    };
    let (supervisor, _escalations) = Supervisor::with_seed(&shutdown, policy, 3);
    supervisor.spawn("shard-0", |ctx| async move {
        if ctx.restarts < 2 {
            return Err(TaskError::retry("connection lost"));
        }
        ctx.cancel.cancelled().await;
        Ok(())
    });
    supervisor.spawn("shard-1", |ctx| async move {
        ctx.cancel.cancelled().await;
        Ok(())
    });
    let registry = StatusRegistry::new();
    let app = router(
        HealthState::builder(registry)
            .supervisor(supervisor.clone())
            .build(),
    );
    // Both failures of shard-0 restarted within the backoff's cap.
    tokio::time::sleep(Duration::from_secs(60)).await;

    let samples = check_naming(&get(&app, "/metrics").await.body);
    assert!((single(&samples, "novera_supervisor_restart_budget") - 3.0).abs() < f64::EPSILON);
    assert!(
        (single(&samples, "novera_supervisor_restart_window_seconds") - 120.0).abs() < f64::EPSILON
    );
    let used: BTreeMap<&str, f64> = samples["novera_supervisor_restarts_in_window"]
        .iter()
        .map(|s| match s.value {
            Value::Gauge(v) => (s.labels.get("component").unwrap(), v),
            ref other => panic!("not a gauge: {other:?}"),
        })
        .collect();
    assert_eq!(used, BTreeMap::from([("shard-0", 2.0), ("shard-1", 0.0)]));

    // The window slides past the failures: the budget is whole again.
    tokio::time::sleep(Duration::from_secs(120)).await;
    let samples = check_naming(&get(&app, "/metrics").await.body);
    assert!(
        samples["novera_supervisor_restarts_in_window"]
            .iter()
            .all(|s| matches!(s.value, Value::Gauge(v) if v.abs() < f64::EPSILON))
    );

    shutdown.request();
    assert!(shutdown.drain(Duration::from_secs(1)).await.complete);
}

#[test]
fn the_checker_rejects_what_the_rules_forbid() {
    let bad_cases = [
        // No prefix.
        "# TYPE process_open_fds gauge\nprocess_open_fds 3\n",
        // A counter without _total.
        "# TYPE novera_events counter\nnovera_events 3\n",
        // A user id label.
        "# TYPE novera_x_total counter\nnovera_x_total{user_id=\"1\"} 3\n",
        // Not Prometheus text at all.
        "# TYPE novera_x gauge\nnovera_x {\n",
        // A label value without quotes.
        "# TYPE novera_x gauge\nnovera_x{shard=1} 1\n",
        // A family typed twice.
        "# TYPE novera_x gauge\nnovera_x 1\n# TYPE novera_x gauge\nnovera_x 2\n",
    ];
    for text in bad_cases {
        let result = std::panic::catch_unwind(|| check_naming(text));
        assert!(result.is_err(), "accepted:\n{text}");
    }
    check_naming("# TYPE novera_x_total counter\nnovera_x_total{shard=\"1\"} 3\n");
}
