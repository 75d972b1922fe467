//! Property tests of configuration loading (issue 17): any value for any key, from the
//! environment, a `.env` file or `novera.toml`, and any unknown key or broken file, either loads
//! or is refused with an error that names the key and where it came from (the binary exits 78
//! on it: `tests/config_fuzz.rs` checks that end to end). Nothing panics, and a secret's value is
//! never shown. 2,000 cases per property with a fixed seed; each prints how many it tried.

use std::cell::Cell;
use std::io::Write as _;

use proptest::prelude::*;
use proptest::test_runner::{
    Config as RunnerConfig, RngAlgorithm, TestCaseError, TestRng, TestRunner,
};

use super::{Config, Sources};

const CASES: u32 = 2000;

/// Keys whose value is a secret.
const SECRETS: [&str; 2] = ["token", "alerts.webhook_url"];

fn runner() -> TestRunner {
    let config = RunnerConfig {
        cases: CASES,
        failure_persistence: None,
        ..RunnerConfig::default()
    };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

fn report(what: &str, tried: &Cell<u64>) {
    let _ = writeln!(
        std::io::stderr(),
        "config fuzz ({what}): {CASES} cases, {} configurations tried",
        tried.get()
    );
}

/// Every key but `token_file`, whose value names a file to read (a test reads no file outside
/// the repository; its refusals are tested with explicit files).
fn key() -> impl Strategy<Value = String> {
    let keys: Vec<String> = Config::key_paths()
        .into_iter()
        .filter(|k| k != "token_file")
        .collect();
    prop::sample::select(keys)
}

/// What someone may write as a value: typos of the right thing, the wrong type, odd Unicode,
/// huge numbers, durations out of range, TOML-looking text.
fn value() -> impl Strategy<Value = String> {
    let near = prop::sample::select(vec![
        "",
        " ",
        "0",
        "-1",
        "1",
        "250",
        "251",
        "49",
        "18446744073709551616",
        "1e400",
        "NaN",
        "true",
        "yes",
        "5s",
        "2.5s",
        "3s",
        "-1s",
        "0s",
        "999999999999h",
        "1 fortnight",
        "off",
        "global",
        "guild:",
        "guild:abc",
        "guild:123",
        "auto",
        "0..1",
        "3..1",
        "1..",
        "..",
        "127.0.0.1:0",
        "127.0.0.1:99999",
        "[::1]:80",
        "localhost",
        "http://",
        "ftp://x",
        "wss://x",
        "http://127.0.0.1:1",
        "[\"GUILDS\"]",
        "[\"NOPE\"]",
        "[1, 2]",
        "{a = 1}",
        "json",
        "pretty",
        "hourly",
        "never",
        "!",
        "! !",
        "\u{200f}",
        "\u{0}",
        "👍🏽",
    ]);
    prop_oneof![
        3 => near.prop_map(str::to_owned),
        1 => any::<String>(),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => "[a-z]{1,8}:[0-9]{1,6}",
    ]
}

/// Where a value comes from.
#[derive(Debug, Clone, Copy)]
enum Source {
    Env,
    Dotenv,
    Toml,
}

fn source() -> impl Strategy<Value = Source> {
    prop_oneof![Just(Source::Env), Just(Source::Dotenv), Just(Source::Toml)]
}

/// The variable that sets `key`.
fn variable(key: &str) -> String {
    format!("NOVERA_{}", key.replace('.', "__").to_ascii_uppercase())
}

/// A `novera.toml` setting `key` to `value` (a TOML string, or the value itself when it is a
/// TOML value on its own, like `250` or `["GUILDS"]`).
fn toml_text(key: &str, value: &str) -> String {
    let literal = if toml::from_str::<toml::Table>(&format!("v = {value}")).is_ok() {
        value.to_owned()
    } else {
        toml::Value::String(value.to_owned()).to_string()
    };
    match key.rsplit_once('.') {
        Some((table, leaf)) => format!("[{table}]\n{leaf} = {literal}\n"),
        None => format!("{key} = {literal}\n"),
    }
}

/// A `.env` line setting `variable` to `value`, quoted so any text survives.
fn dotenv_line(variable: &str, value: &str) -> String {
    let escaped = value.replace('\\', "\\\\").replace('\'', "\\'");
    format!("{variable}='{escaped}'\n")
}

/// Loads a configuration with one key set from one source.
fn load(
    dir: &std::path::Path,
    key: &str,
    value: &str,
    source: Source,
) -> (Result<Config, String>, String) {
    let variable = variable(key);
    let mut sources = Sources::default();
    let origin = match source {
        Source::Env => {
            sources.env = vec![(variable.clone(), value.to_owned())];
            variable
        }
        Source::Dotenv => {
            let path = dir.join("fuzz.env");
            std::fs::write(&path, dotenv_line(&variable, value)).expect("write .env");
            sources.dotenv = Some(path);
            variable
        }
        Source::Toml => {
            let path = dir.join("fuzz.toml");
            std::fs::write(&path, toml_text(key, value)).expect("write novera.toml");
            sources.config_file = Some(path.clone());
            path.display().to_string()
        }
    };
    (Config::load(&sources).map_err(|e| e.to_string()), origin)
}

#[test]
fn any_value_of_any_key_loads_or_names_the_key_and_its_source() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let tried = Cell::new(0);
    runner()
        .run(&(key(), value(), source()), |(key, value, source)| {
            tried.set(tried.get() + 1);
            let (loaded, origin) = load(dir.path(), &key, &value, source);
            let Err(error) = loaded else {
                return Ok(());
            };
            // A `.env` file that cannot be read is named as a file, not a key.
            if error.starts_with("cannot read .env file") {
                prop_assert!(error.contains("fuzz.env"), "{}", error);
                return Ok(());
            }
            // The key, or a field inside it (a table written where a string goes).
            prop_assert!(
                error.contains(&format!("`{key}`")) || error.contains(&format!("`{key}.")),
                "{key} = {value:?} from {source:?}: {error}"
            );
            prop_assert!(
                error.contains(&origin),
                "{} does not name {}",
                error,
                origin
            );
            if SECRETS.contains(&key.as_str()) && value.trim().len() >= 4 {
                prop_assert!(
                    !error.contains(value.trim()),
                    "a secret was shown: {}",
                    error
                );
            }
            Ok(())
        })
        .expect("every value loads or is refused by name");
    report("values", &tried);
}

