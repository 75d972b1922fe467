//! Cache snapshots: a cache's content turned back into the gateway events that, fed to an empty
//! cache keeping the same [`ResourceType`](crate::ResourceType)s, rebuild it.
//!
//! A worker process that runs commands away from the gateway keeps its own [`Cache`]: it
//! subscribes to the live events, asks each gateway for a snapshot, applies the snapshot to its
//! empty cache and then the events it buffered meanwhile (cache updates are upserts, so an event
//! already reflected in the snapshot is harmless).
//!
//! # The events of one guild, in order
//! 1. Its `GUILD_CREATE`, when the guild itself is cached and available: the guild's fields,
//!    all its roles, emojis, stickers, stage instances and scheduled events (Discord caps each:
//!    250 roles, 500 emojis, 60 stickers, 100 scheduled events), and at most
//!    [`ITEMS_PER_GUILD_CREATE`] each of channels and threads together, voice states, and
//!    presences. Members are never in it.
//! 2. The rest, one small event each: `CHANNEL_CREATE` / `THREAD_CREATE` for channels and
//!    threads past the first [`ITEMS_PER_GUILD_CREATE`], `INTEGRATION_UPDATE` per integration,
//!    `VOICE_STATE_UPDATE` and `PRESENCE_UPDATE` for those past the first
//!    [`ITEMS_PER_GUILD_CREATE`].
//! 3. `GUILD_MEMBERS_CHUNK`s of at most [`MEMBERS_PER_CHUNK`] members and
//!    [`ROLES_PER_CHUNK`] role ids, each member with its user.
//!
//! A guild that is not cached itself (the cache does not keep `GUILD`, or it only knows the
//! guild from interactions of a user-installed command) gets no `GUILD_CREATE`: every resource
//! goes in its own event (`GUILD_ROLE_CREATE`, `GUILD_EMOJIS_UPDATE`, `GUILD_STICKERS_UPDATE`,
//! `STAGE_INSTANCE_CREATE`, `GUILD_SCHEDULED_EVENT_CREATE`, and those of step 2), then members.
//! A guild cached as unavailable (an outage) gets a bare `GUILD_CREATE` and an unavailable one,
//! which leave it cached with `unavailable() == Some(true)` as in the source.
//! [`snapshot`] starts with a `USER_UPDATE` carrying the current user, when cached, and ends
//! with a `CHANNEL_CREATE` for each cached channel outside any guild.
//!
//! # Size of each event
//! Every list in an event is bounded, so every event is. Measured (`tests/snapshot_size.rs`,
//! compact JSON as [`encode`](crate::encode) writes it):
//! - the bench's world (1,000 guilds x 100 members x 20 channels, two roles each): 2,000 events,
//!   43.6 MiB; a `GUILD_CREATE` is 4.7 KiB, a member about 400 bytes (a chunk of 100 is 40 KiB);
//! - a guild at Discord's limits with every text at its longest (500 channels with 1,024-character
//!   topics and 20 overwrites, 250 roles, 500 emojis, 60 stickers, 100 scheduled events, 300
//!   voice states, 300 presences with three activities): its `GUILD_CREATE` is 736 KiB, the
//!   largest other event 2.3 KiB; a chunk of 1,000 members with 32-character names and 10 roles
//!   each is 522 KiB, and members with all 250 roles go 40 to a chunk.
//!
//! So each event stays under 1 MiB, NATS's default `max_payload`, short of text made of
//! characters JSON escapes (a quote or control character takes 2 to 6 bytes).
//!
//! # Cost
//! Taking and encoding the bench world's snapshot takes 0.3 to 0.55 s of one core in a release
//! build, decoding and applying it to an empty cache as long (measured on a shared two-core
//! machine under load, so an upper range). Both are synchronous: an async caller runs them on a
//! blocking thread or yields between events. The rebuilt cache holds what the gateway's holds,
//! so it costs the same memory: about 31 MiB at this world (docs/benchmarks.md: the bot's
//! 47.4 MiB, less the 16.6 MiB of an almost empty process).
//!
//! # What a rebuilt cache does not get back
//! - Fields the cached models dropped (the compact models' docs list them; twilight's
//!   `CachedGuild` drops `approximate_member_count`/`approximate_presence_count`) come back as
//!   absent. A member's voice flags never reported (`deaf()`/`mute()` `None`, seen only in an
//!   interaction) come back `Some(false)`.
//! - A member whose user is no longer cached (twilight can evict a user who is still a member of
//!   another guild) is left out, rather than sent with an invented user; so is the creator of an
//!   emoji or sticker (its `user_id()` then reads `None`).
//! - Cached messages and their reactions; users no cached member, emoji or sticker names (known
//!   from direct messages, or left behind when their guild went unavailable); guilds known only
//!   as unavailable (from `READY`, or any guild while the cache does not keep `GUILD`). The live
//!   events fill them again.
//!
//! Integrations go as `INTEGRATION_CREATE` or `INTEGRATION_UPDATE`, whichever leaves them listed
//! under `guild_integrations` as in the source (twilight lists only those it took from an update).

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::hash::Hash;
use std::vec;

