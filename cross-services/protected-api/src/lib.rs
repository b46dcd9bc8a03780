//! An HTTP API that accepts only valid Amazon Cognito access tokens,
//! verified locally: no call to Cognito per request.
//!
//! - [`Verifier`] checks a token the way Cognito's own documentation asks
//!   ("Verifying a JSON Web Token"): RS256 signature with the pool's key
//!   (found by `kid` in the pool's JWKS, fetched once and cached, fetched
//!   again when a token names a key it has not seen, at most once per
//!   interval), `iss` equal to the pool's issuer, `token_use` = `access`,
//!   `client_id` one of the app clients the API serves, `exp` with a small
//!   leeway. A token it has verified is remembered by its SHA-256 digest
//!   until it expires, so the next request with it costs a hash, not an RSA
//!   check; its expiry is still checked on every use.
//! - [`router`] serves `GET /me` to anyone signed in and `GET /reports` only
//!   to members of one group (`cognito:groups`), each also requiring the
//!   scopes the API is configured with. Every refusal is a 401 or 403 with
//!   a `WWW-Authenticate` header (RFC 6750) and one reason, never a 500.
//!
//! What local verification cannot know: whether the token was revoked
//! (GlobalSignOut, RevokeToken, a deleted or disabled user). See the README.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_lc_rs::digest;
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// The realm named in every `WWW-Authenticate` header.
pub const REALM: &str = "protected-api";

/// How far past `exp` a token is still accepted, for clocks that differ a
/// little between Cognito and this server. Small on purpose: an access
/// token lives an hour by default.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(5);

/// The shortest time between two JWKS fetches caused by tokens naming an
/// unknown `kid`: a flood of made-up `kid`s costs at most one fetch per
/// interval.
pub const DEFAULT_REFETCH_INTERVAL: Duration = Duration::from_secs(60);

// snippet-start:[rust.cognito-idp.protected-api.issuer]
/// The issuer (`iss`) of a user pool's tokens, and where its keys are
/// published (`{issuer}/.well-known/jwks.json`).
///
/// Against AWS it is `https://cognito-idp.{region}.amazonaws.com/{poolId}`.
/// With `AWS_ENDPOINT_URL` set (the bundled emulator, or any endpoint that
/// serves Cognito), it is `{endpoint}/{poolId}`, which is what such an
/// endpoint puts in its tokens. The Region defaults to the pool id's prefix
/// (`us-east-1_AbC123` lives in `us-east-1`).
pub fn pool_issuer(user_pool_id: &str, region: Option<&str>, endpoint_url: Option<&str>) -> String {
    if let Some(endpoint) = endpoint_url.filter(|e| !e.is_empty()) {
        return format!("{}/{user_pool_id}", endpoint.trim_end_matches('/'));
    }
    let region = region.unwrap_or_else(|| user_pool_id.split('_').next().unwrap_or_default());
    format!("https://cognito-idp.{region}.amazonaws.com/{user_pool_id}")
}
// snippet-end:[rust.cognito-idp.protected-api.issuer]

/// The claims of a verified access token that the API uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessClaims {
    /// The user's `sub` (for client-credentials tokens, the app client id).
    pub sub: String,
    /// The user name; absent in client-credentials tokens.
    pub username: Option<String>,
    /// The app client the token was issued to.
    pub client_id: String,
    /// `cognito:groups`.
    pub groups: Vec<String>,
    /// `scope`, split at spaces.
    pub scopes: Vec<String>,
    /// Expires at (Unix seconds).
    pub exp: i64,
}

/// The claims as they arrive, before any is trusted.
#[derive(Deserialize)]
struct RawClaims {
    iss: Option<String>,
    token_use: Option<String>,
    client_id: Option<String>,
    exp: Option<i64>,
    sub: Option<String>,
    username: Option<String>,
    #[serde(rename = "cognito:groups", default)]
    groups: Vec<String>,
    #[serde(default)]
    scope: String,
}

#[derive(Deserialize)]
struct RawHeader {
    alg: Option<String>,
    kid: Option<String>,
}

