//! REST rate limits as Discord applies them: per-route buckets, the global limit, and the ban
//! for too many invalid requests; plus REST faults injected through the control API.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

use crate::config::SimConfig;
use crate::types::RateLimitScope;
use crate::violations::rule;

/// Which bucket a request falls in.
#[derive(Debug, Clone)]
pub(crate) struct RouteKey {
    /// `METHOD /route/{}/template`
    pub(crate) route: String,
    /// The major parameter (channel, guild, webhook or interaction), part of the bucket.
    pub(crate) major: String,
    /// Interaction callbacks and interaction webhooks: no `Authorization`, no global limit.
    pub(crate) interaction: bool,
    /// `POST /interactions/{id}/{token}/callback`: not bucketed, exempt from the global limit,
    /// and answered without any rate-limit header, as Discord does (a library that trusts the
    /// headers would otherwise merge every callback into one small bucket).
    pub(crate) callback: bool,
}

impl RouteKey {
    /// Derives the route template and major parameter from a path under `/api/v10`.
    pub(crate) fn from_request(method: &str, path: &str) -> Self {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut template = String::with_capacity(path.len());
        let mut major = String::new();
        let mut prev = "";
        for (i, seg) in segments.iter().enumerate() {
            template.push('/');
            let is_param = matches!(
                prev,
                "channels"
                    | "guilds"
                    | "webhooks"
                    | "applications"
                    | "interactions"
                    | "messages"
                    | "commands"
                    | "users"
            ) && !seg.starts_with('@');
            // The webhook/interaction token is the segment after the id.
            let is_token = i >= 2 && matches!(segments[i - 2], "webhooks" | "interactions");
            if is_param || is_token {
                template.push_str("{}");
                if is_token
                    || major.is_empty()
                        && matches!(prev, "channels" | "guilds" | "webhooks" | "interactions")
                {
                    if !major.is_empty() {
                        major.push('/');
                    }
                    major.push_str(seg);
                }
            } else {
                template.push_str(seg);
            }
            prev = seg;
        }
        let interaction =
            segments.first() == Some(&"interactions") || segments.first() == Some(&"webhooks");
        let callback =
            method == "POST" && matches!(segments.as_slice(), ["interactions", _, _, "callback"]);
        Self {
            route: format!("{method} {template}"),
            major,
            interaction,
            callback,
        }
    }

    /// The `x-ratelimit-bucket` hash: the same for every major parameter of a route.
    pub(crate) fn bucket_hash(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.route.bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
    }
}

/// The rate-limit headers of one response.
#[derive(Debug, Clone)]
pub(crate) struct BucketHeaders {
    pub(crate) limit: u32,
    pub(crate) remaining: u32,
    pub(crate) reset_after: Duration,
    pub(crate) hash: String,
}

/// The limiter's answer for a request.
#[derive(Debug)]
pub(crate) enum Verdict {
    /// Not rate limited at all (interaction callbacks): no rate-limit headers.
    Unlimited,
    Allowed(BucketHeaders),
    /// A 429. `headers` is the route's bucket for a per-route limit; a global 429 carries no
    /// bucket headers (Discord's documented example has only `X-RateLimit-Global` and scope).
    Limited {
        headers: Option<BucketHeaders>,
        retry_after: Duration,
        global: bool,
    },
}

#[derive(Debug)]
struct Bucket {
    window_start: Instant,
    used: u32,
    blocked_until: Option<Instant>,
}

