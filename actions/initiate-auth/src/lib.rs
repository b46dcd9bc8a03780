//! InitiateAuth: sign a user in from an app, with their username and
//! password (`USER_PASSWORD_AUTH`), or without ever sending the password
//! (`USER_SRP_AUTH`, the Secure Remote Password protocol).
//!
//! These are user calls, not administrator ones: no AWS credentials are
//! needed. The app client must allow the flow (`ALLOW_USER_PASSWORD_AUTH`,
//! `ALLOW_USER_SRP_AUTH`).
//!
//! With SRP the client proves it knows the password in two steps: it sends a
//! public value `SRP_A`, Cognito answers the `PASSWORD_VERIFIER` challenge
//! with its own public value, a salt and a secret block, and the client
//! answers with a signature only the password could produce. A device that
//! the user remembered (ConfirmDevice) proves itself the same way with its
//! own password (`DEVICE_SRP_AUTH`, then `DEVICE_PASSWORD_VERIFIER`), which
//! lets the sign-in skip MFA. The arithmetic comes from the
//! `aws-cognito-srp` crate.
//!
//! A custom sign-in (`CUSTOM_AUTH`) can start the same way: the pool's
//! DefineAuthChallenge trigger asks for the SRP proof first, then for
//! challenges of its own (see [`start_custom_auth_with_srp`]).

use std::collections::HashMap;

use aws_cognito_srp::{
    DeviceAuthenticationParameters, SrpClient, SrpError, TrackedDevice, User,
    UserAuthenticationParameters, VerificationParameters,
};
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::{
    InitiateAuthError, InitiateAuthOutput,
};
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::{
    RespondToAuthChallengeError, RespondToAuthChallengeOutput,
};
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use example_cli::{ExampleError, secret_hash};

// snippet-start:[rust.cognito-idp.InitiateAuth]
/// Starts a sign-in with the user's username and password
/// (`USER_PASSWORD_AUTH`: the password travels to Cognito, over TLS).
///
/// Cognito answers with either a challenge (`challenge_name`, such as
/// `SOFTWARE_TOKEN_MFA` or `MFA_SETUP`) and a `session` that is single-use and
/// expires after three minutes, or an `authentication_result` with the tokens.
///
/// When the app client has a secret, pass it as `client_secret`: Cognito then
/// requires `SECRET_HASH` = Base64(HMAC-SHA256(key = client secret,
/// message = username + client id)).
pub async fn initiate_auth(
    client: &Client,
    client_id: &str,
    username: &str,
    password: &str,
    client_secret: Option<&str>,
) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
    let mut request = client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password);
    if let Some(secret) = client_secret {
        request = request.auth_parameters("SECRET_HASH", secret_hash(username, client_id, secret));
    }
    request.send().await
}
// snippet-end:[rust.cognito-idp.InitiateAuth]

// snippet-start:[rust.cognito-idp.SignInWithSrp]
/// What a remembered device keeps: the key and group key Cognito gave it at
/// sign-in, and the password it made up for ConfirmDevice.
#[derive(Debug, Clone, Copy)]
pub struct RememberedDevice<'a> {
    /// `DeviceKey` from the sign-in's `NewDeviceMetadata`.
    pub key: &'a str,
    /// `DeviceGroupKey` from the sign-in's `NewDeviceMetadata`.
    pub group_key: &'a str,
    /// The random password made for ConfirmDevice; Cognito only has its verifier.
    pub password: &'a str,
}

/// Everything an SRP sign-in needs.
#[derive(Debug, Clone, Copy)]
pub struct SrpSignIn<'a> {
    /// The pool's id: SRP mixes the pool's name (the part after `_`) into the
    /// password proof.
    pub user_pool_id: &'a str,
    pub client_id: &'a str,
    pub client_secret: Option<&'a str>,
    pub username: &'a str,
    pub password: &'a str,
    /// A device the user remembered, to skip MFA.
    pub device: Option<RememberedDevice<'a>>,
}

