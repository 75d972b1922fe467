//! Retries of the REST calls an answer is made of, where a second attempt cannot do harm.
//!
//! Discord's REST API answers a busy bot with a transient 500, 502, 503 or 504 now and then, and
//! connections break; without a retry the user's command is lost for good ("This interaction
//! failed"). A call is tried again, after a jittered backoff ([`Backoff`]), when:
//! - Discord answered 5xx, or an error page that is not Discord's JSON (a proxy's 502/504);
//! - the request failed in transport (reset, timeout of the HTTP client) and repeating it does
//!   what sending it once does ([`Repeat::Idempotent`]): edits, deletes and reads; the interaction
//!   callback (a second one is refused with 40060, which the responder reads as "the first one
//!   landed"); channel messages sent with a nonce and `enforce_nonce` (Discord returns the message
//!   the nonce already created instead of a second one);
//! - for a call that would post a second copy ([`Repeat::UnlessDelivered`]: follow-ups, whose
//!   webhook route takes no nonce), only when the connection was never made.
//!
//! Never retried: 4xx answers (the same request gets the same answer), 429s (twilight-http's
//! rate limiter waits and repeats those itself, or the REST guard with shared rate limits), a
//! request the REST guard refused, a body that could not be read (the request
//! landed), and a call whose budget is spent. The budget is the REST deadline for all attempts
//! together, and for a first response also Discord's 3 s window: a callback retried after it
//! would only earn 10062. A handler's own calls end with its deadline (the router drops them).
//!
//! Metrics: `novera_commands_rest_retries_total{request,reason}` for each repeat,
//! `novera_commands_rest_give_ups_total{request}` when a retryable failure outlived the budget.

use std::future::IntoFuture;
use std::time::Duration;

use novera_core::{Backoff, BackoffPolicy, deadline};
use tokio::time::Instant;
use twilight_http::error::ErrorType;

use crate::error::{ReplyError, chain};

/// Attempts of one call at most (discord.py makes five as well).
const MAX_ATTEMPTS: u32 = 5;

/// Delays between attempts: 100 ms, then up to 200, 400, 800 ms (full jitter), so four retries
/// fit in about 1.5 s, well inside a first response's window.
const POLICY: BackoffPolicy = BackoffPolicy {
    min: Duration::from_millis(100),
    max: Duration::from_secs(2),
    stable_after: Duration::MAX,
};

/// What repeating a request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// The same as sending it once (see the module docs).
    Idempotent,
    /// A second copy of what it creates: repeated only when the first attempt did not reach
    /// Discord's application (5xx, no connection).
    UnlessDelivered,
}

/// How long one call may take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    /// All attempts and the pauses between them together.
    pub(crate) total: Duration,
    /// No attempt starts after this (a first response's window), when set.
    pub(crate) retry_until: Option<Instant>,
}

/// The result of a call and how many attempts it took.
#[derive(Debug)]
pub(crate) struct Sent<T> {
    pub(crate) result: Result<T, ReplyError>,
    pub(crate) attempts: u32,
}

impl<T> Sent<T> {
    /// Whether an earlier attempt may have reached Discord before this result.
    pub(crate) fn retried(&self) -> bool {
        self.attempts > 1
    }
}

/// Sends `request()` until it succeeds, fails in a way a retry cannot fix, or `budget` is spent.
/// `request` sends the same request each time it is called (through the REST guard, so each
/// attempt is counted and may be refused; a refusal is never retried).
pub(crate) async fn send<T, E, F, R>(
    what: &'static str,
    repeat: Repeat,
    budget: Budget,
    mut request: F,
) -> Sent<T>
where
    E: Into<ReplyError>,
    F: FnMut() -> R,
    R: IntoFuture<Output = Result<T, E>>,
{
    let end = Instant::now() + budget.total;
    let mut backoff = Backoff::new(POLICY);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let left = end.saturating_duration_since(Instant::now());
        let result = match deadline(what, left, request().into_future()).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(error.into()),
            Err(timeout) => Err(ReplyError::Timeout(timeout)),
        };
        let reason = match &result {
            Ok(_) => None,
            Err(error) => retryable(error, repeat),
        };
        let (Some(reason), Err(error)) = (reason, &result) else {
            return Sent { result, attempts };
        };
        let next = Instant::now() + backoff.next_delay();
        if attempts >= MAX_ATTEMPTS
            || next >= end
            || budget.retry_until.is_some_and(|until| next >= until)
        {
            metrics::counter!("novera_commands_rest_give_ups_total", "request" => what)
                .increment(1);
            tracing::warn!(request = what, attempts, error = %chain(error), "giving up on a REST call");
            return Sent { result, attempts };
        }
        metrics::counter!(
            "novera_commands_rest_retries_total",
            "request" => what,
            "reason" => reason
        )
        .increment(1);
        tracing::info!(request = what, attempt = attempts, reason, error = %chain(error), "retrying a REST call");
        tokio::time::sleep_until(next).await;
    }
}

