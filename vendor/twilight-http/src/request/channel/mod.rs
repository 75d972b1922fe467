pub mod invite;
pub mod message;
pub mod reaction;
pub mod stage;
pub mod thread;
pub mod webhook;

mod create_pin;
mod create_typing_trigger;
mod delete_channel;
mod delete_channel_permission;
mod delete_channel_permission_configured;
mod delete_pin;
mod follow_news_channel;
mod get_channel;
mod get_pins;
mod update_channel;
mod update_channel_permission;

pub use self::{
    create_pin::CreatePin, create_typing_trigger::CreateTypingTrigger,
    delete_channel::DeleteChannel, delete_channel_permission::DeleteChannelPermission,
    delete_channel_permission_configured::DeleteChannelPermissionConfigured, delete_pin::DeletePin,
    follow_news_channel::FollowNewsChannel, get_channel::GetChannel, get_pins::GetPins,
    update_channel::UpdateChannel, update_channel_permission::UpdateChannelPermission,
};
