//! App clients: CreateUserPoolClient, DescribeUserPoolClient,
//! DeleteUserPoolClient, ListUserPoolClients, and what a client decides at
//! sign-in: the auth flows it allows, its secret (`SECRET_HASH`), token
//! lifetimes, and whether it hides that a user does not exist.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;

use super::{
    CognitoService, Input, LOWER_ALPHANUMERIC, Outcome, epoch, invalid_parameter, not_authorized,
    random_string,
};
use crate::aws_json::ServiceError;

/// The authentication flows a client allows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct AuthFlows {
    pub user_password: bool,
    pub admin_user_password: bool,
    pub user_srp: bool,
    pub refresh_token: bool,
    pub custom: bool,
}

impl AuthFlows {
    /// From `ExplicitAuthFlows`; none given means SRP, refresh and custom auth.
    fn from_request(flows: &[&str]) -> Result<Self, ServiceError> {
        if flows.is_empty() {
            return Ok(AuthFlows {
                user_srp: true,
                refresh_token: true,
                custom: true,
                ..AuthFlows::default()
            });
        }
        let modern = flows.iter().any(|f| f.starts_with("ALLOW_"));
        let legacy = flows.iter().any(|f| !f.starts_with("ALLOW_"));
        if modern && legacy {
            return Err(invalid_parameter(
                "ExplicitAuthFlows cannot have both ALLOW_XXX and legacy values.",
            ));
        }
        let has = |name: &str| flows.contains(&name);
        if legacy {
            // The legacy values add to what every client could always do.
            return Ok(AuthFlows {
                user_password: has("USER_PASSWORD_AUTH"),
                admin_user_password: has("ADMIN_NO_SRP_AUTH"),
                user_srp: !has("CUSTOM_AUTH_FLOW_ONLY"),
                refresh_token: true,
                custom: true,
            });
        }
        Ok(AuthFlows {
            user_password: has("ALLOW_USER_PASSWORD_AUTH"),
            admin_user_password: has("ALLOW_ADMIN_USER_PASSWORD_AUTH"),
            user_srp: has("ALLOW_USER_SRP_AUTH"),
            refresh_token: has("ALLOW_REFRESH_TOKEN_AUTH"),
            custom: has("ALLOW_CUSTOM_AUTH"),
        })
    }
}

/// One app client of a pool.
#[derive(Debug)]
pub(crate) struct AppClient {
    pub id: Box<str>,
    pub secret: Option<String>,
    pub flows: AuthFlows,
    pub prevent_user_existence_errors: bool,
    pub access_validity_secs: i64,
    pub id_validity_secs: i64,
    pub refresh_validity_secs: i64,
    /// How long a sign-in `Session` lasts (`AuthSessionValidity`, in minutes).
    pub session_validity: Duration,
    /// What DescribeUserPoolClient returns.
    described: Map<String, Value>,
}

/// `Base64(HMAC-SHA256(secret, username + client_id))`.
pub(crate) fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

impl AppClient {
    /// Checks the `SECRET_HASH` a request carries against any of the names
    /// the user may have computed it with (the name sent, the stored user name).
    pub fn check_secret_hash(
        &self,
        sent: Option<&str>,
        usernames: &[&str],
    ) -> Result<(), ServiceError> {
        match (&self.secret, sent) {
            (None, None) => Ok(()),
            (None, Some(_)) => Err(invalid_parameter(format!(
                "App client {} is not configured for secret but secret hash was received",
                self.id
            ))),
            (Some(_), None) => Err(not_authorized(format!(
                "Client {} is configured with secret but SECRET_HASH was not received",
                self.id
            ))),
            (Some(secret), Some(sent)) => {
                let ok = usernames.iter().any(|name| {
                    let expected = secret_hash(secret, name, &self.id);
                    subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), sent.as_bytes()).into()
                });
                if ok {
                    Ok(())
                } else {
                    Err(not_authorized(format!(
                        "Unable to verify secret hash for client {}",
                        self.id
                    )))
                }
            }
        }
    }
}

/// A token lifetime in seconds from a validity and its unit, within AWS's bounds.
fn validity(
    input: &Input<'_>,
    member: &str,
    unit_member: &str,
    default_unit: &str,
    default_value: i64,
    bounds: (i64, i64),
) -> Result<i64, ServiceError> {
    let units = input.object("TokenValidityUnits");
    let unit = units
        .and_then(|u| u.str(unit_member))
        .unwrap_or(default_unit);
    let seconds_per = match unit {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3600,
        _ => 86_400,
    };
    let seconds = match input.i64(member) {
        Some(value) => value * seconds_per,
        None => default_value,
    };
    if seconds < bounds.0 || seconds > bounds.1 {
        return Err(invalid_parameter(format!(
            "Invalid range for token validity: {member} must be between {} and {} seconds",
            bounds.0, bounds.1
        )));
    }
    Ok(seconds)
}

