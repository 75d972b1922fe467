//! `CommandDef`: one command's definition, what Discord registers plus how the router runs it.
//!
//! Definitions are plain data, separate from handlers: `register` and `novera register-commands`
//! need only the definitions, never a handler or its state, and prefix parsing reads them
//! without knowing the `Command` trait.

use std::time::Duration;

use twilight_interactions::command::CreateCommand;
use twilight_model::application::command::Command as CommandModel;

/// One command's definition: what Discord registers plus how the router runs it.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandDef {
    command: CommandModel,
    deadline: Option<Duration>,
    cooldown: Option<Duration>,
    prefix: bool,
    ephemeral: bool,
}

impl CommandDef {
    /// A definition from a twilight command model (e.g. built with twilight-util's
    /// `CommandBuilder`).
    #[must_use]
    pub fn new(command: CommandModel) -> Self {
        Self {
            command,
            deadline: None,
            cooldown: None,
            prefix: false,
            ephemeral: false,
        }
    }

    /// A definition from a twilight-interactions `#[derive(CreateCommand)]` type.
    #[must_use]
    pub fn from_model<T: CreateCommand>() -> Self {
        Self::new(T::create_command().into())
    }

    /// Overrides the router's default deadline for this command.
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Each user may run this command at most once per `cooldown`.
    #[must_use]
    pub fn cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = Some(cooldown);
        self
    }

    /// Lets the command also run from a text message starting with the router's prefix
    /// (needs the privileged `MESSAGE_CONTENT` intent).
    #[must_use]
    pub fn prefix(mut self, enabled: bool) -> Self {
        self.prefix = enabled;
        self
    }

    /// Makes the automatic deferral (and so the reply that edits it) ephemeral.
    #[must_use]
    pub fn ephemeral(mut self, ephemeral: bool) -> Self {
        self.ephemeral = ephemeral;
        self
    }

    /// The command's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.command.name
    }

    /// The command's description.
    #[must_use]
    pub fn description(&self) -> &str {
        &self.command.description
    }

    /// The twilight model sent to Discord at registration.
    #[must_use]
    pub fn model(&self) -> &CommandModel {
        &self.command
    }

    /// The per-command deadline, if overridden.
    #[must_use]
    pub fn deadline_override(&self) -> Option<Duration> {
        self.deadline
    }

    /// The per-user cooldown, if any.
    #[must_use]
    pub fn cooldown_period(&self) -> Option<Duration> {
        self.cooldown
    }

    /// Whether the command runs from prefix messages too.
    #[must_use]
    pub fn allows_prefix(&self) -> bool {
        self.prefix
    }

    /// Whether the automatic deferral is ephemeral.
    #[must_use]
    pub fn is_ephemeral(&self) -> bool {
        self.ephemeral
    }
}
