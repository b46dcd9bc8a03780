//! The state folder: an SQLite database in WAL mode, one writer thread, and
//! a lock file.
//!
//! One table holds every record: `(kind, key) → (seq, value)`. A request's
//! changes reach the writer thread together and are written in one
//! transaction; the writer takes every transaction that is waiting and
//! commits them together (group commit), so concurrent requests share one
//! commit instead of queueing for one each. The request is answered after
//! the commit.
//!
//! Committed to the WAL means safe from the emulator being killed (the
//! data is in the kernel's page cache). With `fsync` the WAL is also synced
//! to the disk at every commit (`synchronous=FULL`), safe from a power cut
//! too, at the price of a disk flush per commit.
//!
//! Each change carries a sequence number taken while the service held the
//! lock on what it changed. Two requests changing one record may commit in
//! either order; the row keeps the higher number. A deletion leaves a row
//! without a value (a tombstone) for the same reason; tombstones are
//! dropped when the folder is next opened.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;

use rusqlite::{Connection, OptionalExtension, params};

use super::{Change, ChangeKind, Record};

/// The layout of the database this emulator writes, in `PRAGMA user_version`.
/// Raise it when the table or the meaning of a record changes, and teach
/// [`Store::open`] to upgrade the older layouts it can.
pub(crate) const FORMAT_VERSION: i64 = 1;

/// `PRAGMA application_id` of a state database ("CgEm"): tells the
/// emulator's database apart from any other SQLite file.
const APPLICATION_ID: i64 = 0x4367_456d;

/// The database's file name inside the state folder.
pub(crate) const DATABASE_FILE: &str = "state.sqlite3";
/// The lock file's name inside the state folder; it holds the owner's pid.
pub(crate) const LOCK_FILE: &str = "lock";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "state folder {dir} is in use by another emulator (process {holder}); stop it or choose another folder"
    )]
    InUse { dir: String, holder: String },
    #[error("state folder {dir}: {message}")]
    Folder { dir: String, message: String },
    #[error(
        "state folder {dir} was written by a newer emulator (state format {found}; this one reads up to {FORMAT_VERSION}): use that emulator, or export with it and import here"
    )]
    Newer { dir: String, found: i64 },
    #[error("state folder {dir}: {file} is not an emulator state database")]
    Foreign { dir: String, file: String },
    #[error("state folder {dir}: record {kind} {key} cannot be read: {message}")]
    BadRecord {
        dir: String,
        kind: String,
        key: String,
        message: String,
    },
    #[error("state folder {dir}: cannot write: {message}")]
    Write { dir: String, message: String },
}

/// What the writer thread is asked to do, in order.
enum Job {
    /// Write these changes in one transaction.
    Changes(Vec<Change>),
    /// Forget every record (reset).
    Clear,
    /// Replace every record with these (import).
    Replace(Vec<Record>),
}

struct Message {
    job: Job,
    /// Told once the job is committed (or failed); `None` for changes no
    /// request waits for.
    done: Option<tokio::sync::oneshot::Sender<Result<(), String>>>,
}

/// An open state folder. Dropping (or [`Store::close`]) ends the writer
/// thread after it wrote what it was sent, and releases the folder.
pub struct Store {
    dir: PathBuf,
    seq: AtomicU64,
    writer: Mutex<Option<(mpsc::Sender<Message>, JoinHandle<()>)>>,
    lock: Mutex<Option<File>>,
}

