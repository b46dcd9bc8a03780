//! AdminInitiateAuth: start signing a user in, as an administrator, with
//! their username and password (`ADMIN_USER_PASSWORD_AUTH`).
//!
//! This is an administrator call: it is signed with your AWS credentials and
//! needs the `cognito-idp:AdminInitiateAuth` permission on the pool. The app
//! client must allow the `ALLOW_ADMIN_USER_PASSWORD_AUTH` flow.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::admin_initiate_auth::{
    AdminInitiateAuthError, AdminInitiateAuthOutput,
};
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;

// snippet-start:[rust.cognito-idp.AdminInitiateAuth]
/// Who signs in, with which app client of which pool.
#[derive(Debug, Clone, Copy)]
pub struct AdminSignIn<'a> {
    pub user_pool_id: &'a str,
    pub client_id: &'a str,
    /// The app client's secret, if it has one.
    pub client_secret: Option<&'a str>,
    pub username: &'a str,
    pub password: &'a str,
}

/// Starts a sign-in with the user's username and password.
///
/// Cognito answers in one of two ways, and a caller must handle both:
/// - a challenge (`challenge_name`) with a `session`: the user is not signed in
///   yet. `MFA_SETUP` asks to add an authenticator app
///   (AssociateSoftwareToken), `SOFTWARE_TOKEN_MFA` asks for a code from it
///   (AdminRespondToAuthChallenge), `NEW_PASSWORD_REQUIRED` asks for a new
///   password. The session is single-use and expires after three minutes.
/// - an `authentication_result` with the tokens (and, when the pool tracks
///   devices, `new_device_metadata` for this sign-in's device).
///
/// When the app client has a secret, pass it as `client_secret`: Cognito then
/// requires `SECRET_HASH` = Base64(HMAC-SHA256(key = client secret,
/// message = username + client id)).
pub async fn admin_initiate_auth(
    client: &Client,
    sign_in: &AdminSignIn<'_>,
) -> Result<AdminInitiateAuthOutput, SdkError<AdminInitiateAuthError>> {
    let mut request = client
        .admin_initiate_auth()
        .user_pool_id(sign_in.user_pool_id)
        .client_id(sign_in.client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", sign_in.username)
        .auth_parameters("PASSWORD", sign_in.password);
    if let Some(secret) = sign_in.client_secret {
        request = request.auth_parameters(
            "SECRET_HASH",
            example_cli::secret_hash(sign_in.username, sign_in.client_id, secret),
        );
    }
    request.send().await
}
// snippet-end:[rust.cognito-idp.AdminInitiateAuth]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::{
        AuthenticationResultType, ChallengeNameType, NewDeviceMetadataType,
    };
    use aws_smithy_mocks::{mock, mock_client};

    fn param<'a>(
        params: Option<&'a std::collections::HashMap<String, String>>,
        name: &str,
    ) -> Option<&'a str> {
        params
            .and_then(|params| params.get(name))
            .map(String::as_str)
    }

    #[tokio::test]
    async fn sends_the_password_flow_and_returns_the_challenge() {
        let initiate = mock!(Client::admin_initiate_auth)
            .match_requests(|req| {
                let params = req.auth_parameters();
                req.user_pool_id() == Some("us-east-1_pool")
                    && req.client_id() == Some("client123")
                    && req.auth_flow() == Some(&AuthFlowType::AdminUserPasswordAuth)
                    && param(params, "USERNAME") == Some("alice")
                    && param(params, "PASSWORD") == Some("Passw0rd!")
                    && param(params, "SECRET_HASH").is_none()
            })
            .then_output(|| {
                AdminInitiateAuthOutput::builder()
                    .challenge_name(ChallengeNameType::MfaSetup)
                    .session("session-1")
                    .build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&initiate]);

        let output = admin_initiate_auth(
            &client,
            &AdminSignIn {
                user_pool_id: "us-east-1_pool",
                client_id: "client123",
                username: "alice",
                password: "Passw0rd!",
                client_secret: None,
            },
        )
        .await
        .expect("challenge");

        assert_eq!(output.challenge_name(), Some(&ChallengeNameType::MfaSetup));
        assert_eq!(output.session(), Some("session-1"));
        assert_eq!(initiate.num_calls(), 1);
    }

    #[tokio::test]
    async fn adds_the_secret_hash_when_the_client_has_a_secret() {
        let expected = example_cli::secret_hash("alice", "client123", "topsecret");
        let initiate = mock!(Client::admin_initiate_auth)
            .match_requests(move |req| {
                param(req.auth_parameters(), "SECRET_HASH") == Some(expected.as_str())
            })
            .then_output(|| {
                AdminInitiateAuthOutput::builder()
                    .authentication_result(
                        AuthenticationResultType::builder()
                            .access_token("access")
                            .new_device_metadata(
                                NewDeviceMetadataType::builder()
                                    .device_key("us-east-1_device")
                                    .device_group_key("-group")
                                    .build(),
                            )
                            .build(),
                    )
                    .build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&initiate]);

        let output = admin_initiate_auth(
            &client,
            &AdminSignIn {
                user_pool_id: "us-east-1_pool",
                client_id: "client123",
                username: "alice",
                password: "Passw0rd!",
                client_secret: Some("topsecret"),
            },
        )
        .await
        .expect("tokens");

        let result = output.authentication_result().expect("tokens");
        assert_eq!(result.access_token(), Some("access"));
        assert_eq!(
            result.new_device_metadata().and_then(|d| d.device_key()),
            Some("us-east-1_device")
        );
        assert_eq!(initiate.num_calls(), 1);
    }
}
