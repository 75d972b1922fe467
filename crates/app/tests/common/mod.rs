//! Spawning the real `novera` binary and watching what it prints.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]

pub(crate) mod cluster;

use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::Notify;

/// A token the tests plant everywhere, to prove it never comes out again.
pub(crate) const TOKEN: &str = "NTEST0KEN.novera-e2e.s3cr3t-value-7f3a9";

/// How long anything in these tests may take before it counts as broken.
pub(crate) const PATIENCE: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Output {
    stdout: Vec<String>,
    stderr: Vec<String>,
}

/// A running `novera` process.
pub(crate) struct Novera {
    child: Child,
    output: Arc<Mutex<Output>>,
    changed: Arc<Notify>,
}

/// A `novera` command with a clean environment rooted in `dir`.
pub(crate) fn command(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_novera"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("NOVERA_HEALTH__LISTEN", "127.0.0.1:0")
        .env("NOVERA_SESSION__PATH", dir.join("sessions.json"))
        .env("NOVERA_LOG__FORMAT", "json")
        .env("NOVERA_LOG__LEVEL", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

impl Novera {
    pub(crate) fn spawn(mut cmd: Command) -> Self {
        let mut child = cmd.spawn().expect("the novera binary starts");
        let output = Arc::new(Mutex::new(Output::default()));
        let changed = Arc::new(Notify::new());
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        tokio::spawn(collect(stdout, output.clone(), changed.clone(), false));
        tokio::spawn(collect(stderr, output.clone(), changed.clone(), true));
        Self {
            child,
            output,
            changed,
        }
    }

    /// The first stdout line containing `needle`, waiting up to [`PATIENCE`].
    pub(crate) async fn line(&self, needle: &str) -> String {
        let found = tokio::time::timeout(PATIENCE, async {
            loop {
                let notified = self.changed.notified();
                if let Some(line) = self
                    .output
                    .lock()
                    .unwrap()
                    .stdout
                    .iter()
                    .find(|l| l.contains(needle))
                {
                    return line.clone();
                }
                notified.await;
            }
        })
        .await;
        found.unwrap_or_else(|_| panic!("no stdout line with {needle:?}; output:\n{}", self.dump()))
    }

    /// The URL printed after `label` (e.g. `health on `).
    pub(crate) async fn url_after(&self, label: &str) -> String {
        let line = self.line(label).await;
        let start = line.find("http://").expect("a URL on the line");
        line[start..]
            .split_whitespace()
            .next()
            .unwrap()
            .trim_end_matches([',', ')'])
            .to_owned()
    }

    pub(crate) fn stdout(&self) -> String {
        self.output.lock().unwrap().stdout.join("\n")
    }

    pub(crate) fn stderr(&self) -> String {
        self.output.lock().unwrap().stderr.join("\n")
    }

    /// The last line on stderr: the binary's one-line reason when it exits with an error.
    pub(crate) fn last_stderr_line(&self) -> String {
        self.output
            .lock()
            .unwrap()
            .stderr
            .last()
            .cloned()
            .unwrap_or_default()
    }

    pub(crate) fn dump(&self) -> String {
        format!(
            "--- stdout\n{}\n--- stderr\n{}",
            self.stdout(),
            self.stderr()
        )
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id().expect("the process is running")
    }

    pub(crate) fn signal(&self, signal: &str) {
        let pid = self.child.id().expect("the process is running");
        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits for the exit and for the output pipes to drain.
    pub(crate) async fn exit(&mut self) -> ExitStatus {
        let status = tokio::time::timeout(PATIENCE, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("novera did not exit; output:\n{}", self.dump()))
            .expect("wait works");
        // Let the collectors read what is left in the pipes.
        tokio::time::sleep(Duration::from_millis(100)).await;
        status
    }
}

async fn collect(
    stream: impl AsyncRead + Unpin,
    output: Arc<Mutex<Output>>,
    changed: Arc<Notify>,
    is_stderr: bool,
) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        {
            let mut out = output.lock().unwrap();
            if is_stderr {
                out.stderr.push(line);
            } else {
                out.stdout.push(line);
            }
        }
        changed.notify_waiters();
    }
}

/// GETs `url` and returns the status and body.
pub(crate) async fn get(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.expect("the health server answers");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// Polls `url` until it answers `want`.
pub(crate) async fn wait_status(url: &str, want: u16) {
    let result = tokio::time::timeout(PATIENCE, async {
        loop {
            if let Ok(response) = reqwest::get(url).await
                && response.status().as_u16() == want
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(result.is_ok(), "{url} never answered {want}");
}

/// Polls until `check` returns `Some`.
pub(crate) async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let result = tokio::time::timeout(PATIENCE, async {
        loop {
            if let Some(value) = check().await {
                return value;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    result.unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// The paths of outside tools on `PATH` (promtool, chromium), each given with the Debian
/// package that provides it.
///
/// When one is missing: under CI (`CI` set, as `.ci/run` runs) the test fails, because `.ci/run`
/// installs the packages; elsewhere the test prints one line saying how to install them and
/// passes.
pub(crate) fn required_tools<const N: usize>(
    tools: [(&str, &str); N],
) -> Option<[std::path::PathBuf; N]> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let find = |program: &str| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    };
    let found = tools.map(|(program, _)| find(program));
    let missing: Vec<&str> = tools
        .iter()
        .zip(&found)
        .filter(|(_, path)| path.is_none())
        .map(|((_, package), _)| *package)
        .collect();
    if missing.is_empty() {
        return Some(found.map(|path| path.expect("checked above")));
    }
    let install = format!("apt-get install {}", missing.join(" "));
    assert!(
        std::env::var_os("CI").is_none(),
        "missing under CI (.ci/run installs them): `{install}`"
    );
    say_skipped(&install);
    None
}

#[allow(clippy::print_stdout, reason = "the one line a skipped check prints")]
fn say_skipped(install: &str) {
    println!("skipped: a tool this test drives is not installed; install it with `{install}`");
}

/// A sandbox `novera` (no token: an embedded simulator) with `env` added, once it is ready:
/// the process, its health URL (`http://127.0.0.1:PORT`) and the simulator's URL.
pub(crate) async fn ready_sandbox(dir: &Path, env: &[(&str, &str)]) -> (Novera, String, String) {
    let mut cmd = command(dir);
    cmd.envs(env.iter().copied());
    let novera = Novera::spawn(cmd);
    let health = novera.url_after("health on ").await;
    let sim = novera.url_after("simulator at ").await;
    wait_status(&format!("{health}/readyz"), 200).await;
    (novera, health, sim)
}

/// POSTs `body` to the simulator's control API at `path` (e.g. `/_sim/interactions`).
pub(crate) async fn sim_post(sim: &str, path: &str, body: &serde_json::Value) -> serde_json::Value {
    let response = reqwest::Client::new()
        .post(format!("{sim}{path}"))
        .json(body)
        .send()
        .await
        .expect("the simulator answers");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap_or_default()
}

/// The running bot's `/status`.
pub(crate) async fn status(health: &str) -> serde_json::Value {
    let (code, body) = get(&format!("{health}/status")).await;
    assert_eq!(code, 200, "{body}");
    serde_json::from_str(&body).expect("/status is JSON")
}

/// A stand-in for Discord's webhook endpoint that records what it is sent.
pub(crate) async fn webhook_capture() -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
) {
    use axum::routing::post;
    let posted = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let app = axum::Router::new().route(
        "/api/v10/webhooks/{id}/{token}",
        post({
            let posted = posted.clone();
            move |axum::Json(body): axum::Json<serde_json::Value>| {
                let posted = posted.clone();
                async move {
                    posted.lock().unwrap().push(body);
                    axum::http::StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, posted)
}
