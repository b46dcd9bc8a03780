//! Sign-in: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge and
//! AdminRespondToAuthChallenge, and the token issue that ends them.
//!
//! After the first factor (password, SRP proof or refresh token) every flow
//! goes through `next_step`: a forced new password, a remembered device's
//! own SRP proof, MFA setup or an MFA code, and then tokens. RSA signing and
//! SRP arithmetic never run while a pool's user table is locked.

use std::sync::Arc;

use base64::Engine;
use serde_json::{Value, json};

use super::srp::{PasswordDigest, ServerHandshake};
use super::state::attribute_changes::client_attributes;
use super::state::challenges::{Challenge, Step, new_secret_block};
use super::state::clients::{AppClient, ClientProof};
use super::state::devices::Device;
use super::state::groups::GroupClaims;
use super::state::pool::Pool;
use super::state::refresh::RefreshGrant;
use super::state::revocation::new_origin_jti;
use super::state::sign_in::{self, NextStep, SignInFacts, check_status};
use super::state::users::{User, UserStatus};
use super::tokens::TokenParams;
use super::triggers::TokenSource;
use super::{CognitoService, Input, Outcome, errors};
use crate::aws_json::ServiceError;

/// `UserNotFoundException`, or the password error when the client hides
/// whether users exist.
fn unknown_user(client: &AppClient) -> ServiceError {
    if client.prevent_user_existence_errors {
        errors::incorrect_password()
    } else {
        errors::user_not_found()
    }
}

/// Where a sign-in stands after its first factor.
pub(crate) struct SignIn {
    pub pool: Arc<Pool>,
    pub client: Arc<AppClient>,
    pub user_key: String,
    pub username: String,
    pub device_key: Option<String>,
    pub device_authenticated: bool,
}

impl CognitoService {
    /// The pool and client of a sign-in request: by `UserPoolId` + `ClientId`
    /// for the admin operations, by `ClientId` alone otherwise.
    fn sign_in_client(
        &self,
        input: &Input<'_>,
        admin: bool,
    ) -> Result<(Arc<Pool>, Arc<AppClient>), ServiceError> {
        let client_id = input.required("ClientId")?;
        if admin {
            let pool = self.pool(input.required("UserPoolId")?)?;
            let client = pool.client(client_id)?;
            Ok((pool, client))
        } else {
            self.client(client_id)
        }
    }

    pub(super) async fn initiate_auth(&self, input: &Input<'_>, admin: bool) -> Outcome {
        let (pool, client) = self.sign_in_client(input, admin)?;
        let flow = input.required("AuthFlow")?;
        let param = |name: &str| input.map_entry("AuthParameters", name);
        let require = |name: &str| {
            param(name).ok_or_else(|| {
                errors::invalid_parameter(format!("Missing required parameter {name}"))
            })
        };
        match (flow, admin) {
            ("USER_PASSWORD_AUTH", false) => {
                if !client.flows.user_password {
                    return Err(errors::invalid_parameter(
                        "USER_PASSWORD_AUTH flow not enabled for this client",
                    ));
                }
                let name = require("USERNAME")?;
                let password = require("PASSWORD")?;
                self.migrate_on_sign_in(&pool, &client, name, password, input)
                    .await?;
                self.password_sign_in(
                    pool,
                    client,
                    name,
                    password,
                    param("SECRET_HASH"),
                    param("DEVICE_KEY"),
                )
                .await
            }
            ("ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH", true) => {
                if !client.flows.admin_user_password {
                    return Err(errors::invalid_parameter(
                        "Auth flow not enabled for this client",
                    ));
                }
                let name = require("USERNAME")?;
                let password = require("PASSWORD")?;
                self.migrate_on_sign_in(&pool, &client, name, password, input)
                    .await?;
                self.password_sign_in(
                    pool,
                    client,
                    name,
                    password,
                    param("SECRET_HASH"),
                    param("DEVICE_KEY"),
                )
                .await
            }
            ("USER_SRP_AUTH", _) => {
                if !client.flows.user_srp {
                    return Err(errors::invalid_parameter(
                        "USER_SRP_AUTH is not enabled for the client.",
                    ));
                }
                let name = require("USERNAME")?;
                let srp_a = require("SRP_A")?;
                self.triggers
                    .pre_authentication(&pool, &client, name)
                    .await?;
                self.start_srp(
                    pool,
                    client,
                    name,
                    srp_a,
                    param("SECRET_HASH"),
                    param("DEVICE_KEY"),
                )
            }
            ("CUSTOM_AUTH", _) => self.start_custom_auth(pool, client, input).await,
            ("REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN", _) => {
                if !client.flows.refresh_token {
                    return Err(errors::invalid_parameter(
                        "Refresh Token auth flow not enabled for this client",
                    ));
                }
                let token = require("REFRESH_TOKEN")?;
                self.refresh_sign_in(pool, client, token, param("SECRET_HASH"), param("USERNAME"))
                    .await
            }
            // AWS's words, whatever the flow (e.g. ADMIN_USER_PASSWORD_AUTH
            // sent to InitiateAuth, or a flow the emulator does not run).
            _ => Err(errors::invalid_parameter(
                "Initiate Auth method not supported.",
            )),
        }
    }

