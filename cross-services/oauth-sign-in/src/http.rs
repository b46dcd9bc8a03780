//! One small HTTP client for every request the examples send to the
//! domain, and the adapter the `oauth2` crate calls to send its own.
//!
//! The `oauth2` crate's default client is reqwest with native TLS; the AWS
//! SDK already brings hyper and rustls, so the examples send the OAuth
//! requests with those instead of compiling a second HTTP stack.

use std::sync::Arc;

use example_cli::ExampleError;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::http::{HeaderValue, Request, Response, header};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// An HTTP/1.1 client for `https://` (a real domain) and `http://` (the
/// emulator, the loopback listener) URLs.
#[derive(Clone)]
pub struct HttpClient {
    inner: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

/// A request that never got an answer (refused connection, TLS failure).
#[derive(Debug)]
pub struct TransportError(pub String);

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TransportError {}

impl HttpClient {
    /// Trusts the operating system's certificate authorities, as a browser does.
    pub fn new() -> Self {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = hyper_rustls::HttpsConnectorBuilder::new();
        let builder = match builder.with_provider_and_native_roots(provider.clone()) {
            Ok(builder) => builder,
            // No CA certificates on this machine: plain HTTP (the emulator)
            // still works, and an https:// URL fails with a certificate error.
            Err(_) => hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(
                rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .expect("the default provider supports the default versions")
                    .with_root_certificates(rustls::RootCertStore::empty())
                    .with_no_client_auth(),
            ),
        };
        let connector = builder.https_or_http().enable_http1().build();
        Self {
            inner: Client::builder(TokioExecutor::new()).build(connector),
        }
    }

    /// Sends one request and reads the whole answer. Redirects are not
    /// followed: the flow looks at each one.
    pub async fn send(
        &self,
        request: Request<Vec<u8>>,
    ) -> Result<Response<Vec<u8>>, TransportError> {
        let target = request.uri().to_string();
        let (parts, body) = request.into_parts();
        let request = Request::from_parts(parts, Full::new(Bytes::from(body)));
        let response = self
            .inner
            .request(request)
            .await
            .map_err(|err| TransportError(format!("{target}: {}", error_chain(&err))))?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|err| TransportError(format!("{target}: {err}")))?
            .to_bytes();
        Ok(Response::from_parts(parts, body.to_vec()))
    }

    /// GET with an optional bearer token.
    pub async fn get(
        &self,
        url: &str,
        bearer: Option<&str>,
    ) -> Result<Response<Vec<u8>>, ExampleError> {
        let mut request = Request::get(url);
        if let Some(token) = bearer {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = request
            .body(Vec::new())
            .map_err(|err| ExampleError::new(format!("{url}: {err}")))?;
        self.send(request)
            .await
            .map_err(|err| ExampleError::new(err.0))
    }

    /// POST of an `application/x-www-form-urlencoded` body.
    pub async fn post_form(
        &self,
        url: &str,
        fields: &[(&str, &str)],
        extra_headers: &[(header::HeaderName, HeaderValue)],
    ) -> Result<Response<Vec<u8>>, ExampleError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut request =
            Request::post(url).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (name, value) in extra_headers {
            request = request.header(name, value);
        }
        let request = request
            .body(body.into_bytes())
            .map_err(|err| ExampleError::new(format!("{url}: {err}")))?;
        self.send(request)
            .await
            .map_err(|err| ExampleError::new(err.0))
    }
}

/// What the `oauth2` crate calls to send its requests (token, refresh,
/// client credentials).
impl<'c> oauth2::AsyncHttpClient<'c> for HttpClient {
    type Error = TransportError;
    type Future = std::pin::Pin<
        Box<dyn Future<Output = Result<Response<Vec<u8>>, TransportError>> + Send + 'c>,
    >;

    fn call(&'c self, request: Request<Vec<u8>>) -> Self::Future {
        Box::pin(self.send(request))
    }
}

impl Default for HttpClient {
    fn default() -> Self {
        Self::new()
    }
}

/// An error and its causes on one line ("connection refused" is a cause).
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut line = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        line.push_str(": ");
        line.push_str(&cause.to_string());
        source = cause.source();
    }
    line
}

/// The body as text, for error messages and HTML.
pub fn body_text(response: &Response<Vec<u8>>) -> String {
    String::from_utf8_lossy(response.body()).into_owned()
}
