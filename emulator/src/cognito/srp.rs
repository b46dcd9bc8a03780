//! The server side of the Secure Remote Password exchange (SRP-6a) exactly as
//! Amazon Cognito runs it for `USER_SRP_AUTH` / `PASSWORD_VERIFIER` and for
//! `DEVICE_SRP_AUTH` / `DEVICE_PASSWORD_VERIFIER`.
//!
//! Cognito's parameters, as every Cognito client (Amplify, pycognito, the
//! `aws-cognito-srp` crate, the SDKs' helpers) computes them:
//!
//! * group: the 3072-bit prime of RFC 5054 (RFC 3526 group 15), generator 2;
//! * `H` is SHA-256; `PAD(n)` is the shortest big-endian encoding of `n`, with one
//!   `00` byte in front when its top bit is set (a Java `BigInteger` byte array);
//! * `k = H(PAD(N) | PAD(g))`, `u = H(PAD(A) | PAD(B))`;
//! * `x = H(PAD(salt) | H(prefix | user_id | ":" | password))`, where prefix is the
//!   pool name (the part of the pool id after `_`) for users and the device group
//!   key for devices, and user_id is `USER_ID_FOR_SRP` or the device key;
//! * `S = (A * v^u)^b mod N` on the server (`(B - k*g^x)^(a + u*x)` on the client);
//! * the key is HKDF-SHA256 with salt `PAD(u)`, input `PAD(S)`, info
//!   `"Caldera Derived Key"`, 16 bytes long;
//! * the proof is `base64(HMAC-SHA256(key, prefix | user_id | secret_block | timestamp))`.
//!
//! Salts: clients turn the `SALT` hex back into bytes in two ways (some keep
//! leading zero bytes, some parse it as a number and drop them). The salts made
//! here start with a byte in `0x01..=0x7f`, so every reading gives the same bytes
//! and `PAD(salt)` is the salt itself. A device's salt is whatever the device sent
//! in `ConfirmDevice`; it is handed back unchanged, as Cognito does.

use std::fmt;
use std::sync::{LazyLock, OnceLock};

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use num_bigint::{BigUint, RandBigInt};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The RFC 5054 3072-bit group prime.
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

/// HKDF info string Cognito uses for the session key.
const KEY_INFO: &[u8] = b"Caldera Derived Key";

/// Bits of the server's secret ephemeral `b` (RFC 5054 asks for at least 256).
const EPHEMERAL_BITS: u64 = 256;

/// Bytes in a salt made by [`PasswordDigest::new`] (Cognito's salts are 16 bytes too).
const SALT_LEN: usize = 16;

/// Longest `SRP_A` accepted, in hex digits (a valid A has at most 768).
const MAX_A_HEX_DIGITS: usize = 1024;

static N: LazyLock<BigUint> = LazyLock::new(|| {
    BigUint::parse_bytes(N_HEX.as_bytes(), 16).expect("the group prime is valid hex")
});

static G: LazyLock<BigUint> = LazyLock::new(|| BigUint::from(2u32));

/// Bits per window of the fixed-base table for `g^e`.
const COMB_BITS: usize = 6;

/// Exponent bits the table covers (`b` and `x` are 256-bit); larger ones use `modpow`.
const COMB_EXP_BITS: usize = 256;

/// Windows in the table.
const COMB_WINDOWS: usize = COMB_EXP_BITS.div_ceil(COMB_BITS);

/// Table entries per window (digits 1 ..= 2^COMB_BITS - 1).
const COMB_DIGITS: usize = (1 << COMB_BITS) - 1;

/// `g^(d * 2^(COMB_BITS * i)) mod N` at `[i * COMB_DIGITS + d - 1]`: about 1 MB,
/// built once (tens of milliseconds), it makes `g^e` some 40 multiplications
/// instead of a 256-step exponentiation. See [`warm_up`].
static G_TABLE: LazyLock<Vec<BigUint>> = LazyLock::new(|| {
    let mut table = Vec::with_capacity(COMB_WINDOWS * COMB_DIGITS);
    let mut base = G.clone();
    for _ in 0..COMB_WINDOWS {
        let mut power = base.clone();
        table.push(power.clone());
        for _ in 1..COMB_DIGITS {
            power = (&power * &base) % &*N;
            table.push(power.clone());
        }
        base = (&power * &base) % &*N;
    }
    table
});

static K: LazyLock<BigUint> = LazyLock::new(|| {
    let mut h = Sha256::new();
    h.update(padded(&N));
    h.update(padded(&G));
    BigUint::from_bytes_be(&h.finalize())
});

