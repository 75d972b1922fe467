//! Command latency percentiles for the status page, from the same histogram Prometheus scrapes.
//!
//! The router records every invocation's duration in `novera_commands_duration_seconds` (one
//! series per command, [`DURATION_BUCKETS`](crate::DURATION_BUCKETS)). The sampler reads that
//! family's cumulative bucket counts from the recorder's text, summed over commands; the
//! difference between two readings is the distribution of the commands that finished in
//! between, and its quantiles are estimated exactly as Prometheus' `histogram_quantile` does
//! (linear interpolation inside the bucket), so the page and a Grafana panel over the same
//! buckets agree.
//!
//! Only this one family's `_bucket` lines are read, by hand: a full exposition parser would
//! allocate for every line of every family on each sample, and these lines have one fixed shape
//! (the exporter writes `le` last).

/// The histogram the router records command durations in (novera-commands' name; health may not
/// depend on that crate, and the status page's browser test fails if the name drifts).
pub(crate) const COMMAND_DURATION: &str = "novera_commands_duration_seconds";

/// Cumulative bucket counts of one histogram family, summed over its label sets: `(le, count)`
/// with `le` ascending, `+Inf` last.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Buckets(Vec<(f64, u64)>);

impl Buckets {
    /// The buckets of `family` in Prometheus text `exposition`, summed over the other labels.
    /// Empty when the family has not been recorded yet.
    pub(crate) fn read(exposition: &str, family: &str) -> Self {
        let mut sums: Vec<(f64, u64)> = Vec::new();
        for line in exposition.lines() {
            let Some(rest) = line.strip_prefix(family) else {
                continue;
            };
            let Some(rest) = rest.strip_prefix("_bucket{") else {
                continue;
            };
            let Some((le, count)) = parse_bucket(rest) else {
                continue;
            };
            match sums
                .iter_mut()
                .find(|(bound, _)| bound.total_cmp(&le).is_eq())
            {
                Some((_, sum)) => *sum = sum.saturating_add(count),
                None => sums.push((le, count)),
            }
        }
        sums.sort_by(|a, b| a.0.total_cmp(&b.0));
        Self(sums)
    }

    /// Observations counted (the `+Inf` bucket).
    pub(crate) fn total(&self) -> u64 {
        self.0.last().map_or(0, |&(_, count)| count)
    }

    /// What was observed between `earlier` and `self` (counters only grow; a family that
    /// vanished or was reset counts from zero).
    pub(crate) fn since(&self, earlier: &Self) -> Self {
        Self(
            self.0
                .iter()
                .map(|&(le, count)| {
                    let before = earlier
                        .0
                        .iter()
                        .find(|(bound, _)| bound.total_cmp(&le).is_eq())
                        .map_or(0, |&(_, c)| c);
                    (le, count.checked_sub(before).unwrap_or(count))
                })
                .collect(),
        )
    }

    /// The `q` quantile (0 to 1) in seconds, estimated like Prometheus' `histogram_quantile`:
    /// `None` with no observations; the highest finite bound when the rank falls in `+Inf`.
    pub(crate) fn quantile(&self, q: f64) -> Option<f64> {
        let total = self.total();
        if total == 0 || !(0.0..=1.0).contains(&q) {
            return None;
        }
        let rank = q * as_f64(total);
        let mut lower = 0.0_f64;
        let mut below = 0_u64;
        for &(le, count) in &self.0 {
            if as_f64(count) >= rank && count > below {
                if le.is_infinite() {
                    return Some(lower);
                }
                let fraction = (rank - as_f64(below)) / as_f64(count - below);
                return Some(lower + (le - lower) * fraction);
            }
            lower = le;
            below = count;
        }
        Some(lower)
    }
}

/// `command="ping",le="0.005"} 3` -> `(0.005, 3)`.
fn parse_bucket(rest: &str) -> Option<(f64, u64)> {
    let (labels, value) = rest.rsplit_once("} ")?;
    let start = labels
        .match_indices("le=\"")
        .find(|&(i, _)| i == 0 || labels[..i].ends_with(','))?
        .0
        + "le=\"".len();
    let le = labels[start..].split('"').next()?;
    let le = if le == "+Inf" {
        f64::INFINITY
    } else {
        le.parse().ok()?
    };
    // The exporter writes integers; a timestamp after the value is allowed by the format.
    let value = value.split_whitespace().next()?;
    let count = value
        .parse::<u64>()
        .ok()
        .or_else(|| value.parse::<f64>().ok().and_then(float_count))?;
    Some((le, count))
}