impl CognitoService {
    pub(super) fn create_user_pool_client(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        input.required("ClientName")?;
        let flows_requested = input.strings("ExplicitAuthFlows");
        let flows = AuthFlows::from_request(&flows_requested)?;
        let access = validity(
            input,
            "AccessTokenValidity",
            "AccessToken",
            "hours",
            3600,
            (300, 86_400),
        )?;
        let id_token = validity(
            input,
            "IdTokenValidity",
            "IdToken",
            "hours",
            3600,
            (300, 86_400),
        )?;
        let refresh = validity(
            input,
            "RefreshTokenValidity",
            "RefreshToken",
            "days",
            30 * 86_400,
            (3600, 3650 * 86_400),
        )?;
        if refresh <= access.max(id_token) {
            return Err(invalid_parameter(
                "Refresh token validity must be longer than access and ID token validity",
            ));
        }
        let secret = match (
            input.bool("GenerateSecret").unwrap_or(false),
            input.str("ClientSecret"),
        ) {
            (_, Some(custom)) => Some(custom.to_owned()),
            (true, None) => Some(random_string(LOWER_ALPHANUMERIC, 51)),
            (false, None) => None,
        };
        let id: Box<str> = random_string(LOWER_ALPHANUMERIC, 26).into();
        let now = self.now_millis();
        let prevent = input.str("PreventUserExistenceErrors").unwrap_or("LEGACY");
        // 3 to 15 minutes (the model's range), 3 by default.
        let session_minutes = input.i64("AuthSessionValidity").unwrap_or(3).clamp(3, 15);
        let mut described: Map<String, Value> = input
            .fields()
            .iter()
            .filter(|(k, v)| {
                !matches!(k.as_str(), "GenerateSecret" | "ClientSecret") && !v.is_null()
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        described.insert("ClientId".into(), json!(&*id));
        if let Some(secret) = &secret {
            described.insert("ClientSecret".into(), json!(secret));
        }
        described.insert("CreationDate".into(), epoch(now));
        described.insert("LastModifiedDate".into(), epoch(now));
        described.entry("RefreshTokenValidity").or_insert(json!(30));
        described.insert("PreventUserExistenceErrors".into(), json!(prevent));
        if flows_requested.is_empty() {
            described.insert(
                "ExplicitAuthFlows".into(),
                json!([
                    "ALLOW_CUSTOM_AUTH",
                    "ALLOW_REFRESH_TOKEN_AUTH",
                    "ALLOW_USER_SRP_AUTH"
                ]),
            );
        }
        described
            .entry("AllowedOAuthFlowsUserPoolClient")
            .or_insert(json!(false));
        described
            .entry("EnableTokenRevocation")
            .or_insert(json!(true));
        described
            .entry("EnablePropagateAdditionalUserContextData")
            .or_insert(json!(false));
        described.entry("AuthSessionValidity").or_insert(json!(3));
        let client = Arc::new(AppClient {
            id: id.clone(),
            secret,
            flows,
            prevent_user_existence_errors: prevent == "ENABLED",
            access_validity_secs: access,
            id_validity_secs: id_token,
            refresh_validity_secs: refresh,
            session_validity: Duration::from_secs(session_minutes as u64 * 60),
            described,
        });
        let output = json!({ "UserPoolClient": Value::Object(client.described.clone()) });
        pool.clients
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.clone(), client);
        self.client_pools
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, pool);
        Ok(output)
    }

    pub(super) fn describe_user_pool_client(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let client = pool.client(input.required("ClientId")?)?;
        Ok(json!({ "UserPoolClient": Value::Object(client.described.clone()) }))
    }

    pub(super) fn delete_user_pool_client(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let client_id = input.required("ClientId")?;
        pool.client(client_id)?;
        pool.clients
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(client_id);
        self.client_pools
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(client_id);
        Ok(json!({}))
    }

    pub(super) fn list_user_pool_clients(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let limit = input.i64("MaxResults").unwrap_or(60).clamp(1, 60) as usize;
        let mut clients: Vec<(String, String)> = pool
            .clients
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .map(|c| {
                let name = c
                    .described
                    .get("ClientName")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                (c.id.to_string(), name.to_owned())
            })
            .collect();
        clients.sort();
        let start = input.str("NextToken").unwrap_or_default();
        let page: Vec<&(String, String)> = clients
            .iter()
            .filter(|(id, _)| id.as_str() >= start)
            .collect();
        let next = page.get(limit).map(|(id, _)| id.clone());
        let listed: Vec<Value> = page
            .iter()
            .take(limit)
            .map(|(id, name)| json!({"ClientId": id, "UserPoolId": &*pool.id, "ClientName": name}))
            .collect();
        let mut output = json!({ "UserPoolClients": listed });
        if let Some(next) = next {
            output["NextToken"] = json!(next);
        }
        Ok(output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_hash_matches_the_documented_formula() {
        // Independent computation of Base64(HMAC_SHA256(secret, user + client)).
        let hash = secret_hash("secret", "alice", "client");
        let mut mac = Hmac::<Sha256>::new_from_slice(b"secret").unwrap();
        mac.update(b"aliceclient");
        let expected =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(hash, expected);
        assert_ne!(hash, secret_hash("secret", "alicf", "client"));
    }

    #[test]
    fn auth_flows_defaults_legacy_and_mixing() {
        let default = AuthFlows::from_request(&[]).unwrap();
        assert!(default.user_srp && default.refresh_token && !default.user_password);
        let legacy = AuthFlows::from_request(&["ADMIN_NO_SRP_AUTH"]).unwrap();
        assert!(legacy.admin_user_password && legacy.user_srp && !legacy.user_password);
        assert!(AuthFlows::from_request(&["ADMIN_NO_SRP_AUTH", "ALLOW_USER_SRP_AUTH"]).is_err());
        let modern = AuthFlows::from_request(&["ALLOW_USER_PASSWORD_AUTH"]).unwrap();
        assert!(modern.user_password && !modern.refresh_token && !modern.user_srp);
    }
}
