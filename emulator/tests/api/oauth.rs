//! A user pool domain's endpoints over plain HTTP, as a browser and an app
//! backend use them: `/oauth2/authorize`, the `/login` page (errors, MFA,
//! new password, CSRF, the session cookie), `/oauth2/token` (code with
//! PKCE, refresh, client credentials), `/oauth2/userInfo`,
//! `/oauth2/revoke` and `/logout`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_cognitoidentityprovider::types::{
    OAuthFlowType, ResourceServerScopeType, UserPoolMfaType,
};
use base64::Engine;
use emulator::Emulator;
use serde_json::Value;

use crate::groups::claims;
use crate::sdk_client::{self, Client, PASSWORD, RawResponse, raw};

const CALLBACK: &str = "https://app.example/callback";
const SIGNED_OUT: &str = "https://app.example/signed-out";
/// RFC 7636, appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// The parameters of a redirect's query (or fragment).
fn params_of(location: &str, separator: char) -> Vec<(String, String)> {
    let (_, tail) = location.split_once(separator).unwrap_or((location, ""));
    tail.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(n), decode(v))
        })
        .collect()
}

fn param(location: &str, separator: char, name: &str) -> Option<String> {
    params_of(location, separator)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

/// `name=value` of every Set-Cookie header.
fn set_cookies(response: &RawResponse) -> Vec<(String, String)> {
    response
        .headers
        .iter()
        .filter(|(n, _)| n == "set-cookie")
        .filter_map(|(_, v)| {
            let pair = v.split(';').next()?;
            let (n, v) = pair.split_once('=')?;
            Some((n.to_owned(), v.to_owned()))
        })
        .collect()
}

fn set_cookie_line<'a>(response: &'a RawResponse, name: &str) -> Option<&'a str> {
    response
        .headers
        .iter()
        .find(|(n, v)| n == "set-cookie" && v.starts_with(&format!("{name}=")))
        .map(|(_, v)| v.as_str())
}

/// The value of a hidden field of a page.
fn field(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker)? + marker.len();
    Some(body[start..].split('"').next()?.to_owned())
}

/// One pool with a domain, an app client with OAuth settings and a user.
struct Hosted {
    /// Its own emulator (`None` when the pool lives in another test's).
    emulator: Option<Emulator>,
    client: Client,
    endpoint: String,
    pool_id: String,
    client_id: String,
    base: String,
}

struct ClientSettings<'a> {
    secret: bool,
    flows: &'a [OAuthFlowType],
    scopes: &'a [&'a str],
}

const CODE_CLIENT: ClientSettings<'static> = ClientSettings {
    secret: false,
    flows: &[OAuthFlowType::Code, OAuthFlowType::Implicit],
    scopes: &[
        "openid",
        "email",
        "profile",
        "aws.cognito.signin.user.admin",
    ],
};

impl Hosted {
    async fn start(settings: ClientSettings<'_>) -> Self {
        let (emulator, client) = sdk_client::start().await;
        let pool_id = sdk_client::pool(&client).await;
        let endpoint = emulator.endpoint();
        Self::configure(Some(emulator), client, endpoint, pool_id, settings).await
    }

