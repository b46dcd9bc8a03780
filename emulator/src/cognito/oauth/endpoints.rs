//! The handlers of a domain's endpoints. Each reads its parameters, asks
//! `request` and the state, and answers as the developer guide's endpoint
//! reference says: HTML pages and redirects for the browser endpoints
//! (authorize, login, logout), JSON `{"error": ...}` for the others.

use std::sync::Arc;

use axum::http::{StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::form::{self, Params};
use super::html::{self, FormTarget};
use super::request::{
    client_credentials_scopes, granted_scopes, pkce_matches, redirect_with, registered,
};
use super::{HostedRequest, add_cookie, html as html_response, oauth_error, redirect, respond};
use crate::aws_json::ServiceError;
use crate::cognito::auth::{TokenSubject, group_claims};
use crate::cognito::srp::PasswordDigest;
use crate::cognito::state::attribute_changes::client_attributes;
use crate::cognito::state::clients::{AppClient, ClientProof};
use crate::cognito::state::oauth::{
    AuthorizationCode, BrowserSession, CODE_LIFETIME, PENDING_LIFETIME, PendingLogin, PendingStep,
    SESSION_LIFETIME, new_secret,
};
use crate::cognito::state::pool::Pool;
use crate::cognito::state::refresh::RefreshGrant;
use crate::cognito::state::revocation::{new_origin_jti, origin_time};
use crate::cognito::state::sign_in::{self, NextStep, SignInFacts, check_status};
use crate::cognito::state::users::UserStatus;
use crate::cognito::tokens::{TokenChanges, TokenParams};
use crate::cognito::triggers::TokenSource;
use crate::cognito::{CognitoService, Input, errors};

/// Cognito's session cookie: `cognito`. It is `HttpOnly` and `SameSite=Lax`
/// but not `Secure` as Cognito's is: the emulator speaks plain HTTP on
/// loopback, where a `Secure` cookie would not come back from HTTP clients
/// (and from browsers outside their localhost exception).
const SESSION_COOKIE: &str = "cognito";
/// The CSRF cookie of the login form; its value is also the form's `_csrf`
/// field (Cognito's names).
const CSRF_COOKIE: &str = "XSRF-TOKEN";

/// One request and where it came in.
pub(crate) struct Context<'a> {
    pub pool_id: &'a str,
    pub base: &'a str,
    pub request: &'a HostedRequest<'a>,
}

impl Context<'_> {
    fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.request.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn cookie(&self, name: &str) -> Option<&str> {
        self.request
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|h| form::cookie(h, name))
    }

    fn cookie_path(&self) -> &str {
        if self.base.is_empty() { "/" } else { self.base }
    }

    fn set_cookie(&self, name: &str, value: &str, max_age: i64) -> String {
        format!(
            "{name}={value}; Path={}; Max-Age={max_age}; HttpOnly; SameSite=Lax",
            self.cookie_path()
        )
    }

    /// The login page with this request's authorize parameters.
    fn login_url(&self) -> String {
        format!("{}/login?{}", self.base, self.request.query)
    }
}

/// A checked authorize request (also what `/login` carries along).
struct Authorize {
    pool: Arc<Pool>,
    client: Arc<AppClient>,
    redirect_uri: String,
    implicit: bool,
    state: Option<String>,
    scope: String,
    nonce: Option<String>,
    /// The PKCE `code_challenge` (S256).
    challenge: Option<String>,
    prompt: Option<String>,
}

impl Authorize {
    /// Back to the client with an OAuth error.
    fn error(&self, error: &str) -> Response {
        let mut pairs = vec![("error", error)];
        if let Some(state) = &self.state {
            pairs.push(("state", state));
        }
        redirect(&redirect_with(&self.redirect_uri, &pairs, false))
    }
}

fn error_page(error: &str, description: &str) -> Response {
    html_response(
        StatusCode::BAD_REQUEST,
        html::error_page(error, description),
    )
}

/// Tokens issued to a user through the domain.
struct UserTokens {
    access_token: String,
    id_token: Option<String>,
    refresh_token: Option<String>,
    expires_in: i64,
}

/// What a token request is refused with, and its status: 401 for a client
/// that authenticated with HTTP Basic and failed (RFC 6749 5.2), else 400.
fn token_error(error: &str, basic: bool) -> Response {
    let status = if error == "invalid_client" && basic {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut response = oauth_error(status, error);
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Basic"),
        );
    }
    response
}

