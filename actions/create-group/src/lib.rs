//! CreateGroup: create a group of users in a user pool.
//!
//! This is an administrator call: it is signed with your AWS credentials and
//! needs the `cognito-idp:CreateGroup` permission on the pool (and
//! `iam:PassRole` on the role, when the group has one).

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::create_group::{
    CreateGroupError, CreateGroupOutput,
};

// snippet-start:[rust.cognito-idp.CreateGroup]
/// The group to create.
#[derive(Debug, Clone, Copy)]
pub struct NewGroup<'a> {
    pub user_pool_id: &'a str,
    /// Up to 128 characters; unique in the pool, and it cannot be renamed.
    pub group_name: &'a str,
    pub description: Option<&'a str>,
    /// Which group's role wins when a user is in several: the lowest
    /// number. Groups without one come last.
    pub precedence: Option<i32>,
    /// An IAM role for the group's members (an identity pool can hand it out).
    pub role_arn: Option<&'a str>,
}

/// Creates `group` in its pool.
///
/// What a caller must know: members of a group find its name in the
/// `cognito:groups` claim of the ID and access tokens issued *after* they
/// join (a new sign-in or a refresh; tokens already issued do not change).
/// With a role, the ID token also lists it in `cognito:roles`, and the role
/// of the member's group with the lowest precedence is `cognito:preferred_role`.
///
/// Typical failures: `GroupExistsException` (the pool already has a group of
/// that name), `ResourceNotFoundException` (no such pool),
/// `InvalidParameterException` (a malformed name or role ARN),
/// `LimitExceededException` (the pool has as many groups as its quota allows).
pub async fn create_group(
    client: &Client,
    group: &NewGroup<'_>,
) -> Result<CreateGroupOutput, SdkError<CreateGroupError>> {
    client
        .create_group()
        .user_pool_id(group.user_pool_id)
        .group_name(group.group_name)
        .set_description(group.description.map(String::from))
        .set_precedence(group.precedence)
        .set_role_arn(group.role_arn.map(String::from))
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.CreateGroup]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::GroupType;
    use aws_sdk_cognitoidentityprovider::types::error::GroupExistsException;
    use aws_smithy_mocks::{mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    #[tokio::test]
    async fn sends_every_setting_of_the_group() {
        let create = mock!(Client::create_group)
            .match_requests(|req| {
                req.user_pool_id() == Some("us-east-1_pool")
                    && req.group_name() == Some("editors")
                    && req.description() == Some("Can edit")
                    && req.precedence() == Some(1)
                    && req.role_arn() == Some("arn:aws:iam::123456789012:role/editors")
            })
            .then_output(|| {
                CreateGroupOutput::builder()
                    .group(
                        GroupType::builder()
                            .group_name("editors")
                            .precedence(1)
                            .build(),
                    )
                    .build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&create]);

        let output = create_group(
            &client,
            &NewGroup {
                user_pool_id: "us-east-1_pool",
                group_name: "editors",
                description: Some("Can edit"),
                precedence: Some(1),
                role_arn: Some("arn:aws:iam::123456789012:role/editors"),
            },
        )
        .await
        .expect("created");

        assert_eq!(output.group().and_then(|g| g.group_name()), Some("editors"));
        assert_eq!(create.num_calls(), 1);
    }

    #[tokio::test]
    async fn leaves_out_what_is_not_given() {
        let create = mock!(Client::create_group)
            .match_requests(|req| {
                req.description().is_none()
                    && req.precedence().is_none()
                    && req.role_arn().is_none()
            })
            .then_output(|| CreateGroupOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&create]);

        create_group(
            &client,
            &NewGroup {
                user_pool_id: "us-east-1_pool",
                group_name: "readers",
                description: None,
                precedence: None,
                role_arn: None,
            },
        )
        .await
        .expect("created");

        assert_eq!(create.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_second_group_of_the_same_name_is_refused() {
        let create = mock!(Client::create_group).then_error(|| {
            CreateGroupError::GroupExistsException(
                GroupExistsException::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("GroupExistsException")
                            .message("A group with the name editors already exists.")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&create]);
        let group = NewGroup {
            user_pool_id: "us-east-1_pool",
            group_name: "editors",
            description: None,
            precedence: None,
            role_arn: None,
        };

        let err = create_group(&client, &group)
            .await
            .map_err(example_cli::ExampleError::from)
            .unwrap_err();

        assert_eq!(err.code(), Some("GroupExistsException"));
    }
}
