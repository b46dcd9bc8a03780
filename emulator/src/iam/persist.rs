//! IAM in the state folder: one `iam.role` record per role, keyed by the
//! role's name in lower case (IAM names are unique without regard to case),
//! holding everything the role has: its trust policy, managed policy
//! attachments, inline policies and tags, in IAM's member names.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{IamService, Role};
use crate::persist::{Journal, Persistent, Record};

/// One role, with its policies.
pub(super) const ROLE: &str = "iam.role";

/// Whether changes are described to the journal (a state folder, or a
/// test's capture): values are only built when something listens.
fn journaling(journal: &Journal) -> bool {
    journal.is_on()
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StoredTag {
    key: String,
    value: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StoredAttachedPolicy {
    policy_name: String,
    policy_arn: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StoredRolePolicy {
    policy_name: String,
    /// The document as the caller sent it.
    policy_document: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StoredRole {
    role_name: String,
    path: String,
    role_id: String,
    arn: String,
    create_date: String,
    /// The trust policy as the caller sent it.
    assume_role_policy_document: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    max_session_duration: i64,
    /// The managed policy's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    permissions_boundary: Option<String>,
    #[serde(default)]
    tags: Vec<StoredTag>,
    #[serde(default)]
    attached_policies: Vec<StoredAttachedPolicy>,
    #[serde(default)]
    role_policies: Vec<StoredRolePolicy>,
}

impl StoredRole {
    fn of(role: &Role) -> StoredRole {
        StoredRole {
            role_name: role.name.clone(),
            path: role.path.clone(),
            role_id: role.role_id.clone(),
            arn: role.arn.clone(),
            create_date: role.create_date.clone(),
            assume_role_policy_document: role.assume_role_policy_document.clone(),
            description: role.description.clone(),
            max_session_duration: role.max_session_duration,
            permissions_boundary: role.permissions_boundary.clone(),
            tags: role
                .tags
                .iter()
                .map(|(key, value)| StoredTag {
                    key: key.clone(),
                    value: value.clone(),
                })
                .collect(),
            attached_policies: role
                .attached
                .iter()
                .map(|(arn, name)| StoredAttachedPolicy {
                    policy_name: name.clone(),
                    policy_arn: arn.clone(),
                })
                .collect(),
            role_policies: role
                .inline
                .iter()
                .map(|(name, document)| StoredRolePolicy {
                    policy_name: name.clone(),
                    policy_document: document.clone(),
                })
                .collect(),
        }
    }

    fn into_role(self) -> Role {
        Role {
            name: self.role_name,
            path: self.path,
            role_id: self.role_id,
            arn: self.arn,
            create_date: self.create_date,
            assume_role_policy_document: self.assume_role_policy_document,
            description: self.description,
            max_session_duration: self.max_session_duration,
            permissions_boundary: self.permissions_boundary,
            tags: self.tags.into_iter().map(|t| (t.key, t.value)).collect(),
            attached: self
                .attached_policies
                .into_iter()
                .map(|p| (p.policy_arn, p.policy_name))
                .collect(),
            inline: self
                .role_policies
                .into_iter()
                .map(|p| (p.policy_name, p.policy_document))
                .collect(),
        }
    }
}

impl IamService {
    /// Tells the journal a role's new state. Call with the roles' lock held;
    /// `key` is the role's name in lower case.
    pub(super) fn journal_role(&self, key: &str, role: &Role) {
        if journaling(&self.journal) {
            self.journal.put(ROLE, key, &StoredRole::of(role));
        }
    }

    /// Tells the journal a role is gone. Call with the roles' lock held.
    pub(super) fn journal_role_deleted(&self, key: &str) {
        self.journal.delete(ROLE, key);
    }
}

impl Persistent for IamService {
    fn kind_prefix(&self) -> &'static str {
        "iam."
    }

    fn records(&self) -> Vec<Record> {
        let roles = self.roles.read().unwrap_or_else(|e| e.into_inner());
        let mut records: Vec<Record> = roles
            .iter()
            .map(|(key, role)| Record {
                kind: ROLE.to_owned(),
                key: key.clone(),
                value: serde_json::to_value(StoredRole::of(role)).unwrap_or_default(),
            })
            .collect();
        records.sort_by(|a, b| a.key.cmp(&b.key));
        records
    }

    fn restore(&self, records: Vec<Record>) -> Result<(), String> {
        let mut roles = HashMap::with_capacity(records.len());
        for record in records {
            if record.kind != ROLE {
                return Err(format!("{} {}: unknown kind", record.kind, record.key));
            }
            let stored: StoredRole = serde_json::from_value(record.value)
                .map_err(|err| format!("{} {}: {err}", record.kind, record.key))?;
            if stored.role_name.to_lowercase() != record.key {
                return Err(format!(
                    "{} {}: the record holds the role {}",
                    record.kind, record.key, stored.role_name
                ));
            }
            roles.insert(record.key, stored.into_role());
        }
        *self.roles.write().unwrap_or_else(|e| e.into_inner()) = roles;
        Ok(())
    }

    fn clear(&self) {
        self.roles
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;
    use crate::aws_query::{QueryError, run};
    use crate::iam::RoleCheck;

    const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    const POLICY: &str = r#"{"Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}"#;

    fn call(iam: &IamService, action: &str, params: &[(&str, &str)]) -> Result<String, QueryError> {
        let params = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        run(iam, action, &params)
    }

    fn check(iam: &IamService, journal: &Journal, step: &str) {
        assert_eq!(journal.replayed(), iam.records(), "after {step}");
    }

    #[test]
    fn every_change_is_journaled_and_restored() {
        let journal = Journal::capture();
        let iam = IamService::new(&Config::default(), journal.clone());
        call(
            &iam,
            "CreateRole",
            &[
                ("RoleName", "Fn-Role"),
                ("Path", "/service-role/"),
                ("AssumeRolePolicyDocument", TRUST),
                ("Description", "runs the function"),
                ("MaxSessionDuration", "7200"),
                (
                    "PermissionsBoundary",
                    "arn:aws:iam::aws:policy/PowerUserAccess",
                ),
                ("Tags.member.1.Key", "team"),
                ("Tags.member.1.Value", "auth"),
                ("Tags.member.2.Key", "env"),
                ("Tags.member.2.Value", "dev"),
            ],
        )
        .unwrap();
        check(&iam, &journal, "CreateRole");
        call(
            &iam,
            "CreateRole",
            &[("RoleName", "other"), ("AssumeRolePolicyDocument", TRUST)],
        )
        .unwrap();
        check(&iam, &journal, "CreateRole");
        // A refused CreateRole changes nothing.
        call(
            &iam,
            "CreateRole",
            &[("RoleName", "FN-ROLE"), ("AssumeRolePolicyDocument", TRUST)],
        )
        .unwrap_err();
        check(&iam, &journal, "a refused CreateRole");
        for arn in [
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "arn:aws:iam::000000000000:policy/mine",
        ] {
            call(
                &iam,
                "AttachRolePolicy",
                &[("RoleName", "fn-role"), ("PolicyArn", arn)],
            )
            .unwrap();
            check(&iam, &journal, "AttachRolePolicy");
        }
        call(
            &iam,
            "PutRolePolicy",
            &[
                ("RoleName", "Fn-Role"),
                ("PolicyName", "logs"),
                ("PolicyDocument", POLICY),
            ],
        )
        .unwrap();
        check(&iam, &journal, "PutRolePolicy");
        call(
            &iam,
            "PutRolePolicy",
            &[
                ("RoleName", "other"),
                ("PolicyName", "gone"),
                ("PolicyDocument", POLICY),
            ],
        )
        .unwrap();
        call(
            &iam,
            "DeleteRolePolicy",
            &[("RoleName", "other"), ("PolicyName", "gone")],
        )
        .unwrap();
        check(&iam, &journal, "DeleteRolePolicy");
        call(
            &iam,
            "AttachRolePolicy",
            &[
                ("RoleName", "other"),
                ("PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
            ],
        )
        .unwrap();
        call(&iam, "DeleteRole", &[("RoleName", "other")]).unwrap_err();
        check(&iam, &journal, "a refused DeleteRole");
        call(
            &iam,
            "DetachRolePolicy",
            &[
                ("RoleName", "other"),
                ("PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
            ],
        )
        .unwrap();
        check(&iam, &journal, "DetachRolePolicy");
        call(&iam, "DeleteRole", &[("RoleName", "OTHER")]).unwrap();
        check(&iam, &journal, "DeleteRole");
        let replayed = journal.replayed();
        assert_eq!(replayed.len(), 1);
        assert_eq!(replayed[0].key, "fn-role");
        assert_eq!(replayed[0].value["RoleName"], "Fn-Role");
        assert_eq!(replayed[0].value["AssumeRolePolicyDocument"], TRUST);

        // Restored: the same records, the same answers, nothing journaled.
        let quiet = Journal::capture();
        let restored = IamService::new(&Config::default(), quiet.clone());
        restored.restore(iam.records()).unwrap();
        assert_eq!(restored.records(), iam.records());
        assert!(quiet.replayed().is_empty());
        for (action, params) in [
            ("GetRole", vec![("RoleName", "fn-role")]),
            ("ListRoles", vec![]),
            ("ListAttachedRolePolicies", vec![("RoleName", "fn-role")]),
            ("ListRolePolicies", vec![("RoleName", "fn-role")]),
            (
                "GetRolePolicy",
                vec![("RoleName", "fn-role"), ("PolicyName", "logs")],
            ),
        ] {
            assert_eq!(
                call(&restored, action, &params).unwrap(),
                call(&iam, action, &params).unwrap(),
                "{action}"
            );
        }
        let arn = "arn:aws:iam::000000000000:role/service-role/Fn-Role";
        assert_eq!(
            restored.role_assumable_by(arn, "lambda.amazonaws.com"),
            RoleCheck::Ok
        );

        restored.clear();
        assert!(restored.records().is_empty());
        assert!(quiet.replayed().is_empty());
    }

    #[test]
    fn bad_records_are_named() {
        let iam = IamService::new(&Config::default(), Journal::capture());
        let record = Record {
            kind: ROLE.to_owned(),
            key: "x".to_owned(),
            value: serde_json::json!({"RoleName": "x"}),
        };
        let err = iam.restore(vec![record]).unwrap_err();
        assert!(err.starts_with("iam.role x:"), "{err}");
    }
}
