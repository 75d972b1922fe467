//! Built-in commands, each useful on its own: `/ping`, `/status`, `/ask`, `/poll`, `/help`.

mod ask;
mod help;
mod ping;
mod poll;
mod status;

use crate::command::CommandSet;
use crate::def::CommandDef;

/// The built-in commands' definitions alone (for registration).
#[must_use]
pub fn builtin_defs() -> Vec<CommandDef> {
    builtins().defs()
}

/// The built-in commands.
#[must_use]
pub fn builtins() -> CommandSet {
    CommandSet::new()
        .with(ping::def(), ping::Ping)
        .with(status::def(), status::Status)
        .with(ask::def(), ask::Ask)
        .with(poll::def(), poll::Poll)
        .with(help::def(), help::Help)
}

/// `1h 02m 03s`, `2m 05s`, `7s`.
pub(crate) fn human_duration(d: std::time::Duration) -> String {
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}h {m:02}m {s:02}s")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn every_builtin_has_a_valid_unique_definition() {
        let defs = builtin_defs();
        let mut names: Vec<&str> = defs.iter().map(CommandDef::name).collect();
        names.sort_unstable();
        assert_eq!(names, ["ask", "help", "ping", "poll", "status"]);
        for def in &defs {
            assert!(
                (1..=100).contains(&def.description().len()),
                "{}",
                def.name()
            );
        }
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(Duration::from_secs(7)), "7s");
        assert_eq!(human_duration(Duration::from_secs(125)), "2m 05s");
        assert_eq!(human_duration(Duration::from_secs(3723)), "1h 02m 03s");
    }
}
