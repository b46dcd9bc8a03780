//! CreateUserPoolClient: create an app client, the identity an app uses to
//! call a user pool's public operations (SignUp, InitiateAuth, ...).
//!
//! This is an administrator call: it is signed with your AWS credentials and
//! needs the `cognito-idp:CreateUserPoolClient` permission on the pool.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::{
    CreateUserPoolClientError, CreateUserPoolClientOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType, PreventUserExistenceErrorTypes,
};

/// The sign-in flows the examples use, and so the flows the client allows.
pub const AUTH_FLOWS: [ExplicitAuthFlowsType; 4] = [
    // AdminInitiateAuth with a username and password (server-side apps).
    ExplicitAuthFlowsType::AllowAdminUserPasswordAuth,
    // InitiateAuth with a username and password sent over TLS.
    ExplicitAuthFlowsType::AllowUserPasswordAuth,
    // InitiateAuth with SRP: the password never leaves the client.
    ExplicitAuthFlowsType::AllowUserSrpAuth,
    // New ID and access tokens from a refresh token.
    ExplicitAuthFlowsType::AllowRefreshTokenAuth,
];

// snippet-start:[rust.cognito-idp.CreateUserPoolClient]
/// Creates an app client named `client_name` in the pool that allows the
/// sign-in flows in [`AUTH_FLOWS`] and hides whether a user exists
/// (`PreventUserExistenceErrors` ENABLED: a wrong username fails like a wrong
/// password, so attackers cannot probe for usernames).
///
/// With `generate_secret`, Cognito generates a client secret, returned here
/// once in the answer (DescribeUserPoolClient also shows it). Every public
/// call through such a client must then carry a `SECRET_HASH`; that suits a
/// server, not an app whose code users can read.
pub async fn create_user_pool_client(
    client: &Client,
    user_pool_id: &str,
    client_name: &str,
    generate_secret: bool,
) -> Result<CreateUserPoolClientOutput, SdkError<CreateUserPoolClientError>> {
    client
        .create_user_pool_client()
        .user_pool_id(user_pool_id)
        .client_name(client_name)
        .generate_secret(generate_secret)
        .set_explicit_auth_flows(Some(AUTH_FLOWS.to_vec()))
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.CreateUserPoolClient]

/// The sign-in flows of an app client for custom sign-ins (`CUSTOM_AUTH`)
/// that prove the password with SRP first, as Amplify's
/// `authenticationFlowType: CUSTOM_AUTH` does.
pub const CUSTOM_AUTH_FLOWS: [ExplicitAuthFlowsType; 3] = [
    // InitiateAuth CUSTOM_AUTH: the pool's challenge triggers decide the steps.
    ExplicitAuthFlowsType::AllowCustomAuth,
    // The SRP proof of the password those steps start with.
    ExplicitAuthFlowsType::AllowUserSrpAuth,
    // New ID and access tokens from a refresh token.
    ExplicitAuthFlowsType::AllowRefreshTokenAuth,
];

// snippet-start:[rust.cognito-idp.CreateUserPoolClient.CustomAuth]
/// Creates an app client named `client_name` for custom sign-ins: it allows
/// the flows in [`CUSTOM_AUTH_FLOWS`] and nothing else (no password sent
/// over the wire, no administrator sign-in), has no secret (an app's code
/// cannot keep one), and hides whether a user exists.
///
/// The pool's DefineAuthChallenge, CreateAuthChallenge and
/// VerifyAuthChallengeResponse triggers then run every sign-in through it.
pub async fn create_custom_auth_client(
    client: &Client,
    user_pool_id: &str,
    client_name: &str,
) -> Result<CreateUserPoolClientOutput, SdkError<CreateUserPoolClientError>> {
    client
        .create_user_pool_client()
        .user_pool_id(user_pool_id)
        .client_name(client_name)
        .generate_secret(false)
        .set_explicit_auth_flows(Some(CUSTOM_AUTH_FLOWS.to_vec()))
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.CreateUserPoolClient.CustomAuth]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::UserPoolClientType;
    use aws_smithy_mocks::{mock, mock_client};

    #[tokio::test]
    async fn allows_the_example_flows_and_hides_user_existence() {
        let create = mock!(Client::create_user_pool_client)
            .match_requests(|req| {
                let mut flows = req.explicit_auth_flows().to_vec();
                flows.sort_by(|a, b| a.as_str().cmp(b.as_str()));
                req.user_pool_id() == Some("us-east-1_pool")
                    && req.client_name() == Some("examples")
                    && req.generate_secret() == Some(true)
                    && req.prevent_user_existence_errors()
                        == Some(&PreventUserExistenceErrorTypes::Enabled)
                    && flows
                        == [
                            ExplicitAuthFlowsType::AllowAdminUserPasswordAuth,
                            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
                            ExplicitAuthFlowsType::AllowUserPasswordAuth,
                            ExplicitAuthFlowsType::AllowUserSrpAuth,
                        ]
            })
            .then_output(|| {
                CreateUserPoolClientOutput::builder()
                    .user_pool_client(
                        UserPoolClientType::builder()
                            .client_id("client123")
                            .client_secret("s3cr3t-generated-by-cognito")
                            .build(),
                    )
                    .build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&create]);

        let output = create_user_pool_client(&client, "us-east-1_pool", "examples", true)
            .await
            .expect("created");

        let app_client = output.user_pool_client().expect("client");
        assert_eq!(app_client.client_id(), Some("client123"));
        assert_eq!(
            app_client.client_secret(),
            Some("s3cr3t-generated-by-cognito")
        );
        assert_eq!(create.num_calls(), 1);
    }

    #[tokio::test]
    async fn asks_for_no_secret_unless_told_to() {
        let create = mock!(Client::create_user_pool_client)
            .match_requests(|req| req.generate_secret() == Some(false))
            .then_output(|| CreateUserPoolClientOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&create]);

        create_user_pool_client(&client, "us-east-1_pool", "examples", false)
            .await
            .expect("created");

        assert_eq!(create.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_custom_auth_client_allows_custom_srp_and_refresh_only_without_a_secret() {
        let create = mock!(Client::create_user_pool_client)
            .match_requests(|req| {
                let mut flows = req.explicit_auth_flows().to_vec();
                flows.sort_by(|a, b| a.as_str().cmp(b.as_str()));
                req.user_pool_id() == Some("us-east-1_pool")
                    && req.client_name() == Some("custom")
                    && req.generate_secret() == Some(false)
                    && req.prevent_user_existence_errors()
                        == Some(&PreventUserExistenceErrorTypes::Enabled)
                    && flows
                        == [
                            ExplicitAuthFlowsType::AllowCustomAuth,
                            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
                            ExplicitAuthFlowsType::AllowUserSrpAuth,
                        ]
            })
            .then_output(|| {
                CreateUserPoolClientOutput::builder()
                    .user_pool_client(UserPoolClientType::builder().client_id("client9").build())
                    .build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&create]);

        let output = create_custom_auth_client(&client, "us-east-1_pool", "custom")
            .await
            .expect("created");

        assert_eq!(
            output.user_pool_client().and_then(|c| c.client_id()),
            Some("client9")
        );
        assert_eq!(create.num_calls(), 1);
    }
}
