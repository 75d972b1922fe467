//! `Responder`: the one place that answers an invocation, so an interaction is acknowledged
//! exactly once and every later message goes where Discord expects it.
//!
//! Discord's rules it encodes: the first response is a callback and must come within 3 s; after
//! a deferral the answer is an edit of `@original`; everything after that is a follow-up.
//! A deferred "thinking..." message is public unless deferred ephemerally, so an ephemeral
//! answer to a public deferral deletes `@original` and sends an ephemeral follow-up instead.
//! The stage lives behind an async mutex held across the request, so the router's auto-defer
//! and the handler's reply never both send a callback.
//!
//! A first response Discord refuses with 40060 ("already acknowledged") was sent by another
//! process: one that crashed after answering, whose gateway session replayed the interaction to
//! this one, or a worker that stopped. If `@original` holds a finished answer, the interaction is
//! done and nothing more is sent for it; if it is still "thinking..." (only deferred), this
//! process's answer goes there as an edit. A 40060 on a *retried* callback is different: this
//! process's own earlier attempt landed (its answer was lost), so the stage is what it sent.
//! Every REST call goes through the REST guard, each attempt of it, and is repeated by `retry.rs`
//! after 5xx and transport failures where repeating is safe.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use novera_core::{InstanceWatch, deadline};
use tokio::sync::Mutex;
use tokio::time::Instant;
use twilight_http::api_error::ApiError;
use twilight_http::error::ErrorType;
use twilight_http::request::{Request, TryIntoRequest};
use twilight_http::response::marker::EmptyBody;
use twilight_http::{Client, Response};
use twilight_model::channel::Message;
use twilight_model::channel::message::MessageFlags;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use twilight_model::id::Id;
use twilight_model::id::marker::{
    ApplicationMarker, ChannelMarker, InteractionMarker, MessageMarker,
};

use crate::config::INTERACTION_WINDOW;
use crate::dispatch::HttpAnswer;
use crate::error::ReplyError;
use crate::ledger::{Acknowledged, InteractionLedger};
use crate::reply::Reply;
use crate::rest_guard::RestGuard;
use crate::retry::{self, Budget, Repeat};

mod duplicate;
mod forms;

/// Discord's "Interaction has already been acknowledged".
const ALREADY_ACKNOWLEDGED: u64 = 40060;

/// How long after an initial response sent as an HTTP answer was written the next REST call
/// about the interaction waits. The answer and the call travel separately and Discord says
/// nothing when it applied the answer; a call that arrives first gets 10015 (no response yet).
const HTTP_ANSWER_SETTLE: Duration = Duration::from_millis(100);

/// What kind of interaction (or message) is being answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Command,
    Component,
    Modal,
    Autocomplete,
    Prefix,
}

/// Where answers go.
#[derive(Debug)]
pub(crate) enum Target {
    Interaction {
        id: Id<InteractionMarker>,
        token: String,
        /// The message a component is attached to.
        component_message: Option<(Id<ChannelMarker>, Id<MessageMarker>)>,
    },
    Message {
        channel_id: Id<ChannelMarker>,
        message_id: Id<MessageMarker>,
    },
}

/// How far the answer got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    Fresh,
    /// Deferred with "thinking...", ephemeral or not.
    Deferred {
        ephemeral: bool,
    },
    /// A component interaction acknowledged without a visible change (type 6).
    DeferredUpdate,
    /// Answered. `original_is_component` when `@original` is the component's message (type 7).
    Responded {
        original_is_component: bool,
    },
    /// Answered with a modal (type 9): no message exists; the user's answer arrives as a new
    /// (modal submit) interaction.
    ModalShown,
    /// Answered by another process before this one's first response (40060 and a finished
    /// `@original`): everything this invocation would still send is skipped.
    AnsweredBefore,
}

/// Why nothing more can be sent after a modal.
const AFTER_MODAL: &str = "a modal was shown: answer its submission instead";

#[derive(Debug)]
struct State {
    stage: Stage,
    /// Last message sent for a prefix invocation (what `edit` changes).
    last_message: Option<Id<MessageMarker>>,
    /// For an interaction posted to an interactions endpoint, while the endpoint waits: where
    /// the initial response goes instead of the REST callback.
    http_answer: Option<HttpAnswer>,
}

