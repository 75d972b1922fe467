//! Command state that survives restarts and is shared by every process of the bot.
//!
//! - [`StateStore`]: the object-safe contract (get, put, compare-and-set, delete, scan, expiry);
//!   [`FileStateStore`] (an embedded redb file, the standalone bot's) and
//!   [`MemoryStateStore`] implement it here, novera-cluster's `KvStateStore` over a NATS bucket.
//! - [`CommandState`] (`ctx.state()`): one command's keys, JSON values, load-apply-save with
//!   compare-and-set ([`CommandState::update`]) and durable timers.
//! - [`TimerBook`]: timers in the store and the leases that let exactly one process fire each.
//! - [`Clock`]: wall-clock time that paused tokio tests can move.

mod clock;
mod error;
mod file;
mod handle;
mod memory;
mod store;
mod timers;

pub use clock::{Clock, from_unix_ms, unix_ms};
pub use error::StateError;
pub use file::FileStateStore;
pub use handle::{Change, CommandState, UPDATE_ATTEMPTS, Updated, Versioned};
pub use memory::MemoryStateStore;
pub use store::{MAX_KEY_LEN, StateEntry, StateStore, is_expired};
pub use timers::{DueTimer, LeasedTimer, TIMERS_NAMESPACE, TimerBook};
