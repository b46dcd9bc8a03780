//! The custom authentication triggers: DefineAuthChallenge,
//! CreateAuthChallenge and VerifyAuthChallengeResponse, with the events of
//! the developer guide pages of each ("Define auth challenge", "Create auth
//! challenge", "Verify auth challenge response").
//!
//! Every event carries `userAttributes` (empty for a user that does not
//! exist), `userNotFound` when the app client hides whether users exist
//! (`PreventUserExistenceErrors` ENABLED; "populated" only then, the guide
//! says), and `clientMetadata` when the request passed one (only
//! RespondToAuthChallenge does: the InitiateAuth reference lists Define
//! and Create among the triggers it invokes *without* ClientMetadata).

use serde_json::{Map, Value, json};

use super::{Caller, Triggers, user_attributes};
use crate::aws_json::ServiceError;
use crate::cognito::errors;
use crate::cognito::state::custom_auth::{CustomAuth, DefineAnswer};
use crate::cognito::state::pool::Pool;

/// Who a custom sign-in is for, as the events name them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Subject<'a> {
    /// The user's key in the pool's table (`None`: no such user).
    pub user_key: Option<&'a str>,
    /// `userName` of the events: the stored username, or the name sent.
    pub username: &'a str,
    /// The app client hides whether users exist.
    pub hides_users: bool,
}

/// What CreateAuthChallenge made.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct CreatedChallenge {
    /// Shown to the client as `ChallengeParameters`.
    pub public_parameters: Map<String, Value>,
    /// Kept for VerifyAuthChallengeResponse.
    pub private_parameters: Map<String, Value>,
    pub challenge_metadata: Option<String>,
}

impl Triggers {
    /// Whether the pool names a DefineAuthChallenge function (without one
    /// there is no custom flow).
    pub fn defines_auth_challenges(pool: &Pool) -> bool {
        Self::function(pool, "DefineAuthChallenge").is_some()
    }

    /// The function the pool names for one of the three, or AWS's error
    /// when it names none.
    fn challenge_function(pool: &Pool, trigger: &str) -> Result<String, ServiceError> {
        Self::function(pool, trigger).ok_or_else(errors::custom_auth_not_configured)
    }

    /// The request members every custom-auth event shares, for `subject`.
    fn custom_request(&self, pool: &Pool, subject: Subject<'_>, caller: &Caller<'_>) -> Value {
        let attributes = subject
            .user_key
            .and_then(|key| pool.users.read(key, user_attributes))
            .unwrap_or_else(|| json!({}));
        let mut request = json!({ "userAttributes": attributes });
        if let Some(metadata) = caller.client_metadata {
            request["clientMetadata"] = metadata.clone();
        }
        if subject.hides_users {
            request["userNotFound"] = json!(subject.user_key.is_none());
        }
        request
    }

    /// DefineAuthChallenge (`DefineAuthChallenge_Authentication`): the
    /// next step, given the session so far.
    pub async fn define_auth_challenge(
        &self,
        pool: &Pool,
        subject: Subject<'_>,
        caller: Caller<'_>,
        flow: &CustomAuth,
    ) -> Result<DefineAnswer, ServiceError> {
        let function = Self::challenge_function(pool, "DefineAuthChallenge")?;
        let mut request = self.custom_request(pool, subject, &caller);
        request["session"] = flow.session_event();
        let event = self.event(
            pool,
            "DefineAuthChallenge_Authentication",
            subject.username,
            &caller,
            request,
            json!({ "challengeName": null, "issueTokens": null, "failAuthentication": null }),
        );
        let answer = self
            .invoke(pool, "DefineAuthChallenge", &function, event)
            .await?;
        read_define(&answer)
    }

    /// CreateAuthChallenge (`CreateAuthChallenge_Authentication`): the
    /// challenge named `challenge_name`.
    pub async fn create_auth_challenge(
        &self,
        pool: &Pool,
        subject: Subject<'_>,
        caller: Caller<'_>,
        flow: &CustomAuth,
        challenge_name: &str,
    ) -> Result<CreatedChallenge, ServiceError> {
        let function = Self::challenge_function(pool, "CreateAuthChallenge")?;
        let mut request = self.custom_request(pool, subject, &caller);
        request["challengeName"] = json!(challenge_name);
        request["session"] = flow.session_event();
        let event = self.event(
            pool,
            "CreateAuthChallenge_Authentication",
            subject.username,
            &caller,
            request,
            json!({
                "publicChallengeParameters": null,
                "privateChallengeParameters": null,
                "challengeMetadata": null,
            }),
        );
        let answer = self
            .invoke(pool, "CreateAuthChallenge", &function, event)
            .await?;
        read_create(&answer)
    }

    /// VerifyAuthChallengeResponse
    /// (`VerifyAuthChallengeResponse_Authentication`): whether `answer`
    /// solves the pending challenge.
    pub async fn verify_auth_challenge_response(
        &self,
        pool: &Pool,
        subject: Subject<'_>,
        caller: Caller<'_>,
        flow: &CustomAuth,
        answer: &str,
    ) -> Result<bool, ServiceError> {
        let function = Self::challenge_function(pool, "VerifyAuthChallengeResponse")?;
        let mut request = self.custom_request(pool, subject, &caller);
        request["privateChallengeParameters"] = Value::Object(flow.private_parameters.clone());
        request["challengeAnswer"] = json!(answer);
        let event = self.event(
            pool,
            "VerifyAuthChallengeResponse_Authentication",
            subject.username,
            &caller,
            request,
            json!({ "answerCorrect": null }),
        );
        let output = self
            .invoke(pool, "VerifyAuthChallengeResponse", &function, event)
            .await?;
        let response = response_of(&output)?;
        flag(response, "answerCorrect")
    }
}

