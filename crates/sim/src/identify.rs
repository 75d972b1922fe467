//! IDENTIFY and RESUME: the checks Discord makes (token, intents, shard, identify budget and
//! concurrency), creating or resuming a session, and `GUILD_MEMBERS` requests.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::time::Instant;

use crate::compress::CompressKind;
use crate::frame::{self, GuildCreates};
use crate::session::{ConnCommand, ConnLink, Outbox, Session};
use crate::state::{Inner, Sim};
use crate::violations::rule;
use crate::world::{ALL_INTENTS, PRIVILEGED_INTENTS, World};

/// The connection an IDENTIFY or RESUME arrived on.
#[derive(Debug)]
pub(crate) struct ConnCtx {
    pub(crate) conn_id: u64,
    pub(crate) outbox: Arc<Outbox>,
    pub(crate) compress: CompressKind,
}

impl ConnCtx {
    fn link(&self) -> ConnLink {
        ConnLink {
            conn_id: self.conn_id,
            outbox: Arc::clone(&self.outbox),
        }
    }
}

/// What the connection does next.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The connection now serves this session.
    Attached(String),
    /// Close with this code.
    Close(u16, &'static str),
    /// Send op 9 with this `d`.
    InvalidSession(bool),
    /// Nothing to do (a lenient simulator let a broken payload pass).
    Ignored,
}

fn new_session_id() -> String {
    (0..32)
        .map(|_| char::from_digit(fastrand::u32(0..16), 16).unwrap_or('0'))
        .collect()
}

