//! Users: SignUp, ConfirmSignUp, ResendConfirmationCode, AdminConfirmSignUp,
//! AdminCreateUser, AdminGetUser, AdminDeleteUser, AdminDisableUser,
//! AdminEnableUser, ListUsers, GetUser and DeleteUser. The users themselves
//! live in `state::users`.

use std::sync::Arc;

use serde_json::{Value, json};

use super::srp::PasswordDigest;
use super::state::attribute_changes::client_attributes;
use super::state::codes::CodePurpose;
use super::state::pool::Pool;
use super::state::settings::PoolSettings;
use super::state::user_filter::UserFilter;
use super::state::users::{Delivery, NewUsername, Taken, User, UserStatus, username_for};
use super::triggers::{Caller, TriggerSource};
use super::{CognitoService, Input, Outcome, epoch, errors};
use crate::aws_json::ServiceError;
use crate::outbox::{DeliveryMedium, Envelope};

/// `[{"Name","Value"}]` with `sub` first; only `wanted` names when given.
fn attributes_json(user: &User, wanted: &[&str]) -> Value {
    let sub = user.sub.to_string();
    let all = std::iter::once(("sub", sub.as_str()))
        .chain(user.attributes.iter().map(|(n, v)| (&**n, &**v)));
    Value::Array(
        all.filter(|(name, _)| wanted.is_empty() || wanted.contains(name))
            .map(|(name, value)| json!({"Name": name, "Value": value}))
            .collect(),
    )
}

/// The `UserType` of AdminCreateUser and ListUsers.
pub(super) fn user_type(user: &User, wanted: &[&str]) -> Value {
    json!({
        "Username": &*user.username,
        "Attributes": attributes_json(user, wanted),
        "UserCreateDate": epoch(user.created),
        "UserLastModifiedDate": epoch(user.modified),
        "Enabled": user.enabled,
        "UserStatus": user.status.as_str(),
    })
}

/// AdminGetUser and GetUser: attributes (only `wanted` ones when given)
/// plus MFA settings.
fn describe_user(user: &User, with_dates: bool, wanted: &[&str]) -> Value {
    let mut output = json!({
        "Username": &*user.username,
        "UserAttributes": attributes_json(user, wanted),
    });
    if with_dates {
        output["UserCreateDate"] = epoch(user.created);
        output["UserLastModifiedDate"] = epoch(user.modified);
        output["Enabled"] = json!(user.enabled);
        output["UserStatus"] = json!(user.status.as_str());
    }
    if let Some(token) = user.software_token.as_deref().filter(|t| t.enabled) {
        output["UserMFASettingList"] = json!(["SOFTWARE_TOKEN_MFA"]);
        if token.preferred {
            output["PreferredMfaSetting"] = json!("SOFTWARE_TOKEN_MFA");
        }
    }
    output
}

/// `CodeDeliveryDetails`, the address masked as Cognito masks it.
pub(super) fn delivery_details(delivery: &Delivery) -> Value {
    let masked = match delivery.medium {
        DeliveryMedium::Email => {
            let (local, domain) = delivery
                .destination
                .split_once('@')
                .unwrap_or((&delivery.destination, ""));
            let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
            format!("{}***@{}***", first(local), first(domain))
        }
        DeliveryMedium::Sms => {
            let digits: String = delivery
                .destination
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("+*******{digits}")
        }
    };
    json!({
        "Destination": masked,
        "DeliveryMedium": delivery.medium.as_str(),
        "AttributeName": delivery.attribute,
    })
}

/// The pool's template for codes that go to `medium` (sign-up and
/// verification codes, and password reset codes).
pub(super) fn verification_template(settings: &PoolSettings, medium: DeliveryMedium) -> Arc<str> {
    match medium {
        DeliveryMedium::Email => settings.email_verification_message.clone(),
        DeliveryMedium::Sms => settings.sms_verification_message.clone(),
    }
}

