//! A real twilight `InMemoryCache<NoveraModels>` fed gateway events: what commands read back
//! after a guild arrives, a channel and a member change, a message brings a member, and a
//! member and a channel go away.

use novera_cache::{Cache, ResourceType};
use twilight_model::channel::message::MessageType;
use twilight_model::channel::{Channel, ChannelType, Message};
use twilight_model::gateway::event::Event;
use twilight_model::gateway::payload::incoming::{
    ChannelDelete, ChannelPinsUpdate, ChannelUpdate, GuildCreate, MemberRemove, MemberUpdate,
    MessageCreate,
};
use twilight_model::guild::{
    AfkTimeout, DefaultMessageNotificationLevel, ExplicitContentFilter, Guild, Member, MemberFlags,
    MfaLevel, NSFWLevel, PartialMember, PremiumTier, SystemChannelFlags, VerificationLevel,
};
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, UserMarker};
use twilight_model::user::User;
use twilight_model::util::Timestamp;

const GUILD: Id<GuildMarker> = Id::new(1);
const GENERAL: Id<ChannelMarker> = Id::new(10);
const RANDOM: Id<ChannelMarker> = Id::new(11);
const ALICE: Id<UserMarker> = Id::new(100);
const BOB: Id<UserMarker> = Id::new(101);
const CAROL: Id<UserMarker> = Id::new(102);

fn at(secs: i64) -> Timestamp {
    Timestamp::from_secs(secs).expect("test timestamps are in range")
}

fn user(id: Id<UserMarker>) -> User {
    User {
        accent_color: None,
        avatar: None,
        avatar_decoration: None,
        avatar_decoration_data: None,
        banner: None,
        bot: false,
        discriminator: 0,
        email: None,
        flags: None,
        global_name: None,
        id,
        locale: None,
        mfa_enabled: None,
        name: format!("user{id}"),
        premium_type: None,
        primary_guild: None,
        public_flags: None,
        system: None,
        verified: None,
    }
}

fn text_channel(id: Id<ChannelMarker>, name: &str, position: i32) -> Channel {
    Channel {
        application_id: None,
        applied_tags: None,
        available_tags: None,
        bitrate: None,
        default_auto_archive_duration: None,
        default_forum_layout: None,
        default_reaction_emoji: None,
        default_sort_order: None,
        default_thread_rate_limit_per_user: None,
        flags: None,
        // Discord omits the guild id on channels inside GUILD_CREATE; the cache fills it in.
        guild_id: None,
        icon: None,
        id,
        invitable: None,
        kind: ChannelType::GuildText,
        last_message_id: None,
        last_pin_timestamp: None,
        managed: None,
        member: None,
        member_count: None,
        message_count: None,
        name: Some(name.to_owned()),
        newly_created: None,
        nsfw: Some(false),
        owner_id: None,
        parent_id: None,
        permission_overwrites: Some(Vec::new()),
        position: Some(position),
        rate_limit_per_user: Some(0),
        recipients: None,
        rtc_region: None,
        thread_metadata: None,
        topic: Some(format!("all about {name}")),
        total_message_sent: None,
        user_limit: None,
        video_quality_mode: None,
    }
}

fn member(id: Id<UserMarker>, nick: &str) -> Member {
    Member {
        avatar: None,
        avatar_decoration_data: None,
        banner: None,
        communication_disabled_until: None,
        deaf: false,
        flags: MemberFlags::empty(),
        joined_at: Some(at(1_600_000_000)),
        mute: false,
        nick: Some(nick.to_owned()),
        pending: false,
        premium_since: None,
        roles: vec![Id::new(500)],
        user: user(id),
    }
}

