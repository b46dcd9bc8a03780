//! App clients: CreateUserPoolClient, UpdateUserPoolClient,
//! DescribeUserPoolClient, DeleteUserPoolClient, ListUserPoolClients. The client itself (flows,
//! secret hash, lifetimes) lives in `state::clients`.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::state::clients::{AppClient, AuthFlows};
use super::state::oauth_settings::OAuthSettings;
use super::state::pool::Pool;
use super::state::random::{LOWER_ALPHANUMERIC, random_string};
use super::state::records;
use super::{CognitoService, Input, Outcome, epoch, errors};
use crate::aws_json::ServiceError;

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
        return Err(errors::invalid_parameter(format!(
            "Invalid range for token validity: {member} must be between {} and {} seconds",
            bounds.0, bounds.1
        )));
    }
    Ok(seconds)
}

/// An app client made from a CreateUserPoolClient or UpdateUserPoolClient
/// request: every setting the request leaves out takes its default.
fn client_from_request(
    input: &Input<'_>,
    id: Box<str>,
    secret: Option<String>,
    created: i64,
    now: i64,
    pool: &Pool,
) -> Result<AppClient, ServiceError> {
    let servers = pool
        .resource_servers
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let known = |scope: &str| servers.values().any(|s| s.has_scope(scope));
    client_from_parts(input, id, secret, created, now, &pool.id, &known)
}

/// An app client read from a state folder: its record is what
/// DescribeUserPoolClient answers (`UserPoolClientType`), which holds every
/// setting, the id, the secret and the dates. Its scopes are not checked
/// again (a resource server deleted since keeps the client as it was).
pub(super) fn stored_client(
    described: &Map<String, Value>,
    pool_id: &str,
) -> Result<AppClient, String> {
    let input = Input::new(described);
    let id = input.str("ClientId").ok_or("no ClientId")?;
    let millis = |member: &str| {
        input
            .value(member)
            .and_then(Value::as_f64)
            .map(|secs| (secs * 1000.0).round() as i64)
            .ok_or(format!("no {member}"))
    };
    client_from_parts(
        &input,
        id.into(),
        input.str("ClientSecret").map(str::to_owned),
        millis("CreationDate")?,
        millis("LastModifiedDate")?,
        pool_id,
        &|_| true,
    )
    .map_err(|err| err.message)
}

/// [`client_from_request`] with the test of a scope given.
fn client_from_parts(
    input: &Input<'_>,
    id: Box<str>,
    secret: Option<String>,
    created: i64,
    now: i64,
    pool_id: &str,
    known: &dyn Fn(&str) -> bool,
) -> Result<AppClient, ServiceError> {
    let oauth = OAuthSettings::from_request(input, secret.is_some(), known, pool_id)?;
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
        return Err(errors::invalid_parameter(
            "Refresh token validity must be longer than access and ID token validity",
        ));
    }
    let prevent = input.str("PreventUserExistenceErrors").unwrap_or("LEGACY");
    // 3 to 15 minutes (the model's range), 3 by default.
    let session_minutes = input.i64("AuthSessionValidity").unwrap_or(3).clamp(3, 15);
    let attributes = |member: &str| {
        input.value(member).map(|_| {
            input
                .strings(member)
                .into_iter()
                .map(str::to_owned)
                .collect()
        })
    };
    let mut described: Map<String, Value> = input
        .fields()
        .iter()
        .filter(|(k, v)| !matches!(k.as_str(), "GenerateSecret" | "ClientSecret") && !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    described.insert("ClientId".into(), json!(&*id));
    if let Some(secret) = &secret {
        described.insert("ClientSecret".into(), json!(secret));
    }
    described.insert("CreationDate".into(), epoch(created));
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
    let token_revocation = input.bool("EnableTokenRevocation").unwrap_or(true);
    described.insert("EnableTokenRevocation".into(), json!(token_revocation));
    described
        .entry("EnablePropagateAdditionalUserContextData")
        .or_insert(json!(false));
    described.entry("AuthSessionValidity").or_insert(json!(3));
    Ok(AppClient {
        id,
        secret,
        flows,
        prevent_user_existence_errors: prevent == "ENABLED",
        access_validity_secs: access,
        id_validity_secs: id_token,
        refresh_validity_secs: refresh,
        session_validity: Duration::from_secs(session_minutes as u64 * 60),
        read_attributes: attributes("ReadAttributes"),
        write_attributes: attributes("WriteAttributes"),
        token_revocation,
        refresh_rotation_grace: input
            .object("RefreshTokenRotation")
            .filter(|r| r.str("Feature") == Some("ENABLED"))
            .map(|r| r.i64("RetryGracePeriodSeconds").unwrap_or(0)),
        oauth,
        described,
    })
}

impl CognitoService {
    pub(super) fn create_user_pool_client(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        input.required("ClientName")?;
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
        let client = Arc::new(client_from_request(
            input,
            id.clone(),
            secret,
            now,
            now,
            &pool,
        )?);
        let output = json!({ "UserPoolClient": Value::Object(client.described.clone()) });
        {
            let mut clients = pool.clients.write().unwrap_or_else(|p| p.into_inner());
            self.journal
                .put(records::CLIENT, &pool.client_key(&id), &client.described);
            clients.insert(id.clone(), client);
        }
        self.client_pools
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, pool);
        Ok(output)
    }

    /// UpdateUserPoolClient replaces the client's settings as a whole, as
    /// the API reference warns: a setting the request leaves out goes back
    /// to its default. The id, secret and creation date stay; so does the
    /// name when none is sent (the name is the client's, not a setting).
    pub(super) fn update_user_pool_client(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let client_id = input.required("ClientId")?;
        let now = self.now_millis();
        let mut clients = pool.clients.write().unwrap_or_else(|p| p.into_inner());
        let old = clients
            .get(client_id)
            .cloned()
            .ok_or_else(|| errors::client_not_found(client_id))?;
        let mut request: Map<String, Value> = input
            .fields()
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "ClientId"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if input.str("ClientName").is_none() {
            if let Some(name) = old.described.get("ClientName") {
                request.insert("ClientName".into(), name.clone());
            }
        }
        let created = old
            .described
            .get("CreationDate")
            .and_then(Value::as_f64)
            .map_or(now, |secs| (secs * 1000.0).round() as i64);
        let client = client_from_request(
            &Input::new(&request),
            old.id.clone(),
            old.secret.clone(),
            created,
            now,
            &pool,
        )?;
        let output = json!({ "UserPoolClient": Value::Object(client.described.clone()) });
        self.journal.put(
            records::CLIENT,
            &pool.client_key(&old.id),
            &client.described,
        );
        clients.insert(old.id.clone(), Arc::new(client));
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
        {
            let mut clients = pool.clients.write().unwrap_or_else(|p| p.into_inner());
            if clients.remove(client_id).is_some() {
                self.journal
                    .delete(records::CLIENT, &pool.client_key(client_id));
            }
        }
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
