//! A cache built from a realistic run of gateway events (several guilds with channels, threads,
//! roles, members, emojis, stickers, voice, presences, then live changes), snapshotted, sent as
//! bytes and applied to an empty cache: the rebuilt cache must answer every lookup the same.

mod support;

use novera_cache::snapshot::MEMBERS_PER_CHUNK;
use novera_cache::{Cache, ResourceType, guild_snapshot, snapshot};
use serde_json::json;
use support::{
    Counts, assert_same_cache, at, cache_with, dispatch, guild, member, rebuild, role,
    text_channel, user,
};
use twilight_model::channel::ChannelType;
use twilight_model::gateway::event::{Event, EventType};
use twilight_model::id::Id;
use twilight_model::util::Timestamp;

const TIMEOUT: &str = "2099-01-01T00:00:00.000000+00:00";

fn alpha() -> serde_json::Value {
    let mut overwritten = text_channel(11, "general", 1);
    overwritten["parent_id"] = json!("10");
    overwritten["rate_limit_per_user"] = json!(5);
    overwritten["last_message_id"] = json!("5000");
    overwritten["last_pin_timestamp"] = json!(at(3));
    overwritten["permission_overwrites"] = json!([
        {"id": "1", "type": 0, "allow": "0", "deny": "2048"},
        {"id": "20", "type": 0, "allow": "2048", "deny": "0"},
        {"id": "101", "type": 1, "allow": "1024", "deny": "0"},
    ]);
    let mut timed_out = member(101, Some("bob"), &[21]);
    timed_out["communication_disabled_until"] = json!(TIMEOUT);
    timed_out["premium_since"] = json!(at(4));
    let mut pending = member(102, None, &[]);
    pending["pending"] = json!(true);
    pending["avatar"] = json!("1269e74af4df7417b13759eae50c83dc");
    let mut rejoined = member(103, Some("dee"), &[21]);
    rejoined["flags"] = json!(1);
    rejoined["deaf"] = json!(true);

    let mut alpha = guild(
        1,
        "Alpha",
        &[
            json!({"id": "10", "type": 4, "name": "Text", "position": 0,
                   "permission_overwrites": []}),
            overwritten,
            json!({"id": "12", "type": 5, "name": "news", "position": 2, "nsfw": true,
                   "permission_overwrites": []}),
            json!({"id": "13", "type": 2, "name": "Voice", "position": 3, "bitrate": 64000,
                   "user_limit": 10, "permission_overwrites": []}),
            json!({"id": "14", "type": 13, "name": "Stage", "position": 4,
                   "permission_overwrites": []}),
            json!({"id": "15", "type": 15, "name": "forum", "position": 5, "flags": 16,
                   "topic": "ask here", "permission_overwrites": [], "available_tags": []}),
        ],
        &[
            role(1, "@everyone", 0),
            role(20, "mod", 2),
            role(21, "member", 1),
        ],
        &[
            member(100, Some("ally"), &[20, 21]),
            timed_out,
            pending,
            rejoined,
        ],
    );
    alpha["threads"] = json!([{
        "id": "16", "type": 11, "name": "a thread", "parent_id": "11", "owner_id": "101",
        "guild_id": "1", "member_count": 3, "message_count": 5, "rate_limit_per_user": 0,
        "flags": 2,
        "thread_metadata": {"archived": false, "auto_archive_duration": 1440,
                            "archive_timestamp": at(5), "locked": false,
                            "create_timestamp": at(5), "invitable": null},
    }]);
    alpha["emojis"] = json!([
        {"id": "30", "name": "wave", "roles": [], "require_colons": true, "managed": false,
         "animated": false, "available": true, "user": user(100)},
        {"id": "31", "name": "party", "roles": ["20"], "require_colons": true, "managed": false,
         "animated": true, "available": true},
    ]);
    alpha["stickers"] = json!([
        {"id": "40", "name": "cat", "description": "a cat", "tags": "cat", "type": 2,
         "format_type": 1, "available": true, "guild_id": "1", "user": user(101)},
        {"id": "41", "name": "dog", "description": null, "tags": "dog", "type": 2,
         "format_type": 2, "available": false, "guild_id": "1"},
    ]);
    alpha["voice_states"] = json!([
        {"channel_id": "13", "user_id": "100", "session_id": "s100", "deaf": false,
         "mute": false, "self_deaf": false, "self_mute": true, "self_video": false,
         "self_stream": true, "suppress": false, "request_to_speak_timestamp": null},
        {"channel_id": "14", "user_id": "103", "session_id": "s103", "deaf": true,
         "mute": true, "self_deaf": false, "self_mute": false, "self_video": false,
         "suppress": true, "request_to_speak_timestamp": at(6)},
    ]);
    alpha["presences"] = json!([
        {"user": {"id": "100"}, "status": "online",
         "activities": [{"name": "chess", "type": 0, "created_at": 1_704_110_400_000_u64}],
         "client_status": {"desktop": "online"}},
        {"user": {"id": "101"}, "status": "idle", "activities": [],
         "client_status": {"mobile": "idle"}},
    ]);
    alpha["stage_instances"] = json!([
        {"id": "50", "guild_id": "1", "channel_id": "14", "topic": "town hall",
         "privacy_level": 2, "guild_scheduled_event_id": "60", "discoverable_disabled": false},
    ]);
    alpha["guild_scheduled_events"] = json!([
        {"id": "60", "guild_id": "1", "channel_id": "14", "creator_id": "100",
         "name": "town hall", "description": "monthly", "scheduled_start_time": at(20),
         "scheduled_end_time": null, "privacy_level": 2, "status": 1, "entity_type": 1,
         "entity_id": "50", "entity_metadata": null, "user_count": 12},
    ]);
    alpha
}

