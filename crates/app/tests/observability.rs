//! The Grafana dashboard (`deploy/grafana/novera.json`) and the Prometheus alert rules
//! (`deploy/prometheus/alerts.yml`) against the bot that ships: every metric they name is
//! exported by a running sandbox's `/metrics`, promtool accepts the rules, their unit tests and
//! the dashboard's queries, every alert links a runbook section that exists, and the dashboard
//! imports as is.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use common::{eventually, get, ready_sandbox, required_tools, sim_post, status};
use serde_json::{Value, json};

const DASHBOARD: &str = include_str!("../../../deploy/grafana/novera.json");
const RULES: &str = include_str!("../../../deploy/prometheus/alerts.yml");
const OPERATIONS: &str = include_str!("../../../docs/operations.md");

/// Where every alert's runbook lives.
const RUNBOOK: &str = "https://github.com/novera-bot/novera/blob/main/docs/operations.md#";

/// Names the dashboard or the rules use that a sandbox run does not export, because they only
/// appear once something happened that this test does not cause; each is checked to be
/// recorded in the workspace's source, and to be missing from the scrape (so the list cannot
/// hide a name that would be there anyway).
const APPEAR_LATER: [(&str, &str); 7] = [
    (
        "novera_commands_auto_deferred_total",
        "a handler had not answered within commands.defer_after",
    ),
    (
        "novera_commands_dropped_total",
        "the router left an interaction unanswered under overload",
    ),
    (
        "novera_supervisor_restarts_total",
        "a supervised task failed and was restarted",
    ),
    (
        "novera_supervisor_escalations_total",
        "the supervisor gave up on a component (the process then exits 70)",
    ),
    (
        "novera_alerts_sent_total",
        "an alert was posted to alerts.webhook_url",
    ),
    (
        "novera_alerts_failed_total",
        "posting an alert to the webhook failed",
    ),
    (
        "novera_alerts_dropped_total",
        "an alert found the webhook sender's queue full",
    ),
];

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rules() -> serde_norway::Value {
    serde_norway::from_str(RULES).expect("alerts.yml is YAML")
}

fn dashboard() -> Value {
    serde_json::from_str(DASHBOARD).expect("novera.json is JSON")
}

/// Every `novera_*` name in `text`.
fn metric_names(text: &str, into: &mut BTreeSet<String>) {
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    for (start, _) in text.match_indices("novera_") {
        if text[..start].chars().next_back().is_some_and(is_name_char) {
            continue;
        }
        let name: String = text[start..]
            .chars()
            .take_while(|&c| is_name_char(c))
            .collect();
        if name.len() > "novera_".len() {
            into.insert(name);
        }
    }
}

fn json_strings<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|v| json_strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| json_strings(v, out)),
        _ => {}
    }
}

fn yaml_strings(value: &serde_norway::Value, out: &mut Vec<String>) {
    match value {
        serde_norway::Value::String(s) => out.push(s.clone()),
        serde_norway::Value::Sequence(items) => items.iter().for_each(|v| yaml_strings(v, out)),
        serde_norway::Value::Mapping(map) => map.values().for_each(|v| yaml_strings(v, out)),
        serde_norway::Value::Tagged(tagged) => yaml_strings(&tagged.value, out),
        _ => {}
    }
}

/// Every metric name the dashboard and the rules mention, in queries and in prose.
fn referenced_metrics() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let dashboard = dashboard();
    let mut strings = Vec::new();
    json_strings(&dashboard, &mut strings);
    for text in strings {
        metric_names(text, &mut names);
    }
    let mut strings = Vec::new();
    yaml_strings(&rules(), &mut strings);
    for text in &strings {
        metric_names(text, &mut names);
    }
    names
}

/// The alerting rules: `(alert, expr, labels, annotations)`.
fn alerts() -> Vec<(String, String, serde_norway::Value, serde_norway::Value)> {
    let rules = rules();
    let groups = rules["groups"].as_sequence().expect("groups");
    groups
        .iter()
        .flat_map(|g| g["rules"].as_sequence().expect("rules").iter())
        .map(|rule| {
            (
                rule["alert"].as_str().expect("an alerting rule").to_owned(),
                rule["expr"].as_str().expect("an expr").to_owned(),
                rule["labels"].clone(),
                rule["annotations"].clone(),
            )
        })
        .collect()
}

