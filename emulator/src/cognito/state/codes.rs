//! Codes a user is sent: six random digits, single use, replaced when a new
//! one of the same purpose is sent, and refused after too many wrong tries.
//! Sign-up and attribute verification codes are valid 24 hours; password
//! reset codes one hour (the Amazon Cognito developer guide, "Recovering
//! user accounts"). A verification code may carry the new value of an
//! attribute that is only changed once verified.

use rand::Rng;

use crate::aws_json::ServiceError;
use crate::cognito::errors;

const MAX_FAILURES: u8 = 5;

/// What a code confirms. A user holds at most one code of each purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum CodePurpose {
    /// ConfirmSignUp.
    SignUp,
    /// ConfirmForgotPassword (sent by ForgotPassword and AdminResetUserPassword).
    ResetPassword,
    /// VerifyUserAttribute of `email`.
    VerifyEmail,
    /// VerifyUserAttribute of `phone_number`.
    VerifyPhone,
}

impl CodePurpose {
    /// How long a code of this purpose stays valid, in seconds.
    fn validity_secs(self) -> i64 {
        match self {
            CodePurpose::ResetPassword => 3600,
            _ => 24 * 3600,
        }
    }

    /// The verification purpose of an attribute that can be verified.
    pub fn verifying(attribute: &str) -> Option<Self> {
        match attribute {
            "email" => Some(CodePurpose::VerifyEmail),
            "phone_number" => Some(CodePurpose::VerifyPhone),
            _ => None,
        }
    }
}

/// A code a user was sent and has not used yet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PendingCode {
    code: u32,
    expires_at: i64,
    failures: u8,
    purpose: CodePurpose,
    /// The attribute value that takes effect when this code is redeemed
    /// (`AttributesRequireVerificationBeforeUpdate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pending_value: Option<Box<str>>,
}

impl PendingCode {
    /// A fresh code, valid from `now` (epoch seconds) for its purpose's time.
    pub fn new(purpose: CodePurpose, now: i64) -> Self {
        PendingCode {
            code: rand::thread_rng().gen_range(0..1_000_000),
            expires_at: now + purpose.validity_secs(),
            failures: 0,
            purpose,
            pending_value: None,
        }
    }

    /// The six digits as sent to the user.
    pub fn digits(&self) -> String {
        format!("{:06}", self.code)
    }

    /// Checks `sent` at `now`. A wrong code counts toward the limit; the
    /// caller discards the code once this returns `Ok`.
    pub fn check(&mut self, sent: &str, now: i64) -> Result<(), ServiceError> {
        if self.failures >= MAX_FAILURES {
            return Err(errors::attempt_limit_exceeded());
        }
        if now > self.expires_at {
            return Err(errors::expired_code());
        }
        if sent != self.digits() {
            self.failures += 1;
            return Err(errors::code_mismatch());
        }
        Ok(())
    }
}

/// The codes a user holds, at most one per purpose (usually none or one,
/// so a short list).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub(crate) struct Codes(Vec<PendingCode>);

impl Codes {
    /// Sends a new code of `purpose` at `now` (epoch seconds): the one it
    /// replaces stops working.
    pub fn issue(&mut self, purpose: CodePurpose, now: i64) -> PendingCode {
        self.issue_with(purpose, now, None)
    }

    /// [`Codes::issue`] for a code that, once redeemed, sets the attribute
    /// it verifies to `pending_value`.
    pub fn issue_with(
        &mut self,
        purpose: CodePurpose,
        now: i64,
        pending_value: Option<Box<str>>,
    ) -> PendingCode {
        let mut code = PendingCode::new(purpose, now);
        code.pending_value = pending_value;
        self.discard(purpose);
        self.0.push(code.clone());
        code
    }

    /// The value waiting for the code of `purpose`, if any.
    pub fn pending_value(&self, purpose: CodePurpose) -> Option<&str> {
        self.0
            .iter()
            .find(|c| c.purpose == purpose)
            .and_then(|c| c.pending_value.as_deref())
    }