/// Violations the limiter found for one request: `(rule, detail)`.
pub(crate) type Found = Vec<(&'static str, String)>;

/// Rate-limit state of the REST API.
#[derive(Debug, Default)]
pub(crate) struct RestLimiter {
    buckets: HashMap<(String, String), Bucket>,
    global: VecDeque<Instant>,
    global_blocked_until: Option<Instant>,
    invalid: VecDeque<Instant>,
    banned_until: Option<Instant>,
}

impl RestLimiter {
    /// Whether an invalid-request ban is in force.
    pub(crate) fn banned(&mut self, now: Instant) -> bool {
        match self.banned_until {
            Some(until) if now < until => true,
            Some(_) => {
                self.banned_until = None;
                false
            }
            None => false,
        }
    }

    /// Counts a request against the global limit and its bucket.
    pub(crate) fn check(
        &mut self,
        key: &RouteKey,
        cfg: &SimConfig,
        now: Instant,
        found: &mut Found,
    ) -> Verdict {
        if key.callback {
            return Verdict::Unlimited;
        }
        let enforce = !cfg.lenient;
        let hash = key.bucket_hash();
        let bucket = self
            .buckets
            .entry((key.route.clone(), key.major.clone()))
            .or_insert(Bucket {
                window_start: now,
                used: 0,
                blocked_until: None,
            });
        if now.duration_since(bucket.window_start) >= cfg.rest_bucket_window {
            bucket.window_start = now;
            bucket.used = 0;
        }
        let reset_after =
            (bucket.window_start + cfg.rest_bucket_window).saturating_duration_since(now);
        if bucket.blocked_until.is_some_and(|until| now < until)
            || (!key.interaction && self.global_blocked_until.is_some_and(|until| now < until))
        {
            found.push((
                rule::REST_RETRY_AFTER_IGNORED,
                format!("{} retried before its Retry-After passed", key.route),
            ));
        }

        if !key.interaction {
            while self
                .global
                .front()
                .is_some_and(|t| now.duration_since(*t) >= cfg.rest_global_window)
            {
                self.global.pop_front();
            }
            if self.global.len() >= cfg.rest_global_limit as usize {
                found.push((
                    rule::REST_GLOBAL_RATE_LIMIT,
                    format!(
                        "more than {} requests in {:?} ({})",
                        cfg.rest_global_limit, cfg.rest_global_window, key.route
                    ),
                ));
                if enforce {
                    let oldest = self.global.front().copied().unwrap_or(now);
                    let retry_after =
                        (oldest + cfg.rest_global_window).saturating_duration_since(now);
                    self.global_blocked_until = Some(now + retry_after);
                    return Verdict::Limited {
                        headers: None,
                        retry_after,
                        global: true,
                    };
                }
            }
            self.global.push_back(now);
        }

        if bucket.used >= cfg.rest_bucket_limit {
            found.push((
                rule::REST_RATE_LIMIT,
                format!(
                    "{} over its bucket ({} per {:?}) for {}",
                    key.route, cfg.rest_bucket_limit, cfg.rest_bucket_window, key.major
                ),
            ));
            if enforce {
                bucket.blocked_until = Some(now + reset_after);
                return Verdict::Limited {
                    headers: Some(BucketHeaders {
                        limit: cfg.rest_bucket_limit,
                        remaining: 0,
                        reset_after,
                        hash,
                    }),
                    retry_after: reset_after,
                    global: false,
                };
            }
        }
        bucket.used = bucket.used.saturating_add(1);
        Verdict::Allowed(BucketHeaders {
            limit: cfg.rest_bucket_limit,
            remaining: cfg.rest_bucket_limit.saturating_sub(bucket.used),
            reset_after,
            hash,
        })
    }

    /// Counts an invalid request (401, 403, 429 other than shared); returns true when this one
    /// starts a ban.
    pub(crate) fn count_invalid(&mut self, cfg: &SimConfig, now: Instant) -> bool {
        while self
            .invalid
            .front()
            .is_some_and(|t| now.duration_since(*t) >= cfg.invalid_request_window)
        {
            self.invalid.pop_front();
        }
        self.invalid.push_back(now);
        if self.invalid.len() >= cfg.invalid_request_limit as usize && self.banned_until.is_none() {
            if !cfg.lenient {
                self.banned_until = Some(now + cfg.invalid_request_window);
            }
            self.invalid.clear();
            return true;
        }
        false
    }
}

/// What an armed REST fault answers a request with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Injected {
    /// This status (a 429 is a per-route one, scope `user`).
    Status { status: u16, retry_after: f64 },
    /// A 429 of this scope.
    RateLimit {
        scope: RateLimitScope,
        retry_after: f64,
    },
}

#[derive(Debug)]
struct StatusFault {
    answer: Injected,
    remaining: u32,
    prefix: Option<String>,
}

/// REST faults armed through `POST /_sim/faults`.
#[derive(Debug, Default)]
pub(crate) struct RestFaults {
    statuses: VecDeque<StatusFault>,
    delay: Option<(Duration, u32)>,
}

impl RestFaults {
    /// Arms `answer` for the next `count` requests whose path starts with `prefix`.
    pub(crate) fn arm(&mut self, answer: Injected, count: u32, prefix: Option<String>) {
        self.statuses.push_back(StatusFault {
            answer,
            remaining: count,
            prefix,
        });
    }

