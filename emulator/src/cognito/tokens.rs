//! RS256 JSON Web Tokens shaped like Cognito's, and the JWKS that verifies them.
//!
//! Every [`TokenSigner`] owns one RSA-2048 key. Making the key takes tens to
//! hundreds of milliseconds, so [`TokenSigner::new`] starts it on a background
//! thread and returns at once; the first call that needs the key waits for it.
//!
//! Tokens are signed with the parsed key held in memory (aws-lc-rs), which is
//! several times faster than `jsonwebtoken::encode`: that one parses the private
//! key from DER again for every signature. Verification uses `jsonwebtoken`
//! with the public key, exactly as any relying party would, except for the
//! access tokens this signer issued lately: it remembers a SHA-256 digest of
//! each, and one that comes back unchanged needs its claims read, not its
//! RSA signature checked again (GetUser right after a sign-in).
//!
//! [`TokenSigner::rotate`] (the test-only `/_emulator/signing-keys/rotate`)
//! adds a key with a new `kid`: new tokens are signed with it, and the JWKS
//! lists it beside the older keys, so tokens signed before stay valid, as a
//! relying party sees during a real key rotation.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{self, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Signs Cognito-style access and ID tokens with one RSA-2048 key, and verifies
/// access tokens. Cheap to clone (an `Arc` inside).
#[derive(Clone)]
pub struct TokenSigner {
    inner: Arc<Inner>,
}

struct Inner {
    /// The first key, made in the background by [`TokenSigner::new`].
    key: OnceLock<SigningKey>,
    /// Keys added by [`TokenSigner::rotate`], newest last; the newest signs.
    rotated: RwLock<Vec<SigningKey>>,
    issued: Mutex<IssuedDigests>,
}

/// How many of the latest access tokens a signer remembers as its own. A
/// token issued before them is checked by its signature, as any other.
const REMEMBERED_TOKENS: usize = 4096;

/// SHA-256 digests of the latest access tokens issued, oldest first out.
#[derive(Default)]
struct IssuedDigests {
    set: HashSet<[u8; 32]>,
    order: VecDeque<[u8; 32]>,
}

/// What [`IssuedDigests`] keeps of a token (computed before taking its lock).
fn token_digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl IssuedDigests {
    fn remember(&mut self, digest: [u8; 32]) {
        if self.set.insert(digest) {
            self.order.push_back(digest);
        }
        while self.order.len() > REMEMBERED_TOKENS {
            if let Some(oldest) = self.order.pop_front() {
                self.set.remove(&oldest);
            }
        }
    }

    fn contains(&self, digest: &[u8; 32]) -> bool {
        self.set.contains(digest)
    }
}

struct SigningKey {
    pair: KeyPair,
    kid: String,
    /// `base64url({"kid":...,"alg":"RS256"})`, the same for every token.
    header_b64: String,
    n_b64: String,
    e_b64: String,
    decoding: DecodingKey,
    /// The thread that made the key (tests check it is not the caller's).
    #[cfg(test)]
    made_on: Option<String>,
}

impl SigningKey {
    fn generate() -> Self {
        let pair =
            KeyPair::generate(KeySize::Rsa2048).expect("the system can generate an RSA-2048 key");
        Self::from_pair(pair)
    }

    /// The key of a key pair (made here, or read back from a state folder).
    fn from_pair(pair: KeyPair) -> Self {
        let public = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
        let public_der = pair
            .public_key()
            .as_der()
            .expect("an RSA public key has a DER form");
        let kid = STANDARD.encode(Sha256::digest(public_der.as_ref()));
        let header = serde_json::json!({ "kid": kid, "alg": "RS256" });
        Self {
            header_b64: URL_SAFE_NO_PAD.encode(header.to_string()),
            n_b64: URL_SAFE_NO_PAD.encode(&public.n),
            e_b64: URL_SAFE_NO_PAD.encode(&public.e),
            decoding: DecodingKey::from_rsa_raw_components(&public.n, &public.e),
            kid,
            pair,
            #[cfg(test)]
            made_on: std::thread::current().name().map(str::to_owned),
        }
    }

    /// `header.payload.signature` for the claims.
    fn sign<T: Serialize>(&self, claims: &T) -> String {
        let payload = serde_json::to_vec(claims).expect("token claims serialize to JSON");
        let mut token = String::with_capacity(self.header_b64.len() + payload.len() * 4 / 3 + 350);
        token.push_str(&self.header_b64);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                token.as_bytes(),
                &mut sig,
            )
            .expect("RSA PKCS#1 v1.5 signing with a valid key succeeds");
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&sig, &mut token);
        token
    }

    /// The claims of an access token whose RS256 signature this key made;
    /// the issuer, `token_use` and expiry are the caller's to check.
    fn verified_claims(&self, token: &str) -> Result<IncomingAccessClaims, TokenError> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = 0;
        // Expiry is checked by the caller against its clock, not the system time.
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        jsonwebtoken::decode::<IncomingAccessClaims>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|_| TokenError::Invalid)
    }
}