#[allow(
    clippy::cast_precision_loss,
    reason = "counts stay far below 2^52, and the result is an estimate anyway"
)]
fn as_f64(count: u64) -> f64 {
    count as f64
}

#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "checked finite and non-negative; counts are whole numbers"
)]
fn float_count(value: f64) -> Option<u64> {
    (value.is_finite() && value >= 0.0).then(|| value.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(durations: &[(&'static str, f64)]) -> String {
        let recorder = crate::prometheus_builder().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            for &(command, secs) in durations {
                metrics::histogram!(COMMAND_DURATION, "command" => command).record(secs);
            }
        });
        handle.render()
    }

    #[test]
    fn buckets_are_summed_over_commands() {
        let text = recorded(&[("ping", 0.004), ("roll", 0.004), ("ask", 2.0)]);
        let buckets = Buckets::read(&text, COMMAND_DURATION);
        assert_eq!(buckets.total(), 3, "{text}");
        assert_eq!(buckets.0.len(), crate::DURATION_BUCKETS.len() + 1);
        assert!(buckets.0.contains(&(0.005, 2)), "{buckets:?}");
        assert!(buckets.0.contains(&(2.5, 3)), "{buckets:?}");
        assert_eq!(buckets.0.last(), Some(&(f64::INFINITY, 3)));
    }

    #[test]
    fn an_unrecorded_family_has_no_buckets_and_no_quantile() {
        let buckets = Buckets::read("novera_other_bucket{le=\"1\"} 3\n", COMMAND_DURATION);
        assert_eq!(buckets, Buckets::default());
        assert_eq!(buckets.quantile(0.5), None);
    }

    #[test]
    fn quantiles_interpolate_inside_the_bucket_like_histogram_quantile() {
        // 10 observations: 9 in (0.005, 0.01], 1 in (0.5, 1].
        let mut durations = vec![("ping", 0.008); 9];
        durations.push(("ping", 0.7));
        let buckets = Buckets::read(&recorded(&durations), COMMAND_DURATION);
        // p50: rank 5 of the 9 in (0.005, 0.01]: 0.005 + 0.005 * 5/9.
        let p50 = buckets.quantile(0.5).unwrap();
        assert!((p50 - (0.005 + 0.005 * 5.0 / 9.0)).abs() < 1e-12, "{p50}");
        // p99: rank 9.9, inside (0.5, 1] which holds the 10th: 0.5 + 0.5 * 0.9.
        let p99 = buckets.quantile(0.99).unwrap();
        assert!((p99 - 0.95).abs() < 1e-12, "{p99}");
    }

    #[test]
    fn a_rank_in_the_inf_bucket_reports_the_highest_finite_bound() {
        let buckets = Buckets::read(&recorded(&[("ask", 120.0)]), COMMAND_DURATION);
        assert_eq!(buckets.quantile(0.99), Some(60.0));
    }

    #[test]
    fn the_difference_of_two_readings_is_what_happened_in_between() {
        let before = Buckets::read(&recorded(&[("ping", 0.2)]), COMMAND_DURATION);
        let after = Buckets::read(
            &recorded(&[("ping", 0.2), ("ping", 0.004), ("ping", 0.004)]),
            COMMAND_DURATION,
        );
        let between = after.since(&before);
        assert_eq!(between.total(), 2);
        assert!(between.quantile(0.99).unwrap() <= 0.005);
        // Nothing earlier: everything counts.
        assert_eq!(after.since(&Buckets::default()), after);
    }

    #[test]
    fn odd_lines_are_skipped_not_misread() {
        let text = "novera_commands_duration_seconds_bucket{command=\"x\",le=\"abc\"} 3\n\
                    novera_commands_duration_seconds_bucket{command=\"x\"} 3\n\
                    novera_commands_duration_seconds_bucket{command=\"x\",le=\"1\"} -2\n\
                    novera_commands_duration_seconds_bucket{command=\"le=\\\"9\",le=\"1\"} 4 1700000000000\n\
                    novera_commands_duration_seconds_bucket{le=\"+Inf\"} 4.0\n\
                    novera_commands_duration_seconds_count 4\n";
        let buckets = Buckets::read(text, COMMAND_DURATION);
        assert_eq!(buckets, Buckets(vec![(1.0, 4), (f64::INFINITY, 4)]));
    }
}
