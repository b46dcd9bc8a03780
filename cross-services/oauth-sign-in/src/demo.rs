//! The `--demo` mode: for CI and for learning, not how an app signs in.
//!
//! It creates a user pool with a domain, an app client whose callback URL
//! is the loopback listener, and a user; then it plays that user itself,
//! fetching the sign-in page and submitting its form over HTTP where a
//! person would type into a browser; and it removes everything at the end.
//! A real application never sees the user's password: the browser talks to
//! the domain, and the application only receives the redirect.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, ExplicitAuthFlowsType, MessageActionType, OAuthFlowType,
};
use example_cli::ExampleError;
use hyper::http::{HeaderValue, Request, Response, header};
use regex::Regex;

use crate::http::{HttpClient, body_text};

/// What the demo created, to remove it again.
#[derive(Debug, Default)]
pub struct Created {
    pub user_pool_id: Option<String>,
    pub domain: Option<String>,
}

/// The pool, domain, app client and user of a demo run.
#[derive(Debug, Clone)]
pub struct DemoPool {
    pub user_pool_id: String,
    pub client_id: String,
    pub username: String,
    pub password: String,
}

// snippet-start:[rust.cognito-idp.oauth.create-domain-and-client]
/// Creates a pool with a domain (a prefix of `amazoncognito.com` on AWS), an
/// app client allowed the authorization code flow with the given callback
/// and sign-out URLs, and a confirmed user with a permanent password.
pub async fn create(
    client: &Client,
    name: &str,
    callback_url: &str,
    logout_url: &str,
    created: &mut Created,
) -> Result<DemoPool, ExampleError> {
    let pool = client.create_user_pool().pool_name(name).send().await?;
    let user_pool_id = pool
        .user_pool()
        .and_then(|pool| pool.id())
        .ok_or_else(|| ExampleError::new("CreateUserPool returned no pool id."))?
        .to_string();
    created.user_pool_id = Some(user_pool_id.clone());

    client
        .create_user_pool_domain()
        .user_pool_id(&user_pool_id)
        .domain(name)
        .send()
        .await?;
    created.domain = Some(name.to_string());

    let app_client = client
        .create_user_pool_client()
        .user_pool_id(&user_pool_id)
        .client_name("oauth-sign-in")
        // The domain's sign-in page is Cognito's own directory of users.
        .supported_identity_providers("COGNITO")
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("profile")
        // Compared character by character with the authorization request's.
        .callback_urls(callback_url)
        .logout_urls(logout_url)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .send()
        .await?;
    let client_id = app_client
        .user_pool_client()
        .and_then(|app| app.client_id())
        .ok_or_else(|| ExampleError::new("CreateUserPoolClient returned no client id."))?
        .to_string();

    let username = "demo-user".to_string();
    // Random, never printed: only the demo's own form submission uses it.
    let password = format!("Demo-{}-9a", uuid::Uuid::new_v4().simple());
    client
        .admin_create_user()
        .user_pool_id(&user_pool_id)
        .username(&username)
        .user_attributes(attribute("email", "demo-user@example.com")?)
        .user_attributes(attribute("email_verified", "true")?)
        .message_action(MessageActionType::Suppress)
        .send()
        .await?;
    client
        .admin_set_user_password()
        .user_pool_id(&user_pool_id)
        .username(&username)
        .password(&password)
        .permanent(true)
        .send()
        .await?;
    Ok(DemoPool {
        user_pool_id,
        client_id,
        username,
        password,
    })
}
// snippet-end:[rust.cognito-idp.oauth.create-domain-and-client]

fn attribute(name: &str, value: &str) -> Result<AttributeType, ExampleError> {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .map_err(|err| ExampleError::new(err.to_string()))
}

/// Removes what [`create`] made: the domain first, because Cognito refuses
/// to delete a pool that still has one. Returns the failures, if any.
pub async fn remove(client: &Client, created: &Created) -> Vec<String> {
    let mut failures = Vec::new();
    if let (Some(pool), Some(domain)) = (&created.user_pool_id, &created.domain) {
        if let Err(err) = client
            .delete_user_pool_domain()
            .user_pool_id(pool)
            .domain(domain)
            .send()
            .await
        {
            failures.push(format!("domain {domain}: {}", ExampleError::from(err)));
        }
    }
    if let Some(pool) = &created.user_pool_id {
        if let Err(err) = client.delete_user_pool().user_pool_id(pool).send().await {
            failures.push(format!("user pool {pool}: {}", ExampleError::from(err)));
        }
    }
    failures
}

