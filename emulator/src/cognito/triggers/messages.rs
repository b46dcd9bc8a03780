//! CustomMessage: every email and SMS message the pool sends goes through
//! the function first, when the pool's `LambdaConfig.CustomMessage` names
//! one, and what it answers is what is sent.
//!
//! The event (developer guide, "Custom message Lambda trigger"): `request`
//! has `userAttributes`, `codeParameter` (`{####}`), `linkParameter`
//! (`{##Click Here##}`), `usernameParameter` (`{username}` for
//! `CustomMessage_AdminCreateUser`, `null` otherwise, as events logged from
//! AWS show) and `clientMetadata` (when the request had some); `response`
//! has `smsMessage`, `emailMessage` and `emailSubject`, all `null`.
//!
//! Trigger sources: `CustomMessage_SignUp`, `_AdminCreateUser`,
//! `_ResendCode`, `_ForgotPassword` (ForgotPassword and
//! AdminResetUserPassword), `_UpdateUserAttribute`, `_VerifyUserAttribute`.
//! `CustomMessage_Authentication` (SMS and email MFA codes) never fires: this
//! emulator sends no MFA codes (its MFA is TOTP only).
//!
//! The answer, as AWS takes it:
//!
//! - a member left `null` (or out) keeps the pool's own text for it
//!   (`VerificationMessageTemplate`, `InviteMessageTemplate`, ...): "when
//!   returned as null, the value from the Cognito Settings is used"
//!   (payloads captured from AWS in DefinitelyTyped pull request 62357);
//! - a message without the `{####}` code placeholder is refused with
//!   `InvalidParameterException` "1 validation error detected: Value '...'
//!   at 'emailBody' failed to satisfy constraint: Member must satisfy regular
//!   expression pattern: ..." (the answer AWS gave, quoted in
//!   amazon-archives/amazon-cognito-identity-js issues 99 and 446 and
//!   aws-amplify/amplify-js issue 6917); the SMS text is checked the same
//!   way, under the name `smsMessage` (AWS's name for it there is not
//!   documented). An invitation should also carry `{username}` (developer
//!   guide); what AWS does without it is not documented, so it is not
//!   required here;
//! - the developer guide caps an email at 20,000 characters and an SMS at
//!   140, code included; longer ones get the same kind of validation error.
//!   The subject is held to `EmailVerificationSubject`'s limit in the
//!   service model (140 characters);
//! - an answer that is not the event (no `response` object, or a member that
//!   is not a string) → `InvalidLambdaResponseException`, as for the other
//!   triggers.
//!
//! The pool's message is composed after the change it reports is stored
//! (the user signed up, the code issued), so a function that fails makes the
//! call fail with the trigger's error while the change stays; the user can
//! ask for the code again (ResendConfirmationCode, ForgotPassword). AWS does
//! not document this order.
//!
//! Older versions of the developer guide refused `emailMessage` and
//! `emailSubject` unless the pool sends through SES (`EmailSendingAccount:
//! DEVELOPER`); the current page has no such rule, and neither has this
//! emulator.

use std::sync::Arc;

use serde_json::{Value, json};

use super::super::errors;
use super::super::state::pool::Pool;
use super::{Caller, Triggers};
use crate::aws_json::ServiceError;
use crate::outbox::DeliveryMedium;

/// The placeholder for the code (or temporary password).
pub(crate) const CODE_PARAMETER: &str = "{####}";
/// The placeholder for the user name (AdminCreateUser only).
const USERNAME_PARAMETER: &str = "{username}";
/// The placeholder for a verification link.
const LINK_PARAMETER: &str = "{##Click Here##}";
/// Longest email message the developer guide allows, code included.
const EMAIL_MESSAGE_MAX: usize = 20_000;
/// Longest SMS message the developer guide allows, code included.
const SMS_MESSAGE_MAX: usize = 140;
/// Longest subject (`EmailVerificationSubjectType` in the service model).
const EMAIL_SUBJECT_MAX: usize = 140;
/// The message pattern AWS names when a message has no code placeholder.
const MESSAGE_PATTERN: &str =
    r"[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*";