/// Standard base64 with padding: how stored digests and verifiers are written.
const STORED: GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Base64 as Cognito clients send it; padding may be present or missing.
const B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

type HmacSha256 = Hmac<Sha256>;

/// Why an SRP input was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SrpError {
    /// A value that must be a hexadecimal number is not (empty, bad digit, or too long).
    #[error("{0} is not a valid hexadecimal number")]
    InvalidHex(&'static str),
    /// A value that must be base64 is not.
    #[error("{0} is not valid base64")]
    InvalidBase64(&'static str),
    /// The client's public value is a multiple of N (the SRP safety check).
    #[error("SRP_A is zero modulo N")]
    IllegalA,
    /// A device's password verifier is empty or a multiple of N.
    #[error("PasswordVerifier is not a valid SRP verifier")]
    InvalidVerifier,
    /// A device's salt is empty.
    #[error("Salt must not be empty")]
    EmptySalt,
}

/// What the emulator stores instead of a password: a random salt and
/// `x = H(salt | H(prefix | user_id | ":" | password))`.
///
/// Building and checking one costs two SHA-256 hashes; turning it into a
/// [`Verifier`] costs one modular exponentiation, so callers that run SRP often
/// may keep the verifier next to the digest.
#[derive(Clone)]
pub struct PasswordDigest {
    salt: Vec<u8>,
    x: [u8; 32],
}

impl PasswordDigest {
    /// A digest with a fresh random salt.
    ///
    /// `prefix` is the pool name (the part of the pool id after `_`) and `user_id`
    /// the value the pool will send as `USER_ID_FOR_SRP` (the stored username):
    /// clients hash exactly those, so they must not change later.
    pub fn new(prefix: &str, user_id: &str, password: &str) -> Self {
        Self::with_salt(random_salt(), prefix, user_id, password)
    }

    /// A digest with a given salt (tests use it to reach edge cases).
    fn with_salt(salt: Vec<u8>, prefix: &str, user_id: &str, password: &str) -> Self {
        let x = compute_x(&salt, prefix, user_id, password);
        Self { salt, x }
    }

    /// Whether `password` is the one this digest was made from (constant time).
    pub fn matches(&self, prefix: &str, user_id: &str, password: &str) -> bool {
        let x = compute_x(&self.salt, prefix, user_id, password);
        bool::from(x.ct_eq(&self.x))
    }

    /// The SRP verifier `v = g^x mod N` to run a handshake against.
    pub fn verifier(&self) -> Verifier {
        Verifier {
            salt: self.salt.clone(),
            v: g_pow(&BigUint::from_bytes_be(&self.x)),
        }
    }
}

impl fmt::Debug for PasswordDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordDigest")
            .field("salt", &to_hex(&self.salt))
            .field("x", &"<redacted>")
            .finish()
    }
}

/// How a digest is stored (`--state-dir`): the salt and `x`, base64.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredDigest {
    salt: String,
    x: String,
}

impl serde::Serialize for PasswordDigest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StoredDigest {
            salt: STORED.encode(&self.salt),
            x: STORED.encode(self.x),
        }
        .serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for PasswordDigest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let stored = StoredDigest::deserialize(deserializer)?;
        let salt = STORED
            .decode(&stored.salt)
            .map_err(|_| D::Error::custom("salt is not base64"))?;
        let x = STORED
            .decode(&stored.x)
            .ok()
            .and_then(|x| <[u8; 32]>::try_from(x).ok())
            .ok_or_else(|| D::Error::custom("x is not 32 bytes of base64"))?;
        Ok(PasswordDigest { salt, x })
    }
}

/// A verifier the server checks proofs against: a user's (from
/// [`PasswordDigest::verifier`]) or a device's (from `ConfirmDevice`).
#[derive(Clone)]
pub struct Verifier {
    salt: Vec<u8>,
    v: BigUint,
}

impl Verifier {
    /// From `ConfirmDevice`'s `DeviceSecretVerifierConfig`: the base64
    /// `PasswordVerifier` (big-endian `v`) and base64 `Salt` (raw salt bytes).
    pub fn from_device_config(
        password_verifier_b64: &str,
        salt_b64: &str,
    ) -> Result<Self, SrpError> {
        let v_bytes = B64
            .decode(password_verifier_b64.trim())
            .map_err(|_| SrpError::InvalidBase64("PasswordVerifier"))?;
        let salt = B64
            .decode(salt_b64.trim())
            .map_err(|_| SrpError::InvalidBase64("Salt"))?;
        if salt.is_empty() {
            return Err(SrpError::EmptySalt);
        }
        let v = BigUint::from_bytes_be(&v_bytes) % &*N;
        if v == BigUint::ZERO {
            return Err(SrpError::InvalidVerifier);
        }
        Ok(Self { salt, v })
    }

