//! Expiry, tested by moving the emulator's clock instead of waiting: sign-in
//! sessions (single use, three minutes or the client's AuthSessionValidity),
//! confirmation codes (24 hours), temporary passwords (the pool's validity),
//! access and refresh tokens, and TOTP codes. The messages are AWS's.

use crate::sdk_client;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::sdk_client::{Client, PASSWORD, raw};
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, MessageActionType,
};
use emulator::cognito::totp;

const TEMPORARY: &str = "Temporary-Pass-1";
const NEW_PASSWORD: &str = "Brand-New-Pass-2";

/// `(code, message)` of a failed call.
fn failure<E: ProvideErrorMetadata>(err: E) -> (String, String) {
    (
        err.code().unwrap_or_default().to_owned(),
        err.message().unwrap_or_default().to_owned(),
    )
}

/// A user created by an administrator: signing in answers NEW_PASSWORD_REQUIRED.
async fn invited_user(client: &Client, pool_id: &str, username: &str) {
    client
        .admin_create_user()
        .user_pool_id(pool_id)
        .username(username)
        .temporary_password(TEMPORARY)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .expect("AdminCreateUser");
}

/// Signs in with the temporary password; returns the NEW_PASSWORD_REQUIRED session.
async fn new_password_session(client: &Client, client_id: &str, username: &str) -> String {
    let out = client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", TEMPORARY)
        .send()
        .await
        .expect("InitiateAuth with the temporary password");
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    out.session().expect("a Session").to_owned()
}

async fn answer_new_password(
    client: &Client,
    client_id: &str,
    username: &str,
    session: &str,
) -> Result<(), (String, String)> {
    client
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(session)
        .challenge_responses("USERNAME", username)
        .challenge_responses("NEW_PASSWORD", NEW_PASSWORD)
        .send()
        .await
        .map(|out| assert!(out.authentication_result().is_some()))
        .map_err(|e| failure(e.into_service_error()))
}

fn expired_session() -> (String, String) {
    (
        "NotAuthorizedException".to_owned(),
        "Invalid session for the user, session is expired.".to_owned(),
    )
}

#[tokio::test]
async fn a_session_works_once() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    invited_user(&client, &pool_id, "uma").await;
    let session = new_password_session(&client, &client_id, "uma").await;
    answer_new_password(&client, &client_id, "uma", &session)
        .await
        .expect("the first answer");
    let again = answer_new_password(&client, &client_id, "uma", &session)
        .await
        .unwrap_err();
    assert_eq!(
        again,
        (
            "NotAuthorizedException".to_owned(),
            "Invalid session for the user, session can only be used once.".to_owned()
        )
    );
}

#[tokio::test]
async fn a_session_expires_after_three_minutes() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    invited_user(&client, &pool_id, "early").await;
    invited_user(&client, &pool_id, "late").await;
    let early = new_password_session(&client, &client_id, "early").await;
    emulator.advance_clock(Duration::from_secs(179));
    answer_new_password(&client, &client_id, "early", &early)
        .await
        .expect("a session 179 s old still works");

    let late = new_password_session(&client, &client_id, "late").await;
    emulator.advance_clock(Duration::from_secs(181));
    let err = answer_new_password(&client, &client_id, "late", &late)
        .await
        .unwrap_err();
    assert_eq!(err, expired_session());
    // Expired is expired: asking again does not revive it.
    let err = answer_new_password(&client, &client_id, "late", &late)
        .await
        .unwrap_err();
    assert_eq!(err.0, "NotAuthorizedException");
    // A fresh sign-in still works.
    let fresh = new_password_session(&client, &client_id, "late").await;
    answer_new_password(&client, &client_id, "late", &fresh)
        .await
        .expect("a fresh session");
}

#[tokio::test]
async fn a_session_lasts_the_clients_auth_session_validity() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let created = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("ten-minutes")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .auth_session_validity(10)
        .send()
        .await
        .unwrap();
    let client_id = created
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    invited_user(&client, &pool_id, "vic").await;
    invited_user(&client, &pool_id, "wes").await;
    let vic = new_password_session(&client, &client_id, "vic").await;
    let wes = new_password_session(&client, &client_id, "wes").await;
    emulator.advance_clock(Duration::from_secs(9 * 60));
    answer_new_password(&client, &client_id, "vic", &vic)
        .await
        .expect("nine minutes into a ten-minute session");
    emulator.advance_clock(Duration::from_secs(61 + 60));
    let err = answer_new_password(&client, &client_id, "wes", &wes)
        .await
        .unwrap_err();
    assert_eq!(err, expired_session());
}

#[tokio::test]
async fn the_clock_endpoint_moves_time_for_sessions() {
    let (emulator, client) = sdk_client::start().await;
    let endpoint = emulator.endpoint();
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    invited_user(&client, &pool_id, "xia").await;
    let session = new_password_session(&client, &client_id, "xia").await;

    let before = raw(&endpoint, "GET", "/_emulator/clock", &[], b"").await;
    assert_eq!(before.status, 200);
    assert_eq!(before.json()["offsetSeconds"], 0.0);
    let moved = raw(
        &endpoint,
        "POST",
        "/_emulator/clock",
        &[("content-type", "application/json")],
        br#"{"advanceSeconds": 200}"#,
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.json()["offsetSeconds"], 200.0);
    let real = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let shown = moved.json()["now"].as_f64().unwrap();
    assert!((shown - real - 200.0).abs() < 5.0, "{shown} vs {real}");
    assert_eq!(emulator.clock_offset(), Duration::from_secs(200));

    let bad = raw(
        &endpoint,
        "POST",
        "/_emulator/clock",
        &[],
        br#"{"advanceSeconds": -5}"#,
    )
    .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(
        bad.json()["message"]
            .as_str()
            .unwrap()
            .contains("advanceSeconds")
    );
    assert_eq!(emulator.clock_offset(), Duration::from_secs(200));

    let err = answer_new_password(&client, &client_id, "xia", &session)
        .await
        .unwrap_err();
    assert_eq!(err, expired_session());
}

