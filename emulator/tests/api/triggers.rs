//! Cognito Lambda triggers end to end: functions built here as zips run in
//! the emulator's Lambda; the pool's `LambdaConfig` names them, and their
//! answers (or failures) change what Cognito does.

use crate::lambda_support::*;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ExplicitAuthFlowsType, LambdaConfigType, UserStatusType,
    VerifiedAttributeType,
};
use serde_json::{Value, json};

const PASSWORD: &str = "Correct-Horse-1";

struct Pool {
    env: Env,
    cognito: aws_sdk_cognitoidentityprovider::Client,
    id: String,
    arn: String,
    client_id: String,
}

fn function_arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:000000000000:function:{name}")
}

/// A pool whose `LambdaConfig` names `triggers` (trigger, function name,
/// function script, function timeout); Cognito may invoke the functions
/// when `grant` says so.
async fn pool_with(triggers: &[(&str, &str, String, i32)], grant: bool) -> Pool {
    let env = start().await;
    let endpoint = env.emulator.endpoint();
    let mut config = LambdaConfigType::builder();
    let mut functions = Vec::new();
    for (trigger, name, script, timeout) in triggers {
        if !functions.contains(name) {
            create_function(&env.lambda, name, &env.role, script, *timeout).await;
            functions.push(*name);
        }
        let arn = function_arn(name);
        config = match *trigger {
            "PreSignUp" => config.pre_sign_up(arn),
            "PostConfirmation" => config.post_confirmation(arn),
            "PreAuthentication" => config.pre_authentication(arn),
            "PostAuthentication" => config.post_authentication(arn),
            "CustomMessage" => config.custom_message(arn),
            other => panic!("trigger {other}"),
        };
    }
    let cognito = cognito(&endpoint);
    let pool = cognito
        .create_user_pool()
        .pool_name("triggered")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .lambda_config(config.build())
        .send()
        .await
        .expect("CreateUserPool")
        .user_pool
        .unwrap();
    let (id, arn) = (pool.id.unwrap(), pool.arn.unwrap());
    if grant {
        for name in &functions {
            env.lambda
                .add_permission()
                .function_name(*name)
                .statement_id("cognito")
                .action("lambda:InvokeFunction")
                .principal("cognito-idp.amazonaws.com")
                .source_arn(&arn)
                .send()
                .await
                .expect("AddPermission");
        }
    }
    let client_id = cognito
        .create_user_pool_client()
        .user_pool_id(&id)
        .client_name("app")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .expect("CreateUserPoolClient")
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    Pool {
        env,
        cognito,
        id,
        arn,
        client_id,
    }
}

impl Pool {
    fn sign_up(
        &self,
        username: &str,
    ) -> aws_sdk_cognitoidentityprovider::operation::sign_up::builders::SignUpFluentBuilder {
        self.cognito
            .sign_up()
            .client_id(&self.client_id)
            .username(username)
            .password(PASSWORD)
            .user_attributes(
                AttributeType::builder()
                    .name("email")
                    .value(format!("{username}@example.com"))
                    .build()
                    .unwrap(),
            )
    }

    async fn status(&self, username: &str) -> Option<(UserStatusType, Vec<AttributeType>)> {
        self.cognito
            .admin_get_user()
            .user_pool_id(&self.id)
            .username(username)
            .send()
            .await
            .ok()
            .map(|user| {
                (
                    user.user_status.unwrap(),
                    user.user_attributes.unwrap_or_default(),
                )
            })
    }

