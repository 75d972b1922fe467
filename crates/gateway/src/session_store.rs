//! `SessionStore`: where shard sessions wait between two processes, and `FileSessionStore`, the
//! default one.
//!
//! Resuming costs nothing and replays every event missed while the process was down; identifying
//! spends one of the ~1000 daily session starts and loses those events. The gateway writes the
//! sessions through the store twice: as checkpoints while it runs (see `checkpoint.rs`), so a
//! crash leaves a session about a second old, and once more with the exact final state after a
//! graceful stop. Loading does not consume them: a checkpoint is fresh by construction, and a
//! sequence older than the last event handled only means Discord replays the events after it
//! (at-least-once delivery across a crash).
//!
//! The trait is small and object safe so a deployment can keep sessions somewhere else (the
//! cluster roles plug in a key-value bucket); [`FileSessionStore`] is a JSON file written
//! atomically (temporary file in the same directory, fsync, rename, fsync of the directory), so a
//! crash mid-write leaves either the old file or the new one, never half of one.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::future::Future;
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use twilight_gateway::Session;

use crate::error::SessionStoreError;

/// One saved shard session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SavedSession {
    /// Shard id.
    pub shard: u32,
    /// Total shard count when it was saved; a session only resumes under the same count.
    pub total: u32,
    /// Session id and last sequence number.
    pub session: Session,
    /// `resume_gateway_url` from READY.
    pub resume_url: Option<String>,
    /// When it was saved, in milliseconds since the Unix epoch.
    pub saved_at: u64,
}

impl SavedSession {
    /// A session of `shard` of `total` saved now.
    #[must_use]
    pub fn new(shard: u32, total: u32, session: Session, resume_url: Option<String>) -> Self {
        Self {
            shard,
            total,
            session,
            resume_url,
            saved_at: now_unix_ms(),
        }
    }
}

/// On-disk format; versioned so a future layout can be told apart.
#[derive(Debug, Serialize, Deserialize)]
struct File1 {
    version: u32,
    sessions: Vec<SavedSession>,
}

fn now_unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The future a [`SessionStore`] method returns (boxed, so the trait stays object safe).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where the sessions of this process's shards are kept between two processes.
///
/// [`Gateway::start`](crate::Gateway::start) loads them once; the gateway saves the complete set
/// of its shards' sessions as checkpoints while it runs (at most one save in flight, about once a
/// second) and once more at [`Gateway::shutdown`](crate::Gateway::shutdown).
pub trait SessionStore: fmt::Debug + Send + Sync {
    /// Every saved session, as written; a store that holds nothing yet returns an empty list.
    fn load(&self) -> StoreFuture<'_, Result<Vec<SavedSession>, SessionStoreError>>;

    /// Replaces what this process saved before with `sessions`, the complete set of its shards'
    /// sessions (a shard that is missing has none to resume). A reader sees either the old set or
    /// the new one, never a mix.
    fn save<'a>(
        &'a self,
        sessions: &'a [SavedSession],
    ) -> StoreFuture<'a, Result<(), SessionStoreError>>;
}

/// The session file of one gateway process: the default [`SessionStore`].
#[derive(Debug)]
pub struct FileSessionStore {
    path: PathBuf,
    /// Numbers each write's temporary file, so two writes never share one.
    writes: AtomicU64,
}

impl FileSessionStore {
    /// A store at `path` (created on the first save).
    #[must_use]
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            writes: AtomicU64::new(0),
        }
    }

    /// The file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl SessionStore for FileSessionStore {
    fn load(&self) -> StoreFuture<'_, Result<Vec<SavedSession>, SessionStoreError>> {
        let path = self.path.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || read_file(&path))
                .await
                .map_err(SessionStoreError::Task)?
        })
    }

    fn save<'a>(
        &'a self,
        sessions: &'a [SavedSession],
    ) -> StoreFuture<'a, Result<(), SessionStoreError>> {
        let path = self.path.clone();
        let file = File1 {
            version: 1,
            sessions: sessions.to_vec(),
        };
        let write = self.writes.fetch_add(1, Ordering::Relaxed);
        Box::pin(async move {
            tokio::task::spawn_blocking(move || write_atomically(&path, &file, write))
                .await
                .map_err(SessionStoreError::Task)?
        })
    }
}

/// The sessions a gateway of `total` shards can resume: entries for another total, or saved
/// more than `max_age` ago, are dropped with a log line.
pub(crate) fn usable_now(
    saved: Vec<SavedSession>,
    total: u32,
    max_age: Duration,
) -> Vec<SavedSession> {
    usable(saved, total, max_age, now_unix_ms())
}

