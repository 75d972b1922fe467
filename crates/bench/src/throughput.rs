//! `throughput`: how many gateway events per second the bot keeps up with, cache on.
//!
//! N `MESSAGE_CREATEs` (the simulator's load payloads: author, member, every fourth with a
//! mention, every tenth with an embed) go into the bot's socket as fast as it takes them, then
//! one `/ping` as a marker. The marker is dispatched after the last message on the same
//! connection, and the bot handles a shard's events in order, so its answer means every message
//! went through the cache: events/s = N / (first event sent -> marker answered), with the
//! answer time recorded by the simulator. `received_per_s` runs to the moment the bot's
//! `novera_gateway_events_total` reached the marker (polled every 2 ms): what the shard runner
//! (decompress, parse, cache) keeps up with, whatever happens after it. A marker the bot
//! received but shed (its queue to the router full) is sent again once the bot caught up, and
//! the run notes it.
//!
//! The `mix` variant gives the bot every guild intent and sends the simulator's mixed load
//! (per 20 events: 5 presences, 4 typing, 4 messages, 2 edits, 1 delete, 3 reactions, 1 member
//! update), round after round in every channel of a guild, interleaved with slash commands
//! (each also causing the reply's `MESSAGE_CREATE` and the edit's `MESSAGE_UPDATE`) and users'
//! stored messages.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use serde_json::Value;

use crate::bot::Bot;
use crate::frames::LoadIntents;
use crate::harness::{Bench, count, response_time, settle, wait_answered};
use crate::report::Report;
use crate::world::{WorldSize, first_guild_channels, session, start_sim};

/// Options of the throughput scenario.
#[derive(Debug, Clone)]
pub struct ThroughputOptions {
    /// Events per run.
    pub events: u64,
    /// The world (the load goes to the first guild's channels).
    pub world: WorldSize,
    /// Also run the mixed-events variant.
    pub mix: bool,
}

