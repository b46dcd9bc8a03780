//! The custom authentication flow: InitiateAuth and AdminInitiateAuth with
//! `AuthFlow: CUSTOM_AUTH`, and the answers to its challenges
//! (CUSTOM_CHALLENGE, and PASSWORD_VERIFIER when the flow starts with SRP)
//! through RespondToAuthChallenge and AdminRespondToAuthChallenge.
//!
//! Each round asks DefineAuthChallenge what comes next (see
//! `state::custom_auth::next_round`); a custom challenge comes from
//! CreateAuthChallenge and its answer goes to VerifyAuthChallengeResponse;
//! the SRP proof is checked as USER_SRP_AUTH checks it. A wrong SRP proof
//! ends the sign-in at once ("Incorrect username or password."): the
//! developer guide calls DefineAuthChallenge again only "if the password
//! verification succeeds". When DefineAuthChallenge issues tokens the
//! sign-in goes on as after a password: MFA when the pool or user asks for
//! it ("If MFA is enabled for a user, it is handled automatically", the
//! guide's "Use SRP password verification in custom authentication flow"),
//! a remembered device's proof, PostAuthentication, tokens.

use std::sync::Arc;

use base64::Engine;
use serde_json::{Value, json};

use super::auth::SignIn;
use super::srp::{PasswordDigest, ServerHandshake};
use super::state::challenges::{Challenge, Step, new_secret_block};
use super::state::clients::AppClient;
use super::state::custom_auth::{
    CUSTOM_CHALLENGE, CustomAuth, NextRound, PASSWORD_VERIFIER, SRP_A, next_round,
};
use super::state::pool::Pool;
use super::state::sign_in::check_status;
use super::state::users::UserStatus;
use super::triggers::custom_auth::Subject;
use super::triggers::{Caller, TokenSource, Triggers};
use super::{CognitoService, Input, Outcome, errors};

/// A custom sign-in's challenge output.
fn challenge_output(name: &str, session: &str, parameters: Value) -> Value {
    json!({
        "ChallengeName": name,
        "Session": session,
        "ChallengeParameters": parameters,
    })
}

fn missing(name: &str) -> crate::aws_json::ServiceError {
    errors::invalid_parameter(format!("Missing required parameter {name}"))
}

/// Who the triggers of `sign_in` are about.
fn subject<'a>(sign_in: &'a SignIn, flow: &CustomAuth) -> Subject<'a> {
    Subject {
        user_key: (!flow.user_not_found).then_some(sign_in.user_key.as_str()),
        username: &sign_in.username,
        hides_users: sign_in.client.prevent_user_existence_errors,
    }
}

/// The events' caller: the app client, and the request's ClientMetadata
/// where the operation passes it on.
fn caller<'a>(sign_in: &'a SignIn, metadata: Option<&'a Value>) -> Caller<'a> {
    Caller {
        client_id: Some(&sign_in.client.id),
        client_metadata: metadata,
        validation_data: None,
    }
}

/// A sign-in session for `step` of `sign_in`.
fn pending(sign_in: SignIn, step: Step) -> Challenge {
    Challenge {
        pool_id: sign_in.pool.id.to_string(),
        client_id: sign_in.client.id.to_string(),
        user_key: sign_in.user_key,
        username: sign_in.username,
        step,
        device_key: sign_in.device_key,
        device_authenticated: false,
        failures: 0,
    }
}

