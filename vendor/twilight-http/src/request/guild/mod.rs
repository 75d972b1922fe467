pub mod auto_moderation;
pub mod ban;
pub mod emoji;
pub mod integration;
pub mod member;
pub mod role;
pub mod sticker;
pub mod update_guild_channel_positions;
pub mod update_guild_onboarding;
pub mod user;

mod create_guild_channel;
mod create_guild_prune;
mod delete_guild;
mod get_active_threads;
mod get_audit_log;
mod get_guild;
mod get_guild_channels;
mod get_guild_invites;
mod get_guild_onboarding;
mod get_guild_preview;
mod get_guild_prune_count;
mod get_guild_vanity_url;
mod get_guild_voice_regions;
mod get_guild_webhooks;
mod get_guild_welcome_screen;
mod get_guild_widget;
mod get_guild_widget_settings;
mod update_current_member;
mod update_guild;
mod update_guild_mfa;
mod update_guild_welcome_screen;
mod update_guild_widget_settings;

pub use self::{
    create_guild_channel::CreateGuildChannel, create_guild_prune::CreateGuildPrune,
    delete_guild::DeleteGuild, get_active_threads::GetActiveThreads, get_audit_log::GetAuditLog,
    get_guild::GetGuild, get_guild_channels::GetGuildChannels, get_guild_invites::GetGuildInvites,
    get_guild_onboarding::GetGuildOnboarding, get_guild_preview::GetGuildPreview,
    get_guild_prune_count::GetGuildPruneCount, get_guild_vanity_url::GetGuildVanityUrl,
    get_guild_voice_regions::GetGuildVoiceRegions, get_guild_webhooks::GetGuildWebhooks,
    get_guild_welcome_screen::GetGuildWelcomeScreen, get_guild_widget::GetGuildWidget,
    get_guild_widget_settings::GetGuildWidgetSettings, update_current_member::UpdateCurrentMember,
    update_guild::UpdateGuild, update_guild_channel_positions::UpdateGuildChannelPositions,
    update_guild_mfa::UpdateGuildMfa, update_guild_welcome_screen::UpdateGuildWelcomeScreen,
    update_guild_widget_settings::UpdateGuildWidgetSettings,
};