impl TokenSigner {
    /// A signer with a fresh key, generated on a background thread so that this
    /// returns at once; the first call needing the key waits for it.
    pub fn new() -> Self {
        let inner = Arc::new(Inner {
            key: OnceLock::new(),
            rotated: RwLock::default(),
            issued: Mutex::default(),
        });
        let background = Arc::clone(&inner);
        // If no thread can be started the key is simply made on first use.
        let _ = std::thread::Builder::new()
            .name("jwt-keygen".into())
            .spawn(move || {
                background.key();
            });
        Self { inner }
    }

    /// Every key this signer has had, oldest first, each as its PKCS#8 DER
    /// form in base64: what [`TokenSigner::from_keys`] takes back (the
    /// `cognito.keys` record of a state folder).
    pub(crate) fn export_keys(&self) -> Vec<String> {
        let der = |key: &SigningKey| {
            key.pair
                .as_der()
                .map(|der| STANDARD.encode(der.as_ref()))
                .unwrap_or_default()
        };
        let mut keys = vec![der(self.inner.key())];
        keys.extend(self.inner.rotated().iter().map(der));
        keys
    }

    /// A signer with the keys [`TokenSigner::export_keys`] gave (the newest
    /// signs), so tokens signed before still verify and the JWKS is the same.
    pub(crate) fn from_keys(keys: &[String]) -> Result<Self, String> {
        let mut parsed = keys.iter().map(|key| {
            let der = STANDARD
                .decode(key)
                .map_err(|_| "a signing key is not base64".to_owned())?;
            KeyPair::from_pkcs8(&der)
                .map(SigningKey::from_pair)
                .map_err(|err| format!("a signing key is not an RSA key: {err}"))
        });
        let first = parsed.next().ok_or("no signing key")??;
        let rotated = parsed.collect::<Result<Vec<_>, String>>()?;
        let key = OnceLock::new();
        let _ = key.set(first);
        Ok(Self {
            inner: Arc::new(Inner {
                key,
                rotated: RwLock::new(rotated),
                issued: Mutex::default(),
            }),
        })
    }

    /// The key id put in the header of every token signed now (the newest key's).
    pub fn kid(&self) -> String {
        self.inner.with_current(|key| key.kid.clone())
    }

    /// The JSON Web Key Set for `/{userPoolId}/.well-known/jwks.json`: every
    /// key this signer has had, oldest first.
    pub fn jwks(&self) -> serde_json::Value {
        let jwk = |key: &SigningKey| {
            serde_json::json!({
                "alg": "RS256",
                "e": key.e_b64,
                "kid": key.kid,
                "kty": "RSA",
                "n": key.n_b64,
                "use": "sig",
            })
        };
        let mut keys = vec![jwk(self.inner.key())];
        keys.extend(self.inner.rotated().iter().map(jwk));
        serde_json::json!({ "keys": keys })
    }

    /// Adds a fresh RSA-2048 key with a new `kid` and signs every later token
    /// with it; the older keys stay in the JWKS and still verify the tokens
    /// they signed. Returns the new `kid`.
    pub fn rotate(&self) -> String {
        let key = SigningKey::generate();
        let kid = key.kid.clone();
        self.inner
            .rotated
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .push(key);
        kid
    }

    /// Issues an access token and an ID token for one authentication event
    /// (both share `event_id`, `origin_jti` and `auth_time`; each has its own `jti`).
    /// The refresh token is not a JWT here: the server makes and stores it.
    pub fn issue(&self, params: &TokenParams<'_>) -> IssuedTokens {
        self.issue_at(params, unix_now())
    }

    /// [`TokenSigner::issue`] at `now` (Unix seconds) rather than the system
    /// time: `iat` is `now` and each `exp` is counted from it.
    pub fn issue_at(&self, params: &TokenParams<'_>, now: i64) -> IssuedTokens {
        self.inner
            .with_current(|key| self.issue_with(key, params, now))
    }

    fn issue_with(&self, key: &SigningKey, params: &TokenParams<'_>, now: i64) -> IssuedTokens {
        let event_id = crate::new_uuid().to_string();
        let access = AccessTokenClaims {
            sub: params.sub,
            device_key: params.device_key,
            iss: params.issuer,
            client_id: params.client_id,
            origin_jti: params.origin_jti,
            event_id: &event_id,
            token_use: "access",
            scope: params.scope,
            auth_time: params.auth_time,
            exp: now + params.access_validity_secs,
            iat: now,
            jti: crate::new_uuid().to_string(),
            username: params.username,
            groups: params.groups,
        };
        let id = IdTokenClaims {
            sub: params.sub,
            email_verified: params.email_verified,
            iss: params.issuer,
            cognito_username: params.username,
            origin_jti: params.origin_jti,
            aud: params.client_id,
            event_id: &event_id,
            token_use: "id",
            auth_time: params.auth_time,
            exp: now + params.id_validity_secs,
            iat: now,
            jti: crate::new_uuid().to_string(),
            email: params.email,
            groups: params.groups,
            roles: params.roles,
            preferred_role: params.preferred_role,
            custom: CustomClaims(params.custom_attributes),
        };
        let (access_token, id_token) = match params.changes {
            None => (key.sign(&access), key.sign(&id)),
            Some(changes) => (
                key.sign(&changes.access.applied_to(&access)),
                key.sign(&changes.id.applied_to(&id)),
            ),
        };
        let digest = token_digest(&access_token);
        self.inner.issued().remember(digest);
        IssuedTokens {
            access_token,
            id_token,
            expires_in: params.access_validity_secs,
        }
    }

