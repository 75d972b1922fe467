//! `recovery`: how long an interruption costs the bot, and whether it loses anything.
//!
//! Each fault hits a bot that is busy: `in_flight` `MESSAGE_CREATEs` are on their way when the
//! fault lands, and a `/ping` is sent right after it (so it is queued behind the fault and only
//! reaches the bot through the RESUME replay). Measured from the fault:
//! - `resumed_ms`: until the bot logged that it handled RESUMED (the bench timestamps each
//!   line of the bot's output as it reads it; the simulator's RESUME count is checked too);
//! - `first_event_ms`: until the bot answered that `/ping` (its dispatch time plus the
//!   simulator's recorded answer time);
//! - `events_lost`: dispatches the simulator sent that the bot never received (sequence
//!   numbers against the bot's `novera_gateway_events_total`), plus unanswered pings. Must be 0;
//! - `events_shed`: events the bot received but dropped before its router (queue full), which
//!   no handler saw (for the restart: in the new process).
//!
//! Faults: op 7 RECONNECT, a TCP drop without close frame, a zombie connection (the simulator
//! goes silent, heartbeat ACKs included, until the bot notices a missed ACK), a process
//! restart (SIGTERM, exit, start again from the saved session file; the `/ping` is sent once the
//! old process has exited, so only the new one can answer it), and a crash (once the bot
//! checkpointed its position, SIGKILL right after it received a burst of `in_flight` messages: no
//! graceful stop saves anything and the last checkpoint is usually behind; start again from it). The crash also
//! reports `crash_events_replayed`: dispatches the crashed process had received that the RESUME
//! delivered again (those after its last checkpoint: delivery is at-least-once across a crash).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use novera_sim::{ControlClient, Fault};
use serde_json::Value;

use crate::bot::{Bot, BotLaunch};
use crate::harness::{Bench, count, ms, response_time, settle, wait_answered, wait_resumed};
use crate::report::Report;
use crate::world::{WorldSize, dispatched, start_sim};

/// Options of the recovery scenario.
#[derive(Debug, Clone)]
pub struct RecoveryOptions {
    /// `MESSAGE_CREATEs` in flight when each fault lands.
    pub in_flight: u64,
    /// Heartbeat interval the simulator sends in HELLO (bounds zombie detection).
    pub heartbeat: Duration,
    /// The world.
    pub world: WorldSize,
}

/// The interruptions, in the order they are applied to one bot.
const FAULTS: [&str; 3] = ["op7", "tcp_drop", "zombie"];

/// What novera-gateway logs (at info) when a shard handled RESUMED.
const RESUMED_LINE: &str = "resumed (RESUMED)";

/// How long any single recovery may take before the run counts as broken.
const PATIENCE: Duration = Duration::from_secs(60);

/// How long a recovered bot may take to receive everything it missed before the gap counts as
/// lost.
const SETTLE_PATIENCE: Duration = Duration::from_secs(10);

/// What one interruption measured.
#[derive(Debug, Clone, Copy)]
struct Recovery {
    resumed: Duration,
    first_event: Duration,
    lost: u64,
    shed: u64,
}

