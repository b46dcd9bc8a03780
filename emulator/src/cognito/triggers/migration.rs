//! UserMigration: a user the pool does not have yet is looked up in a
//! legacy directory by the pool's function, and created from its answer.
//!
//! Sources: the developer guide's "Migrate user Lambda trigger" (event,
//! response members, "The password strength policy that is configured for
//! the user pool will not be enforced during migration") and "Importing
//! users with a user migration Lambda trigger" (the trigger runs when "the
//! user does not exist in the user pool" at sign-in with a password, which
//! USER_SRP_AUTH never sends, or in the forgot-password flow).
//!
//! - `UserMigration_Authentication`: InitiateAuth USER_PASSWORD_AUTH and
//!   AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH. The request has the
//!   `password` entered and, as `validationData`, the request's
//!   `ClientMetadata` ("To pass this data to your Lambda function, you can
//!   use the ClientMetadata parameter in the InitiateAuth and
//!   AdminInitiateAuth API actions"). The user is created with that
//!   password, CONFIRMED unless the function says RESET_REQUIRED, and the
//!   sign-in goes on as for any user.
//! - `UserMigration_ForgotPassword`: ForgotPassword; no password, the
//!   request's `ClientMetadata` as `clientMetadata`. The user is created in
//!   RESET_REQUIRED and the reset code goes to the verified address the
//!   function returned.
//!
//! A function that returns no `userAttributes` ("This field is required")
//! migrates nobody: the request then fails as for any unknown user.

use serde_json::{Map, Value, json};

use super::{Caller, Triggers};
use crate::aws_json::ServiceError;
use crate::cognito::input::Input;
use crate::cognito::srp::PasswordDigest;
use crate::cognito::state::clients::AppClient;
use crate::cognito::state::pool::Pool;
use crate::cognito::state::users::{Delivery, NewUsername, User, UserStatus, username_for};
use crate::cognito::{CognitoService, errors};
use crate::outbox::{DeliveryMedium, Envelope};

/// Why the function is asked (`triggerSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MigrationSource {
    Authentication,
    ForgotPassword,
}

/// The parts of a UserMigration answer that take effect.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Migrated {
    attributes: Vec<(String, String)>,
    /// `finalUserStatus`: CONFIRMED (the default at sign-in) or RESET_REQUIRED.
    status: UserStatus,
    /// `messageAction: SUPPRESS`: no welcome message.
    suppress_message: bool,
    /// `desiredDeliveryMediums` of the welcome message ("If this attribute
    /// is not returned, the welcome message will be sent by SMS").
    mediums: Vec<DeliveryMedium>,
    force_alias: bool,
}

/// Reads the function's `response`; `None` when it returned no attributes.
/// `enableSMSMFA` has nothing to act on: this emulator sends no SMS codes.
fn parse_response(
    response: &Map<String, Value>,
    source: MigrationSource,
) -> Result<Option<Migrated>, ServiceError> {
    let invalid = errors::unrecognizable_lambda_output;
    let attributes: Vec<(String, String)> = match response.get("userAttributes") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(attributes)) => attributes
            .iter()
            .map(|(name, value)| Some((name.clone(), value.as_str()?.to_owned())))
            .collect::<Option<_>>()
            .ok_or_else(invalid)?,
        Some(_) => return Err(invalid()),
    };
    if attributes.is_empty() {
        return Ok(None);
    }
    let text = |name: &str| match response.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(invalid()),
    };
    let status = match (text("finalUserStatus")?, source) {
        // Without a password there is nothing to sign in with yet.
        (_, MigrationSource::ForgotPassword) => UserStatus::ResetRequired,
        (None | Some("CONFIRMED"), _) => UserStatus::Confirmed,
        (Some("RESET_REQUIRED"), _) => UserStatus::ResetRequired,
        (Some(_), _) => return Err(invalid()),
    };
    let suppress_message = match text("messageAction")? {
        None => false,
        Some("SUPPRESS") => true,
        Some(_) => return Err(invalid()),
    };
    let mediums = match response.get("desiredDeliveryMediums") {
        None | Some(Value::Null) => vec![DeliveryMedium::Sms],
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item.as_str() {
                Some("EMAIL") => Ok(DeliveryMedium::Email),
                Some("SMS") => Ok(DeliveryMedium::Sms),
                _ => Err(invalid()),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(invalid()),
    };
    let force_alias = match response.get("forceAliasCreation") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(force)) => *force,
        Some(_) => return Err(invalid()),
    };
    Ok(Some(Migrated {
        attributes,
        status,
        suppress_message,
        mediums,
        force_alias,
    }))
}