/// READY, three guilds, then the kind of changes a running bot sees.
fn world() -> Vec<Event> {
    let mut beta = guild(
        2,
        "Beta",
        &[
            text_channel(70, "lobby", 0),
            json!({"id": "71", "type": 2, "name": "Talk", "position": 1,
                   "permission_overwrites": []}),
        ],
        &[role(2, "@everyone", 0), role(80, "helper", 1)],
        &[
            member(100, Some("ally in beta"), &[80]),
            member(101, None, &[]),
            member(104, Some("eve"), &[80]),
        ],
    );
    beta["owner_id"] = json!("101");
    let gamma = guild(
        3,
        "Gamma",
        &[text_channel(90, "main", 0)],
        &[role(3, "@everyone", 0)],
        &[member(105, None, &[])],
    );

    let mut thread = json!({
        "id": "18", "type": 12, "name": "private", "parent_id": "11", "owner_id": "100",
        "guild_id": "1", "newly_created": true, "member_count": 1, "message_count": 0,
        "thread_metadata": {"archived": false, "auto_archive_duration": 60,
                            "archive_timestamp": at(7), "locked": true, "invitable": false},
    });
    thread["rate_limit_per_user"] = json!(30);
    let mut joined = member(106, Some("newbie"), &[22]);
    joined["guild_id"] = json!("1");
    let mut updated = member(101, Some("bobby"), &[20]);
    updated["guild_id"] = json!("1");
    updated["communication_disabled_until"] = json!(TIMEOUT);
    let mut voice_member = member(104, Some("eve"), &[80]);
    voice_member["guild_id"] = json!("2");

    vec![
        dispatch(
            "READY",
            &json!({
                "v": 10, "session_id": "session", "resume_gateway_url": "ws://127.0.0.1:1",
                "guilds": [{"id": "1", "unavailable": true}, {"id": "2", "unavailable": true},
                           {"id": "3", "unavailable": true}],
                "user": {"id": "900", "username": "novera", "discriminator": "0",
                         "mfa_enabled": false, "bot": true, "verified": true, "flags": 0},
                "application": {"id": "900", "flags": 0},
            }),
        ),
        dispatch("GUILD_CREATE", &alpha()),
        dispatch("GUILD_CREATE", &beta),
        dispatch("GUILD_CREATE", &gamma),
        // Gamma goes into an outage: twilight keeps the guild, marked unavailable, and drops
        // its channels and members.
        dispatch("GUILD_CREATE", &json!({"id": "3", "unavailable": true})),
        dispatch("CHANNEL_CREATE", &{
            let mut channel = text_channel(17, "new", 6);
            channel["guild_id"] = json!("1");
            channel
        }),
        dispatch("THREAD_CREATE", &thread),
        dispatch(
            "GUILD_ROLE_CREATE",
            &json!({"guild_id": "1", "role": role(22, "fresh", 3)}),
        ),
        dispatch("GUILD_MEMBER_ADD", &joined),
        dispatch("GUILD_MEMBER_UPDATE", &updated),
        dispatch(
            "GUILD_MEMBERS_CHUNK",
            &json!({
                "guild_id": "2", "chunk_index": 0, "chunk_count": 1, "not_found": [],
                "members": [member(107, None, &[]), member(108, Some("gus"), &[80])],
            }),
        ),
        // A member first seen in a message (a partial member), and one in a guild the bot is not
        // in (a user-installed command's message).
        dispatch("MESSAGE_CREATE", &message(5001, 11, Some(1), 109)),
        dispatch("MESSAGE_CREATE", &message(5002, 400, Some(4), 110)),
        dispatch(
            "VOICE_STATE_UPDATE",
            &json!({
                "guild_id": "2", "channel_id": "71", "user_id": "104", "session_id": "s104",
                "deaf": false, "mute": false, "self_deaf": true, "self_mute": true,
                "self_video": true, "suppress": false, "request_to_speak_timestamp": null,
                "member": voice_member,
            }),
        ),
        dispatch(
            "PRESENCE_UPDATE",
            &json!({
                "guild_id": "2", "user": {"id": "104"}, "status": "dnd", "activities": [],
                "client_status": {"web": "dnd"},
            }),
        ),
        dispatch("INTEGRATION_CREATE", &integration(120, 1)),
        dispatch("INTEGRATION_UPDATE", &integration(121, 2)),
        dispatch(
            "USER_UPDATE",
            &json!({
                "id": "900", "username": "novera-renamed", "discriminator": "0",
                "mfa_enabled": true, "bot": true, "verified": true, "flags": 0,
            }),
        ),
    ]
}

