//! The walk-through: everything the API accepts and refuses, shown live.
//!
//! 1. Creates a user pool with two app clients (one the API serves, one it
//!    does not), a group, and two users (alice in the group, bob not); and a
//!    second pool with one user, whose tokens the API must refuse.
//! 2. Signs each user in (AdminInitiateAuth, ADMIN_USER_PASSWORD_AUTH).
//! 3. Starts the API on a free local port and calls it with each token and
//!    with the bad ones: none, malformed, an ID token, another client's,
//!    another pool's, a tampered signature, an expired one (the same API
//!    with its clock two hours ahead); alice and bob on the group's route.
//! 4. Signs bob out everywhere (GlobalSignOut): the API still accepts his
//!    access token (local verification cannot know), GetUser does not.
//! 5. Deletes both pools: at the end, on failure and on Ctrl-C.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType, MessageActionType,
};
use example_cli::scenario::{self, Interrupt, Stop};
use example_cli::{ExampleError, RegionArg};
use http_body_util::BodyExt as _;
use protected_api::{ApiState, HttpJwks, Verifier, VerifierConfig};

/// Flags of `protected-api walk-through`.
#[derive(Debug, clap::Args)]
pub struct WalkThroughArgs {
    /// The group whose members may call GET /reports.
    #[arg(long, default_value = "admins")]
    group: String,
    /// Keep the user pools instead of deleting them at the end.
    #[arg(long)]
    keep: bool,
    /// Print tokens in full instead of shortened.
    #[arg(long)]
    show_tokens: bool,
    #[command(flatten)]
    region: RegionArg,
}

/// A user pool id is `{region}_{id}` (the API reference's pattern
/// `[\w-]+_[0-9a-zA-Z]+`).
pub fn check_pool_id(id: &str) -> Result<(), String> {
    let valid = id.split_once('_').is_some_and(|(region, rest)| {
        !region.is_empty()
            && region
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !rest.is_empty()
            && rest.chars().all(|c| c.is_ascii_alphanumeric())
    });
    if valid {
        Ok(())
    } else {
        Err(format!(
            "{id:?} is not a user pool id (they look like us-east-1_AbC123xyZ)."
        ))
    }
}

/// Access and ID token of one sign-in.
struct Tokens {
    access: String,
    id: String,
}

/// What the walk-through created, for the clean-up.
struct WalkThrough {
    client: Client,
    interrupt: Interrupt,
    args: WalkThroughArgs,
    region: Option<String>,
    endpoint: Option<String>,
    pools: Vec<String>,
    http: hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        http_body_util::Empty<axum::body::Bytes>,
    >,
}

pub async fn run(args: WalkThroughArgs) -> ExitCode {
    let interrupt = Interrupt::listen();
    let config = example_cli::load_config(&args.region).await;
    let mut walk = WalkThrough {
        client: Client::new(&config),
        interrupt,
        region: config.region().map(|r| r.to_string()),
        endpoint: config.endpoint_url().map(str::to_owned),
        args,
        pools: Vec::new(),
        http: hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http(),
    };
    let outcome = walk.steps().await;
    scenario::report(&outcome);
    let cleaned_up = walk.clean_up(&outcome).await;
    scenario::exit_code(outcome, cleaned_up)
}

