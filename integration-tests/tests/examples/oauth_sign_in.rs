//! The OAuth 2.0 examples through a user pool domain: `oauth-sign-in` with
//! a real browser (headless Chromium driven over WebDriver) on the domain's
//! sign-in page, including the wrong-password and MFA pages; its `--demo`
//! mode; the failures it must report (a forged state, a refused code, a
//! callback URL the client does not list); and `machine-to-machine`.
//!
//! The browser tests need Debian's `chromium` and `chromium-driver`
//! packages (`.ci/run` installs them). Without them they fail, saying how
//! to install them. `UPDATE_SCREENSHOTS=1` makes them write the sign-in
//! pages' screenshots into `cross-services/oauth-sign-in/screenshots/`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ExplicitAuthFlowsType, MessageActionType, OAuthFlowType,
    SoftwareTokenMfaConfigType, SoftwareTokenMfaSettingsType, UserPoolMfaType,
};
use fantoccini::{ClientBuilder, Locator};
use integration_tests::{Authenticator, Target, unique};
use serde_json::Value;

const PASSWORD: &str = "Correct-Horse-7";

/// A port nothing listens on now, for the example's loopback redirect.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// A pool with a domain, an app client allowed the code flow with
/// `http://localhost:{port}/callback`, and a confirmed user. Removed (the
/// domain first, as Cognito requires) when dropped.
struct HostedPool {
    client: Client,
    pool_id: String,
    domain: String,
    client_id: String,
    username: String,
    port: u16,
}

impl HostedPool {
    async fn create(target: &Target) -> Self {
        let client = target.client().await;
        let port = free_port();
        let pool_id = client
            .create_user_pool()
            .pool_name(unique("oauth-test-"))
            .send()
            .await
            .expect("CreateUserPool")
            .user_pool()
            .and_then(|pool| pool.id().map(String::from))
            .expect("a pool id");
        let domain = unique("oauth-test-");
        let mut pool = HostedPool {
            client: client.clone(),
            pool_id: pool_id.clone(),
            domain: domain.clone(),
            client_id: String::new(),
            username: unique("user"),
            port,
        };
        client
            .create_user_pool_domain()
            .user_pool_id(&pool_id)
            .domain(&domain)
            .send()
            .await
            .expect("CreateUserPoolDomain");
        pool.client_id = client
            .create_user_pool_client()
            .user_pool_id(&pool_id)
            .client_name("oauth-sign-in")
            .supported_identity_providers("COGNITO")
            .allowed_o_auth_flows_user_pool_client(true)
            .allowed_o_auth_flows(OAuthFlowType::Code)
            .allowed_o_auth_scopes("openid")
            .allowed_o_auth_scopes("email")
            .allowed_o_auth_scopes("profile")
            .callback_urls(format!("http://localhost:{port}/callback"))
            .logout_urls(format!("http://localhost:{port}/signed-out"))
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .send()
            .await
            .expect("CreateUserPoolClient")
            .user_pool_client()
            .and_then(|app| app.client_id().map(String::from))
            .expect("a client id");
        client
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username(&pool.username)
            .user_attributes(attribute(
                "email",
                &format!("{}@example.com", pool.username),
            ))
            .user_attributes(attribute("email_verified", "true"))
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .expect("AdminCreateUser");
        client
            .admin_set_user_password()
            .user_pool_id(&pool_id)
            .username(&pool.username)
            .password(PASSWORD)
            .permanent(true)
            .send()
            .await
            .expect("AdminSetUserPassword");
        pool
    }

