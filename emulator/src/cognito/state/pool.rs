//! One user pool: its id, its settings behind a lock, its app clients and
//! its users.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use serde::{Deserialize, Serialize};

use super::clients::AppClient;
use super::groups::GroupStore;
use super::records;
use super::resource_servers::ResourceServer;
use super::settings::PoolSettings;
use super::settings::StoredSettings;
use super::users::UserStore;
use crate::aws_json::ServiceError;
use crate::cognito::errors;
use crate::persist::Journal;

/// One user pool.
pub(crate) struct Pool {
    pub id: Arc<str>,
    /// The part of the id after `_`: the SRP prefix.
    pub srp_name: Box<str>,
    pub arn: String,
    pub created: i64,
    pub sequence: u64,
    settings: RwLock<Arc<PoolSettings>>,
    pub clients: RwLock<HashMap<Box<str>, Arc<AppClient>>>,
    pub users: UserStore,
    pub groups: GroupStore,
    /// Resource servers by identifier.
    pub resource_servers: Mutex<BTreeMap<String, ResourceServer>>,
    /// Where changes of the pool go (its users' and groups' too).
    pub journal: Journal,
}

/// A pool as stored (`cognito.pool`).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredPool<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(borrow)]
    pub arn: Cow<'a, str>,
    pub created: i64,
    pub sequence: u64,
    #[serde(borrow)]
    pub settings: StoredSettings<'a>,
}

/// Pools with fewer users than this free too little to be worth a trim.
const TRIM_AFTER_USERS: usize = 1000;

impl Drop for Pool {
    /// A deleted pool's users are freed here (once the last request using
    /// the pool is done), and the freed memory goes back to the system.
    fn drop(&mut self) {
        let users = std::mem::take(&mut self.users);
        let many = users.len() >= TRIM_AFTER_USERS;
        drop(users);
        if many {
            crate::release_freed_memory();
        }
    }
}

impl Pool {
    /// A new pool without clients or users. `id` is `{region}_{name}`.
    pub fn new(
        id: Arc<str>,
        arn: String,
        sequence: u64,
        settings: PoolSettings,
        journal: Journal,
    ) -> Self {
        let srp_name = id
            .split_once('_')
            .map(|(_, n)| n)
            .unwrap_or_default()
            .into();
        Pool {
            arn,
            srp_name,
            created: settings.last_modified,
            sequence,
            settings: RwLock::new(Arc::new(settings)),
            clients: RwLock::new(HashMap::new()),
            users: UserStore::new(id.clone(), journal.clone()),
            groups: GroupStore::new(id.clone(), journal.clone()),
            resource_servers: Mutex::new(BTreeMap::new()),
            journal,
            id,
        }
    }

    /// The pool's record (`cognito.pool`): what [`Pool::from_stored`]
    /// makes the pool again from.
    pub fn stored<'a>(&'a self, settings: &'a PoolSettings) -> StoredPool<'a> {
        StoredPool {
            id: Cow::Borrowed(&self.id),
            arn: Cow::Borrowed(&self.arn),
            created: self.created,
            sequence: self.sequence,
            settings: StoredSettings::of(settings),
        }
    }

    /// Writes the pool's record (its settings are `settings`); called
    /// under the pools' or the settings' lock.
    pub fn save(&self, settings: &PoolSettings) {
        self.journal
            .put(records::POOL, &self.id, &self.stored(settings));
    }

    /// A pool read from a state folder, without users or clients yet.
    pub fn from_stored(stored: StoredPool<'_>, journal: Journal) -> Result<Pool, ServiceError> {
        let settings = stored.settings.into_settings()?;
        let mut pool = Pool::new(
            stored.id.into(),
            stored.arn.into_owned(),
            stored.sequence,
            settings,
            journal,
        );
        pool.created = stored.created;
        Ok(pool)
    }

