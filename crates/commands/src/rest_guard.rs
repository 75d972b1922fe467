//! `RestGuard`: keeps the bot under Discord's invalid-request limit, so it is never banned.
//!
//! Discord bans a bot's IP from its REST API for about an hour after 10,000 invalid requests
//! (401, 403 and non-shared 429 responses) in 10 minutes: no command is answered, no alert can be
//! posted through Discord, restarting does not help. It happens for mundane reasons: a channel
//! where the bot lost `Send Messages` and a busy prefix command, a deleted message edited in a
//! loop. The guard
//!
//! - **counts** every invalid response it sees in one [`InvalidRequestLog`] per bot
//!   (`novera_rest_invalid_requests`, `/status`); twilight-http has no response hook, so it reads
//!   the `twilight_http::Error` of each request sent through [`RestGuard::send`] (or reported with
//!   [`RestGuard::observe`]), and counts the 429s twilight retries by itself from its pre-flight
//!   check, which runs once per attempt;
//! - **warns and alerts** when the count crosses [`RestGuardConfig::warn_at`], naming the routes
//!   and error codes that contribute most (log line and [`RestGuard::on_alert`] observers);
//! - **brakes** above [`RestGuardConfig::brake_at`] (requests in flight count as if they failed):
//!   requests to a channel or message that answered 403/404 within
//!   [`RestGuardConfig::refuse_for`] are refused locally with [`RestRefused`], and above
//!   [`RestGuardConfig::essentials_only_at`] only interaction responses go out. Interaction
//!   callbacks and webhook calls are never refused; the bot's essentials (login, the gateway's
//!   budget refresh, registration, alerts) only report their failures and are never refused.
//! - **shares** Discord's limits with the bot's other processes in a cluster: after
//!   [`RestGuard::share_rate_limits`] every request that is not an interaction answer waits
//!   for a global slot and room in its bucket, and one that meets a 429 is sent again through
//!   them after a pause (twilight would retry a global 429 at once); after
//!   [`RestGuard::share_invalid_requests`] the count is the bot's, not the process's.
//!
//! Requests a handler sends on the raw client ([`Context::http`](crate::Context::http)) bypass
//! the guard entirely; [`Context::request`](crate::Context::request) sends them through it.

mod config;
mod route;
mod shared;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use novera_core::{
    BucketHeaders, Contributor, InvalidRequest, InvalidRequestLog, InvalidRequestSummary,
    InvalidRequestWindow, RateLimitOutcome, SharedRateLimits, thousands,
};
use tokio::time::Instant;
use twilight_http::error::ErrorType;
use twilight_http::request::Request;
use twilight_http::{Client, Response};

pub use config::RestGuardConfig;
use route::Failure;
pub(crate) use route::Route;

use crate::error::{
    CommandError, FORBIDDEN_TEXT, GONE_TEXT, Refusal, ReplyError, RestError, RestRefused,
};

/// With shared rate limits, how often a request that met a 429 is sent again through them
/// (then twilight's own retry takes over), and after how long.
const MAX_RESENDS: u32 = 3;
const RESEND_AFTER: std::time::Duration = std::time::Duration::from_secs(1);
/// Contributors named in a warning.
const TOP: usize = 3;
/// Contributors listed on `/status`.
const STATUS_TOP: usize = 5;
/// Failed targets remembered at most (a flood of distinct ones must not grow memory).
const MAX_TARGETS: usize = 10_000;
/// An announced level is forgotten (and may be announced again) only below this share of it,
/// so a count hovering at a level does not repeat the warning.
const RELEASE: f64 = 0.9;

/// How far up the guard is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GuardStage {
    /// A [`RestGuardConfig::warn_at`] level was crossed.
    Warning,
    /// Requests to targets that just failed are refused.
    Braking,
    /// Only interaction responses and essentials are sent.
    EssentialsOnly,
}

/// A level the guard crossed, for an alert.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GuardAlert {
    /// Which level.
    pub stage: GuardStage,
    /// The fraction of the limit the level stands at.
    pub level: f64,
    /// Invalid requests in the window.
    pub count: u64,
    /// The limit.
    pub limit: u64,
    /// The largest contributors.
    pub top: Vec<Contributor>,
    /// One paragraph for the operator: the count, the largest contributors, what the guard does.
    pub message: String,
}

