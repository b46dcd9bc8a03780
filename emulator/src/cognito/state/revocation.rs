//! Revocation by time: every token carries an `origin_jti` whose first six
//! bytes are its sign-in time, and a user's `revoked_before` refuses every
//! token signed in before it (GlobalSignOut, AdminUserGlobalSignOut).
//!
//! Revocation of one sign-in: RevokeToken ends a refresh token and every
//! access and ID token issued from it, which all share its `origin_jti`;
//! [`Revocations`] remembers those until the refresh token would have
//! expired anyway. A refresh token rotated out by GetTokensFromRefreshToken
//! is remembered by its own id, with the end of its grace period.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::records;
use crate::persist::{Journal, Record};

/// Revoked sign-ins and rotated-out refresh tokens of one emulator. Each
/// is one `cognito.revocation` record: `session/{origin_jti}` or
/// `rotated/{token id}`.
#[derive(Default)]
pub(crate) struct Revocations {
    inner: Mutex<Revoked>,
    journal: Journal,
}

/// A revoked sign-in as stored.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredSession {
    forget_after: i64,
}

/// A rotated-out refresh token as stored.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredRotation {
    valid_until: i64,
    forget_after: i64,
}

fn session_key(origin_jti: &str) -> String {
    format!("session/{origin_jti}")
}

fn rotated_key(token_id: u64) -> String {
    format!("rotated/{token_id}")
}

#[derive(Default)]
struct Revoked {
    /// `origin_jti` → when to forget it (epoch seconds).
    sessions: HashMap<String, i64>,
    /// Refresh token id → (valid until, forget after), epoch seconds.
    rotated: HashMap<u64, (i64, i64)>,
}

impl Revoked {
    /// Forgets what has expired anyway, now and then (when the maps double).
    fn trim(&mut self, now: i64, journal: &Journal) {
        if self.sessions.len() > 1024 && self.sessions.len().is_power_of_two() {
            self.sessions.retain(|jti, forget| {
                let keep = *forget > now;
                if !keep {
                    journal.delete(records::REVOCATION, &session_key(jti));
                }
                keep
            });
        }
        if self.rotated.len() > 1024 && self.rotated.len().is_power_of_two() {
            self.rotated.retain(|id, (_, forget)| {
                let keep = *forget > now;
                if !keep {
                    journal.delete(records::REVOCATION, &rotated_key(*id));
                }
                keep
            });
        }
    }
}

impl Revocations {
    /// No revocations yet; each one goes to `journal`.
    pub fn new(journal: Journal) -> Self {
        Revocations {
            inner: Mutex::default(),
            journal,
        }
    }

    /// Every revocation as a record.
    pub fn records(&self) -> Vec<Record> {
        let revoked = self.lock();
        let sessions = revoked.sessions.iter().map(|(jti, forget_after)| {
            let value = StoredSession {
                forget_after: *forget_after,
            };
            (session_key(jti), serde_json::to_value(value))
        });
        let rotated = revoked
            .rotated
            .iter()
            .map(|(id, (valid_until, forget_after))| {
                let value = StoredRotation {
                    valid_until: *valid_until,
                    forget_after: *forget_after,
                };
                (rotated_key(*id), serde_json::to_value(value))
            });
        sessions
            .chain(rotated)
            .map(|(key, value)| Record {
                kind: records::REVOCATION.to_owned(),
                key,
                value: value.unwrap_or_default(),
            })
            .collect()
    }

    /// Puts back a revocation read from a state folder, without journaling.
    pub fn restore(&self, key: &str, value: &serde_json::Value) -> Result<(), String> {
        let mut revoked = self.lock();
        if let Some(jti) = key.strip_prefix("session/") {
            let stored = StoredSession::deserialize(value).map_err(|e| e.to_string())?;
            revoked.sessions.insert(jti.to_owned(), stored.forget_after);
        } else if let Some(id) = key.strip_prefix("rotated/") {
            let id: u64 = id.parse().map_err(|_| "not a token id".to_owned())?;
            let stored = StoredRotation::deserialize(value).map_err(|e| e.to_string())?;
            revoked
                .rotated
                .insert(id, (stored.valid_until, stored.forget_after));
        } else {
            return Err("neither session/ nor rotated/".into());
        }
        Ok(())
    }

    /// Forgets every revocation, without journaling.
    pub fn clear(&self) {
        *self.lock() = Revoked::default();
    }

    fn lock(&self) -> MutexGuard<'_, Revoked> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Revokes the sign-in `origin_jti`, remembered until `forget_after`.
    pub fn revoke_session(&self, origin_jti: &str, forget_after: i64, now: i64) {
        let mut revoked = self.lock();
        revoked.trim(now, &self.journal);
        revoked.sessions.insert(origin_jti.to_owned(), forget_after);
        let stored = StoredSession { forget_after };
        self.journal
            .put(records::REVOCATION, &session_key(origin_jti), &stored);
    }

    pub fn session_revoked(&self, origin_jti: &str) -> bool {
        self.lock().sessions.contains_key(origin_jti)
    }

    /// Marks the refresh token `token_id` rotated out: it works until
    /// `valid_until` (its grace period), and is refused after.
    pub fn rotate_out(&self, token_id: u64, valid_until: i64, forget_after: i64, now: i64) {
        let mut revoked = self.lock();
        revoked.trim(now, &self.journal);
        if let std::collections::hash_map::Entry::Vacant(entry) = revoked.rotated.entry(token_id) {
            entry.insert((valid_until, forget_after));
            let stored = StoredRotation {
                valid_until,
                forget_after,
            };
            self.journal
                .put(records::REVOCATION, &rotated_key(token_id), &stored);
        }
    }

    /// Whether the refresh token `token_id` was rotated out and its grace
    /// period is over at `now`.
    pub fn rotated_out(&self, token_id: u64, now: i64) -> bool {
        self.lock()
            .rotated
            .get(&token_id)
            .is_some_and(|(valid_until, _)| now > *valid_until)
    }
}

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
    fn revoked_sessions_and_rotated_tokens() {
        let revocations = Revocations::default();
        assert!(!revocations.session_revoked("a"));
        revocations.revoke_session("a", 100, 0);
        assert!(revocations.session_revoked("a"));
        revocations.rotate_out(7, 10, 100, 0);
        assert!(!revocations.rotated_out(7, 10), "still in its grace period");
        assert!(revocations.rotated_out(7, 11));
        // Rotating out again does not extend the grace period.
        revocations.rotate_out(7, 50, 100, 20);
        assert!(revocations.rotated_out(7, 20));
        assert!(!revocations.rotated_out(8, 20));
    }

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
