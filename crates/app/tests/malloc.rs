//! The binary starts itself again with glibc's malloc set up (`GLIBC_TUNABLES`, see
//! `src/malloc.rs`) in the same process, and leaves an operator's own tunables alone.
#![cfg(all(target_os = "linux", target_env = "gnu"))]

mod common;

use common::ready_sandbox;

/// The settings `src/malloc.rs` starts the binary with.
const SETTINGS: &str = "glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=131072";

/// The environment block process `pid` runs with now, entries joined by `:`. glibc 2.36 parses
/// `GLIBC_TUNABLES` in place, leaving a NUL where each `:` between two tunables was, so a
/// variable reads back as `GLIBC_TUNABLES=a=1:b=2` either way.
fn environment_of(pid: u32) -> String {
    let environ = std::fs::read(format!("/proc/{pid}/environ")).expect("read environ");
    String::from_utf8_lossy(&environ).replace('\0', ":")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_runs_with_the_malloc_settings_in_the_process_it_was_started_as() {
    let dir = tempfile::tempdir().unwrap();
    let (novera, health, _sim) = ready_sandbox(dir.path(), &[]).await;
    // The process the test started (its PID) is the one that got ready, now with the settings.
    let environment = environment_of(novera.pid());
    assert!(
        environment.contains(&format!("GLIBC_TUNABLES={SETTINGS}")),
        "{environment}"
    );
    // Still named after the binary (`ps`, `pgrep novera`), not after a path it went through.
    let name = std::fs::read_to_string(format!("/proc/{}/comm", novera.pid())).unwrap();
    assert_eq!(name.trim(), "novera");
    let (code, _) = common::get(&format!("{health}/readyz")).await;
    assert_eq!(code, 200);
    assert!(
        !novera.stderr().contains("could not start again"),
        "{}",
        novera.dump()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tunables_the_operator_set_are_left_alone() {
    for chosen in ["", "glibc.malloc.arena_max=4"] {
        let dir = tempfile::tempdir().unwrap();
        let (novera, _health, _sim) =
            ready_sandbox(dir.path(), &[("GLIBC_TUNABLES", chosen)]).await;
        let environment = environment_of(novera.pid());
        assert!(
            environment.contains(&format!("GLIBC_TUNABLES={chosen}:")),
            "{environment}"
        );
        assert!(!environment.contains(SETTINGS), "{environment}");
    }
}
