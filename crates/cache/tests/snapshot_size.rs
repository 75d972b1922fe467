//! How big a snapshot's events are and how long a snapshot takes: the bench's world (1,000
//! guilds x 100 members x 20 channels) measured and printed, and a guild filled to Discord's
//! limits, whose `GUILD_CREATE` must stay under NATS's default 1 MiB message size.
//!
//! The figures are printed, not asserted: `cargo test --release -p novera-cache --test
//! snapshot_size -- --nocapture` gives the numbers worth quoting (a debug build measures a tenth
//! of the world). The size bound is asserted because a worker depends on it.

mod support;

use std::time::{Duration, Instant};

use novera_cache::snapshot::MEMBERS_PER_CHUNK;
use novera_cache::{Cache, ResourceType, decode, encode, guild_snapshot, snapshot};
use serde_json::{Value, json};
use support::{at, cache_with, dispatch, guild, member, role, text_channel};
use twilight_model::gateway::event::{Event, EventType};
use twilight_model::gateway::payload::incoming::GuildCreate;
use twilight_model::id::Id;

/// NATS's default `max_payload`.
const NATS_MAX_PAYLOAD: usize = 1024 * 1024;

/// The bench's world: `guilds` guilds, each with the same `members` users as members (one role
/// each), `channels` text channels and two roles, as novera-sim builds it. One guild is decoded
/// from JSON and copied with new ids (decoding 100,000 members is slow in a debug build).
fn bench_world(guilds: u64, members: u64, channels: u64) -> Cache {
    let channels: Vec<Value> = (0..channels)
        .map(|c| {
            text_channel(
                c + 1,
                &format!("channel-{c}"),
                i32::try_from(c).unwrap_or(0),
            )
        })
        .collect();
    let members: Vec<Value> = (0..members)
        .map(|m| member(10_000 + m, None, &[2]))
        .collect();
    let roles = [role(1, "@everyone", 0), role(2, "Member", 1)];
    let Event::GuildCreate(template) = dispatch(
        "GUILD_CREATE",
        &guild(1, "Guild", &channels, &roles, &members),
    ) else {
        panic!("a GUILD_CREATE payload decodes to one");
    };
    let GuildCreate::Available(template) = *template else {
        panic!("the guild is available");
    };
    let cache = Cache::builder()
        .resource_types(ResourceType::all().difference(ResourceType::PRESENCE))
        .build();
    for g in 0..guilds {
        let mut guild = template.clone();
        let member_role = Id::new(2_000_000 + g);
        guild.id = Id::new(1_000_000 + g);
        guild.name = format!("Guild {g}");
        for (c, channel) in (0..).zip(&mut guild.channels) {
            channel.id = Id::new(3_000_000 + g * 1_000 + c);
        }
        guild.roles[0].id = guild.id.cast();
        guild.roles[1].id = member_role;
        for member in &mut guild.members {
            member.roles = vec![member_role];
        }
        cache.update(&Event::GuildCreate(Box::new(GuildCreate::Available(guild))));
    }
    cache
}

#[allow(clippy::print_stderr, reason = "a measurement prints its figures")]
fn report(lines: &[String]) {
    for line in lines {
        eprintln!("{line}");
    }
}

fn kib(bytes: usize) -> String {
    format!(
        "{:.1} KiB",
        f64::from(u32::try_from(bytes).unwrap_or(u32::MAX)) / 1024.0
    )
}

