//! ConfirmDevice: remember the device a user just signed in from, so that
//! later sign-ins from it can prove the device with SRP (`DEVICE_SRP_AUTH`)
//! instead of asking for an MFA code.
//!
//! The device makes up a random password that never leaves it, and gives
//! Cognito only an SRP *verifier* of that password (and the salt used to
//! make it): enough to check a later proof, useless for signing in.
//!
//! This is a user call, authorized by the user's access token from the
//! sign-in that returned the device's key and group key (`NewDeviceMetadata`).

use aws_cognito_srp::{PasswordVerifierParameters, SrpClient, UntrackedDevice};
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::confirm_device::{
    ConfirmDeviceError, ConfirmDeviceOutput,
};
use aws_sdk_cognitoidentityprovider::types::DeviceSecretVerifierConfigType;

/// What a new device generates for ConfirmDevice.
pub struct DeviceSecrets {
    /// The device's random password. Only the device keeps it (with the
    /// device key and group key); Cognito never sees it.
    pub password: String,
    /// What Cognito keeps: the SRP verifier of the password and its salt,
    /// both Base64.
    pub verifier_config: DeviceSecretVerifierConfigType,
}

/// Generates a random device password, a random salt, and the SRP password
/// verifier for them, the way Cognito's device sign-in expects:
/// verifier = g^x mod N (the 3072-bit group of RFC 5054), with
/// x = SHA-256(salt | SHA-256(device group key | device key | ":" | password)).
pub fn new_device_secrets(device_group_key: &str, device_key: &str) -> DeviceSecrets {
    // The SRP client also takes a pool id and an app client id, for the user
    // sign-in it can do too; a device's verifier does not depend on them.
    let srp = SrpClient::new(
        UntrackedDevice::new("", device_group_key, device_key),
        "",
        None,
    );
    let PasswordVerifierParameters {
        verifier,
        salt,
        password,
    } = srp.get_password_verifier();
    DeviceSecrets {
        password,
        verifier_config: DeviceSecretVerifierConfigType::builder()
            .password_verifier(verifier)
            .salt(salt)
            .build(),
    }
}

// snippet-start:[rust.cognito-idp.ConfirmDevice]
/// Confirms (starts tracking) the device Cognito named in `NewDeviceMetadata`
/// at sign-in, and gives Cognito the device's password verifier and salt
/// (see [`new_device_secrets`]).
///
/// `user_confirmation_necessary` in the answer says whether the user must
/// still choose to remember the device (UpdateDeviceStatus), which depends on
/// the pool's device settings ("user opt-in" or "always").
pub async fn confirm_device(
    client: &Client,
    access_token: &str,
    device_key: &str,
    verifier_config: DeviceSecretVerifierConfigType,
    device_name: Option<&str>,
) -> Result<ConfirmDeviceOutput, SdkError<ConfirmDeviceError>> {
    client
        .confirm_device()
        .access_token(access_token)
        .device_key(device_key)
        .device_secret_verifier_config(verifier_config)
        .set_device_name(device_name.map(String::from))
        .send()
        .await
}
// snippet-end:[rust.cognito-idp.ConfirmDevice]

#[cfg(test)]
mod tests {
    use super::*;
    use aws_cognito_srp::{DeviceAuthenticationParameters, TrackedDevice};
    use aws_smithy_mocks::{mock, mock_client};
    use emulator::cognito::srp::{ServerHandshake, Verifier};

    /// A `SECRET_BLOCK` as Cognito would send it (Base64), and its bytes.
    const SECRET_BLOCK: &str = "c2VjcmV0IGJsb2NrIGZyb20gQ29nbml0bw==";
    const SECRET_BLOCK_BYTES: &[u8] = b"secret block from Cognito";

    /// Whether a later device sign-in with `password` passes the check that
    /// Cognito runs against `secrets`' verifier. Cognito's side is the
    /// emulator's server-side SRP, written from the protocol independently
    /// of the `aws-cognito-srp` crate that made the verifier.
    fn device_sign_in_passes(
        secrets: &DeviceSecrets,
        password: &str,
        key_and_group: (&str, &str),
    ) -> bool {
        let (device_key, group_key) = key_and_group;
        let verifier = Verifier::from_device_config(
            secrets
                .verifier_config
                .password_verifier()
                .expect("a verifier"),
            secrets.verifier_config.salt().expect("a salt"),
        )
        .expect("a verifier Cognito accepts");
        let device = SrpClient::new(
            TrackedDevice::new("us-east-1_Pool1", group_key, device_key, password),
            "client123",
            None,
        );
        let DeviceAuthenticationParameters { a, .. } = device.get_auth_parameters();
        let handshake = ServerHandshake::start(&verifier, &a).expect("a valid SRP_A");
        let proof = device
            .verify(SECRET_BLOCK, &handshake.salt_hex(), &handshake.srp_b_hex())
            .expect("a proof");
        handshake.verify(
            "-group123",
            "us-east-1_device",
            SECRET_BLOCK_BYTES,
            &proof.timestamp,
            &proof.password_claim_signature,
        )
    }

    #[test]
    fn the_verifier_lets_only_this_device_with_its_password_sign_in() {
        let secrets = new_device_secrets("-group123", "us-east-1_device");
        assert!(!secrets.password.is_empty());
        let this_device = ("us-east-1_device", "-group123");

        assert!(device_sign_in_passes(
            &secrets,
            &secrets.password,
            this_device
        ));
        assert!(!device_sign_in_passes(
            &secrets,
            "another password",
            this_device
        ));
        // The same password for the key and group key swapped does not pass.
        assert!(!device_sign_in_passes(
            &secrets,
            &secrets.password,
            ("-group123", "us-east-1_device")
        ));
    }

    #[test]
    fn every_device_gets_a_new_password_and_salt() {
        let first = new_device_secrets("-group123", "us-east-1_device");
        let second = new_device_secrets("-group123", "us-east-1_device");
        assert_ne!(first.password, second.password);
        assert_ne!(first.verifier_config.salt(), second.verifier_config.salt());
        assert_ne!(
            first.verifier_config.password_verifier(),
            second.verifier_config.password_verifier()
        );
    }

    #[tokio::test]
    async fn sends_token_device_and_verifier_and_returns_the_answer() {
        let secrets = new_device_secrets("-group123", "us-east-1_device");
        let sent = secrets.verifier_config.clone();
        let confirm = mock!(Client::confirm_device)
            .match_requests(move |req| {
                req.access_token() == Some("access")
                    && req.device_key() == Some("us-east-1_device")
                    && req.device_name() == Some("laptop")
                    && req.device_secret_verifier_config() == Some(&sent)
            })
            .then_output(|| {
                ConfirmDeviceOutput::builder()
                    .user_confirmation_necessary(true)
                    .build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&confirm]);

        let output = confirm_device(
            &client,
            "access",
            "us-east-1_device",
            secrets.verifier_config,
            Some("laptop"),
        )
        .await
        .expect("confirmed");

        assert!(output.user_confirmation_necessary());
        assert_eq!(confirm.num_calls(), 1);
    }
}
