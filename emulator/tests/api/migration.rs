//! The UserMigration trigger end to end: a function built here as a zip
//! plays the legacy directory. Users it knows are created on their first
//! password sign-in or forgot-password request, with what it answers.

use std::time::Duration;

use crate::lambda_support::*;
use crate::token_generation::{PASSWORD, TriggeredPool, trigger_script, triggered_pool};
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, LambdaConfigType, UserStatusType};
use serde_json::json;

/// The legacy password: it meets none of the pool's password rules, which
/// migration does not enforce.
const LEGACY_PASSWORD: &str = "legacy-pw";

/// The legacy directory: `olduser`, `resetuser` and `welcomeuser` sign in
/// with `LEGACY_PASSWORD`; `forgetful` exists for a password reset;
/// `nobody` gets an answer without attributes; anything else is refused.
fn legacy_directory() -> String {
    trigger_script(
        // The event's members may come in any order (serde_json keeps
        // insertion order when a crate in the build asks for it), so each
        // is looked for on its own.
        r##"  has() { case "$EVENT" in *"$1"*) return 0 ;; esac; return 1; }
  if has '"password":"legacy-pw"' && has UserMigration_Authentication && has '"userName":"olduser"'; then
      ANSWER='{"response":{"userAttributes":{"email":"olduser@example.com","email_verified":"true","name":"Old User"},"finalUserStatus":"CONFIRMED","messageAction":"SUPPRESS"}}'
  elif has '"password":"legacy-pw"' && has '"userName":"resetuser"'; then
      ANSWER='{"response":{"userAttributes":{"email":"resetuser@example.com","email_verified":"true"},"finalUserStatus":"RESET_REQUIRED","messageAction":"SUPPRESS"}}'
  elif has '"password":"legacy-pw"' && has '"userName":"welcomeuser"'; then
      ANSWER='{"response":{"userAttributes":{"email":"welcomeuser@example.com","email_verified":"true"},"desiredDeliveryMediums":["EMAIL"]}}'
  elif has UserMigration_ForgotPassword && has '"userName":"forgetful"'; then
      ANSWER='{"response":{"userAttributes":{"email":"forgetful@example.com","email_verified":"true"},"messageAction":"SUPPRESS"}}'
  elif has '"userName":"nobody"'; then
      ANSWER='{"response":{}}'
  else
      curl -sS -X POST "$API/invocation/$ID/error" -H 'Lambda-Runtime-Function-Error-Type: Refused' -d '{"errorMessage":"Bad password","errorType":"Refused"}' >/dev/null
      continue
  fi"##,
    )
}

async fn migrating_pool() -> TriggeredPool {
    triggered_pool("legacy", &legacy_directory(), |arn| {
        LambdaConfigType::builder().user_migration(arn).build()
    })
    .await
}

impl TriggeredPool {
    async fn user_status(&self, username: &str) -> Option<(UserStatusType, Vec<(String, String)>)> {
        let user = self
            .cognito
            .admin_get_user()
            .user_pool_id(&self.id)
            .username(username)
            .send()
            .await
            .ok()?;
        let attributes = user
            .user_attributes
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a.name, a.value.unwrap_or_default()))
            .collect();
        Some((user.user_status.unwrap(), attributes))
    }

    /// The events of the legacy function for `username`, after giving any
    /// late log lines time to arrive.
    async fn events_for(&self, username: &str) -> Vec<serde_json::Value> {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let endpoint = self.env.emulator.endpoint();
        log_lines(&endpoint, "/aws/lambda/legacy")
            .await
            .iter()
            .filter_map(|l| l.strip_prefix("event "))
            .map(|e| serde_json::from_str::<serde_json::Value>(e).expect("a JSON event"))
            .filter(|e| e["userName"] == username)
            .collect()
    }
}

fn has(attributes: &[(String, String)], name: &str, value: &str) -> bool {
    attributes.iter().any(|(n, v)| n == name && v == value)
}