/// The token and revoke endpoints take a form: "Content-Type: Must always
/// be 'application/x-www-form-urlencoded'" (developer guide, token endpoint).
fn form_body(ctx: &Context<'_>) -> bool {
    ctx.header(header::CONTENT_TYPE).is_some_and(|t| {
        t.to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
    })
}

fn json_ok(body: Value) -> Response {
    respond(StatusCode::OK, "application/json", body.to_string())
}

/// The userInfo endpoint's refusal of a token (RFC 6750 3.1).
fn invalid_token(description: &str) -> Response {
    let mut response = respond(
        StatusCode::UNAUTHORIZED,
        "application/json",
        json!({"error": "invalid_token", "error_description": description}).to_string(),
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        axum::http::HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}

impl CognitoService {
    /// Checks an authorize request: errors about the client or the
    /// redirect URI are an error page (never a redirect to an unregistered
    /// URI); the others go back to the redirect URI as `error=`.
    fn check_authorize(
        &self,
        ctx: &Context<'_>,
        params: &Params,
    ) -> Result<Authorize, Box<Response>> {
        let client_id = params
            .get("client_id")
            .ok_or_else(|| Box::new(error_page("invalid_request", "client_id is missing.")))?;
        let (pool, client) = self
            .client(client_id)
            .ok()
            .filter(|(pool, _)| *pool.id == *ctx.pool_id)
            .ok_or_else(|| Box::new(error_page("invalid_request", "Invalid client_id.")))?;
        let redirect_uri = params
            .get("redirect_uri")
            .ok_or_else(|| Box::new(error_page("invalid_request", "redirect_uri is missing.")))?;
        if !registered(redirect_uri, &client.oauth.callback_urls) {
            return Err(Box::new(error_page(
                "redirect_mismatch",
                "redirect_uri is not one of the app client's callback URLs.",
            )));
        }
        let mut request = Authorize {
            pool,
            client: client.clone(),
            redirect_uri: redirect_uri.to_owned(),
            implicit: false,
            state: params.get("state").map(str::to_owned),
            scope: String::new(),
            nonce: params.get("nonce").map(str::to_owned),
            challenge: None,
            prompt: params.get("prompt").map(str::to_owned),
        };
        request.implicit = match params.get("response_type") {
            Some("code") => false,
            Some("token") => true,
            Some(_) => return Err(Box::new(request.error("unsupported_response_type"))),
            None => return Err(Box::new(request.error("invalid_request"))),
        };
        let flow = if request.implicit { "implicit" } else { "code" };
        if !client.oauth.allows(flow) {
            return Err(Box::new(request.error("unauthorized_client")));
        }
        // Only the pool's own directory signs users in here: another
        // provider (federation) is an error, as for a provider the client
        // does not support. Which error Cognito names for an unknown
        // provider is unverified: `unauthorized_client` is the emulator's.
        let cognito = client.oauth.providers.iter().any(|p| p == "COGNITO");
        if params
            .get("identity_provider")
            .is_some_and(|p| p != "COGNITO")
            || !cognito
        {
            return Err(Box::new(request.error("unauthorized_client")));
        }
        match granted_scopes(params.get("scope"), &client.oauth.scopes) {
            Ok(scopes) => request.scope = scopes.join(" "),
            Err(_) => return Err(Box::new(request.error("invalid_scope"))),
        }
        request.challenge = match (
            params.get("code_challenge"),
            params.get("code_challenge_method"),
        ) {
            (None, None) => None,
            // S256 only: see `request::pkce_matches`.
            (Some(challenge), Some("S256")) => Some(challenge.to_owned()),
            _ => return Err(Box::new(request.error("invalid_request"))),
        };
        Ok(request)
    }

    /// GET `/oauth2/authorize`: signs in at once with a live session
    /// cookie, else sends the browser to the login page.
    pub(super) async fn authorize(&self, ctx: &Context<'_>) -> Response {
        let params = Params::new(ctx.request.query);
        let request = match self.check_authorize(ctx, &params) {
            Ok(request) => request,
            Err(response) => return *response,
        };
        let session = ctx
            .cookie(SESSION_COOKIE)
            .and_then(|value| self.hosted.session(value, ctx.pool_id, self.now_secs()))
            .filter(|_| request.prompt.as_deref() != Some("login"));
        match session {
            Some(session) => self.finish(&request, &session.user_key).await,
            None if request.prompt.as_deref() == Some("none") => request.error("login_required"),
            None => redirect(&ctx.login_url()),
        }
    }

    /// GET `/login`: the sign-in form, with a fresh CSRF token.
    pub(super) fn login_page(&self, ctx: &Context<'_>) -> Response {
        let params = Params::new(ctx.request.query);
        if let Err(response) = self.check_authorize(ctx, &params) {
            return *response;
        }
        let csrf = new_secret();
        let action = ctx.login_url();
        let target = FormTarget {
            action: &action,
            csrf: &csrf,
        };
        let mut response = html_response(StatusCode::OK, html::login_form(&target, "", None));
        add_cookie(
            &mut response,
            &ctx.set_cookie(CSRF_COOKIE, &csrf, PENDING_LIFETIME * 10),
        );
        response
    }

    /// POST `/login`: the password, then the MFA code or new password.
    pub(super) async fn login_submit(&self, ctx: &Context<'_>) -> Response {
        let params = Params::new(ctx.request.query);
        let request = match self.check_authorize(ctx, &params) {
            Ok(request) => request,
            Err(response) => return *response,
        };
        let fields = Params::new(&String::from_utf8_lossy(ctx.request.body));
        let csrf = match (ctx.cookie(CSRF_COOKIE), fields.get("_csrf")) {
            (Some(cookie), Some(field))
                if subtle::ConstantTimeEq::ct_eq(cookie.as_bytes(), field.as_bytes()).into() =>
            {
                cookie.to_owned()
            }
            _ => {
                return html_response(
                    StatusCode::FORBIDDEN,
                    html::error_page(
                        "invalid_csrf",
                        "The form's CSRF token is missing or does not match its cookie. Reload the sign-in page.",
                    ),
                );
            }
        };
        let action = ctx.login_url();
        let target = FormTarget {
            action: &action,
            csrf: &csrf,
        };
        if let Some(session) = fields.get("session") {
            return self
                .login_step(ctx, &request, &target, session, &fields)
                .await;
        }
        let username = fields.get("username").unwrap_or_default();
        let Some(password) = fields.get("password").filter(|_| !username.is_empty()) else {
            return html_response(
                StatusCode::OK,
                html::login_form(
                    &target,
                    username,
                    Some("Username and password are required."),
                ),
            );
        };
        match self.check_password(&request, username, password).await {
            Ok((user_key, name)) => {
                self.after_password(ctx, &request, &target, user_key, name)
                    .await
            }
            Err(error) => html_response(
                StatusCode::OK,
                html::login_form(&target, username, Some(&error.message)),
            ),
        }
    }

    /// The first factor, with the API's checks and messages (PreAuthentication
    /// runs first, as for InitiateAuth).
    async fn check_password(
        &self,
        request: &Authorize,
        name: &str,
        password: &str,
    ) -> Result<(String, String), ServiceError> {
        let (pool, client) = (&request.pool, &request.client);
        self.triggers.pre_authentication(pool, client, name).await?;
        let settings = pool.settings();
        let table = pool.users.lock();
        let Some(key) = table.resolve(&settings, name) else {
            return Err(if client.prevent_user_existence_errors {
                errors::incorrect_password()
            } else {
                errors::user_not_found()
            });
        };
        let user = table.users().get(&key).ok_or_else(errors::user_not_found)?;
        if !user.enabled {
            return Err(errors::user_disabled());
        }
        if user.status == UserStatus::ResetRequired {
            return Err(errors::password_reset_required());
        }
        let matches = user
            .password
            .as_ref()
            .is_some_and(|d| d.matches(&pool.srp_name, &user.username, password));
        if !matches {
            return Err(errors::incorrect_password());
        }
        check_status(
            user.status,
            user.temporary_password_expires,
            self.now_secs(),
        )?;
        Ok((key.to_string(), user.username.to_string()))
    }

    /// After the password (or a new one): the next step's page, or done.
    async fn after_password(
        &self,
        ctx: &Context<'_>,
        request: &Authorize,
        target: &FormTarget<'_>,
        user_key: String,
        username: String,
    ) -> Response {
        let settings = request.pool.settings();
        let step = {
            let table = request.pool.users.lock();
            let Some(user) = table.users().get(user_key.as_str()) else {
                return html_response(
                    StatusCode::OK,
                    html::login_form(target, &username, Some(&errors::user_not_found().message)),
                );
            };
            let token = user
                .software_token
                .as_deref()
                .filter(|t| t.secret.is_some());
            sign_in::next_step(&SignInFacts {
                pool_mfa: settings.mfa,
                must_change_password: user.status == UserStatus::ForceChangePassword,
                device_remembered: None,
                device_authenticated: false,
                totp_verified: token.is_some(),
                totp_enabled: token.is_some_and(|t| t.enabled),
            })
        };
        let pending = |step| PendingLogin {
            pool_id: request.pool.id.to_string(),
            client_id: request.client.id.to_string(),
            user_key: user_key.clone(),
            username: username.clone(),
            step,
            failures: 0,
            expires_at: self.now_secs() + PENDING_LIFETIME,
        };
        match step {
            NextStep::NewPasswordRequired => {
                let session = self.hosted.start_pending(pending(PendingStep::NewPassword));
                html_response(
                    StatusCode::OK,
                    html::new_password_form(target, &session, None),
                )
            }
            NextStep::SoftwareTokenMfa => {
                let session = self
                    .hosted
                    .start_pending(pending(PendingStep::SoftwareTokenMfa));
                html_response(StatusCode::OK, html::mfa_form(target, &session, None))
            }
            NextStep::MfaSetup => html_response(
                StatusCode::OK,
                html::login_form(
                    target,
                    &username,
                    Some(
                        "MFA is required but not set up for this user: set up an authenticator app with AssociateSoftwareToken first (these pages do not set one up).",
                    ),
                ),
            ),
            NextStep::DeviceSrpAuth | NextStep::Tokens => {
                self.signed_in(ctx, request, target, &user_key, &username)
                    .await
            }
        }
    }

    /// The MFA code or new password of a pending sign-in.
    async fn login_step(
        &self,
        ctx: &Context<'_>,
        request: &Authorize,
        target: &FormTarget<'_>,
        session: &str,
        fields: &Params,
    ) -> Response {
        let now = self.now_secs();
        let Some(mut pending) = self
            .hosted
            .take_pending(session, now)
            .filter(|p| *p.pool_id == *request.pool.id && *p.client_id == *request.client.id)
        else {
            return html_response(
                StatusCode::OK,
                html::login_form(
                    target,
                    "",
                    Some("Your session has expired. Please sign in again."),
                ),
            );
        };
        match pending.step {
            PendingStep::SoftwareTokenMfa => {
                let code = fields.get("totpCode").unwrap_or_default();
                let accepted = request
                    .pool
                    .users
                    .update(&pending.user_key, |user| user.accept_totp(code, now))
                    .unwrap_or(false);
                if accepted {
                    return self
                        .signed_in(ctx, request, target, &pending.user_key, &pending.username)
                        .await;
                }
                pending.failures += 1;
                if pending.failures >= 3 {
                    return html_response(
                        StatusCode::OK,
                        html::login_form(
                            target,
                            &pending.username,
                            Some(&errors::mfa_code_mismatch().message),
                        ),
                    );
                }
                self.hosted.restore_pending(session, pending);
                html_response(
                    StatusCode::OK,
                    html::mfa_form(target, session, Some(&errors::mfa_code_mismatch().message)),
                )
            }
            PendingStep::NewPassword => {
                let password = fields.get("new_password").unwrap_or_default();
                let refuse = |message: &str| {
                    html_response(
                        StatusCode::OK,
                        html::new_password_form(target, session, Some(message)),
                    )
                };
                if fields.get("confirm_password") != Some(password) {
                    self.hosted.restore_pending(session, pending);
                    return refuse("The passwords do not match.");
                }
                let settings = request.pool.settings();
                if let Err(error) = settings.password_policy.check(password) {
                    self.hosted.restore_pending(session, pending);
                    return refuse(&error.message);
                }
                let digest =
                    PasswordDigest::new(&request.pool.srp_name, &pending.username, password);
                let changed =
                    request
                        .pool
                        .users
                        .change(&settings, &pending.user_key, false, |user| {
                            user.complete_new_password(
                                &settings.schema,
                                digest,
                                &[],
                                self.now_millis(),
                            )
                        });
                match changed {
                    Some(Ok(())) => {
                        self.after_password(
                            ctx,
                            request,
                            target,
                            pending.user_key,
                            pending.username,
                        )
                        .await
                    }
                    Some(Err(error)) => {
                        self.hosted.restore_pending(session, pending);
                        refuse(&error.message)
                    }
                    None => html_response(
                        StatusCode::OK,
                        html::login_form(target, "", Some(&errors::user_not_found().message)),
                    ),
                }
            }
        }
    }

    /// The user proved who they are: PostAuthentication, a session cookie,
    /// and back to the client.
    async fn signed_in(
        &self,
        ctx: &Context<'_>,
        request: &Authorize,
        target: &FormTarget<'_>,
        user_key: &str,
        username: &str,
    ) -> Response {
        if let Err(error) = self
            .triggers
            .post_authentication(&request.pool, &request.client.id, username, false)
            .await
        {
            return html_response(
                StatusCode::OK,
                html::login_form(target, username, Some(&error.message)),
            );
        }
        let cookie = self.hosted.open_session(BrowserSession {
            pool_id: request.pool.id.to_string(),
            user_key: user_key.to_owned(),
            expires_at: self.now_secs() + SESSION_LIFETIME,
        });
        let mut response = self.finish(request, user_key).await;
        add_cookie(
            &mut response,
            &ctx.set_cookie(SESSION_COOKIE, &cookie, SESSION_LIFETIME),
        );
        response
    }

    /// Back to the client: a code (code flow) or the tokens in the
    /// fragment (implicit flow, no refresh token).
    async fn finish(&self, request: &Authorize, user_key: &str) -> Response {
        let now = self.now_secs();
        if !request.implicit {
            let code = self.hosted.issue_code(
                AuthorizationCode {
                    pool_id: request.pool.id.to_string(),
                    client_id: request.client.id.to_string(),
                    user_key: user_key.to_owned(),
                    redirect_uri: request.redirect_uri.clone(),
                    scope: request.scope.clone(),
                    nonce: request.nonce.clone(),
                    challenge: request.challenge.clone(),
                    expires_at: now + CODE_LIFETIME,
                },
                now,
            );
            let mut pairs = vec![("code", code.as_str())];
            if let Some(state) = &request.state {
                pairs.push(("state", state));
            }
            return redirect(&redirect_with(&request.redirect_uri, &pairs, false));
        }
        let tokens = match self
            .user_tokens(
                &request.pool,
                &request.client,
                user_key,
                &request.scope,
                request.nonce.as_deref(),
                false,
            )
            .await
        {
            Ok(tokens) => tokens,
            Err(_) => return request.error("server_error"),
        };
        let expires_in = tokens.expires_in.to_string();
        let mut pairs = Vec::new();
        if let Some(id_token) = &tokens.id_token {
            pairs.push(("id_token", id_token.as_str()));
        }
        pairs.push(("access_token", tokens.access_token.as_str()));
        pairs.push(("expires_in", expires_in.as_str()));
        pairs.push(("token_type", "Bearer"));
        if let Some(state) = &request.state {
            pairs.push(("state", state));
        }
        redirect(&redirect_with(&request.redirect_uri, &pairs, true))
    }

    /// Tokens for a user signed in through the domain: the API's tokens,
    /// with the granted scopes, `nonce` in the ID token, PreTokenGeneration
    /// told `TokenGeneration_HostedAuth`; an ID token only with `openid`.
    async fn user_tokens(
        &self,
        pool: &Pool,
        client: &AppClient,
        user_key: &str,
        scope: &str,
        nonce: Option<&str>,
        with_refresh: bool,
    ) -> Result<UserTokens, ServiceError> {
        let (snapshot, revoked_before) = {
            let table = pool.users.lock();
            let user = table
                .users()
                .get(user_key)
                .ok_or_else(errors::user_not_found)?;
            (TokenSubject::of(user, client), user.revoked_before)
        };
        let now = self.now_millis();
        let (origin_jti, _) = new_origin_jti(now, revoked_before);
        let auth_time = now / 1000;
        let content = self
            .triggers
            .pre_token_generation(
                pool,
                &client.id,
                TokenSource::HostedAuth,
                &snapshot.username,
                group_claims(pool, &snapshot.sub),
                scope,
            )
            .await?;
        let mut changes = content.changes.clone();
        if let Some(nonce) = nonce {
            changes
                .get_or_insert_with(TokenChanges::default)
                .id
                .add_or_override
                .insert("nonce".into(), json!(nonce));
        }
        let issuer = self.issuer(&pool.id);
        let tokens = self.issuing_signer().issue_at(
            &TokenParams {
                issuer: &issuer,
                client_id: &client.id,
                sub: &snapshot.sub,
                username: &snapshot.username,
                email: snapshot.email.as_deref(),
                email_verified: snapshot.email_verified,
                custom_attributes: &snapshot.custom,
                device_key: None,
                auth_time,
                origin_jti: &origin_jti,
                access_validity_secs: client.access_validity_secs,
                id_validity_secs: client.id_validity_secs,
                scope: &content.scope,
                groups: &content.groups.groups,
                roles: &content.groups.roles,
                preferred_role: content.groups.preferred_role.as_deref(),
                changes: changes.as_ref(),
            },
            self.now_secs(),
        );
        let refresh_token = with_refresh.then(|| {
            let grant = RefreshGrant::new(
                &pool.id,
                &client.id,
                user_key,
                &snapshot.sub,
                &origin_jti,
                None,
                auth_time,
                auth_time + client.refresh_validity_secs,
            )
            .with_scope(scope);
            self.sealing().seal(&grant)
        });
        let openid = scope.split_whitespace().any(|s| s == "openid");
        Ok(UserTokens {
            access_token: tokens.access_token,
            id_token: openid.then_some(tokens.id_token),
            refresh_token,
            expires_in: tokens.expires_in,
        })
    }

    /// The client a token or revoke request authenticates as: HTTP Basic,
    /// or `client_id` (and `client_secret`) in the form. `Err` is the
    /// response; the `bool` says whether Basic was used.
    fn token_client(
        &self,
        ctx: &Context<'_>,
        fields: &Params,
    ) -> Result<(Arc<Pool>, Arc<AppClient>, bool), Box<Response>> {
        let basic = ctx
            .header(header::AUTHORIZATION)
            .and_then(form::basic_credentials);
        let used_basic = basic.is_some();
        let (client_id, secret) = match basic {
            Some((id, secret)) => (Some(id), Some(secret)),
            None => (
                fields.get("client_id").map(str::to_owned),
                fields.get("client_secret").map(str::to_owned),
            ),
        };
        let Some(client_id) = client_id else {
            return Err(Box::new(token_error("invalid_request", false)));
        };
        let (pool, client) = self
            .client(&client_id)
            .ok()
            .filter(|(pool, _)| *pool.id == *ctx.pool_id)
            .ok_or_else(|| Box::new(token_error("invalid_client", used_basic)))?;
        if !client.secret_matches(secret.as_deref()) {
            return Err(Box::new(token_error("invalid_client", used_basic)));
        }
        Ok((pool, client, used_basic))
    }

    /// POST `/oauth2/token`.
    pub(super) async fn token(&self, ctx: &Context<'_>) -> Response {
        if !form_body(ctx) {
            return token_error("invalid_request", false);
        }
        let fields = Params::new(&String::from_utf8_lossy(ctx.request.body));
        let Some(grant_type) = fields.get("grant_type") else {
            return token_error("invalid_request", false);
        };
        if !matches!(
            grant_type,
            "authorization_code" | "refresh_token" | "client_credentials"
        ) {
            return token_error("unsupported_grant_type", false);
        }
        let (pool, client, _) = match self.token_client(ctx, &fields) {
            Ok(found) => found,
            Err(response) => return *response,
        };
        match grant_type {
            "authorization_code" => self.redeem_code(&pool, &client, &fields).await,
            "refresh_token" => self.refresh_grant(&pool, &client, &fields).await,
            _ => self.client_credentials(&pool, &client, &fields),
        }
    }

    async fn redeem_code(&self, pool: &Pool, client: &AppClient, fields: &Params) -> Response {
        if !client.oauth.allows("code") {
            return token_error("unauthorized_client", false);
        }
        let (Some(code), Some(redirect_uri)) = (fields.get("code"), fields.get("redirect_uri"))
        else {
            return token_error("invalid_request", false);
        };
        let Some(grant) = self.hosted.take_code(code, self.now_secs()) else {
            return token_error("invalid_grant", false);
        };
        if grant.client_id != *client.id
            || grant.pool_id != *pool.id
            || grant.redirect_uri != redirect_uri
        {
            return token_error("invalid_grant", false);
        }
        if let Some(challenge) = &grant.challenge {
            let verified = fields
                .get("code_verifier")
                .is_some_and(|v| pkce_matches(challenge, v));
            if !verified {
                return token_error("invalid_grant", false);
            }
        }
        match self
            .user_tokens(
                pool,
                client,
                &grant.user_key,
                &grant.scope,
                grant.nonce.as_deref(),
                true,
            )
            .await
        {
            Ok(tokens) => {
                let mut body = json!({
                    "access_token": tokens.access_token,
                    "refresh_token": tokens.refresh_token,
                    "token_type": "Bearer",
                    "expires_in": tokens.expires_in,
                });
                if let Some(id_token) = tokens.id_token {
                    body["id_token"] = json!(id_token);
                }
                json_ok(body)
            }
            Err(_) => token_error("invalid_grant", false),
        }
    }

    async fn refresh_grant(&self, pool: &Pool, client: &AppClient, fields: &Params) -> Response {
        let Some(token) = fields.get("refresh_token") else {
            return token_error("invalid_request", false);
        };
        let proof = ClientProof::Secret(client.secret.as_deref());
        match self.refreshed_tokens(pool, client, token, proof).await {
            Ok((tokens, grant)) => {
                let mut body = json!({
                    "access_token": tokens.access_token,
                    "token_type": "Bearer",
                    "expires_in": tokens.expires_in,
                });
                let openid = grant
                    .scope
                    .as_deref()
                    .is_none_or(|s| s.split_whitespace().any(|s| s == "openid"));
                if openid {
                    body["id_token"] = json!(tokens.id_token);
                }
                json_ok(body)
            }
            Err(_) => token_error("invalid_grant", false),
        }
    }

    /// client_credentials: an access token for the client itself, with
    /// resource server scopes (developer guide, "Scopes, M2M, and resource
    /// servers"): `sub` and `client_id` are the client, no `username`, no
    /// ID or refresh token.
    fn client_credentials(&self, pool: &Pool, client: &AppClient, fields: &Params) -> Response {
        if !client.oauth.allows("client_credentials") {
            return token_error("unauthorized_client", false);
        }
        let Ok(scopes) = client_credentials_scopes(fields.get("scope"), &client.oauth) else {
            return token_error("invalid_scope", false);
        };
        let now = self.now_secs();
        let claims = json!({
            "sub": &*client.id,
            "token_use": "access",
            "scope": scopes.join(" "),
            "auth_time": now,
            "iss": self.issuer(&pool.id),
            "exp": now + client.access_validity_secs,
            "iat": now,
            "version": 2,
            "jti": crate::new_uuid().to_string(),
            "client_id": &*client.id,
        });
        json_ok(json!({
            "access_token": self.issuing_signer().sign_claims(&claims),
            "token_type": "Bearer",
            "expires_in": client.access_validity_secs,
        }))
    }

    /// GET or POST `/oauth2/userInfo`: the user's attributes within the
    /// access token's scopes (developer guide, userInfo endpoint: `openid`
    /// alone gives every attribute the client may read; `email`, `phone`
    /// and `profile` narrow it).
    pub(super) fn user_info(&self, ctx: &Context<'_>) -> Response {
        let Some(token) = ctx
            .header(header::AUTHORIZATION)
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
        else {
            return invalid_token("Access token is missing");
        };
        let Ok(pool) = self.pool(ctx.pool_id) else {
            return invalid_token("Invalid access token");
        };
        let claims = match self.signer().verify_access_token_at(
            token,
            &self.issuer(ctx.pool_id),
            self.now_secs(),
        ) {
            Ok(claims) => claims,
            Err(error) => return invalid_token(&error.to_string()),
        };
        let scopes: Vec<&str> = claims.scope.split_whitespace().collect();
        if !scopes.contains(&"openid") {
            return invalid_token("Access token does not have the openid scope");
        }
        if self.revocations.session_revoked(&claims.origin_jti) {
            return invalid_token("Access token has been revoked");
        }
        let Ok((_, client)) = self.client(&claims.client_id) else {
            return invalid_token("Invalid access token");
        };
        let settings = pool.settings();
        let user_key = settings.user_key(&claims.username);
        let table = pool.users.lock();
        let Some(user) = table.users().get(&user_key) else {
            return invalid_token("Access token has been revoked");
        };
        let started = origin_time(&claims.origin_jti).unwrap_or_default();
        if user.sub.to_string() != claims.sub || started <= user.revoked_before {
            return invalid_token("Access token has been revoked");
        }
        let readable = client_attributes(&client, "ReadAttributes");
        let narrowed = scopes
            .iter()
            .any(|s| matches!(*s, "email" | "phone" | "profile"));
        let in_scope = |name: &str| {
            if !narrowed {
                return true;
            }
            match name {
                "email" | "email_verified" => scopes.contains(&"email"),
                "phone_number" | "phone_number_verified" => scopes.contains(&"phone"),
                _ => scopes.contains(&"profile"),
            }
        };
        let mut body = Map::new();
        body.insert("sub".into(), json!(user.sub.to_string()));
        for (name, value) in user.attribute_pairs() {
            let may_read = readable.as_ref().is_none_or(|r| r.contains(&name));
            if name != "sub" && may_read && in_scope(name) {
                body.insert(name.to_owned(), json!(value));
            }
        }
        body.insert("username".into(), json!(&*user.username));
        json_ok(Value::Object(body))
    }

    /// POST `/oauth2/revoke`: ends a refresh token (and the tokens issued
    /// with it), with the client authenticated as for the token endpoint.
    pub(super) fn revoke(&self, ctx: &Context<'_>) -> Response {
        if !form_body(ctx) {
            return token_error("invalid_request", false);
        }
        let fields = Params::new(&String::from_utf8_lossy(ctx.request.body));
        let (_, client, basic) = match self.token_client(ctx, &fields) {
            Ok(found) => found,
            Err(response) => return *response,
        };
        let Some(token) = fields.get("token") else {
            return token_error("invalid_request", false);
        };
        let mut input = Map::new();
        input.insert("Token".into(), json!(token));
        input.insert("ClientId".into(), json!(&*client.id));
        if let Some(secret) = &client.secret {
            input.insert("ClientSecret".into(), json!(secret));
        }
        match self.revoke_token(&Input::new(&input)) {
            Ok(_) => respond(StatusCode::OK, "application/json", String::new()),
            Err(error) => token_error(
                match error.code {
                    "UnsupportedTokenTypeException" => "unsupported_token_type",
                    "UnauthorizedException" => "invalid_client",
                    "UnsupportedOperationException" => "unauthorized_client",
                    _ => "invalid_request",
                },
                basic,
            ),
        }
    }

    /// GET `/logout`: ends the browser session and redirects to a sign-out
    /// URL of the client (`logout_uri`), or back to the login page
    /// (`redirect_uri` with `response_type`, which must be a callback URL).
    pub(super) fn logout(&self, ctx: &Context<'_>) -> Response {
        let params = Params::new(ctx.request.query);
        let Some((_, client)) = params
            .get("client_id")
            .and_then(|id| self.client(id).ok())
            .filter(|(pool, _)| *pool.id == *ctx.pool_id)
        else {
            return error_page("invalid_request", "Invalid or missing client_id.");
        };
        let location = if let Some(logout_uri) = params.get("logout_uri") {
            if !registered(logout_uri, &client.oauth.logout_urls) {
                return error_page(
                    "redirect_mismatch",
                    "logout_uri is not one of the app client's sign-out URLs.",
                );
            }
            logout_uri.to_owned()
        } else if let Some(redirect_uri) = params.get("redirect_uri") {
            if !registered(redirect_uri, &client.oauth.callback_urls) {
                return error_page(
                    "redirect_mismatch",
                    "redirect_uri is not one of the app client's callback URLs.",
                );
            }
            if params.get("response_type").is_none() {
                return error_page("invalid_request", "response_type is missing.");
            }
            ctx.login_url()
        } else {
            return error_page("invalid_request", "logout_uri or redirect_uri is missing.");
        };
        if let Some(cookie) = ctx.cookie(SESSION_COOKIE) {
            self.hosted.end_session(cookie);
        }
        let mut response = redirect(&location);
        add_cookie(&mut response, &ctx.set_cookie(SESSION_COOKIE, "", 0));
        response
    }
}
