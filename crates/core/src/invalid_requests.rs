//! Invalid requests: what a remote API counts against a client in a sliding window before it
//! bans the client, and one window per client that keeps the count.
//!
//! Discord bans a bot's IP from its REST API for about an hour after 10,000 invalid requests
//! (401, 403 and non-shared 429 responses) in 10 minutes; nothing works during the ban. The
//! counting is not Discord-specific: an entry is a status, an optional API error code and a route
//! template (`POST /channels/{id}/messages`), and the window says how many there were, since
//! when, and which kinds contributed most. Which responses count, the limit and what to do near
//! it are the caller's business (novera-commands' `RestGuard`).
//!
//! [`InvalidRequestLog`] is small and object safe so that several processes of one bot can share
//! one count (the cluster plugs a shared log in); [`InvalidRequestWindow`] is the in-process one.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// At most this many entries are kept, whatever the window: far above any limit worth guarding
/// (Discord's is 10,000), so only a client already banned many times over could reach it, and
/// memory stays bounded (about 40 bytes an entry).
const MAX_ENTRIES: usize = 200_000;

/// One invalid request: its HTTP status, the API's error code if the body had one, the route
/// template it was sent to and a short description of the error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidRequest {
    /// The HTTP status (401, 403, 429, ...).
    pub status: u16,
    /// The API's JSON error code (`50013`), when the body carried one.
    pub code: Option<u64>,
    /// The route template, ids replaced: `POST /channels/{id}/messages`.
    pub route: String,
    /// What the error was, for a person: `Missing Permissions`, `rate limited`.
    pub description: String,
}

impl InvalidRequest {
    /// An invalid request to `route` answered with `status`.
    #[must_use]
    pub fn new(status: u16, route: impl Into<String>) -> Self {
        Self {
            status,
            code: None,
            route: route.into(),
            description: String::new(),
        }
    }

    /// Sets the API's error code.
    #[must_use]
    pub fn code(mut self, code: Option<u64>) -> Self {
        self.code = code;
        self
    }

    /// Sets the description shown in summaries.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }
}

/// The kind of invalid request summaries group by: status, code and route.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Kind {
    status: u16,
    code: Option<u64>,
    route: String,
}

/// One group of invalid requests in a window, for "what contributes most".
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Contributor {
    /// The HTTP status.
    pub status: u16,
    /// The API's error code, if any.
    pub code: Option<u64>,
    /// The route template.
    pub route: String,
    /// The description of the first request of this kind still in the window.
    pub description: String,
    /// How many of them are in the window.
    pub count: u64,
}

impl fmt::Display for Contributor {
    /// `403 Missing Permissions on POST /channels/{id}/messages: 3,912`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        if !self.description.is_empty() {
            write!(f, " {}", self.description)?;
        }
        if let Some(code) = self.code.filter(|&c| c != 0) {
            write!(f, " ({code})")?;
        }
        write!(f, " on {}: {}", self.route, thousands(self.count))
    }
}

/// `3912` as `3,912`.
#[must_use]
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The window as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct InvalidRequestSummary {
    /// Invalid requests in the window.
    pub count: u64,
    /// The window's length.
    pub window: Duration,
    /// How long ago the oldest entry still in the window was recorded (it leaves the window
    /// `window - oldest_age` from now).
    pub oldest_age: Option<Duration>,
    /// The kinds contributing most, largest first (as many as asked for).
    pub top: Vec<Contributor>,
}

/// Where a bot's invalid requests are counted: one per bot, shared by everything that sends
/// REST requests with its token.
///
/// Both methods are called on request paths, so they must be quick and must not block: a shared
/// implementation (several processes of one bot) publishes in the background and answers from
/// what it has seen.
pub trait InvalidRequestLog: fmt::Debug + Send + Sync + 'static {
    /// Records one invalid request, now.
    fn record(&self, request: InvalidRequest);

    /// The window now, with the `top` largest contributors (`0`: just the count).
    fn summary(&self, top: usize) -> InvalidRequestSummary;
}

impl<T: InvalidRequestLog + ?Sized> InvalidRequestLog for Arc<T> {
    fn record(&self, request: InvalidRequest) {
        (**self).record(request);
    }

    fn summary(&self, top: usize) -> InvalidRequestSummary {
        (**self).summary(top)
    }
}

/// The in-process sliding window: every entry is kept with its time until it is `window` old.
#[derive(Debug)]
pub struct InvalidRequestWindow {
    window: Duration,
    inner: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    /// Oldest first: when, and which kind.
    entries: VecDeque<(Instant, Arc<Kind>)>,
    /// Per kind: how many entries are in the window, and the description of the first.
    kinds: HashMap<Arc<Kind>, (u64, String)>,
}

