//! One bot, one instance on a host: an exclusive lock beside the session file.
//!
//! Two `novera run` processes with the same session file are two copies of one bot: every command
//! is answered twice, and the second one breaks Discord's identify concurrency on the way in
//! (a supervisor that restarts a merely slow process makes exactly that). The first process
//! holds an advisory lock on `<session file>.lock` for as long as it lives, and writes its pid
//! and start time into it; a second one fails to take it, names the holder and exits with
//! [`DUPLICATE`](crate::exit::DUPLICATE), which supervisors are told not to restart. A gateway
//! role locks its shards (`<session file>.shards-0-8.lock`): gateways of one host with other
//! shards run side by side. Workers have no shards and take no lock.
//!
//! The lock is the kernel's (`flock` through std's `File::try_lock`, stable since Rust 1.89,
//! so no crate is needed): it is released when the process dies however it dies, `kill -9`
//! included, so a stale lock file never blocks the next start (its stale text is overwritten).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::exit::Failure;

/// The held lock; dropping it (or the process ending) releases it.
#[derive(Debug)]
pub(crate) struct InstanceLock {
    _file: File,
    path: PathBuf,
}

impl InstanceLock {
    /// Takes the lock beside `session_path` (for `shards` only, when given), or fails naming
    /// the process that holds it.
    pub(crate) fn acquire(
        session_path: &Path,
        shards: Option<Range<u32>>,
        version: &str,
    ) -> Result<Self, Failure> {
        let path = lock_path(session_path, shards);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| cannot(&path, &e))?;
        }
        // Not truncated on open: the holder's text must survive a failed attempt to read it.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| cannot(&path, &e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                // Best effort: the holder may be between taking the lock and writing to it.
                let _ = file.read_to_string(&mut holder);
                return Err(Failure::duplicate(held_message(
                    session_path,
                    &path,
                    &holder,
                )));
            }
            Err(TryLockError::Error(e)) => return Err(cannot(&path, &e)),
        }
        let text = format!(
            "pid={}\nstarted_at={}\nversion={version}\n",
            std::process::id(),
            humantime::format_rfc3339_seconds(SystemTime::now())
        );
        file.set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(text.as_bytes()))
            .and_then(|()| file.flush())
            .map_err(|e| cannot(&path, &e))?;
        Ok(Self { _file: file, path })
    }

    /// The lock file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// `novera-sessions.json` -> `novera-sessions.json.lock` (`….shards-0-8.lock` for shards 0..8).
pub(crate) fn lock_path(session_path: &Path, shards: Option<Range<u32>>) -> PathBuf {
    let mut name = session_path.as_os_str().to_owned();
    if let Some(shards) = shards {
        name.push(format!(".shards-{}-{}", shards.start, shards.end));
    }
    name.push(".lock");
    PathBuf::from(name)
}

fn cannot(path: &Path, error: &std::io::Error) -> Failure {
    Failure::config(format!(
        "cannot take the instance lock {}: {error} (it sits beside session.path; that directory must be writable)",
        path.display()
    ))
}

/// The operator's line when another process holds the lock.
fn held_message(session_path: &Path, lock: &Path, holder: &str) -> String {
    let field = |name: &str| {
        holder
            .lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix('='))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let who = match (field("pid"), field("started_at")) {
        (Some(pid), Some(started)) => format!("pid {pid}, started {started}"),
        (Some(pid), None) => format!("pid {pid}"),
        _ => "a process that has not written its pid yet".to_owned(),
    };
    format!(
        "another novera is already running with session file {}: {who} (lock {}). Two copies of one bot answer every command twice: stop that one first, or give this one its own session.path if it is a different bot. Not restarting is right (exit code {}).",
        session_path.display(),
        lock.display(),
        crate::exit::DUPLICATE
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_fails_naming_the_first_and_the_lock_dies_with_its_holder() {
        let dir = tempfile::tempdir().unwrap();
        let sessions = dir.path().join("state").join("sessions.json");
        let first = InstanceLock::acquire(&sessions, None, "1.2.3").unwrap();
        assert_eq!(first.path(), dir.path().join("state/sessions.json.lock"));
        let text = std::fs::read_to_string(first.path()).unwrap();
        assert!(
            text.contains(&format!("pid={}", std::process::id())),
            "{text}"
        );

        let second = InstanceLock::acquire(&sessions, None, "1.2.3").unwrap_err();
        assert_eq!(second.code, crate::exit::DUPLICATE);
        assert!(
            second
                .message
                .contains(&format!("pid {}, started ", std::process::id())),
            "{}",
            second.message
        );
        assert!(
            second.message.contains("sessions.json.lock"),
            "{}",
            second.message
        );

        drop(first);
        let third = InstanceLock::acquire(&sessions, None, "1.2.4").unwrap();
        let text = std::fs::read_to_string(third.path()).unwrap();
        assert!(
            text.contains("version=1.2.4"),
            "the stale text is replaced: {text}"
        );
    }

    #[test]
    fn gateways_lock_their_shards_only() {
        let dir = tempfile::tempdir().unwrap();
        let sessions = dir.path().join("sessions.json");
        let low = InstanceLock::acquire(&sessions, Some(0..8), "1").unwrap();
        assert_eq!(low.path(), dir.path().join("sessions.json.shards-0-8.lock"));
        let _high = InstanceLock::acquire(&sessions, Some(8..16), "1").unwrap();
        let again = InstanceLock::acquire(&sessions, Some(0..8), "1").unwrap_err();
        assert_eq!(again.code, crate::exit::DUPLICATE);
    }

    #[test]
    fn a_holder_that_wrote_nothing_yet_is_still_named() {
        let message = held_message(Path::new("s.json"), Path::new("s.json.lock"), "");
        assert!(message.contains("has not written its pid yet"), "{message}");
        let message = held_message(
            Path::new("s.json"),
            Path::new("s.json.lock"),
            "pid=42\nstarted_at=2026-01-01T00:00:00Z\n",
        );
        assert!(
            message.contains("pid 42, started 2026-01-01T00:00:00Z"),
            "{message}"
        );
    }
}
