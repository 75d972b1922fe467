//! Shared by the snapshot tests: Discord payloads as the gateway sends them (JSON, decoded with
//! `novera_cache::decode` like a worker does), a world of guilds built from them, the
//! snapshot round trip, and a comparison of two caches through every lookup a command makes.

// Each test binary uses its own part of this module.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashSet};

use novera_cache::{Cache, ResourceType, decode, encode, snapshot};
use serde_json::{Value, json};
use twilight_model::gateway::event::Event;
use twilight_model::id::Id;
use twilight_model::id::marker::{GuildMarker, UserMarker};

/// A dispatch event from its type and payload, through Discord's frame and `decode`.
pub(crate) fn dispatch(event_type: &str, payload: &Value) -> Event {
    // Written by hand: serde_json's map sorts `d` before `t`, and twilight finds the event type
    // by the first `"t":` in the text.
    let frame = format!(r#"{{"t":"{event_type}","s":1,"op":0,"d":{payload}}}"#);
    decode(frame.as_bytes())
        .unwrap_or_else(|error| panic!("test payload for {event_type} must decode: {error:?}"))
}

/// Noon on day `day` (1 to 28) of January 2024, as Discord writes timestamps.
pub(crate) fn at(day: u32) -> String {
    format!("2024-01-{day:02}T12:00:00.000000+00:00")
}

pub(crate) fn user(id: u64) -> Value {
    json!({
        "id": id.to_string(),
        "username": format!("user{id}"),
        "global_name": format!("User {id}"),
        "discriminator": "0",
        "avatar": "a_1269e74af4df7417b13759eae50c83dc",
        "bot": false,
    })
}

pub(crate) fn member(user_id: u64, nick: Option<&str>, roles: &[u64]) -> Value {
    json!({
        "user": user(user_id),
        "nick": nick,
        "roles": roles.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "joined_at": at(2),
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
    })
}

pub(crate) fn role(id: u64, name: &str, position: i64) -> Value {
    json!({
        "id": id.to_string(),
        "name": name,
        "color": 0x00ff_8800,
        "colors": {"primary_color": 0x00ff_8800, "secondary_color": null, "tertiary_color": null},
        "hoist": position > 0,
        "managed": false,
        "mentionable": true,
        "permissions": "1071698660929",
        "position": position,
        "flags": 0,
    })
}

pub(crate) fn text_channel(id: u64, name: &str, position: i32) -> Value {
    json!({
        "id": id.to_string(),
        "type": 0,
        "name": name,
        "position": position,
        "topic": format!("all about {name}"),
        "nsfw": false,
        "rate_limit_per_user": 0,
        "permission_overwrites": [],
        "last_message_id": null,
    })
}

/// A guild as its `GUILD_CREATE` sends it, with the given channels, roles and members; other
/// lists empty (set them on the returned value).
pub(crate) fn guild(
    id: u64,
    name: &str,
    channels: &[Value],
    roles: &[Value],
    members: &[Value],
) -> Value {
    json!({
        "id": id.to_string(),
        "name": name,
        "icon": "1269e74af4df7417b13759eae50c83dc",
        "owner_id": "100",
        "afk_timeout": 300,
        "afk_channel_id": null,
        "default_message_notifications": 1,
        "explicit_content_filter": 2,
        "features": ["COMMUNITY", "NEWS"],
        "mfa_level": 1,
        "nsfw_level": 0,
        "preferred_locale": "en-US",
        "premium_progress_bar_enabled": false,
        "premium_tier": 2,
        "premium_subscription_count": 7,
        "system_channel_flags": 0,
        "verification_level": 2,
        "joined_at": at(1),
        "large": false,
        "member_count": members.len(),
        "description": format!("the {name} guild"),
        "channels": channels,
        "threads": [],
        "roles": roles,
        "members": members,
        "emojis": [],
        "stickers": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "unavailable": false,
    })
}

/// A cache keeping `types`, fed `events`.
pub(crate) fn cache_with(types: ResourceType, events: &[Event]) -> Cache {
    let cache = Cache::builder().resource_types(types).build();
    for event in events {
        cache.update(event);
    }
    cache
}

/// The worker's side: `source`'s snapshot, every event encoded and decoded, applied to an empty
/// cache keeping `types`. Also returns the encoded events.
pub(crate) fn rebuild(source: &Cache, types: ResourceType) -> (Cache, Vec<Vec<u8>>) {
    let encoded: Vec<Vec<u8>> = snapshot(source)
        .map(|event| encode(&event).expect("snapshot events are dispatch events"))
        .collect();
    let rebuilt = Cache::builder().resource_types(types).build();
    for bytes in &encoded {
        rebuilt.update(&decode(bytes).expect("encoded snapshot events decode"));
    }
    (rebuilt, encoded)
}

/// How many of each resource the compared caches hold, so a test can show it compared
/// something.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) guilds: usize,
    pub(crate) channels: usize,
    pub(crate) members: usize,
    pub(crate) users: usize,
    /// Users the original caches but no member or emoji or sticker names: a snapshot does not
    /// carry them.
    pub(crate) users_left_out: Vec<Id<UserMarker>>,
    pub(crate) roles: usize,
    pub(crate) emojis: usize,
    pub(crate) stickers: usize,
    pub(crate) voice_states: usize,
    pub(crate) presences: usize,
    pub(crate) stage_instances: usize,
    pub(crate) integrations: usize,
    pub(crate) scheduled_events: usize,
}

