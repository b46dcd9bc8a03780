//! PreTokenGeneration: the function sees what Cognito is about to put into
//! the tokens (user attributes, group configuration and, from V2, scopes)
//! and answers with claims to add, override or suppress.
//!
//! Sources: the developer guide's "Pre token generation Lambda trigger"
//! (event versions, request and response members, trigger sources, the
//! claims a function may not change) and the API reference of
//! `PreTokenGenerationVersionConfigType`.
//!
//! - `LambdaConfig.PreTokenGeneration` (or `PreTokenGenerationConfig` with
//!   `LambdaVersion: V1_0`): event version "1"; `claimsOverrideDetails`
//!   changes the ID token only, except `groupOverrideDetails`, whose groups
//!   replace `cognito:groups` in the access token too.
//! - `PreTokenGenerationConfig` with `V2_0` (or `V3_0`, which differs only
//!   for machine-to-machine tokens, which this emulator does not issue):
//!   event version "2" ("3"), the request has `scopes`, and
//!   `claimsAndScopeOverrideDetails` changes each token on its own, with
//!   scopes added to or suppressed from the access token. Claim values may
//!   be strings, numbers, booleans, arrays or JSON objects; V1 takes strings.
//!   V2 and V3 need the Essentials or Plus feature plan.

use serde_json::{Map, Value, json};

use super::{Caller, Triggers};
use crate::aws_json::ServiceError;
use crate::cognito::errors;
use crate::cognito::input::Input;
use crate::cognito::state::groups::GroupClaims;
use crate::cognito::state::pool::Pool;
use crate::cognito::tokens::{ClaimChanges, TokenChanges};

/// What the tokens are issued for (`triggerSource` `TokenGeneration_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenSource {
    /// A sign-in that ended with a password, SRP proof or MFA code.
    Authentication,
    /// A sign-in whose last step was NEW_PASSWORD_REQUIRED.
    NewPasswordChallenge,
    /// A sign-in whose remembered device proved itself (DEVICE_SRP_AUTH).
    AuthenticateDevice,
    /// REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken.
    RefreshTokens,
    /// A sign-in on a domain's hosted pages (`/login`, `/oauth2/authorize`).
    HostedAuth,
}

impl TokenSource {
    fn trigger_source(self) -> &'static str {
        match self {
            TokenSource::Authentication => "TokenGeneration_Authentication",
            TokenSource::NewPasswordChallenge => "TokenGeneration_NewPasswordChallenge",
            TokenSource::AuthenticateDevice => "TokenGeneration_AuthenticateDevice",
            TokenSource::RefreshTokens => "TokenGeneration_RefreshTokens",
            TokenSource::HostedAuth => "TokenGeneration_HostedAuth",
        }
    }
}

/// The trigger's event version (`LambdaVersion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Version {
    V1,
    V2,
    V3,
}

impl Version {
    fn parse(name: &str) -> Option<Version> {
        match name {
            "V1_0" => Some(Version::V1),
            "V2_0" => Some(Version::V2),
            "V3_0" => Some(Version::V3),
            _ => None,
        }
    }

    fn event_version(self) -> &'static str {
        match self {
            Version::V1 => "1",
            Version::V2 => "2",
            Version::V3 => "3",
        }
    }
}

/// The function and event version the pool's `LambdaConfig` names:
/// `PreTokenGenerationConfig` when present (the API reference: "For new
/// instances of pre token generation triggers, set LambdaArn"), else the
/// older `PreTokenGeneration`, which is V1.
fn configured(pool: &Pool) -> Option<(String, Version)> {
    let settings = pool.settings();
    let config = settings.request.get("LambdaConfig")?;
    if let Some(versioned) = config.get("PreTokenGenerationConfig") {
        let arn = versioned.get("LambdaArn")?.as_str()?;
        let version = versioned
            .get("LambdaVersion")
            .and_then(Value::as_str)
            .and_then(Version::parse)?;
        return Some((arn.to_owned(), version));
    }
    Triggers::function(pool, "PreTokenGeneration").map(|arn| (arn, Version::V1))
}

