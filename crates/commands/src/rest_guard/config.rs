//! `RestGuardConfig`: the limit the guard keeps the bot under, and when it warns and brakes.

use std::time::Duration;

use crate::error::ConfigError;

/// How the REST guard counts and brakes. The defaults follow Discord: 10,000 invalid requests
/// in 10 minutes ban the bot's IP for about an hour.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RestGuardConfig {
    /// Whether the guard brakes (refuses requests near the limit). Counting, the metric and the
    /// warnings stay on either way; `false` only for proving the guard matters (default true).
    pub enabled: bool,
    /// Invalid requests allowed in `window` (Discord: 10,000).
    pub limit: u32,
    /// The sliding window (Discord: 10 minutes).
    pub window: Duration,
    /// Fractions of `limit` at which to warn and alert, ascending (default 0.5 and 0.8).
    pub warn_at: Vec<f64>,
    /// Above this fraction, requests to a channel or message that returned 403/404 within
    /// `refuse_for` are refused locally (default 0.9).
    pub brake_at: f64,
    /// Above this fraction, only interaction responses and the bot's essentials (login, the
    /// gateway, registration, alerts) are sent (default 0.97).
    pub essentials_only_at: f64,
    /// How long a target that returned 403/404 stays refused while braking (default 60 s).
    pub refuse_for: Duration,
}

impl Default for RestGuardConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            limit: 10_000,
            window: Duration::from_secs(600),
            warn_at: vec![0.5, 0.8],
            brake_at: 0.9,
            essentials_only_at: 0.97,
            refuse_for: Duration::from_secs(60),
        }
    }
}

impl RestGuardConfig {
    /// Checks that the fractions are in order and the limit and window are usable.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |why: &str| Err(ConfigError::BadRestGuard(why.to_owned()));
        if self.limit == 0 {
            return bad("limit must be at least 1");
        }
        if self.window.is_zero() {
            return bad("window must be above zero");
        }
        let fraction = |f: f64| f > 0.0 && f <= 1.0;
        if !self.warn_at.iter().copied().all(fraction)
            || !fraction(self.brake_at)
            || !fraction(self.essentials_only_at)
        {
            return bad("warn_at, brake_at and essentials_only_at must be fractions in (0, 1]");
        }
        if self.warn_at.windows(2).any(|w| w[0] >= w[1]) {
            return bad("warn_at must be ascending");
        }
        if self.brake_at > self.essentials_only_at {
            return bad("brake_at must not be above essentials_only_at");
        }
        Ok(())
    }

    /// Sets [`enabled`](Self::enabled).
    #[must_use]
    pub fn with_enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// Sets [`limit`](Self::limit) and [`window`](Self::window).
    #[must_use]
    pub fn with_limit(mut self, limit: u32, window: Duration) -> Self {
        self.limit = limit;
        self.window = window;
        self
    }

    /// Sets [`warn_at`](Self::warn_at), [`brake_at`](Self::brake_at) and
    /// [`essentials_only_at`](Self::essentials_only_at).
    #[must_use]
    pub fn with_levels(
        mut self,
        warn_at: Vec<f64>,
        brake_at: f64,
        essentials_only_at: f64,
    ) -> Self {
        self.warn_at = warn_at;
        self.brake_at = brake_at;
        self.essentials_only_at = essentials_only_at;
        self
    }

    /// Sets [`refuse_for`](Self::refuse_for).
    #[must_use]
    pub fn with_refuse_for(mut self, refuse_for: Duration) -> Self {
        self.refuse_for = refuse_for;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_levels_are_refused() {
        assert!(RestGuardConfig::default().validate().is_ok());
        let base = RestGuardConfig::default;
        assert!(
            base()
                .with_limit(0, Duration::from_secs(1))
                .validate()
                .is_err()
        );
        assert!(base().with_limit(1, Duration::ZERO).validate().is_err());
        assert!(
            base()
                .with_levels(vec![0.8, 0.5], 0.9, 0.97)
                .validate()
                .is_err()
        );
        assert!(base().with_levels(vec![0.5], 1.5, 1.5).validate().is_err());
        assert!(
            base()
                .with_levels(vec![0.5], 0.98, 0.97)
                .validate()
                .is_err()
        );
        assert!(base().with_levels(vec![0.0], 0.9, 0.97).validate().is_err());
        assert!(base().with_levels(Vec::new(), 1.0, 1.0).validate().is_ok());
    }
}
