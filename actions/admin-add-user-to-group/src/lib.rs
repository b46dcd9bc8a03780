//! AdminAddUserToGroup: put a user in one of the pool's groups.
//!
//! This is an administrator call: it is signed with your AWS credentials and
//! needs the `cognito-idp:AdminAddUserToGroup` permission on the pool.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::admin_add_user_to_group::{
    AdminAddUserToGroupError, AdminAddUserToGroupOutput,
};

// snippet-start:[rust.cognito-idp.AdminAddUserToGroup]
/// Adds `username` to `group_name` in the pool.
///
/// What a caller must know: the group shows up in the `cognito:groups` claim
/// of the ID and access tokens issued from now on (the next sign-in or
/// refresh); tokens the user already holds do not change. Adding a user who
/// is already a member succeeds and changes nothing. The group must exist
/// first (CreateGroup).
///
/// Typical failures: `ResourceNotFoundException` (no such group, or no such
/// pool), `UserNotFoundException` (no such user), `InvalidParameterException`.
pub async fn admin_add_user_to_group(
    client: &Client,
    user_pool_id: &str,
    username: &str,
    group_name: &str,
) -> Result<AdminAddUserToGroupOutput, SdkError<AdminAddUserToGroupError>> {
    client
        .admin_add_user_to_group()
        .user_pool_id(user_pool_id)
        .username(username)
        .group_name(group_name)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.AdminAddUserToGroup]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::error::ResourceNotFoundException;
    use aws_smithy_mocks::{mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    #[tokio::test]
    async fn sends_the_pool_the_user_and_the_group() {
        let add = mock!(Client::admin_add_user_to_group)
            .match_requests(|req| {
                req.user_pool_id() == Some("us-east-1_pool")
                    && req.username() == Some("alice")
                    && req.group_name() == Some("editors")
            })
            .then_output(|| AdminAddUserToGroupOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&add]);

        admin_add_user_to_group(&client, "us-east-1_pool", "alice", "editors")
            .await
            .expect("added");

        assert_eq!(add.num_calls(), 1);
    }

    #[tokio::test]
    async fn an_unknown_group_is_not_found() {
        let add = mock!(Client::admin_add_user_to_group).then_error(|| {
            AdminAddUserToGroupError::ResourceNotFoundException(
                ResourceNotFoundException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("ResourceNotFoundException")
                            .message("Group not found.")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&add]);

        let err = admin_add_user_to_group(&client, "us-east-1_pool", "alice", "nobody")
            .await
            .map_err(example_cli::ExampleError::from)
            .unwrap_err();

        assert_eq!(err.code(), Some("ResourceNotFoundException"));
    }
}
