//! Headers a gateway puts on each published event.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_nats::HeaderMap;
use tokio::time::Instant;

/// When the gateway received the event from Discord, in milliseconds since the Unix epoch: a
/// worker counts Discord's 3 s interaction window from it, not from when the broker delivered.
pub const RECEIVED_AT: &str = "Novera-Received-At";

/// JetStream's deduplication header.
pub const MESSAGE_ID: &str = "Nats-Msg-Id";

/// Milliseconds since the Unix epoch now.
#[must_use]
pub fn unix_ms_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The local instant matching `unix_ms` on this host's clock (clocks of the bot's hosts are
/// assumed synchronised, e.g. NTP; a timestamp from the future counts as now).
#[must_use]
pub fn instant_of(unix_ms: u64) -> Instant {
    let age = unix_ms_now().saturating_sub(unix_ms);
    let now = Instant::now();
    now.checked_sub(Duration::from_millis(age)).unwrap_or(now)
}

/// The receive time in `headers`, or now when it is missing or unreadable.
#[must_use]
pub fn received_at(headers: Option<&HeaderMap>) -> Instant {
    headers
        .and_then(|h| h.get(RECEIVED_AT))
        .and_then(|v| v.as_str().parse::<u64>().ok())
        .map_or_else(Instant::now, instant_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receive_time_becomes_a_local_instant() {
        let mut headers = HeaderMap::new();
        headers.insert(RECEIVED_AT, (unix_ms_now() - 1_500).to_string().as_str());
        let at = received_at(Some(&headers));
        let age = Instant::now().saturating_duration_since(at);
        assert!(
            age >= Duration::from_millis(1_400) && age < Duration::from_secs(3),
            "{age:?}"
        );
        // Missing, unreadable or future timestamps count as now.
        assert!(
            Instant::now().saturating_duration_since(received_at(None)) < Duration::from_secs(1)
        );
        headers.insert(RECEIVED_AT, "soon");
        assert!(
            Instant::now().saturating_duration_since(received_at(Some(&headers)))
                < Duration::from_secs(1)
        );
        assert!(
            Instant::now().saturating_duration_since(instant_of(u64::MAX)) < Duration::from_secs(1)
        );
    }
}
