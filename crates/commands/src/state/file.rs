//! `FileStateStore`: command state in one file, an embedded redb database (pure Rust, ACID,
//! copy-on-write B-trees with checksummed commits), so a crash or `kill -9` at any point leaves
//! the last committed write readable and never a torn file.
//!
//! Why redb rather than a file format of our own: durability across crashes (fsync ordering,
//! torn writes, repair on open) is exactly what an embedded database gets right and a
//! hand-written format gets wrong. Every write is its own transaction committed with
//! `Durability::Immediate`: `Ok` means on disk.
//!
//! Layout: table `entries` maps `(namespace, key)` to `(version, expires_at_ms or 0, value)`;
//! table `meta` holds the last `revision` given out, so versions are never reused.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

use crate::boxed::BoxFuture;
use crate::state::clock::{Clock, from_unix_ms, unix_ms};
use crate::state::error::StateError;
use crate::state::store::{StateEntry, StateStore, check_key};

type Row<'a> = (u64, u64, &'a [u8]);

const ENTRIES: TableDefinition<(&str, &str), Row<'static>> = TableDefinition::new("entries");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const REVISION: &str = "revision";

/// Command state in a redb file (the standalone bot's `state.path`).
///
/// One process opens a file at a time (redb locks it): a second `open` of the same path fails
/// with [`StateError::Backend`] naming the lock, which is what a second bot on the same
/// directory should get.
#[derive(Clone)]
pub struct FileStateStore {
    db: Arc<Database>,
    path: PathBuf,
    clock: Clock,
}

impl std::fmt::Debug for FileStateStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileStateStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl FileStateStore {
    /// Opens (or creates) the store at `path`, creating its directory; repairs the file if the
    /// last process died mid-write (redb does so on open).
    pub async fn open(path: impl Into<PathBuf>) -> Result<Self, StateError> {
        Self::open_with_clock(path, Clock::new()).await
    }

    /// Opens the store, reading time from `clock` (tests).
    pub async fn open_with_clock(
        path: impl Into<PathBuf>,
        clock: Clock,
    ) -> Result<Self, StateError> {
        let path = path.into();
        let opening = path.clone();
        let db = tokio::task::spawn_blocking(move || open_blocking(&opening))
            .await
            .map_err(StateError::backend)??;
        Ok(Self {
            db: Arc::new(db),
            path,
            clock,
        })
    }

    /// The file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs one transaction off the async threads.
    async fn blocking<T, F>(&self, work: F) -> Result<T, StateError>
    where
        T: Send + 'static,
        F: FnOnce(&Database, u64) -> Result<T, redb::Error> + Send + 'static,
    {
        let db = Arc::clone(&self.db);
        let now = unix_ms(self.clock.now());
        tokio::task::spawn_blocking(move || work(&db, now))
            .await
            .map_err(StateError::backend)?
            .map_err(StateError::backend)
    }
}

fn open_blocking(path: &Path) -> Result<Database, StateError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(StateError::backend)?;
    }
    let db = Database::create(path).map_err(|e| {
        StateError::backend(format!(
            "cannot open the state file {}: {e}",
            path.display()
        ))
    })?;
    // Both tables exist from the start, so readers never meet a missing table.
    let init = || -> Result<(), redb::Error> {
        let txn = db.begin_write()?;
        txn.open_table(ENTRIES)?;
        txn.open_table(META)?;
        txn.commit()?;
        Ok(())
    };
    init().map_err(StateError::backend)?;
    Ok(db)
}

fn live(row: Row<'_>, now: u64) -> Option<StateEntry> {
    let (version, expires, value) = row;
    (expires == 0 || expires > now).then(|| StateEntry {
        value: value.to_vec(),
        version,
        expires_at: (expires != 0).then(|| from_unix_ms(expires)),
    })
}

fn read(
    db: &Database,
    namespace: &str,
    key: &str,
    now: u64,
) -> Result<Option<StateEntry>, redb::Error> {
    let txn = db.begin_read()?;
    let table = txn.open_table(ENTRIES)?;
    Ok(table
        .get((namespace, key))?
        .and_then(|row| live(row.value(), now)))
}

/// One write transaction: `change` sees the live entry and returns the value to write (or
/// `None` to write nothing); the new version is the next revision.
fn write(
    db: &Database,
    namespace: &str,
    key: &str,
    now: u64,
    change: impl FnOnce(Option<StateEntry>) -> Option<(Vec<u8>, u64)>,
) -> Result<Option<u64>, redb::Error> {
    let txn = db.begin_write()?;
    let written = {
        let mut table = txn.open_table(ENTRIES)?;
        let current = table
            .get((namespace, key))?
            .and_then(|row| live(row.value(), now));
        match change(current) {
            None => None,
            Some((value, expires)) => {
                let mut meta = txn.open_table(META)?;
                let version = meta.get(REVISION)?.map_or(0, |v| v.value()) + 1;
                meta.insert(REVISION, version)?;
                table.insert((namespace, key), (version, expires, value.as_slice()))?;
                Some(version)
            }
        }
    };
    if written.is_some() {
        txn.commit()?;
    } else {
        txn.abort()?;
    }
    Ok(written)
}