/// Why a request was refused. Each renders as one status and one reason
/// ([`IntoResponse`]); none is a 500.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization: Bearer ...` header.
    MissingToken,
    /// Not three base64url parts with JSON header and claims.
    Malformed,
    /// `alg` is not RS256 (Cognito signs with RS256 only; `none` and HMAC
    /// tricks end here).
    WrongAlgorithm(String),
    /// `iss` is not this API's user pool.
    WrongIssuer,
    /// An ID token (`token_use` = `id`) or anything else but an access token.
    NotAccessToken,
    /// `client_id` is none of the app clients this API serves.
    WrongClient,
    /// Past `exp` (plus the leeway).
    Expired,
    /// The pool's JWKS has no key with this `kid`, even fetched again.
    UnknownKey,
    /// The signature does not match the header and claims.
    BadSignature,
    /// The token lacks a scope this route requires.
    InsufficientScope(String),
    /// The user is not in the group this route requires.
    NotInGroup(String),
    /// The pool's JWKS could not be fetched (the token may be fine).
    KeysUnavailable(String),
}

impl AuthError {
    /// The one-line reason, as sent in `error_description` and the body.
    pub fn reason(&self) -> String {
        match self {
            AuthError::MissingToken => "no Authorization: Bearer token in the request".into(),
            AuthError::Malformed => "the token is not a well-formed JWT".into(),
            AuthError::WrongAlgorithm(alg) => {
                format!("the token is signed with {alg}; only RS256 is accepted")
            }
            AuthError::WrongIssuer => "the token was issued by another user pool".into(),
            AuthError::NotAccessToken => {
                "the token is not an access token (send the access token, not the ID token)".into()
            }
            AuthError::WrongClient => {
                "the token was issued to an app client this API does not serve".into()
            }
            AuthError::Expired => "the token has expired".into(),
            AuthError::UnknownKey => {
                "the token names a signing key the user pool does not publish".into()
            }
            AuthError::BadSignature => "the token's signature is not valid".into(),
            AuthError::InsufficientScope(scope) => format!("this route requires the scope {scope}"),
            AuthError::NotInGroup(group) => {
                format!("this route is only for members of the group {group}")
            }
            AuthError::KeysUnavailable(why) => {
                format!("the user pool's signing keys could not be fetched: {why}")
            }
        }
    }

    /// The HTTP status this refusal is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            AuthError::InsufficientScope(_) | AuthError::NotInGroup(_) => StatusCode::FORBIDDEN,
            AuthError::KeysUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// The RFC 6750 error code, if the refusal has one.
    fn error_code(&self) -> Option<&'static str> {
        match self {
            // RFC 6750, 3.1: a request without credentials gets no error code.
            AuthError::MissingToken | AuthError::NotInGroup(_) | AuthError::KeysUnavailable(_) => {
                None
            }
            AuthError::InsufficientScope(_) => Some("insufficient_scope"),
            _ => Some("invalid_token"),
        }
    }

    /// The `WWW-Authenticate` challenge (RFC 6750, section 3).
    pub fn challenge(&self) -> String {
        let mut challenge = format!("Bearer realm=\"{REALM}\"");
        if let Some(code) = self.error_code() {
            challenge.push_str(&format!(
                ", error=\"{code}\", error_description=\"{}\"",
                quotable(&self.reason())
            ));
        }
        if let AuthError::InsufficientScope(scope) = self {
            challenge.push_str(&format!(", scope=\"{}\"", quotable(scope)));
        }
        challenge
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason())
    }
}

impl std::error::Error for AuthError {}

/// RFC 6750 allows `%x20-21 / %x23-5B / %x5D-7E` inside the quotes: no
/// double quote, no backslash, nothing outside printable ASCII.
fn quotable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            ' '..='~' => c,
            _ => '?',
        })
        .collect()
}

/// The JSON body of a refusal.
#[derive(Serialize)]
struct Refusal {
    error: &'static str,
    reason: String,
}