    pub(crate) fn arm_delay(&mut self, delay: Duration, count: u32) {
        self.delay = Some((delay, count));
    }

    /// The injected answer for a request to `path` (under `/api/v10`), if one is armed.
    pub(crate) fn take_status(&mut self, path: &str) -> Option<Injected> {
        let index = self
            .statuses
            .iter()
            .position(|f| f.prefix.as_deref().is_none_or(|p| path.starts_with(p)))?;
        let fault = self.statuses.get_mut(index)?;
        fault.remaining = fault.remaining.saturating_sub(1);
        let hit = fault.answer;
        if fault.remaining == 0 {
            self.statuses.remove(index);
        }
        Some(hit)
    }

    pub(crate) fn take_delay(&mut self) -> Option<Duration> {
        let (delay, count) = self.delay.as_mut()?;
        let delay = *delay;
        *count = count.saturating_sub(1);
        if *count == 0 {
            self.delay = None;
        }
        Some(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_major_parameters() {
        let k = RouteKey::from_request("POST", "/channels/123/messages");
        assert_eq!(k.route, "POST /channels/{}/messages");
        assert_eq!(k.major, "123");
        assert!(!k.interaction);
        let k = RouteKey::from_request("PATCH", "/channels/123/messages/456");
        assert_eq!(k.route, "PATCH /channels/{}/messages/{}");
        assert_eq!(k.major, "123");
        let k = RouteKey::from_request("POST", "/interactions/9/tok/callback");
        assert_eq!(k.route, "POST /interactions/{}/{}/callback");
        assert_eq!(k.major, "9/tok");
        assert!(k.interaction && k.callback);
        let k = RouteKey::from_request("PATCH", "/webhooks/1/tok/messages/@original");
        assert_eq!(k.route, "PATCH /webhooks/{}/{}/messages/@original");
        assert_eq!(k.major, "1/tok");
        assert!(k.interaction && !k.callback);
        let k = RouteKey::from_request("GET", "/users/@me");
        assert_eq!(k.route, "GET /users/@me");
        let k = RouteKey::from_request("PUT", "/applications/5/guilds/6/commands");
        assert_eq!(k.route, "PUT /applications/{}/guilds/{}/commands");
        assert_eq!(k.major, "6");
    }

    #[test]
    fn callbacks_are_never_limited() {
        let cfg = SimConfig {
            rest_bucket_limit: 1,
            rest_global_limit: 1,
            ..SimConfig::default()
        };
        let mut limiter = RestLimiter::default();
        let callback = RouteKey::from_request("POST", "/interactions/9/tok/callback");
        let now = Instant::now();
        let mut found = Vec::new();
        for _ in 0..5 {
            assert!(matches!(
                limiter.check(&callback, &cfg, now, &mut found),
                Verdict::Unlimited
            ));
        }
        // Callbacks did not use up the global limit either.
        let other = RouteKey::from_request("GET", "/users/@me");
        assert!(matches!(
            limiter.check(&other, &cfg, now, &mut found),
            Verdict::Allowed(_)
        ));
        assert!(found.is_empty());
    }

    #[test]
    fn bucket_limits_then_resets() {
        let cfg = SimConfig {
            rest_bucket_limit: 2,
            rest_bucket_window: Duration::from_secs(10),
            ..SimConfig::default()
        };
        let mut limiter = RestLimiter::default();
        let key = RouteKey::from_request("POST", "/channels/1/messages");
        let now = Instant::now();
        let mut found = Vec::new();
        assert!(
            matches!(limiter.check(&key, &cfg, now, &mut found), Verdict::Allowed(h) if h.remaining == 1)
        );
        assert!(
            matches!(limiter.check(&key, &cfg, now, &mut found), Verdict::Allowed(h) if h.remaining == 0)
        );
        assert!(matches!(
            limiter.check(&key, &cfg, now, &mut found),
            Verdict::Limited { global: false, .. }
        ));
        assert_eq!(found.len(), 1);
        limiter.check(&key, &cfg, now, &mut found);
        assert!(
            found
                .iter()
                .any(|(r, _)| *r == rule::REST_RETRY_AFTER_IGNORED)
        );
        let later = now + Duration::from_secs(11);
        assert!(matches!(
            limiter.check(&key, &cfg, later, &mut found),
            Verdict::Allowed(_)
        ));
    }
}
