//! A pool's settings: the members of its last CreateUserPool /
//! UpdateUserPool request as sent, and what the emulator needs from them in
//! typed form. UpdateUserPool replaces every updatable setting: what the
//! request leaves out goes back to its default, as in AWS.

use std::borrow::Cow;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::attributes::AttributeSchema;
use super::password_policy::PasswordPolicy;
use crate::aws_json::ServiceError;
use crate::cognito::{errors, input::Input};

/// `MfaConfiguration` of a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MfaMode {
    Off,
    On,
    Optional,
}

impl MfaMode {
    pub fn parse(value: Option<&str>) -> Self {
        match value {
            Some("ON") => MfaMode::On,
            Some("OPTIONAL") => MfaMode::Optional,
            _ => MfaMode::Off,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MfaMode::Off => "OFF",
            MfaMode::On => "ON",
            MfaMode::Optional => "OPTIONAL",
        }
    }
}

/// `DeviceConfiguration` of a pool (device tracking is on when present).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DeviceSettings {
    pub challenge_required_on_new_device: bool,
    pub only_remembered_on_user_prompt: bool,
}

/// A pool's settings, replaced as a whole by UpdateUserPool.
#[derive(Debug, Clone)]
pub(crate) struct PoolSettings {
    pub name: String,
    pub last_modified: i64,
    /// The settings members of the last Create/Update request, as sent.
    pub request: Map<String, Value>,
    pub password_policy: PasswordPolicy,
    pub mfa: MfaMode,
    pub software_token_mfa: bool,
    pub sms_mfa: Option<Value>,
    pub devices: Option<DeviceSettings>,
    pub case_sensitive: bool,
    pub username_attributes: Vec<String>,
    pub auto_verified: Vec<String>,
    pub admin_create_user_only: bool,
    pub deletion_protection: bool,
    pub schema: AttributeSchema,
    pub email_verification_message: Arc<str>,
    pub sms_verification_message: Arc<str>,
    pub invitation_email: Arc<str>,
    pub invitation_sms: Arc<str>,
}

/// A pool's settings as stored (in its `cognito.pool` record): what
/// [`PoolSettings::from_request`] makes them from again.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredSettings<'a> {
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    pub last_modified: i64,
    /// The members of the last Create/Update request, as kept.
    pub request: Cow<'a, Map<String, Value>>,
    pub schema: Cow<'a, AttributeSchema>,
    #[serde(default)]
    pub software_token_mfa: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_mfa: Option<Cow<'a, Value>>,
}

impl<'a> StoredSettings<'a> {
    pub fn of(settings: &'a PoolSettings) -> Self {
        StoredSettings {
            name: Cow::Borrowed(&settings.name),
            last_modified: settings.last_modified,
            request: Cow::Borrowed(&settings.request),
            schema: Cow::Borrowed(&settings.schema),
            software_token_mfa: settings.software_token_mfa,
            sms_mfa: settings.sms_mfa.as_ref().map(Cow::Borrowed),
        }
    }

    /// The settings these were stored from.
    pub fn into_settings(self) -> Result<PoolSettings, ServiceError> {
        let mut settings = PoolSettings::from_request(
            &self.name,
            self.request.into_owned(),
            self.schema.into_owned(),
            self.software_token_mfa,
            self.sms_mfa.map(Cow::into_owned),
        )?;
        settings.last_modified = self.last_modified;
        Ok(settings)
    }
}

/// Members CreateUserPool sets once and UpdateUserPool cannot change.
const IMMUTABLE: &[&str] = &[
    "AliasAttributes",
    "UsernameAttributes",
    "Schema",
    "UsernameConfiguration",
];