use twilight_cache_inmemory::Reference;
use twilight_model::channel::Channel;
use twilight_model::gateway::event::Event;
use twilight_model::gateway::payload::incoming::{
    ChannelCreate, GuildCreate, GuildEmojisUpdate, GuildScheduledEventCreate, GuildStickersUpdate,
    IntegrationCreate, IntegrationUpdate, MemberChunk, PresenceUpdate, RoleCreate,
    StageInstanceCreate, ThreadCreate, UserUpdate, VoiceStateUpdate,
};
use twilight_model::guild::UnavailableGuild;
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, UserMarker};

use crate::{Cache, rebuild};

/// Most members in one `GUILD_MEMBERS_CHUNK` of a snapshot, as in Discord's own chunks.
pub const MEMBERS_PER_CHUNK: usize = 1_000;

/// Most role ids (summed over its members) in one `GUILD_MEMBERS_CHUNK`: a chunk ends early
/// when its members have many roles (about 22 bytes of JSON each), so it stays under 1 MiB.
pub const ROLES_PER_CHUNK: usize = 10_000;

/// Most channels and threads (together), voice states and presences carried inside a guild's
/// `GUILD_CREATE`; the rest follow as one event each.
pub const ITEMS_PER_GUILD_CREATE: usize = 100;

/// Every event of a snapshot of the whole cache, made as they are taken: the current user, each
/// guild (in id order, see [`GuildSnapshot`]) and the channels outside any guild.
///
/// Only one guild's channels, roles, emojis and stickers and one member chunk are held at a
/// time, and no lock of the cache is held between two events, so the cache keeps being updated
/// while a snapshot is sent. Each resource is read when its event is made: one applied after a
/// snapshot's event may or may not be in it, which is why a worker replays the live events it
/// buffered.
#[derive(Debug)]
pub struct Snapshot<'a> {
    cache: &'a Cache,
    current_user: Option<Event>,
    guilds: vec::IntoIter<Id<GuildMarker>>,
    guild: Option<GuildSnapshot<'a>>,
    private_channels: vec::IntoIter<Id<ChannelMarker>>,
}

/// A snapshot of everything `cache` holds (see the [module docs](self) for the events).
#[must_use]
pub fn snapshot(cache: &Cache) -> Snapshot<'_> {
    let (guilds, private_channels) = cached_guilds(cache);
    Snapshot {
        cache,
        current_user: cache
            .current_user()
            .map(|user| Event::UserUpdate(UserUpdate(user))),
        guilds: guilds.into_iter(),
        guild: None,
        private_channels: private_channels.into_iter(),
    }
}

