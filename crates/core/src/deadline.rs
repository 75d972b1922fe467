//! Deadlines: every await on the outside world is bounded, and running out of time is a value.
//!
//! The Python bot this replaces crashed with "Timeout context manager should be used inside a task"
//! and papered over it with `safe_wait_for`. Here a deadline is a plain future combinator on
//! tokio's timer: it works in any async context, and dropping it drops (cancels) the inner future,
//! so nothing keeps running after the caller has given up.

use std::future::Future;
use std::time::Duration;

use crate::error::DeadlineExceeded;

/// Runs `future` for at most `limit`; `None` means the deadline passed first.
///
/// The inner future is dropped at the deadline, so whatever it owned is released and it never
/// completes "in the background". A `limit` of zero still polls the future once, so an already
/// ready future yields `Some`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// use std::time::Duration;
/// use novera_core::within;
///
/// let answer = within(Duration::from_secs(1), async { 42 }).await;
/// assert_eq!(answer, Some(42));
///
/// let never = within(Duration::from_secs(1), std::future::pending::<()>()).await;
/// assert_eq!(never, None);
/// # }
/// ```
pub async fn within<F: Future>(limit: Duration, future: F) -> Option<F::Output> {
    tokio::time::timeout(limit, future).await.ok()
}

/// Like [`within`], but a missed deadline is a typed error naming what timed out.
///
/// `what` is a short, static description of the operation ("GET /gateway/bot", "shard 3 close")
/// and ends up in the error message an operator reads.
pub async fn deadline<F: Future>(
    what: &'static str,
    limit: Duration,
    future: F,
) -> Result<F::Output, DeadlineExceeded> {
    within(limit, future)
        .await
        .ok_or(DeadlineExceeded { what, limit })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn never_ready_future_times_out_exactly_at_the_deadline() {
        let start = Instant::now();
        let out = within(Duration::from_millis(1500), std::future::pending::<u8>()).await;
        assert_eq!(out, None);
        assert_eq!(start.elapsed(), Duration::from_millis(1500));
    }

    #[tokio::test(start_paused = true)]
    async fn ready_future_is_returned_without_waiting() {
        let start = Instant::now();
        assert_eq!(
            within(Duration::from_secs(5), async { "ok" }).await,
            Some("ok")
        );
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn zero_limit_still_polls_once() {
        assert_eq!(within(Duration::ZERO, async { 1 }).await, Some(1));
    }

    #[tokio::test(start_paused = true)]
    async fn typed_variant_names_the_operation() {
        let err = deadline(
            "GET /users/@me",
            Duration::from_secs(2),
            std::future::pending::<()>(),
        )
        .await
        .unwrap_err();
        assert_eq!(err.what, "GET /users/@me");
        assert_eq!(err.to_string(), "GET /users/@me did not finish within 2s");
    }

    #[tokio::test(start_paused = true)]
    async fn timed_out_future_is_dropped() {
        struct SetOnDrop(std::sync::Arc<std::sync::atomic::AtomicBool>);
        impl Drop for SetOnDrop {
            fn drop(&mut self) {
                self.0.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }
        let dropped = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let guard = SetOnDrop(dropped.clone());
        let out = within(Duration::from_secs(1), async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        })
        .await;
        assert!(out.is_none());
        assert!(dropped.load(std::sync::atomic::Ordering::SeqCst));
    }
}