/// What one run measured.
#[derive(Debug, Clone, Copy)]
struct RunResult {
    events: u64,
    elapsed: Duration,
    received: Duration,
    cpu: Duration,
    shed: u64,
    markers: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Load {
    Messages,
    Mix,
}

/// How long a marker the bot received may take to be answered.
const MARKER_PATIENCE: Duration = Duration::from_secs(10);
/// Markers sent at most (a marker shed with the load is sent again once the bot caught up).
const MAX_MARKERS: u64 = 3;

/// Polls the bot's `/metrics` until it received dispatch number `seq` of its session.
async fn wait_received(bot: &Bot, seq: u64, patience: Duration) -> Result<Instant> {
    let start = Instant::now();
    loop {
        if bot.counters().await?.events >= seq {
            return Ok(Instant::now());
        }
        if start.elapsed() > patience {
            bail!(
                "the bot did not receive event {seq} within {patience:?}; output:\n{}",
                bot.tail()
            );
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Events of the simulator's mixed load per round of the mix, and what else each round carries.
const MIX_ROUND: u64 = 1000;
const MIX_COMMANDS_PER_ROUND: u64 = 2;
const MIX_POSTS_PER_ROUND: u64 = 1;

/// Runs the scenario `bench.runs` times.
pub async fn throughput(bench: &Bench, options: &ThroughputOptions) -> Result<Report> {
    let mut report = Report::new("throughput");
    report.param("events", options.events);
    report.param("world", options.world.to_string());
    report.param("runs", bench.runs);
    report.param("novera", bench.novera.display().to_string());
    let mut loads = vec![Load::Messages];
    if options.mix {
        loads.push(Load::Mix);
    }
    for load in loads {
        let prefix = match load {
            Load::Messages => "message_create",
            Load::Mix => "mix",
        };
        let mut rate = Vec::new();
        let mut elapsed = Vec::new();
        let mut received = Vec::new();
        let mut cpu = Vec::new();
        let mut shed = Vec::new();
        let mut resent = 0;
        for run in 1..=bench.runs {
            bench.progress(&format!("throughput {prefix}: run {run}/{}", bench.runs));
            let result = run_once(bench, options, load)
                .await
                .with_context(|| format!("throughput {prefix}, run {run}"))?;
            let secs = result.elapsed.as_secs_f64().max(1e-6);
            rate.push(count(result.events) / secs);
            elapsed.push(secs * 1000.0);
            received.push(count(result.events) / result.received.as_secs_f64().max(1e-6));
            cpu.push(result.cpu.as_secs_f64() * 1e6 / count(result.events.max(1)));
            shed.push(count(result.shed));
            resent += result.markers - 1;
        }
        if resent > 0 {
            report.note(format!(
                "{prefix}: the first marker was shed {resent} time(s); the rate then runs to the answer of a marker sent once the bot had caught up (an upper bound on the time)"
            ));
        }
        if shed.iter().any(|&s| s > 0.0) {
            report.note(format!(
                "{prefix}: the bot shed events in some runs (its queue to the router was full): they reached the cache but no handler, and the rate still counts them"
            ));
        }
        report.figure(format!("{prefix}_events_per_s"), "events/s", rate);
        report.figure(format!("{prefix}_elapsed_ms"), "ms", elapsed);
        report.figure(format!("{prefix}_received_per_s"), "events/s", received);
        report.figure(format!("{prefix}_bot_cpu_us_per_event"), "us", cpu);
        report.figure(format!("{prefix}_events_shed"), "count", shed);
    }
    if options.mix {
        report.note(format!(
            "mix: per {MIX_ROUND} events of the simulator's mixed load (presences, typing, messages, edits, deletes, reactions, member updates), {MIX_COMMANDS_PER_ROUND} /ping (INTERACTION_CREATE + reply MESSAGE_CREATE + edit MESSAGE_UPDATE) and {MIX_POSTS_PER_ROUND} stored user message; the bot has every guild intent"
        ));
    }
    Ok(report)
}

async fn run_once(bench: &Bench, options: &ThroughputOptions, load: Load) -> Result<RunResult> {
    let sim = start_sim(options.world, None).await?;
    let control = sim.control();
    let dir = tempfile::tempdir().context("temporary directory")?;
    let intents = match load {
        Load::Messages => LoadIntents::Messages,
        Load::Mix => LoadIntents::Mix,
    };
    let bot = bench
        .launch(dir.path())
        .sim(&sim.base_url())
        .env("NOVERA_DISCORD__INTENTS", intents.env_value())
        .spawn()
        .await?;
    bot.wait_ready(Duration::from_secs(120), Duration::from_millis(10))
        .await?;
    let (before, _) = settle(&bot, &control, Duration::from_secs(120)).await?;
    let cpu_before = bot.cpu_time()?;
    let seq_before = session(&control).await?.seq;
    let state = control.state().await?;
    let channels = first_guild_channels(&state);
    let first_channel = *channels
        .first()
        .ok_or_else(|| anyhow!("the world has no channel"))?;

    let start = Instant::now();
    match load {
        Load::Messages => {
            control
                .load_messages(options.events, Some(first_channel))
                .await?;
        }
        Load::Mix => mix(&control, options.events, &channels).await?,
    }
    // Generous: a debug build on a busy machine may take minutes for a big N.
    let patience = Duration::from_secs(60) + Duration::from_millis(options.events / 2);
    let mut seq_marker = None;
    let mut received = None;
    let mut markers = 0;
    let elapsed = loop {
        markers += 1;
        let marker = control
            .run_command("ping", Value::Null, None, Some(first_channel), None)
            .await?;
        let posted = start.elapsed();
        let marker_seq = session(&control).await?.seq;
        seq_marker.get_or_insert(marker_seq);
        // The bot has the marker once its event count reaches the marker's sequence number.
        let got = wait_received(&bot, marker_seq, patience).await?;
        received.get_or_insert(got.duration_since(start));
        let shed = bot.counters().await?.dropped.saturating_sub(before.dropped);
        // A marker that was not shed is answered within the patience; one that may have been
        // shed with the load is given a moment, then asked again.
        let wait = if shed == 0 {
            MARKER_PATIENCE
        } else {
            Duration::from_millis(100)
        };
        let answered = wait_answered(&control, &marker.id, wait, Duration::from_millis(5)).await?;
        if let Some(answer) = answered {
            break posted + response_time(&answer).unwrap_or_default();
        }
        if shed == 0 || markers == MAX_MARKERS {
            bail!(
                "marker {markers} was received but not answered within {wait:?} (events shed: {shed}); output:\n{}",
                bot.tail()
            );
        }
        // The bot shed the marker with the load (its queue was full): ask again now that it
        // has caught up. The figure then runs to the answer of this later marker.
    };
    let after = bot.counters().await?;
    let cpu = bot.cpu_time()?.saturating_sub(cpu_before);
    let events = match load {
        Load::Messages => options.events,
        Load::Mix => seq_marker.unwrap_or(seq_before).saturating_sub(seq_before),
    };
    let status = bot.stop().await?;
    if !status.success() {
        bail!("the bot exited with {status} after the run");
    }
    sim.shutdown().await;
    Ok(RunResult {
        events,
        elapsed,
        received: received.unwrap_or(elapsed),
        cpu,
        shed: after.dropped.saturating_sub(before.dropped),
        markers,
    })
}

/// The mixed load: rounds of the simulator's mixed events, slash commands and users' messages
/// across channels.
async fn mix(control: &novera_sim::ControlClient, events: u64, channels: &[u64]) -> Result<()> {
    let rounds = (events / MIX_ROUND).max(1);
    let per_round = (events / rounds).max(1);
    let users = control.state().await?.users;
    for round in 0..rounds {
        let channel = channels[usize::try_from(round).unwrap_or(0) % channels.len()];
        control.load_mix(per_round, Some(channel), None).await?;
        for _ in 0..MIX_COMMANDS_PER_ROUND {
            control
                .run_command("ping", Value::Null, None, Some(channel), None)
                .await?;
        }
        for k in 0..MIX_POSTS_PER_ROUND {
            let mention = users
                .get(usize::try_from(round + k).unwrap_or(0) % users.len().max(1))
                .map(|u| format!(" <@{u}>"))
                .unwrap_or_default();
            control
                .post_message(channel, &format!("deploy {round} finished{mention}"), None)
                .await?;
        }
    }
    Ok(())
}
