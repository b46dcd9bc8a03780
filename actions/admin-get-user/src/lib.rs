//! AdminGetUser: read a user's status and attributes as an administrator.
//!
//! This is an administrator call: it is signed with your AWS credentials and
//! needs the `cognito-idp:AdminGetUser` permission on the pool.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::admin_get_user::{
    AdminGetUserError, AdminGetUserOutput,
};

// snippet-start:[rust.cognito-idp.AdminGetUser]
/// Gets a user of the pool by username (or by an alias such as the email
/// address, if the pool allows signing in with one).
///
/// Fails with `UserNotFoundException` when the pool has no such user.
pub async fn admin_get_user(
    client: &Client,
    user_pool_id: &str,
    username: &str,
) -> Result<AdminGetUserOutput, SdkError<AdminGetUserError>> {
    client
        .admin_get_user()
        .user_pool_id(user_pool_id)
        .username(username)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.AdminGetUser]

/// The value of one attribute, looked up by name. Cognito does not promise
/// any order for `UserAttributes`, so never pick one by its position.
pub fn attribute<'a>(user: &'a AdminGetUserOutput, name: &str) -> Option<&'a str> {
    user.user_attributes()
        .iter()
        .find(|attribute| attribute.name() == name)
        .and_then(|attribute| attribute.value())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::{AttributeType, UserStatusType};
    use aws_smithy_mocks::{mock, mock_client};

    fn attr(name: &str, value: &str) -> AttributeType {
        AttributeType::builder()
            .name(name)
            .value(value)
            .build()
            .expect("name is set")
    }

    #[tokio::test]
    async fn sends_pool_and_username_and_returns_the_user() {
        let get_user = mock!(Client::admin_get_user)
            .match_requests(|req| {
                req.user_pool_id() == Some("us-east-1_pool") && req.username() == Some("alice")
            })
            .then_output(|| {
                AdminGetUserOutput::builder()
                    .username("alice")
                    .enabled(true)
                    .user_status(UserStatusType::Confirmed)
                    .user_attributes(attr("sub", "0000-1111"))
                    .user_attributes(attr("email", "alice@example.com"))
                    .build()
                    .expect("username is set")
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&get_user]);

        let user = admin_get_user(&client, "us-east-1_pool", "alice")
            .await
            .expect("user");

        assert_eq!(user.user_status(), Some(&UserStatusType::Confirmed));
        assert_eq!(attribute(&user, "email"), Some("alice@example.com"));
        assert_eq!(attribute(&user, "phone_number"), None);
        assert_eq!(get_user.num_calls(), 1);
    }
}
