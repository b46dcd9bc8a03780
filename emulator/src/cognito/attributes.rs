//! Attributes: UpdateUserAttributes, AdminUpdateUserAttributes,
//! DeleteUserAttributes, AdminDeleteUserAttributes,
//! GetUserAttributeVerificationCode, VerifyUserAttribute and
//! AddCustomAttributes. The rules live in `state::attribute_changes` and
//! `state::attributes`; the app client's `ReadAttributes` and
//! `WriteAttributes` are read from what CreateUserPoolClient stored.

use serde_json::{Value, json};

use super::access::Caller;
use super::state::attribute_changes::{SentCode, Writer, client_attributes};
use super::state::clients::AppClient;
use super::state::pool::Pool;
use super::triggers;
use super::users::{delivery_details, verification_template};
use super::{CognitoService, Input, Outcome, errors};
use crate::aws_json::ServiceError;

impl CognitoService {
    /// Sends the codes an attribute change produced; their delivery details.
    async fn send_codes(
        &self,
        pool: &Pool,
        username: &str,
        sent: &[SentCode],
        trigger: &'static str,
        caller: triggers::Caller<'_>,
    ) -> Result<Vec<Value>, ServiceError> {
        let settings = pool.settings();
        let mut details = Vec::with_capacity(sent.len());
        for (delivery, code) in sent {
            self.send(
                pool,
                username,
                delivery,
                trigger,
                &code.digits(),
                verification_template(&settings, delivery.medium),
                caller,
            )
            .await?;
            details.push(delivery_details(delivery));
        }
        Ok(details)
    }

    /// The app client of an access token (`None` if it was deleted since).
    fn caller_client(&self, caller: &Caller) -> Option<std::sync::Arc<AppClient>> {
        caller.pool.client(&caller.client_id).ok()
    }

    pub(super) async fn update_user_attributes(&self, input: &Input<'_>) -> Outcome {
        let caller = self.authenticate(input.required("AccessToken")?)?;
        let updates = input.attributes("UserAttributes");
        let client = self.caller_client(&caller);
        let allowed = client
            .as_deref()
            .and_then(|c| client_attributes(c, "WriteAttributes"));
        let writer = Writer::User {
            write_attributes: allowed.as_deref(),
        };
        let settings = caller.pool.settings();
        let now = self.now_millis();
        let (username, sent) = caller
            .pool
            .users
            .change(&settings, &caller.user_key, false, |user| {
                let sent = user.update_attributes(&settings, &updates, writer, now)?;
                Ok::<_, ServiceError>((user.username.to_string(), sent))
            })
            .ok_or_else(errors::access_token_revoked)??;
        let details = self
            .send_codes(
                &caller.pool,
                &username,
                &sent,
                "UpdateUserAttribute",
                triggers::Caller::new(Some(&caller.client_id), input),
            )
            .await?;
        Ok(json!({ "CodeDeliveryDetailsList": details }))
    }

    pub(super) async fn admin_update_user_attributes(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let settings = pool.settings();
        let updates = input.attributes("UserAttributes");
        let now = self.now_millis();
        let (username, sent) = pool
            .users
            .change_named(&settings, input.required("Username")?, false, |user| {
                let sent = user.update_attributes(&settings, &updates, Writer::Admin, now)?;
                Ok::<_, ServiceError>((user.username.to_string(), sent))
            })
            .ok_or_else(errors::user_not_found)??;
        self.send_codes(
            &pool,
            &username,
            &sent,
            "UpdateUserAttribute",
            triggers::Caller::new(None, input),
        )
        .await?;
        Ok(json!({}))
    }

    pub(super) fn delete_user_attributes(&self, input: &Input<'_>) -> Outcome {
        let caller = self.authenticate(input.required("AccessToken")?)?;
        let names = input.strings("UserAttributeNames");
        let client = self.caller_client(&caller);
        let allowed = client
            .as_deref()
            .and_then(|c| client_attributes(c, "WriteAttributes"));
        let writer = Writer::User {
            write_attributes: allowed.as_deref(),
        };
        let settings = caller.pool.settings();
        let now = self.now_millis();
        caller
            .pool
            .users
            .change(&settings, &caller.user_key, false, |user| {
                user.delete_attributes(&settings, &names, writer, now)
            })
            .ok_or_else(errors::access_token_revoked)??;
        Ok(json!({}))
    }

    pub(super) fn admin_delete_user_attributes(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let settings = pool.settings();
        let names = input.strings("UserAttributeNames");
        let now = self.now_millis();
        pool.users
            .change_named(&settings, input.required("Username")?, false, |user| {
                user.delete_attributes(&settings, &names, Writer::Admin, now)
            })
            .ok_or_else(errors::user_not_found)??;
        Ok(json!({}))
    }

    pub(super) async fn get_user_attribute_verification_code(&self, input: &Input<'_>) -> Outcome {
        let caller = self.authenticate(input.required("AccessToken")?)?;
        let attribute = input.required("AttributeName")?;
        let now = self.now_millis();
        let (username, sent) = caller
            .pool
            .users
            .update(&caller.user_key, |user| {
                let sent = user.send_verification_code(attribute, now)?;
                Ok::<_, ServiceError>((user.username.to_string(), sent))
            })
            .ok_or_else(errors::access_token_revoked)??;
        let mut details = self
            .send_codes(
                &caller.pool,
                &username,
                &[sent],
                "VerifyUserAttribute",
                triggers::Caller::new(Some(&caller.client_id), input),
            )
            .await?;
        Ok(json!({ "CodeDeliveryDetails": details.pop() }))
    }

    pub(super) fn verify_user_attribute(&self, input: &Input<'_>) -> Outcome {
        let caller = self.authenticate(input.required("AccessToken")?)?;
        let attribute = input.required("AttributeName")?;
        let code = input.required("Code")?;
        let now = self.now_millis();
        let settings = caller.pool.settings();
        caller
            .pool
            .users
            .change(&settings, &caller.user_key, false, |user| {
                user.verify_attribute(attribute, code, now)
            })
            .ok_or_else(errors::access_token_revoked)??;
        Ok(json!({}))
    }

    pub(super) fn add_custom_attributes(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let requested = input
            .value("CustomAttributes")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let now = self.now_millis();
        pool.update_settings(|old| {
            let mut settings = old.clone();
            settings.schema = old.schema.with_custom(&requested)?;
            settings.last_modified = now;
            Ok::<_, ServiceError>(settings)
        })?;
        Ok(json!({}))
    }
}
