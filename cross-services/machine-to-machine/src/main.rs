//! Machine-to-machine authorization with OAuth 2.0 client credentials:
//!
//! 1. Setup (the SDK's Cognito client): a resource server `orders-api` with
//!    the scopes `read` and `write` (CreateResourceServer), and a
//!    confidential app client allowed `client_credentials` for both
//!    (CreateUserPoolClient). Without `--user-pool-id`, also a pool and its
//!    domain.
//! 2. The protected API from the `protected-api` example, started in this
//!    process, accepting this client's tokens only with `orders-api/read`.
//! 3. A token with `orders-api/read` from the domain's `/oauth2/token`
//!    (client id and secret by HTTP Basic): the API answers.
//! 4. A token with only `orders-api/write`: the API refuses it (403,
//!    `insufficient_scope`); and a scope the client may not ask for: the
//!    token endpoint refuses (`invalid_scope`).
//! 5. Everything the setup created is removed, also on failure and Ctrl-C.
//!
//! ```sh
//! # A pool that has a domain:
//! cargo run -p machine-to-machine -- --user-pool-id eu-west-1_AbC
//! # Offline, no input:
//! cargo run -p emulator -- cargo run -p machine-to-machine
//! ```

use std::process::ExitCode;
use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};
use machine_to_machine::{
    call_api, client_credentials_token, create_machine_client, create_resource_server, full_scope,
    scope_and_client,
};
use oauth_sign_in::{HttpClient, discovery, display, issuer_url};

/// The resource server's identifier, as its scopes are prefixed.
const RESOURCE_SERVER: &str = "orders-api";

/// Gets an access token with a custom scope by client credentials and calls the protected API with it.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// A user pool that has a domain (default: create a pool and a domain, and remove them at the end).
    #[arg(long, env = "USER_POOL_ID")]
    user_pool_id: Option<String>,
    /// Print tokens in full instead of shortened.
    #[arg(long)]
    show_tokens: bool,
    #[command(flatten)]
    region: RegionArg,
}

/// What the setup created, removed in reverse order at the end.
#[derive(Default)]
struct Created {
    /// The pool the setup worked in (given or created).
    user_pool_id: Option<String>,
    /// Whether the setup created that pool.
    pool: bool,
    domain: Option<String>,
    resource_server: bool,
    client: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    example_cli::exit_code(run(&args).await)
}

async fn run(args: &Args) -> Result<(), ExampleError> {
    let config = example_cli::load_config(&args.region).await;
    let cognito = Client::new(&config);
    let mut created = Created::default();
    let outcome = tokio::select! {
        outcome = walk_through(args, &config, &cognito, &mut created) => outcome,
        _ = tokio::signal::ctrl_c() => Err(ExampleError::new("Interrupted (Ctrl-C).")),
    };
    let failures = remove(&cognito, &created).await;
    if !failures.is_empty() {
        let left = format!("Could not remove: {}", failures.join("; "));
        return Err(match outcome {
            Err(err) => ExampleError::new(format!("{err} (and: {left})")),
            Ok(()) => ExampleError::new(left),
        });
    }
    outcome
}

async fn walk_through(
    args: &Args,
    config: &aws_config::SdkConfig,
    cognito: &Client,
    created: &mut Created,
) -> Result<(), ExampleError> {
    let show = |token: &str| display::token(token, args.show_tokens);
    let suffix = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
    let user_pool_id = match &args.user_pool_id {
        Some(pool) => {
            created.user_pool_id = Some(pool.clone());
            pool.clone()
        }
        None => {
            let name = format!("m2m-demo-{suffix}");
            let pool = cognito.create_user_pool().pool_name(&name).send().await?;
            let pool_id = pool
                .user_pool()
                .and_then(|pool| pool.id())
                .ok_or_else(|| ExampleError::new("CreateUserPool returned no pool id."))?
                .to_string();
            created.user_pool_id = Some(pool_id.clone());
            created.pool = true;
            // The token endpoint is on the pool's domain.
            cognito
                .create_user_pool_domain()
                .user_pool_id(&pool_id)
                .domain(&name)
                .send()
                .await?;
            created.domain = Some(name.clone());
            println!("Created user pool {pool_id} with the domain {name}.");
            pool_id
        }
    };

    create_resource_server(
        cognito,
        &user_pool_id,
        RESOURCE_SERVER,
        "Orders API",
        &[("read", "Read orders"), ("write", "Change orders")],
    )
    .await?;
    created.resource_server = true;
    let read = full_scope(RESOURCE_SERVER, "read");
    let write = full_scope(RESOURCE_SERVER, "write");
    println!("Created the resource server {RESOURCE_SERVER} with the scopes {read} and {write}.");

    let app = create_machine_client(
        cognito,
        &user_pool_id,
        &format!("machine-{suffix}"),
        &[read.clone(), write.clone()],
    )
    .await?;
    let app = app
        .user_pool_client()
        .ok_or_else(|| ExampleError::new("CreateUserPoolClient returned no client."))?;
    let client_id = app.client_id().unwrap_or_default().to_string();
    created.client = Some(client_id.clone());
    let client_secret = app
        .client_secret()
        .ok_or_else(|| ExampleError::new("The new app client has no secret."))?
        .to_string();
    println!(
        "Created the confidential app client {client_id} (client_credentials; secret not shown)."
    );

    let region = config
        .region()
        .map(|region| region.to_string())
        .unwrap_or_default();
    let issuer = issuer_url(&user_pool_id, &region, config.endpoint_url());
    let http = HttpClient::new();
    let endpoints = discovery::discover(&http, &issuer).await?;
    println!("Token endpoint: {}", endpoints.token);

    let api = start_api(&issuer, &client_id, &read).await?;
    println!("The protected API listens on {api}; GET /me requires the scope {read}.");
    let route = format!("{api}/me");

    let (token, expires_in) = client_credentials_token(
        &http,
        &endpoints.token,
        &client_id,
        &client_secret,
        std::slice::from_ref(&read),
    )
    .await?;
    describe_token("with the scope", &read, &token, expires_in, &show);
    let answer = call_api(&http, &route, &token).await?;
    println!("GET /me -> {} {}", answer.status, answer.body);
    if answer.status != 200 {
        return Err(ExampleError::new(format!(
            "The API refused a token with {read}: {}",
            answer.challenge.unwrap_or_default()
        )));
    }

    let (token, expires_in) = client_credentials_token(
        &http,
        &endpoints.token,
        &client_id,
        &client_secret,
        std::slice::from_ref(&write),
    )
    .await?;
    describe_token("with only", &write, &token, expires_in, &show);
    let answer = call_api(&http, &route, &token).await?;
    println!(
        "GET /me -> {} {}",
        answer.status,
        answer.challenge.as_deref().unwrap_or(&answer.body)
    );
    if answer.status != 403 {
        return Err(ExampleError::new(format!(
            "The API should have refused a token without {read}, but answered {}.",
            answer.status
        )));
    }

    // `openid` is not among the client's scopes (and means nothing without a user).
    match client_credentials_token(
        &http,
        &endpoints.token,
        &client_id,
        &client_secret,
        &["openid".to_string()],
    )
    .await
    {
        Err(err) => println!("Asking for the scope openid: {err}"),
        Ok(_) => {
            return Err(ExampleError::new(
                "The token endpoint granted a scope the client may not ask for.",
            ));
        }
    }
    Ok(())
}

