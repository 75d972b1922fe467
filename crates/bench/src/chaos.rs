//! `chaos`: a soak of the bot through Discord's bad moments.
//!
//! For `duration`, users run `/ping` at a steady rate (open loop), post `!ping` prefix commands
//! and the simulator writes its mixed event load, while a seeded generator injects a fault every
//! 1-4 s through the simulator's fault API: op 7, TCP drops, op 9 both ways, closes 4000, 4009
//! and 1001, silences, REST 500/502, 429s of every scope, slow REST and every kind of garbage
//! payload. The simulator is strict (Discord's outcomes), so a late answer is refused as Discord
//! refuses it, and every broken rule is in its violations report.
//!
//! Afterwards every command is classified from the simulator's records (`tally.rs`): delivered
//! to a live session or not (a command sent while no session existed, after a session ended and
//! before the next READY, cannot reach any bot), answered, answered late, answered twice,
//! answered with an error; what was delivered but never answered is what the bot lost. It also
//! reports IDENTIFYs against the number the faults force (one at start, one per session-ending
//! fault), RESUMEs, the bot's payload errors and REST retries, the violations, and the bot's
//! RSS at start, after the first minute, in the middle and at the end.

mod faults;
mod tally;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use futures_util::StreamExt as _;
use novera_sim::{ControlClient, SimHandle, Simulator};
use serde_json::Value;
use tokio::task::JoinSet;
use tokio::time::MissedTickBehavior;

use crate::bot::{BENCH_TOKEN, Bot, Memory};
use crate::frames::LoadIntents;
use crate::harness::{Bench, count, settle};
use crate::report::Report;
use crate::world::WorldSize;

use self::faults::{FaultPlan, KINDS};
use self::tally::{Commands, Prefixed};

/// Options of the chaos soak.
#[derive(Debug, Clone)]
pub struct ChaosOptions {
    /// How long commands and faults run.
    pub duration: Duration,
    /// Seed of the fault generator: the same seed draws the same faults at the same pauses.
    pub seed: u64,
    /// Slash commands per second.
    pub commands_per_s: u32,
    /// Prefix commands (`!ping`) per second.
    pub prefix_per_s: f64,
    /// Dispatches of the simulator's mixed load per second.
    pub events_per_s: u64,
    /// Shortest and longest pause between two faults.
    pub fault_every: (Duration, Duration),
    /// Heartbeat interval of the simulator (a silence is noticed within about two).
    pub heartbeat: Duration,
    /// The world.
    pub world: WorldSize,
}

/// How long answers may take to arrive once sending stopped.
const DRAIN: Duration = Duration::from_secs(10);

/// How often the bot's RSS is read.
const MEMORY_EVERY: Duration = Duration::from_secs(5);

/// Where RSS growth is measured from.
const FIRST_MINUTE: Duration = Duration::from_secs(60);

/// Runs the soak once (`bench.runs` does not repeat it: one run is `duration` long).
pub async fn chaos(bench: &Bench, options: &ChaosOptions) -> Result<Report> {
    let mut report = Report::new("chaos");
    params(&mut report, options);
    let sim = start_strict_sim(options).await?;
    let control = sim.control();
    let dir = tempfile::tempdir().context("temporary directory")?;
    let bot = bench
        .launch(dir.path())
        .sim(&sim.base_url())
        .env("NOVERA_DISCORD__INTENTS", LoadIntents::Mix.env_value())
        .env("NOVERA_COMMANDS__PREFIX", "!")
        .spawn()
        .await?;
    bot.wait_ready(Duration::from_secs(120), Duration::from_millis(10))
        .await?;
    settle(&bot, &control, Duration::from_secs(60)).await?;
    let state = control.state().await?;
    let channels = Channels::of(&state)?;
    let identifies_at_start = state.identifies;
    let before = bot.counters().await?;

    bench.progress(&format!(
        "chaos: {:.0} s, seed {}",
        options.duration.as_secs_f64(),
        options.seed
    ));
    let run = soak(bench, &bot, &control, &channels, options).await?;

    // Let the last fault pass and every answer arrive.
    tokio::time::sleep(DRAIN).await;
    settle(&bot, &control, Duration::from_secs(60)).await?;
    let after = bot.counters().await?;
    let (commands, deliveries) = classify(&control, &run.interactions).await?;
    let mut messages = Vec::new();
    for channel in &channels.prefix {
        messages.extend(control.channel_messages(channel).await?);
    }
    let prefixed = Prefixed::count(&run.posted, &messages, &state.bot_user_id, &deliveries);
    let world = control.state().await?;

    if commands.answered == 0 {
        bail!(
            "the bot answered none of {} commands; output:\n{}",
            commands.sent,
            bot.tail()
        );
    }
    let status = bot.stop().await?;
    if !status.success() {
        report.note(format!("the bot exited with {status}"));
    }
    sim.shutdown().await;

    figures(&mut report, &run, &commands, &prefixed);
    let forced = identifies_at_start + run.forced_identifies;
    report.figure("identifies", "count", vec![count(world.identifies)]);
    report.figure("identifies_forced", "count", vec![count(forced)]);
    report.figure("resumes", "count", vec![count(world.resumes)]);
    report.figure(
        "payload_errors",
        "count",
        vec![count(after.payload_errors - before.payload_errors)],
    );
    report.figure(
        "rest_retries",
        "count",
        vec![count(after.rest_retries - before.rest_retries)],
    );
    report.figure(
        "rest_give_ups",
        "count",
        vec![count(after.rest_give_ups - before.rest_give_ups)],
    );
    report.figure(
        "events_shed",
        "count",
        vec![count(after.dropped - before.dropped)],
    );
    let violations: u64 = world.violation_counts.values().sum();
    report.figure("violations", "count", vec![count(violations)]);
    for (rule, n) in world.violation_counts.iter().filter(|(_, n)| **n > 0) {
        report.note(format!("violation {rule}: {n}"));
    }
    memory_figures(&mut report, &run.memory, options.duration);
    report.note("delivered: written to a live session of the bot; undeliverable commands were sent while no session existed (after op 9 false, 4009 or 1001, before the next READY)");
    report.note("lost = delivered but never answered; late = first callback after 3 s (refused by the strict simulator)");
    report.note("prefix_unanswered_with_a_session: unanswered prefix commands posted while the slash commands sent just before and after them were delivered (a session existed)");
    Ok(report)
}

