//! User pools: CreateUserPool, DescribeUserPool, UpdateUserPool,
//! DeleteUserPool, ListUserPools, SetUserPoolMfaConfig, GetUserPoolMfaConfig.
//!
//! A pool keeps the settings of its last Create/Update request as sent, and
//! what the emulator needs from them in typed form. UpdateUserPool replaces
//! every updatable setting: what the request leaves out goes back to its
//! default, as in AWS.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, RwLock};

use serde_json::{Map, Value, json};

use super::attributes::AttributeSchema;
use super::password_policy::PasswordPolicy;
use super::users::UserStore;
use super::{
    ALPHANUMERIC, CognitoService, Input, Outcome, clients::AppClient, epoch, invalid_parameter,
    random_string,
};
use crate::aws_json::ServiceError;

/// `MfaConfiguration` of a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MfaMode {
    Off,
    On,
    Optional,
}

impl MfaMode {
    fn parse(value: Option<&str>) -> Self {
        match value {
            Some("ON") => MfaMode::On,
            Some("OPTIONAL") => MfaMode::Optional,
            _ => MfaMode::Off,
        }
    }

    fn as_str(self) -> &'static str {
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

/// Members CreateUserPool sets once and UpdateUserPool cannot change.
const IMMUTABLE: &[&str] = &[
    "AliasAttributes",
    "UsernameAttributes",
    "Schema",
    "UsernameConfiguration",
];

impl PoolSettings {
    fn from_request(
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
            return Err(invalid_parameter(
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

    /// The key a user name is stored under: lower case when the pool is case-insensitive.
    pub fn user_key(&self, username: &str) -> Box<str> {
        if self.case_sensitive {
            username.into()
        } else {
            username.to_lowercase().into_boxed_str()
        }
    }
}

/// One user pool.
pub(crate) struct Pool {
    pub id: Arc<str>,
    /// The part of the id after `_`: the SRP prefix.
    pub srp_name: Box<str>,
    pub arn: String,
    pub created: i64,
    pub sequence: u64,
    settings: RwLock<Arc<PoolSettings>>,
    pub clients: RwLock<HashMap<Box<str>, Arc<AppClient>>>,
    pub users: UserStore,
}

/// Pools with fewer users than this free too little to be worth a trim.
const TRIM_AFTER_USERS: usize = 1000;

impl Drop for Pool {
    /// A deleted pool's users are freed here (once the last request using
    /// the pool is done), and the freed memory goes back to the system.
    fn drop(&mut self) {
        let users = std::mem::take(&mut self.users);
        let many = users.len() >= TRIM_AFTER_USERS;
        drop(users);
        if many {
            crate::release_freed_memory();
        }
    }
}

impl Pool {
    /// The current settings (a cheap snapshot).
    pub fn settings(&self) -> Arc<PoolSettings> {
        self.settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn replace_settings(&self, settings: PoolSettings) {
        *self.settings.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(settings);
    }

    /// The app client with this id, or `ResourceNotFoundException`.
    pub fn client(&self, client_id: &str) -> Result<Arc<AppClient>, ServiceError> {
        self.clients
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(client_id)
            .cloned()
            .ok_or_else(|| {
                ServiceError::new(
                    "ResourceNotFoundException",
                    format!("User pool client {client_id} does not exist."),
                )
            })
    }

    fn describe(&self) -> Value {
        let settings = self.settings();
        let mut pool = settings.request.clone();
        let mut policies = pool
            .get("Policies")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        policies.insert("PasswordPolicy".into(), settings.password_policy.to_json());
        policies
            .entry("SignInPolicy")
            .or_insert(json!({"AllowedFirstAuthFactors": ["PASSWORD"]}));
        pool.insert("Policies".into(), Value::Object(policies));
        pool.insert("Id".into(), json!(&*self.id));
        pool.insert("Name".into(), json!(settings.name));
        pool.remove("PoolName");
        pool.insert("Arn".into(), json!(self.arn));
        pool.insert("CreationDate".into(), epoch(self.created));
        pool.insert("LastModifiedDate".into(), epoch(settings.last_modified));
        pool.insert("EstimatedNumberOfUsers".into(), json!(self.users.len()));
        pool.insert("MfaConfiguration".into(), json!(settings.mfa.as_str()));
        pool.entry("DeletionProtection")
            .or_insert(json!("INACTIVE"));
        pool.entry("LambdaConfig").or_insert(json!({}));
        pool.insert(
            "SchemaAttributes".into(),
            Value::Array(settings.schema.described.clone()),
        );
        pool.remove("Schema");
        pool.entry("VerificationMessageTemplate")
            .or_insert(json!({"DefaultEmailOption": "CONFIRM_WITH_CODE"}));
        pool.entry("EmailConfiguration")
            .or_insert(json!({"EmailSendingAccount": "COGNITO_DEFAULT"}));
        let mut admin = pool
            .get("AdminCreateUserConfig")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        admin
            .entry("AllowAdminCreateUserOnly")
            .or_insert(json!(false));
        admin.entry("UnusedAccountValidityDays").or_insert(json!(
            settings.password_policy.temporary_password_validity_days
        ));
        pool.insert("AdminCreateUserConfig".into(), Value::Object(admin));
        pool.entry("UserPoolTier").or_insert(json!("ESSENTIALS"));
        pool.entry("UserPoolTags").or_insert(json!({}));
        Value::Object(pool)
    }
}

/// Pagination token of ListUserPools: the sequence number of the next pool.
fn parse_token(token: Option<&str>) -> Result<u64, ServiceError> {
    match token {
        None => Ok(0),
        Some(token) => token
            .strip_prefix("pools-")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| invalid_parameter("Invalid NextToken")),
    }
}

fn request_settings(input: &Input<'_>, skip: &[&str]) -> Map<String, Value> {
    input
        .fields()
        .iter()
        .filter(|(k, v)| !skip.contains(&k.as_str()) && !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

impl CognitoService {
    pub(super) fn create_user_pool(&self, input: &Input<'_>) -> Outcome {
        let name = input.required("PoolName")?;
        let schema = AttributeSchema::from_request(input.value("Schema"))?;
        let mut settings =
            PoolSettings::from_request(name, request_settings(input, &[]), schema, false, None)?;
        settings.last_modified = self.now_millis();
        let id: Arc<str> = format!("{}_{}", self.region, random_string(ALPHANUMERIC, 9)).into();
        let srp_name = id
            .split_once('_')
            .map(|(_, n)| n)
            .unwrap_or_default()
            .into();
        let created = settings.last_modified;
        let pool = Arc::new(Pool {
            arn: format!(
                "arn:aws:cognito-idp:{}:{}:userpool/{id}",
                self.region, self.account_id
            ),
            id: id.clone(),
            srp_name,
            created,
            sequence: self.pool_sequence.fetch_add(1, Ordering::Relaxed),
            settings: RwLock::new(Arc::new(settings)),
            clients: RwLock::new(HashMap::new()),
            users: UserStore::default(),
        });
        let description = pool.describe();
        self.pools
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, pool);
        Ok(json!({ "UserPool": description }))
    }

    pub(super) fn describe_user_pool(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        Ok(json!({ "UserPool": pool.describe() }))
    }

    pub(super) fn update_user_pool(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let old = pool.settings();
        let mut request = request_settings(input, &["UserPoolId"]);
        for member in IMMUTABLE {
            request.remove(*member);
            if let Some(value) = old.request.get(*member) {
                request.insert((*member).to_owned(), value.clone());
            }
        }
        let name = input.str("PoolName").unwrap_or(&old.name).to_owned();
        request.insert("PoolName".into(), json!(name));
        let mut settings = PoolSettings::from_request(
            &name,
            request,
            old.schema.clone(),
            old.software_token_mfa,
            old.sms_mfa.clone(),
        )?;
        settings.last_modified = self.now_millis();
        pool.replace_settings(settings);
        Ok(json!({}))
    }

    pub(super) fn delete_user_pool(&self, input: &Input<'_>) -> Outcome {
        let pool_id = input.required("UserPoolId")?;
        let pool = self.pool(pool_id)?;
        if pool.settings().deletion_protection {
            return Err(invalid_parameter(
                "The user pool cannot be deleted because deletion protection is activated.",
            ));
        }
        self.pools
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(pool_id);
        let clients = pool.clients.read().unwrap_or_else(|p| p.into_inner());
        let mut index = self.client_pools.write().unwrap_or_else(|p| p.into_inner());
        for client_id in clients.keys() {
            index.remove(client_id);
        }
        Ok(json!({}))
    }

    pub(super) fn list_user_pools(&self, input: &Input<'_>) -> Outcome {
        let limit = input.i64("MaxResults").unwrap_or(60).clamp(1, 60) as usize;
        let start = parse_token(input.str("NextToken"))?;
        let mut pools: Vec<Arc<Pool>> = self
            .pools
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .filter(|p| p.sequence >= start)
            .cloned()
            .collect();
        pools.sort_by_key(|p| p.sequence);
        let next = pools.get(limit).map(|p| format!("pools-{}", p.sequence));
        let listed: Vec<Value> = pools
            .iter()
            .take(limit)
            .map(|pool| {
                let settings = pool.settings();
                json!({
                    "Id": &*pool.id,
                    "Name": settings.name,
                    "LambdaConfig": settings.request.get("LambdaConfig").cloned().unwrap_or(json!({})),
                    "LastModifiedDate": epoch(settings.last_modified),
                    "CreationDate": epoch(pool.created),
                })
            })
            .collect();
        let mut output = json!({ "UserPools": listed });
        if let Some(next) = next {
            output["NextToken"] = json!(next);
        }
        Ok(output)
    }

    /// SetUserPoolMfaConfig replaces the pool's whole MFA configuration, as
    /// AWS does: a member left out goes back to its default (no
    /// `MfaConfiguration` means `OFF`, no factor block means that factor is
    /// off), so a caller changing one setting must send the others again.
    pub(super) fn set_user_pool_mfa_config(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let old = pool.settings();
        let software_token = input
            .object("SoftwareTokenMfaConfiguration")
            .is_some_and(|c| c.bool("Enabled") == Some(true));
        let sms = input.value("SmsMfaConfiguration").cloned();
        let factors = software_token || sms.is_some();
        let requested = input.str("MfaConfiguration");
        let mode = MfaMode::parse(requested);
        let (software_token, sms) = match mode {
            MfaMode::Off if factors && requested.is_some() => {
                return Err(invalid_parameter(
                    "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
                ));
            }
            // Left out, the mode is OFF and the factors sent with it are dropped.
            MfaMode::Off => (false, None),
            _ if !factors => {
                return Err(invalid_parameter(
                    "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be enabled.",
                ));
            }
            _ => (software_token, sms),
        };
        let mut settings = (*old).clone();
        settings.software_token_mfa = software_token;
        settings.sms_mfa = sms;
        settings.mfa = mode;
        settings
            .request
            .insert("MfaConfiguration".into(), json!(mode.as_str()));
        settings.last_modified = self.now_millis();
        pool.replace_settings(settings);
        self.get_user_pool_mfa_config(input)
    }

    pub(super) fn get_user_pool_mfa_config(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let settings = pool.settings();
        let mut output = json!({
            "SoftwareTokenMfaConfiguration": {"Enabled": settings.software_token_mfa},
            "MfaConfiguration": settings.mfa.as_str(),
        });
        if let Some(sms) = &settings.sms_mfa {
            output["SmsMfaConfiguration"] = sms.clone();
        }
        Ok(output)
    }
}
