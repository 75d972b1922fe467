//! The simulator's shared state: sessions, the stores REST and the control API work on, the
//! violations report, and dispatching events to the sessions that should see them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::commands::CommandStore;
use crate::config::SimConfig;
use crate::interactions::InteractionStore;
use crate::messages::MessageStore;
use crate::nonces::RecentNonces;
use crate::ratelimit::{RestFaults, RestLimiter};
use crate::session::{ConnCommand, Mark, Session};
use crate::signing::{AppKeys, SignedRequest};
use crate::snowflake::IdGenerator;
use crate::types::{GuildInfo, IdentifyBudgetInfo, RequestLogEntry, SessionInfo, SimState};
use crate::violations::Violations;
use crate::world::{INTENT_GUILD_MESSAGES, INTENT_MESSAGE_CONTENT, World};

/// Most REST requests kept in the request log.
const MAX_LOGGED_REQUESTS: usize = 100_000;

/// The identify budget (`session_start_limit`).
#[derive(Debug)]
pub(crate) struct IdentifyBudget {
    pub(crate) remaining: u32,
    /// When the current period ends; `None` until the first IDENTIFY of a period.
    pub(crate) resets_at: Option<Instant>,
}

/// Mutable state behind one lock (never held across an await).
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) sessions: HashMap<String, Session>,
    /// Session ids in creation order, for a stable listing.
    pub(crate) session_order: Vec<String>,
    pub(crate) identifies: u64,
    pub(crate) resumes: u64,
    pub(crate) budget: IdentifyBudget,
    pub(crate) token_invalidated: bool,
    pub(crate) identify_buckets: HashMap<u32, Instant>,
    pub(crate) messages: MessageStore,
    pub(crate) nonces: RecentNonces,
    pub(crate) interactions: InteractionStore,
    /// Where interactions are sent instead of the gateway (`POST /_sim/application`).
    pub(crate) endpoint_url: Option<String>,
    /// The last request signed for the endpoint, for replay probes.
    pub(crate) last_signed: Option<SignedRequest>,
    pub(crate) commands: CommandStore,
    pub(crate) requests: Vec<RequestLogEntry>,
    pub(crate) violations: Violations,
    pub(crate) limiter: RestLimiter,
    pub(crate) faults: RestFaults,
}

/// What a dispatched event needs from a session to be delivered.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Audience {
    /// Every session of the guild's shard.
    Everyone,
    /// Sessions with `GUILD_MESSAGES`; content only with `MESSAGE_CONTENT` unless `content_exempt`
    /// (the bot wrote or was mentioned in the message).
    GuildMessages { content_exempt: bool },
}

/// The simulator: configuration, world and state, shared by every task.
#[derive(Debug)]
pub(crate) struct Sim {
    pub(crate) cfg: SimConfig,
    pub(crate) world: Arc<World>,
    pub(crate) started: Instant,
    pub(crate) ids: IdGenerator,
    pub(crate) gateway_url: String,
    pub(crate) shutdown: CancellationToken,
    pub(crate) tracker: TaskTracker,
    /// The application's key pair (`verify_key`), signing requests to the endpoint.
    pub(crate) keys: AppKeys,
    /// The client that calls the interactions endpoint (loopback only, no proxy).
    pub(crate) http: reqwest::Client,
    next_conn_id: AtomicU64,
    inner: Mutex<Inner>,
}

impl Inner {
    /// Op 9 to the connected sessions of `shard` (all when `None`): each session leaves its
    /// connection at once, resumable (`resumable`) or dead, and the connection is told to send
    /// op 9 and to count as unauthenticated from then on. Returns how many were hit.
    pub(crate) fn invalidate_sessions(&mut self, shard: Option<u32>, resumable: bool) -> u64 {
        let now = Instant::now();
        let mut applied = 0;
        for session in self.sessions.values_mut() {
            if shard.is_some_and(|s| session.shard[0] != s) {
                continue;
            }
            let Some(conn) = session.conn.take() else {
                continue;
            };
            session.disconnected_at = Some(now);
            if !resumable {
                session.alive = false;
            }
            conn.outbox.command(ConnCommand::InvalidSession(resumable));
            applied += 1;
        }
        applied
    }
}

