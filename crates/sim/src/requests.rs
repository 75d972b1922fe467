//! The request bodies of the control API (`/_sim/...`), shared by the handlers that read them
//! and [`ControlClient`](crate::ControlClient) that writes them. Ids are written as strings and
//! read from strings or numbers; unknown fields are refused, so a typo is a 400 that names it.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

/// `POST /_sim/messages`: a user (or, to play another instance of the bot, the bot user)
/// posts in a channel.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PostMessage {
    /// The channel.
    #[serde(with = "snowflake")]
    pub channel_id: u64,
    /// The text (`<@id>` mentions a user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The author: a user of the world or the bot user (default: the first user).
    #[serde(
        default,
        with = "opt_snowflake",
        skip_serializing_if = "Option::is_none"
    )]
    pub author_id: Option<u64>,
    /// Embeds, as Discord's message object holds them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embeds: Option<Vec<Value>>,
    /// A nonce (a string of up to 25 characters or an integer), carried by `MESSAGE_CREATE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<Value>,
}

impl PostMessage {
    /// A message with this text in `channel_id`, by the first user.
    pub fn new(channel_id: u64, content: impl Into<String>) -> Self {
        Self {
            channel_id,
            content: Some(content.into()),
            author_id: None,
            embeds: None,
            nonce: None,
        }
    }

    /// Posted by `user_id` (a user of the world, or the bot user).
    #[must_use]
    pub fn author(mut self, user_id: u64) -> Self {
        self.author_id = Some(user_id);
        self
    }

    /// With this nonce (a string of up to 25 characters or an integer).
    #[must_use]
    pub fn nonce(mut self, nonce: impl Into<Value>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// With these embeds.
    #[must_use]
    pub fn embeds(mut self, embeds: Vec<Value>) -> Self {
        self.embeds = Some(embeds);
        self
    }
}

/// `POST /_sim/interactions`: a user runs a slash command, or types in one of its
/// autocomplete options.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RunCommand {
    /// The command's name.
    pub name: String,
    /// `data.options`, Discord's option array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<Value>>,
    /// The guild (default: the guild of `channel_id`, else the first).
    #[serde(
        default,
        with = "opt_snowflake",
        skip_serializing_if = "Option::is_none"
    )]
    pub guild_id: Option<u64>,
    /// The channel (default: the guild's first).
    #[serde(
        default,
        with = "opt_snowflake",
        skip_serializing_if = "Option::is_none"
    )]
    pub channel_id: Option<u64>,
    /// The user (default: the first).
    #[serde(
        default,
        with = "opt_snowflake",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_id: Option<u64>,
    /// [`interaction_type`](crate::interaction_type) `APPLICATION_COMMAND` (default) or
    /// `APPLICATION_COMMAND_AUTOCOMPLETE`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<u8>,
}

impl RunCommand {
    /// `/name` without options, by the first user in the first channel.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            options: None,
            guild_id: None,
            channel_id: None,
            user_id: None,
            kind: None,
        }
    }

    /// With these options (`data.options`).
    #[must_use]
    pub fn options(mut self, options: Vec<Value>) -> Self {
        self.options = Some(options);
        self
    }

    /// In this guild.
    #[must_use]
    pub fn guild(mut self, guild_id: u64) -> Self {
        self.guild_id = Some(guild_id);
        self
    }

    /// In this channel.
    #[must_use]
    pub fn channel(mut self, channel_id: u64) -> Self {
        self.channel_id = Some(channel_id);
        self
    }

    /// By this user.
    #[must_use]
    pub fn user(mut self, user_id: u64) -> Self {
        self.user_id = Some(user_id);
        self
    }

    /// Of this interaction type (see [`interaction_type`](crate::interaction_type)).
    #[must_use]
    pub fn kind(mut self, kind: u8) -> Self {
        self.kind = Some(kind);
        self
    }
}

/// `POST /_sim/components`: a user clicks a button, or picks `values` in a select.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Click {
    /// The message the component is on.
    #[serde(with = "snowflake")]
    pub message_id: u64,
    /// The component's `custom_id`.
    pub custom_id: String,
    /// The user (default: the first).
    #[serde(
        default,
        with = "opt_snowflake",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_id: Option<u64>,
    /// The values picked (a select); a button click when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
}

impl Click {
    /// A click on the button `custom_id` of a message, by the first user.
    pub fn new(message_id: u64, custom_id: impl Into<String>) -> Self {
        Self {
            message_id,
            custom_id: custom_id.into(),
            user_id: None,
            values: None,
        }
    }

    /// By this user.
    #[must_use]
    pub fn user(mut self, user_id: u64) -> Self {
        self.user_id = Some(user_id);
        self
    }

    /// A select: these values picked.
    #[must_use]
    pub fn values(mut self, values: Vec<String>) -> Self {
        self.values = Some(values);
        self
    }
}

