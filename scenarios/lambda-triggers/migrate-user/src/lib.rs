//! A Cognito **UserMigration** trigger: it moves a user from a legacy user
//! directory into the pool the first time they sign in, or when they ask to
//! reset a forgotten password, so nobody has to sign up again.
//!
//! Cognito calls it only for a user name the pool does not have yet:
//!
//! - `UserMigration_Authentication`: a sign-in with `USER_PASSWORD_AUTH`
//!   (SRP cannot work: Cognito never sees the password), with the password
//!   in `request.password`. When the directory knows the user and the
//!   password, the function answers the user's attributes, `finalUserStatus`
//!   `CONFIRMED` (`RESET_REQUIRED` for a weak password, see below) and
//!   `messageAction` `SUPPRESS` (no welcome message); Cognito creates the
//!   user with that password and signs them in.
//! - `UserMigration_ForgotPassword`: ForgotPassword for an unknown name.
//!   When the directory knows the user, the function answers their
//!   attributes, including `email_verified` `true` so that Cognito may send
//!   the reset code to the email; the user is created in `RESET_REQUIRED`
//!   and sets a password with the code.
//!
//! For a user the directory does not know (or a wrong password) the event
//! goes back unchanged, without attributes, and Cognito answers as it does
//! for any unknown user (`UserNotFoundException`).
//!
//! **Weak legacy passwords.** Cognito does not apply the pool's password
//! policy to a migrated password: it takes whatever the function accepts
//! (the developer guide, "Migrate user Lambda trigger", `finalUserStatus`).
//! So the function checks the password itself against Cognito's default
//! policy (8 characters or more, with a lowercase and an uppercase letter, a
//! digit and a symbol): a password that breaks it migrates the user as
//! `RESET_REQUIRED`, and the user must choose a new password (ForgotPassword,
//! then ConfirmForgotPassword) before they can sign in. A pool with another
//! policy needs the same rules here. The JavaScript example's `Test123`
//! would break the default policy; the one legacy user here has `Test123!`,
//! which meets it, so they sign in at once.
//!
//! The directory is a single user kept in the code, as in the JavaScript
//! example; a real function asks the old user store (a database, an LDAP
//! server, the old system's API) to check the name and password. The
//! cross-service example `migrate-legacy-users` keeps its directory in a
//! DynamoDB table.
//!
//! The app client must allow `ALLOW_USER_PASSWORD_AUTH`. The function needs
//! no AWS permissions beyond writing its logs. Build the zip that Lambda
//! runs with [cargo-lambda](https://www.cargo-lambda.info/)
//! (`pip install cargo-lambda`):
//!
//! ```sh
//! cargo lambda build --release --output-format zip -p migrate-user
//! # target/lambda/migrate-user/bootstrap.zip, runtime provided.al2023
//! ```

use std::collections::HashMap;

use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsMigrateUser, CognitoEventUserPoolsMigrateUserTriggerSource,
};

/// The event Cognito sends for a user name it does not know, and the answer.
pub type MigrateUserEvent = CognitoEventUserPoolsMigrateUser;

/// One user of the legacy directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyUser {
    pub username: &'static str,
    pub password: &'static str,
    pub email: &'static str,
}

/// The legacy directory: one user, kept in the code to keep the example
/// short. A real function looks users up in the old user store instead.
pub const LEGACY_USERS: &[LegacyUser] = &[LegacyUser {
    username: "belladonna",
    password: "Test123!",
    email: "bella@example.com",
}];

/// The symbols Cognito's password policy counts (the developer guide,
/// "Password requirements"), the space included.
pub const PASSWORD_SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/// Whether `password` meets Cognito's default password policy: at least 8
/// characters, with a lowercase letter, an uppercase letter, a digit and a
/// symbol.
pub fn meets_default_password_policy(password: &str) -> bool {
    password.chars().count() >= 8
        && password.chars().any(|c| c.is_ascii_lowercase())
        && password.chars().any(|c| c.is_ascii_uppercase())
        && password.chars().any(|c| c.is_ascii_digit())
        && password.chars().any(|c| PASSWORD_SYMBOLS.contains(c))
}

// snippet-start:[rust.cognito-idp.lambda-triggers.MigrateUser]
/// Answers with the legacy user's attributes when [`LEGACY_USERS`] knows the
/// user (and, on sign-in, their password); otherwise returns the event
/// unchanged, which Cognito takes as "no such user".
pub fn migrate_user(event: MigrateUserEvent) -> MigrateUserEvent {
    migrate_user_from(LEGACY_USERS, event)
}

