//! Signs a user in from the command line through a user pool domain: the
//! OAuth 2.0 authorization code flow with PKCE, as a desktop or
//! command-line app does it.
//!
//! 1. Discover the domain's endpoints from the pool's OpenID Connect issuer.
//! 2. Listen on `http://localhost:{port}/callback` for the redirect.
//! 3. Open the browser at `/oauth2/authorize` (or print the URL), with a
//!    random `state`, `nonce` and PKCE challenge.
//! 4. Check the redirect's `state`; redeem the code with the PKCE verifier.
//! 5. Verify the ID token (signature from the pool's keys, issuer, audience,
//!    expiry, nonce) and show the user's claims and `/oauth2/userInfo`.
//! 6. Refresh the tokens; revoke the refresh token (and see it refused).
//! 7. Sign out at `/logout`, which sends the browser back to `/signed-out`.
//!
//! ```sh
//! # A pool with a domain, and an app client with the callback URL
//! # http://localhost:8400/callback and the sign-out URL
//! # http://localhost:8400/signed-out (see the README):
//! cargo run -p oauth-sign-in -- --user-pool-id eu-west-1_AbC --client-id 1example23456789
//! # Offline, with no browser and no input (for CI and learning: the program
//! # plays the user itself):
//! cargo run -p emulator -- cargo run -p oauth-sign-in -- --demo
//! ```

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use example_cli::{ExampleError, RegionArg};
use oauth_sign_in::demo::{self, Created, FormUser};
use oauth_sign_in::flow::{self, PendingSignIn};
use oauth_sign_in::listener::{Listener, Redirect, redirect_uris};
use oauth_sign_in::{Endpoints, HttpClient, discovery, display, issuer_url};

/// Signs in through a user pool domain with the authorization code flow and PKCE.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user pool (its issuer is https://cognito-idp.REGION.amazonaws.com/POOL, or AWS_ENDPOINT_URL/POOL offline).
    #[arg(long, env = "USER_POOL_ID", required_unless_present_any = ["issuer", "demo"])]
    user_pool_id: Option<String>,
    /// The OpenID Connect issuer, instead of --user-pool-id.
    #[arg(long, conflicts_with = "user_pool_id")]
    issuer: Option<String>,
    /// The app client: allowed the code flow, with http://localhost:PORT/callback as a callback URL.
    #[arg(long, env = "CLIENT_ID", required_unless_present = "demo")]
    client_id: Option<String>,
    /// The app client's secret, if it has one.
    #[arg(long, env = "CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// Port of the loopback redirect: fixed, because Cognito matches callback URLs exactly.
    #[arg(long, default_value_t = 8400)]
    port: u16,
    /// Scopes to ask for (repeat the flag); `openid` gets an ID token.
    #[arg(long = "scope", default_values = ["openid", "email", "profile"])]
    scopes: Vec<String>,
    /// Print the sign-in and sign-out URLs instead of opening a browser.
    #[arg(long)]
    no_browser: bool,
    /// How long to wait for the browser to come back, in seconds.
    #[arg(long, default_value_t = 300)]
    timeout: u64,
    /// For CI and learning: create a pool, domain, client and user, play the user over HTTP, remove everything.
    #[arg(long, conflicts_with_all = ["user_pool_id", "issuer", "client_id", "client_secret", "no_browser"])]
    demo: bool,
    /// Print tokens in full instead of shortened.
    #[arg(long)]
    show_tokens: bool,
    #[command(flatten)]
    region: RegionArg,
}

/// How the user reaches the sign-in page.
enum Browser {
    /// The system's browser.
    Open,
    /// Print the URL for the user to open.
    Print,
    /// The demo plays the user itself.
    Demo {
        user: Box<FormUser>,
        username: String,
        password: String,
    },
}

struct SignIn<'a> {
    http: HttpClient,
    endpoints: Endpoints,
    client_id: &'a str,
    client_secret: Option<&'a str>,
    args: &'a Args,
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    example_cli::exit_code(run(&args).await)
}

async fn run(args: &Args) -> Result<(), ExampleError> {
    if args
        .scopes
        .iter()
        .any(|scope| scope.is_empty() || scope.contains(' '))
    {
        return Err(ExampleError::new(
            "--scope: give one scope per flag, without spaces.",
        ));
    }
    let config = example_cli::load_config(&args.region).await;
    let endpoint_url = config.endpoint_url().map(str::to_string);
    let http = HttpClient::new();
    if args.demo {
        return run_demo(args, &config, http).await;
    }
    let issuer = match (&args.issuer, &args.user_pool_id) {
        (Some(issuer), _) => issuer.clone(),
        (None, Some(pool)) => {
            let region = config
                .region()
                .ok_or_else(|| ExampleError::new("No Region: pass --region or set AWS_REGION."))?;
            issuer_url(pool, region.as_ref(), endpoint_url.as_deref())
        }
        (None, None) => return Err(ExampleError::new("Give --user-pool-id or --issuer.")),
    };
    let client_id = args.client_id.as_deref().unwrap_or_default();
    let browser = if args.no_browser {
        Browser::Print
    } else {
        Browser::Open
    };
    let endpoints = discovery::discover(&http, &issuer).await?;
    let sign_in = SignIn {
        http,
        endpoints,
        client_id,
        client_secret: args.client_secret.as_deref(),
        args,
    };
    sign_in.run(browser).await
}