impl Stage {
    /// What a ledger records for this stage (`None`: nothing was acknowledged).
    fn acknowledged(self) -> Option<Acknowledged> {
        match self {
            Self::Fresh | Self::AnsweredBefore => None,
            Self::Deferred { ephemeral } => Some(Acknowledged::Deferred { ephemeral }),
            Self::DeferredUpdate => Some(Acknowledged::DeferredUpdate),
            Self::Responded { .. } => Some(Acknowledged::Responded),
            Self::ModalShown => Some(Acknowledged::ModalShown),
        }
    }

    /// Where a takeover resumes from what the previous owner acknowledged.
    fn resumed(ack: Acknowledged) -> Self {
        match ack {
            Acknowledged::Deferred { ephemeral } => Self::Deferred { ephemeral },
            Acknowledged::DeferredUpdate => Self::DeferredUpdate,
            Acknowledged::ModalShown => Self::ModalShown,
            // A response was sent, and possibly its answer: what follows is a follow-up.
            _ => Self::Responded {
                original_is_component: false,
            },
        }
    }
}

/// How answers reach Discord: the client, the bot's REST guard (every request goes through it)
/// and this process's instance watch (nonces; 40060 evidence of another instance).
#[derive(Clone)]
pub(crate) struct Rest {
    pub(crate) http: Arc<Client>,
    pub(crate) guard: RestGuard,
    pub(crate) instance: Arc<InstanceWatch>,
}

/// Answers one invocation.
pub(crate) struct Responder {
    rest: Rest,
    application_id: Id<ApplicationMarker>,
    target: Target,
    kind: Kind,
    rest_deadline: Duration,
    /// When Discord's window for the first response closes (no callback is retried after it).
    window_ends: Instant,
    state: Mutex<State>,
    /// Where acknowledgements are recorded when several processes may answer (cluster roles).
    ledger: Option<Arc<dyn InteractionLedger>>,
    /// Continuing another process's answer (a takeover): a 40060 is expected then.
    taken_over: bool,
    /// When the initial response went out as an HTTP answer (written by the endpoint).
    answered_over_http: std::sync::OnceLock<tokio::time::Instant>,
}

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Responder")
            .field("target", &self.target)
            .field("kind", &self.kind)
            .field("ledger", &self.ledger.is_some())
            .finish_non_exhaustive()
    }
}

impl Responder {
    pub(crate) fn new(
        rest: Rest,
        application_id: Id<ApplicationMarker>,
        target: Target,
        kind: Kind,
        rest_deadline: Duration,
    ) -> Self {
        Self {
            rest,
            application_id,
            target,
            kind,
            rest_deadline,
            window_ends: Instant::now() + INTERACTION_WINDOW,
            state: Mutex::new(State {
                stage: Stage::Fresh,
                last_message: None,
                http_answer: None,
            }),
            ledger: None,
            taken_over: false,
            answered_over_http: std::sync::OnceLock::new(),
        }
    }

    /// Records every acknowledgement in `ledger`.
    pub(crate) fn with_ledger(mut self, ledger: Option<Arc<dyn InteractionLedger>>) -> Self {
        self.ledger = ledger;
        self
    }

    /// Dates Discord's first-response window from `at`, when the event was received (default:
    /// when this responder was made).
    pub(crate) fn received_at(mut self, at: Instant) -> Self {
        self.window_ends = at + INTERACTION_WINDOW;
        self
    }

    /// Continues from what another process acknowledged (a takeover).
    pub(crate) fn resuming(mut self, acknowledged: Option<Acknowledged>) -> Self {
        if let Some(ack) = acknowledged {
            self.state.get_mut().stage = Stage::resumed(ack);
            self.taken_over = true;
        }
        self
    }