impl Triggers {
    /// Asks the pool's UserMigration function about `name`; `None` when the
    /// pool has no such function or the function migrated nobody.
    async fn user_migration(
        &self,
        pool: &Pool,
        source: MigrationSource,
        name: &str,
        password: Option<&str>,
        caller: Caller<'_>,
    ) -> Result<Option<Migrated>, ServiceError> {
        let Some(function) = Self::function(pool, "UserMigration") else {
            return Ok(None);
        };
        let metadata = caller.client_metadata.cloned().unwrap_or(Value::Null);
        let (trigger_source, request) = match source {
            MigrationSource::Authentication => (
                "UserMigration_Authentication",
                json!({ "password": password, "validationData": metadata }),
            ),
            MigrationSource::ForgotPassword => (
                "UserMigration_ForgotPassword",
                json!({ "validationData": Value::Null, "clientMetadata": metadata }),
            ),
        };
        let event = self.event(
            pool,
            trigger_source,
            name,
            &caller,
            request,
            json!({
                "userAttributes": Value::Null,
                "finalUserStatus": Value::Null,
                "messageAction": Value::Null,
                "desiredDeliveryMediums": Value::Null,
                "forceAliasCreation": Value::Null,
                "enableSMSMFA": Value::Null,
            }),
        );
        let answer = self.invoke(pool, "UserMigration", &function, event).await?;
        let response = answer
            .as_object()
            .and_then(|a| a.get("response"))
            .and_then(Value::as_object)
            .ok_or_else(errors::unrecognizable_lambda_output)?;
        parse_response(response, source)
    }
}

impl CognitoService {
    /// UserMigration_Authentication, before a password sign-in of `name`
    /// (InitiateAuth USER_PASSWORD_AUTH, AdminInitiateAuth
    /// ADMIN_USER_PASSWORD_AUTH): a user the pool does not have is asked
    /// for, and created with `password`. Nothing happens for a user who
    /// exists or in a pool without the trigger.
    pub(crate) async fn migrate_on_sign_in(
        &self,
        pool: &Pool,
        client: &AppClient,
        name: &str,
        password: &str,
        input: &Input<'_>,
    ) -> Result<(), ServiceError> {
        self.migrate(
            pool,
            client,
            name,
            Some(password),
            input,
            MigrationSource::Authentication,
        )
        .await
    }

    /// UserMigration_ForgotPassword, before ForgotPassword looks `name` up.
    pub(crate) async fn migrate_on_forgot_password(
        &self,
        pool: &Pool,
        client: &AppClient,
        name: &str,
        input: &Input<'_>,
    ) -> Result<(), ServiceError> {
        self.migrate(
            pool,
            client,
            name,
            None,
            input,
            MigrationSource::ForgotPassword,
        )
        .await
    }

    async fn migrate(
        &self,
        pool: &Pool,
        client: &AppClient,
        name: &str,
        password: Option<&str>,
        input: &Input<'_>,
        source: MigrationSource,
    ) -> Result<(), ServiceError> {
        if Triggers::function(pool, "UserMigration").is_none() {
            return Ok(());
        }
        let settings = pool.settings();
        if pool.users.lock().resolve(&settings, name).is_some() {
            return Ok(());
        }
        // Only a caller that proves the client may ask about users.
        let secret_hash = match source {
            MigrationSource::Authentication => input.map_entry("AuthParameters", "SECRET_HASH"),
            MigrationSource::ForgotPassword => input.str("SecretHash"),
        };
        client.check_secret_hash(secret_hash, &[name])?;
        let caller = Caller {
            client_id: Some(&client.id),
            client_metadata: input.value("ClientMetadata"),
            validation_data: None,
        };
        let Some(migrated) = self
            .triggers
            .user_migration(pool, source, name, password, caller)
            .await?
        else {
            return Ok(());
        };
        // The same naming rules as any new user (a pool whose user names
        // are email addresses stores the user under a new `sub`).
        let NewUsername {
            username,
            sub,
            alias,
        } = username_for(&settings, name)?;
        let mut attributes: Vec<(&str, &str)> = migrated
            .attributes
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .filter(|(n, _)| *n != "sub")
            .collect();
        if let Some((attribute, value)) = &alias {
            attributes.retain(|(n, _)| n != attribute);
            attributes.push((attribute, value.as_str()));
        }
        settings.schema.check_writable(&attributes)?;
        // Not checked against the pool's password policy (developer guide).
        let digest = match (password, migrated.status) {
            (Some(password), UserStatus::Confirmed) => {
                Some(PasswordDigest::new(&pool.srp_name, &username, password))
            }
            _ => None,
        };
        let mut user = User::new(
            &username,
            digest,
            migrated.status,
            &attributes,
            self.now_millis(),
        );
        if let Some(sub) = sub {
            user.sub = sub;
        }
        let created = pool
            .users
            .insert_migrated(&settings, user, migrated.force_alias)?;
        if created && !migrated.suppress_message {
            self.send_welcome(pool, &username, &attributes, &migrated.mediums);
        }
        Ok(())
    }

