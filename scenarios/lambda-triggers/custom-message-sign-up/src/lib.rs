//! A Cognito **CustomMessage** trigger that writes its own text for the
//! confirmation code a user gets when they sign up.
//!
//! Cognito calls it before it sends any message (a sign-up code, a resent
//! code, a forgot-password code, an invitation...), with `triggerSource`
//! saying which. This function changes only the sign-up message
//! (`CustomMessage_SignUp`); every other message keeps the pool's own text.
//!
//! Cognito passes the code as a placeholder, `request.codeParameter`
//! (`{####}`), and puts the real code in place of it when it sends: the
//! function never sees the code. The message must contain the placeholder,
//! or Cognito refuses it and sends its default message instead.
//!
//! - email subject: "Welcome to the service."
//! - email and SMS: "Thank you for signing up. Your confirmation code is {####}."
//!
//! The function needs no AWS permissions beyond writing its logs. Build the
//! zip that Lambda runs with [cargo-lambda](https://www.cargo-lambda.info/)
//! (`pip install cargo-lambda`):
//!
//! ```sh
//! cargo lambda build --release --output-format zip -p custom-message-sign-up
//! # target/lambda/custom-message-sign-up/bootstrap.zip, runtime provided.al2023
//! ```

use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsCustomMessage, CognitoEventUserPoolsCustomMessageTriggerSource,
};

/// The event Cognito sends before it sends a message, and the answer.
pub type CustomMessageEvent = CognitoEventUserPoolsCustomMessage;

/// The subject of the sign-up email.
pub const SUBJECT: &str = "Welcome to the service.";

// snippet-start:[rust.cognito-idp.lambda-triggers.CustomMessageSignUp]
/// Writes the sign-up message (email and SMS) around the code placeholder;
/// any other message is left as it is.
pub fn custom_message(mut event: CustomMessageEvent) -> CustomMessageEvent {
    if event.cognito_event_user_pools_header.trigger_source
        != Some(CognitoEventUserPoolsCustomMessageTriggerSource::SignUp)
    {
        return event;
    }
    let code = event.request.code_parameter.as_deref().unwrap_or_default();
    let message = format!("Thank you for signing up. Your confirmation code is {code}.");
    event.response.sms_message = Some(message.clone());
    event.response.email_message = Some(message);
    event.response.email_subject = Some(SUBJECT.to_string());
    event
}
// snippet-end:[rust.cognito-idp.lambda-triggers.CustomMessageSignUp]

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
                "clientId": "1example23456789"
            },
            "triggerSource": "SOURCE",
            "request": {
                "userAttributes": {
                    "sub": "d16b4aa8-8633-4cd6-8a09-ae17f5b5e7e8",
                    "cognito:user_status": "UNCONFIRMED",
                    "email_verified": "false",
                    "email": "test-user@example.com"
                },
                "codeParameter": "{####}",
                "linkParameter": "{##Click Here##}",
                "usernameParameter": null
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
    fn the_sign_up_message_carries_the_code_placeholder() {
        let answered = custom_message(event("CustomMessage_SignUp"));
        assert_eq!(
            response(&answered),
            json!({
                "smsMessage": "Thank you for signing up. Your confirmation code is {####}.",
                "emailMessage": "Thank you for signing up. Your confirmation code is {####}.",
                "emailSubject": "Welcome to the service."
            })
        );
    }

    #[test]
    fn other_messages_keep_the_pools_text() {
        for source in [
            "CustomMessage_AdminCreateUser",
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
