//! What a scenario removes when it ends, fails or is interrupted: exactly
//! what it created, in an order that never leaves something broken in use.
//! [`crate::steps::clean_up`] carries the plan out.

use crate::logs::log_group_name;

/// What the scenario has created so far. Each field is set only once the
/// call that created it has succeeded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Created {
    /// The DynamoDB table the function reads or writes.
    pub table_name: Option<String>,
    /// The function's execution role.
    pub role_name: Option<String>,
    /// The role's inline policy, once it is on the role.
    pub role_policy_name: Option<String>,
    /// The function (and so, once it has run, its log group).
    pub function_name: Option<String>,
    /// The user pool, with its app client and users.
    pub user_pool_id: Option<String>,
}

/// One removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    /// DeleteUserPool: the pool goes with its users and app client.
    UserPool { user_pool_id: String },
    /// DeleteFunction: the function goes with its resource policy.
    Function { function_name: String },
    /// DeleteLogGroup: the function's log lines. Lambda creates the group
    /// the first time the function runs; if it never ran there is none.
    LogGroup { log_group: String },
    /// DeleteRolePolicy: IAM deletes no role that still has policies.
    RolePolicy {
        role_name: String,
        policy_name: String,
    },
    /// DeleteRole.
    Role { role_name: String },
    /// DeleteTable.
    Table { table_name: String },
}

/// The removals that undo `created`, in order: first the pool, so nothing
/// invokes the function any more; then the function; then its role (policy
/// first), so that no log line still on its way can create the log group
/// again; then the log group, and the table the function used.
pub fn plan(created: &Created) -> Vec<Removal> {
    let mut removals = Vec::new();
    if let Some(user_pool_id) = &created.user_pool_id {
        removals.push(Removal::UserPool {
            user_pool_id: user_pool_id.clone(),
        });
    }
    if let Some(function_name) = &created.function_name {
        removals.push(Removal::Function {
            function_name: function_name.clone(),
        });
    }
    if let Some(role_name) = &created.role_name {
        if let Some(policy_name) = &created.role_policy_name {
            removals.push(Removal::RolePolicy {
                role_name: role_name.clone(),
                policy_name: policy_name.clone(),
            });
        }
        removals.push(Removal::Role {
            role_name: role_name.clone(),
        });
    }
    if let Some(function_name) = &created.function_name {
        removals.push(Removal::LogGroup {
            log_group: log_group_name(function_name),
        });
    }
    if let Some(table_name) = &created.table_name {
        removals.push(Removal::Table {
            table_name: table_name.clone(),
        });
    }
    removals
}

impl Removal {
    /// What the removal removes, for the line after it.
    pub fn describe(&self) -> String {
        match self {
            Removal::UserPool { user_pool_id } => {
                format!("user pool {user_pool_id} (with its users and app client)")
            }
            Removal::Function { function_name } => format!("Lambda function {function_name}"),
            Removal::LogGroup { log_group } => format!("log group {log_group}"),
            Removal::RolePolicy {
                role_name,
                policy_name,
            } => format!("policy {policy_name} of role {role_name}"),
            Removal::Role { role_name } => format!("IAM role {role_name}"),
            Removal::Table { table_name } => format!("DynamoDB table {table_name}"),
        }
    }

    /// How to remove it by hand when the scenario could not, with the AWS CLI.
    pub fn by_hand(&self) -> String {
        match self {
            Removal::UserPool { user_pool_id } => {
                format!("aws cognito-idp delete-user-pool --user-pool-id {user_pool_id}")
            }
            Removal::Function { function_name } => {
                format!("aws lambda delete-function --function-name {function_name}")
            }
            Removal::LogGroup { log_group } => {
                format!("aws logs delete-log-group --log-group-name {log_group}")
            }
            Removal::RolePolicy {
                role_name,
                policy_name,
            } => format!(
                "aws iam delete-role-policy --role-name {role_name} --policy-name {policy_name}"
            ),
            Removal::Role { role_name } => format!("aws iam delete-role --role-name {role_name}"),
            Removal::Table { table_name } => {
                format!("aws dynamodb delete-table --table-name {table_name}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn everything() -> Created {
        Created {
            table_name: Some("t".into()),
            role_name: Some("r".into()),
            role_policy_name: Some("p".into()),
            function_name: Some("f".into()),
            user_pool_id: Some("us-east-1_x".into()),
        }
    }

    #[test]
    fn nothing_created_means_nothing_removed() {
        assert_eq!(plan(&Created::default()), vec![]);
    }

    #[test]
    fn everything_goes_pool_first_role_before_log_group_and_table_last() {
        assert_eq!(
            plan(&everything()),
            vec![
                Removal::UserPool {
                    user_pool_id: "us-east-1_x".into()
                },
                Removal::Function {
                    function_name: "f".into()
                },
                Removal::RolePolicy {
                    role_name: "r".into(),
                    policy_name: "p".into()
                },
                Removal::Role {
                    role_name: "r".into()
                },
                Removal::LogGroup {
                    log_group: "/aws/lambda/f".into()
                },
                Removal::Table {
                    table_name: "t".into()
                },
            ]
        );
    }

    #[test]
    fn a_run_that_failed_early_removes_only_what_it_made() {
        let created = Created {
            table_name: Some("t".into()),
            role_name: Some("r".into()),
            ..Created::default()
        };
        assert_eq!(
            plan(&created),
            vec![
                Removal::Role {
                    role_name: "r".into()
                },
                Removal::Table {
                    table_name: "t".into()
                },
            ]
        );
    }

    #[test]
    fn each_removal_says_what_and_how_by_hand() {
        for removal in plan(&everything()) {
            assert!(!removal.describe().is_empty());
            assert!(
                removal.by_hand().starts_with("aws "),
                "{}",
                removal.by_hand()
            );
        }
        assert_eq!(
            Removal::LogGroup {
                log_group: "/aws/lambda/f".into()
            }
            .describe(),
            "log group /aws/lambda/f"
        );
    }
}
