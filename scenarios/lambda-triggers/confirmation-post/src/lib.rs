//! A Cognito **PostConfirmation** trigger that welcomes each newly confirmed
//! user with an email sent through Amazon SES (SendEmail).
//!
//! Cognito calls it after a user is confirmed: ConfirmSignUp or
//! AdminConfirmSignUp (`PostConfirmation_ConfirmSignUp`), and also after
//! ConfirmForgotPassword (`PostConfirmation_ConfirmForgotPassword`), with
//! the user's attributes. When they include an `email`, the function sends:
//!
//! - To: the user's email address;
//! - Subject: "Cognito Identity Provider registration completed";
//! - Body (text): "Congratulations USERNAME, you have been confirmed."
//!
//! Like the JavaScript example it acts on both trigger sources; check
//! `triggerSource` if a reset password should not send a welcome.
//!
//! The sender comes from the function's environment, `SOURCE_EMAIL`: an
//! address or domain verified in SES in the function's Region. In the SES
//! sandbox (every new account) the recipient must be verified too. A send
//! that fails (or no `SOURCE_EMAIL`) is logged and the event is returned all
//! the same: the user is confirmed whether or not the welcome arrives.
//!
//! The function's role needs `ses:SendEmail` on the sender's identity
//! (`arn:aws:ses:REGION:ACCOUNT:identity/SENDER`), and permission to write
//! its logs. Build the zip that Lambda runs with
//! [cargo-lambda](https://www.cargo-lambda.info/) (`pip install cargo-lambda`):
//!
//! ```sh
//! cargo lambda build --release --output-format zip -p confirmation-post
//! # target/lambda/confirmation-post/bootstrap.zip, runtime provided.al2023
//! ```

use aws_lambda_events::event::cognito::CognitoEventUserPoolsPostConfirmation;
use aws_sdk_ses::Client;
use aws_sdk_ses::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_ses::operation::send_email::{SendEmailError, SendEmailOutput};
use aws_sdk_ses::types::{Body, Content, Destination, Message};

/// The event Cognito sends after a user is confirmed, and the answer.
pub type PostConfirmationEvent = CognitoEventUserPoolsPostConfirmation;

/// The environment variable that names the verified sender.
pub const SOURCE_EMAIL_VARIABLE: &str = "SOURCE_EMAIL";
/// The welcome email's subject.
pub const SUBJECT: &str = "Cognito Identity Provider registration completed";

/// The welcome email for one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WelcomeEmail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// The welcome email for the user in `event`, or `None` when they have no
/// email address.
pub fn welcome_email(event: &PostConfirmationEvent) -> Option<WelcomeEmail> {
    let to = event.request.user_attributes.get("email")?;
    let username = event
        .cognito_event_user_pools_header
        .user_name
        .as_deref()
        .unwrap_or_default();
    Some(WelcomeEmail {
        to: to.clone(),
        subject: SUBJECT.to_string(),
        body: format!("Congratulations {username}, you have been confirmed."),
    })
}

// snippet-start:[rust.cognito-idp.lambda-triggers.ConfirmationPost]
/// Sends `email` from `source` with Amazon SES (SendEmail, a plain-text body).
/// `source` must be an identity verified in SES.
pub async fn send_welcome_email(
    client: &Client,
    source: &str,
    email: &WelcomeEmail,
) -> Result<SendEmailOutput, SdkError<SendEmailError>> {
    // Every `Content` needs its `Data`; its builder checks that.
    let text = |data: &str| Content::builder().data(data).charset("UTF-8").build();
    let (subject, body) = match (text(&email.subject), text(&email.body)) {
        (Ok(subject), Ok(body)) => (subject, body),
        (Err(err), _) | (_, Err(err)) => return Err(SdkError::construction_failure(err)),
    };
    let message = Message::builder()
        .subject(subject)
        .body(Body::builder().text(body).build())
        .build();
    client
        .send_email()
        .source(source)
        .destination(Destination::builder().to_addresses(&email.to).build())
        .message(message)
        .send()
        .await
}

/// The whole function: send the welcome email when the user has an email
/// address and a sender is configured, log what happened, and return the
/// event. A failure is logged, never returned: failing the function would
/// make Cognito report an error for a confirmation that already happened.
pub async fn post_confirmation(
    client: &Client,
    source: Option<&str>,
    event: PostConfirmationEvent,
) -> PostConfirmationEvent {
    println!("{}", log_line(client, source, &event).await);
    event
}
// snippet-end:[rust.cognito-idp.lambda-triggers.ConfirmationPost]

/// Does the work of [`post_confirmation`] and says what happened, in one line.
async fn log_line(client: &Client, source: Option<&str>, event: &PostConfirmationEvent) -> String {
    let username = event
        .cognito_event_user_pools_header
        .user_name
        .as_deref()
        .unwrap_or_default();
    let Some(email) = welcome_email(event) else {
        return format!("{username} has no email address: no welcome email sent.");
    };
    let Some(source) = source.filter(|source| !source.trim().is_empty()) else {
        return format!(
            "No welcome email sent to {username}: the function's environment has no \
             {SOURCE_EMAIL_VARIABLE} (an address verified in Amazon SES to send from)."
        );
    };
    match send_welcome_email(client, source, &email).await {
        Ok(sent) => format!(
            "Sent the welcome email to {username} (SES message ID {}).",
            sent.message_id()
        ),
        Err(err) => format!(
            "Could not send the welcome email to {username}: {}",
            describe(&err)
        ),
    }
}

