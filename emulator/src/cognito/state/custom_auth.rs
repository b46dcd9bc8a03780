//! The custom authentication flow (`CUSTOM_AUTH`): what a sign-in carries
//! from one round to the next, and the decision over what the
//! DefineAuthChallenge function answered, as plain data so each rule is
//! tested on its own.
//!
//! The rounds, from the developer guide ("Custom authentication challenge
//! Lambda triggers", "Define auth challenge"): Cognito calls
//! DefineAuthChallenge with the `session` so far (one `ChallengeResult` per
//! challenge, oldest first); its answer fails the sign-in, issues tokens, or
//! names the next challenge. `CUSTOM_CHALLENGE` is made by
//! CreateAuthChallenge and checked by VerifyAuthChallengeResponse;
//! `PASSWORD_VERIFIER` is the SRP proof, offered when the sign-in started
//! with `CHALLENGE_NAME: SRP_A` (the session then opens with `SRP_A`,
//! result true).

use serde_json::{Map, Value, json};

use crate::aws_json::ServiceError;
use crate::cognito::errors;

/// `challengeName` of the session's first entry when the client sent SRP_A.
pub(crate) const SRP_A: &str = "SRP_A";
/// The SRP proof, inside or outside a custom flow.
pub(crate) const PASSWORD_VERIFIER: &str = "PASSWORD_VERIFIER";
/// A challenge made by CreateAuthChallenge.
pub(crate) const CUSTOM_CHALLENGE: &str = "CUSTOM_CHALLENGE";

/// The most entries a custom sign-in's session may hold before Cognito ends
/// it. AWS bounds the rounds of one sign-in but documents no number (the
/// developer guide pages of the three triggers and of the authentication
/// flows were searched); every flow of the guide and of the AWS SDK examples
/// needs at most five entries (SRP_A, PASSWORD_VERIFIER, three challenges),
/// so this leaves generous room while keeping a session's size bounded.
pub(crate) const MAX_SESSION_ENTRIES: usize = 16;

/// One entry of the `session` the triggers see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChallengeResult {
    pub challenge_name: &'static str,
    pub challenge_result: bool,
    /// CreateAuthChallenge's `challengeMetadata` (custom challenges only).
    pub challenge_metadata: Option<String>,
}

impl ChallengeResult {
    /// The entry as the event carries it (`challengeMetadata` is `null`
    /// when the challenge had none, as in the events AWS sends).
    pub fn event(&self) -> Value {
        json!({
            "challengeName": self.challenge_name,
            "challengeResult": self.challenge_result,
            "challengeMetadata": self.challenge_metadata,
        })
    }
}

/// A custom sign-in between two rounds.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct CustomAuth {
    /// The challenges so far, oldest first.
    pub session: Vec<ChallengeResult>,
    /// No user has the name signed in with (the client hides that:
    /// `PreventUserExistenceErrors` is ENABLED). The triggers are told;
    /// the sign-in can only fail.
    pub user_not_found: bool,
    /// The pending custom challenge's `privateChallengeParameters`, kept
    /// for VerifyAuthChallengeResponse and never shown to the client.
    pub private_parameters: Map<String, Value>,
    /// The pending custom challenge's `challengeMetadata`.
    pub challenge_metadata: Option<String>,
}

impl CustomAuth {
    /// A new sign-in; `srp_first` when the client sent `CHALLENGE_NAME: SRP_A`.
    pub fn new(user_not_found: bool, srp_first: bool) -> Self {
        let mut flow = CustomAuth {
            user_not_found,
            ..CustomAuth::default()
        };
        if srp_first {
            flow.record(SRP_A, true, None);
        }
        flow
    }

    /// Appends the outcome of a challenge to the session.
    pub fn record(&mut self, name: &'static str, result: bool, metadata: Option<String>) {
        self.session.push(ChallengeResult {
            challenge_name: name,
            challenge_result: result,
            challenge_metadata: metadata,
        });
    }

    /// Appends the pending custom challenge's outcome (with its metadata)
    /// and forgets its private parameters.
    pub fn record_custom_answer(&mut self, correct: bool) {
        self.private_parameters = Map::new();
        let metadata = self.challenge_metadata.take();
        self.record(CUSTOM_CHALLENGE, correct, metadata);
    }

    /// Whether the user proved the password (SRP) in this sign-in.
    pub fn password_verified(&self) -> bool {
        self.session
            .iter()
            .any(|entry| entry.challenge_name == PASSWORD_VERIFIER && entry.challenge_result)
    }

    /// The `session` member of the events.
    pub fn session_event(&self) -> Value {
        Value::Array(self.session.iter().map(ChallengeResult::event).collect())
    }
}

/// What DefineAuthChallenge answered (`response`), read from its output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DefineAnswer {
    pub challenge_name: Option<String>,
    pub issue_tokens: bool,
    pub fail_authentication: bool,
}

/// What Cognito does after a DefineAuthChallenge answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NextRound {
    /// End the sign-in with `NotAuthorizedException`.
    Fail,
    /// The challenges are done: on to MFA, device and tokens.
    Tokens,
    /// Ask for the SRP proof (PASSWORD_VERIFIER).
    PasswordVerifier,
    /// Ask CreateAuthChallenge for a custom challenge.
    CustomChallenge,
}