impl Iterator for Snapshot<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        if let Some(event) = self.current_user.take() {
            return Some(event);
        }
        loop {
            if let Some(event) = self.guild.as_mut().and_then(Iterator::next) {
                return Some(event);
            }
            let Some(guild_id) = self.guilds.next() else {
                break;
            };
            self.guild = guild_snapshot(self.cache, guild_id);
        }
        self.guild = None;
        self.private_channels.by_ref().find_map(|channel_id| {
            let channel = self.cache.channel(channel_id)?.to_channel();
            Some(Event::ChannelCreate(Box::new(ChannelCreate(channel))))
        })
    }
}

/// Every guild the cache holds anything of, in id order, and the channels outside any guild.
/// Looks beyond the cached guilds, because a cache may keep channels or members without
/// guilds (`GUILD` not among its resource types, or members from user-installed commands).
fn cached_guilds(cache: &Cache) -> (Vec<Id<GuildMarker>>, Vec<Id<ChannelMarker>>) {
    let mut guilds = BTreeSet::new();
    let mut private_channels = Vec::new();
    let all = cache.iter();
    guilds.extend(all.guilds().map(|guild| *guild.key()));
    for channel in all.channels() {
        match channel.guild_id() {
            Some(guild_id) => {
                guilds.insert(guild_id);
            }
            None => private_channels.push(*channel.key()),
        }
    }
    guilds.extend(all.members().map(|member| member.key().0));
    guilds.extend(all.roles().map(|role| role.guild_id()));
    guilds.extend(all.emojis().map(|emoji| emoji.guild_id()));
    guilds.extend(all.stickers().map(|sticker| sticker.guild_id()));
    guilds.extend(all.stage_instances().map(|stage| stage.guild_id()));
    guilds.extend(all.voice_states().map(|state| state.key().0));
    guilds.extend(all.presences().map(|presence| presence.key().0));
    guilds.extend(all.integrations().map(|integration| integration.key().0));
    private_channels.sort_unstable();
    (guilds.into_iter().collect(), private_channels)
}

/// The events rebuilding one guild (see the [module docs](self)), made as they are taken: the
/// `GUILD_CREATE` and the guild's channels, roles, emojis, stickers, stage instances,
/// scheduled events and integrations are read when the snapshot is made; voice states,
/// presences and members, which grow with the guild, one event at a time.
#[derive(Debug)]
pub struct GuildSnapshot<'a> {
    cache: &'a Cache,
    guild_id: Id<GuildMarker>,
    queued: VecDeque<Event>,
    voice_states: vec::IntoIter<Id<UserMarker>>,
    presences: vec::IntoIter<Id<UserMarker>>,
    members: Vec<Id<UserMarker>>,
    /// Where each member chunk ends in `members`.
    chunk_ends: Vec<usize>,
    next_chunk: usize,
}

/// A snapshot of one guild, or `None` when the cache holds nothing of it.
#[must_use]
pub fn guild_snapshot(cache: &Cache, guild_id: Id<GuildMarker>) -> Option<GuildSnapshot<'_>> {
    let mut parts = GuildParts::read(cache, guild_id);
    let mut queued = VecDeque::new();
    let cached_guild = cache.guild(guild_id).map(|guild| guild.value().clone());
    match cached_guild {
        Some(cached) if cached.unavailable() != Some(true) => {
            let mut guild = rebuild::guild(&cached);
            for channel in take_first(&mut parts.channels) {
                if channel.kind.is_thread() {
                    guild.threads.push(channel);
                } else {
                    guild.channels.push(channel);
                }
            }
            guild.roles = std::mem::take(&mut parts.roles);
            guild.emojis = std::mem::take(&mut parts.emojis);
            guild.stickers = std::mem::take(&mut parts.stickers);
            guild.stage_instances = std::mem::take(&mut parts.stage_instances);
            guild
                .guild_scheduled_events
                .append(&mut parts.scheduled_events);
            guild.voice_states = take_first(&mut parts.voice_states)
                .into_iter()
                .filter_map(|user_id| voice_state(cache, guild_id, user_id))
                .collect();
            guild.presences = take_first(&mut parts.presences)
                .into_iter()
                .filter_map(|user_id| presence(cache, guild_id, user_id))
                .collect();
            queued.push_back(Event::GuildCreate(Box::new(GuildCreate::Available(guild))));
        }
        Some(cached) => {
            // Sent as available (an unavailable GUILD_CREATE is only an id), then marked
            // unavailable, as twilight does when a cached guild goes into an outage.
            let mut guild = rebuild::guild(&cached);
            guild.unavailable = None;
            queued.push_back(Event::GuildCreate(Box::new(GuildCreate::Available(guild))));
            queued.push_back(Event::GuildCreate(Box::new(GuildCreate::Unavailable(
                UnavailableGuild {
                    id: guild_id,
                    unavailable: true,
                },
            ))));
        }
        None => {}
    }
    parts.queue_loose(&mut queued);
    let chunk_ends = chunk_ends(cache, guild_id, &parts.members);
    let snapshot = GuildSnapshot {
        cache,
        guild_id,
        queued,
        voice_states: parts.voice_states.into_iter(),
        presences: parts.presences.into_iter(),
        members: parts.members,
        chunk_ends,
        next_chunk: 0,
    };
    (!snapshot.is_empty()).then_some(snapshot)
}

