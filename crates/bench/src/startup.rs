//! `startup`: from `exec` to `/readyz` 200 in sandbox mode (no token: the bot starts its
//! embedded simulator, logs in, connects its shard and starts the router).
//!
//! This is what a command team waits for on every edit-compile-run cycle, and what a
//! supervisor waits for before routing traffic to a new instance.

use std::time::Duration;

use anyhow::{Context as _, Result, bail};

use crate::harness::{Bench, ms};
use crate::report::Report;

/// Runs the scenario `bench.runs` times.
pub async fn startup(bench: &Bench) -> Result<Report> {
    let mut report = Report::new("startup");
    report.param("mode", "sandbox");
    report.param("runs", bench.runs);
    report.param("poll_ms", 2);
    let mut ready = Vec::new();
    let mut announced = Vec::new();
    let mut stopped = Vec::new();
    for run in 1..=bench.runs {
        bench.progress(&format!("startup: run {run}/{}", bench.runs));
        let dir = tempfile::tempdir().context("temporary directory")?;
        let bot = bench.launch(dir.path()).spawn().await?;
        announced.push(ms(bot.exec_at().elapsed()));
        let took = bot
            .wait_ready(Duration::from_secs(60), Duration::from_millis(2))
            .await
            .with_context(|| format!("startup run {run}"))?;
        ready.push(ms(took));
        let stop = std::time::Instant::now();
        let status = bot.stop().await?;
        if !status.success() {
            bail!("the sandbox exited with {status} on SIGTERM");
        }
        stopped.push(ms(stop.elapsed()));
    }
    report.figure("ready_ms", "ms", ready);
    report.figure("health_up_ms", "ms", announced);
    report.figure("sigterm_to_exit_ms", "ms", stopped);
    Ok(report)
}
