//! Exit codes, and the one line an operator reads when the process stops for a reason.

use std::process::ExitCode;

/// Clean stop.
pub(crate) const OK: u8 = 0;
/// `EX_SOFTWARE`: the supervisor's restart budget was exhausted.
pub(crate) const SOFTWARE: u8 = 70;
/// `EX_CANTCREAT`: another `novera` holds the instance lock beside the session file (the
/// same bot is already running here); a supervisor must not restart.
pub(crate) const DUPLICATE: u8 = 73;
/// `EX_CONFIG`: configuration or credentials; a supervisor must not restart.
pub(crate) const CONFIG: u8 = 78;

/// Why the process stops with a non-zero code.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The exit code.
    pub(crate) code: u8,
    /// One line for the operator; never contains a secret.
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self {
            code: CONFIG,
            message: message.into(),
        }
    }

    pub(crate) fn duplicate(message: impl Into<String>) -> Self {
        Self {
            code: DUPLICATE,
            message: message.into(),
        }
    }

    pub(crate) fn software(message: impl Into<String>) -> Self {
        Self {
            code: SOFTWARE,
            message: message.into(),
        }
    }
}

/// Prints the failure line (if any, redacted) to stderr and turns the outcome into an exit code.
pub(crate) fn report(outcome: Result<(), Failure>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::from(OK),
        Err(failure) => {
            #[allow(
                clippy::print_stderr,
                reason = "the binary's last word to its operator"
            )]
            {
                eprintln!("novera: {}", crate::redaction::redact(&failure.message));
            }
            ExitCode::from(failure.code)
        }
    }
}