impl Sim {
    pub(crate) fn new(cfg: SimConfig, gateway_url: String) -> Self {
        let world = Arc::new(World::new(
            cfg.guilds,
            cfg.channels_per_guild,
            cfg.members_per_guild,
        ));
        let inner = Inner {
            sessions: HashMap::new(),
            session_order: Vec::new(),
            identifies: 0,
            resumes: 0,
            budget: IdentifyBudget {
                remaining: cfg.session_start_limit,
                resets_at: None,
            },
            token_invalidated: false,
            identify_buckets: HashMap::new(),
            messages: MessageStore::default(),
            nonces: RecentNonces::default(),
            interactions: InteractionStore::default(),
            endpoint_url: cfg.interactions_endpoint_url.clone(),
            last_signed: None,
            commands: CommandStore::default(),
            requests: Vec::new(),
            violations: Violations::default(),
            limiter: RestLimiter::default(),
            faults: RestFaults::default(),
        };
        Self {
            cfg,
            world,
            started: Instant::now(),
            ids: IdGenerator::new(10),
            gateway_url,
            shutdown: CancellationToken::new(),
            tracker: TaskTracker::new(),
            keys: AppKeys::generate(),
            // No redirect: a loopback endpoint must not send the simulator elsewhere.
            http: reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
            next_conn_id: AtomicU64::new(1),
            inner: Mutex::new(inner),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn next_conn_id(&self) -> u64 {
        self.next_conn_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Milliseconds since start, the `at` of violations and log lines.
    pub(crate) fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Whether `token` (with or without a `Bot ` prefix) is the bot's token.
    pub(crate) fn token_matches(&self, token: &str) -> bool {
        let token = token.strip_prefix("Bot ").unwrap_or(token).trim();
        match &self.cfg.token {
            Some(expected) => token == expected,
            None => !token.is_empty(),
        }
    }

    /// Records a violation.
    pub(crate) fn violation(
        &self,
        inner: &mut Inner,
        rule: &str,
        detail: String,
        session: Option<&str>,
    ) {
        inner
            .violations
            .record(rule, detail, self.now_ms(), session.map(str::to_owned));
    }

    /// The identify budget as `/gateway/bot` reports it, refilling it when its period ended.
    pub(crate) fn budget_info(&self, inner: &mut Inner) -> IdentifyBudgetInfo {
        let now = Instant::now();
        if inner.budget.resets_at.is_some_and(|at| now >= at) {
            inner.budget.remaining = self.cfg.session_start_limit;
            inner.budget.resets_at = None;
        }
        let reset_after = inner
            .budget
            .resets_at
            .map_or(self.cfg.session_start_reset, |at| at - now);
        IdentifyBudgetInfo {
            total: self.cfg.session_start_limit,
            remaining: inner.budget.remaining,
            reset_after: u64::try_from(reset_after.as_millis()).unwrap_or(u64::MAX),
            max_concurrency: self.cfg.max_concurrency.max(1),
        }
    }

    /// Dispatches an event of a guild to every live session of the guild's shard.
    pub(crate) fn dispatch_guild(
        &self,
        inner: &mut Inner,
        guild_id: u64,
        event: &str,
        d: &Value,
        audience: Audience,
    ) {
        self.dispatch_guild_marked(inner, guild_id, event, d, audience, &None);
    }

    /// [`dispatch_guild`](Self::dispatch_guild), setting `mark` when a connection writes it.
    // A method of `Sim` like every other state operation, though it only needs the session map.
    #[allow(clippy::unused_self)]
    pub(crate) fn dispatch_guild_marked(
        &self,
        inner: &mut Inner,
        guild_id: u64,
        event: &str,
        d: &Value,
        audience: Audience,
        mark: &Mark,
    ) {
        let mut full: Option<String> = None;
        let mut blank: Option<String> = None;
        for id in &inner.session_order {
            let Some(session) = inner.sessions.get_mut(id) else {
                continue;
            };
            if !session.live() || World::shard_of(guild_id, session.shard[1]) != session.shard[0] {
                continue;
            }
            let d_json = match audience {
                Audience::Everyone => full.get_or_insert_with(|| d.to_string()),
                Audience::GuildMessages { content_exempt } => {
                    if session.intents & INTENT_GUILD_MESSAGES == 0 {
                        continue;
                    }
                    if content_exempt || session.intents & INTENT_MESSAGE_CONTENT != 0 {
                        full.get_or_insert_with(|| d.to_string())
                    } else {
                        blank.get_or_insert_with(|| without_content(d).to_string())
                    }
                }
            };
            session.dispatch_marked(event, d_json, mark.clone());
        }
    }

    /// Sends `command` to the connected sessions of `shard` (all when `None`); returns how many.
    #[allow(clippy::unused_self)] // See `dispatch_guild`.
    pub(crate) fn command_connections(
        &self,
        inner: &mut Inner,
        shard: Option<u32>,
        command: &ConnCommand,
    ) -> u64 {
        let mut applied = 0;
        for session in inner.sessions.values() {
            if shard.is_some_and(|s| session.shard[0] != s) {
                continue;
            }
            if let Some(conn) = &session.conn {
                conn.outbox.command(command.clone());
                applied += 1;
            }
        }
        applied
    }

    pub(crate) fn log_request(&self, inner: &mut Inner, method: &str, path: &str, status: u16) {
        if inner.requests.len() < MAX_LOGGED_REQUESTS {
            inner.requests.push(RequestLogEntry {
                method: method.to_owned(),
                path: path.to_owned(),
                status,
                at: self.now_ms(),
            });
        }
    }

    /// Drops sessions that can no longer be resumed, so their replay buffers are freed.
    pub(crate) fn reap_sessions(&self, inner: &mut Inner) {
        let now = Instant::now();
        let retention = self.cfg.resume_retention;
        let Inner {
            sessions,
            session_order,
            ..
        } = inner;
        sessions.retain(|_, s| {
            s.conn.is_some()
                || (s.alive
                    && s.disconnected_at
                        .is_none_or(|at| now.duration_since(at) < retention))
        });
        session_order.retain(|id| sessions.contains_key(id));
    }

    /// Whether a disconnected session is past its resume retention.
    pub(crate) fn session_expired(&self, session: &Session) -> bool {
        session.conn.is_none()
            && session
                .disconnected_at
                .is_some_and(|at| at.elapsed() >= self.cfg.resume_retention)
    }

    pub(crate) fn snapshot(&self, inner: &mut Inner) -> SimState {
        let now = Instant::now();
        let shards = self.cfg.recommended_shards();
        let sessions = inner
            .session_order
            .iter()
            .filter_map(|id| inner.sessions.get(id))
            .map(|s| SessionInfo {
                id: s.id.clone(),
                shard: s.shard,
                connected: s.conn.is_some(),
                alive: s.alive && !self.session_expired(s),
                seq: s.seq,
                acked_seq: s.acked_seq,
                intents: s.intents,
                compress: s.compress.as_str().to_owned(),
                heartbeats: s.heartbeats,
                last_heartbeat_ms_ago: s
                    .last_heartbeat
                    .map(|t| u64::try_from(now.duration_since(t).as_millis()).unwrap_or(u64::MAX)),
                max_heartbeat_gap_ms: u64::try_from(s.max_heartbeat_gap.as_millis())
                    .unwrap_or(u64::MAX),
                buffered: s.buffered(),
            })
            .collect();
        let world = &self.world;
        let guilds = (0..world.guild_count())
            .map(|g| GuildInfo {
                id: world.guild_id(g).to_string(),
                shard: World::shard_of(world.guild_id(g), shards),
                channels: (0..world.channels_per_guild())
                    .map(|c| world.channel_id(g, c).to_string())
                    .collect(),
            })
            .collect();
        SimState {
            identifies: inner.identifies,
            resumes: inner.resumes,
            sessions,
            guilds,
            commands: inner.commands.all(),
            violations: inner.violations.list().to_vec(),
            violation_counts: inner.violations.counts().clone(),
            identify_budget: self.budget_info(inner),
            token_invalidated: inner.token_invalidated,
            lenient: self.cfg.lenient,
            application_id: world.application_id().to_string(),
            bot_user_id: world.bot_id().to_string(),
            users: (0..world.user_count())
                .map(|k| world.user_id(k).to_string())
                .collect(),
            gateway_url: self.gateway_url.clone(),
        }
    }

    /// `POST /_sim/reset`: refills the identify budget, restores the token, forgets rate limits,
    /// faults, the request log and the violations report. Sessions and messages stay.
    pub(crate) fn reset(&self, inner: &mut Inner) {
        inner.budget = IdentifyBudget {
            remaining: self.cfg.session_start_limit,
            resets_at: None,
        };
        inner.token_invalidated = false;
        inner.identify_buckets.clear();
        inner.requests.clear();
        inner.violations = Violations::default();
        inner.limiter = RestLimiter::default();
        inner.faults = RestFaults::default();
        inner.identifies = 0;
        inner.resumes = 0;
    }
}

/// A message as a session without `MESSAGE_CONTENT` sees it.
fn without_content(d: &Value) -> Value {
    let mut d = d.clone();
    if let Some(map) = d.as_object_mut() {
        map.insert("content".into(), Value::String(String::new()));
        map.insert("embeds".into(), Value::Array(Vec::new()));
        map.insert("attachments".into(), Value::Array(Vec::new()));
        map.insert("components".into(), Value::Array(Vec::new()));
        map.remove("poll");
    }
    d
}