/// Why `error` is worth another attempt (the metric's `reason`), or `None`.
fn retryable(error: &ReplyError, repeat: Repeat) -> Option<&'static str> {
    // A timeout means the budget is spent; an unreadable body means the request landed.
    let ReplyError::Http(error) = error else {
        return None;
    };
    match error.kind() {
        ErrorType::Response { status, .. } if status.is_server_error() => Some("server_error"),
        // Discord's errors are JSON; anything else is a proxy's page (Cloudflare's 502/504).
        ErrorType::Parsing { .. } => Some("server_error"),
        ErrorType::RequestError | ErrorType::RequestTimedOut if repeat == Repeat::Idempotent => {
            Some("transport")
        }
        ErrorType::RequestError if never_connected(error) => Some("connect"),
        _ => None,
    }
}

/// Whether the request failed before a connection existed, so it cannot have been delivered.
fn never_connected(error: &twilight_http::Error) -> bool {
    std::error::Error::source(error)
        .and_then(|source| source.downcast_ref::<hyper_util::client::legacy::Error>())
        .is_some_and(hyper_util::client::legacy::Error::is_connect)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn budget(total: Duration) -> Budget {
        Budget {
            total,
            retry_until: None,
        }
    }

    /// A request that fails in transport `failures` times, then succeeds; counts the attempts.
    fn flaky(
        failures: u32,
        calls: &Arc<AtomicU32>,
    ) -> impl FnMut() -> std::future::Ready<Result<u8, twilight_http::Error>> {
        let calls = Arc::clone(calls);
        move || {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            std::future::ready(if n < failures { Err(refused()) } else { Ok(7) })
        }
    }

    /// What twilight's client returns for one request to `127.0.0.1:port` (on its own thread and
    /// runtime, so paused tests can use it).
    fn error_from(port: u16) -> twilight_http::Error {
        let _ = rustls::crypto::ring::default_provider().install_default();
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for one request")
                .block_on(async {
                    let client = twilight_http::Client::builder()
                        .proxy(format!("127.0.0.1:{port}"), true)
                        .ratelimiter(None)
                        .timeout(Duration::from_secs(5))
                        .build();
                    client.current_user().await
                })
        })
        .join()
        .expect("the request thread does not panic")
        .expect_err("the request cannot succeed")
    }

    /// A refused connection: a loopback port that was bound and released.
    fn refused() -> twilight_http::Error {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("bind 127.0.0.1:0")
            .port();
        error_from(port)
    }

    /// A connection that is closed as soon as it is accepted: the request may have been sent.
    fn reset() -> twilight_http::Error {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        let closer = std::thread::spawn(move || {
            if let Ok((stream, _)) = listener.accept() {
                drop(stream);
            }
        });
        let error = error_from(port);
        closer.join().expect("the closing thread does not panic");
        error
    }

    #[test]
    fn follow_ups_are_repeated_only_when_nothing_was_sent() {
        let refused = ReplyError::Http(refused());
        assert_eq!(retryable(&refused, Repeat::Idempotent), Some("transport"));
        assert_eq!(
            retryable(&refused, Repeat::UnlessDelivered),
            Some("connect")
        );
        let reset = ReplyError::Http(reset());
        assert_eq!(retryable(&reset, Repeat::Idempotent), Some("transport"));
        assert_eq!(retryable(&reset, Repeat::UnlessDelivered), None);
    }

    #[tokio::test(start_paused = true)]
    async fn transport_failures_are_retried_until_success() {
        let calls = Arc::new(AtomicU32::new(0));
        let sent = send(
            "GET test",
            Repeat::Idempotent,
            budget(Duration::from_secs(10)),
            flaky(2, &calls),
        )
        .await;
        assert_eq!(sent.result.ok(), Some(7));
        assert_eq!(sent.attempts, 3);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn attempts_are_bounded() {
        let calls = Arc::new(AtomicU32::new(0));
        let sent = send(
            "GET test",
            Repeat::Idempotent,
            budget(Duration::from_secs(60)),
            flaky(u32::MAX, &calls),
        )
        .await;
        assert!(sent.result.is_err());
        assert_eq!(sent.attempts, MAX_ATTEMPTS);
    }

    #[tokio::test(start_paused = true)]
    async fn no_attempt_starts_after_the_window() {
        let calls = Arc::new(AtomicU32::new(0));
        let started = Instant::now();
        let sent = send(
            "POST callback",
            Repeat::Idempotent,
            Budget {
                total: Duration::from_secs(10),
                retry_until: Some(started + Duration::from_millis(150)),
            },
            flaky(u32::MAX, &calls),
        )
        .await;
        assert!(sent.result.is_err());
        // The first pause is at least 100 ms, the second would end past 150 ms.
        assert!(sent.attempts <= 2, "{} attempts", sent.attempts);
        assert!(started.elapsed() < Duration::from_millis(150));
    }

    #[tokio::test(start_paused = true)]
    async fn a_spent_budget_is_a_timeout_and_not_retried() {
        let calls = Arc::new(AtomicU32::new(0));
        let counted = Arc::clone(&calls);
        let sent: Sent<()> = send(
            "GET slow",
            Repeat::Idempotent,
            budget(Duration::from_secs(1)),
            move || {
                counted.fetch_add(1, Ordering::SeqCst);
                std::future::pending::<Result<(), twilight_http::Error>>()
            },
        )
        .await;
        assert!(matches!(sent.result, Err(ReplyError::Timeout(_))));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
