//! Load benchmark for Cognito user pool endpoints (the bundled emulator,
//! moto_server, or anything else that speaks the protocol), driven through
//! the AWS SDK for Rust exactly as the examples use it.
//!
//! Not an example: a measuring tool. See `src/main.rs` for how to run it and
//! `scripts/bench-vs-moto.sh` for the side-by-side comparison with moto.

pub mod latency;
pub mod procfs;
pub mod report;
pub mod sign_floor;
pub mod startup;
pub mod targets;
pub mod trigger;
pub mod workload;

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use example_cli::ExampleError;

/// No single call may take longer than this; it keeps a run bounded even
/// when the server hangs.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Builds a client of one AWS SDK crate for `endpoint`, with dummy
/// credentials (local servers do not check signatures), no retries (every
/// failure is counted, every latency is one attempt) and a per-call timeout.
/// Stalled-stream protection is off: the timeout already bounds every call,
/// and the check costs the client CPU on every response (2-5% more auth
/// cycles per second without it, measured side by side).
/// A macro because each SDK crate has its own, identically shaped, config type.
macro_rules! local_client {
    ($sdk:ident, $endpoint:expr, $region:expr) => {{
        use $sdk::config::retry::RetryConfig;
        use $sdk::config::timeout::TimeoutConfig;
        use $sdk::config::{BehaviorVersion, Credentials, Region, StalledStreamProtectionConfig};
        let config = $sdk::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new($region.to_string()))
            .credentials_provider(Credentials::new(
                "AKIDBENCHMARK",
                "benchmark-dummy-secret",
                None,
                None,
                "benchmark",
            ))
            .endpoint_url($endpoint)
            .retry_config(RetryConfig::disabled())
            .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_timeout(CALL_TIMEOUT)
                    .build(),
            )
            .build();
        $sdk::Client::from_conf(config)
    }};
}

/// A Cognito user pools client for `endpoint` (see [`local_client!`]).
pub fn client_for(endpoint: &str, region: &str) -> Client {
    local_client!(aws_sdk_cognitoidentityprovider, endpoint, region)
}

/// The clients the `signup-trigger` workload needs besides Cognito's, to
/// deploy its Lambda function and remove it again.
#[derive(Debug, Clone)]
pub struct TriggerClients {
    pub iam: aws_sdk_iam::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
}

impl TriggerClients {
    pub fn for_endpoint(endpoint: &str, region: &str) -> Self {
        Self {
            iam: local_client!(aws_sdk_iam, endpoint, region),
            lambda: local_client!(aws_sdk_lambda, endpoint, region),
            logs: local_client!(aws_sdk_cloudwatchlogs, endpoint, region),
        }
    }
}

/// Names the setup step an error comes from: `setup failed at {step}: {err}`.
pub(crate) fn setup_failed_at(step: &str) -> impl FnOnce(ExampleError) -> ExampleError + '_ {
    move |err| ExampleError::new(format!("setup failed at {step}: {err}"))
}

/// Parses a duration such as `20s`, `500ms`, `2m` or `1.5s`; a bare number
/// is seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let seconds_per_unit = match unit.trim() {
        "" | "s" => 1.0,
        "ms" => 0.001,
        "m" | "min" => 60.0,
        other => return Err(format!("unknown unit `{other}` (use ms, s or m)")),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 20s, 500ms or 2m"))?;
    let duration = Duration::try_from_secs_f64(value * seconds_per_unit)
        .map_err(|_| format!("`{text}` is out of range"))?;
    if duration.is_zero() {
        return Err("the duration must be longer than zero".to_string());
    }
    Ok(duration)
}

/// Accepts only `http://` and `https://` URLs with a host.
pub fn parse_endpoint(text: &str) -> Result<String, String> {
    let rest = text
        .strip_prefix("http://")
        .or_else(|| text.strip_prefix("https://"))
        .ok_or_else(|| format!("`{text}` is not an http:// or https:// URL"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("`{text}` has no host"));
    }
    Ok(text.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_the_usual_units() {
        assert_eq!(parse_duration("20s"), Ok(Duration::from_secs(20)));
        assert_eq!(parse_duration("20"), Ok(Duration::from_secs(20)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
    }

    #[test]
    fn bad_durations_are_refused_with_a_reason() {
        assert!(parse_duration("20h").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("").is_err());
        assert!(
            parse_duration("0s")
                .unwrap_err()
                .contains("longer than zero")
        );
        assert!(parse_duration("1.2.3s").is_err());
    }

    #[test]
    fn endpoints_must_be_http_urls() {
        assert_eq!(
            parse_endpoint("http://127.0.0.1:5000/"),
            Ok("http://127.0.0.1:5000".to_string())
        );
        assert!(parse_endpoint("127.0.0.1:5000").is_err());
        assert!(parse_endpoint("http://").is_err());
    }
}
