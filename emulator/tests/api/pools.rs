//! User pools and app clients through the real SDK.

use crate::sdk_client;

use aws_sdk_cognitoidentityprovider::types::{
    DeviceConfigurationType, PasswordPolicyType, SoftwareTokenMfaConfigType, UserPoolMfaType,
    UserPoolPolicyType,
};

#[tokio::test]
async fn create_describe_and_delete() {
    let (emulator, client) = sdk_client::start().await;
    let created = client
        .create_user_pool()
        .pool_name("demo")
        .send()
        .await
        .unwrap();
    let pool = created.user_pool().unwrap();
    let id = pool.id().unwrap();
    let (region, suffix) = id.split_once('_').unwrap();
    assert_eq!(region, emulator.region());
    assert_eq!(suffix.len(), 9);
    assert!(suffix.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(
        pool.arn().unwrap(),
        format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{id}")
    );
    let described = client
        .describe_user_pool()
        .user_pool_id(id)
        .send()
        .await
        .unwrap();
    let pool = described.user_pool().unwrap();
    assert_eq!(pool.name(), Some("demo"));
    let policy = pool.policies().unwrap().password_policy().unwrap();
    assert_eq!(policy.minimum_length(), Some(8));
    assert!(policy.require_symbols());
    assert_eq!(pool.mfa_configuration(), Some(&UserPoolMfaType::Off));
    assert!(
        pool.schema_attributes()
            .iter()
            .any(|a| a.name() == Some("email"))
    );
    client
        .delete_user_pool()
        .user_pool_id(id)
        .send()
        .await
        .unwrap();
    let err = client
        .describe_user_pool()
        .user_pool_id(id)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );
}

#[tokio::test]
async fn update_resets_what_it_leaves_out() {
    let (_emulator, client) = sdk_client::start().await;
    let created = client
        .create_user_pool()
        .pool_name("demo")
        .mfa_configuration(UserPoolMfaType::Off)
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(true)
                .build(),
        )
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(12)
                        .require_numbers(true)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let id = created.user_pool().unwrap().id().unwrap();
    client
        .update_user_pool()
        .user_pool_id(id)
        .user_pool_tags("team", "docs")
        .send()
        .await
        .unwrap();
    let pool = client
        .describe_user_pool()
        .user_pool_id(id)
        .send()
        .await
        .unwrap();
    let pool = pool.user_pool().unwrap();
    assert_eq!(
        pool.policies()
            .unwrap()
            .password_policy()
            .unwrap()
            .minimum_length(),
        Some(8)
    );
    assert!(
        pool.device_configuration().is_none(),
        "device configuration went back to its default"
    );
    assert_eq!(
        pool.user_pool_tags()
            .unwrap()
            .get("team")
            .map(String::as_str),
        Some("docs")
    );
    assert_eq!(pool.name(), Some("demo"));
}

#[tokio::test]
async fn list_user_pools_pages() {
    let (_emulator, client) = sdk_client::start().await;
    for i in 0..5 {
        client
            .create_user_pool()
            .pool_name(format!("p{i}"))
            .send()
            .await
            .unwrap();
    }
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_user_pools()
            .max_results(2)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        assert!(page.user_pools().len() <= 2);
        names.extend(
            page.user_pools()
                .iter()
                .map(|p| p.name().unwrap().to_owned()),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(names, ["p0", "p1", "p2", "p3", "p4"]);
    let err = client
        .list_user_pools()
        .max_results(0)
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
async fn mfa_config_round_trip() {
    let (_emulator, client) = sdk_client::start().await;
    let id = sdk_client::pool(&client).await;
    let err = client
        .set_user_pool_mfa_config()
        .user_pool_id(&id)
        .mfa_configuration(UserPoolMfaType::On)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_invalid_parameter_exception()
    );
    client
        .set_user_pool_mfa_config()
        .user_pool_id(&id)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .mfa_configuration(UserPoolMfaType::On)
        .send()
        .await
        .unwrap();
    let config = client
        .get_user_pool_mfa_config()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(config.mfa_configuration(), Some(&UserPoolMfaType::On));
    assert!(config.software_token_mfa_configuration().unwrap().enabled());
}

#[tokio::test]
async fn app_clients() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (id, secret) = sdk_client::app_client(&client, &pool_id, true).await;
    assert_eq!(id.len(), 26);
    assert!(secret.as_ref().is_some_and(|s| s.len() > 40));
    let described = client
        .describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&id)
        .send()
        .await
        .unwrap();
    let described = described.user_pool_client().unwrap();
    assert_eq!(described.client_secret(), secret.as_deref());
    assert_eq!(described.explicit_auth_flows().len(), 4);
    let (plain, none) = sdk_client::app_client(&client, &pool_id, false).await;
    assert!(none.is_none());
    client
        .delete_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&plain)
        .send()
        .await
        .unwrap();
    let err = client
        .describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&plain)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );
    let err = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("bad")
        .access_token_validity(2)
        .token_validity_units(
            aws_sdk_cognitoidentityprovider::types::TokenValidityUnitsType::builder()
                .access_token(aws_sdk_cognitoidentityprovider::types::TimeUnitsType::Days)
                .build(),
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
