//! [`CompactMember`]: the cached form of a guild member.

use twilight_cache_inmemory::CacheableMember;
use twilight_cache_inmemory::model::ComputedInteractionMember;
use twilight_model::application::interaction::InteractionMember;
use twilight_model::gateway::payload::incoming::MemberUpdate;
use twilight_model::guild::{Member, MemberFlags, PartialMember};
use twilight_model::id::Id;
use twilight_model::id::marker::{RoleMarker, UserMarker};
use twilight_model::user::User;
use twilight_model::util::{ImageHash, Timestamp};

/// A cached guild member: who they are in the guild (roles, nickname, timeout, boost), without
/// the profile decorations.
///
/// Compared with twilight's own `model::CachedMember` it stores roles and nickname as boxed
/// slices (no spare capacity, 8 bytes less each) and drops `avatar_decoration_data` and
/// `banner` (profile decorations no command reads). The user behind the member is cached
/// separately (`cache.user(id)`).
///
/// `pending` is only known from full members and interaction members: a member first seen in a
/// message (a [`PartialMember`]) is cached as not pending, as twilight's own model does.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct CompactMember {
    user_id: Id<UserMarker>,
    roles: Box<[Id<RoleMarker>]>,
    nick: Option<Box<str>>,
    avatar: Option<ImageHash>,
    joined_at: Option<Timestamp>,
    premium_since: Option<Timestamp>,
    communication_disabled_until: Option<Timestamp>,
    flags: MemberFlags,
    deaf: Option<bool>,
    mute: Option<bool>,
    pending: bool,
}

impl CompactMember {
    /// ID of the user this member is.
    #[must_use]
    pub const fn user_id(&self) -> Id<UserMarker> {
        self.user_id
    }

    /// IDs of the member's roles (the `@everyone` role is implied, not listed).
    #[must_use]
    pub fn roles(&self) -> &[Id<RoleMarker>] {
        &self.roles
    }

    /// Guild nickname.
    #[must_use]
    pub fn nick(&self) -> Option<&str> {
        self.nick.as_deref()
    }

    /// Guild avatar hash.
    #[must_use]
    pub const fn avatar(&self) -> Option<ImageHash> {
        self.avatar
    }

    /// When the member joined the guild.
    #[must_use]
    pub const fn joined_at(&self) -> Option<Timestamp> {
        self.joined_at
    }

    /// When the member started boosting the guild.
    #[must_use]
    pub const fn premium_since(&self) -> Option<Timestamp> {
        self.premium_since
    }

    /// End of the member's timeout. Discord sends no event when a timeout expires, so a time in
    /// the past means the timeout is over.
    #[must_use]
    pub const fn communication_disabled_until(&self) -> Option<Timestamp> {
        self.communication_disabled_until
    }

    /// Member flags.
    #[must_use]
    pub const fn flags(&self) -> MemberFlags {
        self.flags
    }

    /// Whether the member is deafened in voice (`None` when Discord did not say).
    #[must_use]
    pub const fn deaf(&self) -> Option<bool> {
        self.deaf
    }

    /// Whether the member is muted in voice (`None` when Discord did not say).
    #[must_use]
    pub const fn mute(&self) -> Option<bool> {
        self.mute
    }

    /// Whether the member has yet to pass the guild's membership screening.
    #[must_use]
    pub const fn pending(&self) -> bool {
        self.pending
    }
}

impl CompactMember {
    /// The twilight [`Member`] this member was cached from, with `user` (the cache keeps
    /// users apart: `cache.user(id)`). The profile decorations it dropped come back as `None`,
    /// and voice flags Discord never reported (`deaf()`/`mute()` `None`, a member first seen
    /// in an interaction) as `false`, because [`Member`] cannot say "unknown".
    #[must_use]
    pub fn to_member(&self, user: User) -> Member {
        Member {
            avatar: self.avatar,
            avatar_decoration_data: None,
            banner: None,
            communication_disabled_until: self.communication_disabled_until,
            deaf: self.deaf.unwrap_or(false),
            flags: self.flags,
            joined_at: self.joined_at,
            mute: self.mute.unwrap_or(false),
            nick: self.nick.as_deref().map(str::to_owned),
            pending: self.pending,
            premium_since: self.premium_since,
            roles: self.roles.to_vec(),
            user,
        }
    }
}

