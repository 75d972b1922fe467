//! `/_sim/load`: long runs of dispatches written from templates (a few hundred nanoseconds each)
//! straight into one session's socket, for benchmarks.
//!
//! A load is a *mix*: a cycle of event kinds built from integer weights and repeated until
//! `count` dispatches were written. `kind: "messages"` is the mix of `MESSAGE_CREATE` alone.
//! Events that act on a message (edits, deletes, reactions) act on messages the same load
//! created earlier in its cycle, so a client's cache sees a consistent history: a cycle always
//! starts with a `MESSAGE_CREATE` when it has any.

use std::fmt::Write as _;

use serde_json::json;

use crate::frame::LazyFrames;
use crate::load_spec::{LoadKind, LoadSpec, Slot, schedule};
use crate::snowflake::iso8601;
use crate::world::World;

/// Pieces of the events of one user that do not change from one event to the next.
#[derive(Debug)]
struct Actor {
    /// `"<id>"`
    id: String,
    /// `,"author":{...},"member":{...}` (a message's author and partial member).
    author_and_member: String,
    /// `,"mentions":[...]` of a message that mentions the next user.
    mention_of_next: String,
    /// `<@id>` of the next user.
    mention_tag: String,
    /// The full member object (with `user`), as typing and reactions carry it.
    member: String,
    /// A `GUILD_MEMBER_UPDATE` `d` split around the nickname.
    member_update: (String, String),
}

/// Users a load's events come from (their templates are written once per load).
const ACTORS: u32 = 16;

const LOAD_EMBED: &str = ",\"embeds\":[{\"type\":\"rich\",\"title\":\"Build report\",\"description\":\"All checks passed\",\"color\":5763719,\"fields\":[{\"name\":\"duration\",\"value\":\"42s\",\"inline\":true}]}]";
const EMOJIS: [&str; 4] = ["👍", "🎉", "❤️", "😂"];
const STATUSES: [&str; 4] = ["online", "idle", "online", "dnd"];
const NICK_MARK: &str = "@@nick@@";

/// N dispatches of a mix in one channel, written on demand (see the module docs).
///
/// Message number `k` of the load (counting `MESSAGE_CREATEs` only) has id
/// `first_message_id + k` and is written by actor `k % actors`; every fourth mentions the next
/// actor, every tenth carries an embed; its reactions come from the user it mentions.
#[derive(Debug)]
pub(crate) struct Load {
    count: u64,
    schedule: Vec<Slot>,
    creates_per_cycle: u64,
    first_message_id: u64,
    guild_id: String,
    /// `,"channel_id":"..","guild_id":".."`
    location: String,
    timestamp: String,
    edited_timestamp: String,
    unix_secs: u64,
    unix_ms: u64,
    actors: Vec<Actor>,
    content_visible: bool,
}

impl Load {
    /// A load of `spec` in channel `channel` of guild `guild`; message ids start at
    /// `first_message_id` (reserve [`Load::message_ids`] of them).
    pub(crate) fn new(
        world: &World,
        spec: &LoadSpec,
        (guild, channel): (u32, u32),
        first_message_id: u64,
        unix_ms: u64,
        content_visible: bool,
    ) -> Self {
        let schedule = schedule(&spec.weights);
        let creates_per_cycle = creates_in(&schedule);
        let guild_id = world.guild_id(guild).to_string();
        let users = world.user_count().max(1);
        let actors = (0..users.min(ACTORS))
            .map(|k| actor(world, guild, &guild_id, k, (k + 1) % users))
            .collect();
        Self {
            count: spec.count,
            schedule,
            creates_per_cycle,
            first_message_id,
            location: format!(
                ",\"channel_id\":\"{}\",\"guild_id\":\"{guild_id}\"",
                world.channel_id(guild, channel)
            ),
            guild_id,
            timestamp: iso8601(unix_ms),
            edited_timestamp: iso8601(unix_ms + 1000),
            unix_secs: unix_ms / 1000,
            unix_ms,
            actors,
            content_visible,
        }
    }

    /// How many message ids the load may use from `first_message_id` on.
    pub(crate) fn message_ids(spec: &LoadSpec) -> u64 {
        let schedule = schedule(&spec.weights);
        spec.count.div_ceil(schedule.len().max(1) as u64) * creates_in(&schedule)
    }