    /// The welcome message a migrated user gets unless the function said
    /// `SUPPRESS`: the pool's invitation message, to each medium asked for
    /// that the user has an address of. The guide does not say what it
    /// holds in place of a temporary password (the user keeps the one they
    /// entered): this one shows a mask, never the password.
    fn send_welcome(
        &self,
        pool: &Pool,
        username: &str,
        attributes: &[(&str, &str)],
        mediums: &[DeliveryMedium],
    ) {
        // The invitation's subject, as AdminCreateUser's welcome has it.
        let subjects: Vec<_> = mediums
            .iter()
            .map(|medium| super::messages::pool_subject(pool, "AdminCreateUser", *medium))
            .collect();
        let settings = pool.settings();
        for (medium, subject) in mediums.iter().zip(subjects) {
            let (attribute, template) = match medium {
                DeliveryMedium::Email => ("email", &settings.invitation_email),
                DeliveryMedium::Sms => ("phone_number", &settings.invitation_sms),
            };
            let Some((_, destination)) = attributes.iter().find(|(n, _)| *n == attribute) else {
                continue;
            };
            let delivery = Delivery {
                attribute,
                medium: *medium,
                destination: (*destination).to_owned(),
            };
            self.outbox.push(Envelope {
                user_pool_id: pool.id.clone(),
                username: username.into(),
                destination: delivery.destination.as_str().into(),
                medium: delivery.medium,
                trigger: "UserMigration",
                code: None,
                template: template.replace("{####}", "********").into(),
                subject,
                mail: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(response: Value, source: MigrationSource) -> Result<Option<Migrated>, ServiceError> {
        parse_response(response.as_object().unwrap(), source)
    }

    #[test]
    fn no_attributes_migrates_nobody() {
        for response in [
            json!({}),
            json!({"userAttributes": null}),
            json!({"userAttributes": {}}),
        ] {
            assert_eq!(
                parse(response, MigrationSource::Authentication).unwrap(),
                None
            );
        }
    }

    #[test]
    fn defaults_and_choices_of_the_answer() {
        let migrated = parse(
            json!({"userAttributes": {"email": "a@example.com"}}),
            MigrationSource::Authentication,
        )
        .unwrap()
        .unwrap();
        assert_eq!(migrated.status, UserStatus::Confirmed);
        assert!(!migrated.suppress_message);
        assert_eq!(migrated.mediums, [DeliveryMedium::Sms]);
        assert!(!migrated.force_alias);
        let migrated = parse(
            json!({
                "userAttributes": {"email": "a@example.com"},
                "finalUserStatus": "RESET_REQUIRED",
                "messageAction": "SUPPRESS",
                "desiredDeliveryMediums": ["EMAIL"],
                "forceAliasCreation": true,
            }),
            MigrationSource::Authentication,
        )
        .unwrap()
        .unwrap();
        assert_eq!(migrated.status, UserStatus::ResetRequired);
        assert!(migrated.suppress_message && migrated.force_alias);
        assert_eq!(migrated.mediums, [DeliveryMedium::Email]);
        // Forgot-password migrations have no password to sign in with.
        let migrated = parse(
            json!({"userAttributes": {"email": "a@example.com"}, "finalUserStatus": "CONFIRMED"}),
            MigrationSource::ForgotPassword,
        )
        .unwrap()
        .unwrap();
        assert_eq!(migrated.status, UserStatus::ResetRequired);
    }

    #[test]
    fn malformed_answers_are_invalid_lambda_responses() {
        for response in [
            json!({"userAttributes": {"email": 3}}),
            json!({"userAttributes": {"a": "b"}, "finalUserStatus": "UNCONFIRMED"}),
            json!({"userAttributes": {"a": "b"}, "messageAction": "RESEND"}),
            json!({"userAttributes": {"a": "b"}, "desiredDeliveryMediums": ["FAX"]}),
            json!({"userAttributes": {"a": "b"}, "forceAliasCreation": "yes"}),
        ] {
            assert_eq!(
                parse(response, MigrationSource::Authentication)
                    .unwrap_err()
                    .code,
                "InvalidLambdaResponseException"
            );
        }
    }
}