#[test]
fn unknown_keys_and_broken_files_are_refused_by_name() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let tried = Cell::new(0);
    let known = Config::key_paths();
    let unknown = "[a-z]{1,6}(_[a-z]{1,6})?(\\.[a-z]{1,6}(_[a-z]{1,6})?){0,2}".prop_filter(
        "not a key or a section",
        move |k| {
            !known.iter().any(|known| {
                known == k
                    || known.starts_with(&format!("{k}."))
                    || k.starts_with(&format!("{known}."))
            })
        },
    );
    let broken = prop_oneof![
        any::<String>(),
        "\\[[a-z]{0,5}\n[a-z]{1,5} = ".prop_map(|s| s),
        Just("[health]\nlisten = 1\nlisten = 2\n".to_owned()),
    ];
    runner()
        .run(&(unknown, broken), |(key, text)| {
            tried.set(tried.get() + 1);
            // An unknown key from the environment: named, with its variable.
            let sources = Sources {
                env: vec![(variable(&key), "1".to_owned())],
                ..Sources::default()
            };
            let error = Config::load(&sources)
                .err()
                .ok_or_else(|| TestCaseError::fail(format!("{key} was accepted")))?
                .to_string();
            // figment stops at the first part of the key that is unknown (`zz` of `zz.port`)
            // and names it with its variable.
            let parts: Vec<&str> = key.split('.').collect();
            let named = (1..=parts.len()).any(|n| {
                let unknown = parts[..n].join(".");
                error.contains(&format!("unknown key `{unknown}`"))
                    && error.contains(&variable(&unknown))
            });
            prop_assert!(named, "{} is not named: {}", key, error);
            // A file that is not TOML, or not this configuration: refused, naming the file.
            let path = dir.path().join("broken.toml");
            std::fs::write(&path, &text).expect("write file");
            let sources = Sources {
                config_file: Some(path.clone()),
                ..Sources::default()
            };
            if let Err(error) = Config::load(&sources).map_err(|e| e.to_string()) {
                prop_assert!(
                    error.contains("broken.toml") || error.contains('`'),
                    "names neither file nor key: {}",
                    error
                );
            }
            Ok(())
        })
        .expect("unknown keys and broken files are refused by name");
    report("unknown keys and files", &tried);
}
