//! The real `novera` binary with its interactions endpoint: the sandbox through the endpoint
//! (`sandbox.interactions = "http"`), the ingress in `/status` and `/metrics`, a public key
//! that is not the application's stopping the start with exit code 78, and the cluster roles (a
//! worker serves the endpoint while a gateway holds the shards; a gateway refuses one). The
//! cluster test is skipped (one line) when nats-server is not installed outside CI.

mod common;

use common::cluster::{role, spawn};
use common::{Novera, TOKEN, command, eventually, get, ready_sandbox, status};
use novera_sim::{ControlClient, Ingress, ResponseVia, SimHandle, Simulator};
use novera_testkit::NatsServer;
use serde_json::{Value, json};

async fn simulator() -> SimHandle {
    Simulator::builder()
        .token(TOKEN)
        .start()
        .await
        .expect("the simulator starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_runs_through_the_interactions_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let (mut novera, health, sim) =
        ready_sandbox(dir.path(), &[("NOVERA_SANDBOX__INTERACTIONS", "http")]).await;
    let url = novera.url_after("interactions endpoint on ").await;
    assert!(url.ends_with("/interactions"), "{url}");
    let control = ControlClient::new(sim);
    eventually("the simulator to use the endpoint", || async {
        let application = control.application().await.ok()?;
        (application.interactions_endpoint_url.as_deref() == Some(url.as_str())).then_some(())
    })
    .await;

    let created = control
        .run_command("ping", Value::Null, None, None, None)
        .await
        .unwrap();
    let answered = eventually("/ping to be answered", || async {
        let status = control.interaction(&created.id).await.ok()?;
        status.responded.then_some(status)
    })
    .await;
    assert_eq!(answered.ingress, Ingress::Http, "{answered:?}");
    assert_eq!(
        answered.response_via,
        Some(ResponseVia::Http),
        "{answered:?}"
    );
    assert!(
        answered.content.unwrap_or_default().starts_with("Pong"),
        "{}",
        novera.dump()
    );

    let report = status(&health).await;
    assert_eq!(report["commands"]["via_http"], 1, "{report}");
    assert_eq!(report["commands"]["via_gateway"], 0, "{report}");
    let components = report["components"].to_string();
    assert!(components.contains("interactions-endpoint"), "{report}");
    // Served once the handler ends (after its edit of the answer).
    let metrics = eventually("/ping to be counted as served over HTTP", || async {
        let (code, metrics) = get(&format!("{health}/metrics")).await;
        (code == 200
            && metrics.lines().any(|l| {
                l.starts_with("novera_commands_served_total")
                    && l.contains("command=\"ping\"")
                    && l.contains("ingress=\"http\"")
            }))
        .then_some(metrics)
    })
    .await;
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("novera_interactions_requests_total")
                && l.contains("outcome=\"answered\"")),
        "{metrics}"
    );

    novera.signal("TERM");
    let exit = novera.exit().await;
    assert_eq!(exit.code(), Some(0), "{}", novera.dump());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_key_that_is_not_the_applications_exits_78() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = command(dir.path());
    cmd.env("NOVERA_TOKEN", TOKEN)
        .env("NOVERA_DISCORD__API_URL", sim.base_url())
        .env("NOVERA_INTERACTIONS__LISTEN", "127.0.0.1:0")
        // A valid key (RFC 8032's first test vector), not the simulator's.
        .env(
            "NOVERA_INTERACTIONS__PUBLIC_KEY",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        );
    let mut novera = Novera::spawn(cmd);
    assert_eq!(novera.exit().await.code(), Some(78), "{}", novera.dump());
    let stderr = novera.stderr();
    assert!(stderr.contains("public key"), "{stderr}");
    assert!(
        stderr.contains(&sim.control().application().await.unwrap().verify_key),
        "names the application's key: {stderr}"
    );
    let state = sim.control().state().await.unwrap();
    assert_eq!(state.identifies, 0, "stopped before the shards: {state:?}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_serves_the_endpoint_and_a_gateway_refuses_one() {
    let Some(nats) = NatsServer::start().await.unwrap() else {
        return;
    };
    let sim = simulator().await;
    let control = sim.control();
    let key = control.application().await.unwrap().verify_key;
    let dir = tempfile::tempdir().unwrap();

    // A gateway has no router: an endpoint there is a configuration mistake.
    let mut refused = role(dir.path(), "refused", "gateway", &sim, &nats.url());
    refused
        .env("NOVERA_INTERACTIONS__LISTEN", "127.0.0.1:0")
        .env("NOVERA_INTERACTIONS__PUBLIC_KEY", &key);
    let mut refused = Novera::spawn(refused);
    assert_eq!(refused.exit().await.code(), Some(78), "{}", refused.dump());
    assert!(
        refused.stderr().contains("no command router"),
        "{}",
        refused.dump()
    );

    let gateway = spawn(dir.path(), "gateway", "gateway", &sim, &nats.url()).await;
    let mut worker = role(dir.path(), "worker", "worker", &sim, &nats.url());
    worker
        .env("NOVERA_INTERACTIONS__LISTEN", "127.0.0.1:0")
        .env("NOVERA_INTERACTIONS__PUBLIC_KEY", &key);
    let mut worker = Novera::spawn(worker);
    let url = worker.url_after("interactions endpoint on ").await;
    let health = worker.url_after("health on ").await;
    common::wait_status(&format!("{health}/readyz"), 200).await;
    control.set_interactions_endpoint(Some(&url)).await.unwrap();

    let created = control
        .run_command(
            "diag",
            json!([{"name": "delay", "type": 4, "value": 0}]),
            None,
            None,
            None,
        )
        .await
        .unwrap();
    let answered = eventually("/diag answered through the worker's endpoint", || async {
        let status = control.interaction(&created.id).await.ok()?;
        let done = status
            .content
            .as_deref()
            .is_some_and(|c| c.starts_with("diag: answered by "));
        (status.responded && done).then_some(status)
    })
    .await;
    assert_eq!(answered.ingress, Ingress::Http, "{answered:?}");
    assert_eq!(
        answered.response_via,
        Some(ResponseVia::Http),
        "{answered:?}"
    );
    assert!(answered.error.is_none(), "{answered:?}");
    let report = status(&health).await;
    assert_eq!(report["commands"]["via_http"], 1, "{report}");
    assert!(
        control.state().await.unwrap().violations.is_empty(),
        "{}",
        worker.dump()
    );

    worker.signal("TERM");
    assert_eq!(worker.exit().await.code(), Some(0), "{}", worker.dump());
    let _ = (&gateway, &nats, &dir);
    sim.shutdown().await;
}