/// Every cached resource of one kind, by key.
macro_rules! all {
    ($cache:expr, $kind:ident) => {
        $cache
            .iter()
            .$kind()
            .map(|entry| (*entry.key(), entry.value().clone()))
            .collect::<BTreeMap<_, _>>()
    };
}

/// Asserts one kind of resource is the same in both caches; returns how many there are.
macro_rules! same {
    ($a:expr, $b:expr, $kind:ident) => {{
        let expected = all!($a, $kind);
        assert_eq!(
            expected,
            all!($b, $kind),
            concat!("cached ", stringify!($kind), " differ")
        );
        expected.len()
    }};
}

/// Asserts a per-guild lookup (a set of ids) answers the same in both caches.
macro_rules! same_set {
    ($a:expr, $b:expr, $lookup:ident, $guild:expr) => {{
        let set = |cache: &Cache| {
            cache
                .$lookup($guild)
                .map(|set| set.value().iter().copied().collect::<BTreeSet<_>>())
        };
        assert_eq!(
            set($a),
            set($b),
            concat!(stringify!($lookup), " of guild {} differ"),
            $guild
        );
    }};
}

/// Asserts `rebuilt` answers every lookup a command makes as `original` does: each cached
/// guild, channel, member, user, role, emoji, sticker, voice state, presence, stage instance,
/// integration and scheduled event by id, each guild's sets of them, each user's guilds and the
/// current user. Messages are left out: a snapshot does not carry them.
pub(crate) fn assert_same_cache(original: &Cache, rebuilt: &Cache) -> Counts {
    let mut counts = Counts {
        guilds: same!(original, rebuilt, guilds),
        channels: same!(original, rebuilt, channels),
        members: same!(original, rebuilt, members),
        users: 0,
        users_left_out: Vec::new(),
        roles: same!(original, rebuilt, roles),
        emojis: same!(original, rebuilt, emojis),
        stickers: same!(original, rebuilt, stickers),
        voice_states: same!(original, rebuilt, voice_states),
        presences: same!(original, rebuilt, presences),
        stage_instances: same!(original, rebuilt, stage_instances),
        integrations: same!(original, rebuilt, integrations),
        scheduled_events: 0,
    };
    // Users travel with the members, emojis and stickers naming them.
    let mut named: BTreeSet<Id<UserMarker>> =
        original.iter().members().map(|m| m.key().1).collect();
    named.extend(original.iter().emojis().filter_map(|emoji| emoji.user_id()));
    named.extend(
        original
            .iter()
            .stickers()
            .filter_map(|sticker| sticker.user_id()),
    );
    let (carried, left_out): (BTreeMap<_, _>, BTreeMap<_, _>) = all!(original, users)
        .into_iter()
        .partition(|(id, _)| named.contains(id));
    assert_eq!(carried, all!(rebuilt, users), "cached users differ");
    counts.users = carried.len();
    counts.users_left_out = left_out.into_keys().collect();
    assert_eq!(original.current_user(), rebuilt.current_user());

    let guilds: BTreeSet<Id<GuildMarker>> = guild_ids(original)
        .union(&guild_ids(rebuilt))
        .copied()
        .collect();
    for &guild in &guilds {
        same_set!(original, rebuilt, guild_channels, guild);
        same_set!(original, rebuilt, guild_members, guild);
        same_set!(original, rebuilt, guild_roles, guild);
        same_set!(original, rebuilt, guild_emojis, guild);
        same_set!(original, rebuilt, guild_stickers, guild);
        same_set!(original, rebuilt, guild_voice_states, guild);
        same_set!(original, rebuilt, guild_presences, guild);
        same_set!(original, rebuilt, guild_stage_instances, guild);
        same_set!(original, rebuilt, guild_integrations, guild);
        same_set!(original, rebuilt, scheduled_events, guild);
        let events = original
            .scheduled_events(guild)
            .map(|set| set.value().clone())
            .unwrap_or_default();
        for id in events {
            assert_eq!(
                original
                    .scheduled_event(id)
                    .map(|event| event.value().clone()),
                rebuilt
                    .scheduled_event(id)
                    .map(|event| event.value().clone()),
                "scheduled event {id} differs"
            );
            counts.scheduled_events += 1;
        }
    }
    for user in all!(rebuilt, users).keys() {
        let guilds = |cache: &Cache| {
            cache
                .user_guilds(*user)
                .map(|set| set.value().iter().copied().collect::<BTreeSet<_>>())
        };
        assert_eq!(
            guilds(original),
            guilds(rebuilt),
            "guilds of user {user} differ"
        );
    }
    counts
}

/// Every guild id a cache knows: cached guilds and the guilds of cached channels and members.
fn guild_ids(cache: &Cache) -> HashSet<Id<GuildMarker>> {
    let mut ids: HashSet<_> = all!(cache, guilds).into_keys().collect();
    ids.extend(
        cache
            .iter()
            .channels()
            .filter_map(|channel| channel.guild_id()),
    );
    ids.extend(cache.iter().members().map(|member| member.key().0));
    ids
}