    async fn password_sign_in(
        &self,
        pool: Arc<Pool>,
        client: Arc<AppClient>,
        name: &str,
        password: &str,
        secret_hash: Option<&str>,
        device_key: Option<&str>,
    ) -> Outcome {
        let settings = pool.settings();
        self.triggers
            .pre_authentication(&pool, &client, name)
            .await?;
        let (user_key, username) = {
            let table = pool.users.lock();
            let Some(key) = table.resolve(&settings, name) else {
                drop(table);
                client.check_secret_hash(secret_hash, &[name])?;
                return Err(unknown_user(&client));
            };
            let user = table.users().get(&key).ok_or_else(errors::user_not_found)?;
            client.check_secret_hash(secret_hash, &[name, &user.username])?;
            if !user.enabled {
                return Err(errors::user_disabled());
            }
            // Whatever the password: AdminResetUserPassword voided it.
            if user.status == UserStatus::ResetRequired {
                return Err(errors::password_reset_required());
            }
            let matches = user
                .password
                .as_ref()
                .is_some_and(|d| d.matches(&pool.srp_name, &user.username, password));
            if !matches {
                return Err(errors::incorrect_password());
            }
            check_status(
                user.status,
                user.temporary_password_expires,
                self.now_secs(),
            )?;
            (key.to_string(), user.username.to_string())
        };
        let sign_in = SignIn {
            pool,
            client,
            user_key,
            username,
            device_key: device_key.map(str::to_owned),
            device_authenticated: false,
        };
        self.next_step(sign_in).await
    }

    fn start_srp(
        &self,
        pool: Arc<Pool>,
        client: Arc<AppClient>,
        name: &str,
        srp_a: &str,
        secret_hash: Option<&str>,
        device_key: Option<&str>,
    ) -> Outcome {
        let settings = pool.settings();
        let (user_key, username, digest) = {
            let table = pool.users.lock();
            let Some(key) = table.resolve(&settings, name) else {
                drop(table);
                client.check_secret_hash(secret_hash, &[name])?;
                return Err(unknown_user(&client));
            };
            let user = table.users().get(&key).ok_or_else(errors::user_not_found)?;
            client.check_secret_hash(secret_hash, &[name, &user.username])?;
            if !user.enabled {
                return Err(errors::user_disabled());
            }
            if user.status == UserStatus::ResetRequired {
                return Err(errors::password_reset_required());
            }
            let digest: Option<PasswordDigest> = user.password.clone();
            (key.to_string(), user.username.to_string(), digest)
        };
        let digest = digest.ok_or_else(errors::incorrect_password)?;
        let handshake = ServerHandshake::start(&digest.verifier(), srp_a)
            .map_err(|_| errors::invalid_parameter("Invalid SRP_A"))?;
        let (_, secret_block) = new_secret_block();
        let parameters = json!({
            "SALT": handshake.salt_hex(),
            "SECRET_BLOCK": secret_block,
            "SRP_B": handshake.srp_b_hex(),
            "USERNAME": username,
            "USER_ID_FOR_SRP": username,
        });
        let session = self.open_session(Challenge {
            pool_id: pool.id.to_string(),
            client_id: client.id.to_string(),
            user_key,
            username,
            step: Step::PasswordVerifier {
                handshake: Box::new(handshake),
                secret_block,
            },
            device_key: device_key.map(str::to_owned),
            device_authenticated: false,
            failures: 0,
        });
        Ok(challenge_output("PASSWORD_VERIFIER", &session, parameters))
    }

