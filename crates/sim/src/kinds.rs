//! Discord's numeric types by name, like `frame::op` for opcodes: interaction types, interaction
//! callback (response) types, component types, and the message types and flags the simulator
//! writes. Tests read [`InteractionStatus`](crate::InteractionStatus) with the public ones.

/// Interaction types (`type` of an interaction, `InteractionStatus::kind`).
pub mod interaction_type {
    /// A PING, sent to an interactions endpoint when its URL is saved.
    pub const PING: u8 = 1;
    /// A slash command.
    pub const APPLICATION_COMMAND: u8 = 2;
    /// A button click or a select.
    pub const MESSAGE_COMPONENT: u8 = 3;
    /// Typing in an autocomplete option.
    pub const APPLICATION_COMMAND_AUTOCOMPLETE: u8 = 4;
    /// A modal submitted.
    pub const MODAL_SUBMIT: u8 = 5;
}

/// Interaction callback types (the initial response's `type`, `InteractionStatus::response_type`).
pub mod callback_type {
    /// The answer to a PING.
    pub const PONG: u8 = 1;
    /// A message.
    pub const CHANNEL_MESSAGE_WITH_SOURCE: u8 = 4;
    /// "Thinking...": the message follows as an edit of `@original`.
    pub const DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE: u8 = 5;
    /// A click acknowledged without changing its message yet.
    pub const DEFERRED_UPDATE_MESSAGE: u8 = 6;
    /// The clicked message edited.
    pub const UPDATE_MESSAGE: u8 = 7;
    /// Autocomplete choices.
    pub const APPLICATION_COMMAND_AUTOCOMPLETE_RESULT: u8 = 8;
    /// A modal shown to the user.
    pub const MODAL: u8 = 9;
}

/// Component types (`type` of a component, `data.component_type` of a click).
pub mod component_type {
    /// A row of components.
    pub const ACTION_ROW: u8 = 1;
    /// A button.
    pub const BUTTON: u8 = 2;
    /// A select of strings.
    pub const STRING_SELECT: u8 = 3;
    /// A text input of a modal.
    pub const TEXT_INPUT: u8 = 4;
    /// Text shown in a modal.
    pub const TEXT_DISPLAY: u8 = 10;
    /// A label around one input of a modal.
    pub const LABEL: u8 = 18;
}

/// Message types the simulator writes.
pub(crate) mod message_type {
    pub(crate) const DEFAULT: u8 = 0;
    pub(crate) const REPLY: u8 = 19;
    pub(crate) const CHAT_INPUT_COMMAND: u8 = 20;
}

/// Message flags the simulator reads and writes.
pub(crate) mod message_flag {
    /// Embeds hidden (the only flag an edit may add).
    pub(crate) const SUPPRESS_EMBEDS: u64 = 1 << 2;
    /// Only the invoking user sees the message.
    pub(crate) const EPHEMERAL: u64 = 1 << 6;
    /// The bot is "thinking" (a deferred response).
    pub(crate) const LOADING: u64 = 1 << 7;
}
