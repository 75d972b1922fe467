//! `latency`: how fast a user gets an answer while commands arrive at a fixed rate.
//!
//! Users run `/ping` at a fixed rate (open loop: a slow bot does not slow the senders down) for
//! a fixed time. For each command the simulator records the time from dispatching
//! `INTERACTION_CREATE` to the bot's first callback request, in microseconds; the bench
//! reports p50/p90/p99/max of a run, commands not answered at all, and answers that were not
//! the command's own (the router's "busy" reply when `commands.max_in_flight` is reached).

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use futures_util::StreamExt as _;
use novera_sim::ControlClient;
use serde_json::Value;
use tokio::task::JoinSet;
use tokio::time::MissedTickBehavior;

use crate::harness::{Bench, count, ms, response_time, settle, wait_answered};
use crate::report::Report;
use crate::stats::Percentiles;
use crate::world::{WorldSize, start_sim};

/// Options of the latency scenario.
#[derive(Debug, Clone)]
pub struct LatencyOptions {
    /// Commands per second, one series each.
    pub rates: Vec<u32>,
    /// How long each run sends.
    pub duration: Duration,
    /// The world (commands go to the first guild's first channel).
    pub world: WorldSize,
}

/// One run at one rate.
#[derive(Debug, Clone)]
pub(crate) struct RunResult {
    /// Dispatch to first answer of the answered commands, in ms.
    pub(crate) percentiles: Option<Percentiles>,
    /// Commands per second actually sent.
    pub(crate) achieved_rate: f64,
    /// Commands not answered within 10 s of the end of sending (or not sent at all).
    pub(crate) unanswered: u64,
    /// Answers that were not the command's own (the router's "busy" reply, an error).
    pub(crate) not_pong: u64,
}

/// The `/ping`s [`send_at_rate`] sent.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    /// The interactions the simulator created.
    pub(crate) ids: Vec<String>,
    /// Commands the simulator refused or the bench could not send.
    pub(crate) failed: u64,
    /// Commands per second actually sent.
    pub(crate) rate: f64,
}

/// Runs every rate `bench.runs` times against one bot.
pub async fn latency(bench: &Bench, options: &LatencyOptions) -> Result<Report> {
    let mut report = Report::new("latency");
    report.param(
        "rates_per_s",
        options
            .rates
            .iter()
            .map(|r| Value::from(*r))
            .collect::<Vec<_>>(),
    );
    report.param("duration_s", options.duration.as_secs_f64());
    report.param("world", options.world.to_string());
    report.param("runs", bench.runs);
    report.param("resolution_us", 1);

    let sim = start_sim(options.world, None).await?;
    let control = sim.control();
    let dir = tempfile::tempdir().context("temporary directory")?;
    let bot = bench
        .launch(dir.path())
        .sim(&sim.base_url())
        .spawn()
        .await?;
    bot.wait_ready(Duration::from_secs(120), Duration::from_millis(10))
        .await?;
    settle(&bot, &control, Duration::from_secs(60)).await?;
    // Warm up connections and the bot's first-use paths so run 1 is not an outlier.
    run_once(&control, 50, Duration::from_millis(200)).await?;

    for &rate in &options.rates {
        let mut series: [Vec<f64>; 4] = Default::default();
        let mut achieved = Vec::new();
        let mut unanswered = Vec::new();
        let mut not_pong = Vec::new();
        for run in 1..=bench.runs {
            bench.progress(&format!("latency {rate}/s: run {run}/{}", bench.runs));
            let result = run_once(&control, rate, options.duration)
                .await
                .with_context(|| format!("latency at {rate}/s, run {run}"))?;
            if let Some(p) = result.percentiles {
                for (values, v) in series.iter_mut().zip([p.p50, p.p90, p.p99, p.max]) {
                    values.push(v);
                }
            }
            achieved.push(result.achieved_rate);
            unanswered.push(count(result.unanswered));
            not_pong.push(count(result.not_pong));
            // Let replies and edits of this run drain before the next one starts.
            settle(&bot, &control, Duration::from_secs(60)).await?;
        }
        let [p50, p90, p99, max] = series;
        report.figure(format!("p50_ms@{rate}/s"), "ms", p50);
        report.figure(format!("p90_ms@{rate}/s"), "ms", p90);
        report.figure(format!("p99_ms@{rate}/s"), "ms", p99);
        report.figure(format!("max_ms@{rate}/s"), "ms", max);
        report.figure(format!("sent_per_s@{rate}/s"), "cmd/s", achieved);
        report.figure(format!("unanswered@{rate}/s"), "count", unanswered);
        report.figure(format!("busy_or_error@{rate}/s"), "count", not_pong);
    }
    let status = bot.stop().await?;
    if !status.success() {
        report.note(format!("the bot exited with {status}"));
    }
    sim.shutdown().await;
    Ok(report)
}

/// Sends `/ping` at `rate` for `duration`, then collects every answer.
pub(crate) async fn run_once(
    control: &ControlClient,
    rate: u32,
    duration: Duration,
) -> Result<RunResult> {
    let Sent {
        ids,
        failed: failed_sends,
        rate: achieved_rate,
    } = send_at_rate(control, rate, duration).await;
    // Every command gets the same patience from the end of sending: 10 s.
    let deadline = Instant::now() + Duration::from_secs(10);
    let statuses: Vec<_> = futures_util::stream::iter(ids)
        .map(|id| {
            let control = control.clone();
            async move {
                let left = deadline.saturating_duration_since(Instant::now());
                wait_answered(&control, &id, left, Duration::from_millis(50)).await
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let mut samples = Vec::new();
    let mut unanswered = failed_sends;
    let mut not_pong = 0;
    for status in statuses {
        match status? {
            Some(answer) => {
                samples.push(ms(response_time(&answer).unwrap_or_default()));
                let content = answer.content.unwrap_or_default();
                if !content.starts_with("Pong") {
                    not_pong += 1;
                }
            }
            None => unanswered += 1,
        }
    }
    Ok(RunResult {
        percentiles: Percentiles::of(&samples),
        achieved_rate,
        unanswered,
        not_pong,
    })
}

/// Sends `/ping` at `rate` for `duration` (open loop) and returns what was sent; answers are
/// not waited for.
pub(crate) async fn send_at_rate(control: &ControlClient, rate: u32, duration: Duration) -> Sent {
    let total = (f64::from(rate) * duration.as_secs_f64()).round().max(1.0);
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a positive command count far below 2^32"
    )]
    let total = total as u64;
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate.max(1))));
    // Keep the rate: commands late because of a scheduling hiccup go out at once.
    ticker.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut sends = JoinSet::new();
    let start = Instant::now();
    for _ in 0..total {
        ticker.tick().await;
        let control = control.clone();
        sends.spawn(async move {
            control
                .run_command("ping", Value::Null, None, None, None)
                .await
        });
    }
    let mut ids = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    let mut failed = 0;
    while let Some(sent) = sends.join_next().await {
        match sent {
            Ok(Ok(created)) => ids.push(created.id),
            _ => failed += 1,
        }
    }
    Sent {
        ids,
        failed,
        rate: count(total) / start.elapsed().as_secs_f64().max(1e-9),
    }
}
