//! Challenge flows: TOTP setup and sign-in (MFA_SETUP, SOFTWARE_TOKEN_MFA),
//! SRP (PASSWORD_VERIFIER, with and without a Session) and remembered
//! devices (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER), driven by the real
//! SDK and the independent `aws-cognito-srp` client.

use crate::sdk_client;

use std::time::{SystemTime, UNIX_EPOCH};

use crate::sdk_client::{Client, PASSWORD};
use aws_cognito_srp::{SrpClient, TrackedDevice, UntrackedDevice, User};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, DeviceConfigurationType, DeviceRememberedStatusType,
    DeviceSecretVerifierConfigType, SoftwareTokenMfaConfigType, SoftwareTokenMfaSettingsType,
    UserPoolMfaType, VerifiedAttributeType,
};
use emulator::cognito::totp;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn mfa_pool(client: &Client, mode: UserPoolMfaType, devices: bool) -> String {
    let mut create = client
        .create_user_pool()
        .pool_name("mfa")
        .auto_verified_attributes(VerifiedAttributeType::Email);
    if devices {
        create = create.device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(true)
                .device_only_remembered_on_user_prompt(false)
                .build(),
        );
    }
    let pool_id = create
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .mfa_configuration(mode)
        .send()
        .await
        .unwrap();
    pool_id
}

/// Signs in through MFA_SETUP: returns the TOTP secret and the final result.
async fn set_up_totp(
    client: &Client,
    client_id: &str,
    username: &str,
) -> (
    String,
    u64,
    aws_sdk_cognitoidentityprovider::types::AuthenticationResultType,
) {
    let first = sdk_client::password_sign_in(client, client_id, username).await;
    assert_eq!(first.challenge_name(), Some(&ChallengeNameType::MfaSetup));
    let associated = client
        .associate_software_token()
        .session(first.session().unwrap())
        .send()
        .await
        .unwrap();
    let secret = associated.secret_code().unwrap().to_owned();
    let wrong = client
        .verify_software_token()
        .session(associated.session().unwrap())
        .user_code(if totp::code_at(&secret, now()) == "000000" {
            "111111"
        } else {
            "000000"
        })
        .send()
        .await
        .unwrap_err();
    assert!(
        wrong
            .as_service_error()
            .unwrap()
            .is_enable_software_token_mfa_exception()
    );
    // The failed verification used the session up; start the setup again.
    let first = sdk_client::password_sign_in(client, client_id, username).await;
    let associated = client
        .associate_software_token()
        .session(first.session().unwrap())
        .send()
        .await
        .unwrap();
    let secret = associated.secret_code().unwrap().to_owned();
    let verified_at = now();
    let verified = client
        .verify_software_token()
        .session(associated.session().unwrap())
        .user_code(totp::code_at(&secret, verified_at))
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status().map(|s| s.as_str()), Some("SUCCESS"));
    let done = client
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::MfaSetup)
        .session(verified.session().unwrap())
        .challenge_responses("USERNAME", username)
        .send()
        .await
        .unwrap();
    (
        secret,
        verified_at,
        done.authentication_result().unwrap().clone(),
    )
}

#[tokio::test]
async fn required_mfa_sets_up_totp_then_asks_for_codes() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = mfa_pool(&client, UserPoolMfaType::On, false).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "mia").await;
    let (secret, verified_at, result) = set_up_totp(&client, &client_id, "mia").await;
    assert!(result.access_token().is_some());
    assert!(
        result.new_device_metadata().is_none(),
        "the pool does not track devices"
    );

    let second = sdk_client::password_sign_in(&client, &client_id, "mia").await;
    assert_eq!(
        second.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    let session = second.session().unwrap();
    // The code accepted during setup is not accepted again.
    let replay = client
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session(session)
        .challenge_responses("USERNAME", "mia")
        .challenge_responses(
            "SOFTWARE_TOKEN_MFA_CODE",
            totp::code_at(&secret, verified_at),
        )
        .send()
        .await
        .unwrap_err();
    assert!(
        replay
            .as_service_error()
            .unwrap()
            .is_code_mismatch_exception()
    );
    let done = client
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session(session)
        .challenge_responses("USERNAME", "mia")
        .challenge_responses(
            "SOFTWARE_TOKEN_MFA_CODE",
            totp::code_at(&secret, now() + 30),
        )
        .send()
        .await
        .unwrap();
    assert!(done.authentication_result().unwrap().id_token().is_some());
    let reused = client
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session(session)
        .challenge_responses("USERNAME", "mia")
        .challenge_responses(
            "SOFTWARE_TOKEN_MFA_CODE",
            totp::code_at(&secret, now() + 30),
        )
        .send()
        .await
        .unwrap_err();
    assert!(
        reused
            .as_service_error()
            .unwrap()
            .is_not_authorized_exception()
    );
}