// snippet-start:[rust.cognito-idp.InitiateAuth.UserSrpAuth]
/// Starts an SRP sign-in (`USER_SRP_AUTH`): sends the username and the
/// client's public SRP value `srp_a` (hex), never the password.
///
/// Cognito answers with the `PASSWORD_VERIFIER` challenge, whose parameters
/// (`SALT`, `SRP_B`, `SECRET_BLOCK`, `USER_ID_FOR_SRP`) the client needs to
/// prove the password. With the `device` of a remembered device, Cognito
/// asks that device to prove itself afterwards.
pub async fn initiate_srp_auth(
    client: &Client,
    sign_in: &SrpSignIn<'_>,
    srp_a: &str,
) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
    let mut request = client
        .initiate_auth()
        .client_id(sign_in.client_id)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", sign_in.username)
        .auth_parameters("SRP_A", srp_a);
    if let Some(secret) = sign_in.client_secret {
        request = request.auth_parameters(
            "SECRET_HASH",
            secret_hash(sign_in.username, sign_in.client_id, secret),
        );
    }
    if let Some(device) = sign_in.device {
        request = request.auth_parameters("DEVICE_KEY", device.key);
    }
    request.send().await
}
// snippet-end:[rust.cognito-idp.InitiateAuth.UserSrpAuth]

// snippet-start:[rust.cognito-idp.RespondToAuthChallenge.Srp]
/// Answers one challenge of a sign-in with `responses`, the challenge's
/// parameters by name (for SRP: `USERNAME`, `PASSWORD_CLAIM_SIGNATURE`, ...).
/// `session` is the one that came with the challenge.
pub async fn respond_to_auth_challenge(
    client: &Client,
    client_id: &str,
    challenge: ChallengeNameType,
    session: Option<&str>,
    responses: HashMap<String, String>,
) -> Result<RespondToAuthChallengeOutput, SdkError<RespondToAuthChallengeError>> {
    client
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(challenge)
        .set_session(session.map(String::from))
        .set_challenge_responses(Some(responses))
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.RespondToAuthChallenge.Srp]

/// Signs in with SRP: InitiateAuth (`USER_SRP_AUTH`), then the answer to
/// `PASSWORD_VERIFIER`, then, if Cognito asks a remembered device to prove
/// itself, the answers to `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER`.
///
/// Returns Cognito's last answer: the tokens, or a challenge the caller must
/// answer (such as `SOFTWARE_TOKEN_MFA` when no remembered device was given).
/// The challenge responses name the user by `USER_ID_FOR_SRP`, the name
/// Cognito itself uses (which differs from what the user typed when they
/// signed in with an alias such as their email), and `SECRET_HASH` is
/// computed with that name too.
pub async fn sign_in_with_srp(
    client: &Client,
    sign_in: &SrpSignIn<'_>,
) -> Result<RespondToAuthChallengeOutput, ExampleError> {
    let user = SrpClient::new(
        User::new(sign_in.user_pool_id, sign_in.username, sign_in.password),
        sign_in.client_id,
        sign_in.client_secret,
    );
    let UserAuthenticationParameters { a, .. } = user.get_auth_parameters();
    let started = initiate_srp_auth(client, sign_in, &a).await?;
    let (verified, user_id) = answer_password_verifier(client, sign_in, &user, &started).await?;

    match (sign_in.device, verified.challenge_name()) {
        (Some(device), Some(ChallengeNameType::DeviceSrpAuth)) => {
            prove_device(client, sign_in, device, &user_id, verified.session()).await
        }
        _ => Ok(verified),
    }
}

/// Answers the `PASSWORD_VERIFIER` challenge in `started` with the SRP proof
/// of the password. Returns Cognito's answer and `USER_ID_FOR_SRP`, the name
/// the rest of the sign-in goes by.
async fn answer_password_verifier(
    client: &Client,
    sign_in: &SrpSignIn<'_>,
    user: &SrpClient<User>,
    started: &InitiateAuthOutput,
) -> Result<(RespondToAuthChallengeOutput, String), ExampleError> {
    expect_challenge(
        started.challenge_name(),
        &ChallengeNameType::PasswordVerifier,
    )?;
    let params = started.challenge_parameters();
    let user_id = parameter(params, "USER_ID_FOR_SRP")?;
    let proof = user
        .verify(
            parameter(params, "SECRET_BLOCK")?,
            user_id,
            parameter(params, "SALT")?,
            parameter(params, "SRP_B")?,
        )
        .map_err(srp_failed)?;
    let mut responses = proof_responses(user_id, proof);
    if let Some(device) = sign_in.device {
        responses.insert("DEVICE_KEY".into(), device.key.into());
    }
    add_secret_hash(&mut responses, sign_in, user_id);
    let verified = respond_to_auth_challenge(
        client,
        sign_in.client_id,
        ChallengeNameType::PasswordVerifier,
        started.session(),
        responses,
    )
    .await?;
    Ok((verified, user_id.to_string()))
}

