//! Defensive redaction of everything the health server sends.
//!
//! Callers hand health strings that should already be clean (errors, shard details, component
//! reasons). Health still passes every outgoing string through a [`Redactor`]: one missed
//! `format!("{token}")` upstream must not publish the bot's token on an unauthenticated port.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, LazyLock};

use regex::Regex;
use serde_json::Value;

/// What a redacted secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Discord bot tokens: base64 user id, a dot, a timestamp segment, a dot, an HMAC segment.
static TOKEN_SHAPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{5,7}\.[A-Za-z0-9_-]{25,}")
        .expect("the token pattern is a valid constant regex")
});

/// Webhook URLs carry their own credential in the path: `.../webhooks/<id>/<token>`.
static WEBHOOK_SHAPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:https?://[^\s/]+)?(?:/api(?:/v\d+)?)?/?webhooks/\d+/[A-Za-z0-9_.-]+")
        .expect("the webhook pattern is a valid constant regex")
});

/// Replaces known secrets, and anything shaped like a Discord token or webhook URL, with
/// `[redacted]`; cheap to clone.
///
/// Its `Debug` output shows how many secrets it holds, never the secrets.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Longest first, so a secret that contains another is replaced whole.
    secrets: Arc<[Box<str>]>,
}

impl Redactor {
    /// A redactor that knows no secrets yet (token and webhook shapes are still redacted).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a secret to replace wherever it appears; empty strings are ignored.
    #[must_use]
    pub fn with_secret(self, secret: impl Into<String>) -> Self {
        let secret: String = secret.into();
        if secret.is_empty() || self.secrets.iter().any(|s| **s == *secret) {
            return self;
        }
        let mut secrets: Vec<Box<str>> = self.secrets.iter().cloned().collect();
        secrets.push(secret.into_boxed_str());
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Self {
            secrets: secrets.into(),
        }
    }

    /// How many known secrets this redactor holds.
    #[must_use]
    pub fn secret_count(&self) -> usize {
        self.secrets.len()
    }

    /// `text` with every known secret and every token- or webhook-shaped string replaced.
    #[must_use]
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for secret in self.secrets.iter() {
            if out.contains(&**secret) {
                out = Cow::Owned(out.replace(&**secret, REDACTED));
            }
        }
        for shape in [&*WEBHOOK_SHAPE, &*TOKEN_SHAPE] {
            if shape.is_match(&out) {
                out = Cow::Owned(shape.replace_all(&out, REDACTED).into_owned());
            }
        }
        out
    }

    /// Redacts every string inside a JSON value, in place.
    pub(crate) fn redact_json(&self, value: &mut Value) {
        match value {
            Value::String(s) => {
                if let Cow::Owned(clean) = self.redact(s) {
                    *s = clean;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.redact_json(v)),
            Value::Object(map) => map.values_mut().for_each(|v| self.redact_json(v)),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.secrets.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shaped like a bot token but made up.
    const FAKE_TOKEN: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789";

    #[test]
    fn known_secrets_are_replaced_everywhere() {
        let r = Redactor::new().with_secret("hunter2-password");
        assert_eq!(
            r.redact("a hunter2-password and hunter2-password"),
            "a [redacted] and [redacted]"
        );
        assert!(matches!(r.redact("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_longer_secret_wins_when_one_contains_another() {
        let r = Redactor::new().with_secret("abcd").with_secret("xxabcdxx");
        assert_eq!(r.redact("see xxabcdxx"), "see [redacted]");
    }

    #[test]
    fn token_and_webhook_shapes_are_redacted_without_being_registered() {
        let r = Redactor::new();
        let text = format!(
            "401 for Bot {FAKE_TOKEN}; alert via https://discord.com/api/webhooks/123456789/AbC-dEf_123 failed"
        );
        let clean = r.redact(&text);
        assert!(!clean.contains(FAKE_TOKEN), "{clean}");
        assert!(!clean.contains("AbC-dEf_123"), "{clean}");
        assert!(!clean.contains("webhooks/123456789"), "{clean}");
        assert_eq!(clean, "401 for Bot [redacted]; alert via [redacted] failed");
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        let r = Redactor::new();
        for text in [
            "shard-3: down: resuming",
            "waiting for identify budget until 2026-11-23T04:00:00Z",
            "version 1.2.3 on host a.b.c",
        ] {
            assert_eq!(r.redact(text), text);
        }
    }

    #[test]
    fn json_strings_are_redacted_at_any_depth() {
        let r = Redactor::new().with_secret("s3cr3t-value");
        let mut v = serde_json::json!({
            "a": "s3cr3t-value",
            "b": [{"c": "x s3cr3t-value y"}, 1, null, true],
        });
        r.redact_json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"a": "[redacted]", "b": [{"c": "x [redacted] y"}, 1, null, true]})
        );
    }

    #[test]
    fn debug_never_shows_secrets() {
        let r = Redactor::new().with_secret("s3cr3t-value").with_secret("");
        let debug = format!("{r:?}");
        assert_eq!(debug, "Redactor { secrets: 1 }");
    }
}
