//! `SimulatorBuilder`: the world's size, the token, and every timing window the simulator enforces.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

/// Everything a running simulator was configured with.
#[derive(Debug, Clone)]
pub(crate) struct SimConfig {
    pub(crate) listen: SocketAddr,
    pub(crate) guilds: u32,
    pub(crate) channels_per_guild: u32,
    pub(crate) members_per_guild: u32,
    pub(crate) shards: u32,
    pub(crate) token: Option<String>,
    pub(crate) heartbeat_interval: Duration,
    pub(crate) heartbeat_tolerance: Duration,
    pub(crate) reconnect_grace: Duration,
    pub(crate) interaction_window: Duration,
    pub(crate) interaction_token_lifetime: Duration,
    pub(crate) resume_retention: Duration,
    pub(crate) resume_buffer_max: usize,
    pub(crate) session_start_limit: u32,
    pub(crate) session_start_reset: Duration,
    pub(crate) max_concurrency: u32,
    pub(crate) identify_window: Duration,
    pub(crate) gateway_rate_limit: u32,
    pub(crate) gateway_rate_window: Duration,
    pub(crate) max_guilds_per_shard: u32,
    pub(crate) deny_privileged_intents: bool,
    pub(crate) lenient: bool,
    pub(crate) rest_bucket_limit: u32,
    pub(crate) rest_bucket_window: Duration,
    pub(crate) rest_global_limit: u32,
    pub(crate) rest_global_window: Duration,
    pub(crate) invalid_request_limit: u32,
    pub(crate) invalid_request_window: Duration,
    pub(crate) nonce_window: Duration,
    pub(crate) interactions_endpoint_url: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            guilds: 2,
            channels_per_guild: 3,
            members_per_guild: 5,
            shards: 0,
            token: None,
            heartbeat_interval: Duration::from_millis(41_250),
            heartbeat_tolerance: Duration::from_secs(5),
            reconnect_grace: Duration::from_secs(5),
            interaction_window: Duration::from_secs(3),
            interaction_token_lifetime: Duration::from_secs(15 * 60),
            resume_retention: Duration::from_secs(5 * 60),
            resume_buffer_max: 2_000_000,
            session_start_limit: 1000,
            session_start_reset: Duration::from_secs(24 * 60 * 60),
            max_concurrency: 1,
            identify_window: Duration::from_secs(5),
            gateway_rate_limit: 120,
            gateway_rate_window: Duration::from_secs(60),
            max_guilds_per_shard: 2500,
            deny_privileged_intents: false,
            lenient: false,
            rest_bucket_limit: 5,
            rest_bucket_window: Duration::from_secs(5),
            rest_global_limit: 50,
            rest_global_window: Duration::from_secs(1),
            invalid_request_limit: 10_000,
            invalid_request_window: Duration::from_secs(10 * 60),
            nonce_window: Duration::from_secs(5 * 60),
            interactions_endpoint_url: None,
        }
    }
}

impl SimConfig {
    /// The shard count `/gateway/bot` recommends: the configured one, or one per 1000 guilds.
    pub(crate) fn recommended_shards(&self) -> u32 {
        if self.shards > 0 {
            self.shards
        } else {
            self.guilds.div_ceil(1000).max(1)
        }
    }
}

/// Configures and starts a [`Simulator`](crate::Simulator).
///
/// Every window the simulator enforces has a knob so tests can shrink seconds to milliseconds.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct SimulatorBuilder {
    pub(crate) config: SimConfig,
}

