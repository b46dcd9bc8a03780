//! Users: sign-up and confirmation codes, admin creation, listing, and the
//! SECRET_HASH rules of clients with a secret.

use crate::sdk_client;

use crate::sdk_client::{PASSWORD, email};
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, UserStatusType, UsernameConfigurationType,
};
use emulator::DeliveryMedium;

#[tokio::test]
async fn sign_up_confirm_with_the_emailed_code() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    let out = client
        .sign_up()
        .client_id(&client_id)
        .username("alice")
        .password(PASSWORD)
        .user_attributes(email("alice@example.com"))
        .send()
        .await
        .unwrap();
    assert!(!out.user_confirmed());
    let details = out.code_delivery_details().unwrap();
    assert_eq!(details.destination(), Some("a***@e***"));
    let outbox = emulator.outbox();
    assert_eq!(outbox.len(), 1);
    let message = &outbox[0];
    assert_eq!(message.user_pool_id, pool_id);
    assert_eq!(message.destination, "alice@example.com");
    assert_eq!(message.delivery_medium, DeliveryMedium::Email);
    assert_eq!(message.trigger, "SignUp");
    let code = message.code.clone().unwrap();
    assert_eq!(code.len(), 6);
    assert!(message.message.contains(&code));

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let err = client
        .confirm_sign_up()
        .client_id(&client_id)
        .username("alice")
        .confirmation_code(wrong)
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_code_mismatch_exception());

    // Resending replaces the code: the old one no longer works.
    client
        .resend_confirmation_code()
        .client_id(&client_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    let new_code = emulator.latest_code(&pool_id, "alice").unwrap();
    assert_eq!(emulator.outbox()[1].trigger, "ResendCode");
    if new_code != code {
        let err = client
            .confirm_sign_up()
            .client_id(&client_id)
            .username("alice")
            .confirmation_code(&code)
            .send()
            .await
            .unwrap_err();
        assert!(err.as_service_error().unwrap().is_code_mismatch_exception());
    }
    client
        .confirm_sign_up()
        .client_id(&client_id)
        .username("alice")
        .confirmation_code(&new_code)
        .send()
        .await
        .unwrap();
    let user = client
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status(), Some(&UserStatusType::Confirmed));
    assert!(
        user.user_attributes()
            .iter()
            .any(|a| a.name() == "email_verified" && a.value() == Some("true"))
    );
    let err = client
        .confirm_sign_up()
        .client_id(&client_id)
        .username("alice")
        .confirmation_code(&new_code)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_not_authorized_exception()
    );
    let err = client
        .resend_confirmation_code()
        .client_id(&client_id)
        .username("alice")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_invalid_parameter_exception()
    );
}

#[tokio::test]
async fn password_policy_and_duplicates() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    let err = client
        .sign_up()
        .client_id(&client_id)
        .username("bob")
        .password("lowercase1!")
        .send()
        .await
        .unwrap_err();
    let service = err.as_service_error().unwrap();
    assert!(service.is_invalid_password_exception());
    assert!(
        service.meta().message().unwrap().contains("uppercase"),
        "{:?}",
        service.meta().message()
    );
    client
        .sign_up()
        .client_id(&client_id)
        .username("bob")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let err = client
        .sign_up()
        .client_id(&client_id)
        .username("bob")
        .password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_username_exists_exception()
    );
    let err = client
        .sign_up()
        .client_id(&client_id)
        .username("carol")
        .password(PASSWORD)
        .user_attributes(
            AttributeType::builder()
                .name("shoe_size")
                .value("9")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_invalid_parameter_exception()
    );
}

#[tokio::test]
async fn concurrent_sign_ups_of_one_name_make_one_user() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    let attempts = (0..32).map(|_| {
        let client = client.clone();
        let client_id = client_id.clone();
        tokio::spawn(async move {
            client
                .sign_up()
                .client_id(client_id)
                .username("racer")
                .password(PASSWORD)
                .send()
                .await
        })
    });
    let mut created = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(_) => created += 1,
            Err(err) => assert!(
                err.as_service_error()
                    .unwrap()
                    .is_username_exists_exception()
            ),
        }
    }
    assert_eq!(created, 1);
    let users = client
        .list_users()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(users.users().len(), 1);
}

