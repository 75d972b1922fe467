//! Everything in Novera that speaks NATS JetStream.
//!
//! (Crate docs are completed as the crate grows; see docs/scaling.md.)

mod broker;
mod error;
mod fanout;
mod headers;
mod invalid_requests;
mod leases;
mod ledger;
mod pacer;
mod publisher;
mod rest_limits;
mod sessions;
mod settings;
mod snapshot;
mod state;
mod subjects;
mod worker;

pub use broker::Broker;
pub use error::{ConnectError, SettingsError};
pub use fanout::run_fanout;
pub use headers::{MESSAGE_ID, RECEIVED_AT, instant_of, received_at, unix_ms_now};
pub use invalid_requests::SharedInvalidRequests;
pub use leases::{LEASE_TTL, LeaseAcquireError, LeaseError, RENEW_EVERY, ShardLeases};
pub use ledger::{CLAIM_LIFETIME, KvLedger};
pub use pacer::KvPacer;
pub use publisher::{IN_FLIGHT, run_publisher};
pub use rest_limits::{KvRateLimits, LATE, MARGIN};
pub use sessions::KvSessionStore;
pub use settings::{ClusterSettings, default_stream};
pub use snapshot::{SnapshotOutcome, request_snapshots, serve_snapshots};
pub use state::{KvStateStore, state_bucket};
pub use subjects::{EventClass, Subjects, event_name, message_id};
pub use worker::{COMPONENT_GRACE, Discord, run_work};

/// This process's name, unique across the bot's processes and restarts: host, pid and a
/// random suffix, chosen once (what ledger entries, logs and `/diag` name).
#[must_use]
pub fn process_name() -> &'static str {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NAME.get_or_init(|| {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map_or_else(|_| "host".to_owned(), |h| h.trim().to_owned());
        format!("{host}-{}-{:04x}", std::process::id(), fastrand::u16(..))
    })
}