    /// Uses up the code of `purpose` if `sent` is it, and returns the value
    /// it was waiting for; a user holding none gets `ExpiredCodeException`,
    /// as AWS answers for a code never sent.
    pub fn redeem(
        &mut self,
        purpose: CodePurpose,
        sent: &str,
        now: i64,
    ) -> Result<Option<Box<str>>, ServiceError> {
        let index = self
            .0
            .iter()
            .position(|c| c.purpose == purpose)
            .ok_or_else(errors::expired_code)?;
        self.0[index].check(sent, now)?;
        let code = self.0.remove(index);
        if self.0.is_empty() {
            self.0 = Vec::new();
        }
        Ok(code.pending_value)
    }

    /// Forgets the code of `purpose`, if any.
    pub fn discard(&mut self, purpose: CodePurpose) {
        self.0.retain(|c| c.purpose != purpose);
        if self.0.is_empty() {
            self.0 = Vec::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrong(code: &PendingCode) -> &'static str {
        if code.digits() == "000000" {
            "000001"
        } else {
            "000000"
        }
    }

    #[test]
    fn six_digits_expiry_and_attempt_limit() {
        let validity = CodePurpose::SignUp.validity_secs();
        let mut code = PendingCode::new(CodePurpose::SignUp, 1000);
        let digits = code.digits();
        assert_eq!(digits.len(), 6);
        assert!(digits.chars().all(|c| c.is_ascii_digit()));
        let wrong = wrong(&code);
        assert_eq!(
            code.check(wrong, 1000).unwrap_err().code,
            "CodeMismatchException"
        );
        assert_eq!(
            code.clone()
                .check(&digits, 1000 + validity + 1)
                .unwrap_err()
                .code,
            "ExpiredCodeException"
        );
        assert!(code.clone().check(&digits, 1001).is_ok());
        for _ in 1..MAX_FAILURES {
            let _ = code.check(wrong, 1000);
        }
        assert_eq!(
            code.check(&digits, 1000).unwrap_err().code,
            "LimitExceededException"
        );
    }

    #[test]
    fn each_purpose_has_its_own_code_and_reset_codes_last_an_hour() {
        let mut codes = Codes::default();
        let sign_up = codes.issue(CodePurpose::SignUp, 0);
        let reset = codes.issue(CodePurpose::ResetPassword, 0);
        assert_eq!(
            codes
                .redeem(CodePurpose::ResetPassword, &reset.digits(), 3601)
                .unwrap_err()
                .code,
            "ExpiredCodeException"
        );
        codes
            .redeem(CodePurpose::SignUp, &sign_up.digits(), 3601)
            .unwrap();
        assert_eq!(
            codes
                .redeem(CodePurpose::SignUp, &sign_up.digits(), 3601)
                .unwrap_err()
                .code,
            "ExpiredCodeException",
            "a used code is gone"
        );
        let first = codes.issue(CodePurpose::VerifyEmail, 0);
        let second = codes.issue_with(CodePurpose::VerifyEmail, 0, Some("new@example.com".into()));
        assert_eq!(
            codes.pending_value(CodePurpose::VerifyEmail),
            Some("new@example.com")
        );
        if first.digits() != second.digits() {
            assert_eq!(
                codes
                    .redeem(CodePurpose::VerifyEmail, &first.digits(), 1)
                    .unwrap_err()
                    .code,
                "CodeMismatchException",
                "a replaced code no longer works"
            );
        }
        assert_eq!(
            codes
                .redeem(CodePurpose::VerifyEmail, &second.digits(), 1)
                .unwrap()
                .as_deref(),
            Some("new@example.com")
        );
        // The expired reset code stays until replaced or discarded.
        codes.discard(CodePurpose::ResetPassword);
        assert_eq!(codes, Codes::default(), "no code is left");
    }
}