/// The `response` object of a function's output.
fn response_of(output: &Value) -> Result<&Map<String, Value>, ServiceError> {
    output
        .as_object()
        .and_then(|o| o.get("response"))
        .and_then(Value::as_object)
        .ok_or_else(errors::unrecognizable_lambda_output)
}

/// A boolean member (absent or `null` reads as false).
fn flag(response: &Map<String, Value>, name: &str) -> Result<bool, ServiceError> {
    match response.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(errors::unrecognizable_lambda_output()),
    }
}

/// A string member (absent or `null` reads as none).
fn text(response: &Map<String, Value>, name: &str) -> Result<Option<String>, ServiceError> {
    match response.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(errors::unrecognizable_lambda_output()),
    }
}

/// A map of strings (absent or `null` reads as empty). Numbers and
/// booleans are taken as their text, as a JavaScript function that sets
/// `attempts: 1` expects; nested values are refused.
fn string_map(
    response: &Map<String, Value>,
    name: &str,
) -> Result<Map<String, Value>, ServiceError> {
    let entries = match response.get(name) {
        None | Some(Value::Null) => return Ok(Map::new()),
        Some(Value::Object(entries)) => entries,
        Some(_) => return Err(errors::unrecognizable_lambda_output()),
    };
    entries
        .iter()
        .map(|(key, value)| {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return Err(errors::unrecognizable_lambda_output()),
            };
            Ok((key.clone(), Value::String(text)))
        })
        .collect()
}

/// DefineAuthChallenge's decision, from its output.
fn read_define(output: &Value) -> Result<DefineAnswer, ServiceError> {
    let response = response_of(output)?;
    Ok(DefineAnswer {
        challenge_name: text(response, "challengeName")?,
        issue_tokens: flag(response, "issueTokens")?,
        fail_authentication: flag(response, "failAuthentication")?,
    })
}

/// CreateAuthChallenge's challenge, from its output.
fn read_create(output: &Value) -> Result<CreatedChallenge, ServiceError> {
    let response = response_of(output)?;
    Ok(CreatedChallenge {
        public_parameters: string_map(response, "publicChallengeParameters")?,
        private_parameters: string_map(response, "privateChallengeParameters")?,
        challenge_metadata: text(response, "challengeMetadata")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn define_answers_are_read_with_nulls_as_false() {
        let answer = read_define(&json!({"response": {
            "challengeName": "CUSTOM_CHALLENGE", "issueTokens": null
        }}))
        .unwrap();
        assert_eq!(
            answer,
            DefineAnswer {
                challenge_name: Some("CUSTOM_CHALLENGE".into()),
                issue_tokens: false,
                fail_authentication: false,
            }
        );
        let tokens = read_define(&json!({"response": {"issueTokens": true}})).unwrap();
        assert!(tokens.issue_tokens);
    }

    #[test]
    fn define_answers_of_the_wrong_shape_are_refused() {
        for output in [
            json!("not an event"),
            json!({"request": {}}),
            json!({"response": {"issueTokens": "yes"}}),
            json!({"response": {"challengeName": 3}}),
        ] {
            let error = read_define(&output).unwrap_err();
            assert_eq!(error.code, "InvalidLambdaResponseException", "{output}");
        }
    }

    #[test]
    fn created_challenges_keep_strings_and_scalars_as_text() {
        let created = read_create(&json!({"response": {
            "publicChallengeParameters": {"captchaUrl": "url/123.jpg", "attempts": 1},
            "privateChallengeParameters": {"answer": "5", "strict": true},
            "challengeMetadata": "CAPTCHA_CHALLENGE",
        }}))
        .unwrap();
        assert_eq!(
            Value::Object(created.public_parameters),
            json!({"captchaUrl": "url/123.jpg", "attempts": "1"})
        );
        assert_eq!(
            Value::Object(created.private_parameters),
            json!({"answer": "5", "strict": "true"})
        );
        assert_eq!(
            created.challenge_metadata.as_deref(),
            Some("CAPTCHA_CHALLENGE")
        );
        let empty = read_create(&json!({"response": {}})).unwrap();
        assert_eq!(empty, CreatedChallenge::default());
        let nested = read_create(&json!({"response": {
            "publicChallengeParameters": {"question": {"text": "?"}}
        }}))
        .unwrap_err();
        assert_eq!(nested.code, "InvalidLambdaResponseException");
    }

    #[test]
    fn verify_answers_read_answer_correct() {
        let yes = json!({"response": {"answerCorrect": true}});
        assert!(flag(response_of(&yes).unwrap(), "answerCorrect").unwrap());
        let unset = json!({"response": {"answerCorrect": null}});
        assert!(!flag(response_of(&unset).unwrap(), "answerCorrect").unwrap());
        let wrong = json!({"response": {"answerCorrect": "true"}});
        assert!(flag(response_of(&wrong).unwrap(), "answerCorrect").is_err());
    }
}