    /// Sends the initial response through `answer` (an interactions endpoint's HTTP answer)
    /// if nothing is being or was sent yet; otherwise `answer` is dropped, and the endpoint
    /// answers its request with nothing (the REST callback answered, or is answering).
    pub(crate) fn answer_over_http(&self, answer: HttpAnswer) {
        if let Ok(mut state) = self.state.try_lock()
            && state.stage == Stage::Fresh
        {
            state.http_answer = Some(answer);
        }
    }

    pub(crate) fn kind(&self) -> Kind {
        self.kind
    }

    pub(crate) async fn stage(&self) -> Stage {
        self.state.lock().await.stage
    }

    /// Replies: the initial response, the edit of a deferral, or a follow-up.
    pub(crate) async fn reply(&self, reply: &Reply) -> Result<(), ReplyError> {
        let mut state = self.state.lock().await;
        match &self.target {
            Target::Message {
                channel_id,
                message_id,
            } => {
                let sent = self
                    .create_message(*channel_id, Some(*message_id), reply)
                    .await?;
                state.last_message = Some(sent.id);
                state.stage = Stage::Responded {
                    original_is_component: false,
                };
                Ok(())
            }
            Target::Interaction { .. } => match state.stage {
                Stage::Fresh => {
                    let data = reply.to_response_data();
                    self.callback(
                        &mut state,
                        InteractionResponseType::ChannelMessageWithSource,
                        Some(data),
                        Stage::Responded {
                            original_is_component: false,
                        },
                    )
                    .await?;
                    if let Stage::Deferred { .. } = state.stage {
                        // Another process deferred it (40060) and never answered: this does.
                        self.edit_original_raw(reply).await?;
                        state.stage = Stage::Responded {
                            original_is_component: false,
                        };
                    }
                    Ok(())
                }
                Stage::Deferred { ephemeral: false } if reply.ephemeral => {
                    // The public "thinking..." cannot turn ephemeral: remove it and answer
                    // privately, so an error meant for one user is not shown to the channel.
                    if let Err(error) = self.delete_original().await {
                        tracing::debug!(%error, "could not delete the deferred response");
                    }
                    state.stage = Stage::Responded {
                        original_is_component: false,
                    };
                    self.followup_raw(reply).await.map(drop)
                }
                Stage::Deferred { .. } => {
                    self.edit_original_raw(reply).await?;
                    state.stage = Stage::Responded {
                        original_is_component: false,
                    };
                    Ok(())
                }
                Stage::DeferredUpdate | Stage::Responded { .. } => {
                    self.followup_raw(reply).await.map(drop)
                }
                Stage::ModalShown => Err(ReplyError::Unsupported(AFTER_MODAL)),
                Stage::AnsweredBefore => Ok(()),
            },
        }
    }

    /// Defers with "thinking..." (commands, modals) if nothing was sent yet.
    pub(crate) async fn defer(&self, ephemeral: bool) -> Result<bool, ReplyError> {
        let mut state = self.state.lock().await;
        if state.stage != Stage::Fresh {
            return Ok(false);
        }
        match &self.target {
            Target::Message { channel_id, .. } => {
                // No window to beat for text messages; show "typing..." as the equivalent.
                self.bounded(
                    "POST typing",
                    Repeat::Idempotent,
                    self.rest.http.create_typing_trigger(*channel_id),
                )
                .await?;
                Ok(false)
            }
            Target::Interaction { .. } => {
                let data = ephemeral.then(|| InteractionResponseData {
                    flags: Some(MessageFlags::EPHEMERAL),
                    ..InteractionResponseData::default()
                });
                self.callback(
                    &mut state,
                    InteractionResponseType::DeferredChannelMessageWithSource,
                    data,
                    Stage::Deferred { ephemeral },
                )
                .await?;
                Ok(state.stage != Stage::AnsweredBefore)
            }
        }
    }

    /// Acknowledges a component interaction without changing anything (type 6).
    pub(crate) async fn defer_update(&self) -> Result<bool, ReplyError> {
        if self.kind != Kind::Component {
            return Err(ReplyError::Unsupported(
                "only component interactions can defer an update",
            ));
        }
        let mut state = self.state.lock().await;
        if state.stage != Stage::Fresh {
            return Ok(false);
        }
        self.callback(
            &mut state,
            InteractionResponseType::DeferredUpdateMessage,
            None,
            Stage::DeferredUpdate,
        )
        .await?;
        Ok(state.stage != Stage::AnsweredBefore)
    }

