//! Helpers shared by the simulator's integration tests: a real twilight shard and HTTP client
//! pointed at the simulator, a raw WebSocket client for rule tests, and bounded waits.

#![allow(dead_code, unreachable_pub)]

pub mod json;

use std::future::IntoFuture;
use std::sync::{Arc, Once};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use novera_sim::{SimHandle, Simulator, SimulatorBuilder};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;
use twilight_gateway::queue::InMemoryQueue;
use twilight_gateway::{
    ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt as _,
};

pub const TOKEN: &str = "sim-test-token";
/// Every wait in a test is bounded by this.
pub const WAIT: Duration = Duration::from_secs(10);

pub fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| "warn".into()),
            )
            .try_init();
    });
}

/// A builder with fast timings for tests.
pub fn fast() -> SimulatorBuilder {
    init();
    Simulator::builder()
        .token(TOKEN)
        .heartbeat_interval(Duration::from_millis(150))
        .identify_window(Duration::from_millis(20))
}

pub async fn start(builder: SimulatorBuilder) -> SimHandle {
    builder.start().await.expect("simulator starts")
}

pub fn intents() -> Intents {
    Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT
}

/// A twilight shard for the simulator with the identify queue disabled (the simulator's own
/// identify window is shrunk instead).
pub fn shard(sim: &SimHandle, token: &str, id: u32, total: u32) -> Shard {
    let config = ConfigBuilder::new(token.to_owned(), intents())
        .proxy_url(sim.gateway_url())
        .queue(InMemoryQueue::new(0, 0, Duration::ZERO, 0))
        .build();
    Shard::with_config(ShardId::new(id, total), config)
}

pub fn http(sim: &SimHandle) -> Arc<twilight_http::Client> {
    Arc::new(
        twilight_http::Client::builder()
            .token(TOKEN.to_owned())
            .proxy(sim.api_host(), true)
            .timeout(Duration::from_secs(5))
            .build(),
    )
}

/// One REST request as the bot (`Authorization: Bot TOKEN`): status, headers and body text.
pub async fn rest(
    sim: &SimHandle,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut req = reqwest::Client::builder()
        .no_proxy()
        .timeout(WAIT)
        .build()
        .expect("client")
        .request(method, format!("{}/api/v10{path}", sim.base_url()))
        .header("Authorization", format!("Bot {TOKEN}"));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.expect("body"))
}

