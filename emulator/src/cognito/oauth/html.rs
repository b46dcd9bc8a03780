//! The hosted pages: plain HTML forms with a little CSS and no JavaScript,
//! built with `format!` and [`escape`]d values.

/// Escapes text for HTML content and double-quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f2f3f3;margin:0}\
main{max-width:22rem;margin:3rem auto;background:#fff;padding:1.5rem 2rem;border-radius:8px;box-shadow:0 1px 4px #0003}\
label{display:block;margin-top:1rem;font-weight:600}\
input{width:100%;box-sizing:border-box;padding:.5rem;margin-top:.25rem;font-size:1rem}\
button{margin-top:1.5rem;width:100%;padding:.6rem;font-size:1rem;background:#0972d3;color:#fff;border:0;border-radius:4px}\
.error{color:#b00020;background:#fde7e9;padding:.5rem;border-radius:4px}";

/// A whole page around `body`.
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n",
        title = escape(title),
    )
}

/// The error paragraph of a form (nothing without an error).
fn error_line(error: Option<&str>) -> String {
    error.map_or_else(String::new, |e| {
        format!(
            "<p class=\"error\" role=\"alert\" id=\"error\">{}</p>\n",
            escape(e)
        )
    })
}

/// What every form of the sign-in carries: where it posts and its CSRF token.
pub(crate) struct FormTarget<'a> {
    /// The `action` URL (the login page with the authorize parameters).
    pub action: &'a str,
    /// The `_csrf` value (also in the `XSRF-TOKEN` cookie).
    pub csrf: &'a str,
}

/// The sign-in form: Cognito's field names `username` and `password`.
pub(crate) fn login_form(target: &FormTarget<'_>, username: &str, error: Option<&str>) -> String {
    page(
        "Sign in",
        &format!(
            "<h1>Sign in</h1>\n{error}<form method=\"post\" action=\"{action}\">\n\
<input type=\"hidden\" name=\"_csrf\" value=\"{csrf}\">\n\
<label for=\"username\">Username</label>\n\
<input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" required value=\"{username}\">\n\
<label for=\"password\">Password</label>\n\
<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\n\
<button type=\"submit\" name=\"signInSubmitButton\">Sign in</button>\n</form>",
            error = error_line(error),
            action = escape(target.action),
            csrf = escape(target.csrf),
            username = escape(username),
        ),
    )
}

/// The MFA step: a code from the authenticator app.
pub(crate) fn mfa_form(target: &FormTarget<'_>, session: &str, error: Option<&str>) -> String {
    page(
        "Multi-factor authentication",
        &format!(
            "<h1>Enter your authentication code</h1>\n{error}<form method=\"post\" action=\"{action}\">\n\
<input type=\"hidden\" name=\"_csrf\" value=\"{csrf}\">\n\
<input type=\"hidden\" name=\"session\" value=\"{session}\">\n\
<label for=\"totpCode\">Code from your authenticator app</label>\n\
<input id=\"totpCode\" name=\"totpCode\" type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required>\n\
<button type=\"submit\">Sign in</button>\n</form>",
            error = error_line(error),
            action = escape(target.action),
            csrf = escape(target.csrf),
            session = escape(session),
        ),
    )
}

/// The new-password step of a user with a temporary password.
pub(crate) fn new_password_form(
    target: &FormTarget<'_>,
    session: &str,
    error: Option<&str>,
) -> String {
    page(
        "Change password",
        &format!(
            "<h1>Change your password</h1>\n<p>Please enter a new password.</p>\n{error}\
<form method=\"post\" action=\"{action}\">\n\
<input type=\"hidden\" name=\"_csrf\" value=\"{csrf}\">\n\
<input type=\"hidden\" name=\"session\" value=\"{session}\">\n\
<label for=\"new_password\">New password</label>\n\
<input id=\"new_password\" name=\"new_password\" type=\"password\" autocomplete=\"new-password\" required>\n\
<label for=\"confirm_password\">Confirm new password</label>\n\
<input id=\"confirm_password\" name=\"confirm_password\" type=\"password\" autocomplete=\"new-password\" required>\n\
<button type=\"submit\">Change password</button>\n</form>",
            error = error_line(error),
            action = escape(target.action),
            csrf = escape(target.csrf),
            session = escape(session),
        ),
    )
}

/// An error page (`error` is the OAuth error code, as Cognito's `/error`
/// page names it, e.g. `redirect_mismatch`).
pub(crate) fn error_page(error: &str, description: &str) -> String {
    page(
        "Error",
        &format!(
            "<h1>An error was encountered with the requested page.</h1>\n\
<p class=\"error\" role=\"alert\">error: <code id=\"error\">{}</code></p>\n<p>{}</p>",
            escape(error),
            escape(description),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn forms_escape_what_they_echo() {
        let target = FormTarget {
            action: "/login?a=1&b=\"2\"",
            csrf: "t0k",
        };
        let html = login_form(&target, "<script>", Some("Bad & wrong"));
        assert!(html.contains("value=\"&lt;script&gt;\""));
        assert!(html.contains("action=\"/login?a=1&amp;b=&quot;2&quot;\""));
        assert!(html.contains("Bad &amp; wrong"));
        assert!(html.contains("name=\"_csrf\" value=\"t0k\""));
        assert!(!html.contains("<script>"));
    }
}
