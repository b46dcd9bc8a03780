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

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::rsa::{KeyPair, KeySize};
    use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
    use axum::body::Body;
    use serde_json::{Value, json};
    use std::sync::LazyLock;
    use std::sync::Mutex;
    use std::sync::atomic::AtomicI64;
    use tower::ServiceExt as _;

    const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test1";
    const CLIENT: &str = "client-served";
    const NOW: i64 = 1_800_000_000;

    /// A signing key of a user pool, standing in for Cognito's.
    struct PoolKey {
        pair: KeyPair,
        kid: String,
    }

    impl PoolKey {
        fn new(kid: &str) -> Self {
            PoolKey {
                pair: KeyPair::generate(KeySize::Rsa2048).unwrap(),
                kid: kid.into(),
            }
        }

        fn jwk(&self) -> Jwk {
            let public =
                aws_lc_rs::rsa::PublicKeyComponents::<Vec<u8>>::from(self.pair.public_key());
            Jwk {
                kid: self.kid.clone(),
                kty: "RSA".into(),
                alg: Some("RS256".into()),
                n: Some(URL_SAFE_NO_PAD.encode(&public.n)),
                e: Some(URL_SAFE_NO_PAD.encode(&public.e)),
            }
        }

        fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
            let mut token = URL_SAFE_NO_PAD.encode(header.to_string());
            token.push('.');
            token.push_str(&URL_SAFE_NO_PAD.encode(claims.to_string()));
            let mut signature = vec![0; self.pair.public_modulus_len()];
            self.pair
                .sign(
                    &RSA_PKCS1_SHA256,
                    &aws_lc_rs::rand::SystemRandom::new(),
                    token.as_bytes(),
                    &mut signature,
                )
                .unwrap();
            token.push('.');
            token.push_str(&URL_SAFE_NO_PAD.encode(signature));
            token
        }

        fn sign(&self, claims: &Value) -> String {
            self.sign_with_header(&json!({"kid": self.kid, "alg": "RS256"}), claims)
        }
    }

    /// Key generation is the slow part: two keys for every test.
    static KEY: LazyLock<PoolKey> = LazyLock::new(|| PoolKey::new("key-1"));
    static NEXT_KEY: LazyLock<PoolKey> = LazyLock::new(|| PoolKey::new("key-2"));

    /// Access token claims as Cognito issues them after a password sign-in.
    fn access_claims() -> Value {
        json!({
            "sub": "3f9d2c1e-0000-4000-8000-000000000001",
            "cognito:groups": ["admins"],
            "iss": ISSUER,
            "client_id": CLIENT,
            "origin_jti": "0b6d6b0e-1111-4111-8111-111111111111",
            "event_id": "e1",
            "token_use": "access",
            "scope": "aws.cognito.signin.user.admin",
            "auth_time": NOW - 10,
            "exp": NOW + 3600,
            "iat": NOW - 10,
            "jti": "j1",
            "username": "alice",
        })
    }

    fn with(mut claims: Value, name: &str, value: Value) -> Value {
        claims[name] = value;
        claims
    }

    /// A JWKS that tests can change, counting its fetches.
    #[derive(Clone)]
    struct TestSource {
        jwks: Arc<Mutex<Jwks>>,
        fetches: Arc<AtomicU64>,
    }

    impl TestSource {
        fn new(keys: &[&PoolKey]) -> Self {
            TestSource {
                jwks: Arc::new(Mutex::new(Jwks {
                    keys: keys.iter().map(|k| k.jwk()).collect(),
                })),
                fetches: Arc::default(),
            }
        }

        fn publish(&self, keys: &[&PoolKey]) {
            self.jwks.lock().unwrap().keys = keys.iter().map(|k| k.jwk()).collect();
        }

        fn fetches(&self) -> u64 {
            self.fetches.load(Ordering::Relaxed)
        }
    }

    impl JwksSource for TestSource {
        fn fetch(&self) -> BoxFuture<'_, Result<Jwks, String>> {
            self.fetches.fetch_add(1, Ordering::Relaxed);
            let jwks = self.jwks.lock().unwrap().clone();
            Box::pin(async move {
                tokio::task::yield_now().await;
                Ok(jwks)
            })
        }
    }

    /// A verifier at a settable time, with its key source.
    fn verifier(keys: &[&PoolKey]) -> (Verifier, TestSource, Arc<AtomicI64>) {
        let now = Arc::new(AtomicI64::new(NOW));
        let source = TestSource::new(keys);
        let mut config = VerifierConfig::new(ISSUER, vec![CLIENT.into(), "client-two".into()]);
        let clock_now = now.clone();
        config.clock = Arc::new(move || clock_now.load(Ordering::Relaxed));
        (Verifier::new(config, source.clone()), source, now)
    }

    #[test]
    fn issuer_from_pool_region_or_endpoint() {
        assert_eq!(
            pool_issuer("eu-west-1_AbC123", None, None),
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
        );
        assert_eq!(
            pool_issuer("eu-west-1_AbC123", Some("eu-west-1"), None),
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
        );
        assert_eq!(
            pool_issuer("us-east-1_AbC123", None, Some("http://127.0.0.1:4566/")),
            "http://127.0.0.1:4566/us-east-1_AbC123"
        );
        assert_eq!(
            pool_issuer("us-east-1_AbC123", Some("us-east-1"), Some("")),
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"
        );
    }

    #[tokio::test]
    async fn a_good_access_token_is_accepted_with_its_claims() {
        let (verifier, _, _) = verifier(&[&KEY]);
        let claims = verifier.verify(&KEY.sign(&access_claims())).await.unwrap();
        assert_eq!(claims.username.as_deref(), Some("alice"));
        assert_eq!(claims.client_id, CLIENT);
        assert_eq!(claims.groups, ["admins"]);
        assert_eq!(claims.scopes, ["aws.cognito.signin.user.admin"]);
        assert_eq!(claims.exp, NOW + 3600);
        // A second app client the API serves is accepted too.
        let other = with(access_claims(), "client_id", json!("client-two"));
        assert!(verifier.verify(&KEY.sign(&other)).await.is_ok());
    }

    #[tokio::test]
    async fn each_kind_of_bad_token_has_its_own_reason() {
        let (verifier, _, _) = verifier(&[&KEY]);
        let good = KEY.sign(&access_claims());
        let cases: Vec<(String, AuthError)> = vec![
            ("not-a-jwt".into(), AuthError::Malformed),
            ("a.b".into(), AuthError::Malformed),
            (format!("{good}.extra"), AuthError::Malformed),
            ("!!!.e30.e30".into(), AuthError::Malformed),
            (
                KEY.sign_with_header(&json!({"alg": "RS256"}), &access_claims()),
                AuthError::Malformed,
            ),
            (
                KEY.sign_with_header(&json!({"kid": "key-1", "alg": "HS256"}), &access_claims()),
                AuthError::WrongAlgorithm("HS256".into()),
            ),
            (
                KEY.sign_with_header(&json!({"kid": "key-1", "alg": "none"}), &access_claims()),
                AuthError::WrongAlgorithm("none".into()),
            ),
            (
                KEY.sign(&with(
                    access_claims(),
                    "iss",
                    json!("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"),
                )),
                AuthError::WrongIssuer,
            ),
            (
                KEY.sign(&with(access_claims(), "token_use", json!("id"))),
                AuthError::NotAccessToken,
            ),
            (
                KEY.sign(&with(access_claims(), "client_id", json!("someone-else"))),
                AuthError::WrongClient,
            ),
            (
                KEY.sign(&with(access_claims(), "exp", json!(NOW - 60))),
                AuthError::Expired,
            ),
            (NEXT_KEY.sign(&access_claims()), AuthError::UnknownKey),
            (
                // Signed by another key under this key's kid.
                NEXT_KEY
                    .sign_with_header(&json!({"kid": "key-1", "alg": "RS256"}), &access_claims()),
                AuthError::BadSignature,
            ),
            (
                // This key's signature over other claims.
                {
                    let forged = KEY.sign(&with(access_claims(), "username", json!("mallory")));
                    let (head, _) = forged.rsplit_once('.').unwrap();
                    let (_, signature) = good.rsplit_once('.').unwrap();
                    format!("{head}.{signature}")
                },
                AuthError::BadSignature,
            ),
        ];
        for (token, expected) in cases {
            assert_eq!(
                verifier.verify(&token).await.unwrap_err(),
                expected,
                "{token}"
            );
        }
        // An ID token as Cognito issues it has `aud` and no `client_id`.
        let mut id = access_claims();
        id["token_use"] = json!("id");
        id["aud"] = json!(CLIENT);
        id.as_object_mut().unwrap().remove("client_id");
        assert_eq!(
            verifier.verify(&KEY.sign(&id)).await.unwrap_err(),
            AuthError::NotAccessToken
        );
    }

    #[tokio::test]
    async fn expiry_allows_the_stated_leeway_and_no_more() {
        let (verifier, _, now) = verifier(&[&KEY]);
        let token = KEY.sign(&access_claims());
        now.store(NOW + 3600 + 5, Ordering::Relaxed);
        assert!(verifier.verify(&token).await.is_ok());
        now.store(NOW + 3600 + 6, Ordering::Relaxed);
        // Remembered, and still refused once expired: expiry is checked on every use.
        assert_eq!(
            verifier.verify(&token).await.unwrap_err(),
            AuthError::Expired
        );
        verifier.forget_tokens();
        assert_eq!(
            verifier.verify(&token).await.unwrap_err(),
            AuthError::Expired
        );
    }

    #[tokio::test]
    async fn a_verified_token_is_remembered_until_it_expires() {
        let (verifier, _, _) = verifier(&[&KEY]);
        let token = KEY.sign(&access_claims());
        verifier.verify(&token).await.unwrap();
        // Without keys only a remembered token can pass.
        verifier.cache.replace(&Jwks { keys: vec![] });
        assert!(verifier.verify(&token).await.is_ok());
        let other = KEY.sign(&with(access_claims(), "jti", json!("j2")));
        assert!(verifier.verify(&other).await.is_err());
    }

    #[tokio::test]
    async fn remembered_tokens_are_bounded() {
        let (mut verifier, _, _) = verifier(&[&KEY]);
        verifier.config.remembered_tokens = 2;
        for jti in ["a", "b", "c", "d", "e"] {
            let token = KEY.sign(&with(access_claims(), "jti", json!(jti)));
            verifier.verify(&token).await.unwrap();
            assert!(verifier.remembered.read().unwrap().len() <= 2);
        }
    }

    #[tokio::test]
    async fn keys_are_fetched_once_and_again_only_for_a_new_kid() {
        let (verifier, source, _) = verifier(&[&KEY]);
        assert_eq!(verifier.load_keys().await.unwrap(), 1);
        for jti in ["a", "b", "c"] {
            let token = KEY.sign(&with(access_claims(), "jti", json!(jti)));
            verifier.verify(&token).await.unwrap();
        }
        assert_eq!(source.fetches(), 1);

        // The pool rotates its key: the first token naming it causes one fetch,
        // however many requests bring it at once.
        source.publish(&[&KEY, &NEXT_KEY]);
        let tokens: Vec<String> = (0..20)
            .map(|i| NEXT_KEY.sign(&with(access_claims(), "jti", json!(i))))
            .collect();
        let verdicts = futures_join_all(tokens.iter().map(|token| verifier.verify(token))).await;
        assert!(verdicts.iter().all(Result::is_ok), "{verdicts:?}");
        assert_eq!(source.fetches(), 2);

        // Made-up kids within the interval cost no fetch at all.
        for i in 0..100 {
            let bogus = KEY.sign_with_header(
                &json!({"kid": format!("bogus-{i}"), "alg": "RS256"}),
                &access_claims(),
            );
            assert_eq!(
                verifier.verify(&bogus).await.unwrap_err(),
                AuthError::UnknownKey
            );
        }
        assert_eq!(source.fetches(), 2);
        // Both keys still verify.
        assert!(
            verifier
                .verify(&KEY.sign(&with(access_claims(), "jti", json!("z"))))
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn an_unknown_kid_refetches_again_after_the_interval() {
        let (mut verifier, source, _) = verifier(&[&KEY]);
        verifier.config.refetch_interval = Duration::from_millis(50);
        verifier.load_keys().await.unwrap();
        let bogus =
            KEY.sign_with_header(&json!({"kid": "bogus", "alg": "RS256"}), &access_claims());
        assert_eq!(
            verifier.verify(&bogus).await.unwrap_err(),
            AuthError::UnknownKey
        );
        assert_eq!(
            verifier.verify(&bogus).await.unwrap_err(),
            AuthError::UnknownKey
        );
        assert_eq!(source.fetches(), 2);
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(
            verifier.verify(&bogus).await.unwrap_err(),
            AuthError::UnknownKey
        );
        assert_eq!(source.fetches(), 3);
    }

    #[tokio::test]
    async fn unreachable_keys_are_a_503_not_a_500() {
        struct Down;
        impl JwksSource for Down {
            fn fetch(&self) -> BoxFuture<'_, Result<Jwks, String>> {
                Box::pin(async { Err("connection refused".to_owned()) })
            }
        }
        let verifier = Verifier::new(VerifierConfig::new(ISSUER, vec![CLIENT.into()]), Down);
        let mut claims = access_claims();
        claims["exp"] = json!(i64::MAX / 2);
        let err = verifier.verify(&KEY.sign(&claims)).await.unwrap_err();
        assert_eq!(err, AuthError::KeysUnavailable("connection refused".into()));
        assert_eq!(err.status(), StatusCode::SERVICE_UNAVAILABLE);
    }

    #[test]
    fn refusals_follow_rfc_6750() {
        assert_eq!(
            AuthError::MissingToken.challenge(),
            "Bearer realm=\"protected-api\""
        );
        assert_eq!(
            AuthError::Expired.challenge(),
            "Bearer realm=\"protected-api\", error=\"invalid_token\", error_description=\"the token has expired\""
        );
        assert_eq!(
            AuthError::InsufficientScope("orders/read".into()).challenge(),
            "Bearer realm=\"protected-api\", error=\"insufficient_scope\", \
             error_description=\"this route requires the scope orders/read\", scope=\"orders/read\""
        );
        // Nothing that would break out of the quoted string.
        let odd = AuthError::WrongAlgorithm("x\"y\\z\u{e9}".into()).challenge();
        assert!(odd.contains("signed with x'y'z?;"), "{odd}");
        for (err, status) in [
            (AuthError::MissingToken, 401),
            (AuthError::BadSignature, 401),
            (AuthError::NotInGroup("admins".into()), 403),
            (AuthError::InsufficientScope("s".into()), 403),
        ] {
            let has_challenge = !matches!(err, AuthError::NotInGroup(_));
            let response = err.into_response();
            assert_eq!(response.status().as_u16(), status);
            assert_eq!(
                response.headers().contains_key(header::WWW_AUTHENTICATE),
                has_challenge
            );
        }
    }

    async fn get(
        state: &Arc<ApiState>,
        path: &str,
        authorization: Option<&str>,
    ) -> (u16, Option<String>, Value) {
        let mut request = axum::http::Request::get(path);
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        let response = router(state.clone())
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status().as_u16();
        let challenge = response
            .headers()
            .get(header::WWW_AUTHENTICATE)
            .map(|v| v.to_str().unwrap().to_owned());
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (
            status,
            challenge,
            serde_json::from_slice(&body).unwrap_or(Value::Null),
        )
    }

    fn api(required_scopes: &[&str]) -> Arc<ApiState> {
        let (verifier, _, _) = verifier(&[&KEY]);
        Arc::new(ApiState {
            verifier,
            group: "admins".into(),
            required_scopes: required_scopes.iter().map(|s| s.to_string()).collect(),
        })
    }

    #[tokio::test]
    async fn routes_answer_by_token_group_and_scope() {
        let state = api(&[]);
        let alice = format!("Bearer {}", KEY.sign(&access_claims()));
        let bob = format!(
            "Bearer {}",
            KEY.sign(&with(
                with(access_claims(), "username", json!("bob")),
                "cognito:groups",
                json!([])
            ))
        );
        let (status, _, body) = get(&state, "/me", Some(&alice)).await;
        assert_eq!(status, 200);
        assert_eq!(body["username"], "alice");
        assert_eq!(body["groups"], json!(["admins"]));
        assert_eq!(get(&state, "/reports", Some(&alice)).await.0, 200);
        assert_eq!(get(&state, "/me", Some(&bob)).await.0, 200);
        let (status, challenge, body) = get(&state, "/reports", Some(&bob)).await;
        assert_eq!((status, challenge), (403, None));
        assert_eq!(
            body["reason"],
            "this route is only for members of the group admins"
        );

        let (status, challenge, body) = get(&state, "/me", None).await;
        assert_eq!(status, 401);
        assert_eq!(challenge.as_deref(), Some("Bearer realm=\"protected-api\""));
        assert_eq!(body["error"], "missing_token");
        assert_eq!(get(&state, "/me", Some("Basic YWxpY2U6cHc=")).await.0, 401);
        let lower = format!("bearer {}", KEY.sign(&access_claims()));
        assert_eq!(get(&state, "/me", Some(&lower)).await.0, 200);
        let (status, challenge, _) = get(&state, "/me", Some("Bearer not-a-jwt")).await;
        assert_eq!(status, 401);
        assert!(challenge.unwrap().contains("error=\"invalid_token\""));
        assert_eq!(get(&state, "/health", None).await.0, 200);

        let scoped = api(&["orders/read"]);
        let (status, challenge, _) = get(&scoped, "/me", Some(&alice)).await;
        assert_eq!(status, 403);
        assert!(challenge.unwrap().contains("scope=\"orders/read\""));
        let with_scope = format!(
            "Bearer {}",
            KEY.sign(&with(
                access_claims(),
                "scope",
                json!("orders/read orders/write")
            ))
        );
        assert_eq!(get(&scoped, "/me", Some(&with_scope)).await.0, 200);
    }

    /// Runs futures concurrently on this task (no extra crate for it).
    async fn futures_join_all<F: Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
        let mut set = Vec::new();
        for future in futures {
            set.push(Box::pin(future));
        }
        let mut outputs: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
        std::future::poll_fn(|cx| {
            let mut pending = false;
            for (future, output) in set.iter_mut().zip(outputs.iter_mut()) {
                if output.is_none() {
                    match future.as_mut().poll(cx) {
                        std::task::Poll::Ready(value) => *output = Some(value),
                        std::task::Poll::Pending => pending = true,
                    }
                }
            }
            if pending {
                std::task::Poll::Pending
            } else {
                std::task::Poll::Ready(())
            }
        })
        .await;
        outputs.into_iter().map(Option::unwrap).collect()
    }
}
