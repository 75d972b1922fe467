//! `cluster`: what scaling out through NATS `JetStream` costs against the standalone bot, on
//! the same load (docs/scaling.md).
//!
//! Each run starts the standalone bot (`novera run`), measures it and stops it, then starts a
//! real `nats-server -js`, one `novera gateway` and `workers` `novera worker`s against a fresh
//! simulator and measures them the same way (alternating, so drift on the machine hits both):
//! - **events/s through the stream**: a `/ask` started in the second channel waits for its
//!   user's next message there; N `MESSAGE_CREATE`s go to the first channel as fast as the bot
//!   takes them, then that user's message. The gateway publishes every event to the stream and
//!   each worker reads all of them in order into its cache and waiters, so the `/ask` answer
//!   (on whichever worker ran it) means that worker has handled all N: events/s = N / (first
//!   event sent -> the `/ask` follow-up seen, polled every 5 ms). The standalone bot handles the
//!   same load in its shard runner. CPU per event is summed over the processes (broker included)
//!   until they are idle again;
//! - **commands/s**: C `/ping`s sent 32 at a time, to the moment the bot's processes counted
//!   them all handled (`novera_commands_served_total` + failed + busy), plus CPU per command;
//! - **latency**: `/ping` at a fixed rate; p50/p99 of dispatch -> first callback as the
//!   simulator records it; `added_*` is cluster minus standalone within a run;
//! - **memory**: `VmRSS`/`VmHWM` of each process after those phases;
//! - **a worker killed** (cluster only, see `takeover`): redeliveries, takeovers, and every
//!   command still answered exactly once.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use futures_util::StreamExt as _;
use serde_json::{Value, json};

use crate::deployment::{Deployment, Role, Shape, cpu_by_role, total};
use crate::harness::{Bench, count, wait_answered};
use crate::latency::run_once as latency_run;
use crate::report::Report;
use crate::takeover::{Takeover, kill_a_worker};
use crate::world::WorldSize;

/// Options of the cluster scenario.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// `MESSAGE_CREATE`s through the stream per run.
    pub events: u64,
    /// `/ping`s of the commands/s phase.
    pub commands: u64,
    /// `/ping`s per second of the latency phase and around the worker kill.
    pub rate: u32,
    /// How long the latency phase sends.
    pub duration: Duration,
    /// Workers of the cluster (at least 2: one is killed).
    pub workers: usize,
    /// Slow commands (`/diag` of 1.5 s) in flight when a worker is killed.
    pub kill_commands: u64,
    /// The world (at least two channels: the load goes to the first, the marker to the second).
    pub world: WorldSize,
}

/// The `/ask` marker's answer.
const MARKER: &str = "bench marker: the last event";
/// How long processes may take to go idle between phases.
const QUIET_WITHIN: Duration = Duration::from_secs(30);
/// `/ping`s sent at once in the commands/s phase.
const COMMANDS_IN_FLIGHT: usize = 32;

/// Runs standalone and cluster `bench.runs` times each, alternating.
pub async fn cluster(bench: &Bench, options: &ClusterOptions) -> Result<Report> {
    if options.workers < 2 {
        bail!("the cluster scenario needs at least 2 workers (one is killed)");
    }
    if options.world.channels < 2 {
        bail!("the cluster scenario needs a world with at least 2 channels");
    }
    let mut report = Report::new("cluster");
    report.param("events", options.events);
    report.param("commands", options.commands);
    report.param("rate_per_s", options.rate);
    report.param("duration_s", options.duration.as_secs_f64());
    report.param("workers", options.workers);
    report.param("kill_commands", options.kill_commands);
    report.param("world", options.world.to_string());
    report.param("runs", bench.runs);
    report.param("novera", bench.novera.display().to_string());
    let mut columns = Columns::default();
    for run in 1..=bench.runs {
        bench.progress(&format!("cluster: run {run}/{}, standalone", bench.runs));
        let standalone = run_once(bench, options, Shape::Standalone, &mut report)
            .await
            .with_context(|| format!("cluster scenario, standalone, run {run}"))?;
        bench.progress(&format!(
            "cluster: run {run}/{}, gateway + {} workers",
            bench.runs, options.workers
        ));
        let clustered = run_once(
            bench,
            options,
            Shape::Cluster {
                workers: options.workers,
            },
            &mut report,
        )
        .await
        .with_context(|| format!("cluster scenario, cluster, run {run}"))?;
        columns.add_run(options, &standalone, &clustered);
    }
    columns.into_report(&mut report);
    report.note(format!(
        "events: N MESSAGE_CREATE then a marker message awaited by /ask; in the cluster each event goes gateway -> JetStream -> every worker ({} here); cpu is summed over every process, nats-server included, until they are idle",
        options.workers
    ));
    report.note(
        "worker_rss: the largest worker; kill: one worker SIGKILLed with slow commands and pings in flight, redeliveries and takeovers read from the surviving workers",
    );
    Ok(report)
}

