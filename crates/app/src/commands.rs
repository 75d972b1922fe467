//! The commands this binary serves: the one place where command crates plug in.
//!
//! A command crate exposes a `CommandSet` (see docs/writing-commands.md); add it to the list
//! below and to `crates/app/Cargo.toml`. Names must be unique across sets: the router refuses
//! to start otherwise (exit 78, naming the command).

use novera_commands::CommandSet;

/// Every command set the binary routes and registers, in one list; `diagnostics` adds the
/// operator's `/diag` (`commands.diagnostics`).
pub(crate) fn command_sets(diagnostics: bool) -> Vec<CommandSet> {
    let mut sets = vec![
        // /ping, /status, /ask, /poll, /help.
        novera_commands::builtins(),
        // /roll: the reference command crate (examples/command-crate).
        novera_example_dice::commands(),
    ];
    if diagnostics {
        sets.push(crate::diag::commands());
    }
    sets
}
