//! The Prometheus side: installing the recorder (for `app`, once), keeping it tidy, and
//! rendering `/metrics`.

use std::fmt::Write as _;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use novera_core::{CancellationToken, Supervisor};
use tokio::task::JoinHandle;

use crate::error::RecorderError;
use crate::process::{write_family, write_process_metrics};
use crate::state::HealthState;

/// The content type of the Prometheus text exposition format.
pub const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Histogram buckets, in seconds, for every metric whose name ends in `_seconds`: from a fast
/// cache hit (1 ms) past Discord's 3 s interaction window up to a minute.
pub const DURATION_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 3.0, 5.0, 10.0, 30.0, 60.0,
];

/// How often [`spawn_upkeep`] should run: the exporter's own default.
pub const UPKEEP_PERIOD: Duration = Duration::from_secs(5);

/// The recorder settings Novera uses: `_seconds` histograms get [`DURATION_BUCKETS`], other
/// histograms render as summaries, names are kept exactly as recorded (they already carry
/// their unit and `_total`).
///
/// Tests build a local recorder from this with `build_recorder()`; `app` calls
/// [`install_recorder`].
///
/// # Panics
/// Never: the only failure `set_buckets_for_metric` has is an empty bucket list.
#[must_use]
pub fn prometheus_builder() -> PrometheusBuilder {
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), DURATION_BUCKETS)
        .expect("DURATION_BUCKETS is a non-empty constant")
}

/// Installs the global `metrics` recorder and returns the handle `/metrics` renders.
///
/// Call it once, from `app`, before anything records; health never installs it by itself.
/// Pair it with [`spawn_upkeep`] so histograms do not grow between scrapes.
pub fn install_recorder() -> Result<PrometheusHandle, RecorderError> {
    prometheus_builder()
        .install_recorder()
        .map_err(RecorderError::Install)
}

/// Runs the recorder's upkeep (draining histogram samples) every `period` until `cancel` fires.
///
/// `install_recorder` does not spawn this itself; without it, histogram memory grows until the
/// next scrape. `/metrics` also runs upkeep before rendering.
#[allow(
    clippy::must_use_candidate,
    reason = "the task runs detached until cancelled"
)]
pub fn spawn_upkeep(
    handle: PrometheusHandle,
    period: Duration,
    cancel: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = cancel.cancelled() => return,
                _ = interval.tick() => handle.run_upkeep(),
            }
        }
    })
}

/// The full `/metrics` body: the recorder's metrics, process metrics, build info and the
/// health verdicts, redacted.
pub(crate) fn render(state: &HealthState) -> String {
    let mut out = String::new();
    if let Some(handle) = state.metrics() {
        handle.run_upkeep();
        out.push_str(&handle.render());
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
    }
    write_process_metrics(&mut out);
    write!(
        out,
        "# HELP novera_build_info The running build; the value is always 1.\n\
         # TYPE novera_build_info gauge\n\
         novera_build_info{{version=\"{}\"}} 1\n\n",
        escape_label_value(state.version())
    )
    .expect("writing to a String cannot fail");

    if let Some(supervisor) = state.supervisor() {
        write_supervisor_budget(&mut out, supervisor);
    }

    let liveness = state.liveness();
    let readiness = state.readiness();
    write_family(
        &mut out,
        "novera_health_alive",
        "gauge",
        "1 while /healthz answers 200 (the runtime is making progress), else 0.",
        u8::from(liveness.alive),
    );
    write_family(
        &mut out,
        "novera_health_ready",
        "gauge",
        "1 while /readyz answers 200 (every required component is ready), else 0.",
        u8::from(readiness.ready),
    );
    write_family(
        &mut out,
        "novera_health_liveness_tick_age_seconds",
        "gauge",
        "Seconds since the runtime's liveness tick last ran.",
        liveness.tick_age_secs,
    );
    state.redactor().redact(&out).into_owned()
}

/// The supervisor's restart budget and how much of it each component used, read at scrape time:
/// `novera_supervisor_restarts_total` only appears after a first restart and cannot say how
/// close the sliding window is to escalating, which is what an alert must know.
fn write_supervisor_budget(out: &mut String, supervisor: &Supervisor) {
    let policy = supervisor.policy();
    write_family(
        out,
        "novera_supervisor_restart_budget",
        "gauge",
        "Restarts a supervised component may make within the window; one more failure escalates (exit 70).",
        policy.max_restarts,
    );
    write_family(
        out,
        "novera_supervisor_restart_window_seconds",
        "gauge",
        "The sliding window of the supervisor's restart budget.",
        policy.window.as_secs_f64(),
    );
    let name = "novera_supervisor_restarts_in_window";
    write!(
        out,
        "# HELP {name} Restarts of the component within the budget's sliding window now.
         # TYPE {name} gauge
"
    )
    .expect("writing to a String cannot fail");
    for component in supervisor.components() {
        writeln!(
            out,
            "{name}{{component=\"{}\"}} {}",
            escape_label_value(&component.name),
            component.restarts_in_window
        )
        .expect("writing to a String cannot fail");
    }
    out.push('\n');
}

/// Escapes a label value per the text exposition format: backslash, double quote, newline.
fn escape_label_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label_value("1.2.3"), "1.2.3");
        assert_eq!(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn seconds_histograms_get_the_duration_buckets() {
        let recorder = prometheus_builder().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            metrics::histogram!("novera_test_latency_seconds").record(0.2);
        });
        let text = handle.render();
        assert!(
            text.contains("novera_test_latency_seconds_bucket{le=\"0.25\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("novera_test_latency_seconds_bucket{le=\"0.1\"} 0"),
            "{text}"
        );
    }
}