    /// The key of the record of the pool's client `client_id`.
    pub fn client_key(&self, client_id: &str) -> String {
        records::child_key(&self.id, client_id)
    }
    /// The current settings (a cheap snapshot).
    pub fn settings(&self) -> Arc<PoolSettings> {
        self.settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Replaces the settings with what `change` makes of the current ones,
    /// holding the write lock from the read to the write so that two
    /// concurrent changes (UpdateUserPool, SetUserPoolMfaConfig) cannot
    /// overwrite each other. `change` runs under the lock: keep it short.
    pub fn update_settings<E>(
        &self,
        change: impl FnOnce(&PoolSettings) -> Result<PoolSettings, E>,
    ) -> Result<(), E> {
        let mut settings = self.settings.write().unwrap_or_else(|p| p.into_inner());
        let updated = change(&settings)?;
        self.save(&updated);
        *settings = Arc::new(updated);
        Ok(())
    }

    /// The app client with this id, or `ResourceNotFoundException`.
    pub fn client(&self, client_id: &str) -> Result<Arc<AppClient>, ServiceError> {
        self.clients
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(client_id)
            .cloned()
            .ok_or_else(|| errors::client_not_found(client_id))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use serde_json::{Map, json};

    use super::*;
    use crate::cognito::state::attributes::AttributeSchema;
    use crate::cognito::state::settings::MfaMode;

    fn test_pool() -> Pool {
        let settings =
            PoolSettings::from_request("pool", Map::new(), AttributeSchema::default(), false, None)
                .unwrap();
        Pool::new(
            "us-east-1_test".into(),
            "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_test".into(),
            0,
            settings,
            Journal::memory(),
        )
    }

    #[test]
    fn an_mfa_change_during_an_update_is_not_lost() {
        let pool = test_pool();
        let (inside_tx, inside_rx) = mpsc::channel();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        std::thread::scope(|scope| {
            let pool = &pool;
            let updater = scope.spawn(move || {
                let mut request = Map::new();
                request.insert("PoolName".into(), json!("renamed"));
                pool.update_settings(|old| {
                    inside_tx.send(()).unwrap();
                    // Holding the lock, the MFA change below cannot finish
                    // before this update; without it, it finishes here and
                    // this update then writes back the settings it read.
                    let _ = done_rx.recv_timeout(Duration::from_millis(300));
                    old.updated(request, 2)
                })
                .unwrap();
            });
            inside_rx.recv().unwrap();
            pool.update_settings(|old| {
                Ok::<_, ServiceError>(old.with_mfa(MfaMode::Optional, true, None, 3))
            })
            .unwrap();
            let _ = done_tx.send(());
            updater.join().unwrap();
        });
        let settings = pool.settings();
        assert_eq!(settings.name, "renamed");
        assert!(settings.software_token_mfa, "the MFA change was lost");
        assert_eq!(settings.mfa, MfaMode::Optional);
    }

    #[test]
    fn concurrent_settings_changes_all_land() {
        const THREADS: usize = 4;
        const ROUNDS: i64 = 500;
        let pool = test_pool();
        std::thread::scope(|scope| {
            for thread in 0..THREADS {
                let pool = &pool;
                scope.spawn(move || {
                    let member = format!("Counter{thread}");
                    for round in 0..ROUNDS {
                        pool.update_settings(|old| {
                            // Half the changes as SetUserPoolMfaConfig makes
                            // them, half as an edit of the stored request.
                            let mut next = if round % 2 == 0 {
                                old.with_mfa(MfaMode::On, true, None, round)
                            } else {
                                old.clone()
                            };
                            let count = old.request.get(&member).and_then(|v| v.as_i64());
                            next.request
                                .insert(member.clone(), json!(count.unwrap_or(0) + 1));
                            Ok::<_, ServiceError>(next)
                        })
                        .unwrap();
                    }
                });
            }
        });
        let settings = pool.settings();
        for thread in 0..THREADS {
            assert_eq!(
                settings.request[&format!("Counter{thread}")],
                json!(ROUNDS),
                "updates of thread {thread} were lost"
            );
        }
    }
}
