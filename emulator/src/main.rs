//! The bundled emulator as a program: serves Cognito user pools and the other
//! services the examples use on one port, until Ctrl-C.
//!
//! ```text
//! cargo run -p emulator                      # serve on http://127.0.0.1:4566
//! export AWS_ENDPOINT_URL=http://127.0.0.1:4566
//! ```
//!
//! Or run one command against a fresh emulator and stop it afterwards:
//!
//! ```text
//! cargo run -p emulator -- cargo run -p hello
//! ```

use std::process::ExitCode;

use clap::Parser;

/// The port the emulator serves on when it runs until Ctrl-C (LocalStack's
/// habit, so existing `AWS_ENDPOINT_URL` settings keep working).
const DEFAULT_PORT: u16 = 4566;

/// A local emulator of Amazon Cognito user pools speaking the AWS wire protocols.
///
/// Without a COMMAND it serves until Ctrl-C. With one, it starts on a free
/// port, runs COMMAND with AWS_ENDPOINT_URL, AWS_REGION and dummy credentials
/// pointing at itself, stops, and exits with COMMAND's status.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Interface to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on; 0 picks any free port [default: 4566, or any free port with a COMMAND].
    #[arg(long)]
    port: Option<u16>,
    /// AWS Region used in pool ids, ARNs and token issuers.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// AWS account id used in ARNs.
    #[arg(long, default_value = "000000000000")]
    account_id: String,
    /// A command to run against the emulator, with its arguments.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    command: Vec<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    // While a command runs, its output is what matters: log only problems.
    let default_level = if args.command.is_empty() {
        "info"
    } else {
        "warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();

    let default_port = if args.command.is_empty() {
        DEFAULT_PORT
    } else {
        0
    };
    let config = emulator::Config {
        host: args.host,
        port: args.port.unwrap_or(default_port),
        region: args.region,
        account_id: args.account_id,
    };
    let region = config.region.clone();
    let emulator = match emulator::Emulator::start(config).await {
        Ok(emulator) => emulator,
        Err(err) => {
            eprintln!("error: cannot listen: {err}");
            return ExitCode::FAILURE;
        }
    };

    if !emulator.address().ip().is_loopback() {
        // Lambda CreateFunction runs whatever code it is sent, on this machine.
        eprintln!(
            "warning: listening on {}, not a loopback address: anyone who can reach it can run programs on this machine through Lambda",
            emulator.address()
        );
    }

    let exit = if args.command.is_empty() {
        println!("listening on {}", emulator.endpoint());
        shutdown_signal().await;
        ExitCode::SUCCESS
    } else {
        eprintln!("emulator listening on {}", emulator.endpoint());
        run_command(&args.command, &emulator.endpoint(), &region).await
    };
    emulator.stop().await;
    exit
}

/// Waits for Ctrl-C or SIGTERM (what `kill`, CI runners and process
/// managers send): either way the emulator stops cleanly, and the function
/// processes it started die with it.
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = match signal(SignalKind::terminate()) {
        Ok(terminate) => terminate,
        Err(err) => {
            eprintln!("error: cannot wait for SIGTERM: {err}");
            if let Err(err) = tokio::signal::ctrl_c().await {
                eprintln!("error: cannot wait for Ctrl-C: {err}");
            }
            return;
        }
    };
    tokio::select! {
        result = tokio::signal::ctrl_c() => {
            if let Err(err) = result {
                eprintln!("error: cannot wait for Ctrl-C: {err}");
            }
        }
        _ = terminate.recv() => {}
    }
}

/// Runs `command` against the emulator and returns its exit status.
async fn run_command(command: &[String], endpoint: &str, region: &str) -> ExitCode {
    // Ctrl-C reaches the command too (same process group); let it finish its
    // own cleanup against the emulator before the emulator stops.
    tokio::spawn(async { while tokio::signal::ctrl_c().await.is_ok() {} });
    let status = tokio::process::Command::new(&command[0])
        .args(&command[1..])
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_REGION", region)
        // Dummy credentials: the emulator does not check signatures, and the
        // command must never reach for (or send) real ones.
        .env("AWS_ACCESS_KEY_ID", "emulator")
        .env("AWS_SECRET_ACCESS_KEY", "emulator")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .status()
        .await;
    match status {
        Ok(status) => match status.code() {
            Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
            // Killed by a signal, as by Ctrl-C.
            None => ExitCode::from(130),
        },
        Err(err) => {
            eprintln!("error: cannot run {}: {err}", command[0]);
            ExitCode::FAILURE
        }
    }
}
