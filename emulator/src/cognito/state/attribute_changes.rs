//! How a user's attributes change after sign-up: updates and deletions by
//! the user (limited by the app client's `WriteAttributes`) or by an
//! administrator, and the verification of email addresses and phone
//! numbers.
//!
//! Changing `email` or `phone_number` makes it unverified
//! (`email_verified` false) and, when the pool auto-verifies it, sends a
//! code to the new address. When the pool's
//! `UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate`
//! names it, the old value (still verified) stays until the code is
//! redeemed, and the new value waits with the code (developer guide,
//! "Verifying updates to email addresses and phone numbers").

use super::clients::AppClient;
use super::codes::{CodePurpose, PendingCode};
use super::settings::PoolSettings;
use super::users::{Delivery, User};
use crate::aws_json::ServiceError;
use crate::cognito::errors;
use crate::outbox::DeliveryMedium;

/// Who changes the attributes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Writer<'a> {
    /// The user, with an access token of an app client whose
    /// `WriteAttributes` (`None`: not set) limits what it may write.
    User {
        write_attributes: Option<&'a [&'a str]>,
    },
    /// An administrator (the Admin* operations): any attribute.
    Admin,
}

impl Writer<'_> {
    /// Whether this writer may change `name`. A client without
    /// `WriteAttributes` may write every attribute but the `*_verified`
    /// flags, which only a code (or an administrator) sets.
    fn may_write(&self, name: &str) -> bool {
        match self {
            Writer::Admin => true,
            Writer::User {
                write_attributes: Some(allowed),
            } => allowed.contains(&name),
            Writer::User {
                write_attributes: None,
            } => !matches!(name, "email_verified" | "phone_number_verified"),
        }
    }
}

/// The attribute names an app client's `ReadAttributes` or
/// `WriteAttributes` (`member`) lists, as CreateUserPoolClient stored
/// them; `None` when the client sets none (then the defaults apply).
pub(crate) fn client_attributes<'a>(client: &'a AppClient, member: &str) -> Option<Vec<&'a str>> {
    let names: Vec<&str> = client
        .described
        .get(member)?
        .as_array()?
        .iter()
        .filter_map(serde_json::Value::as_str)
        .collect();
    (!names.is_empty()).then_some(names)
}

/// A code an attribute change sent, and where it went.
pub(crate) type SentCode = (Delivery, PendingCode);

/// The flag that says whether an address attribute is verified.
fn verified_flag(attribute: &str) -> Option<&'static str> {
    match attribute {
        "email" => Some("email_verified"),
        "phone_number" => Some("phone_number_verified"),
        _ => None,
    }
}

fn medium(attribute: &str) -> DeliveryMedium {
    if attribute == "email" {
        DeliveryMedium::Email
    } else {
        DeliveryMedium::Sms
    }
}

/// Whether the pool keeps the old value of `attribute` until the new one
/// is verified.
fn verified_before_update(settings: &PoolSettings, attribute: &str) -> bool {
    settings
        .request
        .get("UserAttributeUpdateSettings")
        .and_then(|s| s.get("AttributesRequireVerificationBeforeUpdate"))
        .and_then(serde_json::Value::as_array)
        .is_some_and(|names| names.iter().any(|n| n.as_str() == Some(attribute)))
}

impl User {
    /// UpdateUserAttributes / AdminUpdateUserAttributes: checks every
    /// attribute first (schema, mutability, the writer's permission), then
    /// applies them; returns the verification codes to send.
    pub fn update_attributes(
        &mut self,
        settings: &PoolSettings,
        updates: &[(&str, &str)],
        writer: Writer<'_>,
        now: i64,
    ) -> Result<Vec<SentCode>, ServiceError> {
        settings.schema.check_updatable(updates)?;
        if updates.iter().any(|(name, _)| !writer.may_write(name)) {
            return Err(errors::unauthorized_attribute_write());
        }
        let now_secs = now.div_euclid(1000);
        let mut sent = Vec::new();
        for &(name, value) in updates {
            let (Some(flag), Some(purpose)) = (verified_flag(name), CodePurpose::verifying(name))
            else {
                self.set_attribute(name, value);
                continue;
            };
            if self.attribute(name) == Some(value) {
                continue;
            }
            let flag_sent = updates.iter().find(|(n, _)| *n == flag).map(|(_, v)| *v);
            let auto_verified = settings.auto_verified.iter().any(|a| a == name);
            let delivery = || Delivery {
                attribute: if name == "email" {
                    "email"
                } else {
                    "phone_number"
                },
                medium: medium(name),
                destination: value.to_owned(),
            };
            if flag_sent.is_none()
                && auto_verified
                && verified_before_update(settings, name)
                && self.attribute(name).is_some()
            {
                let code = self.codes.issue_with(purpose, now_secs, Some(value.into()));
                sent.push((delivery(), code));
                continue;
            }
            self.set_attribute(name, value);
            self.codes.discard(purpose);
            match flag_sent {
                // The flag sent in the same request is set as sent.
                Some(_) => {}
                None => {
                    self.set_attribute(flag, "false");
                    if auto_verified {
                        sent.push((delivery(), self.codes.issue(purpose, now_secs)));
                    }
                }
            }
        }
        self.modified = now;
        Ok(sent)
    }