#[tokio::test]
async fn optional_mfa_with_access_token_setup_and_admin_challenge() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = mfa_pool(&client, UserPoolMfaType::Optional, false).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "ned").await;
    let signed_in = sdk_client::password_sign_in(&client, &client_id, "ned").await;
    let access = signed_in
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    let err = client
        .set_user_mfa_preference()
        .access_token(&access)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_invalid_parameter_exception()
    );
    let secret = client
        .associate_software_token()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    let secret = secret.secret_code().unwrap().to_owned();
    client
        .verify_software_token()
        .access_token(&access)
        .user_code(totp::code_at(&secret, now()))
        .send()
        .await
        .unwrap();
    client
        .set_user_mfa_preference()
        .access_token(&access)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let me = client
        .get_user()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(me.preferred_mfa_setting(), Some("SOFTWARE_TOKEN_MFA"));

    let challenge = client
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "ned")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(
        challenge.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    let done = client
        .admin_respond_to_auth_challenge()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session(challenge.session().unwrap())
        .challenge_responses("USERNAME", "ned")
        .challenge_responses(
            "SOFTWARE_TOKEN_MFA_CODE",
            totp::code_at(&secret, now() + 30),
        )
        .send()
        .await
        .unwrap();
    assert!(
        done.authentication_result()
            .unwrap()
            .access_token()
            .is_some()
    );

    // An administrator can turn it off again: sign-in goes straight to tokens.
    client
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool_id)
        .username("ned")
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(false)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let plain = sdk_client::password_sign_in(&client, &client_id, "ned").await;
    assert!(plain.authentication_result().is_some());
}

/// USER_SRP_AUTH then PASSWORD_VERIFIER answered by the aws-cognito-srp client.
pub(crate) async fn srp_sign_in(
    client: &Client,
    pool_id: &str,
    client_id: &str,
    username: &str,
    password: &str,
    device_key: Option<&str>,
    send_session: bool,
) -> Result<aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput, String>
{
    let srp = SrpClient::new(User::new(pool_id, username, password), client_id, None);
    let params = srp.get_auth_parameters();
    let mut initiate = client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", &params.username)
        .auth_parameters("SRP_A", &params.a);
    if let Some(key) = device_key {
        initiate = initiate.auth_parameters("DEVICE_KEY", key);
    }
    let challenge = initiate
        .send()
        .await
        .map_err(|e| format!("{:?}", e.into_service_error()))?;
    assert_eq!(
        challenge.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    let p = challenge.challenge_parameters().unwrap();
    let proof = srp
        .verify(
            &p["SECRET_BLOCK"],
            &p["USER_ID_FOR_SRP"],
            &p["SALT"],
            &p["SRP_B"],
        )
        .map_err(|e| e.to_string())?;
    let mut respond = client
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .challenge_responses("USERNAME", &p["USER_ID_FOR_SRP"])
        .challenge_responses(
            "PASSWORD_CLAIM_SECRET_BLOCK",
            &proof.password_claim_secret_block,
        )
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", &proof.password_claim_signature)
        .challenge_responses("TIMESTAMP", &proof.timestamp);
    if let Some(key) = device_key {
        respond = respond.challenge_responses("DEVICE_KEY", key);
    }
    if send_session {
        respond = respond.session(challenge.session().unwrap());
    }
    respond
        .send()
        .await
        .map_err(|e| format!("{:?}", e.into_service_error()))
}

#[tokio::test]
async fn srp_sign_in_with_and_without_session() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "sam").await;
    let with = srp_sign_in(&client, &pool_id, &client_id, "sam", PASSWORD, None, true)
        .await
        .unwrap();
    assert!(
        with.authentication_result()
            .unwrap()
            .access_token()
            .is_some()
    );
    let without = srp_sign_in(&client, &pool_id, &client_id, "sam", PASSWORD, None, false)
        .await
        .unwrap();
    assert!(
        without
            .authentication_result()
            .unwrap()
            .access_token()
            .is_some()
    );
    let wrong = srp_sign_in(
        &client,
        &pool_id,
        &client_id,
        "sam",
        "Wrong-Password-9",
        None,
        false,
    )
    .await
    .unwrap_err();
    assert!(wrong.contains("NotAuthorizedException"), "{wrong}");
}