impl Store {
    /// Opens (or creates) the state folder `dir`, takes its lock, and reads
    /// every record in it.
    pub fn open(dir: &Path, fsync: bool) -> Result<(Arc<Store>, Vec<Record>), StoreError> {
        let shown = dir.display().to_string();
        let folder_error = |message: String| StoreError::Folder {
            dir: shown.clone(),
            message,
        };
        std::fs::create_dir_all(dir)
            .map_err(|err| folder_error(format!("cannot create: {err}")))?;
        let lock = take_lock(dir)?;
        let path = dir.join(DATABASE_FILE);
        let mut connection = Connection::open(&path)
            .map_err(|err| folder_error(format!("cannot open {DATABASE_FILE}: {err}")))?;
        prepare(&mut connection, &shown, fsync)?;
        let (records, last_seq) = load(&connection, &shown)?;
        let (sender, receiver) = mpsc::channel();
        let writer = std::thread::Builder::new()
            .name("state-writer".into())
            .spawn(move || write_loop(connection, receiver))
            .map_err(|err| folder_error(format!("cannot start the writer thread: {err}")))?;
        let store = Store {
            dir: dir.to_owned(),
            seq: AtomicU64::new(last_seq + 1),
            writer: Mutex::new(Some((sender, writer))),
            lock: Mutex::new(Some(lock)),
        };
        Ok((Arc::new(store), records))
    }

    /// The folder this store keeps its files in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Numbers a change. Inside a request ([`in_request`]) it waits to be
    /// written with the request's other changes; outside one (a function's
    /// log written in the background) it is sent to the writer at once.
    pub(crate) fn record(&self, kind: &'static str, key: &str, what: ChangeKind) {
        let change = Change {
            seq: self.seq.fetch_add(1, Ordering::Relaxed),
            kind,
            key: key.to_owned(),
            what,
        };
        let mut change = Some(change);
        let _ = REQUEST_CHANGES.try_with(|changes| {
            if let Some(change) = change.take() {
                changes
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(change);
            }
        });
        if let Some(change) = change {
            self.send(Job::Changes(vec![change]), false);
        }
    }

    fn send(
        &self,
        job: Job,
        wait: bool,
    ) -> Option<tokio::sync::oneshot::Receiver<Result<(), String>>> {
        let (done, receiver) = if wait {
            let (tx, rx) = tokio::sync::oneshot::channel();
            (Some(tx), Some(rx))
        } else {
            (None, None)
        };
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        match writer.as_ref() {
            Some((sender, _)) => {
                if sender.send(Message { job, done }).is_err() {
                    tracing::error!("the state writer has stopped: a change was not written");
                }
            }
            None => tracing::error!(
                "state folder {} is closed: a change was not written",
                self.dir.display()
            ),
        }
        receiver
    }

    /// Writes `job` and waits until it is committed.
    async fn commit(&self, job: Job) -> Result<(), StoreError> {
        let failed = |message: String| StoreError::Write {
            dir: self.dir.display().to_string(),
            message,
        };
        match self.send(job, true) {
            Some(done) => match done.await {
                Ok(result) => result.map_err(failed),
                Err(_) => Err(failed("the writer stopped".into())),
            },
            None => Err(failed("no writer".into())),
        }
    }

    /// Forgets every record (`/_emulator/reset`).
    pub(crate) async fn clear(&self) -> Result<(), StoreError> {
        self.commit(Job::Clear).await
    }

    /// Replaces every record with `records` (import).
    pub(crate) async fn replace(&self, records: Vec<Record>) -> Result<(), StoreError> {
        self.commit(Job::Replace(records)).await
    }

    /// Writes what was sent, stops the writer and releases the folder. Later
    /// changes are not written (and logged as errors).
    pub fn close(&self) {
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some((sender, thread)) = writer {
            drop(sender);
            let _ = thread.join();
        }
        self.lock.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.close();
    }
}

tokio::task_local! {
    /// The changes of the request this task is answering.
    static REQUEST_CHANGES: Arc<Mutex<Vec<Change>>>;
}

/// Runs `request` (a request's handler) and, before handing back its
/// response, writes the changes it made in one transaction. `Err` when they
/// could not be written: the request must then not be answered as a success.
pub(crate) async fn in_request<F: std::future::Future>(
    store: &Store,
    request: F,
) -> Result<F::Output, StoreError> {
    let changes = Arc::new(Mutex::new(Vec::new()));
    let output = REQUEST_CHANGES.scope(changes.clone(), request).await;
    let changes = std::mem::take(&mut *changes.lock().unwrap_or_else(|p| p.into_inner()));
    if !changes.is_empty() {
        store.commit(Job::Changes(changes)).await?;
    }
    Ok(output)
}