/// What one shape measured in one run.
#[derive(Debug, Clone)]
struct RunResult {
    events: Phase,
    commands: Phase,
    commands_unanswered: u64,
    latency: crate::latency::RunResult,
    memory: Vec<(Role, crate::bot::Memory)>,
    kill: Option<Takeover>,
}

/// The time a phase took and the CPU each role used during it.
#[derive(Debug, Clone)]
struct Phase {
    elapsed: Duration,
    cpu: Vec<(Role, Duration)>,
}

impl Phase {
    fn cpu_total(&self) -> Duration {
        total(&self.cpu)
    }

    fn cpu_of(&self, role: Role) -> Duration {
        self.cpu
            .iter()
            .filter(|(r, _)| *r == role)
            .map(|(_, d)| *d)
            .sum()
    }
}

async fn run_once(
    bench: &Bench,
    options: &ClusterOptions,
    shape: Shape,
    report: &mut Report,
) -> Result<RunResult> {
    let mut deployment = Deployment::start(bench, options.world, shape).await?;
    let events = events(&deployment, options.events)
        .await
        .context("events")?;
    let (commands, commands_unanswered) = commands(&deployment, options.commands)
        .await
        .context("commands")?;
    deployment.quiet(QUIET_WITHIN).await?;
    // Warm up the answer paths so the latency run is not the first use.
    latency_run(&deployment.control, 50, Duration::from_millis(200)).await?;
    deployment.quiet(QUIET_WITHIN).await?;
    let latency = latency_run(&deployment.control, options.rate, options.duration)
        .await
        .context("latency")?;
    deployment.quiet(QUIET_WITHIN).await?;
    let memory = deployment.memory()?;
    let kill = match shape {
        Shape::Standalone => None,
        Shape::Cluster { .. } => Some(
            kill_a_worker(&mut deployment, options.kill_commands, options.rate)
                .await
                .context("worker kill")?,
        ),
    };
    for note in deployment.stop().await? {
        report.note(note);
    }
    Ok(RunResult {
        events,
        commands,
        commands_unanswered,
        latency,
        memory,
        kill,
    })
}

