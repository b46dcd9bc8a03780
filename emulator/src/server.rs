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
use crate::persist::{Journal, Persistent, Record};
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
    /// What the emulator was started with (a scratch copy checks imports).
    pub config: Config,
    pub endpoint: String,
}

impl AppState {
    pub fn new(config: &Config, endpoint: &str, journal: Journal) -> Self {
        let outbox = Arc::new(Outbox::new(journal.clone()));
        let clock = Arc::new(Clock::with_journal(journal.clone()));
        let iam = Arc::new(IamService::new(config, journal.clone()));
        let logs = Arc::new(LogsService::new(config, journal.clone()));
        let lambda = Arc::new(LambdaService::new(
            config,
            endpoint,
            iam.clone(),
            logs.clone(),
            journal.clone(),
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
            ses: SesService::new(config, outbox.clone(), journal.clone()),
            outbox,
            dynamodb: Arc::new(DynamoDbService::new(config, journal.clone())),
            iam,
            logs,
            lambda,
            clock,
            journal,
            config: config.clone(),
            endpoint: endpoint.to_owned(),
        }
    }
}

impl AppState {
    /// Everything that keeps state, each with its own record kinds.
    fn persistent(&self) -> Vec<&dyn Persistent> {
        // Lambda before Logs: a function's last log lines must not make a
        // log group again after Logs was emptied.
        vec![
            &*self.clock,
            &*self.outbox,
            &self.cognito,
            &*self.iam,
            &*self.lambda,
            &*self.logs,
            &*self.dynamodb,
            &self.ses,
        ]
    }

    /// Every record of every service, ordered by kind then key.
    pub fn records(&self) -> Vec<Record> {
        let mut records: Vec<Record> = self
            .persistent()
            .into_iter()
            .flat_map(|service| service.records())
            .collect();
        records.sort_by(|a, b| (&a.kind, &a.key).cmp(&(&b.kind, &b.key)));
        records
    }

    /// Rebuilds every service, empty until now, from `records`. A record
    /// of a kind no service knows is an error: it was written by another
    /// version, and would be lost.
    pub fn restore(&self, records: Vec<Record>) -> Result<(), String> {
        let services = self.persistent();
        let mut shares: Vec<Vec<Record>> = services.iter().map(|_| Vec::new()).collect();
        for record in records {
            let owner = services
                .iter()
                .position(|service| record.kind.starts_with(service.kind_prefix()));
            match owner {
                Some(owner) => shares[owner].push(record),
                None => {
                    return Err(format!(
                        "record {} {}: no service of this emulator keeps records of this kind",
                        record.kind, record.key
                    ));
                }
            }
        }
        for (service, share) in services.iter().zip(shares) {
            service.restore(share)?;
        }
        Ok(())
    }

    /// Empties every service (`/_emulator/reset`), in memory and on disk.
    pub async fn reset(&self) -> Result<(), String> {
        for service in self.persistent() {
            service.clear();
        }
        match self.journal.store() {
            Some(store) => store.clear().await.map_err(|err| err.to_string()),
            None => Ok(()),
        }
    }

    /// Replaces every service's state with `records` (import): checked on
    /// a scratch emulator first, so a bad document changes nothing.
    pub async fn import(&self, records: Vec<Record>) -> Result<(), String> {
        let scratch = AppState::new(&self.config, &self.endpoint, Journal::memory());
        scratch.restore(records.clone())?;
        scratch.lambda.kill_now();
        for service in self.persistent() {
            service.clear();
        }
        self.restore(records.clone())?;
        match self.journal.store() {
            Some(store) => store.replace(records).await.map_err(|err| err.to_string()),
            None => Ok(()),
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
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/export", get(export))
        .route("/_emulator/import", post(import))
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/domains/{domain}/{*rest}", any(hosted_by_path))
        .fallback(dispatch)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            write_before_answering,
        ))
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

/// With a state folder, writes the changes a request made before its
/// response leaves; a request whose changes could not be written is
/// answered 500, never as a success.
async fn write_before_answering(
    State(state): State<Arc<AppState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let Some(store) = state.journal.store() else {
        return next.run(request).await;
    };
    match crate::persist::in_request(store, next.run(request)).await {
        Ok(response) => response,
        Err(err) => internal_error(&err.to_string()),
    }
}

/// The answer to a request the emulator could not carry out (AWS's
/// `InternalFailure`).
fn internal_error(message: &str) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        axum::Json(serde_json::json!({"__type": "InternalFailure", "message": message})),
    )
        .into_response()
}

/// `POST /_emulator/reset`: empties every service.
async fn reset(State(state): State<Arc<AppState>>) -> Response {
    match state.reset().await {
        Ok(()) => axum::Json(serde_json::json!({"reset": true})).into_response(),
        Err(message) => internal_error(&message),
    }
}

/// `GET /_emulator/export`: every service's state as an export document.
async fn export(State(state): State<Arc<AppState>>) -> Response {
    axum::Json(crate::persist::snapshot::to_json(state.records())).into_response()
}

/// `POST /_emulator/import`: replaces every service's state with an export
/// document's.
async fn import(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let refused = |message: String| {
        (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({ "message": message })),
        )
            .into_response()
    };
    let records = match crate::persist::snapshot::from_json(&body) {
        Ok(records) => records,
        Err(message) => return refused(message),
    };
    let count = records.len();
    match state.import(records).await {
        Ok(()) => axum::Json(serde_json::json!({ "imported": count })).into_response(),
        Err(message) => refused(message),
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
