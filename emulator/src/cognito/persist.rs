//! Cognito in a state folder (`--state-dir`): the records of
//! [`state::records`] kinds, written as the handlers change things, listed
//! for export, and read back into an empty service.
//!
//! Pools, app clients (their `UserPoolClientType`), users, groups and their
//! members, resource servers, domains, the keys that sign tokens and seal
//! refresh tokens, and revocations are kept. Sign-in sessions, hosted-UI
//! codes, browser sessions and pending sign-ins are not: a restart ends the
//! ones in flight.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::CognitoService;
use super::clients::stored_client;
use super::state::domains::Domain;
use super::state::groups::{Group, StoredMember};
use super::state::pool::{Pool, StoredPool};
use super::state::records::{self, pool_of};
use super::state::resource_servers::ResourceServer;
use super::state::users::User;
use super::tokens::TokenSigner;
use crate::persist::{Persistent, Record};

/// The `cognito.keys` record.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredKeys {
    /// PKCS#8 DER in base64, oldest first; the newest signs.
    signing_keys: Vec<String>,
    /// The key that seals refresh tokens, in base64.
    refresh_key: String,
}

impl CognitoService {
    /// Whether changes are reported at all (a state folder, or a test's
    /// capture journal).
    fn tracking(&self) -> bool {
        cfg!(test) || self.journal.is_durable()
    }

    /// Makes sure the keys are in the journal before a token signed or
    /// sealed with them leaves.
    pub(super) fn keys_in_use(&self) {
        if self.keys_saved.load(Ordering::Acquire) || !self.tracking() {
            return;
        }
        let _keys = self.keys_lock.lock().unwrap_or_else(|p| p.into_inner());
        if !self.keys_saved.load(Ordering::Acquire) {
            self.save_keys();
        }
    }

    /// Writes the keys' record; the caller holds `keys_lock`.
    pub(super) fn save_keys(&self) {
        if !self.tracking() {
            return;
        }
        self.journal
            .put(records::KEYS_KIND, records::KEYS, &self.stored_keys());
        self.keys_saved.store(true, Ordering::Release);
    }

    fn stored_keys(&self) -> StoredKeys {
        StoredKeys {
            signing_keys: self.signer().export_keys(),
            refresh_key: self.refresh.export_key(),
        }
    }

    fn all_pools(&self) -> Vec<Arc<Pool>> {
        let pools = self.pools.read().unwrap_or_else(|p| p.into_inner());
        pools.values().cloned().collect()
    }
}

fn record<T: Serialize + ?Sized>(kind: &str, key: String, value: &T) -> Record {
    Record {
        kind: kind.to_owned(),
        key,
        value: serde_json::to_value(value).unwrap_or_default(),
    }
}

/// One pool's records (its own, its clients', users', groups', members'
/// and resource servers').
fn pool_records(pool: &Pool, out: &mut Vec<Record>) {
    let settings = pool.settings();
    out.push(record(
        records::POOL,
        pool.id.to_string(),
        &pool.stored(&settings),
    ));
    let clients = pool.clients.read().unwrap_or_else(|p| p.into_inner());
    for (id, client) in clients.iter() {
        out.push(record(
            records::CLIENT,
            pool.client_key(id),
            &client.described,
        ));
    }
    drop(clients);
    let groups = pool.groups.lock();
    for (name, group) in groups.groups() {
        out.push(record(
            records::GROUP,
            records::child_key(&pool.id, name),
            group,
        ));
    }
    for (group, user_key, sub) in groups.memberships() {
        let stored = StoredMember {
            group: group.into(),
            user_key: user_key.into(),
            sub: sub.to_string(),
        };
        let key = records::member_key(&pool.id, group, user_key);
        out.push(record(records::MEMBER, key, &stored));
    }
    drop(groups);
    let users = pool.users.lock();
    for (key, user) in users.users() {
        out.push(record(
            records::USER,
            records::user_key(&pool.id, key),
            user,
        ));
    }
    drop(users);
    let servers = pool
        .resource_servers
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    for (identifier, server) in servers.iter() {
        out.push(record(
            records::RESOURCE_SERVER,
            records::child_key(&pool.id, identifier),
            server,
        ));
    }
}

/// A record that cannot be read: an error naming it.
fn unreadable(record: &Record, why: impl std::fmt::Display) -> String {
    format!("unreadable {} record {:?}: {why}", record.kind, record.key)
}

fn read<'a, T: Deserialize<'a>>(record: &'a Record) -> Result<T, String> {
    T::deserialize(&record.value).map_err(|err| unreadable(record, err))
}

