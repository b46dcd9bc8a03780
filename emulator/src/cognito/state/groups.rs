//! A pool's groups and their members.
//!
//! A membership is stored under the user's key (their stored user name)
//! together with the user's `sub` at the time they were added, and read
//! back only while a user of that key still has that `sub`. So a deleted
//! user (AdminDeleteUser, DeleteUser) drops out of every group without the
//! user code knowing about groups, and a new user of the same name does not
//! inherit the old one's groups. Stale memberships are pruned when a listing
//! comes across them.
//!
//! Lock order: a caller that needs both takes this table's lock before the
//! pool's user table.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::records;
use crate::persist::Journal;

use crate::aws_json::ServiceError;
use crate::cognito::errors;

/// One group of a pool.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Group {
    pub name: Box<str>,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub precedence: Option<i64>,
    pub created: i64,
    pub modified: i64,
}

impl Group {
    /// The order Cognito gives precedence in: lower values first, groups
    /// without a precedence after every group with one.
    fn rank(&self) -> (bool, i64) {
        (
            self.precedence.is_none(),
            self.precedence.unwrap_or_default(),
        )
    }
}

/// What a user's groups put into their tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct GroupClaims {
    /// `cognito:groups`: every group, in precedence order.
    pub groups: Vec<String>,
    /// `cognito:roles`: the role ARNs of those groups, in the same order.
    pub roles: Vec<String>,
    /// `cognito:preferred_role`: the role of the group that takes precedence.
    pub preferred_role: Option<String>,
}

impl GroupClaims {
    /// The claims of these groups, as the API reference of CreateGroup
    /// (`Precedence`) describes them: the preferred role is that of the
    /// group with the lowest precedence among the groups with a role; when
    /// several share that precedence, it is set only if they share the role.
    pub fn of(mut groups: Vec<&Group>) -> Self {
        groups.sort_by(|a, b| a.rank().cmp(&b.rank()).then(a.name.cmp(&b.name)));
        let mut roles: Vec<String> = Vec::new();
        for role in groups.iter().filter_map(|g| g.role_arn.as_ref()) {
            if !roles.contains(role) {
                roles.push(role.clone());
            }
        }
        let with_role: Vec<&&Group> = groups.iter().filter(|g| g.role_arn.is_some()).collect();
        let preferred_role = with_role.first().and_then(|best| {
            let mut tied = with_role.iter().filter(|g| g.rank() == best.rank());
            let role = best.role_arn.clone();
            tied.all(|g| g.role_arn == role).then_some(role).flatten()
        });
        GroupClaims {
            groups: groups.iter().map(|g| g.name.to_string()).collect(),
            roles,
            preferred_role,
        }
    }
}

/// A pool's groups, by name, and who is in them. Each change is written
/// to the journal by the method that makes it, under the lock.
#[derive(Default)]
pub(crate) struct GroupTable {
    groups: BTreeMap<Box<str>, Group>,
    /// (group, user key) → the `sub` of the user added under that key.
    members: BTreeMap<(Box<str>, Box<str>), Uuid>,
    /// `sub` → the groups that user was added to.
    by_user: HashMap<Uuid, BTreeSet<Box<str>>>,
    journal: Journal,
    /// The pool's id, which the records are named by.
    pool_id: Arc<str>,
}

/// A membership as stored (`cognito.member`).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredMember<'a> {
    #[serde(borrow)]
    pub group: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    pub user_key: std::borrow::Cow<'a, str>,
    pub sub: String,
}

impl GroupTable {
    /// Every group, by name.
    pub fn groups(&self) -> &BTreeMap<Box<str>, Group> {
        &self.groups
    }

    fn save_group(&self, group: &Group) {
        let key = records::child_key(&self.pool_id, &group.name);
        self.journal.put(records::GROUP, &key, group);
    }

    fn save_member(&self, group: &str, user_key: &str, sub: Uuid) {
        let key = records::member_key(&self.pool_id, group, user_key);
        let stored = StoredMember {
            group: group.into(),
            user_key: user_key.into(),
            sub: sub.to_string(),
        };
        self.journal.put(records::MEMBER, &key, &stored);
    }

    fn forget_member(&self, group: &str, user_key: &str) {
        let key = records::member_key(&self.pool_id, group, user_key);
        self.journal.delete(records::MEMBER, &key);
    }

    /// Every membership as stored: (group, user key, `sub`).
    pub fn memberships(&self) -> impl Iterator<Item = (&str, &str, Uuid)> {
        self.members
            .iter()
            .map(|((group, key), sub)| (&**group, &**key, *sub))
    }

