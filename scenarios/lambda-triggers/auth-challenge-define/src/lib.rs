//! A Cognito **DefineAuthChallenge** trigger: it decides, after each step of
//! a custom sign-in (`AuthFlow` `CUSTOM_AUTH`), what comes next. This one
//! asks for the user's password first (SRP), then two custom challenges (a
//! captcha, then a security question; the CreateAuthChallenge and
//! VerifyAuthChallengeResponse functions `auth-challenge-create` and
//! `auth-challenge-verify` set and check them), and issues tokens only when
//! all of them were answered correctly.
//!
//! Cognito calls it when a custom sign-in starts (InitiateAuth or
//! AdminInitiateAuth with `CUSTOM_AUTH`) and again after every answer
//! (RespondToAuthChallenge), with `request.session`: the challenges so far,
//! each with its name and whether it was answered correctly. The function
//! answers with the next `challengeName`, or `issueTokens`, or
//! `failAuthentication`.
//!
//! The sessions it accepts, and its answers:
//!
//! | session so far | answer |
//! |---|---|
//! | `SRP_A` (the client started SRP) | `PASSWORD_VERIFIER`: prove the password |
//! | ... then a correct `PASSWORD_VERIFIER` | `CUSTOM_CHALLENGE` (the captcha) |
//! | ... then a correct `CUSTOM_CHALLENGE` | `CUSTOM_CHALLENGE` (the security question) |
//! | ... then a correct `CUSTOM_CHALLENGE` | `issueTokens` |
//! | anything else (a wrong answer, another order) | `failAuthentication` |
//!
//! The app client must allow `ALLOW_CUSTOM_AUTH`. The function needs no AWS
//! permissions beyond writing its logs. Build the zip that Lambda runs with
//! [cargo-lambda](https://www.cargo-lambda.info/) (`pip install cargo-lambda`):
//!
//! ```sh
//! cargo lambda build --release --output-format zip -p auth-challenge-define
//! # target/lambda/auth-challenge-define/bootstrap.zip, runtime provided.al2023
//! ```

use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsChallengeResult, CognitoEventUserPoolsDefineAuthChallenge,
};

/// The event Cognito sends to decide the next step of a custom sign-in, and the answer.
pub type DefineAuthChallengeEvent = CognitoEventUserPoolsDefineAuthChallenge;

/// The first step of an SRP sign-in: the client sent its `SRP_A`.
pub const SRP_A: &str = "SRP_A";
/// The second step of an SRP sign-in: the client proves it knows the password.
pub const PASSWORD_VERIFIER: &str = "PASSWORD_VERIFIER";
/// A challenge the CreateAuthChallenge trigger makes up.
pub const CUSTOM_CHALLENGE: &str = "CUSTOM_CHALLENGE";

