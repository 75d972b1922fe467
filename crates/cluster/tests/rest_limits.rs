//! Shared REST limits against a real nats-server and novera-sim: several processes of one bot
//! (each its own twilight client, REST guard and broker connection, as `novera worker`s are)
//! keep Discord's global limit and every route bucket together, and count their invalid
//! requests together.

use std::sync::Arc;
use std::time::Duration;

use novera_cluster::{Broker, ClusterSettings, KvRateLimits, SharedInvalidRequests};
use novera_commands::{RestGuard, RestGuardConfig};
use novera_core::{InvalidRequest, InvalidRequestLog};
use novera_sim::{SimHandle, Simulator};
use novera_testkit::NatsServer;
use twilight_http::request::TryIntoRequest;
use twilight_model::channel::Message;
use twilight_model::id::Id;

const TOKEN: &str = "shared-limits-token";
const PROCESSES: usize = 3;
const MESSAGES_EACH: usize = 50;
const WINDOW: Duration = Duration::from_secs(600);

/// Six channels whose buckets together allow 60 messages a second: more than the global
/// limit, so both limits are in play.
async fn simulator() -> SimHandle {
    Simulator::builder()
        .token(TOKEN)
        .guilds(2)
        .channels_per_guild(3)
        .rest_bucket_limit(10)
        .rest_bucket_window(Duration::from_secs(1))
        .start()
        .await
        .unwrap()
}

fn http(sim: &SimHandle) -> Arc<twilight_http::Client> {
    Arc::new(
        twilight_http::Client::builder()
            .token(TOKEN.to_owned())
            .proxy(sim.api_host(), true)
            .timeout(Duration::from_secs(30))
            .build(),
    )
}

/// One process of the bot: its client and guard, sharing through `broker` when given.
async fn process(
    sim: &SimHandle,
    broker: Option<&Broker>,
) -> (Arc<twilight_http::Client>, RestGuard) {
    let guard = RestGuard::local(RestGuardConfig::default());
    if let Some(broker) = broker {
        let (rate, burst) = broker.settings().rest_pace();
        guard.share_rate_limits(Arc::new(
            KvRateLimits::new(broker, rate, burst).await.unwrap(),
        ));
    }
    (http(sim), guard)
}

/// Every process posts its messages at once, round robin over the channels; returns how many
/// were created.
async fn post_everything(
    sim: &SimHandle,
    processes: &[(Arc<twilight_http::Client>, RestGuard)],
) -> usize {
    let state = sim.control().state().await.unwrap();
    let channels: Vec<u64> = state
        .guilds
        .iter()
        .flat_map(|g| g.channels.iter().map(|c| c.parse::<u64>().unwrap()))
        .collect();
    let mut tasks = Vec::new();
    for (p, (http, guard)) in processes.iter().enumerate() {
        for i in 0..MESSAGES_EACH {
            let (http, guard) = (Arc::clone(http), guard.clone());
            let channel = Id::new(channels[(p + i) % channels.len()]);
            tasks.push(tokio::spawn(async move {
                let request = http
                    .create_message(channel)
                    .content(&format!("process {p} message {i}"))
                    .try_into_request()
                    .unwrap();
                guard.send::<Message>(&http, request).await.is_ok()
            }));
        }
    }
    let mut created = 0;
    for task in tasks {
        created += usize::from(task.await.unwrap());
    }
    created
}

fn count(state: &novera_sim::SimState, rule: &str) -> u64 {
    state.violation_counts.get(rule).copied().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_keep_the_global_limit_and_every_bucket_together() {
    let Some(nats) = NatsServer::start().await.unwrap() else {
        return;
    };
    let settings = ClusterSettings::new(nats.url(), "restlimits");

    // Without sharing, each process spends the bot's whole budget: the simulator sees the
    // limits broken (what this test would catch if sharing stopped working).
    let alone = simulator().await;
    let mut processes = Vec::new();
    for _ in 0..PROCESSES {
        processes.push(process(&alone, None).await);
    }
    post_everything(&alone, &processes).await;
    let state = alone.control().state().await.unwrap();
    assert!(
        count(&state, "rest_global_rate_limit") + count(&state, "rest_rate_limit") > 0,
        "unshared processes broke no limit: {:?}",
        state.violation_counts
    );

    let sim = simulator().await;
    let mut processes = Vec::new();
    for _ in 0..PROCESSES {
        let broker = Broker::connect(&settings, "test").await.unwrap();
        processes.push(process(&sim, Some(&broker)).await);
    }
    let created = post_everything(&sim, &processes).await;
    assert_eq!(
        created,
        PROCESSES * MESSAGES_EACH,
        "every message was created"
    );
    let state = sim.control().state().await.unwrap();
    for rule in [
        "rest_global_rate_limit",
        "rest_rate_limit",
        "rest_retry_after_ignored",
    ] {
        assert_eq!(count(&state, rule), 0, "{rule}: {:?}", state.violations);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_requests_are_counted_by_every_process_even_one_started_late() {
    let Some(nats) = NatsServer::start().await.unwrap() else {
        return;
    };
    let settings = ClusterSettings::new(nats.url(), "invalidcount");
    let broker = Broker::connect(&settings, "test").await.unwrap();
    let a = SharedInvalidRequests::start(&broker, WINDOW, "a")
        .await
        .unwrap();
    let b = SharedInvalidRequests::start(&broker, WINDOW, "b")
        .await
        .unwrap();
    for _ in 0..30 {
        a.record(
            InvalidRequest::new(403, "POST /channels/{id}/messages")
                .code(Some(50013))
                .description("Missing Permissions"),
        );
    }
    for _ in 0..12 {
        b.record(InvalidRequest::new(401, "GET /users/@me").description("Unauthorized"));
    }
    let everyone = |log: &SharedInvalidRequests| log.summary(0).count == 42;
    wait(|| everyone(&a) && everyone(&b)).await;
    let top = a.summary(2).top;
    assert_eq!(top[0].count, 30);
    assert_eq!(top[1].route, "GET /users/@me");

    // A process started (or restarted) later reads the window it missed.
    let c = SharedInvalidRequests::start(&broker, WINDOW, "c")
        .await
        .unwrap();
    wait(|| everyone(&c)).await;
    // Each entry counted once: no process counts its own twice.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(a.summary(0).count, 42);
    assert_eq!(c.summary(0).count, 42);
}

async fn wait(mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("not reached within 10 s");
}
