//! `RouterConfig`: the router's timing and limits.

use std::time::Duration;

use twilight_model::gateway::event::EventType;

use crate::error::ConfigError;

/// Discord closes an interaction's first-response window after 3 s.
pub(crate) const INTERACTION_WINDOW: Duration = Duration::from_secs(3);

/// How the router runs handlers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouterConfig {
    /// Defer an interaction whose handler has not answered after this long (default 2 s; must
    /// stay below Discord's 3 s window, with room for the request itself).
    pub auto_defer: Duration,
    /// Deadline of a handler unless its definition overrides it (default 30 s).
    pub default_deadline: Duration,
    /// Handlers running at once; above it interactions are answered "busy" (default 64).
    pub in_flight_limit: usize,
    /// Prefix for text commands (e.g. `!`), `None` to disable them (default).
    pub prefix: Option<String>,
    /// Deadline of each REST call the router or a context makes (default 10 s).
    pub rest_deadline: Duration,
    /// Version shown by `/status` (default: novera-commands' version).
    pub version: String,
}

impl RouterConfig {
    /// The gateway events the router acts on: `INTERACTION_CREATE`, and `MESSAGE_CREATE` when a
    /// prefix is set. A gateway may forward only these to [`Router::run`](crate::Router::run)
    /// (the router ignores the others; waiters see every event through `Standby`).
    #[must_use]
    pub fn event_types(&self) -> Vec<EventType> {
        let mut kinds = vec![EventType::InteractionCreate];
        if self.prefix.is_some() {
            kinds.push(EventType::MessageCreate);
        }
        kinds
    }
}

impl Default for RouterConfig {
    fn default() -> Self {
        Self {
            auto_defer: Duration::from_secs(2),
            default_deadline: Duration::from_secs(30),
            in_flight_limit: 64,
            prefix: None,
            rest_deadline: Duration::from_secs(10),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

impl RouterConfig {
    /// Sets [`auto_defer`](Self::auto_defer).
    #[must_use]
    pub fn with_auto_defer(mut self, after: Duration) -> Self {
        self.auto_defer = after;
        self
    }

    /// Sets [`default_deadline`](Self::default_deadline).
    #[must_use]
    pub fn with_default_deadline(mut self, deadline: Duration) -> Self {
        self.default_deadline = deadline;
        self
    }

    /// Sets [`in_flight_limit`](Self::in_flight_limit).
    #[must_use]
    pub fn with_in_flight_limit(mut self, limit: usize) -> Self {
        self.in_flight_limit = limit;
        self
    }

    /// Sets [`prefix`](Self::prefix).
    #[must_use]
    pub fn with_prefix(mut self, prefix: Option<String>) -> Self {
        self.prefix = prefix;
        self
    }

    /// Sets [`rest_deadline`](Self::rest_deadline).
    #[must_use]
    pub fn with_rest_deadline(mut self, deadline: Duration) -> Self {
        self.rest_deadline = deadline;
        self
    }

    /// Sets [`version`](Self::version).
    #[must_use]
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// Checks the values against Discord's rules.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.auto_defer >= INTERACTION_WINDOW {
            return Err(ConfigError::AutoDeferTooLate(self.auto_defer));
        }
        if self.default_deadline.is_zero() {
            return Err(ConfigError::ZeroDeadline);
        }
        if self.in_flight_limit == 0 {
            return Err(ConfigError::ZeroInFlightLimit);
        }
        if let Some(prefix) = &self.prefix
            && (prefix.is_empty() || prefix.chars().any(char::is_whitespace))
        {
            return Err(ConfigError::BadPrefix(prefix.clone()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_router_takes_interactions_and_prefixed_messages_only_with_a_prefix() {
        assert_eq!(
            RouterConfig::default().event_types(),
            vec![EventType::InteractionCreate]
        );
        assert_eq!(
            RouterConfig::default()
                .with_prefix(Some("!".to_owned()))
                .event_types(),
            vec![EventType::InteractionCreate, EventType::MessageCreate]
        );
    }

    #[test]
    fn defaults_are_valid_and_defer_before_the_window() {
        let config = RouterConfig::default();
        assert!(config.validate().is_ok());
        assert!(config.auto_defer < INTERACTION_WINDOW);
    }

    #[test]
    fn auto_defer_at_or_past_three_seconds_is_refused() {
        let config = RouterConfig::default().with_auto_defer(Duration::from_secs(3));
        assert_eq!(
            config.validate(),
            Err(ConfigError::AutoDeferTooLate(Duration::from_secs(3)))
        );
    }

    #[test]
    fn bad_values_are_refused() {
        let base = RouterConfig::default;
        assert!(base().with_in_flight_limit(0).validate().is_err());
        assert!(
            base()
                .with_default_deadline(Duration::ZERO)
                .validate()
                .is_err()
        );
        assert!(base().with_prefix(Some(String::new())).validate().is_err());
        assert!(base().with_prefix(Some("! ".into())).validate().is_err());
        assert!(base().with_prefix(Some("!".into())).validate().is_ok());
    }
}