fn message(id: u64, channel: u64, guild: Option<u64>, author: u64) -> serde_json::Value {
    let mut partial = member(author, Some("speaker"), &[21]);
    partial.as_object_mut().map(|fields| fields.remove("user"));
    json!({
        "id": id.to_string(), "channel_id": channel.to_string(),
        "guild_id": guild.map(|id| id.to_string()), "author": user(author),
        "member": partial, "content": "hello", "timestamp": at(8), "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": [], "pinned": false, "type": 0,
    })
}

fn integration(id: u64, guild: u64) -> serde_json::Value {
    json!({
        "id": id.to_string(), "guild_id": guild.to_string(), "name": format!("bot {id}"),
        "type": "discord", "enabled": true, "account": {"id": "77", "name": "account"},
    })
}

#[test]
fn a_rebuilt_cache_answers_every_lookup_as_the_original() {
    let original = cache_with(ResourceType::all(), &world());
    let (rebuilt, _) = rebuild(&original, ResourceType::all());

    let counts = assert_same_cache(&original, &rebuilt);
    // Guards against comparing two empty caches: the world put all this in.
    let expected = Counts {
        guilds: 3,
        channels: 11,
        members: 12,
        users: 10,
        // Gamma's outage dropped its member 105 but not the user: a snapshot carries users
        // with their members, so that one is not rebuilt.
        users_left_out: vec![Id::new(105)],
        roles: 6,
        emojis: 2,
        stickers: 2,
        voice_states: 3,
        presences: 3,
        stage_instances: 1,
        integrations: 2,
        scheduled_events: 1,
    };
    assert_eq!(counts, expected);

    // What commands read, spelled out for a few values.
    let bob = rebuilt
        .member(Id::new(1), Id::new(101))
        .expect("bob is rebuilt");
    assert_eq!(bob.nick(), Some("bobby"));
    assert_eq!(bob.roles(), &[Id::new(20)]);
    assert_eq!(
        bob.communication_disabled_until(),
        Timestamp::parse(TIMEOUT).ok()
    );
    drop(bob);
    let general = rebuilt.channel(Id::new(11)).expect("general is rebuilt");
    assert_eq!(general.permission_overwrites().map(<[_]>::len), Some(3));
    assert_eq!(general.rate_limit_per_user(), Some(5));
    drop(general);
    let thread = rebuilt
        .channel(Id::new(18))
        .expect("the new thread is rebuilt");
    assert_eq!(thread.kind(), ChannelType::PrivateThread);
    assert_eq!(thread.parent_id(), Some(Id::new(11)));
    drop(thread);
    assert_eq!(
        rebuilt.current_user().map(|user| user.name),
        Some("novera-renamed".to_owned())
    );
    let gamma = rebuilt.guild(Id::new(3)).expect("gamma stays cached");
    assert_eq!(gamma.unavailable(), Some(true));
    assert_eq!(rebuilt.stats().unavailable_guilds(), 1);
}