    /// Turns on MFA by authenticator app for the user, as the user would
    /// (AssociateSoftwareToken, VerifySoftwareToken), and returns the secret.
    async fn add_totp_mfa(&self) -> String {
        self.client
            .set_user_pool_mfa_config()
            .user_pool_id(&self.pool_id)
            .software_token_mfa_configuration(
                SoftwareTokenMfaConfigType::builder().enabled(true).build(),
            )
            .mfa_configuration(UserPoolMfaType::Optional)
            .send()
            .await
            .expect("SetUserPoolMfaConfig");
        let signed_in = self
            .client
            .admin_initiate_auth()
            .user_pool_id(&self.pool_id)
            .client_id(&self.client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", &self.username)
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .expect("AdminInitiateAuth");
        let access_token = signed_in
            .authentication_result()
            .and_then(|result| result.access_token())
            .expect("tokens before MFA is on")
            .to_string();
        self.client
            .associate_software_token()
            .access_token(&access_token)
            .send()
            .await
            .expect("AssociateSoftwareToken")
            .secret_code()
            .expect("a secret")
            .to_string()
    }

    fn command_args(&self) -> Vec<String> {
        vec![
            "--user-pool-id".into(),
            self.pool_id.clone(),
            "--client-id".into(),
            self.client_id.clone(),
            "--port".into(),
            self.port.to_string(),
            "--no-browser".into(),
            "--show-tokens".into(),
            "--timeout".into(),
            "60".into(),
        ]
    }
}

impl Drop for HostedPool {
    fn drop(&mut self) {
        let client = self.client.clone();
        let (pool_id, domain) = (self.pool_id.clone(), self.domain.clone());
        // Drop cannot await: remove on a runtime of its own.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let _ = client
                    .delete_user_pool_domain()
                    .user_pool_id(&pool_id)
                    .domain(&domain)
                    .send()
                    .await;
                if let Err(err) = client
                    .delete_user_pool()
                    .user_pool_id(&pool_id)
                    .send()
                    .await
                {
                    eprintln!("could not delete user pool {pool_id}: {err:?}");
                }
            });
        })
        .join();
    }
}

fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .expect("name and value")
}

/// A running example whose output is read line by line while it runs.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    stdout: Vec<String>,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Running {
    fn start(target: &Target, example: &str, args: &[String]) -> Self {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = target
            .command(example, &args, &[])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| panic!("could not start {example}: {err}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stderr = child.stderr.take().expect("piped stderr");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Running {
            child,
            lines,
            stdout: Vec::new(),
            stderr: Some(stderr),
        }
    }

    /// Waits for a `Label: value` line and returns the value.
    fn value(&mut self, label: &str) -> String {
        let prefix = format!("{label}: ");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.stdout.push(line.clone());
                    if let Some(value) = line.trim_start().strip_prefix(&prefix) {
                        return value.trim().to_string();
                    }
                }
                Err(_) => panic!("no `{label}:` line; printed:\n{}", self.stdout.join("\n")),
            }
        }
    }

    /// Waits for the program to end: its exit status, stdout and stderr.
    fn finish(mut self) -> (bool, Option<i32>, String, String) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for the example") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "the example did not end; printed:\n{}",
                    self.stdout.join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.stdout.push(line);
        }
        let stderr = self
            .stderr
            .take()
            .and_then(|reader| reader.join().ok())
            .unwrap_or_default();
        let stdout = std::mem::take(&mut self.stdout).join("\n");
        (status.success(), status.code(), stdout, stderr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One plain HTTP GET to the example's loopback listener, as a browser
/// that was sent there would make it.
fn visit(port: u16, path_and_query: &str) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("the listener accepts");
    write!(
        stream,
        "GET {path_and_query} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n"
    )
    .expect("send the request");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
}

/// The claims of a JWT the example printed, unverified (the example verified it).
fn claims(token: &str) -> Value {
    jsonwebtoken::dangerous::insecure_decode::<Value>(token)
        .expect("a JWT")
        .claims
}

/// Headless Chromium through chromedriver (Debian's `chromium` and
/// `chromium-driver`), closed when dropped.
struct Browser {
    driver: Child,
    session: Option<fantoccini::Client>,
}

const INSTALL_CHROMIUM: &str = "The browser tests need Chromium and its WebDriver: apt-get install chromium chromium-driver (or set CHROMIUM and CHROMEDRIVER to their paths).";