// snippet-start:[rust.cognito-idp.protected-api.refusal]
impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = Refusal {
            error: self.error_code().unwrap_or(match self {
                AuthError::NotInGroup(_) => "not_in_group",
                AuthError::KeysUnavailable(_) => "keys_unavailable",
                _ => "missing_token",
            }),
            reason: self.reason(),
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED || matches!(self, AuthError::InsufficientScope(_)) {
            // The challenge is printable ASCII by construction (`quotable`).
            if let Ok(value) = HeaderValue::from_str(&self.challenge()) {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}
// snippet-end:[rust.cognito-idp.protected-api.refusal]

/// A JSON Web Key Set as Cognito publishes it (RSA keys only).
#[derive(Debug, Clone, Deserialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// One key of a [`Jwks`].
#[derive(Debug, Clone, Deserialize)]
pub struct Jwk {
    pub kid: String,
    pub kty: String,
    #[serde(default)]
    pub alg: Option<String>,
    #[serde(default)]
    pub n: Option<String>,
    #[serde(default)]
    pub e: Option<String>,
}

impl Jwks {
    /// The RS256 keys by `kid`, each parsed once so that a verification does
    /// not parse the key again. Keys of other kinds are skipped.
    fn parsed(&self) -> HashMap<String, Arc<ParsedPublicKey>> {
        self.keys
            .iter()
            .filter(|key| key.kty == "RSA" && key.alg.as_deref().is_none_or(|a| a == "RS256"))
            .filter_map(|key| {
                let n = URL_SAFE_NO_PAD.decode(key.n.as_deref()?).ok()?;
                let e = URL_SAFE_NO_PAD.decode(key.e.as_deref()?).ok()?;
                let parsed = RsaPublicKeyComponents { n: &n, e: &e }
                    .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
                    .ok()?;
                Some((key.kid.clone(), Arc::new(parsed)))
            })
            .collect()
    }
}

/// A boxed future, for the one async method of [`JwksSource`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where the verifier gets the pool's keys: over HTTP(S) in the API
/// ([`HttpJwks`]), from memory in tests and the benchmark.
pub trait JwksSource: Send + Sync + 'static {
    /// The current JWKS, or why it could not be had.
    fn fetch(&self) -> BoxFuture<'_, Result<Jwks, String>>;
}

/// A fixed JWKS, for tests and benchmarks.
impl JwksSource for Jwks {
    fn fetch(&self) -> BoxFuture<'_, Result<Jwks, String>> {
        let jwks = self.clone();
        Box::pin(async move { Ok(jwks) })
    }
}

// snippet-start:[rust.cognito-idp.protected-api.jwks-fetch]
/// Fetches `{issuer}/.well-known/jwks.json` with the HTTP stack the AWS SDK
/// already brings (hyper, rustls with aws-lc): HTTPS for AWS, plain HTTP for
/// a local endpoint such as the bundled emulator.
pub struct HttpJwks {
    url: hyper::Uri,
    client: hyper_util::client::legacy::Client<
        hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
        http_body_util::Empty<axum::body::Bytes>,
    >,
}

impl HttpJwks {
    /// A fetcher for the JWKS of `issuer`.
    pub fn for_issuer(issuer: &str) -> Result<Self, String> {
        let url_text = format!("{issuer}/.well-known/jwks.json");
        let url: hyper::Uri = url_text
            .parse()
            .map_err(|err| format!("{url_text} is not a URL: {err}"))?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = match hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(provider.clone())
        {
            Ok(builder) => builder,
            // No trusted roots on this machine: fine for plain HTTP only.
            Err(err) if url.scheme_str() == Some("https") => {
                return Err(format!(
                    "no trusted root certificates to fetch {url_text}: {err}"
                ));
            }
            Err(_) => {
                let config = rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .map_err(|err| err.to_string())?
                    .with_root_certificates(rustls::RootCertStore::empty())
                    .with_no_client_auth();
                hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config)
            }
        };
        let connector = builder.https_or_http().enable_http1().build();
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(connector);
        Ok(HttpJwks { url, client })
    }

    async fn get(&self) -> Result<Jwks, String> {
        use http_body_util::BodyExt as _;
        let response = self
            .client
            .get(self.url.clone())
            .await
            .map_err(|err| format!("GET {}: {err}", self.url))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|err| format!("GET {}: {err}", self.url))?
            .to_bytes();
        if !status.is_success() {
            return Err(format!("GET {} answered {status}", self.url));
        }
        serde_json::from_slice(&body).map_err(|err| format!("{} is not a JWKS: {err}", self.url))
    }
}

