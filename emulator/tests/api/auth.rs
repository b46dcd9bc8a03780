//! Sign-in with passwords and refresh tokens, the tokens themselves, and
//! the calls that take an access token.

use crate::sdk_client;

use crate::sdk_client::{PASSWORD, raw};
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ExplicitAuthFlowsType};

#[tokio::test]
async fn password_sign_in_issues_verifiable_tokens() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "alice").await;
    let out = sdk_client::password_sign_in(&client, &client_id, "alice").await;
    let result = out.authentication_result().unwrap();
    assert_eq!(result.token_type(), Some("Bearer"));
    assert_eq!(result.expires_in(), 3600);
    let access = result.access_token().unwrap();

    // Verify the access token independently against the published JWKS.
    let jwks = raw(
        &emulator.endpoint(),
        "GET",
        &format!("/{pool_id}/.well-known/jwks.json"),
        &[],
        b"",
    )
    .await
    .json();
    let header = jsonwebtoken::decode_header(access).unwrap();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header.kid.clone().unwrap())
        .unwrap();
    let decoding = jsonwebtoken::DecodingKey::from_rsa_components(
        key["n"].as_str().unwrap(),
        key["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&[format!("{}/{pool_id}", emulator.endpoint())]);
    validation.validate_aud = false;
    let claims = jsonwebtoken::decode::<serde_json::Value>(access, &decoding, &validation)
        .unwrap()
        .claims;
    assert_eq!(claims["token_use"], "access");
    assert_eq!(claims["username"], "alice");
    assert_eq!(claims["client_id"], client_id.as_str());
    let id_claims =
        jsonwebtoken::decode::<serde_json::Value>(result.id_token().unwrap(), &decoding, &{
            let mut v = validation.clone();
            v.set_audience(&[client_id.as_str()]);
            v.validate_aud = true;
            v
        })
        .unwrap()
        .claims;
    assert_eq!(id_claims["email"], "alice@example.com");
    assert_eq!(id_claims["cognito:username"], "alice");

    let me = client.get_user().access_token(access).send().await.unwrap();
    assert_eq!(me.username(), "alice");
    let refreshed = client
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", result.refresh_token().unwrap())
        .send()
        .await
        .unwrap();
    let refreshed = refreshed.authentication_result().unwrap();
    assert!(refreshed.refresh_token().is_none());
    client
        .get_user()
        .access_token(refreshed.access_token().unwrap())
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn wrong_password_unknown_and_unconfirmed_users() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "bob").await;
    client
        .sign_up()
        .client_id(&client_id)
        .username("newbie")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let attempt = |username: &'static str, password: &'static str| {
        client
            .initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", password)
            .send()
    };
    let err = attempt("bob", "Wrong-Password-1").await.unwrap_err();
    let service = err.as_service_error().unwrap();
    assert!(service.is_not_authorized_exception());
    assert_eq!(
        service.meta().message(),
        Some("Incorrect username or password.")
    );
    let err = attempt("nobody", PASSWORD).await.unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_user_not_found_exception()
    );
    let err = attempt("newbie", PASSWORD).await.unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_user_not_confirmed_exception()
    );

    // A client that hides whether users exist answers like a wrong password.
    let hiding = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("hiding")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .prevent_user_existence_errors(
            aws_sdk_cognitoidentityprovider::types::PreventUserExistenceErrorTypes::Enabled,
        )
        .send()
        .await
        .unwrap();
    let hiding_id = hiding.user_pool_client().unwrap().client_id().unwrap();
    let err = client
        .initiate_auth()
        .client_id(hiding_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "nobody")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_not_authorized_exception()
    );
}

#[tokio::test]
async fn flows_the_client_does_not_allow_are_refused() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let srp_only = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("default")
        .send()
        .await
        .unwrap();
    let client_id = srp_only
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "carl").await;
    let err = client
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "carl")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap_err();
    let service = err.as_service_error().unwrap();
    assert!(service.is_invalid_parameter_exception());
    assert_eq!(
        service.meta().message(),
        Some("USER_PASSWORD_AUTH flow not enabled for this client")
    );
    let err = client
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "carl")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.as_service_error().unwrap().meta().message(),
        Some("Auth flow not enabled for this client")
    );
}