#[tokio::test]
async fn a_legacy_user_is_migrated_on_first_sign_in_and_only_then() {
    let pool = migrating_pool().await;
    assert!(pool.user_status("olduser").await.is_none());

    let signed_in = pool
        .cognito
        .initiate_auth()
        .client_id(&pool.client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "olduser")
        .auth_parameters("PASSWORD", LEGACY_PASSWORD)
        .client_metadata("app", "store")
        .send()
        .await
        .expect("the legacy user signs in");
    let result = signed_in.authentication_result.expect("tokens");
    let id = pool.verified(result.id_token.as_deref().unwrap()).await;
    assert_eq!(id["cognito:username"], "olduser");
    assert_eq!(id["email"], "olduser@example.com");
    assert_eq!(id["email_verified"], true);

    let (status, attributes) = pool.user_status("olduser").await.expect("migrated");
    assert_eq!(status, UserStatusType::Confirmed);
    assert!(has(&attributes, "email", "olduser@example.com"));
    assert!(has(&attributes, "email_verified", "true"));
    assert!(has(&attributes, "name", "Old User"));
    assert!(attributes.iter().any(|(n, _)| n == "sub"));
    // SUPPRESS: no welcome message.
    assert!(
        pool.env
            .emulator
            .outbox()
            .iter()
            .all(|m| m.username != "olduser")
    );

    // The documented event, with the password entered and the request's
    // ClientMetadata as validationData.
    let events = pool.events_for("olduser").await;
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["triggerSource"], "UserMigration_Authentication");
    assert_eq!(event["callerContext"]["clientId"], pool.client_id.as_str());
    assert_eq!(event["request"]["password"], LEGACY_PASSWORD);
    assert_eq!(event["request"]["validationData"], json!({"app": "store"}));
    assert_eq!(event["response"]["userAttributes"], json!(null));

    // The user now exists: the password entered works by itself (here
    // through AdminInitiateAuth), and the trigger is not asked again.
    pool.cognito
        .admin_initiate_auth()
        .user_pool_id(&pool.id)
        .client_id(&pool.client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "olduser")
        .auth_parameters("PASSWORD", LEGACY_PASSWORD)
        .send()
        .await
        .expect("the migrated user signs in");
    // ... and through SRP, the flow the guide recommends once migrated.
    let srp = crate::challenges::srp_sign_in(
        &pool.cognito,
        &pool.id,
        &pool.client_id,
        "olduser",
        LEGACY_PASSWORD,
        None,
        true,
    )
    .await
    .expect("SRP sign-in of the migrated user");
    assert!(srp.authentication_result.is_some());
    let wrong = pool
        .sign_in("olduser", "Not-The-Password-1")
        .await
        .unwrap_err();
    assert!(wrong.is_not_authorized_exception(), "{wrong:?}");
    assert_eq!(pool.events_for("olduser").await.len(), 1);
}

#[tokio::test]
async fn a_refused_or_empty_migration_leaves_the_user_unknown() {
    let pool = migrating_pool().await;
    // The legacy directory refuses the password: the function's error.
    let refused = pool.sign_in("olduser", "wrong-pw").await.unwrap_err();
    assert_eq!(refused.code(), Some("UserLambdaValidationException"));
    assert_eq!(
        refused.message(),
        Some("UserMigration failed with error Bad password.")
    );
    assert!(pool.user_status("olduser").await.is_none());

    // No attributes in the answer: nobody to create.
    let unknown = pool.sign_in("nobody", LEGACY_PASSWORD).await.unwrap_err();
    assert!(unknown.is_user_not_found_exception(), "{unknown:?}");
    assert!(pool.user_status("nobody").await.is_none());
    assert_eq!(pool.events_for("nobody").await.len(), 1);
}

