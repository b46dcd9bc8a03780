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

    pub fn set_attribute(&mut self, name: &str, value: &str) {
        match self.attributes.iter_mut().find(|(n, _)| &**n == name) {
            Some(entry) => entry.1 = value.into(),
            None => self.attributes.push((name.into(), value.into())),
        }
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
    /// Inserts a new user unless the name (or sign-in alias) is taken; one
    /// lock section, so two sign-ups of one name make one user.
    pub fn insert(
        &self,
        settings: &PoolSettings,
        user: User,
        alias: Option<&str>,
    ) -> Result<(), ServiceError> {
        let key = settings.user_key(&user.username);
        let mut table = self.lock();
        if let Some(alias) = alias {
            let alias_key: Box<str> = alias.to_lowercase().into();
            if table.aliases.contains_key(&alias_key) {
                return Err(errors::alias_exists());
            }
            table.aliases.insert(alias_key, key.clone());
        }
        if table.users.contains_key(&key) {
            return Err(errors::username_exists());
        }
        table.users.insert(key, user);
        Ok(())
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
