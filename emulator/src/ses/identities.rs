//! Identities: VerifyEmailIdentity, ListIdentities,
//! GetIdentityVerificationAttributes and DeleteIdentity.
//!
//! In AWS, VerifyEmailIdentity mails a link and the address stays `Pending`
//! until someone opens it. Offline nobody can: the emulator puts the
//! verification mail in the outbox (`trigger: "SES.VerifyEmailIdentity"`)
//! and takes the link as opened, so the identity is `Success` at once. An
//! example then runs unchanged on both sides: against AWS its user opens
//! the link (or has verified the sender before), against the emulator
//! nothing more is needed, and no example has to call an emulator-only
//! endpoint to get past a verification step.

use std::sync::Arc;

use serde_json::Value;

use super::{Identity, Outcome, SesService, errors, message_id, text, texts};
use crate::aws_query::element;
use crate::outbox::{DeliveryMedium, Envelope, Mail};

/// Most identities ListIdentities answers with per page (API reference:
/// "Possible values are 1-1000 inclusive").
const MAX_ITEMS: usize = 1000;
/// Who sends SES's verification mail.
const VERIFICATION_SENDER: &str = "no-reply-aws@amazon.com";

/// The address in a mailbox, `Name <address>` or a bare `address`, checked
/// as SES checks it (`InvalidParameterValue`).
pub(super) fn address(mailbox: &str) -> Result<&str, crate::aws_query::QueryError> {
    let address = match (mailbox.rfind('<'), mailbox.ends_with('>')) {
        (Some(open), true) => &mailbox[open + 1..mailbox.len() - 1],
        _ => mailbox.trim(),
    };
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Err(errors::missing_domain());
    };
    if domain.is_empty() {
        return Err(errors::missing_domain());
    }
    if domain.ends_with('.') {
        return Err(errors::domain_ends_with_dot());
    }
    // The API reference's form: UserName@[SubDomain.]Domain.TopLevelDomain.
    let bad = |c: char| c.is_whitespace() || c.is_control();
    if local.is_empty() || address.contains(bad) || !domain.contains('.') || domain.starts_with('.')
    {
        return Err(errors::illegal_address());
    }
    Ok(address)
}

impl SesService {
    pub(super) fn verify_email_identity(&self, input: &Value) -> Outcome {
        let requested = text(input, "EmailAddress").unwrap_or_default();
        let address = address(requested)?.to_owned();
        {
            let mut identities = self.identities.lock().unwrap_or_else(|p| p.into_inner());
            if !identities.iter().any(|known| known.address == address) {
                let identity = Identity {
                    address: address.clone(),
                    order: identities.last().map_or(0, |last| last.order + 1),
                };
                self.journal_identity(&identity);
                identities.push(identity);
            }
        }
        self.outbox.push(Envelope {
            user_pool_id: "".into(),
            username: "".into(),
            destination: address.as_str().into(),
            medium: DeliveryMedium::Email,
            trigger: "SES.VerifyEmailIdentity",
            code: None,
            template: format!(
                "Someone asked to send email from {address} through Amazon SES in region {}. \
                 The emulator verified the address at once: nobody can open a verification link offline.",
                self.region
            )
            .into(),
            subject: Some(
                format!(
                    "Amazon Web Services - Email Address Verification Request in region {}",
                    self.region
                )
                .into(),
            ),
            mail: Some(Box::new(Mail {
                source: VERIFICATION_SENDER.into(),
                html: None,
                message_id: Arc::from(message_id()),
            })),
        });
        Ok(String::new())
    }

    pub(super) fn list_identities(&self, input: &Value) -> Outcome {
        // Only email addresses can be verified here: a Domain listing is empty.
        let wanted_emails = text(input, "IdentityType") != Some("Domain");
        let start = match text(input, "NextToken") {
            None => 0,
            Some(token) => token
                .parse::<usize>()
                .map_err(|_| errors::invalid_next_token())?,
        };
        // Values outside 1-1000 are held to that range (what AWS answers
        // them with is not documented).
        let max = input
            .get("MaxItems")
            .and_then(Value::as_i64)
            .map_or(MAX_ITEMS, |n| n.clamp(1, MAX_ITEMS as i64) as usize);
        let identities = self.identities.lock().unwrap_or_else(|p| p.into_inner());
        let listed: &[Identity] = if wanted_emails { &identities } else { &[] };
        if start > listed.len() {
            return Err(errors::invalid_next_token());
        }
        let page = &listed[start..listed.len().min(start + max)];
        let mut out = String::from("<Identities>");
        for identity in page {
            element(&mut out, "member", &identity.address);
        }
        out.push_str("</Identities>");
        let next = start + page.len();
        if next < listed.len() {
            element(&mut out, "NextToken", &next.to_string());
        }
        Ok(out)
    }

    pub(super) fn get_identity_verification_attributes(&self, input: &Value) -> Outcome {
        let identities = self.identities.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::from("<VerificationAttributes>");
        // Identities SES does not know are left out of the map.
        for asked in texts(input, "Identities") {
            if identities.iter().any(|identity| identity.address == asked) {
                out.push_str("<entry>");
                element(&mut out, "key", asked);
                out.push_str("<value>");
                element(&mut out, "VerificationStatus", "Success");
                out.push_str("</value></entry>");
            }
        }
        out.push_str("</VerificationAttributes>");
        Ok(out)
    }

    /// Deleting an identity SES does not have succeeds too.
    pub(super) fn delete_identity(&self, input: &Value) -> Outcome {
        let identity = text(input, "Identity").unwrap_or_default();
        let mut identities = self.identities.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(at) = identities
            .iter()
            .position(|known| known.address == identity)
        {
            self.journal_identity_deleted(identity);
            identities.remove(at);
        }
        Ok(String::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_read_from_mailboxes() {
        assert_eq!(address("a@example.com"), Ok("a@example.com"));
        assert_eq!(
            address("\"Team\" <team@example.com>"),
            Ok("team@example.com")
        );
        assert_eq!(address(" b@example.com "), Ok("b@example.com"));
        assert_eq!(
            address("nobody").unwrap_err().message,
            "Missing final '@domain'"
        );
        assert_eq!(
            address("x@").unwrap_err().message,
            "Missing final '@domain'"
        );
        assert_eq!(
            address("@example.com").unwrap_err().message,
            "Illegal address"
        );
        assert_eq!(
            address("a b@example.com").unwrap_err().message,
            "Illegal address"
        );
        assert_eq!(address("a@b").unwrap_err().message, "Illegal address");
        assert_eq!(
            address("a@example.com.").unwrap_err().message,
            "Domain ends with dot"
        );
    }
}
