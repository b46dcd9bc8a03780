//! Cognito's side of an SRP sign-in, written out for the tests from the
//! protocol (SRP-6a over the 3072-bit group of RFC 5054, SHA-256, and the
//! HKDF step Cognito adds), independently of the `aws-cognito-srp` crate, so
//! that the tests check the example's proofs the way Cognito would.
//!
//! One server holds one secret: a user's password (`group` = the pool's
//! name, `id` = `USER_ID_FOR_SRP`) or a remembered device's password
//! (`group` = device group key, `id` = device key).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use sha2::{Digest, Sha256};

/// The 3072-bit prime of RFC 3526 section 4 (RFC 5054 appendix A); g = 2.
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

pub struct SrpServer {
    n: BigUint,
    g: BigUint,
    group: String,
    id: String,
    salt: Vec<u8>,
    verifier: BigUint,
    b: BigUint,
}

/// Big-endian bytes of a number as SRP hashes them: with a leading zero
/// byte when the top bit is set, so the value never reads as negative.
fn padded(value: &BigUint) -> Vec<u8> {
    let bytes = value.to_bytes_be();
    if bytes[0] & 0x80 != 0 {
        [&[0u8][..], &bytes].concat()
    } else {
        bytes
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

impl SrpServer {
    /// The server's record for `password`, as set up at sign-up (for a user)
    /// or at ConfirmDevice (for a device): a salt and the verifier g^x.
    pub fn new(group: &str, id: &str, password: &str) -> Self {
        let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).expect("hex");
        let g = BigUint::from(2u32);
        let salt: Vec<u8> = (1..=16u8).map(|i| i.wrapping_mul(37) & 0x7f).collect();
        let identity = Sha256::new()
            .chain_update(group)
            .chain_update(id)
            .chain_update(":")
            .chain_update(password)
            .finalize();
        let x = Sha256::new()
            .chain_update(&salt)
            .chain_update(identity)
            .finalize();
        let verifier = g.modpow(&BigUint::from_bytes_be(&x), &n);
        // The server's secret: fixed here, random in Cognito.
        let b = BigUint::from_bytes_be(&[0x5a; 32]);
        Self {
            n,
            g,
            group: group.into(),
            id: id.into(),
            salt,
            verifier,
            b,
        }
    }

    /// `SALT` as Cognito sends it: hex.
    pub fn salt_hex(&self) -> String {
        self.salt.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    fn k(&self) -> BigUint {
        BigUint::from_bytes_be(
            &Sha256::new()
                .chain_update(padded(&self.n))
                .chain_update(padded(&self.g))
                .finalize(),
        )
    }

    fn srp_b(&self) -> BigUint {
        (self.k() * &self.verifier + self.g.modpow(&self.b, &self.n)) % &self.n
    }

    /// `SRP_B` as Cognito sends it: hex of k·v + g^b mod N.
    pub fn srp_b_hex(&self) -> String {
        self.srp_b().to_str_radix(16)
    }

    /// The `PASSWORD_CLAIM_SIGNATURE` that proves the password, for the
    /// client's `SRP_A` (hex) and the `TIMESTAMP` the client sent.
    pub fn signature(&self, srp_a_hex: &str, secret_block: &str, timestamp: &str) -> String {
        let Some(a) = BigUint::parse_bytes(srp_a_hex.as_bytes(), 16) else {
            return String::from("(SRP_A is not hex)");
        };
        if (&a % &self.n) == BigUint::from(0u32) {
            return String::from("(SRP_A is zero mod N)");
        }
        let b_pub = self.srp_b();
        let u = BigUint::from_bytes_be(
            &Sha256::new()
                .chain_update(padded(&a))
                .chain_update(padded(&b_pub))
                .finalize(),
        );
        // The shared secret, server side: (A · v^u)^b mod N.
        let s = (a * self.verifier.modpow(&u, &self.n)).modpow(&self.b, &self.n);
        // HKDF-SHA256 with salt u and info "Caldera Derived Key", 16 bytes.
        let prk = hmac(&padded(&u), &[&padded(&s)]);
        let key = hmac(&prk, &[b"Caldera Derived Key", &[1]]);
        let block = STANDARD.decode(secret_block).expect("Base64 secret block");
        let signature = hmac(
            &key[..16],
            &[
                self.group.as_bytes(),
                self.id.as_bytes(),
                &block,
                timestamp.as_bytes(),
            ],
        );
        STANDARD.encode(signature)
    }
}
