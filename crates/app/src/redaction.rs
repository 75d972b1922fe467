//! The process's one [`Redactor`]: built from the configuration's secrets, then used by every
//! way text leaves the process: log lines (`logging`), `/status` and `/metrics` (health), alerts,
//! panic messages and the last line before exit.
//!
//! The panic hook and the exit line have no handle to pass a redactor through, so the redactor
//! is also kept once for the process here; until the configuration is loaded it is the
//! shapes-only one (bot- and interaction-token shapes, webhook and interaction paths).

use std::any::Any;
use std::backtrace::{Backtrace, BacktraceStatus};
use std::io::Write as _;
use std::panic::Location;
use std::sync::{LazyLock, OnceLock};

use novera_health::Redactor;

use crate::config::Config;

static PROCESS: OnceLock<Redactor> = OnceLock::new();

/// The redactor for `config`: the token, the alert webhook URL and its token, plus the shapes
/// every redactor knows. (The sandbox's token is a published constant, not a secret.)
pub(crate) fn redactor(config: &Config) -> Redactor {
    let mut redactor = Redactor::new();
    if let Some(token) = &config.token {
        redactor = redactor.with_secret(token.expose());
    }
    if let Some(url) = &config.alerts.webhook_url {
        let url = url.expose();
        redactor = redactor.with_secret(url);
        if let Some(token) = webhook_token(url) {
            redactor = redactor.with_secret(token);
        }
    }
    redactor
}

/// The credential of a webhook URL: its last path segment (`.../webhooks/<id>/<token>`).
fn webhook_token(url: &str) -> Option<&str> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|t| !t.is_empty() && !t.contains(':'))
}

/// Makes `redactor` the process's (the first call wins; later ones, only in tests, are ignored).
pub(crate) fn set_process(redactor: &Redactor) {
    let _ = PROCESS.set(redactor.clone());
}

/// The process's redactor; the shapes-only one before [`set_process`].
fn process() -> &'static Redactor {
    static SHAPES_ONLY: LazyLock<Redactor> = LazyLock::new(Redactor::new);
    PROCESS.get().unwrap_or(&SHAPES_ONLY)
}

/// `text` as the process's redactor leaves it.
pub(crate) fn redact(text: &str) -> String {
    process().redact(text).into_owned()
}

/// Replaces the default panic hook, which would print a panic's message (and with it any secret
/// formatted into it) to stderr as is. This one prints the same report, redacted.
pub(crate) fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let thread = std::thread::current();
        let report = panic_report(
            process(),
            thread.name().unwrap_or("<unnamed>"),
            info.location(),
            info.payload(),
            &Backtrace::capture(),
        );
        // Nothing sensible is left to do when stderr itself fails.
        let _ = std::io::stderr().lock().write_all(report.as_bytes());
    }));
}

/// What the default hook prints (thread, message, location, backtrace or the hint), redacted.
fn panic_report(
    redactor: &Redactor,
    thread: &str,
    location: Option<&Location<'_>>,
    payload: &(dyn Any + Send),
    backtrace: &Backtrace,
) -> String {
    let location = location
        .map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column()))
        .unwrap_or_default();
    let message = novera_core::panic_message(payload);
    let trailer = match backtrace.status() {
        BacktraceStatus::Captured => format!("stack backtrace:\n{backtrace}"),
        _ => "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace"
            .to_owned(),
    };
    let report = format!("thread '{thread}' {message}{location}\n{trailer}\n");
    redactor.redact(&report).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Sources;

    fn config(pairs: &[(&str, &str)]) -> Config {
        let env = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let sources = Sources {
            env,
            ..Sources::default()
        };
        Config::load(&sources).expect("the test configuration is valid")
    }

    #[test]
    fn the_token_the_webhook_url_and_its_token_are_known_secrets() {
        let r = redactor(&config(&[
            ("NOVERA_TOKEN", "plain-test-token-value"),
            (
                "NOVERA_ALERTS__WEBHOOK_URL",
                "https://discord.com/api/webhooks/42/hook-token-value",
            ),
        ]));
        assert_eq!(r.secret_count(), 3);
        assert_eq!(
            r.redact("t=plain-test-token-value h=hook-token-value"),
            "t=[redacted] h=[redacted]"
        );
        assert_eq!(
            r.redact("see https://discord.com/api/webhooks/42/hook-token-value"),
            "see [redacted]"
        );
    }

    #[test]
    fn without_secrets_configured_only_the_shapes_remain() {
        let r = redactor(&config(&[]));
        assert_eq!(r.secret_count(), 0);
        assert_eq!(r.redact("webhooks/1/abc"), "webhooks/1/[redacted]");
    }

    #[test]
    fn a_panic_report_names_thread_and_place_and_hides_secrets() {
        let r = Redactor::new().with_secret("plain-test-token-value");
        let payload: Box<dyn Any + Send> = Box::new(format!(
            "bad request to interactions/9/{}/callback with plain-test-token-value",
            "aW50ZXJhY3Rpb246OTo6c2VjcmV0LWludGVyYWN0aW9uLXRva2Vu"
        ));
        let here = Location::caller();
        let report = panic_report(&r, "novera", Some(here), &*payload, &Backtrace::disabled());
        assert!(
            report.starts_with("thread 'novera' panicked: bad request"),
            "{report}"
        );
        assert!(
            report.contains("interactions/9/[redacted]/callback with [redacted]"),
            "{report}"
        );
        assert!(
            report.contains(&format!("{}:{}", here.file(), here.line())),
            "{report}"
        );
        assert!(report.contains("RUST_BACKTRACE=1"), "{report}");
        assert!(!report.contains("plain-test-token-value"), "{report}");
    }

    #[test]
    fn the_webhook_token_is_the_last_path_segment() {
        assert_eq!(
            webhook_token("https://discord.com/api/webhooks/1/abc-def/"),
            Some("abc-def")
        );
        assert_eq!(
            webhook_token("http://127.0.0.1:9/api/v10/webhooks/1/tok?wait=true"),
            Some("tok")
        );
        assert_eq!(webhook_token("not a url"), Some("not a url"));
        assert_eq!(webhook_token("http://host:1"), None);
        assert_eq!(webhook_token(""), None);
    }
}
