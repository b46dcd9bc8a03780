//! Amazon Cognito user pools (`cognito-idp`), JSON 1.1 behind
//! `X-Amz-Target: AWSCognitoIdentityProviderService.<Action>`.
//!
//! Layers, each using only those below it (no module imports one above it,
//! so the `use` graph of this folder has no cycles):
//!
//! 1. Leaves: `errors` (one constructor per AWS error code), `srp`,
//!    `tokens`, `totp`, `model`.
//! 2. `input`: reading a validated request.
//! 3. `state`: what Cognito knows (pools and their settings, app clients,
//!    users, devices, codes, software tokens, sessions, refresh grants, the
//!    decision after a correct password), with typed methods; no handlers.
//! 4. `triggers`: the Lambda triggers, run on state.
//! 5. This module: [`CognitoService`], its shared lookups (`pool`,
//!    `client`, `open_session`), and the route table that the JSON front
//!    door ([`aws_json::call`]) hands a validated request to.
//! 6. Handlers, one module per service area (`pools`, `clients`, `users`,
//!    `auth`, `custom_auth`, `refresh_tokens`, `mfa`, `devices`, `access`, `passwords`,
//!    `groups`, `tags`, `domains`), each adding its operations to
//!    `auth`, `mfa`, `devices`, `access`, `passwords`, `attributes`,
//!    `resource_servers`), each adding its operations to
//!    [`CognitoService`]: read the request, call the state, build the
//!    response.
//! 7. `oauth`: a user pool domain's endpoints (hosted sign-in pages and
//!    OAuth 2.0), served over HTTP rather than the JSON front door.
//! 8. `persist`: the service as records of a state folder (`--state-dir`):
//!    listing them, and rebuilding an empty service from them. The changes
//!    themselves are reported to the journal where they are made, under the
//!    lock that guards them (users by their table's guard, groups by their
//!    table, settings by `Pool::update_settings`, the rest by the handlers).

mod access;
mod attributes;
mod auth;
mod clients;
mod custom_auth;
mod devices;
mod discovery;
mod domains;
mod errors;
mod groups;
mod input;
mod mfa;
pub mod model;
pub(crate) mod oauth;
mod passwords;
mod persist;
mod pools;
mod refresh_tokens;
mod resource_servers;
pub mod srp;
mod state;
mod tags;
pub mod tokens;
pub mod totp;
mod triggers;
mod users;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};

use serde_json::{Map, Value};

use crate::Config;
use crate::aws_json::{self, JsonService, ServiceError};
use crate::clock::Clock;
use crate::outbox::Outbox;
use crate::persist::Journal;
use crate::validation::{Invalid, Model};

use errors::invalid_parameter;
pub(crate) use input::Input;
use state::clients::AppClient;
use state::pool::Pool;
use state::{challenges, refresh, revocation};

/// One emulator's Cognito: its pools, signing key and sign-in sessions.
pub struct CognitoService {
    region: String,
    account_id: String,
    endpoint: String,
    model: Model,
    pools: RwLock<HashMap<Arc<str>, Arc<Pool>>>,
    /// App client id → its pool (user-facing calls name only the client).
    client_pools: RwLock<HashMap<Box<str>, Arc<Pool>>>,
    pool_sequence: AtomicU64,
    /// Replaced only when a state folder is read.
    signer: RwLock<tokens::TokenSigner>,
    /// Whether the signing and refresh token keys are in the journal: they
    /// are written before the first token they sign leaves.
    keys_saved: AtomicBool,
    /// Held while the keys are written or a key is added.
    keys_lock: Mutex<()>,
    /// Where every change of persistent state is reported.
    journal: Journal,
    challenges: challenges::ChallengeStore,
    refresh: refresh::RefreshTokens,
    /// Sign-ins ended by RevokeToken, refresh tokens rotated out.
    revocations: revocation::Revocations,
    /// Every pool's domain, by name (names are unique across pools).
    domains: state::domains::Domains,
    /// Authorization codes, browser sessions and pending sign-ins of the
    /// domains' hosted pages.
    hosted: state::oauth::HostedState,
    outbox: Arc<Outbox>,
    triggers: triggers::Triggers,
    /// Where every expiry (sessions, codes, tokens, TOTP) reads the time.
    clock: Arc<Clock>,
}