#[tokio::test]
async fn remembered_device_skips_mfa() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = mfa_pool(&client, UserPoolMfaType::On, true).await;
    let (client_id, _) = sdk_client::app_client(&client, &pool_id, false).await;
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "dev").await;
    let (_secret, _, result) = set_up_totp(&client, &client_id, "dev").await;
    let metadata = result
        .new_device_metadata()
        .expect("a pool that tracks devices hands out a device key");
    let device_key = metadata.device_key().unwrap().to_owned();
    let group_key = metadata.device_group_key().unwrap().to_owned();
    assert!(device_key.starts_with("us-east-1_"));
    let access = result.access_token().unwrap().to_owned();

    let err = client
        .confirm_device()
        .access_token(&access)
        .device_key("us-east-1_00000000-0000-4000-8000-000000000000")
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .password_verifier("AAAA")
                .salt("AAAA")
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );

    let untracked = SrpClient::new(
        UntrackedDevice::new(&pool_id, &group_key, &device_key),
        &client_id,
        None,
    );
    let verifier = untracked.get_password_verifier();
    let confirmed = client
        .confirm_device()
        .access_token(&access)
        .device_key(&device_key)
        .device_name("laptop")
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .password_verifier(&verifier.verifier)
                .salt(&verifier.salt)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(!confirmed.user_confirmation_necessary());
    let listed = client
        .list_devices()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.devices().len(), 1);
    let device = client
        .get_device()
        .access_token(&access)
        .device_key(&device_key)
        .send()
        .await
        .unwrap();
    let attributes = device.device().unwrap().device_attributes();
    assert!(
        attributes
            .iter()
            .any(|a| a.name() == "device_name" && a.value() == Some("laptop"))
    );

    // Password (SRP), then the device's own SRP proof, then tokens: no MFA code asked.
    let step = srp_sign_in(
        &client,
        &pool_id,
        &client_id,
        "dev",
        PASSWORD,
        Some(&device_key),
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        step.challenge_name(),
        Some(&ChallengeNameType::DeviceSrpAuth)
    );
    let tracked = SrpClient::new(
        TrackedDevice::new(&pool_id, &group_key, &device_key, &verifier.password),
        &client_id,
        None,
    );
    let params = tracked.get_auth_parameters();
    let device_challenge = client
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::DeviceSrpAuth)
        .session(step.session().unwrap())
        .challenge_responses("USERNAME", "dev")
        .challenge_responses("DEVICE_KEY", &params.device_key)
        .challenge_responses("SRP_A", &params.a)
        .send()
        .await
        .unwrap();
    assert_eq!(
        device_challenge.challenge_name(),
        Some(&ChallengeNameType::DevicePasswordVerifier)
    );
    let p = device_challenge.challenge_parameters().unwrap();
    let proof = tracked
        .verify(&p["SECRET_BLOCK"], &p["SALT"], &p["SRP_B"])
        .unwrap();
    let done = client
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::DevicePasswordVerifier)
        .challenge_responses("USERNAME", "dev")
        .challenge_responses("DEVICE_KEY", &device_key)
        .challenge_responses(
            "PASSWORD_CLAIM_SECRET_BLOCK",
            &proof.password_claim_secret_block,
        )
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", &proof.password_claim_signature)
        .challenge_responses("TIMESTAMP", &proof.timestamp)
        .send()
        .await
        .unwrap();
    let tokens = done.authentication_result().unwrap();
    assert!(tokens.access_token().is_some());
    assert!(tokens.new_device_metadata().is_none());

    client
        .update_device_status()
        .access_token(&access)
        .device_key(&device_key)
        .device_remembered_status(DeviceRememberedStatusType::NotRemembered)
        .send()
        .await
        .unwrap();
    client
        .forget_device()
        .access_token(&access)
        .device_key(&device_key)
        .send()
        .await
        .unwrap();
    let err = client
        .get_device()
        .access_token(&access)
        .device_key(&device_key)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );
}