/// The guard as `/status` shows it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GuardStatus {
    /// The window: count, oldest entry, largest contributors.
    pub summary: InvalidRequestSummary,
    /// The limit.
    pub limit: u64,
    /// Requests on their way that could still fail (they count toward the brake).
    pub in_flight: u64,
    /// Whether the guard brakes at all.
    pub enabled: bool,
    /// Whether requests to targets that just failed are refused now.
    pub braking: bool,
    /// Whether only essentials are sent now.
    pub essentials_only: bool,
    /// Requests refused locally since start.
    pub refused: u64,
    /// Targets that answered 403/404 within `refuse_for`.
    pub failed_targets: usize,
}

type Observer = Arc<dyn Fn(&GuardAlert) + Send + Sync>;

/// One per bot: counts, warns and brakes for every REST request sent through it. Cheap to clone.
#[derive(Clone)]
pub struct RestGuard {
    inner: Arc<Inner>,
}

struct Inner {
    config: RestGuardConfig,
    log: Arc<dyn InvalidRequestLog>,
    /// The bot's count shared with its other processes, once joined (replaces `log`).
    shared_log: OnceLock<Arc<dyn InvalidRequestLog>>,
    failed: Mutex<HashMap<String, Failed>>,
    in_flight: AtomicU64,
    refused: AtomicU64,
    announced: Mutex<Announced>,
    observers: Mutex<Vec<Observer>>,
    shared: OnceLock<Arc<dyn SharedRateLimits>>,
}

#[derive(Debug, Clone, Copy)]
struct Failed {
    at: Instant,
    status: u16,
}

#[derive(Debug, Default)]
struct Announced {
    warned: usize,
    braking: bool,
    essentials_only: bool,
}

