//! Value types of configuration keys, each parsed with a message an operator can act on.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use novera_gateway::ResourceType;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use twilight_model::gateway::Intents;
use twilight_model::id::Id;
use twilight_model::id::marker::GuildMarker;

/// A secret (token, webhook URL): never printed, serialized as `[redacted]`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) const REDACTED: &'static str = "[redacted]";

    pub(crate) fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that must send it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(Self::REDACTED)
    }
}

/// Gateway intents by their Discord names (`GUILDS`, `GUILD_MESSAGES`, `MESSAGE_CONTENT`...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub(crate) struct IntentList {
    names: Vec<String>,
    intents: Intents,
}

impl IntentList {
    pub(crate) fn intents(&self) -> Intents {
        self.intents
    }
}

impl Default for IntentList {
    fn default() -> Self {
        ["GUILDS", "GUILD_MESSAGES", "MESSAGE_CONTENT"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<_>>()
            .try_into()
            .expect("the default intent names are valid")
    }
}

impl TryFrom<Vec<String>> for IntentList {
    type Error = String;

    fn try_from(names: Vec<String>) -> Result<Self, Self::Error> {
        let mut intents = Intents::empty();
        for name in &names {
            let flag = Intents::from_name(&name.to_ascii_uppercase()).ok_or_else(|| {
                format!(
                    "unknown intent {name:?}; known: {}",
                    Intents::all()
                        .iter_names()
                        .map(|(n, _)| n)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
            intents |= flag;
        }
        Ok(Self { names, intents })
    }
}

impl From<IntentList> for Vec<String> {
    fn from(list: IntentList) -> Self {
        list.names
    }
}

/// Cached resource types by their twilight names (`GUILD`, `CHANNEL`, `MEMBER`...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub(crate) struct ResourceList {
    names: Vec<String>,
    resources: ResourceType,
}

impl ResourceList {
    pub(crate) fn resource_types(&self) -> ResourceType {
        self.resources
    }
}

impl Default for ResourceList {
    /// The gateway's default: every resource but presences.
    fn default() -> Self {
        let resources = novera_gateway::CacheConfig::default().resource_types;
        Self {
            names: resources.iter_names().map(|(n, _)| n.to_owned()).collect(),
            resources,
        }
    }
}

impl TryFrom<Vec<String>> for ResourceList {
    type Error = String;

    fn try_from(names: Vec<String>) -> Result<Self, Self::Error> {
        let mut resources = ResourceType::empty();
        for name in &names {
            let flag = ResourceType::from_name(&name.to_ascii_uppercase()).ok_or_else(|| {
                format!(
                    "unknown cache resource {name:?}; known: {}",
                    ResourceType::all()
                        .iter_names()
                        .map(|(n, _)| n)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
            resources |= flag;
        }
        Ok(Self { names, resources })
    }
}

impl From<ResourceList> for Vec<String> {
    fn from(list: ResourceList) -> Self {
        list.names
    }
}

/// Where commands are registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub(crate) enum Registration {
    /// Global commands.
    Global,
    /// One guild's commands (instant updates; good for development).
    Guild(Id<GuildMarker>),
    /// Never register.
    Off,
}

impl FromStr for Registration {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "global" => Ok(Self::Global),
            "off" => Ok(Self::Off),
            _ => s
                .strip_prefix("guild:")
                .and_then(|id| id.parse::<u64>().ok())
                .and_then(Id::new_checked)
                .map(Self::Guild)
                .ok_or_else(|| {
                    format!("expected \"global\", \"guild:<id>\" or \"off\", got {s:?}")
                }),
        }
    }
}

impl TryFrom<String> for Registration {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Registration> for String {
    fn from(r: Registration) -> Self {
        match r {
            Registration::Global => "global".to_owned(),
            Registration::Guild(id) => format!("guild:{id}"),
            Registration::Off => "off".to_owned(),
        }
    }
}

/// `auto` or a fixed shard count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum ShardCountSetting {
    /// Discord's recommendation from `GET /gateway/bot`.
    #[default]
    Auto,
    /// Exactly this many.
    Fixed(u32),
}

impl Serialize for ShardCountSetting {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Auto => serializer.serialize_str("auto"),
            Self::Fixed(n) => serializer.serialize_u32(*n),
        }
    }
}

impl<'de> Deserialize<'de> for ShardCountSetting {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CountVisitor;
        impl Visitor<'_> for CountVisitor {
            type Value = ShardCountSetting;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"auto\" or a shard count from 1 to 65535")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                match u32::try_from(n) {
                    Ok(n) if (1..=65_535).contains(&n) => Ok(ShardCountSetting::Fixed(n)),
                    _ => Err(E::invalid_value(de::Unexpected::Unsigned(n), &self)),
                }
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                u64::try_from(n)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(n), &self))
                    .and_then(|n| self.visit_u64(n))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                if s == "auto" {
                    return Ok(ShardCountSetting::Auto);
                }
                s.parse::<u64>()
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(s), &self))
                    .and_then(|n| self.visit_u64(n))
            }
        }
        deserializer.deserialize_any(CountVisitor)
    }
}

/// `start..end`: the shards this process owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub(crate) struct ShardRangeSetting {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl ShardRangeSetting {
    pub(crate) fn range(&self) -> Range<u32> {
        self.start..self.end
    }
}

impl fmt::Display for ShardRangeSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl TryFrom<String> for ShardRangeSetting {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        let err = || {
            format!("expected a range like \"0..16\" (start inclusive, end exclusive), got {s:?}")
        };
        let (a, b) = s.split_once("..").ok_or_else(err)?;
        let start: u32 = a.trim().parse().map_err(|_| err())?;
        let end: u32 = b.trim().parse().map_err(|_| err())?;
        if start >= end {
            return Err(format!("range {s:?} is empty: start must be below end"));
        }
        Ok(Self { start, end })
    }
}

impl From<ShardRangeSetting> for String {
    fn from(r: ShardRangeSetting) -> Self {
        r.to_string()
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LogFormat {
    /// Pretty on a terminal, JSON otherwise.
    Auto,
    /// Human-readable.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// Log file rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LogRotation {
    /// A new file every day.
    Daily,
    /// A new file every hour.
    Hourly,
    /// One file.
    Never,
}
