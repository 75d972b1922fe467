//! The `Command` trait, command definitions (`CommandDef`) and the sets crates expose.
//!
//! Definitions are plain data, separate from handlers: `register` and `novera register-commands`
//! need only the definitions, never a handler or its state.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use twilight_interactions::command::CreateCommand;
use twilight_model::application::command::{Command as CommandModel, CommandOptionChoice};

use crate::context::Context;
use crate::error::CommandError;

/// A boxed, sendable future: what [`Command`] methods return, so the trait stays object safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a handler returns.
pub type CommandResult = Result<(), CommandError>;

/// A command's behaviour. Object safe: the router holds `Arc<dyn Command>`.
///
/// Every method runs on a tracked task under the router's guarantees (auto-defer, deadline,
/// panic isolation). Implement with `Box::pin(async move { .. })`, or use [`command_fn`] for a
/// command that only has a `run`.
///
/// Components (buttons, selects) and modals are routed to the command named before the first
/// `:` of their `custom_id` (`poll:vote:1` goes to `poll`), unless a `wait_for_component` of
/// that command's handler is waiting for them.
pub trait Command: Send + Sync + 'static {
    /// Runs the command (slash command, or prefix message when the definition opts in).
    fn run(&self, ctx: Context) -> BoxFuture<'_, CommandResult>;

    /// Handles a component interaction nobody is waiting for. The default tells the user the
    /// component is no longer active.
    fn component(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            ctx.reply(crate::Reply::text("This is no longer active.").ephemeral())
                .await?;
            Ok(())
        })
    }

    /// Handles the submission of a modal this command showed with
    /// [`Context::show_modal`](crate::Context::show_modal); read the answers with
    /// [`Context::modal_value`](crate::Context::modal_value). The default tells the user the
    /// form is no longer active.
    fn modal(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        self.component(ctx)
    }

    /// Suggests choices for the focused option ([`Context::focused_option`](crate::Context::focused_option)).
    /// Must be quick: Discord allows no deferral, so the router answers with no choices if this
    /// takes longer than the auto-defer time, fails or panics. At most 25 choices are sent.
    fn autocomplete(
        &self,
        ctx: Context,
    ) -> BoxFuture<'_, Result<Vec<CommandOptionChoice>, CommandError>> {
        let _ = ctx;
        Box::pin(async { Ok(Vec::new()) })
    }
}

/// A [`Command`] made of one async closure (its `run`).
pub struct FnCommand<F> {
    run: F,
}

/// Wraps an async closure as a [`Command`]:
/// `command_fn(|ctx| async move { ctx.reply("hi").await?; Ok(()) })`.
pub fn command_fn<F, Fut>(run: F) -> FnCommand<F>
where
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = CommandResult> + Send + 'static,
{
    FnCommand { run }
}

impl<F, Fut> Command for FnCommand<F>
where
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = CommandResult> + Send + 'static,
{
    fn run(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin((self.run)(ctx))
    }
}

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

/// The commands one crate exposes: definitions paired with handlers.
///
/// `app` composes the sets of several crates into one router (names must be unique).
#[derive(Clone, Default)]
pub struct CommandSet {
    entries: Vec<(CommandDef, Arc<dyn Command>)>,
}

impl CommandSet {
    /// An empty set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a command.
    #[must_use]
    pub fn with(mut self, def: CommandDef, handler: impl Command) -> Self {
        self.entries.push((def, Arc::new(handler)));
        self
    }

    /// Adds every command of `other`.
    #[must_use]
    pub fn merge(mut self, other: CommandSet) -> Self {
        self.entries.extend(other.entries);
        self
    }

    /// The definitions alone, for registration.
    #[must_use]
    pub fn defs(&self) -> Vec<CommandDef> {
        self.entries.iter().map(|(def, _)| def.clone()).collect()
    }

    /// Number of commands.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the set has no commands.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn into_entries(self) -> Vec<(CommandDef, Arc<dyn Command>)> {
        self.entries
    }
}

impl std::fmt::Debug for CommandSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|(def, _)| def.name()))
            .finish()
    }
}
