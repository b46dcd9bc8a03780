//! Answers that must be AWS's own, checked against what AWS is documented or
//! reported to return: flows an app client does not allow, SECRET_HASH sent
//! to the wrong kind of client, SetUserPoolMfaConfig replacing the whole MFA
//! configuration, and a wrong password through SRP from an independent client.

use crate::sdk_client;

use crate::sdk_client::{Client, PASSWORD};
use aws_cognito_srp::{SrpClient, User};
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, SoftwareTokenMfaConfigType,
    UserPoolMfaType,
};

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

async fn client_with_flows(
    client: &Client,
    pool_id: &str,
    flows: &[ExplicitAuthFlowsType],
) -> String {
    let out = client
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("flows")
        .set_explicit_auth_flows((!flows.is_empty()).then(|| flows.to_vec()))
        .send()
        .await
        .expect("CreateUserPoolClient");
    out.user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned()
}

async fn initiate(
    client: &Client,
    client_id: &str,
    flow: AuthFlowType,
    parameters: &[(&str, &str)],
) -> (String, String) {
    let mut call = client.initiate_auth().client_id(client_id).auth_flow(flow);
    for (name, value) in parameters {
        call = call.auth_parameters(*name, *value);
    }
    failure(call.send().await.unwrap_err().into_service_error())
}

#[tokio::test]
async fn flows_a_client_does_not_allow_get_aws_messages() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    // No ExplicitAuthFlows: SRP, refresh and custom auth only.
    let default = client_with_flows(&client, &pool_id, &[]).await;
    let password_only = client_with_flows(
        &client,
        &pool_id,
        &[
            ExplicitAuthFlowsType::AllowUserPasswordAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
        ],
    )
    .await;
    let credentials = [("USERNAME", "amy"), ("PASSWORD", PASSWORD)];

    assert_eq!(
        initiate(
            &client,
            &default,
            AuthFlowType::UserPasswordAuth,
            &credentials
        )
        .await,
        expect(
            "InvalidParameterException",
            "USER_PASSWORD_AUTH flow not enabled for this client"
        )
    );
    let srp = SrpClient::new(User::new(&pool_id, "amy", PASSWORD), &password_only, None);
    let a = srp.get_auth_parameters().a;
    assert_eq!(
        initiate(
            &client,
            &password_only,
            AuthFlowType::UserSrpAuth,
            &[("USERNAME", "amy"), ("SRP_A", &a)]
        )
        .await,
        expect(
            "InvalidParameterException",
            "USER_SRP_AUTH is not enabled for the client."
        )
    );
    // The admin flow is not a flow of InitiateAuth at all.
    assert_eq!(
        initiate(
            &client,
            &password_only,
            AuthFlowType::AdminUserPasswordAuth,
            &credentials
        )
        .await,
        expect(
            "InvalidParameterException",
            "Initiate Auth method not supported."
        )
    );
    let admin = client
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&default)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "amy")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(admin.into_service_error()),
        expect(
            "InvalidParameterException",
            "Auth flow not enabled for this client"
        )
    );
}

