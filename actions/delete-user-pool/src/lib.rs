//! DeleteUserPool: delete a user pool with all its users and app clients.
//!
//! This is an administrator call: it is signed with your AWS credentials and
//! needs the `cognito-idp:DeleteUserPool` permission on the pool.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::delete_user_pool::{
    DeleteUserPoolError, DeleteUserPoolOutput,
};

// snippet-start:[rust.cognito-idp.DeleteUserPool]
/// Deletes the pool, its users and its app clients, for good: there is no
/// undo, and tokens the pool issued stop working with Cognito.
///
/// A pool with deletion protection active is refused with
/// `InvalidParameterException`; deactivate it first (UpdateUserPool with
/// `DeletionProtection` INACTIVE). A pool with a domain must have the domain
/// deleted first (DeleteUserPoolDomain).
pub async fn delete_user_pool(
    client: &Client,
    user_pool_id: &str,
) -> Result<DeleteUserPoolOutput, SdkError<DeleteUserPoolError>> {
    client
        .delete_user_pool()
        .user_pool_id(user_pool_id)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.DeleteUserPool]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_mocks::{mock, mock_client};

    #[tokio::test]
    async fn sends_the_pool_id() {
        let delete = mock!(Client::delete_user_pool)
            .match_requests(|req| req.user_pool_id() == Some("us-east-1_pool"))
            .then_output(|| DeleteUserPoolOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&delete]);

        delete_user_pool(&client, "us-east-1_pool")
            .await
            .expect("deleted");

        assert_eq!(delete.num_calls(), 1);
    }
}
