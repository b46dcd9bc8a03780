//! A pool's users: one ordered table behind a short lock (password digests
//! are computed before the lock is taken), and where their codes go. A
//! user holds a salted password digest, never the password.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use uuid::Uuid;

use super::codes::PendingCode;
use super::devices::Device;
use super::settings::PoolSettings;
use super::software_token::SoftwareToken;
use crate::aws_json::ServiceError;
use crate::cognito::errors;
use crate::cognito::srp::PasswordDigest;
use crate::outbox::DeliveryMedium;

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
    /// A new user of `status`, created at `now` (epoch milliseconds).
    pub fn new(
        username: &str,
        password: Option<PasswordDigest>,
        status: UserStatus,
        attributes: &[(&str, &str)],
        now: i64,
    ) -> Self {
        User {
            username: username.into(),
            sub: crate::new_uuid(),
            status,
            enabled: true,
            created: now,
            modified: now,
            attributes: attributes
                .iter()
                .map(|(n, v)| ((*n).into(), (*v).into()))
                .collect(),
            password,
            temporary_password_expires: 0,
            code: None,
            software_token: None,
            devices: Vec::new(),
            revoked_before: 0,
        }
    }

    /// Revokes every token of the user: those whose sign-in started at or
    /// before `now` (epoch milliseconds).
    pub fn sign_out_everywhere(&mut self, now: i64) {
        self.revoked_before = now;
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| &**v)
    }

    /// The stored attributes as name/value pairs.
    pub fn attribute_pairs(&self) -> Vec<(&str, &str)> {
        self.attributes.iter().map(|(n, v)| (&**n, &**v)).collect()
    }

    pub fn set_attribute(&mut self, name: &str, value: &str) {
        match self.attributes.iter_mut().find(|(n, _)| &**n == name) {
            Some(entry) => entry.1 = value.into(),
            None => self.attributes.push((name.into(), value.into())),
        }
    }

    /// Marks the email address and phone number verified, as a PreSignUp
    /// trigger's `autoVerifyEmail` / `autoVerifyPhone` ask (each only when
    /// the user has that attribute).
    pub fn auto_verify(&mut self, email: bool, phone: bool) {
        if email && self.attribute("email").is_some() {
            self.set_attribute("email_verified", "true");
        }
        if phone && self.attribute("phone_number").is_some() {
            self.set_attribute("phone_number_verified", "true");
        }
    }

    /// Refuses confirming a user who is not UNCONFIRMED, in AWS's words.
    fn check_unconfirmed(&self) -> Result<(), ServiceError> {
        if self.status != UserStatus::Unconfirmed {
            return Err(errors::not_authorized(format!(
                "User cannot be confirmed. Current status is {}",
                self.status.as_str()
            )));
        }
        Ok(())
    }

    /// ConfirmSignUp: checks the code the user was sent and confirms them
    /// at `now` (epoch milliseconds), verifying the attribute the code went
    /// to. A wrong code counts toward the code's attempt limit.
    pub fn confirm_sign_up(
        &mut self,
        settings: &PoolSettings,
        sent: &str,
        now: i64,
    ) -> Result<(), ServiceError> {
        self.check_unconfirmed()?;
        let code = self.code.as_mut().ok_or_else(errors::expired_code)?;
        code.check(sent, now.div_euclid(1000))?;
        let verified = Delivery::for_verification(settings, &self.attribute_pairs())
            .map(|delivery| delivery.attribute);
        if let Some(attribute) = verified {
            self.set_attribute(&format!("{attribute}_verified"), "true");
        }
        self.code = None;
        self.status = UserStatus::Confirmed;
        self.modified = now;
        Ok(())
    }

    /// AdminConfirmSignUp: confirms the user without a code.
    pub fn admin_confirm_sign_up(&mut self, now: i64) -> Result<(), ServiceError> {
        self.check_unconfirmed()?;
        self.status = UserStatus::Confirmed;
        self.code = None;
        self.modified = now;
        Ok(())
    }

    /// ResendConfirmationCode: a new sign-up code (the old one stops
    /// working) and where it goes.
    pub fn renew_confirmation_code(
        &mut self,
        settings: &PoolSettings,
        now: i64,
    ) -> Result<(Delivery, PendingCode), ServiceError> {
        if self.status != UserStatus::Unconfirmed {
            return Err(errors::invalid_parameter("User is already confirmed."));
        }
        let delivery =
            Delivery::for_verification(settings, &self.attribute_pairs()).ok_or_else(|| {
                errors::invalid_parameter("Cannot resend codes. Auto verification not turned on.")
            })?;
        let code = PendingCode::new(now.div_euclid(1000));
        self.code = Some(code.clone());
        Ok((delivery, code))
    }

    /// AdminCreateUser with `MessageAction: RESEND`: a new temporary
    /// password, valid until `expires` (epoch seconds), for a user who has
    /// not replaced the first one yet.
    pub fn renew_temporary_password(
        &mut self,
        digest: PasswordDigest,
        expires: i64,
        now: i64,
    ) -> Result<(), ServiceError> {
        if self.status != UserStatus::ForceChangePassword {
            return Err(errors::resend_not_possible(&self.username));
        }
        self.password = Some(digest);
        self.temporary_password_expires = expires;
        self.modified = now;
        Ok(())
    }

    /// The user's own new password (NEW_PASSWORD_REQUIRED): the user is
    /// CONFIRMED and the temporary password's expiry no longer applies.
    pub fn set_password(&mut self, digest: PasswordDigest, now: i64) {
        self.password = Some(digest);
        self.status = UserStatus::Confirmed;
        self.temporary_password_expires = 0;
        self.modified = now;
    }

    /// Sets each attribute to its new value.
    pub fn set_attributes(&mut self, updates: &[(String, String)], now: i64) {
        for (name, value) in updates {
            self.set_attribute(name, value);
        }
        self.modified = now;
    }

    /// Whether `code` is a current code of the user's verified software
    /// token at `now` (epoch seconds); an accepted code's time step is
    /// remembered, so the same code is not accepted twice.
    pub fn accept_totp(&mut self, code: &str, now: i64) -> bool {
        self.software_token
            .as_deref_mut()
            .is_some_and(|token| token.accept(code, now))
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

/// Why a new user could not be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Taken {
    /// Another user has that user name.
    Username,
    /// Another user signs in with that email address or phone number.
    Alias,
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

    /// Inserts a new user unless the name (or sign-in alias) is taken; one
    /// lock section, so two sign-ups of one name make one user.
    pub fn insert(
        &self,
        settings: &PoolSettings,
        user: User,
        alias: Option<&str>,
    ) -> Result<(), Taken> {
        let key = settings.user_key(&user.username);
        let alias_key: Option<Box<str>> = alias.map(|a| a.to_lowercase().into());
        let mut table = self.lock();
        if let Some(alias_key) = &alias_key {
            if table.aliases.contains_key(alias_key) {
                return Err(Taken::Alias);
            }
        }
        if table.users.contains_key(&key) {
            return Err(Taken::Username);
        }
        if let Some(alias_key) = alias_key {
            table.aliases.insert(alias_key, key.clone());
        }
        table.users.insert(key, user);
        Ok(())
    }

    /// Finds the user a caller named (by user name or sign-in alias) and
    /// applies `change`, under one lock, so the user changed is the one
    /// found. `None` when there is no such user.
    pub fn update_named<T>(
        &self,
        settings: &PoolSettings,
        name: &str,
        change: impl FnOnce(&mut User) -> T,
    ) -> Option<T> {
        self.lock().find_mut(settings, name).map(change)
    }

    /// Applies `change` to the user stored under `key`; `None` when there is none.
    pub fn update<T>(&self, key: &str, change: impl FnOnce(&mut User) -> T) -> Option<T> {
        self.lock().users.get_mut(key).map(change)
    }

    /// Reads the user stored under `key`; `None` when there is none.
    pub fn read<T>(&self, key: &str, read: impl FnOnce(&User) -> T) -> Option<T> {
        self.lock().users.get(key).map(read)
    }
}