impl std::fmt::Debug for RestGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestGuard")
            .field("config", &self.inner.config)
            .field("in_flight", &self.inner.in_flight.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Default for RestGuard {
    fn default() -> Self {
        Self::local(RestGuardConfig::default())
    }
}

impl RestGuard {
    /// A guard counting in `log` (one per bot; the cluster shares one across processes).
    #[must_use]
    pub fn new(config: RestGuardConfig, log: Arc<dyn InvalidRequestLog>) -> Self {
        metrics::gauge!("novera_rest_invalid_request_limit").set(f64::from(config.limit));
        metrics::gauge!("novera_rest_invalid_requests").set(0.0);
        Self {
            inner: Arc::new(Inner {
                config,
                log,
                shared_log: OnceLock::new(),
                failed: Mutex::new(HashMap::new()),
                in_flight: AtomicU64::new(0),
                refused: AtomicU64::new(0),
                announced: Mutex::new(Announced::default()),
                observers: Mutex::new(Vec::new()),
                shared: OnceLock::new(),
            }),
        }
    }

    /// A guard counting in its own in-process window.
    #[must_use]
    pub fn local(config: RestGuardConfig) -> Self {
        let log = Arc::new(InvalidRequestWindow::new(config.window));
        Self::new(config, log)
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &RestGuardConfig {
        &self.inner.config
    }

    /// Where the count is kept, for code that cannot send through the guard (the gateway's
    /// login) and only records its failures: the guard's log, shared or not, now and after
    /// [`share_invalid_requests`](Self::share_invalid_requests).
    #[must_use]
    pub fn log(&self) -> Arc<dyn InvalidRequestLog> {
        Arc::new(LogView(Arc::clone(&self.inner)))
    }

    /// Counts from now on in `log`, shared with the bot's other processes (the cluster's), so
    /// the guard brakes on the bot's count rather than this process's. Set once, before the
    /// first request; a second call is ignored (returns `false`).
    pub fn share_invalid_requests(&self, log: Arc<dyn InvalidRequestLog>) -> bool {
        self.inner.shared_log.set(log).is_ok()
    }

    /// Sends every request that is not an interaction answer only when `limits` (shared with
    /// the bot's other processes) allow it, and tells them what each response taught. Set once,
    /// before the first request; a second call is ignored (returns `false`).
    pub fn share_rate_limits(&self, limits: Arc<dyn SharedRateLimits>) -> bool {
        self.inner.shared.set(limits).is_ok()
    }

    /// Calls `observer` when a level is crossed (after the warning was logged); it runs on the
    /// task whose request crossed it and must not block (the binary enqueues an alert).
    pub fn on_alert(&self, observer: impl Fn(&GuardAlert) + Send + Sync + 'static) {
        lock(&self.inner.observers).push(Arc::new(observer));
    }

    /// Sends `request` unless the guard refuses it, and counts what comes back (429s twilight
    /// retried included).
    pub async fn send<T: Unpin>(
        &self,
        http: &Client,
        request: Request,
    ) -> Result<Response<T>, RestError> {
        let route = Arc::new(Route::new(request.method().name(), request.path()));
        self.admit(&route).map_err(|refused| self.refuse(refused))?;
        let _in_flight = InFlight::enter(&self.inner.in_flight, !route.interaction);
        let shared = match self.inner.shared.get() {
            Some(limits) if !route.interaction => Some((limits, shared::limited(&route))),
            _ => None,
        };
        let mut request = request;
        let mut resends = 0;
        loop {
            if let Some((limits, limited)) = &shared {
                limits.acquire(limited).await;
            }
            // With shared limits, a 429 is not retried blindly by twilight (it retries a global
            // one at once): the request is sent again through the shared limits, after a pause.
            let resend = (shared.is_some() && resends < MAX_RESENDS).then(|| request.clone());
            let outcome = self.attempt::<T>(http, request, &route, resend).await;
            if let Some((limits, limited)) = &shared {
                let learned = match &outcome {
                    Attempt::Done(Ok(response)) => BucketHeaders::read(response.headers())
                        .map_or(RateLimitOutcome::Unlimited, RateLimitOutcome::Learned),
                    _ => RateLimitOutcome::Unknown,
                };
                limits.complete(limited, learned);
            }
            match outcome {
                Attempt::Done(result) => return result,
                Attempt::RateLimited(again) => {
                    resends += 1;
                    metrics::counter!("novera_rest_resent_after_429_total").increment(1);
                    tokio::time::sleep(RESEND_AFTER).await;
                    request = again;
                }
            }
        }
    }

    /// One attempt of `request`: its result, or [`Attempt::RateLimited`] with `resend` when it
    /// met a 429 and `resend` (its copy) asked not to let twilight retry it.
    async fn attempt<T: Unpin>(
        &self,
        http: &Client,
        request: Request,
        route: &Arc<Route>,
        resend: Option<Request>,
    ) -> Attempt<T> {
        let stop_at_429 = resend.is_some();
        let refusal: Arc<Mutex<Option<RestRefused>>> = Arc::default();
        let limited = Arc::new(AtomicBool::new(false));
        let mut future = http.request::<T>(request);
        {
            let (guard, route, refusal, limited) = (
                self.clone(),
                Arc::clone(route),
                Arc::clone(&refusal),
                Arc::clone(&limited),
            );
            let attempts = AtomicU32::new(0);
            // Runs before every attempt: twilight retries a request only after a 429, so every
            // attempt but the first means one more invalid request. It is also the last moment
            // to hold a request back that waited in twilight's queue while the count rose.
            future.set_pre_flight(move || {
                if attempts.fetch_add(1, Ordering::Relaxed) > 0 {
                    guard.record(&route, 429, None, "rate limited (retried)");
                    if stop_at_429 {
                        limited.store(true, Ordering::Relaxed);
                        return false;
                    }
                }
                match guard.admit(&route) {
                    Ok(()) => true,
                    Err(refused) => {
                        *lock(&refusal) = Some(refused);
                        false
                    }
                }
            });
        }
        match future.await {
            Ok(response) => Attempt::Done(Ok(response)),
            Err(error) => {
                if matches!(error.kind(), ErrorType::RequestCanceled) {
                    if let Some(refused) = lock(&refusal).take() {
                        return Attempt::Done(Err(self.refuse(refused)));
                    }
                    if limited.load(Ordering::Relaxed)
                        && let Some(again) = resend
                    {
                        return Attempt::RateLimited(again);
                    }
                }
                self.failed(route, &error);
                Attempt::Done(Err(RestError::Http(error)))
            }
        }
    }

    /// Counts the failure of a request sent without the guard (`path` as twilight writes it,
    /// `channels/1/messages`): the gateway's login, registration, the alert webhook.
    pub fn observe(&self, method: &str, path: &str, error: &twilight_http::Error) {
        self.failed(&Route::new(method, path), error);
    }

    /// The guard now (also re-arms warnings once the count fell well below their level).
    #[must_use]
    pub fn status(&self) -> GuardStatus {
        self.evaluate();
        let summary = self.inner.counted().summary(STATUS_TOP);
        let announced = lock(&self.inner.announced);
        let now = Instant::now();
        GuardStatus {
            limit: u64::from(self.inner.config.limit),
            in_flight: self.inner.in_flight.load(Ordering::Relaxed),
            enabled: self.inner.config.enabled,
            braking: announced.braking,
            essentials_only: announced.essentials_only,
            refused: self.inner.refused.load(Ordering::Relaxed),
            failed_targets: lock(&self.inner.failed)
                .values()
                .filter(|f| now.saturating_duration_since(f.at) < self.inner.config.refuse_for)
                .count(),
            summary,
        }
    }

    /// The count the brake compares with its levels: the window and what is still in flight.
    fn pressure(&self) -> (u64, f64) {
        let count =
            self.inner.counted().summary(0).count + self.inner.in_flight.load(Ordering::Relaxed);
        (count, ratio(count, self.inner.config.limit))
    }

    /// Whether `route` may be sent now.
    fn admit(&self, route: &Route) -> Result<(), RestRefused> {
        let config = &self.inner.config;
        if !config.enabled || route.interaction {
            return Ok(());
        }
        let (count, fraction) = self.pressure();
        let reason = if fraction >= config.essentials_only_at {
            Some(Refusal::EssentialsOnly)
        } else if fraction >= config.brake_at {
            self.recently_failed(route)
        } else {
            None
        };
        match reason {
            None => Ok(()),
            Some(reason) => Err(RestRefused {
                route: route.template.clone(),
                reason,
                count,
                limit: u64::from(config.limit),
            }),
        }
    }

    fn recently_failed(&self, route: &Route) -> Option<Refusal> {
        let failed = lock(&self.inner.failed);
        let now = Instant::now();
        route.targets().find_map(|target| {
            let f = failed.get(target)?;
            (now.saturating_duration_since(f.at) < self.inner.config.refuse_for).then(|| {
                Refusal::RecentlyFailed {
                    target: target.to_owned(),
                    status: f.status,
                }
            })
        })
    }

    fn refuse(&self, refused: RestRefused) -> RestError {
        self.inner.refused.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("novera_rest_refused_total", "reason" => refused.reason.label())
            .increment(1);
        tracing::debug!(route = %refused.route, reason = %refused.reason, "request refused by the rest guard");
        RestError::Refused(refused)
    }

    /// Remembers the target of a 403/404 and counts what Discord counts.
    fn failed(&self, route: &Route, error: &twilight_http::Error) {
        if let Some(failure) = Failure::of(error) {
            self.failure(route, &failure);
        }
    }

    fn failure(&self, route: &Route, failure: &Failure) {
        if !route.interaction
            && let Some(target) = route.failed_target(failure.status, failure.code)
        {
            let mut failed = lock(&self.inner.failed);
            if failed.len() >= MAX_TARGETS {
                let now = Instant::now();
                let keep = self.inner.config.refuse_for;
                failed.retain(|_, f| now.saturating_duration_since(f.at) < keep);
            }
            if failed.len() < MAX_TARGETS {
                failed.insert(
                    target.to_owned(),
                    Failed {
                        at: Instant::now(),
                        status: failure.status,
                    },
                );
            }
        }
        if failure.counts() {
            self.record(route, failure.status, failure.code, &failure.description);
        }
    }

    fn record(&self, route: &Route, status: u16, code: Option<u64>, description: &str) {
        let label = match status {
            401 => "401",
            403 => "403",
            _ => "429",
        };
        metrics::counter!("novera_rest_invalid_requests_total", "status" => label).increment(1);
        self.inner.counted().record(
            InvalidRequest::new(status, route.template.clone())
                .code(code)
                .description(description),
        );
        self.evaluate();
    }

    /// Announces the levels the count crossed since the last look.
    fn evaluate(&self) {
        let config = &self.inner.config;
        let count = self.inner.counted().summary(0).count;
        metrics::gauge!("novera_rest_invalid_requests").set(ratio(count, 1));
        let fraction = ratio(count, config.limit);
        let (_, pressure) = self.pressure();
        let mut crossed = Vec::new();
        {
            let mut guard = lock(&self.inner.announced);
            let announced = &mut *guard;
            let reached = config.warn_at.iter().filter(|&&l| fraction >= l).count();
            if reached > announced.warned {
                crossed.push((GuardStage::Warning, config.warn_at[reached - 1]));
                announced.warned = reached;
            } else {
                let kept = config
                    .warn_at
                    .iter()
                    .filter(|&&l| fraction >= l * RELEASE)
                    .count();
                announced.warned = announced.warned.min(kept);
            }
            for (stage, level, flag) in [
                (GuardStage::Braking, config.brake_at, &mut announced.braking),
                (
                    GuardStage::EssentialsOnly,
                    config.essentials_only_at,
                    &mut announced.essentials_only,
                ),
            ] {
                if config.enabled && pressure >= level && !*flag {
                    *flag = true;
                    crossed.push((stage, level));
                } else if *flag && pressure < level * RELEASE {
                    *flag = false;
                    tracing::info!(
                        ?stage,
                        "rest guard: below the level again; no longer held back"
                    );
                }
            }
        }
        for (stage, level) in crossed {
            self.announce(stage, level, count);
        }
    }

    fn announce(&self, stage: GuardStage, level: f64, count: u64) {
        let config = &self.inner.config;
        let summary = self.inner.counted().summary(TOP);
        let limit = u64::from(config.limit);
        let largest = if summary.top.is_empty() {
            "none recorded".to_owned()
        } else {
            summary
                .top
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        };
        let doing = match stage {
            GuardStage::Warning if config.enabled => format!(
                "at {:.0}% the guard refuses requests to channels and messages that just answered 403/404",
                config.brake_at * 100.0
            ),
            GuardStage::Warning => {
                "the guard's brake is disabled (rest_guard.enabled = false)".to_owned()
            }
            GuardStage::Braking => format!(
                "braking: requests to channels and messages that answered 403/404 in the last {}s are refused locally",
                config.refuse_for.as_secs()
            ),
            GuardStage::EssentialsOnly => {
                "only interaction responses and essentials are sent until the count falls"
                    .to_owned()
            }
        };
        let message = format!(
            "{} of {} invalid requests (401/403/429) in the last {}s ({:.0}% of the limit at which Discord bans the bot for about an hour). Largest: {largest}. {doing}. Fix the cause: grant the missing permission, or stop the command that keeps failing.",
            thousands(count),
            thousands(limit),
            summary.window.as_secs(),
            ratio(count, config.limit) * 100.0,
        );
        tracing::warn!(
            stage = ?stage,
            level,
            count,
            limit,
            largest = %largest,
            "{message}"
        );
        let alert = GuardAlert {
            stage,
            level,
            count,
            limit,
            top: summary.top,
            message,
        };
        let observers: Vec<Observer> = lock(&self.inner.observers).clone();
        for observer in observers {
            observer(&alert);
        }
    }
}

#[allow(
    clippy::cast_precision_loss,
    reason = "counts far below 2^52; a ratio for thresholds"
)]
fn ratio(count: u64, limit: u32) -> f64 {
    count as f64 / f64::from(limit.max(1))
}

