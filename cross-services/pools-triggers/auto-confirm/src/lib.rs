//! The parts of the auto-confirm scenario that are not a prompt or a
//! printout: one module per AWS service the scenario sets up besides Cognito,
//! the handler's zip, and the plan for removing everything it created.
//!
//! Every Cognito call comes from the single-action examples under
//! `actions/`; the DynamoDB, IAM, Lambda and CloudWatch Logs calls live here,
//! one public function per call, each between snippet markers.

pub mod cleanup;
pub mod function;
pub mod handler_zip;
pub mod known_users;
pub mod logs;
pub mod role;

#[cfg(test)]
mod test_clients;

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