    /// The events a function printed (`event {...}` lines), parsed.
    async fn events(&self, function: &str, count: usize) -> Vec<Value> {
        let endpoint = self.env.emulator.endpoint();
        let group = format!("/aws/lambda/{function}");
        for _ in 0..100 {
            let events: Vec<Value> = log_lines(&endpoint, &group)
                .await
                .iter()
                .filter_map(|l| l.strip_prefix("event "))
                .map(|e| serde_json::from_str(e).expect("a JSON event"))
                .collect();
            if events.len() >= count {
                return events;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("{function} did not log {count} events");
    }

    async fn sign_in(
        &self,
        username: &str,
    ) -> Result<
        aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput,
        aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthError,
    > {
        self.cognito
            .initiate_auth()
            .client_id(&self.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .map_err(|e| e.into_service_error())
    }
}

fn attribute<'a>(attributes: &'a [AttributeType], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|a| a.name == name)
        .and_then(|a| a.value.as_deref())
}

#[tokio::test]
async fn pre_sign_up_confirms_and_verifies_with_the_documented_event() {
    let pool = pool_with(&[("PreSignUp", "confirm", confirming_trigger(), 3)], true).await;
    let signed_up = pool
        .sign_up("alice")
        .validation_data(
            AttributeType::builder()
                .name("invite")
                .value("abc")
                .build()
                .unwrap(),
        )
        .client_metadata("source", "test")
        .send()
        .await
        .expect("SignUp");
    assert!(signed_up.user_confirmed, "autoConfirmUser takes effect");
    assert!(signed_up.code_delivery_details.is_none());
    assert!(
        pool.env
            .emulator
            .outbox()
            .iter()
            .all(|m| m.username != "alice"),
        "no code is sent to an auto-confirmed user"
    );
    let (status, attributes) = pool.status("alice").await.expect("the user exists");
    assert_eq!(status, UserStatusType::Confirmed);
    assert_eq!(attribute(&attributes, "email_verified"), Some("true"));
    assert!(pool.sign_in("alice").await.is_ok(), "signs in at once");

    let event = &pool.events("confirm", 1).await[0];
    assert_eq!(
        *event,
        json!({
            "version": "1",
            "region": "us-east-1",
            "userPoolId": pool.id,
            "userName": "alice",
            "callerContext": {
                "awsSdkVersion": "aws-sdk-unknown-unknown",
                "clientId": pool.client_id,
            },
            "triggerSource": "PreSignUp_SignUp",
            "request": {
                "userAttributes": {"email": "alice@example.com"},
                "validationData": {"invite": "abc"},
                "clientMetadata": {"source": "test"},
            },
            "response": {
                "autoConfirmUser": false,
                "autoVerifyEmail": false,
                "autoVerifyPhone": false,
            },
        })
    );
    pool.env.emulator.stop().await;
}

#[tokio::test]
async fn admin_create_user_runs_pre_sign_up_without_a_client() {
    let pool = pool_with(&[("PreSignUp", "confirm", confirming_trigger(), 3)], true).await;
    pool.cognito
        .admin_create_user()
        .user_pool_id(&pool.id)
        .username("bob")
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("bob@example.com")
                .build()
                .unwrap(),
        )
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .expect("AdminCreateUser");
    let (status, attributes) = pool.status("bob").await.unwrap();
    assert_eq!(status, UserStatusType::ForceChangePassword);
    assert_eq!(attribute(&attributes, "email_verified"), Some("true"));
    let event = &pool.events("confirm", 1).await[0];
    assert_eq!(event["triggerSource"], "PreSignUp_AdminCreateUser");
    assert_eq!(
        event["callerContext"]["clientId"],
        "CLIENT_ID_NOT_APPLICABLE"
    );
    assert_eq!(event["request"]["validationData"], Value::Null);
    pool.env.emulator.stop().await;
}