impl CognitoService {
    /// Sends a message with a code to the user: the pool's `template`, or
    /// what the CustomMessage trigger makes of it (whose failure fails the
    /// call).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn send(
        &self,
        pool: &Pool,
        username: &str,
        delivery: &Delivery,
        trigger: &'static str,
        code: &str,
        template: Arc<str>,
        caller: Caller<'_>,
    ) -> Result<(), ServiceError> {
        let composed = self
            .triggers
            .compose_message(pool, trigger, username, delivery.medium, template, caller)
            .await?;
        self.outbox.push(Envelope {
            user_pool_id: pool.id.clone(),
            username: username.into(),
            destination: delivery.destination.as_str().into(),
            medium: delivery.medium,
            trigger,
            code: Some(code.into()),
            template: composed.message,
            subject: composed.subject,
            mail: None,
        });
        Ok(())
    }

    pub(super) async fn sign_up(&self, input: &Input<'_>) -> Outcome {
        let (pool, client) = self.client(input.required("ClientId")?)?;
        let settings = pool.settings();
        let requested = input.required("Username")?;
        client.check_secret_hash(input.str("SecretHash"), &[requested])?;
        if settings.admin_create_user_only {
            return Err(errors::not_authorized(
                "SignUp is not permitted for this user pool",
            ));
        }
        let password = input
            .str("Password")
            .ok_or_else(|| errors::invalid_parameter("Password is required for this user pool"))?;
        settings.password_policy.check(password)?;
        let NewUsername {
            username,
            sub,
            alias,
        } = username_for(&settings, requested)?;
        let mut attributes = input.attributes("UserAttributes");
        if let Some((name, value)) = &alias {
            attributes.retain(|(n, _)| n != name);
            attributes.push((name, value.as_str()));
        }
        settings.schema.check(&attributes)?;
        let hook = self
            .triggers
            .pre_sign_up(
                &pool,
                TriggerSource::SignUp,
                &username,
                &attributes,
                Caller::new(Some(&*client.id), input),
            )
            .await?;
        let now = self.now_millis();
        let delivery = if hook.auto_confirm_user {
            None
        } else {
            Delivery::for_verification(&settings, &attributes)
        };
        let status = if hook.auto_confirm_user {
            UserStatus::Confirmed
        } else {
            UserStatus::Unconfirmed
        };
        let digest = PasswordDigest::new(&pool.srp_name, &username, password);
        let mut user = User::new(&username, Some(digest), status, &attributes, now);
        let code = delivery
            .as_ref()
            .map(|_| user.codes.issue(CodePurpose::SignUp, now / 1000));
        user.auto_verify(hook.auto_verify_email, hook.auto_verify_phone);
        if let Some(sub) = sub {
            user.sub = sub;
        }
        let sub = user.sub;
        pool.users
            .insert(&settings, user, false)
            .map_err(|taken| match taken {
                Taken::Username => errors::username_exists(),
                Taken::SignInName(attribute) | Taken::Alias(attribute) => {
                    errors::alias_exists(attribute)
                }
            })?;
        let mut output =
            json!({ "UserConfirmed": hook.auto_confirm_user, "UserSub": sub.to_string() });
        if let (Some(delivery), Some(code)) = (&delivery, &code) {
            let template = verification_template(&settings, delivery.medium);
            self.send(
                &pool,
                &username,
                delivery,
                "SignUp",
                &code.digits(),
                template,
                Caller::new(Some(&*client.id), input),
            )
            .await?;
            output["CodeDeliveryDetails"] = delivery_details(delivery);
        }
        Ok(output)
    }

    pub(super) async fn confirm_sign_up(&self, input: &Input<'_>) -> Outcome {
        let (pool, client) = self.client(input.required("ClientId")?)?;
        let settings = pool.settings();
        let name = input.required("Username")?;
        let sent = input.required("ConfirmationCode")?;
        let secret_hash = input.str("SecretHash");
        let now = self.now_millis();
        let force = input.bool("ForceAliasCreation").unwrap_or(false);
        let confirmed = pool.users.change_named(&settings, name, force, |user| {
            client.check_secret_hash(secret_hash, &[name, &user.username])?;
            user.confirm_sign_up(&settings, sent, now)?;
            Ok::<_, ServiceError>(user.username.to_string())
        });
        let Some(username) = confirmed else {
            client.check_secret_hash(secret_hash, &[name])?;
            return Err(if client.prevent_user_existence_errors {
                errors::code_mismatch()
            } else {
                errors::user_not_found_for_client()
            });
        };
        let username = username?;
        self.triggers
            .post_confirmation(
                &pool,
                TriggerSource::ConfirmSignUp,
                &username,
                Caller::new(Some(&*client.id), input),
            )
            .await?;
        Ok(json!({}))
    }

    pub(super) async fn resend_confirmation_code(&self, input: &Input<'_>) -> Outcome {
        let (pool, client) = self.client(input.required("ClientId")?)?;
        let settings = pool.settings();
        let name = input.required("Username")?;
        let secret_hash = input.str("SecretHash");
        let now = self.now_millis();
        let renewed = pool.users.update_named(&settings, name, |user| {
            client.check_secret_hash(secret_hash, &[name, &user.username])?;
            let (delivery, code) = user.renew_confirmation_code(&settings, now)?;
            Ok::<_, ServiceError>((user.username.to_string(), delivery, code))
        });
        let Some(renewed) = renewed else {
            client.check_secret_hash(secret_hash, &[name])?;
            return Err(errors::user_not_found());
        };
        let (username, delivery, code) = renewed?;
        let template = verification_template(&settings, delivery.medium);
        self.send(
            &pool,
            &username,
            &delivery,
            "ResendCode",
            &code.digits(),
            template,
            Caller::new(Some(&*client.id), input),
        )
        .await?;
        Ok(json!({ "CodeDeliveryDetails": delivery_details(&delivery) }))
    }

    pub(super) async fn admin_confirm_sign_up(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let settings = pool.settings();
        let name = input.required("Username")?;
        let now = self.now_millis();
        let username = pool
            .users
            .update_named(&settings, name, |user| {
                user.admin_confirm_sign_up(now)?;
                Ok::<_, ServiceError>(user.username.to_string())
            })
            .ok_or_else(errors::user_not_found)??;
        self.triggers
            .post_confirmation(
                &pool,
                TriggerSource::ConfirmSignUp,
                &username,
                Caller::new(None, input),
            )
            .await?;
        Ok(json!({}))
    }

    pub(super) async fn admin_create_user(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let settings = pool.settings();
        let requested = input.required("Username")?;
        let policy = &settings.password_policy;
        let temporary = match input.str("TemporaryPassword") {
            Some(password) => {
                policy.check(password)?;
                password.to_owned()
            }
            None => policy.generate(),
        };
        let expires = self.now_secs() + policy.temporary_password_validity_days * 86_400;
        let action = input.str("MessageAction");
        let mediums = input.strings("DesiredDeliveryMediums");
        let mediums: Vec<&str> = if mediums.is_empty() {
            vec!["SMS"]
        } else {
            mediums
        };
        let (user_json, username, attributes) = if action == Some("RESEND") {
            let now = self.now_millis();
            // The digest is salted with the stored user name, which only the
            // table knows (the request may name the user by an alias).
            let stored = {
                let table = pool.users.lock();
                table
                    .find(&settings, requested)
                    .map(|user| user.username.to_string())
                    .ok_or_else(errors::user_not_found)?
            };
            let digest = PasswordDigest::new(&pool.srp_name, &stored, &temporary);
            pool.users
                .update_named(&settings, requested, |user| {
                    user.renew_temporary_password(digest, expires, now)?;
                    let attributes: Vec<(String, String)> = user
                        .attributes
                        .iter()
                        .map(|(n, v)| (n.to_string(), v.to_string()))
                        .collect();
                    Ok::<_, ServiceError>((
                        user_type(user, &[]),
                        user.username.to_string(),
                        attributes,
                    ))
                })
                .ok_or_else(errors::user_not_found)??
        } else {
            let NewUsername {
                username,
                sub,
                alias,
            } = username_for(&settings, requested)?;
            let mut attributes = input.attributes("UserAttributes");
            if let Some((name, value)) = &alias {
                attributes.retain(|(n, _)| n != name);
                attributes.push((name, value.as_str()));
            }
            // "Any attributes that you specify as required ... either you
            // should supply (in your call to AdminCreateUser) or the user
            // should supply (when they sign up in response to your welcome
            // message)" (API reference): required ones are asked for in
            // the NEW_PASSWORD_REQUIRED challenge.
            settings.schema.check_writable(&attributes)?;
            let hook = self
                .triggers
                .pre_sign_up(
                    &pool,
                    TriggerSource::AdminCreateUser,
                    &username,
                    &attributes,
                    Caller::new(None, input),
                )
                .await?;
            let digest = PasswordDigest::new(&pool.srp_name, &username, &temporary);
            let mut user = User::new(
                &username,
                Some(digest),
                UserStatus::ForceChangePassword,
                &attributes,
                self.now_millis(),
            );
            user.temporary_password_expires = expires;
            user.auto_verify(hook.auto_verify_email, hook.auto_verify_phone);
            if let Some(sub) = sub {
                user.sub = sub;
            }
            let described = user_type(&user, &[]);
            let force = input.bool("ForceAliasCreation").unwrap_or(false);
            pool.users
                .insert(&settings, user, force)
                .map_err(|taken| match taken {
                    Taken::Username => errors::user_account_exists(),
                    Taken::SignInName(attribute) => errors::alias_exists(attribute),
                    Taken::Alias(_) => taken.as_change_error(),
                })?;
            let attributes = attributes
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect();
            (described, username, attributes)
        };
        if action != Some("SUPPRESS") {
            for medium in mediums {
                let (attribute, medium, template) = match medium {
                    "EMAIL" => (
                        "email",
                        DeliveryMedium::Email,
                        settings.invitation_email.clone(),
                    ),
                    _ => (
                        "phone_number",
                        DeliveryMedium::Sms,
                        settings.invitation_sms.clone(),
                    ),
                };
                if let Some((_, destination)) = attributes.iter().find(|(n, _)| n == attribute) {
                    let delivery = Delivery {
                        attribute,
                        medium,
                        destination: destination.clone(),
                    };
                    self.send(
                        &pool,
                        &username,
                        &delivery,
                        "AdminCreateUser",
                        &temporary,
                        template,
                        Caller::new(None, input),
                    )
                    .await?;
                }
            }
        }
        Ok(json!({ "User": user_json }))
    }

    pub(super) fn admin_get_user(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let settings = pool.settings();
        let table = pool.users.lock();
        let user = table
            .find(&settings, input.required("Username")?)
            .ok_or_else(errors::user_not_found)?;
        Ok(describe_user(user, true, &[]))
    }

    pub(super) fn admin_disable_user(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let now = self.now_millis();
        pool.users
            .update_named(&pool.settings(), input.required("Username")?, |user| {
                user.disable(now)
            })
            .ok_or_else(errors::user_not_found)?;
        Ok(json!({}))
    }

    pub(super) fn admin_enable_user(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let now = self.now_millis();
        pool.users
            .update_named(&pool.settings(), input.required("Username")?, |user| {
                user.enable(now)
            })
            .ok_or_else(errors::user_not_found)?;
        Ok(json!({}))
    }

    pub(super) fn admin_delete_user(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let settings = pool.settings();
        let mut table = pool.users.lock();
        let key = table
            .resolve(&settings, input.required("Username")?)
            .ok_or_else(errors::user_not_found)?;
        table.remove(&key);
        Ok(json!({}))
    }

    pub(super) fn list_users(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let settings = pool.settings();
        let limit = match input.i64("Limit") {
            Some(0) | None => 60,
            Some(n) => n as usize,
        };
        let filter = match input.str("Filter").map(str::trim) {
            Some("") | None => None,
            Some(text) => Some(UserFilter::parse(text)?),
        };
        let wanted = input.strings("AttributesToGet");
        let start: Option<String> = match input.str("PaginationToken") {
            Some(token) => Some(decode_token(token)?),
            None => None,
        };
        let table = pool.users.lock();
        let range = match &start {
            Some(start) => table.users().range::<str, _>((
                std::ops::Bound::Included(start.as_str()),
                std::ops::Bound::Unbounded,
            )),
            None => table.users().range::<str, _>(..),
        };
        let mut listed = Vec::new();
        let mut next = None;
        for (key, user) in range {
            if filter
                .as_ref()
                .is_some_and(|f| !f.matches(user, settings.case_sensitive))
            {
                continue;
            }
            if listed.len() == limit {
                next = Some(encode_token(key));
                break;
            }
            listed.push(user_type(user, &wanted));
        }
        drop(table);
        let mut output = json!({ "Users": listed });
        if let Some(next) = next {
            output["PaginationToken"] = json!(next);
        }
        Ok(output)
    }
}

impl CognitoService {
    pub(super) fn get_user(&self, input: &Input<'_>) -> Outcome {
        let caller = self.authenticate(input.required("AccessToken")?)?;
        // The app client's ReadAttributes, when it sets them, limit what
        // the user reads of themselves (`sub` is always readable).
        let client = caller.pool.client(&caller.client_id).ok();
        let mut wanted = client
            .as_deref()
            .and_then(|c| client_attributes(c, "ReadAttributes"))
            .unwrap_or_default();
        if !wanted.is_empty() {
            wanted.push("sub");
        }
        caller
            .pool
            .users
            .read(&caller.user_key, |user| describe_user(user, false, &wanted))
            .ok_or_else(errors::access_token_revoked)
    }

    pub(super) fn delete_user(&self, input: &Input<'_>) -> Outcome {
        let caller = self.authenticate(input.required("AccessToken")?)?;
        caller.pool.users.lock().remove(&caller.user_key);
        Ok(json!({}))
    }
}

fn encode_token(key: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.as_bytes())
}

fn decode_token(token: &str) -> Result<String, ServiceError> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| errors::invalid_parameter("Invalid pagination token"))
}