type Outcome = Result<Value, ServiceError>;

impl CognitoService {
    pub(crate) fn new(
        config: &Config,
        endpoint: &str,
        outbox: Arc<Outbox>,
        clock: Arc<Clock>,
        lambda: Arc<crate::lambda::LambdaService>,
        journal: Journal,
    ) -> Self {
        CognitoService {
            region: config.region.clone(),
            account_id: config.account_id.clone(),
            endpoint: endpoint.to_owned(),
            model: Model::new(model::SHAPES, model::PATTERNS, model::OPERATIONS),
            pools: RwLock::new(HashMap::new()),
            client_pools: RwLock::new(HashMap::new()),
            pool_sequence: AtomicU64::new(0),
            signer: RwLock::new(tokens::TokenSigner::new()),
            keys_saved: AtomicBool::new(false),
            keys_lock: Mutex::new(()),
            challenges: challenges::ChallengeStore::new(clock.clone()),
            refresh: refresh::RefreshTokens::new(),
            revocations: revocation::Revocations::new(journal.clone()),
            journal,
            domains: state::domains::Domains::default(),
            hosted: state::oauth::HostedState::default(),
            outbox,
            triggers: triggers::Triggers::new(lambda, &config.region),
            clock,
        }
    }

    /// Seconds since the Unix epoch on the emulator's clock.
    fn now_secs(&self) -> i64 {
        self.clock.now_secs()
    }

    /// Milliseconds since the Unix epoch on the emulator's clock.
    fn now_millis(&self) -> i64 {
        self.clock.now_millis()
    }

    /// The Region in pool ids and device keys.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The JWKS of a pool's signing key, `None` for an unknown pool.
    pub fn jwks(&self, pool_id: &str) -> Option<Value> {
        self.pool(pool_id).ok().map(|_| self.signer().jwks())
    }

    /// The token signer, to verify with.
    fn signer(&self) -> RwLockReadGuard<'_, tokens::TokenSigner> {
        self.signer.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The token signer, to sign with: its keys (and the refresh token
    /// key) are in the journal before a token signed with them leaves.
    fn issuing_signer(&self) -> RwLockReadGuard<'_, tokens::TokenSigner> {
        self.keys_in_use();
        self.signer()
    }

    /// The refresh token sealer, to seal with (see [`Self::issuing_signer`]).
    fn sealing(&self) -> &refresh::RefreshTokens {
        self.keys_in_use();
        &self.refresh
    }

    /// The issuer of a pool's tokens: `{endpoint}/{userPoolId}`.
    fn issuer(&self, pool_id: &str) -> String {
        format!("{}/{pool_id}", self.endpoint)
    }

    /// The pool with this id, or `ResourceNotFoundException`.
    fn pool(&self, pool_id: &str) -> Result<Arc<Pool>, ServiceError> {
        let pools = self.pools.read().unwrap_or_else(|p| p.into_inner());
        pools
            .get(pool_id)
            .cloned()
            .ok_or_else(|| errors::pool_not_found(pool_id))
    }

    /// The pool and app client a user-facing request names by `ClientId`.
    fn client(&self, client_id: &str) -> Result<(Arc<Pool>, Arc<AppClient>), ServiceError> {
        let pool = self
            .client_pools
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(client_id)
            .cloned()
            .ok_or_else(|| errors::client_not_found(client_id))?;
        let client = pool.client(client_id)?;
        Ok((pool, client))
    }