fn find_program(variable: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

impl Browser {
    async fn start() -> Self {
        let chromium = find_program("CHROMIUM", &["chromium", "chromium-browser"])
            .unwrap_or_else(|| panic!("Chromium is not installed. {INSTALL_CHROMIUM}"));
        let chromedriver = find_program("CHROMEDRIVER", &["chromedriver"])
            .unwrap_or_else(|| panic!("chromedriver is not installed. {INSTALL_CHROMIUM}"));
        let port = free_port();
        // A process group of its own: the Chromium it starts joins it, so a
        // failing test (which never closes the session) still ends both.
        let driver = Command::new(&chromedriver)
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| {
                panic!(
                    "could not start {}: {err}. {INSTALL_CHROMIUM}",
                    chromedriver.display()
                )
            });
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not start listening"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=900,900"],
            }),
        );
        let session = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|err| {
                panic!("could not start a Chromium session: {err}. {INSTALL_CHROMIUM}")
            });
        Browser {
            driver,
            session: Some(session),
        }
    }

    fn session(&self) -> &fantoccini::Client {
        self.session.as_ref().expect("an open session")
    }

    /// Types into the sign-in form's username and password and submits it.
    async fn sign_in(&self, username: &str, password: &str) {
        let session = self.session();
        session
            .wait()
            .for_element(Locator::Css("input[name=username]"))
            .await
            .expect("a username field")
            .send_keys(username)
            .await
            .expect("type the username");
        session
            .find(Locator::Css("input[name=password]"))
            .await
            .expect("a password field")
            .send_keys(password)
            .await
            .expect("type the password");
        self.submit().await;
    }

    /// Clicks the visible form's submit button.
    async fn submit(&self) {
        self.session()
            .find(Locator::Css("form [type=submit]"))
            .await
            .expect("a submit button")
            .click()
            .await
            .expect("submit the form");
    }

    /// Waits until the page's title is `title` (the listener's pages).
    async fn wait_for_title(&self, title: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let now = self.session().title().await.unwrap_or_default();
            if now == title {
                return;
            }
            if Instant::now() > deadline {
                let url = self.session().current_url().await.map(|u| u.to_string());
                let source = self.session().source().await.unwrap_or_default();
                panic!("the page never became {title:?}: at {url:?}, title {now:?}\n{source}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The page's error message (an element whose class mentions "error",
    /// or an alert), once it shows.
    async fn error_message(&self) -> String {
        let element = self
            .session()
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("[class*=error], [role=alert]"))
            .await
            .expect("the page shows an error");
        element.text().await.expect("the error's text")
    }

    /// Writes the page's screenshot into the example's folder, only when
    /// `UPDATE_SCREENSHOTS=1`: a normal test run leaves the tree clean.
    async fn screenshot(&self, name: &str) {
        if std::env::var("UPDATE_SCREENSHOTS").as_deref() != Ok("1") {
            return;
        }
        let png = self.session().screenshot().await.expect("a screenshot");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../cross-services/oauth-sign-in/screenshots");
        std::fs::create_dir_all(&dir).expect("the screenshots folder");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write the screenshot");
    }

    async fn close(mut self) {
        if let Some(session) = self.session.take() {
            let _ = session.close().await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Ok(group) = i32::try_from(self.driver.id()) {
            // SAFETY: kill(2) with a negative pid signals that process group:
            // chromedriver's, which only it and its Chromium belong to.
            unsafe {
                libc::kill(-group, libc::SIGKILL);
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The whole sign-in in Chromium: the example prints the URL, the browser
/// signs in on the domain's page and is sent to the example's listener, the
/// example redeems the code and verifies the tokens, and the browser follows
/// the sign-out URL.
#[tokio::test(flavor = "multi_thread")]
async fn a_browser_signs_in_on_the_hosted_page() {
    let target = Target::from_env().await;
    if target.is_live() {
        eprintln!(
            "skipped live: the test types into this repository's emulator's page; run the example by hand against AWS"
        );
        return;
    }
    let pool = HostedPool::create(&target).await;
    let browser = Browser::start().await;
    let mut run = Running::start(&target, "oauth-sign-in", &pool.command_args());
    let url = run.value("Sign-in URL");
    browser
        .session()
        .goto(&url)
        .await
        .expect("open the sign-in page");
    browser
        .session()
        .wait()
        .for_element(Locator::Css("input[name=password]"))
        .await
        .expect("the sign-in page");
    browser.screenshot("sign-in").await;
    browser.sign_in(&pool.username, PASSWORD).await;
    browser.wait_for_title("Signed in").await;

    let id_token = run.value("ID token");
    let sign_out = run.value("Sign-out URL");
    browser.session().goto(&sign_out).await.expect("sign out");
    browser.wait_for_title("Signed out").await;
    browser.close().await;
    let (success, code, stdout, stderr) = run.finish();
    assert!(
        success,
        "exit {code:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );

    let id = claims(&id_token);
    assert_eq!(id["aud"], pool.client_id.as_str());
    assert_eq!(id["cognito:username"], pool.username.as_str());
    assert_eq!(id["token_use"], "id");
    assert!(stdout.contains("ID token verified"), "{stdout}");
    assert!(
        stdout.contains(&format!("  email: {}@example.com", pool.username)),
        "userInfo and claims show the email:\n{stdout}"
    );
    assert!(stdout.contains("Revoked the refresh token."), "{stdout}");
    assert!(
        stdout.contains("A refresh with it is now refused"),
        "{stdout}"
    );
    assert!(stdout.contains("Signed out"), "{stdout}");
}

/// A wrong password keeps the user on the sign-in page with an error; with
/// MFA on, the right password leads to the code page, and the right code to
/// the example's listener.
#[tokio::test(flavor = "multi_thread")]
async fn the_wrong_password_and_mfa_pages() {
    let target = Target::from_env().await;
    if target.is_live() {
        eprintln!("skipped live: the test types into this repository's emulator's page");
        return;
    }
    let pool = HostedPool::create(&target).await;
    let secret = pool.add_totp_mfa().await;
    let mut authenticator = Authenticator::new(&target, &secret);
    pool.client
        .verify_software_token()
        .access_token(
            pool.client
                .admin_initiate_auth()
                .user_pool_id(&pool.pool_id)
                .client_id(&pool.client_id)
                .auth_flow(AuthFlowType::AdminUserPasswordAuth)
                .auth_parameters("USERNAME", &pool.username)
                .auth_parameters("PASSWORD", PASSWORD)
                .send()
                .await
                .expect("AdminInitiateAuth")
                .authentication_result()
                .and_then(|result| result.access_token())
                .expect("tokens"),
        )
        .user_code(authenticator.next_code())
        .send()
        .await
        .expect("VerifySoftwareToken");
    pool.client
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool.pool_id)
        .username(&pool.username)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .expect("AdminSetUserMFAPreference");

    let browser = Browser::start().await;
    let mut run = Running::start(&target, "oauth-sign-in", &pool.command_args());
    let url = run.value("Sign-in URL");
    browser
        .session()
        .goto(&url)
        .await
        .expect("open the sign-in page");

    browser.sign_in(&pool.username, "Wrong-Horse-8").await;
    let error = browser.error_message().await;
    assert!(
        error.to_lowercase().contains("incorrect"),
        "the page says the password is wrong: {error:?}"
    );
    browser.screenshot("wrong-password").await;

    // The form is shown again: now the right password.
    browser
        .session()
        .find(Locator::Css("input[name=username]"))
        .await
        .expect("the form again")
        .clear()
        .await
        .expect("clear the username");
    browser.sign_in(&pool.username, PASSWORD).await;
    let code_field = browser
        .session()
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(
            "form input:not([type=hidden]):not([type=submit]):not([name=username]):not([name=password])",
        ))
        .await
        .expect("the MFA page asks for a code");
    browser.screenshot("mfa").await;
    code_field
        .send_keys(&authenticator.next_code())
        .await
        .expect("type the code");
    browser.submit().await;
    browser.wait_for_title("Signed in").await;

    let id_token = run.value("ID token");
    assert_eq!(
        claims(&id_token)["cognito:username"],
        pool.username.as_str()
    );
    let sign_out = run.value("Sign-out URL");
    browser.session().goto(&sign_out).await.expect("sign out");
    browser.wait_for_title("Signed out").await;
    browser.close().await;
    let (success, code, stdout, stderr) = run.finish();
    assert!(
        success,
        "exit {code:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
}

/// The README's one command: everything offline, no browser, no input, and
/// nothing left behind.
#[tokio::test(flavor = "multi_thread")]
async fn the_demo_signs_in_and_removes_everything() {
    let target = Target::from_env().await;
    if target.is_live() {
        eprintln!("skipped live: --demo submits the emulator's form; run it by hand against AWS");
        return;
    }
    let port = free_port().to_string();
    let run = target
        .run(
            "oauth-sign-in",
            &["--demo", "--port", &port, "--show-tokens"],
        )
        .expect_success();
    let pool_id = run
        .stdout
        .lines()
        .find_map(|line| line.strip_prefix("Created user pool "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the demo names its pool")
        .to_string();
    let id = claims(&run.required("ID token"));
    assert_eq!(id["cognito:username"], "demo-user");
    assert_eq!(id["iss"], format!("{}/{pool_id}", target_endpoint(&target)));
    for expected in [
        "The redirect's state matches",
        "ID token verified",
        "userInfo:",
        "Refreshed: new access token",
        "A refresh with it is now refused",
        "Signed out",
        "Removed the user pool",
    ] {
        assert!(
            run.stdout.contains(expected),
            "no {expected:?} in:\n{}",
            run.stdout
        );
    }
    assert!(
        !run.stdout.contains("Demo-"),
        "the demo user's password is never printed"
    );
    let client = target.client().await;
    let described = client
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await;
    assert!(described.is_err(), "the demo's pool {pool_id} is gone");
}

fn target_endpoint(target: &Target) -> String {
    match target {
        Target::Offline(emulator) => emulator.endpoint().trim_end_matches('/').to_string(),
        Target::Live { .. } => unreachable!("offline only"),
    }
}

/// A redirect whose state is not the one the example sent is refused: the
/// code in it is never used.
#[tokio::test(flavor = "multi_thread")]
async fn a_forged_state_is_refused() {
    let target = Target::from_env().await;
    let pool = HostedPool::create(&target).await;
    let mut run = Running::start(&target, "oauth-sign-in", &pool.command_args());
    run.value("Sign-in URL");
    visit(pool.port, "/callback?code=stolen-code&state=forged");
    let (success, code, _, stderr) = run.finish();
    assert!(!success);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("state does not match"), "{stderr}");
}

/// A code the token endpoint does not know (with the right state) is an
/// error naming what the endpoint said.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_code_is_an_error() {
    let target = Target::from_env().await;
    let pool = HostedPool::create(&target).await;
    let mut run = Running::start(&target, "oauth-sign-in", &pool.command_args());
    let url = url::Url::parse(&run.value("Sign-in URL")).expect("a URL");
    let state = url
        .query_pairs()
        .find(|(name, _)| name == "state")
        .map(|(_, value)| value.into_owned())
        .expect("the URL has a state");
    visit(
        pool.port,
        &format!("/callback?code=not-a-real-code&state={state}"),
    );
    let (success, code, _, stderr) = run.finish();
    assert!(!success);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("invalid_grant"), "{stderr}");
}

/// A callback URL the app client does not list is refused by the domain;
/// the example says so at once instead of waiting for a redirect that
/// never comes.
#[tokio::test(flavor = "multi_thread")]
async fn an_unregistered_callback_url_is_an_error() {
    let target = Target::from_env().await;
    let pool = HostedPool::create(&target).await;
    let other_port = free_port().to_string();
    let mut args = pool.command_args();
    let position = args.iter().position(|arg| arg == "--port").expect("--port");
    args[position + 1] = other_port.clone();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let line = target.run("oauth-sign-in", &args).expect_failure();
    assert!(line.contains("refused the request"), "{line}");
    assert!(
        line.contains(&format!("http://localhost:{other_port}/callback")),
        "{line}"
    );
}

/// Client credentials: a token with the custom scope is accepted by the
/// protected API, one without it is refused, and a scope the client may not
/// ask for is refused by the token endpoint; nothing is left behind.
#[tokio::test(flavor = "multi_thread")]
async fn machine_to_machine_gets_a_scoped_token_and_calls_the_api() {
    let target = Target::from_env().await;
    if target.is_live() {
        eprintln!("skipped live: without --user-pool-id the example creates a pool and domain");
        return;
    }
    let run = target.run("machine-to-machine", &[]).expect_success();
    let pool_id = run
        .stdout
        .lines()
        .find_map(|line| line.strip_prefix("Created user pool "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the example names its pool")
        .to_string();
    for expected in [
        "GET /me -> 200",
        "scope: orders-api/read",
        "GET /me -> 403",
        "insufficient_scope",
        "invalid_scope",
        "Removed what the setup created.",
    ] {
        assert!(
            run.stdout.contains(expected),
            "no {expected:?} in:\n{}",
            run.stdout
        );
    }
    let client = target.client().await;
    assert!(
        client
            .describe_user_pool()
            .user_pool_id(&pool_id)
            .send()
            .await
            .is_err(),
        "the example's pool {pool_id} is gone"
    );
}