impl WalkThrough {
    async fn steps(&mut self) -> Result<(), Stop> {
        heading(1, "A user pool, its app clients, a group and two users");
        let suffix = random_suffix();
        let pool_id = self.create_pool(&format!("protected-api-{suffix}")).await?;
        let served = self.create_client(&pool_id, "protected-api").await?;
        let not_served = self.create_client(&pool_id, "not-served").await?;
        self.call(
            self.client
                .create_group()
                .user_pool_id(&pool_id)
                .group_name(&self.args.group)
                .send(),
        )
        .await?;
        println!("Group {} created.", self.args.group);
        let password = made_up_password();
        for username in ["alice", "bob"] {
            self.create_user(&pool_id, username, &password).await?;
        }
        self.call(
            self.client
                .admin_add_user_to_group()
                .user_pool_id(&pool_id)
                .username("alice")
                .group_name(&self.args.group)
                .send(),
        )
        .await?;
        println!("alice is in {}; bob is not.", self.args.group);
        let other_pool = self
            .create_pool(&format!("protected-api-other-{suffix}"))
            .await?;
        let other_client = self.create_client(&other_pool, "other-pool").await?;
        self.create_user(&other_pool, "carol", &password).await?;

        heading(2, "Sign in");
        let alice = self.sign_in(&pool_id, &served, "alice", &password).await?;
        let bob = self.sign_in(&pool_id, &served, "bob", &password).await?;
        let bob_elsewhere = self
            .sign_in(&pool_id, &not_served, "bob", &password)
            .await?;
        let carol = self
            .sign_in(&other_pool, &other_client, "carol", &password)
            .await?;
        for (who, tokens) in [("alice", &alice), ("bob", &bob)] {
            println!("{who}: access token {}", self.token(&tokens.access));
        }

        heading(3, "Call the API");
        let issuer =
            protected_api::pool_issuer(&pool_id, self.region.as_deref(), self.endpoint.as_deref());
        println!("The API accepts access tokens of {issuer}, app client {served}.");
        let api = self
            .start_api(&issuer, &served, protected_api::system_clock())
            .await?;
        let two_hours_later: protected_api::Clock =
            Arc::new(|| (protected_api::system_clock())() + 2 * 3600);
        let later_api = self.start_api(&issuer, &served, two_hours_later).await?;
        println!("Listening on {api}; the same API with its clock two hours ahead on {later_api}.");
        println!();
        self.show(&api, "/me", "alice's access token", Some(&alice.access))
            .await?;
        self.show(
            &api,
            "/reports",
            "alice's access token",
            Some(&alice.access),
        )
        .await?;
        self.show(&api, "/me", "bob's access token", Some(&bob.access))
            .await?;
        self.show(&api, "/reports", "bob's access token", Some(&bob.access))
            .await?;
        self.show(&api, "/me", "no token", None).await?;
        self.show(&api, "/me", "a malformed token", Some("not-a-jwt"))
            .await?;
        self.show(&api, "/me", "bob's ID token", Some(&bob.id))
            .await?;
        self.show(
            &api,
            "/me",
            "bob's token of another app client",
            Some(&bob_elsewhere.access),
        )
        .await?;
        self.show(&api, "/me", "a token of another pool", Some(&carol.access))
            .await?;
        self.show(
            &api,
            "/me",
            "alice's token, signature tampered",
            Some(&tampered(&alice.access)),
        )
        .await?;
        self.show(
            &later_api,
            "/me",
            "alice's token, two hours later",
            Some(&alice.access),
        )
        .await?;

        heading(4, "What local verification cannot know: revocation");
        self.call(
            self.client
                .global_sign_out()
                .access_token(&bob.access)
                .send(),
        )
        .await?;
        println!("bob signed out everywhere (GlobalSignOut).");
        self.show(
            &api,
            "/me",
            "bob's access token after sign-out",
            Some(&bob.access),
        )
        .await?;
        match self
            .interrupt
            .race(self.client.get_user().access_token(&bob.access).send())
            .await?
        {
            Ok(_) => println!("GetUser with bob's access token: accepted"),
            Err(err) => println!(
                "GetUser with bob's access token: refused, {}",
                ExampleError::from(err)
            ),
        }
        println!(
            "The API's signature check cannot see a sign-out: the token stays valid until it \
             expires. Where that matters, ask Cognito (GetUser) or keep access tokens short-lived."
        );
        Ok(())
    }

