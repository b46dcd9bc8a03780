//! Passwords: ForgotPassword / ConfirmForgotPassword with the code from the
//! outbox, ChangePassword, AdminSetUserPassword (permanent and temporary)
//! and AdminResetUserPassword (RESET_REQUIRED until the user resets), with
//! each operation's common failures in AWS's words.

use crate::sdk_client;

use std::time::Duration;

use crate::sdk_client::{Client, PASSWORD, email};
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AccountRecoverySettingType, AttributeType, AuthFlowType, ChallengeNameType, DeliveryMediumType,
    MessageActionType, PreventUserExistenceErrorTypes, RecoveryOptionNameType, RecoveryOptionType,
    UserStatusType, VerifiedAttributeType,
};
use emulator::{DeliveryMedium, Emulator};

const NEW_PASSWORD: &str = "Brand-New-Pass-2";

/// `(code, message)` of a failed call.
fn failure<E: ProvideErrorMetadata>(err: E) -> (String, String) {
    (
        err.code().unwrap_or_default().to_owned(),
        err.message().unwrap_or_default().to_owned(),
    )
}

fn expect(code: &str, message: &str) -> (String, String) {
    (code.to_owned(), message.to_owned())
}

/// A code that is not `code`.
fn wrong(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

/// Signs a user up and confirms them with the emailed code, so that their
/// email address is verified (what password recovery needs).
async fn verified_user(
    emulator: &Emulator,
    client: &Client,
    pool_id: &str,
    client_id: &str,
    username: &str,
) {
    client
        .sign_up()
        .client_id(client_id)
        .username(username)
        .password(PASSWORD)
        .user_attributes(email(&format!("{username}@example.com")))
        .send()
        .await
        .expect("SignUp");
    let code = emulator.latest_code(pool_id, username).expect("a code");
    client
        .confirm_sign_up()
        .client_id(client_id)
        .username(username)
        .confirmation_code(code)
        .send()
        .await
        .expect("ConfirmSignUp");
}

/// USER_PASSWORD_AUTH with `password`: `Ok(challenge)` (None: tokens).
async fn sign_in(
    client: &Client,
    client_id: &str,
    username: &str,
    password: &str,
) -> Result<Option<ChallengeNameType>, (String, String)> {
    client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map(|out| out.challenge_name().cloned())
        .map_err(|e| failure(e.into_service_error()))
}

async fn status(client: &Client, pool_id: &str, username: &str) -> UserStatusType {
    client
        .admin_get_user()
        .user_pool_id(pool_id)
        .username(username)
        .send()
        .await
        .expect("AdminGetUser")
        .user_status()
        .cloned()
        .expect("a status")
}

async fn confirm_forgot(
    client: &Client,
    client_id: &str,
    username: &str,
    code: &str,
    password: &str,
) -> Result<(), (String, String)> {
    client
        .confirm_forgot_password()
        .client_id(client_id)
        .username(username)
        .confirmation_code(code)
        .password(password)
        .send()
        .await
        .map(drop)
        .map_err(|e| failure(e.into_service_error()))
}

#[tokio::test]
async fn forgot_password_resets_with_the_emailed_code() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    verified_user(&emulator, &client, &pool_id, &client_id, "fern").await;
    let out = client
        .forgot_password()
        .client_id(&client_id)
        .username("fern")
        .send()
        .await
        .unwrap();
    let details = out.code_delivery_details().unwrap();
    assert_eq!(details.destination(), Some("f***@e***"));
    assert_eq!(details.delivery_medium(), Some(&DeliveryMediumType::Email));
    assert_eq!(details.attribute_name(), Some("email"));
    let message = emulator.outbox().pop().unwrap();
    assert_eq!(message.trigger, "ForgotPassword");
    assert_eq!(message.destination, "fern@example.com");
    assert_eq!(message.delivery_medium, DeliveryMedium::Email);
    let code = message.code.clone().unwrap();
    assert!(message.message.contains(&code));

    assert_eq!(
        confirm_forgot(&client, &client_id, "fern", wrong(&code), NEW_PASSWORD).await,
        Err(expect(
            "CodeMismatchException",
            "Invalid verification code provided, please try again."
        ))
    );
    assert_eq!(
        confirm_forgot(&client, &client_id, "fern", &code, "weakpass").await,
        Err(expect(
            "InvalidPasswordException",
            "Password did not conform with policy: Password must have uppercase characters"
        ))
    );
    confirm_forgot(&client, &client_id, "fern", &code, NEW_PASSWORD)
        .await
        .expect("the right code");
    assert_eq!(
        sign_in(&client, &client_id, "fern", PASSWORD).await,
        Err(expect(
            "NotAuthorizedException",
            "Incorrect username or password."
        ))
    );
    assert_eq!(
        sign_in(&client, &client_id, "fern", NEW_PASSWORD).await,
        Ok(None)
    );
    // A code works once.
    assert_eq!(
        confirm_forgot(&client, &client_id, "fern", &code, PASSWORD).await,
        Err(expect(
            "ExpiredCodeException",
            "Invalid code provided, please request a code again."
        ))
    );
}