/// The next round after `answer`. `srp_pending`: the client sent SRP_A and
/// has not proved the password yet, so a PASSWORD_VERIFIER can be issued.
///
/// A failure wins over tokens, tokens over a challenge. A sign-in of a user
/// that does not exist never gets tokens (it fails as a wrong answer
/// would, so the caller learns nothing). A challenge name Cognito cannot
/// issue here, or no decision at all, is an answer Cognito cannot use.
pub(crate) fn next_round(
    answer: &DefineAnswer,
    flow: &CustomAuth,
    srp_pending: bool,
) -> Result<NextRound, ServiceError> {
    if answer.fail_authentication {
        return Ok(NextRound::Fail);
    }
    if answer.issue_tokens {
        return Ok(if flow.user_not_found {
            NextRound::Fail
        } else {
            NextRound::Tokens
        });
    }
    let next = match answer.challenge_name.as_deref() {
        Some(CUSTOM_CHALLENGE) => NextRound::CustomChallenge,
        Some(PASSWORD_VERIFIER) if srp_pending => NextRound::PasswordVerifier,
        _ => return Err(errors::unrecognizable_lambda_output()),
    };
    if flow.session.len() >= MAX_SESSION_ENTRIES {
        return Ok(NextRound::Fail);
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn define(name: Option<&str>, issue: bool, fail: bool) -> DefineAnswer {
        DefineAnswer {
            challenge_name: name.map(str::to_owned),
            issue_tokens: issue,
            fail_authentication: fail,
        }
    }

    #[test]
    fn an_srp_first_session_opens_with_srp_a() {
        let flow = CustomAuth::new(false, true);
        assert_eq!(
            flow.session_event(),
            json!([{"challengeName": "SRP_A", "challengeResult": true, "challengeMetadata": null}])
        );
        assert!(CustomAuth::new(false, false).session.is_empty());
        assert!(!flow.password_verified());
    }

    #[test]
    fn a_custom_answer_keeps_its_metadata_and_drops_the_private_parameters() {
        let mut flow = CustomAuth::new(false, false);
        flow.private_parameters.insert("answer".into(), json!("5"));
        flow.challenge_metadata = Some("CAPTCHA".into());
        flow.record_custom_answer(false);
        assert!(flow.private_parameters.is_empty());
        assert_eq!(flow.challenge_metadata, None);
        assert_eq!(
            flow.session_event(),
            json!([{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false, "challengeMetadata": "CAPTCHA"}])
        );
    }

    #[test]
    fn the_password_counts_only_when_verified() {
        let mut flow = CustomAuth::new(false, true);
        flow.record(PASSWORD_VERIFIER, false, None);
        assert!(!flow.password_verified());
        flow.record(PASSWORD_VERIFIER, true, None);
        assert!(flow.password_verified());
    }

    #[test]
    fn failure_wins_over_tokens_and_tokens_over_a_challenge() {
        let flow = CustomAuth::new(false, false);
        let both = define(Some(CUSTOM_CHALLENGE), true, true);
        assert_eq!(next_round(&both, &flow, false).unwrap(), NextRound::Fail);
        let tokens = define(Some(CUSTOM_CHALLENGE), true, false);
        assert_eq!(
            next_round(&tokens, &flow, false).unwrap(),
            NextRound::Tokens
        );
        let challenge = define(Some(CUSTOM_CHALLENGE), false, false);
        assert_eq!(
            next_round(&challenge, &flow, false).unwrap(),
            NextRound::CustomChallenge
        );
    }

    #[test]
    fn an_unknown_user_never_gets_tokens() {
        let flow = CustomAuth::new(true, false);
        let tokens = define(None, true, false);
        assert_eq!(next_round(&tokens, &flow, false).unwrap(), NextRound::Fail);
        // Challenges still run, so the caller cannot tell.
        let challenge = define(Some(CUSTOM_CHALLENGE), false, false);
        assert_eq!(
            next_round(&challenge, &flow, false).unwrap(),
            NextRound::CustomChallenge
        );
    }

    #[test]
    fn the_password_verifier_only_while_srp_a_waits() {
        let flow = CustomAuth::new(false, true);
        let verifier = define(Some(PASSWORD_VERIFIER), false, false);
        assert_eq!(
            next_round(&verifier, &flow, true).unwrap(),
            NextRound::PasswordVerifier
        );
        let refused = next_round(&verifier, &flow, false).unwrap_err();
        assert_eq!(refused.code, "InvalidLambdaResponseException");
    }

    #[test]
    fn no_decision_or_an_unknown_challenge_is_an_unusable_answer() {
        let flow = CustomAuth::new(false, false);
        for answer in [
            define(None, false, false),
            define(Some("SMS_MFA"), false, false),
            define(Some(""), false, false),
        ] {
            let error = next_round(&answer, &flow, false).unwrap_err();
            assert_eq!(error.code, "InvalidLambdaResponseException", "{answer:?}");
        }
    }

    #[test]
    fn the_rounds_are_bounded() {
        let mut flow = CustomAuth::new(false, false);
        let challenge = define(Some(CUSTOM_CHALLENGE), false, false);
        for _ in 0..MAX_SESSION_ENTRIES - 1 {
            flow.record(CUSTOM_CHALLENGE, false, None);
        }
        assert_eq!(
            next_round(&challenge, &flow, false).unwrap(),
            NextRound::CustomChallenge
        );
        flow.record(CUSTOM_CHALLENGE, false, None);
        assert_eq!(
            next_round(&challenge, &flow, false).unwrap(),
            NextRound::Fail
        );
        // Tokens are still the function's to give at the limit.
        let tokens = define(None, true, false);
        assert_eq!(
            next_round(&tokens, &flow, false).unwrap(),
            NextRound::Tokens
        );
    }
}