    /// Starts the API on a free local port; returns its base URL.
    async fn start_api(
        &self,
        issuer: &str,
        client_id: &str,
        clock: protected_api::Clock,
    ) -> Result<String, Stop> {
        let mut config = VerifierConfig::new(issuer, vec![client_id.to_owned()]);
        config.clock = clock;
        let jwks = HttpJwks::for_issuer(issuer).map_err(ExampleError::new)?;
        let verifier = Verifier::new(config, jwks);
        self.interrupt
            .race(verifier.load_keys())
            .await?
            .map_err(|err| ExampleError::new(err.reason()))?;
        let state = Arc::new(ApiState {
            verifier,
            group: self.args.group.clone(),
            required_scopes: Vec::new(),
        });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|err| ExampleError::new(format!("Cannot listen on 127.0.0.1: {err}")))?;
        let address = listener
            .local_addr()
            .map_err(|err| ExampleError::new(err.to_string()))?;
        // Stops with the walk-through's runtime.
        tokio::spawn(async move {
            let _ = axum::serve(listener, protected_api::router(state)).await;
        });
        Ok(format!("http://{address}"))
    }

    /// Calls `GET {api}{path}` with `token` and prints the answer on one line.
    async fn show(
        &self,
        api: &str,
        path: &str,
        label: &str,
        token: Option<&str>,
    ) -> Result<(), Stop> {
        let mut request = axum::http::Request::get(format!("{api}{path}"));
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = request
            .body(http_body_util::Empty::new())
            .map_err(|err| ExampleError::new(err.to_string()))?;
        let response = self
            .interrupt
            .race(tokio::time::timeout(
                Duration::from_secs(10),
                self.http.request(request),
            ))
            .await?
            .map_err(|_| ExampleError::new(format!("GET {path} timed out")))?
            .map_err(|err| ExampleError::new(format!("GET {path}: {err}")))?;
        let status = response.status();
        let challenge = response
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|err| ExampleError::new(format!("GET {path}: {err}")))?
            .to_bytes();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let detail = if status.is_success() {
            let mut summary = Vec::new();
            if let Some(user) = body["username"].as_str() {
                summary.push(format!("username {user}"));
            }
            if let Some(groups) = body["groups"].as_array() {
                let names: Vec<&str> = groups.iter().filter_map(|g| g.as_str()).collect();
                summary.push(format!("groups [{}]", names.join(", ")));
            }
            if let Some(reports) = body["reports"].as_array() {
                summary.push(format!("{} reports", reports.len()));
            }
            summary.join(", ")
        } else {
            body["reason"].as_str().unwrap_or_default().to_owned()
        };
        println!("{label:<36} GET {path:<8} -> {} {detail}", status.as_u16());
        if let Some(challenge) = challenge {
            println!("{:<36}   WWW-Authenticate: {challenge}", "");
        }
        Ok(())
    }

    async fn create_pool(&mut self, name: &str) -> Result<String, Stop> {
        // Not raced against Ctrl-C: a pool that exists must be known, to be deleted.
        let out = self
            .client
            .create_user_pool()
            .pool_name(name)
            .send()
            .await?;
        let id = out
            .user_pool()
            .and_then(|pool| pool.id())
            .ok_or_else(|| ExampleError::new("CreateUserPool returned no pool id"))?
            .to_owned();
        println!("User pool {name}: {id}");
        self.pools.push(id.clone());
        self.interrupt.check()?;
        Ok(id)
    }

    async fn create_client(&self, pool_id: &str, name: &str) -> Result<String, Stop> {
        let out = self
            .call(
                self.client
                    .create_user_pool_client()
                    .user_pool_id(pool_id)
                    .client_name(name)
                    .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
                    .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
                    .send(),
            )
            .await?;
        let id = out
            .user_pool_client()
            .and_then(|client| client.client_id())
            .ok_or_else(|| ExampleError::new("CreateUserPoolClient returned no client id"))?
            .to_owned();
        println!("App client {name}: {id}");
        Ok(id)
    }

    /// A confirmed user with a permanent password, made by the administrator
    /// (no invitation is sent).
    async fn create_user(&self, pool_id: &str, username: &str, password: &str) -> Result<(), Stop> {
        self.call(
            self.client
                .admin_create_user()
                .user_pool_id(pool_id)
                .username(username)
                .message_action(MessageActionType::Suppress)
                .send(),
        )
        .await?;
        self.call(
            self.client
                .admin_set_user_password()
                .user_pool_id(pool_id)
                .username(username)
                .password(password)
                .permanent(true)
                .send(),
        )
        .await?;
        println!("User {username} created in {pool_id}.");
        Ok(())
    }

    async fn sign_in(
        &self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        password: &str,
    ) -> Result<Tokens, Stop> {
        let out = self
            .call(
                self.client
                    .admin_initiate_auth()
                    .user_pool_id(pool_id)
                    .client_id(client_id)
                    .auth_flow(AuthFlowType::AdminUserPasswordAuth)
                    .auth_parameters("USERNAME", username)
                    .auth_parameters("PASSWORD", password)
                    .send(),
            )
            .await?;
        let result = out.authentication_result().ok_or_else(|| {
            ExampleError::new(format!(
                "{username}'s sign-in answered a challenge ({:?}), not tokens",
                out.challenge_name()
            ))
        })?;
        match (result.access_token(), result.id_token()) {
            (Some(access), Some(id)) => Ok(Tokens {
                access: access.to_owned(),
                id: id.to_owned(),
            }),
            _ => Err(ExampleError::new("the sign-in returned no access or ID token").into()),
        }
    }

    async fn clean_up(&self, outcome: &Result<(), Stop>) -> bool {
        if self.pools.is_empty() {
            return true;
        }
        if self.args.keep {
            for pool_id in &self.pools {
                println!(
                    "Kept {pool_id}. Delete it with: cargo run -p delete-user-pool -- --user-pool-id {pool_id}"
                );
            }
            return true;
        }
        heading(5, "Clean up");
        if matches!(outcome, Err(Stop::Interrupted)) {
            println!("Interrupted: deleting what was created.");
        }
        let presses = self.interrupt.presses();
        let mut all_deleted = true;
        for pool_id in &self.pools {
            let deleting = self.client.delete_user_pool().user_pool_id(pool_id).send();
            match self.interrupt.race_beyond(presses, deleting).await {
                Ok(Ok(_)) => println!("Deleted user pool {pool_id}."),
                Ok(Err(err)) => {
                    all_deleted = false;
                    eprintln!(
                        "error: could not delete {pool_id}: {}",
                        ExampleError::from(err)
                    );
                }
                Err(_) => {
                    all_deleted = false;
                    eprintln!("Interrupted again: {pool_id} is left; delete it yourself.");
                }
            }
        }
        all_deleted
    }

    fn token(&self, token: &str) -> String {
        if self.args.show_tokens {
            token.to_owned()
        } else {
            example_cli::shorten(token)
        }
    }

    async fn call<T, E>(&self, call: impl Future<Output = Result<T, E>>) -> Result<T, Stop>
    where
        Stop: From<E>,
    {
        Ok(self.interrupt.race(call).await??)
    }
}

/// The token with one character of its signature changed.
fn tampered(token: &str) -> String {
    let at = token
        .rfind('.')
        .map_or(0, |dot| dot + 10)
        .min(token.len() - 1);
    let mut bytes = token.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap_or_default()
}

fn heading(step: u8, title: &str) {
    println!("\n{step}. {title}");
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // aws-lc's system random source; all-zero bytes if it failed, which
    // only makes the names and password less random.
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    bytes
}

fn random_suffix() -> String {
    random_bytes::<4>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A password for the walk-through's users, never shown: upper and lower
/// case letters, digits and a symbol, as the default policy requires.
fn made_up_password() -> String {
    let hex: String = random_bytes::<8>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("Pw-{hex}-Aa1!")
}
