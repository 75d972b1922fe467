//! Discord snowflakes and ISO 8601 timestamps, written without a date library.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds between the Unix epoch and Discord's epoch (2015-01-01T00:00:00Z).
pub(crate) const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// Builds a snowflake from a timestamp (ms since Discord's epoch), a worker id and an increment.
pub(crate) const fn snowflake(timestamp_ms: u64, worker: u64, increment: u64) -> u64 {
    (timestamp_ms << 22) | ((worker & 0x1f) << 17) | (increment & 0xfff)
}

/// The worker bits of a snowflake, used by the world to tell its id families apart.
pub(crate) const fn worker_of(id: u64) -> u64 {
    (id >> 17) & 0x1f
}

/// Milliseconds since the Unix epoch on the wall clock (ids and timestamps only, never deadlines).
pub(crate) fn unix_ms_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Hands out unique, increasing snowflakes for runtime objects (messages, interactions, commands).
#[derive(Debug)]
pub(crate) struct IdGenerator {
    worker: u64,
    last: AtomicU64,
}

impl IdGenerator {
    pub(crate) const fn new(worker: u64) -> Self {
        Self {
            worker,
            last: AtomicU64::new(0),
        }
    }

    /// The next id: time based, and strictly greater than every id handed out before.
    pub(crate) fn next(&self) -> u64 {
        let candidate = snowflake(
            unix_ms_now().saturating_sub(DISCORD_EPOCH_MS),
            self.worker,
            0,
        );
        let previous = self
            .last
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |last| {
                Some(candidate.max(last + 1))
            })
            .unwrap_or_else(|last| last);
        candidate.max(previous + 1)
    }

    /// Reserves `count` consecutive ids and returns the first.
    pub(crate) fn reserve(&self, count: u64) -> u64 {
        let first = self.next();
        self.last.fetch_max(first + count, Ordering::AcqRel);
        first
    }
}

/// Formats Unix milliseconds as Discord does: `2024-01-02T03:04:05.678000+00:00`.
pub(crate) fn iso8601(unix_ms: u64) -> String {
    let secs = unix_ms / 1000;
    let millis = unix_ms % 1000;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}000+00:00",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm, for days since 1970-01-01 (non-negative only).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000000+00:00");
        assert_eq!(
            iso8601(1_709_251_199_123),
            "2024-02-29T23:59:59.123000+00:00"
        );
        assert_eq!(
            iso8601(DISCORD_EPOCH_MS),
            "2015-01-01T00:00:00.000000+00:00"
        );
    }

    #[test]
    fn ids_strictly_increase() {
        let ids = IdGenerator::new(10);
        let a = ids.next();
        let first = ids.reserve(5);
        let b = ids.next();
        assert!(first > a);
        assert!(b >= first + 5);
        assert_eq!(worker_of(a), 10);
    }
}