    /// The router's auto-defer: whatever deferral fits the interaction, if nothing was sent.
    pub(crate) async fn auto_defer(&self, ephemeral: bool) -> Result<bool, ReplyError> {
        match self.kind {
            Kind::Component => self.defer_update().await,
            Kind::Command | Kind::Modal => self.defer(ephemeral).await,
            Kind::Autocomplete | Kind::Prefix => Ok(false),
        }
    }

    /// Updates the message a component is attached to.
    pub(crate) async fn update_message(&self, reply: &Reply) -> Result<(), ReplyError> {
        let Target::Interaction {
            component_message, ..
        } = &self.target
        else {
            return Err(ReplyError::Unsupported(
                "only components can update their message",
            ));
        };
        if self.kind != Kind::Component {
            return Err(ReplyError::Unsupported(
                "only components can update their message",
            ));
        }
        let mut state = self.state.lock().await;
        match state.stage {
            Stage::ModalShown => Err(ReplyError::Unsupported(AFTER_MODAL)),
            Stage::AnsweredBefore => Ok(()),
            Stage::Fresh => {
                self.callback(
                    &mut state,
                    InteractionResponseType::UpdateMessage,
                    Some(reply.to_response_data()),
                    Stage::Responded {
                        original_is_component: true,
                    },
                )
                .await
            }
            Stage::DeferredUpdate
            | Stage::Responded {
                original_is_component: true,
            } => {
                self.edit_original_raw(reply).await?;
                state.stage = Stage::Responded {
                    original_is_component: true,
                };
                Ok(())
            }
            Stage::Deferred { .. }
            | Stage::Responded {
                original_is_component: false,
            } => {
                let Some((channel_id, message_id)) = component_message else {
                    return Err(ReplyError::Unsupported(
                        "the component's message is unknown",
                    ));
                };
                self.edit_channel_message(*channel_id, *message_id, reply)
                    .await
                    .map(drop)
            }
        }
    }

    /// Edits the original response (or, for prefix commands, the last message sent).
    pub(crate) async fn edit_original(&self, reply: &Reply) -> Result<(), ReplyError> {
        let mut state = self.state.lock().await;
        match state.stage {
            Stage::Fresh => {
                drop(state);
                return self.reply(reply).await;
            }
            Stage::ModalShown => return Err(ReplyError::Unsupported(AFTER_MODAL)),
            Stage::AnsweredBefore => return Ok(()),
            _ => {}
        }
        match &self.target {
            Target::Message { channel_id, .. } => {
                let Some(last) = state.last_message else {
                    return Err(ReplyError::Unsupported("nothing was sent yet"));
                };
                self.edit_channel_message(*channel_id, last, reply).await?;
            }
            Target::Interaction { .. } => {
                self.edit_original_raw(reply).await?;
                if let Stage::Deferred { .. } = state.stage {
                    state.stage = Stage::Responded {
                        original_is_component: false,
                    };
                }
            }
        }
        Ok(())
    }

    /// Sends a follow-up message (a plain message for prefix commands).
    pub(crate) async fn followup(&self, reply: &Reply) -> Result<Message, ReplyError> {
        let state = self.state.lock().await;
        match &self.target {
            Target::Message { channel_id, .. } => {
                let mut state = state;
                let sent = self.create_message(*channel_id, None, reply).await?;
                state.last_message = Some(sent.id);
                state.stage = Stage::Responded {
                    original_is_component: false,
                };
                Ok(sent)
            }
            Target::Interaction { .. } if state.stage == Stage::Fresh => {
                drop(state);
                self.reply(reply).await?;
                self.original().await
            }
            Target::Interaction { .. } if state.stage == Stage::ModalShown => {
                Err(ReplyError::Unsupported(AFTER_MODAL))
            }
            Target::Interaction { .. } if state.stage == Stage::AnsweredBefore => {
                // Nothing is sent; the message that answered the interaction stands for it.
                drop(state);
                self.original().await
            }
            Target::Interaction { .. } => self.followup_raw(reply).await,
        }
    }

