//! Revocation by time: every token carries an `origin_jti` whose first six
//! bytes are its sign-in time, and a user's `revoked_before` refuses every
//! token signed in before it (GlobalSignOut, AdminUserGlobalSignOut).

use rand::RngCore;

/// A fresh `origin_jti`: a UUID whose first six bytes are the sign-in time
/// (`now` in epoch milliseconds, but strictly after `not_before`), so that
/// revocation needs only a time per user.
pub(crate) fn new_origin_jti(now: i64, not_before: i64) -> (String, i64) {
    let millis = now.max(not_before + 1);
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes[..6].copy_from_slice(&millis.to_be_bytes()[2..8]);
    (
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string(),
        millis,
    )
}

/// The sign-in time an `origin_jti` carries.
pub(crate) fn origin_time(origin_jti: &str) -> Option<i64> {
    let id = uuid::Uuid::parse_str(origin_jti).ok()?;
    let mut millis = [0u8; 8];
    millis[2..8].copy_from_slice(&id.as_bytes()[..6]);
    Some(i64::from_be_bytes(millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_jti_carries_its_time_and_respects_revocation() {
        let (jti, millis) = new_origin_jti(1_000, 0);
        assert_eq!(millis, 1_000);
        assert_eq!(origin_time(&jti), Some(millis));
        let later = millis + 10_000;
        let (jti, after) = new_origin_jti(1_000, later);
        assert!(after > later);
        assert_eq!(origin_time(&jti), Some(after));
        assert_eq!(origin_time("not-a-uuid"), None);
    }
}