#[test]
fn the_gateway_default_selection_rebuilds_the_same() {
    let types = ResourceType::all().difference(ResourceType::PRESENCE);
    let original = cache_with(types, &world());
    let (rebuilt, _) = rebuild(&original, types);
    let counts = assert_same_cache(&original, &rebuilt);
    assert_eq!(counts.presences, 0);
    assert_eq!(counts.members, 12);
}

#[test]
fn a_selection_without_guilds_or_roles_rebuilds_the_same() {
    let types = ResourceType::CHANNEL | ResourceType::MEMBER | ResourceType::USER;
    let original = cache_with(types, &world());
    let events: Vec<Event> = snapshot(&original).collect();
    assert!(
        events
            .iter()
            .all(|event| event.kind() != EventType::GuildCreate),
        "no guild is cached, so none is sent"
    );
    let (rebuilt, _) = rebuild(&original, types);
    let counts = assert_same_cache(&original, &rebuilt);
    assert_eq!((counts.guilds, counts.roles), (0, 0));
    assert_eq!(counts.channels, 11);
    assert_eq!(counts.members, 12);
}

#[test]
fn the_receiving_cache_keeps_only_its_own_selection() {
    let original = cache_with(ResourceType::all(), &world());
    let (rebuilt, _) = rebuild(&original, ResourceType::GUILD | ResourceType::ROLE);
    assert_eq!(rebuilt.stats().guilds(), 3);
    assert_eq!(rebuilt.stats().roles(), 6);
    assert_eq!(rebuilt.stats().channels(), 0);
    assert_eq!(rebuilt.stats().members(), 0);
    assert!(rebuilt.current_user().is_none());
    assert!(rebuilt.guild_channels(Id::new(1)).is_none());
}

#[test]
fn a_guild_of_2500_members_takes_three_chunks() {
    let members: Vec<_> = (1..=2_500)
        .map(|id| member(10_000 + id, None, &[]))
        .collect();
    let mut big = guild(
        7,
        "Big",
        &[text_channel(700, "general", 0)],
        &[role(7, "@everyone", 0)],
        &[],
    );
    big["member_count"] = json!(2_500);
    let mut events = vec![dispatch("GUILD_CREATE", &big)];
    for (index, chunk) in members.chunks(1_000).enumerate() {
        events.push(dispatch(
            "GUILD_MEMBERS_CHUNK",
            &json!({
                "guild_id": "7", "chunk_index": index, "chunk_count": 3, "not_found": [],
                "members": chunk,
            }),
        ));
    }
    let original = cache_with(ResourceType::all(), &events);

    let snapshot = guild_snapshot(&original, Id::new(7)).expect("the guild is cached");
    assert_eq!(snapshot.member_chunks(), 3);
    let chunks: Vec<_> = snapshot
        .filter_map(|event| match event {
            Event::MemberChunk(chunk) => Some(chunk),
            _ => None,
        })
        .collect();
    let shape: Vec<_> = chunks
        .iter()
        .map(|chunk| (chunk.chunk_index, chunk.chunk_count, chunk.members.len()))
        .collect();
    assert_eq!(shape, [(0, 3, 1_000), (1, 3, 1_000), (2, 3, 500)]);
    assert!(
        chunks
            .iter()
            .all(|chunk| chunk.members.len() <= MEMBERS_PER_CHUNK)
    );

    let (rebuilt, _) = rebuild(&original, ResourceType::all());
    assert_eq!(assert_same_cache(&original, &rebuilt).members, 2_500);
}