/// CreateUserPool and UpdateUserPool: access token customization (a V2_0
/// or V3_0 trigger) needs the Essentials or Plus feature plan ("In user
/// pools with the Essentials or Plus feature plan, you can generate the
/// version two ... trigger event", developer guide), so a Lite pool that
/// asks for it is refused with the operations' `FeatureUnavailableInTierException`.
pub(crate) fn check_feature_plan(input: &Input<'_>) -> Result<(), ServiceError> {
    let version = input
        .value("LambdaConfig")
        .and_then(|c| c.get("PreTokenGenerationConfig"))
        .and_then(|c| c.get("LambdaVersion"))
        .and_then(Value::as_str)
        .and_then(Version::parse);
    if input.str("UserPoolTier") == Some("LITE") && version.is_some_and(|v| v >= Version::V2) {
        return Err(errors::feature_unavailable_in_tier(
            "Access token customization (PreTokenGeneration V2_0 or V3_0) requires the ESSENTIALS or PLUS feature plan.",
        ));
    }
    Ok(())
}

/// Claims no function may add, change or suppress, in either token (the
/// developer guide's list of claims the trigger can't modify: `acr`, `amr`,
/// `at_hash`, `auth_time`, `azp`, `exp`, `iat`, `identities`, `iss`, `jti`,
/// `nbf`, `nonce`, `origin_jti`, `sub`, `token_use`; `aud` and
/// `cognito:username` of the ID token; `client_id`, `username`, `scope`,
/// `device_key`, `event_id` and `version` are what Cognito itself says
/// about the session). `cognito:` claims other than the group ones are
/// Cognito's too, and the group claims change through `groupOverrideDetails`
/// ("For group related claims, use groupOverrideDetails instead").
const PROTECTED: &[&str] = &[
    "acr",
    "amr",
    "at_hash",
    "auth_time",
    "azp",
    "client_id",
    "device_key",
    "event_id",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "scope",
    "sub",
    "token_use",
    "username",
    "version",
];

/// ID token claims that may not take an array or object value (developer
/// guide: complex values are allowed in the ID token "except
/// phone_number_verified, email_verified, updated_at, and address").
const SIMPLE_ONLY: &[&str] = &[
    "phone_number_verified",
    "email_verified",
    "updated_at",
    "address",
];

/// Which token a claim change is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Id,
    Access,
}

/// Whether a function may add, override or suppress `claim` in `token`.
/// The guide does not document an error for the others, and what it
/// documents is that they "can't" be changed: they are left as Cognito
/// issues them and the rest of the answer takes effect.
fn may_change(claim: &str, token: Token) -> bool {
    !(PROTECTED.contains(&claim) || claim.starts_with("cognito:") || claim == "aud")
        || (token == Token::Access && claim == "aud")
}

/// The claims the function asked for, checked: protected claims dropped,
/// V1 values only strings (V1's `claimsToAddOrOverride` is a string map;
/// a V1 function answering other types is refused, so that a function that
/// works here works on AWS).
fn claim_changes(
    details: &Map<String, Value>,
    version: Version,
    token: Token,
    client_id: &str,
) -> Result<ClaimChanges, ServiceError> {
    let mut changes = ClaimChanges::default();
    match details.get("claimsToAddOrOverride") {
        None | Some(Value::Null) => {}
        Some(Value::Object(claims)) => {
            for (name, value) in claims {
                if value.is_null() {
                    continue;
                }
                if version == Version::V1 && !value.is_string() {
                    return Err(errors::unrecognizable_lambda_output());
                }
                let complex = value.is_array() || value.is_object();
                if !may_change(name, token)
                    || (token == Token::Id && complex && SIMPLE_ONLY.contains(&name.as_str()))
                    // An access token's `aud` may only name the app client
                    // (the guide's table of excluded claims).
                    || (name == "aud" && value.as_str() != Some(client_id))
                {
                    tracing::debug!(claim = %name, "pre token generation: claim left as issued");
                    continue;
                }
                changes.add_or_override.insert(name.clone(), value.clone());
            }
        }
        Some(_) => return Err(errors::unrecognizable_lambda_output()),
    }
    changes.suppress = strings(details.get("claimsToSuppress"))?
        .into_iter()
        .filter(|name| may_change(name, token) && name != "aud")
        .collect();
    Ok(changes)
}

/// A list of strings of the answer (absent or `null`: none).
fn strings(value: Option<&Value>) -> Result<Vec<String>, ServiceError> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(errors::unrecognizable_lambda_output)
            })
            .collect(),
        Some(_) => Err(errors::unrecognizable_lambda_output()),
    }
}

