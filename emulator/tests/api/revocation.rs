//! RevokeToken (and `EnableTokenRevocation`), GetTokensFromRefreshToken and
//! refresh token rotation.

use crate::sdk_client::{self, Client};

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, AuthenticationResultType, ExplicitAuthFlowsType, FeatureType,
    RefreshTokenRotationType,
};

fn failure<E: ProvideErrorMetadata>(err: E) -> (String, String) {
    (
        err.code().unwrap_or_default().to_owned(),
        err.message().unwrap_or_default().to_owned(),
    )
}

fn pair(code: &str, message: &str) -> (String, String) {
    (code.to_owned(), message.to_owned())
}

async fn get_user(client: &Client, access: &str) -> Result<String, (String, String)> {
    client
        .get_user()
        .access_token(access)
        .send()
        .await
        .map(|out| out.username().to_owned())
        .map_err(|e| failure(e.into_service_error()))
}

async fn refresh(
    client: &Client,
    client_id: &str,
    token: &str,
) -> Result<AuthenticationResultType, (String, String)> {
    client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", token)
        .send()
        .await
        .map(|out| out.authentication_result().unwrap().clone())
        .map_err(|e| failure(e.into_service_error()))
}

async fn revoke(
    client: &Client,
    client_id: &str,
    token: &str,
    secret: Option<&str>,
) -> Result<(), (String, String)> {
    client
        .revoke_token()
        .client_id(client_id)
        .token(token)
        .set_client_secret(secret.map(str::to_owned))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| failure(e.into_service_error()))
}

async fn get_tokens(
    client: &Client,
    client_id: &str,
    token: &str,
    secret: Option<&str>,
) -> Result<AuthenticationResultType, (String, String)> {
    client
        .get_tokens_from_refresh_token()
        .client_id(client_id)
        .refresh_token(token)
        .set_client_secret(secret.map(str::to_owned))
        .send()
        .await
        .map(|out| out.authentication_result().unwrap().clone())
        .map_err(|e| failure(e.into_service_error()))
}

#[tokio::test]
async fn a_revoked_refresh_token_ends_the_tokens_issued_from_it() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "rob").await;
    let first = sdk_client::password_sign_in(&client, &client_id, "rob").await;
    let first = first.authentication_result().unwrap();
    let second = sdk_client::password_sign_in(&client, &client_id, "rob").await;
    let second = second.authentication_result().unwrap();
    let token = first.refresh_token().unwrap();
    let refreshed = refresh(&client, &client_id, token).await.unwrap();

    // An access token is not what RevokeToken takes.
    assert_eq!(
        revoke(&client, &client_id, first.access_token().unwrap(), None)
            .await
            .unwrap_err()
            .0,
        "UnsupportedTokenTypeException"
    );
    revoke(&client, &client_id, token, None).await.unwrap();
    let revoked = pair("NotAuthorizedException", "Access Token has been revoked");
    assert_eq!(
        get_user(&client, first.access_token().unwrap())
            .await
            .unwrap_err(),
        revoked
    );
    assert_eq!(
        get_user(&client, refreshed.access_token().unwrap())
            .await
            .unwrap_err(),
        revoked
    );
    assert_eq!(
        refresh(&client, &client_id, token).await.unwrap_err(),
        pair("NotAuthorizedException", "Refresh Token has been revoked")
    );
    // Revoking again is no error; the other sign-in is untouched.
    revoke(&client, &client_id, token, None).await.unwrap();
    assert_eq!(
        get_user(&client, second.access_token().unwrap())
            .await
            .unwrap(),
        "rob"
    );
    refresh(&client, &client_id, second.refresh_token().unwrap())
        .await
        .unwrap();

    // Another client may not revoke this client's tokens.
    let (other_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    assert_eq!(
        revoke(&client, &other_id, second.refresh_token().unwrap(), None)
            .await
            .unwrap_err()
            .0,
        "UnauthorizedException"
    );
}