    async fn refresh_sign_in(
        &self,
        pool: Arc<Pool>,
        client: Arc<AppClient>,
        token: &str,
        secret_hash: Option<&str>,
        username_param: Option<&str>,
    ) -> Outcome {
        if client.refresh_rotation_grace.is_some() {
            // RefreshTokenRotationType: "Refresh token rotation must be
            // completed with GetTokensFromRefreshToken" (API reference).
            return Err(errors::invalid_parameter(
                "Refresh token rotation is enabled for this client: use GetTokensFromRefreshToken",
            ));
        }
        let proof = ClientProof::SecretHash {
            hash: secret_hash,
            username: username_param,
        };
        let (tokens, _) = self.refreshed_tokens(&pool, &client, token, proof).await?;
        Ok(json!({
            "ChallengeParameters": {},
            "AuthenticationResult": {
                "AccessToken": tokens.access_token,
                "ExpiresIn": tokens.expires_in,
                "TokenType": "Bearer",
                "IdToken": tokens.id_token,
            }
        }))
    }

    /// After the first factor: a forced new password, a device proof, MFA,
    /// or tokens, as `sign_in::next_step` decides from the user's facts.
    pub(super) async fn next_step(&self, sign_in: SignIn) -> Outcome {
        self.next_step_after(sign_in, true, TokenSource::Authentication)
            .await
    }

    /// [`Self::next_step`] for a sign-in that may not have checked the
    /// password (`password_checked` false: a custom flow without SRP, whose
    /// challenges replace the password, so a temporary one is not asked to
    /// be replaced), naming the tokens' trigger source (NEW_PASSWORD_REQUIRED
    /// has its own).
    pub(super) async fn next_step_after(
        &self,
        sign_in: SignIn,
        password_checked: bool,
        source: TokenSource,
    ) -> Outcome {
        let settings = sign_in.pool.settings();
        enum Next {
            Challenge(Step, Value),
            Tokens,
        }
        let next = {
            let table = sign_in.pool.users.lock();
            let user = table
                .users()
                .get(sign_in.user_key.as_str())
                .ok_or_else(errors::user_not_found)?;
            let device = sign_in.device_key.as_deref().and_then(|key| {
                user.devices
                    .iter()
                    .find(|d| &*d.key == key && d.verifier.is_some())
            });
            let token = user
                .software_token
                .as_deref()
                .filter(|t| t.secret.is_some());
            let facts = SignInFacts {
                pool_mfa: settings.mfa,
                must_change_password: password_checked
                    && user.status == UserStatus::ForceChangePassword,
                device_remembered: device.map(|d| d.remembered),
                device_authenticated: sign_in.device_authenticated,
                totp_verified: token.is_some(),
                totp_enabled: token.is_some_and(|t| t.enabled),
            };
            match sign_in::next_step(&facts) {
                NextStep::NewPasswordRequired => Next::Challenge(
                    Step::NewPasswordRequired,
                    user.new_password_parameters(&settings.schema),
                ),
                NextStep::DeviceSrpAuth => {
                    Next::Challenge(Step::DeviceSrpAuth, json!({ "USERNAME": &*user.username }))
                }
                NextStep::MfaSetup => Next::Challenge(
                    Step::MfaSetup { verified: false },
                    json!({ "MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]" }),
                ),
                NextStep::SoftwareTokenMfa => Next::Challenge(
                    Step::SoftwareTokenMfa,
                    json!({ "USER_ID_FOR_SRP": &*user.username }),
                ),
                NextStep::Tokens => Next::Tokens,
            }
        };
        match next {
            Next::Tokens => self.complete_sign_in_after(sign_in, source).await,
            Next::Challenge(step, parameters) => {
                let name = step.challenge_name();
                let session = self.open_session(Challenge {
                    pool_id: sign_in.pool.id.to_string(),
                    client_id: sign_in.client.id.to_string(),
                    user_key: sign_in.user_key,
                    username: sign_in.username,
                    step,
                    device_key: sign_in.device_key,
                    device_authenticated: sign_in.device_authenticated,
                    failures: 0,
                });
                Ok(challenge_output(name, &session, parameters))
            }
        }
    }

