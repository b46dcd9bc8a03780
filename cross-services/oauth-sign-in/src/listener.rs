//! The loopback redirect: a small web server on `localhost` that receives
//! the browser after the sign-in (`/callback?code=...&state=...`) and after
//! the sign-out (`/signed-out`). Cognito sends the browser only to callback
//! URLs registered on the app client, compared exactly, so the port is
//! fixed, not picked at random.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use example_cli::ExampleError;
use tokio::sync::mpsc;

/// A redirect that reached the listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redirect {
    /// `/callback` and its query.
    Callback(HashMap<String, String>),
    /// `/signed-out`: the domain ended the session.
    SignedOut,
}

/// The running listener; it stops when dropped.
pub struct Listener {
    redirects: mpsc::UnboundedReceiver<Redirect>,
    server: tokio::task::JoinHandle<()>,
}

/// The callback and sign-out URLs for a port, as registered on the app client.
pub fn redirect_uris(port: u16) -> (String, String) {
    (
        format!("http://localhost:{port}/callback"),
        format!("http://localhost:{port}/signed-out"),
    )
}

impl Listener {
    /// Listens on 127.0.0.1 (what `localhost` resolves to first on most
    /// systems, and never reachable from another machine).
    pub async fn start(port: u16) -> Result<Self, ExampleError> {
        let (sender, redirects) = mpsc::unbounded_channel();
        let app = Router::new()
            .route("/callback", get(callback))
            .route("/signed-out", get(signed_out))
            .with_state(sender);
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let socket = tokio::net::TcpListener::bind(address).await.map_err(|err| {
            ExampleError::new(format!(
                "Cannot listen on {address} for the redirect ({err}): choose another --port and register its callback URL on the app client."
            ))
        })?;
        let server = tokio::spawn(async move {
            let _ = axum::serve(socket, app).await;
        });
        Ok(Self { redirects, server })
    }

    /// Waits for the next redirect.
    pub async fn next(&mut self) -> Option<Redirect> {
        self.redirects.recv().await
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn callback(
    State(sender): State<mpsc::UnboundedSender<Redirect>>,
    Query(query): Query<HashMap<String, String>>,
) -> Html<&'static str> {
    let failed = query.contains_key("error");
    let _ = sender.send(Redirect::Callback(query));
    Html(if failed {
        "<!doctype html><title>Sign-in failed</title><h1>Sign-in failed</h1><p>The command line says why. You can close this window.</p>"
    } else {
        "<!doctype html><title>Signed in</title><h1>Signed in</h1><p>Back to the command line: you can close this window.</p>"
    })
}

async fn signed_out(State(sender): State<mpsc::UnboundedSender<Redirect>>) -> Html<&'static str> {
    let _ = sender.send(Redirect::SignedOut);
    Html(
        "<!doctype html><title>Signed out</title><h1>Signed out</h1><p>You can close this window.</p>",
    )
}