/// Runs every fault `bench.runs` times (one bot per run, faults in sequence, then a restart).
pub async fn recovery(bench: &Bench, options: &RecoveryOptions) -> Result<Report> {
    let mut report = Report::new("recovery");
    report.param("in_flight", options.in_flight);
    report.param("heartbeat_ms", ms(options.heartbeat));
    report.param("world", options.world.to_string());
    report.param("runs", bench.runs);
    let kinds: Vec<&str> = FAULTS.iter().copied().chain(["restart", "crash"]).collect();
    let mut series: Vec<[Vec<f64>; 4]> = kinds.iter().map(|_| Default::default()).collect();
    let mut restart_exec = Vec::new();
    let mut restart_stop = Vec::new();
    let mut crash_exec = Vec::new();
    let mut crash_replayed = Vec::new();
    for run in 1..=bench.runs {
        bench.progress(&format!("recovery: run {run}/{}", bench.runs));
        let run = run_once(bench, options)
            .await
            .with_context(|| format!("recovery run {run}"))?;
        for (values, result) in series.iter_mut().zip(run.results) {
            values[0].push(ms(result.resumed));
            values[1].push(ms(result.first_event));
            values[2].push(count(result.lost));
            values[3].push(count(result.shed));
        }
        restart_exec.push(ms(run.restart_exec_to_resumed));
        restart_stop.push(ms(run.restart_stop));
        crash_exec.push(ms(run.crash_exec_to_resumed));
        crash_replayed.push(count(run.crash_replayed));
    }
    for (kind, [resumed, first, lost, shed]) in kinds.iter().zip(series) {
        report.figure(format!("{kind}_resumed_ms"), "ms", resumed);
        report.figure(format!("{kind}_first_event_ms"), "ms", first);
        report.figure(format!("{kind}_events_lost"), "count", lost);
        report.figure(format!("{kind}_events_shed"), "count", shed);
    }
    report.figure("restart_stop_ms", "ms", restart_stop);
    report.figure("restart_exec_to_resumed_ms", "ms", restart_exec);
    report.figure("crash_exec_to_resumed_ms", "ms", crash_exec);
    report.figure("crash_events_replayed", "count", crash_replayed);
    report.note(
        "restart_* figures run from SIGTERM, crash_* from SIGKILL; *_exec_to_resumed_ms from the new process's exec",
    );
    report.note(
        "crash_events_replayed: received by the killed process after its last checkpoint (taken about once a second) and delivered again by the RESUME",
    );
    report.note(
        "zombie detection needs one missed heartbeat ACK: it scales with the heartbeat interval (Discord: 41.25 s)",
    );
    Ok(report)
}

/// What one run measured.
struct Run {
    /// One per kind, in report order.
    results: Vec<Recovery>,
    restart_exec_to_resumed: Duration,
    restart_stop: Duration,
    crash_exec_to_resumed: Duration,
    crash_replayed: u64,
}

async fn run_once(bench: &Bench, options: &RecoveryOptions) -> Result<Run> {
    let sim = start_sim(options.world, Some(options.heartbeat)).await?;
    let control = sim.control();
    let dir = tempfile::tempdir().context("temporary directory")?;
    let launch = bench
        .launch(dir.path())
        .sim(&sim.base_url())
        .env("NOVERA_LOG__LEVEL", "warn,novera_gateway=info");
    let bot = launch.spawn().await?;
    bot.wait_ready(PATIENCE, Duration::from_millis(10)).await?;
    settle(&bot, &control, PATIENCE).await?;

    let mut results = Vec::new();
    for kind in FAULTS {
        let fault = match kind {
            "op7" => Fault::Reconnect { shard: None },
            "tcp_drop" => Fault::Drop { shard: None },
            _ => Fault::Silence {
                // Longer than detection (a missed ACK: at most two intervals plus jitter).
                ms: u64::try_from(options.heartbeat.as_millis() * 10).unwrap_or(u64::MAX),
                shard: None,
            },
        };
        let result = interrupt(&bot, &control, options, &fault)
            .await
            .with_context(|| format!("fault {kind}"))?;
        results.push(result);
    }

    let restarted = restart(bot, &launch, &control, options)
        .await
        .context("restart")?;
    results.push(restarted.recovery);
    let (restart_exec_to_resumed, restart_stop) = (restarted.exec_to_resumed, restarted.stop);
    let (crash, crash_exec_to_resumed, crash_replayed, bot) =
        crash(restarted.bot, restarted.earlier, &launch, &control, options)
            .await
            .context("crash")?;
    results.push(crash);
    let status = bot.stop().await?;
    if !status.success() {
        bail!("the bot exited with {status}");
    }
    sim.shutdown().await;
    Ok(Run {
        results,
        restart_exec_to_resumed,
        restart_stop,
        crash_exec_to_resumed,
        crash_replayed,
    })
}

/// One fault on a running bot.
async fn interrupt(
    bot: &Bot,
    control: &ControlClient,
    options: &RecoveryOptions,
    fault: &Fault,
) -> Result<Recovery> {
    let (before, _) = settle(bot, control, PATIENCE).await?;
    let state = control.state().await?;
    let resumes_before = state.resumes;
    control.load_messages(options.in_flight, None).await?;
    let start = Instant::now();
    control.fault(fault).await?;
    let ping = control
        .run_command("ping", Value::Null, None, None, None)
        .await?;
    let posted = start.elapsed();
    let resumed = bot.wait_line(RESUMED_LINE, start, PATIENCE).await?;
    wait_resumed(control, resumes_before, PATIENCE).await?;
    let answer = wait_answered(control, &ping.id, PATIENCE, Duration::from_millis(5)).await?;
    let first_event = answer.as_ref().and_then(response_time).map(|t| posted + t);
    let (after, sent) = settle_or_count(bot, control, 0).await?;
    if after.identifies > before.identifies {
        bail!("the bot identified again instead of resuming");
    }
    Ok(Recovery {
        resumed: resumed.duration_since(start),
        first_event: first_event.unwrap_or(PATIENCE),
        lost: sent.saturating_sub(after.events) + u64::from(answer.is_none()),
        shed: after.dropped.saturating_sub(before.dropped),
    })
}