#[test]
fn channels_past_the_guild_create_limit_follow_one_by_one() {
    let channels: Vec<_> = (0..130)
        .map(|n| text_channel(1_000 + n, &format!("c{n}"), 0))
        .collect();
    let original = cache_with(
        ResourceType::all(),
        &[dispatch(
            "GUILD_CREATE",
            &guild(8, "Wide", &channels, &[role(8, "@everyone", 0)], &[]),
        )],
    );
    let events: Vec<Event> = guild_snapshot(&original, Id::new(8))
        .expect("the guild is cached")
        .collect();
    let Some(Event::GuildCreate(create)) = events.first() else {
        panic!("a guild starts with its GUILD_CREATE: {events:?}");
    };
    let twilight_model::gateway::payload::incoming::GuildCreate::Available(guild) = &**create
    else {
        panic!("the guild is available");
    };
    assert_eq!(guild.channels.len(), 100);
    assert_eq!(
        events.len(),
        31,
        "the other 30 channels come as CHANNEL_CREATE"
    );
    assert!(
        events[1..]
            .iter()
            .all(|event| event.kind() == EventType::ChannelCreate)
    );
    let (rebuilt, _) = rebuild(&original, ResourceType::all());
    assert_eq!(assert_same_cache(&original, &rebuilt).channels, 130);
}

#[test]
fn a_member_whose_user_twilight_evicted_is_left_out() {
    // User 100 is in guilds 1 and 2. A changed user in a guild-2 update resets twilight's record
    // of the user's guilds to guild 2 only; leaving guild 2 then evicts the user, although the
    // member of guild 1 is still cached.
    let mut renamed = member(100, Some("ally"), &[]);
    renamed["guild_id"] = json!("2");
    renamed["user"]["username"] = json!("ally-renamed");
    let mut events = world();
    events.push(dispatch("GUILD_MEMBER_UPDATE", &renamed));
    events.push(dispatch(
        "GUILD_MEMBER_REMOVE",
        &json!({"guild_id": "2", "user": user(100)}),
    ));
    let original = cache_with(ResourceType::all(), &events);
    assert!(original.member(Id::new(1), Id::new(100)).is_some());
    assert!(original.user(Id::new(100)).is_none());

    let (rebuilt, _) = rebuild(&original, ResourceType::all());
    assert!(
        rebuilt.member(Id::new(1), Id::new(100)).is_none(),
        "no member with an invented user"
    );
    assert!(rebuilt.user(Id::new(100)).is_none());
    let emoji = rebuilt.emoji(Id::new(30)).expect("the emoji is rebuilt");
    assert_eq!(emoji.user_id(), None, "its creator was user 100");
    drop(emoji);
    assert!(rebuilt.member(Id::new(1), Id::new(101)).is_some());
}

#[test]
fn a_snapshot_can_move_to_another_thread() {
    fn assert_send<T: Send>() {}
    // A gateway sends its snapshot from a blocking task while its shards keep updating the cache.
    assert_send::<novera_cache::Snapshot<'static>>();
    assert_send::<novera_cache::GuildSnapshot<'static>>();
}

#[test]
fn an_empty_cache_gives_an_empty_snapshot() {
    let cache = Cache::new();
    assert_eq!(snapshot(&cache).count(), 0);
    assert!(guild_snapshot(&cache, Id::new(1)).is_none());
}