    fn actor(&self, n: u64) -> &Actor {
        let len = self.actors.len().max(1) as u64;
        &self.actors[usize::try_from(n % len).unwrap_or(0)]
    }

    /// Writes message number `k` as a `MESSAGE_CREATE`, or as its `MESSAGE_UPDATE` (an edit
    /// of the content: the full message, as Discord sends edits since 2024).
    fn write_message(&self, k: u64, seq: u64, edit: bool, out: &mut String) {
        let mut num = itoa::Buffer::new();
        let author = self.actor(k);
        let mentions = k % 4 == 3;
        let embed = k % 10 == 9;
        out.push_str(if edit {
            "{\"t\":\"MESSAGE_UPDATE\",\"s\":"
        } else {
            "{\"t\":\"MESSAGE_CREATE\",\"s\":"
        });
        out.push_str(num.format(seq));
        out.push_str(",\"op\":0,\"d\":{\"id\":\"");
        out.push_str(num.format(self.first_message_id + k));
        out.push('"');
        out.push_str(&self.location);
        out.push_str(&author.author_and_member);
        out.push_str(",\"content\":\"");
        if self.content_visible {
            out.push_str("load message ");
            out.push_str(num.format(k));
            if mentions {
                out.push_str(" cc ");
                out.push_str(&author.mention_tag);
            }
            if edit {
                out.push_str(" (edited)");
            }
        }
        out.push_str("\",\"timestamp\":\"");
        out.push_str(&self.timestamp);
        if edit {
            out.push_str("\",\"edited_timestamp\":\"");
            out.push_str(&self.edited_timestamp);
            out.push('"');
        } else {
            out.push_str("\",\"edited_timestamp\":null");
        }
        out.push_str(",\"tts\":false,\"mention_everyone\":false");
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
        out.push_str(",\"pinned\":false,\"type\":0,\"flags\":0,\"components\":[]");
        if !edit {
            out.push_str(",\"nonce\":\"");
            out.push_str(num.format(k));
            out.push('"');
        }
        out.push_str("}}");
    }

    fn write_envelope(out: &mut String, event: &str, seq: u64) {
        out.push_str("{\"t\":\"");
        out.push_str(event);
        out.push_str("\",\"s\":");
        out.push_str(itoa::Buffer::new().format(seq));
        out.push_str(",\"op\":0,\"d\":");
    }

    /// A reaction to message `k` by the user it mentions (the actor after its author).
    fn write_reaction(&self, k: u64, seq: u64, add: bool, out: &mut String) {
        let mut num = itoa::Buffer::new();
        let author = self.actor(k);
        let reactor = self.actor(k + 1);
        let emoji = EMOJIS[usize::try_from(k % EMOJIS.len() as u64).unwrap_or(0)];
        let event = if add {
            "MESSAGE_REACTION_ADD"
        } else {
            "MESSAGE_REACTION_REMOVE"
        };
        Self::write_envelope(out, event, seq);
        out.push_str("{\"user_id\":");
        out.push_str(&reactor.id);
        out.push_str(&self.location);
        out.push_str(",\"message_id\":\"");
        out.push_str(num.format(self.first_message_id + k));
        out.push('"');
        if add {
            out.push_str(",\"member\":");
            out.push_str(&reactor.member);
            out.push_str(",\"message_author_id\":");
            out.push_str(&author.id);
            out.push_str(",\"burst_colors\":[]");
        }
        out.push_str(",\"emoji\":{\"id\":null,\"name\":\"");
        out.push_str(emoji);
        out.push_str("\"},\"burst\":false,\"type\":0}}");
    }

    fn write_delete(&self, k: u64, seq: u64, out: &mut String) {
        Self::write_envelope(out, "MESSAGE_DELETE", seq);
        out.push_str("{\"id\":\"");
        out.push_str(itoa::Buffer::new().format(self.first_message_id + k));
        out.push('"');
        out.push_str(&self.location);
        out.push_str("}}");
    }

    fn write_typing(&self, index: u64, seq: u64, out: &mut String) {
        let actor = self.actor(index);
        Self::write_envelope(out, "TYPING_START", seq);
        out.push_str("{\"user_id\":");
        out.push_str(&actor.id);
        out.push_str(&self.location);
        out.push_str(",\"timestamp\":");
        out.push_str(itoa::Buffer::new().format(self.unix_secs));
        out.push_str(",\"member\":");
        out.push_str(&actor.member);
        out.push_str("}}");
    }

