//! systemd integration (`Type=notify`): `READY=1`, `WATCHDOG=1`, `STATUS=`, `STOPPING=1`.
//!
//! Everything here is a no-op without `NOTIFY_SOCKET`. The watchdog is fed only while the
//! runtime's liveness holds (fresh tick, no stalled shard runner), never by a blind timer, so a
//! wedged process is restarted by systemd.

use std::time::Duration;

use novera_core::{Shutdown, StatusRegistry};
use sd_notify::NotifyState;

/// Whether a service manager listens.
pub(crate) fn enabled() -> bool {
    std::env::var_os("NOTIFY_SOCKET").is_some()
}

fn notify(states: &[NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!(error = %e, "cannot notify systemd");
    }
}

/// Spawns the notifier, tracked by `shutdown`: `READY=1` once everything is ready, `STATUS=`
/// on changes, and the watchdog when `WATCHDOG_USEC` asks for it. When the stop is requested
/// it sends `STOPPING=1` and ends: from then on systemd is in its stop phase, where the
/// watchdog no longer applies and `TimeoutStopSec` bounds the drain.
pub(crate) fn spawn(shutdown: &Shutdown, registry: StatusRegistry, max_tick_age: Duration) {
    if !enabled() {
        return;
    }
    let watchdog = sd_notify::watchdog_enabled();
    let cancel = shutdown.token();
    shutdown.spawn("systemd notifier", async move {
        let mut changes = registry.subscribe();
        let mut ready_sent = false;
        let mut last_status = String::new();
        // Ping at half the watchdog period, as systemd recommends.
        let period = watchdog.map_or(Duration::from_secs(3600), |d| d / 2);
        let mut ticker = tokio::time::interval(period);
        loop {
            let readiness = registry.readiness();
            let line = if readiness.ready {
                "ready: all shards active".to_owned()
            } else if readiness.not_ready.is_empty() {
                "starting".to_owned()
            } else {
                let waiting: Vec<String> =
                    readiness.not_ready.iter().map(|c| c.name.clone()).collect();
                format!("waiting for: {}", waiting.join(", "))
            };
            if line != last_status {
                notify(&[NotifyState::Status(&line)]);
                last_status = line;
            }
            if readiness.ready && !ready_sent {
                notify(&[NotifyState::Ready]);
                ready_sent = true;
            }
            tokio::select! {
                () = cancel.cancelled() => {
                    notify(&[NotifyState::Stopping, NotifyState::Status("stopping")]);
                    return;
                }
                update = changes.changed() => {
                    if update.is_err() {
                        return;
                    }
                }
                _ = ticker.tick() => {
                    if watchdog.is_some() {
                        let liveness = registry.liveness(max_tick_age);
                        if liveness.alive {
                            notify(&[NotifyState::Watchdog]);
                        } else {
                            tracing::error!(problems = ?liveness.problems, "not feeding the systemd watchdog: runtime is not live");
                        }
                    }
                }
            }
        }
    });
}