    /// Issues tokens (and a new device's metadata) at the end of a sign-in.
    pub(super) async fn complete_sign_in(&self, sign_in: SignIn) -> Outcome {
        self.complete_sign_in_after(sign_in, TokenSource::Authentication)
            .await
    }

    /// [`Self::complete_sign_in`]; `source` is what PreTokenGeneration is
    /// told, unless a remembered device signed in.
    async fn complete_sign_in_after(&self, sign_in: SignIn, source: TokenSource) -> Outcome {
        let source = match source {
            TokenSource::Authentication if sign_in.device_authenticated => {
                TokenSource::AuthenticateDevice
            }
            other => other,
        };
        let SignIn {
            pool,
            client,
            user_key,
            username,
            device_key,
            device_authenticated,
        } = sign_in;
        let settings = pool.settings();
        let now = self.now_millis();
        let (snapshot, revoked_before, used_device, new_device) = {
            let mut table = pool.users.lock();
            let user = table
                .user_mut(user_key.as_str())
                .ok_or_else(errors::user_not_found)?;
            let mut used_device = None;
            if device_authenticated {
                if let Some(device) = device_key
                    .as_deref()
                    .and_then(|key| user.devices.iter_mut().find(|d| &*d.key == key))
                {
                    device.last_authenticated = now;
                    used_device = Some(device.key.to_string());
                }
            }
            let new_device = match (&used_device, settings.devices) {
                (None, Some(_)) => {
                    let device = Device::new(&self.region, now);
                    let metadata = (device.key.to_string(), device.group_key.to_string());
                    user.devices
                        .retain(|d| d.verifier.is_some() || now - d.created < 86_400_000);
                    user.devices.push(device);
                    Some(metadata)
                }
                _ => None,
            };
            (
                TokenSubject::of(user, &client),
                user.revoked_before,
                used_device,
                new_device,
            )
        };
        self.triggers
            .post_authentication(&pool, &client.id, &username, new_device.is_some())
            .await?;
        let claimed_device = used_device
            .as_deref()
            .or(new_device.as_ref().map(|(k, _)| k.as_str()));
        let (origin_jti, _) = new_origin_jti(now, revoked_before);
        let auth_time = now / 1000;
        let issuer = self.issuer(&pool.id);
        let content = self
            .triggers
            .pre_token_generation(
                &pool,
                &client.id,
                source,
                &username,
                group_claims(&pool, &snapshot.sub),
                "aws.cognito.signin.user.admin",
            )
            .await?;
        let tokens = self.issuing_signer().issue_at(
            &TokenParams {
                issuer: &issuer,
                client_id: &client.id,
                sub: &snapshot.sub,
                username: &snapshot.username,
                email: snapshot.email.as_deref(),
                email_verified: snapshot.email_verified,
                custom_attributes: &snapshot.custom,
                device_key: claimed_device,
                auth_time,
                origin_jti: &origin_jti,
                access_validity_secs: client.access_validity_secs,
                id_validity_secs: client.id_validity_secs,
                scope: &content.scope,
                groups: &content.groups.groups,
                roles: &content.groups.roles,
                preferred_role: content.groups.preferred_role.as_deref(),
                changes: content.changes.as_ref(),
            },
            self.now_secs(),
        );
        let grant = RefreshGrant::new(
            &pool.id,
            &client.id,
            &user_key,
            &snapshot.sub,
            &origin_jti,
            claimed_device,
            auth_time,
            auth_time + client.refresh_validity_secs,
        );
        let mut result = json!({
            "AccessToken": tokens.access_token,
            "ExpiresIn": tokens.expires_in,
            "TokenType": "Bearer",
            "RefreshToken": self.sealing().seal(&grant),
            "IdToken": tokens.id_token,
        });
        if let Some((key, group)) = new_device {
            result["NewDeviceMetadata"] = json!({ "DeviceKey": key, "DeviceGroupKey": group });
        }
        Ok(json!({ "ChallengeParameters": {}, "AuthenticationResult": result }))
    }

