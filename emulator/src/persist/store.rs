//! The SQLite database in the state folder. (Being written.)

use super::ChangeKind;

#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    #[error("{0}")]
    Other(String),
}

pub(crate) struct Store {}

impl Store {
    pub(crate) fn record(&self, kind: &'static str, key: &str, what: ChangeKind) {
        let _ = (kind, key, what);
    }
}
