//! Keeping the services' state on disk (`--state-dir`).
//!
//! Every service keeps its state in memory, as it always has, and tells its
//! [`Journal`] about each change while it still holds the lock that guards
//! the changed thing: `put` the new value of a record, or `delete` it. A
//! record is one unit the service restores from (a user, a DynamoDB item, a
//! Lambda function), named by a `kind` (`"cognito.user"`) and a `key`
//! unique within that kind.
//!
//! Without a state folder the journal is off: `put` and `delete` return at
//! once, nothing is serialized and nothing touches the disk.
//!
//! With one, the changes a request makes are collected while it runs and
//! written to an SQLite database in one transaction before the response
//! leaves (see `store`), so a request that was answered is on disk, and a
//! request that was not is either wholly there or not at all.

pub mod snapshot;
mod store;

use std::sync::Arc;

use serde::Serialize;

pub(crate) use store::in_request;
pub use store::{Store, StoreError};

/// One stored record: what a service writes with [`Journal::put`] and reads
/// back in [`Persistent::restore`].
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Record {
    /// What the record is, prefixed by its service: `"cognito.user"`.
    pub kind: String,
    /// Unique within the kind: `"us-east-1_AbC/alice"`.
    pub key: String,
    /// The record's content, as the service serialized it.
    pub value: serde_json::Value,
}

/// One change a service made: the new value of a record, or its removal.
#[derive(Debug)]
pub(crate) struct Change {
    /// Orders changes to the same record: the highest wins, whatever order
    /// the transactions that carry them commit in.
    pub seq: u64,
    pub kind: &'static str,
    pub key: String,
    pub what: ChangeKind,
}

#[derive(Debug)]
pub(crate) enum ChangeKind {
    /// The record's new value, as JSON text.
    Put(Vec<u8>),
    /// The record is gone.
    Delete,
    /// Every record of the kind whose key starts with `key` is gone (a pool
    /// and all its users, a table and all its items).
    DeletePrefix,
}

/// Where a service reports its changes. Cheap to clone; off (in memory
/// only) unless the emulator was started with a state folder.
#[derive(Clone, Default)]
pub struct Journal {
    store: Option<Arc<Store>>,
    /// Tests only: the records the journal was told about, by kind and key.
    #[cfg(test)]
    captured: Option<Arc<std::sync::Mutex<Captured>>>,
}

#[cfg(test)]
type Captured = std::collections::BTreeMap<(String, String), serde_json::Value>;

impl Journal {
    /// A journal that keeps nothing: the emulator without a state folder.
    pub fn memory() -> Journal {
        Journal::default()
    }

    #[allow(
        clippy::needless_update,
        reason = "outside tests there is no other field to fill"
    )]
    pub(crate) fn durable(store: Arc<Store>) -> Journal {
        Journal {
            store: Some(store),
            ..Journal::default()
        }
    }

    /// Tests only: a journal that applies every change to a map in memory,
    /// so a test can check that what a service reported equals what it
    /// holds: `journal.replayed() == service.records()`.
    #[cfg(test)]
    pub(crate) fn capture() -> Journal {
        Journal {
            captured: Some(Default::default()),
            ..Journal::default()
        }
    }

    /// Tests only: the records a [`Journal::capture`] journal describes now,
    /// ordered by kind then key (the order of [`Persistent::records`] after
    /// sorting).
    #[cfg(test)]
    pub(crate) fn replayed(&self) -> Vec<Record> {
        let captured = self.captured.as_ref().expect("a capture journal");
        let captured = captured.lock().unwrap();
        captured
            .iter()
            .map(|((kind, key), value)| Record {
                kind: kind.clone(),
                key: key.clone(),
                value: value.clone(),
            })
            .collect()
    }

    #[cfg(test)]
    fn capture_change(&self, kind: &str, key: &str, what: &ChangeKind) {
        let Some(captured) = &self.captured else {
            return;
        };
        let mut captured = captured.lock().unwrap();
        match what {
            ChangeKind::Put(json) => {
                let value = serde_json::from_slice(json).expect("journal JSON");
                captured.insert((kind.to_owned(), key.to_owned()), value);
            }
            ChangeKind::Delete => {
                captured.remove(&(kind.to_owned(), key.to_owned()));
            }
            ChangeKind::DeletePrefix => {
                captured.retain(|(k, key_), _| !(k == kind && key_.starts_with(key)));
            }
        }
    }

    fn send(&self, kind: &'static str, key: &str, what: ChangeKind) {
        #[cfg(test)]
        self.capture_change(kind, key, &what);
        if let Some(store) = &self.store {
            store.record(kind, key, what);
        }
    }

    /// Whether changes are recorded at all (a state folder, or a test's
    /// capture): when not, callers may skip building what they would put.
    pub(crate) fn is_on(&self) -> bool {
        #[cfg(test)]
        if self.captured.is_some() {
            return true;
        }
        self.store.is_some()
    }

    /// The state folder's store, when there is one.
    pub(crate) fn store(&self) -> Option<&Arc<Store>> {
        self.store.as_ref()
    }

    /// Whether changes go to disk.
    pub fn is_durable(&self) -> bool {
        self.store.is_some()
    }

    /// Records the new value of `kind`/`key`. Call it while holding the lock
    /// that guards the value, so that two changes to one record are
    /// numbered in the order they were made.
    pub fn put<T: Serialize + ?Sized>(&self, kind: &'static str, key: &str, value: &T) {
        if !self.is_on() {
            return;
        }
        match serde_json::to_vec(value) {
            Ok(json) => self.send(kind, key, ChangeKind::Put(json)),
            // Every stored type serializes (no maps with non-string keys);
            // a failure here is a bug, and the record keeps its old value.
            Err(err) => tracing::error!(kind, key, "cannot serialize a record: {err}"),
        }
    }

    /// Records that `kind`/`key` no longer exists.
    pub fn delete(&self, kind: &'static str, key: &str) {
        if self.is_on() {
            self.send(kind, key, ChangeKind::Delete);
        }
    }

    /// Records that every record of `kind` whose key starts with `prefix`
    /// no longer exists.
    pub fn delete_prefix(&self, kind: &'static str, prefix: &str) {
        if self.is_on() {
            self.send(kind, prefix, ChangeKind::DeletePrefix);
        }
    }
}

/// A service whose state can be written out as records and rebuilt from them.
pub(crate) trait Persistent {
    /// The prefix of this service's record kinds, with its dot: `"cognito."`.
    fn kind_prefix(&self) -> &'static str;

    /// Every record the service holds now (for export, and for a state
    /// folder filled by import).
    fn records(&self) -> Vec<Record>;

    /// Rebuilds the service, empty until now, from `records` (every record
    /// of its kinds, ordered by kind then key). Must not write to the
    /// journal. A record that cannot be read is an error naming it: a state
    /// folder is never half read. A record whose parent is gone (a user of
    /// a deleted pool) is skipped.
    fn restore(&self, records: Vec<Record>) -> Result<(), String>;

    /// Forgets everything (`/_emulator/reset`), without writing to the journal.
    fn clear(&self);
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<Journal>();
    is::<Arc<Store>>();
}