impl GuildSnapshot<'_> {
    /// ID of the guild.
    #[must_use]
    pub const fn guild_id(&self) -> Id<GuildMarker> {
        self.guild_id
    }

    /// Number of `GUILD_MEMBERS_CHUNK` events the guild's members take (fewer are sent if
    /// members leave while the snapshot is taken).
    #[must_use]
    pub const fn member_chunks(&self) -> usize {
        self.chunk_ends.len()
    }

    fn is_empty(&self) -> bool {
        self.queued.is_empty()
            && self.voice_states.len() == 0
            && self.presences.len() == 0
            && self.members.is_empty()
    }

    fn member_chunk(&mut self) -> Option<MemberChunk> {
        let end = *self.chunk_ends.get(self.next_chunk)?;
        let start = match self.next_chunk.checked_sub(1) {
            Some(previous) => *self.chunk_ends.get(previous)?,
            None => 0,
        };
        let ids = self.members.get(start..end)?;
        let members = ids
            .iter()
            .filter_map(|&user_id| {
                let member = self.cache.member(self.guild_id, user_id)?.value().clone();
                let user = user(self.cache, user_id)?;
                Some(member.to_member(user))
            })
            .collect();
        let chunk_index = self.next_chunk;
        self.next_chunk += 1;
        Some(MemberChunk {
            chunk_count: saturating_u32(self.member_chunks()),
            chunk_index: saturating_u32(chunk_index),
            guild_id: self.guild_id,
            members,
            nonce: None,
            not_found: Vec::new(),
            presences: Vec::new(),
        })
    }
}

impl Iterator for GuildSnapshot<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        if let Some(event) = self.queued.pop_front() {
            return Some(event);
        }
        let (cache, guild_id) = (self.cache, self.guild_id);
        if let Some(state) = self
            .voice_states
            .by_ref()
            .find_map(|user_id| voice_state(cache, guild_id, user_id))
        {
            return Some(Event::VoiceStateUpdate(Box::new(VoiceStateUpdate(state))));
        }
        if let Some(presence) = self
            .presences
            .by_ref()
            .find_map(|user_id| presence(cache, guild_id, user_id))
        {
            return Some(Event::PresenceUpdate(Box::new(PresenceUpdate(presence))));
        }
        // A chunk whose members all left meanwhile is skipped: an empty chunk changes nothing.
        while let Some(chunk) = self.member_chunk() {
            if !chunk.members.is_empty() {
                return Some(Event::MemberChunk(chunk));
            }
        }
        None
    }
}