/// Creates what the sign-in needs, runs it, and removes everything, also
/// when the sign-in fails or Ctrl-C is pressed.
async fn run_demo(
    args: &Args,
    config: &aws_config::SdkConfig,
    http: HttpClient,
) -> Result<(), ExampleError> {
    println!(
        "Demo mode: this program creates a pool and a user and plays the user itself, submitting the sign-in form over HTTP. It exists for CI and learning; a real app never sees the password."
    );
    let cognito = aws_sdk_cognitoidentityprovider::Client::new(config);
    let name = format!(
        "oauth-demo-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    let (callback, signed_out) = redirect_uris(args.port);
    let mut created = Created::default();
    let outcome = tokio::select! {
        outcome = async {
            let pool = demo::create(&cognito, &name, &callback, &signed_out, &mut created).await?;
            println!("Created user pool {} with the domain {name}, app client {} and user {}.", pool.user_pool_id, pool.client_id, pool.username);
            let region = config.region().map(|region| region.to_string()).unwrap_or_default();
            let issuer = issuer_url(&pool.user_pool_id, &region, config.endpoint_url());
            let endpoints = discovery::discover(&http, &issuer).await?;
            let browser = Browser::Demo {
                user: Box::new(FormUser::new(http.clone())),
                username: pool.username.clone(),
                password: pool.password.clone(),
            };
            SignIn { http: http.clone(), endpoints, client_id: &pool.client_id, client_secret: None, args }
                .run(browser)
                .await
        } => outcome,
        _ = tokio::signal::ctrl_c() => Err(ExampleError::new("Interrupted (Ctrl-C).")),
    };
    let failures = demo::remove(&cognito, &created).await;
    if let Some(pool) = &created.user_pool_id {
        if failures.is_empty() {
            println!("Removed the user pool {pool} and its domain.");
        }
    }
    if !failures.is_empty() {
        let left = format!("Could not remove: {}", failures.join("; "));
        return Err(match outcome {
            Err(err) => ExampleError::new(format!("{err} (and: {left})")),
            Ok(()) => ExampleError::new(left),
        });
    }
    outcome
}

impl SignIn<'_> {
    async fn run(self, mut browser: Browser) -> Result<(), ExampleError> {
        let args = self.args;
        println!("Issuer: {}", self.endpoints.issuer);
        println!("Authorization endpoint: {}", self.endpoints.authorize);
        let (callback, signed_out) = redirect_uris(args.port);
        let mut listener = Listener::start(args.port).await?;
        let client = flow::oauth_client(
            &self.endpoints,
            self.client_id,
            self.client_secret,
            &callback,
        )?;
        let PendingSignIn {
            url,
            state,
            nonce,
            pkce_verifier,
        } = flow::authorization_request(&client, &args.scopes);
        self.check_authorization_request(url.as_str(), &callback)
            .await?;

        match &mut browser {
            Browser::Open => {
                println!("Sign-in URL: {url}");
                if let Err(err) = open_browser(url.as_str()) {
                    println!("Could not open a browser ({err}): open the URL above yourself.");
                }
            }
            Browser::Print => println!("Sign-in URL: {url}"),
            Browser::Demo {
                user,
                username,
                password,
            } => {
                println!(
                    "Signing in as {username} on the domain's sign-in page (demo: submitting the form over HTTP)..."
                );
                let redirect = user
                    .sign_in(url.as_str(), username, password, &callback)
                    .await?;
                // Deliver the redirect to the listener, as a browser would.
                self.http.get(&redirect, None).await?;
            }
        }
        println!("Waiting for the redirect to {callback} ...");
        let query = loop {
            match self.wait(&mut listener).await? {
                Redirect::Callback(query) => break query,
                Redirect::SignedOut => continue,
            }
        };
        let code = flow::code_from_callback(&query, &state)?;
        println!("The redirect's state matches; redeeming the code with the PKCE verifier.");

        let tokens = flow::exchange_code(&self.http, &client, code, pkce_verifier).await?;
        let (access_token, id_token, refresh_token) = flow::token_strings(&tokens);
        let show = |token: &str| display::token(token, args.show_tokens);
        println!("Signed in.");
        println!("Access token: {}", show(&access_token));
        if let Some(id_token) = &id_token {
            println!("ID token: {}", show(id_token));
        }
        if let Some(refresh_token) = &refresh_token {
            println!("Refresh token: {}", show(refresh_token));
        }
        if let Some(expires_in) = oauth2::TokenResponse::expires_in(&tokens) {
            println!("Expires in: {} seconds", expires_in.as_secs());
        }

        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs() as i64)
            .unwrap_or_default();
        match &id_token {
            Some(id_token) => {
                let keys = flow::signing_keys(&self.http, &self.endpoints.jwks).await?;
                let claims = flow::verify_id_token(
                    id_token,
                    &keys,
                    &self.endpoints.issuer,
                    self.client_id,
                    &nonce,
                )?;
                println!(
                    "ID token verified: signature (pool's JWKS), issuer, audience, expiry, nonce."
                );
                println!("Claims:");
                for line in display::claim_lines(&claims, now) {
                    println!("{line}");
                }
            }
            None => println!("No ID token: the openid scope was not granted."),
        }

        let user_info = flow::user_info(&self.http, &self.endpoints, &access_token).await?;
        println!("userInfo:");
        for line in display::user_info_lines(&user_info) {
            println!("{line}");
        }

        if let Some(refresh_token) = &refresh_token {
            let refreshed = flow::refresh(&self.http, &client, refresh_token).await?;
            let (new_access, _, _) = flow::token_strings(&refreshed);
            println!("Refreshed: new access token {}", show(&new_access));

            flow::revoke(
                &self.http,
                &self.endpoints,
                self.client_id,
                self.client_secret,
                refresh_token,
            )
            .await?;
            println!("Revoked the refresh token.");
            match flow::refresh(&self.http, &client, refresh_token).await {
                Err(err) => println!("A refresh with it is now refused: {err}"),
                Ok(_) => {
                    return Err(ExampleError::new(
                        "The revoked refresh token still works: the revocation did not take effect.",
                    ));
                }
            }
        }

        let logout = flow::logout_url(&self.endpoints, self.client_id, &signed_out)?;
        match &mut browser {
            Browser::Open => {
                println!("Sign-out URL: {logout}");
                if let Err(err) = open_browser(logout.as_str()) {
                    println!("Could not open a browser ({err}): open the URL above yourself.");
                }
            }
            Browser::Print => println!("Sign-out URL: {logout}"),
            Browser::Demo { user, .. } => {
                let next = user.visit(logout.as_str(), &signed_out).await?;
                self.http.get(&next, None).await?;
            }
        }
        loop {
            match self.wait(&mut listener).await? {
                Redirect::SignedOut => break,
                // A stray second callback (a reloaded page) changes nothing.
                Redirect::Callback(_) => continue,
            }
        }
        println!("Signed out: the domain ended its session and sent the browser to {signed_out}.");
        Ok(())
    }

    /// The next redirect, or an error after `--timeout` seconds.
    async fn wait(&self, listener: &mut Listener) -> Result<Redirect, ExampleError> {
        let timeout = Duration::from_secs(self.args.timeout);
        match tokio::time::timeout(timeout, listener.next()).await {
            Ok(Some(redirect)) => Ok(redirect),
            Ok(None) => Err(ExampleError::new("The redirect listener stopped.")),
            Err(_) => Err(ExampleError::new(format!(
                "No redirect within {} seconds (--timeout).",
                self.args.timeout
            ))),
        }
    }

    /// Asks the authorization endpoint once before sending the user there:
    /// a callback URL the app client does not list (or a client that may not
    /// use the code flow) is refused on a page the program would never see,
    /// and the user would be left waiting. This makes it a clear error here.
    async fn check_authorization_request(
        &self,
        url: &str,
        callback: &str,
    ) -> Result<(), ExampleError> {
        let response = self.http.get(url, None).await?;
        let status = response.status();
        let location = response
            .headers()
            .get(hyper::http::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        let refused = if status.is_redirection() {
            let target = url::Url::parse(url).and_then(|base| base.join(location));
            match target {
                Ok(target) if !target.as_str().starts_with(callback) => target
                    .query_pairs()
                    .find(|(name, _)| name == "error")
                    .map(|(_, error)| error.into_owned()),
                _ => None,
            }
        } else if status.is_client_error() || status.is_server_error() {
            Some(format!(
                "{status} {}",
                demo::page_message(&oauth_sign_in::http::body_text(&response)).unwrap_or_default()
            ))
        } else {
            None
        };
        match refused {
            Some(error) => Err(ExampleError::new(format!(
                "The authorization endpoint refused the request: {error}. Is {callback} one of the app client's callback URLs, and is the client allowed the code flow and these scopes?"
            ))),
            None => Ok(()),
        }
    }
}

/// Opens a URL in the system's browser.
fn open_browser(url: &str) -> std::io::Result<()> {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(target_os = "windows") {
        let mut command = std::process::Command::new("cmd");
        command.args(["/C", "start", ""]);
        command
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
}