impl JwksSource for HttpJwks {
    fn fetch(&self) -> BoxFuture<'_, Result<Jwks, String>> {
        Box::pin(async move {
            tokio::time::timeout(Duration::from_secs(10), self.get())
                .await
                .map_err(|_| format!("GET {} timed out after 10 s", self.url))?
        })
    }
}
// snippet-end:[rust.cognito-idp.protected-api.jwks-fetch]

/// What time it is, in Unix seconds: the system clock in the API; tests
/// hand in the emulator's clock to expire tokens without waiting.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    })
}

/// What a [`Verifier`] accepts.
#[derive(Clone)]
pub struct VerifierConfig {
    /// The pool's issuer ([`pool_issuer`]).
    pub issuer: String,
    /// The app clients whose tokens are accepted (`client_id`).
    pub client_ids: Vec<String>,
    /// How far past `exp` a token is still accepted.
    pub leeway: Duration,
    /// The shortest time between two fetches for an unknown `kid`.
    pub refetch_interval: Duration,
    /// How many verified tokens to remember at most.
    pub remembered_tokens: usize,
    /// The time expiry is judged at.
    pub clock: Clock,
}

impl VerifierConfig {
    /// The defaults: 5 s of leeway, at most one refetch a minute, up to
    /// 100,000 remembered tokens (about 20 MB), the system clock.
    pub fn new(issuer: impl Into<String>, client_ids: Vec<String>) -> Self {
        VerifierConfig {
            issuer: issuer.into(),
            client_ids,
            leeway: DEFAULT_LEEWAY,
            refetch_interval: DEFAULT_REFETCH_INTERVAL,
            remembered_tokens: 100_000,
            clock: system_clock(),
        }
    }
}

/// The pool's keys by `kid`, and when a token last made us fetch them.
struct KeyCache {
    keys: RwLock<HashMap<String, Arc<ParsedPublicKey>>>,
    /// Held while fetching, so concurrent requests with one new `kid` cause
    /// one fetch; holds when an unknown `kid` last caused one.
    refetch: tokio::sync::Mutex<Option<Instant>>,
    fetches: AtomicU64,
}

impl KeyCache {
    fn get(&self, kid: &str) -> Option<Arc<ParsedPublicKey>> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(kid)
            .cloned()
    }

    fn replace(&self, jwks: &Jwks) {
        *self.keys.write().unwrap_or_else(PoisonError::into_inner) = jwks.parsed();
    }
}

/// Digest of a token → its verified claims.
type Remembered = RwLock<HashMap<[u8; 32], Arc<AccessClaims>>>;

// snippet-start:[rust.cognito-idp.protected-api.verifier]
/// Verifies Cognito access tokens locally. Share one per API (`Arc`): it
/// holds the key cache and the remembered tokens.
pub struct Verifier {
    config: VerifierConfig,
    source: Box<dyn JwksSource>,
    cache: KeyCache,
    remembered: Remembered,
}

impl Verifier {
    /// A verifier whose keys come from `source`. No key is fetched until
    /// [`Verifier::load_keys`] or the first token.
    pub fn new(config: VerifierConfig, source: impl JwksSource) -> Self {
        Verifier {
            config,
            source: Box::new(source),
            cache: KeyCache {
                keys: RwLock::default(),
                refetch: tokio::sync::Mutex::new(None),
                fetches: AtomicU64::new(0),
            },
            remembered: RwLock::default(),
        }
    }

    /// Fetches the pool's keys now (at start-up, so that a wrong pool id or
    /// endpoint shows at once rather than on the first request).
    pub async fn load_keys(&self) -> Result<usize, AuthError> {
        let jwks = self.fetch().await?;
        self.cache.replace(&jwks);
        Ok(self
            .cache
            .keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len())
    }

    /// How many times the JWKS was fetched (start-up and refetches).
    pub fn jwks_fetches(&self) -> u64 {
        self.cache.fetches.load(Ordering::Relaxed)
    }

    /// The configuration this verifier checks against.
    pub fn config(&self) -> &VerifierConfig {
        &self.config
    }