/// What the cache holds of one guild besides the guild itself: lists bounded by Discord's limits
/// are read at once; voice states, presences and members as ids, read one event at a time.
struct GuildParts {
    guild_id: Id<GuildMarker>,
    /// Channels, then threads.
    channels: Vec<Channel>,
    roles: Vec<twilight_model::guild::Role>,
    emojis: Vec<twilight_model::guild::Emoji>,
    stickers: Vec<twilight_model::channel::message::Sticker>,
    stage_instances: Vec<twilight_model::channel::StageInstance>,
    scheduled_events: Vec<twilight_model::guild::scheduled_event::GuildScheduledEvent>,
    /// Each with whether twilight lists it under `guild_integrations`.
    integrations: Vec<(bool, twilight_model::guild::GuildIntegration)>,
    voice_states: Vec<Id<UserMarker>>,
    presences: Vec<Id<UserMarker>>,
    members: Vec<Id<UserMarker>>,
}

impl GuildParts {
    /// Reads each resource with its own short lookup: no reference into the cache is held while
    /// another is taken (dashmap can deadlock on that when a writer waits in between).
    fn read(cache: &Cache, guild_id: Id<GuildMarker>) -> Self {
        let mut channels: Vec<Channel> = sorted(cache.guild_channels(guild_id))
            .into_iter()
            .filter_map(|id| Some(cache.channel(id)?.to_channel()))
            .collect();
        // Stable: channels keep id order, then threads.
        channels.sort_by_key(|channel| channel.kind.is_thread());
        let roles = sorted(cache.guild_roles(guild_id))
            .into_iter()
            .filter_map(|id| Some(cache.role(id)?.value().resource().clone()))
            .collect();
        let emojis = sorted(cache.guild_emojis(guild_id))
            .into_iter()
            .filter_map(|id| {
                let cached = cache.emoji(id)?.value().resource().clone();
                let creator = cached.user_id().and_then(|user_id| user(cache, user_id));
                Some(rebuild::emoji(&cached, creator))
            })
            .collect();
        let stickers = sorted(cache.guild_stickers(guild_id))
            .into_iter()
            .filter_map(|id| {
                let cached = cache.sticker(id)?.value().resource().clone();
                let creator = cached.user_id().and_then(|user_id| user(cache, user_id));
                Some(rebuild::sticker(&cached, creator))
            })
            .collect();
        let stage_instances = sorted(cache.guild_stage_instances(guild_id))
            .into_iter()
            .filter_map(|id| Some(cache.stage_instance(id)?.value().resource().clone()))
            .collect();
        let scheduled_events = sorted(cache.scheduled_events(guild_id))
            .into_iter()
            .filter_map(|id| Some(cache.scheduled_event(id)?.value().resource().clone()))
            .collect();
        // Scanned rather than looked up in `guild_integrations`: twilight lists there only
        // integrations it took from an update, not from a create. Each is sent as the event
        // that leaves it listed or not, as in this cache.
        let listed: HashSet<_> = sorted(cache.guild_integrations(guild_id))
            .into_iter()
            .collect();
        let mut integrations: Vec<_> = cache
            .iter()
            .integrations()
            .filter(|integration| integration.key().0 == guild_id)
            .map(|integration| {
                let mut integration = integration.value().resource().clone();
                integration.guild_id = Some(guild_id);
                (listed.contains(&integration.id), integration)
            })
            .collect();
        integrations.sort_unstable_by_key(|(_, integration)| integration.id);
        Self {
            guild_id,
            channels,
            roles,
            emojis,
            stickers,
            stage_instances,
            scheduled_events,
            integrations,
            voice_states: sorted(cache.guild_voice_states(guild_id)),
            presences: sorted(cache.guild_presences(guild_id)),
            members: sorted(cache.guild_members(guild_id)),
        }
    }