#[tokio::test]
async fn a_reset_code_expires_after_an_hour_and_a_new_one_replaces_it() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    verified_user(&emulator, &client, &pool_id, &client_id, "gale").await;
    let forgot = || {
        client
            .forgot_password()
            .client_id(&client_id)
            .username("gale")
            .send()
    };
    forgot().await.unwrap();
    let first = emulator.latest_code(&pool_id, "gale").unwrap();
    emulator.advance_clock(Duration::from_secs(3600 + 60));
    assert_eq!(
        confirm_forgot(&client, &client_id, "gale", &first, NEW_PASSWORD).await,
        Err(expect(
            "ExpiredCodeException",
            "Invalid code provided, please request a code again."
        ))
    );
    forgot().await.unwrap();
    let second = emulator.latest_code(&pool_id, "gale").unwrap();
    if second != first {
        assert_eq!(
            confirm_forgot(&client, &client_id, "gale", &first, NEW_PASSWORD)
                .await
                .unwrap_err()
                .0,
            "CodeMismatchException"
        );
    }
    confirm_forgot(&client, &client_id, "gale", &second, NEW_PASSWORD)
        .await
        .expect("the new code");
}

#[tokio::test]
async fn forgot_password_for_unknown_unverified_and_invited_users() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    let forgot = |client_id: String, username: &'static str| {
        let client = client.clone();
        async move {
            client
                .forgot_password()
                .client_id(client_id)
                .username(username)
                .send()
                .await
                .map_err(|e| failure(e.into_service_error()))
        }
    };
    assert_eq!(
        forgot(client_id.clone(), "nobody").await.unwrap_err(),
        expect(
            "UserNotFoundException",
            "Username/client id combination not found."
        )
    );
    assert_eq!(
        confirm_forgot(&client, &client_id, "nobody", "123456", NEW_PASSWORD).await,
        Err(expect(
            "UserNotFoundException",
            "Username/client id combination not found."
        ))
    );
    // AdminConfirmSignUp confirms without verifying the address.
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "hal").await;
    assert_eq!(
        forgot(client_id.clone(), "hal").await.unwrap_err(),
        expect(
            "InvalidParameterException",
            "Cannot reset password for the user as there is no registered/verified email or phone_number"
        )
    );
    client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("ivy")
        .user_attributes(email("ivy@example.com"))
        .user_attributes(
            AttributeType::builder()
                .name("email_verified")
                .value("true")
                .build()
                .unwrap(),
        )
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    assert_eq!(
        forgot(client_id.clone(), "ivy").await.unwrap_err(),
        expect(
            "NotAuthorizedException",
            "User password cannot be reset in the current state."
        )
    );

    // A client that hides whether users exist answers as if the code went out.
    let hiding = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("hiding")
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .send()
        .await
        .unwrap();
    let hiding = hiding.user_pool_client().unwrap().client_id().unwrap();
    let before = emulator.outbox().len();
    let out = forgot(hiding.to_owned(), "nobody").await.unwrap();
    let details = out.code_delivery_details().expect("simulated details");
    assert_eq!(details.delivery_medium(), Some(&DeliveryMediumType::Email));
    assert_eq!(emulator.outbox().len(), before, "nothing was sent");
    assert_eq!(
        confirm_forgot(&client, hiding, "nobody", "123456", NEW_PASSWORD).await,
        Err(expect(
            "CodeMismatchException",
            "Invalid verification code provided, please try again."
        ))
    );
}

