//! AssociateSoftwareToken: start adding an authenticator app (TOTP) to a
//! user, and show the secret the way authenticator apps take it: as an
//! `otpauth://` URI and as a QR code drawn in the terminal.
//!
//! This is a user call, not an administrator one: it is authorized by the
//! user's own session or access token, not by AWS credentials.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::associate_software_token::{
    AssociateSoftwareTokenError, AssociateSoftwareTokenOutput,
};
use example_cli::ExampleError;
use qrcode::QrCode;
use qrcode::render::unicode::Dense1x2;
use totp_rs::{Builder, Secret};

/// How the user proves who they are to AssociateSoftwareToken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential<'a> {
    /// The session of a sign-in that Cognito answered with `MFA_SETUP`: the
    /// user is not signed in yet and must add an authenticator app first.
    Session(&'a str),
    /// The access token of a user who is already signed in.
    AccessToken(&'a str),
}

// snippet-start:[rust.cognito-idp.AssociateSoftwareToken]
/// Asks Cognito for a new TOTP secret for the user.
///
/// The secret (`secret_code`, Base32) goes into the user's authenticator app;
/// nothing is switched on yet: VerifySoftwareToken with a code from the app
/// finishes the setup. When called with a session, Cognito answers with a
/// new session that VerifySoftwareToken needs (the old one is used up).
pub async fn associate_software_token(
    client: &Client,
    credential: Credential<'_>,
) -> Result<AssociateSoftwareTokenOutput, SdkError<AssociateSoftwareTokenError>> {
    let request = client.associate_software_token();
    let request = match credential {
        Credential::Session(session) => request.session(session),
        Credential::AccessToken(token) => request.access_token(token),
    };
    request.send().await
}
// snippet-end:[rust.cognito-idp.AssociateSoftwareToken]

/// The `otpauth://totp/...` URI that authenticator apps read (usually from a
/// QR code): Cognito's Base32 secret with the usual settings Cognito uses
/// (SHA-1, six digits, 30-second steps), labelled `issuer:account_name`.
///
/// Neither `issuer` nor `account_name` may contain a colon.
pub fn otpauth_uri(
    secret_code: &str,
    account_name: &str,
    issuer: &str,
) -> Result<String, ExampleError> {
    let secret = Secret::try_from_base32(secret_code.trim().to_ascii_uppercase())
        .map_err(|_| ExampleError::new("The secret code is not valid Base32."))?;
    let totp = Builder::new()
        .with_secret(secret)
        .with_account_name(account_name)
        .with_issuer(Some(issuer))
        .build()
        .map_err(|err| ExampleError::new(format!("Cannot build the otpauth URI: {err}")))?;
    totp.to_url()
        .map_err(|err| ExampleError::new(format!("Cannot build the otpauth URI: {err}")))
}

/// Draws `text` as a QR code with Unicode half blocks, two rows of modules
/// per line of text, quiet zone included.
///
/// The blocks are drawn for the code's *light* modules: on the usual dark
/// terminal background that shows dark modules on a light square, the way
/// a camera expects a QR code to look.
pub fn qr_code(text: &str) -> Result<String, ExampleError> {
    let code = QrCode::new(text.as_bytes())
        .map_err(|err| ExampleError::new(format!("Cannot draw the QR code: {err}")))?;
    Ok(code
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_mocks::{mock, mock_client};
    use qrcode::Color;
    use totp_rs::Totp;

    const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    #[tokio::test]
    async fn sends_the_session_and_returns_secret_and_new_session() {
        let associate = mock!(Client::associate_software_token)
            .match_requests(|req| {
                req.session() == Some("session-1") && req.access_token().is_none()
            })
            .then_output(|| {
                AssociateSoftwareTokenOutput::builder()
                    .secret_code(SECRET)
                    .session("session-2")
                    .build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&associate]);

        let output = associate_software_token(&client, Credential::Session("session-1"))
            .await
            .expect("secret");

        assert_eq!(output.secret_code(), Some(SECRET));
        assert_eq!(output.session(), Some("session-2"));
        assert_eq!(associate.num_calls(), 1);
    }

    #[tokio::test]
    async fn sends_the_access_token_instead_of_a_session() {
        let associate = mock!(Client::associate_software_token)
            .match_requests(|req| req.access_token() == Some("access") && req.session().is_none())
            .then_output(|| {
                AssociateSoftwareTokenOutput::builder()
                    .secret_code(SECRET)
                    .build()
            });
        let client = mock_client!(aws_sdk_cognitoidentityprovider, [&associate]);

        let output = associate_software_token(&client, Credential::AccessToken("access"))
            .await
            .expect("secret");

        assert_eq!(output.secret_code(), Some(SECRET));
        assert_eq!(output.session(), None);
    }

    #[test]
    fn the_uri_carries_the_secret_account_and_issuer() {
        let uri = otpauth_uri(SECRET, "alice", "Cognito examples").expect("uri");

        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        let totp = Totp::from_url(&uri).expect("an authenticator app can read it");
        assert_eq!(totp.account_name(), "alice");
        assert_eq!(totp.issuer(), Some("Cognito examples"));
        assert_eq!(totp.secret().to_base32(), SECRET);
        assert_eq!(totp.digits(), 6);
        assert_eq!(totp.step(), 30);
    }

    #[test]
    fn a_lowercase_secret_is_accepted_and_bad_input_is_refused() {
        let upper = otpauth_uri(SECRET, "alice", "Cognito examples").expect("uri");
        let lower = otpauth_uri(&SECRET.to_lowercase(), "alice", "Cognito examples").expect("uri");
        assert_eq!(upper, lower);

        assert!(otpauth_uri("not base32!", "alice", "Cognito examples").is_err());
        assert!(otpauth_uri(SECRET, "ali:ce", "Cognito examples").is_err());
    }

    /// Reads the drawing back into modules (true = light) and compares them
    /// with the QR code of the same text, quiet zone and all.
    #[test]
    fn the_drawing_is_the_qr_code_of_the_text() {
        let text = "otpauth://totp/Cognito%20examples:alice?secret=JBSWY3DPEHPK3PXP";
        let drawing = qr_code(text).expect("drawing");

        let code = QrCode::new(text.as_bytes()).unwrap();
        let colors = code.to_colors();
        let width = code.width();
        let quiet = 4;
        let side = width + 2 * quiet;
        let light = |x: usize, y: usize| {
            if x < quiet || y < quiet || x >= width + quiet || y >= width + quiet {
                return true;
            }
            colors[(y - quiet) * width + (x - quiet)] == Color::Light
        };

        let lines: Vec<&str> = drawing.lines().collect();
        assert_eq!(lines.len(), side.div_ceil(2));
        for (row, line) in lines.iter().enumerate() {
            let glyphs: Vec<char> = line.chars().collect();
            assert_eq!(glyphs.len(), side, "line {row}");
            for (x, glyph) in glyphs.into_iter().enumerate() {
                let (top, bottom) = match glyph {
                    ' ' => (false, false),
                    '\u{2584}' => (false, true),
                    '\u{2580}' => (true, false),
                    '\u{2588}' => (true, true),
                    other => panic!("unexpected glyph {other:?}"),
                };
                assert_eq!(top, light(x, 2 * row), "module ({x}, {})", 2 * row);
                if 2 * row + 1 < side {
                    assert_eq!(
                        bottom,
                        light(x, 2 * row + 1),
                        "module ({x}, {})",
                        2 * row + 1
                    );
                }
            }
        }
    }
}