    /// The salt as Cognito sends it in the `SALT` challenge parameter.
    pub fn salt_hex(&self) -> String {
        to_hex(&self.salt)
    }
}

/// How a device's verifier is stored: the salt and `v` (big-endian), base64.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredVerifier {
    salt: String,
    verifier: String,
}

impl serde::Serialize for Verifier {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StoredVerifier {
            salt: STORED.encode(&self.salt),
            verifier: STORED.encode(self.v.to_bytes_be()),
        }
        .serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Verifier {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let stored = StoredVerifier::deserialize(deserializer)?;
        Verifier::from_device_config(&stored.verifier, &stored.salt).map_err(D::Error::custom)
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("salt", &to_hex(&self.salt))
            .field("v_bits", &self.v.bits())
            .finish()
    }
}

/// One handshake in progress: created when the client sends `SRP_A`, finished
/// when it answers the challenge with its proof.
#[derive(Clone)]
pub struct ServerHandshake {
    a_pub: BigUint,
    b: BigUint,
    b_pub: BigUint,
    u: BigUint,
    v: BigUint,
    salt: Vec<u8>,
    key: OnceLock<[u8; 16]>,
}

impl ServerHandshake {
    /// Starts a handshake for `verifier` with the client's `SRP_A` (hex, any
    /// case, odd length allowed). Refuses bad hex and an `A` that is zero modulo N.
    /// Costs one modular exponentiation.
    pub fn start(verifier: &Verifier, srp_a_hex: &str) -> Result<Self, SrpError> {
        let a_pub = parse_hex("SRP_A", srp_a_hex, MAX_A_HEX_DIGITS)?;
        if &a_pub % &*N == BigUint::ZERO {
            return Err(SrpError::IllegalA);
        }
        let mut rng = rand::thread_rng();
        loop {
            let b = rng.gen_biguint(EPHEMERAL_BITS);
            if let Some(handshake) = Self::with_b(verifier, a_pub.clone(), b) {
                return Ok(handshake);
            }
        }
    }

    /// The handshake for a given secret `b`, or `None` when `b` is unusable
    /// (`B` or `u` zero); tests use it to reach edge cases.
    fn with_b(verifier: &Verifier, a_pub: BigUint, b: BigUint) -> Option<Self> {
        if b == BigUint::ZERO {
            return None;
        }
        let b_pub = (&*K * &verifier.v + g_pow(&b)) % &*N;
        if b_pub == BigUint::ZERO {
            return None;
        }
        let u = BigUint::from_bytes_be(
            &Sha256::new()
                .chain_update(padded(&a_pub))
                .chain_update(padded(&b_pub))
                .finalize(),
        );
        if u == BigUint::ZERO {
            return None;
        }
        Some(Self {
            a_pub,
            b,
            b_pub,
            u,
            v: verifier.v.clone(),
            salt: verifier.salt.clone(),
            key: OnceLock::new(),
        })
    }

    /// `SRP_B` for the challenge: lower-case hex, even length.
    pub fn srp_b_hex(&self) -> String {
        to_hex(&self.b_pub.to_bytes_be())
    }

    /// `SALT` for the challenge: the verifier's salt in lower-case hex.
    pub fn salt_hex(&self) -> String {
        to_hex(&self.salt)
    }

    /// Checks the client's proof.
    ///
    /// `prefix` is the pool name (user) or device group key (device); `user_id` is
    /// `USER_ID_FOR_SRP` or the device key; `secret_block` the raw bytes the server
    /// issued as `SECRET_BLOCK` (the client returns them base64-encoded);
    /// `timestamp` exactly as the client sent it (e.g. `Thu Nov 5 04:44:06 UTC 2026`);
    /// `claim_b64` the `PASSWORD_CLAIM_SIGNATURE`. The first call costs two modular
    /// exponentiations; the comparison is constant time.
    pub fn verify(
        &self,
        prefix: &str,
        user_id: &str,
        secret_block: &[u8],
        timestamp: &str,
        claim_b64: &str,
    ) -> bool {
        let Ok(claim) = B64.decode(claim_b64.trim()) else {
            return false;
        };
        let key = self.key.get_or_init(|| self.session_key());
        let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
        mac.update(prefix.as_bytes());
        mac.update(user_id.as_bytes());
        mac.update(secret_block);
        mac.update(timestamp.as_bytes());
        mac.verify_slice(&claim).is_ok()
    }

