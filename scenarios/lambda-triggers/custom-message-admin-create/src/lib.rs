//! A Cognito **CustomMessage** trigger that writes its own text for the
//! invitation an administrator's AdminCreateUser sends: the user name and
//! the temporary password.
//!
//! Cognito calls it before it sends any message (a sign-up code, a resent
//! code, a forgot-password code, an invitation...), with `triggerSource`
//! saying which. This function changes only the invitation
//! (`CustomMessage_AdminCreateUser`); every other message keeps the pool's
//! own text.
//!
//! Cognito passes the user name and the temporary password as placeholders,
//! `request.usernameParameter` (`{username}`) and `request.codeParameter`
//! (`{####}`), and puts the real values in place of them when it sends: the
//! function never sees the password. The invitation must contain both
//! placeholders, or Cognito refuses it and sends its default message
//! instead.
//!
//! - email subject: "Welcome to the service"
//! - email and SMS: "Welcome to the service. Your user name is {username}.
//!   Your temporary password is {####}"
//!
//! The function needs no AWS permissions beyond writing its logs. Build the
//! zip that Lambda runs with [cargo-lambda](https://www.cargo-lambda.info/)
//! (`pip install cargo-lambda`):
//!
//! ```sh
//! cargo lambda build --release --output-format zip -p custom-message-admin-create
//! # target/lambda/custom-message-admin-create/bootstrap.zip, runtime provided.al2023
//! ```

use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsCustomMessage, CognitoEventUserPoolsCustomMessageTriggerSource,
};

/// The event Cognito sends before it sends a message, and the answer.
pub type CustomMessageEvent = CognitoEventUserPoolsCustomMessage;

/// The subject of the invitation email.
pub const SUBJECT: &str = "Welcome to the service";

// snippet-start:[rust.cognito-idp.lambda-triggers.CustomMessageAdminCreate]
/// Writes the invitation (email and SMS) around the user name and
/// temporary password placeholders; any other message is left as it is.
pub fn custom_message(mut event: CustomMessageEvent) -> CustomMessageEvent {
    if event.cognito_event_user_pools_header.trigger_source
        != Some(CognitoEventUserPoolsCustomMessageTriggerSource::AdminCreateUser)
    {
        return event;
    }
    let request = &event.request;
    let username = request.username_parameter.as_deref().unwrap_or_default();
    let password = request.code_parameter.as_deref().unwrap_or_default();
    let message = format!(
        "Welcome to the service. Your user name is {username}. \
         Your temporary password is {password}"
    );
    event.response.sms_message = Some(message.clone());
    event.response.email_message = Some(message);
    event.response.email_subject = Some(SUBJECT.to_string());
    event
}
// snippet-end:[rust.cognito-idp.lambda-triggers.CustomMessageAdminCreate]

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A CustomMessage event as Cognito sends it (the developer guide's
    /// sample), for `trigger_source`.
    fn event(trigger_source: &str) -> CustomMessageEvent {
        let sample = r#"{
            "version": "1",
            "region": "us-east-1",
            "userPoolId": "us-east-1_EXAMPLE",
            "userName": "test-user",
            "callerContext": {
                "awsSdkVersion": "aws-sdk-unknown-unknown",
                "clientId": "CLIENT_ID_NOT_APPLICABLE"
            },
            "triggerSource": "SOURCE",
            "request": {
                "userAttributes": {
                    "sub": "d16b4aa8-8633-4cd6-8a09-ae17f5b5e7e8",
                    "cognito:user_status": "FORCE_CHANGE_PASSWORD",
                    "email_verified": "true",
                    "email": "test-user@example.com"
                },
                "codeParameter": "{####}",
                "linkParameter": "{##Click Here##}",
                "usernameParameter": "{username}"
            },
            "response": {
                "smsMessage": null,
                "emailMessage": null,
                "emailSubject": null
            }
        }"#
        .replace("SOURCE", trigger_source);
        serde_json::from_str(&sample).expect("a CustomMessage event")
    }

    fn response(event: &CustomMessageEvent) -> Value {
        serde_json::to_value(event).expect("serialisable")["response"].clone()
    }

    #[test]
    fn the_invitation_carries_both_placeholders() {
        let answered = custom_message(event("CustomMessage_AdminCreateUser"));
        let text = "Welcome to the service. Your user name is {username}. \
                    Your temporary password is {####}";
        assert_eq!(
            response(&answered),
            json!({
                "smsMessage": text,
                "emailMessage": text,
                "emailSubject": "Welcome to the service"
            })
        );
    }

    #[test]
    fn other_messages_keep_the_pools_text() {
        for source in [
            "CustomMessage_SignUp",
            "CustomMessage_ResendCode",
            "CustomMessage_ForgotPassword",
            "CustomMessage_UpdateUserAttribute",
            "CustomMessage_VerifyUserAttribute",
            "CustomMessage_Authentication",
        ] {
            let sent = event(source);
            let answered = custom_message(sent.clone());
            assert_eq!(answered, sent, "{source}");
            assert_eq!(
                response(&answered),
                json!({"smsMessage": null, "emailMessage": null, "emailSubject": null}),
                "{source}"
            );
        }
    }
}
