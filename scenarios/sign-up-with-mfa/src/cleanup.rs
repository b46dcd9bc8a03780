//! What the scenario removes when it ends, fails or is interrupted: exactly
//! what it created, and nothing that was there before it started.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::admin_delete_user::{
    AdminDeleteUserError, AdminDeleteUserOutput,
};

/// What the scenario has created so far. Each field is set only once the
/// call that created it has succeeded, so a user who already existed (the
/// sign-up failed with `UsernameExistsException`) is never deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Created {
    /// The user pool, when the scenario created it (not when it was given
    /// with `--user-pool-id`). Its app client lives and dies with it.
    pub user_pool_id: Option<String>,
    /// The user the scenario signed up, and the pool it is in.
    pub user: Option<CreatedUser>,
}

/// A user the scenario signed up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedUser {
    pub user_pool_id: String,
    pub username: String,
}

/// One removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    /// DeleteUserPool: the pool goes with its users, app clients and devices.
    UserPool { user_pool_id: String },
    /// AdminDeleteUser: the user goes with their devices and MFA settings;
    /// the pool, which the scenario did not create, stays.
    User {
        user_pool_id: String,
        username: String,
    },
}

/// The removals that undo `created`, in order. A pool the scenario created
/// takes its user with it, so deleting the pool is enough.
pub fn plan(created: &Created) -> Vec<Removal> {
    if let Some(user_pool_id) = &created.user_pool_id {
        return vec![Removal::UserPool {
            user_pool_id: user_pool_id.clone(),
        }];
    }
    created
        .user
        .iter()
        .map(|user| Removal::User {
            user_pool_id: user.user_pool_id.clone(),
            username: user.username.clone(),
        })
        .collect()
}

impl Removal {
    /// What the removal does, for the question before it and the line after it.
    pub fn describe(&self) -> String {
        match self {
            Removal::UserPool { user_pool_id } => {
                format!("user pool {user_pool_id} (with its users and app client)")
            }
            Removal::User {
                user_pool_id,
                username,
            } => format!("user {username} from user pool {user_pool_id}"),
        }
    }
}

// snippet-start:[rust.cognito-idp.AdminDeleteUser]
/// Deletes a user from a pool as an administrator, with their devices and
/// MFA settings; tokens already issued to them stop working with Cognito.
///
/// This is an administrator call: it is signed with your AWS credentials and
/// needs the `cognito-idp:AdminDeleteUser` permission on the pool. Fails
/// with `UserNotFoundException` when there is no such user.
pub async fn admin_delete_user(
    client: &Client,
    user_pool_id: &str,
    username: &str,
) -> Result<AdminDeleteUserOutput, SdkError<AdminDeleteUserError>> {
    client
        .admin_delete_user()
        .user_pool_id(user_pool_id)
        .username(username)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.AdminDeleteUser]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_mocks::{mock, mock_client};

    fn user(pool: &str, name: &str) -> Option<CreatedUser> {
        Some(CreatedUser {
            user_pool_id: pool.into(),
            username: name.into(),
        })
    }

    #[test]
    fn nothing_created_means_nothing_removed() {
        assert_eq!(plan(&Created::default()), vec![]);
    }

    #[test]
    fn a_created_pool_is_deleted_with_its_user() {
        let created = Created {
            user_pool_id: Some("us-east-1_made".into()),
            user: user("us-east-1_made", "alice"),
        };
        assert_eq!(
            plan(&created),
            vec![Removal::UserPool {
                user_pool_id: "us-east-1_made".into()
            }]
        );
    }

    #[test]
    fn a_created_pool_without_a_user_yet_is_deleted() {
        let created = Created {
            user_pool_id: Some("us-east-1_made".into()),
            user: None,
        };
        assert_eq!(
            plan(&created),
            vec![Removal::UserPool {
                user_pool_id: "us-east-1_made".into()
            }]
        );
    }

    #[test]
    fn in_a_given_pool_only_the_user_is_deleted() {
        let created = Created {
            user_pool_id: None,
            user: user("us-east-1_given", "alice"),
        };
        let removals = plan(&created);
        assert_eq!(
            removals,
            vec![Removal::User {
                user_pool_id: "us-east-1_given".into(),
                username: "alice".into()
            }]
        );
        assert_eq!(
            removals[0].describe(),
            "user alice from user pool us-east-1_given"
        );
    }

    #[tokio::test]
    async fn admin_delete_user_names_the_pool_and_the_user() {
        let delete = mock!(Client::admin_delete_user)
            .match_requests(|req| {
                req.user_pool_id() == Some("us-east-1_given") && req.username() == Some("alice")
            })
            .then_output(|| AdminDeleteUserOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&delete]);

        admin_delete_user(&client, "us-east-1_given", "alice")
            .await
            .expect("deleted");

        assert_eq!(delete.num_calls(), 1);
    }
}