    /// A presence: the user's status goes round online/idle/online/dnd, and every other one
    /// plays a game.
    fn write_presence(&self, index: u64, seq: u64, out: &mut String) {
        let actor = self.actor(index);
        let round = index / self.actors.len().max(1) as u64;
        let status = STATUSES[usize::try_from(round % STATUSES.len() as u64).unwrap_or(0)];
        Self::write_envelope(out, "PRESENCE_UPDATE", seq);
        out.push_str("{\"user\":{\"id\":");
        out.push_str(&actor.id);
        out.push_str("},\"guild_id\":\"");
        out.push_str(&self.guild_id);
        out.push_str("\",\"status\":\"");
        out.push_str(status);
        out.push_str("\",\"activities\":[");
        if round % 2 == 1 {
            let mut num = itoa::Buffer::new();
            out.push_str(
                "{\"id\":\"ec0b28a579ecb4bd\",\"name\":\"Factorio\",\"type\":0,\"created_at\":",
            );
            out.push_str(num.format(self.unix_ms));
            out.push_str(",\"timestamps\":{\"start\":");
            out.push_str(num.format(self.unix_ms - 3_600_000));
            out.push_str("},\"application_id\":\"427520192186712064\"}");
        }
        out.push_str("],\"client_status\":{\"desktop\":\"");
        out.push_str(status);
        out.push_str("\"}}}");
    }

    /// A member's nickname changes (`"<username> (<n>)"`).
    fn write_member_update(&self, index: u64, seq: u64, out: &mut String) {
        let actor = self.actor(index);
        Self::write_envelope(out, "GUILD_MEMBER_UPDATE", seq);
        out.push_str(&actor.member_update.0);
        let _ = write!(out, "nick {index}");
        out.push_str(&actor.member_update.1);
        out.push('}');
    }
}

/// `MESSAGE_CREATEs` in one cycle.
fn creates_in(schedule: &[Slot]) -> u64 {
    schedule
        .iter()
        .filter(|s| s.kind == LoadKind::MessageCreate)
        .count() as u64
}

fn actor(world: &World, guild: u32, guild_id: &str, k: u32, next: u32) -> Actor {
    let id = world.user_id(k);
    let next_id = world.user_id(next);
    let mut mentioned = world.user_json(next_id);
    if let Some(map) = mentioned.as_object_mut() {
        map.insert("member".into(), world.partial_member_json(guild));
    }
    let mut update = world.member_json(guild, id);
    if let Some(map) = update.as_object_mut() {
        map.insert("guild_id".into(), json!(guild_id));
        map.insert("nick".into(), json!(NICK_MARK));
    }
    let update = update.to_string();
    let quoted = format!("\"{NICK_MARK}\"");
    let (before, after) = update.split_once(&quoted).unwrap_or((&update, ""));
    Actor {
        id: format!("\"{id}\""),
        author_and_member: format!(
            ",\"author\":{},\"member\":{}",
            world.user_json(id),
            world.partial_member_json(guild)
        ),
        mention_of_next: format!(",\"mentions\":[{mentioned}]"),
        mention_tag: format!("<@{next_id}>"),
        member: world.member_json(guild, id).to_string(),
        member_update: (format!("{before}\""), format!("\"{after}")),
    }
}

impl LazyFrames for Load {
    fn len(&self) -> u64 {
        self.count
    }

