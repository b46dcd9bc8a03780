//! The PreTokenGeneration trigger end to end: V1 and V2 functions built
//! here as zips answer with claims to add, override and suppress, and the
//! tokens Cognito issues (read back and checked against the pool's JWKS)
//! show what took effect on sign-in, NEW_PASSWORD_REQUIRED and refresh.

use std::time::Duration;

use crate::lambda_support::*;
use crate::sdk_client::raw;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, LambdaConfigType,
    PreTokenGenerationLambdaVersionType, PreTokenGenerationVersionConfigType, UserPoolTierType,
    VerifiedAttributeType,
};
use serde_json::{Value, json};

pub const PASSWORD: &str = "Correct-Horse-1";
const ROLE: &str = "arn:aws:iam::000000000000:role/staff";
const OVERRIDE_ROLE: &str = "arn:aws:iam::000000000000:role/override";

/// A pool with triggers, one app client, and the emulator behind them.
pub struct TriggeredPool {
    pub env: Env,
    pub cognito: aws_sdk_cognitoidentityprovider::Client,
    pub id: String,
    pub client_id: String,
}

/// A function that prints each event and answers with `answer` (shell:
/// `$EVENT` holds the event; set `ANSWER`, or report an error and
/// `continue`).
pub fn trigger_script(answer: &str) -> String {
    runtime_loop(
        "",
        &format!(
            r#"{answer}
  curl -sS -X POST "$API/invocation/$ID/response" -d "$ANSWER" >/dev/null"#
        ),
    )
}

/// Creates `function` from `script`, lets Cognito invoke it, and makes a
/// pool whose `LambdaConfig` is what `config` builds around its ARN, with a
/// client allowing password, SRP, admin password and refresh sign-in.
pub async fn triggered_pool(
    function: &str,
    script: &str,
    config: impl FnOnce(String) -> LambdaConfigType,
) -> TriggeredPool {
    let env = start().await;
    let endpoint = env.emulator.endpoint();
    let arn = create_function(&env.lambda, function, &env.role, script, 3).await;
    let cognito = cognito(&endpoint);
    let pool = cognito
        .create_user_pool()
        .pool_name("triggered")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .lambda_config(config(arn))
        .send()
        .await
        .expect("CreateUserPool")
        .user_pool
        .unwrap();
    let id = pool.id.unwrap();
    env.lambda
        .add_permission()
        .function_name(function)
        .statement_id("cognito")
        .action("lambda:InvokeFunction")
        .principal("cognito-idp.amazonaws.com")
        .source_arn(pool.arn.unwrap())
        .send()
        .await
        .expect("AddPermission");
    let client_id = cognito
        .create_user_pool_client()
        .user_pool_id(&id)
        .client_name("app")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .expect("CreateUserPoolClient")
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    TriggeredPool {
        env,
        cognito,
        id,
        client_id,
    }
}

