//! The account-lifecycle calls the scenario makes itself: inviting a user,
//! resetting a forgotten password, disabling and enabling a user. Each is
//! the plain SDK call; the single-action examples `admin-create-user`,
//! `forgot-password`, `confirm-forgot-password`, `admin-disable-user` and
//! `admin-enable-user` show them with every option and a command line.
//!
//! The administrator calls (`Admin...`) are signed with AWS credentials and
//! need the permission of the same name (`cognito-idp:AdminCreateUser`, ...);
//! ForgotPassword and ConfirmForgotPassword are public calls, like SignUp.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::admin_create_user::{
    AdminCreateUserError, AdminCreateUserOutput,
};
use aws_sdk_cognitoidentityprovider::operation::admin_disable_user::{
    AdminDisableUserError, AdminDisableUserOutput,
};
use aws_sdk_cognitoidentityprovider::operation::admin_enable_user::{
    AdminEnableUserError, AdminEnableUserOutput,
};
use aws_sdk_cognitoidentityprovider::operation::confirm_forgot_password::{
    ConfirmForgotPasswordError, ConfirmForgotPasswordOutput,
};
use aws_sdk_cognitoidentityprovider::operation::forgot_password::{
    ForgotPasswordError, ForgotPasswordOutput,
};
use aws_sdk_cognitoidentityprovider::types::{AttributeType, DeliveryMediumType};