    /// The original response message.
    pub(crate) async fn original(&self) -> Result<Message, ReplyError> {
        match &self.target {
            Target::Interaction { token, .. } => {
                let client = self.rest.http.interaction(self.application_id);
                self.bounded_model("GET @original", Repeat::Idempotent, client.response(token))
                    .await
            }
            Target::Message { channel_id, .. } => {
                let last = self.state.lock().await.last_message;
                let Some(last) = last else {
                    return Err(ReplyError::Unsupported("nothing was sent yet"));
                };
                self.bounded_model(
                    "GET message",
                    Repeat::Idempotent,
                    self.rest.http.message(*channel_id, last),
                )
                .await
            }
        }
    }

    async fn callback(
        &self,
        state: &mut State,
        kind: InteractionResponseType,
        data: Option<InteractionResponseData>,
        next: Stage,
    ) -> Result<(), ReplyError> {
        let Target::Interaction { id, token, .. } = &self.target else {
            return Err(ReplyError::Unsupported("not an interaction"));
        };
        let previous = state.stage;
        // Assume the callback lands: if this future is dropped mid-request (deadline), a
        // second callback would only earn a 40060, while a follow-up still reaches the user.
        state.stage = next;
        let mut response = InteractionResponse { kind, data };
        // The endpoint deferred the interaction itself: the 40060 below is expected.
        let mut endpoint_deferred = false;
        if let Some(answer) = state.http_answer.take() {
            // The endpoint still waits: the response is its HTTP answer. If it stopped waiting
            // (its own deferral went out), the callback below gets 40060 and continues.
            match answer.response.send(response) {
                Ok(()) => {
                    // Held under the lock, and REST calls wait a moment after it (see
                    // HTTP_ANSWER_SETTLE): an edit or a follow-up must not reach Discord before
                    // the answer it builds on.
                    let _ = novera_core::within(self.rest_deadline, answer.written).await;
                    let _ = self.answered_over_http.set(tokio::time::Instant::now());
                    self.record(*id, next).await;
                    return Ok(());
                }
                Err(returned) => {
                    response = returned;
                    endpoint_deferred = true;
                }
            }
        }
        let id = *id;
        let client = self.rest.http.interaction(self.application_id);
        let request = client
            .create_response(id, token, &response)
            .try_into_request()?;
        // Retried within Discord's window only: a callback after it would earn 10062.
        let budget = Budget {
            total: self.rest_deadline,
            retry_until: Some(self.window_ends),
        };
        let sent = self
            .send::<EmptyBody>(
                "POST interaction callback",
                Repeat::Idempotent,
                budget,
                request,
            )
            .await;
        let retried = sent.retried();
        let sent = sent.result;
        match &sent {
            Ok(_) => self.record(id, next).await,
            Err(ReplyError::Http(error))
                if retried && discord_code(error) == Some(ALREADY_ACKNOWLEDGED) =>
            {
                // An earlier attempt of this very callback landed and only its answer was lost:
                // not another process, not another instance.
                tracing::info!(interaction = %id, "a retried callback had landed before");
                self.record(id, next).await;
                return Ok(());
            }
            Err(ReplyError::Http(error)) if discord_code(error) == Some(ALREADY_ACKNOWLEDGED) => {
                // Someone already acknowledged it: a replay after a crash (the first answer
                // landed before the process died), another process of the bot, or another
                // instance running with the same token.
                if previous == Stage::Fresh && !endpoint_deferred {
                    self.check_duplicate(id);
                }
                if self.answered_before().await {
                    tracing::info!(
                        interaction = %id,
                        "interaction was already answered (replayed after a restart); not answering again"
                    );
                    state.stage = Stage::AnsweredBefore;
                } else {
                    // Only deferred: what this one still has to say edits `@original`.
                    tracing::info!(
                        interaction = %id,
                        "interaction was already acknowledged; continuing with edits"
                    );
                    state.stage = Stage::Deferred { ephemeral: false };
                }
                return Ok(());
            }
            Err(ReplyError::Http(error)) if matches!(error.kind(), ErrorType::Response { .. }) => {
                state.stage = previous;
            }
            Err(_) => {}
        }
        sent.map(drop)
    }