// snippet-start:[rust.cognito-idp.lambda-triggers.AuthChallengeDefine]
/// Answers `event` with the next step of the sign-in, from the challenges in
/// `request.session` so far.
pub fn define_auth_challenge(mut event: DefineAuthChallengeEvent) -> DefineAuthChallengeEvent {
    let session = &event.request.session;
    // The `n`th challenge (from 1), if the session has exactly `n` and it
    // is named `name` (and, unless it is the SRP start, was answered correctly).
    let last_is = |n: usize, name: &str, must_be_correct: bool| {
        session.len() == n
            && session[n - 1].as_ref().is_some_and(
                |challenge: &CognitoEventUserPoolsChallengeResult| {
                    challenge.challenge_name.as_deref() == Some(name)
                        && (!must_be_correct || challenge.challenge_result)
                },
            )
    };

    let response = &mut event.response;
    response.issue_tokens = false;
    response.fail_authentication = false;
    response.challenge_name = None;
    if last_is(1, SRP_A, false) {
        response.challenge_name = Some(PASSWORD_VERIFIER.to_string());
    } else if last_is(2, PASSWORD_VERIFIER, true) || last_is(3, CUSTOM_CHALLENGE, true) {
        response.challenge_name = Some(CUSTOM_CHALLENGE.to_string());
    } else if last_is(4, CUSTOM_CHALLENGE, true) {
        response.issue_tokens = true;
    } else {
        response.fail_authentication = true;
    }
    event
}
// snippet-end:[rust.cognito-idp.lambda-triggers.AuthChallengeDefine]

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A DefineAuthChallenge event as Cognito sends it (the developer
    /// guide's sample), with `session` as given.
    fn event(session: Value) -> DefineAuthChallengeEvent {
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
                "triggerSource": "DefineAuthChallenge_Authentication",
                "request": {
                    "userAttributes": {
                        "sub": "4A709A36-7D63-4785-829D-4198EF10EBDA",
                        "email_verified": "true",
                        "email": "testuser@example.com"
                    },
                    "session": [],
                    "userNotFound": false
                },
                "response": {
                    "challengeName": null,
                    "issueTokens": null,
                    "failAuthentication": null
                }
            }"#,
        )
        .expect("sample JSON");
        sample["request"]["session"] = session;
        serde_json::from_value(sample).expect("a DefineAuthChallenge event")
    }

    fn step(name: &str, correct: bool) -> Value {
        json!({"challengeName": name, "challengeResult": correct, "challengeMetadata": null})
    }

    /// The response as Cognito reads it.
    fn answer(session: Value) -> Value {
        let answered = define_auth_challenge(event(session));
        serde_json::to_value(&answered).expect("serialisable")["response"].clone()
    }

    #[test]
    fn an_srp_start_is_answered_with_the_password_verifier() {
        assert_eq!(
            answer(json!([step(SRP_A, false)])),
            json!({"challengeName": "PASSWORD_VERIFIER", "issueTokens": false, "failAuthentication": false})
        );
    }

    #[test]
    fn a_correct_password_leads_to_the_first_custom_challenge() {
        assert_eq!(
            answer(json!([step(SRP_A, false), step(PASSWORD_VERIFIER, true)])),
            json!({"challengeName": "CUSTOM_CHALLENGE", "issueTokens": false, "failAuthentication": false})
        );
    }

    #[test]
    fn a_correct_first_answer_leads_to_the_second_custom_challenge() {
        assert_eq!(
            answer(json!([
                step(SRP_A, false),
                step(PASSWORD_VERIFIER, true),
                step(CUSTOM_CHALLENGE, true)
            ])),
            json!({"challengeName": "CUSTOM_CHALLENGE", "issueTokens": false, "failAuthentication": false})
        );
    }

    #[test]
    fn two_correct_answers_issue_tokens() {
        assert_eq!(
            answer(json!([
                step(SRP_A, false),
                step(PASSWORD_VERIFIER, true),
                step(CUSTOM_CHALLENGE, true),
                step(CUSTOM_CHALLENGE, true)
            ])),
            json!({"challengeName": null, "issueTokens": true, "failAuthentication": false})
        );
    }

    #[test]
    fn a_wrong_answer_or_an_unexpected_session_fails_the_sign_in() {
        let failed =
            json!({"challengeName": null, "issueTokens": false, "failAuthentication": true});
        for session in [
            json!([]),
            json!([step(PASSWORD_VERIFIER, true)]),
            json!([step(SRP_A, false), step(PASSWORD_VERIFIER, false)]),
            json!([
                step(SRP_A, false),
                step(PASSWORD_VERIFIER, true),
                step(CUSTOM_CHALLENGE, false)
            ]),
            json!([
                step(SRP_A, false),
                step(PASSWORD_VERIFIER, true),
                step(CUSTOM_CHALLENGE, true),
                step(CUSTOM_CHALLENGE, false)
            ]),
            json!([
                step(SRP_A, false),
                step(PASSWORD_VERIFIER, true),
                step(CUSTOM_CHALLENGE, true),
                step(CUSTOM_CHALLENGE, true),
                step(CUSTOM_CHALLENGE, true)
            ]),
            // Skipping the password straight to a custom challenge.
            json!([step(SRP_A, false), step(CUSTOM_CHALLENGE, true)]),
        ] {
            assert_eq!(answer(session.clone()), failed, "session {session}");
        }
    }

    #[test]
    fn the_rest_of_the_event_goes_back_as_it_came() {
        let sent = event(json!([step(SRP_A, false)]));
        let answered = define_auth_challenge(sent.clone());
        assert_eq!(answered.request, sent.request);
        assert_eq!(
            answered.cognito_event_user_pools_header,
            sent.cognito_event_user_pools_header
        );
        let json = serde_json::to_value(&answered).expect("serialisable");
        assert_eq!(json["userName"], "testuser");
        assert_eq!(json["triggerSource"], "DefineAuthChallenge_Authentication");
    }
}
