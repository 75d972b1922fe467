mod create_guild_from_template;
mod create_template;
mod delete_template;
mod get_template;
mod get_templates;
mod sync_template;
mod update_template;

pub use self::{
    create_guild_from_template::CreateGuildFromTemplate, create_template::CreateTemplate,
    delete_template::DeleteTemplate, get_template::GetTemplate, get_templates::GetTemplates,
    sync_template::SyncTemplate, update_template::UpdateTemplate,
};
