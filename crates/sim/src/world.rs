//! The simulated world: a bot user and its application, guilds with channels, roles and members,
//! and the users who post messages and run commands.
//!
//! Nothing here is stored per member or per channel: every id is computed from an index (and the
//! index from the id), and JSON objects are written on demand, so a world of 10,000 guilds with
//! 20 channels and 100 members each costs a few bytes until it is streamed.

use serde_json::{Value, json};

use crate::snowflake::{iso8601, snowflake, worker_of};

/// Timestamp (ms since Discord's epoch) of the first world object: 2021-01-01T00:00:00Z.
const WORLD_BASE_MS: u64 = 189_388_800_000;
const WORKER_GUILD: u64 = 1;
const WORKER_CHANNEL: u64 = 2;
const WORKER_USER: u64 = 3;
const WORKER_BOT: u64 = 4;
const WORKER_ROLE: u64 = 5;
/// Unix ms at which every member joined (a fixed instant keeps payloads reproducible).
const JOINED_AT_UNIX_MS: u64 = 1_640_995_200_000;

/// Privileged intents: `GUILD_MEMBERS`, `GUILD_PRESENCES` and `MESSAGE_CONTENT`.
pub(crate) const PRIVILEGED_INTENTS: u64 = (1 << 1) | (1 << 8) | (1 << 15);
/// `GUILD_MESSAGES`: needed to receive `MESSAGE_CREATE/UPDATE/DELETE` in guilds.
pub(crate) const INTENT_GUILD_MESSAGES: u64 = 1 << 9;
/// `GUILD_PRESENCES`: without it a `GUILD_CREATE` lists only the bot among the members.
pub(crate) const INTENT_GUILD_PRESENCES: u64 = 1 << 8;
/// `MESSAGE_CONTENT`: without it guild message content, embeds and components arrive empty.
pub(crate) const INTENT_MESSAGE_CONTENT: u64 = 1 << 15;
/// Every intent bit Discord defines (bits 0..=25); anything above is an invalid intent.
pub(crate) const ALL_INTENTS: u64 = (1 << 26) - 1;

/// The shape of the world and the ids of its fixed objects.
#[derive(Debug, Clone)]
pub(crate) struct World {
    guilds: u32,
    channels_per_guild: u32,
    members_per_guild: u32,
    users: u32,
    bot_id: u64,
    bot_name: String,
}

// Ids are methods, not free functions, so the world may change its id scheme without touching callers.
#[allow(clippy::unused_self)]
impl World {
    pub(crate) fn new(guilds: u32, channels_per_guild: u32, members_per_guild: u32) -> Self {
        Self {
            guilds,
            channels_per_guild: channels_per_guild.max(1),
            members_per_guild: members_per_guild.max(1),
            // The bot is one of the members; at least one human user always exists to post.
            users: members_per_guild.saturating_sub(1).max(1),
            bot_id: snowflake(WORLD_BASE_MS, WORKER_BOT, 0),
            bot_name: "Novera Sim Bot".to_owned(),
        }
    }

    pub(crate) fn guild_count(&self) -> u32 {
        self.guilds
    }

    pub(crate) fn channels_per_guild(&self) -> u32 {
        self.channels_per_guild
    }

    pub(crate) fn user_count(&self) -> u32 {
        self.users
    }

    pub(crate) fn bot_id(&self) -> u64 {
        self.bot_id
    }

    /// The application id equals the bot user id, as for every application created since 2020.
    pub(crate) fn application_id(&self) -> u64 {
        self.bot_id
    }

    /// Guild ids use consecutive timestamps so `(id >> 22) % shards` spreads them evenly.
    pub(crate) fn guild_id(&self, index: u32) -> u64 {
        snowflake(WORLD_BASE_MS + u64::from(index), WORKER_GUILD, 0)
    }

    pub(crate) fn guild_index(&self, id: u64) -> Option<u32> {
        if worker_of(id) != WORKER_GUILD || id & 0xfff != 0 {
            return None;
        }
        let index = u32::try_from((id >> 22).checked_sub(WORLD_BASE_MS)?).ok()?;
        (index < self.guilds).then_some(index)
    }

