//! The pool's Lambda triggers: PreSignUp, PostConfirmation,
//! PreAuthentication and PostAuthentication here; the others in submodules
//! (below). They run through the emulator's own Lambda service when the
//! pool's `LambdaConfig` names a function.
//!
//! Each trigger gets the documented event (`version`, `region`,
//! `userPoolId`, `userName`, `callerContext`, `triggerSource`, `request`,
//! `response`), is invoked synchronously as `cognito-idp.amazonaws.com` on
//! behalf of the pool (so the function's resource policy must allow it, as
//! in AWS), and Cognito waits at most 5 seconds. Failures are reported as
//! Cognito reports them:
//!
//! - the function fails → `UserLambdaValidationException`
//!   ("PreSignUp failed with error {message}.");
//! - Cognito may not invoke it (no permission, or no such function) →
//!   `UnexpectedLambdaException` ("PreSignUp invocation failed due to error
//!   AccessDeniedException.");
//! - no answer within 5 seconds → `UnexpectedLambdaException` ("... failed
//!   due to error Socket timeout while invoking Lambda function.");
//! - an answer that is not the event → `InvalidLambdaResponseException`.
//!
//! This module holds what every trigger shares (the event's common part,
//! the invocation and its errors) and the sign-up and sign-in triggers of
//! the first release. Each later trigger family lives in its own submodule
//! and adds its methods to [`Triggers`]:
//! `messages` (CustomMessage), `token_generation` (PreTokenGeneration V1
//! and V2), `migration` (UserMigration) and `custom_auth` (Define, Create
//! and VerifyAuthChallenge).

pub(crate) mod custom_auth;

// CustomMessage: every message the pool sends.
mod messages;

mod migration;
mod token_generation;

pub(crate) use token_generation::{TokenSource, check_feature_plan};

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::errors;
use super::input::Input;
use super::state::clients::AppClient;
use super::state::pool::Pool;
use super::state::users::User;
use crate::aws_json::ServiceError;
use crate::lambda::{InvokeError, LambdaService};

/// How long Cognito waits for a trigger.
const TRIGGER_TIMEOUT: Duration = Duration::from_secs(5);
/// The service principal Cognito invokes functions as.
const PRINCIPAL: &str = "cognito-idp.amazonaws.com";
/// `callerContext.clientId` of the admin operations.
const NO_CLIENT: &str = "CLIENT_ID_NOT_APPLICABLE";
/// `callerContext.awsSdkVersion`: the emulator does not know the caller's SDK.
const SDK_VERSION: &str = "aws-sdk-unknown-unknown";

/// What caused a PreSignUp or PostConfirmation event (`triggerSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TriggerSource {
    SignUp,
    AdminCreateUser,
    ConfirmSignUp,
    ConfirmForgotPassword,
}

/// The parts of a PreSignUp response that take effect.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PreSignUpResponse {
    pub auto_confirm_user: bool,
    pub auto_verify_email: bool,
    pub auto_verify_phone: bool,
}

/// Who made the request that fires a trigger, and what it passed along.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Caller<'a> {
    /// The app client (`None` for the admin operations).
    pub client_id: Option<&'a str>,
    /// `ClientMetadata` of the request.
    pub client_metadata: Option<&'a Value>,
    /// `ValidationData` of the request (a list of name/value pairs).
    pub validation_data: Option<&'a Value>,
}

impl<'a> Caller<'a> {
    /// The caller of a request: its client (if any), `ClientMetadata` and `ValidationData`.
    pub fn new(client_id: Option<&'a str>, input: &Input<'a>) -> Self {
        Caller {
            client_id,
            client_metadata: input.value("ClientMetadata"),
            validation_data: input.value("ValidationData"),
        }
    }

    /// A caller known only by its client.
    pub fn client(client_id: &'a str) -> Self {
        Caller {
            client_id: Some(client_id),
            ..Caller::default()
        }
    }

    fn caller_context(&self) -> Value {
        json!({
            "awsSdkVersion": SDK_VERSION,
            "clientId": self.client_id.unwrap_or(NO_CLIENT),
        })
    }
}

/// `[{"Name","Value"}]` (ValidationData) as the event's map; `null` when absent.
fn name_value_map(list: Option<&Value>) -> Value {
    match list.and_then(Value::as_array) {
        None => Value::Null,
        Some(items) => Value::Object(
            items
                .iter()
                .filter_map(|item| {
                    let name = item.get("Name")?.as_str()?;
                    let value = item.get("Value").and_then(Value::as_str).unwrap_or("");
                    Some((name.to_owned(), json!(value)))
                })
                .collect(),
        ),
    }
}

