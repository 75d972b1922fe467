//! The `Command` trait and the sets crates expose (definitions paired with handlers).

use std::future::Future;
use std::sync::Arc;

use twilight_model::application::command::CommandOptionChoice;

use crate::context::Context;
use crate::def::CommandDef;
use crate::error::CommandError;
use crate::timer_context::TimerContext;

pub use crate::boxed::BoxFuture;

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

    /// Handles one of this command's timers coming due (scheduled with
    /// [`CommandState::schedule`](crate::CommandState::schedule)): after a restart too, and in a
    /// cluster on exactly one process. It runs under the command's deadline; an error, panic or
    /// missed deadline fires it again later (at most 5 times). The default drops the timer.
    fn timer(&self, ctx: TimerContext) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            tracing::warn!(
                command = ctx.command_name(),
                key = ctx.key(),
                "a timer fired for a command without a timer handler; dropped"
            );
            Ok(())
        })
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
