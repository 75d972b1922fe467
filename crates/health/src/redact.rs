//! The one redactor of everything Novera lets out: log lines, panic messages, the health server's
//! responses and alerts.
//!
//! Callers hand health strings that should already be clean (errors, shard details, component
//! reasons), and `app` hands it every formatted log line. Both still pass through a [`Redactor`]:
//! one missed `format!("{token}")` upstream, or a dependency's tracing span carrying a REST path,
//! must not publish a credential on an unauthenticated port or in a shipped log.
//!
//! What is a credential here:
//! - the known secrets it was given (the bot token, the alert webhook URL and its token);
//! - the token segment of Discord's credential-bearing REST paths, `interactions/<id>/<token>/...`
//!   and `webhooks/<id>/<token>/...` (the route and its ids stay readable);
//! - anything shaped like a bot token (`<base64 id>.<timestamp>.<hmac>`) or an interaction token
//!   (they all start with `aW50ZXJhY3Rpb246`, base64 for `interaction:`);
//! - the value of a `token` or `authorization` field in JSON, `Debug` or `key=value` form, when it
//!   is long enough to be a credential.
//!
//! Cost: a fast path first looks for any known secret and any keyword the shapes need
//! (`interactions/`, `webhooks/`, `aW50ZXJhY3Rpb246`, `token`, `authorization`) in one vectorized
//! multi-literal search; only when one is there do the literal replacements and the keyword
//! shapes run. The bot-token shape, which has no keyword, is its own expression searched around
//! the dots. About 60 ns for a 200-byte log line with nothing to redact (the JSON formatter spends
//! about 2 µs writing it); a string with nothing to redact comes back borrowed, unallocated.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, LazyLock};

use regex::{Captures, Regex};
use serde_json::Value;

/// What a redacted secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Characters that end a credential inside a path, a quoted string or a `key=value` pair.
/// `[` is one too, so an already redacted value (`[redacted]`) is never matched again.
const STOP: &str = r#"[^/\s"'\\?#&,;)}\[\]>\x1b]"#;

/// Any number of ANSI colour codes (`ESC [ ... m`).
const ANSI: &str = r"(?:\x1b\[[0-9;]*m)*";

/// Literals at least one of which every keyword shape contains, in the spellings they match.
const KEYWORDS: [&str; 9] = [
    "interactions/",
    "webhooks/",
    "aW50ZXJhY3Rpb246",
    "token",
    "Token",
    "TOKEN",
    "authorization",
    "Authorization",
    "AUTHORIZATION",
];

/// The shapes found through a keyword. A group named `keep` is written back before
/// `[redacted]`.
fn keyword_shape_patterns() -> [String; 3] {
    [
        // Discord's credential-bearing REST paths, with or without a host and `/api/v10`.
        format!(r"(?P<keep>(?:interactions|webhooks)/[0-9]+/){STOP}+"),
        // Interaction tokens wherever they appear (a payload, a `Debug` of an interaction).
        format!(r"aW50ZXJhY3Rpb246{STOP}*"),
        // `"token":"…"`, `token: "…"`, `token: Some("…")`, `access_token=…`, `\"token\":\"…\"`,
        // `authorization: Bot …`: the key stays, a credential-length value goes. Colour codes of
        // a terminal's log format may sit between the key and the value.
        format!(
            r#"(?P<keep>(?:token|Token|TOKEN|authorization|Authorization|AUTHORIZATION){ANSI}\\?"?[ \t]*{ANSI}[:=]{ANSI}[ \t]*(?:Some\()?\\?"?(?:(?:Bot|Bearer)[ \t]+)?){STOP}{{16,}}"#
        ),
    ]
}

static KEYWORD_SHAPES: LazyLock<[Regex; 3]> = LazyLock::new(|| {
    keyword_shape_patterns().map(|p| Regex::new(&p).expect("the shape patterns are valid regexes"))
});

/// Bot tokens: base64 user id, a dot, a timestamp segment, a dot, an HMAC segment.
static BOT_TOKEN_SHAPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{5,7}\.[A-Za-z0-9_-]{25,}")
        .expect("the bot token pattern is a valid regex")
});

/// The fast path's search for `literals` and the keywords; `None` if it cannot be built (only
/// for secrets too large for the regex engine), and then every pass runs on every string.
fn gate<'s>(literals: impl Iterator<Item = &'s str>) -> Option<Regex> {
    let alternatives: Vec<String> = literals.chain(KEYWORDS).map(regex::escape).collect();
    Regex::new(&alternatives.join("|")).ok()
}

