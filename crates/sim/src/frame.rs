//! Gateway frames as Discord writes them: compact JSON with the envelope in the order
//! `t, s, op, d` (twilight finds `"op":`, `"s":` and `"t":` by searching the text).
//!
//! Batches of dispatches that would be expensive to keep (the `GUILD_CREATEs` of a shard, a load of
//! `MESSAGE_CREATEs`) are [`LazyFrames`]: written when they are sent, and written again identically
//! when a RESUME replays them, so the replay buffer holds one entry per batch.

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde_json::{Value, json};

use crate::world::World;

/// Gateway opcodes the simulator sends.
pub(crate) mod op {
    pub(crate) const HEARTBEAT: u8 = 1;
    pub(crate) const RECONNECT: u8 = 7;
    pub(crate) const INVALID_SESSION: u8 = 9;
    pub(crate) const HELLO: u8 = 10;
    pub(crate) const HEARTBEAT_ACK: u8 = 11;
}

/// Appends a dispatch envelope `{"t":EVENT,"s":SEQ,"op":0,"d":D}` to `out`.
pub(crate) fn write_dispatch(out: &mut String, event: &str, seq: u64, d_json: &str) {
    out.reserve(d_json.len() + event.len() + 32);
    out.push_str("{\"t\":\"");
    out.push_str(event);
    out.push_str("\",\"s\":");
    out.push_str(itoa::Buffer::new().format(seq));
    out.push_str(",\"op\":0,\"d\":");
    out.push_str(d_json);
    out.push('}');
}

/// A dispatch envelope as a new string.
pub(crate) fn dispatch(event: &str, seq: u64, d_json: &str) -> String {
    let mut out = String::new();
    write_dispatch(&mut out, event, seq, d_json);
    out
}

/// A non-dispatch envelope `{"t":null,"s":null,"op":OP,"d":D}`.
pub(crate) fn control(op: u8, d_json: &str) -> String {
    let mut out = String::with_capacity(d_json.len() + 32);
    out.push_str("{\"t\":null,\"s\":null,\"op\":");
    out.push_str(itoa::Buffer::new().format(op));
    out.push_str(",\"d\":");
    out.push_str(d_json);
    out.push('}');
    out
}

/// A run of consecutive dispatches written on demand.
pub(crate) trait LazyFrames: Send + Sync + fmt::Debug {
    /// Number of dispatches in the batch.
    fn len(&self) -> u64;
    /// Appends dispatch number `index` (0-based) with sequence `seq` to `out`.
    fn write(&self, index: u64, seq: u64, out: &mut String);
}

/// The `GUILD_CREATEs` that follow a READY.
#[derive(Debug)]
pub(crate) struct GuildCreates {
    world: Arc<World>,
    guilds: Vec<u32>,
    large_threshold: u32,
    /// Whether every member is listed (else the bot alone): see `World::lists_all_members`.
    all_members: bool,
    members: OnceLock<(String, String)>,
}

impl GuildCreates {
    pub(crate) fn new(
        world: Arc<World>,
        guilds: Vec<u32>,
        large_threshold: u32,
        all_members: bool,
    ) -> Self {
        Self {
            world,
            guilds,
            large_threshold,
            all_members,
            members: OnceLock::new(),
        }
    }
}

impl LazyFrames for GuildCreates {
    fn len(&self) -> u64 {
        self.guilds.len() as u64
    }

    fn write(&self, index: u64, seq: u64, out: &mut String) {
        let guild = usize::try_from(index)
            .ok()
            .and_then(|i| self.guilds.get(i))
            .copied()
            .unwrap_or(0);
        let template = self.members.get_or_init(|| self.world.members_template());
        let d =
            self.world
                .guild_create_text(guild, self.large_threshold, template, self.all_members);
        write_dispatch(out, "GUILD_CREATE", seq, &d);
    }
}

/// The READY `d` of a new session.
pub(crate) fn ready_json(
    world: &World,
    session_id: &str,
    resume_url: &str,
    shard: [u32; 2],
    guilds: &[u32],
) -> Value {
    let guilds: Vec<Value> = guilds
        .iter()
        .map(|&g| json!({"id": world.guild_id(g).to_string(), "unavailable": true}))
        .collect();
    json!({
        "v": 10,
        "user": world.bot_user_private_json(),
        "user_settings": {},
        "guilds": guilds,
        "guild_join_requests": [],
        "presences": [],
        "private_channels": [],
        "relationships": [],
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": resume_url,
        "shard": shard,
        "application": {"id": world.application_id().to_string(), "flags": 0},
        "geo_ordered_rtc_regions": ["local"],
        "auth": {},
        "_trace": ["[\"novera-sim\",{\"micros\":0.0}]"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_order_is_t_s_op_d() {
        let frame = dispatch("MESSAGE_CREATE", 7, r#"{"t":1}"#);
        assert_eq!(frame, r#"{"t":"MESSAGE_CREATE","s":7,"op":0,"d":{"t":1}}"#);
        assert_eq!(
            control(op::HELLO, r#"{"heartbeat_interval":45000}"#),
            r#"{"t":null,"s":null,"op":10,"d":{"heartbeat_interval":45000}}"#
        );
    }
}
