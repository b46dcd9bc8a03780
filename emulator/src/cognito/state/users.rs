//! A pool's users: one ordered table behind a short lock (password digests
//! are computed before the lock is taken), and where their codes go. A
//! user holds a salted password digest, never the password.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use uuid::Uuid;

use super::attributes::AttributeSchema;
use super::codes::{CodePurpose, Codes, PendingCode};
use super::devices::Device;
use super::records;
use super::settings::PoolSettings;
use super::software_token::SoftwareToken;
use crate::aws_json::ServiceError;
use crate::cognito::errors;
use crate::cognito::srp::PasswordDigest;
use crate::outbox::DeliveryMedium;
use crate::persist::Journal;

/// `UserStatus` as Cognito reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum UserStatus {
    Unconfirmed,
    Confirmed,
    ForceChangePassword,
    /// AdminResetUserPassword: the password no longer works; the user must
    /// reset it with a code (ConfirmForgotPassword) before signing in.
    ResetRequired,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Unconfirmed => "UNCONFIRMED",
            UserStatus::Confirmed => "CONFIRMED",
            UserStatus::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            UserStatus::ResetRequired => "RESET_REQUIRED",
        }
    }
}

/// One user. Kept small: the benchmark stores hundreds of thousands.
///
/// Serialized as it is stored in a state folder (one `cognito.user` record).
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct User {
    pub username: Box<str>,
    #[serde(with = "uuid_text")]
    pub sub: Uuid,
    pub status: UserStatus,
    pub enabled: bool,
    pub created: i64,
    pub modified: i64,
    #[serde(with = "attribute_list")]
    pub attributes: Attributes,
    #[serde(default)]
    pub password: Option<PasswordDigest>,
    /// Epoch seconds after which a temporary password no longer works (0: none).
    #[serde(default)]
    pub temporary_password_expires: i64,
    #[serde(default)]
    pub codes: Codes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_token: Option<Box<SoftwareToken>>,
    #[serde(default)]
    pub devices: Vec<Device>,
    /// Tokens whose sign-in started at or before this (epoch ms) are revoked.
    #[serde(default)]
    pub revoked_before: i64,
}

/// A user's attributes: name and value, in the order set.
pub(crate) type Attributes = Vec<(Box<str>, Box<str>)>;

/// A `sub` as its usual text form.
mod uuid_text {
    use serde::{Deserialize, Deserializer, Serializer};
    use uuid::Uuid;

    pub fn serialize<S: Serializer>(sub: &Uuid, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(sub)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Uuid, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Uuid::parse_str(&text).map_err(serde::de::Error::custom)
    }
}

