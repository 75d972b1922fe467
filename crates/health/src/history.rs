//! The status page's last 15 minutes: readings of the counters turned into chart points, kept in
//! a bounded ring.
//!
//! A point is computed once, when its reading arrives: rates from the previous reading, latency
//! percentiles from the reading [`LATENCY_WINDOW`] earlier. Only as many readings as that window
//! needs are kept, and at most [`HISTORY_WINDOW`] worth of points, so the memory is bounded by
//! the sample period alone.

use std::collections::VecDeque;
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use crate::latency::Buckets;

/// How far back the status page's charts go.
pub const HISTORY_WINDOW: Duration = Duration::from_secs(15 * 60);

/// How often the sampler reads the counters unless told otherwise.
pub const DEFAULT_SAMPLE_PERIOD: Duration = Duration::from_secs(2);

/// The shortest sample period accepted (shorter ones are raised to it): 9,000 points in the
/// window at most.
pub const MIN_SAMPLE_PERIOD: Duration = Duration::from_millis(100);

/// The longest sample period accepted (longer ones are lowered to it).
pub const MAX_SAMPLE_PERIOD: Duration = Duration::from_secs(60);

/// Each latency point describes the commands that finished within this much time before it:
/// long enough that a single `/ping` stays visible for a while, short enough to show a change.
pub const LATENCY_WINDOW: Duration = Duration::from_secs(60);

/// One reading of the counters the charts are drawn from.
#[derive(Debug, Clone)]
pub(crate) struct Reading {
    pub(crate) at: Instant,
    pub(crate) at_unix_ms: u64,
    /// Dispatch events received by all shards, when any shard exists.
    pub(crate) events: Option<u64>,
    /// Interactions the router took (served, failed or shed), once it runs.
    pub(crate) commands: Option<u64>,
    /// The command duration histogram's cumulative buckets.
    pub(crate) latency: Buckets,
}

/// One point of the status page's charts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryPoint {
    /// When it was sampled, as milliseconds since the Unix epoch.
    pub at_unix_ms: u64,
    /// Dispatch events per second since the previous point (all shards).
    pub events_per_sec: Option<f64>,
    /// Interactions per second since the previous point (served, failed and shed).
    pub commands_per_sec: Option<f64>,
    /// Median duration of the commands that finished in the [`LATENCY_WINDOW`] before this
    /// point, in milliseconds; none when no command finished.
    pub latency_p50_ms: Option<f64>,
    /// Their 99th percentile, in milliseconds.
    pub latency_p99_ms: Option<f64>,
    /// How many commands those percentiles describe.
    pub latency_count: u64,
}

/// The body of `/history`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryReport {
    /// Seconds between points.
    pub sample_period_secs: f64,
    /// How far back points are kept, in seconds.
    pub window_secs: f64,
    /// The window each latency point covers, in seconds.
    pub latency_window_secs: f64,
    /// The points, oldest first.
    pub points: Vec<HistoryPoint>,
}

/// The ring of points and the few readings the next point needs.
#[derive(Debug)]
pub(crate) struct History {
    period: Duration,
    capacity: usize,
    readings: VecDeque<Reading>,
    points: VecDeque<HistoryPoint>,
}

impl History {
    /// An empty history sampled every `period` (clamped to the accepted range).
    pub(crate) fn new(period: Duration) -> Self {
        let period = clamp_period(period);
        let capacity = usize::try_from(HISTORY_WINDOW.as_millis().div_ceil(period.as_millis()))
            .unwrap_or(usize::MAX);
        Self {
            period,
            capacity,
            readings: VecDeque::new(),
            points: VecDeque::with_capacity(capacity),
        }
    }

    pub(crate) fn period(&self) -> Duration {
        self.period
    }

    /// Turns `reading` into a point and forgets what falls out of the windows.
    pub(crate) fn record(&mut self, reading: Reading) {
        let point = self.point(&reading);
        if self.points.len() == self.capacity {
            self.points.pop_front();
        }
        self.points.push_back(point);

        let boundary = reading.at.checked_sub(LATENCY_WINDOW);
        self.readings.push_back(reading);
        // Keep one reading at or before the latency window's start, and everything after it.
        while let (Some(boundary), Some(second)) = (boundary, self.readings.get(1))
            && second.at <= boundary
        {
            self.readings.pop_front();
        }
    }

    fn point(&self, reading: &Reading) -> HistoryPoint {
        let previous = self.readings.back();
        let per_sec = |now: Option<u64>, before: Option<u64>| {
            let previous = previous?;
            let elapsed = reading
                .at
                .saturating_duration_since(previous.at)
                .as_secs_f64();
            // A counter that went backwards (the shards were replaced) restarts from zero.
            let (now, before) = (now?, before?);
            (elapsed > 0.0).then(|| as_f64(now.checked_sub(before).unwrap_or(now)) / elapsed)
        };
        let events_per_sec = per_sec(reading.events, previous.and_then(|p| p.events));
        let commands_per_sec = per_sec(reading.commands, previous.and_then(|p| p.commands));

        let window_start = reading.at.checked_sub(LATENCY_WINDOW);
        // The newest reading at or before the window's start; while the process is younger than
        // the window, the first reading (taken at start, before any command ran).
        let base = self
            .readings
            .iter()
            .rev()
            .find(|r| window_start.is_some_and(|start| r.at <= start))
            .or_else(|| self.readings.front());
        let finished = match base {
            Some(base) => reading.latency.since(&base.latency),
            None => reading.latency.clone(),
        };
        let to_ms = |q: f64| finished.quantile(q).map(|secs| secs * 1000.0);
        HistoryPoint {
            at_unix_ms: reading.at_unix_ms,
            events_per_sec,
            commands_per_sec,
            latency_p50_ms: to_ms(0.5),
            latency_p99_ms: to_ms(0.99),
            latency_count: finished.total(),
        }
    }