fn boxed_nick(nick: Option<String>) -> Option<Box<str>> {
    nick.map(String::into_boxed_str)
}

impl From<Member> for CompactMember {
    fn from(member: Member) -> Self {
        Self {
            user_id: member.user.id,
            roles: member.roles.into_boxed_slice(),
            nick: boxed_nick(member.nick),
            avatar: member.avatar,
            joined_at: member.joined_at,
            premium_since: member.premium_since,
            communication_disabled_until: member.communication_disabled_until,
            flags: member.flags,
            deaf: Some(member.deaf),
            mute: Some(member.mute),
            pending: member.pending,
        }
    }
}

/// The cache builds this when an interaction resolves a member: voice state (deaf, mute) comes
/// from what was cached before, the rest from the interaction. The avatar is the interaction
/// member's, which is current (the computed `avatar` is only the previously cached one).
impl From<ComputedInteractionMember> for CompactMember {
    fn from(computed: ComputedInteractionMember) -> Self {
        let member = computed.interaction_member;
        Self {
            user_id: computed.user_id,
            roles: member.roles.into_boxed_slice(),
            nick: boxed_nick(member.nick),
            avatar: member.avatar,
            joined_at: member.joined_at,
            premium_since: member.premium_since,
            communication_disabled_until: member.communication_disabled_until,
            flags: member.flags,
            deaf: computed.deaf,
            mute: computed.mute,
            pending: member.pending,
        }
    }
}

impl From<(Id<UserMarker>, PartialMember)> for CompactMember {
    fn from((user_id, member): (Id<UserMarker>, PartialMember)) -> Self {
        Self {
            user_id: member.user.map_or(user_id, |user| user.id),
            roles: member.roles.into_boxed_slice(),
            nick: boxed_nick(member.nick),
            avatar: member.avatar,
            joined_at: member.joined_at,
            premium_since: member.premium_since,
            communication_disabled_until: member.communication_disabled_until,
            flags: member.flags,
            deaf: Some(member.deaf),
            mute: Some(member.mute),
            // A partial member does not carry it.
            pending: false,
        }
    }
}

// The cache skips an update when the cached member equals the incoming one, so each comparison
// covers every stored field the incoming type carries: a missed field would drop a real change.

impl PartialEq<Member> for CompactMember {
    fn eq(&self, other: &Member) -> bool {
        self.user_id == other.user.id
            && *self.roles == *other.roles
            && self.nick.as_deref() == other.nick.as_deref()
            && self.avatar == other.avatar
            && self.joined_at == other.joined_at
            && self.premium_since == other.premium_since
            && self.communication_disabled_until == other.communication_disabled_until
            && self.flags == other.flags
            && self.deaf == Some(other.deaf)
            && self.mute == Some(other.mute)
            && self.pending == other.pending
    }
}

/// A partial member carries neither `pending` nor, always, the user.
impl PartialEq<PartialMember> for CompactMember {
    fn eq(&self, other: &PartialMember) -> bool {
        other
            .user
            .as_ref()
            .is_none_or(|user| user.id == self.user_id)
            && *self.roles == *other.roles
            && self.nick.as_deref() == other.nick.as_deref()
            && self.avatar == other.avatar
            && self.joined_at == other.joined_at
            && self.premium_since == other.premium_since
            && self.communication_disabled_until == other.communication_disabled_until
            && self.flags == other.flags
            && self.deaf == Some(other.deaf)
            && self.mute == Some(other.mute)
    }
}

