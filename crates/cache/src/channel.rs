//! [`CompactChannel`]: the cached form of a guild channel or thread.

use twilight_cache_inmemory::CacheableChannel;
use twilight_model::channel::permission_overwrite::PermissionOverwrite;
use twilight_model::channel::thread::ThreadMetadata;
use twilight_model::channel::{Channel, ChannelFlags, ChannelType};
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, GenericMarker, GuildMarker, UserMarker};
use twilight_model::util::Timestamp;

/// A cached channel: the fields of twilight's [`Channel`] that commands read, in about a tenth
/// of its size.
///
/// twilight's `Channel` is 1,232 bytes, 840 of them an inline `Option<ThreadMember>`, and the
/// cache's hash table stores values inline, so every cached channel paid for all of it. This
/// type keeps: id, guild id, kind, name, position, parent id, owner id, permission overwrites,
/// topic, nsfw, slow mode (`rate_limit_per_user`), last pin timestamp, last message id, flags
/// and, for threads, the thread metadata (boxed: most channels are not threads).
///
/// Dropped, and why:
/// - `member`: the bot's own thread membership (840 bytes inline); nothing reads it.
/// - `member_count`, `message_count`, `total_message_sent`: approximate thread counters that
///   go stale with every message; ask Discord when a count matters.
/// - `recipients`, `icon`, `application_id`, `managed`: DM and group DM fields; the cache keeps
///   guild channels.
/// - `bitrate`, `user_limit`, `rtc_region`, `video_quality_mode`: voice settings.
/// - `available_tags`, `applied_tags`, `default_reaction_emoji`, `default_sort_order`,
///   `default_forum_layout`, `default_thread_rate_limit_per_user`,
///   `default_auto_archive_duration`: forum and thread-creation defaults.
/// - `invitable`, `newly_created`: `invitable` is also in [`ThreadMetadata`], which is kept;
///   `newly_created` only describes the create event itself.
///
/// A command that needs a dropped field fetches the channel with the HTTP client.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct CompactChannel {
    id: Id<ChannelMarker>,
    guild_id: Option<Id<GuildMarker>>,
    kind: ChannelType,
    name: Option<Box<str>>,
    position: Option<i32>,
    parent_id: Option<Id<ChannelMarker>>,
    owner_id: Option<Id<UserMarker>>,
    permission_overwrites: Option<Box<[PermissionOverwrite]>>,
    topic: Option<Box<str>>,
    nsfw: Option<bool>,
    rate_limit_per_user: Option<u16>,
    last_pin_timestamp: Option<Timestamp>,
    last_message_id: Option<Id<GenericMarker>>,
    flags: Option<ChannelFlags>,
    thread_metadata: Option<Box<ThreadMetadata>>,
}

impl CompactChannel {
    /// ID of the channel.
    #[must_use]
    pub const fn id(&self) -> Id<ChannelMarker> {
        self.id
    }

    /// ID of the guild the channel is in (`None` for a DM).
    #[must_use]
    pub const fn guild_id(&self) -> Option<Id<GuildMarker>> {
        self.guild_id
    }

    /// Type of the channel.
    #[must_use]
    pub const fn kind(&self) -> ChannelType {
        self.kind
    }

    /// Name of the channel.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Sorting position of the channel.
    #[must_use]
    pub const fn position(&self) -> Option<i32> {
        self.position
    }

    /// ID of the parent: the category of a channel, the channel of a thread.
    #[must_use]
    pub const fn parent_id(&self) -> Option<Id<ChannelMarker>> {
        self.parent_id
    }

    /// ID of the creator of a thread.
    #[must_use]
    pub const fn owner_id(&self) -> Option<Id<UserMarker>> {
        self.owner_id
    }

    /// Explicit permission overwrites for members and roles.
    #[must_use]
    pub fn permission_overwrites(&self) -> Option<&[PermissionOverwrite]> {
        self.permission_overwrites.as_deref()
    }

    /// Topic of the channel.
    #[must_use]
    pub fn topic(&self) -> Option<&str> {
        self.topic.as_deref()
    }

    /// Whether the channel is age-restricted.
    #[must_use]
    pub const fn nsfw(&self) -> Option<bool> {
        self.nsfw
    }

    /// Slow mode: seconds a user has to wait between messages.
    #[must_use]
    pub const fn rate_limit_per_user(&self) -> Option<u16> {
        self.rate_limit_per_user
    }

    /// When the most recent pin was pinned.
    #[must_use]
    pub const fn last_pin_timestamp(&self) -> Option<Timestamp> {
        self.last_pin_timestamp
    }

    /// ID of the last message sent (it may have been deleted since), as Discord reported it
    /// with the channel.
    #[must_use]
    pub const fn last_message_id(&self) -> Option<Id<GenericMarker>> {
        self.last_message_id
    }

    /// Flags of the channel.
    #[must_use]
    pub const fn flags(&self) -> Option<ChannelFlags> {
        self.flags
    }

    /// Archive and lock state of a thread (`None` for other channels).
    #[must_use]
    pub fn thread_metadata(&self) -> Option<&ThreadMetadata> {
        self.thread_metadata.as_deref()
    }
}