impl TriggeredPool {
    /// The events `function` printed so far, once there are at least `count`.
    pub async fn events(&self, function: &str, count: usize) -> Vec<Value> {
        let endpoint = self.env.emulator.endpoint();
        let group = format!("/aws/lambda/{function}");
        for _ in 0..100 {
            let events: Vec<Value> = log_lines(&endpoint, &group)
                .await
                .iter()
                .filter_map(|l| l.strip_prefix("event "))
                .map(|e| serde_json::from_str(e).expect("a JSON event"))
                .collect();
            if events.len() >= count {
                return events;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{function} did not log {count} events");
    }

    /// Password sign-in (USER_PASSWORD_AUTH).
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
    ) -> Result<
        aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput,
        aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthError,
    > {
        self.cognito
            .initiate_auth()
            .client_id(&self.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", password)
            .send()
            .await
            .map_err(|e| e.into_service_error())
    }

    /// A confirmed user with an email address and `PASSWORD`.
    async fn user(&self, username: &str) {
        self.cognito
            .admin_create_user()
            .user_pool_id(&self.id)
            .username(username)
            .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
            .user_attributes(attribute("email", &format!("{username}@example.com")))
            .user_attributes(attribute("email_verified", "true"))
            .send()
            .await
            .expect("AdminCreateUser");
        self.cognito
            .admin_set_user_password()
            .user_pool_id(&self.id)
            .username(username)
            .password(PASSWORD)
            .permanent(true)
            .send()
            .await
            .expect("AdminSetUserPassword");
    }

    /// Puts `username` in a group whose role is `ROLE`.
    async fn in_group(&self, username: &str) {
        self.cognito
            .create_group()
            .user_pool_id(&self.id)
            .group_name("staff")
            .role_arn(ROLE)
            .send()
            .await
            .expect("CreateGroup");
        self.cognito
            .admin_add_user_to_group()
            .user_pool_id(&self.id)
            .username(username)
            .group_name("staff")
            .send()
            .await
            .expect("AdminAddUserToGroup");
    }

    /// The claims of a token, after checking its signature and issuer
    /// against the pool's published JWKS.
    pub async fn verified(&self, token: &str) -> Value {
        let endpoint = self.env.emulator.endpoint();
        let jwks = raw(
            &endpoint,
            "GET",
            &format!("/{}/.well-known/jwks.json", self.id),
            &[],
            b"",
        )
        .await
        .json();
        let key = &jwks["keys"][0];
        let decoding = jsonwebtoken::DecodingKey::from_rsa_components(
            key["n"].as_str().unwrap(),
            key["e"].as_str().unwrap(),
        )
        .unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.set_issuer(&[format!("{endpoint}/{}", self.id)]);
        validation.validate_aud = false;
        jsonwebtoken::decode::<Value>(token, &decoding, &validation)
            .expect("the token verifies with the pool's JWKS")
            .claims
    }
}

pub fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

/// A V1 answer: claims for the ID token, some of them protected ones the
/// function may not touch, and a group override.
const V1_ANSWER: &str = r#"{"response":{"claimsOverrideDetails":{"claimsToAddOrOverride":{"tier":"gold","email":"changed@example.com","sub":"forged","cognito:username":"mallory","token_use":"access","aud":"someone-else","cognito:groups":"forged"},"claimsToSuppress":["email_verified","exp","iss","auth_time"],"groupOverrideDetails":{"groupsToOverride":["override-a","override-b"],"iamRolesToOverride":["arn:aws:iam::000000000000:role/override"],"preferredRole":"arn:aws:iam::000000000000:role/override"}}}}"#;

fn v1_config(arn: String) -> LambdaConfigType {
    LambdaConfigType::builder()
        .pre_token_generation(arn)
        .build()
}

fn v2_config(arn: String) -> LambdaConfigType {
    LambdaConfigType::builder()
        .pre_token_generation_config(
            PreTokenGenerationVersionConfigType::builder()
                .lambda_version(PreTokenGenerationLambdaVersionType::V20)
                .lambda_arn(arn)
                .build()
                .unwrap(),
        )
        .build()
}

#[tokio::test]
async fn v1_changes_the_id_token_and_groups_but_not_protected_claims() {
    let script = trigger_script(&format!("  ANSWER='{V1_ANSWER}'"));
    let pool = triggered_pool("pretoken-v1", &script, v1_config).await;
    pool.user("alice").await;
    pool.in_group("alice").await;
    let sub = pool
        .cognito
        .admin_get_user()
        .user_pool_id(&pool.id)
        .username("alice")
        .send()
        .await
        .unwrap()
        .user_attributes
        .unwrap()
        .into_iter()
        .find(|a| a.name == "sub")
        .and_then(|a| a.value)
        .unwrap();

    let signed_in = pool.sign_in("alice", PASSWORD).await.expect("sign-in");
    let result = signed_in.authentication_result.unwrap();
    let id = pool.verified(result.id_token.as_deref().unwrap()).await;
    // Added and overridden.
    assert_eq!(id["tier"], "gold");
    assert_eq!(id["email"], "changed@example.com");
    // Suppressed.
    assert!(id.get("email_verified").is_none(), "{id}");
    // Protected claims are as Cognito issues them.
    assert_eq!(id["sub"], sub.as_str());
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["aud"], pool.client_id.as_str());
    assert!(id["exp"].as_i64().unwrap() > id["iat"].as_i64().unwrap());
    assert!(id.get("auth_time").is_some() && id.get("iss").is_some());
    // The group override replaces groups, roles and the preferred role.
    assert_eq!(id["cognito:groups"], json!(["override-a", "override-b"]));
    assert_eq!(id["cognito:roles"], json!([OVERRIDE_ROLE]));
    assert_eq!(id["cognito:preferred_role"], OVERRIDE_ROLE);
    // V1 leaves the access token alone, but for the groups.
    let access = pool.verified(result.access_token.as_deref().unwrap()).await;
    assert!(access.get("tier").is_none());
    assert_eq!(
        access["cognito:groups"],
        json!(["override-a", "override-b"])
    );
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(access["username"], "alice");

    // The documented V1 event: what Cognito was about to issue.
    let event = &pool.events("pretoken-v1", 1).await[0];
    assert_eq!(event["version"], "1");
    assert_eq!(event["triggerSource"], "TokenGeneration_Authentication");
    assert_eq!(event["userName"], "alice");
    assert_eq!(event["callerContext"]["clientId"], pool.client_id.as_str());
    let request = &event["request"];
    assert_eq!(request["userAttributes"]["email"], "alice@example.com");
    assert_eq!(request["userAttributes"]["sub"], sub.as_str());
    assert_eq!(
        request["groupConfiguration"],
        json!({"groupsToOverride": ["staff"], "iamRolesToOverride": [ROLE], "preferredRole": ROLE})
    );
    assert!(request.get("scopes").is_none(), "scopes are V2's");
    assert_eq!(event["response"], json!({"claimsOverrideDetails": null}));

    // The trigger runs again when the tokens are refreshed.
    let refreshed = pool
        .cognito
        .initiate_auth()
        .client_id(&pool.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", result.refresh_token.unwrap())
        .send()
        .await
        .expect("refresh")
        .authentication_result
        .unwrap();
    let id = pool.verified(refreshed.id_token.as_deref().unwrap()).await;
    assert_eq!(id["tier"], "gold");
    assert_eq!(id["cognito:groups"], json!(["override-a", "override-b"]));
    let events = pool.events("pretoken-v1", 2).await;
    assert_eq!(events[1]["triggerSource"], "TokenGeneration_RefreshTokens");
}

#[tokio::test]
async fn v2_customizes_each_token_and_the_access_token_scopes() {
    // Complex values, a claim and scopes for the access token, protected
    // access token claims the function may not touch, groups suppressed.
    let answer = r#"{"response":{"claimsAndScopeOverrideDetails":{"idTokenGeneration":{"claimsToAddOrOverride":{"tier":"gold","limits":{"daily":5},"flags":[true,1,"x"]},"claimsToSuppress":["email"]},"accessTokenGeneration":{"claimsToAddOrOverride":{"tenant":"acme","level":3,"client_id":"forged","username":"mallory","scope":"admin"},"claimsToSuppress":["auth_time","jti"],"scopesToAdd":["orders/read","orders/write"],"scopesToSuppress":["orders/write"]},"groupOverrideDetails":null}}}"#;
    let script = trigger_script(&format!("  ANSWER='{answer}'"));
    let pool = triggered_pool("pretoken-v2", &script, v2_config).await;
    pool.user("bob").await;
    pool.in_group("bob").await;

    let result = pool
        .sign_in("bob", PASSWORD)
        .await
        .expect("sign-in")
        .authentication_result
        .unwrap();
    let id = pool.verified(result.id_token.as_deref().unwrap()).await;
    assert_eq!(id["tier"], "gold");
    assert_eq!(id["limits"], json!({"daily": 5}));
    assert_eq!(id["flags"], json!([true, 1, "x"]));
    assert!(id.get("email").is_none(), "suppressed: {id}");
    assert!(id.get("tenant").is_none(), "access token claims stay there");
    // `groupOverrideDetails: null` suppresses the groups in both tokens.
    assert!(id.get("cognito:groups").is_none() && id.get("cognito:roles").is_none());

    let access_token = result.access_token.as_deref().unwrap();
    let access = pool.verified(access_token).await;
    assert_eq!(access["tenant"], "acme");
    assert_eq!(access["level"], 3);
    assert_eq!(access["client_id"], pool.client_id.as_str());
    assert_eq!(access["username"], "bob");
    assert!(access.get("auth_time").is_some() && access.get("jti").is_some());
    assert!(access.get("cognito:groups").is_none());
    // Added, and the suppressed one left out; `scope` itself is not a claim to set.
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin orders/read");
    assert!(id.get("scope").is_none());
    // The customized access token is still good for Cognito's own API.
    let me = pool
        .cognito
        .get_user()
        .access_token(access_token)
        .send()
        .await
        .expect("GetUser with the customized access token");
    assert_eq!(me.username, "bob");

    let event = &pool.events("pretoken-v2", 1).await[0];
    assert_eq!(event["version"], "2");
    assert_eq!(event["triggerSource"], "TokenGeneration_Authentication");
    assert_eq!(
        event["request"]["scopes"],
        json!(["aws.cognito.signin.user.admin"])
    );
    assert_eq!(
        event["request"]["groupConfiguration"]["groupsToOverride"],
        json!(["staff"])
    );
    assert_eq!(
        event["response"],
        json!({"claimsAndScopeOverrideDetails": null})
    );

    // GetTokensFromRefreshToken runs the trigger too.
    let refreshed = pool
        .cognito
        .get_tokens_from_refresh_token()
        .client_id(&pool.client_id)
        .refresh_token(result.refresh_token.unwrap())
        .send()
        .await
        .expect("GetTokensFromRefreshToken")
        .authentication_result
        .unwrap();
    let access = pool
        .verified(refreshed.access_token.as_deref().unwrap())
        .await;
    assert_eq!(access["tenant"], "acme");
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin orders/read");
    let events = pool.events("pretoken-v2", 2).await;
    assert_eq!(events[1]["triggerSource"], "TokenGeneration_RefreshTokens");
}

#[tokio::test]
async fn an_access_token_without_the_admin_scope_cannot_call_cognito() {
    let answer = r#"{"response":{"claimsAndScopeOverrideDetails":{"accessTokenGeneration":{"scopesToAdd":["reports/read"],"scopesToSuppress":["aws.cognito.signin.user.admin"]}}}}"#;
    let script = trigger_script(&format!("  ANSWER='{answer}'"));
    let pool = triggered_pool("pretoken-scopes", &script, v2_config).await;
    pool.user("frank").await;
    let result = pool
        .sign_in("frank", PASSWORD)
        .await
        .expect("sign-in")
        .authentication_result
        .unwrap();
    let access_token = result.access_token.as_deref().unwrap();
    assert_eq!(pool.verified(access_token).await["scope"], "reports/read");
    let err = pool
        .cognito
        .get_user()
        .access_token(access_token)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_not_authorized_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("Access Token does not have required scopes")
    );
}

#[tokio::test]
async fn a_new_password_challenge_is_its_own_trigger_source() {
    let script = trigger_script(
        r#"  ANSWER='{"response":{"claimsOverrideDetails":{"claimsToAddOrOverride":{"first":"yes"}}}}'"#,
    );
    let pool = triggered_pool("pretoken-np", &script, v1_config).await;
    pool.cognito
        .admin_create_user()
        .user_pool_id(&pool.id)
        .username("carol")
        .temporary_password("Temporary-Pass-1")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .expect("AdminCreateUser");
    let challenge = pool
        .sign_in("carol", "Temporary-Pass-1")
        .await
        .expect("sign-in");
    assert_eq!(
        challenge.challenge_name,
        Some(ChallengeNameType::NewPasswordRequired)
    );
    let answered = pool
        .cognito
        .respond_to_auth_challenge()
        .client_id(&pool.client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(challenge.session.unwrap())
        .challenge_responses("USERNAME", "carol")
        .challenge_responses("NEW_PASSWORD", PASSWORD)
        .send()
        .await
        .expect("NEW_PASSWORD_REQUIRED answered");
    let id = pool
        .verified(
            answered
                .authentication_result
                .unwrap()
                .id_token
                .as_deref()
                .unwrap(),
        )
        .await;
    assert_eq!(id["first"], "yes");
    let event = &pool.events("pretoken-np", 1).await[0];
    assert_eq!(
        event["triggerSource"],
        "TokenGeneration_NewPasswordChallenge"
    );
}

#[tokio::test]
async fn a_remembered_device_sign_in_is_its_own_trigger_source() {
    use crate::devices::{Remembered, answer_device_challenges, device_challenge};
    use aws_cognito_srp::{SrpClient, UntrackedDevice};
    use aws_sdk_cognitoidentityprovider::types::{
        DeviceConfigurationType, DeviceSecretVerifierConfigType,
    };
    let script = trigger_script(r#"  ANSWER='{"response":{"claimsOverrideDetails":null}}'"#);
    let pool = triggered_pool("pretoken-device", &script, v1_config).await;
    // UpdateUserPool resets what it is not sent: the trigger goes again.
    pool.cognito
        .update_user_pool()
        .user_pool_id(&pool.id)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .lambda_config(v1_config(
            "arn:aws:lambda:us-east-1:000000000000:function:pretoken-device".to_owned(),
        ))
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(false)
                .device_only_remembered_on_user_prompt(false)
                .build(),
        )
        .send()
        .await
        .expect("UpdateUserPool");
    pool.user("gina").await;
    let first = pool
        .sign_in("gina", PASSWORD)
        .await
        .expect("sign-in")
        .authentication_result
        .unwrap();
    let metadata = first.new_device_metadata.expect("a new device");
    let (key, group) = (
        metadata.device_key.unwrap(),
        metadata.device_group_key.unwrap(),
    );
    let verifier = SrpClient::new(
        UntrackedDevice::new(&pool.id, &group, &key),
        &pool.client_id,
        None,
    )
    .get_password_verifier();
    pool.cognito
        .confirm_device()
        .access_token(first.access_token.unwrap())
        .device_key(&key)
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .password_verifier(&verifier.verifier)
                .salt(&verifier.salt)
                .build(),
        )
        .send()
        .await
        .expect("ConfirmDevice");
    let device = Remembered {
        key,
        group,
        password: verifier.password,
    };
    let session = device_challenge(&pool.cognito, &pool.client_id, "gina", &device).await;
    let answered = answer_device_challenges(
        &pool.cognito,
        &pool.id,
        &pool.client_id,
        "gina",
        &device,
        Some(session),
    )
    .await
    .expect("the device signs in");
    assert!(answered.authentication_result.is_some());
    let events = pool.events("pretoken-device", 2).await;
    assert_eq!(events[0]["triggerSource"], "TokenGeneration_Authentication");
    assert_eq!(
        events[1]["triggerSource"],
        "TokenGeneration_AuthenticateDevice"
    );
}

#[tokio::test]
async fn a_failing_or_malformed_function_stops_the_sign_in() {
    let pool = triggered_pool(
        "pretoken-fail",
        &failing_function("no tokens today"),
        v1_config,
    )
    .await;
    pool.user("dave").await;
    let err = pool.sign_in("dave", PASSWORD).await.unwrap_err();
    assert_eq!(err.code(), Some("UserLambdaValidationException"));
    assert_eq!(
        err.message(),
        Some("PreTokenGeneration failed with error no tokens today.")
    );

    // V1 claims are strings.
    let script = trigger_script(
        r#"  ANSWER='{"response":{"claimsOverrideDetails":{"claimsToAddOrOverride":{"level":3}}}}'"#,
    );
    let pool = triggered_pool("pretoken-number", &script, v1_config).await;
    pool.user("erin").await;
    let err = pool.sign_in("erin", PASSWORD).await.unwrap_err();
    assert!(err.is_invalid_lambda_response_exception(), "{err:?}");
}

#[tokio::test]
async fn access_token_customization_needs_the_essentials_or_plus_plan() {
    let env = start().await;
    let cognito = cognito(&env.emulator.endpoint());
    let arn = "arn:aws:lambda:us-east-1:000000000000:function:pretoken".to_owned();
    let refused = cognito
        .create_user_pool()
        .pool_name("lite")
        .user_pool_tier(UserPoolTierType::Lite)
        .lambda_config(v2_config(arn.clone()))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        refused.is_feature_unavailable_in_tier_exception(),
        "{refused:?}"
    );
    // V1 is a basic feature; the default plan (Essentials) takes V2.
    let lite = cognito
        .create_user_pool()
        .pool_name("lite")
        .user_pool_tier(UserPoolTierType::Lite)
        .lambda_config(v1_config(arn.clone()))
        .send()
        .await
        .expect("a Lite pool with a V1 trigger")
        .user_pool
        .unwrap();
    let refused = cognito
        .update_user_pool()
        .user_pool_id(lite.id.as_deref().unwrap())
        .user_pool_tier(UserPoolTierType::Lite)
        .lambda_config(v2_config(arn.clone()))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(refused.is_feature_unavailable_in_tier_exception());
    // The V1 member is described both ways ("This parameter and the
    // PreTokenGeneration property of LambdaConfig have the same value").
    let described = cognito
        .describe_user_pool()
        .user_pool_id(lite.id.as_deref().unwrap())
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .lambda_config
        .unwrap();
    assert_eq!(
        described.pre_token_generation.as_deref(),
        Some(arn.as_str())
    );
    let versioned = described.pre_token_generation_config.unwrap();
    assert_eq!(versioned.lambda_arn, arn);
    assert_eq!(
        versioned.lambda_version,
        PreTokenGenerationLambdaVersionType::V10
    );
    let essentials = cognito
        .create_user_pool()
        .pool_name("essentials")
        .lambda_config(v2_config(arn.clone()))
        .send()
        .await
        .expect("the default plan takes a V2 trigger")
        .user_pool
        .unwrap();
    let described = essentials.lambda_config.unwrap();
    assert_eq!(
        described.pre_token_generation.as_deref(),
        Some(arn.as_str())
    );
    assert_eq!(
        described
            .pre_token_generation_config
            .unwrap()
            .lambda_version,
        PreTokenGenerationLambdaVersionType::V20
    );
}