/// `groupOverrideDetails` replaces the group configuration: "If you provide
/// an empty or null object in the response, then the groups are
/// suppressed" (developer guide). Left out of the answer, the groups stay.
fn group_override(
    details: &Map<String, Value>,
    groups: GroupClaims,
) -> Result<GroupClaims, ServiceError> {
    let Some(value) = details.get("groupOverrideDetails") else {
        return Ok(groups);
    };
    let empty = Map::new();
    let overrides = match value {
        Value::Null => &empty,
        Value::Object(map) => map,
        _ => return Err(errors::unrecognizable_lambda_output()),
    };
    let preferred_role = match overrides.get("preferredRole") {
        None | Some(Value::Null) => None,
        Some(Value::String(role)) => Some(role.clone()),
        Some(_) => return Err(errors::unrecognizable_lambda_output()),
    };
    Ok(GroupClaims {
        groups: strings(overrides.get("groupsToOverride"))?,
        roles: strings(overrides.get("iamRolesToOverride"))?,
        preferred_role,
    })
}

/// The access token's scopes after `scopesToAdd` and `scopesToSuppress`
/// (suppression wins, as for claims). A scope with a space in it would
/// split into two in the `scope` claim: it is not added.
fn scopes_after(scope: &str, access: &Map<String, Value>) -> Result<String, ServiceError> {
    let suppress = strings(access.get("scopesToSuppress"))?;
    let mut scopes: Vec<String> = scope.split_whitespace().map(str::to_owned).collect();
    for added in strings(access.get("scopesToAdd"))? {
        if !added.is_empty() && !added.contains(char::is_whitespace) && !scopes.contains(&added) {
            scopes.push(added);
        }
    }
    scopes.retain(|s| !suppress.contains(s));
    Ok(scopes.join(" "))
}

/// What the tokens of one issue hold once the trigger (if any) answered.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TokenContent {
    pub groups: GroupClaims,
    /// The access token's `scope` claim.
    pub scope: String,
    /// Claim changes for each token; `None` without a trigger.
    pub changes: Option<TokenChanges>,
}

