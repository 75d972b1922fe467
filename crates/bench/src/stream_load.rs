//! The `cluster` scenario's events phase: N `MESSAGE_CREATE`s through the bot, measured to the
//! moment the last of them reached a worker's cache and waiters (standalone: the bot's).
//!
//! A `/ask` started in the second channel waits for its user's next message there; the load
//! goes to the first channel, then that user posts the marker. A gateway publishes every event
//! to the stream and each worker reads all of them in order, so the `/ask` follow-up (from
//! whichever worker ran it) means that worker has handled everything before the marker.
//!
//! The marker is posted once the process holding the shard received the whole load and (a
//! gateway) published or shed every event of it: it then enters an empty queue, so it is never
//! shed itself, and in the stream it comes after the whole load. Events shed by that process
//! (its queue behind the shard full: a gateway's publisher slower than the socket) are counted
//! and left out of the rate.

use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use serde_json::json;

use crate::deployment::{Deployment, Phase, Progress};
use crate::harness::{count, wait_answered};
use crate::world::{first_guild_channels, session};

/// The `/ask` marker's answer.
const MARKER: &str = "bench marker: the last event";
/// How long processes may take to go idle around the phase.
const QUIET_WITHIN: Duration = Duration::from_secs(30);
/// How often the bench reads the shard's process's `/metrics` once the load is written.
const POLL: Duration = Duration::from_millis(2);
/// Bounds of the wait between readings while writing chunks.
const MIN_WAIT: Duration = Duration::from_millis(1);
const MAX_WAIT: Duration = Duration::from_millis(20);

/// How the load is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pace {
    /// All N at once, as fast as the socket takes them.
    Burst,
    /// In chunks of this many, the next one written only when at most one chunk is still
    /// unsettled (not yet received; in a cluster, not yet published or shed): what the shape
    /// sustains without its queue overflowing.
    Chunks(u64),
}

/// What the phase measured.
#[derive(Debug, Clone)]
pub(crate) struct Events {
    /// First event written -> the `/ask` follow-up seen (polled every 5 ms), and CPU until the
    /// processes were idle again (every worker reads every event).
    pub(crate) phase: Phase,
    /// Events the shard's process shed.
    pub(crate) shed: u64,
}

/// Where the load and the marker go, and the `/ask` that waits for the marker.
struct Marker {
    /// The `/ask` interaction.
    ask: String,
    load_channel: u64,
    ask_channel: u64,
    /// The user who asked, and posts the marker.
    user: u64,
}

/// Runs the phase: `events` messages written at `pace`, then the marker.
pub(crate) async fn events(deployment: &Deployment, events: u64, pace: Pace) -> Result<Events> {
    let control = &deployment.control;
    let marker = ask(deployment).await?;
    deployment.quiet(QUIET_WITHIN).await?;
    let cpu_before = deployment.cpu()?;
    let before = deployment.front_progress().await?;
    let seq = session(control).await?.seq + events;
    // Generous: a debug build on a busy machine may take minutes for a big N.
    let patience = Duration::from_secs(60) + Duration::from_millis(events / 2);
    let start = Instant::now();
    let deadline = start + patience;
    write(deployment, &marker, events, pace, before, deadline).await?;
    let shed = loop {
        let now = deployment.front_progress().await?;
        let progress = now.since(before);
        if now.received >= seq && settled(deployment, progress) >= events {
            break progress.shed;
        }
        if Instant::now() > deadline {
            bail!(
                "within {patience:?}: {progress:?} of {events} events (dispatch {seq} awaited); output:\n{}",
                deployment.tails()
            );
        }
        tokio::time::sleep(POLL).await;
    };
    control
        .post_message(marker.ask_channel, MARKER, Some(marker.user))
        .await?;
    let elapsed = loop {
        let status = control.interaction(&marker.ask).await?;
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
        if Instant::now() > deadline {
            bail!(
                "the marker after {events} events was not seen within {patience:?}; output:\n{}",
                deployment.tails()
            );
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    // Every worker reads every event: count the CPU until all of them are done.
    deployment.quiet(QUIET_WITHIN).await?;
    let cpu_after = deployment.cpu()?;
    Ok(Events {
        phase: Phase::new(elapsed, &cpu_before, &cpu_after),
        shed,
    })
}

/// Events of the load the shard's process is done with: received (standalone), or published
/// or shed (a gateway).
fn settled(deployment: &Deployment, progress: Progress) -> u64 {
    if deployment.is_cluster() {
        progress.published + progress.shed
    } else {
        progress.received
    }
}

/// Starts the `/ask` that waits for the marker, and waits for its question.
async fn ask(deployment: &Deployment) -> Result<Marker> {
    let control = &deployment.control;
    let state = control.state().await?;
    let channels = first_guild_channels(&state);
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
    let asked = wait_answered(
        control,
        &ask.id,
        Duration::from_secs(30),
        Duration::from_millis(10),
    )
    .await?;
    if asked.is_none() {
        bail!("/ask was not answered within 30 s");
    }
    Ok(Marker {
        ask: ask.id,
        load_channel,
        ask_channel,
        user,
    })
}

/// Writes the load at `pace`.
async fn write(
    deployment: &Deployment,
    marker: &Marker,
    events: u64,
    pace: Pace,
    before: Progress,
    deadline: Instant,
) -> Result<()> {
    let control = &deployment.control;
    let Pace::Chunks(chunk) = pace else {
        control
            .load_messages(events, Some(marker.load_channel))
            .await?;
        return Ok(());
    };
    let chunk = chunk.max(1);
    let mut written = 0;
    // The rate the process settles events at, from the last two readings: the next reading is
    // due when a chunk's room should be free, so `/metrics` (which costs the measured process
    // CPU) is read about once per chunk rather than every few milliseconds.
    let mut last: Option<(Instant, u64)> = None;
    while written < events {
        let progress = deployment.front_progress().await?.since(before);
        let done = settled(deployment, progress);
        let now = Instant::now();
        let ahead = written.saturating_sub(done);
        if ahead > chunk {
            if now > deadline {
                bail!("the load stalled: {progress:?} after {written} written");
            }
            let rate = last
                .filter(|(at, was)| done > *was && now > *at)
                .map(|(at, was)| count(done - was) / (now - at).as_secs_f64());
            let wait = rate.map_or(MIN_WAIT, |rate| {
                Duration::from_secs_f64(count(ahead - chunk) / rate).clamp(MIN_WAIT, MAX_WAIT)
            });
            last = Some((now, done));
            tokio::time::sleep(wait).await;
            continue;
        }
        last = Some((now, done));
        let n = chunk.min(events - written);
        control.load_messages(n, Some(marker.load_channel)).await?;
        written += n;
    }
    Ok(())
}
