//! User pool domains: each name belongs to one pool of the emulator (AWS:
//! domain prefixes are unique in a Region), and a pool has at most one.
//! A deleted pool's domain is free again: entries of pools that no longer
//! exist are ignored and replaced (the caller says which pools exist).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;

/// One domain of a pool.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Domain {
    pub name: String,
    pub pool_id: String,
    /// `ManagedLoginVersion`: 1 (the classic hosted UI) or 2 (managed login).
    pub managed_login_version: i64,
    /// `CustomDomainConfig` as sent, for a custom domain.
    pub custom: Option<Value>,
}

/// Every domain of the emulator, by name.
#[derive(Default)]
pub(crate) struct Domains {
    by_name: Mutex<HashMap<String, Domain>>,
}

impl Domains {
    pub fn lock(&self) -> MutexGuard<'_, HashMap<String, Domain>> {
        self.by_name.lock().unwrap_or_else(|p| p.into_inner())
    }
}