fn guild() -> Guild {
    Guild {
        afk_channel_id: None,
        afk_timeout: AfkTimeout::FIVE_MINUTES,
        application_id: None,
        approximate_member_count: None,
        approximate_presence_count: None,
        banner: None,
        channels: vec![
            text_channel(GENERAL, "general", 0),
            text_channel(RANDOM, "random", 1),
        ],
        default_message_notifications: DefaultMessageNotificationLevel::Mentions,
        description: None,
        discovery_splash: None,
        emojis: Vec::new(),
        explicit_content_filter: ExplicitContentFilter::None,
        features: Vec::new(),
        guild_scheduled_events: Vec::new(),
        icon: None,
        id: GUILD,
        joined_at: Some(at(1_600_000_000)),
        large: false,
        max_members: None,
        max_presences: None,
        max_stage_video_channel_users: None,
        max_video_channel_users: None,
        member_count: Some(2),
        members: vec![member(ALICE, "alice"), member(BOB, "bob")],
        mfa_level: MfaLevel::None,
        name: "guild".to_owned(),
        nsfw_level: NSFWLevel::Default,
        owner_id: ALICE,
        owner: None,
        permissions: None,
        preferred_locale: "en-US".to_owned(),
        premium_progress_bar_enabled: false,
        premium_subscription_count: None,
        premium_tier: PremiumTier::None,
        presences: Vec::new(),
        public_updates_channel_id: None,
        roles: Vec::new(),
        rules_channel_id: None,
        safety_alerts_channel_id: None,
        splash: None,
        stage_instances: Vec::new(),
        stickers: Vec::new(),
        system_channel_flags: SystemChannelFlags::empty(),
        system_channel_id: None,
        threads: Vec::new(),
        unavailable: Some(false),
        vanity_url_code: None,
        verification_level: VerificationLevel::None,
        voice_states: Vec::new(),
        widget_channel_id: None,
        widget_enabled: None,
    }
}

#[allow(deprecated)] // `Message::interaction` is deprecated but still a field to fill.
fn message_from(author: Id<UserMarker>, member: PartialMember) -> MessageCreate {
    MessageCreate {
        channel_type: Some(ChannelType::GuildText),
        message: Message {
            activity: None,
            application: None,
            application_id: None,
            attachments: Vec::new(),
            author: user(author),
            call: None,
            channel_id: GENERAL,
            components: Vec::new(),
            content: "hello".to_owned(),
            edited_timestamp: None,
            embeds: Vec::new(),
            flags: None,
            guild_id: Some(GUILD),
            id: Id::new(9_000),
            interaction: None,
            interaction_metadata: None,
            kind: MessageType::Regular,
            member: Some(member),
            mention_channels: Vec::new(),
            mention_everyone: false,
            mention_roles: Vec::new(),
            mentions: Vec::new(),
            message_snapshots: Vec::new(),
            pinned: false,
            poll: None,
            reactions: Vec::new(),
            reference: None,
            referenced_message: None,
            role_subscription_data: None,
            sticker_items: Vec::new(),
            timestamp: at(1_700_000_000),
            thread: None,
            tts: false,
            webhook_id: None,
        },
    }
}

fn partial_member(nick: &str) -> PartialMember {
    PartialMember {
        avatar: None,
        avatar_decoration_data: None,
        banner: None,
        communication_disabled_until: None,
        deaf: false,
        flags: MemberFlags::empty(),
        joined_at: Some(at(1_650_000_000)),
        mute: false,
        nick: Some(nick.to_owned()),
        permissions: None,
        premium_since: None,
        roles: vec![Id::new(501)],
        user: None,
    }
}

/// A cache as the gateway builds it by default: everything but presences.
fn cache_with_guild() -> Cache {
    let cache = Cache::builder()
        .resource_types(ResourceType::all().difference(ResourceType::PRESENCE))
        .build();
    cache.update(&Event::GuildCreate(Box::new(GuildCreate::Available(
        guild(),
    ))));
    cache
}

#[test]
fn guild_create_caches_compact_channels_and_members() {
    let cache = cache_with_guild();

    let channels = cache
        .guild_channels(GUILD)
        .expect("the guild's channels are cached");
    assert_eq!(channels.len(), 2);
    drop(channels);
    let general = cache.channel(GENERAL).expect("general is cached");
    assert_eq!(general.name(), Some("general"));
    assert_eq!(general.topic(), Some("all about general"));
    assert_eq!(
        general.guild_id(),
        Some(GUILD),
        "the cache fills in the guild id"
    );
    assert_eq!(general.kind(), ChannelType::GuildText);
    drop(general);

    let members = cache
        .guild_members(GUILD)
        .expect("the guild's members are cached");
    assert_eq!(members.len(), 2);
    drop(members);
    let alice = cache.member(GUILD, ALICE).expect("alice is cached");
    assert_eq!(alice.nick(), Some("alice"));
    assert_eq!(alice.roles(), &[Id::new(500)]);
    assert_eq!(alice.deaf(), Some(false));
    drop(alice);
    assert!(cache.user(BOB).is_some(), "members' users are cached too");
}

