//! The binary's side of the configuration fuzz (issue 17; the in-process properties are in
//! `src/config/fuzz.rs`): `novera check-config` with a random value for one of the keys of
//! every type exits 0 or 78, never anything else; on 78 its error names the key and the
//! variable, and nothing panicked. 40 seeded cases (each one a process), counted.

mod common;

use std::io::Write as _;

use common::{Novera, command};
use proptest::prelude::*;
use proptest::strategy::ValueTree as _;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

const CASES: usize = 40;

/// One key of every kind of value, and one that does not exist.
const VARIABLES: [&str; 16] = [
    "NOVERA_HEALTH__LISTEN",
    "NOVERA_DISCORD__LARGE_THRESHOLD",
    "NOVERA_DISCORD__API_URL",
    "NOVERA_DISCORD__INTENTS",
    "NOVERA_DISCORD__REST_TIMEOUT",
    "NOVERA_SHARDS__COUNT",
    "NOVERA_SHARDS__RANGE",
    "NOVERA_CACHE__RESOURCES",
    "NOVERA_CACHE__MESSAGE_CACHE_SIZE",
    "NOVERA_LOG__FORMAT",
    "NOVERA_LOG__ROTATION",
    "NOVERA_COMMANDS__REGISTRATION",
    "NOVERA_COMMANDS__DEFER_AFTER",
    "NOVERA_COMMANDS__MAX_IN_FLIGHT",
    "NOVERA_HEALTH__SAMPLE_PERIOD",
    "NOVERA_NO_SUCH__KEY",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            "-1",
            "0",
            "1e400",
            "3s",
            "-5s",
            "abc",
            "[\"NOPE\"]",
            "9..2",
            "guild:x",
            "999999",
            "json",
            "tcp://x",
            "0.0.0.0:99999",
        ])
        .prop_map(str::to_owned),
        // Any text a process environment can carry (no NUL).
        any::<String>().prop_map(|s| s.replace('\0', "")),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_config_exits_0_or_78_naming_the_key() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = (prop::sample::select(VARIABLES.to_vec()), value());
    let (mut refused, mut accepted) = (0, 0);
    for _ in 0..CASES {
        let (variable, value) = strategy.new_tree(&mut runner).expect("a case").current();
        let mut cmd = command(dir.path());
        cmd.arg("check-config").env(variable, &value);
        let mut novera = Novera::spawn(cmd);
        let code = novera.exit().await.code();
        let stderr = novera.stderr();
        assert!(
            !stderr.contains("panicked"),
            "{variable}={value:?}: {stderr}"
        );
        match code {
            Some(0) => accepted += 1,
            Some(78) => {
                refused += 1;
                let key = variable
                    .trim_start_matches("NOVERA_")
                    .to_ascii_lowercase()
                    .replace("__", ".");
                let first = key.split('.').next().unwrap_or_default();
                assert!(
                    stderr.contains(&format!("`{key}")) || stderr.contains(&format!("`{first}`")),
                    "{variable}={value:?} does not name the key: {stderr}"
                );
                assert!(
                    stderr.contains("environment variable NOVERA_"),
                    "{variable}={value:?} does not name the variable: {stderr}"
                );
            }
            other => panic!("{variable}={value:?} exited {other:?}:\n{}", novera.dump()),
        }
    }
    assert!(
        refused > 0,
        "no case was refused: the cases are not testing anything"
    );
    let _ = writeln!(
        std::io::stderr(),
        "config fuzz (binary): {CASES} processes, {refused} exited 78, {accepted} exited 0"
    );
}