#[tokio::test]
async fn account_recovery_setting_picks_the_medium() {
    let (emulator, client) = sdk_client::start().await;
    let recovery = |name: RecoveryOptionNameType| {
        AccountRecoverySettingType::builder()
            .recovery_mechanisms(
                RecoveryOptionType::builder()
                    .name(name)
                    .priority(1)
                    .build()
                    .unwrap(),
            )
            .build()
    };
    let admin_only = client
        .create_user_pool()
        .pool_name("admin-only")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .account_recovery_setting(recovery(RecoveryOptionNameType::AdminOnly))
        .send()
        .await
        .unwrap();
    let pool_id = admin_only.user_pool().unwrap().id().unwrap().to_owned();
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    verified_user(&emulator, &client, &pool_id, &client_id, "jo").await;
    let err = client
        .forgot_password()
        .client_id(&client_id)
        .username("jo")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(err.into_service_error()),
        expect(
            "NotAuthorizedException",
            "Contact administrator to reset password."
        )
    );

    // Without a setting, a verified phone number comes before the email.
    let legacy = client
        .create_user_pool()
        .pool_name("legacy")
        .auto_verified_attributes(VerifiedAttributeType::PhoneNumber)
        .send()
        .await
        .unwrap();
    let pool_id = legacy.user_pool().unwrap().id().unwrap().to_owned();
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    client
        .sign_up()
        .client_id(&client_id)
        .username("kit")
        .password(PASSWORD)
        .user_attributes(email("kit@example.com"))
        .user_attributes(
            AttributeType::builder()
                .name("phone_number")
                .value("+15555550123")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let code = emulator.latest_code(&pool_id, "kit").unwrap();
    client
        .confirm_sign_up()
        .client_id(&client_id)
        .username("kit")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
    let out = client
        .forgot_password()
        .client_id(&client_id)
        .username("kit")
        .send()
        .await
        .unwrap();
    let details = out.code_delivery_details().unwrap();
    assert_eq!(details.delivery_medium(), Some(&DeliveryMediumType::Sms));
    assert_eq!(details.destination(), Some("+*******0123"));
    assert_eq!(emulator.outbox().pop().unwrap().destination, "+15555550123");
}

#[tokio::test]
async fn change_password_needs_the_current_one() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "lee").await;
    let signed_in = sdk_client::password_sign_in(&client, &client_id, "lee").await;
    let access_token = signed_in
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    let change = |previous: &'static str, proposed: &'static str| {
        let client = client.clone();
        let access_token = access_token.clone();
        async move {
            client
                .change_password()
                .access_token(access_token)
                .previous_password(previous)
                .proposed_password(proposed)
                .send()
                .await
                .map(drop)
                .map_err(|e| failure(e.into_service_error()))
        }
    };
    assert_eq!(
        change("Not-The-Password-1", NEW_PASSWORD).await,
        Err(expect(
            "NotAuthorizedException",
            "Incorrect username or password."
        ))
    );
    assert_eq!(
        change(PASSWORD, "short").await,
        Err(expect(
            "InvalidPasswordException",
            "Password did not conform with policy: Password not long enough"
        ))
    );
    change(PASSWORD, NEW_PASSWORD)
        .await
        .expect("ChangePassword");
    assert_eq!(
        sign_in(&client, &client_id, "lee", NEW_PASSWORD).await,
        Ok(None)
    );
    assert_eq!(
        sign_in(&client, &client_id, "lee", PASSWORD)
            .await
            .unwrap_err()
            .0,
        "NotAuthorizedException"
    );
    let err = client
        .change_password()
        .access_token("not-a-token")
        .previous_password(NEW_PASSWORD)
        .proposed_password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(err.into_service_error()),
        expect("NotAuthorizedException", "Invalid Access Token")
    );
}