    pub(crate) fn channel_id(&self, guild: u32, channel: u32) -> u64 {
        let n = u64::from(guild) * u64::from(self.channels_per_guild) + u64::from(channel);
        snowflake(WORLD_BASE_MS + n, WORKER_CHANNEL, 0)
    }

    /// `(guild index, channel index)` of a channel id of this world.
    pub(crate) fn channel_location(&self, id: u64) -> Option<(u32, u32)> {
        if worker_of(id) != WORKER_CHANNEL || id & 0xfff != 0 {
            return None;
        }
        let n = (id >> 22).checked_sub(WORLD_BASE_MS)?;
        let per = u64::from(self.channels_per_guild);
        let guild = u32::try_from(n / per).ok()?;
        let channel = u32::try_from(n % per).ok()?;
        (guild < self.guilds).then_some((guild, channel))
    }

    pub(crate) fn user_id(&self, index: u32) -> u64 {
        snowflake(WORLD_BASE_MS + u64::from(index), WORKER_USER, 0)
    }

    pub(crate) fn user_index(&self, id: u64) -> Option<u32> {
        if worker_of(id) != WORKER_USER || id & 0xfff != 0 {
            return None;
        }
        let index = u32::try_from((id >> 22).checked_sub(WORLD_BASE_MS)?).ok()?;
        (index < self.users).then_some(index)
    }

    /// Whether `id` names a user of this world (a human user or the bot).
    pub(crate) fn is_user(&self, id: u64) -> bool {
        id == self.bot_id || self.user_index(id).is_some()
    }

    /// The guild's second role ("Member"); the first is `@everyone`, whose id is the guild id.
    fn member_role_id(&self, guild: u32) -> u64 {
        snowflake(WORLD_BASE_MS + u64::from(guild), WORKER_ROLE, 0)
    }

    /// The shard a guild's events go to, as Discord routes them.
    pub(crate) fn shard_of(guild_id: u64, shards: u32) -> u32 {
        u32::try_from((guild_id >> 22) % u64::from(shards.max(1))).unwrap_or(0)
    }

    /// Indices of the guilds that belong to `shard` of `shards`.
    pub(crate) fn guilds_of_shard(&self, shard: u32, shards: u32) -> Vec<u32> {
        (0..self.guilds)
            .filter(|&g| Self::shard_of(self.guild_id(g), shards) == shard)
            .collect()
    }

    /// Humans in a guild: the first `members_per_guild - 1` users.
    fn human_members(&self) -> u32 {
        self.members_per_guild.saturating_sub(1).min(self.users)
    }

    pub(crate) fn bot_user_json(&self) -> Value {
        json!({
            "id": self.bot_id.to_string(),
            "username": self.bot_name,
            "discriminator": "0",
            "global_name": null,
            "avatar": null,
            "bot": true,
            "public_flags": 0,
            "flags": 0,
            "banner": null,
            "accent_color": null,
            "avatar_decoration_data": null,
            "collectibles": null,
            "primary_guild": null,
        })
    }

    /// The bot user as `GET /users/@me` and READY describe it (with the private fields).
    pub(crate) fn bot_user_private_json(&self) -> Value {
        let mut user = self.bot_user_json();
        if let Some(map) = user.as_object_mut() {
            map.insert("mfa_enabled".into(), json!(false));
            map.insert("locale".into(), json!("en-US"));
            map.insert("verified".into(), json!(true));
            map.insert("email".into(), Value::Null);
            map.insert("premium_type".into(), json!(0));
        }
        user
    }

    /// A user object for any user id of the world (the bot included).
    pub(crate) fn user_json(&self, id: u64) -> Value {
        match self.user_index(id) {
            Some(index) => json!({
                "id": id.to_string(),
                "username": format!("user{index}"),
                "discriminator": "0",
                "global_name": format!("User {index}"),
                "avatar": null,
                "bot": false,
                "public_flags": 0,
                "flags": 0,
                "banner": null,
                "accent_color": null,
                "avatar_decoration_data": null,
                "collectibles": null,
                "primary_guild": null,
            }),
            None => self.bot_user_json(),
        }
    }

