//! A Cognito **PostAuthentication** trigger that logs every successful
//! sign-in: the trigger source, the user pool, the app client and the user.
//!
//! Cognito calls it after a user signed in (InitiateAuth, AdminInitiateAuth,
//! or the last RespondToAuthChallenge), just before it hands out the tokens.
//! What the function writes to standard output goes to its CloudWatch Logs
//! group, `/aws/lambda/FUNCTION_NAME`, one log event per line:
//!
//! ```text
//! Authentication successful
//! Trigger function = PostAuthentication_Authentication
//! User pool = us-east-1_EXAMPLE
//! App client ID = 1example23456789
//! User ID = testuser
//! ```
//!
//! It changes nothing: the event goes back as it came. The function needs no
//! AWS permissions beyond writing its logs (`logs:CreateLogGroup`,
//! `logs:CreateLogStream`, `logs:PutLogEvents`, as in the managed policy
//! `AWSLambdaBasicExecutionRole`). Build the zip that Lambda runs with
//! [cargo-lambda](https://www.cargo-lambda.info/) (`pip install cargo-lambda`):
//!
//! ```sh
//! cargo lambda build --release --output-format zip -p authentication-post
//! # target/lambda/authentication-post/bootstrap.zip, runtime provided.al2023
//! ```

use aws_lambda_events::event::cognito::CognitoEventUserPoolsPostAuthentication;

/// The event Cognito sends after a successful sign-in, and the answer.
pub type PostAuthenticationEvent = CognitoEventUserPoolsPostAuthentication;

/// The first line logged for every sign-in.
pub const SUCCESS_LINE: &str = "Authentication successful";

// snippet-start:[rust.cognito-idp.lambda-triggers.AuthenticationPost]
/// The lines the function logs for one sign-in.
pub fn log_lines(event: &PostAuthenticationEvent) -> Vec<String> {
    let header = &event.cognito_event_user_pools_header;
    let trigger_source = header
        .trigger_source
        .as_ref()
        .and_then(|source| serde_json::to_value(source).ok())
        .and_then(|source| source.as_str().map(str::to_string));
    let or_none = |value: Option<&str>| value.unwrap_or("(none)").to_string();
    vec![
        SUCCESS_LINE.to_string(),
        format!("Trigger function = {}", or_none(trigger_source.as_deref())),
        format!("User pool = {}", or_none(header.user_pool_id.as_deref())),
        format!(
            "App client ID = {}",
            or_none(header.caller_context.client_id.as_deref())
        ),
        format!("User ID = {}", or_none(header.user_name.as_deref())),
    ]
}

/// The whole function: log the sign-in on standard output (each line a log
/// event in CloudWatch Logs) and return the event unchanged.
pub fn post_authentication(event: PostAuthenticationEvent) -> PostAuthenticationEvent {
    for line in log_lines(&event) {
        println!("{line}");
    }
    event
}
// snippet-end:[rust.cognito-idp.lambda-triggers.AuthenticationPost]

#[cfg(test)]
mod tests {
    use super::*;

    /// A PostAuthentication event as Cognito sends it (the developer guide's sample).
    const SAMPLE: &str = r#"{
        "version": "1",
        "region": "us-east-1",
        "userPoolId": "us-east-1_EXAMPLE",
        "userName": "testuser",
        "callerContext": {
            "awsSdkVersion": "aws-sdk-unknown-unknown",
            "clientId": "1example23456789"
        },
        "triggerSource": "PostAuthentication_Authentication",
        "request": {
            "userAttributes": {
                "sub": "4A709A36-7D63-4785-829D-4198EF10EBDA",
                "email_verified": "true",
                "cognito:user_status": "CONFIRMED",
                "email": "testuser@example.com"
            },
            "newDeviceUsed": false
        },
        "response": {}
    }"#;

    fn sample() -> PostAuthenticationEvent {
        serde_json::from_str(SAMPLE).expect("a PostAuthentication event")
    }

    #[test]
    fn the_log_names_the_source_pool_client_and_user() {
        assert_eq!(
            log_lines(&sample()),
            [
                "Authentication successful",
                "Trigger function = PostAuthentication_Authentication",
                "User pool = us-east-1_EXAMPLE",
                "App client ID = 1example23456789",
                "User ID = testuser",
            ]
        );
    }

    #[test]
    fn missing_fields_are_logged_as_none() {
        let mut event = sample();
        event
            .cognito_event_user_pools_header
            .caller_context
            .client_id = None;
        event.cognito_event_user_pools_header.user_name = None;
        let lines = log_lines(&event);
        assert_eq!(lines[3], "App client ID = (none)");
        assert_eq!(lines[4], "User ID = (none)");
    }

    #[test]
    fn the_event_goes_back_unchanged() {
        let answered = post_authentication(sample());
        assert_eq!(answered, sample());
        let json = serde_json::to_value(&answered).expect("serialisable");
        assert_eq!(json["response"], serde_json::json!({}));
        assert_eq!(json["request"]["newDeviceUsed"], false);
    }
}
