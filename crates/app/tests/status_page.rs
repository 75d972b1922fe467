//! The status page in a real browser: headless Chromium, driven through chromedriver with
//! fantoccini, loads the page of a running sandbox and the test reads the rendered DOM (the
//! shard's row, charts with data points, a `/ping` counted, a failed command listed with its
//! reference id) and saves a screenshot next to the build (`<target>/status-page.png`).
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them); elsewhere, without
//! them, the test says how to install them and passes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use common::{PATIENCE, ready_sandbox, required_tools, sim_post};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

/// The sandbox's token (app's `sandbox::SANDBOX_TOKEN`): the page must never show it.
const SANDBOX_TOKEN: &str = "sandbox-token";

/// Chromium's flags: headless, no sandbox (CI runs as root), and nothing that talks to
/// anything but the page's own server.
const CHROMIUM_FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,1000",
];

/// What the test reads from the page, in one script run.
const READ_PAGE: &str = r##"
const points = (id) => Number(document.getElementById(id).dataset.points || 0);
return {
  shards: [...document.querySelectorAll("#shards tbody tr[data-shard]")]
    .map((tr) => ({ id: tr.dataset.shard, state: tr.dataset.state, cells: tr.cells.length })),
  served: document.getElementById("served").textContent,
  failed: document.getElementById("failed").textContent,
  incidents: [...document.querySelectorAll("#incidents tbody tr")]
    .filter((tr) => tr.cells.length === 4)
    .map((tr) => ({ kind: tr.cells[1].textContent, reference: tr.cells[2].textContent, what: tr.cells[3].textContent })),
  alive: document.getElementById("alive").textContent,
  version: document.getElementById("version").textContent,
  events: points("chart-events"),
  commands: points("chart-commands"),
  latency: points("chart-latency"),
  lines: document.querySelectorAll("svg.chart polyline").length,
  text: document.body.innerText,
  html: document.documentElement.outerHTML,
};
"##;

/// chromedriver on a free loopback port, killed with the test.
struct Driver {
    _child: Child,
    url: String,
}

async fn start_driver(program: &Path) -> Driver {
    let mut child = Command::new(program)
        .arg("--port=0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("chromedriver starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
    let port = tokio::time::timeout(PATIENCE, async {
        while let Ok(Some(line)) = lines.next_line().await {
            // "ChromeDriver was started successfully on port 41234."
            if let Some(rest) = line.split("successfully on port ").nth(1) {
                return rest.trim_end_matches('.').parse::<u16>().ok();
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .expect("chromedriver printed its port");
    // Keep reading so chromedriver never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Driver {
        _child: child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

async fn browser(driver: &Driver, chromium: &Path, profile: &Path) -> Client {
    let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| (*s).to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        json!({"binary": chromium, "args": args}),
    );
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a browser session")
}

/// Reads the page until `done` holds, or fails after [`PATIENCE`] with what it saw last.
async fn page_until(client: &Client, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let page = client
            .execute(READ_PAGE, Vec::new())
            .await
            .expect("the script runs");
        if done(&page) {
            return page;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the page never showed {what}; last read:\n{page:#}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `<target>/status-page.png`, beside the `debug` folder the binary was built in.
fn screenshot_path() -> PathBuf {
    let binary = Path::new(env!("CARGO_BIN_EXE_novera"));
    binary
        .parent()
        .and_then(Path::parent)
        .expect("the binary sits in <target>/<profile>/")
        .join("status-page.png")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_page_shows_the_shard_the_charts_and_a_ping_in_a_real_browser() {
    let Some([chromium, chromedriver]) = required_tools([
        ("chromium", "chromium"),
        ("chromedriver", "chromium-driver"),
    ]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Points every 200 ms, so the charts fill within a second or two.
    let (mut novera, health, sim) =
        ready_sandbox(dir.path(), &[("NOVERA_HEALTH__SAMPLE_PERIOD", "200ms")]).await;
    let page_url = novera.url_after("status page on ").await;
    assert_eq!(page_url, format!("{health}/"), "the printed page URL");

    let driver = start_driver(&chromedriver).await;
    let client = browser(&driver, &chromium, &dir.path().join("chromium")).await;
    client.goto(&page_url).await.expect("the page loads");

    let page = page_until(&client, "an active shard 0 and an events chart", |p| {
        p["shards"][0]["state"] == "active" && p["events"].as_u64() >= Some(2)
    })
    .await;
    assert_eq!(page["shards"].as_array().map(Vec::len), Some(1), "{page:#}");
    assert_eq!(page["shards"][0]["id"], "0");
    assert_eq!(page["shards"][0]["cells"], 8, "every column is filled");
    assert_eq!(page["alive"], "alive");
    assert!(
        page["version"]
            .as_str()
            .is_some_and(|v| v.starts_with("version ")),
        "{page:#}"
    );
    assert_eq!(page["served"], "0");
    assert_eq!(page["latency"], 0, "no command ran yet: {page:#}");

    // A person types /ping: the page counts it and charts its latency, without a reload.
    sim_post(&sim, "/_sim/interactions", &json!({"name": "ping"})).await;
    let page = page_until(&client, "the /ping counted and charted", |p| {
        // Two points on each latency line (p50 and p99).
        p["served"] == "1" && p["latency"].as_u64() >= Some(4) && p["commands"].as_u64() >= Some(2)
    })
    .await;
    assert!(page["lines"].as_u64() >= Some(4), "{page:#}");
    assert_eq!(page["incidents"], json!([]), "{page:#}");

    // Discord answers the next reply with a 500 five times, all the attempts the responder
    // makes (a single 500 is retried and answered): the failure is listed with its reference id.
    sim_post(
        &sim,
        "/_sim/faults",
        &json!({"kind": "rest", "status": 500, "count": 5, "path_prefix": "/interactions/"}),
    )
    .await;
    sim_post(&sim, "/_sim/interactions", &json!({"name": "ping"})).await;
    let page = page_until(&client, "the failed /ping listed", |p| {
        p["failed"] == "1" && p["incidents"].as_array().is_some_and(|i| !i.is_empty())
    })
    .await;
    let incident = &page["incidents"][0];
    assert_eq!(incident["kind"], "command error", "{page:#}");
    let reference = incident["reference"].as_str().unwrap_or_default();
    assert!(
        reference.len() == 8 && reference.chars().all(|c| c.is_ascii_hexdigit()),
        "{page:#}"
    );
    assert!(
        incident["what"]
            .as_str()
            .is_some_and(|w| w.starts_with("/ping: ") && w.contains("500")),
        "{page:#}"
    );
    for text in [&page["text"], &page["html"]] {
        let text = text.as_str().unwrap_or_default();
        assert!(!text.contains(SANDBOX_TOKEN), "the page shows the token");
    }

    let png = client.screenshot().await.expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    let path = screenshot_path();
    std::fs::write(&path, png).expect("the screenshot is saved");
    assert!(
        std::fs::metadata(&path).map_or(0, |m| m.len()) > 10_000,
        "{}",
        path.display()
    );
    client.close().await.expect("the browser closes");

    novera.signal("TERM");
    assert_eq!(novera.exit().await.code(), Some(0), "{}", novera.dump());
}