    /// The points after `since_unix_ms` (all of them with `0`), oldest first.
    pub(crate) fn report(&self, since_unix_ms: u64) -> HistoryReport {
        HistoryReport {
            sample_period_secs: self.period.as_secs_f64(),
            window_secs: HISTORY_WINDOW.as_secs_f64(),
            latency_window_secs: LATENCY_WINDOW.as_secs_f64(),
            points: self
                .points
                .iter()
                .filter(|p| p.at_unix_ms > since_unix_ms)
                .cloned()
                .collect(),
        }
    }
}

/// `period` within [`MIN_SAMPLE_PERIOD`] and [`MAX_SAMPLE_PERIOD`].
pub(crate) fn clamp_period(period: Duration) -> Duration {
    period.clamp(MIN_SAMPLE_PERIOD, MAX_SAMPLE_PERIOD)
}

#[allow(
    clippy::cast_precision_loss,
    reason = "event counts stay far below 2^52; a rate is approximate anyway"
)]
fn as_f64(count: u64) -> f64 {
    count as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::latency::COMMAND_DURATION;

    fn buckets(durations: &[f64]) -> Buckets {
        let recorder = crate::prometheus_builder().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            for &secs in durations {
                metrics::histogram!(COMMAND_DURATION, "command" => "ping").record(secs);
            }
        });
        Buckets::read(&handle.render(), COMMAND_DURATION)
    }

    struct Clock {
        start: Instant,
    }

    impl Clock {
        fn new() -> Self {
            Self {
                start: Instant::now(),
            }
        }

        fn reading(&self, secs: u64, events: u64, commands: u64, latency: Buckets) -> Reading {
            Reading {
                at: self.start + Duration::from_secs(secs),
                at_unix_ms: 1_000_000 + secs * 1000,
                events: Some(events),
                commands: Some(commands),
                latency,
            }
        }
    }

    #[test]
    fn rates_come_from_consecutive_readings() {
        let clock = Clock::new();
        let mut history = History::new(Duration::from_secs(2));
        history.record(clock.reading(0, 100, 0, Buckets::default()));
        history.record(clock.reading(2, 140, 4, Buckets::default()));
        let points = history.report(0).points;
        assert_eq!(points.len(), 2);
        assert_eq!(points[0].events_per_sec, None, "no earlier reading");
        assert_eq!(points[1].events_per_sec, Some(20.0));
        assert_eq!(points[1].commands_per_sec, Some(2.0));
        assert_eq!(points[1].latency_p50_ms, None, "no command finished");
    }

    #[test]
    fn a_counter_that_went_backwards_counts_from_zero() {
        let clock = Clock::new();
        let mut history = History::new(Duration::from_secs(2));
        history.record(clock.reading(0, 500, 0, Buckets::default()));
        history.record(clock.reading(2, 10, 0, Buckets::default()));
        assert_eq!(history.report(0).points[1].events_per_sec, Some(5.0));
    }

    #[test]
    fn latency_points_cover_the_commands_of_the_last_minute() {
        let clock = Clock::new();
        let mut history = History::new(Duration::from_secs(10));
        history.record(clock.reading(0, 0, 0, Buckets::default()));
        // One slow command at 5 s.
        let slow = buckets(&[0.7]);
        history.record(clock.reading(10, 0, 1, slow.clone()));
        let point = history.report(0).points[1].clone();
        assert_eq!(point.latency_count, 1);
        assert_eq!(
            point.latency_p99_ms,
            Some(0.5 + 0.5 * 0.99).map(|s| s * 1000.0)
        );
        // Still within a minute: the same command is described.
        history.record(clock.reading(60, 0, 1, slow.clone()));
        assert_eq!(history.report(0).points[2].latency_count, 1);
        // 70 s: the reading at 10 s is the window's start, and nothing finished since.
        history.record(clock.reading(70, 0, 1, slow.clone()));
        let point = history.report(0).points[3].clone();
        assert_eq!((point.latency_count, point.latency_p50_ms), (0, None));
        // Three fast ones at 75 s: only they are described.
        history.record(clock.reading(80, 0, 4, buckets(&[0.7, 0.004, 0.004, 0.004])));
        let point = history.report(0).points[4].clone();
        assert_eq!(point.latency_count, 3);
        assert!(point.latency_p99_ms.unwrap() <= 5.0, "{point:?}");
    }

    #[test]
    fn the_ring_keeps_fifteen_minutes_and_few_readings() {
        let clock = Clock::new();
        let mut history = History::new(Duration::from_secs(5));
        for i in 0..1000 {
            history.record(clock.reading(i * 5, i, 0, Buckets::default()));
        }
        let report = history.report(0);
        assert_eq!(report.points.len(), 180);
        assert_eq!(report.points[0].at_unix_ms, 1_000_000 + 820 * 5 * 1000);
        assert_eq!(report.points[179].at_unix_ms, 1_000_000 + 999 * 5 * 1000);
        // The reading 60 s back and everything after it: 13 readings.
        assert_eq!(history.readings.len(), 13);
        // Only newer points after a given time.
        let since = report.points[177].at_unix_ms;
        assert_eq!(history.report(since).points.len(), 2);
    }

    #[test]
    fn sample_periods_are_clamped() {
        assert_eq!(History::new(Duration::ZERO).period(), MIN_SAMPLE_PERIOD);
        assert_eq!(History::new(Duration::ZERO).capacity, 9000);
        assert_eq!(
            History::new(Duration::from_secs(3600)).period(),
            MAX_SAMPLE_PERIOD
        );
        assert_eq!(History::new(Duration::from_secs(7)).capacity, 129);
    }
}