#[test]
fn channel_update_and_pins_update_change_the_cached_channel() {
    let cache = cache_with_guild();

    let mut renamed = text_channel(GENERAL, "lobby", 3);
    renamed.guild_id = Some(GUILD);
    renamed.rate_limit_per_user = Some(10);
    cache.update(&Event::ChannelUpdate(Box::new(ChannelUpdate(renamed))));
    cache.update(&Event::ChannelPinsUpdate(ChannelPinsUpdate {
        channel_id: GENERAL,
        guild_id: Some(GUILD),
        last_pin_timestamp: Some(at(1_700_000_500)),
    }));

    let general = cache.channel(GENERAL).expect("general is still cached");
    assert_eq!(general.name(), Some("lobby"));
    assert_eq!(general.position(), Some(3));
    assert_eq!(general.rate_limit_per_user(), Some(10));
    assert_eq!(general.last_pin_timestamp(), Some(at(1_700_000_500)));
}

#[test]
fn member_update_changes_the_cached_member() {
    let cache = cache_with_guild();

    cache.update(&Event::MemberUpdate(Box::new(MemberUpdate {
        avatar: None,
        communication_disabled_until: Some(at(1_900_000_000)),
        guild_id: GUILD,
        flags: Some(MemberFlags::COMPLETED_ONBOARDING),
        deaf: None,
        joined_at: Some(at(1_600_000_000)),
        mute: Some(true),
        nick: Some("alicia".to_owned()),
        pending: false,
        premium_since: Some(at(1_800_000_000)),
        roles: vec![Id::new(500), Id::new(502)],
        user: user(ALICE),
    })));

    let alice = cache.member(GUILD, ALICE).expect("alice is still cached");
    assert_eq!(alice.nick(), Some("alicia"));
    assert_eq!(alice.roles(), &[Id::new(500), Id::new(502)]);
    assert_eq!(
        alice.communication_disabled_until(),
        Some(at(1_900_000_000))
    );
    assert_eq!(alice.premium_since(), Some(at(1_800_000_000)));
    assert_eq!(alice.flags(), MemberFlags::COMPLETED_ONBOARDING);
    assert_eq!(alice.mute(), Some(true));
    assert_eq!(
        alice.deaf(),
        Some(false),
        "an absent deaf keeps the cached value"
    );
}

#[test]
fn message_create_caches_and_updates_its_member() {
    let cache = cache_with_guild();

    // A member the guild did not list (GUILD_CREATE without every member) arrives with a message.
    cache.update(&Event::MessageCreate(Box::new(message_from(
        CAROL,
        partial_member("carol"),
    ))));
    let carol = cache
        .member(GUILD, CAROL)
        .expect("carol is cached from her message");
    assert_eq!(carol.user_id(), CAROL);
    assert_eq!(carol.nick(), Some("carol"));
    assert_eq!(carol.roles(), &[Id::new(501)]);
    assert_eq!(carol.joined_at(), Some(at(1_650_000_000)));
    drop(carol);

    // A known member whose nickname changed since: the message's member replaces the cached one.
    cache.update(&Event::MessageCreate(Box::new(message_from(
        BOB,
        partial_member("robert"),
    ))));
    let bob = cache.member(GUILD, BOB).expect("bob is still cached");
    assert_eq!(bob.nick(), Some("robert"));
    assert_eq!(bob.roles(), &[Id::new(501)]);
}

#[test]
fn member_remove_and_channel_delete_remove_them() {
    let cache = cache_with_guild();

    cache.update(&Event::MemberRemove(MemberRemove {
        guild_id: GUILD,
        user: user(BOB),
    }));
    assert!(cache.member(GUILD, BOB).is_none());
    assert!(cache.member(GUILD, ALICE).is_some(), "only bob left");
    assert!(
        !cache
            .guild_members(GUILD)
            .expect("the guild's members are cached")
            .contains(&BOB)
    );

    let mut random = text_channel(RANDOM, "random", 1);
    random.guild_id = Some(GUILD);
    cache.update(&Event::ChannelDelete(Box::new(ChannelDelete(random))));
    assert!(cache.channel(RANDOM).is_none());
    assert!(cache.channel(GENERAL).is_some(), "only random was deleted");
    let channels = cache
        .guild_channels(GUILD)
        .expect("the guild's channels are cached");
    assert_eq!(channels.len(), 1);
    assert!(channels.contains(&GENERAL));
}
