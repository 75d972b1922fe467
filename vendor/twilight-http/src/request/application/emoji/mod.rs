mod add_emoji;
mod delete_emoji;
mod list_emojis;
mod update_emoji;

pub use self::{
    add_emoji::AddApplicationEmoji, delete_emoji::DeleteApplicationEmoji,
    list_emojis::ListApplicationEmojis, update_emoji::UpdateApplicationEmoji,
};
