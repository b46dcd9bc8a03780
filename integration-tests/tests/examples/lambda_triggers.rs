//! The Lambda trigger functions of `scenarios/lambda-triggers/`, each
//! deployed as its real binary (offline: to the emulator, which runs it on
//! this machine; live: the cargo-lambda zip), attached to a new user pool,
//! and shown at work through the SDK: a user confirmed without a code, a
//! sign-in refused, a log line in CloudWatch Logs, a message of its own in
//! the outbox, a welcome mailed through SES, changed claims in the ID token,
//! a user moved in from a legacy directory, a sign-in through custom
//! challenges. Everything a test creates is removed at its end, also when
//! it fails.
//!
//! Live (`COGNITO_EXAMPLES_LIVE=1`) they need each function's zip:
//! `cargo lambda build --release --output-format zip -p NAME`.

use std::collections::HashMap;

use aws_cognito_srp::{SrpClient, User};
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::{
    InitiateAuthError, InitiateAuthOutput,
};
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::{
    RespondToAuthChallengeError, RespondToAuthChallengeOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ChallengeNameType, DeliveryMediumType, ExplicitAuthFlowsType,
    MessageActionType, UserStatusType, VerifiedAttributeType,
};
use emulator::Emulator;
use emulator::outbox::OutboxMessage;
use integration_tests::trigger_functions::{FUNCTION_PROCESSES, Settings, TriggerFunction, attach};
use integration_tests::{PoolGuard, Target, example_binary, unique};
use serde_json::{Value, json};

const PASSWORD: &str = "Correct-Horse-7";

/// A new user pool (Cognito's defaults), removed at the end of the test.
struct Pool<'a> {
    id: String,
    arn: String,
    guard: PoolGuard<'a>,
}

impl<'a> Pool<'a> {
    async fn create(target: &'a Target, cognito: &Client, prefix: &str) -> Pool<'a> {
        Self::create_with(target, cognito, prefix, &[]).await
    }

    /// A new pool that sends a code to verify these attributes (`email`).
    async fn create_with(
        target: &'a Target,
        cognito: &Client,
        prefix: &str,
        auto_verified: &[VerifiedAttributeType],
    ) -> Pool<'a> {
        // The guard deletes the pool with the `delete-user-pool` example:
        // built now, a failed build is a plain test failure, not a second
        // panic in the guard's destructor.
        example_binary("delete-user-pool");
        let pool = cognito
            .create_user_pool()
            .pool_name(unique(prefix))
            .set_auto_verified_attributes(
                (!auto_verified.is_empty()).then(|| auto_verified.to_vec()),
            )
            .send()
            .await
            .expect("CreateUserPool")
            .user_pool
            .expect("a user pool");
        let id = pool.id().expect("an id").to_string();
        Pool {
            guard: PoolGuard::new(target, &id),
            arn: pool.arn().expect("an ARN").to_string(),
            id,
        }
    }

    /// An app client without a secret that signs in with a password
    /// (plain or SRP), with custom challenges, or with a refresh token.
    async fn client(&self, cognito: &Client, name: &str) -> String {
        cognito
            .create_user_pool_client()
            .user_pool_id(&self.id)
            .client_name(name)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowCustomAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .send()
            .await
            .expect("CreateUserPoolClient")
            .user_pool_client
            .and_then(|client| client.client_id)
            .expect("a client id")
    }

    /// A confirmed user with a permanent password, created by the administrator.
    async fn user(&self, cognito: &Client, username: &str) {
        cognito
            .admin_create_user()
            .user_pool_id(&self.id)
            .username(username)
            .user_attributes(attribute("email", &format!("{username}@example.com")))
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .expect("AdminCreateUser");
        cognito
            .admin_set_user_password()
            .user_pool_id(&self.id)
            .username(username)
            .password(PASSWORD)
            .permanent(true)
            .send()
            .await
            .expect("AdminSetUserPassword");
    }

    /// The user's status and attributes.
    async fn user_state(
        &self,
        cognito: &Client,
        username: &str,
    ) -> (UserStatusType, HashMap<String, String>) {
        let user = cognito
            .admin_get_user()
            .user_pool_id(&self.id)
            .username(username)
            .send()
            .await
            .expect("AdminGetUser");
        let attributes = user
            .user_attributes()
            .iter()
            .map(|a| {
                (
                    a.name().to_string(),
                    a.value().unwrap_or_default().to_string(),
                )
            })
            .collect();
        (user.user_status().expect("a status").clone(), attributes)
    }