    /// Whether `@original` holds a finished answer (not "thinking..."); `false` when it cannot
    /// be read, so the answer is still attempted.
    async fn answered_before(&self) -> bool {
        match self.original().await {
            Ok(message) => !message
                .flags
                .is_some_and(|flags| flags.contains(MessageFlags::LOADING)),
            Err(error) => {
                tracing::debug!(error = %crate::error::chain(&error), "could not read @original");
                false
            }
        }
    }

    /// Tells the ledger (if any) what this process acknowledged.
    async fn record(&self, id: Id<InteractionMarker>, stage: Stage) {
        let (Some(ledger), Some(ack)) = (&self.ledger, stage.acknowledged()) else {
            return;
        };
        match novera_core::within(self.rest_deadline, ledger.acknowledged(id, ack)).await {
            Some(Ok(())) => {}
            Some(Err(error)) => {
                tracing::warn!(interaction = %id, %error, "could not record an acknowledgement");
            }
            None => tracing::warn!(interaction = %id, "recording an acknowledgement timed out"),
        }
    }

    async fn edit_original_raw(&self, reply: &Reply) -> Result<Message, ReplyError> {
        let Target::Interaction { token, .. } = &self.target else {
            return Err(ReplyError::Unsupported("not an interaction"));
        };
        let mentions = reply.mentions();
        let client = self.rest.http.interaction(self.application_id);
        let mut request = client
            .update_response(token)
            .allowed_mentions(Some(&mentions));
        if let Some(content) = &reply.content {
            request = request.content(Some(content));
        }
        if let Some(embeds) = &reply.embeds {
            request = request.embeds(Some(embeds));
        }
        if let Some(components) = &reply.components {
            request = request.components(Some(components));
        }
        self.bounded_model("PATCH @original", Repeat::Idempotent, request)
            .await
    }

    async fn followup_raw(&self, reply: &Reply) -> Result<Message, ReplyError> {
        let Target::Interaction { token, .. } = &self.target else {
            return Err(ReplyError::Unsupported("not an interaction"));
        };
        let mentions = reply.mentions();
        let client = self.rest.http.interaction(self.application_id);
        let mut request = client
            .create_followup(token)
            .allowed_mentions(Some(&mentions));
        if let Some(content) = &reply.content {
            request = request.content(content);
        }
        if let Some(embeds) = &reply.embeds {
            request = request.embeds(embeds);
        }
        if let Some(components) = &reply.components {
            request = request.components(components);
        }
        if let Some(flags) = reply.flags() {
            request = request.flags(flags);
        }
        // A follow-up takes no nonce: a repeat would post it twice, unless nothing reached Discord.
        self.bounded_model("POST follow-up", Repeat::UnlessDelivered, request)
            .await
    }

    async fn delete_original(&self) -> Result<(), ReplyError> {
        let Target::Interaction { token, .. } = &self.target else {
            return Err(ReplyError::Unsupported("not an interaction"));
        };
        let client = self.rest.http.interaction(self.application_id);
        self.bounded(
            "DELETE @original",
            Repeat::Idempotent,
            client.delete_response(token),
        )
        .await
        .map(drop)
    }

    pub(crate) async fn create_message(
        &self,
        channel_id: Id<ChannelMarker>,
        reply_to: Option<Id<MessageMarker>>,
        reply: &Reply,
    ) -> Result<Message, ReplyError> {
        let mentions = reply.mentions();
        let mut request = self
            .rest
            .http
            .create_message(channel_id)
            .allowed_mentions(Some(&mentions));
        if let Some(to) = reply_to {
            request = request.reply(to).fail_if_not_exists(false);
        }
        if let Some(content) = &reply.content {
            request = request.content(content);
        }
        if let Some(embeds) = &reply.embeds {
            request = request.embeds(embeds);
        }
        if let Some(components) = &reply.components {
            request = request.components(components);
        }
        // The process's nonce: names this instance on the message, and makes a resend return
        // the message already created instead of a second one, so it is repeated like an edit
        // (every attempt carries the same nonce).
        let request = crate::nonce::stamp(request.try_into_request()?, &self.rest.instance)?;
        let response = self
            .send::<Message>("POST message", Repeat::Idempotent, self.budget(), request)
            .await
            .result?;
        Ok(deadline("POST message", self.rest_deadline, response.model()).await??)
    }