#[tokio::test]
async fn revocation_needs_the_client_secret_and_enable_token_revocation() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, secret) = sdk_client::app_client(&client, &pool_id, true).await;
    let secret = secret.unwrap();
    client
        .sign_up()
        .client_id(&client_id)
        .username("sue")
        .password(sdk_client::PASSWORD)
        .secret_hash(secret_hash(&secret, "sue", &client_id))
        .send()
        .await
        .unwrap();
    client
        .admin_confirm_sign_up()
        .user_pool_id(&pool_id)
        .username("sue")
        .send()
        .await
        .unwrap();
    // Sign in as an administrator (the SECRET_HASH computed as documented).
    let signed_in = client
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "sue")
        .auth_parameters("PASSWORD", sdk_client::PASSWORD)
        .auth_parameters("SECRET_HASH", secret_hash(&secret, "sue", &client_id))
        .send()
        .await;
    let Ok(signed_in) = signed_in else {
        panic!("sign-in: {:?}", signed_in.unwrap_err().into_service_error());
    };
    let token = signed_in
        .authentication_result()
        .unwrap()
        .refresh_token()
        .unwrap()
        .to_owned();
    assert_eq!(
        revoke(&client, &client_id, &token, None)
            .await
            .unwrap_err()
            .0,
        "UnauthorizedException"
    );
    assert_eq!(
        revoke(
            &client,
            &client_id,
            &token,
            Some("wrongsecretoftherightsize")
        )
        .await
        .unwrap_err()
        .0,
        "UnauthorizedException"
    );
    // GetTokensFromRefreshToken takes the secret itself.
    assert_eq!(
        get_tokens(&client, &client_id, &token, None)
            .await
            .unwrap_err()
            .0,
        "NotAuthorizedException"
    );
    get_tokens(&client, &client_id, &token, Some(&secret))
        .await
        .unwrap();
    revoke(&client, &client_id, &token, Some(&secret))
        .await
        .unwrap();
    assert_eq!(
        get_tokens(&client, &client_id, &token, Some(&secret))
            .await
            .unwrap_err(),
        pair("NotAuthorizedException", "Refresh Token has been revoked")
    );

    // A client without token revocation refuses RevokeToken.
    let plain = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("no-revocation")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .enable_token_revocation(false)
        .send()
        .await
        .unwrap();
    let plain_id = plain
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    let out = sdk_client::password_sign_in(&client, &plain_id, "sue").await;
    let plain_token = out
        .authentication_result()
        .unwrap()
        .refresh_token()
        .unwrap();
    assert_eq!(
        revoke(&client, &plain_id, plain_token, None)
            .await
            .unwrap_err()
            .0,
        "UnsupportedOperationException"
    );
    refresh(&client, &plain_id, plain_token).await.unwrap();
}

/// `Base64(HMAC-SHA256(secret, username + client_id))`, computed here
/// independently of the emulator.
fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn get_tokens_from_refresh_token_and_rotation() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "ray").await;
    let out = sdk_client::password_sign_in(&client, &client_id, "ray").await;
    let token = out
        .authentication_result()
        .unwrap()
        .refresh_token()
        .unwrap();
    // Without rotation: new ID and access tokens, no new refresh token.
    let renewed = get_tokens(&client, &client_id, token, None).await.unwrap();
    assert!(renewed.refresh_token().is_none());
    assert_eq!(
        get_user(&client, renewed.access_token().unwrap())
            .await
            .unwrap(),
        "ray"
    );
    assert_eq!(
        get_tokens(&client, &client_id, "not-a-refresh-token", None)
            .await
            .unwrap_err(),
        pair("NotAuthorizedException", "Invalid Refresh Token")
    );

    let rotating = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("rotating")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .refresh_token_rotation(
            RefreshTokenRotationType::builder()
                .feature(FeatureType::Enabled)
                .retry_grace_period_seconds(10)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let rotating_id = rotating
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    let out = sdk_client::password_sign_in(&client, &rotating_id, "ray").await;
    let first = out
        .authentication_result()
        .unwrap()
        .refresh_token()
        .unwrap();
    assert_eq!(
        refresh(&client, &rotating_id, first).await.unwrap_err().0,
        "InvalidParameterException",
        "rotation is done with GetTokensFromRefreshToken only"
    );
    let rotated = get_tokens(&client, &rotating_id, first, None)
        .await
        .unwrap();
    let second = rotated
        .refresh_token()
        .expect("a rotated refresh token")
        .to_owned();
    assert_ne!(second, first);
    // The old token works through its grace period, then no more.
    emulator.advance_clock(Duration::from_secs(5));
    get_tokens(&client, &rotating_id, first, None)
        .await
        .unwrap();
    emulator.advance_clock(Duration::from_secs(10));
    assert_eq!(
        get_tokens(&client, &rotating_id, first, None)
            .await
            .unwrap_err(),
        pair("NotAuthorizedException", "Refresh Token has been revoked")
    );
    let third = get_tokens(&client, &rotating_id, &second, None)
        .await
        .unwrap();
    assert!(third.refresh_token().is_some());
    // Revoking the newest token ends the whole sign-in.
    revoke(&client, &rotating_id, third.refresh_token().unwrap(), None)
        .await
        .unwrap();
    assert_eq!(
        get_user(&client, rotated.access_token().unwrap())
            .await
            .unwrap_err()
            .1,
        "Access Token has been revoked"
    );
}
