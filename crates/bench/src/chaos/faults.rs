//! The faults of a chaos soak, drawn from a seeded generator so a run can be repeated exactly.

use std::time::Duration;

use novera_sim::{Fault, Garbage, RateLimitScope};

/// Every kind of fault the soak draws from, equally likely.
pub(crate) const KINDS: [&str; 13] = [
    "op7",
    "tcp_drop",
    "op9_resumable",
    "op9_not_resumable",
    "close_4000",
    "close_4009",
    "close_1001",
    "silence",
    "rest_500",
    "rest_502",
    "rest_429",
    "rest_slow",
    "garbage",
];

const GARBAGE: [Garbage; 7] = [
    Garbage::InvalidJson,
    Garbage::UnknownOpcode,
    Garbage::Oversized,
    Garbage::Binary,
    Garbage::UnknownEvent,
    Garbage::MissingFields,
    Garbage::WrongTypes,
];

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// One drawn fault.
#[derive(Debug, Clone)]
pub(crate) struct Drawn {
    /// Its kind, one of [`KINDS`].
    pub(crate) kind: &'static str,
    pub(crate) fault: Fault,
    /// Whether it ends the session, so the bot must IDENTIFY again (op 9 `false`, and the
    /// closes the simulator treats as ending it: 4009 and 1001).
    pub(crate) forces_identify: bool,
}

/// A seeded source of faults and of the pauses between them.
#[derive(Debug)]
pub(crate) struct FaultPlan {
    rng: fastrand::Rng,
    every: (Duration, Duration),
}

impl FaultPlan {
    /// Faults from `seed`, one every `every.0..=every.1`.
    pub(crate) fn new(seed: u64, every: (Duration, Duration)) -> Self {
        Self {
            rng: fastrand::Rng::with_seed(seed),
            every,
        }
    }

    /// The pause before the next fault.
    pub(crate) fn pause(&mut self) -> Duration {
        let (low, high) = (ms(self.every.0), ms(self.every.1));
        Duration::from_millis(self.rng.u64(low.min(high)..=high.max(low)))
    }

    /// The next fault.
    pub(crate) fn next_fault(&mut self) -> Drawn {
        let kind = KINDS[self.rng.usize(..KINDS.len())];
        let shard = None;
        let mut forces_identify = false;
        let fault = match kind {
            "op7" => Fault::Reconnect { shard },
            "tcp_drop" => Fault::Drop { shard },
            "op9_resumable" => Fault::InvalidSession {
                resumable: true,
                shard,
            },
            "op9_not_resumable" => {
                forces_identify = true;
                Fault::InvalidSession {
                    resumable: false,
                    shard,
                }
            }
            "close_4000" => Fault::Close { code: 4000, shard },
            "close_4009" => {
                forces_identify = true;
                Fault::Close { code: 4009, shard }
            }
            "close_1001" => {
                forces_identify = true;
                Fault::Close { code: 1001, shard }
            }
            // Shorter than Discord's window: longer silences make every command sent during
            // them late however fast the bot is.
            "silence" => Fault::Silence {
                ms: self.rng.u64(300..=1500),
                shard,
            },
            "rest_500" | "rest_502" => Fault::Rest {
                status: if kind == "rest_500" { 500 } else { 502 },
                count: self.rng.u32(1..=3),
                path_prefix: None,
                retry_after: None,
            },
            "rest_429" => Fault::RateLimit {
                scope: [
                    RateLimitScope::User,
                    RateLimitScope::Global,
                    RateLimitScope::Shared,
                ][self.rng.usize(..3)],
                count: self.rng.u32(1..=3),
                path_prefix: None,
                retry_after: Some(f64::from(self.rng.u32(100..=1000)) / 1000.0),
            },
            "rest_slow" => Fault::RestDelay {
                ms: self.rng.u64(100..=800),
                count: self.rng.u32(1..=10),
            },
            _ => {
                let variant = GARBAGE[self.rng.usize(..GARBAGE.len())];
                Fault::Garbage {
                    variant,
                    bytes: (variant == Garbage::Oversized)
                        .then(|| self.rng.u64(64 * 1024..=1024 * 1024)),
                    shard,
                }
            }
        };
        Drawn {
            kind,
            fault,
            forces_identify,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_faults_and_every_kind_comes_up() {
        let every = (Duration::from_secs(1), Duration::from_secs(4));
        let mut a = FaultPlan::new(7, every);
        let mut b = FaultPlan::new(7, every);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..500 {
            let (x, y) = (a.next_fault(), b.next_fault());
            assert_eq!(format!("{:?}", x.fault), format!("{:?}", y.fault));
            seen.insert(x.kind);
            let pause = a.pause();
            assert_eq!(pause, b.pause());
            assert!((Duration::from_secs(1)..=Duration::from_secs(4)).contains(&pause));
        }
        assert_eq!(seen.len(), KINDS.len());
    }

    #[test]
    fn only_session_ending_faults_force_an_identify() {
        let mut plan = FaultPlan::new(1, (Duration::ZERO, Duration::ZERO));
        for _ in 0..300 {
            let drawn = plan.next_fault();
            let ends = matches!(
                drawn.kind,
                "op9_not_resumable" | "close_4009" | "close_1001"
            );
            assert_eq!(drawn.forces_identify, ends, "{drawn:?}");
        }
    }
}