    /// `HKDF(salt = PAD(u), ikm = PAD(S), info = "Caldera Derived Key")`, 16 bytes.
    fn session_key(&self) -> [u8; 16] {
        let base = (&self.a_pub * self.v.modpow(&self.u, &N)) % &*N;
        let s = base.modpow(&self.b, &N);
        let mut key = [0u8; 16];
        Hkdf::<Sha256>::new(Some(&padded(&self.u)), &padded(&s))
            .expand(KEY_INFO, &mut key)
            .expect("16 bytes is a valid HKDF-SHA256 output length");
        key
    }
}

impl fmt::Debug for ServerHandshake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerHandshake")
            .field("salt", &to_hex(&self.salt))
            .field("b", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Builds the precomputed tables now rather than on the first sign-in; a server
/// may call it from a background thread at start-up.
pub fn warm_up() {
    LazyLock::force(&K);
    LazyLock::force(&G_TABLE);
}

/// `g^e mod N`, from the fixed-base table when `e` fits it.
fn g_pow(e: &BigUint) -> BigUint {
    if e.bits() > COMB_EXP_BITS as u64 {
        return G.modpow(e, &N);
    }
    let table = &*G_TABLE;
    let mut result: Option<BigUint> = None;
    for window in 0..COMB_WINDOWS {
        let digit = (0..COMB_BITS)
            .filter(|k| e.bit((window * COMB_BITS + k) as u64))
            .fold(0usize, |d, k| d | 1 << k);
        if digit != 0 {
            let entry = &table[window * COMB_DIGITS + digit - 1];
            result = Some(match result {
                None => entry.clone(),
                Some(r) => (r * entry) % &*N,
            });
        }
    }
    result.unwrap_or_else(|| BigUint::from(1u32))
}

/// `PAD(n)`: shortest big-endian bytes, with a `00` in front when the top bit is set.
fn padded(n: &BigUint) -> Vec<u8> {
    let bytes = n.to_bytes_be();
    if bytes[0] & 0x80 == 0 {
        return bytes;
    }
    let mut out = Vec::with_capacity(bytes.len() + 1);
    out.push(0);
    out.extend_from_slice(&bytes);
    out
}

/// `x = H(PAD(salt) | H(prefix | user_id | ":" | password))` as bytes.
fn compute_x(salt: &[u8], prefix: &str, user_id: &str, password: &str) -> [u8; 32] {
    let identity = Sha256::new()
        .chain_update(prefix.as_bytes())
        .chain_update(user_id.as_bytes())
        .chain_update(b":")
        .chain_update(password.as_bytes())
        .finalize();
    Sha256::new()
        .chain_update(padded(&BigUint::from_bytes_be(salt)))
        .chain_update(identity)
        .finalize()
        .into()
}

/// 16 random bytes whose first byte is in `0x01..=0x7f` (see the module docs).
fn random_salt() -> Vec<u8> {
    let mut salt = vec![0u8; SALT_LEN];
    rand::thread_rng().fill_bytes(&mut salt);
    salt[0] = 1 + salt[0] % 0x7f;
    salt
}

fn parse_hex(field: &'static str, text: &str, max_digits: usize) -> Result<BigUint, SrpError> {
    let text = text.trim();
    if text.is_empty() || text.len() > max_digits || !text.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(SrpError::InvalidHex(field));
    }
    BigUint::parse_bytes(text.as_bytes(), 16).ok_or(SrpError::InvalidHex(field))
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_cognito_srp::{SrpClient, TrackedDevice, UntrackedDevice, User};
    use base64::engine::general_purpose::STANDARD;
    use rand::Rng;
    use rand::distributions::Alphanumeric;

    const POOL_ID: &str = "us-east-1_Emu1TestP";
    const POOL_NAME: &str = "Emu1TestP";

    fn random_text(rng: &mut impl Rng, len: usize) -> String {
        rng.sample_iter(&Alphanumeric)
            .take(len)
            .map(char::from)
            .collect()
    }

    fn random_password(rng: &mut impl Rng) -> String {
        // Mix ASCII, symbols and non-ASCII so the UTF-8 bytes are hashed as clients do.
        let len = rng.gen_range(8..24);
        let mut p = random_text(rng, len);
        p.push_str(["!", "ü", "€", " ", "密码", "#x"][rng.gen_range(0..6)]);
        p
    }

    fn secret_block(rng: &mut impl Rng) -> Vec<u8> {
        let mut block = vec![0u8; rng.gen_range(1..200)];
        rng.fill_bytes(&mut block);
        block
    }

    /// One user sign-in: the crate is the client, `digest` the stored password.
    /// Returns whether the server accepted the client's proof.
    fn user_sign_in(
        digest: &PasswordDigest,
        username: &str,
        client_password: &str,
        rng: &mut impl Rng,
    ) -> bool {
        let client = SrpClient::new(
            User::new(POOL_ID, username, client_password),
            "client-id",
            None,
        );
        let start = client.get_auth_parameters();
        let handshake = ServerHandshake::start(&digest.verifier(), &start.a).unwrap();
        let block = secret_block(rng);
        let answer = client
            .verify(
                &STANDARD.encode(&block),
                username,
                &handshake.salt_hex(),
                &handshake.srp_b_hex(),
            )
            .unwrap();
        assert_eq!(
            STANDARD
                .decode(&answer.password_claim_secret_block)
                .unwrap(),
            block
        );
        handshake.verify(
            POOL_NAME,
            username,
            &block,
            &answer.timestamp,
            &answer.password_claim_signature,
        )
    }

    #[test]
    fn group_constants_are_cognitos() {
        assert_eq!(N.bits(), 3072);
        // k = H(PAD(N) | PAD(g)) with PAD adding a zero byte before N's top bit.
        let mut h = Sha256::new();
        h.update([0u8]);
        h.update(N.to_bytes_be());
        h.update([2u8]);
        assert_eq!(*K, BigUint::from_bytes_be(&h.finalize()));
    }

    #[test]
    fn fixed_base_table_agrees_with_modpow() {
        let mut rng = rand::thread_rng();
        let mut exponents: Vec<BigUint> = [0u32, 1, 2, 63, 64, 65]
            .into_iter()
            .map(BigUint::from)
            .collect();
        exponents.push((BigUint::from(1u32) << 256) - 1u32);
        exponents.push(BigUint::from(1u32) << 255);
        exponents.push(BigUint::from(1u32) << 256); // beyond the table
        exponents.push(rng.gen_biguint(1024));
        for _ in 0..20 {
            exponents.push(rng.gen_biguint(256));
            let bits = rng.gen_range(1..256);
            exponents.push(rng.gen_biguint(bits));
        }
        for e in &exponents {
            assert_eq!(g_pow(e), G.modpow(e, &N), "e = {e:x}");
        }
    }

    #[test]
    fn padding_and_hex_helpers() {
        assert_eq!(padded(&BigUint::from(0x7fu32)), vec![0x7f]);
        assert_eq!(padded(&BigUint::from(0x80u32)), vec![0, 0x80]);
        assert_eq!(padded(&BigUint::from(0x0100u32)), vec![1, 0]);
        assert_eq!(padded(&BigUint::ZERO), vec![0]);
        assert_eq!(to_hex(&[0x00, 0x0a, 0xff]), "000aff");
        assert_eq!(
            parse_hex("X", "00aBc", 10).unwrap(),
            BigUint::from(0xabcu32)
        );
        for bad in ["", "  ", "+ab", "1_0", "xyz", "0x10", "12345678901"] {
            assert_eq!(
                parse_hex("X", bad, 10),
                Err(SrpError::InvalidHex("X")),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn digest_matches_only_the_right_password() {
        let d = PasswordDigest::new(POOL_NAME, "alice", "Correct-Horse-1");
        assert!(d.matches(POOL_NAME, "alice", "Correct-Horse-1"));
        assert!(!d.matches(POOL_NAME, "alice", "Correct-Horse-2"));
        assert!(!d.matches(POOL_NAME, "alicf", "Correct-Horse-1"));
        assert!(!d.matches("OtherPool", "alice", "Correct-Horse-1"));
        // Salted: the same password twice gives different digests.
        let d2 = PasswordDigest::new(POOL_NAME, "alice", "Correct-Horse-1");
        assert_ne!(d.salt, d2.salt);
        assert_ne!(d.x, d2.x);
        assert!(!format!("{d:?}").contains(&to_hex(&d.x)));
    }

    #[test]
    fn salts_read_the_same_in_every_client() {
        for _ in 0..2000 {
            let salt = random_salt();
            assert_eq!(salt.len(), SALT_LEN);
            assert!((1..=0x7f).contains(&salt[0]), "{salt:?}");
            // PAD(salt) is the salt itself, whichever way a client parses the hex.
            assert_eq!(padded(&BigUint::from_bytes_be(&salt)), salt);
        }
    }

    #[test]
    fn user_sign_in_with_right_and_wrong_password() {
        let mut rng = rand::thread_rng();
        for i in 0..50 {
            let username = format!("user-{i}-{}", random_text(&mut rng, 6));
            let password = random_password(&mut rng);
            let digest = PasswordDigest::new(POOL_NAME, &username, &password);
            assert!(
                user_sign_in(&digest, &username, &password, &mut rng),
                "iteration {i}"
            );
            let wrong = format!("{password}x");
            assert!(
                !user_sign_in(&digest, &username, &wrong, &mut rng),
                "iteration {i}"
            );
        }
    }

    #[test]
    fn user_sign_in_with_salts_that_need_padding() {
        // A salt whose top bit is set is padded with a zero byte on both sides.
        let mut rng = rand::thread_rng();
        for i in 0..10 {
            let mut salt = vec![0u8; 16];
            rng.fill_bytes(&mut salt);
            salt[0] |= 0x80;
            let digest = PasswordDigest::with_salt(salt, POOL_NAME, "bob", "Pa55word!");
            assert!(
                user_sign_in(&digest, "bob", "Pa55word!", &mut rng),
                "iteration {i}"
            );
        }
    }

    #[test]
    fn proof_is_bound_to_every_input() {
        let mut rng = rand::thread_rng();
        let digest = PasswordDigest::new(POOL_NAME, "carol", "Secret-99");
        let client = SrpClient::new(User::new(POOL_ID, "carol", "Secret-99"), "client-id", None);
        let handshake =
            ServerHandshake::start(&digest.verifier(), &client.get_auth_parameters().a).unwrap();
        let block = secret_block(&mut rng);
        let answer = client
            .verify(
                &STANDARD.encode(&block),
                "carol",
                &handshake.salt_hex(),
                &handshake.srp_b_hex(),
            )
            .unwrap();
        let (ts, sig) = (
            answer.timestamp.as_str(),
            answer.password_claim_signature.as_str(),
        );
        assert!(handshake.verify(POOL_NAME, "carol", &block, ts, sig));
        assert!(!handshake.verify("OtherPool", "carol", &block, ts, sig));
        assert!(!handshake.verify(POOL_NAME, "carol2", &block, ts, sig));
        assert!(!handshake.verify(POOL_NAME, "carol", &block[1..], ts, sig));
        assert!(!handshake.verify(
            POOL_NAME,
            "carol",
            &block,
            "Thu Jan 1 00:00:00 UTC 1970",
            sig
        ));
        assert!(!handshake.verify(POOL_NAME, "carol", &block, ts, "not base64!"));
        assert!(!handshake.verify(POOL_NAME, "carol", &block, ts, ""));
        // A second handshake (new b) does not accept the first one's proof.
        let other =
            ServerHandshake::start(&digest.verifier(), &client.get_auth_parameters().a).unwrap();
        assert_ne!(other.srp_b_hex(), handshake.srp_b_hex());
        assert!(!other.verify(POOL_NAME, "carol", &block, ts, sig));
        // Verifying twice gives the same answer (the key is cached).
        assert!(handshake.verify(POOL_NAME, "carol", &block, ts, sig));
    }

    #[test]
    fn b_with_leading_zero_byte_and_odd_length_a() {
        let mut rng = rand::thread_rng();
        let digest = PasswordDigest::new(POOL_NAME, "dave", "Pw-dave-1");
        let verifier = digest.verifier();
        let client = SrpClient::new(User::new(POOL_ID, "dave", "Pw-dave-1"), "client-id", None);
        let a_hex = client.get_auth_parameters().a;
        let a_pub = parse_hex("SRP_A", &a_hex, MAX_A_HEX_DIGITS).unwrap();
        // Find a b whose B is shorter than N by at least a byte (about 1 in 256).
        let handshake = loop {
            let b = rng.gen_biguint(EPHEMERAL_BITS);
            let Some(h) = ServerHandshake::with_b(&verifier, a_pub.clone(), b) else {
                continue;
            };
            if h.b_pub.bits() <= 3064 {
                break h;
            }
        };
        assert!(handshake.srp_b_hex().len() < 768);
        let block = secret_block(&mut rng);
        let answer = client
            .verify(
                &STANDARD.encode(&block),
                "dave",
                &handshake.salt_hex(),
                &handshake.srp_b_hex(),
            )
            .unwrap();
        assert!(handshake.verify(
            POOL_NAME,
            "dave",
            &block,
            &answer.timestamp,
            &answer.password_claim_signature
        ));

        // The same A sent with leading zero digits, odd length or upper case is the same number.
        for variant in [
            format!("000{a_hex}"),
            a_hex.trim_start_matches('0').to_string(),
            a_hex.to_uppercase(),
        ] {
            let again = ServerHandshake::with_b(
                &verifier,
                parse_hex("SRP_A", &variant, MAX_A_HEX_DIGITS).unwrap(),
                handshake.b.clone(),
            )
            .unwrap();
            assert_eq!(again.srp_b_hex(), handshake.srp_b_hex());
            assert!(again.verify(
                POOL_NAME,
                "dave",
                &block,
                &answer.timestamp,
                &answer.password_claim_signature
            ));
        }
    }

    #[test]
    fn a_with_leading_zero_byte() {
        // Clients whose A is shorter than N by a byte (about 1 in 256) must still work.
        let mut rng = rand::thread_rng();
        let digest = PasswordDigest::new(POOL_NAME, "erin", "Pw-erin-1");
        let client = loop {
            let c = SrpClient::new(User::new(POOL_ID, "erin", "Pw-erin-1"), "client-id", None);
            if c.get_auth_parameters().a.len() < 768 {
                break c;
            }
        };
        let a_hex = client.get_auth_parameters().a;
        let handshake = ServerHandshake::start(&digest.verifier(), &a_hex).unwrap();
        let block = secret_block(&mut rng);
        let answer = client
            .verify(
                &STANDARD.encode(&block),
                "erin",
                &handshake.salt_hex(),
                &handshake.srp_b_hex(),
            )
            .unwrap();
        assert!(handshake.verify(
            POOL_NAME,
            "erin",
            &block,
            &answer.timestamp,
            &answer.password_claim_signature
        ));
    }

    #[test]
    fn start_refuses_bad_a() {
        let verifier = PasswordDigest::new(POOL_NAME, "frank", "pw").verifier();
        assert_eq!(
            ServerHandshake::start(&verifier, "").unwrap_err(),
            SrpError::InvalidHex("SRP_A")
        );
        assert_eq!(
            ServerHandshake::start(&verifier, "zz").unwrap_err(),
            SrpError::InvalidHex("SRP_A")
        );
        assert_eq!(
            ServerHandshake::start(&verifier, &"1".repeat(2000)).unwrap_err(),
            SrpError::InvalidHex("SRP_A")
        );
        assert_eq!(
            ServerHandshake::start(&verifier, "0").unwrap_err(),
            SrpError::IllegalA
        );
        assert_eq!(
            ServerHandshake::start(&verifier, "000").unwrap_err(),
            SrpError::IllegalA
        );
        assert_eq!(
            ServerHandshake::start(&verifier, N_HEX).unwrap_err(),
            SrpError::IllegalA
        );
        let two_n = to_hex(&(&*N * 2u32).to_bytes_be());
        assert_eq!(
            ServerHandshake::start(&verifier, &two_n).unwrap_err(),
            SrpError::IllegalA
        );
        assert!(ServerHandshake::start(&verifier, "1").is_ok());
    }

    #[test]
    fn device_config_is_validated() {
        assert_eq!(
            Verifier::from_device_config("@@@", "AAEC").unwrap_err(),
            SrpError::InvalidBase64("PasswordVerifier")
        );
        assert_eq!(
            Verifier::from_device_config("AAEC", "@@").unwrap_err(),
            SrpError::InvalidBase64("Salt")
        );
        assert_eq!(
            Verifier::from_device_config("AAEC", "").unwrap_err(),
            SrpError::EmptySalt
        );
        assert_eq!(
            Verifier::from_device_config("AAAA", "AAEC").unwrap_err(),
            SrpError::InvalidVerifier
        );
        let n_b64 = STANDARD.encode(N.to_bytes_be());
        assert_eq!(
            Verifier::from_device_config(&n_b64, "AAEC").unwrap_err(),
            SrpError::InvalidVerifier
        );
        // Padding may be left out; the salt is handed back byte for byte.
        let v = Verifier::from_device_config("AAEC", "AAEC").unwrap();
        assert_eq!(v.salt_hex(), "000102");
        let v = Verifier::from_device_config("AAECAw", "gAECAw").unwrap();
        assert_eq!(v.salt_hex(), "80010203");
    }

    /// ConfirmDevice with a verifier made by the crate, then device SRP.
    fn device_sign_in(rng: &mut impl Rng) {
        let group_key = format!("-{}", random_text(rng, 9));
        let device_key = format!("us-east-1_{}", crate::new_uuid());
        let untracked = SrpClient::new(
            UntrackedDevice::new(POOL_ID, &group_key, &device_key),
            "client-id",
            None,
        );
        let config = untracked.get_password_verifier();
        let verifier = Verifier::from_device_config(&config.verifier, &config.salt).unwrap();
        assert_eq!(
            STANDARD.encode(hex_bytes(&verifier.salt_hex())),
            config.salt
        );

        let tracked = untracked.take_credentials().into_tracked(&config.password);
        let client = SrpClient::new(tracked, "client-id", None);
        let start = client.get_auth_parameters();
        assert_eq!(start.device_key, device_key);
        let handshake = ServerHandshake::start(&verifier, &start.a).unwrap();
        let block = secret_block(rng);
        let answer = client
            .verify(
                &STANDARD.encode(&block),
                &handshake.salt_hex(),
                &handshake.srp_b_hex(),
            )
            .unwrap();
        let (ts, sig) = (
            answer.timestamp.as_str(),
            answer.password_claim_signature.as_str(),
        );
        assert!(handshake.verify(&group_key, &device_key, &block, ts, sig));
        // The pool name is not part of a device proof, and the keys are.
        assert!(!handshake.verify(POOL_NAME, &device_key, &block, ts, sig));
        assert!(!handshake.verify(&group_key, "us-east-1_other", &block, ts, sig));

        // A device that lost its password cannot sign in.
        let impostor = SrpClient::new(
            TrackedDevice::new(POOL_ID, &group_key, &device_key, "guessed"),
            "client-id",
            None,
        );
        let handshake =
            ServerHandshake::start(&verifier, &impostor.get_auth_parameters().a).unwrap();
        let answer = impostor
            .verify(
                &STANDARD.encode(&block),
                &handshake.salt_hex(),
                &handshake.srp_b_hex(),
            )
            .unwrap();
        assert!(!handshake.verify(
            &group_key,
            &device_key,
            &block,
            &answer.timestamp,
            &answer.password_claim_signature
        ));
    }

    fn hex_bytes(hex: &str) -> Vec<u8> {
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn device_sign_in_with_crate_made_verifier() {
        let mut rng = rand::thread_rng();
        for _ in 0..30 {
            device_sign_in(&mut rng);
        }
    }

    /// Rough cost of the server side, for capacity planning:
    /// `cargo test --release -p emulator --lib cognito::srp -- --ignored --nocapture`
    #[test]
    #[ignore = "timing report, run by hand"]
    fn timing() {
        use std::time::Instant;
        let t = Instant::now();
        warm_up();
        let warm = t.elapsed();
        let digest = PasswordDigest::new(POOL_NAME, "timer", "Pw-timer-1");
        let verifier = digest.verifier();
        let client = SrpClient::new(User::new(POOL_ID, "timer", "Pw-timer-1"), "client-id", None);
        let a_hex = client.get_auth_parameters().a;
        let block = [7u8; 64];
        let rounds = 50u32;
        let t = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(PasswordDigest::new(POOL_NAME, "timer", "Pw-timer-1"));
        }
        let digest_new = t.elapsed() / rounds;
        let t = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(digest.verifier());
        }
        let verifier_time = t.elapsed() / rounds;
        let mut start_total = std::time::Duration::ZERO;
        let mut verify_total = std::time::Duration::ZERO;
        for _ in 0..rounds {
            let t = Instant::now();
            let h = ServerHandshake::start(&verifier, &a_hex).unwrap();
            start_total += t.elapsed();
            let answer = client
                .verify(
                    &STANDARD.encode(block),
                    "timer",
                    &h.salt_hex(),
                    &h.srp_b_hex(),
                )
                .unwrap();
            let t = Instant::now();
            assert!(h.verify(
                POOL_NAME,
                "timer",
                &block,
                &answer.timestamp,
                &answer.password_claim_signature
            ));
            verify_total += t.elapsed();
        }
        println!(
            "srp timing: warm_up {warm:?}, PasswordDigest::new {digest_new:?}, verifier() {verifier_time:?}, start {:?}, verify {:?}",
            start_total / rounds,
            verify_total / rounds
        );
    }
}
