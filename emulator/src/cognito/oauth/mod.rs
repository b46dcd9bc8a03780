//! A user pool domain's endpoints (Cognito developer guide, "User pool
//! endpoints and managed login reference"): `/oauth2/authorize`, the
//! `/login` page, `/oauth2/token`, `/oauth2/userInfo`, `/oauth2/revoke`
//! and `/logout`, for every domain CreateUserPoolDomain made.
//!
//! A domain is addressed offline two ways: by path on the emulator's one
//! port, `/domains/{domain}/oauth2/authorize` (any HTTP client; what the
//! openid-configuration lists), and by the `Host` header
//! `{domain}.auth.{region}.amazoncognito.com` or `{domain}.localhost`
//! (browsers resolve `*.localhost` to loopback), with Cognito's own paths.
//!
//! Handlers here are thin: the rules are in `request` (scopes, PKCE,
//! redirects), the pages in `html`, the wire details in `form`, and what
//! lasts between requests in `state::oauth`.

mod endpoints;
pub(crate) mod form;
pub(crate) mod html;
pub(crate) mod request;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::CognitoService;

/// The path prefix that addresses a domain on the emulator's port (no AWS
/// route of the emulator starts with it).
pub const DOMAIN_PATH_PREFIX: &str = "/domains/";

/// One request to a domain's endpoints.
pub struct HostedRequest<'a> {
    pub method: &'a str,
    /// The path after the domain's prefix (`/oauth2/token`).
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// The domain a `Host` header names: `{domain}.auth.{region}.amazoncognito.com`
/// or `{domain}.localhost` (with or without a port).
pub fn domain_of_host(host: &str) -> Option<&str> {
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    if let Some(name) = host.strip_suffix(".localhost") {
        return (!name.is_empty() && !name.contains('.')).then_some(name);
    }
    let rest = host.strip_suffix(".amazoncognito.com")?;
    let (name, rest) = rest.split_once(".auth.")?;
    (!name.is_empty() && !name.contains('.') && !rest.contains('.')).then_some(name)
}

/// A response with a status, a body and its content type.
fn respond(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn html(status: StatusCode, body: String) -> Response {
    respond(status, "text/html; charset=utf-8", body)
}

/// The JSON error of the token, revoke and userInfo endpoints.
fn oauth_error(status: StatusCode, error: &str) -> Response {
    respond(
        status,
        "application/json",
        json!({ "error": error }).to_string(),
    )
}

/// A `302 Found` to `location`.
fn redirect(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn add_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

impl CognitoService {
    /// Serves one request to the endpoints of `domain`; `base` is the
    /// path prefix the request came through (`/domains/{domain}`, or empty
    /// when addressed by `Host`).
    pub async fn hosted(&self, domain: &str, base: &str, request: HostedRequest<'_>) -> Response {
        let pool_id = self
            .domains
            .lock()
            .get(domain)
            .map(|d| d.pool_id.clone())
            .filter(|id| self.pool(id).is_ok());
        let Some(pool_id) = pool_id else {
            return html(
                StatusCode::NOT_FOUND,
                html::error_page(
                    "not_found",
                    &format!("No user pool has the domain {domain}."),
                ),
            );
        };
        let context = endpoints::Context {
            pool_id: &pool_id,
            base,
            request: &request,
        };
        let response = match (request.method, request.path) {
            ("GET", "/oauth2/authorize" | "/authorize") => self.authorize(&context).await,
            ("GET", "/login") => self.login_page(&context),
            ("POST", "/login") => self.login_submit(&context).await,
            ("POST", "/oauth2/token") => self.token(&context).await,
            ("GET" | "POST", "/oauth2/userInfo") => self.user_info(&context),
            ("POST", "/oauth2/revoke") => self.revoke(&context),
            ("GET", "/logout") => self.logout(&context),
            ("GET", "/error") => {
                let params = form::Params::new(request.query);
                html(
                    StatusCode::BAD_REQUEST,
                    html::error_page(params.get("error").unwrap_or("invalid_request"), ""),
                )
            }
            _ => html(
                StatusCode::NOT_FOUND,
                html::error_page("not_found", "This domain serves no such page."),
            ),
        };
        tracing::info!(
            domain,
            method = request.method,
            path = request.path,
            status = response.status().as_u16(),
            "hosted endpoint"
        );
        response
    }

    /// Where a domain's endpoints are served on the emulator's port
    /// (`{endpoint}/domains/{domain}`): what the pool's openid-configuration
    /// lists, so an OpenID Connect client that starts from the issuer finds
    /// them offline.
    pub(super) fn hosted_base(&self, domain: &str) -> String {
        format!("{}{DOMAIN_PATH_PREFIX}{domain}", self.endpoint)
    }

    /// The log line for a new domain: where its endpoints are served.
    pub(super) fn log_domain_endpoints(&self, domain: &str) {
        tracing::info!(
            domain,
            "hosted sign-in: {}{DOMAIN_PATH_PREFIX}{domain}/oauth2/authorize (or Host {domain}.localhost / {domain}.auth.{}.amazoncognito.com)",
            self.endpoint,
            self.region
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_name_domains() {
        assert_eq!(
            domain_of_host("my-app.auth.us-east-1.amazoncognito.com"),
            Some("my-app")
        );
        assert_eq!(domain_of_host("my-app.localhost:4566"), Some("my-app"));
        assert_eq!(domain_of_host("my-app.localhost"), Some("my-app"));
        assert_eq!(domain_of_host("127.0.0.1:4566"), None);
        assert_eq!(domain_of_host("localhost:4566"), None);
        assert_eq!(domain_of_host("a.b.localhost"), None);
        assert_eq!(domain_of_host("cognito-idp.us-east-1.amazonaws.com"), None);
    }
}
