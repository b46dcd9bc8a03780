//! Devices as an administrator sees them (AdminListDevices, AdminGetDevice,
//! AdminUpdateDeviceStatus, AdminForgetDevice), and device sign-in answered
//! with and without a `Session`, as AWS's own device examples answer it.

use crate::sdk_client::{self, Client, PASSWORD};

use aws_cognito_srp::{SrpClient, TrackedDevice, UntrackedDevice};
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, DeviceConfigurationType, DeviceRememberedStatusType,
    DeviceSecretVerifierConfigType, VerifiedAttributeType,
};

fn failure<E: ProvideErrorMetadata>(err: E) -> (String, String) {
    (
        err.code().unwrap_or_default().to_owned(),
        err.message().unwrap_or_default().to_owned(),
    )
}

/// A confirmed device of a user.
pub(crate) struct Remembered {
    pub key: String,
    pub group: String,
    pub password: String,
}

/// A pool that tracks devices (no MFA), a client, and a user `name` whose
/// first sign-in's device was confirmed.
async fn pool_with_device(client: &Client, name: &str) -> (String, String, Remembered) {
    let pool_id = client
        .create_user_pool()
        .pool_name("devices")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(false)
                .device_only_remembered_on_user_prompt(false)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let (client_id, _) = sdk_client::app_client(client, &pool_id, false).await;
    sdk_client::confirmed_user(client, &pool_id, &client_id, name).await;
    let out = sdk_client::password_sign_in(client, &client_id, name).await;
    let result = out.authentication_result().unwrap();
    let metadata = result.new_device_metadata().expect("a new device");
    let key = metadata.device_key().unwrap().to_owned();
    let group = metadata.device_group_key().unwrap().to_owned();
    let untracked = SrpClient::new(
        UntrackedDevice::new(&pool_id, &group, &key),
        &client_id,
        None,
    );
    let verifier = untracked.get_password_verifier();
    client
        .confirm_device()
        .access_token(result.access_token().unwrap())
        .device_key(&key)
        .device_name("phone")
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .password_verifier(&verifier.verifier)
                .salt(&verifier.salt)
                .build(),
        )
        .send()
        .await
        .unwrap();
    (
        pool_id,
        client_id,
        Remembered {
            key,
            group,
            password: verifier.password,
        },
    )
}

/// Password sign-in naming the device, up to its DEVICE_SRP_AUTH challenge.
pub(crate) async fn device_challenge(
    client: &Client,
    client_id: &str,
    name: &str,
    device: &Remembered,
) -> String {
    let out = client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", PASSWORD)
        .auth_parameters("DEVICE_KEY", &device.key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::DeviceSrpAuth)
    );
    out.session().unwrap().to_owned()
}

/// Answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER, with the sessions
/// or without any, as the device of `username` would.
pub(crate) async fn answer_device_challenges(
    client: &Client,
    pool_id: &str,
    client_id: &str,
    username: &str,
    device: &Remembered,
    session: Option<String>,
) -> Result<RespondToAuthChallengeOutput, (String, String)> {
    let tracked = SrpClient::new(
        TrackedDevice::new(pool_id, &device.group, &device.key, &device.password),
        client_id,
        None,
    );
    let params = tracked.get_auth_parameters();
    let step = client
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::DeviceSrpAuth)
        .set_session(session.clone())
        .challenge_responses("USERNAME", username)
        .challenge_responses("DEVICE_KEY", &params.device_key)
        .challenge_responses("SRP_A", &params.a)
        .send()
        .await
        .map_err(|e| failure(e.into_service_error()))?;
    assert_eq!(
        step.challenge_name(),
        Some(&ChallengeNameType::DevicePasswordVerifier)
    );
    let p = step.challenge_parameters().unwrap();
    let proof = tracked
        .verify(&p["SECRET_BLOCK"], &p["SALT"], &p["SRP_B"])
        .unwrap();
    client
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::DevicePasswordVerifier)
        .set_session(session.and(step.session().map(str::to_owned)))
        .challenge_responses("USERNAME", username)
        .challenge_responses("DEVICE_KEY", &device.key)
        .challenge_responses(
            "PASSWORD_CLAIM_SECRET_BLOCK",
            &proof.password_claim_secret_block,
        )
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", &proof.password_claim_signature)
        .challenge_responses("TIMESTAMP", &proof.timestamp)
        .send()
        .await
        .map_err(|e| failure(e.into_service_error()))
}