impl CognitoService {
    /// InitiateAuth / AdminInitiateAuth with `CUSTOM_AUTH`: AuthParameters
    /// `USERNAME`, `SECRET_HASH` (clients with a secret), `DEVICE_KEY`,
    /// and `CHALLENGE_NAME: SRP_A` with `SRP_A` to prove the password first.
    pub(super) async fn start_custom_auth(
        &self,
        pool: Arc<Pool>,
        client: Arc<AppClient>,
        input: &Input<'_>,
    ) -> Outcome {
        if !client.flows.custom {
            return Err(errors::custom_auth_not_enabled());
        }
        if !Triggers::defines_auth_challenges(&pool) {
            return Err(errors::custom_auth_not_configured());
        }
        let param = |name: &str| input.map_entry("AuthParameters", name);
        let name = param("USERNAME").ok_or_else(|| missing("USERNAME"))?;
        let srp_a = match param("CHALLENGE_NAME") {
            Some(SRP_A) => Some(param("SRP_A").ok_or_else(|| missing("SRP_A"))?),
            _ => None,
        };
        self.triggers
            .pre_authentication(&pool, &client, name)
            .await?;
        let settings = pool.settings();
        let found = {
            let table = pool.users.lock();
            table.resolve(&settings, name).and_then(|key| {
                let user = table.users().get(&key)?;
                Some((
                    key.to_string(),
                    user.username.to_string(),
                    user.enabled,
                    user.status,
                ))
            })
        };
        let (user_key, username, user_not_found) = match found {
            None => {
                client.check_secret_hash(param("SECRET_HASH"), &[name])?;
                if !client.prevent_user_existence_errors {
                    return Err(errors::user_not_found());
                }
                // The triggers run for a user that does not exist, told so;
                // the sign-in fails at its end (`next_round`).
                (String::new(), name.to_owned(), true)
            }
            Some((key, username, enabled, status)) => {
                client.check_secret_hash(param("SECRET_HASH"), &[name, &username])?;
                if !enabled {
                    return Err(errors::user_disabled());
                }
                if status == UserStatus::ResetRequired {
                    return Err(errors::password_reset_required());
                }
                // With SRP the status is checked after the proof, as in
                // USER_SRP_AUTH; without, no password is ever shown.
                if srp_a.is_none() && status == UserStatus::Unconfirmed {
                    return Err(errors::user_not_confirmed());
                }
                (key, username, false)
            }
        };
        let sign_in = SignIn {
            pool,
            client,
            user_key,
            username,
            device_key: param("DEVICE_KEY").map(str::to_owned),
            device_authenticated: false,
        };
        let flow = CustomAuth::new(user_not_found, srp_a.is_some());
        // InitiateAuth passes no ClientMetadata to Define and Create (API reference).
        self.custom_round(sign_in, flow, None, srp_a).await
    }

    /// One round: DefineAuthChallenge decides; then the sign-in fails, goes
    /// on to tokens, or waits at the next challenge. `srp_a`: the client's
    /// SRP_A while the password is still to be proved.
    async fn custom_round(
        &self,
        sign_in: SignIn,
        mut flow: CustomAuth,
        metadata: Option<&Value>,
        srp_a: Option<&str>,
    ) -> Outcome {
        let answer = self
            .triggers
            .define_auth_challenge(
                &sign_in.pool,
                subject(&sign_in, &flow),
                caller(&sign_in, metadata),
                &flow,
            )
            .await?;
        match next_round(&answer, &flow, srp_a.is_some())? {
            NextRound::Fail => Err(errors::incorrect_password()),
            NextRound::Tokens => {
                let password_checked = flow.password_verified();
                self.next_step_after(sign_in, password_checked, TokenSource::Authentication)
                    .await
            }
            NextRound::PasswordVerifier => {
                self.custom_password_challenge(sign_in, flow, srp_a.unwrap_or_default())
            }
            NextRound::CustomChallenge => {
                let created = self
                    .triggers
                    .create_auth_challenge(
                        &sign_in.pool,
                        subject(&sign_in, &flow),
                        caller(&sign_in, metadata),
                        &flow,
                        CUSTOM_CHALLENGE,
                    )
                    .await?;
                let mut parameters = created.public_parameters;
                parameters.insert("USERNAME".into(), json!(sign_in.username));
                flow.private_parameters = created.private_parameters;
                flow.challenge_metadata = created.challenge_metadata;
                let session =
                    self.open_session(pending(sign_in, Step::CustomChallenge(Box::new(flow))));
                Ok(challenge_output(
                    CUSTOM_CHALLENGE,
                    &session,
                    Value::Object(parameters),
                ))
            }
        }
    }

