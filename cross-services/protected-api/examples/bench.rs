//! The verifier's speed, side by side with AWS's JavaScript verifier on the
//! same tokens, in one run: `scripts/bench-protected-api.sh` builds this
//! with `--release --features bench` and runs it on one core.
//!
//! 1. Mints N distinct access tokens with the emulator's token signer
//!    (RSA-2048, the claims Cognito puts in an access token, the issuer of a
//!    pool in us-east-1) and writes them with the JWKS to a JSON file.
//! 2. Measures on this thread: a bare RSA-2048 signature check of each
//!    token (aws-lc, key parsed once: the floor), `jsonwebtoken::decode`
//!    (for the README's choice of crate), this crate's verifier on tokens
//!    seen for the first time and on tokens seen before, and requests per
//!    second through `GET /me` over HTTP/1.1 on loopback (client and server
//!    in this process, on this core) against the open `GET /health`.
//! 3. Runs the Node.js script given by `--node-script` (aws-jwt-verify,
//!    JWKS handed over with `cacheJwks`) on the same file and reads its
//!    result.
//! 4. Prints the table and the verdicts against the targets: a first-seen
//!    token within 1.5x of the bare check; a seen-before token at least 5x
//!    aws-jwt-verify.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use emulator::cognito::tokens::{TokenParams, TokenSigner};
use http_body_util::BodyExt as _;
use protected_api::{ApiState, Jwks, Verifier, VerifierConfig};
use serde_json::{Value, json};

const POOL_ID: &str = "us-east-1_Bench0001";
const CLIENT_ID: &str = "benchclient0000000000000001";

struct Options {
    tokens: usize,
    rounds: usize,
    http_seconds: f64,
    connections: usize,
    node_script: Option<PathBuf>,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        tokens: 2000,
        rounds: 5,
        http_seconds: 3.0,
        connections: 16,
        node_script: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--tokens" => {
                options.tokens = value()?.parse().map_err(|e| format!("--tokens: {e}"))?
            }
            "--rounds" => {
                options.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?
            }
            "--http-seconds" => {
                options.http_seconds = value()?
                    .parse()
                    .map_err(|e| format!("--http-seconds: {e}"))?
            }
            "--connections" => {
                options.connections = value()?
                    .parse()
                    .map_err(|e| format!("--connections: {e}"))?
            }
            "--node-script" => options.node_script = Some(PathBuf::from(value()?)),
            "--help" | "-h" => {
                println!(
                    "bench [--tokens N (2000)] [--rounds N (5)] [--http-seconds S (3)] \
                     [--connections N (16)] [--node-script scripts/protected-api-bench/verify.mjs]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if options.tokens == 0 || options.rounds == 0 || options.connections == 0 {
        return Err("--tokens, --rounds and --connections must be at least 1".into());
    }
    Ok(options)
}

fn main() {
    let options = match options() {
        Ok(options) => options,
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    if let Err(err) = runtime.block_on(run(options)) {
        eprintln!("error: {err}");
        std::process::exit(1);
    }
}

/// Nanoseconds per item of the fastest of `rounds` rounds over `items`.
fn fastest<T>(rounds: usize, items: &[T], mut each: impl FnMut(&T)) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..rounds {
        let started = Instant::now();
        for item in items {
            each(item);
        }
        best = best.min(started.elapsed().as_nanos() as f64 / items.len() as f64);
    }
    best
}