/// A user's attributes as triggers see them: `sub`, the stored attributes
/// and `cognito:user_status`.
fn user_attributes(user: &User) -> Value {
    let mut attributes = Map::new();
    attributes.insert("sub".into(), json!(user.sub.to_string()));
    for (name, value) in &user.attributes {
        attributes.insert(name.to_string(), json!(&**value));
    }
    attributes.insert("cognito:user_status".into(), json!(user.status.as_str()));
    Value::Object(attributes)
}

/// The trigger runner of one emulator.
pub(crate) struct Triggers {
    lambda: Arc<LambdaService>,
    region: String,
}

impl Triggers {
    pub fn new(lambda: Arc<LambdaService>, region: &str) -> Self {
        Triggers {
            lambda,
            region: region.to_owned(),
        }
    }

    /// The function the pool's `LambdaConfig` names for `trigger`.
    fn function(pool: &Pool, trigger: &str) -> Option<String> {
        pool.settings()
            .request
            .get("LambdaConfig")?
            .get(trigger)?
            .as_str()
            .filter(|arn| !arn.is_empty())
            .map(str::to_owned)
    }

    /// The common part of every event.
    fn event(
        &self,
        pool: &Pool,
        source: &str,
        username: &str,
        caller: &Caller<'_>,
        request: Value,
        response: Value,
    ) -> Value {
        json!({
            "version": "1",
            "region": self.region,
            "userPoolId": &*pool.id,
            "userName": username,
            "callerContext": caller.caller_context(),
            "triggerSource": source,
            "request": request,
            "response": response,
        })
    }

    /// Invokes `function` with `event`; Cognito's errors for every failure.
    async fn invoke(
        &self,
        pool: &Pool,
        trigger: &str,
        function: &str,
        event: Value,
    ) -> Result<Value, ServiceError> {
        let unexpected = |cause: &str| errors::lambda_invocation_failed(trigger, cause);
        let started = std::time::Instant::now();
        let outcome = self
            .lambda
            .invoke_as_service(function, PRINCIPAL, &pool.arn, event, TRIGGER_TIMEOUT)
            .await;
        tracing::debug!(
            trigger,
            micros = started.elapsed().as_micros() as u64,
            ok = outcome.is_ok(),
            "trigger"
        );
        match outcome {
            Ok(answer) => Ok(answer),
            Err(InvokeError::FunctionError { message, .. }) => {
                Err(errors::user_lambda_validation(trigger, &message))
            }
            // Without the function there is no policy granting Cognito either.
            Err(InvokeError::AccessDenied | InvokeError::NotFound) => {
                Err(unexpected("AccessDeniedException"))
            }
            Err(InvokeError::Timeout) => {
                Err(unexpected("Socket timeout while invoking Lambda function"))
            }
            Err(InvokeError::Unavailable { code, .. }) => Err(unexpected(code)),
        }
    }