/// The gate of a redactor without secrets.
static KEYWORDS_GATE: LazyLock<Option<Regex>> = LazyLock::new(|| gate(std::iter::empty()));

/// Replaces known secrets, and anything shaped like a Discord credential, with `[redacted]`;
/// cheap to clone, safe to share between threads.
///
/// Its `Debug` output shows how many secrets it holds, never the secrets.
#[derive(Clone)]
pub struct Redactor {
    /// Longest first, so a secret that contains another is replaced whole.
    secrets: Arc<[Box<str>]>,
    /// Finds any secret or keyword: a string without one can only hold a bot-token shape.
    gate: Option<Regex>,
}

impl Default for Redactor {
    fn default() -> Self {
        Self {
            secrets: Arc::new([]),
            gate: KEYWORDS_GATE.clone(),
        }
    }
}

impl Redactor {
    /// A redactor that knows no secrets yet (the shapes are still redacted).
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
            gate: gate(secrets.iter().map(|s| &**s)),
            secrets: secrets.into(),
        }
    }

    /// How many known secrets this redactor holds.
    #[must_use]
    pub fn secret_count(&self) -> usize {
        self.secrets.len()
    }

    /// `text` with every known secret and every credential-shaped string replaced; borrowed
    /// (no copy) when there was nothing to replace.
    #[must_use]
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        if self.gate.as_ref().is_none_or(|gate| gate.is_match(text)) {
            // Known secrets first, so a whole webhook URL goes before its path is seen as a shape.
            for secret in self.secrets.iter() {
                if out.contains(&**secret) {
                    out = Cow::Owned(out.replace(&**secret, REDACTED));
                }
            }
            for shape in KEYWORD_SHAPES.iter() {
                out = mask_all(shape, out);
            }
        }
        mask_all(&BOT_TOKEN_SHAPE, out)
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