impl Inner {
    /// Where invalid requests are counted now.
    fn counted(&self) -> &dyn InvalidRequestLog {
        self.shared_log.get().map_or(&*self.log, |shared| &**shared)
    }
}

/// The guard's log as a value (what [`RestGuard::log`] hands out).
struct LogView(Arc<Inner>);

impl std::fmt::Debug for LogView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("LogView").field(&self.0.counted()).finish()
    }
}

impl InvalidRequestLog for LogView {
    fn record(&self, request: InvalidRequest) {
        self.0.counted().record(request);
    }

    fn summary(&self, top: usize) -> InvalidRequestSummary {
        self.0.counted().summary(top)
    }
}

/// How one attempt of a request ended.
enum Attempt<T> {
    Done(Result<Response<T>, RestError>),
    /// It met a 429 and was not retried by twilight: the copy to send again.
    RateLimited(Request),
}

/// Counts a request in flight until it is dropped (done or cancelled by a deadline).
struct InFlight<'a>(Option<&'a AtomicU64>);

impl<'a> InFlight<'a> {
    fn enter(counter: &'a AtomicU64, applies: bool) -> Self {
        if applies {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        Self(applies.then_some(counter))
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(counter) = self.0 {
            counter.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// What to tell the user when a handler failed because Discord refused (403, 404) or the guard
/// held a request back: the bot lacks a permission where it acted, or the target is gone. Not a
/// bug, and not worth another doomed request.
pub(crate) fn refusal_text(error: &CommandError) -> Option<&'static str> {
    let mut next = error.internal_error();
    while let Some(error) = next {
        if let Some(text) = refusal_text_of(error) {
            return Some(text);
        }
        next = error.source();
    }
    None
}

/// The user's text for one error of a chain, when it is a refusal.
fn refusal_text_of(error: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    // `Refused` variants are transparent: the refusal is not a source of its wrapper.
    let refused = error
        .downcast_ref::<RestRefused>()
        .or_else(|| match error.downcast_ref::<ReplyError>() {
            Some(ReplyError::Refused(refused)) => Some(refused),
            _ => None,
        })
        .or_else(|| match error.downcast_ref::<RestError>() {
            Some(RestError::Refused(refused)) => Some(refused),
            _ => None,
        });
    if let Some(refused) = refused {
        return Some(refused.user_message());
    }
    let failure = Failure::of(error.downcast_ref::<twilight_http::Error>()?)?;
    match (failure.status, failure.code) {
        (403, _) => Some(FORBIDDEN_TEXT),
        (404, Some(10003 | 10008)) => Some(GONE_TEXT),
        _ => None,
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests;
