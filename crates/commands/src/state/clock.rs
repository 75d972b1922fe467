//! `Clock`: wall-clock time that tests can pause.
//!
//! State and timers must outlive the process, so they are stamped with wall-clock times
//! (`SystemTime`): a timer due at 12:00 is due at 12:00 after a restart too. Within a process the
//! clock advances with tokio's clock from an anchor taken when it was made, so a test with
//! `start_paused = true` moves timers and expiry forward deterministically, and production
//! reads the wall clock as of the anchor plus monotonic time (immune to clock steps meanwhile).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

/// Wall-clock time advancing with tokio's clock. Cheap to copy.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    wall: SystemTime,
    at: Instant,
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock {
    /// A clock anchored at the wall-clock time now.
    #[must_use]
    pub fn new() -> Self {
        Self {
            wall: SystemTime::now(),
            at: Instant::now(),
        }
    }

    /// A clock reading `wall` now (tests: a clock ahead or behind the machine's).
    #[must_use]
    pub fn starting_at(wall: SystemTime) -> Self {
        Self {
            wall,
            at: Instant::now(),
        }
    }

    /// The current wall-clock time.
    #[must_use]
    pub fn now(&self) -> SystemTime {
        self.wall + self.at.elapsed()
    }
}

/// Milliseconds since the Unix epoch (0 for times before it).
#[must_use]
pub fn unix_ms(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The time `ms` milliseconds after the Unix epoch.
#[must_use]
pub fn from_unix_ms(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_clock_moves_with_tokio_time() {
        let clock = Clock::starting_at(from_unix_ms(1_000));
        assert_eq!(unix_ms(clock.now()), 1_000);
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert_eq!(unix_ms(clock.now()), 6_000);
    }

    #[test]
    fn unix_milliseconds_round_trip() {
        let at = from_unix_ms(1_700_000_000_123);
        assert_eq!(unix_ms(at), 1_700_000_000_123);
        assert_eq!(unix_ms(UNIX_EPOCH - Duration::from_secs(1)), 0);
    }
}