    /// PASSWORD_VERIFIER inside the flow: the same SRP parameters USER_SRP_AUTH
    /// returns. A user that does not exist gets a handshake against a
    /// random verifier, so the answer looks the same and can only fail.
    fn custom_password_challenge(&self, sign_in: SignIn, flow: CustomAuth, srp_a: &str) -> Outcome {
        let digest = if flow.user_not_found {
            None
        } else {
            sign_in
                .pool
                .users
                .read(&sign_in.user_key, |user| user.password.clone())
                .flatten()
        };
        let verifier = digest
            .unwrap_or_else(|| {
                let random = uuid::Uuid::new_v4().to_string();
                PasswordDigest::new(&sign_in.pool.srp_name, &sign_in.username, &random)
            })
            .verifier();
        let handshake = ServerHandshake::start(&verifier, srp_a)
            .map_err(|_| errors::invalid_parameter("Invalid SRP_A"))?;
        let (_, secret_block) = new_secret_block();
        let parameters = json!({
            "SALT": handshake.salt_hex(),
            "SECRET_BLOCK": secret_block,
            "SRP_B": handshake.srp_b_hex(),
            "USERNAME": sign_in.username,
            "USER_ID_FOR_SRP": sign_in.username,
        });
        let step = Step::CustomPasswordVerifier {
            handshake: Box::new(handshake),
            secret_block,
            flow: Box::new(flow),
        };
        let session = self.open_session(pending(sign_in, step));
        Ok(challenge_output(PASSWORD_VERIFIER, &session, parameters))
    }

    /// RespondToAuthChallenge with PASSWORD_VERIFIER inside the flow:
    /// `PASSWORD_CLAIM_SIGNATURE`, `PASSWORD_CLAIM_SECRET_BLOCK`,
    /// `TIMESTAMP` (and `DEVICE_KEY`). A correct proof is appended to the
    /// session and DefineAuthChallenge decides again.
    pub(super) async fn answer_custom_password(
        &self,
        mut sign_in: SignIn,
        handshake: &ServerHandshake,
        secret_block: &str,
        mut flow: CustomAuth,
        input: &Input<'_>,
    ) -> Outcome {
        let response = |key: &str| input.map_entry("ChallengeResponses", key);
        let claim = response("PASSWORD_CLAIM_SIGNATURE")
            .ok_or_else(|| missing("PASSWORD_CLAIM_SIGNATURE"))?;
        let timestamp = response("TIMESTAMP").ok_or_else(|| missing("TIMESTAMP"))?;
        let sent_block = response("PASSWORD_CLAIM_SECRET_BLOCK")
            .ok_or_else(|| missing("PASSWORD_CLAIM_SECRET_BLOCK"))?;
        if sent_block != secret_block || flow.user_not_found {
            return Err(errors::incorrect_password());
        }
        let raw = base64::engine::general_purpose::STANDARD
            .decode(secret_block)
            .map_err(|_| errors::incorrect_password())?;
        let pool = sign_in.pool.clone();
        if !handshake.verify(&pool.srp_name, &sign_in.username, &raw, timestamp, claim) {
            return Err(errors::incorrect_password());
        }
        let now = self.now_secs();
        pool.users
            .read(&sign_in.user_key, |user| {
                check_status(user.status, user.temporary_password_expires, now)
            })
            .ok_or_else(errors::user_not_found)??;
        if let Some(device_key) = response("DEVICE_KEY") {
            sign_in.device_key = Some(device_key.to_owned());
        }
        flow.record(PASSWORD_VERIFIER, true, None);
        self.custom_round(sign_in, flow, input.value("ClientMetadata"), None)
            .await
    }

    /// RespondToAuthChallenge with CUSTOM_CHALLENGE: `ANSWER` goes to
    /// VerifyAuthChallengeResponse, its verdict is appended to the session,
    /// and DefineAuthChallenge decides again.
    pub(super) async fn answer_custom_challenge(
        &self,
        sign_in: SignIn,
        mut flow: CustomAuth,
        input: &Input<'_>,
    ) -> Outcome {
        let answer = input
            .map_entry("ChallengeResponses", "ANSWER")
            .ok_or_else(|| missing("ANSWER"))?;
        let metadata = input.value("ClientMetadata");
        let correct = self
            .triggers
            .verify_auth_challenge_response(
                &sign_in.pool,
                subject(&sign_in, &flow),
                caller(&sign_in, metadata),
                &flow,
                answer,
            )
            .await?;
        flow.record_custom_answer(correct);
        self.custom_round(sign_in, flow, metadata, None).await
    }
}
