//! Per-user, per-command cooldowns.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;
use twilight_model::id::Id;
use twilight_model::id::marker::UserMarker;

/// Entries kept before expired ones are swept (keeps memory bounded under many users).
const SWEEP_AT: usize = 10_000;

/// When each (command, user) may run again.
#[derive(Debug, Default)]
pub(crate) struct Cooldowns {
    until: Mutex<HashMap<(String, Id<UserMarker>), Instant>>,
}

impl Cooldowns {
    /// Records a use now, or says how long the user still has to wait.
    pub(crate) fn try_use(
        &self,
        command: &str,
        user: Id<UserMarker>,
        period: Duration,
    ) -> Result<(), Duration> {
        let now = Instant::now();
        let mut until = self.until.lock().unwrap_or_else(PoisonError::into_inner);
        if until.len() >= SWEEP_AT {
            until.retain(|_, at| *at > now);
        }
        let key = (command.to_owned(), user);
        match until.get(&key) {
            Some(at) if *at > now => Err(*at - now),
            _ => {
                until.insert(key, now + period);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_user_waits_out_the_period_others_do_not() {
        let cooldowns = Cooldowns::default();
        let (alice, bob) = (Id::new(1), Id::new(2));
        let period = Duration::from_secs(10);
        assert!(cooldowns.try_use("roll", alice, period).is_ok());
        tokio::time::advance(Duration::from_secs(4)).await;
        assert_eq!(
            cooldowns.try_use("roll", alice, period),
            Err(Duration::from_secs(6))
        );
        assert!(cooldowns.try_use("roll", bob, period).is_ok());
        assert!(cooldowns.try_use("ping", alice, period).is_ok());
        tokio::time::advance(Duration::from_secs(6)).await;
        assert!(cooldowns.try_use("roll", alice, period).is_ok());
    }
}
