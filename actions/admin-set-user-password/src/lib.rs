//! AdminSetUserPassword: set a user's password as an administrator,
//! permanent or temporary.
//!
//! This is an administrator call: it is signed with your AWS credentials and
//! needs the `cognito-idp:AdminSetUserPassword` permission on the pool.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::admin_set_user_password::{
    AdminSetUserPasswordError, AdminSetUserPasswordOutput,
};

// snippet-start:[rust.cognito-idp.AdminSetUserPassword]
/// Sets `password` as the password of `username`, which must meet the
/// pool's password policy.
///
/// - `permanent`: the user's status becomes `CONFIRMED` and they sign in
///   with it at once.
/// - Temporary (`permanent: false`): the status becomes
///   `FORCE_CHANGE_PASSWORD`; the next sign-in answers the
///   `NEW_PASSWORD_REQUIRED` challenge, where the user chooses their own. It
///   expires after the pool's `TemporaryPasswordValidityDays`; then set
///   another.
///
/// Cognito sends the user no message either way: telling them the password
/// is up to you.
///
/// Typical failures: `InvalidPasswordException` (the password breaks the
/// policy; the message names the rule), `PasswordHistoryPolicyViolationException`
/// (the pool forbids reusing the user's recent passwords),
/// `UserNotFoundException`.
pub async fn admin_set_user_password(
    client: &Client,
    user_pool_id: &str,
    username: &str,
    password: &str,
    permanent: bool,
) -> Result<AdminSetUserPasswordOutput, SdkError<AdminSetUserPasswordError>> {
    client
        .admin_set_user_password()
        .user_pool_id(user_pool_id)
        .username(username)
        .password(password)
        .permanent(permanent)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.AdminSetUserPassword]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::error::InvalidPasswordException;
    use aws_smithy_mocks::{mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    #[tokio::test]
    async fn sends_pool_user_password_and_permanence() {
        for permanent in [true, false] {
            let set = mock!(Client::admin_set_user_password)
                .match_requests(move |req| {
                    req.user_pool_id() == Some("us-east-1_pool")
                        && req.username() == Some("alice")
                        && req.password() == Some("Passw0rd!")
                        // Sent either way, never left to a default.
                        && req.permanent() == Some(permanent)
                })
                .then_output(|| AdminSetUserPasswordOutput::builder().build());
            let client = mock_client!(aws_sdk_cognitoidentityprovider, [&set]);

            admin_set_user_password(&client, "us-east-1_pool", "alice", "Passw0rd!", permanent)
                .await
                .expect("set");

            assert_eq!(set.num_calls(), 1, "permanent: {permanent}");
        }
    }

    #[tokio::test]
    async fn a_weak_password_comes_back_as_its_typed_error() {
        let weak = mock!(Client::admin_set_user_password).then_error(|| {
            AdminSetUserPasswordError::InvalidPasswordException(
                InvalidPasswordException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("InvalidPasswordException")
                            .message(
                                "Password does not conform to policy: \
                                 Password must have uppercase characters",
                            )
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&weak]);

        let err = admin_set_user_password(&client, "us-east-1_pool", "alice", "weak", true)
            .await
            .unwrap_err();

        assert!(
            err.as_service_error()
                .is_some_and(|e| e.is_invalid_password_exception()),
            "{err:?}"
        );
    }
}
