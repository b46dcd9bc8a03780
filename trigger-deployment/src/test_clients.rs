//! SDK clients whose answers come from `aws-smithy-mocks` rules, for the
//! unit tests (of this crate, and with feature `test-util` of the scenarios).
//! Any matching rule answers (`RuleMode::MatchAny`); a request that no rule
//! matches fails the test.
//!
//! This is what `aws_smithy_mocks::mock_client!` builds, spelled out: that
//! macro calls `with_test_defaults_v2`, which the DynamoDB, IAM, Lambda and
//! CloudWatch Logs crates this workspace resolves to do not have yet.

use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client};

macro_rules! mock_client_fn {
    ($name:ident, $sdk:ident) => {
        pub fn $name(rules: &[&Rule]) -> $sdk::Client {
            let answers = rules.iter().fold(
                MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny),
                |answers, rule| answers.with_rule(rule),
            );
            let config = $sdk::Config::builder()
                .with_test_defaults()
                .region($sdk::config::Region::new("us-east-1"))
                .http_client(create_mock_http_client())
                .interceptor(answers)
                .build();
            $sdk::Client::from_conf(config)
        }
    };
}

mock_client_fn!(mock_dynamodb, aws_sdk_dynamodb);
mock_client_fn!(mock_iam, aws_sdk_iam);
mock_client_fn!(mock_lambda, aws_sdk_lambda);
mock_client_fn!(mock_logs, aws_sdk_cloudwatchlogs);
