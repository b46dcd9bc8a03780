//! The bundled emulator as a program: serves Cognito user pools (and, later,
//! the other services the examples use) on one port until Ctrl-C.
//!
//! ```text
//! cargo run -p emulator -- --port 4566
//! export AWS_ENDPOINT_URL=http://127.0.0.1:4566
//! ```

use std::process::ExitCode;

use clap::Parser;

/// A local emulator of Amazon Cognito user pools speaking the AWS wire protocols.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Interface to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on; 0 picks any free port.
    #[arg(long, default_value_t = 4566)]
    port: u16,
    /// AWS Region used in pool ids, ARNs and token issuers.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// AWS account id used in ARNs.
    #[arg(long, default_value = "000000000000")]
    account_id: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let config = emulator::Config {
        host: args.host,
        port: args.port,
        region: args.region,
        account_id: args.account_id,
    };
    let emulator = match emulator::Emulator::start(config).await {
        Ok(emulator) => emulator,
        Err(err) => {
            eprintln!("error: cannot listen: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on {}", emulator.endpoint());
    if let Err(err) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {err}");
    }
    emulator.stop().await;
    ExitCode::SUCCESS
}