/// Answers `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER`: the same SRP
/// proof as the user's, with the device's key, group key and password.
async fn prove_device(
    client: &Client,
    sign_in: &SrpSignIn<'_>,
    device: RememberedDevice<'_>,
    user_id: &str,
    session: Option<&str>,
) -> Result<RespondToAuthChallengeOutput, ExampleError> {
    let srp = SrpClient::new(
        TrackedDevice::new(
            sign_in.user_pool_id,
            device.group_key,
            device.key,
            device.password,
        ),
        sign_in.client_id,
        sign_in.client_secret,
    );
    let DeviceAuthenticationParameters { a, .. } = srp.get_auth_parameters();
    let mut responses = HashMap::from([
        ("USERNAME".to_string(), user_id.to_string()),
        ("DEVICE_KEY".to_string(), device.key.to_string()),
        ("SRP_A".to_string(), a),
    ]);
    add_secret_hash(&mut responses, sign_in, user_id);
    let asked = respond_to_auth_challenge(
        client,
        sign_in.client_id,
        ChallengeNameType::DeviceSrpAuth,
        session,
        responses,
    )
    .await?;

    expect_challenge(
        asked.challenge_name(),
        &ChallengeNameType::DevicePasswordVerifier,
    )?;
    let params = asked.challenge_parameters();
    let proof = srp
        .verify(
            parameter(params, "SECRET_BLOCK")?,
            parameter(params, "SALT")?,
            parameter(params, "SRP_B")?,
        )
        .map_err(srp_failed)?;
    let mut responses = proof_responses(user_id, proof);
    responses.insert("DEVICE_KEY".into(), device.key.into());
    add_secret_hash(&mut responses, sign_in, user_id);
    Ok(respond_to_auth_challenge(
        client,
        sign_in.client_id,
        ChallengeNameType::DevicePasswordVerifier,
        asked.session(),
        responses,
    )
    .await?)
}

/// The answer to `PASSWORD_VERIFIER` or `DEVICE_PASSWORD_VERIFIER`.
fn proof_responses(username: &str, proof: VerificationParameters) -> HashMap<String, String> {
    HashMap::from([
        ("USERNAME".to_string(), username.to_string()),
        (
            "PASSWORD_CLAIM_SECRET_BLOCK".to_string(),
            proof.password_claim_secret_block,
        ),
        (
            "PASSWORD_CLAIM_SIGNATURE".to_string(),
            proof.password_claim_signature,
        ),
        ("TIMESTAMP".to_string(), proof.timestamp),
    ])
}

fn add_secret_hash(
    responses: &mut HashMap<String, String>,
    sign_in: &SrpSignIn<'_>,
    username: &str,
) {
    if let Some(secret) = sign_in.client_secret {
        responses.insert(
            "SECRET_HASH".into(),
            secret_hash(username, sign_in.client_id, secret),
        );
    }
}

fn expect_challenge(
    got: Option<&ChallengeNameType>,
    expected: &ChallengeNameType,
) -> Result<(), ExampleError> {
    match got {
        Some(challenge) if challenge == expected => Ok(()),
        Some(challenge) => Err(ExampleError::new(format!(
            "Expected the {} challenge, Cognito asked for {}.",
            expected.as_str(),
            challenge.as_str()
        ))),
        None => Err(ExampleError::new(format!(
            "Expected the {} challenge, Cognito answered without one.",
            expected.as_str()
        ))),
    }
}

fn parameter<'a>(
    params: Option<&'a HashMap<String, String>>,
    name: &str,
) -> Result<&'a str, ExampleError> {
    params
        .and_then(|params| params.get(name))
        .map(String::as_str)
        .ok_or_else(|| ExampleError::new(format!("Cognito's challenge has no {name} parameter.")))
}

fn srp_failed(err: SrpError) -> ExampleError {
    ExampleError::new(format!("Cannot compute the SRP proof: {err}"))
}
// snippet-end:[rust.cognito-idp.SignInWithSrp]