    /// PreSignUp (`PreSignUp_SignUp`, `PreSignUp_AdminCreateUser`): the
    /// function may refuse the user or confirm and verify them.
    pub async fn pre_sign_up(
        &self,
        pool: &Pool,
        source: TriggerSource,
        username: &str,
        attributes: &[(&str, &str)],
        caller: Caller<'_>,
    ) -> Result<PreSignUpResponse, ServiceError> {
        let Some(function) = Self::function(pool, "PreSignUp") else {
            return Ok(PreSignUpResponse::default());
        };
        let source = match source {
            TriggerSource::AdminCreateUser => "PreSignUp_AdminCreateUser",
            _ => "PreSignUp_SignUp",
        };
        let user_attributes: Map<String, Value> = attributes
            .iter()
            .map(|(name, value)| ((*name).to_owned(), json!(value)))
            .collect();
        let mut request = json!({
            "userAttributes": user_attributes,
            "validationData": name_value_map(caller.validation_data),
        });
        if let Some(metadata) = caller.client_metadata {
            request["clientMetadata"] = metadata.clone();
        }
        let event = self.event(
            pool,
            source,
            username,
            &caller,
            request,
            json!({
                "autoConfirmUser": false,
                "autoVerifyEmail": false,
                "autoVerifyPhone": false,
            }),
        );
        let answer = self.invoke(pool, "PreSignUp", &function, event).await?;
        let response = answer
            .as_object()
            .and_then(|a| a.get("response"))
            .and_then(Value::as_object)
            .ok_or_else(errors::unrecognizable_lambda_output)?;
        let flag = |name: &str| match response.get(name) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(errors::unrecognizable_lambda_output()),
        };
        Ok(PreSignUpResponse {
            auto_confirm_user: flag("autoConfirmUser")?,
            auto_verify_email: flag("autoVerifyEmail")?,
            auto_verify_phone: flag("autoVerifyPhone")?,
        })
    }

    /// PostConfirmation (`PostConfirmation_ConfirmSignUp`,
    /// `PostConfirmation_ConfirmForgotPassword`).
    pub async fn post_confirmation(
        &self,
        pool: &Pool,
        source: TriggerSource,
        username: &str,
        caller: Caller<'_>,
    ) -> Result<(), ServiceError> {
        let Some(function) = Self::function(pool, "PostConfirmation") else {
            return Ok(());
        };
        let Some(attributes) = self.stored_attributes(pool, username) else {
            return Ok(());
        };
        let mut request = json!({ "userAttributes": attributes });
        if let Some(metadata) = caller.client_metadata {
            request["clientMetadata"] = metadata.clone();
        }
        let source = match source {
            TriggerSource::ConfirmForgotPassword => "PostConfirmation_ConfirmForgotPassword",
            _ => "PostConfirmation_ConfirmSignUp",
        };
        let event = self.event(pool, source, username, &caller, request, json!({}));
        self.invoke(pool, "PostConfirmation", &function, event)
            .await
            .map(drop)
    }

    /// PreAuthentication (before the password is checked). For a user that
    /// does not exist it runs only when the client hides that
    /// (`PreventUserExistenceErrors`), with `userNotFound: true`.
    pub async fn pre_authentication(
        &self,
        pool: &Pool,
        client: &AppClient,
        name: &str,
    ) -> Result<(), ServiceError> {
        let Some(function) = Self::function(pool, "PreAuthentication") else {
            return Ok(());
        };
        let found = {
            let settings = pool.settings();
            let table = pool.users.lock();
            table
                .resolve(&settings, name)
                .and_then(|key| table.users().get(&key))
                .map(|user| (user.username.to_string(), user_attributes(user)))
        };
        let (username, request) = match found {
            Some((username, attributes)) => (
                username,
                json!({ "userAttributes": attributes, "validationData": Value::Null }),
            ),
            None if client.prevent_user_existence_errors => (
                name.to_owned(),
                json!({ "userAttributes": {}, "validationData": Value::Null, "userNotFound": true }),
            ),
            None => return Ok(()),
        };
        let caller = Caller::client(&client.id);
        let event = self.event(
            pool,
            "PreAuthentication_Authentication",
            &username,
            &caller,
            request,
            json!({}),
        );
        self.invoke(pool, "PreAuthentication", &function, event)
            .await
            .map(drop)
    }

    /// PostAuthentication (after a successful sign-in, before tokens are returned).
    pub async fn post_authentication(
        &self,
        pool: &Pool,
        client_id: &str,
        username: &str,
        new_device_used: bool,
    ) -> Result<(), ServiceError> {
        let Some(function) = Self::function(pool, "PostAuthentication") else {
            return Ok(());
        };
        let Some(attributes) = self.stored_attributes(pool, username) else {
            return Ok(());
        };
        let event = self.event(
            pool,
            "PostAuthentication_Authentication",
            username,
            &Caller::client(client_id),
            json!({ "userAttributes": attributes, "newDeviceUsed": new_device_used }),
            json!({}),
        );
        self.invoke(pool, "PostAuthentication", &function, event)
            .await
            .map(drop)
    }

    /// The attributes of the user stored under `username`.
    fn stored_attributes(&self, pool: &Pool, username: &str) -> Option<Value> {
        let settings = pool.settings();
        let table = pool.users.lock();
        table
            .users()
            .get(&settings.user_key(username))
            .map(user_attributes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_data_becomes_a_map_or_null() {
        let list = json!([{"Name": "a", "Value": "1"}, {"Name": "b", "Value": "2"}]);
        assert_eq!(name_value_map(Some(&list)), json!({"a": "1", "b": "2"}));
        assert_eq!(name_value_map(None), Value::Null);
    }

    #[test]
    fn admin_callers_have_no_client() {
        assert_eq!(
            Caller::default().caller_context()["clientId"],
            json!("CLIENT_ID_NOT_APPLICABLE")
        );
        assert_eq!(
            Caller::client("abc").caller_context()["clientId"],
            json!("abc")
        );
    }
}
