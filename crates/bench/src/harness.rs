//! What every scenario shares: the settings, waiting for the bot to catch up with the
//! simulator, and waiting for a command's answer.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use novera_sim::{ControlClient, InteractionStatus};

use crate::bot::{Bot, BotLaunch, Counters};
use crate::world::dispatched;

/// Settings every scenario shares.
#[derive(Debug, Clone)]
pub struct Bench {
    /// The `novera` binary under test.
    pub novera: PathBuf,
    /// How many times each scenario repeats.
    pub runs: usize,
    /// Print progress lines on stderr.
    pub progress: bool,
    /// Extra environment of every bot (experiments: `MALLOC_ARENA_MAX`, `NOVERA_CACHE__...`).
    pub bot_env: Vec<(String, String)>,
}

impl Bench {
    /// A launch of the binary under test in `dir`, with [`bot_env`](Self::bot_env) applied.
    #[must_use]
    pub fn launch(&self, dir: &Path) -> BotLaunch {
        self.bot_env
            .iter()
            .fold(BotLaunch::new(&self.novera, dir), |launch, (key, value)| {
                launch.env(key, value.clone())
            })
    }

    /// Prints a progress line on stderr (stdout carries only the results).
    pub fn progress(&self, line: &str) {
        if self.progress {
            #[allow(
                clippy::print_stderr,
                reason = "progress of a long benchmark, for people"
            )]
            {
                eprintln!("novera-bench: {line}");
            }
        }
    }
}

/// How often the bench polls the simulator or the bot while waiting.
pub(crate) const POLL: Duration = Duration::from_millis(5);

/// Waits until the bot has received every dispatch the simulator sent (its
/// `novera_gateway_events_total` reaches the sum of the live sessions' sequence numbers).
/// Returns the bot's counters and the simulator's total at that moment.
pub async fn settle(
    bot: &Bot,
    control: &ControlClient,
    patience: Duration,
) -> Result<(Counters, u64)> {
    let start = Instant::now();
    loop {
        let asked = Instant::now();
        let sent = dispatched(control).await?;
        let counters = bot.counters().await?;
        // The state of a 10,000-guild world is megabytes of JSON: poll gently enough that the
        // bench does not compete with the bot it is measuring (at most a fifth of the time).
        let pause = (asked.elapsed() * 4).max(Duration::from_millis(20));
        if counters.events >= sent {
            return Ok((counters, sent));
        }
        if start.elapsed() > patience {
            bail!(
                "the bot received {} of {sent} dispatches within {patience:?}",
                counters.events
            );
        }
        tokio::time::sleep(pause).await;
    }
}

/// Polls an interaction until the bot answered it; `None` when it did not within `patience`.
pub async fn wait_answered(
    control: &ControlClient,
    id: &str,
    patience: Duration,
    every: Duration,
) -> Result<Option<InteractionStatus>> {
    let start = Instant::now();
    loop {
        let status = control
            .interaction(id)
            .await
            .with_context(|| format!("GET /_sim/interactions/{id}"))?;
        if status.responded || status.response_ms.is_some() {
            return Ok(Some(status));
        }
        if start.elapsed() > patience {
            return Ok(None);
        }
        tokio::time::sleep(every).await;
    }
}

/// Dispatch to first answer, as the simulator recorded it (microseconds, or milliseconds
/// from a simulator that does not record them).
#[must_use]
pub(crate) fn response_time(status: &InteractionStatus) -> Option<Duration> {
    status
        .response_us
        .map(Duration::from_micros)
        .or_else(|| status.response_ms.map(Duration::from_millis))
}

/// Polls the simulator until its RESUME count exceeds `before`; returns when it saw it.
pub async fn wait_resumed(
    control: &ControlClient,
    before: u64,
    patience: Duration,
) -> Result<Instant> {
    let start = Instant::now();
    loop {
        let state = control.state().await.context("GET /_sim/state")?;
        if state.resumes > before {
            return Ok(Instant::now());
        }
        if start.elapsed() > patience {
            bail!(
                "no RESUME within {patience:?} (identifies: {}, resumes: {})",
                state.identifies,
                state.resumes
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Milliseconds of a duration, as a float.
#[must_use]
pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A `u64` count as a figure value.
#[must_use]
#[allow(
    clippy::cast_precision_loss,
    reason = "counts in benchmarks stay far below 2^52"
)]
pub(crate) fn count(n: u64) -> f64 {
    n as f64
}