    /// Opens a challenge's `Session`, valid for its app client's
    /// `AuthSessionValidity` (three minutes when the client is gone).
    fn open_session(&self, challenge: challenges::Challenge) -> String {
        let lifetime = self
            .pool(&challenge.pool_id)
            .and_then(|pool| pool.client(&challenge.client_id))
            .map_or(challenges::SESSION_LIFETIME, |client| {
                client.session_validity
            });
        self.challenges.open(challenge, lifetime)
    }
}

/// Cognito behind the JSON front door ([`aws_json::call`]).
///
/// A body that is not JSON, or a member of the wrong JSON type, is a
/// `SerializationException` (as AWS answers before looking at the values); a
/// missing required member or a value outside the model's constraints is an
/// `InvalidParameterException` listing every violation.
impl JsonService for CognitoService {
    fn model(&self) -> &Model {
        &self.model
    }

    fn unreadable(&self, message: String) -> ServiceError {
        aws_json::serialization(message)
    }

    fn invalid(&self, invalid: Invalid) -> ServiceError {
        match invalid.wrong_type {
            Some(message) => aws_json::serialization(message),
            None => invalid_parameter(invalid.summary),
        }
    }

    async fn route(&self, operation: &'static str, input: &Map<String, Value>) -> Outcome {
        route(self, operation, &Input::new(input)).await
    }
}

/// Declares the operations this emulator serves, once: the list
/// [`supported_operations`] returns and the routing `route` does are both
/// generated from it, so they cannot disagree.
macro_rules! operations {
    ($service:ident, $input:ident; $($name:literal => $handler:expr,)*) => {
        const SUPPORTED_OPERATIONS: &[&str] = &[$($name),*];

        async fn route($service: &CognitoService, action: &str, $input: &Input<'_>) -> Outcome {
            match action {
                $($name => $handler,)*
                _ => Err(invalid_parameter(format!(
                    "{action} is not supported by this emulator"
                ))),
            }
        }
    };
}

