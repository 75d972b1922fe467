//! Helpers shared by the gateway's integration tests: a fast simulator, a gateway started the
//! way `app` starts it, and bounded waits.

use std::future::{Future, IntoFuture};
use std::sync::Once;
use std::time::Duration;

use novera_core::{Escalations, RestartPolicy, Shutdown, StatusRegistry, Supervisor};
use novera_gateway::{Events, Gateway, GatewayConfig, Login, Secret, ShardStatus, login};
use novera_sim::{ControlClient, SessionInfo, SimHandle, SimState, Simulator, SimulatorBuilder};
use twilight_model::gateway::Intents;
use twilight_model::gateway::event::Event;

pub const TOKEN: &str = "gateway-test-token";
/// Heartbeat interval the simulator announces.
pub const HEARTBEAT: Duration = Duration::from_millis(200);
/// Every wait in a test is bounded by this (generous: the machine is shared and slow).
pub const WAIT: Duration = Duration::from_secs(20);

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

/// A simulator with a short heartbeat and identify window.
pub fn sim() -> SimulatorBuilder {
    init();
    Simulator::builder()
        .token(TOKEN)
        .guilds(2)
        .channels_per_guild(2)
        .members_per_guild(3)
        .heartbeat_interval(HEARTBEAT)
        .identify_window(Duration::from_millis(20))
}

pub async fn start_sim(builder: SimulatorBuilder) -> SimHandle {
    builder.start().await.expect("simulator starts")
}

pub fn intents() -> Intents {
    Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT
}

/// A gateway configuration pointed at `sim`, with test-sized timings.
pub fn config(sim: &SimHandle) -> GatewayConfig {
    GatewayConfig {
        token: Secret::new(TOKEN),
        api_url: Some(sim.base_url()),
        intents: intents(),
        rest_deadline: Duration::from_secs(5),
        close_deadline: Duration::from_secs(3),
        identify_interval: Duration::from_millis(100),
        stall_after: Duration::from_secs(30),
        ..GatewayConfig::default()
    }
}

/// Bounds a future by [`WAIT`], failing the test on timeout.
pub async fn within<T>(what: &str, fut: impl IntoFuture<Output = T>) -> T {
    tokio::time::timeout(WAIT, fut.into_future())
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// Polls `check` every 20 ms until it holds, bounded by [`WAIT`].
pub async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    within(what, async {
        while !check().await {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}

pub async fn state(control: &ControlClient) -> SimState {
    control.state().await.expect("simulator state")
}

/// The simulator's sessions of shard `id`.
pub fn sessions_of(state: &SimState, id: u32) -> Vec<SessionInfo> {
    state
        .sessions
        .iter()
        .filter(|s| s.shard[0] == id)
        .cloned()
        .collect()
}

/// The connected simulator session of shard `id`.
pub fn connected(state: &SimState, id: u32) -> SessionInfo {
    let live: Vec<_> = sessions_of(state, id)
        .into_iter()
        .filter(|s| s.connected)
        .collect();
    assert_eq!(
        live.len(),
        1,
        "one connected session of shard {id}: {live:?}"
    );
    live.into_iter().next().expect("checked above")
}

pub fn channel(state: &SimState, guild: usize) -> u64 {
    state.guilds[guild].channels[0].parse().expect("channel id")
}

/// A started gateway and everything `app` would hold around it.
pub struct Bot {
    pub login: Login,
    pub gateway: Gateway,
    pub events: Events,
    pub status: StatusRegistry,
    pub supervisor: Supervisor,
    pub escalations: Escalations,
    pub shutdown: Shutdown,
    /// Every event received so far, in order.
    pub seen: Vec<Event>,
}

impl Bot {
    pub async fn start(config: &GatewayConfig) -> Self {
        let login = within("login", login(config)).await.expect("login");
        let shutdown = Shutdown::new();
        let status = StatusRegistry::new();
        let (supervisor, escalations) = Supervisor::new(&shutdown, RestartPolicy::default());
        let (gateway, events) = within(
            "gateway start",
            Gateway::start(&login, config, &supervisor, &status),
        )
        .await
        .expect("gateway starts");
        Self {
            login,
            gateway,
            events,
            status,
            supervisor,
            escalations,
            shutdown,
            seen: Vec::new(),
        }
    }

    /// Receives events until `done(seen)` holds.
    pub async fn collect_until(&mut self, what: &str, mut done: impl FnMut(&[Event]) -> bool) {
        let events = &mut self.events;
        let seen = &mut self.seen;
        within(what, async {
            while !done(seen) {
                let event = events.recv().await.expect("event stream ended");
                seen.push(event.event);
            }
        })
        .await;
    }

    /// Receives `READY` (or `RESUMED`) and every `GUILD_CREATE` of `guilds` guilds.
    pub async fn connected(&mut self, guilds: usize) {
        self.collect_until("READY and GUILD_CREATEs", |seen| {
            count(seen, |e| matches!(e, Event::GuildCreate(_))) >= guilds
        })
        .await;
    }

    /// Contents of every `MESSAGE_CREATE` received, in order.
    pub fn messages(&self) -> Vec<String> {
        messages(&self.seen)
    }

    /// Asserts this process resumed (no `READY`: no new session) and received exactly
    /// `expected` messages, in order.
    pub fn assert_resumed_with(&self, expected: &[String]) {
        assert_eq!(self.messages(), expected, "every message, once, in order");
        assert!(
            !self.seen.iter().any(|e| matches!(e, Event::Ready(_))),
            "no new session"
        );
    }

    pub fn shard(&self, id: u32) -> ShardStatus {
        self.gateway
            .status()
            .shards
            .into_iter()
            .find(|s| s.id == id)
            .expect("owned shard")
    }
}

pub fn count(seen: &[Event], what: impl Fn(&Event) -> bool) -> usize {
    seen.iter().filter(|e| what(e)).count()
}

pub fn messages(seen: &[Event]) -> Vec<String> {
    seen.iter()
        .filter_map(|e| match e {
            Event::MessageCreate(m) => Some(m.content.clone()),
            _ => None,
        })
        .collect()
}

/// Posts `texts` in `channel` as a user, in order.
pub async fn post_all(control: &ControlClient, channel: u64, texts: &[String]) {
    for text in texts {
        control
            .post_message(channel, text, None)
            .await
            .expect("post message");
    }
}

pub fn texts(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix} {i}")).collect()
}