    /// Puts back a group read from a state folder, without journaling.
    pub fn restore_group(&mut self, group: Group) {
        self.groups.insert(group.name.clone(), group);
    }

    /// Puts back a membership read from a state folder, without
    /// journaling; `false` when its group is gone.
    pub fn restore_member(&mut self, group: &str, user_key: &str, sub: Uuid) -> bool {
        let Some(name) = self.groups.get(group).map(|g| g.name.clone()) else {
            return false;
        };
        self.members.insert((name.clone(), user_key.into()), sub);
        self.by_user.entry(sub).or_default().insert(name);
        true
    }

    /// The group of that name, or `ResourceNotFoundException`.
    pub fn get(&self, name: &str) -> Result<&Group, ServiceError> {
        self.groups.get(name).ok_or_else(errors::group_not_found)
    }

    /// Changes the group of that name with `change` (UpdateGroup).
    pub fn update(
        &mut self,
        name: &str,
        change: impl FnOnce(&mut Group),
    ) -> Result<&Group, ServiceError> {
        let group = self
            .groups
            .get_mut(name)
            .ok_or_else(errors::group_not_found)?;
        change(group);
        let group = &self.groups[name];
        self.save_group(group);
        Ok(group)
    }

    /// Adds a new group, or `GroupExistsException` when the pool has a group
    /// of that name in any letter case: AWS refuses "Admins" beside "ADMINS"
    /// (an AWS maintainer in aws-amplify/amplify-backend issue 1781: changing
    /// the casing of a group leads to this error). Lookups by name stay exact:
    /// no source says whether GetGroup "admins" finds "Admins" (unverified).
    pub fn create(&mut self, group: Group) -> Result<&Group, ServiceError> {
        let folded = group.name.to_lowercase();
        if self.groups.keys().any(|name| name.to_lowercase() == folded) {
            return Err(errors::group_exists());
        }
        let name = group.name.clone();
        self.save_group(&group);
        Ok(self.groups.entry(name).or_insert(group))
    }

    /// Removes a group and every membership in it.
    pub fn delete(&mut self, name: &str) -> Result<(), ServiceError> {
        self.groups
            .remove(name)
            .ok_or_else(errors::group_not_found)?;
        self.journal
            .delete(records::GROUP, &records::child_key(&self.pool_id, name));
        self.journal.delete_prefix(
            records::MEMBER,
            &records::group_members_prefix(&self.pool_id, name),
        );
        let keys: Vec<(Box<str>, Box<str>)> = self
            .members_from(name, None)
            .map(|(key, _)| (name.into(), key.into()))
            .collect();
        for key in keys {
            if let Some(sub) = self.members.remove(&key) {
                self.forget_for_user(sub, name);
            }
        }
        Ok(())
    }

    fn forget_for_user(&mut self, sub: Uuid, group: &str) {
        if let Some(groups) = self.by_user.get_mut(&sub) {
            groups.remove(group);
            if groups.is_empty() {
                self.by_user.remove(&sub);
            }
        }
    }

    /// Puts the user (stored under `user_key`, with `sub`) in the group;
    /// adding a member again changes nothing.
    pub fn add_member(
        &mut self,
        group: &str,
        user_key: &str,
        sub: Uuid,
    ) -> Result<(), ServiceError> {
        let name = self.get(group)?.name.clone();
        self.save_member(&name, user_key, sub);
        if let Some(old) = self.members.insert((name.clone(), user_key.into()), sub) {
            if old != sub {
                // A former user of the same name: their membership ends here.
                self.forget_for_user(old, &name);
            }
        }
        self.by_user.entry(sub).or_default().insert(name);
        Ok(())
    }

    /// Takes the user out of the group (nothing happens if not a member).
    pub fn remove_member(
        &mut self,
        group: &str,
        user_key: &str,
        sub: Uuid,
    ) -> Result<(), ServiceError> {
        let name = self.get(group)?.name.clone();
        let key = (name.clone(), Box::<str>::from(user_key));
        if self.members.get(&key) == Some(&sub) {
            self.members.remove(&key);
            self.forget_member(&name, user_key);
        }
        self.forget_for_user(sub, &name);
        Ok(())
    }

    /// The groups of the user with this `sub`, by name.
    pub fn groups_of(&self, sub: Uuid) -> Vec<&Group> {
        self.by_user
            .get(&sub)
            .into_iter()
            .flatten()
            .filter_map(|name| self.groups.get(name))
            .collect()
    }

