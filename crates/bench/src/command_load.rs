//! The `cluster` scenario's commands phase: how many `/ping`s per second each shape answers.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use futures_util::StreamExt as _;
use serde_json::Value;

use crate::deployment::{Deployment, Phase};

/// `/ping`s sent at once (a wave).
const WAVE: u64 = 32;
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
/// processes counted every command so far handled (`novera_commands_served_total` + failed +
/// busy, polled every 5 ms). A closed loop: never more than a wave in the bot, so neither
/// shape is pushed past `commands.max_in_flight`, and commands/s is what each sustains.
pub(crate) async fn commands(
    deployment: &Deployment,
    commands: u64,
) -> Result<(Phase, CommandsResult)> {
    const HANDLED: [&str; 3] = [
        "novera_commands_served_total",
        "novera_commands_failed_total",
        BUSY,
    ];
    const BUSY: &str = "novera_commands_busy_rejected_total";
    let handled = async || -> Result<u64> {
        let mut sum = 0;
        for name in HANDLED {
            sum += deployment.metric(name).await?;
        }
        Ok(sum)
    };
    deployment.quiet(QUIET_WITHIN).await?;
    let handled_before = handled().await?;
    let busy_before = deployment.metric(BUSY).await?;
    let before = deployment.cpu()?;
    let control = &deployment.control;
    let patience = Duration::from_secs(60) + Duration::from_millis(commands * 10);
    let start = Instant::now();
    let mut ids = Vec::new();
    let mut sent = 0;
    while sent < commands {
        let wave = WAVE.min(commands - sent);
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
        while handled().await?.saturating_sub(handled_before) < sent {
            if start.elapsed() > patience {
                bail!("the bot did not handle {sent} commands within {patience:?}");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let elapsed = start.elapsed();
    let busy = deployment.metric(BUSY).await?.saturating_sub(busy_before);
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