    async fn fetch(&self) -> Result<Jwks, AuthError> {
        self.cache.fetches.fetch_add(1, Ordering::Relaxed);
        self.source
            .fetch()
            .await
            .map_err(AuthError::KeysUnavailable)
    }

    /// The key named `kid`: from the cache, or fetched again when the cache
    /// has none and no unknown `kid` caused a fetch within the interval.
    async fn key(&self, kid: &str) -> Result<Arc<ParsedPublicKey>, AuthError> {
        if let Some(key) = self.cache.get(kid) {
            return Ok(key);
        }
        let mut last_refetch = self.cache.refetch.lock().await;
        // Another request may have fetched while this one waited.
        if let Some(key) = self.cache.get(kid) {
            return Ok(key);
        }
        if last_refetch.is_some_and(|at| at.elapsed() < self.config.refetch_interval) {
            return Err(AuthError::UnknownKey);
        }
        *last_refetch = Some(Instant::now());
        let jwks = self.fetch().await?;
        self.cache.replace(&jwks);
        self.cache.get(kid).ok_or(AuthError::UnknownKey)
    }

    /// Verifies an access token and returns its claims.
    ///
    /// The checks, in order: a token verified before is accepted from
    /// memory if it has not expired. Otherwise: the header says RS256 and
    /// names a `kid`; `iss`, `token_use`, `client_id` and `exp` are right
    /// (read before the signature is checked, so that a token of another
    /// pool is refused as such and causes no JWKS fetch; nothing is trusted
    /// on their word alone, every acceptance still needs the signature);
    /// the key named by `kid` verifies the signature.
    pub async fn verify(&self, token: &str) -> Result<Arc<AccessClaims>, AuthError> {
        let now = (self.config.clock)();
        let digest = token_digest(token);
        let known = self
            .remembered
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&digest)
            .cloned();
        if let Some(claims) = known {
            self.check_expiry(claims.exp, now)?;
            return Ok(claims);
        }

        let mut parts = token.split('.');
        let (Some(header_b64), Some(claims_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(AuthError::Malformed);
        };
        let header: RawHeader = decode_json(header_b64)?;
        match header.alg.as_deref() {
            Some("RS256") => {}
            Some(other) => return Err(AuthError::WrongAlgorithm(other.to_owned())),
            None => return Err(AuthError::Malformed),
        }
        let kid = header.kid.ok_or(AuthError::Malformed)?;
        let raw: RawClaims = decode_json(claims_b64)?;
        if raw.iss.as_deref() != Some(self.config.issuer.as_str()) {
            return Err(AuthError::WrongIssuer);
        }
        if raw.token_use.as_deref() != Some("access") {
            return Err(AuthError::NotAccessToken);
        }
        let client_id = raw.client_id.ok_or(AuthError::Malformed)?;
        if !self.config.client_ids.contains(&client_id) {
            return Err(AuthError::WrongClient);
        }
        let exp = raw.exp.ok_or(AuthError::Malformed)?;
        self.check_expiry(exp, now)?;

        let signature = URL_SAFE_NO_PAD
            .decode(signature_b64)
            .map_err(|_| AuthError::Malformed)?;
        let signed = &token[..header_b64.len() + 1 + claims_b64.len()];
        let key = self.key(&kid).await?;
        key.verify_sig(signed.as_bytes(), &signature)
            .map_err(|_| AuthError::BadSignature)?;

        let claims = Arc::new(AccessClaims {
            sub: raw.sub.ok_or(AuthError::Malformed)?,
            username: raw.username,
            client_id,
            groups: raw.groups,
            scopes: raw.scope.split_whitespace().map(str::to_owned).collect(),
            exp,
        });
        self.remember(digest, claims.clone(), now);
        Ok(claims)
    }

    fn check_expiry(&self, exp: i64, now: i64) -> Result<(), AuthError> {
        let leeway = i64::try_from(self.config.leeway.as_secs()).unwrap_or(i64::MAX);
        if now > exp.saturating_add(leeway) {
            Err(AuthError::Expired)
        } else {
            Ok(())
        }
    }

