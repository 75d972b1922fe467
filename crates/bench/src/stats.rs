//! Summaries of repeated measurements: median and spread across runs, percentiles within a run.

use serde::Serialize;

/// Median, extremes and relative spread of one figure over several runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// The middle value (the mean of the two middle values for an even count).
    pub median: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
    /// `(max - min) / median` in percent; 0 when the median is 0.
    pub spread_pct: f64,
    /// How many values were summarized.
    pub runs: usize,
}

impl Summary {
    /// Summarizes `values`; `None` when there are none or one is not a number.
    #[must_use]
    pub fn of(values: &[f64]) -> Option<Self> {
        if values.is_empty() || values.iter().any(|v| v.is_nan()) {
            return None;
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            f64::midpoint(sorted[n / 2 - 1], sorted[n / 2])
        };
        let min = sorted[0];
        let max = sorted[n - 1];
        let spread_pct = if median == 0.0 {
            0.0
        } else {
            (max - min) / median.abs() * 100.0
        };
        Some(Self {
            median,
            min,
            max,
            spread_pct,
            runs: n,
        })
    }
}

/// The nearest-rank percentile `p` (0..=100) of `sorted` (ascending); `None` when empty.
///
/// Nearest rank returns a value that was actually observed, so a p99 of 100 samples is the
/// 99th smallest, never an interpolation between two samples.
#[must_use]
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let p = p.clamp(0.0, 100.0);
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "a rank between 1 and len, computed from a clamped percentage"
    )]
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// p50, p90, p99 and max of one run's samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest sample.
    pub max: f64,
}

impl Percentiles {
    /// Percentiles of `samples` (any order); `None` when empty.
    #[must_use]
    pub fn of(samples: &[f64]) -> Option<Self> {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Self {
            p50: percentile(&sorted, 50.0)?,
            p90: percentile(&sorted, 90.0)?,
            p99: percentile(&sorted, 99.0)?,
            max: *sorted.last()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        let odd = Summary::of(&[5.0, 1.0, 3.0]).expect("values");
        assert!((odd.median - 3.0).abs() < f64::EPSILON);
        assert!((odd.min - 1.0).abs() < f64::EPSILON);
        assert!((odd.max - 5.0).abs() < f64::EPSILON);
        assert_eq!(odd.runs, 3);
        let even = Summary::of(&[4.0, 1.0, 2.0, 3.0]).expect("values");
        assert!((even.median - 2.5).abs() < f64::EPSILON);
    }

    #[test]
    fn spread_is_range_over_median_in_percent() {
        let summary = Summary::of(&[90.0, 100.0, 110.0]).expect("values");
        assert!((summary.spread_pct - 20.0).abs() < 1e-9);
        let zero = Summary::of(&[0.0, 0.0]).expect("values");
        assert!(zero.spread_pct.abs() < f64::EPSILON);
    }

    #[test]
    fn nothing_to_summarize() {
        assert_eq!(Summary::of(&[]), None);
        assert_eq!(Summary::of(&[1.0, f64::NAN]), None);
        assert_eq!(Percentiles::of(&[]), None);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let p = Percentiles::of(&samples).expect("samples");
        assert!((p.p50 - 50.0).abs() < f64::EPSILON);
        assert!((p.p90 - 90.0).abs() < f64::EPSILON);
        assert!((p.p99 - 99.0).abs() < f64::EPSILON);
        assert!((p.max - 100.0).abs() < f64::EPSILON);
        // Few samples: p99 is the largest, p0 the smallest observed value.
        let sorted = [1.0, 2.0, 10.0];
        assert_eq!(percentile(&sorted, 99.0), Some(10.0));
        assert_eq!(percentile(&sorted, 0.0), Some(1.0));
        assert_eq!(percentile(&sorted, 50.0), Some(2.0));
    }
}
