//! Deploys a Lambda handler package of this workspace as a Cognito user pool
//! trigger, and removes it again: what every scenario under
//! `cross-services/pools-triggers/` does besides its own table and pool.
//!
//! - [`handler_zip`]: the zip CreateFunction uploads: cargo-lambda's for AWS
//!   (`cargo lambda build --release --output-format zip -p PACKAGE`), or a
//!   plain `cargo build` of the package zipped as `bootstrap` for the bundled
//!   emulator, which runs it on this machine;
//! - [`role`]: the function's execution role, which Lambda may assume, with
//!   a least-privilege inline policy the caller writes (plus the function's
//!   own log group, [`role::function_policy`]);
//! - [`function`]: CreateFunction (`provided.al2023`), waiting until it is
//!   active, AddPermission for `cognito-idp.amazonaws.com` scoped to the
//!   pool's ARN, DeleteFunction;
//! - [`logs`]: the function's log lines (FilterLogEvents) and DeleteLogGroup;
//! - [`table`]: waiting for a new DynamoDB table and deleting it, for the
//!   table the function reads or writes;
//! - [`input`]: checks of usernames and email addresses, made-up passwords;
//! - [`cleanup`]: what to remove, in which order, and how by hand;
//! - [`steps`]: the steps as the scenarios run them, with what they print
//!   and what they record for [`cleanup`].
//!
//! One public function per AWS call, each between snippet markers.

pub mod cleanup;
pub mod function;
pub mod handler_zip;
pub mod input;
pub mod logs;
pub mod role;
pub mod steps;
pub mod table;

#[cfg(any(test, feature = "test-util"))]
pub mod test_clients;

/// Where a resource lives, read from an ARN the scenario was given back:
/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnParts {
    pub partition: String,
    pub region: String,
    pub account: String,
}

impl ArnParts {
    /// Splits an ARN such as `arn:aws:dynamodb:us-east-1:111122223333:table/users`.
    pub fn parse(arn: &str) -> Option<ArnParts> {
        let mut parts = arn.splitn(6, ':');
        let (Some("arn"), Some(partition), Some(_service), Some(region), Some(account)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        if partition.is_empty() || region.is_empty() || account.is_empty() {
            return None;
        }
        Some(ArnParts {
            partition: partition.to_string(),
            region: region.to_string(),
            account: account.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_give_partition_region_and_account() {
        assert_eq!(
            ArnParts::parse("arn:aws:dynamodb:us-east-1:111122223333:table/known-users"),
            Some(ArnParts {
                partition: "aws".into(),
                region: "us-east-1".into(),
                account: "111122223333".into(),
            })
        );
        assert_eq!(
            ArnParts::parse("arn:aws-cn:cognito-idp:cn-north-1:111122223333:userpool/cn-north-1_x")
                .map(|parts| parts.partition),
            Some("aws-cn".into())
        );
        assert_eq!(ArnParts::parse("arn:aws:iam::111122223333:role/r"), None);
        assert_eq!(ArnParts::parse("not an arn"), None);
    }
}
