//! How Cognito's state is named in a state folder (`--state-dir`): the
//! record kinds and their keys. A pool's children are keyed
//! `{pool_id}/...` (pool ids have no `/`), so deleting a pool drops them
//! with one `delete_prefix` per kind.

/// A pool: its id, ARN, creation time, listing order and settings.
pub(crate) const POOL: &str = "cognito.pool";
/// An app client of a pool: `{pool_id}/{client_id}`.
pub(crate) const CLIENT: &str = "cognito.client";
/// A user of a pool: `{pool_id}/{user key}` (the stored user name,
/// lower-cased in case-insensitive pools).
pub(crate) const USER: &str = "cognito.user";
/// A group of a pool: `{pool_id}/{group name}`.
pub(crate) const GROUP: &str = "cognito.group";
/// A user's membership of a group:
/// `{pool_id}/{escaped group name}/{escaped user key}`.
pub(crate) const MEMBER: &str = "cognito.member";
/// A resource server of a pool: `{pool_id}/{identifier}`.
pub(crate) const RESOURCE_SERVER: &str = "cognito.resource-server";
/// A user pool domain, by its name.
pub(crate) const DOMAIN: &str = "cognito.domain";
/// The keys that sign tokens and seal refresh tokens: one record, [`KEYS`].
pub(crate) const KEYS_KIND: &str = "cognito.keys";
/// The one key of [`KEYS_KIND`].
pub(crate) const KEYS: &str = "keys";
/// A revoked sign-in (`session/{origin_jti}`) or a refresh token rotated
/// out (`rotated/{token id}`).
pub(crate) const REVOCATION: &str = "cognito.revocation";

/// The kinds whose keys start with a pool id, dropped with the pool.
pub(crate) const POOL_CHILDREN: &[&str] = &[CLIENT, USER, GROUP, MEMBER, RESOURCE_SERVER];

/// `{pool_id}/{rest}`.
pub(crate) fn child_key(pool_id: &str, rest: &str) -> String {
    format!("{pool_id}/{rest}")
}

/// The key of a user's record.
pub(crate) fn user_key(pool_id: &str, user_key: &str) -> String {
    child_key(pool_id, user_key)
}

/// A name with `%` and `/` escaped, so that it can be one segment of a key
/// whose prefix is deleted (a group named `a` does not take `a/b` along).
pub(crate) fn segment(name: &str) -> std::borrow::Cow<'_, str> {
    if name.contains(['%', '/']) {
        name.replace('%', "%25").replace('/', "%2F").into()
    } else {
        name.into()
    }
}

/// The prefix of every membership of a group.
pub(crate) fn group_members_prefix(pool_id: &str, group: &str) -> String {
    format!("{pool_id}/{}/", segment(group))
}

/// The key of a membership.
pub(crate) fn member_key(pool_id: &str, group: &str, user_key: &str) -> String {
    format!(
        "{}{}",
        group_members_prefix(pool_id, group),
        segment(user_key)
    )
}

/// The pool id a child record's key starts with.
pub(crate) fn pool_of(key: &str) -> Option<&str> {
    key.split_once('/').map(|(pool, _)| pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_keep_prefixes_apart() {
        let a = group_members_prefix("p", "a");
        assert!(member_key("p", "a", "x/y").starts_with(&a));
        assert!(!member_key("p", "a/b", "x").starts_with(&a));
        assert_eq!(member_key("p", "50%/g", "u"), "p/50%25%2Fg/u");
    }
}
