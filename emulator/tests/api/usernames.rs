//! What a user signs in with: an email address as the user name
//! (UsernameAttributes: the user is stored under their `sub`), verified
//! aliases (AliasAttributes, ForceAliasCreation), and case-insensitive
//! user names.

use crate::sdk_client;

use crate::sdk_client::{Client, PASSWORD, email};
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AliasAttributeType, AttributeType, AuthFlowType, UsernameAttributeType,
    UsernameConfigurationType, VerifiedAttributeType,
};
use base64::Engine;

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

/// USER_PASSWORD_AUTH as `name`: the ID token's claims.
async fn sign_in(
    client: &Client,
    client_id: &str,
    name: &str,
) -> Result<serde_json::Value, (String, String)> {
    let out = client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .map_err(|e| failure(e.into_service_error()))?;
    let id_token = out.authentication_result().unwrap().id_token().unwrap();
    let payload = id_token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    Ok(serde_json::from_slice(&bytes).unwrap())
}

fn not_found() -> (String, String) {
    expect("UserNotFoundException", "User does not exist.")
}

async fn sign_up(
    client: &Client,
    client_id: &str,
    username: &str,
    attributes: &[(&str, &str)],
) -> Result<String, (String, String)> {
    let mut request = client
        .sign_up()
        .client_id(client_id)
        .username(username)
        .password(PASSWORD);
    for (name, value) in attributes {
        request = request.user_attributes(
            AttributeType::builder()
                .name(*name)
                .value(*value)
                .build()
                .unwrap(),
        );
    }
    request
        .send()
        .await
        .map(|out| out.user_sub().to_owned())
        .map_err(|e| failure(e.into_service_error()))
}

