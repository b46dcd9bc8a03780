//! Resource servers: CreateResourceServer, DescribeResourceServer,
//! ListResourceServers, UpdateResourceServer and DeleteResourceServer. A
//! server's scopes (`{Identifier}/{ScopeName}`) become allowed OAuth scopes
//! of app clients and scopes of client_credentials tokens. The servers live
//! on their pool (`state::resource_servers`).

use serde_json::{Value, json};

use super::state::records;
use super::state::resource_servers::ResourceServer;
use super::{CognitoService, Input, Outcome, errors};
use crate::aws_json::ServiceError;

/// The server a Create or Update request describes.
fn from_request(input: &Input<'_>) -> Result<ResourceServer, ServiceError> {
    let scopes: Vec<(String, String)> = input
        .value("Scopes")
        .and_then(Value::as_array)
        .map(|scopes| {
            scopes
                .iter()
                .map(|s| {
                    let field =
                        |name: &str| s.get(name).and_then(Value::as_str).unwrap_or_default();
                    (
                        field("ScopeName").to_owned(),
                        field("ScopeDescription").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    for (i, (name, _)) in scopes.iter().enumerate() {
        if scopes[..i].iter().any(|(n, _)| n == name) {
            // The wording is the emulator's: no source quotes AWS's.
            return Err(errors::invalid_parameter(format!(
                "Duplicate scope name {name} in Scopes"
            )));
        }
    }
    Ok(ResourceServer {
        identifier: input.required("Identifier")?.to_owned(),
        name: input.required("Name")?.to_owned(),
        scopes,
    })
}

impl CognitoService {
    pub(super) fn create_resource_server(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let server = from_request(input)?;
        let mut servers = pool
            .resource_servers
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if servers.contains_key(&server.identifier) {
            // The wording is the emulator's (InvalidParameterException, as
            // other duplicates of this API are refused).
            return Err(errors::invalid_parameter(format!(
                "Resource server with identifier {} already exists in user pool {}",
                server.identifier, pool.id
            )));
        }
        let output = json!({ "ResourceServer": server.describe(&pool.id) });
        self.journal.put(
            records::RESOURCE_SERVER,
            &records::child_key(&pool.id, &server.identifier),
            &server,
        );
        servers.insert(server.identifier.clone(), server);
        Ok(output)
    }

    pub(super) fn describe_resource_server(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let identifier = input.required("Identifier")?;
        let servers = pool
            .resource_servers
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let server = servers
            .get(identifier)
            .ok_or_else(|| errors::resource_server_not_found(identifier))?;
        Ok(json!({ "ResourceServer": server.describe(&pool.id) }))
    }

    /// UpdateResourceServer replaces the name and scopes (scopes left out
    /// are removed, as the API reference warns for this operation).
    pub(super) fn update_resource_server(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let server = from_request(input)?;
        let mut servers = pool
            .resource_servers
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let stored = servers
            .get_mut(&server.identifier)
            .ok_or_else(|| errors::resource_server_not_found(&server.identifier))?;
        *stored = server;
        self.journal.put(
            records::RESOURCE_SERVER,
            &records::child_key(&pool.id, &stored.identifier),
            &*stored,
        );
        Ok(json!({ "ResourceServer": stored.describe(&pool.id) }))
    }

    pub(super) fn delete_resource_server(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let identifier = input.required("Identifier")?;
        let mut servers = pool
            .resource_servers
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        servers
            .remove(identifier)
            .ok_or_else(|| errors::resource_server_not_found(identifier))?;
        self.journal.delete(
            records::RESOURCE_SERVER,
            &records::child_key(&pool.id, identifier),
        );
        Ok(json!({}))
    }

    /// Pages in identifier order; `NextToken` is the first identifier of
    /// the next page; `MaxResults` is 1 to 50 (the model checks), 50 when left out.
    pub(super) fn list_resource_servers(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let limit = input.i64("MaxResults").unwrap_or(50).clamp(1, 50) as usize;
        let start = input.str("NextToken").unwrap_or_default();
        let servers = pool
            .resource_servers
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let page: Vec<&ResourceServer> = servers
            .range(start.to_owned()..)
            .map(|(_, s)| s)
            .take(limit + 1)
            .collect();
        let listed: Vec<Value> = page
            .iter()
            .take(limit)
            .map(|s| s.describe(&pool.id))
            .collect();
        let mut output = json!({ "ResourceServers": listed });
        if let Some(next) = page.get(limit) {
            output["NextToken"] = json!(next.identifier);
        }
        Ok(output)
    }
}
