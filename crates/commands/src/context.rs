//! `Context`: everything a handler may do with the invocation it runs for.

use std::future::{Future, IntoFuture};
use std::sync::Arc;
use std::time::Duration;

use novera_cache::Cache;
use novera_core::within;
use twilight_http::Client;
use twilight_http::request::TryIntoRequest;
use twilight_interactions::command::{CommandInputData, CommandModel};
use twilight_model::application::interaction::application_command::{
    CommandDataOption, CommandOptionValue,
};
use twilight_model::application::interaction::modal::ModalInteractionComponent;
use twilight_model::application::interaction::{Interaction, InteractionData};
use twilight_model::channel::Message;
use twilight_model::channel::message::Component;
use twilight_model::gateway::payload::incoming::MessageCreate;
use twilight_model::id::Id;
use twilight_model::id::marker::{
    ApplicationMarker, ChannelMarker, GuildMarker, MessageMarker, UserMarker,
};
use twilight_model::user::User;
use twilight_standby::Standby;

use crate::error::{CommandError, ReplyError};
use crate::gateway_info::GatewayInfo;
use crate::ledger::Claim;
use crate::registry::Registry;
use crate::registry::owner_of;
use crate::reply::Reply;
use crate::responder::{Kind, Responder};
use crate::state::CommandState;
use crate::stats::RouterStats;

mod components;
mod shared;

pub use components::ComponentStream;
use components::claiming;
pub(crate) use shared::Shared;

/// What started the invocation.
#[derive(Debug)]
pub(crate) enum Source {
    Interaction(Box<Interaction>),
    Prefix {
        message: Box<Message>,
        options: Vec<CommandDataOption>,
    },
}

struct Inner {
    shared: Arc<Shared>,
    command: Arc<str>,
    source: Source,
    responder: Arc<Responder>,
}

/// One invocation of a command: the interaction (or prefix message), ways to answer it, and
/// read access to the bot's state. Cheap to clone.
///
/// Answers follow Discord's rules for you: [`reply`](Self::reply) is the initial response, or
/// the edit of `@original` once the router auto-deferred, or a follow-up after that. Every
/// message mentions nobody unless the [`Reply`] opts in.
#[derive(Clone)]
pub struct Context {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("command", &self.inner.command)
            .field("kind", &self.inner.responder.kind())
            .finish_non_exhaustive()
    }
}