fn usable(
    saved: Vec<SavedSession>,
    total: u32,
    max_age: Duration,
    now_ms: u64,
) -> Vec<SavedSession> {
    let max_age_ms = u64::try_from(max_age.as_millis()).unwrap_or(u64::MAX);
    saved
        .into_iter()
        .filter(|s| {
            if s.total != total {
                tracing::info!(
                    shard = s.shard,
                    saved_total = s.total,
                    total,
                    "ignoring saved session for a different shard count"
                );
                return false;
            }
            let age_ms = now_ms.saturating_sub(s.saved_at);
            if age_ms > max_age_ms {
                tracing::info!(
                    shard = s.shard,
                    age_secs = age_ms / 1000,
                    "ignoring saved session older than the maximum session age"
                );
                return false;
            }
            true
        })
        .collect()
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> SessionStoreError {
    let path = path.to_owned();
    move |source| SessionStoreError::Io {
        action,
        path,
        source,
    }
}

fn read_file(path: &Path) -> Result<Vec<SavedSession>, SessionStoreError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(io_error("reading", path)(error)),
    };
    let file: File1 =
        serde_json::from_slice(&bytes).map_err(|source| SessionStoreError::Corrupt {
            path: path.to_owned(),
            source,
        })?;
    Ok(file.sessions)
}

fn write_atomically(path: &Path, file: &File1, write: u64) -> Result<(), SessionStoreError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).map_err(io_error("creating directory", &dir))?;
    let name = path
        .file_name()
        .map_or_else(|| "sessions".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.{write}.tmp", std::process::id()));
    let json = serde_json::to_vec_pretty(file).map_err(|source| SessionStoreError::Corrupt {
        path: path.to_owned(),
        source,
    })?;

    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        // Session ids are not the token, but they are still nobody else's business.
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let result = (|| {
        let mut out = options.open(&tmp).map_err(io_error("creating", &tmp))?;
        out.write_all(&json).map_err(io_error("writing", &tmp))?;
        out.sync_all().map_err(io_error("syncing", &tmp))?;
        drop(out);
        fs::rename(&tmp, path).map_err(io_error("renaming into", path))?;
        // The rename is only durable once the directory entry is.
        File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(io_error("syncing directory", &dir))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(shard: u32, total: u32, seq: u64) -> SavedSession {
        SavedSession::new(
            shard,
            total,
            Session::new(seq, format!("session-{shard}")),
            Some("ws://127.0.0.1:1".to_owned()),
        )
    }

    #[tokio::test]
    async fn saves_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileSessionStore::new(dir.path().join("state/sessions.json"));
        assert!(
            store.load().await.unwrap().is_empty(),
            "missing file = empty"
        );
        let sessions = vec![saved(0, 2, 41), saved(1, 2, 7)];
        store.save(&sessions).await.unwrap();
        assert_eq!(store.load().await.unwrap(), sessions);
        // Nothing but the file itself is left in the directory.
        let names: Vec<_> = fs::read_dir(dir.path().join("state"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("sessions.json")]);
    }

    #[tokio::test]
    async fn loading_leaves_the_sessions_for_the_next_process() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileSessionStore::new(dir.path().join("sessions.json"));
        store.save(&[saved(0, 1, 3)]).await.unwrap();
        assert_eq!(store.load().await.unwrap().len(), 1);
        // A process that crashes before its first checkpoint still leaves a resumable session.
        assert_eq!(store.load().await.unwrap().len(), 1);
        store.save(&[]).await.unwrap();
        assert!(store.load().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn concurrent_saves_leave_one_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(FileSessionStore::new(dir.path().join("sessions.json")));
        let writers: Vec<_> = (0..8u64)
            .map(|seq| {
                let store = std::sync::Arc::clone(&store);
                tokio::spawn(async move { store.save(&[saved(0, 1, seq)]).await })
            })
            .collect();
        for writer in writers {
            writer.await.unwrap().unwrap();
        }
        let loaded = store.load().await.unwrap();
        assert_eq!(loaded.len(), 1, "{loaded:?}");
        assert!(loaded[0].session.sequence() < 8);
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn the_store_is_object_safe() {
        let store: Box<dyn SessionStore> = Box::new(FileSessionStore::new("sessions.json"));
        assert!(format!("{store:?}").contains("sessions.json"));
    }

    #[test]
    fn other_totals_and_old_entries_are_dropped() {
        let now = 1_000_000;
        let mut old = saved(1, 4, 5);
        old.saved_at = now - 61_000;
        let mut fresh = saved(0, 4, 5);
        fresh.saved_at = now - 59_000;
        let mut other_total = saved(2, 8, 5);
        other_total.saved_at = now;
        let kept = usable(
            vec![old, fresh.clone(), other_total],
            4,
            Duration::from_secs(60),
            now,
        );
        assert_eq!(kept, vec![fresh]);
    }

    #[tokio::test]
    async fn a_corrupt_file_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sessions.json");
        fs::write(&path, b"{not json").unwrap();
        let err = FileSessionStore::new(&path).load().await.unwrap_err();
        assert!(matches!(err, SessionStoreError::Corrupt { .. }), "{err:?}");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_file_is_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sessions.json");
        FileSessionStore::new(&path)
            .save(&[saved(0, 1, 1)])
            .await
            .unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