/// Cognito's subject for codes when the pool sets none.
const VERIFICATION_SUBJECT: &str = "Your verification code";
/// Cognito's subject for invitations when the pool sets none.
const INVITATION_SUBJECT: &str = "Your temporary password";

/// A message as it will be sent: text (and subject, for email) with the
/// `{####}` and `{username}` placeholders still in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Composed {
    pub message: Arc<str>,
    pub subject: Option<Arc<str>>,
}

/// The `CustomMessage_...` source of a message, from the outbox trigger name
/// the handlers give it.
fn trigger_source(outbox_trigger: &str) -> &'static str {
    match outbox_trigger {
        "AdminCreateUser" => "CustomMessage_AdminCreateUser",
        "ResendCode" => "CustomMessage_ResendCode",
        "ForgotPassword" | "AdminResetUserPassword" => "CustomMessage_ForgotPassword",
        "UpdateUserAttribute" => "CustomMessage_UpdateUserAttribute",
        "VerifyUserAttribute" => "CustomMessage_VerifyUserAttribute",
        _ => "CustomMessage_SignUp",
    }
}

/// The pool's subject for a message (`None` for SMS): the invitation's or
/// the verification message's, each from the template or the older
/// top-level member, else Cognito's default.
pub(super) fn pool_subject(
    pool: &Pool,
    outbox_trigger: &str,
    medium: DeliveryMedium,
) -> Option<Arc<str>> {
    if medium != DeliveryMedium::Email {
        return None;
    }
    let settings = pool.settings();
    let request = &settings.request;
    let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_owned);
    let subject = if outbox_trigger == "AdminCreateUser" {
        text(
            request
                .get("AdminCreateUserConfig")
                .and_then(|c| c.get("InviteMessageTemplate"))
                .and_then(|t| t.get("EmailSubject")),
        )
        .unwrap_or_else(|| INVITATION_SUBJECT.to_owned())
    } else {
        text(
            request
                .get("VerificationMessageTemplate")
                .and_then(|t| t.get("EmailSubject")),
        )
        .or_else(|| text(request.get("EmailVerificationSubject")))
        .unwrap_or_else(|| VERIFICATION_SUBJECT.to_owned())
    };
    Some(subject.into())
}

/// A returned message: `None` when left null; refused without the code
/// placeholder, with characters the pattern does not allow, or too long.
fn checked_message(
    value: Option<&Value>,
    member: &str,
    max: usize,
) -> Result<Option<Arc<str>>, ServiceError> {
    let text = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) => text,
        Some(_) => return Err(errors::unrecognizable_lambda_output()),
    };
    // The pattern's classes take every character but control characters
    // other than white space.
    let allowed = text.chars().all(|c| !c.is_control() || c.is_whitespace());
    if !text.contains(CODE_PARAMETER) || !allowed {
        return Err(errors::custom_message_refused(
            text,
            member,
            &format!("Member must satisfy regular expression pattern: {MESSAGE_PATTERN}"),
        ));
    }
    if text.chars().count() > max {
        return Err(errors::custom_message_refused(
            text,
            member,
            &format!("Member must have length less than or equal to {max}"),
        ));
    }
    Ok(Some(text.as_str().into()))
}

/// A returned subject: `None` when left null.
fn checked_subject(value: Option<&Value>) -> Result<Option<Arc<str>>, ServiceError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.chars().count() > EMAIL_SUBJECT_MAX => {
            Err(errors::custom_message_refused(
                text,
                "emailSubject",
                &format!("Member must have length less than or equal to {EMAIL_SUBJECT_MAX}"),
            ))
        }
        Some(Value::String(text)) => Ok(Some(text.as_str().into())),
        Some(_) => Err(errors::unrecognizable_lambda_output()),
    }
}