#[tokio::test]
async fn admin_set_user_password_permanent_and_temporary() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    let set = |username: &'static str, password: &'static str, permanent: bool| {
        let client = client.clone();
        let pool_id = pool_id.clone();
        async move {
            client
                .admin_set_user_password()
                .user_pool_id(pool_id)
                .username(username)
                .password(password)
                .permanent(permanent)
                .send()
                .await
                .map(drop)
                .map_err(|e| failure(e.into_service_error()))
        }
    };
    // An unconfirmed user given a permanent password is confirmed.
    client
        .sign_up()
        .client_id(&client_id)
        .username("max")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    set("max", NEW_PASSWORD, true).await.expect("permanent");
    assert_eq!(
        status(&client, &pool_id, "max").await,
        UserStatusType::Confirmed
    );
    assert_eq!(
        sign_in(&client, &client_id, "max", NEW_PASSWORD).await,
        Ok(None)
    );

    // A temporary password must be replaced at the next sign-in, and expires.
    set("max", "Temporary-Pass-1", false)
        .await
        .expect("temporary");
    assert_eq!(
        status(&client, &pool_id, "max").await,
        UserStatusType::ForceChangePassword
    );
    assert_eq!(
        sign_in(&client, &client_id, "max", "Temporary-Pass-1").await,
        Ok(Some(ChallengeNameType::NewPasswordRequired))
    );
    emulator.advance_clock(Duration::from_secs(7 * 86_400 + 60));
    assert_eq!(
        sign_in(&client, &client_id, "max", "Temporary-Pass-1").await,
        Err(expect(
            "NotAuthorizedException",
            "Temporary password has expired and must be reset by an administrator."
        ))
    );

    assert_eq!(
        set("max", "nodigits-or-caps", true).await,
        Err(expect(
            "InvalidPasswordException",
            "Password did not conform with policy: Password must have uppercase characters"
        ))
    );
    assert_eq!(
        set("nobody", NEW_PASSWORD, true).await,
        Err(expect("UserNotFoundException", "User does not exist."))
    );
}

#[tokio::test]
async fn admin_reset_user_password_requires_a_reset_before_sign_in() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    verified_user(&emulator, &client, &pool_id, &client_id, "nia").await;
    client
        .admin_reset_user_password()
        .user_pool_id(&pool_id)
        .username("nia")
        .send()
        .await
        .unwrap();
    assert_eq!(
        status(&client, &pool_id, "nia").await,
        UserStatusType::ResetRequired
    );
    let message = emulator.outbox().pop().unwrap();
    assert_eq!(message.trigger, "AdminResetUserPassword");
    assert_eq!(message.destination, "nia@example.com");
    let code = message.code.unwrap();

    let reset_required = expect(
        "PasswordResetRequiredException",
        "Password reset required for the user",
    );
    // The old password no longer works, and a wrong one is told the same.
    assert_eq!(
        sign_in(&client, &client_id, "nia", PASSWORD).await,
        Err(reset_required.clone())
    );
    assert_eq!(
        sign_in(&client, &client_id, "nia", "Wrong-Password-9").await,
        Err(reset_required.clone())
    );
    let srp = client
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "nia")
        .auth_parameters("SRP_A", "02")
        .send()
        .await
        .unwrap_err();
    assert_eq!(failure(srp.into_service_error()), reset_required);

    confirm_forgot(&client, &client_id, "nia", &code, NEW_PASSWORD)
        .await
        .expect("the emailed code");
    assert_eq!(
        status(&client, &pool_id, "nia").await,
        UserStatusType::Confirmed
    );
    assert_eq!(
        sign_in(&client, &client_id, "nia", NEW_PASSWORD).await,
        Ok(None)
    );

    // Only a confirmed user's password can be reset.
    client
        .sign_up()
        .client_id(&client_id)
        .username("oz")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let err = client
        .admin_reset_user_password()
        .user_pool_id(&pool_id)
        .username("oz")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(err.into_service_error()),
        expect(
            "NotAuthorizedException",
            "User password cannot be reset in the current state."
        )
    );
    let err = client
        .admin_reset_user_password()
        .user_pool_id(&pool_id)
        .username("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(err.into_service_error()),
        expect("UserNotFoundException", "User does not exist.")
    );
    // A reset user is listed by that status.
    let listed = client
        .list_users()
        .user_pool_id(&pool_id)
        .filter("cognito:user_status = \"RESET_REQUIRED\"")
        .send()
        .await
        .unwrap();
    assert!(listed.users().is_empty());
}

#[tokio::test]
async fn admin_reset_without_a_verified_address_sends_nothing() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "pat").await;
    let before = emulator.outbox().len();
    client
        .admin_reset_user_password()
        .user_pool_id(&pool_id)
        .username("pat")
        .send()
        .await
        .unwrap();
    assert_eq!(emulator.outbox().len(), before);
    assert_eq!(
        status(&client, &pool_id, "pat").await,
        UserStatusType::ResetRequired
    );
    let listed = client
        .list_users()
        .user_pool_id(&pool_id)
        .filter("cognito:user_status = \"RESET_REQUIRED\"")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.users().len(), 1);
    // The administrator can still give them a password.
    client
        .admin_set_user_password()
        .user_pool_id(&pool_id)
        .username("pat")
        .password(NEW_PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        sign_in(&client, &client_id, "pat", NEW_PASSWORD).await,
        Ok(None)
    );
}
