//! The HTTP front door: one port for every service. Requests are routed the
//! way AWS SDKs address them (for the JSON protocols, by the `X-Amz-Target`
//! prefix), plus the test-only endpoints under `/_emulator/`.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};

use crate::Config;
use crate::aws_json;
use crate::clock::Clock;
use crate::cognito::CognitoService;
use crate::dynamodb::DynamoDbService;
use crate::iam::IamService;
use crate::lambda::LambdaService;
use crate::logs::LogsService;
use crate::outbox::Outbox;
use crate::persist::Journal;
use crate::ses::SesService;

/// Everything one emulator holds. Nothing is global: each emulator has its own.
pub(crate) struct AppState {
    pub cognito: CognitoService,
    pub outbox: Arc<Outbox>,
    pub iam: Arc<IamService>,
    pub logs: Arc<LogsService>,
    pub dynamodb: Arc<DynamoDbService>,
    pub lambda: Arc<LambdaService>,
    pub ses: SesService,
    /// The time every service reads (tests move it with `/_emulator/clock`).
    pub clock: Arc<Clock>,
    /// Where every service reports its changes (off without `--state-dir`).
    pub journal: Journal,
}

impl AppState {
    pub fn new(config: &Config, endpoint: &str, journal: Journal) -> Self {
        let outbox = Arc::new(Outbox::default());
        let clock = Arc::new(Clock::new());
        let iam = Arc::new(IamService::new(config));
        let logs = Arc::new(LogsService::new(config));
        let lambda = Arc::new(LambdaService::new(
            config,
            endpoint,
            iam.clone(),
            logs.clone(),
        ));
        AppState {
            cognito: CognitoService::new(
                config,
                endpoint,
                outbox.clone(),
                clock.clone(),
                lambda.clone(),
                journal.clone(),
            ),
            ses: SesService::new(config, outbox.clone()),
            outbox,
            dynamodb: Arc::new(DynamoDbService::new(config)),
            iam,
            logs,
            lambda,
            clock,
            journal,
        }
    }
}

/// The services reachable through a JSON protocol, by `X-Amz-Target` prefix.
/// DynamoDB (`DynamoDB_20120810.`, JSON 1.0) and CloudWatch Logs
/// (`Logs_20140328.`, JSON 1.1) slot in here; Lambda (REST-JSON, by path)
/// and IAM and SES (Query, by signing name and form `Action`) get their own
/// rows in `dispatch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonTarget {
    CognitoIdp,
    Logs,
    DynamoDb,
}

const JSON_TARGETS: &[(&str, JsonTarget, &str, &str)] = &[
    (
        "AWSCognitoIdentityProviderService.",
        JsonTarget::CognitoIdp,
        "cognito-idp",
        "1.1",
    ),
    ("Logs_20140328.", JsonTarget::Logs, "logs", "1.1"),
    (
        "DynamoDB_20120810.",
        JsonTarget::DynamoDb,
        "dynamodb",
        "1.0",
    ),
];

pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let router = Router::new()
        .route("/_emulator/health", get(health))
        .route("/_emulator/outbox", get(outbox))
        .route("/_emulator/clock", get(clock).post(advance_clock))
        .route("/_emulator/signing-keys/rotate", post(rotate_signing_key))
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/domains/{domain}/{*rest}", any(hosted_by_path))
        .fallback(dispatch)
        // CreateFunction carries the zip (up to 50 MB) base64 in its body.
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::lambda::MAX_REQUEST_BODY,
        ))
        .with_state(state);
    if let Err(err) = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
    {
        tracing::error!("server stopped: {err}");
    }
}

async fn health() -> Response {
    axum::Json(serde_json::json!({"status": "ok"})).into_response()
}

async fn outbox(State(state): State<Arc<AppState>>) -> Response {
    axum::Json(state.outbox.messages()).into_response()
}

async fn clock(State(state): State<Arc<AppState>>) -> Response {
    axum::Json(crate::clock::describe(&state.clock)).into_response()
}

async fn advance_clock(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    match crate::clock::advance_from_request(&state.clock, &body) {
        Ok(now) => axum::Json(now).into_response(),
        Err(message) => (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({ "message": message })),
        )
            .into_response(),
    }
}