#[test]
fn the_bench_world_snapshot_in_figures() {
    // The whole world in a release build; a tenth of it in a debug build, where encoding and
    // decoding 100,000 members would take most of the test suite's time.
    let guilds = if cfg!(debug_assertions) { 100 } else { 1_000 };
    let (members, channels) = (100, 20);
    let source = bench_world(guilds, members, channels);

    let started = Instant::now();
    let encoded: Vec<(EventType, Vec<u8>)> = snapshot(&source)
        .map(|event| {
            (
                event.kind(),
                encode(&event).expect("snapshot events encode"),
            )
        })
        .collect();
    let snapshot_time = started.elapsed();

    let started = Instant::now();
    let rebuilt = Cache::builder()
        .resource_types(ResourceType::all().difference(ResourceType::PRESENCE))
        .build();
    for (_, bytes) in &encoded {
        rebuilt.update(&decode(bytes).expect("snapshot events decode"));
    }
    let rebuild_time = started.elapsed();

    let stats = rebuilt.stats();
    let guilds_usize = usize::try_from(guilds).unwrap_or(usize::MAX);
    assert_eq!(stats.guilds(), guilds_usize);
    assert_eq!(stats.channels(), guilds_usize * 20);
    assert_eq!(stats.members(), guilds_usize * 100);
    assert_eq!(stats.users(), 100);

    let size_of = |kind: EventType| -> (usize, usize, usize) {
        let sizes: Vec<usize> = encoded
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, bytes)| bytes.len())
            .collect();
        (
            sizes.len(),
            sizes.iter().sum(),
            sizes.iter().copied().max().unwrap_or(0),
        )
    };
    let total: usize = encoded.iter().map(|(_, bytes)| bytes.len()).sum();
    let (creates, create_bytes, create_max) = size_of(EventType::GuildCreate);
    let (chunks, chunk_bytes, chunk_max) = size_of(EventType::MemberChunk);
    let per = |time: Duration| format!("{:.2} s", time.as_secs_f64());
    report(&[
        format!("snapshot of {guilds} guilds x {members} members x {channels} channels:"),
        format!(
            "  {} events, {:.1} MiB of JSON",
            encoded.len(),
            f64::from(u32::try_from(total).unwrap_or(u32::MAX)) / 1_048_576.0
        ),
        format!(
            "  {creates} GUILD_CREATE: {} in all, largest {}",
            kib(create_bytes),
            kib(create_max)
        ),
        format!(
            "  {chunks} GUILD_MEMBERS_CHUNK: {} in all, largest {}",
            kib(chunk_bytes),
            kib(chunk_max)
        ),
        format!("  snapshot + encode: {}", per(snapshot_time)),
        format!("  decode + apply to an empty cache: {}", per(rebuild_time)),
    ]);
    assert!(create_max < NATS_MAX_PAYLOAD && chunk_max < NATS_MAX_PAYLOAD);
}

/// `n` characters of text.
fn text(n: usize) -> String {
    "abcdefghij".repeat(n.div_ceil(10))[..n].to_owned()
}

