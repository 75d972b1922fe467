//! Exponential backoff with full jitter.
//!
//! Full jitter (a uniform draw between the lower bound and the exponential ceiling) spreads
//! restarts of many components apart, so a shared failure does not turn into a synchronized
//! reconnect storm. A component that ran for a stable period before failing starts again from the
//! lower bound: one crash after a day of uptime is not the tenth crash in a row.

use std::time::Duration;

use serde::Serialize;

/// Bounds of a [`Backoff`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BackoffPolicy {
    /// The smallest delay, and the base of the exponential ceiling.
    pub min: Duration,
    /// The largest delay ever returned.
    pub max: Duration,
    /// A run at least this long before a failure resets the attempt count.
    pub stable_after: Duration,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        Self {
            min: Duration::from_millis(500),
            max: Duration::from_secs(60),
            stable_after: Duration::from_secs(120),
        }
    }
}

/// Produces successive delays for one component.
#[derive(Debug, Clone)]
pub struct Backoff {
    policy: BackoffPolicy,
    attempt: u32,
    rng: fastrand::Rng,
}

impl Backoff {
    /// A backoff seeded from the operating system's randomness.
    #[must_use]
    pub fn new(policy: BackoffPolicy) -> Self {
        Self::with_rng(policy, fastrand::Rng::new())
    }

    /// A backoff whose jitter is deterministic, for tests.
    #[must_use]
    pub fn with_seed(policy: BackoffPolicy, seed: u64) -> Self {
        Self::with_rng(policy, fastrand::Rng::with_seed(seed))
    }

    fn with_rng(policy: BackoffPolicy, rng: fastrand::Rng) -> Self {
        Self {
            policy,
            attempt: 0,
            rng,
        }
    }

    /// How many delays were handed out since the last reset.
    #[must_use]
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The upper bound of the next delay: `min * 2^attempt`, capped at `max`.
    #[must_use]
    pub fn ceiling(&self) -> Duration {
        let factor = 1u32.checked_shl(self.attempt.min(31)).unwrap_or(u32::MAX);
        self.policy
            .min
            .checked_mul(factor)
            .unwrap_or(self.policy.max)
            .min(self.policy.max)
    }

    /// The next delay, drawn uniformly from `[min, ceiling]`, and one more attempt counted.
    pub fn next_delay(&mut self) -> Duration {
        let low = self.policy.min.min(self.policy.max);
        let high = self.ceiling().max(low);
        self.attempt = self.attempt.saturating_add(1);
        // Durations here are far below u64::MAX nanoseconds (584 years).
        let low_ns = u64::try_from(low.as_nanos()).unwrap_or(u64::MAX);
        let high_ns = u64::try_from(high.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(self.rng.u64(low_ns..=high_ns))
    }

    /// Records how long the component ran before its latest failure; a stable run resets.
    pub fn record_run(&mut self, ran_for: Duration) {
        if ran_for >= self.policy.stable_after {
            self.reset();
        }
    }

    /// Starts again from the lower bound.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> BackoffPolicy {
        BackoffPolicy {
            min: Duration::from_millis(100),
            max: Duration::from_secs(5),
            stable_after: Duration::from_secs(30),
        }
    }

    #[test]
    fn delays_stay_within_bounds_and_the_ceiling_doubles() {
        let mut backoff = Backoff::with_seed(policy(), 7);
        let mut ceilings = Vec::new();
        for _ in 0..12 {
            let ceiling = backoff.ceiling();
            let delay = backoff.next_delay();
            assert!(delay >= Duration::from_millis(100), "{delay:?} below min");
            assert!(delay <= ceiling, "{delay:?} above ceiling {ceiling:?}");
            ceilings.push(ceiling);
        }
        assert_eq!(ceilings[0], Duration::from_millis(100));
        assert_eq!(ceilings[1], Duration::from_millis(200));
        assert_eq!(ceilings[4], Duration::from_millis(1600));
        assert_eq!(*ceilings.last().unwrap(), Duration::from_secs(5));
    }

    #[test]
    fn same_seed_gives_same_sequence() {
        let mut a = Backoff::with_seed(policy(), 42);
        let mut b = Backoff::with_seed(policy(), 42);
        let xs: Vec<_> = (0..8).map(|_| a.next_delay()).collect();
        let ys: Vec<_> = (0..8).map(|_| b.next_delay()).collect();
        assert_eq!(xs, ys);
        // Full jitter: the draws are not all at the ceiling.
        let mut c = Backoff::with_seed(policy(), 42);
        assert!((0..8).any(|_| {
            let ceiling = c.ceiling();
            c.next_delay() < ceiling
        }));
    }

    #[test]
    fn stable_run_resets_and_short_run_does_not() {
        let mut backoff = Backoff::with_seed(policy(), 1);
        for _ in 0..5 {
            backoff.next_delay();
        }
        backoff.record_run(Duration::from_secs(3));
        assert_eq!(backoff.attempt(), 5);
        backoff.record_run(Duration::from_secs(30));
        assert_eq!(backoff.attempt(), 0);
        assert_eq!(backoff.ceiling(), Duration::from_millis(100));
    }

    #[test]
    fn huge_attempt_counts_do_not_overflow() {
        let mut backoff = Backoff::with_seed(policy(), 3);
        for _ in 0..200 {
            assert!(backoff.next_delay() <= Duration::from_secs(5));
        }
    }
}