/// A user's attributes as the API writes them: `[{"Name": .., "Value": ..}]`,
/// in the order stored.
mod attribute_list {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize)]
    struct Attribute<'a> {
        #[serde(rename = "Name")]
        name: &'a str,
        #[serde(rename = "Value")]
        value: &'a str,
    }

    #[derive(Deserialize)]
    struct OwnedAttribute {
        #[serde(rename = "Name")]
        name: Box<str>,
        #[serde(rename = "Value")]
        value: Box<str>,
    }

    pub fn serialize<S: Serializer>(
        attributes: &[(Box<str>, Box<str>)],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            attributes
                .iter()
                .map(|(name, value)| Attribute { name, value }),
        )
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<super::Attributes, D::Error> {
        let list = Vec::<OwnedAttribute>::deserialize(deserializer)?;
        Ok(list.into_iter().map(|a| (a.name, a.value)).collect())
    }
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
            codes: Codes::default(),
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
        self.codes
            .redeem(CodePurpose::SignUp, sent, now.div_euclid(1000))?;
        let verified = Delivery::for_verification(settings, &self.attribute_pairs())
            .map(|delivery| delivery.attribute);
        if let Some(attribute) = verified {
            self.set_attribute(&format!("{attribute}_verified"), "true");
        }
        self.status = UserStatus::Confirmed;
        self.modified = now;
        Ok(())
    }

    /// AdminConfirmSignUp: confirms the user without a code.
    pub fn admin_confirm_sign_up(&mut self, now: i64) -> Result<(), ServiceError> {
        self.check_unconfirmed()?;
        self.status = UserStatus::Confirmed;
        self.codes.discard(CodePurpose::SignUp);
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
        let code = self.codes.issue(CodePurpose::SignUp, now.div_euclid(1000));
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

    /// The NEW_PASSWORD_REQUIRED challenge parameters, as AWS sends them:
    /// `requiredAttributes`, a JSON list of the pool's required attributes
    /// the user lacks as `userAttributes.<name>`, and `userAttributes`, a
    /// JSON object of the user's attributes (`sub` aside).
    pub fn new_password_parameters(&self, schema: &AttributeSchema) -> serde_json::Value {
        let mut missing: Vec<String> = schema
            .missing_required(|name| self.attribute(name).is_some_and(|v| !v.is_empty()))
            .into_iter()
            .map(|name| format!("userAttributes.{name}"))
            .collect();
        missing.sort();
        let attributes: serde_json::Map<String, serde_json::Value> = self
            .attributes
            .iter()
            .map(|(name, value)| (name.to_string(), serde_json::json!(&**value)))
            .collect();
        serde_json::json!({
            "USER_ID_FOR_SRP": &*self.username,
            "requiredAttributes": serde_json::Value::from(missing).to_string(),
            "userAttributes": serde_json::Value::Object(attributes).to_string(),
        })
    }

    /// The answer to NEW_PASSWORD_REQUIRED: the attributes sent
    /// (`userAttributes.<name>`) must exist in the schema and, with those
    /// the user has, cover every required one; then the new password and
    /// the attributes are set together.
    pub fn complete_new_password(
        &mut self,
        schema: &AttributeSchema,
        digest: PasswordDigest,
        updates: &[(String, String)],
        now: i64,
    ) -> Result<(), ServiceError> {
        schema.check_writable(updates)?;
        let present = |name: &str| {
            updates
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .or(self.attribute(name))
                .is_some_and(|v| !v.is_empty())
        };
        if let Some(missing) = schema.missing_required(present).first() {
            return Err(errors::invalid_parameter(format!(
                "Invalid attributes given, {missing} is missing"
            )));
        }
        self.set_password(digest, now);
        self.set_attributes(updates, now);
        Ok(())
    }

    /// AdminDisableUser: the user cannot sign in or refresh, and the
    /// tokens issued so far are revoked ("Deactivates a user profile and
    /// revokes all access tokens for the user", API reference).
    pub fn disable(&mut self, now: i64) {
        self.enabled = false;
        self.sign_out_everywhere(now);
        self.modified = now;
    }

    /// AdminEnableUser: the user may sign in again (tokens revoked by
    /// AdminDisableUser stay revoked).
    pub fn enable(&mut self, now: i64) {
        self.enabled = true;
        self.modified = now;
    }

    /// Sets each attribute to its new value.
    pub fn set_attributes(&mut self, updates: &[(String, String)], now: i64) {
        for (name, value) in updates {
            self.set_attribute(name, value);
        }
        self.modified = now;
    }

    /// ForgotPassword: a password reset code and where it goes (the
    /// pool's account recovery setting picks a verified address).
    pub fn start_password_reset(
        &mut self,
        settings: &PoolSettings,
        now: i64,
    ) -> Result<(Delivery, PendingCode), ServiceError> {
        if !self.enabled {
            return Err(errors::user_disabled());
        }
        if self.status == UserStatus::ForceChangePassword {
            return Err(errors::password_cannot_be_reset());
        }
        let delivery = Delivery::for_recovery(settings, self)?;
        let code = self
            .codes
            .issue(CodePurpose::ResetPassword, now.div_euclid(1000));
        Ok((delivery, code))
    }

    /// ConfirmForgotPassword: uses up the reset code and sets the new
    /// password; a user whose password was reset is CONFIRMED again.
    pub fn finish_password_reset(
        &mut self,
        sent: &str,
        digest: PasswordDigest,
        now: i64,
    ) -> Result<(), ServiceError> {
        self.codes
            .redeem(CodePurpose::ResetPassword, sent, now.div_euclid(1000))?;
        self.password = Some(digest);
        if matches!(
            self.status,
            UserStatus::ResetRequired | UserStatus::ForceChangePassword
        ) {
            self.status = UserStatus::Confirmed;
        }
        self.temporary_password_expires = 0;
        self.modified = now;
        Ok(())
    }

    /// ChangePassword: `previous` must be the current password (the
    /// digest is salted with `srp_name` and the stored user name).
    pub fn change_password(
        &mut self,
        srp_name: &str,
        previous: &str,
        digest: PasswordDigest,
        now: i64,
    ) -> Result<(), ServiceError> {
        let matches = self
            .password
            .as_ref()
            .is_some_and(|d| d.matches(srp_name, &self.username, previous));
        if !matches {
            return Err(errors::incorrect_password());
        }
        self.password = Some(digest);
        self.modified = now;
        Ok(())
    }

    /// AdminSetUserPassword: a permanent password confirms the user; a
    /// temporary one (valid until `temporary_until`, epoch seconds) puts
    /// them in FORCE_CHANGE_PASSWORD, to be replaced at the next sign-in.
    pub fn admin_set_password(
        &mut self,
        digest: PasswordDigest,
        temporary_until: Option<i64>,
        now: i64,
    ) {
        match temporary_until {
            None => self.set_password(digest, now),
            Some(expires) => {
                self.password = Some(digest);
                self.status = UserStatus::ForceChangePassword;
                self.temporary_password_expires = expires;
                self.modified = now;
            }
        }
        self.codes.discard(CodePurpose::ResetPassword);
    }

    /// AdminResetUserPassword: the password stops working (RESET_REQUIRED)
    /// and, when the user has a verified address recovery may use, a reset
    /// code goes there. Only confirmed users can be reset (as moto does; the
    /// API reference does not say what other states answer).
    pub fn admin_reset_password(
        &mut self,
        settings: &PoolSettings,
        now: i64,
    ) -> Result<Option<(Delivery, PendingCode)>, ServiceError> {
        if !self.enabled {
            return Err(errors::user_disabled());
        }
        if !matches!(
            self.status,
            UserStatus::Confirmed | UserStatus::ResetRequired
        ) {
            return Err(errors::password_cannot_be_reset());
        }
        self.status = UserStatus::ResetRequired;
        self.password = None;
        self.modified = now;
        // "If ... a verified phone number exists for the user, or ... a
        // verified email exists for the user, calling this API will also
        // result in sending a message" (API reference): no address, no
        // message, and no error.
        let Ok(delivery) = Delivery::for_recovery(settings, self) else {
            self.codes.discard(CodePurpose::ResetPassword);
            return Ok(None);
        };
        let code = self
            .codes
            .issue(CodePurpose::ResetPassword, now.div_euclid(1000));
        Ok(Some((delivery, code)))
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
///
/// Every change of a user goes through a method that notes the user's key
/// (`user_mut`, `find_mut`, `remove`, ...): when the [`UserGuard`] that
/// holds the table drops, each noted user's record is written to the
/// journal (or deleted), still under the lock. Nothing is noted while the
/// journal is off.
#[derive(Default)]
pub(crate) struct UserTable {
    users: BTreeMap<Box<str>, User>,
    /// Sign-in aliases (lower-cased) → user key: the email or phone number
    /// of pools with `UsernameAttributes`, the verified email, verified
    /// phone number or preferred_username of pools with `AliasAttributes`.
    aliases: HashMap<Box<str>, Box<str>>,
    journal: Journal,
    /// The pool's id, which the users' records are named by.
    pool_id: Arc<str>,
    /// Whether changed users are noted (the journal is on).
    tracking: bool,
    /// Keys of the users changed under the current lock.
    dirty: Vec<Box<str>>,
}

/// The pool's `AliasAttributes` (set at creation only).
fn alias_attributes(settings: &PoolSettings) -> Vec<&str> {
    settings
        .request
        .get("AliasAttributes")
        .and_then(serde_json::Value::as_array)
        .map(|names| names.iter().filter_map(serde_json::Value::as_str).collect())
        .unwrap_or_default()
}

/// Whether users of the pool sign in by anything but their user name.
fn has_aliases(settings: &PoolSettings) -> bool {
    !settings.username_attributes.is_empty() || !alias_attributes(settings).is_empty()
}

/// The sign-in aliases a user holds in the pool: each with the attribute
/// it comes from. Email addresses and phone numbers that are user names
/// count whether verified or not; alias attributes only once verified
/// (preferred_username needs no verification), as the developer guide's
/// "User pool attributes" says.
fn aliases_of(settings: &PoolSettings, user: &User) -> Vec<(&'static str, Box<str>)> {
    let mut aliases = Vec::new();
    let known: [&'static str; 3] = ["email", "phone_number", "preferred_username"];
    let alias_attributes = alias_attributes(settings);
    for attribute in known {
        let Some(value) = user.attribute(attribute).filter(|v| !v.is_empty()) else {
            continue;
        };
        let username = settings.username_attributes.iter().any(|a| a == attribute);
        let alias = alias_attributes.contains(&attribute)
            && (attribute == "preferred_username"
                || user.attribute(&format!("{attribute}_verified")) == Some("true"));
        if username || alias {
            aliases.push((attribute, value.to_lowercase().into_boxed_str()));
        }
    }
    aliases
}

impl UserTable {
    /// Every user, by key (read only: changes go through the methods below).
    pub fn users(&self) -> &BTreeMap<Box<str>, User> {
        &self.users
    }

    /// Notes that the user under `key` changed (or is gone).
    fn touch(dirty: &mut Vec<Box<str>>, tracking: bool, key: &str) {
        if tracking {
            dirty.push(key.into());
        }
    }

    /// The user stored under `key`, to change.
    pub fn user_mut(&mut self, key: &str) -> Option<&mut User> {
        let user = self.users.get_mut(key)?;
        Self::touch(&mut self.dirty, self.tracking, key);
        Some(user)
    }

    /// Stores `user` under `key`, replacing any user there.
    fn put_user(&mut self, key: Box<str>, user: User) {
        Self::touch(&mut self.dirty, self.tracking, &key);
        self.users.insert(key, user);
    }

    /// Writes the records of the users changed under this lock.
    fn flush(&mut self) {
        if self.dirty.is_empty() {
            return;
        }
        let mut dirty = std::mem::take(&mut self.dirty);
        dirty.sort_unstable();
        dirty.dedup();
        for key in &dirty {
            let record = records::user_key(&self.pool_id, key);
            match self.users.get(key) {
                Some(user) => self.journal.put(records::USER, &record, user),
                None => self.journal.delete(records::USER, &record),
            }
        }
        dirty.clear();
        self.dirty = dirty;
    }

    /// The key of the user a caller named (by user name or sign-in alias).
    pub fn resolve(&self, settings: &PoolSettings, name: &str) -> Option<Box<str>> {
        let key = settings.user_key(name);
        if self.users.contains_key(&key) {
            return Some(key);
        }
        if self.aliases.is_empty() {
            return None;
        }
        self.aliases.get(name.to_lowercase().as_str()).cloned()
    }

    pub fn find_mut(&mut self, settings: &PoolSettings, name: &str) -> Option<&mut User> {
        let key = self.resolve(settings, name)?;
        self.user_mut(&key)
    }

    pub fn find(&self, settings: &PoolSettings, name: &str) -> Option<&User> {
        let key = self.resolve(settings, name)?;
        self.users.get(&key)
    }

    pub fn remove(&mut self, key: &str) -> Option<User> {
        let user = self.users.remove(key)?;
        Self::touch(&mut self.dirty, self.tracking, key);
        self.aliases.retain(|_, k| &**k != key);
        Some(user)
    }

    /// Checks that the aliases `user` (stored under `key`) would hold are
    /// not another user's; with `force` (ForceAliasCreation) an alias
    /// attribute's alias moves to this user, and its previous holder's
    /// attribute is no longer verified. User-name attributes never move.
    fn check_aliases(
        &self,
        settings: &PoolSettings,
        key: &str,
        user: &User,
        force: bool,
    ) -> Result<Vec<(&'static str, Box<str>)>, Taken> {
        let wanted = aliases_of(settings, user);
        for (attribute, alias) in &wanted {
            let held_by_other = self.aliases.get(alias).is_some_and(|owner| &**owner != key);
            if !held_by_other {
                continue;
            }
            if settings.username_attributes.iter().any(|a| a == attribute) {
                return Err(Taken::SignInName(attribute));
            }
            if !force {
                return Err(Taken::Alias(attribute));
            }
        }
        Ok(wanted)
    }

    /// Makes `wanted` (from [`UserTable::check_aliases`]) the aliases of
    /// the user under `key`, in place of `previous`.
    fn claim_aliases(
        &mut self,
        key: &str,
        previous: &[(&'static str, Box<str>)],
        wanted: Vec<(&'static str, Box<str>)>,
    ) {
        for (_, alias) in previous {
            if self.aliases.get(alias).is_some_and(|owner| &**owner == key) {
                self.aliases.remove(alias);
            }
        }
        for (attribute, alias) in wanted {
            let Some(owner) = self.aliases.insert(alias, key.into()) else {
                continue;
            };
            if &*owner != key {
                if let Some(previous_holder) = self.user_mut(&owner) {
                    previous_holder.set_attribute(&format!("{attribute}_verified"), "false");
                }
            }
        }
    }
}

/// Why a user could not be stored or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Taken {
    /// Another user has that user name.
    Username,
    /// Another user signs in with that email address or phone number, the
    /// pool's user names (`UsernameAttributes`).
    SignInName(&'static str),
    /// Another user holds that alias (`AliasAttributes`).
    Alias(&'static str),
}

impl Taken {
    /// The error of a change (not a new user) that would take another
    /// user's sign-in name or alias: `AliasExistsException`.
    pub fn as_change_error(self) -> ServiceError {
        match self {
            Taken::Username => errors::username_exists(),
            Taken::SignInName(attribute) | Taken::Alias(attribute) => {
                errors::alias_exists_for_change(attribute)
            }
        }
    }
}

/// The user table, locked; writes the changed users' records when dropped.
pub(crate) struct UserGuard<'a>(MutexGuard<'a, UserTable>);

impl std::ops::Deref for UserGuard<'_> {
    type Target = UserTable;

    fn deref(&self) -> &UserTable {
        &self.0
    }
}

impl std::ops::DerefMut for UserGuard<'_> {
    fn deref_mut(&mut self) -> &mut UserTable {
        &mut self.0
    }
}

impl Drop for UserGuard<'_> {
    fn drop(&mut self) {
        self.0.flush();
    }
}

#[derive(Default)]
pub(crate) struct UserStore {
    table: Mutex<UserTable>,
}

impl UserStore {
    /// The users of the pool `pool_id`, whose changes go to `journal`.
    pub fn new(pool_id: Arc<str>, journal: Journal) -> Self {
        let tracking = journal.is_on();
        UserStore {
            table: Mutex::new(UserTable {
                journal,
                pool_id,
                tracking,
                ..UserTable::default()
            }),
        }
    }

    pub fn lock(&self) -> UserGuard<'_> {
        UserGuard(self.table.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Puts back a user read from a state folder, with the sign-in aliases
    /// it holds, without journaling.
    pub fn restore(&self, settings: &PoolSettings, user: User) {
        let key = settings.user_key(&user.username);
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        if has_aliases(settings) {
            for (_, alias) in aliases_of(settings, &user) {
                table.aliases.insert(alias, key.clone());
            }
        }
        table.users.insert(key, user);
    }

    pub fn len(&self) -> usize {
        self.lock().users.len()
    }

    /// Inserts a new user unless the name (or a sign-in alias) is taken;
    /// one lock section, so two sign-ups of one name make one user.
    /// `force_alias` is AdminCreateUser's ForceAliasCreation.
    pub fn insert(
        &self,
        settings: &PoolSettings,
        user: User,
        force_alias: bool,
    ) -> Result<(), Taken> {
        let key = settings.user_key(&user.username);
        let mut table = self.lock();
        if table.users.contains_key(&key) {
            return Err(Taken::Username);
        }
        if has_aliases(settings) {
            let wanted = table.check_aliases(settings, &key, &user, force_alias)?;
            table.claim_aliases(&key, &[], wanted);
        }
        table.put_user(key, user);
        Ok(())
    }

    /// Applies `change` to the user stored under `key` and keeps the
    /// pool's sign-in aliases in step, under one lock. A change that
    /// succeeds but would take another user's alias is undone and answers
    /// `AliasExistsException` (unless `force_alias`). A change that fails
    /// keeps what it did (a wrong code's count). `None`: no such user.
    pub fn change<T>(
        &self,
        settings: &PoolSettings,
        key: &str,
        force_alias: bool,
        change: impl FnOnce(&mut User) -> Result<T, ServiceError>,
    ) -> Option<Result<T, ServiceError>> {
        let mut table = self.lock();
        if !has_aliases(settings) {
            return table.user_mut(key).map(change);
        }
        let user = table.users.get(key)?;
        let previous = aliases_of(settings, user);
        let mut changed = user.clone();
        let outcome = change(&mut changed);
        if outcome.is_ok() {
            match table.check_aliases(settings, key, &changed, force_alias) {
                Ok(wanted) => table.claim_aliases(key, &previous, wanted),
                Err(taken) => return Some(Err(taken.as_change_error())),
            }
        }
        table.put_user(key.into(), changed);
        Some(outcome)
    }

    /// A user the UserMigration trigger brought in: `true` once stored;
    /// `false` when a user of that name appeared meanwhile (that user
    /// stands). An alias another user holds refuses the migration unless
    /// `force_alias` moves it ("If this attribute is set to false and the
    /// alias exists, the user will not be migrated, and an error is
    /// returned", developer guide).
    pub fn insert_migrated(
        &self,
        settings: &PoolSettings,
        user: User,
        force_alias: bool,
    ) -> Result<bool, ServiceError> {
        match self.insert(settings, user, force_alias) {
            Ok(()) => Ok(true),
            Err(Taken::Username) => Ok(false),
            Err(Taken::SignInName(attribute)) => Err(errors::alias_exists(attribute)),
            Err(taken @ Taken::Alias(_)) => Err(taken.as_change_error()),
        }
    }

    /// [`UserStore::change`] of the user a caller named.
    pub fn change_named<T>(
        &self,
        settings: &PoolSettings,
        name: &str,
        force_alias: bool,
        change: impl FnOnce(&mut User) -> Result<T, ServiceError>,
    ) -> Option<Result<T, ServiceError>> {
        let key = self.lock().resolve(settings, name)?;
        self.change(settings, &key, force_alias, change)
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

    /// The stored user name of the user a caller named: what password
    /// digests are salted with, to compute before taking the lock again.
    pub fn stored_username(&self, settings: &PoolSettings, name: &str) -> Option<String> {
        self.lock()
            .find(settings, name)
            .map(|user| user.username.to_string())
    }

    /// Applies `change` to the user stored under `key`; `None` when there is none.
    pub fn update<T>(&self, key: &str, change: impl FnOnce(&mut User) -> T) -> Option<T> {
        self.lock().user_mut(key).map(change)
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

/// The pool's `AccountRecoverySetting` mechanisms, highest priority first.
/// Without one, the legacy behaviour of the API reference: "SMS is
/// preferred through email".
fn recovery_mechanisms(settings: &PoolSettings) -> Vec<&str> {
    let listed = settings
        .request
        .get("AccountRecoverySetting")
        .and_then(|s| s.get("RecoveryMechanisms"))
        .and_then(serde_json::Value::as_array);
    let Some(listed) = listed.filter(|l| !l.is_empty()) else {
        return vec!["verified_phone_number", "verified_email"];
    };
    let mut mechanisms: Vec<(i64, &str)> = listed
        .iter()
        .filter_map(|m| {
            let name = m.get("Name")?.as_str()?;
            let priority = m.get("Priority").and_then(serde_json::Value::as_i64);
            Some((priority.unwrap_or(i64::MAX), name))
        })
        .collect();
    mechanisms.sort_by_key(|(priority, _)| *priority);
    mechanisms.into_iter().map(|(_, name)| name).collect()
}

impl Delivery {
    /// Where a password reset code goes: the first recovery mechanism
    /// whose address the user has verified.
    pub fn for_recovery(settings: &PoolSettings, user: &User) -> Result<Delivery, ServiceError> {
        let mechanisms = recovery_mechanisms(settings);
        if mechanisms.first() == Some(&"admin_only") {
            return Err(errors::not_authorized(
                "Contact administrator to reset password.",
            ));
        }
        for mechanism in mechanisms {
            let (attribute, medium) = match mechanism {
                "verified_email" => ("email", DeliveryMedium::Email),
                "verified_phone_number" => ("phone_number", DeliveryMedium::Sms),
                _ => continue,
            };
            let verified = user.attribute(&format!("{attribute}_verified")) == Some("true");
            if let Some(destination) = user.attribute(attribute).filter(|_| verified) {
                return Ok(Delivery {
                    attribute,
                    medium,
                    destination: destination.to_owned(),
                });
            }
        }
        Err(errors::invalid_parameter(
            "Cannot reset password for the user as there is no registered/verified email or phone_number",
        ))
    }

    /// What ForgotPassword answers for a user who does not exist when the
    /// client hides that (`PreventUserExistenceErrors`): a delivery that
    /// looks like a real one. AWS documents that it is simulated, not its
    /// form: this one goes by the first recovery mechanism whose attribute
    /// the pool verifies (else the first one), and the name sent.
    pub fn simulated_recovery(settings: &PoolSettings, name: &str) -> Delivery {
        let mechanisms = recovery_mechanisms(settings);
        let verifies = |mechanism: &&&str| {
            let attribute = mechanism.trim_start_matches("verified_");
            settings.auto_verified.iter().any(|a| a == attribute)
        };
        let chosen = mechanisms
            .iter()
            .find(verifies)
            .or(mechanisms.first())
            .copied();
        let by_phone = chosen == Some("verified_phone_number");
        if by_phone {
            let destination = if name.starts_with('+') {
                name.to_owned()
            } else {
                "+10000000000".to_owned()
            };
            return Delivery {
                attribute: "phone_number",
                medium: DeliveryMedium::Sms,
                destination,
            };
        }
        let destination = if name.contains('@') {
            name.to_owned()
        } else {
            format!("{name}@example.com")
        };
        Delivery {
            attribute: "email",
            medium: DeliveryMedium::Email,
            destination,
        }
    }
}

/// A new user's name as stored: in pools whose user names are email
/// addresses or phone numbers, the user's `sub`, and the attribute the
/// requested name is.
pub(crate) struct NewUsername {
    pub username: String,
    pub sub: Option<Uuid>,
    pub alias: Option<SignInAlias>,
}

/// Checks a new user's name against the pool's `UsernameAttributes` and
/// `AliasAttributes`.
pub(crate) fn username_for(
    settings: &PoolSettings,
    requested: &str,
) -> Result<NewUsername, ServiceError> {
    if settings.username_attributes.is_empty() {
        let aliases = alias_attributes(settings);
        if aliases.contains(&"email") && requested.contains('@') {
            return Err(errors::invalid_parameter(
                "Username cannot be of email format, since user pool is configured for email alias.",
            ));
        }
        if aliases.contains(&"phone_number")
            && requested.starts_with('+')
            && requested[1..].chars().all(|c| c.is_ascii_digit())
        {
            return Err(errors::invalid_parameter(
                "Username cannot be of phone number format, since user pool is configured for phone_number alias.",
            ));
        }
        return Ok(NewUsername {
            username: requested.to_owned(),
            sub: None,
            alias: None,
        });
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
    let sub = crate::new_uuid();
    Ok(NewUsername {
        username: sub.to_string(),
        sub: Some(sub),
        alias: Some((alias, requested.to_owned())),
    })
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
        let user = |name: &str, email: &str| {
            User::new(name, None, UserStatus::Confirmed, &[("email", email)], 0)
        };
        store
            .insert(&settings, user("id-1", "a@example.com"), false)
            .unwrap();
        assert_eq!(
            store.insert(&settings, user("id-2", "A@example.com"), true),
            Err(Taken::SignInName("email")),
            "a user name attribute is never forced"
        );
        assert_eq!(
            store.insert(&settings, user("id-1", "b@example.com"), false),
            Err(Taken::Username)
        );
        // The refused insert did not claim its alias.
        assert!(store.lock().resolve(&settings, "b@example.com").is_none());
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn alias_attributes_count_once_verified_and_can_be_forced() {
        let settings = settings(serde_json::json!({"AliasAttributes": ["email"]}));
        let store = UserStore::default();
        let user = |name: &str| {
            User::new(
                name,
                None,
                UserStatus::Confirmed,
                &[("email", "same@example.com")],
                0,
            )
        };
        store.insert(&settings, user("ann"), false).unwrap();
        store.insert(&settings, user("bob"), false).unwrap();
        assert!(
            store
                .lock()
                .resolve(&settings, "same@example.com")
                .is_none(),
            "not verified: no alias"
        );
        let verify = |user: &mut User| {
            user.set_attribute("email_verified", "true");
            Ok(())
        };
        store
            .change(&settings, "ann", false, verify)
            .unwrap()
            .unwrap();
        assert_eq!(
            store
                .lock()
                .resolve(&settings, "SAME@example.com")
                .as_deref(),
            Some("ann")
        );
        let refused = store.change(&settings, "bob", false, verify).unwrap();
        assert_eq!(refused.unwrap_err().code, "AliasExistsException");
        assert_eq!(
            store.lock().users["bob"].attribute("email_verified"),
            None,
            "the refused change was undone"
        );
        store
            .change(&settings, "bob", true, verify)
            .unwrap()
            .unwrap();
        let table = store.lock();
        assert_eq!(
            table.resolve(&settings, "same@example.com").as_deref(),
            Some("bob")
        );
        assert_eq!(
            table.users["ann"].attribute("email_verified"),
            Some("false")
        );
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
