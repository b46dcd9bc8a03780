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
    use aws_smithy_mocks::{mock, mock_client};
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use num_bigint::BigUint;
    use sha2::{Digest, Sha256};

    /// The 3072-bit prime of RFC 3526 section 4 (RFC 5054 appendix A), the
    /// SRP group Cognito uses; the generator is 2.
    const N_HEX: &str = concat!(
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
        "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
        "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
        "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
        "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
        "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
        "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
        "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
        "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
        "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
        "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
        "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    );

    fn decode(value: Option<&str>) -> Vec<u8> {
        STANDARD
            .decode(value.expect("present"))
            .expect("valid Base64")
    }

    #[test]
    fn verifier_and_salt_are_base64_and_match_the_password() {
        let secrets = new_device_secrets("-group123", "us-east-1_device");
        let salt = decode(secrets.verifier_config.salt());
        let verifier = decode(secrets.verifier_config.password_verifier());
        assert!(!salt.is_empty());
        assert!(!verifier.is_empty());
        assert!(!secrets.password.is_empty());

        // Compute the verifier independently, as Cognito will check it.
        let identity = Sha256::new()
            .chain_update("-group123")
            .chain_update("us-east-1_device")
            .chain_update(":")
            .chain_update(&secrets.password)
            .finalize();
        let x = Sha256::new()
            .chain_update(&salt)
            .chain_update(identity)
            .finalize();
        let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap();
        let expected = BigUint::from(2u32).modpow(&BigUint::from_bytes_be(&x), &n);
        assert_eq!(BigUint::from_bytes_be(&verifier), expected);

        // The same password for a different device gives a different verifier.
        let swapped = Sha256::new()
            .chain_update("us-east-1_device")
            .chain_update("-group123")
            .chain_update(":")
            .chain_update(&secrets.password)
            .finalize();
        let x_swapped = Sha256::new()
            .chain_update(&salt)
            .chain_update(swapped)
            .finalize();
        assert_ne!(
            BigUint::from(2u32).modpow(&BigUint::from_bytes_be(&x_swapped), &n),
            expected
        );
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
