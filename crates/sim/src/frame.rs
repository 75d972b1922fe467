//! Gateway frames as Discord writes them: compact JSON with the envelope in the order
//! `t, s, op, d` (twilight finds `"op":`, `"s":` and `"t":` by searching the text).
//!
//! Batches of dispatches that would be expensive to keep (the `GUILD_CREATEs` of a shard, a load of
//! `MESSAGE_CREATEs`) are [`LazyFrames`]: written when they are sent, and written again identically
//! when a RESUME replays them, so the replay buffer holds one entry per batch.

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde_json::{Value, json};

use crate::snowflake::iso8601;
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
    members: OnceLock<(String, String)>,
}

impl GuildCreates {
    pub(crate) fn new(world: Arc<World>, guilds: Vec<u32>, large_threshold: u32) -> Self {
        Self {
            world,
            guilds,
            large_threshold,
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
        let d = self
            .world
            .guild_create_text(guild, self.large_threshold, template);
        write_dispatch(out, "GUILD_CREATE", seq, &d);
    }
}

/// Pieces of a load `MESSAGE_CREATE` that do not change from one message to the next.
#[derive(Debug)]
struct LoadAuthor {
    /// `,"author":{...},"member":{...}`
    author_and_member: String,
    /// `,"mentions":[...]` used when the message mentions someone.
    mention_of_next: String,
    /// `<@id>` of the mentioned user.
    mention_tag: String,
}

/// N `MESSAGE_CREATEs` for `/_sim/load`: written from templates, a few hundred nanoseconds each.
///
/// Every fourth message mentions a user, every tenth carries an embed; message ids are
/// `first_message_id + index`.
#[derive(Debug)]
pub(crate) struct LoadMessages {
    count: u64,
    first_message_id: u64,
    /// `,"channel_id":"..","guild_id":".."`
    location: String,
    timestamp: String,
    authors: Vec<LoadAuthor>,
    content_visible: bool,
}

impl LoadMessages {
    pub(crate) fn new(
        world: &World,
        guild: u32,
        channel: u32,
        count: u64,
        first_message_id: u64,
        unix_ms: u64,
        content_visible: bool,
    ) -> Self {
        let authors_count = world.user_count().min(16);
        let authors = (0..authors_count)
            .map(|k| {
                let id = world.user_id(k);
                let next = world.user_id((k + 1) % world.user_count());
                let mut mentioned = world.user_json(next);
                if let Some(map) = mentioned.as_object_mut() {
                    map.insert("member".into(), world.partial_member_json(guild));
                }
                LoadAuthor {
                    author_and_member: format!(
                        ",\"author\":{},\"member\":{}",
                        world.user_json(id),
                        world.partial_member_json(guild)
                    ),
                    mention_of_next: format!(",\"mentions\":[{mentioned}]"),
                    mention_tag: format!("<@{next}>"),
                }
            })
            .collect();
        Self {
            count,
            first_message_id,
            location: format!(
                ",\"channel_id\":\"{}\",\"guild_id\":\"{}\"",
                world.channel_id(guild, channel),
                world.guild_id(guild)
            ),
            timestamp: iso8601(unix_ms),
            authors,
            content_visible,
        }
    }
}

const LOAD_EMBED: &str = ",\"embeds\":[{\"type\":\"rich\",\"title\":\"Build report\",\"description\":\"All checks passed\",\"color\":5763719,\"fields\":[{\"name\":\"duration\",\"value\":\"42s\",\"inline\":true}]}]";

impl LazyFrames for LoadMessages {
    fn len(&self) -> u64 {
        self.count
    }

    fn write(&self, index: u64, seq: u64, out: &mut String) {
        let mut num = itoa::Buffer::new();
        let Some(author) = self
            .authors
            .get(usize::try_from(index % self.authors.len().max(1) as u64).unwrap_or(0))
        else {
            return;
        };
        let mentions = index % 4 == 3;
        let embed = index % 10 == 9;
        out.reserve(1024);
        out.push_str("{\"t\":\"MESSAGE_CREATE\",\"s\":");
        out.push_str(num.format(seq));
        out.push_str(",\"op\":0,\"d\":{\"id\":\"");
        out.push_str(num.format(self.first_message_id + index));
        out.push('"');
        out.push_str(&self.location);
        out.push_str(&author.author_and_member);
        out.push_str(",\"content\":\"");
        if self.content_visible {
            out.push_str("load message ");
            out.push_str(num.format(index));
            if mentions {
                out.push_str(" cc ");
                out.push_str(&author.mention_tag);
            }
        }
        out.push_str("\",\"timestamp\":\"");
        out.push_str(&self.timestamp);
        out.push_str("\",\"edited_timestamp\":null,\"tts\":false,\"mention_everyone\":false");
        if mentions {
            out.push_str(&author.mention_of_next);
        } else {
            out.push_str(",\"mentions\":[]");
        }
        out.push_str(",\"mention_roles\":[],\"attachments\":[]");
        if embed && self.content_visible {
            out.push_str(LOAD_EMBED);
        } else {
            out.push_str(",\"embeds\":[]");
        }
        out.push_str(",\"pinned\":false,\"type\":0,\"flags\":0,\"components\":[],\"nonce\":\"");
        out.push_str(num.format(index));
        out.push_str("\"}}");
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

    #[test]
    fn load_messages_are_valid_json() {
        let world = World::new(1, 2, 5);
        let load = LoadMessages::new(&world, 0, 1, 20, 1000, 1_700_000_000_000, true);
        for i in 0..20 {
            let mut out = String::new();
            load.write(i, 100 + i, &mut out);
            let value: Value = serde_json::from_str(&out).expect("load frame is JSON");
            assert_eq!(value["s"], 100 + i);
            assert_eq!(value["d"]["id"], (1000 + i).to_string());
        }
    }
}