/// Takes the folder's lock file (an exclusive `flock`, released by the
/// kernel however the process ends) and writes this process's id in it.
fn take_lock(dir: &Path) -> Result<File, StoreError> {
    let shown = dir.display().to_string();
    let path = dir.join(LOCK_FILE);
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|err| StoreError::Folder {
            dir: shown.clone(),
            message: format!("cannot open {LOCK_FILE}: {err}"),
        })?;
    // SAFETY: flock on a descriptor this function owns; no memory involved.
    let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if locked != 0 {
        let err = std::io::Error::last_os_error();
        if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(StoreError::InUse {
                dir: shown,
                holder: if holder.is_empty() {
                    "unknown".into()
                } else {
                    holder.to_owned()
                },
            });
        }
        return Err(StoreError::Folder {
            dir: shown,
            message: format!("cannot lock {LOCK_FILE}: {err}"),
        });
    }
    let written = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| writeln!(file, "{}", std::process::id()))
        .and_then(|()| file.flush());
    written.map_err(|err| StoreError::Folder {
        dir: shown,
        message: format!("cannot write {LOCK_FILE}: {err}"),
    })?;
    Ok(file)
}

/// Checks (or creates) the layout, upgrades an older one, and sets the
/// connection up for the writer.
fn prepare(connection: &mut Connection, dir: &str, fsync: bool) -> Result<(), StoreError> {
    let sql_error = |err: rusqlite::Error| StoreError::Folder {
        dir: dir.to_owned(),
        message: format!("{DATABASE_FILE}: {err}"),
    };
    let foreign = || StoreError::Foreign {
        dir: dir.to_owned(),
        file: DATABASE_FILE.to_owned(),
    };
    // A file that is not SQLite fails on its first read.
    let application_id: i64 = connection
        .query_row("PRAGMA application_id", [], |row| row.get(0))
        .map_err(|err| match err {
            rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::NotADatabase => {
                foreign()
            }
            other => sql_error(other),
        })?;
    let version: i64 = connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(sql_error)?;
    let tables: i64 = connection
        .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
        .map_err(sql_error)?;
    if application_id == 0 && version == 0 && tables == 0 {
        // A new folder (or an empty file): lay it out.
        connection
            .execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID};
                 PRAGMA journal_mode = WAL;
                 BEGIN;
                 CREATE TABLE records (
                     kind  TEXT    NOT NULL,
                     key   TEXT    NOT NULL,
                     seq   INTEGER NOT NULL,
                     value BLOB,
                     PRIMARY KEY (kind, key)
                 ) WITHOUT ROWID;
                 CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
                 INSERT INTO meta VALUES ('written-by', 'emulator {}');
                 PRAGMA user_version = {FORMAT_VERSION};
                 COMMIT;",
                env!("CARGO_PKG_VERSION")
            ))
            .map_err(sql_error)?;
    } else if application_id != APPLICATION_ID {
        return Err(foreign());
    } else if version > FORMAT_VERSION {
        return Err(StoreError::Newer {
            dir: dir.to_owned(),
            found: version,
        });
    } else if version < 1 {
        // No emulator wrote format 0: a layout this one cannot read.
        return Err(foreign());
    }
    // Format 1 is the first; upgrades from older formats go here, each in
    // its own transaction that also raises user_version.
    let synchronous = if fsync { "FULL" } else { "NORMAL" };
    connection
        .execute_batch(&format!(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = {synchronous};
             DELETE FROM records WHERE value IS NULL;"
        ))
        .map_err(sql_error)?;
    Ok(())
}