/// Records a violation; returns the close that enforces it unless lenient.
fn enforce(
    sim: &Sim,
    inner: &mut Inner,
    rule: &str,
    detail: String,
    close: (u16, &'static str),
) -> Option<Outcome> {
    sim.violation(inner, rule, detail, None);
    (!sim.cfg.lenient).then_some(Outcome::Close(close.0, close.1))
}

fn authentication_failed(sim: &Sim, inner: &mut Inner, why: &str) -> Outcome {
    // A wrong token is not a limit: it is refused even by a lenient simulator.
    sim.violation(inner, rule::AUTHENTICATION_FAILED, why.to_owned(), None);
    Outcome::Close(4004, "Authentication failed.")
}

/// Handles op 2 IDENTIFY.
// The checks read top to bottom in the order Discord applies them; splitting them would hide it.
#[allow(clippy::too_many_lines)]
pub(crate) fn identify(sim: &Sim, ctx: &ConnCtx, d: &Value) -> Outcome {
    let mut inner = sim.lock();
    let (Some(token), Some(intents)) = (
        d.get("token").and_then(Value::as_str),
        d.get("intents").and_then(Value::as_u64),
    ) else {
        return enforce(
            sim,
            &mut inner,
            rule::DECODE_ERROR,
            "IDENTIFY without token or intents".to_owned(),
            (4002, "Decode error"),
        )
        .unwrap_or(Outcome::Ignored);
    };
    if inner.token_invalidated {
        return authentication_failed(
            sim,
            &mut inner,
            "IDENTIFY with a token reset after the identify budget ran out",
        );
    }
    if !sim.token_matches(token) {
        return authentication_failed(sim, &mut inner, "IDENTIFY with a wrong token");
    }
    if intents & !ALL_INTENTS != 0
        && let Some(close) = enforce(
            sim,
            &mut inner,
            rule::INVALID_INTENTS,
            format!("intents {intents} has undefined bits"),
            (4013, "Invalid intent(s)."),
        )
    {
        return close;
    }
    if sim.cfg.deny_privileged_intents
        && intents & PRIVILEGED_INTENTS != 0
        && let Some(close) = enforce(
            sim,
            &mut inner,
            rule::DISALLOWED_INTENTS,
            format!("intents {intents} include privileged intents this application may not use"),
            (4014, "Disallowed intent(s)."),
        )
    {
        return close;
    }
    let shard = match d.get("shard") {
        None | Some(Value::Null) => [0, 1],
        Some(v) => match serde_json::from_value::<[u32; 2]>(v.clone()) {
            Ok([id, count]) if count > 0 && id < count => [id, count],
            _ => {
                // Events cannot be routed to a shard that does not exist: always refused.
                sim.violation(
                    &mut inner,
                    rule::INVALID_SHARD,
                    format!("invalid shard {v}"),
                    None,
                );
                return Outcome::Close(4010, "Invalid shard.");
            }
        },
    };
    let guilds = sim.world.guilds_of_shard(shard[0], shard[1]);
    if guilds.len() > sim.cfg.max_guilds_per_shard as usize
        && let Some(close) = enforce(
            sim,
            &mut inner,
            rule::SHARDING_REQUIRED,
            format!("shard {shard:?} would hold {} guilds", guilds.len()),
            (4011, "Sharding required."),
        )
    {
        return close;
    }
    let mut large_threshold = 50;
    if let Some(value) = d.get("large_threshold").filter(|v| !v.is_null()) {
        match value.as_u64() {
            Some(t) if (50..=250).contains(&t) => large_threshold = u32::try_from(t).unwrap_or(50),
            _ => {
                if let Some(close) = enforce(
                    sim,
                    &mut inner,
                    rule::LARGE_THRESHOLD,
                    format!("large_threshold {value} outside 50..=250"),
                    (4001, "Invalid large_threshold."),
                ) {
                    return close;
                }
            }
        }
    }

    let now = Instant::now();
    let budget = sim.budget_info(&mut inner);
    if budget.remaining == 0 {
        sim.violation(
            &mut inner,
            rule::IDENTIFY_BUDGET,
            format!(
                "IDENTIFY with none of {} session starts remaining",
                budget.total
            ),
            None,
        );
        if !sim.cfg.lenient {
            // Discord resets the token of a bot that runs out: every session ends, every later
            // IDENTIFY gets 4004 and every REST call 401 until the simulator is reset.
            inner.token_invalidated = true;
            for session in inner.sessions.values_mut() {
                session.alive = false;
                if let Some(conn) = &session.conn {
                    conn.outbox.command(ConnCommand::Close {
                        code: 4004,
                        reason: "Authentication failed.",
                    });
                }
            }
            return Outcome::InvalidSession(false);
        }
    }
    let concurrency = sim.cfg.max_concurrency.max(1);
    let bucket = shard[0] % concurrency;
    if let Some(last) = inner.identify_buckets.get(&bucket)
        && now.duration_since(*last) < sim.cfg.identify_window
    {
        sim.violation(
            &mut inner,
            rule::IDENTIFY_CONCURRENCY,
            format!(
                "second IDENTIFY in bucket {bucket} (max_concurrency {concurrency}) within {:?}",
                sim.cfg.identify_window
            ),
            None,
        );
        if !sim.cfg.lenient {
            return Outcome::InvalidSession(false);
        }
    }
    inner.identify_buckets.insert(bucket, now);
    inner.budget.remaining = inner.budget.remaining.saturating_sub(1);
    if inner.budget.resets_at.is_none() {
        inner.budget.resets_at = Some(now + sim.cfg.session_start_reset);
    }
    inner.identifies += 1;

    // A bot that re-identifies abandons its old session of the same shard.
    for session in inner.sessions.values_mut() {
        if session.shard[0] == shard[0] && session.conn.is_none() {
            session.alive = false;
        }
    }
    sim.reap_sessions(&mut inner);

    let id = new_session_id();
    let mut session = Session::new(
        id.clone(),
        shard,
        intents,
        ctx.compress,
        sim.cfg.resume_buffer_max,
    );
    session.conn = Some(ctx.link());
    let ready = frame::ready_json(&sim.world, &id, &sim.gateway_url, shard, &guilds);
    session.dispatch("READY", &ready.to_string());
    let all_members = sim.world.lists_all_members(intents, large_threshold);
    session.dispatch_lazy(Arc::new(GuildCreates::new(
        Arc::clone(&sim.world),
        guilds,
        large_threshold,
        all_members,
    )));
    tracing::info!(session = %id, ?shard, intents, "session identified");
    inner.session_order.push(id.clone());
    inner.sessions.insert(id.clone(), session);
    Outcome::Attached(id)
}

/// Handles op 6 RESUME.
pub(crate) fn resume(sim: &Sim, ctx: &ConnCtx, d: &Value) -> Outcome {
    let mut inner = sim.lock();
    let (Some(token), Some(session_id)) = (
        d.get("token").and_then(Value::as_str),
        d.get("session_id").and_then(Value::as_str),
    ) else {
        return enforce(
            sim,
            &mut inner,
            rule::DECODE_ERROR,
            "RESUME without token or session_id".to_owned(),
            (4002, "Decode error"),
        )
        .unwrap_or(Outcome::Ignored);
    };
    let seq = d.get("seq").and_then(Value::as_u64).unwrap_or(0);
    if inner.token_invalidated || !sim.token_matches(token) {
        return authentication_failed(sim, &mut inner, "RESUME with a wrong token");
    }
    let expired = inner
        .sessions
        .get(session_id)
        .is_none_or(|s| !s.alive || sim.session_expired(s));
    if expired {
        tracing::info!(
            session = session_id,
            "RESUME of an unknown or stale session: op 9 false"
        );
        return Outcome::InvalidSession(false);
    }
    let Some(session) = inner.sessions.get_mut(session_id) else {
        return Outcome::InvalidSession(false);
    };
    let Some(replay) = session.replay_after(seq) else {
        tracing::info!(
            session = session_id,
            seq,
            last = session.seq,
            "RESUME with a seq that cannot be replayed: op 9 false"
        );
        session.alive = false;
        return Outcome::InvalidSession(false);
    };
    if let Some(old) = session.conn.take() {
        old.outbox.command(ConnCommand::Close {
            code: 4000,
            reason: "Session resumed elsewhere",
        });
    }
    session.ack(seq);
    session.compress = ctx.compress;
    session.disconnected_at = None;
    ctx.outbox.push_all(replay);
    session.conn = Some(ctx.link());
    session.dispatch(
        "RESUMED",
        r#"{"_trace":["[\"novera-sim\",{\"micros\":0.0}]"]}"#,
    );
    let id = session.id.clone();
    inner.resumes += 1;
    tracing::info!(session = %id, seq, "session resumed");
    Outcome::Attached(id)
}

/// Handles op 8 `REQUEST_GUILD_MEMBERS` with one `GUILD_MEMBERS_CHUNK`.
pub(crate) fn request_members(sim: &Sim, session_id: &str, d: &Value) {
    let world = &sim.world;
    let Some(guild) = d
        .get("guild_id")
        .and_then(|g| {
            g.as_str()
                .and_then(|s| s.parse().ok())
                .or_else(|| g.as_u64())
        })
        .and_then(|id| world.guild_index(id))
    else {
        return;
    };
    let limit = d
        .get("limit")
        .and_then(Value::as_u64)
        .filter(|l| *l > 0)
        .unwrap_or(u64::MAX);
    let query = d.get("query").and_then(Value::as_str).unwrap_or_default();
    let wanted: Option<Vec<u64>> = d.get("user_ids").map(|ids| match ids {
        Value::Array(a) => a
            .iter()
            .filter_map(|v| {
                v.as_str()
                    .and_then(|s| s.parse().ok())
                    .or_else(|| v.as_u64())
            })
            .collect(),
        v => v
            .as_str()
            .and_then(|s| s.parse().ok())
            .into_iter()
            .collect(),
    });
    let members: Vec<Value> = world
        .members_json(guild)
        .into_iter()
        .filter(|m| {
            let id = m["user"]["id"]
                .as_str()
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(0);
            let name = m["user"]["username"].as_str().unwrap_or_default();
            wanted
                .as_ref()
                .map_or_else(|| name.starts_with(query), |w| w.contains(&id))
        })
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect();
    let mut chunk = json!({
        "guild_id": world.guild_id(guild).to_string(),
        "members": members,
        "chunk_index": 0,
        "chunk_count": 1,
        "not_found": [],
    });
    if let (Some(nonce), Some(map)) = (d.get("nonce"), chunk.as_object_mut()) {
        map.insert("nonce".into(), nonce.clone());
    }
    let mut inner = sim.lock();
    if let Some(session) = inner.sessions.get_mut(session_id)
        && World::shard_of(world.guild_id(guild), session.shard[1]) == session.shard[0]
    {
        session.dispatch("GUILD_MEMBERS_CHUNK", &chunk.to_string());
    }
}