async fn run(options: Options) -> Result<(), String> {
    // 1. Tokens and JWKS.
    let issuer = protected_api::pool_issuer(POOL_ID, None, None);
    let signer = TokenSigner::new();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs() as i64;
    let groups = ["admins".to_owned()];
    let tokens: Vec<String> = (0..options.tokens)
        .map(|i| {
            let sub = format!("3f9d2c1e-0000-4000-8000-{i:012}");
            let params = TokenParams {
                issuer: &issuer,
                client_id: CLIENT_ID,
                sub: &sub,
                username: &sub,
                email: None,
                email_verified: None,
                custom_attributes: &[],
                device_key: None,
                auth_time: now,
                origin_jti: "0b6d6b0e-1111-4111-8111-111111111111",
                access_validity_secs: 3600,
                id_validity_secs: 3600,
                scope: "aws.cognito.signin.user.admin",
                groups: &groups,
                roles: &[],
                preferred_role: None,
            };
            signer.issue_at(&params, now).access_token
        })
        .collect();
    let jwks_value = signer.jwks();
    let jwks: Jwks = serde_json::from_value(jwks_value.clone()).map_err(|e| e.to_string())?;
    let file =
        std::env::temp_dir().join(format!("protected-api-bench-{}.json", std::process::id()));
    std::fs::write(
        &file,
        json!({"userPoolId": POOL_ID, "clientId": CLIENT_ID, "jwks": jwks_value, "tokens": tokens})
            .to_string(),
    )
    .map_err(|e| format!("{}: {e}", file.display()))?;

    // 2a. The floor: the RSA check alone, key parsed once.
    let jwk = &jwks.keys[0];
    let n = URL_SAFE_NO_PAD
        .decode(jwk.n.as_deref().unwrap_or_default())
        .map_err(|e| e.to_string())?;
    let e = URL_SAFE_NO_PAD
        .decode(jwk.e.as_deref().unwrap_or_default())
        .map_err(|e| e.to_string())?;
    let key: ParsedPublicKey = RsaPublicKeyComponents { n: &n, e: &e }
        .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
        .map_err(|e| e.to_string())?;
    let split: Vec<(&[u8], Vec<u8>)> = tokens
        .iter()
        .map(|t| {
            let dot = t.rfind('.').unwrap_or(0);
            (
                &t.as_bytes()[..dot],
                URL_SAFE_NO_PAD.decode(&t[dot + 1..]).unwrap_or_default(),
            )
        })
        .collect();
    let bare = fastest(options.rounds, &split, |(signed, signature)| {
        assert!(key.verify_sig(signed, signature).is_ok());
    });

    // 2b. jsonwebtoken::decode with the same key and the same checks.
    let decoding = jsonwebtoken::DecodingKey::from_rsa_raw_components(&n, &e);
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&[&issuer]);
    validation.validate_aud = false;
    validation.leeway = 5;
    let jsonwebtoken = fastest(options.rounds, &tokens, |token| {
        let data = jsonwebtoken::decode::<Value>(token, &decoding, &validation).expect("valid");
        assert!(data.claims["token_use"] == "access" && data.claims["client_id"] == CLIENT_ID);
    });

    // 2c. This crate's verifier: first seen (memory emptied before each
    // round), then seen before.
    let verifier = Verifier::new(
        VerifierConfig::new(&issuer, vec![CLIENT_ID.to_owned()]),
        jwks.clone(),
    );
    verifier.load_keys().await.map_err(|e| e.reason())?;
    let mut first_seen = f64::MAX;
    for _ in 0..options.rounds {
        verifier.forget_tokens();
        let started = Instant::now();
        for token in &tokens {
            verifier.verify(token).await.map_err(|e| e.reason())?;
        }
        first_seen = first_seen.min(started.elapsed().as_nanos() as f64 / tokens.len() as f64);
    }
    let mut seen_before = f64::MAX;
    for _ in 0..options.rounds {
        let started = Instant::now();
        for token in &tokens {
            verifier.verify(token).await.map_err(|e| e.reason())?;
        }
        seen_before = seen_before.min(started.elapsed().as_nanos() as f64 / tokens.len() as f64);
    }
    // The same verdicts as aws-jwt-verify's on a tampered token, below.
    let tampered = tamper(&tokens[0]);
    verifier.forget_tokens();
    let refused = verifier.verify(&tampered).await.is_err();

    // 2d. Requests per second through the protected route.
    let state = Arc::new(ApiState {
        verifier,
        group: "admins".into(),
        required_scopes: Vec::new(),
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, protected_api::router(state)).await;
    });
    let tokens = Arc::new(tokens);
    let duration = Duration::from_secs_f64(options.http_seconds);
    let health = http_rate(address, None, options.connections, duration).await?;
    let me = http_rate(address, Some(tokens.clone()), options.connections, duration).await?;

    // 3. aws-jwt-verify on the same tokens.
    let node = match &options.node_script {
        Some(script) => Some(run_node(script, &file, options.rounds)?),
        None => None,
    };
    let _ = std::fs::remove_file(&file);

    // 4. The table and the verdicts.
    let per_sec = |nanos: f64| 1e9 / nanos;
    println!(
        "{} distinct RS256 access tokens, one core, fastest of {} rounds",
        tokens.len(),
        options.rounds
    );
    println!();
    println!("| verifier | verifications/s | µs each |");
    println!("|---|---|---|");
    let row = |name: &str, nanos: f64| {
        println!("| {name} | {:.0} | {:.1} |", per_sec(nanos), nanos / 1000.0)
    };
    row(
        "bare RSA-2048 signature check (aws-lc, key parsed once): the floor",
        bare,
    );
    row(
        "jsonwebtoken 10 `decode` (aws-lc; parses the key every time)",
        jsonwebtoken,
    );
    row("protected-api, token seen for the first time", first_seen);
    row(
        "protected-api, token seen before (remembered by digest)",
        seen_before,
    );
    if let Some(node) = &node {
        row(
            &format!("aws-jwt-verify {} (Node.js {})", node.version, node.node),
            node.nanos,
        );
    }
    println!();
    println!(
        "| HTTP/1.1 on loopback, {} connections, client and server on the one core | requests/s |",
        options.connections
    );
    println!("|---|---|");
    println!("| GET /health (no token) | {health:.0} |");
    println!("| GET /me (Bearer token, seen before) | {me:.0} |");
    println!();
    let verdict = |ok: bool| if ok { "MET" } else { "MISSED" };
    let ratio = first_seen / bare;
    println!(
        "target: first-seen token within 1.5x of the bare RSA check: {:.2}x -> {}",
        ratio,
        verdict(ratio <= 1.5)
    );
    match &node {
        Some(node) => {
            let speedup = node.nanos / seen_before;
            println!(
                "target: seen-before token at least 5x aws-jwt-verify: {speedup:.1}x -> {}",
                verdict(speedup >= 5.0)
            );
            println!(
                "first-seen token against aws-jwt-verify: {:.1}x",
                node.nanos / first_seen
            );
            if !(refused && node.refused_tampered) {
                return Err("a tampered token was accepted".into());
            }
        }
        None => println!("aws-jwt-verify not run (no --node-script)"),
    }
    if !refused {
        return Err("a tampered token was accepted".into());
    }
    Ok(())
}