#[tokio::test]
async fn post_confirmation_and_authentication_triggers_see_the_user() {
    let pool = pool_with(
        &[
            ("PostConfirmation", "observer", passing_trigger(), 3),
            ("PreAuthentication", "observer", passing_trigger(), 3),
            ("PostAuthentication", "observer", passing_trigger(), 3),
        ],
        true,
    )
    .await;
    let signed_up = pool.sign_up("carol").send().await.expect("SignUp");
    assert!(!signed_up.user_confirmed, "no PreSignUp: a code is sent");
    let code = pool.env.emulator.latest_code(&pool.id, "carol").unwrap();
    pool.cognito
        .confirm_sign_up()
        .client_id(&pool.client_id)
        .username("carol")
        .confirmation_code(code)
        .send()
        .await
        .expect("ConfirmSignUp");
    let tokens = pool.sign_in("carol").await.expect("InitiateAuth");
    assert!(tokens.authentication_result.is_some());

    let events = pool.events("observer", 3).await;
    let sources: Vec<&str> = events
        .iter()
        .map(|e| e["triggerSource"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "PostConfirmation_ConfirmSignUp",
            "PreAuthentication_Authentication",
            "PostAuthentication_Authentication"
        ]
    );
    for event in &events {
        assert_eq!(event["userName"], "carol");
        assert_eq!(event["callerContext"]["clientId"], json!(pool.client_id));
        let attributes = &event["request"]["userAttributes"];
        assert_eq!(attributes["email"], "carol@example.com");
        assert_eq!(attributes["cognito:user_status"], "CONFIRMED");
        assert!(attributes["sub"].as_str().is_some_and(|s| s.len() == 36));
        assert_eq!(event["response"], json!({}));
    }
    assert_eq!(
        events[0]["request"]["userAttributes"]["email_verified"],
        "true"
    );
    assert_eq!(events[2]["request"]["newDeviceUsed"], false);
    pool.env.emulator.stop().await;
}

#[tokio::test]
async fn a_failing_function_refuses_the_sign_up() {
    let pool = pool_with(
        &[(
            "PreSignUp",
            "refuse",
            failing_function("no sign-ups today"),
            3,
        )],
        true,
    )
    .await;
    let err = pool
        .sign_up("dave")
        .send()
        .await
        .expect_err("the trigger refuses")
        .into_service_error();
    assert!(err.is_user_lambda_validation_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("PreSignUp failed with error no sign-ups today.")
    );
    assert!(pool.status("dave").await.is_none(), "no user is created");
    pool.env.emulator.stop().await;
}

#[tokio::test]
async fn a_failing_pre_authentication_refuses_the_sign_in() {
    let pool = pool_with(
        &[(
            "PreAuthentication",
            "gate",
            failing_function("locked out"),
            3,
        )],
        true,
    )
    .await;
    pool.sign_up("erin").send().await.unwrap();
    pool.cognito
        .admin_confirm_sign_up()
        .user_pool_id(&pool.id)
        .username("erin")
        .send()
        .await
        .unwrap();
    let err = pool.sign_in("erin").await.expect_err("refused");
    assert!(err.is_user_lambda_validation_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("PreAuthentication failed with error locked out.")
    );
    // The SRP flow runs the trigger too, before any challenge.
    let err = pool
        .cognito
        .initiate_auth()
        .client_id(&pool.client_id)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "erin")
        .auth_parameters("SRP_A", "1234abcd")
        .send()
        .await
        .expect_err("refused")
        .into_service_error();
    assert!(err.is_user_lambda_validation_exception(), "{err:?}");
    pool.env.emulator.stop().await;
}

#[tokio::test]
async fn without_permission_cognito_cannot_invoke_the_function() {
    let pool = pool_with(&[("PreSignUp", "private", confirming_trigger(), 3)], false).await;
    let denied = "PreSignUp invocation failed due to error AccessDeniedException.";
    let err = pool
        .sign_up("frank")
        .send()
        .await
        .expect_err("no permission")
        .into_service_error();
    assert!(err.is_unexpected_lambda_exception(), "{err:?}");
    assert_eq!(err.meta().message(), Some(denied));

    // A permission for another pool does not help.
    pool.env
        .lambda
        .add_permission()
        .function_name("private")
        .statement_id("other-pool")
        .action("lambda:InvokeFunction")
        .principal("cognito-idp.amazonaws.com")
        .source_arn("arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_other")
        .send()
        .await
        .unwrap();
    let err = pool
        .sign_up("frank")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.meta().message(), Some(denied));

    // One for this pool does.
    pool.env
        .lambda
        .add_permission()
        .function_name("private")
        .statement_id("this-pool")
        .action("lambda:InvokeFunction")
        .principal("cognito-idp.amazonaws.com")
        .source_arn(&pool.arn)
        .send()
        .await
        .unwrap();
    let signed_up = pool.sign_up("frank").send().await.expect("now allowed");
    assert!(signed_up.user_confirmed);

    // A deleted function fails the same way.
    pool.env
        .lambda
        .delete_function()
        .function_name("private")
        .send()
        .await
        .unwrap();
    let err = pool
        .sign_up("grace")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.meta().message(), Some(denied));
    pool.env.emulator.stop().await;
}