    /// Signs `claims` as they are (the access tokens of client_credentials,
    /// which have no user), remembering the token as issued here.
    pub fn sign_claims(&self, claims: &serde_json::Value) -> String {
        let token = self.inner.key().sign(claims);
        let digest = token_digest(&token);
        self.inner.issued().remember(digest);
        token
    }

    /// Checks an access token this signer issued: signature and key id,
    /// `token_use` = `access`, `iss` = `issuer`, and `exp` not yet passed.
    ///
    /// The error's text is Cognito's `NotAuthorizedException` message.
    /// Revocation (sign-out, revoked refresh tokens) is the caller's business:
    /// it gets `jti` and `origin_jti` to check.
    pub fn verify_access_token(
        &self,
        token: &str,
        issuer: &str,
    ) -> Result<AccessClaims, TokenError> {
        self.verify_access_token_at(token, issuer, unix_now())
    }

    /// [`TokenSigner::verify_access_token`] with expiry judged at `now` (Unix
    /// seconds) rather than the system time: the token is expired once `now`
    /// is past its `exp`.
    pub fn verify_access_token_at(
        &self,
        token: &str,
        issuer: &str,
        now: i64,
    ) -> Result<AccessClaims, TokenError> {
        let digest = token_digest(token);
        let c = if self.inner.issued().contains(&digest) {
            // This exact text was signed here: only its claims are needed.
            let payload = token.split('.').nth(1).ok_or(TokenError::Invalid)?;
            let json = URL_SAFE_NO_PAD
                .decode(payload)
                .map_err(|_| TokenError::Invalid)?;
            serde_json::from_slice::<IncomingAccessClaims>(&json)
                .map_err(|_| TokenError::Invalid)?
        } else {
            let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
            let kid = header.kid.ok_or(TokenError::Invalid)?;
            self.inner
                .with_kid(&kid, |key| key.verified_claims(token))
                .ok_or(TokenError::Invalid)??
        };
        if c.token_use != "access" || c.iss != issuer {
            return Err(TokenError::Invalid);
        }
        if c.exp < now {
            return Err(TokenError::Expired);
        }
        Ok(AccessClaims {
            sub: c.sub,
            username: c.username,
            client_id: c.client_id,
            jti: c.jti,
            origin_jti: c.origin_jti,
            iat: c.iat,
            exp: c.exp,
            device_key: c.device_key,
            scope: c.scope,
        })
    }
}

impl Default for TokenSigner {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSigner")
            .field("kid", &self.inner.key.get().map(|k| k.kid.as_str()))
            .finish_non_exhaustive()
    }
}

impl Inner {
    fn key(&self) -> &SigningKey {
        self.key.get_or_init(SigningKey::generate)
    }

    fn rotated(&self) -> std::sync::RwLockReadGuard<'_, Vec<SigningKey>> {
        self.rotated.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` with the key that signs now: the newest.
    fn with_current<R>(&self, f: impl FnOnce(&SigningKey) -> R) -> R {
        match self.rotated().last() {
            Some(newest) => f(newest),
            None => f(self.key()),
        }
    }

    /// Runs `f` with the key whose id is `kid`, `None` when there is none.
    fn with_kid<R>(&self, kid: &str, f: impl FnOnce(&SigningKey) -> R) -> Option<R> {
        let first = self.key();
        if first.kid == kid {
            return Some(f(first));
        }
        self.rotated().iter().find(|key| key.kid == kid).map(f)
    }

    fn issued(&self) -> std::sync::MutexGuard<'_, IssuedDigests> {
        self.issued.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What goes into one pair of tokens.
#[derive(Debug, Clone)]
pub struct TokenParams<'a> {
    /// `https://cognito-idp.{region}.amazonaws.com/{userPoolId}` (or the emulator's equivalent).
    pub issuer: &'a str,
    /// The app client; `client_id` in the access token, `aud` in the ID token.
    pub client_id: &'a str,
    /// The user's `sub` attribute.
    pub sub: &'a str,
    /// The user name (`username`, `cognito:username`).
    pub username: &'a str,
    /// `email` claim of the ID token, when the user has one.
    pub email: Option<&'a str>,
    /// `email_verified` claim of the ID token, when known.
    pub email_verified: Option<bool>,
    /// The user's `custom:` attributes, each a claim of the ID token.
    pub custom_attributes: &'a [(String, String)],
    /// `device_key` claim of the access token, when the device is tracked.
    pub device_key: Option<&'a str>,
    /// When the user authenticated (Unix seconds); kept across refreshes.
    pub auth_time: i64,
    /// Identifies the sign-in session (and its refresh token); kept across refreshes.
    pub origin_jti: &'a str,
    /// Access token lifetime in seconds (also `ExpiresIn`).
    pub access_validity_secs: i64,
    /// ID token lifetime in seconds.
    pub id_validity_secs: i64,
    /// Space-separated scopes, normally `aws.cognito.signin.user.admin`.
    pub scope: &'a str,
    /// `cognito:groups` of both tokens (left out when empty).
    pub groups: &'a [String],
    /// `cognito:roles` of the ID token (left out when empty).
    pub roles: &'a [String],
    /// `cognito:preferred_role` of the ID token.
    pub preferred_role: Option<&'a str>,
    /// Claims a pre token generation trigger adds, overrides or suppresses
    /// (already checked against the claims it may not touch).
    pub changes: Option<&'a TokenChanges>,
}

