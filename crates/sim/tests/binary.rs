//! The `novera-sim` binary: one stdout line with the URL, serves, stops on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn binary_prints_its_url_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_novera-sim"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--guilds",
            "3",
            "--token",
            "bin-token",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let line = lines.next().expect("a line").expect("utf-8");
    let url = line
        .strip_prefix("novera-sim listening on ")
        .expect("the documented line")
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let state = novera_sim::ControlClient::new(url.clone())
            .state()
            .await
            .expect("state");
        assert_eq!(state.guilds.len(), 3);
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        let gateway: serde_json::Value = http
            .get(format!("{url}/api/v10/gateway"))
            .send()
            .await
            .expect("gateway")
            .json()
            .await
            .expect("json");
        assert_eq!(gateway["url"], url.replace("http://", "ws://"));
    });

    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "binary did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "clean exit, got {status:?}");
    assert!(lines.next().is_none(), "exactly one stdout line");
}
