//! Rate limits shared with the bot's other processes: what a REST caller asks before each
//! request it sends, and tells after.
//!
//! Discord's limits are per bot, not per process: 50 requests per second globally, and each
//! route's bucket (5 messages per 5 s in a channel). twilight-http's limiter knows only what its
//! own process sent, so several processes of one bot (the cluster's gateways and workers) would
//! each spend the whole budget. A [`SharedRateLimits`] (novera-cluster's is on NATS key-value)
//! hands out global slots and bucket room across every process; novera-commands' REST guard
//! and novera-gateway's login wait on it before each request that is not an interaction answer
//! (those are exempt from the global limit and their webhook buckets belong to the one process
//! answering the interaction).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// What [`SharedRateLimits::acquire`] returns (the trait stays object safe).
pub type LimitFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// One request as shared rate limits see it: its route and its major parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LimitedRoute {
    /// `POST /channels/{id}/messages`.
    pub template: String,
    /// The top-level resource that keys the bucket beside the route (`channels/1`, `guilds/2`),
    /// empty for routes without one (`GET /gateway/bot`).
    pub major: String,
}

impl LimitedRoute {
    /// A request to `template` (`GET /gateway/bot`) under the major parameter `major`
    /// (`channels/1`, or empty).
    #[must_use]
    pub fn new(template: impl Into<String>, major: impl Into<String>) -> Self {
        Self {
            template: template.into(),
            major: major.into(),
        }
    }
}

/// A response's rate-limit headers (`X-RateLimit-*`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BucketHeaders {
    /// `X-RateLimit-Bucket`: the same for every route Discord counts together.
    pub bucket: String,
    /// `X-RateLimit-Limit`: requests per window.
    pub limit: u16,
    /// `X-RateLimit-Remaining`: requests left in this window when the server answered.
    pub remaining: u16,
    /// `X-RateLimit-Reset-After`: how long until the window ends.
    pub reset_after: Duration,
}

impl BucketHeaders {
    /// Reads the headers of a response; `None` when it has no (or malformed) bucket headers.
    pub fn read<'a>(headers: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Option<Self> {
        let (mut bucket, mut limit, mut remaining, mut reset_after) = (None, None, None, None);
        for (name, value) in headers {
            let value = std::str::from_utf8(value).ok().map(str::trim);
            match name.to_ascii_lowercase().as_str() {
                "x-ratelimit-bucket" => bucket = value.map(str::to_owned),
                "x-ratelimit-limit" => limit = value.and_then(|v| v.parse().ok()),
                "x-ratelimit-remaining" => remaining = value.and_then(|v| v.parse().ok()),
                "x-ratelimit-reset-after" => {
                    reset_after = value
                        .and_then(|v| v.parse::<f64>().ok())
                        .and_then(|s| Duration::try_from_secs_f64(s).ok());
                }
                _ => {}
            }
        }
        Some(Self {
            bucket: bucket.filter(|b| !b.is_empty())?,
            limit: limit?,
            remaining: remaining?,
            reset_after: reset_after?,
        })
    }
}

/// What a response taught about the rate limits.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RateLimitOutcome {
    /// A response with bucket headers.
    Learned(BucketHeaders),
    /// A successful response without bucket headers: the route is not limited per bucket.
    Unlimited,
    /// No response, or an error response whose headers twilight does not show: nothing learned.
    Unknown,
}

/// Rate limits shared by every process of a bot; see the module docs.
pub trait SharedRateLimits: fmt::Debug + Send + Sync + 'static {
    /// Waits until this process may send a request to `route`: a global slot is its own and its
    /// bucket has room. Never fails: a store that cannot be reached lets the request go (after
    /// logging), leaving twilight's own limiter in charge.
    fn acquire<'a>(&'a self, route: &'a LimitedRoute) -> LimitFuture<'a>;

    /// Tells the limits what the request to `route` taught (quick; any write happens in the
    /// background).
    fn complete(&self, route: &LimitedRoute, outcome: RateLimitOutcome);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_headers_are_read_whatever_their_case() {
        let headers = [
            ("X-RateLimit-Bucket", b"abc".as_slice()),
            ("x-ratelimit-limit", b"5"),
            ("x-ratelimit-remaining", b"4"),
            ("x-ratelimit-reset-after", b"4.75"),
            ("content-type", b"application/json"),
        ];
        assert_eq!(
            BucketHeaders::read(headers),
            Some(BucketHeaders {
                bucket: "abc".to_owned(),
                limit: 5,
                remaining: 4,
                reset_after: Duration::from_millis(4750),
            })
        );
        assert_eq!(BucketHeaders::read(headers[1..].iter().copied()), None);
        let broken = [
            ("x-ratelimit-bucket", b"abc".as_slice()),
            ("x-ratelimit-limit", b"5"),
            ("x-ratelimit-remaining", b"4"),
            ("x-ratelimit-reset-after", b"-1"),
        ];
        assert_eq!(BucketHeaders::read(broken), None);
    }
}
