//! `serve` answers real HTTP on a loopback listener and stops when its token fires.

use std::time::Duration;

use novera_core::{CancellationToken, StatusRegistry, within};
use novera_health::{HealthState, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const LIMIT: Duration = Duration::from_secs(10);

/// Sends one HTTP/1.1 request and reads the whole response (the request asks to close).
async fn request(addr: std::net::SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    let request = format!("GET {path} HTTP/1.1\r\nHost: health\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("writes");
    let mut response = String::new();
    within(LIMIT, stream.read_to_string(&mut response))
        .await
        .expect("the response arrived in time")
        .expect("reads");
    response
}

#[tokio::test]
async fn serve_answers_http_and_stops_on_cancel_even_with_an_idle_connection() {
    let registry = StatusRegistry::new();
    registry.register("shard-0").ready();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(serve(
        listener,
        HealthState::builder(registry).build(),
        shutdown.clone(),
    ));

    let healthz = request(addr, "/healthz").await;
    assert!(healthz.starts_with("HTTP/1.1 200 OK\r\n"), "{healthz}");
    assert!(healthz.contains(r#""status":"alive""#), "{healthz}");
    let readyz = request(addr, "/readyz").await;
    assert!(readyz.starts_with("HTTP/1.1 200 OK\r\n"), "{readyz}");

    // A keep-alive client that stays connected must not hold shutdown up.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /status HTTP/1.1\r\nHost: health\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 15];
    within(LIMIT, idle.read_exact(&mut first))
        .await
        .expect("the response arrived in time")
        .unwrap();
    assert_eq!(&first, b"HTTP/1.1 200 OK");

    shutdown.cancel();
    let stopped = within(LIMIT, server)
        .await
        .expect("serve returned after cancel")
        .expect("serve did not panic");
    assert!(stopped.is_ok(), "{stopped:?}");
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "the listener is closed"
    );
}