#[tokio::test]
async fn a_function_slower_than_five_seconds_times_out() {
    let pool = pool_with(&[("PreSignUp", "slow", sleeping_function(8), 10)], true).await;
    let started = std::time::Instant::now();
    let err = pool
        .sign_up("heidi")
        .send()
        .await
        .expect_err("too slow")
        .into_service_error();
    let waited = started.elapsed();
    assert!(err.is_unexpected_lambda_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some(
            "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."
        )
    );
    assert!(
        waited >= std::time::Duration::from_secs(5),
        "Cognito gives up after 5 s ({waited:?})"
    );
    assert!(pool.status("heidi").await.is_none());
    pool.env.emulator.stop().await;
}

#[tokio::test]
async fn post_confirmation_runs_after_a_password_reset() {
    let pool = pool_with(
        &[("PostConfirmation", "observer", passing_trigger(), 3)],
        true,
    )
    .await;
    pool.sign_up("erin").send().await.expect("SignUp");
    let code = pool.env.emulator.latest_code(&pool.id, "erin").unwrap();
    pool.cognito
        .confirm_sign_up()
        .client_id(&pool.client_id)
        .username("erin")
        .confirmation_code(code)
        .send()
        .await
        .expect("ConfirmSignUp");
    pool.cognito
        .forgot_password()
        .client_id(&pool.client_id)
        .username("erin")
        .send()
        .await
        .expect("ForgotPassword");
    let code = pool.env.emulator.latest_code(&pool.id, "erin").unwrap();
    pool.cognito
        .confirm_forgot_password()
        .client_id(&pool.client_id)
        .username("erin")
        .confirmation_code(code)
        .password("Brand-New-Pass-2")
        .send()
        .await
        .expect("ConfirmForgotPassword");
    let events = pool.events("observer", 2).await;
    let sources: Vec<&str> = events
        .iter()
        .map(|e| e["triggerSource"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "PostConfirmation_ConfirmSignUp",
            "PostConfirmation_ConfirmForgotPassword"
        ]
    );
    assert_eq!(events[1]["userName"], "erin");
    assert_eq!(
        events[1]["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    pool.env.emulator.stop().await;
}

/// A CustomMessage function that answers every event with its own subject
/// and messages naming the trigger source, with the code (and, where Cognito
/// fills it, the user name) placeholders in.
fn custom_message_trigger() -> String {
    rewriting_trigger(
        r#"-e "s/\"emailMessage\":null/\"emailMessage\":\"$SOURCE: use {####} as {username}\"/" -e "s/\"emailSubject\":null/\"emailSubject\":\"Subject of $SOURCE\"/" -e "s/\"smsMessage\":null/\"smsMessage\":\"SMS $SOURCE {####}\"/""#,
    )
}

impl Pool {
    /// The newest outbox message to `username` (sent by this pool).
    fn last_message(&self, username: &str) -> emulator::OutboxMessage {
        self.env
            .emulator
            .outbox()
            .into_iter()
            .rev()
            .find(|m| m.username == username && m.user_pool_id == self.id)
            .unwrap_or_else(|| panic!("no message to {username}"))
    }
}

/// Checks the newest message to `username`: the function's subject and text
/// for `source`, the code filled in.
fn assert_customized(message: &emulator::OutboxMessage, source: &str, username: &str) {
    let code = message.code.as_deref().expect("a code");
    assert_eq!(
        message.subject.as_deref(),
        Some(format!("Subject of {source}").as_str())
    );
    assert_eq!(
        message.message,
        format!("{source}: use {code} as {username}")
    );
}

#[tokio::test]
async fn custom_message_shapes_every_message_cognito_sends() {
    let pool = pool_with(
        &[("CustomMessage", "words", custom_message_trigger(), 3)],
        true,
    )
    .await;
    // Sign-up, with client metadata for the function.
    pool.sign_up("alice")
        .client_metadata("campaign", "spring")
        .send()
        .await
        .expect("SignUp");
    let signed_up = pool.last_message("alice");
    assert_eq!(signed_up.trigger, "SignUp");
    assert_eq!(signed_up.destination, "alice@example.com");
    assert_customized(&signed_up, "CustomMessage_SignUp", "alice");

    pool.cognito
        .resend_confirmation_code()
        .client_id(&pool.client_id)
        .username("alice")
        .send()
        .await
        .expect("ResendConfirmationCode");
    let resent = pool.last_message("alice");
    assert_eq!(resent.trigger, "ResendCode");
    assert_customized(&resent, "CustomMessage_ResendCode", "alice");
    assert_ne!(resent.code, signed_up.code, "a new code");

    // The code the custom message carried confirms the user.
    pool.cognito
        .confirm_sign_up()
        .client_id(&pool.client_id)
        .username("alice")
        .confirmation_code(resent.code.clone().unwrap())
        .send()
        .await
        .expect("ConfirmSignUp");

    // A code to verify an attribute, asked for by the user.
    let access = pool
        .sign_in("alice")
        .await
        .expect("InitiateAuth")
        .authentication_result
        .unwrap()
        .access_token
        .unwrap();
    pool.cognito
        .get_user_attribute_verification_code()
        .access_token(&access)
        .attribute_name("email")
        .send()
        .await
        .expect("GetUserAttributeVerificationCode");
    let verify = pool.last_message("alice");
    assert_eq!(verify.trigger, "VerifyUserAttribute");
    assert_customized(&verify, "CustomMessage_VerifyUserAttribute", "alice");

    pool.cognito
        .forgot_password()
        .client_id(&pool.client_id)
        .username("alice")
        .send()
        .await
        .expect("ForgotPassword");
    let reset = pool.last_message("alice");
    assert_eq!(reset.trigger, "ForgotPassword");
    assert_customized(&reset, "CustomMessage_ForgotPassword", "alice");

    // A code for a changed email address.
    pool.cognito
        .admin_update_user_attributes()
        .user_pool_id(&pool.id)
        .username("alice")
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("alice@example.org")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("AdminUpdateUserAttributes");
    let updated = pool.last_message("alice");
    assert_eq!(updated.trigger, "UpdateUserAttribute");
    assert_eq!(updated.destination, "alice@example.org");
    assert_customized(&updated, "CustomMessage_UpdateUserAttribute", "alice");

    // An invitation: the user name and the temporary password filled in.
    pool.cognito
        .admin_create_user()
        .user_pool_id(&pool.id)
        .username("bob")
        .temporary_password("Temporary-Pass-1")
        .desired_delivery_mediums(aws_sdk_cognitoidentityprovider::types::DeliveryMediumType::Email)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("bob@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("AdminCreateUser");
    let invited = pool.last_message("bob");
    assert_eq!(invited.trigger, "AdminCreateUser");
    assert_eq!(invited.code.as_deref(), Some("Temporary-Pass-1"));
    assert_customized(&invited, "CustomMessage_AdminCreateUser", "bob");
    assert_eq!(
        invited.message,
        "CustomMessage_AdminCreateUser: use Temporary-Pass-1 as bob"
    );

    // The events, as the developer guide documents them.
    let events = pool.events("words", 6).await;
    let sources: Vec<&str> = events
        .iter()
        .map(|e| e["triggerSource"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "CustomMessage_SignUp",
            "CustomMessage_ResendCode",
            "CustomMessage_VerifyUserAttribute",
            "CustomMessage_ForgotPassword",
            "CustomMessage_UpdateUserAttribute",
            "CustomMessage_AdminCreateUser",
        ]
    );
    let sign_up = &events[0];
    assert_eq!(sign_up["userName"], "alice");
    assert_eq!(sign_up["callerContext"]["clientId"], json!(pool.client_id));
    assert_eq!(
        sign_up["request"]["userAttributes"]["email"],
        "alice@example.com"
    );
    assert_eq!(
        sign_up["request"]["userAttributes"]["cognito:user_status"],
        "UNCONFIRMED"
    );
    assert_eq!(sign_up["request"]["codeParameter"], "{####}");
    assert_eq!(sign_up["request"]["linkParameter"], "{##Click Here##}");
    assert_eq!(sign_up["request"]["usernameParameter"], Value::Null);
    assert_eq!(
        sign_up["request"]["clientMetadata"],
        json!({"campaign": "spring"})
    );
    assert_eq!(
        sign_up["response"],
        json!({"smsMessage": null, "emailMessage": null, "emailSubject": null})
    );
    let admin = events.last().unwrap();
    assert_eq!(admin["request"]["usernameParameter"], "{username}");
    assert_eq!(
        admin["callerContext"]["clientId"],
        "CLIENT_ID_NOT_APPLICABLE"
    );
    pool.env.emulator.stop().await;
}

#[tokio::test]
async fn a_custom_message_left_null_keeps_the_pool_s_templates() {
    let pool = pool_with(&[("CustomMessage", "silent", passing_trigger(), 3)], true).await;
    pool.sign_up("carol").send().await.expect("SignUp");
    let message = pool.last_message("carol");
    let code = message.code.clone().unwrap();
    assert_eq!(
        message.message,
        format!("Your verification code is {code}. ")
    );
    assert_eq!(message.subject.as_deref(), Some("Your verification code"));
    assert_eq!(pool.events("silent", 1).await.len(), 1, "the function ran");
    pool.env.emulator.stop().await;
}

#[tokio::test]
async fn a_custom_message_without_the_code_is_refused() {
    let pool = pool_with(
        &[(
            "CustomMessage",
            "codeless",
            rewriting_trigger(r#"-e 's/"emailMessage":null/"emailMessage":"Welcome aboard"/'"#),
            3,
        )],
        true,
    )
    .await;
    let err = pool
        .sign_up("dave")
        .send()
        .await
        .expect_err("a message without the code")
        .into_service_error();
    assert!(err.is_invalid_parameter_exception(), "{err:?}");
    assert!(
        err.meta().message().is_some_and(|m| m.starts_with(
            "1 validation error detected: Value 'Welcome aboard' at 'emailBody' failed to satisfy constraint: Member must satisfy regular expression pattern"
        )),
        "{err:?}"
    );
    assert!(
        pool.env
            .emulator
            .outbox()
            .iter()
            .all(|m| m.username != "dave"),
        "nothing is sent"
    );
    // The user was stored before the message was composed.
    let (status, _) = pool.status("dave").await.expect("the user exists");
    assert_eq!(status, UserStatusType::Unconfirmed);
    pool.env.emulator.stop().await;
}

#[tokio::test]
async fn a_failing_custom_message_fails_the_call() {
    let pool = pool_with(
        &[(
            "CustomMessage",
            "broken",
            failing_function("no messages today"),
            3,
        )],
        true,
    )
    .await;
    let err = pool
        .sign_up("erin")
        .send()
        .await
        .expect_err("the function fails")
        .into_service_error();
    assert!(err.is_user_lambda_validation_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("CustomMessage failed with error no messages today.")
    );
    pool.cognito
        .admin_confirm_sign_up()
        .user_pool_id(&pool.id)
        .username("erin")
        .send()
        .await
        .expect("AdminConfirmSignUp");
    // A reset code needs a verified address (setting it sends no message).
    pool.cognito
        .admin_update_user_attributes()
        .user_pool_id(&pool.id)
        .username("erin")
        .user_attributes(
            AttributeType::builder()
                .name("email_verified")
                .value("true")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("AdminUpdateUserAttributes");
    let err = pool
        .cognito
        .forgot_password()
        .client_id(&pool.client_id)
        .username("erin")
        .send()
        .await
        .expect_err("the function fails")
        .into_service_error();
    assert!(err.is_user_lambda_validation_exception(), "{err:?}");
    let err = pool
        .cognito
        .admin_create_user()
        .user_pool_id(&pool.id)
        .username("frank")
        .desired_delivery_mediums(aws_sdk_cognitoidentityprovider::types::DeliveryMediumType::Email)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("frank@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect_err("the function fails")
        .into_service_error();
    assert!(err.is_user_lambda_validation_exception(), "{err:?}");
    assert!(pool.env.emulator.outbox().is_empty(), "nothing is sent");
    pool.env.emulator.stop().await;
}

#[tokio::test]
async fn without_permission_no_custom_message_is_sent() {
    let pool = pool_with(
        &[("CustomMessage", "private", custom_message_trigger(), 3)],
        false,
    )
    .await;
    let err = pool
        .sign_up("gina")
        .send()
        .await
        .expect_err("no permission")
        .into_service_error();
    assert!(err.is_unexpected_lambda_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("CustomMessage invocation failed due to error AccessDeniedException.")
    );
    pool.env.emulator.stop().await;
}

/// A PostConfirmation function that welcomes the user by email through SES,
/// as the project's confirmation-post function does: the emulator's SES
/// (reached through `AWS_ENDPOINT_URL`, like an SDK in the function would)
/// puts the mail in the outbox.
fn welcoming_trigger() -> String {
    runtime_loop(
        "",
        r#"  EMAIL="$(printf '%s' "$EVENT" | sed -e 's/.*"email":"\([^"]*\)".*/\1/')"
  NAME="$(printf '%s' "$EVENT" | sed -e 's/.*"userName":"\([^"]*\)".*/\1/')"
  curl -sS -o /dev/null "$AWS_ENDPOINT_URL/" \
    -H "Authorization: AWS4-HMAC-SHA256 Credential=$AWS_ACCESS_KEY_ID/20260101/$AWS_REGION/ses/aws4_request, SignedHeaders=host, Signature=0" \
    --data-urlencode "Action=SendEmail" --data-urlencode "Version=2010-12-01" \
    --data-urlencode "Source=welcome@example.com" \
    --data-urlencode "Destination.ToAddresses.member.1=$EMAIL" \
    --data-urlencode "Message.Subject.Data=Cognito Identity Provider registration completed" \
    --data-urlencode "Message.Body.Text.Data=Congratulations $NAME, you have been confirmed."
  curl -sS -X POST "$API/invocation/$ID/response" -d "$EVENT" >/dev/null"#,
    )
}

#[tokio::test]
async fn a_trigger_function_sends_mail_through_ses() {
    let pool = pool_with(
        &[("PostConfirmation", "welcome", welcoming_trigger(), 3)],
        true,
    )
    .await;
    let ses = crate::service_client::ses(&pool.env.emulator.endpoint());
    ses.verify_email_identity()
        .email_address("welcome@example.com")
        .send()
        .await
        .expect("VerifyEmailIdentity");
    pool.sign_up("hana").send().await.expect("SignUp");
    pool.cognito
        .admin_confirm_sign_up()
        .user_pool_id(&pool.id)
        .username("hana")
        .send()
        .await
        .expect("AdminConfirmSignUp");
    let mail = pool
        .env
        .emulator
        .outbox()
        .into_iter()
        .find(|m| m.trigger == "SES.SendEmail")
        .expect("the function's mail");
    assert_eq!(mail.destination, "hana@example.com");
    assert_eq!(mail.source.as_deref(), Some("welcome@example.com"));
    assert_eq!(
        mail.subject.as_deref(),
        Some("Cognito Identity Provider registration completed")
    );
    assert_eq!(
        mail.message,
        "Congratulations hana, you have been confirmed."
    );
    pool.env.emulator.stop().await;
}
