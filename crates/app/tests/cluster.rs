//! The cluster roles for real: one `novera gateway` and three `novera worker` processes, a real
//! nats-server and novera-sim. Every command answered exactly once (the simulator's
//! double-acknowledgement rule is the judge), through a worker killed with SIGKILL, a worker
//! stopped with SIGTERM, a conversation across workers, and a broker restart.
//!
//! Skipped (one line) when nats-server is not installed outside CI; under CI it must be.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::cluster::{Process, replies, role, spawn};
use common::{Novera, TOKEN, eventually, wait_status};
use novera_sim::{ControlClient, InteractionStatus, SimHandle, Simulator};
use novera_testkit::NatsServer;
use serde_json::{Value, json};

struct Cluster {
    nats: NatsServer,
    sim: SimHandle,
    control: ControlClient,
    dir: tempfile::TempDir,
    gateway: Process,
    workers: Vec<Process>,
}

impl Cluster {
    async fn start(workers: usize) -> Option<Self> {
        let nats = NatsServer::start().await.unwrap()?;
        let sim = Simulator::builder()
            .token(TOKEN)
            .start()
            .await
            .expect("the simulator starts");
        let control = sim.control();
        let dir = tempfile::tempdir().unwrap();
        let gateway = spawn(dir.path(), "gateway", "gateway", &sim, &nats.url()).await;
        let mut started = Vec::new();
        for i in 0..workers {
            started.push(
                spawn(
                    dir.path(),
                    &format!("worker-{i}"),
                    "worker",
                    &sim,
                    &nats.url(),
                )
                .await,
            );
        }
        Some(Self {
            nats,
            sim,
            control,
            dir,
            gateway,
            workers: started,
        })
    }

    async fn command(&self, name: &str, options: Value) -> String {
        self.control
            .run_command(name, options, None, None, None)
            .await
            .expect("the simulator creates the interaction")
            .id
    }

    async fn diag(&self, delay_ms: u64) -> String {
        self.command(
            "diag",
            json!([{"name": "delay", "type": 4, "value": delay_ms}]),
        )
        .await
    }

    /// Waits until every interaction has its final answer (`done`), and returns them.
    async fn answered(
        &self,
        ids: &[String],
        done: impl Fn(&InteractionStatus) -> bool,
    ) -> Vec<InteractionStatus> {
        let mut answers = Vec::new();
        for id in ids {
            let answer = eventually(&format!("interaction {id} answered"), || async {
                let status = self.control.interaction(id).await.ok()?;
                (status.responded && done(&status)).then_some(status)
            })
            .await;
            answers.push(answer);
        }
        answers
    }

    /// The first channel of the simulated guild.
    async fn channel(&self) -> u64 {
        self.control.state().await.unwrap().guilds[0].channels[0]
            .parse()
            .unwrap()
    }