/// `POST /_sim/modals`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubmitModal {
    #[serde(with = "snowflake")]
    pub(crate) interaction_id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) values: Option<Map<String, Value>>,
    #[serde(
        default,
        with = "opt_snowflake",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) user_id: Option<u64>,
}

/// `kind` of `POST /_sim/load`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum LoadKindName {
    #[default]
    Messages,
    Mix,
}

/// `POST /_sim/load`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoadRequest {
    #[serde(default)]
    pub(crate) kind: LoadKindName,
    pub(crate) count: u64,
    #[serde(
        default,
        with = "opt_snowflake",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) channel_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) weights: Option<BTreeMap<String, u64>>,
}

/// `POST /_sim/application`: `interactions_endpoint_url` must be given; `null` clears it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SetApplication {
    // `deserialize_with` makes the field required although it is an `Option`.
    #[serde(deserialize_with = "Option::deserialize")]
    pub(crate) interactions_endpoint_url: Option<String>,
}

/// How [`EndpointProbe`] signs its request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProbeSignature {
    /// Signed as Discord signs, with a fresh timestamp: the endpoint must accept it.
    Valid,
    /// `X-Signature-Ed25519` of other bytes (the right key, the wrong message): 401 expected.
    Bad,
    /// Neither signature header: 401 expected.
    Missing,
    /// Signed with a key pair that is not the application's: 401 expected.
    WrongKey,
    /// Correctly signed over a timestamp `stale_secs` old: an endpoint that bounds the age
    /// of requests refuses it.
    Stale,
    /// The last request the simulator sent to the endpoint, byte for byte (headers and body):
    /// an endpoint that remembers what it served refuses it.
    Replayed,
}

/// `POST /_sim/application/probe`: one request to the interactions endpoint, signed as asked,
/// so tests can check how the bot verifies requests.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct EndpointProbe {
    /// How the request is signed.
    pub signature: ProbeSignature,
    /// The JSON body (default: a PING, type 1); ignored by `Replayed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Age of the timestamp of `Stale`, in seconds (default 3600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_secs: Option<u64>,
}

impl EndpointProbe {
    /// A PING signed as `signature` says.
    #[must_use]
    pub fn new(signature: ProbeSignature) -> Self {
        Self {
            signature,
            body: None,
            stale_secs: None,
        }
    }

    /// With this body instead of a PING.
    #[must_use]
    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// `Stale`: a timestamp this many seconds old.
    #[must_use]
    pub fn stale_secs(mut self, secs: u64) -> Self {
        self.stale_secs = Some(secs);
        self
    }
}

/// A snowflake id: written as a string, read from a string or a number.
pub(crate) mod snowflake {
    use super::{Deserializer, Serializer, SnowflakeVisitor};

    // serde's `with` hands the field by reference.
    #[allow(clippy::trivially_copy_pass_by_ref)]
    pub(crate) fn serialize<S: Serializer>(id: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(id)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_any(SnowflakeVisitor)
    }
}

/// An optional snowflake id: `null` or absent is `None`.
pub(crate) mod opt_snowflake {
    use serde::Deserialize;

    use super::{Deserializer, Serializer};

    // serde's `with` hands the field by reference.
    #[allow(clippy::ref_option)]
    pub(crate) fn serialize<S: Serializer>(
        id: &Option<u64>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match id {
            Some(id) => serializer.collect_str(id),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<u64>, D::Error> {
        #[derive(Deserialize)]
        struct Id(#[serde(with = "super::snowflake")] u64);
        Ok(Option::<Id>::deserialize(deserializer)?.map(|Id(id)| id))
    }
}

struct SnowflakeVisitor;

impl Visitor<'_> for SnowflakeVisitor {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a snowflake (a string or a non-negative integer)")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        v.parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn ids_are_strings_out_and_strings_or_numbers_in() {
        let click = Click::new(12, "a").user(34);
        let written = serde_json::to_value(&click).expect("serializes");
        assert_eq!(
            written,
            json!({"message_id": "12", "custom_id": "a", "user_id": "34"})
        );
        let read: Click =
            serde_json::from_value(json!({"message_id": 12, "custom_id": "a", "user_id": null}))
                .expect("numbers and null");
        assert_eq!((read.message_id, read.user_id), (12, None));
        assert!(
            serde_json::from_value::<Click>(json!({"message_id": "x1", "custom_id": "a"})).is_err()
        );
        assert!(
            serde_json::from_value::<Click>(json!({"message_id": -1, "custom_id": "a"})).is_err()
        );
    }

    #[test]
    fn the_endpoint_url_must_be_given_even_to_clear_it() {
        assert!(serde_json::from_value::<SetApplication>(json!({})).is_err());
        let clear: SetApplication =
            serde_json::from_value(json!({"interactions_endpoint_url": null})).expect("null");
        assert!(clear.interactions_endpoint_url.is_none());
    }
}
