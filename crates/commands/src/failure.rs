//! What the router tells an observer when a handler fails, e.g. for the operator's alerting.
//!
//! The router already logs every failure at error level with a reference id. An observer gets the
//! same facts as a value, so the binary can raise an alert without parsing logs.

use std::fmt;
use std::sync::Arc;

/// How a handler failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// It returned an internal error.
    Error,
    /// It panicked.
    Panic,
    /// It missed its deadline and was cancelled.
    Deadline,
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Error => "error",
            Self::Panic => "panic",
            Self::Deadline => "deadline",
        })
    }
}

/// One failed invocation, with the reference id the user was shown.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommandFailure {
    /// The command's name.
    pub command: String,
    /// The reference id in the user's error reply and in the operator's log line.
    pub reference: String,
    /// How it failed.
    pub kind: FailureKind,
    /// The cause, as logged (panic message, error chain or deadline).
    pub cause: String,
}

/// Called once per failed invocation, on the handler's task; it must not block.
pub(crate) type FailureObserver = Arc<dyn Fn(&CommandFailure) + Send + Sync>;