/// Every record in the database, ordered by kind then key, and the highest
/// sequence number written.
fn load(connection: &Connection, dir: &str) -> Result<(Vec<Record>, u64), StoreError> {
    let sql_error = |err: rusqlite::Error| StoreError::Folder {
        dir: dir.to_owned(),
        message: format!("{DATABASE_FILE}: {err}"),
    };
    let last_seq: Option<i64> = connection
        .query_row("SELECT max(seq) FROM records", [], |row| row.get(0))
        .optional()
        .map_err(sql_error)?
        .flatten();
    let mut statement = connection
        .prepare("SELECT kind, key, value FROM records WHERE value IS NOT NULL ORDER BY kind, key")
        .map_err(sql_error)?;
    let mut rows = statement.query([]).map_err(sql_error)?;
    let mut records = Vec::new();
    while let Some(row) = rows.next().map_err(sql_error)? {
        let kind: String = row.get(0).map_err(sql_error)?;
        let key: String = row.get(1).map_err(sql_error)?;
        let value: Vec<u8> = row.get(2).map_err(sql_error)?;
        let value = serde_json::from_slice(&value).map_err(|err| StoreError::BadRecord {
            dir: dir.to_owned(),
            kind: kind.clone(),
            key: key.clone(),
            message: err.to_string(),
        })?;
        records.push(Record { kind, key, value });
    }
    Ok((records, u64::try_from(last_seq.unwrap_or(0)).unwrap_or(0)))
}

/// How many waiting jobs one commit takes at most.
const MAX_JOBS_PER_COMMIT: usize = 4096;

/// The writer thread: takes the jobs waiting, writes them in one
/// transaction, commits, and tells everyone waiting.
fn write_loop(mut connection: Connection, jobs: mpsc::Receiver<Message>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_JOBS_PER_COMMIT {
            match jobs.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let result = write_batch(&mut connection, &batch).map_err(|err| err.to_string());
        if let Err(err) = &result {
            tracing::error!("cannot write the state folder: {err}");
        }
        for message in batch {
            if let Some(done) = message.done {
                let _ = done.send(result.clone());
            }
        }
    }
}