#[tokio::test]
async fn secret_hash_to_the_wrong_kind_of_client() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (public, _) = sdk_client::app_client(&client, &pool_id, false).await;
    let (confidential, secret) = sdk_client::app_client(&client, &pool_id, true).await;
    let secret = secret.unwrap();
    sdk_client::confirmed_user(&client, &pool_id, &public, "bo").await;
    let hash = example_cli::secret_hash("bo", &public, "any-secret");

    let not_configured = expect(
        "InvalidParameterException",
        &format!("App client {public} is not configured for secret but secret hash was received"),
    );
    assert_eq!(
        initiate(
            &client,
            &public,
            AuthFlowType::UserPasswordAuth,
            &[
                ("USERNAME", "bo"),
                ("PASSWORD", PASSWORD),
                ("SECRET_HASH", &hash)
            ]
        )
        .await,
        not_configured
    );
    let sign_up = client
        .sign_up()
        .client_id(&public)
        .username("cy")
        .password(PASSWORD)
        .secret_hash(&hash)
        .user_attributes(sdk_client::email("cy@example.com"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(failure(sign_up.into_service_error()), not_configured);

    assert_eq!(
        initiate(
            &client,
            &confidential,
            AuthFlowType::UserPasswordAuth,
            &[("USERNAME", "bo"), ("PASSWORD", PASSWORD)]
        )
        .await,
        expect(
            "NotAuthorizedException",
            &format!(
                "Client {confidential} is configured with secret but SECRET_HASH was not received"
            ),
        )
    );
    let wrong = example_cli::secret_hash("bo", &confidential, &format!("{secret}x"));
    assert_eq!(
        initiate(
            &client,
            &confidential,
            AuthFlowType::UserPasswordAuth,
            &[
                ("USERNAME", "bo"),
                ("PASSWORD", PASSWORD),
                ("SECRET_HASH", &wrong)
            ]
        )
        .await,
        expect(
            "NotAuthorizedException",
            &format!("Unable to verify secret hash for client {confidential}"),
        )
    );
}

#[tokio::test]
async fn set_user_pool_mfa_config_replaces_the_whole_configuration() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let totp = || SoftwareTokenMfaConfigType::builder().enabled(true).build();
    let get = || async {
        let out = client
            .get_user_pool_mfa_config()
            .user_pool_id(&pool_id)
            .send()
            .await
            .unwrap();
        (
            out.mfa_configuration().cloned(),
            out.software_token_mfa_configuration()
                .is_some_and(|c| c.enabled()),
        )
    };
    client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(totp())
        .send()
        .await
        .unwrap();
    assert_eq!(get().await, (Some(UserPoolMfaType::Optional), true));

    // Changing the mode alone drops the factor: AWS refuses OPTIONAL without one.
    let err = client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(UserPoolMfaType::On)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(err.into_service_error()),
        expect(
            "InvalidParameterException",
            "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be enabled."
        )
    );
    assert_eq!(get().await, (Some(UserPoolMfaType::Optional), true));

    // Sending the factor alone leaves the mode out: it goes back to OFF.
    client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .software_token_mfa_configuration(totp())
        .send()
        .await
        .unwrap();
    assert_eq!(get().await, (Some(UserPoolMfaType::Off), false));

    // OFF together with a factor is a contradiction AWS refuses.
    let err = client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(UserPoolMfaType::Off)
        .software_token_mfa_configuration(totp())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(err.into_service_error()),
        expect(
            "InvalidParameterException",
            "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
        )
    );
}

#[tokio::test]
async fn srp_with_a_wrong_password_is_refused() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "dee").await;
    for password in [PASSWORD, "Wrong-Password-9"] {
        let srp = SrpClient::new(User::new(&pool_id, "dee", password), &client_id, None);
        let a = srp.get_auth_parameters().a;
        let challenge = client
            .initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", "dee")
            .auth_parameters("SRP_A", &a)
            .send()
            .await
            .expect("USER_SRP_AUTH starts whatever the password");
        let p = challenge.challenge_parameters().unwrap();
        let proof = srp
            .verify(
                &p["SECRET_BLOCK"],
                &p["USER_ID_FOR_SRP"],
                &p["SALT"],
                &p["SRP_B"],
            )
            .unwrap();
        let answer = client
            .respond_to_auth_challenge()
            .client_id(&client_id)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .session(challenge.session().unwrap())
            .challenge_responses("USERNAME", &p["USER_ID_FOR_SRP"])
            .challenge_responses(
                "PASSWORD_CLAIM_SECRET_BLOCK",
                &proof.password_claim_secret_block,
            )
            .challenge_responses("PASSWORD_CLAIM_SIGNATURE", &proof.password_claim_signature)
            .challenge_responses("TIMESTAMP", &proof.timestamp)
            .send()
            .await;
        if password == PASSWORD {
            assert!(answer.unwrap().authentication_result().is_some());
        } else {
            assert_eq!(
                failure(answer.unwrap_err().into_service_error()),
                expect("NotAuthorizedException", "Incorrect username or password.")
            );
        }
    }
}
