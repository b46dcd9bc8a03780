//! User pools: CreateUserPool, DescribeUserPool, UpdateUserPool,
//! DeleteUserPool, ListUserPools, SetUserPoolMfaConfig, GetUserPoolMfaConfig.
//!
//! The pool and its settings live in `state::pool` and `state::settings`;
//! these handlers read the request, change the pool through its methods and
//! describe it.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde_json::{Map, Value, json};

use super::state::attributes::AttributeSchema;
use super::state::pool::Pool;
use super::state::random::{ALPHANUMERIC, random_string};
use super::state::records;
use super::state::settings::{MfaMode, PoolSettings};
use super::triggers::check_feature_plan;
use super::{CognitoService, Input, Outcome, epoch, errors};
use crate::aws_json::ServiceError;

/// The `UserPoolType` of DescribeUserPool and CreateUserPool.
fn describe_pool(pool: &Pool) -> Value {
    let settings = pool.settings();
    let mut described = settings.request.clone();
    let mut policies = described
        .get("Policies")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    policies.insert("PasswordPolicy".into(), settings.password_policy.to_json());
    policies
        .entry("SignInPolicy")
        .or_insert(json!({"AllowedFirstAuthFactors": ["PASSWORD"]}));
    described.insert("Policies".into(), Value::Object(policies));
    described.insert("Id".into(), json!(&*pool.id));
    described.insert("Name".into(), json!(settings.name));
    described.remove("PoolName");
    described.insert("Arn".into(), json!(pool.arn));
    described.insert("CreationDate".into(), epoch(pool.created));
    described.insert("LastModifiedDate".into(), epoch(settings.last_modified));
    described.insert("EstimatedNumberOfUsers".into(), json!(pool.users.len()));
    described.insert("MfaConfiguration".into(), json!(settings.mfa.as_str()));
    described
        .entry("DeletionProtection")
        .or_insert(json!("INACTIVE"));
    let lambda_config = described.entry("LambdaConfig").or_insert(json!({}));
    mirror_pre_token_generation(lambda_config);
    described.insert(
        "SchemaAttributes".into(),
        Value::Array(settings.schema.described.clone()),
    );
    described.remove("Schema");
    described
        .entry("VerificationMessageTemplate")
        .or_insert(json!({"DefaultEmailOption": "CONFIRM_WITH_CODE"}));
    described
        .entry("EmailConfiguration")
        .or_insert(json!({"EmailSendingAccount": "COGNITO_DEFAULT"}));
    let mut admin = described
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
    described.insert("AdminCreateUserConfig".into(), Value::Object(admin));
    described
        .entry("UserPoolTier")
        .or_insert(json!("ESSENTIALS"));
    described.entry("UserPoolTags").or_insert(json!({}));
    Value::Object(described)
}

/// `PreTokenGeneration` and `PreTokenGenerationConfig.LambdaArn` "have the
/// same value" (API reference, `PreTokenGenerationVersionConfigType`): a pool
/// given either one describes both, the older member standing for V1_0.
fn mirror_pre_token_generation(lambda_config: &mut Value) {
    let Some(config) = lambda_config.as_object_mut() else {
        return;
    };
    let versioned_arn = config
        .get("PreTokenGenerationConfig")
        .and_then(|c| c.get("LambdaArn"))
        .cloned();
    match (versioned_arn, config.get("PreTokenGeneration").cloned()) {
        (Some(arn), None) => {
            config.insert("PreTokenGeneration".into(), arn);
        }
        (None, Some(arn)) => {
            config.insert(
                "PreTokenGenerationConfig".into(),
                json!({ "LambdaArn": arn, "LambdaVersion": "V1_0" }),
            );
        }
        _ => {}
    }
}

/// Pagination token of ListUserPools: the sequence number of the next pool.
fn parse_token(token: Option<&str>) -> Result<u64, ServiceError> {
    match token {
        None => Ok(0),
        Some(token) => token
            .strip_prefix("pools-")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| errors::invalid_parameter("Invalid NextToken")),
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
        check_feature_plan(input)?;
        let schema = AttributeSchema::from_request(input.value("Schema"))?;
        let mut settings =
            PoolSettings::from_request(name, request_settings(input, &[]), schema, false, None)?;
        settings.last_modified = self.now_millis();
        let id: Arc<str> = format!("{}_{}", self.region, random_string(ALPHANUMERIC, 9)).into();
        let arn = format!(
            "arn:aws:cognito-idp:{}:{}:userpool/{id}",
            self.region, self.account_id
        );
        let sequence = self.pool_sequence.fetch_add(1, Ordering::Relaxed);
        let pool = Arc::new(Pool::new(
            id.clone(),
            arn,
            sequence,
            settings,
            self.journal.clone(),
        ));
        let description = describe_pool(&pool);
        let mut pools = self.pools.write().unwrap_or_else(|p| p.into_inner());
        pool.save(&pool.settings());
        pools.insert(id, pool);
        Ok(json!({ "UserPool": description }))
    }

    pub(super) fn describe_user_pool(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let mut described = describe_pool(&pool);
        if let Some(domain) = self.pool_domain(&pool.id) {
            let member = if domain.custom.is_some() {
                "CustomDomain"
            } else {
                "Domain"
            };
            described[member] = json!(domain.name);
        }
        Ok(json!({ "UserPool": described }))
    }

    pub(super) fn update_user_pool(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        check_feature_plan(input)?;
        let requested = request_settings(input, &["UserPoolId"]);
        let now = self.now_millis();
        pool.update_settings(|old| old.updated(requested, now))?;
        Ok(json!({}))
    }

    pub(super) fn delete_user_pool(&self, input: &Input<'_>) -> Outcome {
        let pool_id = input.required("UserPoolId")?;
        let pool = self.pool(pool_id)?;
        if pool.settings().deletion_protection {
            return Err(errors::invalid_parameter(
                "The user pool cannot be deleted because deletion protection is activated.",
            ));
        }
        {
            let mut pools = self.pools.write().unwrap_or_else(|p| p.into_inner());
            pools.remove(pool_id);
            self.journal.delete(records::POOL, pool_id);
            let children = records::child_key(pool_id, "");
            for kind in records::POOL_CHILDREN {
                self.journal.delete_prefix(kind, &children);
            }
        }
        self.forget_pool_domain(pool_id);
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
        let software_token = input
            .object("SoftwareTokenMfaConfiguration")
            .is_some_and(|c| c.bool("Enabled") == Some(true));
        let sms = input.value("SmsMfaConfiguration").cloned();
        let factors = software_token || sms.is_some();
        let requested = input.str("MfaConfiguration");
        let mode = MfaMode::parse(requested);
        let (software_token, sms) = match mode {
            MfaMode::Off if factors && requested.is_some() => {
                return Err(errors::invalid_parameter(
                    "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
                ));
            }
            // Left out, the mode is OFF and the factors sent with it are dropped.
            MfaMode::Off => (false, None),
            _ if !factors => {
                return Err(errors::invalid_parameter(
                    "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be enabled.",
                ));
            }
            _ => (software_token, sms),
        };
        let now = self.now_millis();
        pool.update_settings(|old| {
            Ok::<_, ServiceError>(old.with_mfa(mode, software_token, sms, now))
        })?;
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