fn describe_token(
    what: &str,
    scope: &str,
    token: &str,
    expires_in: Option<u64>,
    show: &dyn Fn(&str) -> String,
) {
    println!("Access token {what} {scope}: {}", show(token));
    if let Some((granted, client)) = scope_and_client(token) {
        println!("  scope: {granted}");
        println!("  client_id: {client}");
    }
    if let Some(seconds) = expires_in {
        println!("  expires in: {seconds} seconds");
    }
}

// snippet-start:[rust.cognito-idp.machine-to-machine.api]
/// Starts the `protected-api` example's API on a free loopback port,
/// accepting this pool's access tokens from this client only, and only with
/// `scope`. Returns its base URL.
async fn start_api(issuer: &str, client_id: &str, scope: &str) -> Result<String, ExampleError> {
    let jwks = protected_api::HttpJwks::for_issuer(issuer).map_err(ExampleError::new)?;
    let verifier = protected_api::Verifier::new(
        protected_api::VerifierConfig::new(issuer, vec![client_id.to_string()]),
        jwks,
    );
    verifier
        .load_keys()
        .await
        .map_err(|err| ExampleError::new(err.reason()))?;
    let state = Arc::new(protected_api::ApiState {
        verifier,
        group: "admins".to_string(),
        required_scopes: vec![scope.to_string()],
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|err| ExampleError::new(format!("Cannot start the API: {err}")))?;
    let address = listener
        .local_addr()
        .map_err(|err| ExampleError::new(err.to_string()))?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, protected_api::router(state)).await;
    });
    Ok(format!("http://{address}"))
}
// snippet-end:[rust.cognito-idp.machine-to-machine.api]

// snippet-start:[rust.cognito-idp.machine-to-machine.cleanup]
/// Removes what the setup created: the client and resource server, then
/// the domain (Cognito refuses to delete a pool that has one) and the pool.
async fn remove(cognito: &Client, created: &Created) -> Vec<String> {
    let mut failures = Vec::new();
    let Some(pool_id) = &created.user_pool_id else {
        return failures;
    };
    if let Some(client_id) = &created.client {
        if let Err(err) = cognito
            .delete_user_pool_client()
            .user_pool_id(pool_id)
            .client_id(client_id)
            .send()
            .await
        {
            failures.push(format!(
                "app client {client_id}: {}",
                ExampleError::from(err)
            ));
        }
    }
    if created.resource_server {
        if let Err(err) = cognito
            .delete_resource_server()
            .user_pool_id(pool_id)
            .identifier(RESOURCE_SERVER)
            .send()
            .await
        {
            failures.push(format!(
                "resource server {RESOURCE_SERVER}: {}",
                ExampleError::from(err)
            ));
        }
    }
    if let Some(domain) = &created.domain {
        if let Err(err) = cognito
            .delete_user_pool_domain()
            .user_pool_id(pool_id)
            .domain(domain)
            .send()
            .await
        {
            failures.push(format!("domain {domain}: {}", ExampleError::from(err)));
        }
    }
    if created.pool {
        if let Err(err) = cognito
            .delete_user_pool()
            .user_pool_id(pool_id)
            .send()
            .await
        {
            failures.push(format!("user pool {pool_id}: {}", ExampleError::from(err)));
        }
    }
    if failures.is_empty() {
        println!("Removed what the setup created.");
    }
    failures
}
// snippet-end:[rust.cognito-idp.machine-to-machine.cleanup]