// snippet-start:[rust.cognito-idp.InitiateAuth.CustomAuthSrp]
/// Starts a custom sign-in (`CUSTOM_AUTH`) that proves the password with SRP
/// first, as Amplify's `authenticationFlowType: CUSTOM_AUTH` does: the
/// username, the client's public SRP value `srp_a` (hex) and
/// `CHALLENGE_NAME` = `SRP_A`, never the password.
///
/// Cognito hands every step of a custom sign-in to the pool's
/// DefineAuthChallenge trigger, whose session starts here with an `SRP_A`
/// entry. A trigger that then asks for `PASSWORD_VERIFIER` gets the same
/// challenge `USER_SRP_AUTH` answers with (`SALT`, `SRP_B`, `SECRET_BLOCK`,
/// `USER_ID_FOR_SRP`); once the password is proved, the trigger chooses the
/// custom challenges that follow. The app client must allow
/// `ALLOW_CUSTOM_AUTH`.
pub async fn initiate_custom_auth_with_srp(
    client: &Client,
    sign_in: &SrpSignIn<'_>,
    srp_a: &str,
) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
    let mut request = client
        .initiate_auth()
        .client_id(sign_in.client_id)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", sign_in.username)
        .auth_parameters("SRP_A", srp_a)
        .auth_parameters("CHALLENGE_NAME", "SRP_A");
    if let Some(secret) = sign_in.client_secret {
        request = request.auth_parameters(
            "SECRET_HASH",
            secret_hash(sign_in.username, sign_in.client_id, secret),
        );
    }
    if let Some(device) = sign_in.device {
        request = request.auth_parameters("DEVICE_KEY", device.key);
    }
    request.send().await
}
// snippet-end:[rust.cognito-idp.InitiateAuth.CustomAuthSrp]

// snippet-start:[rust.cognito-idp.SignInWithCustomAuthSrp]
/// A custom sign-in that has sent its public SRP value: Cognito's first
/// answer, and the secret half of the SRP exchange that proves the password
/// in the next step ([`prove_password`]). Not `Debug`: it holds the password.
pub struct CustomAuthStarted {
    /// InitiateAuth's answer: the challenge the DefineAuthChallenge trigger
    /// chose (`PASSWORD_VERIFIER` first, when it follows the SRP way) and
    /// its session.
    pub answer: InitiateAuthOutput,
    srp: SrpClient<User>,
}

/// Starts a `CUSTOM_AUTH` sign-in with SRP ([`initiate_custom_auth_with_srp`]).
/// Look at `answer.challenge_name()`, then prove the password with
/// [`prove_password`].
pub async fn start_custom_auth_with_srp(
    client: &Client,
    sign_in: &SrpSignIn<'_>,
) -> Result<CustomAuthStarted, SdkError<InitiateAuthError>> {
    let srp = SrpClient::new(
        User::new(sign_in.user_pool_id, sign_in.username, sign_in.password),
        sign_in.client_id,
        sign_in.client_secret,
    );
    let UserAuthenticationParameters { a, .. } = srp.get_auth_parameters();
    let answer = initiate_custom_auth_with_srp(client, sign_in, &a).await?;
    Ok(CustomAuthStarted { answer, srp })
}

