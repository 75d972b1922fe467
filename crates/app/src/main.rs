//! `novera`: the Novera bot binary.
//!
//! Placeholder until the app issue lands: it says what it will do and exits non-zero, honestly.

use std::process::ExitCode;

fn main() -> ExitCode {
    #[allow(
        clippy::print_stderr,
        reason = "a binary's one message to its operator"
    )]
    {
        eprintln!(
            "novera: not runnable yet. This binary will load configuration, connect to Discord \
             (or, without a token, to the embedded novera-sim) and serve commands once the \
             gateway, commands, health and app crates land."
        );
    }
    ExitCode::from(2)
}
