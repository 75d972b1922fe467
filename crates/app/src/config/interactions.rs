//! `[interactions]`: the interactions endpoint (Discord posts interactions to it, signed,
//! instead of sending them over the gateway), and where the sandbox sends its interactions.

use std::time::Duration;

use figment::Figment;
use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The interactions endpoint: Discord posts interactions here instead of the gateway.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct InteractionsConfig {
    /// Address to serve the endpoint on (plain HTTP behind a TLS proxy); off when absent.
    pub(crate) listen: Option<std::net::SocketAddr>,
    /// The application's public key, 64 hex digits (required with `listen` and a token).
    pub(crate) public_key: Option<String>,
    /// The path Discord POSTs to.
    pub(crate) path: String,
    /// Largest request body, in bytes.
    pub(crate) body_limit: usize,
    /// Requests stamped further than this from the local clock are refused.
    #[serde(with = "humantime_serde")]
    pub(crate) timestamp_tolerance: Duration,
}

impl Default for InteractionsConfig {
    fn default() -> Self {
        Self {
            listen: None,
            public_key: None,
            path: novera_interactions::DEFAULT_PATH.to_owned(),
            body_limit: novera_interactions::DEFAULT_BODY_LIMIT,
            timestamp_tolerance: novera_interactions::DEFAULT_TIMESTAMP_TOLERANCE,
        }
    }
}

impl InteractionsConfig {
    /// One line naming the key for the first unusable value; `has_token`: not the sandbox,
    /// which brings its own key.
    pub(crate) fn validate(&self, figment: &Figment, has_token: bool) -> Result<(), ConfigError> {
        let invalid = |key: &'static str, value: &str, reason: &str| {
            Err(ConfigError::invalid(figment, key, value, reason))
        };
        if let Some(key) = &self.public_key
            && let Err(e) = novera_interactions::PublicKey::from_hex(key)
        {
            return invalid("interactions.public_key", key, &e.to_string());
        }
        if let (Some(listen), None, true) = (self.listen, &self.public_key, has_token) {
            return invalid(
                "interactions.listen",
                &listen.to_string(),
                "needs interactions.public_key (the application's \"Public Key\" in the Developer Portal)",
            );
        }
        if !self.path.starts_with('/') {
            return invalid("interactions.path", &self.path, "must start with `/`");
        }
        if self.body_limit < 1024 {
            return invalid(
                "interactions.body_limit",
                &self.body_limit.to_string(),
                "must be at least 1024 bytes",
            );
        }
        if self.timestamp_tolerance < Duration::from_secs(1) {
            return invalid(
                "interactions.timestamp_tolerance",
                &humantime::format_duration(self.timestamp_tolerance).to_string(),
                "must be at least 1s (Discord's timestamps are whole seconds)",
            );
        }
        Ok(())
    }
}

/// Where the sandbox's simulator sends interactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SandboxIngress {
    /// `INTERACTION_CREATE` over the gateway.
    Gateway,
    /// Signed POSTs to the bot's interactions endpoint.
    Http,
}