/// Answers the `PASSWORD_VERIFIER` challenge of a started custom sign-in
/// with the SRP proof of the password (the same answer as in
/// [`sign_in_with_srp`]).
///
/// Returns Cognito's answer: the next challenge the DefineAuthChallenge
/// trigger chose (typically `CUSTOM_CHALLENGE`, whose public parameters the
/// CreateAuthChallenge trigger wrote) with a new session, or the tokens. A
/// wrong password fails with `NotAuthorizedException`.
pub async fn prove_password(
    client: &Client,
    sign_in: &SrpSignIn<'_>,
    started: &CustomAuthStarted,
) -> Result<RespondToAuthChallengeOutput, ExampleError> {
    let (answer, _user_id) =
        answer_password_verifier(client, sign_in, &started.srp, &started.answer).await?;
    Ok(answer)
}
// snippet-end:[rust.cognito-idp.SignInWithCustomAuthSrp]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::error::NotAuthorizedException;
    use aws_sdk_cognitoidentityprovider::types::{AuthenticationResultType, NewDeviceMetadataType};
    use aws_smithy_mocks::{MockResponse, RuleMode, mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;
    use emulator::cognito::srp::{PasswordDigest, ServerHandshake, Verifier};
    use std::sync::{Arc, Mutex};

    const POOL: &str = "us-east-1_Pool1";
    const USER_ID: &str = "0000aaaa-sub-of-alice";
    /// `SECRET_BLOCK` as Cognito sends it (Base64), and its bytes.
    const SECRET_BLOCK: &str = "c2VjcmV0IGJsb2NrIGZyb20gQ29nbml0bw==";
    const SECRET_BLOCK_BYTES: &[u8] = b"secret block from Cognito";

    /// Cognito's side of one SRP exchange, played by the emulator's own
    /// server-side SRP (written from the protocol, independently of the
    /// `aws-cognito-srp` crate the example uses): the verifier it keeps, and
    /// the handshake started when the client's `SRP_A` arrives.
    struct SrpServer {
        prefix: &'static str,
        id: &'static str,
        verifier: Verifier,
        handshake: Mutex<Option<ServerHandshake>>,
    }

    impl SrpServer {
        /// `prefix` is the pool's name (users) or device group key (devices);
        /// `id` is `USER_ID_FOR_SRP` or the device key.
        fn new(prefix: &'static str, id: &'static str, password: &str) -> Self {
            Self {
                prefix,
                id,
                verifier: PasswordDigest::new(prefix, id, password).verifier(),
                handshake: Mutex::new(None),
            }
        }

        /// Starts the handshake for the client's `SRP_A`: returns `SALT` and `SRP_B`.
        fn start(&self, srp_a: &str) -> (String, String) {
            let handshake = ServerHandshake::start(&self.verifier, srp_a).expect("a valid SRP_A");
            let answer = (handshake.salt_hex(), handshake.srp_b_hex());
            *self.handshake.lock().unwrap() = Some(handshake);
            answer
        }

        /// Whether `signature` proves the password for this handshake.
        fn proves(&self, timestamp: &str, signature: &str) -> bool {
            self.handshake
                .lock()
                .unwrap()
                .as_ref()
                .is_some_and(|handshake| {
                    handshake.verify(
                        self.prefix,
                        self.id,
                        SECRET_BLOCK_BYTES,
                        timestamp,
                        signature,
                    )
                })
        }
    }

    fn get<'a>(map: Option<&'a HashMap<String, String>>, name: &str) -> Option<&'a str> {
        map.and_then(|m| m.get(name)).map(String::as_str)
    }

    fn tokens() -> AuthenticationResultType {
        AuthenticationResultType::builder()
            .access_token("access")
            .new_device_metadata(
                NewDeviceMetadataType::builder()
                    .device_key("us-east-1_new")
                    .device_group_key("-group")
                    .build(),
            )
            .build()
    }

    fn denied() -> RespondToAuthChallengeError {
        RespondToAuthChallengeError::NotAuthorizedException(
            NotAuthorizedException::builder()
                .meta(
                    ErrorMetadata::builder()
                        .code("NotAuthorizedException")
                        .message("Incorrect username or password.")
                        .build(),
                )
                .build(),
        )
    }

    #[tokio::test]
    async fn password_flow_sends_username_password_and_secret_hash() {
        let expected = secret_hash("alice", "client123", "topsecret");
        let initiate = mock!(Client::initiate_auth)
            .match_requests(move |req| {
                let p = req.auth_parameters();
                req.client_id() == Some("client123")
                    && req.auth_flow() == Some(&AuthFlowType::UserPasswordAuth)
                    && get(p, "USERNAME") == Some("alice")
                    && get(p, "PASSWORD") == Some("Passw0rd!")
                    && get(p, "SECRET_HASH") == Some(expected.as_str())
            })
            .then_output(|| {
                InitiateAuthOutput::builder()
                    .challenge_name(ChallengeNameType::SoftwareTokenMfa)
                    .session("session-1")
                    .build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&initiate]);

        let output = initiate_auth(
            &client,
            "client123",
            "alice",
            "Passw0rd!",
            Some("topsecret"),
        )
        .await
        .expect("challenge");

        assert_eq!(
            output.challenge_name(),
            Some(&ChallengeNameType::SoftwareTokenMfa)
        );
        assert_eq!(output.session(), Some("session-1"));
    }

    /// Mocks Cognito's side of USER_SRP_AUTH for a user whose password is
    /// `Passw0rd!`: the PASSWORD_VERIFIER answer gets tokens only when its
    /// signature proves that password. With a device key, Cognito asks the
    /// device to prove itself instead of returning tokens.
    struct UserSide {
        initiate: aws_smithy_mocks::Rule,
        verify: aws_smithy_mocks::Rule,
    }

    fn user_side(secret: Option<&'static str>, device_key: Option<&'static str>) -> UserSide {
        let server = Arc::new(SrpServer::new("Pool1", USER_ID, "Passw0rd!"));

        let initiate = mock!(Client::initiate_auth)
            .match_requests(move |req| {
                let p = req.auth_parameters();
                req.auth_flow() == Some(&AuthFlowType::UserSrpAuth)
                    && get(p, "USERNAME") == Some("alice")
                    && get(p, "PASSWORD").is_none()
                    && get(p, "SECRET_HASH")
                        == secret
                            .map(|s| secret_hash("alice", "client123", s))
                            .as_deref()
                    && get(p, "DEVICE_KEY") == device_key
            })
            .then_compute_output({
                let server = server.clone();
                move |req| {
                    let (salt, srp_b) = server.start(get(req.auth_parameters(), "SRP_A").unwrap());
                    InitiateAuthOutput::builder()
                        .challenge_name(ChallengeNameType::PasswordVerifier)
                        .session("session-1")
                        .challenge_parameters("SALT", salt)
                        .challenge_parameters("SRP_B", srp_b)
                        .challenge_parameters("SECRET_BLOCK", SECRET_BLOCK)
                        .challenge_parameters("USER_ID_FOR_SRP", USER_ID)
                        .challenge_parameters("USERNAME", USER_ID)
                        .build()
                }
            });

        let verify = mock!(Client::respond_to_auth_challenge)
            .match_requests(|req| {
                req.challenge_name() == Some(&ChallengeNameType::PasswordVerifier)
            })
            .then_compute_response(move |req| {
                let r = req.challenge_responses();
                let proven = req.session() == Some("session-1")
                    && get(r, "USERNAME") == Some(USER_ID)
                    && get(r, "PASSWORD_CLAIM_SECRET_BLOCK") == Some(SECRET_BLOCK)
                    && get(r, "SECRET_HASH")
                        == secret
                            .map(|s| secret_hash(USER_ID, "client123", s))
                            .as_deref()
                    && get(r, "DEVICE_KEY") == device_key
                    && server.proves(
                        get(r, "TIMESTAMP").unwrap_or(""),
                        get(r, "PASSWORD_CLAIM_SIGNATURE").unwrap_or(""),
                    );
                if !proven {
                    return MockResponse::Error(denied());
                }
                MockResponse::Output(match device_key {
                    None => RespondToAuthChallengeOutput::builder()
                        .authentication_result(tokens())
                        .build(),
                    Some(_) => RespondToAuthChallengeOutput::builder()
                        .challenge_name(ChallengeNameType::DeviceSrpAuth)
                        .session("session-2")
                        .build(),
                })
            });
        UserSide { initiate, verify }
    }

    fn sign_in<'a>(password: &'a str, secret: Option<&'a str>) -> SrpSignIn<'a> {
        SrpSignIn {
            user_pool_id: POOL,
            client_id: "client123",
            client_secret: secret,
            username: "alice",
            password,
            device: None,
        }
    }

    #[tokio::test]
    async fn srp_proves_the_password_without_sending_it() {
        let side = user_side(None, None);
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            [&side.initiate, &side.verify]
        );

        let output = sign_in_with_srp(&client, &sign_in("Passw0rd!", None))
            .await
            .expect("signed in");

        assert_eq!(
            output
                .authentication_result()
                .and_then(|r| r.access_token()),
            Some("access")
        );
        assert_eq!(side.initiate.num_calls(), 1);
        assert_eq!(side.verify.num_calls(), 1);
    }

    #[tokio::test]
    async fn srp_with_a_client_secret_hashes_the_srp_user_id() {
        let side = user_side(Some("topsecret"), None);
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            [&side.initiate, &side.verify]
        );

        let output = sign_in_with_srp(&client, &sign_in("Passw0rd!", Some("topsecret")))
            .await
            .expect("signed in");

        assert!(output.authentication_result().is_some());
    }

    #[tokio::test]
    async fn srp_with_a_wrong_password_is_refused() {
        let side = user_side(None, None);
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            [&side.initiate, &side.verify]
        );

        let err = sign_in_with_srp(&client, &sign_in("not-the-password", None))
            .await
            .unwrap_err();

        assert_eq!(
            err.to_string(),
            "NotAuthorizedException: Incorrect username or password."
        );
    }

    #[tokio::test]
    async fn a_remembered_device_proves_itself_after_the_user() {
        let side = user_side(None, Some("us-east-1_dev"));
        let device_server = Arc::new(SrpServer::new("-grp", "us-east-1_dev", "device-pw"));

        let device_auth = mock!(Client::respond_to_auth_challenge)
            .match_requests(|req| req.challenge_name() == Some(&ChallengeNameType::DeviceSrpAuth))
            .then_compute_response({
                let server = device_server.clone();
                move |req| {
                    let r = req.challenge_responses();
                    if req.session() != Some("session-2")
                        || get(r, "USERNAME") != Some(USER_ID)
                        || get(r, "DEVICE_KEY") != Some("us-east-1_dev")
                    {
                        return MockResponse::Error(denied());
                    }
                    let (salt, srp_b) = server.start(get(r, "SRP_A").unwrap_or(""));
                    MockResponse::Output(
                        RespondToAuthChallengeOutput::builder()
                            .challenge_name(ChallengeNameType::DevicePasswordVerifier)
                            .session("session-3")
                            .challenge_parameters("SALT", salt)
                            .challenge_parameters("SRP_B", srp_b)
                            .challenge_parameters("SECRET_BLOCK", SECRET_BLOCK)
                            .challenge_parameters("DEVICE_KEY", "us-east-1_dev")
                            .challenge_parameters("USERNAME", USER_ID)
                            .build(),
                    )
                }
            });
        let device_verify = mock!(Client::respond_to_auth_challenge)
            .match_requests(|req| {
                req.challenge_name() == Some(&ChallengeNameType::DevicePasswordVerifier)
            })
            .then_compute_response(move |req| {
                let r = req.challenge_responses();
                let proven = req.session() == Some("session-3")
                    && get(r, "USERNAME") == Some(USER_ID)
                    && get(r, "DEVICE_KEY") == Some("us-east-1_dev")
                    && device_server.proves(
                        get(r, "TIMESTAMP").unwrap_or(""),
                        get(r, "PASSWORD_CLAIM_SIGNATURE").unwrap_or(""),
                    );
                if proven {
                    MockResponse::Output(
                        RespondToAuthChallengeOutput::builder()
                            .authentication_result(tokens())
                            .build(),
                    )
                } else {
                    MockResponse::Error(denied())
                }
            });
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            [&side.initiate, &side.verify, &device_auth, &device_verify]
        );
        let mut request = sign_in("Passw0rd!", None);
        request.device = Some(RememberedDevice {
            key: "us-east-1_dev",
            group_key: "-grp",
            password: "device-pw",
        });

        let output = sign_in_with_srp(&client, &request)
            .await
            .expect("signed in");
        assert!(output.authentication_result().is_some());
        assert_eq!(device_auth.num_calls(), 1);
        assert_eq!(device_verify.num_calls(), 1);

        // The same device with a wrong device password is refused.
        request.device = Some(RememberedDevice {
            key: "us-east-1_dev",
            group_key: "-grp",
            password: "wrong",
        });
        let err = sign_in_with_srp(&client, &request).await.unwrap_err();
        assert_eq!(err.code(), Some("NotAuthorizedException"));
    }

    /// Mocks Cognito's side of a `CUSTOM_AUTH` sign-in that starts with
    /// SRP, for `alice` whose password is `Passw0rd!`: a proved password
    /// leads to the trigger's first custom challenge.
    fn custom_side() -> UserSide {
        let server = Arc::new(SrpServer::new("Pool1", USER_ID, "Passw0rd!"));
        let initiate = mock!(Client::initiate_auth)
            .match_requests(|req| {
                let p = req.auth_parameters();
                req.client_id() == Some("client123")
                    && req.auth_flow() == Some(&AuthFlowType::CustomAuth)
                    && get(p, "USERNAME") == Some("alice")
                    && get(p, "CHALLENGE_NAME") == Some("SRP_A")
                    && get(p, "SRP_A").is_some_and(|a| !a.is_empty())
                    && get(p, "PASSWORD").is_none()
                    && get(p, "SECRET_HASH").is_none()
            })
            .then_compute_output({
                let server = server.clone();
                move |req| {
                    let (salt, srp_b) = server.start(get(req.auth_parameters(), "SRP_A").unwrap());
                    InitiateAuthOutput::builder()
                        .challenge_name(ChallengeNameType::PasswordVerifier)
                        .session("session-1")
                        .challenge_parameters("SALT", salt)
                        .challenge_parameters("SRP_B", srp_b)
                        .challenge_parameters("SECRET_BLOCK", SECRET_BLOCK)
                        .challenge_parameters("USER_ID_FOR_SRP", USER_ID)
                        .challenge_parameters("USERNAME", USER_ID)
                        .build()
                }
            });
        let verify = mock!(Client::respond_to_auth_challenge)
            .match_requests(|req| {
                req.challenge_name() == Some(&ChallengeNameType::PasswordVerifier)
            })
            .then_compute_response(move |req| {
                let r = req.challenge_responses();
                let proven = req.session() == Some("session-1")
                    && get(r, "USERNAME") == Some(USER_ID)
                    && server.proves(
                        get(r, "TIMESTAMP").unwrap_or(""),
                        get(r, "PASSWORD_CLAIM_SIGNATURE").unwrap_or(""),
                    );
                if !proven {
                    return MockResponse::Error(denied());
                }
                MockResponse::Output(
                    RespondToAuthChallengeOutput::builder()
                        .challenge_name(ChallengeNameType::CustomChallenge)
                        .session("session-2")
                        .challenge_parameters("captchaUrl", "url/123.jpg")
                        .challenge_parameters("USERNAME", "alice")
                        .build(),
                )
            });
        UserSide { initiate, verify }
    }

    #[tokio::test]
    async fn a_custom_sign_in_proves_the_password_then_gets_the_first_custom_challenge() {
        let side = custom_side();
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            [&side.initiate, &side.verify]
        );
        let request = sign_in("Passw0rd!", None);

        let started = start_custom_auth_with_srp(&client, &request)
            .await
            .expect("started");
        assert_eq!(
            started.answer.challenge_name(),
            Some(&ChallengeNameType::PasswordVerifier)
        );
        let next = prove_password(&client, &request, &started)
            .await
            .expect("the password is proved");

        assert_eq!(
            next.challenge_name(),
            Some(&ChallengeNameType::CustomChallenge)
        );
        assert_eq!(
            get(next.challenge_parameters(), "captchaUrl"),
            Some("url/123.jpg")
        );
        assert_eq!(next.session(), Some("session-2"));
        assert_eq!((side.initiate.num_calls(), side.verify.num_calls()), (1, 1));
    }

    #[tokio::test]
    async fn a_custom_sign_in_with_a_wrong_password_is_refused() {
        let side = custom_side();
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            RuleMode::MatchAny,
            [&side.initiate, &side.verify]
        );
        let request = sign_in("not-the-password", None);

        let started = start_custom_auth_with_srp(&client, &request)
            .await
            .expect("started");
        let err = prove_password(&client, &request, &started)
            .await
            .unwrap_err();

        assert_eq!(
            err.to_string(),
            "NotAuthorizedException: Incorrect username or password."
        );
    }

    #[tokio::test]
    async fn a_custom_sign_in_whose_trigger_skips_srp_is_reported() {
        let initiate = mock!(Client::initiate_auth).then_output(|| {
            InitiateAuthOutput::builder()
                .challenge_name(ChallengeNameType::CustomChallenge)
                .session("s")
                .build()
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&initiate]);
        let request = sign_in("Passw0rd!", None);

        let started = start_custom_auth_with_srp(&client, &request)
            .await
            .expect("started");
        let err = prove_password(&client, &request, &started)
            .await
            .unwrap_err();

        assert_eq!(
            err.to_string(),
            "Expected the PASSWORD_VERIFIER challenge, Cognito asked for CUSTOM_CHALLENGE."
        );
    }

    #[tokio::test]
    async fn an_unexpected_first_challenge_is_reported() {
        let initiate = mock!(Client::initiate_auth).then_output(|| {
            InitiateAuthOutput::builder()
                .challenge_name(ChallengeNameType::SoftwareTokenMfa)
                .session("s")
                .build()
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&initiate]);

        let err = sign_in_with_srp(&client, &sign_in("Passw0rd!", None))
            .await
            .unwrap_err();

        assert_eq!(
            err.to_string(),
            "Expected the PASSWORD_VERIFIER challenge, Cognito asked for SOFTWARE_TOKEN_MFA."
        );
    }
}