    /// Gives `pool_id` a domain, a resource server and an OAuth app client.
    async fn configure(
        emulator: Option<Emulator>,
        client: Client,
        endpoint: String,
        pool_id: String,
        settings: ClientSettings<'_>,
    ) -> Self {
        let domain = format!(
            "auth-{}",
            pool_id.rsplit('_').next().unwrap().to_lowercase()
        );
        client
            .create_user_pool_domain()
            .user_pool_id(&pool_id)
            .domain(&domain)
            .send()
            .await
            .unwrap();
        client
            .create_resource_server()
            .user_pool_id(&pool_id)
            .identifier("https://api.example")
            .name("api")
            .scopes(scope("read"))
            .scopes(scope("write"))
            .send()
            .await
            .unwrap();
        let created = client
            .create_user_pool_client()
            .user_pool_id(&pool_id)
            .client_name("web")
            .generate_secret(settings.secret)
            .allowed_o_auth_flows_user_pool_client(true)
            .set_allowed_o_auth_flows(Some(settings.flows.to_vec()))
            .set_allowed_o_auth_scopes(Some(settings.scopes.iter().map(|s| s.to_string()).collect()))
            .set_callback_urls(
                (!settings.flows.contains(&OAuthFlowType::ClientCredentials))
                    .then(|| vec![CALLBACK.to_owned(), "http://localhost:3000/cb".to_owned()]),
            )
            .logout_urls(SIGNED_OUT)
            .supported_identity_providers("COGNITO")
            .explicit_auth_flows(aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .send()
            .await
            .expect("CreateUserPoolClient with OAuth settings");
        let client_id = created
            .user_pool_client()
            .unwrap()
            .client_id()
            .unwrap()
            .to_owned();
        Hosted {
            emulator,
            client,
            endpoint,
            pool_id,
            client_id,
            base: format!("/domains/{domain}"),
        }
    }

    fn clock(&self) -> &Emulator {
        self.emulator.as_ref().expect("the test's own emulator")
    }

    async fn user(&self, name: &str) {
        sdk_client::confirmed_user(&self.client, &self.pool_id, &self.client_id, name).await;
    }

    async fn get(&self, path_and_query: &str, cookies: &str) -> RawResponse {
        let path = format!("{}{path_and_query}", self.base);
        let mut headers = Vec::new();
        if !cookies.is_empty() {
            headers.push(("cookie", cookies));
        }
        raw(&self.endpoint, "GET", &path, &headers, b"").await
    }

    async fn post(
        &self,
        path_and_query: &str,
        headers: &[(&str, &str)],
        form: &[(&str, &str)],
    ) -> RawResponse {
        let path = format!("{}{path_and_query}", self.base);
        let mut all = vec![("content-type", "application/x-www-form-urlencoded")];
        all.extend_from_slice(headers);
        raw(&self.endpoint, "POST", &path, &all, query(form).as_bytes()).await
    }

    /// The authorize parameters of the code flow.
    fn authorize_query(&self, extra: &[(&str, &str)]) -> String {
        let mut pairs = vec![
            ("response_type", "code"),
            ("client_id", self.client_id.as_str()),
            ("redirect_uri", CALLBACK),
            ("state", "xyz-state"),
            ("scope", "openid email"),
        ];
        pairs.extend_from_slice(extra);
        query(&pairs)
    }

    /// Loads the login page of `authorize_query`, returns its CSRF cookie
    /// header value and form token.
    async fn login_page(&self, authorize_query: &str) -> (String, String) {
        let page = self.get(&format!("/login?{authorize_query}"), "").await;
        assert_eq!(page.status, 200, "{}", page.body);
        let cookie = set_cookies(&page)
            .into_iter()
            .find(|(n, _)| n == "XSRF-TOKEN")
            .expect("the login page sets XSRF-TOKEN");
        let csrf = field(&page.body, "_csrf").expect("the form has _csrf");
        assert_eq!(cookie.1, csrf);
        (format!("XSRF-TOKEN={}", cookie.1), csrf)
    }

    /// Submits the login form (and whatever extra fields).
    async fn submit(
        &self,
        authorize_query: &str,
        csrf: &(String, String),
        fields: &[(&str, &str)],
    ) -> RawResponse {
        let mut form = vec![("_csrf", csrf.1.as_str())];
        form.extend_from_slice(fields);
        self.post(
            &format!("/login?{authorize_query}"),
            &[("cookie", &csrf.0)],
            &form,
        )
        .await
    }

    /// Signs `username` in through the form; returns the redirect and the session cookie.
    async fn sign_in(&self, authorize_query: &str, username: &str) -> (RawResponse, String) {
        let csrf = self.login_page(authorize_query).await;
        let done = self
            .submit(
                authorize_query,
                &csrf,
                &[("username", username), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(done.status, 302, "{}", done.body);
        let session = set_cookies(&done)
            .into_iter()
            .find(|(n, _)| n == "cognito")
            .map(|(_, v)| format!("cognito={v}"))
            .expect("a session cookie");
        (done, session)
    }

    async fn token(&self, form: &[(&str, &str)]) -> RawResponse {
        self.post("/oauth2/token", &[], form).await
    }
}

/// A GET with its own `Host` header; the response's head and body as text.
async fn get_with_host(endpoint: &str, host: &str, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = endpoint.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    String::from_utf8_lossy(&response).into_owned()
}

fn scope(name: &str) -> ResourceServerScopeType {
    ResourceServerScopeType::builder()
        .scope_name(name)
        .scope_description(format!("{name} things"))
        .build()
        .unwrap()
}

fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

#[tokio::test]
async fn the_code_flow_with_pkce_signs_in_through_the_form() {
    let hosted = Hosted::start(CODE_CLIENT).await;
    hosted.user("alice").await;
    let q = hosted.authorize_query(&[
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("nonce", "n-0S6_WzA2Mj"),
    ]);
    let authorize = hosted.get(&format!("/oauth2/authorize?{q}"), "").await;
    assert_eq!(authorize.status, 302);
    let to_login = authorize.header("location").unwrap();
    assert!(
        to_login.starts_with(&format!("{}/login?", hosted.base)),
        "{to_login}"
    );

    let page = hosted.get(&format!("/login?{q}"), "").await;
    assert!(page.body.contains("name=\"username\"") && page.body.contains("name=\"password\""));
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let (done, session) = hosted.sign_in(&q, "alice").await;
    let location = done.header("location").unwrap();
    assert!(location.starts_with(CALLBACK), "{location}");
    assert_eq!(param(location, '?', "state").as_deref(), Some("xyz-state"));
    let code = param(location, '?', "code").expect("a code");
    let cookie = set_cookie_line(&done, "cognito").unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains(&format!("Path={}", hosted.base)));

    // A wrong verifier spends nothing but fails; the right one redeems the code once.
    let wrong = hosted
        .token(&[
            ("grant_type", "authorization_code"),
            ("client_id", &hosted.client_id),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            (
                "code_verifier",
                "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK",
            ),
        ])
        .await;
    assert_eq!(
        (wrong.status, wrong.json()["error"].clone()),
        (400, "invalid_grant".into())
    );

    let (done, _) = hosted.sign_in(&q, "alice").await;
    let code = param(done.header("location").unwrap(), '?', "code").unwrap();
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", hosted.client_id.as_str()),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
        ("code_verifier", VERIFIER),
    ];
    let tokens = hosted.token(&form).await;
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    let body = tokens.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let access = claims(body["access_token"].as_str().unwrap());
    assert_eq!(access["scope"], "openid email");
    assert_eq!(access["username"], "alice");
    assert_eq!(access["client_id"], hosted.client_id.as_str());
    let id = claims(body["id_token"].as_str().unwrap());
    assert_eq!(id["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(id["aud"], hosted.client_id.as_str());
    assert_eq!(id["iss"], format!("{}/{}", hosted.endpoint, hosted.pool_id));
    assert!(body["refresh_token"].as_str().is_some());
    let again = hosted.token(&form).await;
    assert_eq!(
        again.json()["error"],
        "invalid_grant",
        "a code is single-use"
    );

    // The session cookie signs the browser in again without the form.
    let q2 = hosted.authorize_query(&[]);
    let silent = hosted
        .get(&format!("/oauth2/authorize?{q2}"), &session)
        .await;
    assert_eq!(silent.status, 302);
    assert!(
        silent
            .header("location")
            .unwrap()
            .starts_with(&format!("{CALLBACK}?code="))
    );
    // prompt=login asks again; prompt=none without a session is login_required.
    let forced = hosted
        .get(
            &format!(
                "/oauth2/authorize?{}",
                hosted.authorize_query(&[("prompt", "login")])
            ),
            &session,
        )
        .await;
    assert!(forced.header("location").unwrap().contains("/login?"));
    let none = hosted
        .get(
            &format!(
                "/oauth2/authorize?{}",
                hosted.authorize_query(&[("prompt", "none")])
            ),
            "",
        )
        .await;
    assert_eq!(
        param(none.header("location").unwrap(), '?', "error").as_deref(),
        Some("login_required")
    );

    // Refresh keeps the scopes.
    let refreshed = hosted
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", &hosted.client_id),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    assert_eq!(
        claims(refreshed.json()["access_token"].as_str().unwrap())["scope"],
        "openid email"
    );
    assert!(refreshed.json().get("refresh_token").is_none());
}

#[tokio::test]
async fn codes_expire_and_must_be_redeemed_with_their_redirect_uri_and_verifier() {
    let hosted = Hosted::start(CODE_CLIENT).await;
    hosted.user("bob").await;
    let redeem = |code: String, redirect: &'static str, verifier: Option<&'static str>| {
        let hosted = &hosted;
        async move {
            let mut form = vec![
                ("grant_type", "authorization_code"),
                ("client_id", hosted.client_id.as_str()),
                ("code", code.as_str()),
                ("redirect_uri", redirect),
            ];
            if let Some(v) = verifier {
                form.push(("code_verifier", v));
            }
            hosted.token(&form).await
        }
    };
    let code_for = |extra: Vec<(&'static str, &'static str)>| {
        let hosted = &hosted;
        async move {
            let q = hosted.authorize_query(&extra);
            let (done, _) = hosted.sign_in(&q, "bob").await;
            param(done.header("location").unwrap(), '?', "code").unwrap()
        }
    };
    // Another redirect URI than the authorize request's.
    let code = code_for(vec![]).await;
    let other = redeem(code, "http://localhost:3000/cb", None).await;
    assert_eq!(other.json()["error"], "invalid_grant");
    // No verifier for a PKCE code.
    let code = code_for(vec![
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ])
    .await;
    assert_eq!(
        redeem(code, CALLBACK, None).await.json()["error"],
        "invalid_grant"
    );
    // Expired after five minutes on the emulator's clock.
    let code = code_for(vec![]).await;
    hosted.clock().advance_clock(Duration::from_secs(301));
    assert_eq!(
        redeem(code, CALLBACK, None).await.json()["error"],
        "invalid_grant"
    );
    let code = code_for(vec![]).await;
    hosted.clock().advance_clock(Duration::from_secs(290));
    assert_eq!(redeem(code, CALLBACK, None).await.status, 200);
    // Missing pieces.
    let missing = hosted.token(&[("client_id", &hosted.client_id)]).await;
    assert_eq!(
        (missing.status, missing.json()["error"].clone()),
        (400, "invalid_request".into())
    );
    let unknown = hosted
        .token(&[("grant_type", "password"), ("client_id", &hosted.client_id)])
        .await;
    assert_eq!(unknown.json()["error"], "unsupported_grant_type");
    let no_code = hosted
        .token(&[
            ("grant_type", "authorization_code"),
            ("client_id", &hosted.client_id),
            ("redirect_uri", CALLBACK),
        ])
        .await;
    assert_eq!(no_code.json()["error"], "invalid_request");
    let json_body = raw(
        &hosted.endpoint,
        "POST",
        &format!("{}/oauth2/token", hosted.base),
        &[("content-type", "application/json")],
        br#"{"grant_type":"client_credentials"}"#,
    )
    .await;
    assert_eq!(
        (json_body.status, json_body.json()["error"].clone()),
        (400, "invalid_request".into())
    );
    let bogus = redeem("not-a-code".into(), CALLBACK, None).await;
    assert_eq!(bogus.json()["error"], "invalid_grant");
    let stranger = hosted
        .token(&[
            ("grant_type", "authorization_code"),
            ("client_id", "nosuchclient"),
            ("code", "x"),
            ("redirect_uri", CALLBACK),
        ])
        .await;
    assert_eq!(
        (stranger.status, stranger.json()["error"].clone()),
        (400, "invalid_client".into())
    );
}

#[tokio::test]
async fn authorize_refuses_bad_requests_without_redirecting_to_strangers() {
    let hosted = Hosted::start(CODE_CLIENT).await;
    let get = |q: String| {
        let hosted = &hosted;
        async move { hosted.get(&format!("/oauth2/authorize?{q}"), "").await }
    };
    let mismatch = get(query(&[
        ("response_type", "code"),
        ("client_id", &hosted.client_id),
        ("redirect_uri", "https://evil.example/callback"),
    ]))
    .await;
    assert_eq!(mismatch.status, 400);
    assert!(mismatch.header("location").is_none());
    assert!(
        mismatch.body.contains("redirect_mismatch"),
        "{}",
        mismatch.body
    );
    // A trailing slash is another URI.
    let slash = get(query(&[
        ("response_type", "code"),
        ("client_id", &hosted.client_id),
        ("redirect_uri", "https://app.example/callback/"),
    ]))
    .await;
    assert!(slash.body.contains("redirect_mismatch"));
    let unknown_client = get(query(&[
        ("response_type", "code"),
        ("client_id", "nosuch"),
        ("redirect_uri", CALLBACK),
    ]))
    .await;
    assert_eq!(unknown_client.status, 400);
    assert!(unknown_client.header("location").is_none());

    let error_of = |extra: Vec<(&'static str, &'static str)>, response_type: &'static str| {
        let hosted = &hosted;
        async move {
            let mut pairs = vec![
                ("response_type", response_type),
                ("client_id", hosted.client_id.as_str()),
                ("redirect_uri", CALLBACK),
                ("state", "s1"),
            ];
            pairs.extend(extra);
            let response = hosted
                .get(&format!("/oauth2/authorize?{}", query(&pairs)), "")
                .await;
            assert_eq!(response.status, 302, "{}", response.body);
            let location = response.header("location").unwrap().to_owned();
            assert!(location.starts_with(CALLBACK));
            assert_eq!(param(&location, '?', "state").as_deref(), Some("s1"));
            param(&location, '?', "error").unwrap_or_default()
        }
    };
    assert_eq!(
        error_of(vec![], "id_token").await,
        "unsupported_response_type"
    );
    assert_eq!(
        error_of(vec![("scope", "openid phone")], "code").await,
        "invalid_scope"
    );
    assert_eq!(
        error_of(vec![("scope", "https://api.example/read")], "code").await,
        "invalid_scope"
    );
    assert_eq!(
        error_of(vec![("identity_provider", "Google")], "code").await,
        "unauthorized_client"
    );
    // PKCE: plain is not served (S256 only), and a method needs a challenge.
    assert_eq!(
        error_of(
            vec![
                ("code_challenge", VERIFIER),
                ("code_challenge_method", "plain")
            ],
            "code"
        )
        .await,
        "invalid_request"
    );
    assert_eq!(
        error_of(vec![("code_challenge_method", "S256")], "code").await,
        "invalid_request"
    );
    let cognito = hosted
        .get(
            &format!(
                "/oauth2/authorize?{}",
                hosted.authorize_query(&[("identity_provider", "COGNITO")])
            ),
            "",
        )
        .await;
    assert!(
        cognito.header("location").unwrap().contains("/login?"),
        "COGNITO is served"
    );
    // The Host header addresses the domain too, with Cognito's own paths.
    let domain = hosted.base.trim_start_matches("/domains/");
    let host = format!("{domain}.localhost");
    let q = hosted.authorize_query(&[]);
    let by_host = get_with_host(&hosted.endpoint, &host, &format!("/oauth2/authorize?{q}")).await;
    assert!(by_host.starts_with("HTTP/1.1 302"), "{by_host}");
    assert!(
        by_host.to_lowercase().contains("\r\nlocation: /login?"),
        "{by_host}"
    );
    let cognito_host = format!("{domain}.auth.us-east-1.amazoncognito.com");
    let by_host = get_with_host(
        &hosted.endpoint,
        &cognito_host,
        &format!("/oauth2/authorize?{q}"),
    )
    .await;
    assert!(by_host.starts_with("HTTP/1.1 302"), "{by_host}");
    let unknown = hosted.endpoint.clone();
    let none = raw(
        &unknown,
        "GET",
        "/domains/no-such-domain/oauth2/authorize",
        &[],
        b"",
    )
    .await;
    assert_eq!(none.status, 404);
}

#[tokio::test]
async fn the_login_page_shows_errors_and_checks_csrf() {
    let hosted = Hosted::start(CODE_CLIENT).await;
    hosted.user("carol").await;
    let q = hosted.authorize_query(&[]);
    let csrf = hosted.login_page(&q).await;
    let wrong = hosted
        .submit(
            &q,
            &csrf,
            &[("username", "carol"), ("password", "Wrong-Horse-1")],
        )
        .await;
    assert_eq!(wrong.status, 200);
    assert!(
        wrong.body.contains("Incorrect username or password."),
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("value=\"carol\""));
    let unknown = hosted
        .submit(&q, &csrf, &[("username", "nobody"), ("password", PASSWORD)])
        .await;
    assert!(
        unknown.body.contains("User does not exist."),
        "{}",
        unknown.body
    );
    let markup = hosted
        .submit(
            &q,
            &csrf,
            &[("username", "<b>x</b>"), ("password", PASSWORD)],
        )
        .await;
    assert!(markup.body.contains("&lt;b&gt;x&lt;/b&gt;") && !markup.body.contains("<b>x</b>"));

    hosted
        .client
        .sign_up()
        .client_id(&hosted.client_id)
        .username("dave")
        .password(PASSWORD)
        .user_attributes(sdk_client::email("dave@example.com"))
        .send()
        .await
        .unwrap();
    let unconfirmed = hosted
        .submit(&q, &csrf, &[("username", "dave"), ("password", PASSWORD)])
        .await;
    assert!(
        unconfirmed.body.contains("User is not confirmed."),
        "{}",
        unconfirmed.body
    );

    // CSRF: no cookie, or a token that is not the cookie's, is refused.
    let forged = hosted
        .post(
            &format!("/login?{q}"),
            &[],
            &[
                ("_csrf", &csrf.1),
                ("username", "carol"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(set_cookies(&forged).iter().all(|(n, _)| n != "cognito"));
    let mismatched = hosted
        .post(
            &format!("/login?{q}"),
            &[("cookie", &csrf.0)],
            &[
                ("_csrf", "something-else"),
                ("username", "carol"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(mismatched.status, 403);

    // A client that hides whether users exist gets the password message.
    hosted
        .client
        .update_user_pool_client()
        .user_pool_id(&hosted.pool_id)
        .client_id(&hosted.client_id)
        .prevent_user_existence_errors(
            aws_sdk_cognitoidentityprovider::types::PreventUserExistenceErrorTypes::Enabled,
        )
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .callback_urls(CALLBACK)
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap();
    let hidden = hosted
        .submit(&q, &csrf, &[("username", "nobody"), ("password", PASSWORD)])
        .await;
    assert!(
        hidden.body.contains("Incorrect username or password."),
        "{}",
        hidden.body
    );
}

#[tokio::test]
async fn a_temporary_password_is_changed_and_totp_is_asked_on_the_page() {
    let hosted = Hosted::start(CODE_CLIENT).await;
    hosted
        .client
        .admin_create_user()
        .user_pool_id(&hosted.pool_id)
        .username("erin")
        .temporary_password("Temp-Horse-1")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let q = hosted.authorize_query(&[]);
    let csrf = hosted.login_page(&q).await;
    let step = hosted
        .submit(
            &q,
            &csrf,
            &[("username", "erin"), ("password", "Temp-Horse-1")],
        )
        .await;
    assert!(step.body.contains("name=\"new_password\""), "{}", step.body);
    let session = field(&step.body, "session").unwrap();
    let mismatch = hosted
        .submit(
            &q,
            &csrf,
            &[
                ("session", &session),
                ("new_password", PASSWORD),
                ("confirm_password", "other"),
            ],
        )
        .await;
    assert!(mismatch.body.contains("The passwords do not match."));
    let weak = hosted
        .submit(
            &q,
            &csrf,
            &[
                ("session", &session),
                ("new_password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert!(
        weak.body.contains("Password did not conform with policy"),
        "{}",
        weak.body
    );
    let changed = hosted
        .submit(
            &q,
            &csrf,
            &[
                ("session", &session),
                ("new_password", PASSWORD),
                ("confirm_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(changed.status, 302, "{}", changed.body);
    assert!(
        changed
            .header("location")
            .unwrap()
            .starts_with(&format!("{CALLBACK}?code="))
    );
    let user = hosted
        .client
        .admin_get_user()
        .user_pool_id(&hosted.pool_id)
        .username("erin")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "CONFIRMED");

    // TOTP: set up through the API, then asked for on the page.
    let signed_in = sdk_client::password_sign_in(&hosted.client, &hosted.client_id, "erin").await;
    let access = signed_in
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    let secret = hosted
        .client
        .associate_software_token()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    let secret = secret.secret_code().unwrap().to_owned();
    let now = || {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
    };
    hosted
        .client
        .verify_software_token()
        .access_token(&access)
        .user_code(emulator::cognito::totp::code_at(&secret, now()))
        .send()
        .await
        .unwrap();
    hosted
        .client
        .set_user_mfa_preference()
        .access_token(&access)
        .software_token_mfa_settings(
            aws_sdk_cognitoidentityprovider::types::SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    hosted
        .client
        .set_user_pool_mfa_config()
        .user_pool_id(&hosted.pool_id)
        .mfa_configuration(aws_sdk_cognitoidentityprovider::types::UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            aws_sdk_cognitoidentityprovider::types::SoftwareTokenMfaConfigType::builder()
                .enabled(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let _ = UserPoolMfaType::Optional;
    let step = hosted
        .submit(&q, &csrf, &[("username", "erin"), ("password", PASSWORD)])
        .await;
    assert!(step.body.contains("name=\"totpCode\""), "{}", step.body);
    let session = field(&step.body, "session").unwrap();
    let wrong = hosted
        .submit(&q, &csrf, &[("session", &session), ("totpCode", "000000")])
        .await;
    assert!(
        wrong.body.contains("Invalid code received for user"),
        "{}",
        wrong.body
    );
    // The code must not be the one just used for VerifySoftwareToken: move a step on.
    hosted.clock().advance_clock(Duration::from_secs(30));
    let code = emulator::cognito::totp::code_at(&secret, now() + 30);
    let done = hosted
        .submit(&q, &csrf, &[("session", &session), ("totpCode", &code)])
        .await;
    assert_eq!(done.status, 302, "{}", done.body);
    assert!(
        done.header("location")
            .unwrap()
            .starts_with(&format!("{CALLBACK}?code="))
    );
}

#[tokio::test]
async fn the_implicit_flow_returns_tokens_in_the_fragment() {
    let hosted = Hosted::start(CODE_CLIENT).await;
    hosted.user("frank").await;
    let q = query(&[
        ("response_type", "token"),
        ("client_id", &hosted.client_id),
        ("redirect_uri", "http://localhost:3000/cb"),
        ("state", "st"),
        ("scope", "openid profile"),
    ]);
    let (done, _) = hosted.sign_in(&q, "frank").await;
    let location = done.header("location").unwrap();
    assert!(
        location.starts_with("http://localhost:3000/cb#"),
        "{location}"
    );
    assert_eq!(
        param(location, '#', "token_type").as_deref(),
        Some("Bearer")
    );
    assert_eq!(param(location, '#', "state").as_deref(), Some("st"));
    assert!(param(location, '#', "refresh_token").is_none());
    let access = param(location, '#', "access_token").unwrap();
    assert_eq!(claims(&access)["scope"], "openid profile");
    assert!(param(location, '#', "id_token").is_some());
}

#[tokio::test]
async fn user_info_returns_the_attributes_within_the_scopes() {
    let hosted = Hosted::start(CODE_CLIENT).await;
    hosted.user("gina").await;
    let tokens_for = |scope: &'static str| {
        let hosted = &hosted;
        async move {
            let q = query(&[
                ("response_type", "token"),
                ("client_id", &hosted.client_id),
                ("redirect_uri", CALLBACK),
                ("scope", scope),
            ]);
            let (done, _) = hosted.sign_in(&q, "gina").await;
            param(done.header("location").unwrap(), '#', "access_token").unwrap()
        }
    };
    let access = tokens_for("openid email").await;
    let bearer = format!("Bearer {access}");
    let info = hosted
        .get_with("/oauth2/userInfo", &[("authorization", &bearer)])
        .await;
    assert_eq!(info.status, 200, "{}", info.body);
    let body: Value = info.json();
    assert_eq!(body["username"], "gina");
    assert_eq!(body["email"], "gina@example.com");
    assert!(body["sub"].as_str().is_some());
    let posted = hosted
        .post("/oauth2/userInfo", &[("authorization", &bearer)], &[])
        .await;
    assert_eq!(posted.json(), body);
    let profile_only = tokens_for("openid profile").await;
    let info = hosted
        .get_with(
            "/oauth2/userInfo",
            &[("authorization", &format!("Bearer {profile_only}"))],
        )
        .await;
    assert!(info.json().get("email").is_none(), "{}", info.body);
    // No openid scope, an API token, or none at all: refused.
    let no_openid = tokens_for("email").await;
    let refused = hosted
        .get_with(
            "/oauth2/userInfo",
            &[("authorization", &format!("Bearer {no_openid}"))],
        )
        .await;
    assert_eq!(
        (refused.status, refused.json()["error"].clone()),
        (401, "invalid_token".into())
    );
    let api = sdk_client::password_sign_in(&hosted.client, &hosted.client_id, "gina").await;
    let api = api
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    let refused = hosted
        .get_with(
            "/oauth2/userInfo",
            &[("authorization", &format!("Bearer {api}"))],
        )
        .await;
    assert_eq!(refused.status, 401);
    assert_eq!(hosted.get_with("/oauth2/userInfo", &[]).await.status, 401);
    // After GlobalSignOut the token is revoked.
    let admin = tokens_for("openid aws.cognito.signin.user.admin").await;
    hosted
        .client
        .global_sign_out()
        .access_token(&admin)
        .send()
        .await
        .unwrap();
    let revoked = hosted
        .get_with(
            "/oauth2/userInfo",
            &[("authorization", &format!("Bearer {admin}"))],
        )
        .await;
    assert_eq!(revoked.status, 401);
}

impl Hosted {
    async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> RawResponse {
        raw(
            &self.endpoint,
            "GET",
            &format!("{}{path}", self.base),
            headers,
            b"",
        )
        .await
    }
}

#[tokio::test]
async fn logout_ends_the_session_and_checks_its_urls() {
    let hosted = Hosted::start(CODE_CLIENT).await;
    hosted.user("hank").await;
    let q = hosted.authorize_query(&[]);
    let (_, session) = hosted.sign_in(&q, "hank").await;
    let bad = hosted
        .get(
            &format!(
                "/logout?{}",
                query(&[
                    ("client_id", &hosted.client_id),
                    ("logout_uri", "https://evil.example/")
                ])
            ),
            &session,
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("redirect_mismatch"));
    let missing = hosted
        .get(
            &format!("/logout?{}", query(&[("logout_uri", SIGNED_OUT)])),
            &session,
        )
        .await;
    assert_eq!(missing.status, 400);
    let out = hosted
        .get(
            &format!(
                "/logout?{}",
                query(&[("client_id", &hosted.client_id), ("logout_uri", SIGNED_OUT)])
            ),
            &session,
        )
        .await;
    assert_eq!(out.status, 302);
    assert_eq!(out.header("location"), Some(SIGNED_OUT));
    assert!(
        set_cookie_line(&out, "cognito")
            .unwrap()
            .contains("Max-Age=0")
    );
    // The old cookie no longer signs in.
    let again = hosted
        .get(&format!("/oauth2/authorize?{q}"), &session)
        .await;
    assert!(again.header("location").unwrap().contains("/login?"));
    // The redirect_uri form sends the browser back to sign in.
    let (_, session) = hosted.sign_in(&q, "hank").await;
    let back = hosted.get(&format!("/logout?{q}"), &session).await;
    assert_eq!(back.status, 302);
    assert!(
        back.header("location")
            .unwrap()
            .starts_with(&format!("{}/login?", hosted.base))
    );
    let again = hosted
        .get(&format!("/oauth2/authorize?{q}"), &session)
        .await;
    assert!(again.header("location").unwrap().contains("/login?"));
}

#[tokio::test]
async fn client_credentials_issue_access_tokens_with_resource_server_scopes() {
    let hosted = Hosted::start(ClientSettings {
        secret: true,
        flows: &[OAuthFlowType::ClientCredentials],
        scopes: &["https://api.example/read", "https://api.example/write"],
    })
    .await;
    let secret = hosted
        .client
        .describe_user_pool_client()
        .user_pool_id(&hosted.pool_id)
        .client_id(&hosted.client_id)
        .send()
        .await
        .unwrap()
        .user_pool_client()
        .unwrap()
        .client_secret()
        .unwrap()
        .to_owned();
    let auth = basic(&hosted.client_id, &secret);
    let by_basic = hosted
        .post(
            "/oauth2/token",
            &[("authorization", &auth)],
            &[
                ("grant_type", "client_credentials"),
                ("scope", "https://api.example/read"),
            ],
        )
        .await;
    assert_eq!(by_basic.status, 200, "{}", by_basic.body);
    let body = by_basic.json();
    assert!(body.get("id_token").is_none() && body.get("refresh_token").is_none());
    let access = claims(body["access_token"].as_str().unwrap());
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["client_id"], hosted.client_id.as_str());
    assert_eq!(access["sub"], hosted.client_id.as_str());
    assert_eq!(access["scope"], "https://api.example/read");
    assert!(access.get("username").is_none());
    let by_form = hosted
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &hosted.client_id),
            ("client_secret", &secret),
        ])
        .await;
    assert_eq!(
        claims(by_form.json()["access_token"].as_str().unwrap())["scope"],
        "https://api.example/read https://api.example/write"
    );
    let bad_scope = hosted
        .post(
            "/oauth2/token",
            &[("authorization", &auth)],
            &[("grant_type", "client_credentials"), ("scope", "openid")],
        )
        .await;
    assert_eq!(
        (bad_scope.status, bad_scope.json()["error"].clone()),
        (400, "invalid_scope".into())
    );
    let wrong = basic(&hosted.client_id, "not-the-secret");
    let refused = hosted
        .post(
            "/oauth2/token",
            &[("authorization", &wrong)],
            &[("grant_type", "client_credentials")],
        )
        .await;
    assert_eq!(
        (refused.status, refused.json()["error"].clone()),
        (401, "invalid_client".into())
    );
    assert!(refused.header("www-authenticate").is_some());
    let by_form_wrong = hosted
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &hosted.client_id),
            ("client_secret", "nope"),
        ])
        .await;
    assert_eq!(
        (by_form_wrong.status, by_form_wrong.json()["error"].clone()),
        (400, "invalid_client".into())
    );
    let code_grant = hosted
        .post(
            "/oauth2/token",
            &[("authorization", &auth)],
            &[
                ("grant_type", "authorization_code"),
                ("code", "x"),
                ("redirect_uri", CALLBACK),
            ],
        )
        .await;
    assert_eq!(code_grant.json()["error"], "unauthorized_client");
}

#[tokio::test]
async fn revoke_ends_a_refresh_token() {
    let hosted = Hosted::start(CODE_CLIENT).await;
    hosted.user("ivy").await;
    let q = hosted.authorize_query(&[]);
    let (done, _) = hosted.sign_in(&q, "ivy").await;
    let code = param(done.header("location").unwrap(), '?', "code").unwrap();
    let tokens = hosted
        .token(&[
            ("grant_type", "authorization_code"),
            ("client_id", &hosted.client_id),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ])
        .await
        .json();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    let jwt = hosted
        .post(
            "/oauth2/revoke",
            &[],
            &[("client_id", &hosted.client_id), ("token", access)],
        )
        .await;
    assert_eq!(jwt.json()["error"], "unsupported_token_type");
    let missing = hosted
        .post("/oauth2/revoke", &[], &[("client_id", &hosted.client_id)])
        .await;
    assert_eq!(missing.json()["error"], "invalid_request");
    let revoked = hosted
        .post(
            "/oauth2/revoke",
            &[],
            &[("client_id", &hosted.client_id), ("token", refresh)],
        )
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    let refreshed = hosted
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", &hosted.client_id),
            ("refresh_token", refresh),
        ])
        .await;
    assert_eq!(refreshed.json()["error"], "invalid_grant");
    let info = hosted
        .get_with(
            "/oauth2/userInfo",
            &[("authorization", &format!("Bearer {access}"))],
        )
        .await;
    assert_eq!(
        info.status, 401,
        "the access token of a revoked sign-in is refused"
    );
}

#[tokio::test]
async fn client_oauth_settings_are_validated_and_described() {
    let (_emulator, client) = sdk_client::start().await;
    let pool_id = sdk_client::pool(&client).await;
    let create = || {
        client
            .create_user_pool_client()
            .user_pool_id(&pool_id)
            .client_name("c")
    };
    let code = |r: Result<_, aws_sdk_cognitoidentityprovider::error::SdkError<_, _>>| {
        use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
        let err: aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::CreateUserPoolClientError =
            r.map(|_: aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::CreateUserPoolClientOutput| ()).unwrap_err().into_service_error();
        (
            err.code().unwrap_or_default().to_owned(),
            err.message().unwrap_or_default().to_owned(),
        )
    };
    let (c, m) = code(
        create()
            .allowed_o_auth_flows_user_pool_client(true)
            .send()
            .await,
    );
    assert_eq!(c, "InvalidParameterException");
    assert_eq!(
        m,
        "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows."
    );
    let (c, m) = code(
        create()
            .allowed_o_auth_flows_user_pool_client(true)
            .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
            .allowed_o_auth_scopes("openid")
            .send()
            .await,
    );
    assert_eq!(c, "InvalidOAuthFlowException");
    assert_eq!(
        m,
        "client_credentials flow can not be selected if client does not have a client secret."
    );
    let (c, _) = code(
        create()
            .generate_secret(true)
            .allowed_o_auth_flows_user_pool_client(true)
            .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
            .allowed_o_auth_flows(OAuthFlowType::Code)
            .allowed_o_auth_scopes("openid")
            .callback_urls(CALLBACK)
            .send()
            .await,
    );
    assert_eq!(c, "InvalidOAuthFlowException");
    let (c, m) = code(
        create()
            .allowed_o_auth_flows_user_pool_client(true)
            .allowed_o_auth_flows(OAuthFlowType::Code)
            .allowed_o_auth_scopes("openid")
            .send()
            .await,
    );
    assert_eq!(
        (c.as_str(), m.as_str()),
        (
            "InvalidOAuthFlowException",
            "CallbackUrls can not be empty when code flow or implicit flow is selected"
        )
    );
    let (c, _) = code(
        create()
            .allowed_o_auth_scopes("https://api.example/read")
            .send()
            .await,
    );
    assert_eq!(c, "ScopeDoesNotExistException");
    let (c, _) = code(create().callback_urls("http://app.example/cb").send().await);
    assert_eq!(c, "InvalidParameterException");
    let (c, _) = code(
        create()
            .callback_urls("https://app.example/cb#frag")
            .send()
            .await,
    );
    assert_eq!(c, "InvalidParameterException");
    let (c, _) = code(create().supported_identity_providers("Google").send().await);
    assert_eq!(c, "InvalidParameterException");
    let (c, _) = code(
        create()
            .callback_urls(CALLBACK)
            .default_redirect_uri("https://other.example/")
            .send()
            .await,
    );
    assert_eq!(c, "InvalidParameterException");

    let made = create()
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .callback_urls("http://localhost:8080/cb")
        .logout_urls(SIGNED_OUT)
        .default_redirect_uri("http://localhost:8080/cb")
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap();
    let id = made.user_pool_client().unwrap().client_id().unwrap();
    let described = client
        .describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(id)
        .send()
        .await
        .unwrap();
    let c = described.user_pool_client().unwrap();
    assert_eq!(c.allowed_o_auth_flows(), &[OAuthFlowType::Code]);
    assert_eq!(c.allowed_o_auth_scopes(), &["openid".to_owned()]);
    assert_eq!(c.callback_urls(), &["http://localhost:8080/cb".to_owned()]);
    assert_eq!(c.logout_urls(), &[SIGNED_OUT.to_owned()]);
    assert_eq!(c.default_redirect_uri(), Some("http://localhost:8080/cb"));
    assert_eq!(c.supported_identity_providers(), &["COGNITO".to_owned()]);
    assert_eq!(c.allowed_o_auth_flows_user_pool_client(), Some(true));
}

#[tokio::test]
async fn hosted_sign_in_runs_pre_token_generation_as_hosted_auth() {
    use crate::token_generation::{trigger_script, triggered_pool};
    use aws_sdk_cognitoidentityprovider::types::LambdaConfigType;
    let answer =
        r#"{"response":{"claimsOverrideDetails":{"claimsToAddOrOverride":{"tier":"gold"}}}}"#;
    let script = trigger_script(&format!("  ANSWER='{answer}'"));
    let pool = triggered_pool("pretoken-hosted", &script, |arn| {
        LambdaConfigType::builder()
            .pre_token_generation(arn)
            .build()
    })
    .await;
    let hosted = Hosted::configure(
        None,
        pool.cognito.clone(),
        pool.env.emulator.endpoint(),
        pool.id.clone(),
        CODE_CLIENT,
    )
    .await;
    hosted.user("judy").await;
    let q = hosted.authorize_query(&[]);
    let (done, _) = hosted.sign_in(&q, "judy").await;
    let code = param(done.header("location").unwrap(), '?', "code").unwrap();
    let tokens = hosted
        .token(&[
            ("grant_type", "authorization_code"),
            ("client_id", &hosted.client_id),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ])
        .await;
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    let id = pool
        .verified(tokens.json()["id_token"].as_str().unwrap())
        .await;
    assert_eq!(id["tier"], "gold");
    let event = &pool.events("pretoken-hosted", 1).await[0];
    assert_eq!(event["triggerSource"], "TokenGeneration_HostedAuth");
    assert_eq!(event["userName"], "judy");
    assert_eq!(
        event["callerContext"]["clientId"],
        hosted.client_id.as_str()
    );
}
