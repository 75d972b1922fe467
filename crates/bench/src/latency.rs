//! `latency`: how fast a user gets an answer while commands arrive at a fixed rate.
//!
//! Users run `/ping` at a fixed rate (open loop: a slow bot does not slow the senders down) for
//! a fixed time. For each command the simulator records the time from dispatching
//! `INTERACTION_CREATE` to the bot's first callback request, in microseconds; the bench
//! reports p50/p90/p99/max of a run, commands not answered at all, and answers that were not
//! the command's own (the router's "busy" reply when `commands.max_in_flight` is reached).
//!
//! Each [`Ingress`] is measured on the same bot: over the gateway (the simulator has no
//! interactions endpoint URL), and over HTTP (the bot runs its interactions endpoint with the
//! simulator's key and the simulator POSTs there, signed; the time runs from the POST to the
//! HTTP answer carrying the initial response). HTTP figures are named `http_…`.

use std::fmt;
use std::str::FromStr;
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

/// How the simulator sends the commands to the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingress {
    /// `INTERACTION_CREATE` over the gateway; the answer is a REST callback.
    Gateway,
    /// A signed POST to the bot's interactions endpoint; the answer is the HTTP response.
    Http,
}

impl Ingress {
    /// What the figures' names start with (nothing for the gateway, as before there was HTTP).
    fn prefix(self) -> &'static str {
        match self {
            Self::Gateway => "",
            Self::Http => "http_",
        }
    }
}

impl fmt::Display for Ingress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Gateway => "gateway",
            Self::Http => "http",
        })
    }
}

impl FromStr for Ingress {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "gateway" => Ok(Self::Gateway),
            "http" => Ok(Self::Http),
            _ => Err(format!("expected `gateway` or `http`, got `{s}`")),
        }
    }
}

/// Options of the latency scenario.
#[derive(Debug, Clone)]
pub struct LatencyOptions {
    /// Commands per second, one series each.
    pub rates: Vec<u32>,
    /// How long each run sends.
    pub duration: Duration,
    /// The world (commands go to the first guild's first channel).
    pub world: WorldSize,
    /// The ingresses measured, in order, on the same bot.
    pub ingresses: Vec<Ingress>,
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
    report.param(
        "ingress",
        options
            .ingresses
            .iter()
            .map(|i| Value::from(i.to_string()))
            .collect::<Vec<_>>(),
    );

    let sim = start_sim(options.world, None).await?;
    let control = sim.control();
    let dir = tempfile::tempdir().context("temporary directory")?;
    let mut launch = bench.launch(dir.path()).sim(&sim.base_url());
    let over_http = options.ingresses.contains(&Ingress::Http);
    if over_http {
        let key = control.application().await?.verify_key;
        launch = launch
            .env("NOVERA_INTERACTIONS__LISTEN", "127.0.0.1:0")
            .env("NOVERA_INTERACTIONS__PUBLIC_KEY", key);
    }
    let bot = launch.spawn().await?;
    bot.wait_ready(Duration::from_secs(120), Duration::from_millis(10))
        .await?;
    let endpoint = if over_http {
        let line = bot
            .wait_text("novera: interactions endpoint on ", Duration::from_secs(30))
            .await?;
        let url = line
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .with_context(|| format!("no URL in `{line}`"))?;
        Some(url.to_owned())
    } else {
        None
    };
    settle(&bot, &control, Duration::from_secs(60)).await?;

    for &ingress in &options.ingresses {
        let url = match ingress {
            Ingress::Gateway => None,
            Ingress::Http => endpoint.as_deref(),
        };
        // Saving a URL runs Discord's checks against the bot's endpoint; clearing it sends
        // interactions over the gateway again.
        control
            .set_interactions_endpoint(url)
            .await
            .with_context(|| format!("switching the simulator to the {ingress} ingress"))?;
        measure(bench, options, &control, &bot, ingress, &mut report).await?;
    }
    let status = bot.stop().await?;
    if !status.success() {
        report.note(format!("the bot exited with {status}"));
    }
    sim.shutdown().await;
    Ok(report)
}

/// Every rate `bench.runs` times over `ingress`, as figures named for it.
async fn measure(
    bench: &Bench,
    options: &LatencyOptions,
    control: &ControlClient,
    bot: &crate::bot::Bot,
    ingress: Ingress,
    report: &mut Report,
) -> Result<()> {
    // Warm up connections and the bot's first-use paths so run 1 is not an outlier.
    run_once(control, 50, Duration::from_millis(200)).await?;
    let name = |figure: &str, rate: u32| format!("{}{figure}@{rate}/s", ingress.prefix());
    for &rate in &options.rates {
        let mut series: [Vec<f64>; 4] = Default::default();
        let mut achieved = Vec::new();
        let mut unanswered = Vec::new();
        let mut not_pong = Vec::new();
        for run in 1..=bench.runs {
            bench.progress(&format!(
                "latency {ingress} {rate}/s: run {run}/{}",
                bench.runs
            ));
            let result = run_once(control, rate, options.duration)
                .await
                .with_context(|| format!("latency over {ingress} at {rate}/s, run {run}"))?;
            if let Some(p) = result.percentiles {
                for (values, v) in series.iter_mut().zip([p.p50, p.p90, p.p99, p.max]) {
                    values.push(v);
                }
            }
            achieved.push(result.achieved_rate);
            unanswered.push(count(result.unanswered));
            not_pong.push(count(result.not_pong));
            // Let replies and edits of this run drain before the next one starts.
            settle(bot, control, Duration::from_secs(60)).await?;
        }
        let [p50, p90, p99, max] = series;
        report.figure(name("p50_ms", rate), "ms", p50);
        report.figure(name("p90_ms", rate), "ms", p90);
        report.figure(name("p99_ms", rate), "ms", p99);
        report.figure(name("max_ms", rate), "ms", max);
        report.figure(name("sent_per_s", rate), "cmd/s", achieved);
        report.figure(name("unanswered", rate), "count", unanswered);
        report.figure(name("busy_or_error", rate), "count", not_pong);
    }
    Ok(())
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
