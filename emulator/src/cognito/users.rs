//! Users: SignUp, ConfirmSignUp, ResendConfirmationCode, AdminConfirmSignUp,
//! AdminCreateUser, AdminGetUser, AdminDeleteUser, ListUsers.
//!
//! Each pool keeps its users in one ordered table behind a short lock;
//! password digests are computed before the lock is taken. A user holds a
//! salted password digest, never the password.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};
use uuid::Uuid;

use super::codes::PendingCode;
use super::devices::Device;
use super::mfa::SoftwareToken;
use super::pools::PoolSettings;
use super::srp::PasswordDigest;
use super::triggers::{Caller, TriggerSource};
use super::user_filter::UserFilter;
use super::{
    CognitoService, Input, Outcome, Pool, clients::AppClient, codes, epoch, invalid_parameter,
    not_authorized, user_not_found,
};
use crate::aws_json::ServiceError;
use crate::outbox::{DeliveryMedium, Envelope};

/// `UserStatus` as Cognito reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserStatus {
    Unconfirmed,
    Confirmed,
    ForceChangePassword,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Unconfirmed => "UNCONFIRMED",
            UserStatus::Confirmed => "CONFIRMED",
            UserStatus::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
        }
    }
}

/// One user. Kept small: the benchmark stores hundreds of thousands.
pub(crate) struct User {
    pub username: Box<str>,
    pub sub: Uuid,
    pub status: UserStatus,
    pub enabled: bool,
    pub created: i64,
    pub modified: i64,
    pub attributes: Vec<(Box<str>, Box<str>)>,
    pub password: Option<PasswordDigest>,
    /// Epoch seconds after which a temporary password no longer works (0: none).
    pub temporary_password_expires: i64,
    pub code: Option<PendingCode>,
    pub software_token: Option<Box<SoftwareToken>>,
    pub devices: Vec<Device>,
    /// Tokens whose sign-in started at or before this (epoch ms) are revoked.
    pub revoked_before: i64,
}

impl User {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| &**v)
    }

    pub fn set_attribute(&mut self, name: &str, value: &str) {
        match self.attributes.iter_mut().find(|(n, _)| &**n == name) {
            Some(entry) => entry.1 = value.into(),
            None => self.attributes.push((name.into(), value.into())),
        }
    }

    /// `[{"Name","Value"}]` with `sub` first; only `wanted` names when given.
    pub fn attributes_json(&self, wanted: &[&str]) -> Value {
        let sub = self.sub.to_string();
        let all = std::iter::once(("sub", sub.as_str()))
            .chain(self.attributes.iter().map(|(n, v)| (&**n, &**v)));
        Value::Array(
            all.filter(|(name, _)| wanted.is_empty() || wanted.contains(name))
                .map(|(name, value)| json!({"Name": name, "Value": value}))
                .collect(),
        )
    }

    /// The `UserType` of AdminCreateUser and ListUsers.
    pub fn to_user_type(&self, wanted: &[&str]) -> Value {
        json!({
            "Username": &*self.username,
            "Attributes": self.attributes_json(wanted),
            "UserCreateDate": epoch(self.created),
            "UserLastModifiedDate": epoch(self.modified),
            "Enabled": self.enabled,
            "UserStatus": self.status.as_str(),
        })
    }

    /// AdminGetUser and GetUser: attributes plus MFA settings.
    pub fn describe(&self, with_dates: bool) -> Value {
        let mut output = json!({
            "Username": &*self.username,
            "UserAttributes": self.attributes_json(&[]),
        });
        if with_dates {
            output["UserCreateDate"] = epoch(self.created);
            output["UserLastModifiedDate"] = epoch(self.modified);
            output["Enabled"] = json!(self.enabled);
            output["UserStatus"] = json!(self.status.as_str());
        }
        if let Some(token) = self.software_token.as_deref().filter(|t| t.enabled) {
            output["UserMFASettingList"] = json!(["SOFTWARE_TOKEN_MFA"]);
            if token.preferred {
                output["PreferredMfaSetting"] = json!("SOFTWARE_TOKEN_MFA");
            }
        }
        output
    }
}