/// `text` with every match of `shape` replaced by its `keep` group and `[redacted]`.
fn mask_all<'a>(shape: &Regex, text: Cow<'a, str>) -> Cow<'a, str> {
    let masked = match shape.replace_all(&text, |caps: &Captures<'_>| {
        let kept = caps.name("keep").map_or("", |m| m.as_str());
        format!("{kept}{REDACTED}")
    }) {
        Cow::Borrowed(_) => None,
        Cow::Owned(clean) => Some(clean),
    };
    masked.map_or(text, Cow::Owned)
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The gate is left out: its pattern spells the secrets.
        f.debug_struct("Redactor")
            .field("secrets", &self.secrets.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shaped like a bot token but made up.
    const FAKE_TOKEN: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789";
    // Shaped like an interaction token (novera-sim's shape) but made up.
    const FAKE_INTERACTION_TOKEN: &str = "aW50ZXJhY3Rpb246123456789012345678:q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c2v3b4n5m6Q1W2E3R4T5Y6";

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
    fn secrets_with_regex_characters_are_literal() {
        let r = Redactor::new().with_secret("a+b(c)*");
        assert_eq!(r.redact("x a+b(c)* y"), "x [redacted] y");
        assert_eq!(r.redact("aab(c) abc"), "aab(c) abc");
    }

    #[test]
    fn the_longer_secret_wins_when_one_contains_another() {
        let r = Redactor::new().with_secret("abcd").with_secret("xxabcdxx");
        assert_eq!(r.redact("see xxabcdxx"), "see [redacted]");
        assert_eq!(r.redact("see abcd"), "see [redacted]");
    }

    #[test]
    fn a_known_webhook_url_goes_whole_and_its_token_goes_anywhere() {
        let url = "https://discord.com/api/webhooks/42/hook-secret-xyz";
        let r = Redactor::new()
            .with_secret(url)
            .with_secret("hook-secret-xyz");
        assert_eq!(
            r.redact(&format!("posting to {url}")),
            "posting to [redacted]"
        );
        assert_eq!(r.redact("token hook-secret-xyz"), "token [redacted]");
    }

    #[test]
    fn token_shapes_are_redacted_without_being_registered() {
        let r = Redactor::new();
        let text = format!("401 for Bot {FAKE_TOKEN} at start");
        assert_eq!(r.redact(&text), "401 for Bot [redacted] at start");
        let text = format!("payload {{ token: \"{FAKE_INTERACTION_TOKEN}\" }}");
        let clean = r.redact(&text);
        assert!(!clean.contains("q1w2e3r4t5"), "{clean}");
    }

    #[test]
    fn credential_paths_keep_the_route_and_ids() {
        let r = Redactor::new();
        let t = FAKE_INTERACTION_TOKEN;
        for (text, want) in [
            (
                format!("POST interactions/111/{t}/callback 204"),
                "POST interactions/111/[redacted]/callback 204",
            ),
            (
                "PATCH webhooks/222/abcDEF-123_x.y/messages/@original".to_owned(),
                "PATCH webhooks/222/[redacted]/messages/@original",
            ),
            (
                "alert via https://discord.com/api/webhooks/123456789/AbC-dEf_123 failed"
                    .to_owned(),
                "alert via https://discord.com/api/webhooks/123456789/[redacted] failed",
            ),
            (
                "http://127.0.0.1:9/api/v10/webhooks/7/tok?wait=true".to_owned(),
                "http://127.0.0.1:9/api/v10/webhooks/7/[redacted]?wait=true",
            ),
        ] {
            assert_eq!(r.redact(&text), want);
        }
    }

    #[test]
    fn credential_paths_are_found_in_json_and_text_log_lines() {
        let r = Redactor::new();
        let json = r#"{"level":"DEBUG","spans":[{"method":"POST","name":"request","path":"webhooks/5/s3cr3t-hook"}]}"#;
        assert_eq!(
            r.redact(json),
            r#"{"level":"DEBUG","spans":[{"method":"POST","name":"request","path":"webhooks/5/[redacted]"}]}"#
        );
        let text = r#"request{method="PATCH" path="webhooks/5/s3cr3t-hook/messages/@original"}: awaiting response"#;
        assert_eq!(
            r.redact(text),
            r#"request{method="PATCH" path="webhooks/5/[redacted]/messages/@original"}: awaiting response"#
        );
    }

    #[test]
    fn token_and_authorization_values_are_redacted_in_every_notation() {
        let r = Redactor::new();
        let secret = "0123456789abcdefXYZ";
        for (text, want) in [
            (
                format!(r#"{{"token":"{secret}"}}"#),
                r#"{"token":"[redacted]"}"#,
            ),
            (
                format!(r#"body: "{{\"token\":\"{secret}\"}}""#),
                r#"body: "{\"token\":\"[redacted]\"}""#,
            ),
            (
                format!(r#"Info {{ token: "{secret}" }}"#),
                r#"Info { token: "[redacted]" }"#,
            ),
            (
                format!(r#"Info {{ token: Some("{secret}") }}"#),
                r#"Info { token: Some("[redacted]") }"#,
            ),
            (
                format!("access_token={secret} next"),
                "access_token=[redacted] next",
            ),
            (
                format!("\x1b[3mtoken\x1b[0m\x1b[2m=\x1b[0m\"{secret}\""),
                "\x1b[3mtoken\x1b[0m\x1b[2m=\x1b[0m\"[redacted]\"",
            ),
            (
                format!(r#""authorization": "Bot {secret}""#),
                r#""authorization": "Bot [redacted]""#,
            ),
        ] {
            assert_eq!(r.redact(&text), want);
        }
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        let r = Redactor::new().with_secret("s3cr3t-value");
        for text in [
            "shard-3: down: resuming",
            "waiting for identify budget until 2026-11-23T04:00:00Z",
            "version 1.2.3 on host a.b.c",
            "token_invalidated: false, tokens: 3",
            "the token was rejected (401): check `token`",
            "GET applications/1234/guilds/5678/commands 200 in 12ms",
            "POST channels/98765/messages",
            r#"{"timestamp":"2026-01-01T00:00:00.123456Z","level":"INFO","fields":{"message":"logged in"},"target":"novera::run"}"#,
        ] {
            assert!(matches!(r.redact(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn without_a_gate_every_pass_runs() {
        let mut r = Redactor::new().with_secret("hunter2-password");
        r.gate = None;
        let text = format!("hunter2-password interactions/1/{FAKE_INTERACTION_TOKEN} {FAKE_TOKEN}");
        assert_eq!(
            r.redact(&text),
            "[redacted] interactions/1/[redacted] [redacted]"
        );
    }

    #[test]
    fn redacting_twice_changes_nothing_more() {
        let r = Redactor::new().with_secret("hook-secret-xyz");
        for text in [
            "POST webhooks/42/hook-secret-xyz/messages/@original".to_owned(),
            format!(r#"{{"token":"{FAKE_INTERACTION_TOKEN}"}}"#),
            format!("interactions/1/{FAKE_INTERACTION_TOKEN}/callback"),
            format!("Bot {FAKE_TOKEN}"),
        ] {
            let once = r.redact(&text).into_owned();
            assert_ne!(once, text);
            assert_eq!(r.redact(&once), once);
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
        assert_eq!(debug, "Redactor { secrets: 1, .. }");
    }
}