/// The soak's settings, as the report's parameters.
fn params(report: &mut Report, options: &ChaosOptions) {
    report.param("duration_s", options.duration.as_secs_f64());
    report.param("seed", options.seed);
    report.param("commands_per_s", options.commands_per_s);
    report.param("prefix_per_s", options.prefix_per_s);
    report.param("events_per_s", options.events_per_s);
    report.param(
        "fault_every_s",
        format!(
            "{}-{}",
            options.fault_every.0.as_secs_f64(),
            options.fault_every.1.as_secs_f64()
        ),
    );
    report.param("heartbeat_ms", options.heartbeat.as_secs_f64() * 1000.0);
    report.param("world", options.world.to_string());
}

/// A strict simulator (Discord's outcomes for every rule) on an ephemeral loopback port.
async fn start_strict_sim(options: &ChaosOptions) -> Result<SimHandle> {
    Simulator::builder()
        .guilds(options.world.guilds)
        .members_per_guild(options.world.members)
        .channels_per_guild(options.world.channels)
        .token(BENCH_TOKEN)
        .heartbeat_interval(options.heartbeat)
        .start()
        .await
        .context("start novera-sim")
}

/// Where the soak's commands go.
#[derive(Debug)]
struct Channels {
    /// Guild and channel of the slash commands and the mixed load.
    slash: (u64, u64),
    /// The channels `!ping` goes round: every other channel of the world (the slash channel
    /// only when there is no other). Apart because the simulator keeps the last 10,000 messages
    /// of a channel, and the answers to 20 slash commands a second would push the prefix
    /// commands and their replies out of it within minutes; and round several channels because
    /// Discord lets a bot create 5 messages per 5 s in one, and each `!ping` is answered with one.
    prefix: Vec<u64>,
}

impl Channels {
    fn of(state: &novera_sim::SimState) -> Result<Self> {
        let ids =
            |ids: &[String]| -> Vec<u64> { ids.iter().filter_map(|c| c.parse().ok()).collect() };
        let Some((guild, first)) = state.guilds.first().and_then(|g| {
            let guild = g.id.parse().ok()?;
            Some((guild, *ids(&g.channels).first()?))
        }) else {
            bail!("the world has no channel");
        };
        let mut prefix: Vec<u64> = state
            .guilds
            .iter()
            .flat_map(|g| ids(&g.channels))
            .filter(|c| *c != first)
            .collect();
        if prefix.is_empty() {
            prefix.push(first);
        }
        Ok(Self {
            slash: (guild, first),
            prefix,
        })
    }
}

/// What the soak sent and saw while it ran.
struct Run {
    /// Interaction ids of the slash commands, with when they were sent.
    interactions: Vec<(Duration, String)>,
    /// Message ids of the prefix commands, with when they were posted.
    posted: Vec<(Duration, String)>,
    /// Sends the control API refused.
    failed_sends: u64,
    /// Applied faults by kind, in [`KINDS`] order.
    faults: Vec<u64>,
    /// Faults that hit no connected session (the shard was reconnecting).
    faults_missed: u64,
    /// IDENTIFYs the applied faults force.
    forced_identifies: u64,
    /// `(time since start, the bot's memory)`.
    memory: Vec<(Duration, Memory)>,
    /// Mixed-load rounds the simulator refused (no live session).
    load_skipped: u64,
}

