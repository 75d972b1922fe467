//! `TimerContext`: what a command's timer handler gets when one of its timers fires.
//!
//! There is no interaction to answer: a timer may fire long after the command ran, after a
//! restart, on another process. The handler reads its state and acts with the bot's own REST
//! rights (send or edit a message it posted); messages mention nobody unless the [`Reply`]
//! opts in, as with [`Context`](crate::Context).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use novera_cache::Cache;
use twilight_http::Client;
use twilight_model::channel::Message;
use twilight_model::id::Id;
use twilight_model::id::marker::{ApplicationMarker, ChannelMarker, MessageMarker};

use crate::error::ReplyError;
use crate::reply::Reply;
use crate::responder::{Kind, Responder, Rest, Target};
use crate::state::{CommandState, LeasedTimer};

/// One firing of a command's timer (see [`Command::timer`](crate::Command::timer)).
#[derive(Clone)]
pub struct TimerContext {
    rest: Rest,
    application_id: Id<ApplicationMarker>,
    cache: Arc<Cache>,
    rest_deadline: Duration,
    state: CommandState,
    command: Arc<str>,
    key: String,
    due_at: SystemTime,
    attempt: u32,
}

impl std::fmt::Debug for TimerContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimerContext")
            .field("command", &self.command)
            .field("key", &self.key)
            .field("attempt", &self.attempt)
            .finish_non_exhaustive()
    }
}

impl TimerContext {
    /// The router's pieces a timer handler may use (taken apart here rather than holding the
    /// router's shared state, so the `Command` trait's module does not depend on the context's).
    pub(crate) fn new(
        rest: Rest,
        application_id: Id<ApplicationMarker>,
        cache: Arc<Cache>,
        rest_deadline: Duration,
        state: CommandState,
        timer: &LeasedTimer,
    ) -> Self {
        Self {
            rest,
            application_id,
            cache,
            rest_deadline,
            command: Arc::from(state.namespace()),
            state,
            key: timer.key.clone(),
            due_at: timer.due_at,
            attempt: timer.attempt,
        }
    }

    /// The command whose timer fired.
    #[must_use]
    pub fn command_name(&self) -> &str {
        &self.command
    }

    /// The key the command scheduled it under.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// When it was due (earlier than now when the bot was down at the time).
    #[must_use]
    pub fn due_at(&self) -> SystemTime {
        self.due_at
    }

    /// 1 for the first firing; more when an earlier firing failed or its process died.
    #[must_use]
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The command's state (the same as its invocations' `ctx.state()`).
    #[must_use]
    pub fn state(&self) -> CommandState {
        self.state.clone()
    }

    /// The raw REST client; like [`Context::http`](crate::Context::http), requests sent on it
    /// bypass the bot's REST guard ([`send_message`](Self::send_message) and
    /// [`edit_message`](Self::edit_message) go through it).
    #[must_use]
    pub fn http(&self) -> &Client {
        &self.rest.http
    }

    /// The application id.
    #[must_use]
    pub fn application_id(&self) -> Id<ApplicationMarker> {
        self.application_id
    }

    /// The gateway's cache.
    #[must_use]
    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// Posts `reply` in `channel_id`.
    pub async fn send_message(
        &self,
        channel_id: Id<ChannelMarker>,
        reply: impl Into<Reply>,
    ) -> Result<Message, ReplyError> {
        self.responder(channel_id)
            .create_message(channel_id, None, &reply.into())
            .await
    }

    /// Edits the bot's message `message_id` in `channel_id` (e.g. the message of a poll).
    pub async fn edit_message(
        &self,
        channel_id: Id<ChannelMarker>,
        message_id: Id<MessageMarker>,
        reply: impl Into<Reply>,
    ) -> Result<Message, ReplyError> {
        self.responder(channel_id)
            .edit_channel_message(channel_id, message_id, &reply.into())
            .await
    }

    /// A responder for plain channel messages, with the router's REST deadline.
    fn responder(&self, channel_id: Id<ChannelMarker>) -> Responder {
        Responder::new(
            self.rest.clone(),
            self.application_id,
            Target::Message {
                channel_id,
                // Not replied to: only the channel is used for sending and editing.
                message_id: Id::new(1),
            },
            Kind::Prefix,
            self.rest_deadline,
        )
    }
}