#[tokio::test]
async fn a_confirmation_code_expires_after_24_hours() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    for name in ["prompt", "tardy"] {
        client
            .sign_up()
            .client_id(&client_id)
            .username(name)
            .password(PASSWORD)
            .user_attributes(sdk_client::email(&format!("{name}@example.com")))
            .send()
            .await
            .expect("SignUp");
    }
    let confirm = |name: &'static str, code: String| {
        let client = client.clone();
        let client_id = client_id.clone();
        async move {
            client
                .confirm_sign_up()
                .client_id(client_id)
                .username(name)
                .confirmation_code(code)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| failure(e.into_service_error()))
        }
    };
    emulator.advance_clock(Duration::from_secs(24 * 3600 - 60));
    let code = emulator.latest_code(&pool_id, "prompt").unwrap();
    confirm("prompt", code)
        .await
        .expect("a code 23h59m old still works");

    emulator.advance_clock(Duration::from_secs(120));
    let stale = emulator.latest_code(&pool_id, "tardy").unwrap();
    assert_eq!(
        confirm("tardy", stale.clone()).await.unwrap_err(),
        (
            "ExpiredCodeException".to_owned(),
            "Invalid code provided, please request a code again.".to_owned()
        )
    );
    client
        .resend_confirmation_code()
        .client_id(&client_id)
        .username("tardy")
        .send()
        .await
        .expect("ResendConfirmationCode");
    let fresh = emulator.latest_code(&pool_id, "tardy").unwrap();
    confirm("tardy", fresh)
        .await
        .expect("the new code, sent on the later clock");
}

#[tokio::test]
async fn a_temporary_password_expires_with_the_pools_validity() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    invited_user(&client, &pool_id, "yan").await;
    // The default TemporaryPasswordValidityDays is 7.
    emulator.advance_clock(Duration::from_secs(7 * 86_400 + 60));
    let err = client
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "yan")
        .auth_parameters("PASSWORD", TEMPORARY)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(err.into_service_error()),
        (
            "NotAuthorizedException".to_owned(),
            "Temporary password has expired and must be reset by an administrator.".to_owned()
        )
    );
}

#[tokio::test]
async fn access_and_refresh_tokens_expire() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "zed").await;
    let signed_in = sdk_client::password_sign_in(&client, &client_id, "zed").await;
    let result = signed_in.authentication_result().unwrap();
    let access = result.access_token().unwrap().to_owned();
    let refresh = result.refresh_token().unwrap().to_owned();
    let lifetime = u64::try_from(result.expires_in()).unwrap();
    assert_eq!(lifetime, 3600);
    let get_user = |token: String| {
        let client = client.clone();
        async move {
            client
                .get_user()
                .access_token(token)
                .send()
                .await
                .map(|out| out.username().to_owned())
                .map_err(|e| failure(e.into_service_error()))
        }
    };
    emulator.advance_clock(Duration::from_secs(lifetime - 30));
    assert_eq!(get_user(access.clone()).await.unwrap(), "zed");
    emulator.advance_clock(Duration::from_secs(60));
    assert_eq!(
        get_user(access.clone()).await.unwrap_err(),
        (
            "NotAuthorizedException".to_owned(),
            "Access Token has expired".to_owned()
        )
    );

    // The refresh token (30 days) still gets a new access token, dated by the emulator's clock.
    let refresh_with = |token: String| {
        let client = client.clone();
        let client_id = client_id.clone();
        async move {
            client
                .initiate_auth()
                .client_id(client_id)
                .auth_flow(AuthFlowType::RefreshTokenAuth)
                .auth_parameters("REFRESH_TOKEN", token)
                .send()
                .await
                .map_err(|e| failure(e.into_service_error()))
        }
    };
    let refreshed = refresh_with(refresh.clone()).await.expect("refresh");
    let renewed = refreshed
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    assert_eq!(get_user(renewed).await.unwrap(), "zed");

    emulator.advance_clock(Duration::from_secs(30 * 86_400));
    assert_eq!(
        refresh_with(refresh).await.unwrap_err(),
        (
            "NotAuthorizedException".to_owned(),
            "Refresh Token has expired".to_owned()
        )
    );
}

#[tokio::test]
async fn totp_codes_follow_the_emulators_clock() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "tot").await;
    let signed_in = sdk_client::password_sign_in(&client, &client_id, "tot").await;
    let access = signed_in
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    let secret = client
        .associate_software_token()
        .access_token(&access)
        .send()
        .await
        .unwrap()
        .secret_code()
        .unwrap()
        .to_owned();
    let offset = Duration::from_secs(1800);
    emulator.advance_clock(offset);
    let real_now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let shifted = real_now + offset.as_secs();
    let verify = |code: String| {
        let client = client.clone();
        let access = access.clone();
        async move {
            client
                .verify_software_token()
                .access_token(access)
                .user_code(code)
                .send()
                .await
                .map_err(|e| failure(e.into_service_error()))
        }
    };
    let wall_code = totp::code_at(&secret, real_now);
    if wall_code != totp::code_at(&secret, shifted) {
        let err = verify(wall_code).await.unwrap_err();
        assert_eq!(err.0, "EnableSoftwareTokenMFAException", "{err:?}");
    }
    verify(totp::code_at(&secret, shifted))
        .await
        .expect("the code for the emulator's time");
}
