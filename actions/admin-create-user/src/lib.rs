//! AdminCreateUser: invite a user to a user pool as an administrator.
//!
//! This is an administrator call: it is signed with your AWS credentials and
//! needs the `cognito-idp:AdminCreateUser` permission on the pool. It works
//! also when the pool lets only administrators create users
//! (`AllowAdminCreateUserOnly`), which is what it is for.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::admin_create_user::{
    AdminCreateUserError, AdminCreateUserOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, DeliveryMediumType, MessageActionType,
};

// snippet-start:[rust.cognito-idp.AdminCreateUser]
/// The user to invite, and how to invite them.
#[derive(Debug, Clone)]
pub struct Invitation<'a> {
    pub user_pool_id: &'a str,
    pub username: &'a str,
    /// `None`: Cognito generates one that meets the pool's password policy.
    pub temporary_password: Option<&'a str>,
    /// Attributes by name, such as `("email", "alice@example.com")`;
    /// custom ones are named `custom:...`.
    pub attributes: &'a [(&'a str, &'a str)],
    /// `None` sends the invitation; `Resend` sends it again, with a new
    /// temporary password, to a user who has not signed in yet; `Suppress`
    /// sends nothing.
    pub message_action: Option<MessageActionType>,
    /// Where the invitation goes. Empty leaves it to Cognito, which then
    /// sends it by SMS.
    pub delivery_mediums: &'a [DeliveryMediumType],
}

/// Creates the user (or, with `Resend`, invites them again). The new user
/// is `FORCE_CHANGE_PASSWORD`: their first sign-in with the temporary
/// password answers the `NEW_PASSWORD_REQUIRED` challenge, where they choose
/// their own password and give any required attribute still missing.
///
/// What a caller must know:
/// - Cognito never returns the temporary password. One it generated reaches
///   the user only in the invitation message; with `Suppress` and no
///   `temporary_password`, nobody knows it (set one with
///   AdminSetUserPassword).
/// - Invitations go by SMS unless you ask for `Email`: for an emailed
///   invitation, ask for it and give an `email` attribute.
/// - The temporary password expires after the pool's
///   `TemporaryPasswordValidityDays` (7 unless set). After that, sign-in
///   fails ("Temporary password has expired and must be reset by an
///   administrator.") until you `Resend`, which restarts the clock.
/// - An email address or phone number given here stays unverified unless you
///   also set `email_verified` / `phone_number_verified` to `"true"`;
///   without a verified one the user cannot reset a forgotten password.
/// - In a pool whose usernames are email addresses (`UsernameAttributes`),
///   `username` is the address, and Cognito stores the user under a
///   generated `sub`.
///
/// Typical failures: `UsernameExistsException`, `InvalidPasswordException`
/// (the temporary password breaks the policy), `InvalidParameterException`
/// (for example, an attribute the pool does not have),
/// `UnsupportedUserStateException` (`Resend` to a user who already set a
/// password).
pub async fn admin_create_user(
    client: &Client,
    invitation: &Invitation<'_>,
) -> Result<AdminCreateUserOutput, SdkError<AdminCreateUserError>> {
    let attributes: Vec<AttributeType> = invitation
        .attributes
        .iter()
        .map(|(name, value)| {
            AttributeType::builder()
                .name(*name)
                .value(*value)
                .build()
                .expect("an attribute with a name is complete")
        })
        .collect();
    let mediums = invitation.delivery_mediums;
    client
        .admin_create_user()
        .user_pool_id(invitation.user_pool_id)
        .username(invitation.username)
        .set_temporary_password(invitation.temporary_password.map(String::from))
        .set_user_attributes((!attributes.is_empty()).then_some(attributes))
        .set_message_action(invitation.message_action.clone())
        .set_desired_delivery_mediums((!mediums.is_empty()).then(|| mediums.to_vec()))
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.AdminCreateUser]

/// Parses `NAME=VALUE` (as in `--attribute email=alice@example.com`). The
/// value may contain `=`; the name may not be empty.
pub fn parse_attribute(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
        _ => Err(format!(
            "expected NAME=VALUE, such as email=alice@example.com, not {text:?}"
        )),
    }
}

/// What happened to the invitation, from what was asked for: Cognito's
/// answer does not say.
pub fn invitation_line(
    message_action: Option<&MessageActionType>,
    mediums: &[DeliveryMediumType],
) -> String {
    let by = if mediums.is_empty() {
        "SMS (Cognito's default when no medium is asked for)".to_string()
    } else {
        let names: Vec<&str> = mediums.iter().map(|medium| medium.as_str()).collect();
        names.join(" and ")
    };
    match message_action {
        Some(MessageActionType::Suppress) => "Invitation: not sent (SUPPRESS)".to_string(),
        Some(MessageActionType::Resend) => format!("Invitation: sent again by {by}"),
        _ => format!("Invitation: sent by {by}"),
    }
}