/// A service error as `Code: message`; anything else with its full context.
fn describe(err: &SdkError<SendEmailError>) -> String {
    match (err.code(), err.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => DisplayErrorContext(err).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ses::types::error::MessageRejected;
    use aws_smithy_mocks::{
        MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock,
    };
    use aws_smithy_types::error::ErrorMetadata;

    const SENDER: &str = "no-reply@example.com";

    /// An SES client whose SendEmail answers come from `rule`.
    fn mock_ses(rule: &Rule) -> Client {
        let answers = MockResponseInterceptor::new()
            .rule_mode(RuleMode::MatchAny)
            .with_rule(rule);
        let config = aws_sdk_ses::Config::builder()
            .with_test_defaults()
            .region(aws_sdk_ses::config::Region::new("us-east-1"))
            .http_client(create_mock_http_client())
            .interceptor(answers)
            .build();
        Client::from_conf(config)
    }

    /// A PostConfirmation event as Cognito sends it (the developer guide's
    /// sample), with `email` as the user's address, if any.
    fn event(email: Option<&str>) -> PostConfirmationEvent {
        let mut sample: serde_json::Value = serde_json::from_str(
            r#"{
                "version": "1",
                "region": "us-east-1",
                "userPoolId": "us-east-1_EXAMPLE",
                "userName": "testuser",
                "callerContext": {
                    "awsSdkVersion": "aws-sdk-unknown-unknown",
                    "clientId": "1example23456789"
                },
                "triggerSource": "PostConfirmation_ConfirmSignUp",
                "request": {
                    "userAttributes": {
                        "sub": "4A709A36-7D63-4785-829D-4198EF10EBDA",
                        "cognito:user_status": "CONFIRMED",
                        "email_verified": "true"
                    }
                },
                "response": {}
            }"#,
        )
        .expect("sample JSON");
        if let Some(email) = email {
            sample["request"]["userAttributes"]["email"] = email.into();
        }
        serde_json::from_value(sample).expect("a PostConfirmation event")
    }

    /// SendEmail as the function must send it to `to`.
    fn the_welcome_to(to: &'static str) -> Rule {
        mock!(Client::send_email)
            .match_requests(move |req| {
                let message = req.message();
                req.source() == Some(SENDER)
                    && req.destination().map(|d| d.to_addresses()) == Some(&[to.to_string()][..])
                    && message.and_then(|m| m.subject()).map(|s| s.data())
                        == Some("Cognito Identity Provider registration completed")
                    && message
                        .and_then(|m| m.body())
                        .and_then(|b| b.text())
                        .map(|t| t.data())
                        == Some("Congratulations testuser, you have been confirmed.")
                    && message
                        .and_then(|m| m.body())
                        .and_then(|b| b.html())
                        .is_none()
            })
            .then_output(|| {
                SendEmailOutput::builder()
                    .message_id("0100018f-example")
                    .build()
                    .expect("a message id")
            })
    }

    #[tokio::test]
    async fn a_user_with_an_email_gets_the_welcome_email() {
        let send = the_welcome_to("testuser@example.com");
        let client = mock_ses(&send);
        let sent = event(Some("testuser@example.com"));

        assert_eq!(
            log_line(&client, Some(SENDER), &sent).await,
            "Sent the welcome email to testuser (SES message ID 0100018f-example)."
        );
        let answered = post_confirmation(&client, Some(SENDER), sent.clone()).await;

        assert_eq!(send.num_calls(), 2);
        assert_eq!(answered, sent);
        let json = serde_json::to_value(&answered).expect("serialisable");
        assert_eq!(json["response"], serde_json::json!({}));
    }

    #[tokio::test]
    async fn a_failed_send_is_logged_and_the_confirmation_goes_on() {
        let send = mock!(Client::send_email).then_error(|| {
            SendEmailError::MessageRejected(
                MessageRejected::builder()
                    .meta(
                        ErrorMetadata::builder()
                            .code("MessageRejected")
                            .message("Email address is not verified.")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_ses(&send);
        let sent = event(Some("testuser@example.com"));

        assert_eq!(
            log_line(&client, Some(SENDER), &sent).await,
            "Could not send the welcome email to testuser: \
             MessageRejected: Email address is not verified."
        );
        let answered = post_confirmation(&client, Some(SENDER), sent.clone()).await;
        assert_eq!(answered, sent);
        assert_eq!(send.num_calls(), 2);
    }

    #[tokio::test]
    async fn no_email_address_means_no_send() {
        let send = the_welcome_to("testuser@example.com");
        let client = mock_ses(&send);
        let sent = event(None);

        assert_eq!(welcome_email(&sent), None);
        assert_eq!(
            log_line(&client, Some(SENDER), &sent).await,
            "testuser has no email address: no welcome email sent."
        );
        assert_eq!(
            post_confirmation(&client, Some(SENDER), sent.clone()).await,
            sent
        );
        assert_eq!(send.num_calls(), 0);
    }

    #[tokio::test]
    async fn no_sender_is_logged_clearly_and_nothing_is_sent() {
        let send = the_welcome_to("testuser@example.com");
        let client = mock_ses(&send);
        let sent = event(Some("testuser@example.com"));

        for source in [None, Some(""), Some("  ")] {
            let line = log_line(&client, source, &sent).await;
            assert!(line.contains("no SOURCE_EMAIL"), "{line}");
            assert_eq!(post_confirmation(&client, source, sent.clone()).await, sent);
        }
        assert_eq!(send.num_calls(), 0);
    }

    #[test]
    fn the_welcome_email_names_the_user() {
        assert_eq!(
            welcome_email(&event(Some("bella@example.com"))),
            Some(WelcomeEmail {
                to: "bella@example.com".into(),
                subject: SUBJECT.into(),
                body: "Congratulations testuser, you have been confirmed.".into(),
            })
        );
    }
}
