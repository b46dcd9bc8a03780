//! User pool domains: CreateUserPoolDomain, DescribeUserPoolDomain,
//! UpdateUserPoolDomain and DeleteUserPoolDomain. The domains live in
//! `state::domains`; their endpoints (sign-in pages, OAuth 2.0) are served
//! by `oauth`.

use serde_json::{Value, json};

use super::state::domains::Domain;
use super::state::records;
use super::{CognitoService, Input, Outcome, errors};

/// The `DomainDescriptionType` of DescribeUserPoolDomain.
fn describe(domain: &Domain, account_id: &str, cloudfront: &str) -> Value {
    let mut out = json!({
        "UserPoolId": domain.pool_id,
        "AWSAccountId": account_id,
        "Domain": domain.name,
        "CloudFrontDistribution": cloudfront,
        "Version": "1",
        "Status": "ACTIVE",
        "ManagedLoginVersion": domain.managed_login_version,
    });
    if let Some(custom) = &domain.custom {
        out["CustomDomainConfig"] = custom.clone();
    }
    out
}

impl CognitoService {
    /// The CloudFront name a domain would be served from (a stable,
    /// made-up name: the emulator serves no CloudFront distribution).
    fn cloudfront_name(&self, domain: &Domain) -> String {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(format!("{}/{}", domain.pool_id, domain.name));
        let hex: String = digest[..7].iter().map(|b| format!("{b:02x}")).collect();
        format!("d{hex}.cloudfront.net")
    }

    /// The domain of a pool, for DescribeUserPool (`Domain` or `CustomDomain`).
    pub(super) fn pool_domain(&self, pool_id: &str) -> Option<Domain> {
        self.domains
            .lock()
            .values()
            .find(|d| d.pool_id == pool_id)
            .cloned()
    }

    pub(super) fn create_user_pool_domain(&self, input: &Input<'_>) -> Outcome {
        let name = input.required("Domain")?;
        let pool = self.pool(input.required("UserPoolId")?)?;
        let domain = Domain {
            name: name.to_owned(),
            pool_id: pool.id.to_string(),
            managed_login_version: input.i64("ManagedLoginVersion").unwrap_or(1),
            custom: input.value("CustomDomainConfig").cloned(),
        };
        let mut domains = self.domains.lock();
        let live = |d: &Domain| self.pool(&d.pool_id).is_ok();
        // Both refusals are InvalidParameterException with these messages in
        // AWS's answers quoted in aws-samples/aws-cdk-examples issue 402 (name
        // taken) and aws/aws-cdk issue 10062 (pool has a domain already).
        if domains.get(name).is_some_and(live) {
            return Err(errors::invalid_parameter(
                "Domain already associated with another user pool.",
            ));
        }
        if domains.values().any(|d| d.pool_id == *pool.id) {
            return Err(errors::invalid_parameter(
                "User pool already has a domain configured.",
            ));
        }
        let mut output = json!({ "ManagedLoginVersion": domain.managed_login_version });
        if domain.custom.is_some() {
            output["CloudFrontDomain"] = json!(self.cloudfront_name(&domain));
        }
        self.journal.put(records::DOMAIN, name, &domain);
        domains.insert(name.to_owned(), domain);
        drop(domains);
        self.log_domain_endpoints(name);
        Ok(output)
    }

    /// An unknown domain is no error: AWS answers with an empty description
    /// (`{"DomainDescription": {}}` for a deleted domain, as the Amplify CLI's
    /// end-to-end tests of hosted UI domains expect).
    pub(super) fn describe_user_pool_domain(&self, input: &Input<'_>) -> Outcome {
        let name = input.required("Domain")?;
        let domain = self
            .domains
            .lock()
            .get(name)
            .filter(|d| self.pool(&d.pool_id).is_ok())
            .cloned();
        let description = match domain {
            Some(domain) => describe(&domain, &self.account_id, &self.cloudfront_name(&domain)),
            None => json!({}),
        };
        Ok(json!({ "DomainDescription": description }))
    }

    /// UpdateUserPoolDomain changes the managed login version, or the
    /// certificate of a custom domain; what it leaves out stays.
    pub(super) fn update_user_pool_domain(&self, input: &Input<'_>) -> Outcome {
        let name = input.required("Domain")?;
        let pool = self.pool(input.required("UserPoolId")?)?;
        let mut domains = self.domains.lock();
        let domain = domains
            .get_mut(name)
            .filter(|d| d.pool_id == *pool.id)
            .ok_or_else(no_such_domain)?;
        if let Some(version) = input.i64("ManagedLoginVersion") {
            domain.managed_login_version = version;
        }
        if let Some(custom) = input.value("CustomDomainConfig") {
            domain.custom = Some(custom.clone());
        }
        self.journal.put(records::DOMAIN, name, &*domain);
        let mut output = json!({ "ManagedLoginVersion": domain.managed_login_version });
        if domain.custom.is_some() {
            output["CloudFrontDomain"] = json!(self.cloudfront_name(domain));
        }
        Ok(output)
    }

    pub(super) fn delete_user_pool_domain(&self, input: &Input<'_>) -> Outcome {
        let name = input.required("Domain")?;
        let pool = self.pool(input.required("UserPoolId")?)?;
        let mut domains = self.domains.lock();
        if domains.get(name).is_none_or(|d| d.pool_id != *pool.id) {
            return Err(no_such_domain());
        }
        domains.remove(name);
        self.journal.delete(records::DOMAIN, name);
        Ok(json!({}))
    }

    /// Forgets the domain of a deleted pool (its name is free again).
    pub(super) fn forget_pool_domain(&self, pool_id: &str) {
        let mut domains = self.domains.lock();
        let names: Vec<String> = domains
            .values()
            .filter(|d| d.pool_id == pool_id)
            .map(|d| d.name.clone())
            .collect();
        for name in names {
            domains.remove(&name);
            self.journal.delete(records::DOMAIN, &name);
        }
    }
}

/// `InvalidParameterException` for a domain the named pool does not have.
/// DeleteUserPoolDomain answers this (the Amplify CLI's end-to-end tests of
/// hosted UI domains expect it when deleting a domain that is gone); that
/// UpdateUserPoolDomain answers the same is unverified (no source says).
fn no_such_domain() -> crate::aws_json::ServiceError {
    errors::invalid_parameter("No such domain or user pool exists.")
}