/// Waits for the bot to catch up; when it never does, returns what it has (the gap is loss).
/// `earlier`: dispatches of the session an earlier process received (see [`settle_from`]).
async fn settle_or_count(
    bot: &Bot,
    control: &ControlClient,
    earlier: u64,
) -> Result<(crate::bot::Counters, u64)> {
    let (counters, sent, _) = settle_from(bot, control, earlier, SETTLE_PATIENCE).await?;
    Ok((counters, sent))
}

/// Polls until the bot received every dispatch the simulator sent but the first `earlier`,
/// which an earlier process of the same session received (the bot's counter starts at zero).
/// Returns its counters, the simulator's total, and whether it caught up within `patience`.
async fn settle_from(
    bot: &Bot,
    control: &ControlClient,
    earlier: u64,
    patience: Duration,
) -> Result<(crate::bot::Counters, u64, bool)> {
    let start = Instant::now();
    loop {
        let sent = dispatched(control).await?;
        let counters = bot.counters().await?;
        let caught_up = counters.events.saturating_add(earlier) >= sent;
        if caught_up || start.elapsed() > patience {
            return Ok((counters, sent, caught_up));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Like [`settle_from`], failing when the bot does not catch up.
async fn caught_up(bot: &Bot, control: &ControlClient, earlier: u64) -> Result<u64> {
    let (counters, sent, caught_up) = settle_from(bot, control, earlier, PATIENCE).await?;
    if !caught_up {
        bail!(
            "the bot received {} of the {} dispatches sent after its session's first {earlier} within {PATIENCE:?}",
            counters.events,
            sent.saturating_sub(earlier)
        );
    }
    Ok(sent)
}

/// What the restart measured, and the process it left running.
struct Restarted {
    recovery: Recovery,
    exec_to_resumed: Duration,
    stop: Duration,
    bot: Bot,
    /// Dispatches of the session the stopped process received (its saved sequence).
    earlier: u64,
}

/// SIGTERM, wait for the exit, start again: the new process must resume the saved session.
async fn restart(
    bot: Bot,
    launch: &BotLaunch,
    control: &ControlClient,
    options: &RecoveryOptions,
) -> Result<Restarted> {
    let mut bot = bot;
    settle(&bot, control, PATIENCE).await?;
    let resumes_before = control.state().await?.resumes;
    control.load_messages(options.in_flight, None).await?;
    let start = Instant::now();
    bot.terminate()?;
    let status = bot.wait_exit().await?;
    let stopped = start.elapsed();
    if !status.success() {
        bail!("the bot exited with {status} on SIGTERM");
    }
    let down = Down::ping(control, launch, start, resumes_before).await?;
    let (recovery, exec_to_resumed, bot) = start_again(launch, control, &down).await?;
    Ok(Restarted {
        recovery,
        exec_to_resumed,
        stop: stopped,
        bot,
        earlier: down.earlier,
    })
}

/// SIGKILL right after a burst, start again: the new process must resume from the checkpoint
/// the killed one wrote while running, and receive everything after it. Also returns the
/// dispatches delivered to both processes.
async fn crash(
    bot: Bot,
    earlier: u64,
    launch: &BotLaunch,
    control: &ControlClient,
    options: &RecoveryOptions,
) -> Result<(Recovery, Duration, u64, Bot)> {
    let mut bot = bot;
    let position = caught_up(&bot, control, earlier).await?;
    // A process that ran long enough to checkpoint where it is (about once a second).
    wait_checkpoint(&launch.session_path(), position).await?;
    let resumes_before = control.state().await?.resumes;
    control.load_messages(options.in_flight, None).await?;
    // The session's processes received exactly `received` dispatches: the simulator sends
    // nothing more until the `/ping` below.
    let received = caught_up(&bot, control, earlier).await?;
    let start = Instant::now();
    let status = bot.kill().await?;
    if status.success() {
        bail!("the bot survived SIGKILL ({status})");
    }
    let down = Down::ping(control, launch, start, resumes_before)
        .await
        .context("after the kill")?;
    let (recovery, exec_to_resumed, bot) = start_again(launch, control, &down).await?;
    Ok((
        recovery,
        exec_to_resumed,
        received.saturating_sub(down.earlier),
        bot,
    ))
}

/// A bot process that stopped or died at `start`, with a `/ping` sent `posted` after it.
struct Down {
    start: Instant,
    posted: Duration,
    /// The `/ping` interaction's id.
    ping: String,
    /// The simulator's RESUME count before the stop.
    resumes_before: u64,
    /// Dispatches of the session the stopped process received: its saved (or checkpointed)
    /// sequence.
    earlier: u64,
}

impl Down {
    /// While no process runs, sends the `/ping` the next one must answer, and reads where the
    /// stopped one left its session.
    async fn ping(
        control: &ControlClient,
        launch: &BotLaunch,
        start: Instant,
        resumes_before: u64,
    ) -> Result<Self> {
        let ping = control
            .run_command("ping", Value::Null, None, None, None)
            .await?;
        Ok(Self {
            start,
            posted: start.elapsed(),
            ping: ping.id,
            resumes_before,
            earlier: saved_sequence(&launch.session_path())?,
        })
    }
}

/// Starts the bot again: it must RESUME (no IDENTIFY), answer the `/ping`, and receive every
/// dispatch after the first `down.earlier`.
async fn start_again(
    launch: &BotLaunch,
    control: &ControlClient,
    down: &Down,
) -> Result<(Recovery, Duration, Bot)> {
    let bot = launch.spawn().await?;
    let resumed = bot.wait_line(RESUMED_LINE, bot.exec_at(), PATIENCE).await?;
    wait_resumed(control, down.resumes_before, PATIENCE).await?;
    let answer = wait_answered(control, &down.ping, PATIENCE, Duration::from_millis(5)).await?;
    let first_event = answer
        .as_ref()
        .and_then(response_time)
        .map(|t| down.posted + t);
    let (after, sent) = settle_or_count(&bot, control, down.earlier).await?;
    if after.identifies > 0 {
        bail!("the new process identified instead of resuming");
    }
    // The old process received everything up to `earlier`; the new one must receive
    // everything after it.
    let lost = sent
        .saturating_sub(down.earlier)
        .saturating_sub(after.events);
    let recovery = Recovery {
        resumed: resumed.duration_since(down.start),
        first_event: first_event.unwrap_or(PATIENCE),
        lost: lost + u64::from(answer.is_none()),
        shed: after.dropped,
    };
    Ok((recovery, resumed.duration_since(bot.exec_at()), bot))
}

/// Polls the session file until its checkpoint reaches `position` (summed over shards).
async fn wait_checkpoint(path: &Path, position: u64) -> Result<()> {
    let start = Instant::now();
    loop {
        if saved_sequence(path).is_ok_and(|saved| saved >= position) {
            return Ok(());
        }
        if start.elapsed() > PATIENCE {
            bail!("no checkpoint reached sequence {position} within {PATIENCE:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Sum of the sequence numbers in the bot's session file.
fn saved_sequence(path: &Path) -> Result<u64> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("the bot saved no session at {}", path.display()))?;
    let file: Value = serde_json::from_str(&text).context("session file is not JSON")?;
    let sessions = file
        .get("sessions")
        .and_then(Value::as_array)
        .filter(|s| !s.is_empty())
        .context("the session file holds no session")?;
    Ok(sessions
        .iter()
        .filter_map(|s| s.pointer("/session/sequence").and_then(Value::as_u64))
        .sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_saved_sequence() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("sessions.json");
        std::fs::write(
            &path,
            r#"{"version":1,"sessions":[{"shard":0,"total":2,"session":{"id":"a","sequence":40},"resume_url":null,"saved_at":1},{"shard":1,"total":2,"session":{"id":"b","sequence":2},"resume_url":null,"saved_at":1}]}"#,
        )
        .expect("write");
        assert_eq!(saved_sequence(&path).expect("readable"), 42);
        std::fs::write(&path, r#"{"version":1,"sessions":[]}"#).expect("write");
        assert!(saved_sequence(&path).is_err());
        assert!(saved_sequence(&dir.path().join("missing.json")).is_err());
    }
}
