//! `protected-api serve`: an HTTP API that accepts only valid Cognito access
//! tokens of one user pool and its app clients, verified locally.
//!
//! `protected-api walk-through`: creates a user pool, app clients, a group
//! and two users, starts the API, calls it with good and bad tokens, shows
//! each answer, and deletes what it created.
//!
//! ```sh
//! # Offline, no input:
//! cargo run -p emulator -- cargo run -p protected-api -- walk-through
//! # Against AWS, an existing pool:
//! cargo run -p protected-api -- serve --user-pool-id us-east-1_AbC123 --client-id 1example23456789
//! ```

mod walk_through;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use example_cli::{ExampleError, RegionArg};
use protected_api::{ApiState, HttpJwks, Verifier, VerifierConfig};

/// An HTTP API that accepts only valid Amazon Cognito access tokens, and a walk-through that calls it with good and bad ones.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API: GET /me for anyone signed in, GET /reports for one group.
    Serve(ServeArgs),
    /// Create a pool, clients, a group and two users; call the API with good and bad tokens; clean up.
    WalkThrough(walk_through::WalkThroughArgs),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// The user pool whose access tokens the API accepts.
    #[arg(long)]
    user_pool_id: String,
    /// An app client whose tokens the API accepts (repeat for several).
    #[arg(long = "client-id", required = true)]
    client_ids: Vec<String>,
    /// The tokens' issuer, if not derived from the pool id (default: AWS_ENDPOINT_URL/POOL_ID when that is set, else https://cognito-idp.REGION.amazonaws.com/POOL_ID).
    #[arg(long)]
    issuer: Option<String>,
    /// The group whose members may call GET /reports.
    #[arg(long, default_value = "admins")]
    group: String,
    /// A scope every route requires (repeat for several; default: none).
    #[arg(long = "scope")]
    scopes: Vec<String>,
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    #[command(flatten)]
    region: RegionArg,
}

/// Checks what clap cannot, before anything starts.
fn validate(args: &ServeArgs) -> Result<(), ExampleError> {
    walk_through::check_pool_id(&args.user_pool_id)
        .map_err(|problem| ExampleError::new(format!("--user-pool-id: {problem}")))?;
    if let Some(empty) = args.client_ids.iter().find(|id| id.trim().is_empty()) {
        return Err(ExampleError::new(format!(
            "--client-id: {empty:?} is empty."
        )));
    }
    if let Some(issuer) = &args.issuer {
        if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
            return Err(ExampleError::new(format!(
                "--issuer: {issuer:?} is not an http(s) URL."
            )));
        }
    }
    Ok(())
}

// snippet-start:[rust.cognito-idp.protected-api.serve]
async fn serve(args: ServeArgs) -> Result<(), ExampleError> {
    // The only thing that differs between AWS and an emulator: the issuer.
    let endpoint = std::env::var("AWS_ENDPOINT_URL").ok();
    let issuer = args.issuer.clone().unwrap_or_else(|| {
        protected_api::pool_issuer(
            &args.user_pool_id,
            args.region.region.as_deref(),
            endpoint.as_deref(),
        )
    });
    let jwks = HttpJwks::for_issuer(&issuer).map_err(ExampleError::new)?;
    let verifier = Verifier::new(VerifierConfig::new(&issuer, args.client_ids.clone()), jwks);
    let keys = verifier
        .load_keys()
        .await
        .map_err(|err| ExampleError::new(err.reason()))?;
    let state = Arc::new(ApiState {
        verifier,
        group: args.group.clone(),
        required_scopes: args.scopes.clone(),
    });
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(args.host, args.port))
        .await
        .map_err(|err| {
            ExampleError::new(format!(
                "Cannot listen on {}:{}: {err}",
                args.host, args.port
            ))
        })?;
    let address = listener
        .local_addr()
        .map_err(|err| ExampleError::new(err.to_string()))?;
    let plural = if keys == 1 { "" } else { "s" };
    println!("Issuer: {issuer} ({keys} signing key{plural})");
    println!("App clients: {}", args.client_ids.join(", "));
    println!(
        "GET /me for anyone signed in, GET /reports for the group {}",
        args.group
    );
    println!("listening on http://{address}");
    axum::serve(listener, protected_api::router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|err| ExampleError::new(format!("The server stopped: {err}")))
}
// snippet-end:[rust.cognito-idp.protected-api.serve]

fn main() -> ExitCode {
    example_cli::init_tracing();
    let cli = Cli::parse();
    if let Command::Serve(args) = &cli.command {
        if let Err(err) = validate(args) {
            return example_cli::exit_code(Err(err));
        }
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            return example_cli::exit_code(Err(ExampleError::new(format!(
                "Cannot start the async runtime: {err}"
            ))));
        }
    };
    runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => example_cli::exit_code(serve(args).await),
            Command::WalkThrough(args) => walk_through::run(args).await,
        }
    })
}