#[tokio::test]
async fn admin_sign_in_with_a_secret() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, secret) = sdk_client::app_client(&client, &pool_id, true).await;
    let secret = secret.unwrap();
    client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("dan")
        .temporary_password("Temporary-Pass-1")
        .send()
        .await
        .unwrap();
    let sign_in = |password: &'static str, hash: Option<String>| {
        client
            .admin_initiate_auth()
            .user_pool_id(&pool_id)
            .client_id(&client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .set_auth_parameters(Some({
                let mut p = std::collections::HashMap::new();
                p.insert("USERNAME".to_owned(), "dan".to_owned());
                p.insert("PASSWORD".to_owned(), password.to_owned());
                if let Some(hash) = hash {
                    p.insert("SECRET_HASH".to_owned(), hash);
                }
                p
            }))
            .send()
    };
    let err = sign_in("Temporary-Pass-1", None).await.unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_not_authorized_exception()
    );
    let hash = example_cli::secret_hash("dan", &client_id, &secret);
    let challenge = sign_in("Temporary-Pass-1", Some(hash.clone()))
        .await
        .unwrap();
    assert_eq!(
        challenge.challenge_name().map(|c| c.as_str()),
        Some("NEW_PASSWORD_REQUIRED")
    );
    let err = client
        .admin_respond_to_auth_challenge()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .challenge_name(
            aws_sdk_cognitoidentityprovider::types::ChallengeNameType::NewPasswordRequired,
        )
        .session(challenge.session().unwrap())
        .challenge_responses("USERNAME", "dan")
        .challenge_responses("NEW_PASSWORD", "weak")
        .challenge_responses("SECRET_HASH", &hash)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_invalid_password_exception()
    );
    // The session was used up by the failed answer; start again.
    let challenge = sign_in("Temporary-Pass-1", Some(hash.clone()))
        .await
        .unwrap();
    let done = client
        .admin_respond_to_auth_challenge()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .challenge_name(
            aws_sdk_cognitoidentityprovider::types::ChallengeNameType::NewPasswordRequired,
        )
        .session(challenge.session().unwrap())
        .challenge_responses("USERNAME", "dan")
        .challenge_responses("NEW_PASSWORD", PASSWORD)
        .challenge_responses("SECRET_HASH", &hash)
        .send()
        .await
        .unwrap();
    assert!(
        done.authentication_result()
            .unwrap()
            .access_token()
            .is_some()
    );
    let again = client
        .admin_respond_to_auth_challenge()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .challenge_name(
            aws_sdk_cognitoidentityprovider::types::ChallengeNameType::NewPasswordRequired,
        )
        .session(challenge.session().unwrap())
        .challenge_responses("USERNAME", "dan")
        .challenge_responses("NEW_PASSWORD", PASSWORD)
        .challenge_responses("SECRET_HASH", &hash)
        .send()
        .await
        .unwrap_err();
    assert!(
        again
            .as_service_error()
            .unwrap()
            .is_not_authorized_exception(),
        "sessions are single use"
    );
    let user = client
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("dan")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "CONFIRMED");
    sign_in(PASSWORD, Some(hash)).await.unwrap();
}

#[tokio::test]
async fn sign_out_and_delete_revoke_tokens() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "erin").await;
    let first = sdk_client::password_sign_in(&client, &client_id, "erin").await;
    let first = first.authentication_result().unwrap();
    client
        .global_sign_out()
        .access_token(first.access_token().unwrap())
        .send()
        .await
        .unwrap();
    let err = client
        .get_user()
        .access_token(first.access_token().unwrap())
        .send()
        .await
        .unwrap_err();
    let service = err.as_service_error().unwrap();
    assert!(service.is_not_authorized_exception());
    assert_eq!(
        service.meta().message(),
        Some("Access Token has been revoked")
    );
    let err = client
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", first.refresh_token().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_not_authorized_exception()
    );

    let second = sdk_client::password_sign_in(&client, &client_id, "erin").await;
    let access = second
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    client
        .get_user()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    client
        .admin_user_global_sign_out()
        .user_pool_id(&pool_id)
        .username("erin")
        .send()
        .await
        .unwrap();
    assert!(
        client
            .get_user()
            .access_token(&access)
            .send()
            .await
            .is_err()
    );

    let third = sdk_client::password_sign_in(&client, &client_id, "erin").await;
    let access = third
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    client
        .delete_user()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    let err = client
        .get_user()
        .access_token(&access)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_not_authorized_exception()
    );
    let err = client
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("erin")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_user_not_found_exception()
    );

    let err = client
        .get_user()
        .access_token("not.a.token")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_not_authorized_exception()
    );
}