/// An interaction member carries neither the user id (the cache compares it under the user's
/// key) nor the voice state.
impl PartialEq<InteractionMember> for CompactMember {
    fn eq(&self, other: &InteractionMember) -> bool {
        *self.roles == *other.roles
            && self.nick.as_deref() == other.nick.as_deref()
            && self.avatar == other.avatar
            && self.joined_at == other.joined_at
            && self.premium_since == other.premium_since
            && self.communication_disabled_until == other.communication_disabled_until
            && self.flags == other.flags
            && self.pending == other.pending
    }
}

impl CacheableMember for CompactMember {
    fn roles(&self) -> &[Id<RoleMarker>] {
        &self.roles
    }

    fn avatar(&self) -> Option<ImageHash> {
        self.avatar
    }

    fn deaf(&self) -> Option<bool> {
        self.deaf
    }

    fn mute(&self) -> Option<bool> {
        self.mute
    }

    /// Applies every field the update carries. Discord sends the whole member in a
    /// `GUILD_MEMBER_UPDATE`, so a `None` nickname, avatar, boost or timeout means it was removed;
    /// only `deaf`, `mute` and `flags`, which twilight models as possibly absent, keep the cached
    /// value when absent.
    fn update_with_member_update(&mut self, update: &MemberUpdate) {
        self.roles = update.roles.clone().into_boxed_slice();
        self.nick = update.nick.as_deref().map(Box::from);
        self.avatar = update.avatar;
        self.joined_at = update.joined_at;
        self.premium_since = update.premium_since;
        self.communication_disabled_until = update.communication_disabled_until;
        self.flags = update.flags.unwrap_or(self.flags);
        self.deaf = update.deaf.or(self.deaf);
        self.mute = update.mute.or(self.mute);
        self.pending = update.pending;
    }
}

#[cfg(test)]
mod tests {
    use std::mem::size_of;

    use twilight_cache_inmemory::CacheableMember;
    use twilight_cache_inmemory::model::{CachedMember, ComputedInteractionMember};
    use twilight_model::application::interaction::InteractionMember;
    use twilight_model::gateway::payload::incoming::MemberUpdate;
    use twilight_model::guild::{Member, MemberFlags, PartialMember, Permissions};
    use twilight_model::id::Id;
    use twilight_model::user::User;
    use twilight_model::util::{ImageHash, Timestamp};

    use super::CompactMember;

    /// A field's name and a function changing it.
    type Change<T> = (&'static str, fn(&mut T));

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_secs(secs).expect("test timestamps are in range")
    }

    fn hash(byte: u8) -> ImageHash {
        ImageHash::new([byte; 16], false)
    }