/// Where the temporary password is, without showing it.
pub fn temporary_password_line(given: bool, message_action: Option<&MessageActionType>) -> String {
    match (given, message_action) {
        (true, _) => "Temporary password: the one you gave (not shown)".to_string(),
        (false, Some(MessageActionType::Suppress)) => {
            "Temporary password: generated by Cognito and sent to nobody; \
             give the user one with admin-set-user-password"
                .to_string()
        }
        (false, _) => "Temporary password: generated by Cognito; only the invitation has it \
                       (offline: curl \"$AWS_ENDPOINT_URL/_emulator/outbox\")"
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::{UserStatusType, UserType};
    use aws_smithy_mocks::{mock, mock_client};

    fn value_of<'a>(attributes: &'a [AttributeType], name: &str) -> Option<&'a str> {
        attributes
            .iter()
            .find(|attribute| attribute.name() == name)
            .and_then(|attribute| attribute.value())
    }

    fn created(username: &str) -> AdminCreateUserOutput {
        AdminCreateUserOutput::builder()
            .user(
                UserType::builder()
                    .username(username)
                    .enabled(true)
                    .user_status(UserStatusType::ForceChangePassword)
                    .build(),
            )
            .build()
    }

    #[tokio::test]
    async fn sends_every_input() {
        let create = mock!(Client::admin_create_user)
            .match_requests(|req| {
                req.user_pool_id() == Some("us-east-1_pool")
                    && req.username() == Some("alice")
                    && req.temporary_password() == Some("Temp-Passw0rd!")
                    && value_of(req.user_attributes(), "email") == Some("alice@example.com")
                    && value_of(req.user_attributes(), "email_verified") == Some("true")
                    && req.message_action().is_none()
                    && req.desired_delivery_mediums() == [DeliveryMediumType::Email]
            })
            .then_output(|| created("alice"));
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&create]);

        let output = admin_create_user(
            &client,
            &Invitation {
                user_pool_id: "us-east-1_pool",
                username: "alice",
                temporary_password: Some("Temp-Passw0rd!"),
                attributes: &[("email", "alice@example.com"), ("email_verified", "true")],
                message_action: None,
                delivery_mediums: &[DeliveryMediumType::Email],
            },
        )
        .await
        .expect("created");

        let user = output.user().expect("the user");
        assert_eq!(
            user.user_status(),
            Some(&UserStatusType::ForceChangePassword)
        );
        assert_eq!(create.num_calls(), 1);
    }

    #[tokio::test]
    async fn leaves_out_what_was_not_given_so_cognito_decides() {
        let create = mock!(Client::admin_create_user)
            .match_requests(|req| {
                req.temporary_password().is_none()
                    && req.user_attributes.is_none()
                    && req.desired_delivery_mediums.is_none()
                    && req.message_action() == Some(&MessageActionType::Resend)
            })
            .then_output(|| created("bob"));
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&create]);

        admin_create_user(
            &client,
            &Invitation {
                user_pool_id: "us-east-1_pool",
                username: "bob",
                temporary_password: None,
                attributes: &[],
                message_action: Some(MessageActionType::Resend),
                delivery_mediums: &[],
            },
        )
        .await
        .expect("invited again");

        assert_eq!(create.num_calls(), 1);
    }

    #[test]
    fn attributes_parse_as_name_equals_value() {
        assert_eq!(
            parse_attribute("email=alice@example.com"),
            Ok(("email".to_string(), "alice@example.com".to_string()))
        );
        assert_eq!(
            parse_attribute("custom:note=a=b"),
            Ok(("custom:note".to_string(), "a=b".to_string()))
        );
        assert_eq!(
            parse_attribute("nickname="),
            Ok(("nickname".to_string(), String::new()))
        );
        assert!(parse_attribute("email").is_err());
        assert!(parse_attribute("=value").is_err());
    }

    #[test]
    fn the_invitation_line_follows_the_action_and_the_mediums() {
        assert_eq!(
            invitation_line(None, &[DeliveryMediumType::Email]),
            "Invitation: sent by EMAIL"
        );
        assert_eq!(
            invitation_line(
                Some(&MessageActionType::Resend),
                &[DeliveryMediumType::Email, DeliveryMediumType::Sms]
            ),
            "Invitation: sent again by EMAIL and SMS"
        );
        assert_eq!(
            invitation_line(None, &[]),
            "Invitation: sent by SMS (Cognito's default when no medium is asked for)"
        );
        assert_eq!(
            invitation_line(
                Some(&MessageActionType::Suppress),
                &[DeliveryMediumType::Email]
            ),
            "Invitation: not sent (SUPPRESS)"
        );
    }

    #[test]
    fn the_temporary_password_line_never_holds_the_password_and_says_where_it_is() {
        assert_eq!(
            temporary_password_line(true, None),
            "Temporary password: the one you gave (not shown)"
        );
        assert!(temporary_password_line(false, None).contains("/_emulator/outbox"));
        assert!(
            temporary_password_line(false, Some(&MessageActionType::Suppress))
                .contains("admin-set-user-password")
        );
    }
}
