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
        self.journal.is_on()
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
            let settings = pool.settings();
            if records::user_key(&pool.id, &settings.user_key(&user.username)) != record.key {
                return Err(unreadable(record, "the key is not the user's"));
            }
            pool.users.restore(&settings, user);
        }
        for record in kind(records::GROUP) {
            let Some(pool) = parent(record) else { continue };
            let group: Group = read(record)?;
            if records::child_key(&pool.id, &group.name) != record.key {
                return Err(unreadable(record, "the key is not the group's"));
            }
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use serde_json::{Map, json};

    use super::*;
    use crate::Config;
    use crate::aws_json::ServiceError;
    use crate::cognito::{Input, totp};
    use crate::persist::Journal;
    use crate::server::AppState;

    /// An emulator whose Cognito reports to a capture journal, and checks
    /// after every call that what it reported is what it holds.
    struct Harness {
        state: AppState,
        journal: Journal,
    }

    impl Harness {
        fn new() -> Self {
            let journal = Journal::capture();
            let state = AppState::new(&Config::default(), "http://localhost:4566", journal.clone());
            Harness { state, journal }
        }

        fn cognito(&self) -> &CognitoService {
            &self.state.cognito
        }

        async fn outcome(
            &self,
            operation: &'static str,
            body: Value,
        ) -> Result<Value, ServiceError> {
            let body: Map<String, Value> = serde_json::from_value(body).expect("an object");
            let outcome = super::super::route(self.cognito(), operation, &Input::new(&body)).await;
            self.check(operation);
            outcome
        }

        async fn call(&self, operation: &'static str, body: Value) -> Value {
            self.outcome(operation, body)
                .await
                .unwrap_or_else(|err| panic!("{operation}: {} {}", err.code, err.message))
        }

        async fn refused(&self, operation: &'static str, body: Value) -> ServiceError {
            match self.outcome(operation, body).await {
                Ok(output) => panic!("{operation} succeeded: {output}"),
                Err(err) => err,
            }
        }

        /// The journal describes exactly the records the emulator holds
        /// (Cognito's, and the outbox messages it sent).
        fn check(&self, after: &str) {
            check_same(&self.journal.replayed(), &self.state.records(), after);
        }

        fn code(&self, pool_id: &str, username: &str) -> String {
            self.state
                .outbox
                .latest_code(pool_id, username)
                .expect("a code was sent")
        }
    }

    /// Compares two record lists, naming the records that differ.
    fn check_same(journaled: &[Record], held: &[Record], after: &str) {
        let map = |records: &[Record]| -> BTreeMap<(String, String), Value> {
            records
                .iter()
                .map(|r| ((r.kind.clone(), r.key.clone()), r.value.clone()))
                .collect()
        };
        let (journaled_map, held_map) = (map(journaled), map(held));
        let mut differences = Vec::new();
        for (key, value) in &held_map {
            match journaled_map.get(key) {
                None => differences.push(format!("not journaled: {key:?}")),
                Some(j) if j != value => differences.push(format!(
                    "stale: {key:?}\n journaled {j}\n held      {value}"
                )),
                _ => {}
            }
        }
        for key in journaled_map.keys() {
            if !held_map.contains_key(key) {
                differences.push(format!("journaled but gone: {key:?}"));
            }
        }
        assert!(
            differences.is_empty(),
            "after {after}:\n{}",
            differences.join("\n")
        );
        assert_eq!(journaled, held, "after {after}: the order of records");
    }

    const PASSWORD: &str = "Passw0rd!long";

    /// Drives every operation that changes state, checking the journal
    /// after each; returns the harness and what a restored copy must honour.
    async fn drive_everything() -> (Harness, Remembered) {
        let h = Harness::new();
        let pool = h
            .call(
                "CreateUserPool",
                json!({
                    "PoolName": "main",
                    "AutoVerifiedAttributes": ["email"],
                    "AliasAttributes": ["email", "preferred_username"],
                    "UsernameConfiguration": {"CaseSensitive": false},
                    "Schema": [{"Name": "tier", "AttributeDataType": "String"}],
                    "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": false},
                    "UserPoolTags": {"team": "a"},
                }),
            )
            .await;
        let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
        let arn = pool["UserPool"]["Arn"].as_str().unwrap().to_owned();
        let p = |extra: Value| {
            let mut body = json!({ "UserPoolId": pool_id });
            body.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            body
        };
        h.call(
            "UpdateUserPool",
            p(json!({"AutoVerifiedAttributes": ["email"], "Policies": {"PasswordPolicy": {"MinimumLength": 8}},
                     "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": false}})),
        )
        .await;
        h.call(
            "SetUserPoolMfaConfig",
            p(json!({"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": true}})),
        )
        .await;
        h.call(
            "AddCustomAttributes",
            p(json!({"CustomAttributes": [{"Name": "level", "AttributeDataType": "Number"}]})),
        )
        .await;
        h.call(
            "TagResource",
            json!({"ResourceArn": arn, "Tags": {"env": "test"}}),
        )
        .await;
        h.call(
            "UntagResource",
            json!({"ResourceArn": arn, "TagKeys": ["team"]}),
        )
        .await;

        // Resource servers, clients, domains.
        h.call(
            "CreateResourceServer",
            p(
                json!({"Identifier": "https://api.example.com/v1", "Name": "api",
                     "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read"}]}),
            ),
        )
        .await;
        h.call(
            "UpdateResourceServer",
            p(
                json!({"Identifier": "https://api.example.com/v1", "Name": "api2",
                     "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read"},
                                {"ScopeName": "write", "ScopeDescription": "Write"}]}),
            ),
        )
        .await;
        h.call(
            "CreateResourceServer",
            p(json!({"Identifier": "gone", "Name": "gone", "Scopes": []})),
        )
        .await;
        h.call("DeleteResourceServer", p(json!({"Identifier": "gone"})))
            .await;
        let flows = json!([
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_USER_SRP_AUTH"
        ]);
        let client = h
            .call(
                "CreateUserPoolClient",
                p(json!({"ClientName": "app", "ExplicitAuthFlows": flows,
                         "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
                         "AllowedOAuthScopes": ["openid", "https://api.example.com/v1/read"],
                         "CallbackURLs": ["https://app.example.com/cb"],
                         "SupportedIdentityProviders": ["COGNITO"]})),
            )
            .await;
        let client_id = client["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_owned();
        h.call(
            "UpdateUserPoolClient",
            p(json!({"ClientId": client_id, "ExplicitAuthFlows": flows,
                     "AccessTokenValidity": 2, "TokenValidityUnits": {"AccessToken": "hours"},
                     "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
                     "AllowedOAuthScopes": ["openid", "https://api.example.com/v1/write"],
                     "CallbackURLs": ["https://app.example.com/cb"],
                     "SupportedIdentityProviders": ["COGNITO"]})),
        )
        .await;
        let rotating = h
            .call(
                "CreateUserPoolClient",
                p(json!({"ClientName": "rotating", "GenerateSecret": true,
                         "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                         "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}})),
            )
            .await;
        let rotating_id = rotating["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_owned();
        let rotating_secret = rotating["UserPoolClient"]["ClientSecret"]
            .as_str()
            .unwrap()
            .to_owned();
        let doomed = h
            .call("CreateUserPoolClient", p(json!({"ClientName": "doomed"})))
            .await;
        h.call(
            "DeleteUserPoolClient",
            p(json!({"ClientId": doomed["UserPoolClient"]["ClientId"]})),
        )
        .await;
        h.call("CreateUserPoolDomain", p(json!({"Domain": "main-domain"})))
            .await;
        h.call(
            "UpdateUserPoolDomain",
            p(json!({"Domain": "main-domain", "ManagedLoginVersion": 2})),
        )
        .await;

        // Sign-up and confirmation, wrong codes counting.
        h.call(
            "SignUp",
            json!({"ClientId": client_id, "Username": "Alice", "Password": PASSWORD,
                   "UserAttributes": [{"Name": "email", "Value": "alice@example.com"},
                                      {"Name": "custom:tier", "Value": "gold"}]}),
        )
        .await;
        h.call(
            "ResendConfirmationCode",
            json!({"ClientId": client_id, "Username": "alice"}),
        )
        .await;
        let code = h.code(&pool_id, "Alice");
        let wrong = if code == "000000" { "000001" } else { "000000" };
        h.refused(
            "ConfirmSignUp",
            json!({"ClientId": client_id, "Username": "alice", "ConfirmationCode": wrong}),
        )
        .await;
        h.call(
            "ConfirmSignUp",
            json!({"ClientId": client_id, "Username": "alice", "ConfirmationCode": code}),
        )
        .await;
        h.call(
            "SignUp",
            json!({"ClientId": client_id, "Username": "bob", "Password": PASSWORD}),
        )
        .await;
        h.call("AdminConfirmSignUp", p(json!({"Username": "bob"})))
            .await;

        // Admin-created users, a temporary password replaced at sign-in.
        h.call(
            "AdminCreateUser",
            p(json!({"Username": "carol", "TemporaryPassword": PASSWORD, "MessageAction": "SUPPRESS",
                     "UserAttributes": [{"Name": "email", "Value": "carol@example.com"},
                                        {"Name": "email_verified", "Value": "true"}]})),
        )
        .await;
        let challenge = h
            .call(
                "AdminInitiateAuth",
                p(
                    json!({"ClientId": client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                         "AuthParameters": {"USERNAME": "carol", "PASSWORD": PASSWORD}}),
                ),
            )
            .await;
        assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");
        h.call(
            "AdminRespondToAuthChallenge",
            p(
                json!({"ClientId": client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED",
                     "Session": challenge["Session"],
                     "ChallengeResponses": {"USERNAME": "carol", "NEW_PASSWORD": "An0ther!pass"}}),
            ),
        )
        .await;
        h.call(
            "AdminCreateUser",
            p(json!({"Username": "dave", "TemporaryPassword": PASSWORD, "MessageAction": "SUPPRESS"})),
        )
        .await;
        h.call(
            "AdminCreateUser",
            p(json!({"Username": "dave", "TemporaryPassword": "Temp0rary!new", "MessageAction": "RESEND"})),
        )
        .await;
        h.call(
            "AdminSetUserPassword",
            p(json!({"Username": "dave", "Password": PASSWORD, "Permanent": true})),
        )
        .await;

        // Signed in: attributes, devices, software tokens.
        let signed_in = h
            .call(
                "InitiateAuth",
                json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                       "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}),
            )
            .await;
        let result = &signed_in["AuthenticationResult"];
        let access = result["AccessToken"].as_str().unwrap().to_owned();
        let refresh = result["RefreshToken"].as_str().unwrap().to_owned();
        let device_key = result["NewDeviceMetadata"]["DeviceKey"]
            .as_str()
            .expect("a new device")
            .to_owned();
        let token = |extra: Value| {
            let mut body = json!({ "AccessToken": access });
            body.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            body
        };
        h.call(
            "ConfirmDevice",
            token(json!({"DeviceKey": device_key, "DeviceName": "laptop",
                         "DeviceSecretVerifierConfig": {"PasswordVerifier": "AQID", "Salt": "BAUG"}})),
        )
        .await;
        h.call(
            "UpdateDeviceStatus",
            token(json!({"DeviceKey": device_key, "DeviceRememberedStatus": "remembered"})),
        )
        .await;
        h.call(
            "AdminUpdateDeviceStatus",
            p(json!({"Username": "alice", "DeviceKey": device_key, "DeviceRememberedStatus": "not_remembered"})),
        )
        .await;
        h.call(
            "UpdateUserAttributes",
            token(
                json!({"UserAttributes": [{"Name": "preferred_username", "Value": "ally"},
                                             {"Name": "email", "Value": "alice2@example.com"}]}),
            ),
        )
        .await;
        h.call(
            "GetUserAttributeVerificationCode",
            token(json!({"AttributeName": "email"})),
        )
        .await;
        h.refused(
            "VerifyUserAttribute",
            token(json!({"AttributeName": "email", "Code": "999999x"})),
        )
        .await;
        let code = h.code(&pool_id, "Alice");
        h.call(
            "VerifyUserAttribute",
            token(json!({"AttributeName": "email", "Code": code})),
        )
        .await;
        h.call(
            "DeleteUserAttributes",
            token(json!({"UserAttributeNames": ["custom:tier"]})),
        )
        .await;
        h.call(
            "AdminUpdateUserAttributes",
            p(json!({"Username": "bob", "UserAttributes": [{"Name": "email", "Value": "bob@example.com"},
                                                           {"Name": "email_verified", "Value": "true"},
                                                           {"Name": "custom:level", "Value": "3"}]})),
        )
        .await;
        h.call(
            "AdminDeleteUserAttributes",
            p(json!({"Username": "bob", "UserAttributeNames": ["custom:level"]})),
        )
        .await;
        let secret = h.call("AssociateSoftwareToken", token(json!({}))).await["SecretCode"]
            .as_str()
            .unwrap()
            .to_owned();
        let now = h.cognito().now_secs() as u64;
        h.call(
            "VerifySoftwareToken",
            token(json!({"UserCode": totp::code_at(&secret, now)})),
        )
        .await;
        h.call(
            "SetUserMFAPreference",
            token(json!({"SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": false}})),
        )
        .await;
        h.call(
            "AdminSetUserMFAPreference",
            p(json!({"Username": "alice", "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}})),
        )
        .await;
        // A TOTP sign-in remembers the step it accepted.
        h.state.clock.advance(Duration::from_secs(60));
        let mfa = h
            .call(
                "InitiateAuth",
                json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                       "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}),
            )
            .await;
        assert_eq!(mfa["ChallengeName"], "SOFTWARE_TOKEN_MFA", "{mfa}");
        let now = h.cognito().now_secs() as u64;
        let second = h
            .call(
                "RespondToAuthChallenge",
                json!({"ClientId": client_id, "ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": mfa["Session"],
                       "ChallengeResponses": {"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": totp::code_at(&secret, now)}}),
            )
            .await;
        let second = &second["AuthenticationResult"];
        let second_device = second["NewDeviceMetadata"]["DeviceKey"].clone();
        let second_access = second["AccessToken"].clone();
        h.call(
            "ConfirmDevice",
            json!({"AccessToken": second_access, "DeviceKey": second_device,
                   "DeviceSecretVerifierConfig": {"PasswordVerifier": "AQIE", "Salt": "BAUH"}}),
        )
        .await;
        h.call(
            "ForgetDevice",
            json!({"AccessToken": second_access, "DeviceKey": second_device}),
        )
        .await;

        // Groups and memberships.
        for (name, precedence) in [("admins", 1), ("a/b", 2), ("staff", 3)] {
            h.call(
                "CreateGroup",
                p(json!({"GroupName": name, "Precedence": precedence})),
            )
            .await;
        }
        h.call(
            "UpdateGroup",
            p(json!({"GroupName": "admins", "Description": "the admins", "RoleArn": "arn:aws:iam::000000000000:role/admin"})),
        )
        .await;
        for (user, group) in [
            ("alice", "admins"),
            ("bob", "admins"),
            ("bob", "a/b"),
            ("carol", "staff"),
            ("dave", "staff"),
        ] {
            h.call(
                "AdminAddUserToGroup",
                p(json!({"Username": user, "GroupName": group})),
            )
            .await;
        }
        h.call(
            "AdminRemoveUserFromGroup",
            p(json!({"Username": "bob", "GroupName": "admins"})),
        )
        .await;
        h.call("DeleteGroup", p(json!({"GroupName": "a/b"}))).await;

        // Passwords.
        h.call(
            "ForgotPassword",
            json!({"ClientId": client_id, "Username": "bob"}),
        )
        .await;
        h.refused(
            "ConfirmForgotPassword",
            json!({"ClientId": client_id, "Username": "bob", "ConfirmationCode": "000000x", "Password": PASSWORD}),
        )
        .await;
        let code = h.code(&pool_id, "bob");
        h.call(
            "ConfirmForgotPassword",
            json!({"ClientId": client_id, "Username": "bob", "ConfirmationCode": code, "Password": "Br4nd!newpass"}),
        )
        .await;
        h.call("AdminResetUserPassword", p(json!({"Username": "carol"})))
            .await;
        let dave = h
            .call(
                "AdminInitiateAuth",
                p(json!({"ClientId": rotating_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                         "AuthParameters": {"USERNAME": "dave", "PASSWORD": PASSWORD,
                                            "SECRET_HASH": super::super::state::clients::secret_hash(&rotating_secret, "dave", &rotating_id)}})),
            )
            .await;
        let dave_access = dave["AuthenticationResult"]["AccessToken"]
            .as_str()
            .unwrap()
            .to_owned();
        let dave_refresh = dave["AuthenticationResult"]["RefreshToken"]
            .as_str()
            .unwrap()
            .to_owned();
        h.call(
            "ChangePassword",
            json!({"AccessToken": dave_access, "PreviousPassword": PASSWORD, "ProposedPassword": "Dav3!changed"}),
        )
        .await;
        // A rotated-out refresh token, then a revoked one.
        let rotated = h
            .call(
                "GetTokensFromRefreshToken",
                json!({"RefreshToken": dave_refresh, "ClientId": rotating_id, "ClientSecret": rotating_secret}),
            )
            .await;
        let dave_refresh = rotated["AuthenticationResult"]["RefreshToken"]
            .as_str()
            .unwrap()
            .to_owned();
        h.call(
            "RevokeToken",
            json!({"Token": dave_refresh, "ClientId": rotating_id, "ClientSecret": rotating_secret}),
        )
        .await;

        // Enabling, disabling, signing out.
        h.call("AdminDisableUser", p(json!({"Username": "carol"})))
            .await;
        h.call("AdminEnableUser", p(json!({"Username": "carol"})))
            .await;
        h.call("AdminUserGlobalSignOut", p(json!({"Username": "carol"})))
            .await;
        let bob = h
            .call(
                "AdminInitiateAuth",
                p(
                    json!({"ClientId": client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                         "AuthParameters": {"USERNAME": "bob", "PASSWORD": "Br4nd!newpass"}}),
                ),
            )
            .await;
        let bob_access = bob["AuthenticationResult"]["AccessToken"].clone();
        h.call("GlobalSignOut", json!({"AccessToken": bob_access}))
            .await;

        // Forgetting devices, deleting users (a member's group entry is
        // pruned by the next listing).
        h.call(
            "AdminForgetDevice",
            p(json!({"Username": "alice", "DeviceKey": device_key})),
        )
        .await;
        h.call("AdminDeleteUser", p(json!({"Username": "dave"})))
            .await;
        h.call("ListUsersInGroup", p(json!({"GroupName": "staff"})))
            .await;
        let erin = {
            h.call(
                "AdminCreateUser",
                p(json!({"Username": "erin", "TemporaryPassword": PASSWORD, "MessageAction": "SUPPRESS"})),
            )
            .await;
            h.call(
                "AdminSetUserPassword",
                p(json!({"Username": "erin", "Password": PASSWORD, "Permanent": true})),
            )
            .await;
            h.call(
                "AdminInitiateAuth",
                p(
                    json!({"ClientId": client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                         "AuthParameters": {"USERNAME": "erin", "PASSWORD": PASSWORD}}),
                ),
            )
            .await
        };
        h.call(
            "DeleteUser",
            json!({"AccessToken": erin["AuthenticationResult"]["AccessToken"]}),
        )
        .await;

        // A second pool with everything in it, deleted.
        let other = h
            .call(
                "CreateUserPool",
                json!({"PoolName": "other", "UsernameAttributes": ["email"]}),
            )
            .await;
        let other_id = other["UserPool"]["Id"].as_str().unwrap().to_owned();
        let o = |extra: Value| {
            let mut body = json!({ "UserPoolId": other_id });
            body.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            body
        };
        h.call("CreateUserPoolClient", o(json!({"ClientName": "x"})))
            .await;
        h.call(
            "AdminCreateUser",
            o(json!({"Username": "x@example.com", "MessageAction": "SUPPRESS"})),
        )
        .await;
        h.call("CreateGroup", o(json!({"GroupName": "g"}))).await;
        h.call(
            "AdminAddUserToGroup",
            o(json!({"Username": "x@example.com", "GroupName": "g"})),
        )
        .await;
        h.call(
            "CreateResourceServer",
            o(json!({"Identifier": "r", "Name": "r"})),
        )
        .await;
        h.call("CreateUserPoolDomain", o(json!({"Domain": "other-domain"})))
            .await;
        h.call("DeleteUserPoolDomain", o(json!({"Domain": "other-domain"})))
            .await;
        h.call("CreateUserPoolDomain", o(json!({"Domain": "other-domain"})))
            .await;
        h.call("DeleteUserPool", o(json!({}))).await;
        assert!(
            h.journal
                .replayed()
                .iter()
                .all(|r| !r.key.contains(&other_id) && r.key != "other-domain"),
            "the deleted pool left records"
        );

        let kid = h.cognito().rotate_signing_key();
        h.check("rotate_signing_key");
        // A wrong password changes nothing.
        h.refused(
            "InitiateAuth",
            json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": "ally", "PASSWORD": "An0ther!pass"}}),
        )
        .await;
        let remembered = Remembered {
            pool_id,
            client_id,
            access,
            refresh,
            kid,
            dave_refresh,
        };
        (h, remembered)
    }

    /// What a restored emulator must still honour.
    struct Remembered {
        pool_id: String,
        client_id: String,
        /// Alice's access and refresh tokens, issued before the rotation.
        access: String,
        refresh: String,
        kid: String,
        /// Revoked.
        dave_refresh: String,
    }

    #[tokio::test]
    async fn every_change_is_journaled() {
        let (h, _) = drive_everything().await;
        let records = h.cognito().records();
        for kind in [
            records::POOL,
            records::CLIENT,
            records::USER,
            records::GROUP,
            records::MEMBER,
            records::RESOURCE_SERVER,
            records::DOMAIN,
            records::KEYS_KIND,
            records::REVOCATION,
        ] {
            assert!(
                records.iter().any(|r| r.kind == kind),
                "no {kind} record: the test misses a change"
            );
        }
    }

    /// The capture journal of `h` made to describe `records`, as if they
    /// had been journaled (a restored emulator starts from its state folder).
    fn seed(h: &Harness, records: &[Record]) {
        let kinds = [
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
        for record in records {
            let kind = kinds.iter().find(|k| **k == record.kind).expect("a kind");
            h.journal.put(kind, &record.key, &record.value);
        }
    }

    #[tokio::test]
    async fn a_restored_emulator_holds_everything_and_honours_old_tokens() {
        let (h, r) = drive_everything().await;
        let records = h.cognito().records();
        let restored = Harness::new();
        restored.cognito().restore(records.clone()).unwrap();
        assert!(
            restored.journal.replayed().is_empty(),
            "restoring journals nothing"
        );
        check_same(&records, &restored.cognito().records(), "restore");
        seed(&restored, &records);
        let h = restored;

        // The keys: the JWKS, tokens signed before, refresh tokens sealed before.
        let jwks = h.cognito().jwks(&r.pool_id).unwrap();
        let kids: Vec<&str> = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap())
            .collect();
        assert_eq!(kids.len(), 2);
        assert_eq!(kids[1], r.kid);
        let user = h.call("GetUser", json!({"AccessToken": r.access})).await;
        assert_eq!(user["Username"], "Alice");
        let refreshed = h
            .call(
                "InitiateAuth",
                json!({"ClientId": r.client_id, "AuthFlow": "REFRESH_TOKEN_AUTH",
                       "AuthParameters": {"REFRESH_TOKEN": r.refresh}}),
            )
            .await;
        assert!(refreshed["AuthenticationResult"]["AccessToken"].is_string());
        assert_eq!(
            h.refused(
                "GetTokensFromRefreshToken",
                json!({"RefreshToken": r.dave_refresh, "ClientId": "nope"}),
            )
            .await
            .code,
            "ResourceNotFoundException"
        );

        // Passwords and aliases: bob signs in by his verified email.
        let bob = h
            .call(
                "AdminInitiateAuth",
                json!({"UserPoolId": r.pool_id, "ClientId": r.client_id,
                       "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                       "AuthParameters": {"USERNAME": "BOB@example.com", "PASSWORD": "Br4nd!newpass"}}),
            )
            .await;
        let bob_access = bob["AuthenticationResult"]["AccessToken"].clone();
        assert!(bob_access.is_string(), "{bob}");
        // Groups and settings.
        let groups = h
            .call(
                "AdminListGroupsForUser",
                json!({"UserPoolId": r.pool_id, "Username": "alice"}),
            )
            .await;
        assert_eq!(groups["Groups"][0]["GroupName"], "admins");
        let mfa = h
            .call("GetUserPoolMfaConfig", json!({"UserPoolId": r.pool_id}))
            .await;
        assert_eq!(mfa["MfaConfiguration"], "OPTIONAL");
        let described = h
            .call("DescribeUserPool", json!({"UserPoolId": r.pool_id}))
            .await;
        assert_eq!(
            described["UserPool"]["UserPoolTags"],
            json!({"env": "test"})
        );
        assert_eq!(described["UserPool"]["Domain"], "main-domain");

        // A new pool comes after the old ones in listings.
        h.call("CreateUserPool", json!({"PoolName": "later"})).await;
        let listed = h.call("ListUserPools", json!({"MaxResults": 10})).await;
        let names: Vec<&str> = listed["UserPools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["Name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["main", "later"]);

        // Reset forgets everything, without journaling.
        let before = h.journal.replayed();
        h.cognito().clear();
        assert!(h.cognito().records().is_empty());
        assert_eq!(h.journal.replayed(), before);
    }

    #[tokio::test]
    async fn unreadable_and_orphan_records() {
        let h = Harness::new();
        let broken = Record {
            kind: records::USER.to_owned(),
            key: "us-east-1_x/ann".to_owned(),
            value: json!({"username": 3}),
        };
        // A user whose pool is gone is skipped, even unreadable.
        h.cognito().restore(vec![broken.clone()]).unwrap();
        assert!(h.cognito().records().is_empty());

        let (full, _) = drive_everything().await;
        let mut records = full.cognito().records();
        let mut wrong = records
            .iter()
            .find(|r| r.kind == records::USER)
            .unwrap()
            .clone();
        wrong.value["sub"] = json!("not a uuid");
        records.retain(|r| r.kind != records::USER || r.key != wrong.key);
        records.push(wrong.clone());
        let err = Harness::new().cognito().restore(records).unwrap_err();
        assert!(
            err.contains("cognito.user") && err.contains(&wrong.key),
            "{err}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_changes_are_journaled_in_the_order_made() {
        let h = Arc::new(Harness::new());
        let pool = h.call("CreateUserPool", json!({"PoolName": "busy"})).await;
        let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
        h.call(
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": "shared", "MessageAction": "SUPPRESS"}),
        )
        .await;
        h.call(
            "CreateGroup",
            json!({"UserPoolId": pool_id, "GroupName": "g"}),
        )
        .await;
        let tasks: Vec<_> = (0..8)
            .map(|task| {
                let h = h.clone();
                let pool_id = pool_id.clone();
                tokio::spawn(async move {
                    for round in 0..25 {
                        let name = format!("u{task}-{round}");
                        let body = json!({"UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS"});
                        let body: Map<String, Value> = serde_json::from_value(body).unwrap();
                        let route = |op, body: Map<String, Value>| {
                            let h = h.clone();
                            async move {
                                super::super::route(h.cognito(), op, &Input::new(&body))
                                    .await
                                    .unwrap()
                            }
                        };
                        route("AdminCreateUser", body).await;
                        let body = json!({"UserPoolId": pool_id, "Username": "shared",
                                          "UserAttributes": [{"Name": "name", "Value": format!("{task}-{round}")}]});
                        route("AdminUpdateUserAttributes", serde_json::from_value(body).unwrap()).await;
                        let body = json!({"UserPoolId": pool_id, "Username": name, "GroupName": "g"});
                        route("AdminAddUserToGroup", serde_json::from_value(body).unwrap()).await;
                        let body = json!({"UserPoolId": pool_id, "Username": name});
                        if round % 3 == 0 {
                            route("AdminDeleteUser", serde_json::from_value(body).unwrap()).await;
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        h.check("concurrent changes");
    }
}