impl CompactChannel {
    /// The twilight [`Channel`] this channel was cached from, as far as it was kept: every
    /// stored field as cached, every dropped one `None` (what Discord sends for a field a
    /// channel does not have). Turning the result back into a `CompactChannel` gives an equal
    /// value; a cache snapshot sends channels this way.
    #[must_use]
    pub fn to_channel(&self) -> Channel {
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
            flags: self.flags,
            guild_id: self.guild_id,
            icon: None,
            id: self.id,
            invitable: None,
            kind: self.kind,
            last_message_id: self.last_message_id,
            last_pin_timestamp: self.last_pin_timestamp,
            managed: None,
            member: None,
            member_count: None,
            message_count: None,
            name: self.name.as_deref().map(str::to_owned),
            newly_created: None,
            nsfw: self.nsfw,
            owner_id: self.owner_id,
            parent_id: self.parent_id,
            permission_overwrites: self.permission_overwrites.as_deref().map(<[_]>::to_vec),
            position: self.position,
            rate_limit_per_user: self.rate_limit_per_user,
            recipients: None,
            rtc_region: None,
            thread_metadata: self.thread_metadata.as_deref().cloned(),
            topic: self.topic.as_deref().map(str::to_owned),
            total_message_sent: None,
            user_limit: None,
            video_quality_mode: None,
        }
    }
}

impl From<Channel> for CompactChannel {
    fn from(channel: Channel) -> Self {
        Self {
            id: channel.id,
            guild_id: channel.guild_id,
            kind: channel.kind,
            name: channel.name.map(String::into_boxed_str),
            position: channel.position,
            parent_id: channel.parent_id,
            owner_id: channel.owner_id,
            permission_overwrites: channel.permission_overwrites.map(Vec::into_boxed_slice),
            topic: channel.topic.map(String::into_boxed_str),
            nsfw: channel.nsfw,
            rate_limit_per_user: channel.rate_limit_per_user,
            last_pin_timestamp: channel.last_pin_timestamp,
            last_message_id: channel.last_message_id,
            flags: channel.flags,
            thread_metadata: channel.thread_metadata.map(Box::new),
        }
    }
}

/// Equal when every field this type stores equals the channel's: an incomplete comparison
/// would let the cache skip a real change.
impl PartialEq<Channel> for CompactChannel {
    fn eq(&self, other: &Channel) -> bool {
        self.id == other.id
            && self.guild_id == other.guild_id
            && self.kind == other.kind
            && self.name.as_deref() == other.name.as_deref()
            && self.position == other.position
            && self.parent_id == other.parent_id
            && self.owner_id == other.owner_id
            && self.permission_overwrites.as_deref() == other.permission_overwrites.as_deref()
            && self.topic.as_deref() == other.topic.as_deref()
            && self.nsfw == other.nsfw
            && self.rate_limit_per_user == other.rate_limit_per_user
            && self.last_pin_timestamp == other.last_pin_timestamp
            && self.last_message_id == other.last_message_id
            && self.flags == other.flags
            && self.thread_metadata.as_deref() == other.thread_metadata.as_ref()
    }
}

impl CacheableChannel for CompactChannel {
    fn guild_id(&self) -> Option<Id<GuildMarker>> {
        self.guild_id
    }

    fn kind(&self) -> ChannelType {
        self.kind
    }

    fn id(&self) -> Id<ChannelMarker> {
        self.id
    }

    fn set_last_pin_timestamp(&mut self, timestamp: Option<Timestamp>) {
        self.last_pin_timestamp = timestamp;
    }
}

#[cfg(test)]
mod tests {
    use std::mem::size_of;

    use twilight_cache_inmemory::CacheableChannel;
    use twilight_model::channel::permission_overwrite::{
        PermissionOverwrite, PermissionOverwriteType,
    };
    use twilight_model::channel::thread::{AutoArchiveDuration, ThreadMetadata};
    use twilight_model::channel::{Channel, ChannelFlags, ChannelType};
    use twilight_model::guild::Permissions;
    use twilight_model::id::Id;
    use twilight_model::util::Timestamp;

    use super::CompactChannel;

    /// A field's name and a function changing it.
    type Change<T> = (&'static str, fn(&mut T));

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_secs(secs).expect("test timestamps are in range")
    }

