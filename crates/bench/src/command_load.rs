//! The `cluster` scenario's commands phase: how many `/ping`s per second each shape answers.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use futures_util::StreamExt as _;
use serde_json::Value;

use crate::deployment::{Deployment, Phase};

/// `/ping`s sent at once (a wave).
const WAVE: u64 = 32;
/// How often a wave's end is checked once it is due.
const POLL: Duration = Duration::from_millis(2);
/// The longest wait before a wave's first check.
const MAX_FIRST_CHECK: Duration = Duration::from_millis(100);
/// How long processes may take to go idle around the phase.
const QUIET_WITHIN: Duration = Duration::from_secs(30);

/// What the commands phase measured besides its [`Phase`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct CommandsResult {
    /// Commands without an accepted initial response afterwards.
    pub(crate) unanswered: u64,
    /// Commands the router refused as busy (`novera_commands_busy_rejected_total`).
    pub(crate) busy: u64,
}

/// C `/ping`s in waves of [`WAVE`]: a wave is sent at once, and the next one when the bot's
/// routers (workers, or the standalone bot) counted every command so far handled
/// (`novera_commands_served_total` + failed + busy; first read a little before the wave is due
/// by the previous one's time, then every 2 ms). A closed loop: never more than a wave in the bot, so neither
/// shape is pushed past `commands.max_in_flight`, and commands/s is what each sustains.
pub(crate) async fn commands(
    deployment: &Deployment,
    commands: u64,
) -> Result<(Phase, CommandsResult)> {
    const HANDLED: [&str; 3] = [
        "novera_commands_served_total",
        "novera_commands_failed_total",
        "novera_commands_busy_rejected_total",
    ];
    // Handled and busy, from one reading of each router's `/metrics`.
    let handled = async || -> Result<(u64, u64)> {
        let sums = deployment.routers_metrics(&HANDLED).await?;
        Ok((sums.iter().sum(), sums[2]))
    };
    deployment.quiet(QUIET_WITHIN).await?;
    let (handled_before, busy_before) = handled().await?;
    let before = deployment.cpu()?;
    let control = &deployment.control;
    let patience = Duration::from_secs(60) + Duration::from_millis(commands * 10);
    let start = Instant::now();
    let mut ids = Vec::new();
    let mut sent = 0;
    // The last wave's time: the next one is first checked a bit before it would end, so the
    // bench reads `/metrics` (which costs the processes CPU) a few times per wave, not every
    // few milliseconds.
    let mut last_wave = Duration::ZERO;
    let mut busy = 0;
    while sent < commands {
        let wave = WAVE.min(commands - sent);
        let wave_start = Instant::now();
        let created: Vec<_> = futures_util::stream::iter(0..wave)
            .map(|_| async move {
                control
                    .run_command("ping", Value::Null, None, None, None)
                    .await
            })
            .buffer_unordered(usize::try_from(WAVE).unwrap_or(1))
            .collect()
            .await;
        for c in created {
            ids.push(c.context("create a command")?.id);
        }
        sent += wave;
        tokio::time::sleep_until((wave_start + last_wave * 4 / 5).into()).await;
        loop {
            let (handled_now, busy_now) = handled().await?;
            if handled_now.saturating_sub(handled_before) >= sent {
                busy = busy_now.saturating_sub(busy_before);
                break;
            }
            if start.elapsed() > patience {
                bail!("the bot did not handle {sent} commands within {patience:?}");
            }
            tokio::time::sleep(POLL).await;
        }
        last_wave = wave_start.elapsed().min(MAX_FIRST_CHECK);
    }
    let elapsed = start.elapsed();
    deployment.quiet(QUIET_WITHIN).await?;
    let after = deployment.cpu()?;
    let answered: Vec<bool> = futures_util::stream::iter(&ids)
        .map(|id| async move {
            control
                .interaction(id)
                .await
                .is_ok_and(|status| status.responded)
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let unanswered = answered.iter().filter(|&&a| !a).count();
    Ok((
        Phase::new(elapsed, &before, &after),
        CommandsResult {
            unanswered: u64::try_from(unanswered).unwrap_or(u64::MAX),
            busy,
        },
    ))
}