// snippet-start:[rust.cognito-idp.Scenario_ManageUsers.Account]
/// Invites `username` (AdminCreateUser): Cognito makes up a temporary
/// password and emails it to `email` with the invitation. The user is
/// `FORCE_CHANGE_PASSWORD` until they sign in with it and choose their own
/// password (the `NEW_PASSWORD_REQUIRED` challenge); a temporary password
/// expires after the pool's `TemporaryPasswordValidityDays` (7 by default).
///
/// The address is marked verified (`email_verified`): the administrator
/// vouches for it, so codes such as ForgotPassword's can go there.
pub async fn invite_user(
    client: &Client,
    user_pool_id: &str,
    username: &str,
    email: &str,
) -> Result<AdminCreateUserOutput, SdkError<AdminCreateUserError>> {
    let attribute = |name: &str, value: &str| {
        AttributeType::builder()
            .name(name)
            .value(value)
            .build()
            .expect("the name is set")
    };
    client
        .admin_create_user()
        .user_pool_id(user_pool_id)
        .username(username)
        .user_attributes(attribute("email", email))
        .user_attributes(attribute("email_verified", "true"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
}

/// Starts a password reset (ForgotPassword): Cognito sends a code to the
/// user's verified email address and says where, masked.
pub async fn forgot_password(
    client: &Client,
    client_id: &str,
    username: &str,
) -> Result<ForgotPasswordOutput, SdkError<ForgotPasswordError>> {
    client
        .forgot_password()
        .client_id(client_id)
        .username(username)
        .send()
        .await
}

/// What ConfirmForgotPassword needs.
#[derive(Debug, Clone, Copy)]
pub struct PasswordReset<'a> {
    pub client_id: &'a str,
    pub username: &'a str,
    /// The code ForgotPassword sent.
    pub code: &'a str,
    /// Must meet the pool's password policy.
    pub new_password: &'a str,
}

/// Sets a new password with the code ForgotPassword sent
/// (ConfirmForgotPassword). A wrong code fails with `CodeMismatchException`,
/// an old one with `ExpiredCodeException`, a weak password with
/// `InvalidPasswordException`.
pub async fn confirm_forgot_password(
    client: &Client,
    reset: &PasswordReset<'_>,
) -> Result<ConfirmForgotPasswordOutput, SdkError<ConfirmForgotPasswordError>> {
    client
        .confirm_forgot_password()
        .client_id(reset.client_id)
        .username(reset.username)
        .confirmation_code(reset.code)
        .password(reset.new_password)
        .send()
        .await
}

/// Disables a user (AdminDisableUser): they cannot sign in or refresh
/// their tokens (`NotAuthorizedException: User is disabled.`) until enabled
/// again, and the tokens they hold stop working with Cognito.
pub async fn disable_user(
    client: &Client,
    user_pool_id: &str,
    username: &str,
) -> Result<AdminDisableUserOutput, SdkError<AdminDisableUserError>> {
    client
        .admin_disable_user()
        .user_pool_id(user_pool_id)
        .username(username)
        .send()
        .await
}

/// Enables a disabled user again (AdminEnableUser): they can sign in.
pub async fn enable_user(
    client: &Client,
    user_pool_id: &str,
    username: &str,
) -> Result<AdminEnableUserOutput, SdkError<AdminEnableUserError>> {
    client
        .admin_enable_user()
        .user_pool_id(user_pool_id)
        .username(username)
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.Scenario_ManageUsers.Account]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_mocks::{mock, mock_client};

    #[tokio::test]
    async fn the_invitation_goes_by_email_to_a_verified_address() {
        let create = mock!(Client::admin_create_user)
            .match_requests(|req| {
                let attributes: Vec<_> = req
                    .user_attributes()
                    .iter()
                    .map(|a| (a.name(), a.value().unwrap_or("")))
                    .collect();
                req.user_pool_id() == Some("us-east-1_pool")
                    && req.username() == Some("alice")
                    && req.temporary_password().is_none()
                    && req.message_action().is_none()
                    && req.desired_delivery_mediums() == [DeliveryMediumType::Email]
                    && attributes == [("email", "alice@example.com"), ("email_verified", "true")]
            })
            .then_output(|| AdminCreateUserOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&create]);

        invite_user(&client, "us-east-1_pool", "alice", "alice@example.com")
            .await
            .expect("invited");

        assert_eq!(create.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_password_reset_sends_the_code_and_the_new_password() {
        let forgot = mock!(Client::forgot_password)
            .match_requests(|req| {
                req.client_id() == Some("client123") && req.username() == Some("alice")
            })
            .then_output(|| ForgotPasswordOutput::builder().build());
        let confirm = mock!(Client::confirm_forgot_password)
            .match_requests(|req| {
                req.client_id() == Some("client123")
                    && req.username() == Some("alice")
                    && req.confirmation_code() == Some("123456")
                    && req.password() == Some("New-Horse-8")
            })
            .then_output(|| ConfirmForgotPasswordOutput::builder().build());
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            aws_smithy_mocks::RuleMode::MatchAny,
            [&forgot, &confirm]
        );

        forgot_password(&client, "client123", "alice")
            .await
            .expect("code sent");
        confirm_forgot_password(
            &client,
            &PasswordReset {
                client_id: "client123",
                username: "alice",
                code: "123456",
                new_password: "New-Horse-8",
            },
        )
        .await
        .expect("reset");

        assert_eq!((forgot.num_calls(), confirm.num_calls()), (1, 1));
    }

    #[tokio::test]
    async fn disable_and_enable_name_the_pool_and_the_user() {
        let disable = mock!(Client::admin_disable_user)
            .match_requests(|req| {
                req.user_pool_id() == Some("us-east-1_pool") && req.username() == Some("alice")
            })
            .then_output(|| AdminDisableUserOutput::builder().build());
        let enable = mock!(Client::admin_enable_user)
            .match_requests(|req| {
                req.user_pool_id() == Some("us-east-1_pool") && req.username() == Some("alice")
            })
            .then_output(|| AdminEnableUserOutput::builder().build());
        let client = mock_client!(
            aws_sdk_cognitoidentityprovider,
            aws_smithy_mocks::RuleMode::MatchAny,
            [&disable, &enable]
        );

        disable_user(&client, "us-east-1_pool", "alice")
            .await
            .expect("disabled");
        enable_user(&client, "us-east-1_pool", "alice")
            .await
            .expect("enabled");

        assert_eq!((disable.num_calls(), enable.num_calls()), (1, 1));
    }
}
