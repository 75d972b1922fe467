//! `Registry`: the composed command sets, by name.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::command::{Command, CommandSet};
use crate::def::CommandDef;
use crate::error::ConfigError;
use crate::prefix;

pub(crate) struct Entry {
    pub(crate) def: CommandDef,
    pub(crate) handler: Arc<dyn Command>,
}

/// Every command the router serves, sorted by name (what `/help` lists).
pub struct Registry {
    entries: BTreeMap<String, Arc<Entry>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.entries.keys()).finish()
    }
}

impl Registry {
    /// Composes command sets as the router does: names must be unique across sets, and with
    /// prefix commands enabled every definition that opts in must be invocable from text.
    /// `novera register-commands` uses it to register exactly what the router would serve.
    pub fn build(sets: Vec<CommandSet>, prefix_enabled: bool) -> Result<Self, ConfigError> {
        let mut entries = BTreeMap::new();
        for (def, handler) in sets.into_iter().flat_map(CommandSet::into_entries) {
            if prefix_enabled && def.allows_prefix() {
                prefix::check(&def)?;
            }
            let name = def.name().to_owned();
            if entries
                .insert(name.clone(), Arc::new(Entry { def, handler }))
                .is_some()
            {
                return Err(ConfigError::DuplicateCommand(name));
            }
        }
        Ok(Self { entries })
    }

    /// Every definition, sorted by name.
    pub fn defs(&self) -> impl Iterator<Item = &CommandDef> {
        self.entries.values().map(|e| &e.def)
    }

    /// The definition of `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&CommandDef> {
        self.entries.get(name).map(|e| &e.def)
    }

    /// Number of commands.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no commands.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn entry(&self, name: &str) -> Option<&Arc<Entry>> {
        self.entries.get(name)
    }
}

/// The command owning a `custom_id`: the part before the first `:`.
pub(crate) fn owner_of(custom_id: &str) -> Option<&str> {
    custom_id.split_once(':').map(|(owner, _)| owner)
}

#[cfg(test)]
mod tests {
    use super::owner_of;

    #[test]
    fn custom_ids_name_their_command() {
        assert_eq!(owner_of("poll:vote:1"), Some("poll"));
        assert_eq!(owner_of("poll:"), Some("poll"));
        assert_eq!(owner_of("nothing"), None);
    }
}