async fn access_token(client: &Client, client_id: &str, name: &str) -> String {
    sdk_client::password_sign_in(client, client_id, name)
        .await
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn an_email_as_the_user_name_stores_the_user_under_its_sub() {
    let (emulator, client) = sdk_client::start().await;
    let pool = client
        .create_user_pool()
        .pool_name("by-email")
        .username_attributes(UsernameAttributeType::Email)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    assert_eq!(
        sign_up(&client, &client_id, "ann", &[]).await,
        Err(expect(
            "InvalidParameterException",
            "Username should be an email."
        ))
    );
    let sub = sign_up(&client, &client_id, "Ann@Example.com", &[])
        .await
        .unwrap();
    let code = emulator
        .latest_code(&pool_id, &sub)
        .expect("a code for the sub");
    client
        .confirm_sign_up()
        .client_id(&client_id)
        .username("ann@example.com")
        .confirmation_code(code)
        .send()
        .await
        .expect("confirmed by email");
    let user = client
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("ann@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(user.username(), sub);
    assert!(
        user.user_attributes()
            .iter()
            .any(|a| a.name() == "sub" && a.value() == Some(sub.as_str()))
    );
    assert!(
        user.user_attributes()
            .iter()
            .any(|a| a.name() == "email" && a.value() == Some("Ann@Example.com"))
    );
    let claims = sign_in(&client, &client_id, "ANN@example.com")
        .await
        .unwrap();
    assert_eq!(claims["cognito:username"], sub.as_str());
    assert_eq!(claims["sub"], sub.as_str());
    assert_eq!(claims["email"], "Ann@Example.com");
    assert_eq!(
        sign_up(&client, &client_id, "ann@example.com", &[]).await,
        Err(expect(
            "UsernameExistsException",
            "An account with the given email already exists."
        ))
    );

    // A new email is the new sign-in name; another user's is refused.
    let token = access_token(&client, &client_id, "ann@example.com").await;
    client
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(email("ann.new@example.com"))
        .send()
        .await
        .unwrap();
    assert!(
        sign_in(&client, &client_id, "ann.new@example.com")
            .await
            .is_ok()
    );
    assert_eq!(
        sign_in(&client, &client_id, "ann@example.com").await,
        Err(not_found())
    );
    let bob = sign_up(&client, &client_id, "bob@example.com", &[])
        .await
        .unwrap();
    client
        .admin_confirm_sign_up()
        .user_pool_id(&pool_id)
        .username(&bob)
        .send()
        .await
        .unwrap();
    let err = client
        .admin_update_user_attributes()
        .user_pool_id(&pool_id)
        .username("bob@example.com")
        .user_attributes(email("ann.new@example.com"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(err.into_service_error()),
        expect(
            "AliasExistsException",
            "An account with the given email already exists."
        )
    );
    assert!(
        sign_in(&client, &client_id, "bob@example.com")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_verified_alias_signs_in_and_can_be_forced_over() {
    let (emulator, client) = sdk_client::start().await;
    let pool = client
        .create_user_pool()
        .pool_name("aliases")
        .alias_attributes(AliasAttributeType::Email)
        .alias_attributes(AliasAttributeType::PreferredUsername)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    assert_eq!(
        sign_up(&client, &client_id, "cat@example.com", &[]).await,
        Err(expect(
            "InvalidParameterException",
            "Username cannot be of email format, since user pool is configured for email alias."
        ))
    );
    sign_up(
        &client,
        &client_id,
        "cat",
        &[("email", "shared@example.com")],
    )
    .await
    .unwrap();
    let confirm = |username: &'static str, force: bool| {
        let client = client.clone();
        let client_id = client_id.clone();
        let code = emulator.latest_code(&pool_id, username).unwrap();
        async move {
            client
                .confirm_sign_up()
                .client_id(client_id)
                .username(username)
                .confirmation_code(code)
                .force_alias_creation(force)
                .send()
                .await
                .map(drop)
                .map_err(|e| failure(e.into_service_error()))
        }
    };
    // Not verified yet: the email is no alias.
    client
        .admin_confirm_sign_up()
        .user_pool_id(&pool_id)
        .username("cat")
        .send()
        .await
        .unwrap();
    assert_eq!(
        sign_in(&client, &client_id, "shared@example.com").await,
        Err(not_found())
    );
    let token = access_token(&client, &client_id, "cat").await;
    client
        .get_user_attribute_verification_code()
        .access_token(&token)
        .attribute_name("email")
        .send()
        .await
        .unwrap();
    let code = emulator.latest_code(&pool_id, "cat").unwrap();
    client
        .verify_user_attribute()
        .access_token(&token)
        .attribute_name("email")
        .code(code)
        .send()
        .await
        .unwrap();
    let claims = sign_in(&client, &client_id, "shared@example.com")
        .await
        .unwrap();
    assert_eq!(claims["cognito:username"], "cat");
    client
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(
            AttributeType::builder()
                .name("preferred_username")
                .value("kitty")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let claims = sign_in(&client, &client_id, "kitty").await.unwrap();
    assert_eq!(claims["cognito:username"], "cat");

    // A second user verifying the same email: refused, unless forced.
    sign_up(
        &client,
        &client_id,
        "dog",
        &[("email", "shared@example.com")],
    )
    .await
    .unwrap();
    assert_eq!(
        confirm("dog", false).await,
        Err(expect(
            "AliasExistsException",
            "An account with the given email already exists."
        ))
    );
    let status = |username: &'static str| {
        let client = client.clone();
        let pool_id = pool_id.clone();
        async move {
            client
                .admin_get_user()
                .user_pool_id(pool_id)
                .username(username)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        status("dog").await.user_status().unwrap().as_str(),
        "UNCONFIRMED",
        "the refused confirmation changed nothing"
    );
    confirm("dog", true).await.expect("forced");
    let claims = sign_in(&client, &client_id, "shared@example.com")
        .await
        .unwrap();
    assert_eq!(claims["cognito:username"], "dog");
    assert!(
        status("cat")
            .await
            .user_attributes()
            .iter()
            .any(|a| a.name() == "email_verified" && a.value() == Some("false")),
        "the alias moved away from cat"
    );
    assert!(sign_in(&client, &client_id, "kitty").await.is_ok());
}

#[tokio::test]
async fn case_insensitive_user_names_sign_in_in_any_case() {
    let (_emulator, client) = sdk_client::start().await;
    let pool = client
        .create_user_pool()
        .pool_name("any-case")
        .username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "Eve").await;
    let claims = sign_in(&client, &client_id, "EVE").await.unwrap();
    assert_eq!(claims["cognito:username"], "Eve");

    let strict = sdk_client::pool(&client).await;
    let (strict_client, _) = sdk_client::app_client(&client, &strict, false).await;
    sdk_client::confirmed_user(&client, &strict, &strict_client, "Eve").await;
    assert_eq!(
        sign_in(&client, &strict_client, "EVE").await,
        Err(not_found())
    );
}