    async fn assert_no_violations(&self) {
        let violations = self.control.state().await.unwrap().violations;
        assert!(
            violations.is_empty(),
            "{violations:?}\n--- gateway\n{}\n--- workers\n{}",
            self.gateway.novera.dump(),
            self.workers
                .iter()
                .map(|w| w.novera.dump())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

fn pong(status: &InteractionStatus) -> bool {
    status
        .content
        .as_deref()
        .is_some_and(|c| c.contains("REST round trip:") && !c.contains("measuring"))
}

fn diag_done(status: &InteractionStatus) -> bool {
    status
        .content
        .as_deref()
        .is_some_and(|c| c.starts_with("diag: answered by "))
}

/// The value of an unlabelled counter in a process's `/metrics` (0 when absent).
async fn metric(health: &str, name: &str) -> f64 {
    let (_, body) = common::get(&format!("{health}/metrics")).await;
    body.lines()
        .filter(|line| line.starts_with(name))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// Who answered a `/diag`.
fn answered_by(status: &InteractionStatus) -> String {
    let content = status.content.as_deref().unwrap_or_default();
    content
        .trim_start_matches("diag: answered by ")
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Exactly one answer: one accepted initial response, no follow-up, and no error but the one a
/// taking-over worker gets when it asks Discord whether the dead worker had answered (a
/// `@original` that does not exist yet is 10015 Unknown Webhook).
fn once(answers: &[InteractionStatus]) {
    for answer in answers {
        assert!(
            answer
                .error
                .as_deref()
                .is_none_or(|e| e.starts_with("10015")),
            "{answer:?}"
        );
        assert!(answer.followups.is_empty(), "answered twice: {answer:?}");
        assert_eq!(
            answer
                .bodies
                .iter()
                .filter(|b| b.kind == "callback")
                .count(),
            1,
            "one initial response: {answer:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workers_answer_every_command_once_through_a_kill_a_stop_and_a_conversation() {
    let Some(mut cluster) = Cluster::start(3).await else {
        return;
    };
    three_hundred_commands(&cluster).await;
    conversation_across_workers(&cluster).await;
    poll_clicks_across_workers(&cluster).await;
    member_request_through_the_gateway(&cluster).await;
    kill_a_worker_mid_command(&mut cluster).await;
    stop_a_worker_mid_command(&mut cluster).await;
    let _ = (&cluster.nats, &cluster.sim, &cluster.dir);
}

/// 300 commands: 200 /ping, 100 /diag that take longer than the 2 s defer threshold.
async fn three_hundred_commands(cluster: &Cluster) {
    let mut pings = Vec::new();
    let mut slow = Vec::new();
    for i in 0..300 {
        if i % 3 == 2 {
            slow.push(cluster.diag(2_500).await);
        } else {
            pings.push(cluster.command("ping", Value::Null).await);
        }
        if i % 50 == 49 {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    once(&cluster.answered(&pings, pong).await);
    let slow_answers = cluster.answered(&slow, diag_done).await;
    once(&slow_answers);
    for answer in &slow_answers {
        assert_eq!(answer.response_type, Some(5), "auto-deferred: {answer:?}");
    }
    let workers: BTreeSet<String> = slow_answers.iter().map(answered_by).collect();
    assert!(workers.len() >= 2, "the work is spread: {workers:?}");
    cluster.assert_no_violations().await;
}

/// /ask waits on one worker; the answer arrives through the gateway and reaches that worker's
/// waiter.
async fn conversation_across_workers(cluster: &Cluster) {
    let ask = cluster
        .command(
            "ask",
            json!([{"name": "question", "type": 3, "value": "Tea?"}, {"name": "timeout", "type": 4, "value": 20}]),
        )
        .await;
    cluster.answered(std::slice::from_ref(&ask), |_| true).await;
    cluster
        .control
        .post_message(cluster.channel().await, "yes please", None)
        .await
        .unwrap();
    let echoed = eventually("the /ask echo", || async {
        let status = cluster.control.interaction(&ask).await.ok()?;
        (!status.followups.is_empty()).then_some(status)
    })
    .await;
    assert_eq!(echoed.followups[0].content, "You answered: yes please");
}

/// /poll keeps its state in the bot's bucket: every user clicks at once, the clicks land on
/// whichever workers pull them, and each vote counts (compare-and-set across processes); the
/// close timer fires from the bucket on one worker with every vote.
async fn poll_clicks_across_workers(cluster: &Cluster) {
    let poll = cluster
        .command(
            "poll",
            json!([
                {"name": "question", "type": 3, "value": "Lunch?"},
                {"name": "choices", "type": 3, "value": "pizza, sushi"},
                {"name": "seconds", "type": 4, "value": 6}
            ]),
        )
        .await;
    let message = cluster
        .answered(std::slice::from_ref(&poll), |s| {
            s.original_message_id.is_some()
        })
        .await
        .remove(0)
        .original_message_id
        .unwrap();
    let users: Vec<u64> = cluster
        .control
        .state()
        .await
        .unwrap()
        .users
        .iter()
        .map(|u| u.parse().unwrap())
        .collect();
    assert!(users.len() >= 3, "{users:?}");
    let vote = format!("poll:vote:{poll}:0");
    let mut sending = tokio::task::JoinSet::new();
    for &user in &users {
        let (control, message, vote) = (cluster.control.clone(), message.clone(), vote.clone());
        sending.spawn(async move { control.click(&message, &vote, Some(user)).await });
    }
    let clicks: Vec<String> = sending
        .join_all()
        .await
        .into_iter()
        .map(|c| c.unwrap().id)
        .collect();
    once(&cluster.answered(&clicks, |_| true).await);
    let channel = cluster.channel().await;
    let closed = eventually("the poll closes with every vote", || async {
        let messages = cluster.control.channel_messages(channel).await.ok()?;
        let text = messages
            .iter()
            .find(|m| m["id"].as_str() == Some(message.as_str()))?["content"]
            .as_str()?
            .to_owned();
        text.contains("(closed)").then_some(text)
    })
    .await;
    assert!(
        closed.contains(&format!("Result: **pizza** with {} vote(s).", users.len())),
        "{closed}"
    );
    cluster.assert_no_violations().await;
}

/// A handler on a worker asks for the guild's members: the command reaches the gateway that
/// owns the guild's shard through the broker, and the chunk comes back to the waiter.
async fn member_request_through_the_gateway(cluster: &Cluster) {
    let guild: u64 = cluster.control.state().await.unwrap().guilds[0]
        .id
        .parse()
        .unwrap();
    let members = cluster
        .control
        .run_command(
            "diag",
            json!([{"name": "gateway", "type": 5, "value": true}]),
            Some(guild),
            Some(cluster.channel().await),
            None,
        )
        .await
        .unwrap()
        .id;
    let answer = cluster.answered(&[members], diag_done).await.remove(0);
    let content = answer.content.unwrap_or_default();
    assert!(
        content.contains("members in the first chunk"),
        "the member request went through: {content}"
    );
}

/// SIGKILL a worker with commands in flight: every one is still answered, none twice.
async fn kill_a_worker_mid_command(cluster: &mut Cluster) {
    let mut in_flight = Vec::new();
    for _ in 0..50 {
        in_flight.push(cluster.diag(1_500).await);
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    let mut killed = cluster.workers.remove(0);
    killed.novera.signal("KILL");
    let _ = killed.novera.exit().await;
    let answers = cluster.answered(&in_flight, diag_done).await;
    once(&answers);
    cluster.assert_no_violations().await;
    let mut takeovers = 0.0;
    for worker in &cluster.workers {
        takeovers += metric(&worker.health, "novera_cluster_takeovers_total").await;
    }
    assert!(
        takeovers >= 1.0,
        "the killed worker had commands in flight, taken over by the others"
    );
}

/// SIGTERM a worker with commands in flight: it answers them before it exits.
async fn stop_a_worker_mid_command(cluster: &mut Cluster) {
    let mut draining = Vec::new();
    for _ in 0..30 {
        draining.push(cluster.diag(1_000).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut stopped = cluster.workers.remove(0);
    let stopped_pid = stopped.novera.pid();
    stopped.novera.signal("TERM");
    let status = stopped.novera.exit().await;
    assert_eq!(status.code(), Some(0), "{}", stopped.novera.dump());
    let answers = cluster.answered(&draining, diag_done).await;
    once(&answers);
    assert!(
        answers
            .iter()
            .any(|a| answered_by(a).contains(&format!("-{stopped_pid}-"))),
        "the stopping worker finished its own commands"
    );
    cluster.assert_no_violations().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_broker_restart_loses_nothing() {
    // One worker: its replies share a channel's rate-limit bucket only with itself.
    let Some(mut cluster) = Cluster::start(1).await else {
        return;
    };
    let channel: u64 = cluster.control.state().await.unwrap().guilds[0].channels[0]
        .parse()
        .unwrap();
    for _ in 0..10 {
        cluster
            .control
            .post_message(channel, "!ping", None)
            .await
            .unwrap();
    }
    eventually("10 prefix answers", || async {
        (replies(&cluster.control, "Pong").await == 10).then_some(())
    })
    .await;

    // The broker goes down; users keep talking. The gateway reads their messages from Discord
    // and keeps publishing them until the broker is back.
    cluster.nats.kill().await;
    for _ in 0..10 {
        cluster
            .control
            .post_message(channel, "!ping", None)
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    cluster.nats.start_again().await.unwrap();
    eventually(
        "the 10 messages sent while the broker was down answered",
        || async { (replies(&cluster.control, "Pong").await == 20).then_some(()) },
    )
    .await;
    // A republished event (the gateway retries until the broker acknowledges) and a redelivered
    // one (a worker's acknowledgement lost in the restart) are answered once.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        replies(&cluster.control, "Pong").await,
        20,
        "nothing answered twice"
    );

    // Everyone reconnected: slash commands are answered in time again.
    let mut pings = Vec::new();
    for _ in 0..10 {
        pings.push(cluster.command("ping", Value::Null).await);
    }
    once(&cluster.answered(&pings, pong).await);
    for process in cluster
        .workers
        .iter()
        .chain(std::iter::once(&cluster.gateway))
    {
        wait_status(&format!("{}/readyz", process.health), 200).await;
    }
    cluster.assert_no_violations().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_waits_for_its_broker_and_refuses_bad_credentials() {
    let Some(mut nats) = NatsServer::start().await.unwrap() else {
        return;
    };
    let sim = Simulator::builder()
        .token(TOKEN)
        .start()
        .await
        .expect("the simulator starts");
    let dir = tempfile::tempdir().unwrap();

    // Refused credentials are configuration: exit 78 at once, no retry.
    let mut cmd = role(dir.path(), "bad-creds", "worker", &sim, &nats.url());
    cmd.env(
        "NOVERA_CLUSTER__CREDENTIALS_FILE",
        dir.path().join("missing.creds"),
    );
    let mut refused = Novera::spawn(cmd);
    let status = refused.exit().await;
    assert_eq!(status.code(), Some(78), "{}", refused.dump());
    assert!(
        refused.stderr().contains("credentials"),
        "{}",
        refused.dump()
    );

    // An unreachable broker is retried: the worker stays up, not ready, saying why, and is
    // ready once the broker is back.
    nats.kill().await;
    let waiting = Novera::spawn(role(dir.path(), "waiting", "worker", &sim, &nats.url()));
    let health = waiting.url_after("health on ").await;
    let reason = eventually("readiness naming the broker", || async {
        let (code, body) = common::get(&format!("{health}/readyz")).await;
        (code == 503 && body.contains("broker") && body.contains("NATS")).then_some(body)
    })
    .await;
    assert!(reason.contains("NATS"), "{reason}");
    nats.start_again().await.unwrap();
    wait_status(&format!("{health}/readyz"), 200).await;
}