impl Triggers {
    /// PreTokenGeneration: runs the pool's function (if any) before tokens
    /// for `username` are issued to `client_id`, and returns what the tokens
    /// are to hold.
    pub async fn pre_token_generation(
        &self,
        pool: &Pool,
        client_id: &str,
        source: TokenSource,
        username: &str,
        groups: GroupClaims,
        scope: &str,
    ) -> Result<TokenContent, ServiceError> {
        let unchanged = |groups: GroupClaims| TokenContent {
            groups,
            scope: scope.to_owned(),
            changes: None,
        };
        let Some((function, version)) = configured(pool) else {
            return Ok(unchanged(groups));
        };
        let Some(attributes) = self.stored_attributes(pool, username) else {
            return Ok(unchanged(groups));
        };
        let mut request = json!({
            "userAttributes": attributes,
            "groupConfiguration": {
                "groupsToOverride": &groups.groups,
                "iamRolesToOverride": &groups.roles,
                "preferredRole": &groups.preferred_role,
            },
        });
        let details_name = if version == Version::V1 {
            "claimsOverrideDetails"
        } else {
            request["scopes"] = json!(scope.split_whitespace().collect::<Vec<_>>());
            "claimsAndScopeOverrideDetails"
        };
        let caller = Caller::client(client_id);
        let mut event = self.event(
            pool,
            source.trigger_source(),
            username,
            &caller,
            request,
            json!({ details_name: Value::Null }),
        );
        event["version"] = json!(version.event_version());
        let answer = self
            .invoke(pool, "PreTokenGeneration", &function, event)
            .await?;
        let response = answer
            .as_object()
            .and_then(|a| a.get("response"))
            .and_then(Value::as_object)
            .ok_or_else(errors::unrecognizable_lambda_output)?;
        let details = match response.get(details_name) {
            None | Some(Value::Null) => return Ok(unchanged(groups)),
            Some(Value::Object(details)) => details,
            Some(_) => return Err(errors::unrecognizable_lambda_output()),
        };
        let groups = group_override(details, groups)?;
        let (changes, scope) = if version == Version::V1 {
            let changes = TokenChanges {
                id: claim_changes(details, version, Token::Id, client_id)?,
                access: ClaimChanges::default(),
            };
            (changes, scope.to_owned())
        } else {
            let empty = Map::new();
            let part = |name: &str| match details.get(name) {
                None | Some(Value::Null) => Ok(&empty),
                Some(Value::Object(part)) => Ok(part),
                Some(_) => Err(errors::unrecognizable_lambda_output()),
            };
            let id = part("idTokenGeneration")?;
            let access = part("accessTokenGeneration")?;
            let changes = TokenChanges {
                id: claim_changes(id, version, Token::Id, client_id)?,
                access: claim_changes(access, version, Token::Access, client_id)?,
            };
            (changes, scopes_after(scope, access)?)
        };
        Ok(TokenContent {
            groups,
            scope,
            changes: Some(changes),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn protected_claims_are_dropped_and_the_rest_applies() {
        let details = map(json!({
            "claimsToAddOrOverride": {
                "tier": "gold", "sub": "x", "iss": "x", "cognito:username": "x",
                "cognito:groups": "x", "token_use": "x", "custom:team": "red", "aud": "client"
            },
            "claimsToSuppress": ["email", "exp", "cognito:username", "auth_time"],
        }));
        let id = claim_changes(&details, Version::V1, Token::Id, "client").unwrap();
        let mut added: Vec<&str> = id.add_or_override.keys().map(String::as_str).collect();
        // A map's order depends on serde_json's features in the build.
        added.sort_unstable();
        assert_eq!(added, ["custom:team", "tier"]);
        assert_eq!(id.suppress, ["email"]);
        // The access token takes `aud`, but only the app client's id.
        let access = claim_changes(&details, Version::V2, Token::Access, "client").unwrap();
        assert!(access.add_or_override.contains_key("aud"));
        let other = claim_changes(&details, Version::V2, Token::Access, "other").unwrap();
        assert!(!other.add_or_override.contains_key("aud"));
    }

    #[test]
    fn v1_takes_strings_and_v2_takes_any_json() {
        let details = map(json!({"claimsToAddOrOverride": {"n": 3, "list": [1, "a"]}}));
        assert_eq!(
            claim_changes(&details, Version::V1, Token::Id, "c")
                .unwrap_err()
                .code,
            "InvalidLambdaResponseException"
        );
        let v2 = claim_changes(&details, Version::V2, Token::Id, "c").unwrap();
        assert_eq!(v2.add_or_override["list"], json!([1, "a"]));
        // Some ID token claims stay simple values.
        let details =
            map(json!({"claimsToAddOrOverride": {"address": {"a": 1}, "email_verified": true}}));
        let v2 = claim_changes(&details, Version::V2, Token::Id, "c").unwrap();
        assert!(!v2.add_or_override.contains_key("address"));
        assert_eq!(v2.add_or_override["email_verified"], json!(true));
    }

    #[test]
    fn groups_stay_unless_overridden_and_null_suppresses_them() {
        let groups = GroupClaims {
            groups: vec!["a".into()],
            roles: vec!["arn:aws:iam::000000000000:role/a".into()],
            preferred_role: Some("arn:aws:iam::000000000000:role/a".into()),
        };
        assert_eq!(
            group_override(&map(json!({})), groups.clone()).unwrap(),
            groups
        );
        assert_eq!(
            group_override(&map(json!({"groupOverrideDetails": null})), groups.clone()).unwrap(),
            GroupClaims::default()
        );
        let replaced = group_override(
            &map(json!({"groupOverrideDetails": {"groupsToOverride": ["b", "c"]}})),
            groups,
        )
        .unwrap();
        assert_eq!(replaced.groups, ["b", "c"]);
        assert!(replaced.roles.is_empty() && replaced.preferred_role.is_none());
    }

    #[test]
    fn scopes_are_added_once_and_suppression_wins() {
        let access = map(json!({
            "scopesToAdd": ["orders:read", "orders:read", "bad scope", "admin"],
            "scopesToSuppress": ["aws.cognito.signin.user.admin", "admin"],
        }));
        assert_eq!(
            scopes_after("aws.cognito.signin.user.admin", &access).unwrap(),
            "orders:read"
        );
        assert_eq!(
            scopes_after("openid", &map(json!({"scopesToAdd": "x"})))
                .unwrap_err()
                .code,
            "InvalidLambdaResponseException"
        );
    }

    #[test]
    fn trigger_sources_and_versions() {
        assert_eq!(
            TokenSource::RefreshTokens.trigger_source(),
            "TokenGeneration_RefreshTokens"
        );
        assert_eq!(Version::parse("V2_0"), Some(Version::V2));
        assert_eq!(Version::parse("V9_0"), None);
        assert_eq!(Version::V3.event_version(), "3");
    }
}