    /// Keeps a verified token until it expires. When the memory is full,
    /// expired tokens go first; if it is still full, everything goes (the
    /// next request of each pays one RSA check again).
    fn remember(&self, digest: [u8; 32], claims: Arc<AccessClaims>, now: i64) {
        let mut remembered = self
            .remembered
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if remembered.len() >= self.config.remembered_tokens {
            let leeway = i64::try_from(self.config.leeway.as_secs()).unwrap_or(i64::MAX);
            remembered.retain(|_, c| c.exp.saturating_add(leeway) >= now);
            if remembered.len() >= self.config.remembered_tokens {
                remembered.clear();
            }
        }
        if self.config.remembered_tokens > 0 {
            remembered.insert(digest, claims);
        }
    }

    /// Forgets every remembered token (the benchmark measures first-seen
    /// tokens with it).
    pub fn forget_tokens(&self) {
        self.remembered
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}
// snippet-end:[rust.cognito-idp.protected-api.verifier]

fn token_digest(token: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, token.as_bytes()).as_ref());
    out
}

fn decode_json<T: serde::de::DeserializeOwned>(part: &str) -> Result<T, AuthError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| AuthError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| AuthError::Malformed)
}

/// What the routes share: the verifier and what each route requires.
pub struct ApiState {
    pub verifier: Verifier,
    /// The group `/reports` is for.
    pub group: String,
    /// The scopes every protected route requires (none by default: tokens
    /// from a password sign-in carry only `aws.cognito.signin.user.admin`).
    pub required_scopes: Vec<String>,
}

// snippet-start:[rust.cognito-idp.protected-api.extractor]
/// A request's verified access token: a handler that takes one runs only
/// for a request with a valid token; any other gets the [`AuthError`].
pub struct SignedIn(pub Arc<AccessClaims>);

impl FromRequestParts<Arc<ApiState>> for SignedIn {
    type Rejection = AuthError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<ApiState>,
    ) -> Result<Self, Self::Rejection> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or(AuthError::MissingToken)?;
        let value = value.to_str().map_err(|_| AuthError::Malformed)?;
        // The scheme is case-insensitive (RFC 7235); anything but Bearer is
        // no bearer token at all.
        let (scheme, token) = value.split_once(' ').ok_or(AuthError::MissingToken)?;
        if !scheme.eq_ignore_ascii_case("Bearer") {
            return Err(AuthError::MissingToken);
        }
        let claims = state.verifier.verify(token.trim()).await?;
        for scope in &state.required_scopes {
            if !claims.scopes.contains(scope) {
                return Err(AuthError::InsufficientScope(scope.clone()));
            }
        }
        Ok(SignedIn(claims))
    }
}
// snippet-end:[rust.cognito-idp.protected-api.extractor]

/// What `GET /me` answers.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Me {
    pub sub: String,
    pub username: Option<String>,
    pub client_id: String,
    pub groups: Vec<String>,
    pub scopes: Vec<String>,
    pub expires_at: i64,
}

/// What `GET /reports` answers.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Reports {
    pub group: String,
    pub reports: Vec<String>,
}

// snippet-start:[rust.cognito-idp.protected-api.routes]
/// `GET /me`: anyone signed in.
async fn me(SignedIn(claims): SignedIn) -> Json<Me> {
    Json(Me {
        sub: claims.sub.clone(),
        username: claims.username.clone(),
        client_id: claims.client_id.clone(),
        groups: claims.groups.clone(),
        scopes: claims.scopes.clone(),
        expires_at: claims.exp,
    })
}

/// `GET /reports`: members of the configured group only (`cognito:groups`).
async fn reports(
    State(state): State<Arc<ApiState>>,
    SignedIn(claims): SignedIn,
) -> Result<Json<Reports>, AuthError> {
    if !claims.groups.contains(&state.group) {
        return Err(AuthError::NotInGroup(state.group.clone()));
    }
    Ok(Json(Reports {
        group: state.group.clone(),
        reports: vec!["quarterly-sign-ins".into(), "failed-sign-ins".into()],
    }))
}

/// The API: `GET /me`, `GET /reports`, and an open `GET /health`.
pub fn router(state: Arc<ApiState>) -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/reports", get(reports))
        .route("/health", get(|| async { "ok" }))
        .with_state(state)
}
// snippet-end:[rust.cognito-idp.protected-api.routes]