impl Persistent for CognitoService {
    fn kind_prefix(&self) -> &'static str {
        "cognito."
    }

    fn records(&self) -> Vec<Record> {
        let mut out = Vec::new();
        for pool in self.all_pools() {
            pool_records(&pool, &mut out);
        }
        for (name, domain) in self.domains.lock().iter() {
            out.push(record(records::DOMAIN, name.clone(), domain));
        }
        if self.keys_saved.load(Ordering::Acquire) {
            let _keys = self.keys_lock.lock().unwrap_or_else(|p| p.into_inner());
            out.push(record(
                records::KEYS_KIND,
                records::KEYS.to_owned(),
                &self.stored_keys(),
            ));
        }
        out.extend(self.revocations.records());
        out.sort_by(|a, b| (&a.kind, &a.key).cmp(&(&b.kind, &b.key)));
        out
    }

    fn restore(&self, records: Vec<Record>) -> Result<(), String> {
        let mut by_kind: HashMap<&str, Vec<&Record>> = HashMap::new();
        for record in &records {
            by_kind
                .entry(record.kind.as_str())
                .or_default()
                .push(record);
        }
        let kind = |name: &str| by_kind.get(name).cloned().unwrap_or_default();
        let known = [
            records::POOL,
            records::CLIENT,
            records::USER,
            records::GROUP,
            records::MEMBER,
            records::RESOURCE_SERVER,
            records::DOMAIN,
            records::KEYS_KIND,
            records::REVOCATION,
        ];
        if let Some(unknown) = records.iter().find(|r| !known.contains(&r.kind.as_str())) {
            return Err(unreadable(unknown, "unknown kind"));
        }

        // Pools first: every other record but the keys and revocations
        // belongs to one, and is skipped when its pool is gone.
        let mut pools: HashMap<Arc<str>, Arc<Pool>> = HashMap::new();
        let mut next_sequence = 0;
        for record in kind(records::POOL) {
            let stored: StoredPool<'_> = read(record)?;
            if stored.id != record.key {
                return Err(unreadable(record, "the key is not the pool's id"));
            }
            let pool = Pool::from_stored(stored, self.journal.clone())
                .map_err(|err| unreadable(record, err.message))?;
            next_sequence = next_sequence.max(pool.sequence + 1);
            pools.insert(pool.id.clone(), Arc::new(pool));
        }
        let parent = |record: &Record| pool_of(&record.key).and_then(|id| pools.get(id)).cloned();

        // Resource servers before clients, whose scopes name them.
        for record in kind(records::RESOURCE_SERVER) {
            let Some(pool) = parent(record) else { continue };
            let server: ResourceServer = read(record)?;
            pool.resource_servers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(server.identifier.clone(), server);
        }
        let mut client_pools = HashMap::new();
        for record in kind(records::CLIENT) {
            let Some(pool) = parent(record) else { continue };
            let Value::Object(described) = &record.value else {
                return Err(unreadable(record, "not an object"));
            };
            let client = stored_client(described, &pool.id).map_err(|e| unreadable(record, e))?;
            client_pools.insert(client.id.clone(), pool.clone());
            pool.clients
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .insert(client.id.clone(), Arc::new(client));
        }
        for record in kind(records::USER) {
            let Some(pool) = parent(record) else { continue };
            let user: User = read(record)?;
            pool.users.restore(&pool.settings(), user);
        }
        for record in kind(records::GROUP) {
            let Some(pool) = parent(record) else { continue };
            let group: Group = read(record)?;
            pool.groups.lock().restore_group(group);
        }
        for record in kind(records::MEMBER) {
            let Some(pool) = parent(record) else { continue };
            let member: StoredMember<'_> = read(record)?;
            let sub = Uuid::parse_str(&member.sub).map_err(|err| unreadable(record, err))?;
            pool.groups
                .lock()
                .restore_member(&member.group, &member.user_key, sub);
        }
        let mut domains = HashMap::new();
        for record in kind(records::DOMAIN) {
            let domain: Domain = read(record)?;
            if pools.contains_key(domain.pool_id.as_str()) {
                domains.insert(record.key.clone(), domain);
            }
        }
        for record in kind(records::KEYS_KIND) {
            let keys: StoredKeys = read(record)?;
            let signer =
                TokenSigner::from_keys(&keys.signing_keys).map_err(|e| unreadable(record, e))?;
            self.refresh
                .import_key(&keys.refresh_key)
                .map_err(|e| unreadable(record, e))?;
            *self.signer.write().unwrap_or_else(|p| p.into_inner()) = signer;
            self.keys_saved.store(true, Ordering::Release);
        }
        for record in kind(records::REVOCATION) {
            self.revocations
                .restore(&record.key, &record.value)
                .map_err(|e| unreadable(record, e))?;
        }

        *self.domains.lock() = domains;
        *self.client_pools.write().unwrap_or_else(|p| p.into_inner()) = client_pools;
        *self.pools.write().unwrap_or_else(|p| p.into_inner()) = pools;
        self.pool_sequence.store(next_sequence, Ordering::Relaxed);
        Ok(())
    }

    fn clear(&self) {
        self.pools
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.client_pools
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.pool_sequence.store(0, Ordering::Relaxed);
        self.domains.lock().clear();
        self.revocations.clear();
        self.challenges.clear();
        self.hosted.clear();
        // The keys stay (tokens of deleted pools are refused anyway), but
        // are written again before they sign anything.
        self.keys_saved.store(false, Ordering::Release);
    }
}