    async fn delete(self, cognito: &Client) {
        cognito
            .delete_user_pool()
            .user_pool_id(&self.id)
            .send()
            .await
            .expect("DeleteUserPool");
        self.guard.deleted();
    }
}

fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .expect("a name")
}

/// SignUp with a password and these attributes; whether Cognito confirmed the user.
async fn sign_up(
    cognito: &Client,
    client_id: &str,
    username: &str,
    attributes: &[(&str, &str)],
) -> bool {
    let mut request = cognito
        .sign_up()
        .client_id(client_id)
        .username(username)
        .password(PASSWORD);
    for (name, value) in attributes {
        request = request.user_attributes(attribute(name, value));
    }
    request.send().await.expect("SignUp").user_confirmed()
}

/// InitiateAuth with USER_PASSWORD_AUTH.
async fn sign_in(
    cognito: &Client,
    client_id: &str,
    username: &str,
    password: &str,
) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
    cognito
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
}

/// The trigger function `crate_name`, deployed and allowed to serve `pool`.
async fn deploy(
    target: &Target,
    pool: &Pool<'_>,
    crate_name: &str,
    settings: &Settings<'_>,
) -> TriggerFunction {
    let function = TriggerFunction::deploy(target, crate_name, settings).await;
    function.allow_pool(&pool.arn).await;
    function
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn sign_up_pre_auto_confirm_domain_confirms_only_the_configured_domain() {
    let _turn = FUNCTION_PROCESSES.read().unwrap_or_else(|p| p.into_inner());
    let target = Target::from_env().await;
    let cognito = target.client().await;
    let pool = Pool::create(&target, &cognito, "lt-domain-").await;
    let settings = Settings {
        environment: &[("ALLOWED_DOMAIN", "example.net")],
        ..Settings::default()
    };
    let function = deploy(&target, &pool, "sign-up-pre-auto-confirm-domain", &settings).await;
    attach(&cognito, &pool.id, |config| {
        config.pre_sign_up = Some(function.function_arn.clone())
    })
    .await;
    let client_id = pool.client(&cognito, "sign-up").await;

    let insider = unique("insider");
    let email = format!("{insider}@Example.NET");
    assert!(sign_up(&cognito, &client_id, &insider, &[("email", &email)]).await);
    let (status, attributes) = pool.user_state(&cognito, &insider).await;
    assert_eq!(status, UserStatusType::Confirmed);
    // Confirmed, but the email is not marked verified by this function.
    assert_ne!(
        attributes.get("email_verified").map(String::as_str),
        Some("true")
    );

    let outsider = unique("outsider");
    let email = format!("{outsider}@example.com");
    assert!(!sign_up(&cognito, &client_id, &outsider, &[("email", &email)]).await);
    let (status, _) = pool.user_state(&cognito, &outsider).await;
    assert_eq!(status, UserStatusType::Unconfirmed);

    function.remove().await;
    pool.delete(&cognito).await;
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn sign_up_pre_auto_confirm_verify_confirms_and_verifies_email_and_phone() {
    let _turn = FUNCTION_PROCESSES.read().unwrap_or_else(|p| p.into_inner());
    let target = Target::from_env().await;
    let cognito = target.client().await;
    let pool = Pool::create(&target, &cognito, "lt-verify-").await;
    let function = deploy(
        &target,
        &pool,
        "sign-up-pre-auto-confirm-verify",
        &Settings::default(),
    )
    .await;
    attach(&cognito, &pool.id, |config| {
        config.pre_sign_up = Some(function.function_arn.clone())
    })
    .await;
    let client_id = pool.client(&cognito, "sign-up").await;

    let both = unique("both");
    let email = format!("{both}@example.com");
    let attributes = [("email", email.as_str()), ("phone_number", "+12065550100")];
    assert!(sign_up(&cognito, &client_id, &both, &attributes).await);
    let (status, attributes) = pool.user_state(&cognito, &both).await;
    assert_eq!(status, UserStatusType::Confirmed);
    assert_eq!(attributes["email_verified"], "true");
    assert_eq!(attributes["phone_number_verified"], "true");

    // Only what the user has is verified.
    let email_only = unique("email-only");
    let email = format!("{email_only}@example.com");
    assert!(sign_up(&cognito, &client_id, &email_only, &[("email", &email)]).await);
    let (status, attributes) = pool.user_state(&cognito, &email_only).await;
    assert_eq!(status, UserStatusType::Confirmed);
    assert_eq!(attributes["email_verified"], "true");
    assert!(
        !attributes.contains_key("phone_number_verified"),
        "{attributes:?}"
    );

    // Signed up without a code, the user signs in at once.
    let signed_in = sign_in(&cognito, &client_id, &both, PASSWORD)
        .await
        .expect("sign-in");
    assert!(signed_in.authentication_result().is_some());

    function.remove().await;
    pool.delete(&cognito).await;
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn authentication_pre_refuses_sign_ins_through_the_blocked_client_only() {
    let _turn = FUNCTION_PROCESSES.read().unwrap_or_else(|p| p.into_inner());
    let target = Target::from_env().await;
    let cognito = target.client().await;
    let pool = Pool::create(&target, &cognito, "lt-pre-auth-").await;
    let blocked = pool.client(&cognito, "blocked").await;
    let allowed = pool.client(&cognito, "allowed").await;
    let settings = Settings {
        environment: &[("BLOCKED_CLIENT_ID", &blocked)],
        ..Settings::default()
    };
    let function = deploy(&target, &pool, "authentication-pre", &settings).await;
    attach(&cognito, &pool.id, |config| {
        config.pre_authentication = Some(function.function_arn.clone())
    })
    .await;
    let username = unique("user");
    pool.user(&cognito, &username).await;

    let err = sign_in(&cognito, &blocked, &username, PASSWORD)
        .await
        .expect_err("the blocked client is refused");
    assert_eq!(err.code(), Some("UserLambdaValidationException"), "{err:?}");
    assert_eq!(
        err.message(),
        Some(
            "PreAuthentication failed with error \
             Cannot authenticate users from this user pool app client."
        )
    );

    let signed_in = sign_in(&cognito, &allowed, &username, PASSWORD)
        .await
        .expect("the other client signs in");
    assert!(signed_in.authentication_result().is_some());

    function.remove().await;
    pool.delete(&cognito).await;
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn authentication_post_logs_each_sign_in_to_cloudwatch_logs() {
    let _turn = FUNCTION_PROCESSES.read().unwrap_or_else(|p| p.into_inner());
    let target = Target::from_env().await;
    let cognito = target.client().await;
    let pool = Pool::create(&target, &cognito, "lt-post-auth-").await;
    let function = deploy(&target, &pool, "authentication-post", &Settings::default()).await;
    attach(&cognito, &pool.id, |config| {
        config.post_authentication = Some(function.function_arn.clone())
    })
    .await;
    let client_id = pool.client(&cognito, "app").await;
    let username = unique("user");
    pool.user(&cognito, &username).await;

    // A failed sign-in does not reach the trigger.
    let wrong = sign_in(&cognito, &client_id, &username, "Wrong-Horse-7").await;
    assert_eq!(
        wrong.expect_err("a wrong password").code(),
        Some("NotAuthorizedException")
    );
    let signed_in = sign_in(&cognito, &client_id, &username, PASSWORD)
        .await
        .expect("sign-in");
    assert!(signed_in.authentication_result().is_some());

    let user_line = format!("User ID = {username}");
    let log = function.wait_for_log_line(|line| line == user_line).await;
    for expected in [
        "Authentication successful".to_string(),
        "Trigger function = PostAuthentication_Authentication".to_string(),
        format!("User pool = {}", pool.id),
        format!("App client ID = {client_id}"),
        user_line.clone(),
    ] {
        assert_eq!(
            log.iter().filter(|line| **line == expected).count(),
            1,
            "{expected:?} once in\n{}",
            log.join("\n")
        );
    }

    function.remove().await;
    pool.delete(&cognito).await;
}

/// The three functions of a custom sign-in, deployed and attached to `pool`.
async fn custom_auth_functions(
    target: &Target,
    cognito: &Client,
    pool: &Pool<'_>,
) -> [TriggerFunction; 3] {
    let define = deploy(target, pool, "auth-challenge-define", &Settings::default()).await;
    let create = deploy(target, pool, "auth-challenge-create", &Settings::default()).await;
    let verify = deploy(target, pool, "auth-challenge-verify", &Settings::default()).await;
    attach(cognito, &pool.id, |config| {
        config.define_auth_challenge = Some(define.function_arn.clone());
        config.create_auth_challenge = Some(create.function_arn.clone());
        config.verify_auth_challenge_response = Some(verify.function_arn.clone());
    })
    .await;
    [define, create, verify]
}

/// Starts a `CUSTOM_AUTH` sign-in with SRP and proves the password: the
/// answer to the PASSWORD_VERIFIER challenge, with the first custom challenge.
async fn custom_sign_in_with_password(
    cognito: &Client,
    pool: &Pool<'_>,
    client_id: &str,
    username: &str,
) -> RespondToAuthChallengeOutput {
    let srp = SrpClient::new(User::new(&pool.id, username, PASSWORD), client_id, None);
    let started = cognito
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("SRP_A", srp.get_auth_parameters().a)
        // SRP first, as the developer guide's custom flow with SRP says.
        .auth_parameters("CHALLENGE_NAME", "SRP_A")
        .send()
        .await
        .expect("InitiateAuth CUSTOM_AUTH");
    assert_eq!(
        started.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    let parameter = |name: &str| {
        started
            .challenge_parameters()
            .and_then(|p| p.get(name))
            .unwrap_or_else(|| panic!("no {name} in {started:?}"))
            .clone()
    };
    let user_id = parameter("USER_ID_FOR_SRP");
    let proof = srp
        .verify(
            &parameter("SECRET_BLOCK"),
            &user_id,
            &parameter("SALT"),
            &parameter("SRP_B"),
        )
        .expect("an SRP proof");
    cognito
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_session(started.session().map(str::to_string))
        .challenge_responses("USERNAME", &user_id)
        .challenge_responses(
            "PASSWORD_CLAIM_SECRET_BLOCK",
            proof.password_claim_secret_block,
        )
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", proof.password_claim_signature)
        .challenge_responses("TIMESTAMP", proof.timestamp)
        .send()
        .await
        .expect("the password verified")
}

/// Answers a CUSTOM_CHALLENGE with `answer`.
async fn answer_custom_challenge(
    cognito: &Client,
    client_id: &str,
    username: &str,
    asked: &RespondToAuthChallengeOutput,
    answer: &str,
) -> Result<RespondToAuthChallengeOutput, SdkError<RespondToAuthChallengeError>> {
    assert_eq!(
        asked.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge),
        "{asked:?}"
    );
    cognito
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::CustomChallenge)
        .set_session(asked.session().map(str::to_string))
        .challenge_responses("USERNAME", username)
        .challenge_responses("ANSWER", answer)
        .send()
        .await
}

fn public_parameter<'a>(asked: &'a RespondToAuthChallengeOutput, name: &str) -> Option<&'a str> {
    asked
        .challenge_parameters()
        .and_then(|parameters| parameters.get(name))
        .map(String::as_str)
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn auth_challenge_functions_sign_in_through_the_password_a_captcha_and_a_question() {
    let _turn = FUNCTION_PROCESSES.read().unwrap_or_else(|p| p.into_inner());
    let target = Target::from_env().await;
    let cognito = target.client().await;
    let pool = Pool::create(&target, &cognito, "lt-custom-auth-").await;
    let functions = custom_auth_functions(&target, &cognito, &pool).await;
    let client_id = pool.client(&cognito, "app").await;
    let username = unique("user");
    pool.user(&cognito, &username).await;

    let captcha = custom_sign_in_with_password(&cognito, &pool, &client_id, &username).await;
    assert_eq!(
        public_parameter(&captcha, "captchaUrl"),
        Some("url/123.jpg")
    );
    // The expected answer stays private.
    assert_eq!(public_parameter(&captcha, "answer"), None);
    let question = answer_custom_challenge(&cognito, &client_id, &username, &captcha, "5")
        .await
        .expect("the captcha answered");
    assert_eq!(
        public_parameter(&question, "securityQuestion"),
        Some("Who is your favorite team mascot?")
    );
    let signed_in = answer_custom_challenge(&cognito, &client_id, &username, &question, "Peccy")
        .await
        .expect("the question answered");
    let tokens = signed_in.authentication_result().expect("tokens");
    assert!(tokens.access_token().is_some());

    // A wrong answer ends the sign-in.
    let captcha = custom_sign_in_with_password(&cognito, &pool, &client_id, &username).await;
    let question = answer_custom_challenge(&cognito, &client_id, &username, &captcha, "5")
        .await
        .expect("the captcha answered");
    let err = answer_custom_challenge(&cognito, &client_id, &username, &question, "peccy")
        .await
        .expect_err("a wrong answer");
    assert_eq!(err.code(), Some("NotAuthorizedException"), "{err:?}");

    for function in functions {
        function.remove().await;
    }
    pool.delete(&cognito).await;
}

/// The newest message the emulator's outbox has for `username` in `pool_id`.
fn latest_message(emulator: &Emulator, pool_id: &str, username: &str) -> OutboxMessage {
    emulator
        .outbox()
        .into_iter()
        .rev()
        .find(|message| message.user_pool_id == pool_id && message.username == username)
        .unwrap_or_else(|| panic!("no message to {username} in the outbox"))
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn custom_message_sign_up_writes_the_confirmation_code_message() {
    let _turn = FUNCTION_PROCESSES.read().unwrap_or_else(|p| p.into_inner());
    let target = Target::from_env().await;
    let Target::Offline(emulator) = &target else {
        eprintln!("skipped live: the message goes to a real mailbox");
        return;
    };
    let cognito = target.client().await;
    let pool = Pool::create_with(
        &target,
        &cognito,
        "lt-message-",
        &[VerifiedAttributeType::Email],
    )
    .await;
    let function = deploy(
        &target,
        &pool,
        "custom-message-sign-up",
        &Settings::default(),
    )
    .await;
    attach(&cognito, &pool.id, |config| {
        config.custom_message = Some(function.function_arn.clone())
    })
    .await;
    let client_id = pool.client(&cognito, "app").await;

    let username = unique("user");
    let email = format!("{username}@example.com");
    assert!(!sign_up(&cognito, &client_id, &username, &[("email", &email)]).await);
    let sent = latest_message(emulator, &pool.id, &username);
    let code = sent.code.clone().expect("a code");
    assert_eq!(sent.destination, email);
    assert_eq!(
        sent.message,
        format!("Thank you for signing up. Your confirmation code is {code}.")
    );
    assert_eq!(sent.subject.as_deref(), Some("Welcome to the service."));

    // A resent code is not a sign-up message: the pool's own text.
    cognito
        .resend_confirmation_code()
        .client_id(&client_id)
        .username(&username)
        .send()
        .await
        .expect("ResendConfirmationCode");
    let resent = latest_message(emulator, &pool.id, &username);
    let code = resent.code.clone().expect("a code");
    assert!(resent.message.contains(&code), "{resent:?}");
    assert!(
        !resent.message.starts_with("Thank you for signing up"),
        "{resent:?}"
    );

    // The code in the message confirms the user.
    cognito
        .confirm_sign_up()
        .client_id(&client_id)
        .username(&username)
        .confirmation_code(&code)
        .send()
        .await
        .expect("ConfirmSignUp");
    let (status, _) = pool.user_state(&cognito, &username).await;
    assert_eq!(status, UserStatusType::Confirmed);

    function.remove().await;
    pool.delete(&cognito).await;
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn custom_message_admin_create_writes_the_invitation() {
    let _turn = FUNCTION_PROCESSES.read().unwrap_or_else(|p| p.into_inner());
    let target = Target::from_env().await;
    let Target::Offline(emulator) = &target else {
        eprintln!("skipped live: the invitation goes to a real mailbox");
        return;
    };
    let cognito = target.client().await;
    let pool = Pool::create_with(
        &target,
        &cognito,
        "lt-invite-",
        &[VerifiedAttributeType::Email],
    )
    .await;
    let function = deploy(
        &target,
        &pool,
        "custom-message-admin-create",
        &Settings::default(),
    )
    .await;
    attach(&cognito, &pool.id, |config| {
        config.custom_message = Some(function.function_arn.clone())
    })
    .await;
    let client_id = pool.client(&cognito, "app").await;

    let invited = unique("invited");
    let email = format!("{invited}@example.com");
    cognito
        .admin_create_user()
        .user_pool_id(&pool.id)
        .username(&invited)
        .user_attributes(attribute("email", &email))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .expect("AdminCreateUser");
    let invitation = latest_message(emulator, &pool.id, &invited);
    let temporary_password = invitation.code.clone().expect("a temporary password");
    assert_eq!(invitation.destination, email);
    assert_eq!(
        invitation.message,
        format!(
            "Welcome to the service. Your user name is {invited}. \
             Your temporary password is {temporary_password}"
        )
    );
    assert_eq!(
        invitation.subject.as_deref(),
        Some("Welcome to the service")
    );
    // The password in the invitation works: Cognito asks for a new one.
    let signed_in = sign_in(&cognito, &client_id, &invited, &temporary_password)
        .await
        .expect("sign-in with the temporary password");
    assert_eq!(
        signed_in.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );

    // A sign-up message keeps the pool's own text.
    let username = unique("user");
    let email = format!("{username}@example.com");
    assert!(!sign_up(&cognito, &client_id, &username, &[("email", &email)]).await);
    let sent = latest_message(emulator, &pool.id, &username);
    assert!(
        !sent.message.starts_with("Welcome to the service"),
        "{sent:?}"
    );
    assert!(sent.message.contains(&sent.code.clone().expect("a code")));

    function.remove().await;
    pool.delete(&cognito).await;
}

/// The mail SES delivered to `address` (offline: the emulator's outbox).
fn ses_mail_to(emulator: &Emulator, address: &str) -> Vec<OutboxMessage> {
    emulator
        .outbox()
        .into_iter()
        .filter(|message| message.trigger == "SES.SendEmail" && message.destination == address)
        .collect()
}

/// Signs `username` up with an email address and confirms them with the
/// code Cognito sent (offline: from the outbox).
async fn sign_up_and_confirm(target: &Target, cognito: &Client, client_id: &str, username: &str) {
    let email = format!("{username}@example.com");
    assert!(!sign_up(cognito, client_id, username, &[("email", &email)]).await);
    let code = target.latest_code(username).expect("a confirmation code");
    cognito
        .confirm_sign_up()
        .client_id(client_id)
        .username(username)
        .confirmation_code(code)
        .send()
        .await
        .expect("ConfirmSignUp");
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn confirmation_post_emails_a_welcome_through_ses_and_a_failed_send_confirms_all_the_same() {
    let _turn = FUNCTION_PROCESSES.read().unwrap_or_else(|p| p.into_inner());
    let target = Target::from_env().await;
    let Target::Offline(emulator) = &target else {
        eprintln!("skipped live: the codes and the welcome go to real mailboxes");
        return;
    };
    let cognito = target.client().await;
    let ses = aws_sdk_ses::Client::new(&target.sdk_config().await);
    let pool = Pool::create_with(
        &target,
        &cognito,
        "lt-welcome-",
        &[VerifiedAttributeType::Email],
    )
    .await;

    // The sender must be an identity verified in SES (offline at once).
    let sender = format!("{}@example.com", unique("welcome"));
    ses.verify_email_identity()
        .email_address(&sender)
        .send()
        .await
        .expect("VerifyEmailIdentity");
    let account = pool.arn.split(':').nth(4).expect("an account");
    let may_send = trigger_deployment::role::allow(
        "SendTheWelcome",
        &["ses:SendEmail"],
        &format!(
            "arn:aws:ses:{}:{account}:identity/{sender}",
            target.region()
        ),
    );
    let settings = Settings {
        environment: &[("SOURCE_EMAIL", &sender)],
        extra_statements: &[may_send],
    };
    let function = deploy(&target, &pool, "confirmation-post", &settings).await;
    attach(&cognito, &pool.id, |config| {
        config.post_confirmation = Some(function.function_arn.clone())
    })
    .await;
    let client_id = pool.client(&cognito, "app").await;

    let welcomed = unique("welcomed");
    sign_up_and_confirm(&target, &cognito, &client_id, &welcomed).await;
    let mail = ses_mail_to(emulator, &format!("{welcomed}@example.com"));
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].source.as_deref(), Some(sender.as_str()));
    assert_eq!(
        mail[0].subject.as_deref(),
        Some("Cognito Identity Provider registration completed")
    );
    assert_eq!(
        mail[0].message,
        format!("Congratulations {welcomed}, you have been confirmed.")
    );
    let message_id = mail[0].message_id.clone().expect("a message id");
    function
        .wait_for_log_line(|line| line.contains(&message_id))
        .await;

    // Without a verified sender SES refuses the mail, and the user is
    // confirmed all the same; the function logs why.
    ses.delete_identity()
        .identity(&sender)
        .send()
        .await
        .expect("DeleteIdentity");
    let unwelcomed = unique("unwelcomed");
    sign_up_and_confirm(&target, &cognito, &client_id, &unwelcomed).await;
    let (status, _) = pool.user_state(&cognito, &unwelcomed).await;
    assert_eq!(status, UserStatusType::Confirmed);
    assert!(ses_mail_to(emulator, &format!("{unwelcomed}@example.com")).is_empty());
    let failed = format!("Could not send the welcome email to {unwelcomed}: MessageRejected");
    function
        .wait_for_log_line(|line| line.starts_with(&failed))
        .await;

    function.remove().await;
    pool.delete(&cognito).await;
}

/// The claims of a JWT, unverified: Cognito issued it a moment ago.
fn claims(token: &str) -> Value {
    jsonwebtoken::dangerous::insecure_decode::<Value>(token)
        .expect("a JWT")
        .claims
}

/// A group `group_name` with `username` in it.
async fn join_group(cognito: &Client, pool: &Pool<'_>, group_name: &str, username: &str) {
    cognito
        .create_group()
        .user_pool_id(&pool.id)
        .group_name(group_name)
        .send()
        .await
        .expect("CreateGroup");
    cognito
        .admin_add_user_to_group()
        .user_pool_id(&pool.id)
        .group_name(group_name)
        .username(username)
        .send()
        .await
        .expect("AdminAddUserToGroup");
}

/// Signs in and returns the claims of the (ID, access) tokens.
async fn token_claims(cognito: &Client, client_id: &str, username: &str) -> (Value, Value) {
    let signed_in = sign_in(cognito, client_id, username, PASSWORD)
        .await
        .expect("sign-in");
    let tokens = signed_in.authentication_result().expect("tokens");
    (
        claims(tokens.id_token().expect("an ID token")),
        claims(tokens.access_token().expect("an access token")),
    )
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn token_generation_pre_add_suppress_claim_changes_the_id_token() {
    let _turn = FUNCTION_PROCESSES.read().unwrap_or_else(|p| p.into_inner());
    let target = Target::from_env().await;
    let cognito = target.client().await;
    let pool = Pool::create(&target, &cognito, "lt-claims-").await;
    let function = deploy(
        &target,
        &pool,
        "token-generation-pre-add-suppress-claim",
        &Settings::default(),
    )
    .await;
    let client_id = pool.client(&cognito, "app").await;
    let username = unique("user");
    pool.user(&cognito, &username).await;
    join_group(&cognito, &pool, "readers", &username).await;

    // Without the trigger: the email is in the ID token, the claims are not.
    let (before, _) = token_claims(&cognito, &client_id, &username).await;
    assert_eq!(before["email"], format!("{username}@example.com"));
    assert_eq!(before.get("my_first_attribute"), None);

    attach(&cognito, &pool.id, |config| {
        config.pre_token_generation = Some(function.function_arn.clone())
    })
    .await;
    let (id, access) = token_claims(&cognito, &client_id, &username).await;
    assert_eq!(id["my_first_attribute"], "first_value");
    assert_eq!(id["my_second_attribute"], "second_value");
    assert_eq!(id.get("email"), None, "{id}");
    // The user's groups are kept, and the access token is left alone.
    assert_eq!(id["cognito:groups"], json!(["readers"]));
    assert_eq!(access.get("my_first_attribute"), None, "{access}");
    assert_eq!(access["username"], username);

    function.remove().await;
    pool.delete(&cognito).await;
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn token_generation_pre_modify_group_replaces_the_groups_and_roles() {
    let _turn = FUNCTION_PROCESSES.read().unwrap_or_else(|p| p.into_inner());
    let target = Target::from_env().await;
    let cognito = target.client().await;
    let pool = Pool::create(&target, &cognito, "lt-groups-").await;
    let function = deploy(
        &target,
        &pool,
        "token-generation-pre-modify-group",
        &Settings::default(),
    )
    .await;
    attach(&cognito, &pool.id, |config| {
        config.pre_token_generation = Some(function.function_arn.clone())
    })
    .await;
    let client_id = pool.client(&cognito, "app").await;
    let username = unique("user");
    pool.user(&cognito, &username).await;
    join_group(&cognito, &pool, "readers", &username).await;

    let (id, access) = token_claims(&cognito, &client_id, &username).await;
    // Without ROLE_ACCOUNT_ID the roles are in the function's own account.
    let account = function.function_arn.split(':').nth(4).expect("an account");
    let role = |name: &str| format!("arn:aws:iam::{account}:role/{name}");
    assert_eq!(
        id["cognito:groups"],
        json!(["group-A", "group-B", "group-C"])
    );
    assert_eq!(
        id["cognito:roles"],
        json!([
            role("sns_callerA"),
            role("sns_callerB"),
            role("sns_callerC")
        ])
    );
    assert_eq!(id["cognito:preferred_role"], role("sns_caller"));
    // The groups of the access token are replaced too.
    assert_eq!(
        access["cognito:groups"],
        json!(["group-A", "group-B", "group-C"])
    );

    function.remove().await;
    pool.delete(&cognito).await;
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn migrate_user_moves_the_legacy_user_in_at_the_first_sign_in() {
    let _turn = FUNCTION_PROCESSES.read().unwrap_or_else(|p| p.into_inner());
    let target = Target::from_env().await;
    let cognito = target.client().await;
    let pool = Pool::create(&target, &cognito, "lt-migrate-").await;
    let function = deploy(&target, &pool, "migrate-user", &Settings::default()).await;
    attach(&cognito, &pool.id, |config| {
        config.user_migration = Some(function.function_arn.clone())
    })
    .await;
    let client_id = pool.client(&cognito, "app").await;

    // Neither an unknown user nor a wrong password creates anyone.
    for (username, password) in [("nobody", "Test123!"), ("belladonna", "Test123")] {
        let err = sign_in(&cognito, &client_id, username, password)
            .await
            .expect_err("no such legacy user");
        assert_eq!(
            err.code(),
            Some("UserNotFoundException"),
            "{username}: {err:?}"
        );
    }
    let listed = cognito
        .list_users()
        .user_pool_id(&pool.id)
        .send()
        .await
        .expect("ListUsers");
    assert!(listed.users().is_empty(), "{listed:?}");

    // The legacy user signs in with their old password and is in the pool.
    let signed_in = sign_in(&cognito, &client_id, "belladonna", "Test123!")
        .await
        .expect("the migrated user signs in");
    assert!(signed_in.authentication_result().is_some());
    let (status, attributes) = pool.user_state(&cognito, "belladonna").await;
    assert_eq!(status, UserStatusType::Confirmed);
    assert_eq!(attributes["email"], "bella@example.com");
    assert_eq!(attributes["email_verified"], "true");
    // From now on Cognito checks the password itself.
    let again = sign_in(&cognito, &client_id, "belladonna", "Test123!")
        .await
        .expect("a second sign-in");
    assert!(again.authentication_result().is_some());

    function.remove().await;
    pool.delete(&cognito).await;
}

#[tokio::test(flavor = "multi_thread")]
#[allow(clippy::await_holding_lock)]
async fn migrate_user_moves_the_legacy_user_in_when_they_forgot_the_password() {
    let _turn = FUNCTION_PROCESSES.read().unwrap_or_else(|p| p.into_inner());
    let target = Target::from_env().await;
    if target.is_live() {
        eprintln!("skipped live: the reset code goes to bella@example.com");
        return;
    }
    let cognito = target.client().await;
    let pool = Pool::create(&target, &cognito, "lt-migrate-reset-").await;
    let function = deploy(&target, &pool, "migrate-user", &Settings::default()).await;
    attach(&cognito, &pool.id, |config| {
        config.user_migration = Some(function.function_arn.clone())
    })
    .await;
    let client_id = pool.client(&cognito, "app").await;

    let asked = cognito
        .forgot_password()
        .client_id(&client_id)
        .username("belladonna")
        .send()
        .await
        .expect("ForgotPassword");
    let delivery = asked.code_delivery_details().expect("where the code went");
    assert_eq!(delivery.delivery_medium(), Some(&DeliveryMediumType::Email));
    let (status, attributes) = pool.user_state(&cognito, "belladonna").await;
    assert_eq!(status, UserStatusType::ResetRequired);
    assert_eq!(attributes["email"], "bella@example.com");

    let code = target.latest_code("belladonna").expect("the reset code");
    cognito
        .confirm_forgot_password()
        .client_id(&client_id)
        .username("belladonna")
        .confirmation_code(code)
        .password(PASSWORD)
        .send()
        .await
        .expect("ConfirmForgotPassword");
    let signed_in = sign_in(&cognito, &client_id, "belladonna", PASSWORD)
        .await
        .expect("sign-in with the new password");
    assert!(signed_in.authentication_result().is_some());

    function.remove().await;
    pool.delete(&cognito).await;
}