    /// The claims the groups of the user with this `sub` put in tokens.
    pub fn claims_of(&self, sub: Uuid) -> GroupClaims {
        GroupClaims::of(self.groups_of(sub))
    }

    /// The members of a group as (user key, `sub`), by user key, starting
    /// at `start` (inclusive) when given.
    pub fn members_from<'a>(
        &'a self,
        group: &'a str,
        start: Option<&str>,
    ) -> impl Iterator<Item = (&'a str, Uuid)> + 'a {
        let from: (Box<str>, Box<str>) = (group.into(), start.unwrap_or_default().into());
        self.members
            .range(from..)
            .take_while(move |((g, _), _)| &**g == group)
            .map(|((_, key), sub)| (&**key, *sub))
    }

    /// Drops a membership whose user is gone (found stale by a listing).
    pub fn prune(&mut self, group: &str, user_key: &str) {
        if let Some(sub) = self.members.remove(&(group.into(), user_key.into())) {
            self.forget_member(group, user_key);
            self.forget_for_user(sub, group);
        }
    }
}

/// A pool's groups behind one lock.
#[derive(Default)]
pub(crate) struct GroupStore {
    table: Mutex<GroupTable>,
}

impl GroupStore {
    /// The groups of the pool `pool_id`, whose changes go to `journal`.
    pub fn new(pool_id: Arc<str>, journal: Journal) -> Self {
        GroupStore {
            table: Mutex::new(GroupTable {
                journal,
                pool_id,
                ..GroupTable::default()
            }),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, GroupTable> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str, precedence: Option<i64>, role: Option<&str>) -> Group {
        Group {
            name: name.into(),
            description: None,
            role_arn: role.map(str::to_owned),
            precedence,
            created: 0,
            modified: 0,
        }
    }

    #[test]
    fn the_lowest_precedence_with_a_role_is_preferred() {
        let admins = group("admins", Some(1), Some("arn:aws:iam::1:role/admin"));
        let staff = group("staff", Some(5), Some("arn:aws:iam::1:role/staff"));
        let plain = group("plain", Some(0), None);
        let loose = group("loose", None, Some("arn:aws:iam::1:role/loose"));
        let claims = GroupClaims::of(vec![&staff, &loose, &admins, &plain]);
        assert_eq!(claims.groups, ["plain", "admins", "staff", "loose"]);
        assert_eq!(
            claims.roles,
            [
                "arn:aws:iam::1:role/admin",
                "arn:aws:iam::1:role/staff",
                "arn:aws:iam::1:role/loose"
            ]
        );
        assert_eq!(
            claims.preferred_role.as_deref(),
            Some("arn:aws:iam::1:role/admin")
        );
    }

    #[test]
    fn tied_precedence_needs_one_role() {
        let a = group("a", Some(2), Some("arn:aws:iam::1:role/x"));
        let b = group("b", Some(2), Some("arn:aws:iam::1:role/y"));
        let c = group("c", Some(2), Some("arn:aws:iam::1:role/x"));
        assert_eq!(GroupClaims::of(vec![&a, &b]).preferred_role, None);
        assert_eq!(
            GroupClaims::of(vec![&a, &c]).preferred_role.as_deref(),
            Some("arn:aws:iam::1:role/x")
        );
        // Without precedence at all, the null precedences tie too.
        let d = group("d", None, Some("arn:aws:iam::1:role/x"));
        let e = group("e", None, Some("arn:aws:iam::1:role/y"));
        assert_eq!(GroupClaims::of(vec![&d, &e]).preferred_role, None);
        assert_eq!(GroupClaims::of(vec![]), GroupClaims::default());
    }

    #[test]
    fn memberships_follow_the_sub() {
        let mut table = GroupTable::default();
        table.create(group("g", None, None)).unwrap();
        let old = Uuid::new_v4();
        let new = Uuid::new_v4();
        table.add_member("g", "alice", old).unwrap();
        assert_eq!(table.groups_of(old).len(), 1);
        // A new alice added again replaces the old one's membership.
        table.add_member("g", "alice", new).unwrap();
        assert!(table.groups_of(old).is_empty());
        assert_eq!(
            table.members_from("g", None).collect::<Vec<_>>(),
            [("alice", new)]
        );
        // Removing the old sub does not remove the new member.
        table.remove_member("g", "alice", old).unwrap();
        assert_eq!(table.groups_of(new).len(), 1);
        table.delete("g").unwrap();
        assert!(table.groups_of(new).is_empty());
        assert!(table.add_member("g", "alice", new).is_err());
    }
}
