//! Twilight models rebuilt from twilight's own cached ones (guild, emoji, sticker, voice state,
//! presence): what a snapshot puts in the events it sends. [`CompactChannel::to_channel`] and
//! [`CompactMember::to_member`] do the same for Novera's compact models.
//!
//! Each function fills every field the cached model keeps and gives the fields it dropped the
//! value Discord uses for "not sent" (`None`, an empty list), never an invented one; the
//! module docs of [`crate::snapshot`] list them.
//!
//! [`CompactChannel::to_channel`]: crate::CompactChannel::to_channel
//! [`CompactMember::to_member`]: crate::CompactMember::to_member

use twilight_cache_inmemory::model::{
    CachedEmoji, CachedGuild, CachedPresence, CachedSticker, CachedVoiceState,
};
use twilight_model::channel::message::Sticker;
use twilight_model::gateway::presence::{Presence, UserOrId};
use twilight_model::guild::{Emoji, Guild};
use twilight_model::user::User;
use twilight_model::voice::VoiceState;

/// The guild's own fields, with every list (channels, members, roles...) empty: the snapshot
/// fills the lists from the cache. `approximate_member_count` and `approximate_presence_count`,
/// which the cache does not keep (Discord sends them only on request over HTTP), are `None`.
pub(crate) fn guild(cached: &CachedGuild) -> Guild {
    Guild {
        afk_channel_id: cached.afk_channel_id(),
        afk_timeout: cached.afk_timeout(),
        application_id: cached.application_id(),
        approximate_member_count: None,
        approximate_presence_count: None,
        banner: cached.banner().copied(),
        channels: Vec::new(),
        default_message_notifications: cached.default_message_notifications(),
        description: cached.description().map(str::to_owned),
        discovery_splash: cached.discovery_splash().copied(),
        emojis: Vec::new(),
        explicit_content_filter: cached.explicit_content_filter(),
        features: cached.features().cloned().collect(),
        // The cache keeps these inside the guild only when it does not cache scheduled events
        // on their own; the snapshot adds the separately cached ones.
        guild_scheduled_events: cached.guild_scheduled_events().to_vec(),
        icon: cached.icon().copied(),
        id: cached.id(),
        joined_at: cached.joined_at(),
        large: cached.large(),
        max_members: cached.max_members(),
        max_presences: cached.max_presences(),
        max_stage_video_channel_users: cached.max_stage_video_channel_users(),
        max_video_channel_users: cached.max_video_channel_users(),
        member_count: cached.member_count(),
        members: Vec::new(),
        mfa_level: cached.mfa_level(),
        name: cached.name().to_owned(),
        nsfw_level: cached.nsfw_level(),
        owner_id: cached.owner_id(),
        owner: cached.owner(),
        permissions: cached.permissions(),
        preferred_locale: cached.preferred_locale().to_owned(),
        premium_progress_bar_enabled: cached.premium_progress_bar_enabled(),
        premium_subscription_count: cached.premium_subscription_count(),
        premium_tier: cached.premium_tier(),
        presences: Vec::new(),
        public_updates_channel_id: cached.public_updates_channel_id(),
        roles: Vec::new(),
        rules_channel_id: cached.rules_channel_id(),
        safety_alerts_channel_id: cached.safety_alerts_channel_id(),
        splash: cached.splash().copied(),
        stage_instances: Vec::new(),
        stickers: Vec::new(),
        system_channel_flags: cached.system_channel_flags(),
        system_channel_id: cached.system_channel_id(),
        threads: Vec::new(),
        unavailable: cached.unavailable(),
        vanity_url_code: cached.vanity_url_code().map(str::to_owned),
        verification_level: cached.verification_level(),
        voice_states: Vec::new(),
        widget_channel_id: cached.widget_channel_id(),
        widget_enabled: cached.widget_enabled(),
    }
}

/// The emoji with its creator, when the creator is still cached. The cache keeps only the
/// creator's id; without the user the emoji goes without a creator (`user_id()` reads `None`
/// after the rebuild) rather than with an invented user.
pub(crate) fn emoji(cached: &CachedEmoji, creator: Option<User>) -> Emoji {
    Emoji {
        animated: cached.animated(),
        available: cached.available(),
        id: cached.id(),
        managed: cached.managed(),
        name: cached.name().to_owned(),
        require_colons: cached.require_colons(),
        roles: cached.roles().to_vec(),
        user: creator,
    }
}

/// The sticker with its creator, when still cached (as for [`emoji`]). The cache stores a
/// missing description as an empty one, so an empty description is sent as missing.
pub(crate) fn sticker(cached: &CachedSticker, creator: Option<User>) -> Sticker {
    Sticker {
        available: cached.available(),
        description: Some(cached.description())
            .filter(|description| !description.is_empty())
            .map(str::to_owned),
        format_type: cached.format_type(),
        guild_id: cached.guild_id(),
        id: cached.id(),
        kind: cached.kind(),
        name: cached.name().to_owned(),
        pack_id: cached.pack_id(),
        sort_value: cached.sort_value(),
        tags: cached.tags().to_owned(),
        user: creator,
    }
}

/// The voice state, without the member Discord attaches to live updates (members travel in
/// member chunks).
pub(crate) fn voice_state(cached: &CachedVoiceState) -> VoiceState {
    VoiceState {
        channel_id: Some(cached.channel_id()),
        deaf: cached.deaf(),
        guild_id: Some(cached.guild_id()),
        member: None,
        mute: cached.mute(),
        request_to_speak_timestamp: cached.request_to_speak_timestamp(),
        self_deaf: cached.self_deaf(),
        self_mute: cached.self_mute(),
        self_stream: cached.self_stream(),
        self_video: cached.self_video(),
        session_id: cached.session_id().to_owned(),
        suppress: cached.suppress(),
        user_id: cached.user_id(),
    }
}

/// The presence, naming its user by id (the user travels with the member).
pub(crate) fn presence(cached: &CachedPresence) -> Presence {
    Presence {
        activities: cached.activities().to_vec(),
        client_status: cached.client_status().clone(),
        guild_id: cached.guild_id(),
        status: cached.status(),
        user: UserOrId::UserId {
            id: cached.user_id(),
        },
    }
}
