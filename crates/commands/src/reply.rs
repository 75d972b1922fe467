//! `Reply`: what a command sends, safe by default (`allowed_mentions: {parse: []}`).

use twilight_model::channel::message::{AllowedMentions, Component, Embed, MessageFlags};
use twilight_model::http::interaction::InteractionResponseData;

/// A message a command sends: reply, edit, follow-up or component update.
///
/// Unless [`allowed_mentions`](Self::allowed_mentions) opts in, every message is sent with
/// `allowed_mentions: {"parse": []}`: text that says `@everyone` or `<@id>` (often echoed user
/// input) pings nobody.
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct Reply {
    pub(crate) content: Option<String>,
    pub(crate) embeds: Option<Vec<Embed>>,
    pub(crate) components: Option<Vec<Component>>,
    pub(crate) ephemeral: bool,
    pub(crate) allowed_mentions: Option<AllowedMentions>,
}

impl Reply {
    /// A text reply.
    pub fn text(content: impl Into<String>) -> Self {
        Self {
            content: Some(content.into()),
            ..Self::default()
        }
    }

    /// Sets the text.
    pub fn content(mut self, content: impl Into<String>) -> Self {
        self.content = Some(content.into());
        self
    }

    /// Adds an embed.
    pub fn embed(mut self, embed: Embed) -> Self {
        self.embeds.get_or_insert_with(Vec::new).push(embed);
        self
    }

    /// Sets the components (action rows of buttons or selects); an empty list removes them.
    pub fn components(mut self, components: Vec<Component>) -> Self {
        self.components = Some(components);
        self
    }

    /// Only the invoking user sees the message (interactions only).
    pub fn ephemeral(mut self) -> Self {
        self.ephemeral = true;
        self
    }

    /// Opts into mentions: the message pings what `allowed` allows.
    pub fn allowed_mentions(mut self, allowed: AllowedMentions) -> Self {
        self.allowed_mentions = Some(allowed);
        self
    }

    /// The text, if any.
    #[must_use]
    pub fn text_content(&self) -> Option<&str> {
        self.content.as_deref()
    }

    /// Whether the reply is ephemeral.
    #[must_use]
    pub fn is_ephemeral(&self) -> bool {
        self.ephemeral
    }

    /// The mentions this reply allows: the opt-in, or none at all.
    pub(crate) fn mentions(&self) -> AllowedMentions {
        self.allowed_mentions.clone().unwrap_or_default()
    }

    pub(crate) fn flags(&self) -> Option<MessageFlags> {
        self.ephemeral.then_some(MessageFlags::EPHEMERAL)
    }

    /// The callback data of an initial response or a component update.
    pub(crate) fn to_response_data(&self) -> InteractionResponseData {
        InteractionResponseData {
            allowed_mentions: Some(self.mentions()),
            components: self.components.clone(),
            content: self.content.clone(),
            embeds: self.embeds.clone(),
            flags: self.flags(),
            ..InteractionResponseData::default()
        }
    }
}

impl From<&str> for Reply {
    fn from(content: &str) -> Self {
        Self::text(content)
    }
}

impl From<String> for Reply {
    fn from(content: String) -> Self {
        Self::text(content)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use twilight_model::channel::message::MentionType;

    #[test]
    fn replies_mention_nobody_unless_they_opt_in() {
        let data = Reply::text("hi @everyone").to_response_data();
        let json = serde_json::to_value(&data).unwrap();
        assert_eq!(json["allowed_mentions"], serde_json::json!({"parse": []}));

        let opted = Reply::text("hi @everyone").allowed_mentions(AllowedMentions {
            parse: vec![MentionType::Everyone],
            ..AllowedMentions::default()
        });
        let json = serde_json::to_value(opted.to_response_data()).unwrap();
        assert_eq!(
            json["allowed_mentions"]["parse"],
            serde_json::json!(["everyone"])
        );
    }

    #[test]
    fn ephemeral_sets_the_flag() {
        let json = serde_json::to_value(Reply::text("x").ephemeral().to_response_data()).unwrap();
        assert_eq!(json["flags"], 64);
        let json = serde_json::to_value(Reply::text("x").to_response_data()).unwrap();
        assert!(json.get("flags").is_none());
    }
}
