//! An example command crate: `/roll` dice and `/duel` (a dice duel kept in command state), written
//! and tested by a team that touches nothing else in Novera.
//!
//! # Where it sits
//! It depends only on novera-commands (and twilight-interactions for the definition); its
//! tests use novera-testkit, which runs the real gateway and router against novera-sim. `app`
//! would serve it by adding [`commands()`] to its router. `docs/writing-commands.md` walks
//! through this crate.
//!
//! # Main types
//! - [`defs`] / [`commands`]: what the crate exposes (definitions alone, or with handlers).
//! - [`Dice`] / [`Roll`] / [`DiceError`]: the validated expression and its outcome.
//! - [`RollCommand`] / [`RollOptions`]: the handler and its options.
//! - [`DuelCommand`] / [`DuelOptions`]: a duel players join with a button until its timer ends
//!   it; state, clicks and the timer survive restarts (`ctx.state()`).
//!
//! # Tasks
//! None: the router runs the handlers (and the duel's timer) on its own tracked tasks.
//!
//! # Example
//! ```
//! let set = novera_example_dice::commands();
//! assert_eq!(set.defs()[0].name(), "roll");
//! assert_eq!(set.defs()[1].name(), "duel");
//! let dice = novera_example_dice::Dice::parse("2d6+1").unwrap();
//! assert_eq!(dice.to_string(), "2d6+1");
//! ```

mod dice;
mod duel;
mod roll;

use novera_commands::{CommandDef, CommandSet};

pub use dice::{Dice, DiceError, MAX_DICE, MAX_FACES, MAX_MODIFIER, Roll};
pub use duel::{DuelCommand, DuelOptions, MAX_PLAYERS};
pub use roll::{RollCommand, RollOptions};

/// This crate's command definitions, for registration (no handler is built).
#[must_use]
pub fn defs() -> Vec<CommandDef> {
    vec![roll::def(), duel::def()]
}

/// This crate's commands, to add to a router.
#[must_use]
pub fn commands() -> CommandSet {
    CommandSet::new()
        .with(roll::def(), RollCommand)
        .with(duel::def(), DuelCommand)
}