/// The token with one character of its signature changed.
fn tamper(token: &str) -> String {
    let at = token.rfind('.').unwrap_or(0) + 10;
    let mut bytes = token.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap_or_default()
}

/// Requests per second of `GET /me` (with tokens, round robin) or
/// `GET /health` (without), over `connections` keep-alive connections.
async fn http_rate(
    address: std::net::SocketAddr,
    tokens: Option<Arc<Vec<String>>>,
    connections: usize,
    duration: Duration,
) -> Result<f64, String> {
    let deadline = Instant::now() + duration;
    let mut workers = Vec::new();
    for worker in 0..connections {
        let tokens = tokens.clone();
        workers.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(address)
                .await
                .map_err(|e| e.to_string())?;
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                    .await
                    .map_err(|e| e.to_string())?;
            tokio::spawn(connection);
            let mut done = 0u64;
            let mut i = worker;
            while Instant::now() < deadline {
                let mut request =
                    hyper::Request::get(if tokens.is_some() { "/me" } else { "/health" })
                        .header("host", "localhost");
                if let Some(tokens) = &tokens {
                    request = request.header(
                        "authorization",
                        format!("Bearer {}", tokens[i % tokens.len()]),
                    );
                    i += connections;
                }
                let request = request
                    .body(http_body_util::Empty::<axum::body::Bytes>::new())
                    .map_err(|e| e.to_string())?;
                let response = sender
                    .send_request(request)
                    .await
                    .map_err(|e| e.to_string())?;
                if !response.status().is_success() {
                    return Err(format!("the API answered {}", response.status()));
                }
                response
                    .into_body()
                    .collect()
                    .await
                    .map_err(|e| e.to_string())?;
                done += 1;
            }
            Ok::<u64, String>(done)
        }));
    }
    let started = Instant::now();
    let mut total = 0;
    for worker in workers {
        total += worker.await.map_err(|e| e.to_string())??;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

/// What the Node.js script measured.
struct NodeResult {
    version: String,
    node: String,
    nanos: f64,
    refused_tampered: bool,
}

fn run_node(
    script: &std::path::Path,
    file: &std::path::Path,
    rounds: usize,
) -> Result<NodeResult, String> {
    let output = std::process::Command::new("node")
        .arg(script)
        .arg(file)
        .arg(rounds.to_string())
        .output()
        .map_err(|e| format!("could not run node: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let result: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("{} printed no JSON: {e}", script.display()))?;
    Ok(NodeResult {
        version: result["version"].as_str().unwrap_or("?").to_owned(),
        node: result["node"].as_str().unwrap_or("?").to_owned(),
        nanos: result["nanosPerVerification"]
            .as_f64()
            .ok_or("no nanosPerVerification")?,
        refused_tampered: result["refusedTampered"].as_bool().unwrap_or(false),
    })
}