impl InvalidRequestWindow {
    /// A window `window` long (Discord's: 10 minutes).
    #[must_use]
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            inner: Mutex::new(Entries::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Entries {
    /// Drops entries older than `window` (and the oldest past `MAX_ENTRIES`).
    fn expire(&mut self, now: Instant, window: Duration) {
        while let Some((at, _)) = self.entries.front() {
            let expired = now.saturating_duration_since(*at) >= window;
            if !expired && self.entries.len() <= MAX_ENTRIES {
                break;
            }
            if let Some((_, kind)) = self.entries.pop_front()
                && let Some((count, _)) = self.kinds.get_mut(&kind)
            {
                *count -= 1;
                if *count == 0 {
                    self.kinds.remove(&kind);
                }
            }
        }
    }
}

impl InvalidRequestWindow {
    /// Records `request` as made at `at` (another process's, heard of later): kept in time
    /// order, and dropped when `at` is already out of the window.
    pub fn record_at(&self, request: InvalidRequest, at: Instant) {
        let now = Instant::now();
        if now.saturating_duration_since(at) >= self.window {
            return;
        }
        self.insert(request, at.min(now), now);
    }

    fn insert(&self, request: InvalidRequest, at: Instant, now: Instant) {
        let kind = Kind {
            status: request.status,
            code: request.code,
            route: request.route,
        };
        let mut inner = self.lock();
        inner.expire(now, self.window);
        // One shared key per kind: thousands of entries of one kind cost one route string.
        let key = match inner.kinds.get_key_value(&kind) {
            Some((key, _)) => Arc::clone(key),
            None => Arc::new(kind),
        };
        inner
            .kinds
            .entry(Arc::clone(&key))
            .or_insert_with(|| (0, request.description))
            .0 += 1;
        // Almost always the newest: the search is for entries heard of late.
        let position = inner.entries.partition_point(|(t, _)| *t <= at);
        inner.entries.insert(position, (at, key));
    }
}

impl InvalidRequestLog for InvalidRequestWindow {
    fn record(&self, request: InvalidRequest) {
        let now = Instant::now();
        self.insert(request, now, now);
    }

    fn summary(&self, top: usize) -> InvalidRequestSummary {
        let now = Instant::now();
        let mut inner = self.lock();
        inner.expire(now, self.window);
        let mut contributors: Vec<Contributor> = if top == 0 {
            Vec::new()
        } else {
            inner
                .kinds
                .iter()
                .map(|(kind, (count, description))| Contributor {
                    status: kind.status,
                    code: kind.code,
                    route: kind.route.clone(),
                    description: description.clone(),
                    count: *count,
                })
                .collect()
        };
        contributors.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.route.cmp(&b.route))
                .then_with(|| a.status.cmp(&b.status))
        });
        contributors.truncate(top);
        InvalidRequestSummary {
            count: inner.entries.len() as u64,
            window: self.window,
            oldest_age: inner
                .entries
                .front()
                .map(|(at, _)| now.saturating_duration_since(*at)),
            top: contributors,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forbidden() -> InvalidRequest {
        InvalidRequest::new(403, "POST /channels/{id}/messages")
            .code(Some(50013))
            .description("Missing Permissions")
    }

    #[tokio::test(start_paused = true)]
    async fn entries_leave_the_window_after_its_length() {
        let window = InvalidRequestWindow::new(Duration::from_secs(600));
        for _ in 0..3 {
            window.record(forbidden());
        }
        tokio::time::advance(Duration::from_secs(300)).await;
        window.record(InvalidRequest::new(401, "GET /users/@me"));
        let summary = window.summary(5);
        assert_eq!(summary.count, 4);
        assert_eq!(summary.oldest_age, Some(Duration::from_secs(300)));
        assert_eq!(summary.top.len(), 2);
        assert_eq!(summary.top[0].count, 3);

        // The first three are exactly 10 minutes old now: out.
        tokio::time::advance(Duration::from_secs(300)).await;
        let summary = window.summary(5);
        assert_eq!(summary.count, 1);
        assert_eq!(summary.oldest_age, Some(Duration::from_secs(300)));
        assert_eq!(summary.top.len(), 1);
        assert_eq!(summary.top[0].route, "GET /users/@me");

        tokio::time::advance(Duration::from_secs(300)).await;
        let summary = window.summary(5);
        assert_eq!(
            summary,
            InvalidRequestSummary {
                count: 0,
                window: Duration::from_secs(600),
                oldest_age: None,
                top: Vec::new(),
            }
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_top_contributors_come_largest_first_and_read_like_a_sentence() {
        let window = InvalidRequestWindow::new(Duration::from_secs(600));
        for _ in 0..3912 {
            window.record(forbidden());
        }
        for _ in 0..7 {
            window.record(
                InvalidRequest::new(403, "PATCH /channels/{id}/messages/{id}")
                    .code(Some(50001))
                    .description("Missing Access"),
            );
        }
        window.record(InvalidRequest::new(429, "GET /gateway/bot").description("rate limited"));
        let summary = window.summary(2);
        assert_eq!(summary.count, 3920);
        assert_eq!(
            summary
                .top
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            [
                "403 Missing Permissions (50013) on POST /channels/{id}/messages: 3,912",
                "403 Missing Access (50001) on PATCH /channels/{id}/messages/{id}: 7",
            ]
        );
        assert!(window.summary(0).top.is_empty());
        assert_eq!(window.summary(0).count, 3920);
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(3912), "3,912");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[tokio::test(start_paused = true)]
    async fn entries_heard_of_late_keep_their_time() {
        let window = InvalidRequestWindow::new(Duration::from_secs(600));
        tokio::time::advance(Duration::from_secs(700)).await;
        let now = Instant::now();
        window.record(forbidden());
        window.record_at(forbidden(), now - Duration::from_secs(300));
        window.record_at(forbidden(), now - Duration::from_secs(600));
        let summary = window.summary(1);
        assert_eq!(summary.count, 2, "one was already out of the window");
        assert_eq!(summary.oldest_age, Some(Duration::from_secs(300)));
        tokio::time::advance(Duration::from_secs(300)).await;
        assert_eq!(window.summary(0).count, 1, "the late one left first");
    }

    #[tokio::test(start_paused = true)]
    async fn a_shared_log_behind_an_arc_is_the_same_log() {
        let window: Arc<dyn InvalidRequestLog> =
            Arc::new(InvalidRequestWindow::new(Duration::from_secs(60)));
        let shared = Arc::clone(&window);
        shared.record(forbidden());
        assert_eq!(window.summary(0).count, 1);
    }
}