/// [`migrate_user`] with the users of `directory`.
pub fn migrate_user_from(
    directory: &[LegacyUser],
    mut event: MigrateUserEvent,
) -> MigrateUserEvent {
    let username = event
        .cognito_event_user_pools_header
        .user_name
        .as_deref()
        .unwrap_or_default();
    let Some(user) = directory.iter().find(|user| user.username == username) else {
        return event;
    };
    let attributes: HashMap<String, String> = [
        ("email".to_string(), user.email.to_string()),
        // Verified, so Cognito may send codes (a password reset) to it.
        ("email_verified".to_string(), "true".to_string()),
    ]
    .into();

    let source = event.cognito_event_user_pools_header.trigger_source.clone();
    let request = &event.cognito_event_user_pools_migrate_user_request;
    let response = &mut event.cognito_event_user_pools_migrate_user_response;
    match source {
        Some(CognitoEventUserPoolsMigrateUserTriggerSource::Authentication) => {
            if request.password.as_deref() != Some(user.password) {
                return event;
            }
            response.user_attributes = attributes;
            // Cognito keeps the password as it is: a weak one must be replaced.
            let status = if meets_default_password_policy(user.password) {
                "CONFIRMED"
            } else {
                "RESET_REQUIRED"
            };
            response.final_user_status = Some(status.to_string());
            response.message_action = Some("SUPPRESS".to_string());
        }
        Some(CognitoEventUserPoolsMigrateUserTriggerSource::ForgotPassword) => {
            response.user_attributes = attributes;
            response.message_action = Some("SUPPRESS".to_string());
        }
        _ => {}
    }
    event
}
// snippet-end:[rust.cognito-idp.lambda-triggers.MigrateUser]

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A UserMigration event as Cognito sends it (the developer guide's
    /// sample), for `username` (and `password` on sign-in).
    fn event(trigger_source: &str, username: &str, password: Option<&str>) -> MigrateUserEvent {
        let mut sample: Value = serde_json::from_str(
            r#"{
                "version": "1",
                "triggerSource": "UserMigration_Authentication",
                "region": "us-east-1",
                "userPoolId": "us-east-1_EXAMPLE",
                "userName": "testuser",
                "callerContext": {
                    "awsSdkVersion": "aws-sdk-unknown-unknown",
                    "clientId": "1example23456789"
                },
                "request": {
                    "password": null,
                    "validationData": null,
                    "clientMetadata": null
                },
                "response": {
                    "userAttributes": null,
                    "forceAliasCreation": null,
                    "enableSMSMFA": null,
                    "finalUserStatus": null,
                    "messageAction": null,
                    "desiredDeliveryMediums": null
                }
            }"#,
        )
        .expect("sample JSON");
        sample["triggerSource"] = json!(trigger_source);
        sample["userName"] = json!(username);
        sample["request"]["password"] = json!(password);
        serde_json::from_value(sample).expect("a UserMigration event")
    }

    fn response(event: MigrateUserEvent) -> Value {
        serde_json::to_value(migrate_user(event)).expect("serialisable")["response"].clone()
    }

    #[test]
    fn a_known_user_with_the_right_password_is_migrated_confirmed() {
        let answered = response(event(
            "UserMigration_Authentication",
            "belladonna",
            Some("Test123!"),
        ));
        assert_eq!(
            answered["userAttributes"],
            json!({"email": "bella@example.com", "email_verified": "true"})
        );
        assert_eq!(answered["finalUserStatus"], "CONFIRMED");
        assert_eq!(answered["messageAction"], "SUPPRESS");
    }

    #[test]
    fn a_known_user_who_forgot_the_password_is_migrated_with_a_verified_email() {
        let answered = response(event("UserMigration_ForgotPassword", "belladonna", None));
        assert_eq!(
            answered["userAttributes"],
            json!({"email": "bella@example.com", "email_verified": "true"})
        );
        assert_eq!(answered["messageAction"], "SUPPRESS");
        // Cognito decides the status: the user must set a password with the code.
        assert_eq!(answered["finalUserStatus"], Value::Null);
    }

    #[test]
    fn an_unknown_user_or_a_wrong_password_comes_back_unchanged() {
        for sent in [
            event(
                "UserMigration_Authentication",
                "belladonna",
                Some("Test123"),
            ),
            event("UserMigration_Authentication", "belladonna", None),
            event(
                "UserMigration_Authentication",
                "Belladonna",
                Some("Test123!"),
            ),
            event("UserMigration_Authentication", "nobody", Some("Test123!")),
            event("UserMigration_ForgotPassword", "nobody", None),
        ] {
            let answered = migrate_user(sent.clone());
            assert_eq!(answered, sent);
            let json = serde_json::to_value(&answered).expect("serialisable");
            assert_eq!(json["response"]["userAttributes"], json!({}));
            assert_eq!(json["response"]["finalUserStatus"], Value::Null);
        }
    }

    #[test]
    fn a_weak_legacy_password_migrates_the_user_as_reset_required() {
        let weak = [LegacyUser {
            username: "belladonna",
            // The JavaScript example's password: no symbol.
            password: "Test123",
            email: "bella@example.com",
        }];
        let sent = event(
            "UserMigration_Authentication",
            "belladonna",
            Some("Test123"),
        );
        let answered = serde_json::to_value(migrate_user_from(&weak, sent)).expect("serialisable");
        assert_eq!(answered["response"]["finalUserStatus"], "RESET_REQUIRED");
        assert_eq!(
            answered["response"]["userAttributes"]["email"],
            "bella@example.com"
        );
    }

    #[test]
    fn the_default_policy_needs_length_both_cases_a_digit_and_a_symbol() {
        assert!(meets_default_password_policy("Test123!"));
        assert!(meets_default_password_policy("Correct Horse 7"));
        for weak in [
            "Test123", "test123!", "TEST123!", "TestABC!", "Test1234", "Te1!",
        ] {
            assert!(!meets_default_password_policy(weak), "{weak}");
        }
        // Every legacy user signs in at once.
        for user in LEGACY_USERS {
            assert!(
                meets_default_password_policy(user.password),
                "{}",
                user.username
            );
        }
    }
}