/// Stands in for the user and their browser: follows redirects, keeps the
/// domain's cookies, and submits the sign-in form.
pub struct FormUser {
    http: HttpClient,
    cookies: HashMap<String, String>,
}

/// The most redirects one step follows, as browsers cap them.
const MAX_REDIRECTS: usize = 10;

impl FormUser {
    pub fn new(http: HttpClient) -> Self {
        Self {
            http,
            cookies: HashMap::new(),
        }
    }

    async fn send(
        &mut self,
        mut request: Request<Vec<u8>>,
    ) -> Result<Response<Vec<u8>>, ExampleError> {
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ");
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                request.headers_mut().insert(header::COOKIE, value);
            }
        }
        let response = self
            .http
            .send(request)
            .await
            .map_err(|err| ExampleError::new(err.0))?;
        for set_cookie in response.headers().get_all(header::SET_COOKIE) {
            let Ok(text) = set_cookie.to_str() else {
                continue;
            };
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                let expired = text.to_ascii_lowercase().contains("max-age=0");
                if expired || value.is_empty() {
                    self.cookies.remove(name.trim());
                } else {
                    self.cookies
                        .insert(name.trim().to_string(), value.trim().to_string());
                }
            }
        }
        Ok(response)
    }

    /// GETs `url` and follows redirects until one leads to `stop_at` (the
    /// loopback listener), returning that URL, or until a page (returned
    /// with its URL). A redirect carrying an `error` elsewhere is the
    /// domain refusing the request (`redirect_mismatch`...).
    async fn follow(
        &mut self,
        first: Request<Vec<u8>>,
        stop_at: &str,
    ) -> Result<Step, ExampleError> {
        let mut url = first.uri().to_string();
        let mut request = first;
        for _ in 0..MAX_REDIRECTS {
            let response = self.send(request).await?;
            if response.status().is_redirection() {
                let location = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|value| value.to_str().ok())
                    .ok_or_else(|| ExampleError::new(format!("{url} redirected nowhere")))?;
                let next = url::Url::parse(&url)
                    .and_then(|base| base.join(location))
                    .map_err(|err| ExampleError::new(format!("{location}: {err}")))?;
                if next.as_str().starts_with(stop_at) {
                    return Ok(Step::Redirected(next.to_string()));
                }
                if let Some((_, error)) = next.query_pairs().find(|(name, _)| name == "error") {
                    return Err(ExampleError::new(format!(
                        "The domain refused the request: {error} (redirected to {next})"
                    )));
                }
                url = next.to_string();
                request = Request::get(&url)
                    .body(Vec::new())
                    .map_err(|err| ExampleError::new(err.to_string()))?;
                continue;
            }
            if !response.status().is_success() {
                return Err(ExampleError::new(format!(
                    "{url} answered {}: {}",
                    response.status(),
                    page_message(&body_text(&response)).unwrap_or_default()
                )));
            }
            return Ok(Step::Page {
                url,
                html: body_text(&response),
            });
        }
        Err(ExampleError::new(format!("{url}: too many redirects")))
    }

    // snippet-start:[rust.cognito-idp.oauth.demo-form-user]
    /// Opens the authorization URL as a browser would, fills the sign-in
    /// form's username and password, and submits it. Returns the URL the
    /// domain then redirects to: the callback with the code.
    pub async fn sign_in(
        &mut self,
        authorization_url: &str,
        username: &str,
        password: &str,
        redirect_uri: &str,
    ) -> Result<String, ExampleError> {
        let start = Request::get(authorization_url)
            .body(Vec::new())
            .map_err(|err| ExampleError::new(err.to_string()))?;
        let (page_url, html) = match self.follow(start, redirect_uri).await? {
            // A session cookie from an earlier sign-in: no form at all.
            Step::Redirected(callback) => return Ok(callback),
            Step::Page { url, html } => (url, html),
        };
        let form = SignInForm::parse(&html).ok_or_else(|| {
            ExampleError::new(format!(
                "{page_url} has no sign-in form with a password field."
            ))
        })?;
        let action = url::Url::parse(&page_url)
            .and_then(|base| base.join(&form.action))
            .map_err(|err| ExampleError::new(format!("{}: {err}", form.action)))?;
        let mut fields = form.hidden;
        fields.push(("username".into(), username.into()));
        fields.push(("password".into(), password.into()));
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&fields)
            .finish();
        let submit = Request::post(action.as_str())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.into_bytes())
            .map_err(|err| ExampleError::new(err.to_string()))?;
        match self.follow(submit, redirect_uri).await? {
            Step::Redirected(callback) => Ok(callback),
            Step::Page { html, .. } => Err(ExampleError::new(format!(
                "The sign-in page did not accept {username}: {}",
                page_message(&html).unwrap_or_else(|| "it showed a page again".into())
            ))),
        }
    }
    // snippet-end:[rust.cognito-idp.oauth.demo-form-user]

    /// Opens a URL (the sign-out URL) and follows it to `stop_at`.
    pub async fn visit(&mut self, url: &str, stop_at: &str) -> Result<String, ExampleError> {
        let request = Request::get(url)
            .body(Vec::new())
            .map_err(|err| ExampleError::new(err.to_string()))?;
        match self.follow(request, stop_at).await? {
            Step::Redirected(next) => Ok(next),
            Step::Page { url, html } => Err(ExampleError::new(format!(
                "{url} showed a page instead of redirecting to {stop_at}: {}",
                page_message(&html).unwrap_or_default()
            ))),
        }
    }
}