fn expiry_ms(expires_at: Option<SystemTime>) -> u64 {
    // 0 means "never"; a time at or before the epoch is already past, so 1 keeps it expired.
    expires_at.map_or(0, |at| unix_ms(at).max(1))
}

impl StateStore for FileStateStore {
    fn get<'a>(
        &'a self,
        namespace: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<StateEntry>, StateError>> {
        Box::pin(async move {
            check_key(namespace, key)?;
            let (ns, k) = (namespace.to_owned(), key.to_owned());
            self.blocking(move |db, now| read(db, &ns, &k, now)).await
        })
    }

    fn put<'a>(
        &'a self,
        namespace: &'a str,
        key: &'a str,
        value: Vec<u8>,
        expires_at: Option<SystemTime>,
    ) -> BoxFuture<'a, Result<u64, StateError>> {
        Box::pin(async move {
            check_key(namespace, key)?;
            let (ns, k) = (namespace.to_owned(), key.to_owned());
            let expires = expiry_ms(expires_at);
            let version = self
                .blocking(move |db, now| write(db, &ns, &k, now, |_| Some((value, expires))))
                .await?;
            version.ok_or_else(|| StateError::backend("an unconditional write wrote nothing"))
        })
    }

    fn compare_and_set<'a>(
        &'a self,
        namespace: &'a str,
        key: &'a str,
        expected: Option<u64>,
        value: Vec<u8>,
        expires_at: Option<SystemTime>,
    ) -> BoxFuture<'a, Result<Option<u64>, StateError>> {
        Box::pin(async move {
            check_key(namespace, key)?;
            let (ns, k) = (namespace.to_owned(), key.to_owned());
            let expires = expiry_ms(expires_at);
            self.blocking(move |db, now| {
                write(db, &ns, &k, now, |current| {
                    (current.map(|e| e.version) == expected).then_some((value, expires))
                })
            })
            .await
        })
    }

    fn delete<'a>(
        &'a self,
        namespace: &'a str,
        key: &'a str,
        expected: Option<u64>,
    ) -> BoxFuture<'a, Result<bool, StateError>> {
        Box::pin(async move {
            check_key(namespace, key)?;
            let (ns, k) = (namespace.to_owned(), key.to_owned());
            self.blocking(move |db, now| {
                let txn = db.begin_write()?;
                let deleted = {
                    let mut table = txn.open_table(ENTRIES)?;
                    let current = table
                        .get((ns.as_str(), k.as_str()))?
                        .and_then(|row| live(row.value(), now))
                        .map(|e| e.version);
                    let matches = current.is_some() && (expected.is_none() || expected == current);
                    if matches {
                        table.remove((ns.as_str(), k.as_str()))?;
                    }
                    matches
                };
                if deleted {
                    txn.commit()?;
                } else {
                    txn.abort()?;
                }
                Ok(deleted)
            })
            .await
        })
    }

    fn scan<'a>(
        &'a self,
        namespace: &'a str,
    ) -> BoxFuture<'a, Result<Vec<(String, StateEntry)>, StateError>> {
        Box::pin(async move {
            check_key(namespace, "-")?;
            let ns = namespace.to_owned();
            self.blocking(move |db, now| {
                let txn = db.begin_read()?;
                let table = txn.open_table(ENTRIES)?;
                let mut found = Vec::new();
                for row in table.range((ns.as_str(), "")..)? {
                    let (key, row) = row?;
                    let (row_ns, row_key) = key.value();
                    if row_ns != ns {
                        break;
                    }
                    if let Some(entry) = live(row.value(), now) {
                        found.push((row_key.to_owned(), entry));
                    }
                }
                Ok(found)
            })
            .await
        })
    }

    fn purge_expired(&self) -> BoxFuture<'_, Result<usize, StateError>> {
        Box::pin(async move {
            self.blocking(move |db, now| {
                let txn = db.begin_write()?;
                let removed = {
                    let mut table = txn.open_table(ENTRIES)?;
                    let before = table.len()?;
                    table.retain(|_, (_, expires, _)| expires == 0 || expires > now)?;
                    before - table.len()?
                };
                if removed > 0 {
                    txn.commit()?;
                } else {
                    txn.abort()?;
                }
                Ok(usize::try_from(removed).unwrap_or(usize::MAX))
            })
            .await
        })
    }
}