#[tokio::test]
async fn admin_create_user_invites_with_a_temporary_password() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let out = client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("dora")
        .user_attributes(email("dora@example.com"))
        .desired_delivery_mediums(aws_sdk_cognitoidentityprovider::types::DeliveryMediumType::Email)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.user().unwrap().user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    let invitation = emulator.outbox().pop().unwrap();
    assert_eq!(invitation.trigger, "AdminCreateUser");
    assert!(invitation.message.contains("dora"));
    assert!(
        invitation
            .message
            .contains(invitation.code.as_deref().unwrap())
    );
    let err = client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("dora")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_username_exists_exception()
    );
    let err = client
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("nobody")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_user_not_found_exception()
    );
    client
        .admin_delete_user()
        .user_pool_id(&pool_id)
        .username("dora")
        .send()
        .await
        .unwrap();
    let err = client
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("dora")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_user_not_found_exception()
    );
}

#[tokio::test]
async fn list_users_filters_and_pages() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    for name in ["ann", "anna", "bert", "bo", "cy"] {
        sdk_client::confirmed_user(&client, &pool_id, &client_id, name).await;
    }
    client
        .sign_up()
        .client_id(&client_id)
        .username("zed")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let list = |filter: &str| {
        let client = client.clone();
        let pool_id = pool_id.clone();
        let filter = filter.to_owned();
        async move {
            let out = client
                .list_users()
                .user_pool_id(pool_id)
                .filter(filter)
                .send()
                .await
                .unwrap();
            let mut names: Vec<String> = out
                .users()
                .iter()
                .map(|u| u.username().unwrap().to_owned())
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(list("username ^= \"an\"").await, ["ann", "anna"]);
    assert_eq!(list("email = \"bert@example.com\"").await, ["bert"]);
    assert_eq!(list("cognito:user_status = \"UNCONFIRMED\"").await, ["zed"]);
    let bo = client
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("bo")
        .send()
        .await
        .unwrap();
    let sub = bo
        .user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .unwrap()
        .value()
        .unwrap()
        .to_owned();
    assert_eq!(list(&format!("sub = \"{sub}\"")).await, ["bo"]);
    let err = client
        .list_users()
        .user_pool_id(&pool_id)
        .filter("email bert")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_invalid_parameter_exception()
    );

    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_users()
            .user_pool_id(&pool_id)
            .limit(2)
            .set_pagination_token(token)
            .send()
            .await
            .unwrap();
        assert!(page.users().len() <= 2);
        seen.extend(
            page.users()
                .iter()
                .map(|u| u.username().unwrap().to_owned()),
        );
        token = page.pagination_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, ["ann", "anna", "bert", "bo", "cy", "zed"]);
}

#[tokio::test]
async fn case_insensitive_pools() {
    let (_emulator, client) = sdk_client::start().await;
    let pool = client
        .create_user_pool()
        .pool_name("ci")
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
    client
        .sign_up()
        .client_id(&client_id)
        .username("Eve")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let err = client
        .sign_up()
        .client_id(&client_id)
        .username("EVE")
        .password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_username_exists_exception()
    );
    let user = client
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("eve")
        .send()
        .await
        .unwrap();
    assert_eq!(user.username(), "Eve");
    // The default (case-sensitive) pool keeps them apart.
    let strict = sdk_client::pool(&client).await;
    let (strict_client, _) = sdk_client::app_client(&client, &strict, false).await;
    client
        .sign_up()
        .client_id(&strict_client)
        .username("Eve")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    client
        .sign_up()
        .client_id(&strict_client)
        .username("eve")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn secret_hash_rules() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, secret) = sdk_client::app_client(&client, &pool_id, true).await;
    let secret = secret.unwrap();
    let err = client
        .sign_up()
        .client_id(&client_id)
        .username("fay")
        .password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    let service = err.as_service_error().unwrap();
    assert!(service.is_not_authorized_exception());
    assert_eq!(
        service.meta().message(),
        Some(
            format!(
                "Client {client_id} is configured with secret but SECRET_HASH was not received"
            )
            .as_str()
        )
    );
    let err = client
        .sign_up()
        .client_id(&client_id)
        .username("fay")
        .password(PASSWORD)
        .secret_hash(example_cli::secret_hash(
            "someone-else",
            &client_id,
            &secret,
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.as_service_error().unwrap().meta().message(),
        Some(format!("Unable to verify secret hash for client {client_id}").as_str())
    );
    client
        .sign_up()
        .client_id(&client_id)
        .username("fay")
        .password(PASSWORD)
        .secret_hash(example_cli::secret_hash("fay", &client_id, &secret))
        .send()
        .await
        .unwrap();
    let (plain, _) = sdk_client::app_client(&client, &pool_id, false).await;
    let err = client
        .sign_up()
        .client_id(&plain)
        .username("gus")
        .password(PASSWORD)
        .secret_hash("c2VjcmV0")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_invalid_parameter_exception()
    );
}

