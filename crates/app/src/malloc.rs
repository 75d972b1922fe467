//! glibc's malloc set up for a long-running bot: the binary starts itself again, once, with
//! `GLIBC_TUNABLES` naming two settings, before it does anything else.
//!
//! - `glibc.malloc.mmap_threshold=131072` fixes the size from which an allocation gets its own
//!   mapping (returned to the OS when freed). By default glibc raises that threshold to the size
//!   of any mapped block freed (up to 32 MiB) and its trim threshold to twice that, so after one
//!   large gateway frame (a big `GUILD_CREATE`, or the chaos soak's 4 MiB garbage frames) every
//!   arena keeps up to twice that frame's size of freed memory for good.
//! - `glibc.malloc.arena_max=2`: two arenas instead of up to eight per core, so that slack and the
//!   fragmentation of a cache that churns are not multiplied by the number of threads that ever
//!   allocated. One arena measured the same in memory but cost about 4 % CPU per event (threads
//!   waiting on its lock); two cost nothing measurable.
//!
//! Measured with `novera-bench chaos --minutes 10` (docs/reliability.md, "Memory"): with glibc's
//! defaults RSS grew by 14-20 % after the first minute while the live heap stayed under 4 MiB
//! (heaptrack); with these settings 3-9 % (one run of 13 % with four soaks sharing two cores),
//! ending lower than before. Throughput and the 1,000-guild memory figure are unchanged within the
//! noise (docs/benchmarks.md). mimalloc and jemalloc were measured too: mimalloc held RSS flat in
//! the soak, but a 1,000-guild cache cost 6-16 MiB more with it and 3.5 MiB more with jemalloc,
//! whose build also needs `make`.
//!
//! Why starting again: glibc reads its tunables only from the environment it starts with, and
//! `mallopt(3)` is out of reach without `unsafe` (forbidden here). The second start is an
//! `exec(2)` of the same file with the same arguments: same process ID and name (systemd,
//! `kill`, `pgrep` and exit codes see one process), before anything else runs. An operator
//! who sets `GLIBC_TUNABLES` (even to an empty string, for glibc's defaults) is left alone, and
//! that is also what stops a second round.

use std::ffi::OsString;

/// The environment variable glibc reads its tunables from.
pub(crate) const TUNABLES: &str = "GLIBC_TUNABLES";

/// The settings the binary starts itself with (see the module docs).
pub(crate) const SETTINGS: &str = "glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=131072";

/// Whether to start again with [`SETTINGS`]: only when the operator did not choose tunables.
pub(crate) fn wanted(tunables: Option<&OsString>) -> bool {
    tunables.is_none()
}

/// Starts the binary again with [`SETTINGS`] when [`wanted`]; returns only when it did not
/// (already set up, chosen by the operator, or the `exec` failed: then with the error, and the
/// bot runs on glibc's defaults).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(crate) fn set_up() -> Option<std::io::Error> {
    use std::os::unix::process::CommandExt as _;

    if !wanted(std::env::var_os(TUNABLES).as_ref()) {
        return None;
    }
    // The binary's own path, not `/proc/self/exe`: the kernel names the process after the file
    // it executes, and `ps`, `pgrep novera` and `top` should keep showing `novera`. If the file
    // was replaced since (an upgrade in place), the path ends in " (deleted)" and the `exec`
    // fails: the bot then runs on glibc's defaults.
    let program = match std::env::current_exe() {
        Ok(program) => program,
        Err(error) => return Some(error),
    };
    let mut args = std::env::args_os();
    let name = args.next().unwrap_or_else(|| OsString::from("novera"));
    Some(
        std::process::Command::new(program)
            .arg0(name)
            .args(args)
            .env(TUNABLES, SETTINGS)
            .exec(),
    )
}

/// Other platforms and C libraries keep their allocator's defaults.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn set_up() -> Option<std::io::Error> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_environment_without_tunables_starts_again() {
        assert!(wanted(None));
        assert!(!wanted(Some(&OsString::from(SETTINGS))));
        assert!(!wanted(Some(&OsString::new())));
        assert!(!wanted(Some(&OsString::from("glibc.malloc.arena_max=4"))));
    }

    #[test]
    fn the_settings_are_glibc_tunables() {
        for setting in SETTINGS.split(':') {
            let (name, value) = setting.split_once('=').expect("name=value");
            assert!(name.starts_with("glibc.malloc."), "{name}");
            assert!(value.parse::<u64>().is_ok(), "{value}");
        }
    }
}