    /// A thread with every field `CompactChannel` keeps set to a non-default value.
    fn thread() -> Channel {
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
            flags: Some(ChannelFlags::PINNED),
            guild_id: Some(Id::new(1)),
            icon: None,
            id: Id::new(10),
            invitable: None,
            kind: ChannelType::PublicThread,
            last_message_id: Some(Id::new(99)),
            last_pin_timestamp: Some(at(1_700_000_000)),
            managed: None,
            member: None,
            member_count: Some(3),
            message_count: Some(7),
            name: Some("thread".to_owned()),
            newly_created: None,
            nsfw: Some(false),
            owner_id: Some(Id::new(5)),
            parent_id: Some(Id::new(2)),
            permission_overwrites: Some(vec![PermissionOverwrite {
                allow: Permissions::SEND_MESSAGES,
                deny: Permissions::empty(),
                id: Id::new(3),
                kind: PermissionOverwriteType::Role,
            }]),
            position: Some(4),
            rate_limit_per_user: Some(30),
            recipients: None,
            rtc_region: None,
            thread_metadata: Some(ThreadMetadata {
                archived: false,
                auto_archive_duration: AutoArchiveDuration::Day,
                archive_timestamp: at(1_700_000_100),
                create_timestamp: Some(at(1_699_000_000)),
                invitable: Some(true),
                locked: false,
            }),
            topic: Some("topic".to_owned()),
            total_message_sent: Some(7),
            user_limit: None,
            video_quality_mode: None,
        }
    }

    #[test]
    fn from_channel_keeps_every_stored_field() {
        let channel = thread();
        let cached = CompactChannel::from(channel.clone());

        assert_eq!(cached.id(), channel.id);
        assert_eq!(cached.guild_id(), channel.guild_id);
        assert_eq!(cached.kind(), channel.kind);
        assert_eq!(cached.name(), Some("thread"));
        assert_eq!(cached.position(), Some(4));
        assert_eq!(cached.parent_id(), channel.parent_id);
        assert_eq!(cached.owner_id(), channel.owner_id);
        assert_eq!(
            cached.permission_overwrites(),
            channel.permission_overwrites.as_deref()
        );
        assert_eq!(cached.topic(), Some("topic"));
        assert_eq!(cached.nsfw(), Some(false));
        assert_eq!(cached.rate_limit_per_user(), Some(30));
        assert_eq!(cached.last_pin_timestamp(), channel.last_pin_timestamp);
        assert_eq!(cached.last_message_id(), channel.last_message_id);
        assert_eq!(cached.flags(), Some(ChannelFlags::PINNED));
        assert_eq!(cached.thread_metadata(), channel.thread_metadata.as_ref());
        assert_eq!(cached, channel);
    }

    #[test]
    fn to_channel_gives_back_every_stored_field() {
        let cached = CompactChannel::from(thread());
        let rebuilt = cached.to_channel();
        assert_eq!(cached, rebuilt);
        assert_eq!(CompactChannel::from(rebuilt.clone()), cached);
        // The dropped fields come back as absent, not as invented values.
        let expected = Channel {
            member_count: None,
            message_count: None,
            total_message_sent: None,
            ..thread()
        };
        assert_eq!(rebuilt, expected);
    }

    #[test]
    fn eq_detects_a_change_in_each_stored_field() {
        let cached = CompactChannel::from(thread());
        let changes: [Change<Channel>; 15] = [
            ("id", |c| c.id = Id::new(11)),
            ("guild_id", |c| c.guild_id = Some(Id::new(9))),
            ("kind", |c| c.kind = ChannelType::PrivateThread),
            ("name", |c| c.name = Some("renamed".to_owned())),
            ("position", |c| c.position = Some(5)),
            ("parent_id", |c| c.parent_id = Some(Id::new(8))),
            ("owner_id", |c| c.owner_id = Some(Id::new(6))),
            ("permission_overwrites", |c| {
                c.permission_overwrites = Some(Vec::new());
            }),
            ("topic", |c| c.topic = None),
            ("nsfw", |c| c.nsfw = Some(true)),
            ("rate_limit_per_user", |c| c.rate_limit_per_user = Some(0)),
            ("last_pin_timestamp", |c| c.last_pin_timestamp = None),
            ("last_message_id", |c| {
                c.last_message_id = Some(Id::new(100));
            }),
            ("flags", |c| c.flags = Some(ChannelFlags::REQUIRE_TAG)),
            ("thread_metadata", |c| {
                if let Some(metadata) = &mut c.thread_metadata {
                    metadata.archived = true;
                }
            }),
        ];
        for (field, mutate) in changes {
            let mut incoming = thread();
            mutate(&mut incoming);
            assert_ne!(cached, incoming, "a change in {field} went unnoticed");
        }
    }

    #[test]
    fn eq_ignores_dropped_fields() {
        let cached = CompactChannel::from(thread());
        let mut changed = thread();
        changed.member_count = Some(4);
        changed.message_count = Some(8);
        changed.total_message_sent = Some(8);
        assert_eq!(cached, changed);
    }

    #[test]
    fn set_last_pin_timestamp_replaces_it() {
        let mut cached = CompactChannel::from(thread());
        cached.set_last_pin_timestamp(Some(at(1_800_000_000)));
        assert_eq!(cached.last_pin_timestamp(), Some(at(1_800_000_000)));
        cached.set_last_pin_timestamp(None);
        assert_eq!(cached.last_pin_timestamp(), None);
    }

    #[test]
    fn is_smaller_than_twilights_channel() {
        assert!(
            size_of::<CompactChannel>() < size_of::<Channel>(),
            "CompactChannel is {} bytes, twilight's Channel {}",
            size_of::<CompactChannel>(),
            size_of::<Channel>()
        );
    }
}