#[tokio::test]
async fn disabled_users_cannot_sign_in_or_refresh() {
    use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
    use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
    fn failure<E: ProvideErrorMetadata>(err: E) -> (String, String) {
        (
            err.code().unwrap_or_default().to_owned(),
            err.message().unwrap_or_default().to_owned(),
        )
    }
    let disabled = (
        "NotAuthorizedException".to_owned(),
        "User is disabled.".to_owned(),
    );
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "hank").await;
    let signed_in = sdk_client::password_sign_in(&client, &client_id, "hank").await;
    let result = signed_in.authentication_result().unwrap();
    let access_token = result.access_token().unwrap().to_owned();
    let refresh_token = result.refresh_token().unwrap().to_owned();
    let sign_in = |flow: AuthFlowType, password: &'static str| {
        let client = client.clone();
        let client_id = client_id.clone();
        async move {
            let request = client
                .initiate_auth()
                .client_id(client_id)
                .auth_flow(flow.clone())
                .auth_parameters("USERNAME", "hank");
            let request = match flow {
                AuthFlowType::UserSrpAuth => request.auth_parameters("SRP_A", "02"),
                _ => request.auth_parameters("PASSWORD", password),
            };
            request
                .send()
                .await
                .map(drop)
                .map_err(|e| failure(e.into_service_error()))
        }
    };
    let refresh = || {
        let client = client.clone();
        let client_id = client_id.clone();
        let refresh_token = refresh_token.clone();
        async move {
            client
                .initiate_auth()
                .client_id(client_id)
                .auth_flow(AuthFlowType::RefreshTokenAuth)
                .auth_parameters("REFRESH_TOKEN", refresh_token)
                .send()
                .await
                .map(drop)
                .map_err(|e| failure(e.into_service_error()))
        }
    };

    client
        .admin_disable_user()
        .user_pool_id(&pool_id)
        .username("hank")
        .send()
        .await
        .unwrap();
    let user = client
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("hank")
        .send()
        .await
        .unwrap();
    assert!(!user.enabled());
    let listed = client
        .list_users()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.users().len(), 1, "a disabled user is still listed");
    assert_eq!(
        sign_in(AuthFlowType::UserPasswordAuth, PASSWORD).await,
        Err(disabled.clone())
    );
    assert_eq!(
        sign_in(AuthFlowType::UserPasswordAuth, "Wrong-Password-9").await,
        Err(disabled.clone())
    );
    assert_eq!(
        sign_in(AuthFlowType::UserSrpAuth, "").await,
        Err(disabled.clone())
    );
    assert_eq!(refresh().await, Err(disabled.clone()));
    let err = client
        .get_user()
        .access_token(&access_token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(err.into_service_error()),
        (
            "NotAuthorizedException".to_owned(),
            "Access Token has been revoked".to_owned()
        )
    );

    client
        .admin_enable_user()
        .user_pool_id(&pool_id)
        .username("hank")
        .send()
        .await
        .unwrap();
    sign_in(AuthFlowType::UserPasswordAuth, PASSWORD)
        .await
        .expect("enabled again");
    assert_eq!(
        refresh().await,
        Err((
            "NotAuthorizedException".to_owned(),
            "Refresh Token has been revoked".to_owned()
        )),
        "the tokens revoked on disabling stay revoked"
    );
    for disable in [true, false] {
        let err = if disable {
            client
                .admin_disable_user()
                .user_pool_id(&pool_id)
                .username("nobody")
                .send()
                .await
                .unwrap_err()
                .into_service_error()
                .meta()
                .clone()
        } else {
            client
                .admin_enable_user()
                .user_pool_id(&pool_id)
                .username("nobody")
                .send()
                .await
                .unwrap_err()
                .into_service_error()
                .meta()
                .clone()
        };
        assert_eq!(err.code(), Some("UserNotFoundException"));
    }
}
