//! A Cognito **VerifyAuthChallengeResponse** trigger: it checks the user's
//! answer to a custom challenge of a custom sign-in (`AuthFlow`
//! `CUSTOM_AUTH`). The answer is correct when it is exactly the `answer`
//! that the CreateAuthChallenge function `auth-challenge-create` put in the
//! challenge's private parameters.
//!
//! Cognito calls it when the user answers a `CUSTOM_CHALLENGE`
//! (RespondToAuthChallenge with `ChallengeResponses` `ANSWER`), with
//! `request.challengeAnswer` and `request.privateChallengeParameters`. The
//! function answers `answerCorrect`; Cognito records it in the session and
//! asks the DefineAuthChallenge function `auth-challenge-define` what comes
//! next.
//!
//! The function needs no AWS permissions beyond writing its logs. Build the
//! zip that Lambda runs with [cargo-lambda](https://www.cargo-lambda.info/)
//! (`pip install cargo-lambda`):
//!
//! ```sh
//! cargo lambda build --release --output-format zip -p auth-challenge-verify
//! # target/lambda/auth-challenge-verify/bootstrap.zip, runtime provided.al2023
//! ```

use aws_lambda_events::event::cognito::CognitoEventUserPoolsVerifyAuthChallenge;

/// The event Cognito sends to check an answer, and the verdict.
pub type VerifyAuthChallengeEvent = CognitoEventUserPoolsVerifyAuthChallenge;

// snippet-start:[rust.cognito-idp.lambda-triggers.AuthChallengeVerify]
/// Sets `answerCorrect` when the user's answer is the expected `answer`
/// (compared exactly: `peccy` is not `Peccy`). No expected answer, or no
/// answer at all, is never correct.
pub fn verify_auth_challenge(mut event: VerifyAuthChallengeEvent) -> VerifyAuthChallengeEvent {
    let expected = event.request.private_challenge_parameters.get("answer");
    let given = event
        .request
        .challenge_answer
        .as_ref()
        .and_then(|answer| answer.as_str());
    event.response.answer_correct =
        matches!((expected, given), (Some(expected), Some(given)) if expected == given);
    event
}
// snippet-end:[rust.cognito-idp.lambda-triggers.AuthChallengeVerify]

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A VerifyAuthChallengeResponse event as Cognito sends it (the
    /// developer guide's sample), with the expected answer and the user's.
    fn event(expected: Option<&str>, given: Value) -> VerifyAuthChallengeEvent {
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
                "triggerSource": "VerifyAuthChallengeResponse_Authentication",
                "request": {
                    "userAttributes": {
                        "sub": "4A709A36-7D63-4785-829D-4198EF10EBDA",
                        "email_verified": "true",
                        "email": "testuser@example.com"
                    },
                    "privateChallengeParameters": {},
                    "challengeAnswer": null,
                    "userNotFound": false
                },
                "response": {
                    "answerCorrect": null
                }
            }"#,
        )
        .expect("sample JSON");
        if let Some(expected) = expected {
            sample["request"]["privateChallengeParameters"]["answer"] = json!(expected);
        }
        sample["request"]["challengeAnswer"] = given;
        serde_json::from_value(sample).expect("a VerifyAuthChallengeResponse event")
    }

    fn answer_correct(expected: Option<&str>, given: Value) -> Value {
        let answered = verify_auth_challenge(event(expected, given));
        serde_json::to_value(&answered).expect("serialisable")["response"]["answerCorrect"].clone()
    }

    #[test]
    fn the_expected_answer_is_correct() {
        assert_eq!(answer_correct(Some("5"), json!("5")), json!(true));
        assert_eq!(answer_correct(Some("Peccy"), json!("Peccy")), json!(true));
    }

    #[test]
    fn anything_else_is_not() {
        assert_eq!(answer_correct(Some("5"), json!("6")), json!(false));
        assert_eq!(answer_correct(Some("Peccy"), json!("peccy")), json!(false));
        assert_eq!(answer_correct(Some("5"), json!(" 5")), json!(false));
        assert_eq!(answer_correct(Some("5"), Value::Null), json!(false));
        // A number is not the string Cognito passes along.
        assert_eq!(answer_correct(Some("5"), json!(5)), json!(false));
        assert_eq!(answer_correct(None, json!("5")), json!(false));
        assert_eq!(answer_correct(None, json!("")), json!(false));
    }

    #[test]
    fn a_wrong_verdict_already_in_the_event_is_replaced() {
        let mut sent = event(Some("5"), json!("6"));
        sent.response.answer_correct = true;
        assert!(!verify_auth_challenge(sent).response.answer_correct);
    }
}
