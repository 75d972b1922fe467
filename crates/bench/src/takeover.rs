//! The `cluster` scenario's worker kill: a worker is killed (SIGKILL) while commands are in flight;
//! the broker redelivers what it held after `cluster.ack_wait` and another worker takes the
//! claims over (docs/scaling.md, "Delivery guarantees"). Measured: redeliveries and takeovers
//! (the surviving workers' `/metrics`), commands unanswered or answered more than once, the
//! simulator's double acknowledgements and late answers, and how long the `/ping`s sent around
//! the kill waited for their answer.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use futures_util::StreamExt as _;
use novera_sim::{ControlClient, InteractionStatus};
use serde_json::json;

use crate::deployment::Deployment;
use crate::harness::{ms, response_time};
use crate::latency::send_at_rate;
use crate::stats::Percentiles;

/// How long each slow command (`/diag delay`) runs: under the 2 s auto-defer, so a command
/// that is not taken over is answered with one callback at about this time.
const SLOW_MS: u64 = 1_500;
/// From the last slow command sent to the kill: every worker holds some of them.
const KILL_AFTER: Duration = Duration::from_millis(400);
/// How long `/ping`s are sent at the scenario's rate around the kill.
const PINGS_FOR: Duration = Duration::from_secs(2);
/// How long every command may take to get its final answer.
const PATIENCE: Duration = Duration::from_secs(30);
/// After every command is answered, how long a second answer is given to show up (more than
/// the largest `cluster.ack_wait`, 2 s).
const DUPLICATE_GRACE: Duration = Duration::from_millis(2_500);

/// What the kill cost.
#[derive(Debug, Clone)]
pub(crate) struct Takeover {
    /// Commands in the phase (slow ones and pings).
    pub(crate) commands: u64,
    /// `novera_cluster_redeliveries_total` over the surviving workers.
    pub(crate) redeliveries: u64,
    /// `novera_cluster_takeovers_total` over the surviving workers.
    pub(crate) takeovers: u64,
    /// Commands without their final answer within [`PATIENCE`].
    pub(crate) unanswered: u64,
    /// Commands answered more than once (a second initial response or a follow-up), or with
    /// an error other than the one a taking-over worker's check of `@original` gets.
    pub(crate) not_once: u64,
    /// The simulator's `interaction_double_ack` violations during the phase.
    pub(crate) double_acks: u64,
    /// The simulator's `interaction_late` violations (first answer after 3 s) during the phase.
    pub(crate) late: u64,
    /// Dispatch to first answer of the pings sent around the kill.
    pub(crate) pings: Option<Percentiles>,
    /// Dispatch to first answer (the answer, or the deferral) of the slow commands, the
    /// taken-over ones included: within 3 s, or the user saw "This interaction failed".
    pub(crate) slow: Option<Percentiles>,
}