/// N messages through the bot, then the marker its `/ask` waits for.
async fn events(deployment: &Deployment, events: u64) -> Result<Phase> {
    let control = &deployment.control;
    let state = control.state().await?;
    let channels: Vec<u64> = state
        .guilds
        .first()
        .map(|g| g.channels.iter().filter_map(|c| c.parse().ok()).collect())
        .unwrap_or_default();
    let (Some(&load_channel), Some(&ask_channel)) = (channels.first(), channels.get(1)) else {
        bail!("the world's first guild has fewer than 2 channels");
    };
    let user: u64 = state
        .users
        .first()
        .and_then(|u| u.parse().ok())
        .ok_or_else(|| anyhow!("the world has no user"))?;
    let ask = control
        .run_command(
            "ask",
            json!([
                {"name": "question", "type": 3, "value": "Which event comes last?"},
                {"name": "timeout", "type": 4, "value": 300}
            ]),
            None,
            Some(ask_channel),
            Some(user),
        )
        .await?;
    if wait_answered(
        control,
        &ask.id,
        Duration::from_secs(30),
        Duration::from_millis(10),
    )
    .await?
    .is_none()
    {
        bail!("/ask was not answered within 30 s");
    }
    deployment.quiet(QUIET_WITHIN).await?;
    let before = deployment.cpu()?;
    let start = Instant::now();
    control.load_messages(events, Some(load_channel)).await?;
    control
        .post_message(ask_channel, MARKER, Some(user))
        .await?;
    // Generous: a debug build on a busy machine may take minutes for a big N.
    let patience = Duration::from_secs(60) + Duration::from_millis(events / 2);
    let elapsed = loop {
        let status = control.interaction(&ask.id).await?;
        if let Some(followup) = status.followups.first() {
            let elapsed = start.elapsed();
            if !followup.content.contains(MARKER) {
                bail!(
                    "/ask echoed {:?}, not the marker: another message of its user came after the load",
                    followup.content
                );
            }
            break elapsed;
        }
        if start.elapsed() > patience {
            bail!("the marker after {events} events was not seen within {patience:?}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    // Every worker reads every event: count the CPU until all of them are done.
    deployment.quiet(QUIET_WITHIN).await?;
    let after = deployment.cpu()?;
    Ok(Phase {
        elapsed,
        cpu: per_role(&before, &after),
    })
}

/// C `/ping`s, [`COMMANDS_IN_FLIGHT`] at a time, until the bot counted them all handled.
/// Also returns how many were not answered.
async fn commands(deployment: &Deployment, commands: u64) -> Result<(Phase, u64)> {
    const HANDLED: [&str; 3] = [
        "novera_commands_served_total",
        "novera_commands_failed_total",
        "novera_commands_busy_rejected_total",
    ];
    let handled = async || -> Result<u64> {
        let mut sum = 0;
        for name in HANDLED {
            sum += deployment.metric(name).await?;
        }
        Ok(sum)
    };
    deployment.quiet(QUIET_WITHIN).await?;
    let handled_before = handled().await?;
    let before = deployment.cpu()?;
    let control = &deployment.control;
    let start = Instant::now();
    let created: Vec<_> = futures_util::stream::iter(0..commands)
        .map(|_| async move {
            control
                .run_command("ping", Value::Null, None, None, None)
                .await
        })
        .buffer_unordered(COMMANDS_IN_FLIGHT)
        .collect()
        .await;
    let ids: Vec<String> = created
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .context("create the commands")?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let patience = Duration::from_secs(60) + Duration::from_millis(commands * 10);
    let elapsed = loop {
        if handled().await?.saturating_sub(handled_before) >= commands {
            break start.elapsed();
        }
        if start.elapsed() > patience {
            bail!("the bot did not handle {commands} commands within {patience:?}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    deployment.quiet(QUIET_WITHIN).await?;
    let after = deployment.cpu()?;
    let answered: Vec<bool> = futures_util::stream::iter(&ids)
        .map(|id| async move {
            control
                .interaction(id)
                .await
                .is_ok_and(|status| status.responded)
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let unanswered = answered.iter().filter(|&&a| !a).count();
    Ok((
        Phase {
            elapsed,
            cpu: per_role(&before, &after),
        },
        u64::try_from(unanswered).unwrap_or(u64::MAX),
    ))
}

/// CPU used per role between two readings.
fn per_role(before: &[(Role, Duration)], after: &[(Role, Duration)]) -> Vec<(Role, Duration)> {
    [Role::Standalone, Role::Gateway, Role::Worker, Role::Nats]
        .into_iter()
        .map(|role| (role, cpu_by_role(before, after, role)))
        .filter(|(role, _)| before.iter().any(|(r, _)| r == role))
        .collect()
}

/// Each figure's values, one per run, in the order first added.
#[derive(Debug, Default)]
struct Columns {
    columns: Vec<(String, &'static str, Vec<f64>)>,
}

impl Columns {
    fn push(&mut self, name: impl Into<String>, unit: &'static str, value: f64) {
        let name = name.into();
        match self.columns.iter_mut().find(|(n, _, _)| *n == name) {
            Some((_, _, values)) => values.push(value),
            None => self.columns.push((name, unit, vec![value])),
        }
    }

    fn add_run(&mut self, options: &ClusterOptions, standalone: &RunResult, cluster: &RunResult) {
        let us_per = |d: Duration, n: u64| d.as_secs_f64() * 1e6 / count(n.max(1));
        let per_s = |n: u64, d: Duration| count(n) / d.as_secs_f64().max(1e-6);
        let mib = |kib: u64| count(kib) / 1024.0;
        let rate = options.rate;
        for (mode, result) in [("standalone", standalone), ("cluster", cluster)] {
            self.push(
                format!("{mode}_events_per_s"),
                "events/s",
                per_s(options.events, result.events.elapsed),
            );
            self.push(
                format!("{mode}_cpu_us_per_event"),
                "us",
                us_per(result.events.cpu_total(), options.events),
            );
        }
        self.push(
            "cluster_over_standalone_events",
            "ratio",
            per_s(options.events, cluster.events.elapsed)
                / per_s(options.events, standalone.events.elapsed).max(1e-9),
        );
        for role in [Role::Gateway, Role::Worker, Role::Nats] {
            self.push(
                format!("cluster_{}_cpu_us_per_event", role_name(role)),
                "us",
                us_per(cluster.events.cpu_of(role), options.events),
            );
        }
        for (mode, result) in [("standalone", standalone), ("cluster", cluster)] {
            self.push(
                format!("{mode}_commands_per_s"),
                "cmd/s",
                per_s(options.commands, result.commands.elapsed),
            );
            self.push(
                format!("{mode}_cpu_us_per_command"),
                "us",
                us_per(result.commands.cpu_total(), options.commands),
            );
            self.push(
                format!("{mode}_commands_unanswered"),
                "count",
                count(result.commands_unanswered),
            );
        }
        let percentiles = |r: &RunResult| r.latency.percentiles.map(|p| (p.p50, p.p99, p.max));
        for (mode, result) in [("standalone", standalone), ("cluster", cluster)] {
            if let Some((p50, p99, max)) = percentiles(result) {
                self.push(format!("{mode}_p50_ms@{rate}/s"), "ms", p50);
                self.push(format!("{mode}_p99_ms@{rate}/s"), "ms", p99);
                self.push(format!("{mode}_max_ms@{rate}/s"), "ms", max);
            }
            self.push(
                format!("{mode}_unanswered@{rate}/s"),
                "count",
                count(result.latency.unanswered),
            );
            self.push(
                format!("{mode}_busy_or_error@{rate}/s"),
                "count",
                count(result.latency.not_pong),
            );
        }
        if let (Some((s50, s99, _)), Some((c50, c99, _))) =
            (percentiles(standalone), percentiles(cluster))
        {
            self.push(format!("added_p50_ms@{rate}/s"), "ms", c50 - s50);
            self.push(format!("added_p99_ms@{rate}/s"), "ms", c99 - s99);
        }
        self.memory(standalone, cluster, mib);
        if let Some(kill) = &cluster.kill {
            self.kill(kill);
        }
    }

    fn memory(&mut self, standalone: &RunResult, cluster: &RunResult, mib: impl Fn(u64) -> f64) {
        let largest = |result: &RunResult, role: Role, peak: bool| {
            result
                .memory
                .iter()
                .filter(|(r, _)| *r == role)
                .map(|(_, m)| if peak { m.peak_kib } else { m.rss_kib })
                .max()
        };
        let rows = [
            ("standalone", standalone, Role::Standalone),
            ("cluster_gateway", cluster, Role::Gateway),
            ("cluster_worker", cluster, Role::Worker),
            ("cluster_nats", cluster, Role::Nats),
        ];
        for (name, result, role) in rows {
            if let Some(rss) = largest(result, role, false) {
                self.push(format!("{name}_rss_mib"), "MiB", mib(rss));
            }
            if let Some(peak) = largest(result, role, true) {
                self.push(format!("{name}_peak_mib"), "MiB", mib(peak));
            }
        }
    }

    fn kill(&mut self, kill: &Takeover) {
        self.push("kill_commands", "count", count(kill.commands));
        self.push("kill_redeliveries", "count", count(kill.redeliveries));
        self.push("kill_takeovers", "count", count(kill.takeovers));
        self.push("kill_unanswered", "count", count(kill.unanswered));
        self.push("kill_answered_not_once", "count", count(kill.not_once));
        self.push("kill_sim_double_acks", "count", count(kill.double_acks));
        self.push("kill_sim_late_answers", "count", count(kill.late));
        if let Some(p) = kill.pings {
            self.push("kill_ping_p99_ms", "ms", p.p99);
            self.push("kill_ping_max_ms", "ms", p.max);
        }
    }

    fn into_report(self, report: &mut Report) {
        for (name, unit, values) in self.columns {
            report.figure(name, unit, values);
        }
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Standalone => "standalone",
        Role::Gateway => "gateway",
        Role::Worker => "workers",
        Role::Nats => "nats",
    }
}