/// Bounds a future by [`WAIT`], failing the test on timeout.
pub async fn within<T>(what: &str, fut: impl IntoFuture<Output = T>) -> T {
    tokio::time::timeout(WAIT, fut.into_future())
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// Polls `check` every 10 ms until it returns `Some`, bounded by [`WAIT`].
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    within(what, async {
        loop {
            if let Some(value) = check().await {
                return value;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
}

/// Checks that every dispatch arrives exactly once and in order: the shard's sequence grows by
/// one per dispatch event, restarting at 1 only for a new session.
#[derive(Debug, Default)]
pub struct SeqCheck {
    session: Option<String>,
    last: u64,
    pub dispatches: u64,
}

impl SeqCheck {
    pub fn observe(&mut self, shard: &Shard, event: &Event) {
        if event.kind().name().is_none() {
            return;
        }
        let Some(session) = shard.session() else {
            return;
        };
        if self.session.as_deref() != Some(session.id()) {
            self.session = Some(session.id().to_owned());
            self.last = 0;
        }
        assert_eq!(
            session.sequence(),
            self.last + 1,
            "dispatch {:?} arrived with seq {} after {}",
            event.kind(),
            session.sequence(),
            self.last
        );
        self.last = session.sequence();
        self.dispatches += 1;
    }
}

/// Polls `shard` until `stop` returns true for an event; returns the events seen.
pub async fn drive(
    shard: &mut Shard,
    check: &mut SeqCheck,
    mut stop: impl FnMut(&Event) -> bool,
) -> Vec<Event> {
    let mut seen = Vec::new();
    within("shard events", async {
        loop {
            match shard.next_event(EventTypeFlags::all()).await {
                Some(Ok(event)) => {
                    check.observe(shard, &event);
                    let done = stop(&event);
                    seen.push(event);
                    if done {
                        return;
                    }
                }
                Some(Err(error)) => panic!("shard error: {error}"),
                None => panic!("shard ended"),
            }
        }
    })
    .await;
    seen
}

/// Drives a fresh shard through READY and the `GUILD_CREATE` of each of its `guilds`.
pub async fn connect(shard: &mut Shard, check: &mut SeqCheck, guilds: usize) -> Vec<Event> {
    let mut creates = 0;
    let mut ready = false;
    drive(shard, check, |e| {
        match e {
            Event::Ready(_) => ready = true,
            Event::GuildCreate(_) => creates += 1,
            _ => {}
        }
        ready && creates == guilds
    })
    .await
}

/// A raw gateway client, for sending what twilight never would.
pub struct RawGateway {
    pub ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

/// What a raw client saw next.
#[derive(Debug)]
pub enum Seen {
    Payload(Value),
    Closed(Option<u16>),
}

impl RawGateway {
    pub async fn connect(sim: &SimHandle, query: &str) -> Self {
        let url = format!("{}/?v=10&encoding=json{query}", sim.gateway_url());
        let (ws, _) = within("raw connect", tokio_tungstenite::connect_async(url))
            .await
            .expect("raw gateway connects");
        Self { ws }
    }

    /// Connects and reads HELLO.
    pub async fn hello(sim: &SimHandle) -> Self {
        let mut raw = Self::connect(sim, "").await;
        let hello = raw.payload().await;
        assert_eq!(hello["op"], 10);
        raw
    }

    pub async fn send(&mut self, value: &Value) {
        self.send_text(&value.to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.expect("raw send");
    }

    pub async fn next(&mut self) -> Seen {
        within("raw gateway frame", async {
            loop {
                match self.ws.next().await {
                    Some(Ok(Message::Text(t))) => {
                        return Seen::Payload(serde_json::from_str(&t).expect("server sends JSON"));
                    }
                    Some(Ok(Message::Binary(b))) => {
                        return Seen::Payload(
                            serde_json::from_slice(&b).expect("server sends JSON"),
                        );
                    }
                    Some(Ok(Message::Close(frame))) => {
                        return Seen::Closed(frame.map(|f| u16::from(f.code)));
                    }
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => return Seen::Closed(None),
                }
            }
        })
        .await
    }

    pub async fn payload(&mut self) -> Value {
        match self.next().await {
            Seen::Payload(v) => v,
            Seen::Closed(code) => panic!("expected a payload, connection closed with {code:?}"),
        }
    }

    /// Reads until a payload with `op` (skipping others).
    pub async fn until_op(&mut self, op: u64) -> Value {
        loop {
            let p = self.payload().await;
            if p["op"] == op {
                return p;
            }
        }
    }

    /// Reads until the server closes; returns its close code.
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            if let Seen::Closed(code) = self.next().await {
                return code;
            }
        }
    }

    /// The next WebSocket message as it came (text, binary or close), without parsing it.
    pub async fn raw_message(&mut self) -> Message {
        within("raw gateway message", async {
            loop {
                match self.ws.next().await {
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Ok(message)) => return message,
                    Some(Err(error)) => panic!("raw gateway failed: {error}"),
                    None => panic!("raw gateway ended"),
                }
            }
        })
        .await
    }

    pub async fn resume(&mut self, token: &str, session_id: &Value, seq: u64) {
        self.send(&serde_json::json!({
            "op": 6,
            "d": {"token": token, "session_id": session_id, "seq": seq}
        }))
        .await;
    }

    pub async fn identify(&mut self, token: &str, intents: u64) {
        self.send(&serde_json::json!({
            "op": 2,
            "d": {"token": token, "intents": intents, "properties": {"os": "linux", "browser": "raw", "device": "raw"}}
        }))
        .await;
    }
}