/// Sends slow commands and pings, kills the first worker mid-way, and checks every answer.
pub(crate) async fn kill_a_worker(
    deployment: &mut Deployment,
    slow: u64,
    rate: u32,
) -> Result<Takeover> {
    let control = deployment.control.clone();
    let violations_before = control.state().await?.violation_counts;
    let slow_ids: Vec<String> = futures_util::stream::iter(0..slow)
        .map(|_| {
            let control = control.clone();
            async move {
                control
                    .run_command(
                        "diag",
                        json!([{"name": "delay", "type": 4, "value": SLOW_MS}]),
                        None,
                        None,
                        None,
                    )
                    .await
                    .map(|created| created.id)
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .context("send the slow commands")?;
    let kill_at = tokio::time::Instant::now() + KILL_AFTER;
    let pinger = {
        let control = control.clone();
        tokio::spawn(async move { send_at_rate(&control, rate, PINGS_FOR).await })
    };
    tokio::time::sleep_until(kill_at).await;
    deployment.kill_worker().await.context("kill a worker")?;
    let sent = pinger.await.context("the ping sender")?;

    let deadline = Instant::now() + PATIENCE;
    let slow_done = |s: &InteractionStatus| {
        s.content
            .as_deref()
            .is_some_and(|c| c.starts_with("diag: answered by"))
    };
    let ping_done = |s: &InteractionStatus| {
        s.content
            .as_deref()
            .is_some_and(|c| c.contains("REST round trip:") && !c.contains("measuring"))
    };
    wait_final(&control, &slow_ids, deadline, slow_done).await?;
    wait_final(&control, &sent.ids, deadline, ping_done).await?;
    // A worker that answered twice would do it within an acknowledgement wait.
    tokio::time::sleep(DUPLICATE_GRACE).await;

    let slow_answers = statuses(&control, &slow_ids).await?;
    let ping_answers = statuses(&control, &sent.ids).await?;
    let unanswered = slow_answers.iter().filter(|s| !slow_done(s)).count()
        + ping_answers.iter().filter(|s| !ping_done(s)).count();
    let not_once = slow_answers
        .iter()
        .chain(&ping_answers)
        .filter(|s| !answered_once(s))
        .count();
    let violations = control.state().await?.violation_counts;
    let grew = |rule: &str| {
        violations
            .get(rule)
            .copied()
            .unwrap_or(0)
            .saturating_sub(violations_before.get(rule).copied().unwrap_or(0))
    };
    let times = |answers: &[InteractionStatus]| -> Vec<f64> {
        answers.iter().filter_map(response_time).map(ms).collect()
    };
    Ok(Takeover {
        commands: slow + u64::try_from(sent.ids.len()).unwrap_or(u64::MAX) + sent.failed,
        redeliveries: deployment
            .workers_metric("novera_cluster_redeliveries_total")
            .await?,
        takeovers: deployment
            .workers_metric("novera_cluster_takeovers_total")
            .await?,
        unanswered: u64::try_from(unanswered).unwrap_or(u64::MAX) + sent.failed,
        not_once: u64::try_from(not_once).unwrap_or(u64::MAX),
        double_acks: grew("interaction_double_ack"),
        late: grew("interaction_late"),
        pings: Percentiles::of(&times(&ping_answers)),
        slow: Percentiles::of(&times(&slow_answers)),
    })
}

/// Exactly one answer: one accepted initial response, no follow-up, and no error but the one a
/// taking-over worker gets when it asks Discord whether the dead worker had answered (a
/// `@original` that does not exist yet is 10015 Unknown Webhook).
fn answered_once(status: &InteractionStatus) -> bool {
    let callbacks = status
        .bodies
        .iter()
        .filter(|b| b.kind == "callback")
        .count();
    callbacks == 1
        && status.followups.is_empty()
        && status
            .error
            .as_deref()
            .is_none_or(|e| e.starts_with("10015"))
}

/// Polls every interaction until `done` holds for it or `deadline` passes (the count of those
/// that never got there is read afterwards).
async fn wait_final(
    control: &ControlClient,
    ids: &[String],
    deadline: Instant,
    done: impl Fn(&InteractionStatus) -> bool + Copy,
) -> Result<()> {
    let results: Vec<Result<()>> = futures_util::stream::iter(ids)
        .map(|id| async move {
            loop {
                let status = control
                    .interaction(id)
                    .await
                    .with_context(|| format!("GET /_sim/interactions/{id}"))?;
                if done(&status) || Instant::now() >= deadline {
                    return Ok(());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    results.into_iter().collect()
}

/// The simulator's view of each interaction.
async fn statuses(control: &ControlClient, ids: &[String]) -> Result<Vec<InteractionStatus>> {
    let statuses: Vec<_> = futures_util::stream::iter(ids)
        .map(|id| async move { control.interaction(id).await })
        .buffer_unordered(16)
        .collect()
        .await;
    statuses
        .into_iter()
        .collect::<Result<_, _>>()
        .context("GET /_sim/interactions")
}
