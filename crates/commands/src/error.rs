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
}

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