    fn write(&self, index: u64, seq: u64, out: &mut String) {
        let len = self.schedule.len().max(1) as u64;
        let cycle = index / len;
        let Some(slot) = self.schedule.get(usize::try_from(index % len).unwrap_or(0)) else {
            return;
        };
        let first_create = cycle * self.creates_per_cycle;
        // The newest message created before this slot (the cycle starts with a create).
        let latest = (first_create + slot.creates_before).saturating_sub(1);
        out.reserve(1024);
        match slot.kind {
            LoadKind::MessageCreate => {
                self.write_message(first_create + slot.creates_before, seq, false, out);
            }
            LoadKind::MessageUpdate => self.write_message(latest, seq, true, out),
            LoadKind::MessageDelete => self.write_delete(first_create, seq, out),
            LoadKind::ReactionAdd => self.write_reaction(latest, seq, true, out),
            LoadKind::ReactionRemove => self.write_reaction(latest, seq, false, out),
            LoadKind::TypingStart => self.write_typing(index, seq, out),
            LoadKind::PresenceUpdate => self.write_presence(index, seq, out),
            LoadKind::MemberUpdate => self.write_member_update(index, seq, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::load_spec::DEFAULT_MIX;

    fn spec(body: &Value) -> LoadSpec {
        LoadSpec::parse(body).expect("valid load")
    }

    fn frames(load: &Load) -> Vec<Value> {
        (0..load.len())
            .map(|i| {
                let mut out = String::new();
                load.write(i, 100 + i, &mut out);
                serde_json::from_str(&out)
                    .unwrap_or_else(|e| panic!("frame {i} is JSON: {e}: {out}"))
            })
            .collect()
    }

    #[test]
    fn message_loads_are_consecutive_message_creates() {
        let world = World::new(1, 2, 5);
        let spec = spec(&json!({"kind": "messages", "count": 20}));
        assert_eq!(Load::message_ids(&spec), 20);
        let load = Load::new(&world, &spec, (0, 1), 1000, 1_700_000_000_000, true);
        for (i, frame) in frames(&load).iter().enumerate() {
            assert_eq!(frame["t"], "MESSAGE_CREATE");
            assert_eq!(frame["s"], 100 + i as u64);
            assert_eq!(frame["d"]["id"], (1000 + i).to_string());
        }
    }

    #[test]
    fn the_default_mix_spreads_kinds_and_refers_to_earlier_messages() {
        let world = World::new(1, 2, 30);
        let spec = spec(&json!({"kind": "mix", "count": 400}));
        let load = Load::new(&world, &spec, (0, 0), 5000, 1_700_000_000_000, true);
        let frames = frames(&load);
        let mut created = std::collections::HashSet::new();
        let mut counts = std::collections::HashMap::new();
        let mut run = (String::new(), 0);
        for frame in &frames {
            let t = frame["t"].as_str().expect("t").to_owned();
            *counts.entry(t.clone()).or_insert(0) += 1;
            run = if run.0 == t {
                (t.clone(), run.1 + 1)
            } else {
                (t.clone(), 1)
            };
            assert!(run.1 <= 2, "{t} comes in a block");
            let d = &frame["d"];
            let message = match t.as_str() {
                "MESSAGE_CREATE" => {
                    created.insert(d["id"].clone());
                    None
                }
                "MESSAGE_UPDATE" | "MESSAGE_DELETE" => Some(&d["id"]),
                "MESSAGE_REACTION_ADD" | "MESSAGE_REACTION_REMOVE" => Some(&d["message_id"]),
                _ => None,
            };
            if let Some(id) = message {
                assert!(
                    created.contains(id),
                    "{t} refers to a message not created yet"
                );
            }
        }
        // 400 events = 20 cycles of 20.
        for (kind, weight) in DEFAULT_MIX {
            assert_eq!(counts[kind.event()], weight * 20, "{}", kind.event());
        }
        assert_eq!(Load::message_ids(&spec), 80);
    }

    #[test]
    fn mix_payloads_carry_what_discord_sends() {
        let world = World::new(1, 1, 10);
        let spec = spec(&json!({"kind": "mix", "count": 20}));
        let load = Load::new(&world, &spec, (0, 0), 5000, 1_700_000_000_000, false);
        for frame in frames(&load) {
            let d = &frame["d"];
            match frame["t"].as_str().expect("t") {
                "MESSAGE_UPDATE" => {
                    assert!(d["edited_timestamp"].is_string());
                    // Without MESSAGE_CONTENT the content stays empty, edits too.
                    assert_eq!(d["content"], "");
                }
                "MESSAGE_REACTION_ADD" => {
                    assert!(d["member"]["user"]["id"].is_string());
                    assert!(d["message_author_id"].is_string());
                }
                "TYPING_START" => assert!(d["timestamp"].is_u64()),
                "PRESENCE_UPDATE" => assert!(d["client_status"]["desktop"].is_string()),
                "GUILD_MEMBER_UPDATE" => {
                    assert!(d["nick"].as_str().expect("nick").starts_with("nick "));
                    assert!(d["user"]["id"].is_string());
                    assert!(d["guild_id"].is_string());
                }
                _ => {}
            }
        }
    }
}