    /// Queues what is left of the bounded lists as one event per resource (emojis and
    /// stickers as one list each, which is how Discord updates them).
    fn queue_loose(&mut self, queued: &mut VecDeque<Event>) {
        let guild_id = self.guild_id;
        queued.extend(
            std::mem::take(&mut self.channels)
                .into_iter()
                .map(|channel| {
                    if channel.kind.is_thread() {
                        Event::ThreadCreate(Box::new(ThreadCreate(channel)))
                    } else {
                        Event::ChannelCreate(Box::new(ChannelCreate(channel)))
                    }
                }),
        );
        queued.extend(
            std::mem::take(&mut self.roles)
                .into_iter()
                .map(|role| Event::RoleCreate(RoleCreate { guild_id, role })),
        );
        if !self.emojis.is_empty() {
            queued.push_back(Event::GuildEmojisUpdate(GuildEmojisUpdate {
                emojis: std::mem::take(&mut self.emojis),
                guild_id,
            }));
        }
        if !self.stickers.is_empty() {
            queued.push_back(Event::GuildStickersUpdate(GuildStickersUpdate {
                guild_id,
                stickers: std::mem::take(&mut self.stickers),
            }));
        }
        queued.extend(
            std::mem::take(&mut self.stage_instances)
                .into_iter()
                .map(|stage| Event::StageInstanceCreate(StageInstanceCreate(stage))),
        );
        queued.extend(
            std::mem::take(&mut self.scheduled_events)
                .into_iter()
                .map(|event| {
                    Event::GuildScheduledEventCreate(Box::new(GuildScheduledEventCreate(event)))
                }),
        );
        queued.extend(std::mem::take(&mut self.integrations).into_iter().map(
            |(listed, integration)| {
                if listed {
                    Event::IntegrationUpdate(Box::new(IntegrationUpdate(integration)))
                } else {
                    Event::IntegrationCreate(Box::new(IntegrationCreate(integration)))
                }
            },
        ));
    }
}

/// The ids of a cached set, sorted so a snapshot is the same for the same cache. Takes the
/// reference and drops it before the caller looks up any of the ids.
fn sorted<T: Copy + Ord + Hash>(set: Option<Reference<'_, Id<GuildMarker>, HashSet<T>>>) -> Vec<T> {
    let mut ids: Vec<T> = set.as_deref().into_iter().flatten().copied().collect();
    drop(set);
    ids.sort_unstable();
    ids
}

/// Where each member chunk ends: after [`MEMBERS_PER_CHUNK`] members, or before the member
/// whose roles would take the chunk past [`ROLES_PER_CHUNK`] role ids.
fn chunk_ends(cache: &Cache, guild_id: Id<GuildMarker>, members: &[Id<UserMarker>]) -> Vec<usize> {
    let mut ends = Vec::new();
    let (mut count, mut roles) = (0, 0);
    for (index, &user_id) in members.iter().enumerate() {
        let member_roles = cache
            .member(guild_id, user_id)
            .map_or(0, |member| member.roles().len());
        if count == MEMBERS_PER_CHUNK || (count > 0 && roles + member_roles > ROLES_PER_CHUNK) {
            ends.push(index);
            (count, roles) = (0, 0);
        }
        count += 1;
        roles += member_roles;
    }
    if count > 0 {
        ends.push(members.len());
    }
    ends
}

/// The first [`ITEMS_PER_GUILD_CREATE`] ids, leaving the rest.
fn take_first<T>(ids: &mut Vec<T>) -> Vec<T> {
    let rest = ids.split_off(ids.len().min(ITEMS_PER_GUILD_CREATE));
    std::mem::replace(ids, rest)
}

fn user(cache: &Cache, user_id: Id<UserMarker>) -> Option<twilight_model::user::User> {
    Some(cache.user(user_id)?.value().clone())
}

fn voice_state(
    cache: &Cache,
    guild_id: Id<GuildMarker>,
    user_id: Id<UserMarker>,
) -> Option<twilight_model::voice::VoiceState> {
    Some(rebuild::voice_state(
        cache.voice_state(user_id, guild_id)?.value(),
    ))
}

fn presence(
    cache: &Cache,
    guild_id: Id<GuildMarker>,
    user_id: Id<UserMarker>,
) -> Option<twilight_model::gateway::presence::Presence> {
    Some(rebuild::presence(
        cache.presence(guild_id, user_id)?.value(),
    ))
}

fn saturating_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}