macro_rules! setter {
    ($(#[$doc:meta])* $name:ident: $ty:ty) => {
        $(#[$doc])*
        pub fn $name(mut self, value: $ty) -> Self {
            self.config.$name = value;
            self
        }
    };
}

impl SimulatorBuilder {
    /// Address to listen on (default `127.0.0.1:0`, an ephemeral port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.config.listen = addr;
        self
    }

    /// Sets the token the bot must present; when unset, any token is accepted.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.config.token = Some(token.into());
        self
    }

    setter!(
        /// Number of guilds in the world (default 2).
        guilds: u32
    );
    setter!(
        /// Text channels per guild (default 3, at least 1).
        channels_per_guild: u32
    );
    setter!(
        /// Members per guild, the bot included (default 5).
        members_per_guild: u32
    );
    setter!(
        /// Shard count `/gateway/bot` recommends (default: one per 1000 guilds, at least 1).
        shards: u32
    );
    setter!(
        /// `heartbeat_interval` sent in HELLO (default 41.25 s).
        heartbeat_interval: Duration
    );
    setter!(
        /// Grace past the interval before a silent client is disconnected (default 5 s).
        heartbeat_tolerance: Duration
    );
    setter!(
        /// How long a connection stays open after op 7 RECONNECT before the simulator closes
        /// it with 4000 (the session stays resumable), as Discord does (default 5 s).
        reconnect_grace: Duration
    );
    setter!(
        /// Window for the first interaction response (default 3 s).
        interaction_window: Duration
    );
    setter!(
        /// How long an interaction token works for edits and follow-ups (default 15 min).
        interaction_token_lifetime: Duration
    );
    setter!(
        /// How long a disconnected session stays resumable (default 5 min).
        resume_retention: Duration
    );
    setter!(
        /// Most dispatches kept as text per session for replay on RESUME (default 2,000,000);
        /// `GUILD_CREATE` batches and loads are rewritten on replay and do not count.
        resume_buffer_max: usize
    );
    setter!(
        /// Identify budget reported and enforced (default 1000).
        session_start_limit: u32
    );
    setter!(
        /// Period after which the identify budget refills (default 24 h).
        session_start_reset: Duration
    );
    setter!(
        /// `max_concurrency` reported and enforced (default 1).
        max_concurrency: u32
    );
    setter!(
        /// One IDENTIFY per concurrency bucket per this window (default 5 s).
        identify_window: Duration
    );
    setter!(
        /// Client payloads allowed per connection per `gateway_rate_window` (default 120).
        gateway_rate_limit: u32
    );
    setter!(
        /// Window of the gateway send limit (default 60 s).
        gateway_rate_window: Duration
    );
    setter!(
        /// Guilds one shard may hold before IDENTIFY is closed with 4011 (default 2500).
        max_guilds_per_shard: u32
    );
    setter!(
        /// Close IDENTIFYs asking for privileged intents with 4014 (default false).
        deny_privileged_intents: bool
    );
    setter!(
        /// Count rule violations without enforcing them (default false: strict).
        lenient: bool
    );
    setter!(
        /// Requests per REST route bucket per window (default 5).
        rest_bucket_limit: u32
    );
    setter!(
        /// Window of a REST route bucket (default 5 s).
        rest_bucket_window: Duration
    );
    setter!(
        /// Global REST requests per `rest_global_window`, interaction routes exempt (default 50).
        rest_global_limit: u32
    );
    setter!(
        /// Window of the global REST limit (default 1 s).
        rest_global_window: Duration
    );
    setter!(
        /// Invalid requests (401/403/429) per `invalid_request_window` before the ban (default 10,000).
        invalid_request_limit: u32
    );
    setter!(
        /// Window over which invalid requests are counted (default 10 min).
        invalid_request_window: Duration
    );

    setter!(
        /// How long a message's nonce is remembered for `enforce_nonce` (default 5 min; Discord
        /// says "the past few minutes").
        nonce_window: Duration
    );

    /// Sends interactions to this interactions endpoint URL (a loopback `http://` URL) from
    /// the start instead of over the gateway. Unlike `POST /_sim/application`, it is not
    /// checked with a PING at start (the bot, which needs `verify_key` first, is not up yet).
    pub fn interactions_endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.config.interactions_endpoint_url = Some(url.into());
        self
    }

    /// Alias of [`session_start_limit`](Self::session_start_limit) for the identify budget total.
    pub fn identify_budget(self, total: u32) -> Self {
        self.session_start_limit(total)
    }
}