operations! { service, input;
    "CreateUserPool" => service.create_user_pool(input),
    "DescribeUserPool" => service.describe_user_pool(input),
    "UpdateUserPool" => service.update_user_pool(input),
    "DeleteUserPool" => service.delete_user_pool(input),
    "ListUserPools" => service.list_user_pools(input),
    "SetUserPoolMfaConfig" => service.set_user_pool_mfa_config(input),
    "GetUserPoolMfaConfig" => service.get_user_pool_mfa_config(input),
    "CreateUserPoolClient" => service.create_user_pool_client(input),
    "DescribeUserPoolClient" => service.describe_user_pool_client(input),
    "DeleteUserPoolClient" => service.delete_user_pool_client(input),
    "ListUserPoolClients" => service.list_user_pool_clients(input),
    "SignUp" => service.sign_up(input).await,
    "ConfirmSignUp" => service.confirm_sign_up(input).await,
    "ResendConfirmationCode" => service.resend_confirmation_code(input).await,
    "AdminConfirmSignUp" => service.admin_confirm_sign_up(input).await,
    "AdminCreateUser" => service.admin_create_user(input).await,
    "AdminGetUser" => service.admin_get_user(input),
    "AdminDeleteUser" => service.admin_delete_user(input),
    "ListUsers" => service.list_users(input),
    "GetUser" => service.get_user(input),
    "DeleteUser" => service.delete_user(input),
    "GlobalSignOut" => service.global_sign_out(input),
    "AdminUserGlobalSignOut" => service.admin_user_global_sign_out(input),
    "InitiateAuth" => service.initiate_auth(input, false).await,
    "AdminInitiateAuth" => service.initiate_auth(input, true).await,
    "RespondToAuthChallenge" => service.respond_to_auth_challenge(input, false).await,
    "AdminRespondToAuthChallenge" => service.respond_to_auth_challenge(input, true).await,
    "AssociateSoftwareToken" => service.associate_software_token(input),
    "VerifySoftwareToken" => service.verify_software_token(input),
    "SetUserMFAPreference" => service.set_user_mfa_preference(input),
    "AdminSetUserMFAPreference" => service.admin_set_user_mfa_preference(input),
    "ConfirmDevice" => service.confirm_device(input),
    "GetDevice" => service.get_device(input),
    "ListDevices" => service.list_devices(input),
    "UpdateDeviceStatus" => service.update_device_status(input),
    "ForgetDevice" => service.forget_device(input),
    // Groups, app clients, tokens, devices, tags and domains.
    "CreateGroup" => service.create_group(input),
    "GetGroup" => service.get_group(input),
    "UpdateGroup" => service.update_group(input),
    "DeleteGroup" => service.delete_group(input),
    "ListGroups" => service.list_groups(input),
    "AdminAddUserToGroup" => service.admin_add_user_to_group(input),
    "AdminRemoveUserFromGroup" => service.admin_remove_user_from_group(input),
    "AdminListGroupsForUser" => service.admin_list_groups_for_user(input),
    "ListUsersInGroup" => service.list_users_in_group(input),
    // Users, passwords and attributes.
    "ForgotPassword" => service.forgot_password(input).await,
    "ConfirmForgotPassword" => service.confirm_forgot_password(input).await,
    "ChangePassword" => service.change_password(input),
    "AdminSetUserPassword" => service.admin_set_user_password(input),
    "AdminResetUserPassword" => service.admin_reset_user_password(input).await,
    "AdminDisableUser" => service.admin_disable_user(input),
    "AdminEnableUser" => service.admin_enable_user(input),
    "UpdateUserPoolClient" => service.update_user_pool_client(input),
    "RevokeToken" => service.revoke_token(input),
    "GetTokensFromRefreshToken" => service.get_tokens_from_refresh_token(input).await,
    "AdminGetDevice" => service.admin_get_device(input),
    "AdminListDevices" => service.admin_list_devices(input),
    "AdminUpdateDeviceStatus" => service.admin_update_device_status(input),
    "AdminForgetDevice" => service.admin_forget_device(input),
    "TagResource" => service.tag_resource(input),
    "UntagResource" => service.untag_resource(input),
    "ListTagsForResource" => service.list_tags_for_resource(input),
    "CreateUserPoolDomain" => service.create_user_pool_domain(input),
    "DescribeUserPoolDomain" => service.describe_user_pool_domain(input),
    "UpdateUserPoolDomain" => service.update_user_pool_domain(input),
    "DeleteUserPoolDomain" => service.delete_user_pool_domain(input),
    "UpdateUserAttributes" => service.update_user_attributes(input).await,
    "AdminUpdateUserAttributes" => service.admin_update_user_attributes(input).await,
    "DeleteUserAttributes" => service.delete_user_attributes(input),
    "AdminDeleteUserAttributes" => service.admin_delete_user_attributes(input),
    "GetUserAttributeVerificationCode" => service.get_user_attribute_verification_code(input).await,
    "VerifyUserAttribute" => service.verify_user_attribute(input),
    "AddCustomAttributes" => service.add_custom_attributes(input),
    "CreateResourceServer" => service.create_resource_server(input),
    "DescribeResourceServer" => service.describe_resource_server(input),
    "UpdateResourceServer" => service.update_resource_server(input),
    "DeleteResourceServer" => service.delete_resource_server(input),
    "ListResourceServers" => service.list_resource_servers(input),
}

/// The names of every Cognito operation this emulator implements (the
/// service model knows more; those answer that they are not supported).
pub fn supported_operations() -> &'static [&'static str] {
    SUPPORTED_OPERATIONS
}

/// A timestamp as the JSON protocols send it: epoch seconds with a fraction.
fn epoch(millis: i64) -> Value {
    serde_json::json!(millis as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_operation_is_in_the_model() {
        let model = Model::new(model::SHAPES, model::PATTERNS, model::OPERATIONS);
        assert!(supported_operations().len() >= 30);
        for name in supported_operations() {
            let operation = model
                .operation(name)
                .unwrap_or_else(|| panic!("{name} is not in the service model"));
            assert!(operation.input.is_some(), "{name} has no input shape");
        }
    }
}