impl PoolSettings {
    pub fn from_request(
        name: &str,
        request: Map<String, Value>,
        schema: AttributeSchema,
        software_token_mfa: bool,
        sms_mfa: Option<Value>,
    ) -> Result<Self, ServiceError> {
        let input = Input::new(&request);
        let mfa = MfaMode::parse(input.str("MfaConfiguration"));
        let devices = input.object("DeviceConfiguration").map(|d| DeviceSettings {
            challenge_required_on_new_device: d
                .bool("ChallengeRequiredOnNewDevice")
                .unwrap_or(false),
            only_remembered_on_user_prompt: d
                .bool("DeviceOnlyRememberedOnUserPrompt")
                .unwrap_or(false),
        });
        let username_attributes: Vec<String> = input
            .strings("UsernameAttributes")
            .into_iter()
            .map(str::to_owned)
            .collect();
        if !username_attributes.is_empty() && !input.strings("AliasAttributes").is_empty() {
            return Err(errors::invalid_parameter(
                "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool",
            ));
        }
        let template = input.object("VerificationMessageTemplate");
        let email_verification_message = template
            .and_then(|t| t.str("EmailMessage"))
            .or(input.str("EmailVerificationMessage"))
            .unwrap_or("Your verification code is {####}. ");
        let sms_verification_message = template
            .and_then(|t| t.str("SmsMessage"))
            .or(input.str("SmsVerificationMessage"))
            .unwrap_or("Your verification code is {####}. ");
        let admin = input.object("AdminCreateUserConfig");
        let invite = admin.and_then(|a| a.object("InviteMessageTemplate"));
        let invitation_email = invite
            .and_then(|t| t.str("EmailMessage"))
            .unwrap_or("Your username is {username} and temporary password is {####}. ");
        let invitation_sms = invite
            .and_then(|t| t.str("SMSMessage"))
            .unwrap_or("Your username is {username} and temporary password is {####}. ");
        Ok(PoolSettings {
            name: name.to_owned(),
            // Set by the caller, from the emulator's clock.
            last_modified: 0,
            password_policy: PasswordPolicy::from_request(input.object("Policies")),
            mfa,
            software_token_mfa,
            sms_mfa,
            devices,
            case_sensitive: input
                .object("UsernameConfiguration")
                .and_then(|u| u.bool("CaseSensitive"))
                .unwrap_or(true),
            username_attributes,
            auto_verified: input
                .strings("AutoVerifiedAttributes")
                .into_iter()
                .map(str::to_owned)
                .collect(),
            admin_create_user_only: admin
                .and_then(|a| a.bool("AllowAdminCreateUserOnly"))
                .unwrap_or(false),
            deletion_protection: input.str("DeletionProtection") == Some("ACTIVE"),
            schema,
            email_verification_message: email_verification_message.into(),
            sms_verification_message: sms_verification_message.into(),
            invitation_email: invitation_email.into(),
            invitation_sms: invitation_sms.into(),
            request,
        })
    }

    /// The settings UpdateUserPool makes of these and its request (the
    /// settings members as sent): what it leaves out goes back to its
    /// default, except what only CreateUserPool or SetUserPoolMfaConfig set.
    pub fn updated(
        &self,
        mut request: Map<String, Value>,
        now: i64,
    ) -> Result<PoolSettings, ServiceError> {
        for member in IMMUTABLE {
            request.remove(*member);
            if let Some(value) = self.request.get(*member) {
                request.insert((*member).to_owned(), value.clone());
            }
        }
        // Tags belong to the pool as a resource (TagResource, UntagResource
        // change them): an update that sends none keeps them.
        if !request.contains_key("UserPoolTags") {
            if let Some(tags) = self.request.get("UserPoolTags") {
                request.insert("UserPoolTags".into(), tags.clone());
            }
        }
        let name = request
            .get("PoolName")
            .and_then(Value::as_str)
            .unwrap_or(&self.name)
            .to_owned();
        request.insert("PoolName".into(), json!(name));
        let mut settings = PoolSettings::from_request(
            &name,
            request,
            self.schema.clone(),
            self.software_token_mfa,
            self.sms_mfa.clone(),
        )?;
        settings.last_modified = now;
        Ok(settings)
    }

    /// These settings with the MFA configuration SetUserPoolMfaConfig sets.
    pub fn with_mfa(
        &self,
        mode: MfaMode,
        software_token: bool,
        sms: Option<Value>,
        now: i64,
    ) -> PoolSettings {
        let mut settings = self.clone();
        settings.software_token_mfa = software_token;
        settings.sms_mfa = sms;
        settings.mfa = mode;
        settings
            .request
            .insert("MfaConfiguration".into(), json!(mode.as_str()));
        settings.last_modified = now;
        settings
    }

    /// The key a user name is stored under: lower case when the pool is case-insensitive.
    pub fn user_key(&self, username: &str) -> Box<str> {
        if self.case_sensitive {
            username.into()
        } else {
            username.to_lowercase().into_boxed_str()
        }
    }
}
