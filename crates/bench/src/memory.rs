//! `memory`: what the bot's process costs in RAM once every guild is in its cache.
//!
//! For each world (G guilds x M members x C channels) the bot starts against a simulator of
//! that size, with `GUILD_PRESENCES` and `large_threshold` 250 so that, as on Discord, every
//! `GUILD_CREATE` lists all M members (up to 250) and the bot caches them; once `/readyz` is 200
//! and the bot has received every `GUILD_CREATE` (its event counter reaches the simulator's
//! sequence numbers), the bench reads `VmHWM` (peak) and then `VmRSS` until it stops moving
//! (settled), and the anonymous part of it (`RssAnon`). Bytes per cached member compare the
//! settled RSS with the same bot in a one-guild, two-member world: everything a guild brings
//! (channels, roles, the guild itself) is charged to its members, so it is an upper bound.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};

use crate::bot::{Bot, Memory};
use crate::frames::LoadIntents;
use crate::harness::{Bench, count, settle};
use crate::report::Report;
use crate::world::{WorldSize, start_sim};

/// Options of the memory scenario.
#[derive(Debug, Clone)]
pub struct MemoryOptions {
    /// The worlds, one series each.
    pub worlds: Vec<WorldSize>,
}

/// The world the per-member cost is measured against.
const BASELINE: WorldSize = WorldSize {
    guilds: 1,
    members: 2,
    channels: 1,
};

/// The largest `large_threshold` Discord accepts: guilds up to this size list every member.
const LARGE_THRESHOLD: u32 = 250;

/// What one run measured.
#[derive(Debug, Clone, Copy)]
struct RunResult {
    peak_kib: u64,
    settled_kib: u64,
    /// The anonymous part of the settled RSS (heap, stacks: what the cache and the runtime
    /// hold, without the binary's own pages), when the kernel reports it.
    settled_anon_kib: Option<u64>,
    loaded: Duration,
}

/// Runs every world `bench.runs` times, plus the baseline.
pub async fn memory(bench: &Bench, options: &MemoryOptions) -> Result<Report> {
    let mut report = Report::new("memory");
    report.param(
        "worlds",
        options
            .worlds
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
    );
    report.param("baseline_world", BASELINE.to_string());
    report.param("runs", bench.runs);
    report.param("intents", LoadIntents::Members.env_value());
    report.param("large_threshold", LARGE_THRESHOLD);
    if options.worlds.iter().any(|w| w.members > LARGE_THRESHOLD) {
        report.note(format!(
            "guilds of more than {LARGE_THRESHOLD} members are large: GUILD_CREATE lists only the bot, so their members are not cached"
        ));
    }

    let mut baseline = Vec::new();
    for run in 1..=bench.runs {
        bench.progress(&format!("memory {BASELINE}: run {run}/{}", bench.runs));
        baseline.push(run_once(bench, BASELINE).await?.settled_kib);
    }
    let baseline_values: Vec<f64> = baseline.iter().map(|&k| count(k) / 1024.0).collect();
    let baseline_kib =
        crate::stats::Summary::of(&baseline_values).map_or(0.0, |s| s.median * 1024.0);
    report.figure(format!("settled_mib@{BASELINE}"), "MiB", baseline_values);

    for &world in &options.worlds {
        let mut peak = Vec::new();
        let mut settled = Vec::new();
        let mut anon = Vec::new();
        let mut per_member = Vec::new();
        let mut loaded = Vec::new();
        for run in 1..=bench.runs {
            bench.progress(&format!("memory {world}: run {run}/{}", bench.runs));
            let result = run_once(bench, world)
                .await
                .with_context(|| format!("memory {world}, run {run}"))?;
            peak.push(count(result.peak_kib) / 1024.0);
            settled.push(count(result.settled_kib) / 1024.0);
            anon.extend(result.settled_anon_kib.map(|kib| count(kib) / 1024.0));
            per_member.push(
                (count(result.settled_kib) - baseline_kib).max(0.0) * 1024.0
                    / count(world.cached_members()),
            );
            loaded.push(result.loaded.as_secs_f64() * 1000.0);
        }
        report.figure(format!("peak_mib@{world}"), "MiB", peak);
        report.figure(format!("settled_mib@{world}"), "MiB", settled);
        if anon.len() == bench.runs {
            report.figure(format!("settled_anon_mib@{world}"), "MiB", anon);
        }
        report.figure(format!("bytes_per_member@{world}"), "bytes", per_member);
        report.figure(format!("all_guilds_loaded_ms@{world}"), "ms", loaded);
    }
    Ok(report)
}

async fn run_once(bench: &Bench, world: WorldSize) -> Result<RunResult> {
    let sim = start_sim(world, None).await?;
    let control = sim.control();
    let dir = tempfile::tempdir().context("temporary directory")?;
    let bot = bench
        .launch(dir.path())
        .sim(&sim.base_url())
        .env("NOVERA_DISCORD__INTENTS", LoadIntents::Members.env_value())
        .env(
            "NOVERA_DISCORD__LARGE_THRESHOLD",
            LARGE_THRESHOLD.to_string(),
        )
        .spawn()
        .await?;
    // Generous: 10,000 guilds with a debug build on a loaded machine.
    let patience = Duration::from_secs(120) + Duration::from_millis(u64::from(world.guilds) * 20);
    bot.wait_ready(patience, Duration::from_millis(20)).await?;
    settle(&bot, &control, patience).await?;
    let loaded = bot.exec_at().elapsed();
    let peak = bot.memory()?.peak_kib;
    let settled = settled_rss(&bot).await?;
    let status = bot.stop().await?;
    if !status.success() {
        anyhow::bail!("the bot exited with {status}");
    }
    sim.shutdown().await;
    Ok(RunResult {
        peak_kib: peak.max(settled.peak_kib),
        settled_kib: settled.rss_kib,
        settled_anon_kib: settled.anon_kib,
        loaded,
    })
}

/// Samples RSS every 250 ms until it moved less than 1% over a second (at most 10 s).
async fn settled_rss(bot: &Bot) -> Result<Memory> {
    let start = Instant::now();
    let mut history = vec![bot.memory()?];
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = bot.memory()?;
        history.push(now);
        if history.len() >= 5 {
            let old = history[history.len() - 5].rss_kib;
            let moved = now.rss_kib.abs_diff(old);
            if moved * 100 <= old || start.elapsed() > Duration::from_secs(10) {
                return Ok(now);
            }
        }
    }
}
