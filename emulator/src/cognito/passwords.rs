//! Passwords: ForgotPassword, ConfirmForgotPassword, ChangePassword,
//! AdminSetUserPassword and AdminResetUserPassword. The rules (which
//! states may reset, where codes go, what each change does to the user's
//! status) live on `state::users::User`; password digests are computed
//! before the user table is locked.

use serde_json::json;

use super::srp::PasswordDigest;
use super::state::users::Delivery;
use super::triggers::{Caller, TriggerSource};
use super::users::{delivery_details, verification_template};
use super::{CognitoService, Input, Outcome, errors};
use crate::aws_json::ServiceError;

impl CognitoService {
    pub(super) async fn forgot_password(&self, input: &Input<'_>) -> Outcome {
        let (pool, client) = self.client(input.required("ClientId")?)?;
        let name = input.required("Username")?;
        self.migrate_on_forgot_password(&pool, &client, name, input)
            .await?;
        let settings = pool.settings();
        let secret_hash = input.str("SecretHash");
        let now = self.now_millis();
        let started = pool.users.update_named(&settings, name, |user| {
            client.check_secret_hash(secret_hash, &[name, &user.username])?;
            let (delivery, code) = user.start_password_reset(&settings, now)?;
            Ok::<_, ServiceError>((user.username.to_string(), delivery, code))
        });
        let Some(started) = started else {
            client.check_secret_hash(secret_hash, &[name])?;
            if client.prevent_user_existence_errors {
                let delivery = Delivery::simulated_recovery(&settings, name);
                return Ok(json!({ "CodeDeliveryDetails": delivery_details(&delivery) }));
            }
            return Err(errors::user_not_found_for_client());
        };
        let (username, delivery, code) = started?;
        self.send(
            &pool,
            &username,
            &delivery,
            "ForgotPassword",
            &code.digits(),
            verification_template(&settings, delivery.medium),
            Caller::new(Some(&*client.id), input),
        )
        .await?;
        Ok(json!({ "CodeDeliveryDetails": delivery_details(&delivery) }))
    }

    pub(super) async fn confirm_forgot_password(&self, input: &Input<'_>) -> Outcome {
        let (pool, client) = self.client(input.required("ClientId")?)?;
        let settings = pool.settings();
        let name = input.required("Username")?;
        let sent = input.required("ConfirmationCode")?;
        let password = input.required("Password")?;
        let secret_hash = input.str("SecretHash");
        let Some(username) = pool.users.stored_username(&settings, name) else {
            client.check_secret_hash(secret_hash, &[name])?;
            return Err(if client.prevent_user_existence_errors {
                errors::code_mismatch()
            } else {
                errors::user_not_found_for_client()
            });
        };
        client.check_secret_hash(secret_hash, &[name, &username])?;
        // The policy first, so that a refused password does not use up one
        // of the code's tries.
        settings.password_policy.check(password)?;
        let digest = PasswordDigest::new(&pool.srp_name, &username, password);
        let now = self.now_millis();
        pool.users
            .update_named(&settings, name, |user| {
                user.finish_password_reset(sent, digest, now)
            })
            .ok_or_else(errors::user_not_found_for_client)??;
        self.triggers
            .post_confirmation(
                &pool,
                TriggerSource::ConfirmForgotPassword,
                &username,
                Caller::new(Some(&*client.id), input),
            )
            .await?;
        Ok(json!({}))
    }

    pub(super) fn change_password(&self, input: &Input<'_>) -> Outcome {
        let caller = self.authenticate(input.required("AccessToken")?)?;
        let proposed = input.required("ProposedPassword")?;
        // Optional in the model only for users without a password
        // (passwordless sign-in), which this emulator does not have.
        let previous = input.required("PreviousPassword")?;
        let pool = &caller.pool;
        // As moto: the new password's policy before the old password.
        pool.settings().password_policy.check(proposed)?;
        let username = pool
            .users
            .read(&caller.user_key, |user| user.username.to_string())
            .ok_or_else(errors::access_token_revoked)?;
        let digest = PasswordDigest::new(&pool.srp_name, &username, proposed);
        let now = self.now_millis();
        pool.users
            .update(&caller.user_key, |user| {
                user.change_password(&pool.srp_name, previous, digest, now)
            })
            .ok_or_else(errors::access_token_revoked)??;
        Ok(json!({}))
    }

    pub(super) fn admin_set_user_password(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let settings = pool.settings();
        let name = input.required("Username")?;
        let password = input.required("Password")?;
        let permanent = input.bool("Permanent").unwrap_or(false);
        settings.password_policy.check(password)?;
        let username = pool
            .users
            .stored_username(&settings, name)
            .ok_or_else(errors::user_not_found)?;
        let digest = PasswordDigest::new(&pool.srp_name, &username, password);
        let validity = settings.password_policy.temporary_password_validity_days * 86_400;
        let temporary_until = (!permanent).then(|| self.now_secs() + validity);
        let now = self.now_millis();
        pool.users
            .update_named(&settings, name, |user| {
                user.admin_set_password(digest, temporary_until, now)
            })
            .ok_or_else(errors::user_not_found)?;
        Ok(json!({}))
    }

    pub(super) async fn admin_reset_user_password(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let settings = pool.settings();
        let name = input.required("Username")?;
        let now = self.now_millis();
        let (username, sent) = pool
            .users
            .update_named(&settings, name, |user| {
                let sent = user.admin_reset_password(&settings, now)?;
                Ok::<_, ServiceError>((user.username.to_string(), sent))
            })
            .ok_or_else(errors::user_not_found)??;
        if let Some((delivery, code)) = sent {
            self.send(
                &pool,
                &username,
                &delivery,
                "AdminResetUserPassword",
                &code.digits(),
                verification_template(&settings, delivery.medium),
                Caller::new(None, input),
            )
            .await?;
        }
        Ok(json!({}))
    }
}