/// The attribute (`email`, `phone_number`) and value a user signs in with
/// in pools whose user names are email addresses or phone numbers.
pub(crate) type SignInAlias = (&'static str, String);

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
}

/// Checks a new user's name against the pool's `UsernameAttributes`:
/// returns the name to store and the alias attribute it came from.
pub(crate) fn username_for(
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
        return Err(errors::invalid_parameter(what));
    };
    Ok((
        crate::new_uuid().to_string(),
        Some((alias, requested.to_owned())),
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::*;
    use crate::cognito::state::attributes::AttributeSchema;

    fn settings(request: serde_json::Value) -> PoolSettings {
        let request: Map<String, serde_json::Value> =
            serde_json::from_value(request).expect("an object");
        PoolSettings::from_request("pool", request, AttributeSchema::default(), false, None)
            .unwrap()
    }

    #[test]
    fn a_taken_name_or_alias_says_which_and_leaves_no_trace() {
        let settings = settings(serde_json::json!({"UsernameAttributes": ["email"]}));
        let store = UserStore::default();
        let first = User::new("id-1", None, UserStatus::Confirmed, &[], 0);
        store
            .insert(&settings, first, Some("a@example.com"))
            .unwrap();
        let same_alias = User::new("id-2", None, UserStatus::Confirmed, &[], 0);
        assert_eq!(
            store.insert(&settings, same_alias, Some("A@example.com")),
            Err(Taken::Alias)
        );
        let same_name = User::new("id-1", None, UserStatus::Confirmed, &[], 0);
        assert_eq!(
            store.insert(&settings, same_name, Some("b@example.com")),
            Err(Taken::Username)
        );
        // The refused insert did not claim its alias.
        assert!(store.lock().resolve(&settings, "b@example.com").is_none());
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn confirming_checks_status_and_code_and_verifies_the_address() {
        let settings = settings(serde_json::json!({"AutoVerifiedAttributes": ["email"]}));
        let mut user = User::new(
            "ann",
            None,
            UserStatus::Unconfirmed,
            &[("email", "ann@example.com")],
            0,
        );
        assert_eq!(
            user.confirm_sign_up(&settings, "123456", 1000)
                .unwrap_err()
                .code,
            "ExpiredCodeException",
            "no code was sent"
        );
        let (delivery, code) = user.renew_confirmation_code(&settings, 1000).unwrap();
        assert_eq!(delivery.attribute, "email");
        let wrong = if code.digits() == "000000" {
            "000001"
        } else {
            "000000"
        };
        assert_eq!(
            user.confirm_sign_up(&settings, wrong, 2000)
                .unwrap_err()
                .code,
            "CodeMismatchException"
        );
        user.confirm_sign_up(&settings, &code.digits(), 3000)
            .unwrap();
        assert_eq!(user.status, UserStatus::Confirmed);
        assert_eq!(user.attribute("email_verified"), Some("true"));
        assert_eq!(user.modified, 3000);
        let again = user.confirm_sign_up(&settings, &code.digits(), 4000);
        assert_eq!(
            again.unwrap_err().message,
            "User cannot be confirmed. Current status is CONFIRMED"
        );
        assert!(user.admin_confirm_sign_up(4000).is_err());
    }
}
