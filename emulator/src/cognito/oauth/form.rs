//! `application/x-www-form-urlencoded` (query strings and form bodies),
//! cookies and HTTP Basic credentials: the few wire details the hosted
//! endpoints read, written here rather than pulled in as a crate.

use base64::Engine;

/// Decodes `%XX` escapes and `+` (a space); malformed escapes stay as sent.
pub(crate) fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes everything but the unreserved characters.
pub(crate) fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The name/value pairs of a query string or form body, in order.
pub(crate) fn parse(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

/// Pairs encoded as a query string.
pub(crate) fn to_query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Parameters by name: the first value of a name counts.
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub fn new(text: &str) -> Self {
        Params(parse(text))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// The value of cookie `name` in a `Cookie` header.
pub(crate) fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (n, v) = pair.trim().split_once('=')?;
        (n == name).then_some(v)
    })
}

/// `(client_id, client_secret)` of an `Authorization: Basic` header.
pub(crate) fn basic_credentials(header: &str) -> Option<(String, String)> {
    let encoded = header.strip_prefix("Basic ")?.trim();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((decode(id), decode(secret)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_and_encoding_round_trip() {
        assert_eq!(decode("a+b%20c%2Fd"), "a b c/d");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz"), "%zz");
        let text = "https://app.example/cb?x=1&y=é";
        assert_eq!(decode(&encode(text)), text);
        assert_eq!(encode("a b/c"), "a%20b%2Fc");
    }

    #[test]
    fn params_cookies_and_basic_credentials() {
        let params = Params::new("client_id=abc&scope=openid+email&empty=&client_id=other");
        assert_eq!(params.get("client_id"), Some("abc"));
        assert_eq!(params.get("scope"), Some("openid email"));
        assert_eq!(params.get("empty"), None);
        assert_eq!(cookie("a=1; cognito=xyz; b=2", "cognito"), Some("xyz"));
        assert_eq!(cookie("a=1", "cognito"), None);
        let header = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("client:se:cret")
        );
        assert_eq!(
            basic_credentials(&header),
            Some(("client".to_owned(), "se:cret".to_owned()))
        );
        assert_eq!(basic_credentials("Bearer x"), None);
    }
}
