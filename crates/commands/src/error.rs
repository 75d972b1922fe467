//! Error types of novera-commands.
//!
//! What a Discord user sees (reply text) is built by the router from [`CommandError`]; the types
//! here are what code and operators see. None of them ever carries the bot token or an
//! interaction token.

use std::fmt;
use std::time::Duration;

use novera_core::{BoxError, DeadlineExceeded};

/// Sending a reply, a deferral, an edit or a follow-up failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplyError {
    /// Discord (or the simulator) answered with an error, or the request could not be sent.
    #[error("discord request failed")]
    Http(#[from] twilight_http::Error),
    /// The response body was not what Discord documents.
    #[error("discord response could not be read")]
    Body(#[from] twilight_http::response::DeserializeBodyError),
    /// The request did not finish within the REST deadline.
    #[error(transparent)]
    Timeout(#[from] DeadlineExceeded),
    /// The operation does not apply to this invocation (e.g. updating the message of a slash
    /// command that has no component message).
    #[error("{0}")]
    Unsupported(&'static str),
    /// The REST guard refused to send the request: the bot is near Discord's invalid-request
    /// limit and the request would most likely fail again.
    #[error(transparent)]
    Refused(#[from] RestRefused),
}

impl From<RestError> for ReplyError {
    fn from(error: RestError) -> Self {
        match error {
            RestError::Refused(refused) => Self::Refused(refused),
            RestError::Http(error) => Self::Http(error),
        }
    }
}

/// A request sent through the [`RestGuard`](crate::RestGuard) failed or was not sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RestError {
    /// The guard refused to send it.
    #[error(transparent)]
    Refused(#[from] RestRefused),
    /// Discord (or the simulator) answered with an error, or the request could not be sent.
    #[error("discord request failed")]
    Http(#[source] twilight_http::Error),
}

/// A request the [`RestGuard`](crate::RestGuard) refused locally, so it never reached Discord.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "not sent, to keep the bot under discord's invalid-request limit: {route} ({reason}; {count} of {limit} invalid requests in the window)"
)]
#[non_exhaustive]
pub struct RestRefused {
    /// The route template (`POST /channels/{id}/messages`).
    pub route: String,
    /// Why.
    pub reason: Refusal,
    /// Invalid requests in the window when it was refused (requests in flight included).
    pub count: u64,
    /// The limit.
    pub limit: u64,
}

/// Why the guard refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The target (`channels/1`, `channels/1/messages/2`) answered `status` (403 or 404) a
    /// moment ago and would again.
    RecentlyFailed {
        /// What failed.
        target: String,
        /// How it failed.
        status: u16,
    },
    /// So close to the limit that only interaction responses and essentials are sent.
    EssentialsOnly,
}

impl Refusal {
    /// The metric label: `recently_failed`, `essentials_only`.
    #[must_use]
    pub fn label(&self) -> &'static str {
        match self {
            Self::RecentlyFailed { .. } => "recently_failed",
            Self::EssentialsOnly => "essentials_only",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RecentlyFailed { target, status } => {
                write!(f, "`{target}` answered {status} moments ago")
            }
            Self::EssentialsOnly => {
                f.write_str("only interaction responses and essentials are sent")
            }
        }
    }
}

impl RestRefused {
    /// What to tell the user who ran the command.
    #[must_use]
    pub fn user_message(&self) -> &'static str {
        match &self.reason {
            Refusal::RecentlyFailed { status: 403, .. } => FORBIDDEN_TEXT,
            Refusal::RecentlyFailed { .. } => GONE_TEXT,
            Refusal::EssentialsOnly => HOLDING_BACK_TEXT,
        }
    }
}

/// What a user reads when the bot lacks a permission where the command acted.
pub(crate) const FORBIDDEN_TEXT: &str = "I'm missing a permission in this channel, so I can't do that here. Ask a server admin to check my permissions.";
/// What a user reads when the message or channel the command acted on is gone.
pub(crate) const GONE_TEXT: &str = "That message or channel no longer exists.";
/// What a user reads while the guard only sends essentials.
pub(crate) const HOLDING_BACK_TEXT: &str = "I'm holding back requests to Discord for a few minutes to avoid being blocked. Please try again later.";