async fn soak(
    bench: &Bench,
    bot: &Bot,
    control: &ControlClient,
    channels: &Channels,
    options: &ChaosOptions,
) -> Result<Run> {
    let start = Instant::now();
    let end = tokio::time::Instant::now() + options.duration;
    let memory = Arc::new(Mutex::new(vec![(Duration::ZERO, bot.memory()?)]));
    let mut faults = vec![0; KINDS.len()];
    let (mut faults_missed, mut forced_identifies) = (0, 0);
    let mut plan = FaultPlan::new(options.seed, options.fault_every);

    let commands = send_commands(control, channels.slash, options.commands_per_s, start, end);
    let prefixes = post_prefixes(control, &channels.prefix, options.prefix_per_s, start, end);
    let load = async {
        let mut skipped = 0;
        let mut ticker = tokio::time::interval(Duration::from_secs(1));
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        while tokio::time::Instant::now() < end {
            ticker.tick().await;
            if control
                .load_mix(options.events_per_s, Some(channels.slash.1), None)
                .await
                .is_err()
            {
                skipped += 1;
            }
        }
        skipped
    };
    let chaos = async {
        loop {
            let at = tokio::time::Instant::now() + plan.pause();
            if at >= end {
                break;
            }
            tokio::time::sleep_until(at).await;
            let drawn = plan.next_fault();
            let applied = control
                .fault(&drawn.fault)
                .await
                .with_context(|| format!("inject {:?}", drawn.fault))?;
            let index = KINDS.iter().position(|k| *k == drawn.kind).unwrap_or(0);
            if applied.applied == 0 {
                faults_missed += 1;
            } else {
                faults[index] += 1;
                forced_identifies += u64::from(drawn.forces_identify);
            }
        }
        anyhow::Ok(())
    };
    let sampler = async {
        let mut ticker = tokio::time::interval(MEMORY_EVERY);
        ticker.tick().await;
        let mut last_progress = Instant::now();
        while tokio::time::Instant::now() < end {
            ticker.tick().await;
            if let Ok(now) = bot.memory() {
                let mut samples = memory
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                samples.push((start.elapsed(), now));
            }
            if last_progress.elapsed() >= Duration::from_secs(60) {
                last_progress = Instant::now();
                bench.progress(&format!(
                    "chaos: {:.0} s of {:.0} s",
                    start.elapsed().as_secs_f64(),
                    options.duration.as_secs_f64()
                ));
            }
        }
    };
    let ((interactions, failed_commands), (posted, failed_posts), load_skipped, chaos, ()) =
        tokio::join!(commands, prefixes, load, chaos, sampler);
    chaos?;
    let memory = memory
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    Ok(Run {
        interactions,
        posted,
        failed_sends: failed_commands + failed_posts,
        faults,
        faults_missed,
        forced_identifies,
        memory,
        load_skipped,
    })
}

/// `/ping` at `rate` until `end`, open loop; the created ids and the refused sends.
async fn send_commands(
    control: &ControlClient,
    (guild, channel): (u64, u64),
    rate: u32,
    start: Instant,
    end: tokio::time::Instant,
) -> (Vec<(Duration, String)>, u64) {
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate.max(1))));
    ticker.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut sends = JoinSet::new();
    while tokio::time::Instant::now() < end {
        ticker.tick().await;
        let control = control.clone();
        let at = start.elapsed();
        sends.spawn(async move {
            control
                .run_command("ping", Value::Null, Some(guild), Some(channel), None)
                .await
                .map(|created| (at, created.id))
        });
    }
    let (mut ids, mut failed) = (Vec::new(), 0);
    while let Some(sent) = sends.join_next().await {
        match sent {
            Ok(Ok(sent)) => ids.push(sent),
            _ => failed += 1,
        }
    }
    (ids, failed)
}

/// `!ping` at `rate` until `end`, in each of `channels` in turn; the posted message ids and the
/// refused posts.
async fn post_prefixes(
    control: &ControlClient,
    channels: &[u64],
    rate: f64,
    start: Instant,
    end: tokio::time::Instant,
) -> (Vec<(Duration, String)>, u64) {
    let (mut ids, mut failed) = (Vec::new(), 0);
    if rate <= 0.0 {
        return (ids, failed);
    }
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    for channel in channels.iter().cycle() {
        if tokio::time::Instant::now() >= end {
            break;
        }
        ticker.tick().await;
        let at = start.elapsed();
        match control.post_message(channel, "!ping", None).await {
            Ok(created) => ids.push((at, created.id)),
            Err(_) => failed += 1,
        }
    }
    (ids, failed)
}