/// A pool's users, keyed by user name (lower-cased in case-insensitive pools).
#[derive(Default)]
pub(crate) struct UserTable {
    pub users: BTreeMap<Box<str>, User>,
    /// Email/phone sign-in names of pools with `UsernameAttributes` → user key.
    pub aliases: HashMap<Box<str>, Box<str>>,
}

impl UserTable {
    /// The key of the user a caller named (by user name or sign-in alias).
    pub fn resolve(&self, settings: &PoolSettings, name: &str) -> Option<Box<str>> {
        let key = settings.user_key(name);
        if self.users.contains_key(&key) {
            return Some(key);
        }
        if settings.username_attributes.is_empty() {
            return None;
        }
        self.aliases.get(name.to_lowercase().as_str()).cloned()
    }

    pub fn find_mut(&mut self, settings: &PoolSettings, name: &str) -> Option<&mut User> {
        let key = self.resolve(settings, name)?;
        self.users.get_mut(&key)
    }

    pub fn find(&self, settings: &PoolSettings, name: &str) -> Option<&User> {
        let key = self.resolve(settings, name)?;
        self.users.get(&key)
    }

    pub fn remove(&mut self, key: &str) -> Option<User> {
        let user = self.users.remove(key)?;
        self.aliases.retain(|_, k| &**k != key);
        Some(user)
    }
}

#[derive(Default)]
pub(crate) struct UserStore {
    table: Mutex<UserTable>,
}

impl UserStore {
    pub fn lock(&self) -> MutexGuard<'_, UserTable> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn len(&self) -> usize {
        self.lock().users.len()
    }
}