    /// A guild member without its `user` (as `MESSAGE_CREATE` carries it).
    pub(crate) fn partial_member_json(&self, guild: u32) -> Value {
        json!({
            "roles": [self.member_role_id(guild).to_string()],
            "nick": null,
            "avatar": null,
            "banner": null,
            "premium_since": null,
            "joined_at": iso8601(JOINED_AT_UNIX_MS),
            "deaf": false,
            "mute": false,
            "flags": 0,
            "pending": false,
            "communication_disabled_until": null,
        })
    }

    /// A full guild member (with `user`), as `GUILD_CREATE` and interactions carry it.
    pub(crate) fn member_json(&self, guild: u32, user_id: u64) -> Value {
        let mut member = self.partial_member_json(guild);
        if let Some(map) = member.as_object_mut() {
            map.insert("user".into(), self.user_json(user_id));
        }
        member
    }

    /// The permissions string of a member in a guild (everyone may do everything a bot tests).
    pub(crate) fn member_permissions() -> &'static str {
        // VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_MESSAGE_HISTORY | USE_APPLICATION_COMMANDS
        "2147634176"
    }

    pub(crate) fn channel_json(&self, guild: u32, channel: u32) -> Value {
        json!({
            "id": self.channel_id(guild, channel).to_string(),
            "type": 0,
            "guild_id": self.guild_id(guild).to_string(),
            "position": channel,
            "permission_overwrites": [],
            "name": format!("channel-{channel}"),
            "topic": null,
            "nsfw": false,
            "last_message_id": null,
            "rate_limit_per_user": 0,
            "parent_id": null,
            "flags": 0,
        })
    }

    fn role_json(id: u64, name: &str, position: u32, permissions: &str) -> Value {
        json!({
            "id": id.to_string(),
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
            "hoist": false,
            "icon": null,
            "unicode_emoji": null,
            "position": position,
            "permissions": permissions,
            "managed": false,
            "mentionable": false,
            "flags": 0,
        })
    }

    /// The `members` of a guild's `GUILD_CREATE`.
    pub(crate) fn members_json(&self, guild: u32) -> Vec<Value> {
        let humans = self.human_members();
        let mut members = Vec::with_capacity(humans as usize + 1);
        members.push(self.member_json(guild, self.bot_id));
        members.extend((0..humans).map(|k| self.member_json(guild, self.user_id(k))));
        members
    }

    /// The serialized `members` array of guild 0, and the text that differs between guilds (the
    /// member role id), for [`guild_create_text`](Self::guild_create_text).
    pub(crate) fn members_template(&self) -> (String, String) {
        let members = Value::Array(self.members_json(0)).to_string();
        (members, self.member_role_id(0).to_string())
    }

    /// Whether a `GUILD_CREATE` lists every member, as Discord decides: only for a session with
    /// `GUILD_PRESENCES`, and only in guilds that are not large (more members than the
    /// session's `large_threshold`: then only online members are listed, and in this world
    /// everyone but the bot is offline). Otherwise the list holds the bot alone (and users in
    /// voice channels, of which this world has none); bots request the rest with op 8.
    pub(crate) fn lists_all_members(&self, intents: u64, large_threshold: u32) -> bool {
        intents & INTENT_GUILD_PRESENCES != 0 && self.member_count() <= large_threshold
    }

    /// Members of every guild, the bot included.
    fn member_count(&self) -> u32 {
        self.human_members() + 1
    }

    /// The `GUILD_CREATE` `d` of a guild as text. With `all_members`, its member list is copied
    /// from `template` (members only differ by their role id between guilds): far cheaper than
    /// building it; without, it lists the bot alone.
    pub(crate) fn guild_create_text(
        &self,
        guild: u32,
        large_threshold: u32,
        template: &(String, String),
        all_members: bool,
    ) -> String {
        let text = self
            .guild_create_json_with(guild, large_threshold, Value::Null)
            .to_string();
        let members = if all_members {
            template
                .0
                .replace(&template.1, &self.member_role_id(guild).to_string())
        } else {
            Value::Array(vec![self.member_json(guild, self.bot_id)]).to_string()
        };
        // `"members":null` occurs once: member objects only live in the array spliced in.
        text.replacen("\"members\":null", &format!("\"members\":{members}"), 1)
    }

    /// The `GUILD_CREATE` `d` of a guild, with `channels`, `roles` and every member.
    #[cfg(test)]
    fn guild_create_json(&self, guild: u32, large_threshold: u32) -> Value {
        self.guild_create_json_with(
            guild,
            large_threshold,
            Value::Array(self.members_json(guild)),
        )
    }

    fn guild_create_json_with(&self, guild: u32, large_threshold: u32, members: Value) -> Value {
        let id = self.guild_id(guild);
        let humans = self.human_members();
        let member_count = self.member_count();
        let channels: Vec<Value> = (0..self.channels_per_guild)
            .map(|c| self.channel_json(guild, c))
            .collect();
        let owner = if humans > 0 {
            self.user_id(0)
        } else {
            self.bot_id
        };
        let mut guild = json!({
            "id": id.to_string(),
            "name": format!("Guild {guild}"),
            "icon": null,
            "icon_hash": null,
            "splash": null,
            "discovery_splash": null,
            "banner": null,
            "description": null,
            "owner_id": owner.to_string(),
            "afk_channel_id": null,
            "afk_timeout": 300,
            "widget_enabled": false,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [
                Self::role_json(id, "@everyone", 0, Self::member_permissions()),
                Self::role_json(self.member_role_id(guild), "Member", 1, "0"),
            ],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": null,
            "system_channel_id": self.channel_id(guild, 0).to_string(),
            "system_channel_flags": 0,
            "rules_channel_id": null,
            "public_updates_channel_id": null,
            "safety_alerts_channel_id": null,
            "vanity_url_code": null,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": false,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "max_members": 500_000,
            "max_video_channel_users": 25,
            "joined_at": iso8601(JOINED_AT_UNIX_MS),
            "large": member_count > large_threshold,
            "unavailable": false,
            "member_count": member_count,
            "voice_states": [],
            "channels": channels,
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "lazy": true,
        });
        if let Some(map) = guild.as_object_mut() {
            map.insert("members".into(), members);
        }
        guild
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_spread_over_shards() {
        let world = World::new(100, 3, 10);
        for g in 0..100 {
            assert_eq!(world.guild_index(world.guild_id(g)), Some(g));
            for c in 0..3 {
                assert_eq!(world.channel_location(world.channel_id(g, c)), Some((g, c)));
            }
        }
        assert_eq!(world.guild_index(world.channel_id(0, 0)), None);
        assert_eq!(world.user_index(world.user_id(5)), Some(5));
        let per_shard: Vec<usize> = (0..4).map(|s| world.guilds_of_shard(s, 4).len()).collect();
        assert_eq!(per_shard, vec![25, 25, 25, 25]);
    }

    #[test]
    fn only_presences_in_a_small_guild_list_every_member() {
        let world = World::new(1, 1, 100);
        assert!(!world.lists_all_members(1 | (1 << 9), 250));
        assert!(!world.lists_all_members(1 | INTENT_GUILD_PRESENCES, 50));
        assert!(world.lists_all_members(1 | INTENT_GUILD_PRESENCES, 100));
    }

    #[test]
    fn guild_create_has_members_channels_roles() {
        let world = World::new(2, 4, 5);
        let guild = world.guild_create_json(1, 50);
        assert_eq!(guild["members"].as_array().map(Vec::len), Some(5));
        let text = world.guild_create_text(1, 50, &world.members_template(), true);
        assert_eq!(serde_json::from_str::<Value>(&text).expect("JSON"), guild);
        let bot_only = world.guild_create_text(1, 50, &world.members_template(), false);
        let bot_only: Value = serde_json::from_str(&bot_only).expect("JSON");
        assert_eq!(
            bot_only["members"],
            json!([world.member_json(1, world.bot_id())])
        );
        assert_eq!(bot_only["member_count"], 5);
        assert_eq!(guild["channels"].as_array().map(Vec::len), Some(4));
        assert_eq!(guild["roles"].as_array().map(Vec::len), Some(2));
    }
}