/// Claims added, overridden or suppressed in one token.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimChanges {
    /// Claims set to these values (added, or replacing Cognito's).
    pub add_or_override: serde_json::Map<String, serde_json::Value>,
    /// Claims left out; a claim both set and suppressed is suppressed.
    pub suppress: Vec<String>,
}

impl ClaimChanges {
    /// The claims of `claims` (a token's claims struct) with these changes.
    fn applied_to<T: Serialize>(&self, claims: &T) -> serde_json::Value {
        let mut claims = serde_json::to_value(claims).expect("token claims serialize to JSON");
        if let Some(map) = claims.as_object_mut() {
            for (name, value) in &self.add_or_override {
                map.insert(name.clone(), value.clone());
            }
            for name in &self.suppress {
                map.remove(name);
            }
        }
        claims
    }
}

/// Changes to both tokens of one issue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TokenChanges {
    pub id: ClaimChanges,
    pub access: ClaimChanges,
}

/// A freshly signed pair of tokens.
#[derive(Clone)]
pub struct IssuedTokens {
    /// The access token (JWT).
    pub access_token: String,
    /// The ID token (JWT).
    pub id_token: String,
    /// Seconds the access token is valid for.
    pub expires_in: i64,
}

impl fmt::Debug for IssuedTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedTokens")
            .field("access_token", &"<redacted>")
            .field("id_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// The claims of a verified access token that the server needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    /// The user's `sub`.
    pub sub: String,
    /// The user name.
    pub username: String,
    /// The app client the token was issued to.
    pub client_id: String,
    /// This token's id.
    pub jti: String,
    /// The sign-in session the token belongs to.
    pub origin_jti: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expires at (Unix seconds).
    pub exp: i64,
    /// The tracked device, if any.
    pub device_key: Option<String>,
    /// The space-separated scopes (`scope`).
    pub scope: String,
}

/// Why a token was refused; the text is Cognito's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Malformed, badly signed, wrong issuer, or not an access token.
    #[error("Invalid Access Token")]
    Invalid,
    /// Past its `exp`.
    #[error("Access Token has expired")]
    Expired,
}

#[derive(Serialize)]
struct AccessTokenClaims<'a> {
    sub: &'a str,
    #[serde(
        rename = "cognito:groups",
        skip_serializing_if = "<[String]>::is_empty"
    )]
    groups: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    device_key: Option<&'a str>,
    iss: &'a str,
    client_id: &'a str,
    origin_jti: &'a str,
    event_id: &'a str,
    token_use: &'static str,
    scope: &'a str,
    auth_time: i64,
    exp: i64,
    iat: i64,
    jti: String,
    username: &'a str,
}

#[derive(Serialize)]
struct IdTokenClaims<'a> {
    sub: &'a str,
    #[serde(
        rename = "cognito:groups",
        skip_serializing_if = "<[String]>::is_empty"
    )]
    groups: &'a [String],
    #[serde(rename = "cognito:roles", skip_serializing_if = "<[String]>::is_empty")]
    roles: &'a [String],
    #[serde(
        rename = "cognito:preferred_role",
        skip_serializing_if = "Option::is_none"
    )]
    preferred_role: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_verified: Option<bool>,
    iss: &'a str,
    #[serde(rename = "cognito:username")]
    cognito_username: &'a str,
    origin_jti: &'a str,
    aud: &'a str,
    event_id: &'a str,
    token_use: &'static str,
    auth_time: i64,
    exp: i64,
    iat: i64,
    jti: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(flatten)]
    custom: CustomClaims<'a>,
}

/// `custom:` attributes as claims of their own (`"custom:team": "blue"`).
struct CustomClaims<'a>(&'a [(String, String)]);

impl Serialize for CustomClaims<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, value)| (name, value)))
    }
}