    pub(crate) async fn edit_channel_message(
        &self,
        channel_id: Id<ChannelMarker>,
        message_id: Id<MessageMarker>,
        reply: &Reply,
    ) -> Result<Message, ReplyError> {
        let mentions = reply.mentions();
        let mut request = self
            .rest
            .http
            .update_message(channel_id, message_id)
            .allowed_mentions(Some(&mentions));
        if let Some(content) = &reply.content {
            request = request.content(Some(content));
        }
        if let Some(embeds) = &reply.embeds {
            request = request.embeds(Some(embeds));
        }
        if let Some(components) = &reply.components {
            request = request.components(Some(components));
        }
        self.bounded_model("PATCH message", Repeat::Idempotent, request)
            .await
    }

    /// Runs one REST call through the REST guard under the REST deadline, repeated where
    /// `repeat` says that is safe.
    async fn bounded<T: Unpin, B>(
        &self,
        what: &'static str,
        repeat: Repeat,
        builder: B,
    ) -> Result<Response<T>, ReplyError>
    where
        B: TryIntoRequest + IntoFuture<Output = Result<Response<T>, twilight_http::Error>>,
    {
        let request = builder.try_into_request()?;
        self.send(what, repeat, self.budget(), request).await.result
    }

    /// [`bounded`](Self::bounded), then reads the body (never repeated: the request landed).
    async fn bounded_model<T, B>(
        &self,
        what: &'static str,
        repeat: Repeat,
        builder: B,
    ) -> Result<T, ReplyError>
    where
        T: serde::de::DeserializeOwned + Unpin + Send,
        B: TryIntoRequest + IntoFuture<Output = Result<Response<T>, twilight_http::Error>>,
    {
        let response = self.bounded(what, repeat, builder).await?;
        Ok(deadline(what, self.rest_deadline, response.model()).await??)
    }

    /// The REST deadline for all attempts of one call.
    fn budget(&self) -> Budget {
        Budget {
            total: self.rest_deadline,
            retry_until: None,
        }
    }

    /// Sends a built request through the REST guard within `budget`; every attempt (`retry.rs`)
    /// is a copy of it sent through the guard, which counts and may refuse each one.
    async fn send<T: Unpin>(
        &self,
        what: &'static str,
        repeat: Repeat,
        budget: Budget,
        request: Request,
    ) -> retry::Sent<Response<T>> {
        if let Some(at) = self.answered_over_http.get() {
            tokio::time::sleep_until(*at + HTTP_ANSWER_SETTLE).await;
        }
        let (guard, http, request) = (&self.rest.guard, &self.rest.http, &request);
        retry::send(what, repeat, budget, move || {
            guard.send::<T>(http, request.clone())
        })
        .await
    }
}

/// The JSON error code of a Discord error response, if that is what `error` is.
pub(crate) fn discord_code(error: &twilight_http::Error) -> Option<u64> {
    match error.kind() {
        ErrorType::Response {
            error: ApiError::General(general),
            ..
        } => Some(general.code),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_takeover_resumes_where_the_ledger_says() {
        for ack in [
            Acknowledged::Deferred { ephemeral: true },
            Acknowledged::Deferred { ephemeral: false },
            Acknowledged::DeferredUpdate,
            Acknowledged::Responded,
            Acknowledged::ModalShown,
        ] {
            assert_eq!(Stage::resumed(ack).acknowledged(), Some(ack));
        }
        assert_eq!(Stage::Fresh.acknowledged(), None);
        assert_eq!(
            Stage::Responded {
                original_is_component: true
            }
            .acknowledged(),
            Some(Acknowledged::Responded)
        );
    }
}
