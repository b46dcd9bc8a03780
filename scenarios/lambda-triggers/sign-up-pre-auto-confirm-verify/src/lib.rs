//! A Cognito **PreSignUp** trigger that confirms every user without a code
//! and marks their email address and phone number verified: nobody is sent
//! a confirmation code.
//!
//! Cognito calls it before it creates a user (SignUp, AdminCreateUser, and
//! a first federated sign-in), with the user's attributes. The function
//! answers `autoConfirmUser`, `autoVerifyEmail` when the user has an `email`
//! and `autoVerifyPhone` when they have a `phone_number` (Cognito refuses
//! to verify an attribute the user does not have).
//!
//! Use it where someone else already checked the addresses (an import, a
//! test pool); on an open sign-up page it lets anyone claim any address.
//! The custom-auth scenario uses it to sign users up without a code.
//!
//! The function needs no AWS permissions beyond writing its logs. Build the
//! zip that Lambda runs with [cargo-lambda](https://www.cargo-lambda.info/)
//! (`pip install cargo-lambda`):
//!
//! ```sh
//! cargo lambda build --release --output-format zip -p sign-up-pre-auto-confirm-verify
//! # target/lambda/sign-up-pre-auto-confirm-verify/bootstrap.zip, runtime provided.al2023
//! ```

use aws_lambda_events::event::cognito::CognitoEventUserPoolsPreSignup;

/// The event Cognito sends before it signs a user up, and the answer.
pub type PreSignUpEvent = CognitoEventUserPoolsPreSignup;

// snippet-start:[rust.cognito-idp.lambda-triggers.SignUpPreAutoConfirmVerify]
/// Confirms the user, and verifies the email address and phone number they
/// signed up with.
pub fn pre_sign_up(mut event: PreSignUpEvent) -> PreSignUpEvent {
    let attributes = &event.request.user_attributes;
    let response = &mut event.response;
    response.auto_confirm_user = true;
    response.auto_verify_email = attributes.contains_key("email");
    response.auto_verify_phone = attributes.contains_key("phone_number");
    event
}
// snippet-end:[rust.cognito-idp.lambda-triggers.SignUpPreAutoConfirmVerify]

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A PreSignUp event as Cognito sends it (the developer guide's
    /// sample), for a user with the given attributes.
    fn event(attributes: Value) -> PreSignUpEvent {
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
                    "userAttributes": {},
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
        sample["request"]["userAttributes"] = attributes;
        serde_json::from_value(sample).expect("a PreSignUp event")
    }

    fn response(attributes: Value) -> Value {
        let answered = pre_sign_up(event(attributes));
        serde_json::to_value(&answered).expect("serialisable")["response"].clone()
    }

    #[test]
    fn email_and_phone_are_both_verified() {
        assert_eq!(
            response(json!({"email": "testuser@example.com", "phone_number": "+12065550100"})),
            json!({"autoConfirmUser": true, "autoVerifyEmail": true, "autoVerifyPhone": true})
        );
    }

    #[test]
    fn only_the_attributes_the_user_has_are_verified() {
        assert_eq!(
            response(json!({"email": "testuser@example.com"})),
            json!({"autoConfirmUser": true, "autoVerifyEmail": true, "autoVerifyPhone": false})
        );
        assert_eq!(
            response(json!({"phone_number": "+12065550100"})),
            json!({"autoConfirmUser": true, "autoVerifyEmail": false, "autoVerifyPhone": true})
        );
        assert_eq!(
            response(json!({"name": "Test User"})),
            json!({"autoConfirmUser": true, "autoVerifyEmail": false, "autoVerifyPhone": false})
        );
    }

    #[test]
    fn the_request_goes_back_as_it_came() {
        let sent = event(json!({"email": "testuser@example.com"}));
        let answered = pre_sign_up(sent.clone());
        assert_eq!(answered.request, sent.request);
        assert_eq!(
            answered.cognito_event_user_pools_header,
            sent.cognito_event_user_pools_header
        );
    }
}