/// A guild with every list a `GUILD_CREATE` carries at Discord's limits and every text at its
/// maximum length, and members with many roles.
fn guild_at_the_limits() -> Vec<Event> {
    let overwrites: Vec<Value> = (0..20)
        .map(|n| json!({"id": (900 + n).to_string(), "type": 0, "allow": "1024", "deny": "2048"}))
        .collect();
    let channels: Vec<Value> = (0..500)
        .map(|n| {
            let mut channel = text_channel(10_000 + n, &text(100), 0);
            channel["topic"] = json!(text(1_024));
            channel["permission_overwrites"] = json!(overwrites);
            channel
        })
        .collect();
    let roles: Vec<Value> = (0..250)
        .map(|n| {
            let mut role = role(if n == 0 { 1 } else { 900 + n }, &text(100), 0);
            role["icon"] = json!("1269e74af4df7417b13759eae50c83dc");
            role["unicode_emoji"] = json!("🎉");
            role
        })
        .collect();
    // A thousand members with 10 roles each fill one chunk; a hundred with Discord's maximum
    // of 250 roles take three more (40 members reach the 10,000 role ids of a chunk).
    let members: Vec<Value> = (0..1_100)
        .map(|n| {
            let roles: Vec<u64> = (900..if n < 1_000 { 910 } else { 1_150 }).collect();
            let mut member = member(100_000 + n, Some(&text(32)), &roles);
            member["user"]["username"] = json!(text(32));
            member["user"]["global_name"] = json!(text(32));
            member
        })
        .collect();
    let mut limits = guild(1, &text(100), &channels, &roles, &members);
    limits["description"] = json!(text(300));
    limits["emojis"] = json!(
        (0..500)
            .map(|n| json!({"id": (20_000 + n).to_string(), "name": text(32),
                            "roles": ["901", "902"], "require_colons": true, "managed": false,
                            "animated": n % 2 == 0, "available": true}))
            .collect::<Vec<_>>()
    );
    limits["stickers"] = json!(
        (0..60)
            .map(|n| json!({"id": (30_000 + n).to_string(), "name": text(30),
                            "description": text(100), "tags": text(200), "type": 2,
                            "format_type": 1, "available": true, "guild_id": "1"}))
            .collect::<Vec<_>>()
    );
    limits["guild_scheduled_events"] = json!(
        (0..100)
            .map(|n| json!({"id": (40_000 + n).to_string(), "guild_id": "1",
                            "channel_id": null, "creator_id": "100000", "name": text(100),
                            "description": text(1_000), "scheduled_start_time": at(20),
                            "scheduled_end_time": at(21), "privacy_level": 2, "status": 1,
                            "entity_type": 3, "entity_id": null,
                            "entity_metadata": {"location": text(100)}, "user_count": 10}))
            .collect::<Vec<_>>()
    );
    limits["voice_states"] = json!(
        (0..300)
            .map(
                |n| json!({"channel_id": "10000", "user_id": (100_000 + n).to_string(),
                            "session_id": text(32), "deaf": false, "mute": false,
                            "self_deaf": false, "self_mute": true, "self_video": false,
                            "suppress": false, "request_to_speak_timestamp": null})
            )
            .collect::<Vec<_>>()
    );
    limits["presences"] = json!(
        (0..300)
            .map(
                |n| json!({"user": {"id": (100_000 + n).to_string()}, "status": "online",
                            "client_status": {"desktop": "online", "mobile": "idle"},
                            "activities": (0..3).map(|_| json!({
                                "name": text(128), "type": 0, "details": text(128),
                                "state": text(128), "created_at": 1_704_110_400_000_u64,
                            })).collect::<Vec<_>>()})
            )
            .collect::<Vec<_>>()
    );
    vec![dispatch("GUILD_CREATE", &limits)]
}

#[test]
fn a_guild_at_discords_limits_fits_in_nats_messages() {
    let source = cache_with(ResourceType::all(), &guild_at_the_limits());
    let events: Vec<_> = guild_snapshot(&source, Id::new(1))
        .expect("the guild is cached")
        .collect();
    let mut largest = [(EventType::GuildCreate, 0); 3];
    let mut chunk_sizes = Vec::new();
    for event in &events {
        let size = encode(event).expect("snapshot events encode").len();
        let slot = match event {
            Event::GuildCreate(_) => 0,
            Event::MemberChunk(chunk) => {
                chunk_sizes.push(chunk.members.len());
                1
            }
            _ => 2,
        };
        if size > largest[slot].1 {
            largest[slot] = (event.kind(), size);
        }
        assert!(
            size < NATS_MAX_PAYLOAD,
            "a {:?} of {size} bytes",
            event.kind()
        );
    }
    report(&[
        format!("a guild at Discord's limits: {} events", events.len()),
        format!("  GUILD_CREATE: {}", kib(largest[0].1)),
        format!(
            "  largest GUILD_MEMBERS_CHUNK (of {chunk_sizes:?} members): {}",
            kib(largest[1].1)
        ),
        format!(
            "  largest other ({:?}): {}",
            largest[2].0,
            kib(largest[2].1)
        ),
    ]);
    assert_eq!(chunk_sizes, [MEMBERS_PER_CHUNK, 40, 40, 20]);
    // 400 channels, 200 voice states and 200 presences past the GUILD_CREATE, one event each.
    assert_eq!(events.len(), 1 + 400 + 200 + 200 + 4);
}