/// What the function's answer makes of the pool's message.
fn apply_answer(
    answer: &Value,
    medium: DeliveryMedium,
    default: Composed,
) -> Result<Composed, ServiceError> {
    let response = answer
        .as_object()
        .and_then(|a| a.get("response"))
        .and_then(Value::as_object)
        .ok_or_else(errors::unrecognizable_lambda_output)?;
    match medium {
        DeliveryMedium::Sms => {
            let message =
                checked_message(response.get("smsMessage"), "smsMessage", SMS_MESSAGE_MAX)?;
            Ok(Composed {
                message: message.unwrap_or(default.message),
                subject: None,
            })
        }
        DeliveryMedium::Email => {
            let message =
                checked_message(response.get("emailMessage"), "emailBody", EMAIL_MESSAGE_MAX)?;
            let subject = checked_subject(response.get("emailSubject"))?;
            Ok(Composed {
                message: message.unwrap_or(default.message),
                subject: subject.or(default.subject),
            })
        }
    }
}

impl Triggers {
    /// The message Cognito sends to `username` for `outbox_trigger`
    /// (`SignUp`, `ResendCode`, `AdminCreateUser`, ...): the pool's
    /// `template` and subject, or what the CustomMessage function makes of
    /// them.
    pub async fn compose_message(
        &self,
        pool: &Pool,
        outbox_trigger: &str,
        username: &str,
        medium: DeliveryMedium,
        template: Arc<str>,
        caller: Caller<'_>,
    ) -> Result<Composed, ServiceError> {
        let default = Composed {
            message: template,
            subject: pool_subject(pool, outbox_trigger, medium),
        };
        let Some(function) = Self::function(pool, "CustomMessage") else {
            return Ok(default);
        };
        let attributes = self
            .stored_attributes(pool, username)
            .unwrap_or_else(|| json!({}));
        let source = trigger_source(outbox_trigger);
        let username_parameter = match source {
            "CustomMessage_AdminCreateUser" => json!(USERNAME_PARAMETER),
            _ => Value::Null,
        };
        let mut request = json!({
            "userAttributes": attributes,
            "codeParameter": CODE_PARAMETER,
            "linkParameter": LINK_PARAMETER,
            "usernameParameter": username_parameter,
        });
        if let Some(metadata) = caller.client_metadata {
            request["clientMetadata"] = metadata.clone();
        }
        let event = self.event(
            pool,
            source,
            username,
            &caller,
            request,
            json!({ "smsMessage": null, "emailMessage": null, "emailSubject": null }),
        );
        let answer = self.invoke(pool, "CustomMessage", &function, event).await?;
        apply_answer(&answer, medium, default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool_default() -> Composed {
        Composed {
            message: "Your verification code is {####}. ".into(),
            subject: Some(VERIFICATION_SUBJECT.into()),
        }
    }

    fn answer(response: Value) -> Value {
        json!({ "triggerSource": "CustomMessage_SignUp", "response": response })
    }

    #[test]
    fn the_function_s_text_and_subject_replace_the_pool_s() {
        let composed = apply_answer(
            &answer(json!({
                "emailMessage": "Welcome! Your code is {####}.",
                "emailSubject": "Welcome",
                "smsMessage": null,
            })),
            DeliveryMedium::Email,
            pool_default(),
        )
        .unwrap();
        assert_eq!(&*composed.message, "Welcome! Your code is {####}.");
        assert_eq!(composed.subject.as_deref(), Some("Welcome"));
    }

    #[test]
    fn null_members_keep_the_pool_s_text() {
        let null = json!({"smsMessage": null, "emailMessage": null, "emailSubject": null});
        for medium in [DeliveryMedium::Email, DeliveryMedium::Sms] {
            let composed = apply_answer(&answer(null.clone()), medium, pool_default()).unwrap();
            assert_eq!(composed.message, pool_default().message);
        }
        // Only the subject changed: the pool's message stays.
        let composed = apply_answer(
            &answer(json!({"emailSubject": "Hello"})),
            DeliveryMedium::Email,
            pool_default(),
        )
        .unwrap();
        assert_eq!(composed.message, pool_default().message);
        assert_eq!(composed.subject.as_deref(), Some("Hello"));
        // An SMS carries no subject.
        let sms = apply_answer(
            &answer(json!({"smsMessage": "Code {####}", "emailSubject": "Hello"})),
            DeliveryMedium::Sms,
            pool_default(),
        )
        .unwrap();
        assert_eq!(&*sms.message, "Code {####}");
        assert_eq!(sms.subject, None);
    }

    #[test]
    fn a_message_without_the_code_placeholder_is_refused() {
        let err = apply_answer(
            &answer(json!({"emailMessage": "no code here"})),
            DeliveryMedium::Email,
            pool_default(),
        )
        .unwrap_err();
        assert_eq!(err.code, "InvalidParameterException");
        assert!(
            err.message.starts_with(
                "1 validation error detected: Value 'no code here' at 'emailBody' failed to satisfy constraint: Member must satisfy regular expression pattern: "
            ),
            "{}",
            err.message
        );
        let err = apply_answer(
            &answer(json!({"smsMessage": ""})),
            DeliveryMedium::Sms,
            pool_default(),
        )
        .unwrap_err();
        assert!(err.message.contains("at 'smsMessage'"), "{}", err.message);
        // A control character the pattern does not allow.
        let err = apply_answer(
            &answer(json!({"emailMessage": "code {####}\u{0007}"})),
            DeliveryMedium::Email,
            pool_default(),
        )
        .unwrap_err();
        assert_eq!(err.code, "InvalidParameterException");
    }

    #[test]
    fn messages_and_subjects_over_the_limits_are_refused() {
        let long_sms = format!("{CODE_PARAMETER}{}", "x".repeat(SMS_MESSAGE_MAX));
        let err = apply_answer(
            &answer(json!({ "smsMessage": long_sms })),
            DeliveryMedium::Sms,
            pool_default(),
        )
        .unwrap_err();
        assert!(
            err.message
                .ends_with("Member must have length less than or equal to 140"),
            "{}",
            err.message
        );
        let longest_email = format!("{CODE_PARAMETER}{}", "x".repeat(EMAIL_MESSAGE_MAX - 6));
        assert!(
            apply_answer(
                &answer(json!({ "emailMessage": longest_email })),
                DeliveryMedium::Email,
                pool_default()
            )
            .is_ok()
        );
        let too_long = format!("{longest_email}x");
        assert!(
            apply_answer(
                &answer(json!({ "emailMessage": too_long })),
                DeliveryMedium::Email,
                pool_default()
            )
            .is_err()
        );
        let err = apply_answer(
            &answer(json!({ "emailSubject": "s".repeat(141) })),
            DeliveryMedium::Email,
            pool_default(),
        )
        .unwrap_err();
        assert!(err.message.contains("at 'emailSubject'"), "{}", err.message);
    }

    #[test]
    fn an_answer_that_is_not_the_event_is_unrecognizable() {
        for bad in [
            json!("text"),
            json!({"response": "text"}),
            json!({}),
            answer(json!({"emailMessage": 7})),
            answer(json!({"emailSubject": ["a"]})),
        ] {
            let err = apply_answer(&bad, DeliveryMedium::Email, pool_default()).unwrap_err();
            assert_eq!(err.code, "InvalidLambdaResponseException", "{bad}");
        }
    }

    #[test]
    fn every_outbox_trigger_has_its_source() {
        for (trigger, source) in [
            ("SignUp", "CustomMessage_SignUp"),
            ("AdminCreateUser", "CustomMessage_AdminCreateUser"),
            ("ResendCode", "CustomMessage_ResendCode"),
            ("ForgotPassword", "CustomMessage_ForgotPassword"),
            ("AdminResetUserPassword", "CustomMessage_ForgotPassword"),
            ("UpdateUserAttribute", "CustomMessage_UpdateUserAttribute"),
            ("VerifyUserAttribute", "CustomMessage_VerifyUserAttribute"),
        ] {
            assert_eq!(trigger_source(trigger), source);
        }
    }
}
