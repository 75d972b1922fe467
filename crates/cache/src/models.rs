//! [`NoveraModels`]: which type the cache stores for each Discord resource.

use twilight_cache_inmemory::{CacheableModels, InMemoryCache, model};
use twilight_model::channel::StageInstance;
use twilight_model::guild::scheduled_event::GuildScheduledEvent;
use twilight_model::guild::{GuildIntegration, Role};
use twilight_model::user::{CurrentUser, User};

use crate::{CompactChannel, CompactMember};

/// Novera's choice of cached models for twilight's [`InMemoryCache`]: [`CompactChannel`] and
/// [`CompactMember`] for the two resources that dominate memory (one per channel and one per
/// member of every guild), twilight's defaults for the rest.
#[derive(Clone, Copy, Debug)]
pub struct NoveraModels;

impl CacheableModels for NoveraModels {
    type Channel = CompactChannel;
    type CurrentUser = CurrentUser;
    type Emoji = model::CachedEmoji;
    type Guild = model::CachedGuild;
    type GuildIntegration = GuildIntegration;
    type GuildScheduledEvent = GuildScheduledEvent;
    type Member = CompactMember;
    type Message = model::CachedMessage;
    type Presence = model::CachedPresence;
    type Role = Role;
    type StageInstance = StageInstance;
    type Sticker = model::CachedSticker;
    type User = User;
    type VoiceState = model::CachedVoiceState;
}

/// Novera's in-memory cache: twilight's [`InMemoryCache`] storing [`NoveraModels`].
pub type Cache = InMemoryCache<NoveraModels>;
