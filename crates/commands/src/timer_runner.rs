//! The timer runner: finds due timers in the state store, leases each (so exactly one process
//! of the bot fires it) and fires it through its command's [`Command::timer`] on the router's
//! work pool, under the command's deadline and panic isolation.
//!
//! A timer whose handler fails, panics, misses its deadline or whose process dies keeps its
//! lease until the lease runs out (the deadline plus [`LEASE_MARGIN`]), then fires again, at
//! most [`MAX_ATTEMPTS`] times in all.
//!
//! [`Command::timer`]: crate::Command::timer

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use novera_core::{CancellationToken, panic_message, within};
use tokio::time::{Instant, MissedTickBehavior};

use crate::context::Shared;
use crate::failure::CommandFailure;
use crate::registry::Entry;
use crate::state::{DueTimer, LeasedTimer};
use crate::stats::Failure;
use crate::timer_context::TimerContext;

/// How many times a timer is fired before it is dropped with an error.
pub(crate) const MAX_ATTEMPTS: u32 = 5;

/// How much longer than the handler's deadline a lease lasts.
pub(crate) const LEASE_MARGIN: Duration = Duration::from_secs(2);

/// How often expired state entries are removed from the store.
const PURGE_EVERY: Duration = Duration::from_secs(60);

/// Checks for due timers every `interval` until `cancel` fires; timers already firing finish on
/// the work pool (the shutdown's drain waits for them).
pub(crate) async fn run(shared: Arc<Shared>, interval: Duration, cancel: CancellationToken) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut next_purge = Instant::now() + PURGE_EVERY;
    loop {
        tokio::select! {
            biased;
            () = cancel.cancelled() => break,
            _ = tick.tick() => {}
        }
        fire_due(&shared, &cancel).await;
        if Instant::now() >= next_purge {
            next_purge = Instant::now() + PURGE_EVERY;
            match within(shared.config.rest_deadline, shared.state.purge_expired()).await {
                Some(Ok(0)) => {}
                Some(Ok(removed)) => tracing::debug!(removed, "removed expired command state"),
                Some(Err(error)) => {
                    tracing::warn!(error = %crate::error::chain(&error), "could not remove expired command state");
                }
                None => tracing::warn!("removing expired command state timed out"),
            }
        }
    }
    tracing::debug!("timer runner stopped");
}

async fn fire_due(shared: &Arc<Shared>, cancel: &CancellationToken) {
    let deadline = shared.config.rest_deadline;
    let due = match within(deadline, shared.timers.due()).await {
        Some(Ok(due)) => due,
        Some(Err(error)) => {
            tracing::warn!(error = %crate::error::chain(&error), "could not read the due timers");
            return;
        }
        None => {
            tracing::warn!("reading the due timers timed out");
            return;
        }
    };
    for timer in due {
        if cancel.is_cancelled() {
            return;
        }
        let Some(entry) = shared.registry.entry(&timer.command).cloned() else {
            tracing::warn!(
                command = timer.command,
                key = timer.key,
                "dropping a timer of a command this bot does not serve"
            );
            discard(shared, &timer).await;
            continue;
        };
        if timer.attempts >= MAX_ATTEMPTS {
            tracing::error!(
                command = timer.command,
                key = timer.key,
                attempts = timer.attempts,
                "dropping a timer that failed every time it fired"
            );
            discard(shared, &timer).await;
            continue;
        }
        let lease = limit(shared, &entry) + LEASE_MARGIN;
        let leased = match within(deadline, shared.timers.lease(&timer, lease)).await {
            Some(Ok(Some(leased))) => leased,
            // Another process leased it first, or it was rescheduled or cancelled meanwhile.
            Some(Ok(None)) => continue,
            Some(Err(error)) => {
                tracing::warn!(command = timer.command, error = %crate::error::chain(&error), "could not lease a timer");
                continue;
            }
            None => {
                tracing::warn!(command = timer.command, "leasing a timer timed out");
                continue;
            }
        };
        let task = format!("timer /{}", timer.command);
        let run = fire(Arc::clone(shared), entry, leased);
        if shared.pool.try_spawn(task, run).is_err() {
            // It fires again once its lease runs out.
            tracing::warn!(
                command = timer.command,
                key = timer.key,
                "handlers are busy: a due timer waits for its lease to run out"
            );
        }
    }
}

fn limit(shared: &Shared, entry: &Entry) -> Duration {
    entry
        .def
        .deadline_override()
        .unwrap_or(shared.config.default_deadline)
}

async fn discard(shared: &Shared, timer: &DueTimer) {
    if let Some(Err(error)) =
        within(shared.config.rest_deadline, shared.timers.discard(timer)).await
    {
        tracing::warn!(error = %crate::error::chain(&error), "could not drop a timer");
    }
}

async fn fire(shared: Arc<Shared>, entry: Arc<Entry>, leased: LeasedTimer) {
    let name = entry.def.name();
    let limit = limit(&shared, &entry);
    let ctx = TimerContext::new(
        shared.rest(),
        shared.application_id,
        Arc::clone(&shared.cache),
        shared.config.rest_deadline,
        shared.command_state(name),
        &leased,
    );
    let handler = Arc::clone(&entry.handler);
    // Called inside the guarded future, so a panic before it returns its future is caught.
    let work = AssertUnwindSafe(async move { handler.timer(ctx).await }).catch_unwind();
    let failure = match within(limit, work).await {
        Some(Ok(Ok(()))) => None,
        Some(Ok(Err(error))) => Some((Failure::Error, error.cause())),
        Some(Err(panic)) => Some((Failure::Panic, panic_message(&*panic))),
        None => Some((
            Failure::Deadline,
            format!("no result within the {limit:?} deadline; the timer handler was cancelled"),
        )),
    };
    let Some((failure, cause)) = failure else {
        metrics::counter!("novera_commands_timers_fired_total", "command" => name.to_owned())
            .increment(1);
        match within(shared.config.rest_deadline, shared.timers.complete(&leased)).await {
            Some(Ok(_)) => {}
            Some(Err(error)) => {
                tracing::warn!(command = name, error = %crate::error::chain(&error), "a timer fired but could not be removed; it may fire again");
            }
            None => tracing::warn!(
                command = name,
                "removing a fired timer timed out; it may fire again"
            ),
        }
        return;
    };
    let reference = format!("{:08x}", fastrand::u32(..));
    shared.counters.failed(name, failure);
    tracing::error!(
        reference = %reference,
        command = name,
        key = leased.key,
        attempt = leased.attempt,
        reason = failure.label(),
        cause,
        "timer handler failed; it fires again when its lease runs out"
    );
    if let Some(observer) = &shared.on_failure {
        observer(&CommandFailure {
            command: name.to_owned(),
            reference,
            kind: failure.kind(),
            cause,
        });
    }
}
