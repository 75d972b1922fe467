//! The configuration of the bot's two guards: `[rest_guard]` (Discord's invalid-request limit)
//! and `[instance]` (one bot, one instance).

use std::time::Duration;

use figment::Figment;
use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The REST guard: counting invalid requests (401, 403, 429) against Discord's ban limit,
/// warning, and braking before the ban.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct RestGuardConfig {
    /// Whether the guard refuses requests near the limit (counting and warnings stay on).
    pub(crate) enabled: bool,
    /// Invalid requests allowed in `window` before Discord bans the bot's IP.
    pub(crate) limit: u32,
    /// Discord's sliding window.
    #[serde(with = "humantime_serde")]
    pub(crate) window: Duration,
    /// Fractions of `limit` at which to warn and alert, ascending.
    pub(crate) warn_at: Vec<f64>,
    /// Above this fraction, requests to channels and messages that just answered 403/404 are
    /// refused locally.
    pub(crate) brake_at: f64,
    /// Above this fraction, only interaction responses and essentials are sent.
    pub(crate) essentials_only_at: f64,
    /// How long a channel or message that answered 403/404 stays refused while braking.
    #[serde(with = "humantime_serde")]
    pub(crate) refuse_for: Duration,
}

impl Default for RestGuardConfig {
    fn default() -> Self {
        let defaults = novera_commands::RestGuardConfig::default();
        Self {
            enabled: defaults.enabled,
            limit: defaults.limit,
            window: defaults.window,
            warn_at: defaults.warn_at,
            brake_at: defaults.brake_at,
            essentials_only_at: defaults.essentials_only_at,
            refuse_for: defaults.refuse_for,
        }
    }
}

impl RestGuardConfig {
    /// The guard's typed configuration.
    pub(crate) fn to_guard(&self) -> novera_commands::RestGuardConfig {
        novera_commands::RestGuardConfig::default()
            .with_enabled(self.enabled)
            .with_limit(self.limit, self.window)
            .with_levels(self.warn_at.clone(), self.brake_at, self.essentials_only_at)
            .with_refuse_for(self.refuse_for)
    }

    /// One line naming the key for each unusable value.
    pub(crate) fn validate(&self, figment: &Figment) -> Result<(), ConfigError> {
        let invalid = |key: &'static str, value: String, reason: &str| {
            Err(ConfigError::invalid(figment, key, &value, reason))
        };
        let fraction = |f: f64| f > 0.0 && f <= 1.0;
        if self.limit == 0 {
            return invalid("rest_guard.limit", "0".to_owned(), "must be at least 1");
        }
        if self.window.is_zero() {
            return invalid("rest_guard.window", "0s".to_owned(), "must be above zero");
        }
        if !self.warn_at.iter().copied().all(fraction)
            || self.warn_at.windows(2).any(|w| w[0] >= w[1])
        {
            return invalid(
                "rest_guard.warn_at",
                format!("{:?}", self.warn_at),
                "must be ascending fractions above 0 and at most 1, like [0.5, 0.8]",
            );
        }
        if !fraction(self.brake_at) {
            return invalid(
                "rest_guard.brake_at",
                self.brake_at.to_string(),
                "must be a fraction above 0 and at most 1, like 0.9",
            );
        }
        if !fraction(self.essentials_only_at) || self.essentials_only_at < self.brake_at {
            return invalid(
                "rest_guard.essentials_only_at",
                self.essentials_only_at.to_string(),
                "must be a fraction at most 1 and not below rest_guard.brake_at",
            );
        }
        Ok(())
    }
}

/// One bot, one instance.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct InstanceConfig {
    /// When another instance with the same token is detected, the newer of the two stops
    /// answering commands (until restarted), so users get one answer.
    pub(crate) step_down: bool,
}
