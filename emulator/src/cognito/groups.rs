//! Groups: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups,
//! AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser and
//! ListUsersInGroup. The groups and memberships live in `state::groups`;
//! what they put into tokens is `GroupClaims`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use uuid::Uuid;

use super::state::groups::Group;
use super::state::pool::Pool;
use super::users::user_type;
use super::{CognitoService, Input, Outcome, epoch, errors};
use crate::aws_json::ServiceError;

/// The `GroupType` of every group operation.
fn group_json(pool: &Pool, group: &Group) -> Value {
    let mut out = json!({
        "GroupName": &*group.name,
        "UserPoolId": &*pool.id,
        "CreationDate": epoch(group.created),
        "LastModifiedDate": epoch(group.modified),
    });
    if let Some(description) = &group.description {
        out["Description"] = json!(description);
    }
    if let Some(role) = &group.role_arn {
        out["RoleArn"] = json!(role);
    }
    if let Some(precedence) = group.precedence {
        out["Precedence"] = json!(precedence);
    }
    out
}

/// `Limit` of the listing operations: 1 to 60, none (or 0) meaning 60.
fn page_size(input: &Input<'_>) -> usize {
    match input.i64("Limit") {
        Some(n) if n > 0 => n.min(60) as usize,
        _ => 60,
    }
}

/// A `NextToken`: the key the next page starts at, opaque to callers.
fn encode_token(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key.as_bytes())
}

fn decode_token(input: &Input<'_>) -> Result<Option<String>, ServiceError> {
    let Some(token) = input.str("NextToken") else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .map(Some)
        .ok_or_else(|| errors::invalid_parameter("Invalid NextToken"))
}

/// A page of `items` (already in order, from the start key) and the token
/// of the next page.
fn page<T>(items: impl Iterator<Item = (String, T)>, limit: usize) -> (Vec<T>, Option<String>) {
    let mut listed = Vec::new();
    for (key, item) in items {
        if listed.len() == limit {
            return (listed, Some(encode_token(&key)));
        }
        listed.push(item);
    }
    (listed, None)
}

fn with_next(mut output: Value, next: Option<String>) -> Value {
    if let Some(next) = next {
        output["NextToken"] = json!(next);
    }
    output
}

impl CognitoService {
    /// The key and `sub` of the user an administrator named.
    fn group_member(&self, pool: &Pool, name: &str) -> Result<(Box<str>, Uuid), ServiceError> {
        let settings = pool.settings();
        let table = pool.users.lock();
        let key = table
            .resolve(&settings, name)
            .ok_or_else(errors::user_not_found)?;
        let user = table.users().get(&key).ok_or_else(errors::user_not_found)?;
        Ok((key, user.sub))
    }

    pub(super) fn create_group(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let now = self.now_millis();
        let group = Group {
            name: input.required("GroupName")?.into(),
            description: input.str("Description").map(str::to_owned),
            role_arn: input.str("RoleArn").map(str::to_owned),
            precedence: input.i64("Precedence"),
            created: now,
            modified: now,
        };
        let mut groups = pool.groups.lock();
        let group = groups.create(group)?;
        Ok(json!({ "Group": group_json(&pool, group) }))
    }

    pub(super) fn get_group(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let groups = pool.groups.lock();
        let group = groups.get(input.required("GroupName")?)?;
        Ok(json!({ "Group": group_json(&pool, group) }))
    }

    /// UpdateGroup changes only what the request names ("updates any of the
    /// properties for precedence, IAM role, or description", API reference).
    pub(super) fn update_group(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let now = self.now_millis();
        let mut groups = pool.groups.lock();
        let group = groups.update(input.required("GroupName")?, |group| {
            if let Some(description) = input.str("Description") {
                group.description = Some(description.to_owned());
            }
            if let Some(role) = input.str("RoleArn") {
                group.role_arn = Some(role.to_owned());
            }
            if let Some(precedence) = input.i64("Precedence") {
                group.precedence = Some(precedence);
            }
            group.modified = now;
        })?;
        Ok(json!({ "Group": group_json(&pool, group) }))
    }

    pub(super) fn delete_group(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        pool.groups.lock().delete(input.required("GroupName")?)?;
        Ok(json!({}))
    }

    pub(super) fn list_groups(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let limit = page_size(input);
        let start = decode_token(input)?.unwrap_or_default();
        let groups = pool.groups.lock();
        let items = groups
            .groups()
            .range::<str, _>((
                std::ops::Bound::Included(start.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .map(|(name, group)| (name.to_string(), group_json(&pool, group)));
        let (listed, next) = page(items, limit);
        Ok(with_next(json!({ "Groups": listed }), next))
    }

    pub(super) fn admin_add_user_to_group(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let group = input.required("GroupName")?;
        let (key, sub) = self.group_member(&pool, input.required("Username")?)?;
        pool.groups.lock().add_member(group, &key, sub)?;
        Ok(json!({}))
    }

    pub(super) fn admin_remove_user_from_group(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let group = input.required("GroupName")?;
        let (key, sub) = self.group_member(&pool, input.required("Username")?)?;
        pool.groups.lock().remove_member(group, &key, sub)?;
        Ok(json!({}))
    }

    pub(super) fn admin_list_groups_for_user(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let limit = page_size(input);
        let start = decode_token(input)?.unwrap_or_default();
        let (_, sub) = self.group_member(&pool, input.required("Username")?)?;
        let groups = pool.groups.lock();
        let items = groups
            .groups_of(sub)
            .into_iter()
            .filter(|group| *group.name >= *start)
            .map(|group| (group.name.to_string(), group_json(&pool, group)));
        let (listed, next) = page(items, limit);
        Ok(with_next(json!({ "Groups": listed }), next))
    }

    pub(super) fn list_users_in_group(&self, input: &Input<'_>) -> Outcome {
        let pool = self.pool(input.required("UserPoolId")?)?;
        let group = input.required("GroupName")?;
        let limit = page_size(input);
        let start = decode_token(input)?;
        let mut groups = pool.groups.lock();
        groups.get(group)?;
        let (listed, next, stale) =
            {
                let users = pool.users.lock();
                let mut stale = Vec::new();
                let members = groups.members_from(group, start.as_deref()).filter_map(
                    |(key, sub)| match users.users().get(key).filter(|user| user.sub == sub) {
                        Some(user) => Some((key.to_owned(), user_type(user, &[]))),
                        None => {
                            stale.push(key.to_owned());
                            None
                        }
                    },
                );
                let (listed, next) = page(members, limit);
                (listed, next, stale)
            };
        for key in stale {
            groups.prune(group, &key);
        }
        Ok(with_next(json!({ "Users": listed }), next))
    }
}
