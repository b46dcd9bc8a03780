//! Signs a user in through three Lambda trigger functions (`CUSTOM_AUTH`):
//! SRP, then a captcha, then a security question. See `lib.rs` for the
//! steps and `scenario.rs` for how each runs.
//!
//! ```sh
//! cargo run -p emulator -- cargo run -p custom-auth -- --non-interactive
//! ```

use std::process::ExitCode;

use clap::Parser;
use custom_auth::{Args, scenario, validate};
use example_cli::ExampleError;

fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    if let Err(err) = validate(&args) {
        return example_cli::exit_code(Err(err));
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            return example_cli::exit_code(Err(ExampleError::new(format!(
                "Cannot start the async runtime: {err}"
            ))));
        }
    };
    let code = runtime.block_on(async {
        let config = example_cli::load_config(&args.region).await;
        scenario::run(trigger_deployment::steps::Clients::new(&config), args).await
    });
    // A question abandoned on SIGINT still waits for a key on its own thread:
    // leave without waiting for it.
    runtime.shutdown_background();
    code
}
