//! A Cognito **CreateAuthChallenge** trigger: it makes up the custom
//! challenges of a custom sign-in (`AuthFlow` `CUSTOM_AUTH`) whose steps the
//! DefineAuthChallenge function `auth-challenge-define` decides: after the
//! password (SRP), first a captcha, then a security question.
//!
//! Cognito calls it whenever DefineAuthChallenge answered
//! `CUSTOM_CHALLENGE`, with the challenges so far in `request.session`. The
//! function answers with:
//!
//! - `publicChallengeParameters`: what the app shows the user (Cognito
//!   returns them in `ChallengeParameters` of InitiateAuth or
//!   RespondToAuthChallenge);
//! - `privateChallengeParameters`: what only the VerifyAuthChallengeResponse
//!   function `auth-challenge-verify` sees, here the expected `answer`.
//!
//! | session so far | public | private |
//! |---|---|---|
//! | 2 entries (`SRP_A`, `PASSWORD_VERIFIER`) | `captchaUrl`: `url/123.jpg` | `answer`: `5` |
//! | 3 entries (... and the captcha) | `securityQuestion`: `Who is your favorite team mascot?` | `answer`: `Peccy` |
//!
//! Any other challenge name leaves the event as it came. The answers are
//! fixed here to keep the example short; a real function would draw a new
//! captcha or pick one of the user's own questions.
//!
//! The function needs no AWS permissions beyond writing its logs. Build the
//! zip that Lambda runs with [cargo-lambda](https://www.cargo-lambda.info/)
//! (`pip install cargo-lambda`):
//!
//! ```sh
//! cargo lambda build --release --output-format zip -p auth-challenge-create
//! # target/lambda/auth-challenge-create/bootstrap.zip, runtime provided.al2023
//! ```

use aws_lambda_events::event::cognito::CognitoEventUserPoolsCreateAuthChallenge;

/// The event Cognito sends to create a challenge, and the answer.
pub type CreateAuthChallengeEvent = CognitoEventUserPoolsCreateAuthChallenge;

/// The only challenge this function makes up.
pub const CUSTOM_CHALLENGE: &str = "CUSTOM_CHALLENGE";
/// Where the app finds the captcha picture (public).
pub const CAPTCHA_URL: &str = "url/123.jpg";
/// What the captcha shows (private).
pub const CAPTCHA_ANSWER: &str = "5";
/// The second challenge's question (public).
pub const SECURITY_QUESTION: &str = "Who is your favorite team mascot?";
/// The answer to it (private).
pub const SECURITY_ANSWER: &str = "Peccy";

// snippet-start:[rust.cognito-idp.lambda-triggers.AuthChallengeCreate]
/// Fills in the public and private parameters of the custom challenge that
/// comes after the challenges in `request.session`.
pub fn create_auth_challenge(mut event: CreateAuthChallengeEvent) -> CreateAuthChallengeEvent {
    if event.request.challenge_name.as_deref() != Some(CUSTOM_CHALLENGE) {
        return event;
    }
    let (public, private) = match event.request.session.len() {
        // After SRP_A and PASSWORD_VERIFIER: the captcha.
        2 => (("captchaUrl", CAPTCHA_URL), CAPTCHA_ANSWER),
        // After the captcha: the security question.
        3 => (("securityQuestion", SECURITY_QUESTION), SECURITY_ANSWER),
        _ => return event,
    };
    let response = &mut event.response;
    response.public_challenge_parameters = [(public.0.to_string(), public.1.to_string())].into();
    response.private_challenge_parameters = [("answer".to_string(), private.to_string())].into();
    event
}
// snippet-end:[rust.cognito-idp.lambda-triggers.AuthChallengeCreate]

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A CreateAuthChallenge event as Cognito sends it (the developer
    /// guide's sample), with the challenge name and session given.
    fn event(challenge_name: &str, session: Value) -> CreateAuthChallengeEvent {
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
                "triggerSource": "CreateAuthChallenge_Authentication",
                "request": {
                    "userAttributes": {
                        "sub": "4A709A36-7D63-4785-829D-4198EF10EBDA",
                        "email_verified": "true",
                        "email": "testuser@example.com"
                    },
                    "challengeName": "CUSTOM_CHALLENGE",
                    "session": [],
                    "userNotFound": false
                },
                "response": {
                    "publicChallengeParameters": null,
                    "privateChallengeParameters": null,
                    "challengeMetadata": null
                }
            }"#,
        )
        .expect("sample JSON");
        sample["request"]["challengeName"] = json!(challenge_name);
        sample["request"]["session"] = session;
        serde_json::from_value(sample).expect("a CreateAuthChallenge event")
    }

    fn step(name: &str) -> Value {
        json!({"challengeName": name, "challengeResult": true, "challengeMetadata": null})
    }

    fn response(event: &CreateAuthChallengeEvent) -> Value {
        serde_json::to_value(event).expect("serialisable")["response"].clone()
    }

    #[test]
    fn after_the_password_the_captcha() {
        let answered = create_auth_challenge(event(
            CUSTOM_CHALLENGE,
            json!([step("SRP_A"), step("PASSWORD_VERIFIER")]),
        ));
        assert_eq!(
            response(&answered),
            json!({
                "publicChallengeParameters": {"captchaUrl": "url/123.jpg"},
                "privateChallengeParameters": {"answer": "5"},
                "challengeMetadata": null
            })
        );
    }

    #[test]
    fn after_the_captcha_the_security_question() {
        let answered = create_auth_challenge(event(
            CUSTOM_CHALLENGE,
            json!([
                step("SRP_A"),
                step("PASSWORD_VERIFIER"),
                step(CUSTOM_CHALLENGE)
            ]),
        ));
        assert_eq!(
            response(&answered),
            json!({
                "publicChallengeParameters": {"securityQuestion": "Who is your favorite team mascot?"},
                "privateChallengeParameters": {"answer": "Peccy"},
                "challengeMetadata": null
            })
        );
    }

    #[test]
    fn other_challenges_and_sessions_are_left_alone() {
        for sent in [
            event("PASSWORD_VERIFIER", json!([step("SRP_A")])),
            event("SMS_MFA", json!([step("SRP_A"), step("PASSWORD_VERIFIER")])),
            event(CUSTOM_CHALLENGE, json!([step("SRP_A")])),
            event(
                CUSTOM_CHALLENGE,
                json!([
                    step("SRP_A"),
                    step("PASSWORD_VERIFIER"),
                    step(CUSTOM_CHALLENGE),
                    step(CUSTOM_CHALLENGE)
                ]),
            ),
        ] {
            assert_eq!(create_auth_challenge(sent.clone()), sent);
        }
    }
}
