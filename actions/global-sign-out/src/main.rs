//! Signs a user out of every device by revoking their tokens, using their
//! access token (GlobalSignOut).
//!
//! ```sh
//! ACCESS_TOKEN='eyJ...' cargo run -p global-sign-out
//! ```
//!
//! Get an access token by signing in (`initiate-auth --show-tokens`).

use std::process::ExitCode;

use aws_sdk_cognitoidentityprovider::Client;
use clap::Parser;
use example_cli::{ExampleError, RegionArg};

/// Signs the user out everywhere by revoking their tokens (GlobalSignOut).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The user's access token, from signing in.
    #[arg(long, env = "ACCESS_TOKEN", hide_env_values = true)]
    access_token: String,
    #[command(flatten)]
    region: RegionArg,
}

async fn run(client: &Client, args: Args) -> Result<(), ExampleError> {
    global_sign_out::global_sign_out(client, &args.access_token).await?;
    println!("Signed out: the user's refresh and access tokens are revoked on every device.");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    example_cli::init_tracing();
    let args = Args::parse();
    let client = example_cli::cognito_client(&args.region).await;
    example_cli::exit_code(run(&client, args).await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::global_sign_out::GlobalSignOutOutput;
    use aws_smithy_mocks::{mock, mock_client};

    fn args() -> Args {
        Args::parse_from(["global-sign-out", "--access-token", "eyJ.some.token"])
    }

    #[tokio::test]
    async fn signs_out_with_the_given_token() {
        let sign_out = mock!(Client::global_sign_out)
            .match_requests(|req| req.access_token() == Some("eyJ.some.token"))
            .then_output(|| GlobalSignOutOutput::builder().build());
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&sign_out]);

        run(&client, args()).await.expect("signed out");

        assert_eq!(sign_out.num_calls(), 1);
    }
}