#[tokio::test]
async fn device_srp_auth_is_answered_with_and_without_a_session() {
    let (emulator, client) = sdk_client::start().await;
    let (pool_id, client_id, device) = pool_with_device(&client, "dee").await;

    let session = device_challenge(&client, &client_id, "dee", &device).await;
    let with =
        answer_device_challenges(&client, &pool_id, &client_id, "dee", &device, Some(session))
            .await
            .unwrap();
    assert!(
        with.authentication_result()
            .unwrap()
            .access_token()
            .is_some()
    );

    // As DeviceAuthDemo and pycognito answer it: no Session at all.
    device_challenge(&client, &client_id, "dee", &device).await;
    let without = answer_device_challenges(&client, &pool_id, &client_id, "dee", &device, None)
        .await
        .unwrap();
    let tokens = without.authentication_result().unwrap();
    let claims = crate::groups::claims(tokens.access_token().unwrap());
    assert_eq!(claims["device_key"], device.key.as_str());

    // Without a Session, the step is found only for its own user, once, and
    // only while a sign-in is waiting at it.
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "mal").await;
    device_challenge(&client, &client_id, "dee", &device).await;
    let other_user = answer_device_challenges(&client, &pool_id, &client_id, "mal", &device, None)
        .await
        .unwrap_err();
    assert_eq!(other_user.0, "NotAuthorizedException");
    answer_device_challenges(&client, &pool_id, &client_id, "dee", &device, None)
        .await
        .unwrap();
    let spent = answer_device_challenges(&client, &pool_id, &client_id, "dee", &device, None)
        .await
        .unwrap_err();
    assert_eq!(spent.0, "NotAuthorizedException");
    // Another app client's sign-in is not continued either.
    let (other_client, _) = sdk_client::app_client(&client, &pool_id, false).await;
    device_challenge(&client, &client_id, "dee", &device).await;
    let elsewhere =
        answer_device_challenges(&client, &pool_id, &other_client, "dee", &device, None)
            .await
            .unwrap_err();
    assert_eq!(elsewhere.0, "NotAuthorizedException");
    // And only while its session lives (three minutes by default).
    device_challenge(&client, &client_id, "dee", &device).await;
    emulator.advance_clock(std::time::Duration::from_secs(181));
    let late = answer_device_challenges(&client, &pool_id, &client_id, "dee", &device, None)
        .await
        .unwrap_err();
    assert_eq!(
        late,
        (
            "NotAuthorizedException".to_owned(),
            "Invalid session for the user, session is expired.".to_owned()
        )
    );
}

#[tokio::test]
async fn administrators_list_get_update_and_forget_devices() {
    let (_emulator, client) = sdk_client::start().await;
    let (pool_id, _client_id, device) = pool_with_device(&client, "ada").await;
    let listed = client
        .admin_list_devices()
        .user_pool_id(&pool_id)
        .username("ada")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.devices().len(), 1);
    assert_eq!(listed.devices()[0].device_key(), Some(device.key.as_str()));
    let status = |out: &aws_sdk_cognitoidentityprovider::types::DeviceType| {
        out.device_attributes()
            .iter()
            .find(|a| a.name() == "dev:device_remembered_status")
            .and_then(|a| a.value())
            .unwrap_or_default()
            .to_owned()
    };
    let got = client
        .admin_get_device()
        .user_pool_id(&pool_id)
        .username("ada")
        .device_key(&device.key)
        .send()
        .await
        .unwrap();
    assert_eq!(status(got.device().unwrap()), "remembered");
    client
        .admin_update_device_status()
        .user_pool_id(&pool_id)
        .username("ada")
        .device_key(&device.key)
        .device_remembered_status(DeviceRememberedStatusType::NotRemembered)
        .send()
        .await
        .unwrap();
    let got = client
        .admin_get_device()
        .user_pool_id(&pool_id)
        .username("ada")
        .device_key(&device.key)
        .send()
        .await
        .unwrap();
    assert_eq!(status(got.device().unwrap()), "not_remembered");

    let unknown_user = client
        .admin_list_devices()
        .user_pool_id(&pool_id)
        .username("nobody")
        .send()
        .await
        .unwrap_err();
    // The model lists no UserNotFoundException for AdminListDevices; the
    // emulator answers as the other administrator operations do.
    assert_eq!(
        failure(unknown_user.into_service_error()),
        (
            "UserNotFoundException".to_owned(),
            "User does not exist.".to_owned()
        )
    );

    client
        .admin_forget_device()
        .user_pool_id(&pool_id)
        .username("ada")
        .device_key(&device.key)
        .send()
        .await
        .unwrap();
    let gone = client
        .admin_get_device()
        .user_pool_id(&pool_id)
        .username("ada")
        .device_key(&device.key)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(gone.into_service_error()),
        (
            "ResourceNotFoundException".to_owned(),
            "Device does not exist.".to_owned()
        )
    );
    let forget_again = client
        .admin_forget_device()
        .user_pool_id(&pool_id)
        .username("ada")
        .device_key(&device.key)
        .send()
        .await
        .unwrap_err();
    assert!(
        forget_again
            .as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );
    let listed = client
        .admin_list_devices()
        .user_pool_id(&pool_id)
        .username("ada")
        .send()
        .await
        .unwrap();
    assert!(listed.devices().is_empty());
}