fn write_batch(connection: &mut Connection, batch: &[Message]) -> rusqlite::Result<()> {
    let transaction = connection.transaction()?;
    {
        let mut put = transaction.prepare_cached(
            "INSERT INTO records (kind, key, seq, value) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (kind, key) DO UPDATE SET seq = excluded.seq, value = excluded.value
             WHERE excluded.seq > records.seq",
        )?;
        let mut delete_prefix = transaction.prepare_cached(
            "UPDATE records SET seq = ?3, value = NULL
             WHERE kind = ?1 AND key >= ?2 AND key < ?2 || char(1114111) AND seq < ?3",
        )?;
        for message in batch {
            match &message.job {
                Job::Changes(changes) => {
                    for change in changes {
                        let seq = i64::try_from(change.seq).unwrap_or(i64::MAX);
                        match &change.what {
                            ChangeKind::Put(json) => {
                                put.execute(params![change.kind, change.key, seq, json])?;
                            }
                            ChangeKind::Delete => {
                                put.execute(params![
                                    change.kind,
                                    change.key,
                                    seq,
                                    None::<Vec<u8>>
                                ])?;
                            }
                            ChangeKind::DeletePrefix => {
                                delete_prefix.execute(params![change.kind, change.key, seq])?;
                            }
                        }
                    }
                }
                Job::Clear => {
                    transaction.execute("DELETE FROM records", [])?;
                }
                Job::Replace(records) => {
                    transaction.execute("DELETE FROM records", [])?;
                    for record in records {
                        let json = serde_json::to_vec(&record.value)
                            .map_err(|err| rusqlite::Error::ToSqlConversionFailure(err.into()))?;
                        put.execute(params![record.kind, record.key, 0_i64, json])?;
                    }
                }
            }
        }
    }
    transaction.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh state folder under the temporary directory, removed after.
    struct Folder(PathBuf);

    impl Folder {
        fn new() -> Folder {
            let path = std::env::temp_dir().join(format!(
                "emulator-store-{}-{}",
                std::process::id(),
                rand::random::<u64>()
            ));
            Folder(path)
        }
    }

    impl Drop for Folder {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn change(seq: u64, key: &str, what: ChangeKind) -> Change {
        Change {
            seq,
            kind: "test.thing",
            key: key.to_owned(),
            what,
        }
    }

    fn put(seq: u64, key: &str, value: &str) -> Change {
        change(
            seq,
            key,
            ChangeKind::Put(format!("\"{value}\"").into_bytes()),
        )
    }

    fn write(connection: &mut Connection, changes: Vec<Change>) {
        let batch = [Message {
            job: Job::Changes(changes),
            done: None,
        }];
        write_batch(connection, &batch).unwrap();
    }

    fn values(connection: &Connection) -> Vec<(String, serde_json::Value)> {
        let (records, _) = load(connection, "test").unwrap();
        records.into_iter().map(|r| (r.key, r.value)).collect()
    }

    #[test]
    fn the_latest_change_to_a_record_wins_whatever_order_they_commit_in() {
        let folder = Folder::new();
        std::fs::create_dir_all(&folder.0).unwrap();
        let mut connection = Connection::open(folder.0.join(DATABASE_FILE)).unwrap();
        prepare(&mut connection, "test", false).unwrap();
        // Two requests changed `a`; the later change (seq 5) commits first.
        write(&mut connection, vec![put(5, "a", "newer")]);
        write(&mut connection, vec![put(3, "a", "older")]);
        assert_eq!(values(&connection), [("a".into(), "newer".into())]);
        // A deletion that commits before an older change keeps it deleted.
        write(&mut connection, vec![change(8, "a", ChangeKind::Delete)]);
        write(&mut connection, vec![put(7, "a", "older still")]);
        assert!(values(&connection).is_empty());
        // A prefix deletion takes its prefix only, and later changes live.
        write(
            &mut connection,
            vec![
                put(10, "p/1", "x"),
                put(11, "p/2", "y"),
                put(12, "q/1", "z"),
            ],
        );
        write(
            &mut connection,
            vec![change(13, "p/", ChangeKind::DeletePrefix)],
        );
        write(
            &mut connection,
            vec![put(9, "p/1", "older"), put(14, "p/2", "again")],
        );
        assert_eq!(
            values(&connection),
            [("p/2".into(), "again".into()), ("q/1".into(), "z".into())]
        );
        // Tombstones are dropped when the folder is next opened.
        prepare(&mut connection, "test", false).unwrap();
        let rows: i64 = connection
            .query_row("SELECT count(*) FROM records", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 2);
    }

    #[test]
    fn fsync_makes_every_commit_a_full_sync() {
        for (fsync, expected) in [(false, 1), (true, 2)] {
            let folder = Folder::new();
            std::fs::create_dir_all(&folder.0).unwrap();
            let mut connection = Connection::open(folder.0.join(DATABASE_FILE)).unwrap();
            prepare(&mut connection, "test", fsync).unwrap();
            let synchronous: i64 = connection
                .query_row("PRAGMA synchronous", [], |row| row.get(0))
                .unwrap();
            let journal: String = connection
                .query_row("PRAGMA journal_mode", [], |row| row.get(0))
                .unwrap();
            assert_eq!((synchronous, journal.as_str()), (expected, "wal"));
        }
    }

    #[tokio::test]
    async fn a_store_reopens_with_what_was_committed_and_numbers_past_it() {
        let folder = Folder::new();
        let (store, records) = Store::open(&folder.0, false).unwrap();
        assert!(records.is_empty());
        let changes = Arc::new(Mutex::new(Vec::new()));
        REQUEST_CHANGES
            .scope(changes.clone(), async {
                store.record("test.thing", "k", ChangeKind::Put(b"1".to_vec()));
            })
            .await;
        let changes = std::mem::take(&mut *changes.lock().unwrap());
        assert_eq!(changes.len(), 1, "a request's change waits for its commit");
        store.commit(Job::Changes(changes)).await.unwrap();
        store.close();
        let (store, records) = Store::open(&folder.0, false).unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].value, serde_json::json!(1));
        assert!(store.seq.load(Ordering::Relaxed) > 0);
        store.close();
    }
}
