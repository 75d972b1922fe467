//! What `log.level` turns on.
//!
//! A bare level is the level of Novera's own crates (every `novera*` target); dependencies stay
//! a step quieter so `info` is not drowned in their chatter: at `info` they only say warnings, at
//! `debug` twilight joins in (REST requests with method and route, gateway opcodes) while HTTP,
//! TLS and WebSocket internals stay at `info`, and `trace` is everything. Anything else
//! (`"info,novera_gateway=debug"`) is a tracing filter used as written, and so is `RUST_LOG`.
//!
//! Whatever the filter, WebSocket frames dumped as hex at `trace` (tungstenite, used by the
//! embedded sandbox simulator) are never logged: a payload in hex is out of any redactor's
//! reach, and it would carry the token of an IDENTIFY.

use std::borrow::Cow;

use tracing::{Level, Metadata};
use tracing_subscriber::filter::{FilterFn, filter_fn};

/// The filter directives for a `log.level` value.
pub(crate) fn directives(level: &str) -> Cow<'_, str> {
    match level.trim().to_ascii_lowercase().as_str() {
        "info" => Cow::Borrowed("warn,novera=info"),
        "debug" => Cow::Borrowed("info,novera=debug,twilight=debug"),
        _ => Cow::Borrowed(level),
    }
}

/// A global filter that drops payload dumps, whatever the level filter allows.
pub(crate) fn no_payload_dumps() -> FilterFn<fn(&Metadata<'_>) -> bool> {
    filter_fn(|meta| !(*meta.level() == Level::TRACE && meta.target().starts_with("tungstenite")))
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::EnvFilter;

    use super::*;

    #[test]
    fn bare_levels_keep_dependencies_a_step_quieter() {
        assert_eq!(directives("info"), "warn,novera=info");
        assert_eq!(directives(" DEBUG "), "info,novera=debug,twilight=debug");
        for as_written in ["trace", "warn", "error", "off", "info,novera_gateway=debug"] {
            assert_eq!(directives(as_written), as_written);
        }
    }

    #[test]
    fn every_expansion_is_a_valid_filter() {
        for level in ["error", "warn", "info", "debug", "trace", "off"] {
            let directives = directives(level);
            assert!(EnvFilter::try_new(&*directives).is_ok(), "{directives}");
        }
    }

    #[test]
    fn trace_level_websocket_frames_are_dropped_and_nothing_else() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};

        use tracing_subscriber::Layer;
        use tracing_subscriber::layer::{Context, SubscriberExt as _};

        struct Count(Arc<AtomicUsize>);
        impl<S: tracing::Subscriber> Layer<S> for Count {
            fn on_event(&self, _: &tracing::Event<'_>, _: Context<'_, S>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }

        let seen = Arc::new(AtomicUsize::new(0));
        let subscriber = tracing_subscriber::registry()
            .with(no_payload_dumps())
            .with(Count(seen.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::trace!(target: "tungstenite::protocol", "writing frame");
            assert_eq!(
                seen.load(Ordering::SeqCst),
                0,
                "a frame dump was let through"
            );
            tracing::debug!(target: "tungstenite::protocol", "received close frame");
            tracing::trace!(target: "twilight_http::client", "awaiting response");
            tracing::trace!(target: "novera::run", "something");
        });
        assert_eq!(seen.load(Ordering::SeqCst), 3);
    }
}
