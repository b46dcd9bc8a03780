//! Amazon Cognito user pools (`cognito-idp`), JSON 1.1 behind
//! `X-Amz-Target: AWSCognitoIdentityProviderService.<Action>`.
//!
//! Each service area has its own module (`pools`, `clients`, `users`,
//! `auth`, `mfa`, `devices`), each adding its operations to
//! [`CognitoService`]; `call` validates a request against the service model
//! and routes it. Where Lambda triggers will run is marked in `triggers`.

mod access;
mod attributes;
mod auth;
mod challenges;
mod clients;
mod codes;
mod devices;
mod input;
mod mfa;
pub mod model;
mod password_policy;
mod pools;
mod refresh;
pub mod srp;
pub mod tokens;
pub mod totp;
mod triggers;
mod user_filter;
mod users;

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::Config;
use crate::aws_json::{self, ServiceError};
use crate::outbox::Outbox;
use crate::validation::Model;

pub(crate) use input::Input;
pub(crate) use pools::Pool;

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
    signer: tokens::TokenSigner,
    challenges: challenges::ChallengeStore,
    refresh: refresh::RefreshTokens,
    outbox: Arc<Outbox>,
    triggers: triggers::Triggers,
}

type Outcome = Result<Value, ServiceError>;

impl CognitoService {
    pub(crate) fn new(config: &Config, endpoint: &str, outbox: Arc<Outbox>) -> Self {
        CognitoService {
            region: config.region.clone(),
            account_id: config.account_id.clone(),
            endpoint: endpoint.to_owned(),
            model: Model::new(model::SHAPES, model::PATTERNS, model::OPERATIONS),
            pools: RwLock::new(HashMap::new()),
            client_pools: RwLock::new(HashMap::new()),
            pool_sequence: AtomicU64::new(0),
            signer: tokens::TokenSigner::new(),
            challenges: challenges::ChallengeStore::default(),
            refresh: refresh::RefreshTokens::new(),
            outbox,
            triggers: triggers::Triggers,
        }
    }

    /// The Region in pool ids and device keys.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The JWKS of a pool's signing key, `None` for an unknown pool.
    pub fn jwks(&self, pool_id: &str) -> Option<Value> {
        self.pool(pool_id).ok().map(|_| self.signer.jwks())
    }

    /// The issuer of a pool's tokens: `{endpoint}/{userPoolId}`.
    fn issuer(&self, pool_id: &str) -> String {
        format!("{}/{pool_id}", self.endpoint)
    }

    /// Runs one operation. `signed` says whether the request carried an
    /// `Authorization` header; only the operations AWS lets anyone call go without.
    pub async fn call(&self, action: &str, body: &[u8], signed: bool) -> Outcome {
        let Some(operation) = self.model.operation(action) else {
            return Err(ServiceError::new(
                "UnknownOperationException",
                format!("Unknown operation: {action}"),
            ));
        };
        if !signed && !operation.unsigned {
            return Err(ServiceError::new(
                "MissingAuthenticationTokenException",
                "Request is missing Authentication Token",
            ));
        }
        let request = aws_json::parse_body(body, "InvalidParameterException")?;
        self.model
            .validate(operation, &request)
            .map_err(invalid_parameter)?;
        let Some(fields) = request.as_object() else {
            return Err(invalid_parameter("The request body must be a JSON object"));
        };
        let input = Input::new(fields);
        match action {
            "CreateUserPool" => self.create_user_pool(&input),
            "DescribeUserPool" => self.describe_user_pool(&input),
            "UpdateUserPool" => self.update_user_pool(&input),
            "DeleteUserPool" => self.delete_user_pool(&input),
            "ListUserPools" => self.list_user_pools(&input),
            "SetUserPoolMfaConfig" => self.set_user_pool_mfa_config(&input),
            "GetUserPoolMfaConfig" => self.get_user_pool_mfa_config(&input),
            "CreateUserPoolClient" => self.create_user_pool_client(&input),
            "DescribeUserPoolClient" => self.describe_user_pool_client(&input),
            "DeleteUserPoolClient" => self.delete_user_pool_client(&input),
            "ListUserPoolClients" => self.list_user_pool_clients(&input),
            "SignUp" => self.sign_up(&input).await,
            "ConfirmSignUp" => self.confirm_sign_up(&input).await,
            "ResendConfirmationCode" => self.resend_confirmation_code(&input),
            "AdminConfirmSignUp" => self.admin_confirm_sign_up(&input).await,
            "AdminCreateUser" => self.admin_create_user(&input).await,
            "AdminGetUser" => self.admin_get_user(&input),
            "AdminDeleteUser" => self.admin_delete_user(&input),
            "ListUsers" => self.list_users(&input),
            "GetUser" => self.get_user(&input),
            "DeleteUser" => self.delete_user(&input),
            "GlobalSignOut" => self.global_sign_out(&input),
            "AdminUserGlobalSignOut" => self.admin_user_global_sign_out(&input),
            "InitiateAuth" => self.initiate_auth(&input, false).await,
            "AdminInitiateAuth" => self.initiate_auth(&input, true).await,
            "RespondToAuthChallenge" => self.respond_to_auth_challenge(&input, false).await,
            "AdminRespondToAuthChallenge" => self.respond_to_auth_challenge(&input, true).await,
            "AssociateSoftwareToken" => self.associate_software_token(&input),
            "VerifySoftwareToken" => self.verify_software_token(&input),
            "SetUserMFAPreference" => self.set_user_mfa_preference(&input),
            "AdminSetUserMFAPreference" => self.admin_set_user_mfa_preference(&input),
            "ConfirmDevice" => self.confirm_device(&input),
            "GetDevice" => self.get_device(&input),
            "ListDevices" => self.list_devices(&input),
            "UpdateDeviceStatus" => self.update_device_status(&input),
            "ForgetDevice" => self.forget_device(&input),
            _ => Err(ServiceError::new(
                "InvalidParameterException",
                format!("{action} is not supported by this emulator"),
            )),
        }
    }

    /// The pool with this id, or `ResourceNotFoundException`.
    fn pool(&self, pool_id: &str) -> Result<Arc<Pool>, ServiceError> {
        let pools = self.pools.read().unwrap_or_else(|p| p.into_inner());
        pools
            .get(pool_id)
            .cloned()
            .ok_or_else(|| pool_not_found(pool_id))
    }
}

fn pool_not_found(pool_id: &str) -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        format!("User pool {pool_id} does not exist."),
    )
}

fn invalid_parameter(message: impl Into<String>) -> ServiceError {
    ServiceError::new("InvalidParameterException", message)
}

fn not_authorized(message: impl Into<String>) -> ServiceError {
    ServiceError::new("NotAuthorizedException", message)
}

fn user_not_found() -> ServiceError {
    ServiceError::new("UserNotFoundException", "User does not exist.")
}

/// Seconds since the Unix epoch.
fn now_secs() -> i64 {
    now_millis() / 1000
}

/// Milliseconds since the Unix epoch.
fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// A timestamp as the JSON protocols send it: epoch seconds with a fraction.
fn epoch(millis: i64) -> Value {
    serde_json::json!(millis as f64 / 1000.0)
}

/// Random characters from `alphabet`.
fn random_string(alphabet: &[u8], length: usize) -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..length)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