    fn user(id: u64) -> User {
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
            id: Id::new(id),
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

    /// A member with every field `CompactMember` keeps set to a non-default value.
    fn member() -> Member {
        Member {
            avatar: Some(hash(1)),
            avatar_decoration_data: None,
            banner: None,
            communication_disabled_until: Some(at(1_800_000_000)),
            deaf: true,
            flags: MemberFlags::DID_REJOIN,
            joined_at: Some(at(1_600_000_000)),
            mute: true,
            nick: Some("nick".to_owned()),
            pending: true,
            premium_since: Some(at(1_650_000_000)),
            roles: vec![Id::new(20), Id::new(21)],
            user: user(7),
        }
    }

    fn partial_member() -> PartialMember {
        let member = member();
        PartialMember {
            avatar: member.avatar,
            avatar_decoration_data: None,
            banner: None,
            communication_disabled_until: member.communication_disabled_until,
            deaf: member.deaf,
            flags: member.flags,
            joined_at: member.joined_at,
            mute: member.mute,
            nick: member.nick,
            permissions: None,
            premium_since: member.premium_since,
            roles: member.roles,
            user: Some(member.user),
        }
    }

    fn interaction_member() -> InteractionMember {
        let member = member();
        InteractionMember {
            avatar: member.avatar,
            avatar_decoration_data: None,
            banner: None,
            communication_disabled_until: member.communication_disabled_until,
            flags: member.flags,
            joined_at: member.joined_at,
            nick: member.nick,
            pending: member.pending,
            permissions: Permissions::SEND_MESSAGES,
            premium_since: member.premium_since,
            roles: member.roles,
        }
    }

    fn assert_matches_member(cached: &CompactMember, member: &Member) {
        assert_eq!(cached.user_id(), member.user.id);
        assert_eq!(cached.roles(), member.roles.as_slice());
        assert_eq!(cached.nick(), member.nick.as_deref());
        assert_eq!(cached.avatar(), member.avatar);
        assert_eq!(cached.joined_at(), member.joined_at);
        assert_eq!(cached.premium_since(), member.premium_since);
        assert_eq!(
            cached.communication_disabled_until(),
            member.communication_disabled_until
        );
        assert_eq!(cached.flags(), member.flags);
        assert_eq!(cached.deaf(), Some(member.deaf));
        assert_eq!(cached.mute(), Some(member.mute));
        assert_eq!(cached.pending(), member.pending);
    }

    #[test]
    fn from_member_keeps_every_stored_field() {
        let member = member();
        let cached = CompactMember::from(member.clone());
        assert_matches_member(&cached, &member);
        assert_eq!(cached, member);
    }

    #[test]
    fn to_member_gives_back_every_stored_field() {
        let cached = CompactMember::from(member());
        let rebuilt = cached.to_member(user(7));
        assert_eq!(rebuilt, member());
        assert_eq!(CompactMember::from(rebuilt), cached);
    }

    #[test]
    fn to_member_reports_unknown_voice_flags_as_false() {
        let mut cached = CompactMember::from(member());
        cached.deaf = None;
        cached.mute = None;
        let rebuilt = cached.to_member(user(7));
        assert!(!rebuilt.deaf);
        assert!(!rebuilt.mute);
    }

    #[test]
    fn from_partial_member_keeps_every_field_it_carries() {
        let cached = CompactMember::from((Id::new(7), partial_member()));
        let expected = Member {
            pending: false,
            ..member()
        };
        assert_matches_member(&cached, &expected);
        assert_eq!(cached, partial_member());
    }

    #[test]
    fn from_partial_member_without_user_takes_the_given_id() {
        let partial = PartialMember {
            user: None,
            ..partial_member()
        };
        let cached = CompactMember::from((Id::new(7), partial.clone()));
        assert_eq!(cached.user_id(), Id::new(7));
        assert_eq!(cached, partial);
    }

    #[test]
    fn from_interaction_member_keeps_every_field_it_carries() {
        let cached = CompactMember::from(ComputedInteractionMember {
            // The previously cached avatar; the interaction's own is newer.
            avatar: Some(hash(9)),
            deaf: Some(true),
            interaction_member: interaction_member(),
            mute: Some(true),
            user_id: Id::new(7),
        });
        assert_matches_member(&cached, &member());
        assert_eq!(cached, interaction_member());
    }

    #[test]
    fn eq_member_detects_a_change_in_each_stored_field() {
        let cached = CompactMember::from(member());
        let changes: [Change<Member>; 11] = [
            ("user_id", |m| m.user = user(8)),
            ("roles", |m| m.roles.truncate(1)),
            ("nick", |m| m.nick = None),
            ("avatar", |m| m.avatar = Some(hash(2))),
            ("joined_at", |m| m.joined_at = Some(at(1_600_000_001))),
            ("premium_since", |m| m.premium_since = None),
            ("communication_disabled_until", |m| {
                m.communication_disabled_until = None;
            }),
            ("flags", |m| m.flags = MemberFlags::empty()),
            ("deaf", |m| m.deaf = false),
            ("mute", |m| m.mute = false),
            ("pending", |m| m.pending = false),
        ];
        for (field, mutate) in changes {
            let mut incoming = member();
            mutate(&mut incoming);
            assert_ne!(cached, incoming, "a change in {field} went unnoticed");
        }
    }

    #[test]
    fn eq_partial_member_detects_a_change_in_each_field_it_carries() {
        let cached = CompactMember::from((Id::new(7), partial_member()));
        let changes: [Change<PartialMember>; 10] = [
            ("user", |m| m.user = Some(user(8))),
            ("roles", |m| m.roles.push(Id::new(22))),
            ("nick", |m| m.nick = Some("other".to_owned())),
            ("avatar", |m| m.avatar = None),
            ("joined_at", |m| m.joined_at = None),
            ("premium_since", |m| m.premium_since = Some(at(1))),
            ("communication_disabled_until", |m| {
                m.communication_disabled_until = Some(at(1));
            }),
            ("flags", |m| m.flags = MemberFlags::BYPASSES_VERIFICATION),
            ("deaf", |m| m.deaf = false),
            ("mute", |m| m.mute = false),
        ];
        for (field, mutate) in changes {
            let mut incoming = partial_member();
            mutate(&mut incoming);
            assert_ne!(cached, incoming, "a change in {field} went unnoticed");
        }
    }

    #[test]
    fn eq_interaction_member_detects_a_change_in_each_field_it_carries() {
        let cached = CompactMember::from(member());
        assert_eq!(cached, interaction_member());
        let changes: [Change<InteractionMember>; 8] = [
            ("roles", |m| m.roles.clear()),
            ("nick", |m| m.nick = None),
            ("avatar", |m| m.avatar = Some(hash(3))),
            ("joined_at", |m| m.joined_at = Some(at(2))),
            ("premium_since", |m| m.premium_since = None),
            ("communication_disabled_until", |m| {
                m.communication_disabled_until = None;
            }),
            ("flags", |m| m.flags = MemberFlags::empty()),
            ("pending", |m| m.pending = false),
        ];
        for (field, mutate) in changes {
            let mut incoming = interaction_member();
            mutate(&mut incoming);
            assert_ne!(cached, incoming, "a change in {field} went unnoticed");
        }
    }

    fn update_for(member: &Member) -> MemberUpdate {
        MemberUpdate {
            avatar: member.avatar,
            communication_disabled_until: member.communication_disabled_until,
            guild_id: Id::new(1),
            flags: Some(member.flags),
            deaf: Some(member.deaf),
            joined_at: member.joined_at,
            mute: Some(member.mute),
            nick: member.nick.clone(),
            pending: member.pending,
            premium_since: member.premium_since,
            roles: member.roles.clone(),
            user: member.user.clone(),
        }
    }

    #[test]
    fn update_with_member_update_applies_every_stored_field() {
        let mut cached = CompactMember::from(member());
        let changed = Member {
            avatar: None,
            communication_disabled_until: None,
            deaf: false,
            flags: MemberFlags::COMPLETED_ONBOARDING,
            joined_at: Some(at(1_600_000_500)),
            mute: false,
            nick: Some("renamed".to_owned()),
            pending: false,
            premium_since: None,
            roles: vec![Id::new(30)],
            ..member()
        };
        cached.update_with_member_update(&update_for(&changed));
        assert_matches_member(&cached, &changed);
    }

    #[test]
    fn update_without_voice_state_or_flags_keeps_them() {
        let mut cached = CompactMember::from(member());
        let mut update = update_for(&member());
        update.deaf = None;
        update.mute = None;
        update.flags = None;
        cached.update_with_member_update(&update);
        assert_eq!(cached.deaf(), Some(true));
        assert_eq!(cached.mute(), Some(true));
        assert_eq!(cached.flags(), MemberFlags::DID_REJOIN);
    }

    #[test]
    fn is_smaller_than_twilights_cached_member() {
        assert!(
            size_of::<CompactMember>() < size_of::<CachedMember>(),
            "CompactMember is {} bytes, twilight's CachedMember {}",
            size_of::<CompactMember>(),
            size_of::<CachedMember>()
        );
    }
}