async fn jwks(State(state): State<Arc<AppState>>, Path(pool_id): Path<String>) -> Response {
    pool_document(state.cognito.jwks(&pool_id), &pool_id)
}

async fn openid_configuration(
    State(state): State<Arc<AppState>>,
    Path(pool_id): Path<String>,
) -> Response {
    pool_document(state.cognito.openid_configuration(&pool_id), &pool_id)
}

async fn rotate_signing_key(State(state): State<Arc<AppState>>) -> Response {
    let kid = state.cognito.rotate_signing_key();
    axum::Json(serde_json::json!({ "kid": kid })).into_response()
}

/// A pool's published JSON document, or 404 for a pool that does not exist.
fn pool_document(document: Option<serde_json::Value>, pool_id: &str) -> Response {
    match document {
        Some(document) => axum::Json(document).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            axum::Json(
                serde_json::json!({"message": format!("User pool {pool_id} does not exist.")}),
            ),
        )
            .into_response(),
    }
}

/// A user pool domain's endpoints addressed by path:
/// `/domains/{domain}/oauth2/authorize` and so on.
async fn hosted_by_path(
    State(state): State<Arc<AppState>>,
    Path((domain, rest)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let base = format!("{}{domain}", crate::cognito::oauth::DOMAIN_PATH_PREFIX);
    let path = format!("/{rest}");
    let request = crate::cognito::oauth::HostedRequest {
        method: method.as_str(),
        path: &path,
        query: uri.query().unwrap_or_default(),
        headers: &headers,
        body: &body,
    };
    state.cognito.hosted(&domain, &base, request).await
}

async fn dispatch(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    // A user pool domain addressed by `Host` (`{domain}.localhost`,
    // `{domain}.auth.{region}.amazoncognito.com`), with Cognito's paths.
    if let Some(domain) = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .and_then(crate::cognito::oauth::domain_of_host)
    {
        let request = crate::cognito::oauth::HostedRequest {
            method: method.as_str(),
            path: uri.path(),
            query: uri.query().unwrap_or_default(),
            headers: &headers,
            body: &body,
        };
        return state.cognito.hosted(domain, "", request).await;
    }
    if uri.path().starts_with("/2015-03-31/functions") {
        return state.lambda.handle(&method, &uri, &headers, body).await;
    }
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let route = JSON_TARGETS
        .iter()
        .find(|(prefix, ..)| target.starts_with(prefix));
    if route.is_none() && crate::aws_query::is_query_request(&method, &headers) {
        let signed = headers.contains_key("authorization");
        // Query services are told apart by the signing name (`ses`, `iam`).
        if crate::ses::is_ses_request(&headers) {
            return crate::aws_query::call(&state.ses, &body, signed, started);
        }
        return crate::aws_query::call(&*state.iam, &body, signed, started);
    }
    let Some(&(prefix, service, service_name, version)) = route else {
        tracing::info!(%method, path = uri.path(), status = 404, "no service for this request");
        let error = aws_json::no_service(method.as_str(), uri.path());
        return aws_json::failure("1.1", &error, &request_id());
    };
    let action = &target[prefix.len()..];
    let signed = headers.contains_key("authorization");
    let request_id = request_id();
    let outcome = if method != Method::POST {
        Err(aws_json::not_post())
    } else {
        match service {
            JsonTarget::CognitoIdp => aws_json::call(&state.cognito, action, &body, signed).await,
            JsonTarget::Logs => aws_json::call(&*state.logs, action, &body, signed).await,
            JsonTarget::DynamoDb => aws_json::call(&*state.dynamodb, action, &body, signed).await,
        }
    };
    let response = match &outcome {
        Ok(output) => aws_json::success(version, output, &request_id),
        Err(error) => aws_json::failure(version, error, &request_id),
    };
    let status = response.status().as_u16();
    let micros = started.elapsed().as_micros() as u64;
    match &outcome {
        Ok(_) => tracing::info!(service = service_name, action, status, micros, "request"),
        Err(error) => {
            tracing::info!(
                service = service_name,
                action,
                status,
                micros,
                error = error.code,
                "request"
            )
        }
    }
    response
}

fn request_id() -> String {
    crate::new_uuid().to_string()
}
