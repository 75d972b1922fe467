//! A figment provider for environment-style variables, from the process or from a `.env` file.
//!
//! figment's own `Env` reads only the process environment; the `.env` layer needs the same key
//! mapping over a file's pairs, and tests need it over explicit pairs, so one provider serves all.

use figment::value::{Dict, Map, Value};
use figment::{Error, Metadata, Profile, Provider};

const PREFIX: &str = "NOVERA_";
/// `NOVERA_CONFIG` names the file; it is not a key.
const NOT_KEYS: &[&str] = &["NOVERA_CONFIG"];
/// Kubernetes injects service links for a Service named `novera` (`NOVERA_PORT`,
/// `NOVERA_PORT_8686_TCP_ADDR`, `NOVERA_SERVICE_HOST`, ...); they are not configuration.
const SERVICE_LINK_PREFIXES: &[&str] = &["NOVERA_PORT", "NOVERA_SERVICE_"];

/// Variables mapped to configuration keys: `NOVERA_HEALTH__LISTEN` -> `health.listen`.
#[derive(Debug, Clone)]
pub(crate) struct EnvSource {
    name: &'static str,
    token_only: bool,
    entries: Vec<(Vec<String>, Value)>,
}

impl EnvSource {
    /// `NOVERA_*` variables, `__` separating nested keys.
    pub(crate) fn prefixed(name: &'static str, vars: &[(String, String)]) -> Self {
        let entries = vars
            .iter()
            .filter(|(k, _)| {
                k.starts_with(PREFIX)
                    && !NOT_KEYS.contains(&k.as_str())
                    && !SERVICE_LINK_PREFIXES.iter().any(|p| k.starts_with(p))
            })
            .map(|(k, v)| {
                let rest = &k[PREFIX.len()..];
                let mut path: Vec<String> = rest.split("__").map(str::to_ascii_lowercase).collect();
                if path.iter().any(String::is_empty) {
                    // A typo like `NOVERA_HEALTH____LISTEN` names no key: kept whole, so it is
                    // refused as an unknown key instead of being ignored without a word.
                    path = vec![rest.to_ascii_lowercase()];
                }
                let value = if path == ["token"] || path.last().is_some_and(|l| l == "webhook_url")
                {
                    // Secrets stay strings even when they look like numbers.
                    Value::from(v.clone())
                } else {
                    v.parse()
                        .unwrap_or_else(|never: std::convert::Infallible| match never {})
                };
                (path, value)
            })
            .collect();
        Self {
            name,
            token_only: false,
            entries,
        }
    }

    /// `DISCORD_TOKEN`, as the Python bot read it.
    pub(crate) fn discord_token(name: &'static str, vars: &[(String, String)]) -> Self {
        let entries = vars
            .iter()
            .filter(|(k, _)| k == "DISCORD_TOKEN")
            .map(|(_, v)| (vec!["token".to_owned()], Value::from(v.clone())))
            .collect();
        Self {
            name,
            token_only: true,
            entries,
        }
    }

    /// The variable that sets `path`.
    pub(crate) fn variable_for(token_only: bool, path: &[&str]) -> String {
        if token_only {
            "DISCORD_TOKEN".to_owned()
        } else {
            format!("{PREFIX}{}", path.join("__").to_ascii_uppercase())
        }
    }
}

impl Provider for EnvSource {
    fn metadata(&self) -> Metadata {
        let token_only = self.token_only;
        Metadata::named(self.name)
            .interpolater(move |_profile, path| Self::variable_for(token_only, path))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, Error> {
        let mut root = Dict::new();
        for (path, value) in &self.entries {
            insert(&mut root, path, value.clone());
        }
        Ok(Profile::Default.collect(root))
    }
}

fn insert(dict: &mut Dict, path: &[String], value: Value) {
    match path {
        [] => {}
        [last] => {
            dict.insert(last.clone(), value);
        }
        [first, rest @ ..] => {
            let child = dict
                .entry(first.clone())
                .or_insert_with(|| Value::from(Dict::new()));
            if child.as_dict().is_none() {
                *child = Value::from(Dict::new());
            }
            if let Value::Dict(_, inner) = child {
                insert(inner, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_keys_and_exclusions() {
        let vars = vec![
            ("NOVERA_HEALTH__LISTEN".to_owned(), "0.0.0.0:1".to_owned()),
            ("NOVERA_CONFIG".to_owned(), "x.toml".to_owned()),
            ("NOVERA_TOKEN".to_owned(), "12345".to_owned()),
            ("PATH".to_owned(), "/bin".to_owned()),
            ("NOVERA_PORT".to_owned(), "tcp://10.0.0.1:8686".to_owned()),
            (
                "NOVERA_PORT_8686_TCP_ADDR".to_owned(),
                "10.0.0.1".to_owned(),
            ),
            ("NOVERA_SERVICE_HOST".to_owned(), "10.0.0.1".to_owned()),
        ];
        let data = EnvSource::prefixed("env", &vars).data().unwrap();
        let dict = &data[&Profile::Default];
        assert_eq!(dict.len(), 2, "{dict:?}");
        assert_eq!(
            dict["health"].as_dict().unwrap()["listen"].as_str(),
            Some("0.0.0.0:1")
        );
        assert_eq!(dict["token"].as_str(), Some("12345"));
    }

    #[test]
    fn a_variable_with_an_empty_segment_is_kept_whole_to_be_refused() {
        let vars = vec![("NOVERA_HEALTH____LISTEN".to_owned(), "x".to_owned())];
        let data = EnvSource::prefixed("env", &vars).data().unwrap();
        let dict = &data[&Profile::Default];
        assert_eq!(dict["health____listen"].as_str(), Some("x"));
        assert_eq!(
            EnvSource::variable_for(false, &["health____listen"]),
            "NOVERA_HEALTH____LISTEN"
        );
    }
}