/// The dashboard's queries, with Grafana's variables replaced by what `PromQL` accepts.
fn dashboard_queries() -> Vec<String> {
    fn walk(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(expr)) = map.get("expr") {
                    out.push(
                        expr.replace("$__rate_interval", "5m")
                            .replace("$instance", ".+"),
                    );
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut queries = Vec::new();
    walk(&dashboard(), &mut queries);
    queries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_metric_the_dashboard_and_the_rules_name_is_exported_by_a_running_bot() {
    let referenced = referenced_metrics();
    // The areas the dashboard must cover, so an emptied file cannot pass.
    for expected in [
        "novera_gateway_shard_active",
        "novera_gateway_events_total",
        "novera_gateway_heartbeat_latency_seconds",
        "novera_commands_served_total",
        "novera_commands_failed_total",
        "novera_commands_busy_rejected_total",
        "novera_commands_duration_seconds_bucket",
        "novera_gateway_identify_budget_remaining",
        "novera_supervisor_restarts_in_window",
        "novera_process_resident_memory_bytes",
        "novera_health_alive",
    ] {
        assert!(referenced.contains(expected), "nothing uses {expected}");
    }

    let dir = tempfile::tempdir().unwrap();
    // One command at a time, so a second one is shed.
    let (mut novera, health, sim) =
        ready_sandbox(dir.path(), &[("NOVERA_COMMANDS__MAX_IN_FLIGHT", "1")]).await;
    let metrics = serve_fail_shed_and_close(&health, &sim).await;
    check_exported(&referenced, &metrics);

    novera.signal("TERM");
    assert_eq!(novera.exit().await.code(), Some(0), "{}", novera.dump());
}

/// Drives the sandbox until every counter the rules use exists (a command served, one shed, one
/// failed, a gateway close) and returns the `/metrics` text then.
async fn serve_fail_shed_and_close(health: &str, sim: &str) -> String {
    let health = health.to_owned();
    let commands = |field: &'static str, at_least: u64| {
        let health = health.clone();
        async move {
            eventually(field, || {
                let health = health.clone();
                async move {
                    let commands = status(&health).await["commands"].clone();
                    (commands[field].as_u64()? >= at_least).then_some(())
                }
            })
            .await;
        }
    };
    let ping = json!({"name": "ping"});

    // Served, with its duration in the histogram.
    sim_post(sim, "/_sim/interactions", &ping).await;
    commands("served", 1).await;
    // Shed: /ask holds the only slot for a second while /ping arrives.
    let ask = json!({"name": "ask", "options": [
        {"name": "question", "type": 3, "value": "still there?"},
        {"name": "timeout", "type": 4, "value": 1},
    ]});
    sim_post(sim, "/_sim/interactions", &ask).await;
    commands("in_flight", 1).await;
    sim_post(sim, "/_sim/interactions", &ping).await;
    commands("busy_rejected", 1).await;
    eventually("/ask to finish", || {
        let health = health.clone();
        async move { (status(&health).await["commands"]["in_flight"] == 0).then_some(()) }
    })
    .await;
    // Failed: Discord answers the next reply with a 500 five times, all the attempts the
    // responder makes (a single 500 is retried and answered).
    sim_post(
        sim,
        "/_sim/faults",
        &json!({"kind": "rest", "status": 500, "count": 5, "path_prefix": "/interactions/"}),
    )
    .await;
    sim_post(sim, "/_sim/interactions", &ping).await;
    commands("failed", 1).await;
    // A close: the connection drops, the shard reconnects and resumes.
    sim_post(sim, "/_sim/faults", &json!({"kind": "drop"})).await;
    eventually("a counted close", || {
        let health = health.clone();
        async move {
            let (_, metrics) = get(&format!("{health}/metrics")).await;
            metrics
                .contains("novera_gateway_closes_total{")
                .then_some(metrics)
        }
    })
    .await
}

/// Every name in `referenced` is in the `metrics` text, or in [`APPEAR_LATER`] for a reason.
fn check_exported(referenced: &BTreeSet<String>, metrics: &str) {
    let exported: BTreeSet<&str> = metrics
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split(['{', ' ']).next())
        .filter(|name| !name.is_empty())
        .collect();
    // A histogram is named by its family in prose and exported as _bucket, _sum and _count.
    let is_exported = |name: &str| {
        exported.contains(name) || exported.contains(format!("{name}_bucket").as_str())
    };
    let later: BTreeSet<&str> = APPEAR_LATER.iter().map(|(name, _)| *name).collect();
    let missing: Vec<&String> = referenced
        .iter()
        .filter(|name| !is_exported(name) && !later.contains(name.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "the dashboard or the rules use metrics the bot does not export: {missing:?}\nexported: {exported:?}"
    );

    let sources = workspace_sources();
    for (name, when) in APPEAR_LATER {
        assert!(
            referenced.contains(name),
            "{name} is not used any more: remove it from APPEAR_LATER"
        );
        assert!(
            !is_exported(name),
            "{name} is exported from the start now: remove it from APPEAR_LATER"
        );
        assert!(
            sources.contains(&format!("\"{name}\"")),
            "{name} (appears when {when}) is recorded nowhere in crates/*/src"
        );
    }
}

/// The text of every Rust file under `crates/*/src`.
fn workspace_sources() -> String {
    fn collect(dir: &Path, out: &mut String) {
        for entry in std::fs::read_dir(dir)
            .expect("a readable directory")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                collect(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push_str(&std::fs::read_to_string(&path).expect("a readable source file"));
            }
        }
    }
    let mut out = String::new();
    for entry in std::fs::read_dir(repository().join("crates"))
        .expect("the crates directory")
        .flatten()
    {
        let src = entry.path().join("src");
        if src.is_dir() {
            collect(&src, &mut out);
        }
    }
    out
}

