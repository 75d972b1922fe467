//! `cluster`: what scaling out through NATS `JetStream` costs against the standalone bot, on
//! the same load (docs/scaling.md).
//!
//! Each run starts the standalone bot (`novera run`), measures it and stops it, then starts a
//! real `nats-server -js`, one `novera gateway` and `workers` `novera worker`s against a fresh
//! simulator and measures them the same way (alternating, so drift on the machine hits both):
//! - **events/s through the stream** (`stream_load`): N `MESSAGE_CREATE`s, then a message a
//!   `/ask` waits for; the gateway publishes every event and each worker reads all of them in
//!   order, so the `/ask` answer means a worker handled all N. Written in chunks of 500 (the next
//!   when at most one is unsettled: what each shape sustains without shedding), and at once
//!   (`burst_*`: what the gateway sheds when its publisher falls behind the socket). CPU per
//!   event of every process (broker included) until they are idle again, from the chunked run;
//! - **commands/s** (`command_load`): C `/ping`s in closed-loop waves of 32, plus CPU per
//!   command;
//! - **latency**: `/ping` at a fixed rate; p50/p99 of dispatch -> first callback as the
//!   simulator records it; `added_*` is cluster minus standalone within a run;
//! - **memory**: `VmRSS`/`VmHWM` of each process after those phases;
//! - **a worker killed** (cluster only, see `takeover`): redeliveries, takeovers, and every
//!   command still answered exactly once.

use std::time::Duration;

use anyhow::{Context as _, Result, bail};

use crate::command_load::{CommandsResult, commands};
use crate::deployment::{Deployment, Phase, Role, Shape};
use crate::harness::{Bench, count};
use crate::latency::run_once as latency_run;
use crate::report::Report;
use crate::stream_load::{Events, Pace, events};
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

/// How long processes may take to go idle between phases.
const QUIET_WITHIN: Duration = Duration::from_secs(30);
/// Events per chunk of the paced load (half the shard's queue of 1,024 events).
const CHUNK: u64 = 500;

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
        "events: N MESSAGE_CREATE in chunks of {CHUNK} (burst_*: at once, shed events left out of the rate), then a marker message awaited by /ask; in the cluster each event goes gateway -> JetStream -> every worker ({} here); cpu is summed over every process, nats-server included, until they are idle",
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
    /// The load in chunks: what the shape sustains.
    paced: Events,
    /// The load at once, as fast as the socket takes it.
    burst: Events,
    commands: Phase,
    commands_result: CommandsResult,
    latency: crate::latency::RunResult,
    memory: Vec<(Role, crate::bot::Memory)>,
    kill: Option<Takeover>,
}

async fn run_once(
    bench: &Bench,
    options: &ClusterOptions,
    shape: Shape,
    report: &mut Report,
) -> Result<RunResult> {
    let mut deployment = Deployment::start(bench, options.world, shape).await?;
    let paced = events(&deployment, options.events, Pace::Chunks(CHUNK))
        .await
        .context("events in chunks")?;
    let burst = events(&deployment, options.events, Pace::Burst)
        .await
        .context("events at once")?;
    let (commands, commands_result) = commands(&deployment, options.commands)
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
        paced,
        burst,
        commands,
        commands_result,
        latency,
        memory,
        kill,
    })
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
        let through = |e: &Events| per_s(options.events.saturating_sub(e.shed), e.phase.elapsed);
        for (variant, pick) in [
            ("", (|r: &RunResult| &r.paced) as fn(&RunResult) -> &Events),
            ("burst_", |r: &RunResult| &r.burst),
        ] {
            for (mode, result) in [("standalone", standalone), ("cluster", cluster)] {
                let events = pick(result);
                self.push(
                    format!("{mode}_{variant}events_per_s"),
                    "events/s",
                    through(events),
                );
                self.push(
                    format!("{mode}_{variant}events_shed"),
                    "count",
                    count(events.shed),
                );
            }
            self.push(
                format!("cluster_over_standalone_{variant}events"),
                "ratio",
                through(pick(cluster)) / through(pick(standalone)).max(1e-9),
            );
        }
        for (mode, result) in [("standalone", standalone), ("cluster", cluster)] {
            self.push(
                format!("{mode}_cpu_us_per_event"),
                "us",
                us_per(result.paced.phase.cpu_total(), options.events),
            );
        }
        for role in [Role::Gateway, Role::Worker, Role::Nats] {
            self.push(
                format!("cluster_{}_cpu_us_per_event", role_name(role)),
                "us",
                us_per(cluster.paced.phase.cpu_of(role), options.events),
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
                count(result.commands_result.unanswered),
            );
            self.push(
                format!("{mode}_commands_busy"),
                "count",
                count(result.commands_result.busy),
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
        if let Some(p) = kill.slow {
            self.push("kill_slow_first_answer_max_ms", "ms", p.max);
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