    pub(super) async fn respond_to_auth_challenge(
        &self,
        input: &Input<'_>,
        admin: bool,
    ) -> Outcome {
        let (pool, client) = self.sign_in_client(input, admin)?;
        let name = input.required("ChallengeName")?;
        let response = |key: &str| input.map_entry("ChallengeResponses", key);
        let require = |key: &str| {
            response(key).ok_or_else(|| {
                errors::invalid_parameter(format!("Missing required parameter {key}"))
            })
        };
        let session = input.str("Session");
        let challenge = match (session, name) {
            (Some(session), _) => self.challenges.take(session)?,
            (None, "PASSWORD_VERIFIER" | "DEVICE_PASSWORD_VERIFIER") => self
                .challenges
                .take_by_secret_block(require("PASSWORD_CLAIM_SECRET_BLOCK")?)?,
            // Bound to its sign-in by client, device key and user (see
            // `ChallengeStore::take_by_device`).
            (None, "DEVICE_SRP_AUTH") => {
                let device_key = require("DEVICE_KEY")?;
                let sent = require("USERNAME")?;
                let settings = pool.settings();
                let key = pool.users.lock().resolve(&settings, sent);
                self.challenges
                    .take_by_device(&client.id, device_key, |challenge| {
                        challenge.username == sent
                            || key.as_deref() == Some(challenge.user_key.as_str())
                    })?
            }
            (None, _) => {
                return Err(errors::invalid_parameter(
                    "Missing required parameter Session",
                ));
            }
        };
        if challenge.pool_id != *pool.id || challenge.client_id != *client.id {
            return Err(errors::invalid_session());
        }
        if challenge.step.challenge_name() != name {
            return Err(errors::invalid_parameter(format!(
                "Invalid challenge name {name}: this session expects {}",
                challenge.step.challenge_name()
            )));
        }
        let mut names = vec![challenge.username.as_str()];
        if let Some(sent) = response("USERNAME") {
            names.push(sent);
        }
        client.check_secret_hash(response("SECRET_HASH"), &names)?;
        let settings = pool.settings();
        if let Some(sent) = response("USERNAME") {
            let table = pool.users.lock();
            let same = table
                .resolve(&settings, sent)
                .is_some_and(|k| *k == *challenge.user_key);
            if !same && sent != challenge.username {
                return Err(errors::incorrect_password());
            }
        }
        let mut sign_in = SignIn {
            pool: pool.clone(),
            client: client.clone(),
            user_key: challenge.user_key.clone(),
            username: challenge.username.clone(),
            device_key: challenge.device_key.clone(),
            device_authenticated: challenge.device_authenticated,
        };
        let Challenge {
            pool_id,
            client_id,
            user_key,
            username,
            step,
            device_key: challenge_device,
            device_authenticated,
            failures,
        } = challenge;
        let challenge_user = username.clone();
        match step {
            Step::PasswordVerifier {
                handshake,
                secret_block,
            } => {
                let claim = require("PASSWORD_CLAIM_SIGNATURE")?;
                let timestamp = require("TIMESTAMP")?;
                let sent_block = require("PASSWORD_CLAIM_SECRET_BLOCK")?;
                if sent_block != secret_block.as_str() {
                    return Err(errors::incorrect_password());
                }
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(secret_block)
                    .map_err(|_| errors::incorrect_password())?;
                if !handshake.verify(&pool.srp_name, &challenge_user, &raw, timestamp, claim) {
                    return Err(errors::incorrect_password());
                }
                let now = self.now_secs();
                pool.users
                    .read(&user_key, |user| {
                        check_status(user.status, user.temporary_password_expires, now)
                    })
                    .ok_or_else(errors::user_not_found)??;
                if let Some(device_key) = response("DEVICE_KEY") {
                    sign_in.device_key = Some(device_key.to_owned());
                }
                self.next_step(sign_in).await
            }
            Step::NewPasswordRequired => {
                let password = require("NEW_PASSWORD")?;
                settings.password_policy.check(password)?;
                let updates: Vec<(String, String)> = input
                    .value("ChallengeResponses")
                    .and_then(Value::as_object)
                    .map(|responses| {
                        responses
                            .iter()
                            .filter_map(|(k, v)| {
                                let name = k.strip_prefix("userAttributes.")?;
                                Some((name.to_owned(), v.as_str()?.to_owned()))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let digest = PasswordDigest::new(&pool.srp_name, &challenge_user, password);
                let now = self.now_millis();
                pool.users
                    .change(&settings, &user_key, false, |user| {
                        user.complete_new_password(&settings.schema, digest, &updates, now)
                    })
                    .ok_or_else(errors::user_not_found)??;
                self.next_step_after(sign_in, true, TokenSource::NewPasswordChallenge)
                    .await
            }
            Step::MfaSetup { verified } => {
                let ready = verified
                    || pool
                        .users
                        .read(&user_key, |user| {
                            user.software_token
                                .as_deref()
                                .is_some_and(|t| t.secret.is_some())
                        })
                        .ok_or_else(errors::user_not_found)?;
                if !ready {
                    return Err(errors::invalid_parameter(
                        "The software token has not been verified; call AssociateSoftwareToken and VerifySoftwareToken with this session first",
                    ));
                }
                self.complete_sign_in(sign_in).await
            }
            Step::SoftwareTokenMfa => {
                let code = require("SOFTWARE_TOKEN_MFA_CODE")?;
                let now = self.now_secs();
                let accepted = pool
                    .users
                    .update(&user_key, |user| user.accept_totp(code, now))
                    .ok_or_else(errors::user_not_found)?;
                if !accepted {
                    if failures + 1 < 3 {
                        if let Some(session) = session {
                            self.challenges.restore(
                                session,
                                Challenge {
                                    pool_id,
                                    client_id,
                                    user_key,
                                    username,
                                    step: Step::SoftwareTokenMfa,
                                    device_key: challenge_device,
                                    device_authenticated,
                                    failures: failures + 1,
                                },
                            );
                        }
                    }
                    return Err(errors::mfa_code_mismatch());
                }
                self.complete_sign_in(sign_in).await
            }
            Step::DeviceSrpAuth => {
                let device_key = require("DEVICE_KEY")?;
                let srp_a = require("SRP_A")?;
                let verifier = {
                    let table = pool.users.lock();
                    let user = table
                        .users()
                        .get(user_key.as_str())
                        .ok_or_else(errors::user_not_found)?;
                    user.devices
                        .iter()
                        .find(|d| &*d.key == device_key)
                        .and_then(|d| d.verifier.clone())
                        .ok_or_else(errors::device_not_found)?
                };
                let handshake = ServerHandshake::start(&verifier, srp_a)
                    .map_err(|_| errors::invalid_parameter("Invalid SRP_A"))?;
                let (_, secret_block) = new_secret_block();
                let parameters = json!({
                    "SALT": handshake.salt_hex(),
                    "SECRET_BLOCK": secret_block,
                    "SRP_B": handshake.srp_b_hex(),
                    "USERNAME": challenge_user,
                    "DEVICE_KEY": device_key,
                });
                let session = self.open_session(Challenge {
                    pool_id,
                    client_id,
                    user_key,
                    username,
                    step: Step::DevicePasswordVerifier {
                        handshake: Box::new(handshake),
                        secret_block,
                        device_key: device_key.to_owned(),
                    },
                    device_key: Some(device_key.to_owned()),
                    device_authenticated,
                    failures: 0,
                });
                Ok(challenge_output(
                    "DEVICE_PASSWORD_VERIFIER",
                    &session,
                    parameters,
                ))
            }
            Step::DevicePasswordVerifier {
                handshake,
                secret_block,
                device_key,
            } => {
                let claim = require("PASSWORD_CLAIM_SIGNATURE")?;
                let timestamp = require("TIMESTAMP")?;
                if require("PASSWORD_CLAIM_SECRET_BLOCK")? != secret_block.as_str() {
                    return Err(errors::incorrect_password());
                }
                let group_key = {
                    let table = pool.users.lock();
                    let user = table
                        .users()
                        .get(user_key.as_str())
                        .ok_or_else(errors::user_not_found)?;
                    user.devices
                        .iter()
                        .find(|d| *d.key == *device_key)
                        .map(|d| d.group_key.to_string())
                        .ok_or_else(errors::device_not_found)?
                };
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(secret_block)
                    .map_err(|_| errors::incorrect_password())?;
                if !handshake.verify(&group_key, &device_key, &raw, timestamp, claim) {
                    return Err(errors::incorrect_password());
                }
                sign_in.device_key = Some(device_key);
                sign_in.device_authenticated = true;
                self.next_step(sign_in).await
            }
            Step::CustomChallenge(flow) => {
                self.answer_custom_challenge(sign_in, *flow, input).await
            }
            Step::CustomPasswordVerifier {
                handshake,
                secret_block,
                flow,
            } => {
                self.answer_custom_password(sign_in, &handshake, &secret_block, *flow, input)
                    .await
            }
        }
    }
}

/// What tokens say about a user, copied out of the lock.
pub(super) struct TokenSubject {
    pub sub: String,
    pub username: String,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    /// The `custom:` attributes, claims of the ID token.
    pub custom: Vec<(String, String)>,
}

impl TokenSubject {
    /// What the tokens of `client` say about `user`: custom attributes
    /// only where the client's ReadAttributes (when set) lets it read them.
    pub(super) fn of(user: &User, client: &AppClient) -> Self {
        let readable = client_attributes(client, "ReadAttributes");
        TokenSubject {
            sub: user.sub.to_string(),
            username: user.username.to_string(),
            email: user.attribute("email").map(str::to_owned),
            email_verified: user
                .attribute("email")
                .map(|_| user.attribute("email_verified") == Some("true")),
            custom: user
                .attributes
                .iter()
                .filter(|(name, _)| name.starts_with("custom:"))
                .filter(|(name, _)| readable.as_ref().is_none_or(|r| r.contains(&&**name)))
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
        }
    }
}

/// The group claims of the user with this `sub` (read after the user
/// table's lock is released: the group lock comes first when both are held).
pub(super) fn group_claims(pool: &Pool, sub: &str) -> GroupClaims {
    match uuid::Uuid::parse_str(sub) {
        Ok(sub) => pool.groups.lock().claims_of(sub),
        Err(_) => GroupClaims::default(),
    }
}

fn challenge_output(name: &str, session: &str, parameters: Value) -> Value {
    json!({
        "ChallengeName": name,
        "Session": session,
        "ChallengeParameters": parameters,
    })
}