#[test]
fn every_alert_says_what_to_do_and_links_a_runbook_section_that_exists() {
    let anchors: BTreeSet<String> = OPERATIONS
        .lines()
        .filter(|line| line.starts_with('#'))
        .map(|line| github_anchor(line.trim_start_matches('#')))
        .collect();
    let alerts = alerts();
    let names: BTreeSet<&str> = alerts.iter().map(|(name, ..)| name.as_str()).collect();
    // What the issue asks to alert on.
    for wanted in [
        "NoveraShardDown",
        "NoveraIdentifyBudgetLow",
        "NoveraCommandFailures",
        "NoveraCommandsShed",
        "NoveraLivenessFailing",
        "NoveraRestartsNearBudget",
    ] {
        assert!(names.contains(wanted), "no {wanted} in {names:?}");
    }
    for (name, expr, labels, annotations) in &alerts {
        assert!(!expr.trim().is_empty(), "{name}");
        let severity = labels["severity"].as_str();
        assert!(
            matches!(severity, Some("warning" | "critical")),
            "{name}: severity {severity:?}"
        );
        let summary = annotations["summary"].as_str().unwrap_or_default();
        assert!(summary.len() > 40, "{name}: a summary that says what to do");
        let url = annotations["runbook_url"].as_str().unwrap_or_default();
        let anchor = url
            .strip_prefix(RUNBOOK)
            .unwrap_or_else(|| panic!("{name}: runbook_url {url:?} is not in {RUNBOOK}"));
        assert!(
            anchors.contains(anchor),
            "{name}: docs/operations.md has no section #{anchor}"
        );
    }
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.
fn github_anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[test]
fn the_dashboard_imports_as_is() {
    let dashboard = dashboard();
    assert_eq!(dashboard["uid"], "novera");
    assert_eq!(dashboard["title"], "Novera");
    assert!(dashboard["schemaVersion"].as_u64().unwrap_or(0) >= 36);
    // No `__inputs`: nothing to fill in at import; the data source is a variable.
    assert!(dashboard.get("__inputs").is_none());
    let variables = dashboard["templating"]["list"]
        .as_array()
        .expect("variables");
    let datasource = variables
        .iter()
        .find(|v| v["name"] == "datasource")
        .expect("a datasource variable");
    assert_eq!(
        (&datasource["type"], &datasource["query"]),
        (&json!("datasource"), &json!("prometheus"))
    );
    assert!(variables.iter().any(|v| v["name"] == "instance"));

    let panels = dashboard["panels"].as_array().expect("panels");
    let mut ids = BTreeSet::new();
    let mut cells = BTreeSet::new();
    for panel in panels {
        let id = panel["id"].as_u64().expect("a panel id");
        assert!(ids.insert(id), "panel id {id} twice");
        let title = panel["title"].as_str().unwrap_or_default();
        let grid = &panel["gridPos"];
        let (x, y, w, h) = (
            grid["x"].as_u64().unwrap(),
            grid["y"].as_u64().unwrap(),
            grid["w"].as_u64().unwrap(),
            grid["h"].as_u64().unwrap(),
        );
        assert!(x + w <= 24, "{title} is wider than the grid");
        for cell in (x..x + w).flat_map(|cx| (y..y + h).map(move |cy| (cx, cy))) {
            assert!(cells.insert(cell), "{title} overlaps another panel");
        }
        if panel["type"] == "row" {
            continue;
        }
        assert_eq!(panel["datasource"]["uid"], "${datasource}", "{title}");
        let targets = panel["targets"].as_array().expect("targets");
        assert!(!targets.is_empty(), "{title} has no query");
        for target in targets {
            assert_eq!(target["datasource"]["uid"], "${datasource}", "{title}");
            let expr = target["expr"].as_str().unwrap_or_default();
            assert!(expr.contains("novera_"), "{title}: {expr}");
            assert!(expr.contains("instance=~\"$instance\""), "{title}: {expr}");
        }
    }
}

#[test]
fn promtool_accepts_the_rules_their_unit_tests_and_the_dashboard_queries() {
    let Some([promtool]) = required_tools([("promtool", "prometheus")]) else {
        return;
    };
    let rules_dir = repository().join("deploy/prometheus");
    let run = |args: &[&str], dir: &Path| {
        let output = StdCommand::new(&promtool)
            .args(args)
            .current_dir(dir)
            .output()
            .expect("promtool runs");
        assert!(
            output.status.success(),
            "promtool {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(&["check", "rules", "alerts.yml"], &rules_dir);
    run(&["test", "rules", "alerts_test.yml"], &rules_dir);

    // Each dashboard query as a recording rule, so promtool parses it as PromQL.
    let queries = dashboard_queries();
    assert!(queries.len() > 20, "{} queries", queries.len());
    let rules: Vec<Value> = queries
        .iter()
        .enumerate()
        .map(|(i, expr)| json!({"record": format!("novera_dashboard_query_{i}"), "expr": expr}))
        .collect();
    let file = json!({"groups": [{"name": "dashboard", "rules": rules}]});
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("dashboard.yml"),
        serde_norway::to_string(&file).unwrap(),
    )
    .unwrap();
    run(&["check", "rules", "dashboard.yml"], dir.path());
}