#[derive(Deserialize)]
struct IncomingAccessClaims {
    sub: String,
    iss: String,
    token_use: String,
    client_id: String,
    username: String,
    jti: String,
    origin_jti: String,
    iat: i64,
    exp: i64,
    #[serde(default)]
    device_key: Option<String>,
    #[serde(default)]
    scope: String,
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, TokenData, Validation};
    use serde_json::Value;
    use std::sync::LazyLock;
    use std::time::{Duration, Instant};

    const ISSUER: &str = "http://127.0.0.1:4566/us-east-1_Emu1Tok";

    /// One key for most tests: key generation is the slow part.
    static SIGNER: LazyLock<TokenSigner> = LazyLock::new(TokenSigner::new);

    fn params<'a>() -> TokenParams<'a> {
        TokenParams {
            issuer: ISSUER,
            client_id: "client123",
            sub: "3f9d2c1e-0000-4000-8000-000000000001",
            username: "alice",
            email: Some("alice@example.com"),
            email_verified: Some(true),
            custom_attributes: &[],
            device_key: None,
            auth_time: unix_now() - 5,
            origin_jti: "0b6d6b0e-1111-4111-8111-111111111111",
            access_validity_secs: 3600,
            id_validity_secs: 1800,
            scope: "aws.cognito.signin.user.admin",
            groups: &[],
            roles: &[],
            preferred_role: None,
            changes: None,
        }
    }

    /// Verifies a token the way an independent relying party would: key from the JWKS.
    fn decode_with_jwks(
        signer: &TokenSigner,
        token: &str,
        aud: Option<&str>,
    ) -> jsonwebtoken::errors::Result<TokenData<Value>> {
        let jwks = signer.jwks();
        let jwk = &jwks["keys"][0];
        let header = jsonwebtoken::decode_header(token)?;
        if header.kid.as_deref() != jwk["kid"].as_str() {
            // A relying party looks the key up by kid and finds none.
            return Err(jsonwebtoken::errors::ErrorKind::InvalidToken.into());
        }
        let key = DecodingKey::from_rsa_components(
            jwk["n"].as_str().unwrap(),
            jwk["e"].as_str().unwrap(),
        )?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[ISSUER]);
        match aud {
            Some(aud) => validation.set_audience(&[aud]),
            None => validation.validate_aud = false,
        }
        jsonwebtoken::decode::<Value>(token, &key, &validation)
    }

    fn claim_names(v: &Value) -> Vec<&str> {
        v.as_object().unwrap().keys().map(String::as_str).collect()
    }

    #[test]
    fn the_key_is_made_on_a_background_thread() {
        let signer = TokenSigner::new();
        // Waits without asking for the key: asking would make it on this thread.
        let deadline = Instant::now() + Duration::from_secs(120);
        let key = loop {
            if let Some(key) = signer.inner.key.get() {
                break key;
            }
            assert!(
                Instant::now() < deadline,
                "no key was made in the background"
            );
            std::thread::sleep(Duration::from_millis(5));
        };
        assert_eq!(key.made_on.as_deref(), Some("jwt-keygen"));
        assert!(!signer.kid().is_empty());
    }

    #[test]
    fn remembers_the_latest_tokens_only() {
        let mut issued = IssuedDigests::default();
        let token = |n: usize| token_digest(&format!("token-{n}"));
        for n in 0..=REMEMBERED_TOKENS {
            issued.remember(token(n));
        }
        // Remembering one again does not make it count twice.
        issued.remember(token(1));
        assert!(!issued.contains(&token(0)), "the oldest is forgotten");
        assert!(issued.contains(&token(1)) && issued.contains(&token(REMEMBERED_TOKENS)));
        assert!(!issued.contains(&token_digest("token-x")));
        assert_eq!(issued.set.len(), REMEMBERED_TOKENS);
        assert_eq!(issued.order.len(), REMEMBERED_TOKENS);
    }

    #[test]
    fn only_issued_access_tokens_are_remembered() {
        let issued = SIGNER.issue(&params());
        let remembered = |token: &str| SIGNER.inner.issued().contains(&token_digest(token));
        assert!(remembered(&issued.access_token));
        assert!(!remembered(&issued.id_token));
    }

    #[test]
    fn forgotten_tokens_are_checked_by_their_signature() {
        let signer = TokenSigner::new();
        let issued = signer.issue(&params());
        let forget = || *signer.inner.issued() = IssuedDigests::default();
        forget();
        let claims = signer
            .verify_access_token(&issued.access_token, ISSUER)
            .unwrap();
        assert_eq!(claims.username, "alice");
        assert_eq!(
            signer.verify_access_token(
                &issued.access_token,
                "http://127.0.0.1:4566/us-east-1_Other"
            ),
            Err(TokenError::Invalid)
        );
        // A remembered token re-signed by another key is not this signer's.
        let other = TokenSigner::new();
        let foreign = other.issue(&params()).access_token;
        assert_eq!(
            signer.verify_access_token(&foreign, ISSUER),
            Err(TokenError::Invalid)
        );
        let mut p = params();
        p.access_validity_secs = -5;
        let expired = signer.issue(&p).access_token;
        forget();
        assert_eq!(
            signer.verify_access_token(&expired, ISSUER),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn jwks_has_one_rs256_signing_key() {
        let jwks = SIGNER.jwks();
        let keys = jwks["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 1);
        let k = &keys[0];
        assert_eq!(k["alg"], "RS256");
        assert_eq!(k["kty"], "RSA");
        assert_eq!(k["use"], "sig");
        assert_eq!(k["e"], "AQAB");
        assert_eq!(k["kid"], SIGNER.kid());
        let n = URL_SAFE_NO_PAD.decode(k["n"].as_str().unwrap()).unwrap();
        assert_eq!(n.len(), 256);
        assert!(
            n[0] & 0x80 != 0,
            "2048-bit modulus without a leading zero byte"
        );
        // Another signer has another key.
        assert_ne!(TokenSigner::new().kid(), SIGNER.kid());
    }

    #[test]
    fn custom_attributes_are_claims_of_the_id_token_only() {
        let custom = [
            ("custom:team".to_owned(), "blue".to_owned()),
            ("custom:level".to_owned(), "3".to_owned()),
        ];
        let p = TokenParams {
            custom_attributes: &custom,
            ..params()
        };
        let issued = SIGNER.issue(&p);
        let id = decode_with_jwks(&SIGNER, &issued.id_token, Some("client123")).unwrap();
        assert_eq!(id.claims["custom:team"], "blue");
        assert_eq!(id.claims["custom:level"], "3");
        assert_eq!(id.claims["cognito:username"], "alice");
        let access = decode_with_jwks(&SIGNER, &issued.access_token, None).unwrap();
        assert!(access.claims.get("custom:team").is_none());
    }

    #[test]
    fn claim_changes_apply_to_their_token_and_suppression_wins() {
        let mut changes = TokenChanges::default();
        changes
            .id
            .add_or_override
            .insert("tier".into(), "gold".into());
        changes
            .id
            .add_or_override
            .insert("email".into(), "other@example.com".into());
        changes.id.add_or_override.insert("gone".into(), 1.into());
        changes.id.suppress = vec!["gone".into(), "email_verified".into()];
        changes
            .access
            .add_or_override
            .insert("roles".into(), serde_json::json!(["a", "b"]));
        let p = TokenParams {
            changes: Some(&changes),
            ..params()
        };
        let issued = SIGNER.issue(&p);
        let id = decode_with_jwks(&SIGNER, &issued.id_token, Some("client123"))
            .unwrap()
            .claims;
        assert_eq!(id["tier"], "gold");
        assert_eq!(id["email"], "other@example.com");
        assert!(id.get("gone").is_none(), "suppressed beats added");
        assert!(id.get("email_verified").is_none());
        assert!(id.get("roles").is_none());
        assert_eq!(id["cognito:username"], "alice");
        let access = decode_with_jwks(&SIGNER, &issued.access_token, None)
            .unwrap()
            .claims;
        assert_eq!(access["roles"], serde_json::json!(["a", "b"]));
        assert!(access.get("tier").is_none());
        // A changed access token is still one this signer verifies.
        assert!(
            SIGNER
                .verify_access_token(&issued.access_token, ISSUER)
                .is_ok()
        );
    }

    #[test]
    fn issued_tokens_verify_with_the_jwks() {
        let p = params();
        let issued = SIGNER.issue(&p);
        assert_eq!(issued.expires_in, 3600);

        let access = decode_with_jwks(&SIGNER, &issued.access_token, None).unwrap();
        assert_eq!(access.header.alg, Algorithm::RS256);
        let c = &access.claims;
        assert_eq!(
            claim_names(c).len(),
            12,
            "sub iss client_id origin_jti event_id token_use scope auth_time exp iat jti username: {c}"
        );
        assert_eq!(c["sub"], p.sub);
        assert_eq!(c["iss"], ISSUER);
        assert_eq!(c["client_id"], "client123");
        assert_eq!(c["origin_jti"], p.origin_jti);
        assert_eq!(c["token_use"], "access");
        assert_eq!(c["scope"], "aws.cognito.signin.user.admin");
        assert_eq!(c["auth_time"], p.auth_time);
        assert_eq!(c["username"], "alice");
        assert!(c.get("device_key").is_none());
        assert!(c.get("aud").is_none());
        let iat = c["iat"].as_i64().unwrap();
        assert!((iat - unix_now()).abs() <= 2);
        assert_eq!(c["exp"].as_i64().unwrap(), iat + 3600);

        let id = decode_with_jwks(&SIGNER, &issued.id_token, Some("client123")).unwrap();
        let i = &id.claims;
        assert_eq!(claim_names(i).len(), 13, "{i}");
        assert_eq!(i["sub"], p.sub);
        assert_eq!(i["email_verified"], true);
        assert_eq!(i["iss"], ISSUER);
        assert_eq!(i["cognito:username"], "alice");
        assert_eq!(i["origin_jti"], p.origin_jti);
        assert_eq!(i["aud"], "client123");
        assert_eq!(i["token_use"], "id");
        assert_eq!(i["auth_time"], p.auth_time);
        assert_eq!(
            i["exp"].as_i64().unwrap(),
            i["iat"].as_i64().unwrap() + 1800
        );
        assert_eq!(i["email"], "alice@example.com");

        // One event, two tokens.
        assert_eq!(c["event_id"], i["event_id"]);
        assert_ne!(c["jti"], i["jti"]);
        assert!(uuid::Uuid::parse_str(c["event_id"].as_str().unwrap()).is_ok());
        // The next issue is a new event.
        let again = decode_with_jwks(&SIGNER, &SIGNER.issue(&p).access_token, None).unwrap();
        assert_ne!(again.claims["event_id"], c["event_id"]);
        assert_ne!(again.claims["jti"], c["jti"]);
    }

    #[test]
    fn group_claims_go_in_both_tokens_and_roles_in_the_id_token() {
        let groups = ["admins".to_owned(), "staff".to_owned()];
        let roles = ["arn:aws:iam::000000000000:role/admins".to_owned()];
        let mut p = params();
        p.groups = &groups;
        p.roles = &roles;
        p.preferred_role = Some(&roles[0]);
        let issued = SIGNER.issue(&p);
        let access = decode_with_jwks(&SIGNER, &issued.access_token, None)
            .unwrap()
            .claims;
        assert_eq!(access["cognito:groups"], serde_json::json!(groups));
        assert!(access.get("cognito:roles").is_none());
        assert!(access.get("cognito:preferred_role").is_none());
        let id = decode_with_jwks(&SIGNER, &issued.id_token, Some("client123"))
            .unwrap()
            .claims;
        assert_eq!(id["cognito:groups"], serde_json::json!(groups));
        assert_eq!(id["cognito:roles"], serde_json::json!(roles));
        assert_eq!(id["cognito:preferred_role"], roles[0].as_str());
    }

    #[test]
    fn optional_claims() {
        let mut p = params();
        p.device_key = Some("us-east-1_6b1e7d8a-2222-4222-8222-222222222222");
        p.email = None;
        p.email_verified = None;
        let issued = SIGNER.issue(&p);
        let access = decode_with_jwks(&SIGNER, &issued.access_token, None)
            .unwrap()
            .claims;
        assert_eq!(access["device_key"], p.device_key.unwrap());
        let id = decode_with_jwks(&SIGNER, &issued.id_token, Some("client123"))
            .unwrap()
            .claims;
        assert!(id.get("email").is_none());
        assert!(id.get("email_verified").is_none());
        let claims = SIGNER
            .verify_access_token(&issued.access_token, ISSUER)
            .unwrap();
        assert_eq!(claims.device_key.as_deref(), p.device_key);
    }

    #[test]
    fn verify_access_token_accepts_its_own() {
        let p = params();
        let issued = SIGNER.issue(&p);
        let claims = SIGNER
            .verify_access_token(&issued.access_token, ISSUER)
            .unwrap();
        let raw = decode_with_jwks(&SIGNER, &issued.access_token, None)
            .unwrap()
            .claims;
        assert_eq!(
            claims,
            AccessClaims {
                sub: p.sub.to_string(),
                username: "alice".to_string(),
                client_id: "client123".to_string(),
                jti: raw["jti"].as_str().unwrap().to_string(),
                origin_jti: p.origin_jti.to_string(),
                iat: raw["iat"].as_i64().unwrap(),
                exp: raw["exp"].as_i64().unwrap(),
                device_key: None,
                scope: "aws.cognito.signin.user.admin".to_string(),
            }
        );
    }

    #[test]
    fn verify_access_token_refuses_bad_tokens() {
        let issued = SIGNER.issue(&params());
        let token = issued.access_token.as_str();
        // Wrong issuer (another pool).
        assert_eq!(
            SIGNER.verify_access_token(token, "http://127.0.0.1:4566/us-east-1_Other"),
            Err(TokenError::Invalid)
        );
        // The ID token is not an access token.
        assert_eq!(
            SIGNER.verify_access_token(&issued.id_token, ISSUER),
            Err(TokenError::Invalid)
        );
        // Garbage.
        for junk in ["", "abc", "a.b.c", "....", "eyJhbGciOiJub25lIn0.e30."] {
            assert_eq!(
                SIGNER.verify_access_token(junk, ISSUER),
                Err(TokenError::Invalid),
                "{junk:?}"
            );
        }
        // Tampered payload: claim another user, keep the signature.
        let parts: Vec<&str> = token.split('.').collect();
        let mut claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        claims["username"] = "mallory".into();
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(claims.to_string()),
            parts[2]
        );
        assert_eq!(
            SIGNER.verify_access_token(&forged, ISSUER),
            Err(TokenError::Invalid)
        );
        assert!(decode_with_jwks(&SIGNER, &forged, None).is_err());
        // Tampered signature.
        let mut sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        sig[100] ^= 1;
        let forged = format!("{}.{}.{}", parts[0], parts[1], URL_SAFE_NO_PAD.encode(sig));
        assert_eq!(
            SIGNER.verify_access_token(&forged, ISSUER),
            Err(TokenError::Invalid)
        );
        // Signed by another key.
        let other = TokenSigner::new();
        let foreign = other.issue(&params()).access_token;
        assert!(other.verify_access_token(&foreign, ISSUER).is_ok());
        assert_eq!(
            SIGNER.verify_access_token(&foreign, ISSUER),
            Err(TokenError::Invalid)
        );
        assert!(decode_with_jwks(&SIGNER, &foreign, None).is_err());
    }

    #[test]
    fn verify_access_token_refuses_expired() {
        let mut p = params();
        p.access_validity_secs = -5;
        let issued = SIGNER.issue(&p);
        assert_eq!(
            SIGNER.verify_access_token(&issued.access_token, ISSUER),
            Err(TokenError::Expired)
        );
        assert_eq!(TokenError::Expired.to_string(), "Access Token has expired");
        assert_eq!(TokenError::Invalid.to_string(), "Invalid Access Token");
    }

    #[test]
    fn expiry_follows_the_given_clock_not_the_system_time() {
        let p = params();
        let later = unix_now() + 7200;
        let issued = SIGNER.issue_at(&p, later);
        let claims = SIGNER
            .verify_access_token_at(&issued.access_token, ISSUER, later + 3600)
            .unwrap();
        assert_eq!(claims.iat, later);
        assert_eq!(claims.exp, later + 3600);
        assert_eq!(
            SIGNER.verify_access_token_at(&issued.access_token, ISSUER, later + 3601),
            Err(TokenError::Expired)
        );
        // Issued two hours ahead: by the system time it is not expired either.
        assert!(
            SIGNER
                .verify_access_token(&issued.access_token, ISSUER)
                .is_ok()
        );
        let real = SIGNER.issue(&p);
        assert_eq!(
            SIGNER.verify_access_token_at(&real.access_token, ISSUER, unix_now() + 3601),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn signer_is_shareable_across_threads() {
        let signer = TokenSigner::new();
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let s = signer.clone();
                std::thread::spawn(move || s.issue(&params()).access_token)
            })
            .collect();
        for h in handles {
            let token = h.join().unwrap();
            assert!(signer.verify_access_token(&token, ISSUER).is_ok());
        }
        assert!(!format!("{:?}", signer.issue(&params())).contains("eyJ"));
    }

    /// Extracts the PKCS#1 `RSAPrivateKey` from a PKCS#8 `PrivateKeyInfo` (for the
    /// `jsonwebtoken::encode` comparison below).
    fn pkcs1_from_pkcs8(der: &[u8]) -> Vec<u8> {
        fn read(der: &[u8]) -> (u8, &[u8], &[u8]) {
            let tag = der[0];
            let (len, hdr) = if der[1] < 0x80 {
                (usize::from(der[1]), 2)
            } else {
                let n = usize::from(der[1] & 0x7f);
                (
                    der[2..2 + n]
                        .iter()
                        .fold(0usize, |acc, &b| acc << 8 | usize::from(b)),
                    2 + n,
                )
            };
            (tag, &der[hdr..hdr + len], &der[hdr + len..])
        }
        let (_, seq, _) = read(der);
        let (_, _version, rest) = read(seq);
        let (_, _alg, rest) = read(rest);
        let (tag, key, _) = read(rest);
        assert_eq!(tag, 0x04);
        key.to_vec()
    }

    #[test]
    fn rotation_signs_with_the_new_key_and_keeps_the_old_one_verifying() {
        let signer = TokenSigner::new();
        let p = params();
        let old = signer.issue(&p).access_token;
        let old_kid = signer.kid();
        let new_kid = signer.rotate();
        assert_ne!(new_kid, old_kid);
        assert_eq!(signer.kid(), new_kid);
        let jwks = signer.jwks();
        let kids: Vec<&str> = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap())
            .collect();
        assert_eq!(kids, [old_kid.as_str(), new_kid.as_str()]);
        let new = signer.issue(&p).access_token;
        assert_eq!(
            jsonwebtoken::decode_header(&new).unwrap().kid.as_deref(),
            Some(new_kid.as_str())
        );
        // Forget both as issued here, so each is checked by its signature.
        *signer.inner.issued() = IssuedDigests::default();
        assert!(signer.verify_access_token(&old, ISSUER).is_ok());
        assert!(signer.verify_access_token(&new, ISSUER).is_ok());
        // A token naming one key but signed by the other is refused.
        let (head, rest) = new.split_once('.').unwrap();
        let old_head = old.split('.').next().unwrap();
        assert_ne!(head, old_head);
        let swapped = format!("{old_head}.{rest}");
        assert_eq!(
            signer.verify_access_token(&swapped, ISSUER),
            Err(TokenError::Invalid)
        );
    }

    /// Rough cost of one `issue` (two RS256 signatures), for capacity planning:
    /// `cargo test --release -p emulator --lib cognito::tokens -- --ignored --nocapture`
    #[test]
    #[ignore = "timing report, run by hand"]
    fn timing() {
        let t = Instant::now();
        let signer = TokenSigner::new();
        let new_time = t.elapsed();
        let t = Instant::now();
        let _ = signer.kid();
        let keygen = t.elapsed();
        let p = params();
        let rounds = 200u32;
        let t = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(signer.issue(&p));
        }
        let issue = t.elapsed() / rounds;
        let token = signer.issue(&p).access_token;
        let t = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(signer.verify_access_token(&token, ISSUER).unwrap());
        }
        let verify = t.elapsed() / rounds;
        *signer.inner.issued() = IssuedDigests::default();
        let t = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(signer.verify_access_token(&token, ISSUER).unwrap());
        }
        let verify_signature = t.elapsed() / rounds;

        // The same two signatures through jsonwebtoken::encode, for comparison.
        let pkcs8 = signer.inner.key().pair.as_der().unwrap();
        let encoding = jsonwebtoken::EncodingKey::from_rsa_der(&pkcs1_from_pkcs8(pkcs8.as_ref()));
        let mut header = jsonwebtoken::Header::new(Algorithm::RS256);
        header.kid = Some(signer.kid().to_string());
        let claims = decode_with_jwks(&signer, &token, None).unwrap().claims;
        let t = Instant::now();
        for _ in 0..rounds {
            for _ in 0..2 {
                std::hint::black_box(jsonwebtoken::encode(&header, &claims, &encoding).unwrap());
            }
        }
        let jwt_encode = t.elapsed() / rounds;
        let via_crate = jsonwebtoken::encode(&header, &claims, &encoding).unwrap();
        assert!(signer.verify_access_token(&via_crate, ISSUER).is_ok());
        println!(
            "token timing: new() {new_time:?}, key ready after {keygen:?}, issue() {issue:?}, \
             verify_access_token {verify:?} (remembered) {verify_signature:?} (by signature), \
             2 x jsonwebtoken::encode {jwt_encode:?}"
        );
    }
}