    /// DeleteUserAttributes / AdminDeleteUserAttributes: required and
    /// immutable attributes stay; deleting an address deletes its
    /// verification flag and any code pending for it.
    pub fn delete_attributes(
        &mut self,
        settings: &PoolSettings,
        names: &[&str],
        writer: Writer<'_>,
        now: i64,
    ) -> Result<(), ServiceError> {
        let schema = &settings.schema;
        for name in names {
            if !schema.knows(name) {
                return Err(errors::invalid_parameter(format!(
                    "Attributes did not conform to the schema: {name}: Attribute does not exist in the schema."
                )));
            }
            if !schema.is_mutable(name) {
                return Err(errors::invalid_parameter(format!(
                    "Attributes did not conform to the schema: {name}: Attribute cannot be updated."
                )));
            }
            if schema.missing_required(|n| n != *name).contains(name) {
                return Err(errors::invalid_parameter(format!(
                    "Attributes did not conform to the schema: {name}: The attribute {name} is required"
                )));
            }
            if !writer.may_write(name) {
                return Err(errors::unauthorized_attribute_write());
            }
        }
        for name in names {
            self.attributes.retain(|(n, _)| &**n != *name);
            if let (Some(flag), Some(purpose)) = (verified_flag(name), CodePurpose::verifying(name))
            {
                self.attributes.retain(|(n, _)| &**n != flag);
                self.codes.discard(purpose);
            }
        }
        self.modified = now;
        Ok(())
    }

    /// GetUserAttributeVerificationCode: a new code for `attribute`, sent
    /// to the value waiting for verification if there is one, else to the
    /// current value.
    pub fn send_verification_code(
        &mut self,
        attribute: &str,
        now: i64,
    ) -> Result<SentCode, ServiceError> {
        let purpose = CodePurpose::verifying(attribute).ok_or_else(|| {
            errors::invalid_parameter(format!(
                "Invalid attribute name: {attribute} cannot be verified"
            ))
        })?;
        let pending = self.codes.pending_value(purpose).map(str::to_owned);
        let destination = pending
            .clone()
            .or_else(|| self.attribute(attribute).map(str::to_owned))
            .ok_or_else(|| {
                errors::invalid_parameter(format!("User does not have the attribute {attribute}"))
            })?;
        let delivery = Delivery {
            attribute: if attribute == "email" {
                "email"
            } else {
                "phone_number"
            },
            medium: medium(attribute),
            destination,
        };
        let code = self
            .codes
            .issue_with(purpose, now.div_euclid(1000), pending.map(Into::into));
        Ok((delivery, code))
    }

    /// VerifyUserAttribute: redeems the attribute's code; the value that
    /// waited for it takes effect, and the attribute is verified.
    pub fn verify_attribute(
        &mut self,
        attribute: &str,
        sent: &str,
        now: i64,
    ) -> Result<(), ServiceError> {
        let (Some(flag), Some(purpose)) =
            (verified_flag(attribute), CodePurpose::verifying(attribute))
        else {
            return Err(errors::invalid_parameter(format!(
                "Invalid attribute name: {attribute} cannot be verified"
            )));
        };
        if let Some(value) = self.codes.redeem(purpose, sent, now.div_euclid(1000))? {
            self.set_attribute(attribute, &value);
        }
        self.set_attribute(flag, "true");
        self.modified = now;
        Ok(())
    }
}
