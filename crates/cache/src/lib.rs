//! The in-memory Discord cache Novera keeps: twilight's `InMemoryCache` with compact channel and
//! member models, so a bot in thousands of guilds fits its memory budget, and snapshots of it, so
//! another process (a command worker) can rebuild the same cache.
//!
//! With twilight's default models a cached channel is its full `Channel` (1,232 bytes, 840 of
//! them the bot's own thread membership, stored inline in the cache's hash table) and a member
//! 176 bytes: at 1,000 guilds x 20 channels x 100 members that was most of a 99 MiB process.
//! This crate plugs smaller models into twilight's own extension point
//! ([`CacheableModels`](twilight_cache_inmemory::CacheableModels)); the cache's event handling,
//! resource selection and lookups stay twilight's.
//!
//! A [`snapshot`](fn@snapshot) turns a cache back into the gateway events that rebuild it
//! (`GUILD_CREATE`s, member chunks, ...; the [`snapshot`](mod@snapshot) module lists them, their
//! size bounds and what does not come back); [`encode`] and [`decode`] carry any dispatch event
//! as bytes in Discord's gateway frame, so a worker receives them over a broker.
//!
//! # Where it sits
//! It depends only on `twilight-cache-inmemory`, `twilight-model`, `serde`, `serde_json` and
//! `thiserror`. `novera-gateway` builds
//! the cache and updates it from every event; `novera-commands` hands it to commands as
//! `ctx.cache()`. It must never depend on tokio, axum or other Novera crates: it is data, and
//! both the gateway and the command crates can use it without depending on each other.
//!
//! # Main types
//! - [`Cache`]: `InMemoryCache<NoveraModels>`, the cache type everything else names.
//! - [`NoveraModels`]: the cached model for each resource.
//! - [`CompactChannel`]: a channel or thread without the fields commands do not read (its docs
//!   list what is dropped and why).
//! - [`CompactMember`]: a guild member without profile decorations.
//! - [`ResourceType`]: twilight's flags choosing which resources the cache keeps.
//! - [`Snapshot`] (from [`snapshot()`](fn@snapshot)) and [`GuildSnapshot`] (from
//!   [`guild_snapshot`]): iterators of the events rebuilding a whole cache or one guild, made
//!   one at a time.
//! - [`encode`] / [`decode`] with [`EncodeError`] / [`DecodeError`]: events to bytes and back;
//!   no input makes `decode` panic.
//!
//! The compact models compare themselves with every field they store: twilight skips a member
//! update when the cached value equals the incoming one, so a comparison that missed a field
//! would silently keep stale data.
//!
//! # Tasks
//! None: updating the cache is a synchronous call (`cache.update(&event)`) made by its owner, and
//! a snapshot is an iterator its caller drives.
//!
//! # Example
//! ```
//! use novera_cache::{Cache, ResourceType};
//! use twilight_model::id::Id;
//! use twilight_model::id::marker::{ChannelMarker, GuildMarker, UserMarker};
//!
//! /// What a command might read: the channel's topic and the member's nickname.
//! fn describe(
//!     cache: &Cache,
//!     guild: Id<GuildMarker>,
//!     channel: Id<ChannelMarker>,
//!     user: Id<UserMarker>,
//! ) -> String {
//!     let topic = cache.channel(channel).and_then(|c| c.topic().map(str::to_owned));
//!     let nick = cache.member(guild, user).and_then(|m| m.nick().map(str::to_owned));
//!     format!(
//!         "topic: {}, nick: {}",
//!         topic.as_deref().unwrap_or("none"),
//!         nick.as_deref().unwrap_or("none"),
//!     )
//! }
//!
//! let cache = Cache::builder()
//!     .resource_types(ResourceType::CHANNEL | ResourceType::MEMBER)
//!     .build();
//! // Nothing cached yet: the gateway fills it from GUILD_CREATE and later events.
//! assert_eq!(
//!     describe(&cache, Id::new(1), Id::new(2), Id::new(3)),
//!     "topic: none, nick: none"
//! );
//! ```
//!
//! A worker rebuilding the gateway's cache from the bytes it received:
//! ```
//! use novera_cache::{Cache, ResourceType, decode, encode, snapshot};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let types = ResourceType::all().difference(ResourceType::PRESENCE);
//! let gateway = Cache::builder().resource_types(types).build();
//! // ... the gateway fills it from its shards ...
//! let messages = snapshot(&gateway)
//!     .map(|event| encode(&event))
//!     .collect::<Result<Vec<Vec<u8>>, _>>()?;
//!
//! let worker = Cache::builder().resource_types(types).build();
//! for bytes in &messages {
//!     worker.update(&decode(bytes)?);
//! }
//! assert_eq!(worker.stats().guilds(), gateway.stats().guilds());
//! # Ok(())
//! # }
//! ```

mod channel;
mod error;
mod member;
mod models;
mod rebuild;
pub mod snapshot;
mod wire;

pub use channel::CompactChannel;
pub use error::{DecodeError, EncodeError};
pub use member::CompactMember;
pub use models::{Cache, NoveraModels};
pub use snapshot::{GuildSnapshot, Snapshot, guild_snapshot, snapshot};
pub use twilight_cache_inmemory::ResourceType;
pub use wire::{decode, encode};