impl Context {
    pub(crate) fn new(
        shared: Arc<Shared>,
        command: Arc<str>,
        source: Source,
        responder: Arc<Responder>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                shared,
                command,
                source,
                responder,
            }),
        }
    }

    pub(crate) fn responder(&self) -> &Arc<Responder> {
        &self.inner.responder
    }

    /// The context for a click a waiter received.
    pub(crate) fn for_component(&self, interaction: Interaction) -> Self {
        let shared = &self.inner.shared;
        let responder = shared.claims.take(interaction.id).unwrap_or_else(|| {
            Arc::new(shared.interaction_responder(&interaction, Kind::Component))
        });
        Self::new(
            Arc::clone(shared),
            Arc::clone(&self.inner.command),
            Source::Interaction(Box::new(interaction)),
            responder,
        )
    }

    /// The context for a click a waiter received, unless another process of the bot owns it
    /// (cluster roles: the interaction ledger decides; then the click is not this waiter's).
    pub(crate) async fn own_component(&self, interaction: Interaction) -> Option<Self> {
        if let Some(ledger) = &self.inner.shared.ledger {
            match within(
                self.inner.shared.config.rest_deadline,
                ledger.claim(interaction.id, 0),
            )
            .await
            {
                Some(Ok(Claim::Elsewhere)) => {
                    tracing::debug!(interaction = %interaction.id, "click answered by another process");
                    return None;
                }
                Some(Ok(_)) => {}
                // Answering without the ledger risks a second answer, which Discord refuses
                // with 40060 (handled as already answered); not answering loses the click.
                Some(Err(error)) => {
                    tracing::warn!(%error, "could not claim a click; answering it anyway");
                }
                None => tracing::warn!("claiming a click timed out; answering it anyway"),
            }
        }
        Some(self.for_component(interaction))
    }

    /// Claims a click for this command's waiter (runs inside `Standby::process`).
    pub(crate) fn claim(&self, interaction: &Interaction) {
        let shared = &self.inner.shared;
        shared.claims.claim(
            interaction.id,
            Arc::new(shared.interaction_responder(interaction, Kind::Component)),
        );
    }

    /// The name of the command this invocation belongs to.
    #[must_use]
    pub fn command_name(&self) -> &str {
        &self.inner.command
    }

    /// The interaction, unless this is a prefix invocation.
    #[must_use]
    pub fn interaction(&self) -> Option<&Interaction> {
        match &self.inner.source {
            Source::Interaction(interaction) => Some(interaction),
            Source::Prefix { .. } => None,
        }
    }

    /// The prefix message that invoked the command, or the message a component is on.
    #[must_use]
    pub fn message(&self) -> Option<&Message> {
        match &self.inner.source {
            Source::Interaction(interaction) => interaction.message.as_ref(),
            Source::Prefix { message, .. } => Some(message),
        }
    }

    /// Whether the command was invoked by a prefix message.
    #[must_use]
    pub fn is_prefix(&self) -> bool {
        matches!(self.inner.source, Source::Prefix { .. })
    }

    /// The invoking user.
    #[must_use]
    pub fn user(&self) -> Option<&User> {
        match &self.inner.source {
            Source::Interaction(interaction) => interaction.author(),
            Source::Prefix { message, .. } => Some(&message.author),
        }
    }

    /// The invoking user's id.
    #[must_use]
    pub fn user_id(&self) -> Option<Id<UserMarker>> {
        self.user().map(|u| u.id)
    }

    /// The channel the invocation happened in.
    #[must_use]
    pub fn channel_id(&self) -> Option<Id<ChannelMarker>> {
        match &self.inner.source {
            Source::Interaction(interaction) => {
                #[allow(deprecated, reason = "fallback for payloads without `channel`")]
                let fallback = interaction.channel_id;
                interaction.channel.as_ref().map(|c| c.id).or(fallback)
            }
            Source::Prefix { message, .. } => Some(message.channel_id),
        }
    }

    /// The guild, unless in DMs.
    #[must_use]
    pub fn guild_id(&self) -> Option<Id<GuildMarker>> {
        match &self.inner.source {
            Source::Interaction(interaction) => interaction.guild_id,
            Source::Prefix { message, .. } => message.guild_id,
        }
    }

    /// The `custom_id` of a component or modal interaction.
    #[must_use]
    pub fn custom_id(&self) -> Option<&str> {
        match self.interaction()?.data.as_ref()? {
            InteractionData::MessageComponent(data) => Some(&data.custom_id),
            InteractionData::ModalSubmit(data) => Some(&data.custom_id),
            _ => None,
        }
    }

    /// The command's options parsed into a twilight-interactions `CommandModel`.
    ///
    /// A parse failure is a user error (shown to the user), not a crash.
    pub fn options<T: CommandModel>(&self) -> Result<T, CommandError> {
        let input = match &self.inner.source {
            Source::Interaction(interaction) => match &interaction.data {
                Some(InteractionData::ApplicationCommand(data)) => {
                    CommandInputData::from((**data).clone())
                }
                _ => {
                    return Err(CommandError::user(
                        "This interaction has no command options.",
                    ));
                }
            },
            Source::Prefix { options, .. } => CommandInputData {
                options: options.clone(),
                resolved: None,
            },
        };
        T::from_interaction(input).map_err(|e| CommandError::user(format!("Invalid options: {e}")))
    }

    /// Replies (see the type's docs for where the reply goes).
    pub async fn reply(&self, reply: impl Into<Reply>) -> Result<(), ReplyError> {
        self.inner.responder.reply(&reply.into()).await
    }

    /// Defers now ("thinking..."), if nothing was sent yet; the router does it automatically
    /// before Discord's window closes, so this is only needed to choose ephemerality early.
    pub async fn defer(&self, ephemeral: bool) -> Result<(), ReplyError> {
        self.inner.responder.defer(ephemeral).await.map(drop)
    }

    /// Acknowledges a component click without changing anything yet (type 6).
    pub async fn defer_update(&self) -> Result<(), ReplyError> {
        self.inner.responder.defer_update().await.map(drop)
    }

    /// Updates the message a clicked component is on (type 7, or an edit after a deferral).
    pub async fn update_message(&self, reply: impl Into<Reply>) -> Result<(), ReplyError> {
        self.inner.responder.update_message(&reply.into()).await
    }

    /// Edits the original response (replies first if nothing was sent yet).
    pub async fn edit(&self, reply: impl Into<Reply>) -> Result<(), ReplyError> {
        self.inner.responder.edit_original(&reply.into()).await
    }

    /// Sends a follow-up message and returns it.
    pub async fn follow_up(&self, reply: impl Into<Reply>) -> Result<Message, ReplyError> {
        self.inner.responder.followup(&reply.into()).await
    }

    /// Shows a modal (a form) as the first response to a slash command or a click. Its
    /// `custom_id` must start with `<command name>:` so the submission is routed back to this
    /// command's [`Command::modal`](crate::Command::modal), which reads the answers with
    /// [`modal_value`](Self::modal_value). Show it at once: after the router's auto-defer (or
    /// any reply) a modal is no longer possible, and after it nothing else can be sent for
    /// this interaction.
    pub async fn show_modal(
        &self,
        custom_id: impl Into<String>,
        title: impl Into<String>,
        components: Vec<Component>,
    ) -> Result<(), ReplyError> {
        let custom_id = custom_id.into();
        if owner_of(&custom_id) != Some(self.command_name()) {
            return Err(ReplyError::Unsupported(
                "a modal's custom_id must start with `<command name>:` to be routed back",
            ));
        }
        self.inner
            .responder
            .modal(custom_id, title.into(), components)
            .await
    }

    /// The text a user entered in the modal's text input `custom_id` (in an action row or a
    /// label), when this invocation is a modal submission.
    #[must_use]
    pub fn modal_value(&self, custom_id: &str) -> Option<&str> {
        fn find<'a>(
            components: &'a [ModalInteractionComponent],
            custom_id: &str,
        ) -> Option<&'a str> {
            components.iter().find_map(|component| match component {
                ModalInteractionComponent::ActionRow(row) => find(&row.components, custom_id),
                ModalInteractionComponent::Label(label) => {
                    find(std::slice::from_ref(&*label.component), custom_id)
                }
                ModalInteractionComponent::TextInput(input) if input.custom_id == custom_id => {
                    Some(input.value.as_str())
                }
                _ => None,
            })
        }
        match self.interaction()?.data.as_ref()? {
            InteractionData::ModalSubmit(data) => find(&data.components, custom_id),
            _ => None,
        }
    }

    /// The option the user is typing in and the text typed so far, when this invocation is an
    /// autocomplete (sub-command options included). Discord sends the text as a string whatever
    /// the option's type.
    #[must_use]
    pub fn focused_option(&self) -> Option<(&str, &str)> {
        fn find(options: &[CommandDataOption]) -> Option<(&str, &str)> {
            options.iter().find_map(|option| match &option.value {
                CommandOptionValue::Focused(typed, _) => {
                    Some((option.name.as_str(), typed.as_str()))
                }
                CommandOptionValue::SubCommand(inner)
                | CommandOptionValue::SubCommandGroup(inner) => find(inner),
                _ => None,
            })
        }
        match self.interaction()?.data.as_ref()? {
            InteractionData::ApplicationCommand(data) => find(&data.options),
            _ => None,
        }
    }

    /// The original response message (e.g. to wait for clicks on it).
    pub async fn original_message(&self) -> Result<Message, ReplyError> {
        self.inner.responder.original().await
    }

    /// The next message in this invocation's channel matching `predicate`, or `None` after
    /// `timeout` (or in a context without a channel).
    ///
    /// The wait is registered when this is called, not when the future is first polled, so a
    /// command can register, then ask its question, then await the answer without missing a
    /// fast one. Dropping the future stops the wait; nothing keeps running.
    pub fn wait_for_message<P>(
        &self,
        timeout: Duration,
        predicate: P,
    ) -> impl Future<Output = Option<Message>> + Send + 'static
    where
        P: Fn(&Message) -> bool + Send + Sync + 'static,
    {
        let waiting = self
            .channel_id()
            .map(|channel_id| self.register_message_wait(channel_id, predicate));
        async move {
            let waiting = waiting?;
            within(timeout, waiting)
                .await?
                .ok()
                .map(|created| created.message)
        }
    }

    /// The next message in `channel_id` matching `predicate`, or `None` after `timeout`
    /// (registered when called, like [`wait_for_message`](Self::wait_for_message)).
    pub fn wait_for_message_in<P>(
        &self,
        channel_id: Id<ChannelMarker>,
        timeout: Duration,
        predicate: P,
    ) -> impl Future<Output = Option<Message>> + Send + 'static
    where
        P: Fn(&Message) -> bool + Send + Sync + 'static,
    {
        let waiting = self.register_message_wait(channel_id, predicate);
        async move {
            within(timeout, waiting)
                .await?
                .ok()
                .map(|created| created.message)
        }
    }

    fn register_message_wait<P>(
        &self,
        channel_id: Id<ChannelMarker>,
        predicate: P,
    ) -> twilight_standby::future::WaitForMessageFuture
    where
        P: Fn(&Message) -> bool + Send + Sync + 'static,
    {
        self.inner
            .shared
            .standby
            .wait_for_message(channel_id, move |event: &MessageCreate| {
                predicate(&event.message)
            })
    }

    /// The next click on `message_id` matching `predicate`, as a context to answer it with;
    /// `None` after `timeout`. Registered when called. A click that is not answered in time
    /// is acknowledged by the router, so the user never sees "This interaction failed".
    pub fn wait_for_component<P>(
        &self,
        message_id: Id<MessageMarker>,
        timeout: Duration,
        predicate: P,
    ) -> impl Future<Output = Option<Context>> + Send + 'static
    where
        P: Fn(&Interaction) -> bool + Send + Sync + 'static,
    {
        // A stream rather than a single wait: in a cluster a click may be claimed by another
        // process first, and the wait goes on for the next one.
        let mut clicks = self.components(message_id, predicate);
        async move { clicks.next(timeout).await }
    }

    /// Every click on `message_id` matching `predicate`, until the stream is dropped.
    #[must_use]
    pub fn components<P>(&self, message_id: Id<MessageMarker>, predicate: P) -> ComponentStream
    where
        P: Fn(&Interaction) -> bool + Send + Sync + 'static,
    {
        let stream = self
            .inner
            .shared
            .standby
            .wait_for_component_stream(message_id, claiming(self, predicate));
        ComponentStream::new(stream, self.clone())
    }

    /// This command's state: values that survive restarts and are shared by every process of
    /// the bot, and durable timers (see [`CommandState`]).
    #[must_use]
    pub fn state(&self) -> CommandState {
        self.inner.shared.command_state(&self.inner.command)
    }

    /// The raw REST client (for anything the context has no helper for).
    ///
    /// Requests sent on it bypass the bot's [`RestGuard`](crate::RestGuard): they are not
    /// counted toward Discord's invalid-request limit, never held back near it, and a message
    /// created on it carries no instance nonce (one with a nonce of its own is taken for another
    /// instance of the bot). Send them through [`request`](Self::request) instead:
    /// `ctx.request(ctx.http().create_reaction(..)).await?`.
    #[must_use]
    pub fn http(&self) -> &Client {
        &self.inner.shared.http
    }

    /// Sends a twilight request builder through the bot's REST guard, under the router's REST
    /// deadline: counted, held back near Discord's invalid-request limit when its channel or
    /// message just refused the bot (the error is [`ReplyError::Refused`], whose
    /// [`user_message`](crate::RestRefused::user_message) a handler may show; returned with
    /// `?`, the router shows it), and, for a new channel message, stamped with this process's
    /// nonce.
    pub async fn request<T: Unpin, B>(
        &self,
        builder: B,
    ) -> Result<twilight_http::Response<T>, ReplyError>
    where
        B: TryIntoRequest
            + IntoFuture<Output = Result<twilight_http::Response<T>, twilight_http::Error>>,
    {
        let shared = &self.inner.shared;
        let request = crate::nonce::stamp(builder.try_into_request()?, &shared.instance)?;
        let sent = shared.rest_guard.send::<T>(&shared.http, request);
        Ok(novera_core::deadline("REST request", shared.config.rest_deadline, sent).await??)
    }

    /// The application id.
    #[must_use]
    pub fn application_id(&self) -> Id<ApplicationMarker> {
        self.inner.shared.application_id
    }

    /// The gateway's cache (read it; the gateway updates it). Channels and members in it are
    /// novera-cache's compact models ([`novera_cache::CompactChannel`],
    /// [`novera_cache::CompactMember`]): a field they drop needs an HTTP fetch.
    #[must_use]
    pub fn cache(&self) -> &Cache {
        &self.inner.shared.cache
    }

    /// The standby the gateway feeds.
    #[must_use]
    pub fn standby(&self) -> &Standby {
        &self.inner.shared.standby
    }

    /// Gateway state: shards, latency.
    #[must_use]
    pub fn gateway(&self) -> &dyn GatewayInfo {
        self.inner.shared.gateway.as_ref()
    }

    /// The registered commands.
    #[must_use]
    pub fn registry(&self) -> &Registry {
        &self.inner.shared.registry
    }

    /// The router's counters.
    #[must_use]
    pub fn stats(&self) -> RouterStats {
        self.inner.shared.stats()
    }

    /// Time since the router was built.
    #[must_use]
    pub fn uptime(&self) -> Duration {
        self.inner.shared.started.elapsed()
    }

    /// The bot's version as configured (defaults to novera-commands' version).
    #[must_use]
    pub fn version(&self) -> &str {
        &self.inner.shared.config.version
    }

    /// The prefix for text commands, if enabled.
    #[must_use]
    pub fn prefix(&self) -> Option<&str> {
        self.inner.shared.config.prefix.as_deref()
    }
}
