//! A Cognito **PreSignUp** trigger that confirms, without a code, everyone
//! who signs up with an email address in one domain; everyone else signs up
//! as usual and confirms with the code Cognito sends.
//!
//! Cognito calls it before it creates a user (SignUp, AdminCreateUser, and
//! a first federated sign-in), with the user's attributes. The function
//! answers `autoConfirmUser`. It does not mark the email verified: a
//! confirmed user whose email is not verified cannot reset a forgotten
//! password by email until they verify it (see
//! `sign-up-pre-auto-confirm-verify` for a function that does both).
//!
//! The domain comes from the function's environment, `ALLOWED_DOMAIN`
//! (default `example.com`). It is compared without regard to case, as
//! domain names are.
//!
//! The function needs no AWS permissions beyond writing its logs. Build the
//! zip that Lambda runs with [cargo-lambda](https://www.cargo-lambda.info/)
//! (`pip install cargo-lambda`):
//!
//! ```sh
//! cargo lambda build --release --output-format zip -p sign-up-pre-auto-confirm-domain
//! # target/lambda/sign-up-pre-auto-confirm-domain/bootstrap.zip, runtime provided.al2023
//! ```

use aws_lambda_events::event::cognito::CognitoEventUserPoolsPreSignup;

/// The event Cognito sends before it signs a user up, and the answer.
pub type PreSignUpEvent = CognitoEventUserPoolsPreSignup;

/// The environment variable that names the domain to confirm.
pub const ALLOWED_DOMAIN_VARIABLE: &str = "ALLOWED_DOMAIN";
/// The domain confirmed when `ALLOWED_DOMAIN` is not set.
pub const DEFAULT_DOMAIN: &str = "example.com";

/// The domain to confirm: the variable's value, or [`DEFAULT_DOMAIN`] when
/// it is unset or blank.
pub fn allowed_domain(value: Option<String>) -> String {
    value
        .map(|value| value.trim().to_string())
        .filter(|value| !value.is_empty())
        .unwrap_or_else(|| DEFAULT_DOMAIN.to_string())
}

// snippet-start:[rust.cognito-idp.lambda-triggers.SignUpPreAutoConfirmDomain]
/// Answers `autoConfirmUser` when the user's email address is in
/// `allowed_domain` (the part after the `@`).
pub fn pre_sign_up(allowed_domain: &str, mut event: PreSignUpEvent) -> PreSignUpEvent {
    let domain = event
        .request
        .user_attributes
        .get("email")
        .and_then(|email| email.rsplit_once('@'))
        .map(|(_, domain)| domain);
    event.response.auto_confirm_user =
        domain.is_some_and(|domain| domain.eq_ignore_ascii_case(allowed_domain));
    event
}
// snippet-end:[rust.cognito-idp.lambda-triggers.SignUpPreAutoConfirmDomain]

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A PreSignUp event as Cognito sends it (the developer guide's
    /// sample), for a user with `email`, if any.
    fn event(email: Option<&str>) -> PreSignUpEvent {
        let mut sample: Value = serde_json::from_str(
            r#"{
                "version": "1",
                "region": "us-east-1",
                "userPoolId": "us-east-1_EXAMPLE",
                "userName": "testuser",
                "callerContext": {
                    "awsSdkVersion": "aws-sdk-unknown-unknown",
                    "clientId": "1example23456789"
                },
                "triggerSource": "PreSignUp_SignUp",
                "request": {
                    "userAttributes": {
                        "name": "Test User"
                    },
                    "validationData": null
                },
                "response": {
                    "autoConfirmUser": false,
                    "autoVerifyEmail": false,
                    "autoVerifyPhone": false
                }
            }"#,
        )
        .expect("sample JSON");
        if let Some(email) = email {
            sample["request"]["userAttributes"]["email"] = json!(email);
        }
        serde_json::from_value(sample).expect("a PreSignUp event")
    }

    fn response(domain: &str, email: Option<&str>) -> Value {
        let answered = pre_sign_up(domain, event(email));
        serde_json::to_value(&answered).expect("serialisable")["response"].clone()
    }

    #[test]
    fn an_address_in_the_domain_is_confirmed_but_not_verified() {
        for email in ["testuser@example.com", "TestUser@Example.COM"] {
            assert_eq!(
                response(DEFAULT_DOMAIN, Some(email)),
                json!({"autoConfirmUser": true, "autoVerifyEmail": false, "autoVerifyPhone": false}),
                "{email}"
            );
        }
    }

    #[test]
    fn other_addresses_sign_up_as_usual() {
        let usual =
            json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false});
        for email in [
            Some("testuser@example.org"),
            // A subdomain is another domain.
            Some("testuser@mail.example.com"),
            Some("example.com@evil.test"),
            Some("no-at-sign"),
            None,
        ] {
            assert_eq!(response(DEFAULT_DOMAIN, email), usual, "{email:?}");
        }
    }

    #[test]
    fn the_domain_can_be_configured() {
        assert_eq!(allowed_domain(None), "example.com");
        assert_eq!(allowed_domain(Some("  ".into())), "example.com");
        assert_eq!(allowed_domain(Some(" corp.test\n".into())), "corp.test");
        assert_eq!(
            response("corp.test", Some("ann@corp.test"))["autoConfirmUser"],
            true
        );
        assert_eq!(
            response("corp.test", Some("ann@example.com"))["autoConfirmUser"],
            false
        );
    }
}
