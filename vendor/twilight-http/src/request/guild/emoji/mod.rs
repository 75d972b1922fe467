mod create_emoji;
mod delete_emoji;
mod get_emoji;
mod get_emojis;
mod update_emoji;

pub use self::{
    create_emoji::CreateEmoji, delete_emoji::DeleteEmoji, get_emoji::GetEmoji,
    get_emojis::GetEmojis, update_emoji::UpdateEmoji,
};