enum Step {
    Redirected(String),
    Page { url: String, html: String },
}

/// The parts of an HTML sign-in form the demo needs.
#[derive(Debug, PartialEq, Eq)]
pub struct SignInForm {
    pub action: String,
    /// Hidden fields (such as a CSRF token), sent back unchanged.
    pub hidden: Vec<(String, String)>,
}

impl SignInForm {
    /// The first form on the page that has a password field.
    pub fn parse(html: &str) -> Option<Self> {
        let form_re = Regex::new(r"(?is)<form\b([^>]*)>(.*?)</form>").expect("valid regex");
        let input_re = Regex::new(r"(?is)<input\b([^>]*)>").expect("valid regex");
        for form in form_re.captures_iter(html) {
            let inner = &form[2];
            let inputs: Vec<String> = input_re
                .captures_iter(inner)
                .map(|input| input[1].to_string())
                .collect();
            let has_password = inputs
                .iter()
                .any(|input| attribute_of(input, "type").as_deref() == Some("password"));
            if !has_password {
                continue;
            }
            let hidden = inputs
                .iter()
                .filter(|input| attribute_of(input, "type").as_deref() == Some("hidden"))
                .filter_map(|input| {
                    Some((
                        attribute_of(input, "name")?,
                        attribute_of(input, "value").unwrap_or_default(),
                    ))
                })
                .collect();
            return Some(Self {
                action: attribute_of(&form[1], "action").unwrap_or_default(),
                hidden,
            });
        }
        None
    }
}

/// An attribute's value from the inside of a tag, entities decoded.
fn attribute_of(tag: &str, name: &str) -> Option<String> {
    let re = Regex::new(&format!(
        r#"(?i)(?:^|\s){}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#,
        regex::escape(name)
    ))
    .expect("valid regex");
    let captures = re.captures(tag)?;
    let value = captures
        .get(1)
        .or_else(|| captures.get(2))
        .or_else(|| captures.get(3))?;
    Some(decode_entities(value.as_str()))
}

fn decode_entities(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The error a page shows (an element whose class mentions "error"), as text.
pub fn page_message(html: &str) -> Option<String> {
    let re = Regex::new(r#"(?is)<(\w+)[^>]*class\s*=\s*["'][^"']*error[^"']*["'][^>]*>(.*?)</(?:p|div|span|label|li)>"#)
        .expect("valid regex");
    let tags = Regex::new(r"(?s)<[^>]*>").expect("valid regex");
    re.captures_iter(html)
        .map(|captures| {
            decode_entities(tags.replace_all(&captures[2], "").trim())
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .find(|text| !text.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_with_a_password_field_is_found_with_its_hidden_fields() {
        let html = r#"<html><body>
            <form action="/search"><input name="q"></form>
            <form method="post" action="/login?client_id=c1&amp;state=s1">
              <input type="hidden" name="_csrf" value="tok&amp;en">
              <input type="text" name="username">
              <input type='password' name='password'>
              <input type="submit" value="Sign in">
            </form></body></html>"#;
        let form = SignInForm::parse(html).unwrap();
        assert_eq!(form.action, "/login?client_id=c1&state=s1");
        assert_eq!(
            form.hidden,
            vec![("_csrf".to_string(), "tok&en".to_string())]
        );
        assert_eq!(
            SignInForm::parse("<form action=x><input name=q></form>"),
            None
        );
    }

    #[test]
    fn the_page_error_is_read_as_text() {
        let html = r#"<p class="errorMessage" id="loginErrorMessage">Incorrect username or <b>password</b>.</p>"#;
        assert_eq!(
            page_message(html).as_deref(),
            Some("Incorrect username or password.")
        );
        assert_eq!(page_message("<p class='note'>hello</p>"), None);
    }
}