/// Registering command definitions failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegisterError {
    /// Discord (or the simulator) answered with an error, or the request could not be sent.
    #[error("discord request failed while registering commands")]
    Http(#[from] twilight_http::Error),
    /// The response body was not what Discord documents.
    #[error("registered commands could not be read")]
    Body(#[from] twilight_http::response::DeserializeBodyError),
    /// A definition could not be compared with what is registered.
    #[error("command definitions could not be serialized")]
    Serialize(#[from] serde_json::Error),
    /// The request did not finish within its deadline.
    #[error(transparent)]
    Timeout(#[from] DeadlineExceeded),
    /// Two definitions share a name and type.
    #[error("command `{0}` is defined twice")]
    Duplicate(String),
}

/// The router's configuration or command sets are invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Auto-defer must happen before Discord's 3 s window closes.
    #[error("auto_defer must be below 3s to beat discord's interaction window (got {0:?})")]
    AutoDeferTooLate(Duration),
    /// A zero deadline would fail every command.
    #[error("default_deadline must be above zero")]
    ZeroDeadline,
    /// A zero in-flight limit would answer every command with "busy".
    #[error("in_flight_limit must be at least 1")]
    ZeroInFlightLimit,
    /// The prefix is empty or contains whitespace.
    #[error("prefix must be non-empty and contain no whitespace (got {0:?})")]
    BadPrefix(String),
    /// Two command sets define the same command name.
    #[error("command `{0}` is defined twice")]
    DuplicateCommand(String),
    /// The REST guard's limit, window or levels are unusable.
    #[error("rest guard: {0}")]
    BadRestGuard(String),
    /// A command opted into prefix invocation but has an option a text message cannot carry.
    #[error(
        "command `{command}` cannot run from a prefix: option `{option}` is not a string, integer, number or boolean"
    )]
    PrefixUnsupported {
        /// The command.
        command: String,
        /// The offending option.
        option: String,
    },
}

/// What a command handler returns when it fails.
///
/// Two kinds, because the user and the operator need different things:
/// - [`CommandError::user`]: the user did something wrong (bad input, missing permission). The
///   router shows them the message as an ephemeral reply; it is not counted as a failure.
/// - anything else, usually through `?` on any error type: a bug or an outage. The router shows
///   the user a short reference id and logs the cause with the same id.
///
/// Like `anyhow::Error`, this type does not implement [`std::error::Error`] itself, so that
/// `impl<E: Error> From<E>` can exist and `?` works on every error in a handler.
pub struct CommandError {
    kind: Kind,
}

enum Kind {
    User(String),
    Internal(BoxError),
}

impl CommandError {
    /// An error to show the user as is (keep it short and actionable).
    pub fn user(message: impl Into<String>) -> Self {
        Self {
            kind: Kind::User(message.into()),
        }
    }

    /// An internal failure with a message for the operator's log.
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            kind: Kind::Internal(message.into().into()),
        }
    }

    /// The message meant for the user, when this is a user error.
    #[must_use]
    pub fn user_message(&self) -> Option<&str> {
        match &self.kind {
            Kind::User(message) => Some(message),
            Kind::Internal(_) => None,
        }
    }

    /// The error behind an internal failure (for the router to look into its chain).
    pub(crate) fn internal_error(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            Kind::Internal(error) => Some(error.as_ref()),
            Kind::User(_) => None,
        }
    }

    /// The cause as the operator should read it (the full source chain).
    #[must_use]
    pub fn cause(&self) -> String {
        match &self.kind {
            Kind::User(message) => message.clone(),
            Kind::Internal(error) => chain(error.as_ref()),
        }
    }
}

/// An error and its sources, on one line.
pub(crate) use novera_core::error_chain as chain;

impl<E> From<E> for CommandError
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn from(error: E) -> Self {
        Self {
            kind: Kind::Internal(Box::new(error)),
        }
    }
}

impl fmt::Debug for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::User(message) => f.debug_tuple("User").field(message).finish(),
            Kind::Internal(_) => f.debug_tuple("Internal").field(&self.cause()).finish(),
        }
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.cause())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn question_mark_keeps_the_source_chain() {
        fn fails() -> Result<(), CommandError> {
            Err(Outer(std::io::Error::other("disk on fire")))?;
            Ok(())
        }
        let err = fails().unwrap_err();
        assert_eq!(err.user_message(), None);
        assert_eq!(err.cause(), "outer: disk on fire");
    }

    #[test]
    fn user_errors_carry_their_message() {
        let err = CommandError::user("dice must be like 2d6");
        assert_eq!(err.user_message(), Some("dice must be like 2d6"));
    }
}