#[tokio::test]
async fn reset_required_and_welcome_message_choices_take_effect() {
    let pool = migrating_pool().await;
    let err = pool
        .sign_in("resetuser", LEGACY_PASSWORD)
        .await
        .unwrap_err();
    assert!(err.is_password_reset_required_exception(), "{err:?}");
    let (status, _) = pool.user_status("resetuser").await.expect("migrated");
    assert_eq!(status, UserStatusType::ResetRequired);

    // Without SUPPRESS the user is welcomed, by the medium asked for; the
    // message never carries the password.
    pool.cognito
        .admin_initiate_auth()
        .user_pool_id(&pool.id)
        .client_id(&pool.client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "welcomeuser")
        .auth_parameters("PASSWORD", LEGACY_PASSWORD)
        .send()
        .await
        .expect("AdminInitiateAuth migrates too");
    let welcome: Vec<_> = pool
        .env
        .emulator
        .outbox()
        .into_iter()
        .filter(|m| m.username == "welcomeuser")
        .collect();
    assert_eq!(welcome.len(), 1, "{welcome:?}");
    assert_eq!(welcome[0].trigger, "UserMigration");
    assert_eq!(welcome[0].destination, "welcomeuser@example.com");
    assert!(!welcome[0].message.contains(LEGACY_PASSWORD));
}

#[tokio::test]
async fn srp_sign_in_does_not_migrate() {
    let pool = migrating_pool().await;
    // A password sign-in asks the function (so its log exists to look at).
    let unknown = pool.sign_in("nobody", LEGACY_PASSWORD).await.unwrap_err();
    assert!(unknown.is_user_not_found_exception());
    assert_eq!(pool.events_for("nobody").await.len(), 1);
    let err = pool
        .cognito
        .initiate_auth()
        .client_id(&pool.client_id)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "olduser")
        .auth_parameters("SRP_A", "abcdef0123456789")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_user_not_found_exception(), "{err:?}");
    assert!(pool.events_for("olduser").await.is_empty());
    assert!(pool.user_status("olduser").await.is_none());
}

#[tokio::test]
async fn forgot_password_migrates_and_the_emailed_code_sets_a_password() {
    let pool = migrating_pool().await;
    let sent = pool
        .cognito
        .forgot_password()
        .client_id(&pool.client_id)
        .username("forgetful")
        .client_metadata("flow", "reset")
        .send()
        .await
        .expect("ForgotPassword migrates the user");
    let details = sent.code_delivery_details.unwrap();
    assert_eq!(details.attribute_name.as_deref(), Some("email"));
    let (status, attributes) = pool.user_status("forgetful").await.expect("migrated");
    assert_eq!(status, UserStatusType::ResetRequired);
    assert!(has(&attributes, "email", "forgetful@example.com"));

    let events = pool.events_for("forgetful").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["triggerSource"], "UserMigration_ForgotPassword");
    assert!(events[0]["request"].get("password").is_none());
    assert_eq!(
        events[0]["request"]["clientMetadata"],
        json!({"flow": "reset"})
    );

    let message = pool
        .env
        .emulator
        .outbox()
        .into_iter()
        .find(|m| m.username == "forgetful" && m.trigger == "ForgotPassword")
        .expect("the reset code was emailed");
    assert_eq!(message.destination, "forgetful@example.com");
    pool.cognito
        .confirm_forgot_password()
        .client_id(&pool.client_id)
        .username("forgetful")
        .confirmation_code(message.code.unwrap())
        .password(PASSWORD)
        .send()
        .await
        .expect("ConfirmForgotPassword");
    let (status, _) = pool.user_status("forgetful").await.unwrap();
    assert_eq!(status, UserStatusType::Confirmed);
    pool.sign_in("forgetful", PASSWORD)
        .await
        .expect("the new password signs in");
    assert_eq!(pool.events_for("forgetful").await.len(), 1);

    // Someone the legacy directory does not know: the function's error.
    let err = pool
        .cognito
        .forgot_password()
        .client_id(&pool.client_id)
        .username("stranger")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("UserLambdaValidationException"));
}
