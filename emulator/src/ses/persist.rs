//! SES in the state folder: one `ses.identity` record per verified
//! identity, keyed by the address as it was verified (identities are case
//! sensitive), with its place in the verification order. The mail SES sent
//! is the outbox's, not SES's.

use serde::{Deserialize, Serialize};

use super::{Identity, SesService};
use crate::persist::{Persistent, Record};

/// One verified identity.
pub(super) const IDENTITY: &str = "ses.identity";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StoredIdentity<'a> {
    identity: &'a str,
    /// Always `Success`: the emulator verifies addresses at once.
    #[serde(default)]
    verification_status: &'a str,
    /// Where ListIdentities lists it: identities verified later have larger
    /// numbers.
    order: u64,
}

impl<'a> StoredIdentity<'a> {
    fn of(identity: &'a Identity) -> Self {
        StoredIdentity {
            identity: &identity.address,
            verification_status: "Success",
            order: identity.order,
        }
    }
}

impl SesService {
    /// Tells the journal about a newly verified identity. Call with the
    /// identities' lock held.
    pub(super) fn journal_identity(&self, identity: &Identity) {
        self.journal
            .put(IDENTITY, &identity.address, &StoredIdentity::of(identity));
    }

    /// Tells the journal an identity is gone. Call with the identities' lock
    /// held.
    pub(super) fn journal_identity_deleted(&self, address: &str) {
        self.journal.delete(IDENTITY, address);
    }
}

impl Persistent for SesService {
    fn kind_prefix(&self) -> &'static str {
        "ses."
    }

    fn records(&self) -> Vec<Record> {
        let identities = self.identities.lock().unwrap_or_else(|p| p.into_inner());
        let mut records: Vec<Record> = identities
            .iter()
            .map(|identity| Record {
                kind: IDENTITY.to_owned(),
                key: identity.address.clone(),
                value: serde_json::to_value(StoredIdentity::of(identity)).unwrap_or_default(),
            })
            .collect();
        records.sort_by(|a, b| a.key.cmp(&b.key));
        records
    }

    fn restore(&self, records: Vec<Record>) -> Result<(), String> {
        let mut identities = Vec::with_capacity(records.len());
        for record in &records {
            let unreadable =
                |err: &dyn std::fmt::Display| format!("{} {}: {err}", record.kind, record.key);
            if record.kind != IDENTITY {
                return Err(unreadable(&"unknown kind"));
            }
            let stored = StoredIdentity::deserialize(&record.value).map_err(|e| unreadable(&e))?;
            if stored.identity != record.key {
                return Err(unreadable(&"the record holds another identity"));
            }
            identities.push(Identity {
                address: stored.identity.to_owned(),
                order: stored.order,
            });
        }
        identities.sort_by_key(|identity| identity.order);
        *self.identities.lock().unwrap_or_else(|p| p.into_inner()) = identities;
        Ok(())
    }

    fn clear(&self) {
        self.identities
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::Config;
    use crate::aws_query::{QueryError, run};
    use crate::outbox::Outbox;
    use crate::persist::Journal;

    fn service(journal: Journal) -> SesService {
        SesService::new(&Config::default(), Arc::new(Outbox::default()), journal)
    }

    fn call(ses: &SesService, action: &str, params: &[(&str, &str)]) -> Result<String, QueryError> {
        let params = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        run(ses, action, &params)
    }

    fn check(ses: &SesService, journal: &Journal, step: &str) {
        assert_eq!(journal.replayed(), ses.records(), "after {step}");
    }

    #[test]
    fn identities_are_journaled_and_restored_in_order() {
        let journal = Journal::capture();
        let ses = service(journal.clone());
        for address in ["zed@example.com", "Amy@example.com", "bob@example.com"] {
            call(&ses, "VerifyEmailIdentity", &[("EmailAddress", address)]).unwrap();
            check(&ses, &journal, "VerifyEmailIdentity");
        }
        call(
            &ses,
            "VerifyEmailIdentity",
            &[("EmailAddress", "zed@example.com")],
        )
        .unwrap();
        check(&ses, &journal, "VerifyEmailIdentity again");
        call(&ses, "DeleteIdentity", &[("Identity", "Amy@example.com")]).unwrap();
        check(&ses, &journal, "DeleteIdentity");
        call(
            &ses,
            "DeleteIdentity",
            &[("Identity", "nobody@example.com")],
        )
        .unwrap();
        check(&ses, &journal, "DeleteIdentity of no identity");
        call(
            &ses,
            "VerifyEmailIdentity",
            &[("EmailAddress", "amy@example.com")],
        )
        .unwrap();
        check(&ses, &journal, "VerifyEmailIdentity");
        assert_eq!(journal.replayed()[0].value["Identity"], "amy@example.com");

        let quiet = Journal::capture();
        let restored = service(quiet.clone());
        restored.restore(ses.records()).unwrap();
        assert_eq!(restored.records(), ses.records());
        assert!(quiet.replayed().is_empty());
        let listed = call(&restored, "ListIdentities", &[]).unwrap();
        assert_eq!(listed, call(&ses, "ListIdentities", &[]).unwrap());
        assert!(
            listed.find("zed@").unwrap() < listed.find("bob@").unwrap()
                && listed.find("bob@").unwrap() < listed.find("amy@").unwrap(),
            "{listed}"
        );
        // A restored identity may send, and new ones come after it.
        call(
            &restored,
            "SendEmail",
            &[
                ("Source", "bob@example.com"),
                ("Destination.ToAddresses.member.1", "x@example.com"),
                ("Message.Subject.Data", "hi"),
                ("Message.Body.Text.Data", "hello"),
            ],
        )
        .unwrap();
        call(
            &restored,
            "VerifyEmailIdentity",
            &[("EmailAddress", "new@example.com")],
        )
        .unwrap();
        let listed = call(&restored, "ListIdentities", &[]).unwrap();
        assert!(listed.find("amy@").unwrap() < listed.find("new@").unwrap());

        restored.clear();
        assert!(restored.records().is_empty());
        assert_eq!(quiet.replayed().len(), 1);
    }

    #[test]
    fn bad_records_are_named() {
        let record = Record {
            kind: IDENTITY.to_owned(),
            key: "a@example.com".to_owned(),
            value: serde_json::json!({"Identity": "a@example.com"}),
        };
        let err = service(Journal::capture())
            .restore(vec![record])
            .unwrap_err();
        assert!(err.starts_with("ses.identity a@example.com:"), "{err}");
    }
}
