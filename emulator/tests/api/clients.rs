//! App clients: UpdateUserPoolClient (which resets what it leaves out), token
//! validity and its units in issued tokens, ReadAttributes/WriteAttributes.

use crate::groups::claims;
use crate::sdk_client::{self, Client};

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType, TimeUnitsType, TokenValidityUnitsType,
};

fn failure<E: ProvideErrorMetadata>(err: E) -> (String, String) {
    (
        err.code().unwrap_or_default().to_owned(),
        err.message().unwrap_or_default().to_owned(),
    )
}

fn units(
    access: TimeUnitsType,
    id: TimeUnitsType,
    refresh: TimeUnitsType,
) -> TokenValidityUnitsType {
    TokenValidityUnitsType::builder()
        .access_token(access)
        .id_token(id)
        .refresh_token(refresh)
        .build()
}

async fn refresh(
    client: &Client,
    client_id: &str,
    token: &str,
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput,
    (String, String),
> {
    client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", token)
        .send()
        .await
        .map_err(|e| failure(e.into_service_error()))
}

#[tokio::test]
async fn token_validity_and_its_units_set_the_tokens_lifetimes() {
    let (emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let created = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("short-lived")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .access_token_validity(10)
        .id_token_validity(2)
        .refresh_token_validity(1)
        .token_validity_units(units(
            TimeUnitsType::Minutes,
            TimeUnitsType::Hours,
            TimeUnitsType::Days,
        ))
        .send()
        .await
        .unwrap();
    let client_id = created
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "tim").await;
    let out = sdk_client::password_sign_in(&client, &client_id, "tim").await;
    let result = out.authentication_result().unwrap();
    assert_eq!(result.expires_in(), 600);
    let access = claims(result.access_token().unwrap());
    let id = claims(result.id_token().unwrap());
    let lifetime = |c: &serde_json::Value| c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap();
    assert_eq!(lifetime(&access), 600);
    assert_eq!(lifetime(&id), 7200);

    // A refresh also issues 10-minute access tokens; after a day the
    // refresh token is spent.
    let token = result.refresh_token().unwrap();
    let again = refresh(&client, &client_id, token).await.unwrap();
    assert_eq!(again.authentication_result().unwrap().expires_in(), 600);
    emulator.advance_clock(Duration::from_secs(86_400 - 120));
    refresh(&client, &client_id, token).await.unwrap();
    emulator.advance_clock(Duration::from_secs(240));
    assert_eq!(
        refresh(&client, &client_id, token).await.unwrap_err(),
        (
            "NotAuthorizedException".to_owned(),
            "Refresh Token has expired".to_owned()
        )
    );

    // Out of the reference's range (access tokens: 5 minutes to 1 day).
    let err = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("too-long")
        .access_token_validity(2)
        .token_validity_units(units(
            TimeUnitsType::Days,
            TimeUnitsType::Hours,
            TimeUnitsType::Days,
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(failure(err).0, "InvalidParameterException");
}

#[tokio::test]
async fn update_user_pool_client_resets_what_it_leaves_out() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let created = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("web")
        .generate_secret(false)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .access_token_validity(2)
        .read_attributes("email")
        .read_attributes("name")
        .write_attributes("name")
        .enable_token_revocation(false)
        .send()
        .await
        .unwrap();
    let described = created.user_pool_client().unwrap();
    let client_id = described.client_id().unwrap().to_owned();
    assert_eq!(described.read_attributes(), ["email", "name"]);
    assert_eq!(described.write_attributes(), ["name"]);
    assert_eq!(described.enable_token_revocation(), Some(false));
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "una").await;
    let before = sdk_client::password_sign_in(&client, &client_id, "una").await;
    assert_eq!(before.authentication_result().unwrap().expires_in(), 7200);

    // Only new read attributes: the flows, validity and revocation go back
    // to their defaults; the id, name and creation date stay.
    let updated = client
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .read_attributes("email")
        .send()
        .await
        .unwrap();
    let after = updated.user_pool_client().unwrap();
    assert_eq!(after.client_id(), Some(client_id.as_str()));
    assert_eq!(after.client_name(), Some("web"));
    assert_eq!(after.creation_date(), described.creation_date());
    assert_eq!(after.read_attributes(), ["email"]);
    assert!(after.write_attributes().is_empty());
    assert_eq!(after.enable_token_revocation(), Some(true));
    assert_eq!(
        after.explicit_auth_flows(),
        [
            ExplicitAuthFlowsType::AllowCustomAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ExplicitAuthFlowsType::AllowUserSrpAuth
        ]
    );
    let again = client
        .describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.user_pool_client().unwrap().read_attributes(),
        ["email"]
    );
    let refused = client
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "una")
        .auth_parameters("PASSWORD", sdk_client::PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(refused),
        (
            "InvalidParameterException".to_owned(),
            "USER_PASSWORD_AUTH flow not enabled for this client".to_owned()
        )
    );

    // Sending the flow again brings it back, with the default lifetime.
    client
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .client_name("web-renamed")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .send()
        .await
        .unwrap();
    let signed_in = sdk_client::password_sign_in(&client, &client_id, "una").await;
    assert_eq!(
        signed_in.authentication_result().unwrap().expires_in(),
        3600
    );
    let listed = client
        .list_user_pool_clients()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed.user_pool_clients()[0].client_name(),
        Some("web-renamed")
    );

    let err = client
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id("nosuchclient")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(err),
        (
            "ResourceNotFoundException".to_owned(),
            "User pool client nosuchclient does not exist.".to_owned()
        )
    );
}