/// Every slash command's record, classified; and when each was sent with whether it was
/// delivered, in order (which tells when no session existed).
async fn classify(
    control: &ControlClient,
    sent: &[(Duration, String)],
) -> Result<(Commands, Vec<(Duration, bool)>)> {
    let statuses: Vec<_> = futures_util::stream::iter(sent.iter().cloned())
        .map(|(at, id)| {
            let control = control.clone();
            async move { control.interaction(&id).await.map(|status| (at, status)) }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let mut commands = Commands::default();
    let mut deliveries = Vec::with_capacity(statuses.len());
    for status in statuses {
        let (at, status) = status.context("GET /_sim/interactions/{id}")?;
        commands.add(&status, |content| content.starts_with("Pong"));
        deliveries.push((at, status.delivered));
    }
    deliveries.sort_by_key(|(at, _)| *at);
    Ok((commands, deliveries))
}

fn figures(report: &mut Report, run: &Run, commands: &Commands, prefixed: &Prefixed) {
    let one = |n: u64| vec![count(n)];
    report.figure("commands_sent", "count", one(commands.sent));
    report.figure("commands_delivered", "count", one(commands.delivered));
    report.figure(
        "commands_undeliverable",
        "count",
        one(commands.undeliverable),
    );
    report.figure("commands_answered", "count", one(commands.answered));
    report.figure("commands_answered_late", "count", one(commands.late));
    report.figure("commands_answered_twice", "count", one(commands.twice));
    report.figure(
        "commands_error_replies",
        "count",
        one(commands.error_replies),
    );
    report.figure("commands_delivered_unanswered", "count", one(commands.lost));
    if commands.answered_undelivered > 0 {
        report.note(format!(
            "{} commands were answered but never marked delivered",
            commands.answered_undelivered
        ));
    }
    report.figure("prefix_sent", "count", one(prefixed.sent));
    report.figure("prefix_answered", "count", one(prefixed.answered));
    report.figure("prefix_answered_twice", "count", one(prefixed.twice));
    report.figure("prefix_unanswered", "count", one(prefixed.unanswered));
    report.figure(
        "prefix_unanswered_with_a_session",
        "count",
        one(prefixed.unanswered_with_a_session),
    );
    report.figure("sends_refused", "count", one(run.failed_sends));
    report.figure("load_rounds_skipped", "count", one(run.load_skipped));
    let applied: u64 = run.faults.iter().sum();
    report.figure("faults", "count", one(applied));
    report.figure("faults_missed", "count", one(run.faults_missed));
    for (kind, n) in KINDS.iter().zip(&run.faults) {
        report.figure(format!("faults.{kind}"), "count", one(*n));
    }
}

/// One figure of a memory sample.
type Reading = fn(&Memory) -> Option<u64>;

/// RSS at start, after the first minute (or the first half of a shorter run), in the middle and
/// at the end, and the growth from the first minute to the end; the same for its anonymous part
/// (`RssAnon`: heap and stacks, without the binary's pages).
fn memory_figures(report: &mut Report, samples: &[(Duration, Memory)], duration: Duration) {
    let settled = FIRST_MINUTE.min(duration / 2);
    let series: [(&str, Reading); 2] = [("rss", |m| Some(m.rss_kib)), ("rss_anon", |m| m.anon_kib)];
    for (name, read) in series {
        let at = |t: Duration| {
            samples
                .iter()
                .min_by_key(|(when, _)| when.abs_diff(t))
                .and_then(|(_, m)| read(m))
        };
        let (Some(first), Some(after), Some(middle), Some(last)) = (
            at(Duration::ZERO),
            at(settled),
            at(duration / 2),
            samples.last().and_then(|(_, m)| read(m)),
        ) else {
            continue;
        };
        let mib = |kib: u64| count(kib) / 1024.0;
        report.figure(format!("{name}_start_mib"), "MiB", vec![mib(first)]);
        report.figure(
            format!("{name}_after_first_minute_mib"),
            "MiB",
            vec![mib(after)],
        );
        report.figure(format!("{name}_middle_mib"), "MiB", vec![mib(middle)]);
        report.figure(format!("{name}_end_mib"), "MiB", vec![mib(last)]);
        let growth = (count(last) - count(after)) / count(after.max(1)) * 100.0;
        report.figure(
            format!("{name}_growth_after_first_minute_pct"),
            "%",
            vec![growth],
        );
    }
}