/// The attribute (`email`, `phone_number`) and value a user signs in with
/// in pools whose user names are email addresses or phone numbers.
type SignInAlias = (&'static str, String);

/// Where a code goes: the attribute, medium and address.
pub(crate) struct Delivery {
    pub attribute: &'static str,
    pub medium: DeliveryMedium,
    pub destination: String,
}

impl Delivery {
    /// Where verification codes go: an auto-verified email, else phone number.
    pub fn for_verification(
        settings: &PoolSettings,
        attributes: &[(&str, &str)],
    ) -> Option<Delivery> {
        let find = |name: &str| attributes.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        let auto = |name: &str| settings.auto_verified.iter().any(|a| a == name);
        if auto("email") {
            if let Some(email) = find("email") {
                return Some(Delivery {
                    attribute: "email",
                    medium: DeliveryMedium::Email,
                    destination: email.to_owned(),
                });
            }
        }
        if auto("phone_number") {
            if let Some(phone) = find("phone_number") {
                return Some(Delivery {
                    attribute: "phone_number",
                    medium: DeliveryMedium::Sms,
                    destination: phone.to_owned(),
                });
            }
        }
        None
    }

    /// `CodeDeliveryDetails`, the address masked as Cognito masks it.
    pub fn details(&self) -> Value {
        let masked = match self.medium {
            DeliveryMedium::Email => {
                let (local, domain) = self
                    .destination
                    .split_once('@')
                    .unwrap_or((&self.destination, ""));
                let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
                format!("{}***@{}***", first(local), first(domain))
            }
            DeliveryMedium::Sms => {
                let digits: String = self
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
            "DeliveryMedium": self.medium.as_str(),
            "AttributeName": self.attribute,
        })
    }
}

impl CognitoService {
    /// The pool and app client a user-facing request names by `ClientId`.
    pub(super) fn client(
        &self,
        client_id: &str,
    ) -> Result<(Arc<Pool>, Arc<AppClient>), ServiceError> {
        let pool = self
            .client_pools
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(client_id)
            .cloned()
            .ok_or_else(|| {
                ServiceError::new(
                    "ResourceNotFoundException",
                    format!("User pool client {client_id} does not exist."),
                )
            })?;
        let client = pool.client(client_id)?;
        Ok((pool, client))
    }

    fn send(
        &self,
        pool: &Pool,
        username: &str,
        delivery: &Delivery,
        trigger: &'static str,
        code: &str,
        template: Arc<str>,
    ) {
        self.outbox.push(Envelope {
            user_pool_id: pool.id.clone(),
            username: username.into(),
            destination: delivery.destination.as_str().into(),
            medium: delivery.medium,
            trigger,
            code: Some(code.into()),
            template,
        });
    }

    /// Checks a new user's name against the pool's `UsernameAttributes`:
    /// returns the name to store and the alias attribute it came from.
    fn username_for(
        settings: &PoolSettings,
        requested: &str,
    ) -> Result<(String, Option<SignInAlias>), ServiceError> {
        if settings.username_attributes.is_empty() {
            return Ok((requested.to_owned(), None));
        }
        let allows = |name: &str| settings.username_attributes.iter().any(|a| a == name);
        let alias = if allows("email") && requested.contains('@') {
            "email"
        } else if allows("phone_number") && requested.starts_with('+') {
            "phone_number"
        } else {
            let what = if allows("email") && allows("phone_number") {
                "Username should be either an email or a phone number."
            } else if allows("email") {
                "Username should be an email."
            } else {
                "Username should be a phone number."
            };
            return Err(invalid_parameter(what));
        };
        Ok((
            crate::new_uuid().to_string(),
            Some((alias, requested.to_owned())),
        ))
    }

    /// Inserts a new user unless the name (or alias) is taken; one lock section.
    fn insert_user(
        settings: &PoolSettings,
        pool: &Pool,
        user: User,
        alias: Option<&str>,
    ) -> Result<(), ServiceError> {
        let key = settings.user_key(&user.username);
        let mut table = pool.users.lock();
        if let Some(alias) = alias {
            let alias_key: Box<str> = alias.to_lowercase().into();
            if table.aliases.contains_key(&alias_key) {
                return Err(ServiceError::new(
                    "UsernameExistsException",
                    "An account with the given email already exists.",
                ));
            }
            table.aliases.insert(alias_key, key.clone());
        }
        if table.users.contains_key(&key) {
            return Err(ServiceError::new(
                "UsernameExistsException",
                "User already exists",
            ));
        }
        table.users.insert(key, user);
        Ok(())
    }

    pub(super) async fn sign_up(&self, input: &Input<'_>) -> Outcome {
        let (pool, client) = self.client(input.required("ClientId")?)?;
        let settings = pool.settings();
        let requested = input.required("Username")?;
        client.check_secret_hash(input.str("SecretHash"), &[requested])?;
        if settings.admin_create_user_only {
            return Err(not_authorized("SignUp is not permitted for this user pool"));
        }
        let password = input
            .str("Password")
            .ok_or_else(|| invalid_parameter("Password is required for this user pool"))?;
        settings.password_policy.check(password)?;
        let (username, alias) = Self::username_for(&settings, requested)?;
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
        let code = delivery.as_ref().map(|_| PendingCode::new(now / 1000));
        let sub = crate::new_uuid();
        let mut user = User {
            password: Some(PasswordDigest::new(&pool.srp_name, &username, password)),
            username: username.as_str().into(),
            sub,
            status: if hook.auto_confirm_user {
                UserStatus::Confirmed
            } else {
                UserStatus::Unconfirmed
            },
            enabled: true,
            created: now,
            modified: now,
            attributes: attributes
                .iter()
                .map(|(n, v)| ((*n).into(), (*v).into()))
                .collect(),
            temporary_password_expires: 0,
            code: code.clone(),
            software_token: None,
            devices: Vec::new(),
            revoked_before: 0,
        };
        if hook.auto_verify_email && user.attribute("email").is_some() {
            user.set_attribute("email_verified", "true");
        }
        if hook.auto_verify_phone && user.attribute("phone_number").is_some() {
            user.set_attribute("phone_number_verified", "true");
        }
        let alias_value = alias.as_ref().map(|(_, v)| v.as_str());
        Self::insert_user(&settings, &pool, user, alias_value)?;
        let mut output =
            json!({ "UserConfirmed": hook.auto_confirm_user, "UserSub": sub.to_string() });
        if let (Some(delivery), Some(code)) = (&delivery, &code) {
            let template = match delivery.medium {
                DeliveryMedium::Email => settings.email_verification_message.clone(),
                DeliveryMedium::Sms => settings.sms_verification_message.clone(),
            };
            self.send(
                &pool,
                &username,
                delivery,
                "SignUp",
                &code.digits(),
                template,
            );
            output["CodeDeliveryDetails"] = delivery.details();
        }
        Ok(output)
    }

    pub(super) async fn confirm_sign_up(&self, input: &Input<'_>) -> Outcome {
        let (pool, client) = self.client(input.required("ClientId")?)?;
        let settings = pool.settings();
        let name = input.required("Username")?;
        let sent = input.required("ConfirmationCode")?;
        let username = {
            let mut table = pool.users.lock();
            let Some(user) = table.find_mut(&settings, name) else {
                drop(table);
                client.check_secret_hash(input.str("SecretHash"), &[name])?;
                return Err(if client.prevent_user_existence_errors {
                    codes::mismatch()
                } else {
                    ServiceError::new(
                        "UserNotFoundException",
                        "Username/client id combination not found.",
                    )
                });
            };
            let username = user.username.to_string();
            client.check_secret_hash(input.str("SecretHash"), &[name, &username])?;
            if user.status != UserStatus::Unconfirmed {
                return Err(not_authorized(format!(
                    "User cannot be confirmed. Current status is {}",
                    user.status.as_str()
                )));
            }
            let Some(code) = user.code.as_mut() else {
                return Err(codes::expired());
            };
            code.check(sent, self.now_secs())?;
            user.code = None;
            user.status = UserStatus::Confirmed;
            user.modified = self.now_millis();
            if let Some(attribute) = Delivery::for_verification(
                &settings,
                &user
                    .attributes
                    .iter()
                    .map(|(n, v)| (&**n, &**v))
                    .collect::<Vec<_>>(),
            )
            .map(|d| d.attribute)
            {
                user.set_attribute(&format!("{attribute}_verified"), "true");
            }
            username
        };
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

    pub(super) fn resend_confirmation_code(&self, input: &Input<'_>) -> Outcome {
        let (pool, client) = self.client(input.required("ClientId")?)?;
        let settings = pool.settings();
        let name = input.required("Username")?;
        let (username, delivery, code) = {
            let mut table = pool.users.lock();
            let Some(user) = table.find_mut(&settings, name) else {
                drop(table);
                client.check_secret_hash(input.str("SecretHash"), &[name])?;
                return Err(user_not_found());
            };
            let username = user.username.to_string();
            client.check_secret_hash(input.str("SecretHash"), &[name, &username])?;
            if user.status != UserStatus::Unconfirmed {
                return Err(invalid_parameter("User is already confirmed."));
            }
            let attributes: Vec<(&str, &str)> =
                user.attributes.iter().map(|(n, v)| (&**n, &**v)).collect();
            let Some(delivery) = Delivery::for_verification(&settings, &attributes) else {
                return Err(invalid_parameter(
                    "Cannot resend codes. Auto verification not turned on.",
                ));
            };
            let code = PendingCode::new(self.now_secs());
            user.code = Some(code.clone());
            (username, delivery, code)
        };
        let template = match delivery.medium {
            DeliveryMedium::Email => settings.email_verification_message.clone(),
            DeliveryMedium::Sms => settings.sms_verification_message.clone(),
        };
        self.send(
            &pool,
            &username,
            &delivery,
            "ResendCode",
            &code.digits(),
            template,
        );
        Ok(json!({ "CodeDeliveryDetails": delivery.details() }))
    }

    pub(super) async fn admin_confirm_sign_up(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let settings = pool.settings();
        let name = input.required("Username")?;
        let username = {
            let mut table = pool.users.lock();
            let user = table.find_mut(&settings, name).ok_or_else(user_not_found)?;
            if user.status != UserStatus::Unconfirmed {
                return Err(not_authorized(format!(
                    "User cannot be confirmed. Current status is {}",
                    user.status.as_str()
                )));
            }
            user.status = UserStatus::Confirmed;
            user.code = None;
            user.modified = self.now_millis();
            user.username.to_string()
        };
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
            let mut table = pool.users.lock();
            let user = table
                .find_mut(&settings, requested)
                .ok_or_else(user_not_found)?;
            if user.status != UserStatus::ForceChangePassword {
                return Err(ServiceError::new(
                    "UnsupportedUserStateException",
                    format!(
                        "Resend not possible. {} status is not FORCE_CHANGE_PASSWORD",
                        user.username
                    ),
                ));
            }
            user.password = Some(PasswordDigest::new(
                &pool.srp_name,
                &user.username,
                &temporary,
            ));
            user.temporary_password_expires = expires;
            user.modified = self.now_millis();
            let attributes: Vec<(String, String)> = user
                .attributes
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect();
            (
                user.to_user_type(&[]),
                user.username.to_string(),
                attributes,
            )
        } else {
            let (username, alias) = Self::username_for(&settings, requested)?;
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
                    TriggerSource::AdminCreateUser,
                    &username,
                    &attributes,
                    Caller::new(None, input),
                )
                .await?;
            let now = self.now_millis();
            let user = User {
                password: Some(PasswordDigest::new(&pool.srp_name, &username, &temporary)),
                username: username.as_str().into(),
                sub: crate::new_uuid(),
                status: UserStatus::ForceChangePassword,
                enabled: true,
                created: now,
                modified: now,
                attributes: attributes
                    .iter()
                    .map(|(n, v)| ((*n).into(), (*v).into()))
                    .collect(),
                temporary_password_expires: expires,
                code: None,
                software_token: None,
                devices: Vec::new(),
                revoked_before: 0,
            };
            let mut user = user;
            if hook.auto_verify_email && user.attribute("email").is_some() {
                user.set_attribute("email_verified", "true");
            }
            if hook.auto_verify_phone && user.attribute("phone_number").is_some() {
                user.set_attribute("phone_number_verified", "true");
            }
            let described = user.to_user_type(&[]);
            let alias_value = alias.as_ref().map(|(_, v)| v.as_str());
            Self::insert_user(&settings, &pool, user, alias_value).map_err(|err| {
                if err.code == "UsernameExistsException" && alias_value.is_none() {
                    ServiceError::new("UsernameExistsException", "User account already exists")
                } else {
                    err
                }
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
                    );
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
            .ok_or_else(user_not_found)?;
        Ok(user.describe(true))
    }

    pub(super) fn admin_delete_user(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let settings = pool.settings();
        let mut table = pool.users.lock();
        let key = table
            .resolve(&settings, input.required("Username")?)
            .ok_or_else(user_not_found)?;
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
            Some(start) => table.users.range::<str, _>((
                std::ops::Bound::Included(start.as_str()),
                std::ops::Bound::Unbounded,
            )),
            None => table.users.range::<str, _>(..),
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
            listed.push(user.to_user_type(&wanted));
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
        let table = caller.pool.users.lock();
        let user = table
            .users
            .get(&caller.user_key)
            .ok_or_else(super::access::revoked)?;
        Ok(user.describe(false))
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
        .ok_or_else(|| invalid_parameter("Invalid pagination token"))
}
