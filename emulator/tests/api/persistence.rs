//! The state folder (`--state-dir`): what a restart brings back, the lock
//! on the folder, reset, export and import, and that nothing answered is
//! lost when the emulator is killed.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use emulator::{Config, Emulator};
use rand::Rng;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

use crate::sdk_client::{self, PASSWORD};

/// A fresh folder under the system's temporary directory, removed when
/// the test ends (however it ends).
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let unique = format!(
            "emulator-{name}-{}-{}",
            std::process::id(),
            rand::random::<u64>()
        );
        let path = std::env::temp_dir().join(unique);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn start_in(dir: &Path) -> Emulator {
    Emulator::start(Config {
        state_dir: Some(dir.to_owned()),
        ..Config::default()
    })
    .await
    .expect("emulator starts on its state folder")
}

/// One HTTP/1.1 request on a fresh connection: the status and JSON body,
/// or `Err` when no complete answer came (the emulator was killed).
async fn call(endpoint: &str, target: &str, body: &Value) -> Result<(u16, Value), String> {
    let address = endpoint.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .map_err(|e| e.to_string())?;
    let body = body.to_string();
    let version = if target.starts_with("DynamoDB") {
        "1.0"
    } else {
        "1.1"
    };
    let request = format!(
        "POST / HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\nx-amz-target: {target}\r\ncontent-type: application/x-amz-json-{version}\r\nauthorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/svc/aws4_request, SignedHeaders=host, Signature=00\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no complete answer")?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no status")?;
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .ok_or("no content-length")?;
    if body.len() != length {
        return Err("a cut-off answer".into());
    }
    let json = serde_json::from_str(body).unwrap_or(Value::Null);
    Ok((status, json))
}

async fn cognito(endpoint: &str, action: &str, body: Value) -> (u16, Value) {
    call(
        endpoint,
        &format!("AWSCognitoIdentityProviderService.{action}"),
        &body,
    )
    .await
    .unwrap_or_else(|e| panic!("{action}: {e}"))
}

async fn dynamodb(endpoint: &str, action: &str, body: Value) -> (u16, Value) {
    call(endpoint, &format!("DynamoDB_20120810.{action}"), &body)
        .await
        .unwrap_or_else(|e| panic!("{action}: {e}"))
}

async fn http(endpoint: &str, method: &str, path: &str, body: &[u8]) -> sdk_client::RawResponse {
    sdk_client::raw(endpoint, method, path, &[], body).await
}

/// A pool that sends a confirmation code at sign-up, an app client with the
/// password flow and refresh, and a DynamoDB table keyed by `pk`.
async fn seed(endpoint: &str) -> (String, String) {
    let (status, pool) = cognito(
        endpoint,
        "CreateUserPool",
        json!({"PoolName": "kept", "AutoVerifiedAttributes": ["email"]}),
    )
    .await;
    assert_eq!(status, 200, "{pool}");
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let (status, client) = cognito(
        endpoint,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": pool_id,
            "ClientName": "kept",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        }),
    )
    .await;
    assert_eq!(status, 200, "{client}");
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, table) = dynamodb(
        endpoint,
        "CreateTable",
        json!({
            "TableName": "kept",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
        }),
    )
    .await;
    assert_eq!(status, 200, "{table}");
    // A new table is CREATING for a moment, and takes no items until ACTIVE.
    for _ in 0..200 {
        let (_, described) =
            dynamodb(endpoint, "DescribeTable", json!({"TableName": "kept"})).await;
        if described["Table"]["TableStatus"] == "ACTIVE" {
            return (pool_id, client_id);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("table kept never became ACTIVE");
}

#[tokio::test]
async fn a_restart_brings_back_users_tokens_items_and_the_outbox() {
    let dir = TempDir::new("restart");
    let emulator = start_in(dir.path()).await;
    let endpoint = emulator.endpoint();
    let (pool_id, client_id) = seed(&endpoint).await;
    let client = sdk_client::client(&endpoint);
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "alice").await;
    let signed_in = sdk_client::password_sign_in(&client, &client_id, "alice").await;
    let tokens = signed_in.authentication_result().unwrap();
    let access_token = tokens.access_token().unwrap().to_owned();
    let refresh_token = tokens.refresh_token().unwrap().to_owned();
    let (status, _) = dynamodb(
        &endpoint,
        "PutItem",
        json!({"TableName": "kept", "Item": {"pk": {"S": "a"}, "n": {"N": "1.50"}, "b": {"B": "AAEC"}}}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, item_before) = dynamodb(
        &endpoint,
        "GetItem",
        json!({"TableName": "kept", "Key": {"pk": {"S": "a"}}}),
    )
    .await;
    emulator.advance_clock(Duration::from_secs(90));
    let outbox_before = emulator.outbox();
    assert!(!outbox_before.is_empty());
    let jwks_before = http(
        &endpoint,
        "GET",
        &format!("/{pool_id}/.well-known/jwks.json"),
        b"",
    )
    .await
    .json();
    let port = emulator.address().port();
    emulator.stop().await;

    // On the same port: a token's issuer is the endpoint it was issued at.
    let emulator = Emulator::start(Config {
        state_dir: Some(dir.path().to_owned()),
        port,
        ..Config::default()
    })
    .await
    .expect("the emulator starts again on its port and folder");
    let endpoint = emulator.endpoint();
    let client = sdk_client::client(&endpoint);
    // The token issued before the restart is still the user's, and its
    // refresh token still refreshes.
    let user = client
        .get_user()
        .access_token(&access_token)
        .send()
        .await
        .expect("GetUser with a token issued before the restart");
    assert_eq!(user.username(), "alice");
    let refreshed = client
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &refresh_token)
        .send()
        .await
        .expect("refresh with a token issued before the restart");
    assert!(
        refreshed
            .authentication_result()
            .unwrap()
            .id_token()
            .is_some()
    );
    // The password verifier came back: the user signs in again.
    sdk_client::password_sign_in(&client, &client_id, "alice").await;
    let jwks_after = http(
        &endpoint,
        "GET",
        &format!("/{pool_id}/.well-known/jwks.json"),
        b"",
    )
    .await
    .json();
    assert_eq!(jwks_before, jwks_after);
    let (status, item) = dynamodb(
        &endpoint,
        "GetItem",
        json!({"TableName": "kept", "Key": {"pk": {"S": "a"}}}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(item, item_before);
    assert_eq!(item["Item"]["b"], json!({"B": "AAEC"}));
    assert_eq!(emulator.outbox(), outbox_before);
    assert!(emulator.clock_offset() >= Duration::from_secs(90));
    emulator.stop().await;
}

#[tokio::test]
async fn a_restart_brings_back_roles_functions_and_their_logs() {
    use crate::lambda_support as support;
    let dir = TempDir::new("functions");
    let emulator = start_in(dir.path()).await;
    let endpoint = emulator.endpoint();
    let role = support::create_role(&endpoint, "kept-role", support::LAMBDA_TRUST).await;
    let lambda = support::lambda(&endpoint);
    support::create_function(&lambda, "kept-echo", &role, &support::echo_function(), 10).await;
    let first = lambda
        .invoke()
        .function_name("kept-echo")
        .payload(aws_sdk_lambda::primitives::Blob::new(r#"{"n":1}"#))
        .send()
        .await
        .expect("Invoke");
    assert!(first.function_error.is_none());
    let group = "/aws/lambda/kept-echo";
    support::wait_for_line(&endpoint, group, |line| line.contains("init pid")).await;
    let lines_before = support::log_lines(&endpoint, group).await;
    emulator.stop().await;

    let emulator = start_in(dir.path()).await;
    let endpoint = emulator.endpoint();
    let roles = crate::service_client::iam(&endpoint)
        .get_role()
        .role_name("kept-role")
        .send()
        .await
        .expect("GetRole after the restart");
    assert_eq!(roles.role.unwrap().arn, role);
    // The log lines written before the restart are still there.
    let lines_after = support::log_lines(&endpoint, group).await;
    for line in &lines_before {
        assert!(lines_after.contains(line), "{line:?} lost");
    }
    // The function and its code came back: it runs again.
    let lambda = support::lambda(&endpoint);
    let again = lambda
        .invoke()
        .function_name("kept-echo")
        .payload(aws_sdk_lambda::primitives::Blob::new(r#"{"n":2}"#))
        .send()
        .await
        .expect("Invoke after the restart");
    assert!(again.function_error.is_none());
    let answer: Value = serde_json::from_slice(again.payload.unwrap().as_ref()).unwrap();
    assert_eq!(answer["event"], json!({"n": 2}));
    assert_eq!(answer["name"], "kept-echo");
    emulator.stop().await;
}

#[tokio::test]
async fn a_second_emulator_cannot_open_a_folder_in_use() {
    let dir = TempDir::new("lock");
    let first = start_in(dir.path()).await;
    let second = Emulator::start(Config {
        state_dir: Some(dir.path().to_owned()),
        ..Config::default()
    })
    .await;
    let message = second
        .err()
        .expect("the second emulator is refused")
        .to_string();
    let pid = std::process::id().to_string();
    assert!(message.contains("in use by another emulator"), "{message}");
    assert!(message.contains(&pid), "names the holder: {message}");

    // The program says so and exits non-zero.
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_emulator"))
        .arg("--state-dir")
        .arg(dir.path())
        .args(["--port", "0"])
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("in use by another emulator") && stderr.contains(&pid),
        "{stderr}"
    );

    // Once the first has stopped, the folder is free again.
    first.stop().await;
    start_in(dir.path()).await.stop().await;
}

#[tokio::test]
async fn folders_of_another_format_or_another_program_are_refused() {
    let dir = TempDir::new("format");
    start_in(dir.path()).await.stop().await;
    let database = dir.path().join("state.sqlite3");
    let connection = rusqlite::Connection::open(&database).unwrap();
    connection
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    drop(connection);
    let refused = Emulator::start(Config {
        state_dir: Some(dir.path().to_owned()),
        ..Config::default()
    })
    .await
    .err()
    .expect("a newer format is refused")
    .to_string();
    assert!(
        refused.contains("newer emulator") && refused.contains("99"),
        "{refused}"
    );

    let other = TempDir::new("foreign");
    std::fs::write(other.path().join("state.sqlite3"), b"not a database at all").unwrap();
    let refused = Emulator::start(Config {
        state_dir: Some(other.path().to_owned()),
        ..Config::default()
    })
    .await
    .err()
    .expect("a file that is not ours is refused")
    .to_string();
    assert!(
        refused.contains("not an emulator state database"),
        "{refused}"
    );
}

#[tokio::test]
async fn reset_empties_every_service_on_disk_too() {
    let dir = TempDir::new("reset");
    let emulator = start_in(dir.path()).await;
    let endpoint = emulator.endpoint();
    let (pool_id, client_id) = seed(&endpoint).await;
    let client = sdk_client::client(&endpoint);
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "bob").await;
    assert!(!emulator.outbox().is_empty());
    let reset = http(&endpoint, "POST", "/_emulator/reset", b"").await;
    assert_eq!(reset.status, 200, "{}", reset.body);
    emulator.stop().await;

    let emulator = start_in(dir.path()).await;
    let endpoint = emulator.endpoint();
    let (_, pools) = cognito(&endpoint, "ListUserPools", json!({"MaxResults": 10})).await;
    assert_eq!(pools["UserPools"], json!([]));
    let (_, tables) = dynamodb(&endpoint, "ListTables", json!({})).await;
    assert_eq!(tables["TableNames"], json!([]));
    assert!(emulator.outbox().is_empty());
    assert_eq!(emulator.export()["records"], json!({}));
    emulator.stop().await;
}

#[tokio::test]
async fn an_export_imports_into_another_emulator_and_a_bad_one_changes_nothing() {
    let source = sdk_client::start().await.0;
    let endpoint = source.endpoint();
    let (pool_id, client_id) = seed(&endpoint).await;
    let client = sdk_client::client(&endpoint);
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "carol").await;
    let exported = http(&endpoint, "GET", "/_emulator/export", b"").await;
    assert_eq!(exported.status, 200);
    let document = exported.json();
    assert!(
        document["records"].as_object().unwrap().len() >= 3,
        "{document}"
    );

    let target = sdk_client::start().await.0;
    let target_endpoint = target.endpoint();
    let imported = http(
        &target_endpoint,
        "POST",
        "/_emulator/import",
        exported.body.as_bytes(),
    )
    .await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert_eq!(target.export(), document);
    let client = sdk_client::client(&target_endpoint);
    sdk_client::password_sign_in(&client, &client_id, "carol").await;

    // A document that cannot be read is refused and leaves the state alone.
    let mut broken = document.clone();
    broken["records"]["cognito.nonsense"] = json!({"k": 1});
    let refused = http(
        &target_endpoint,
        "POST",
        "/_emulator/import",
        broken.to_string().as_bytes(),
    )
    .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(target.export(), document);
    source.stop().await;
    target.stop().await;
}

#[tokio::test]
async fn the_export_and_import_commands_work_on_a_state_folder() {
    let dir = TempDir::new("cli");
    let emulator = start_in(dir.path()).await;
    let (pool_id, client_id) = seed(&emulator.endpoint()).await;
    let client = sdk_client::client(&emulator.endpoint());
    sdk_client::confirmed_user(&client, &pool_id, &client_id, "dave").await;
    let expected = emulator.export();
    emulator.stop().await;

    let program = env!("CARGO_BIN_EXE_emulator");
    let snapshot = dir.path().join("seed.json");
    let output = std::process::Command::new(program)
        .arg("export")
        .arg("--state-dir")
        .arg(dir.path())
        .arg("--output")
        .arg(&snapshot)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let written: Value = serde_json::from_slice(&std::fs::read(&snapshot).unwrap()).unwrap();
    assert_eq!(written, expected);

    let copy = TempDir::new("cli-copy");
    let output = std::process::Command::new(program)
        .arg("import")
        .arg("--state-dir")
        .arg(copy.path())
        .arg(&snapshot)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let restored = start_in(copy.path()).await;
    assert_eq!(restored.export(), expected);
    let client = sdk_client::client(&restored.endpoint());
    sdk_client::password_sign_in(&client, &client_id, "dave").await;
    restored.stop().await;

    // A missing folder or a file that is not a snapshot: one line, non-zero.
    let output = std::process::Command::new(program)
        .args(["export", "--state-dir"])
        .arg(dir.path().join("missing"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a state folder"));
    let output = std::process::Command::new(program)
        .arg("import")
        .arg("--state-dir")
        .arg(copy.path())
        .arg(program)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not an emulator export"));
}

/// What the writers of one round tried, and what was answered 2xx.
#[derive(Default)]
struct Ledger {
    signups_tried: Vec<String>,
    signups_acked: Vec<String>,
    confirms_acked: Vec<String>,
    puts_tried: Vec<(String, u64)>,
    puts_acked: Vec<(String, u64)>,
}

/// One writer: sign-ups, their confirmations and PutItems, one after the
/// other, until the emulator stops answering.
async fn writer(endpoint: String, pool_id: String, client_id: String, name: String) -> Ledger {
    let mut ledger = Ledger::default();
    for i in 0u64.. {
        let username = format!("{name}-{i}");
        ledger.signups_tried.push(username.clone());
        let signed_up = call(
            &endpoint,
            "AWSCognitoIdentityProviderService.SignUp",
            &json!({
                "ClientId": client_id,
                "Username": username,
                "Password": PASSWORD,
                "UserAttributes": [{"Name": "email", "Value": format!("{username}@example.com")}],
            }),
        )
        .await;
        match signed_up {
            Ok((200, _)) => ledger.signups_acked.push(username.clone()),
            Ok((status, body)) => panic!("SignUp {username}: {status} {body}"),
            Err(_) => break,
        }
        let confirmed = call(
            &endpoint,
            "AWSCognitoIdentityProviderService.AdminConfirmSignUp",
            &json!({"UserPoolId": pool_id, "Username": username}),
        )
        .await;
        match confirmed {
            Ok((200, _)) => ledger.confirms_acked.push(username.clone()),
            Ok((status, body)) => panic!("AdminConfirmSignUp {username}: {status} {body}"),
            Err(_) => break,
        }
        ledger.puts_tried.push((username.clone(), i));
        let put = call(
            &endpoint,
            "DynamoDB_20120810.PutItem",
            &json!({"TableName": "kept", "Item": {
                "pk": {"S": username},
                "i": {"N": i.to_string()},
                "owner": {"S": name},
                "tags": {"SS": ["a", "b"]},
            }}),
        )
        .await;
        match put {
            Ok((200, _)) => ledger.puts_acked.push((username, i)),
            Ok((status, body)) => panic!("PutItem: {status} {body}"),
            Err(_) => break,
        }
    }
    ledger
}

/// The emulator program on `dir`, and its endpoint once it listens.
async fn spawn_program(dir: &Path) -> (tokio::process::Child, String) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_emulator"))
        .arg("--state-dir")
        .arg(dir)
        .args(["--port", "0"])
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    tokio::io::BufReader::new(stdout)
        .read_line(&mut line)
        .await
        .unwrap();
    let endpoint = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("the emulator did not start: {line:?}"))
        .to_owned();
    (child, endpoint)
}

/// Checks the promise after a kill: every write that was answered 2xx is
/// there, and every write that was not is there whole or not at all.
async fn check_nothing_acknowledged_is_lost(
    endpoint: &str,
    pool_id: &str,
    ledgers: &[Ledger],
) -> usize {
    let outbox: Vec<Value> = http(endpoint, "GET", "/_emulator/outbox", b"")
        .await
        .json()
        .as_array()
        .unwrap()
        .clone();
    let coded: std::collections::HashSet<&str> = outbox
        .iter()
        .filter(|m| m["trigger"] == "SignUp")
        .filter_map(|m| m["username"].as_str())
        .collect();
    let mut checked = 0;
    for ledger in ledgers {
        for username in &ledger.signups_tried {
            let (status, user) = cognito(
                endpoint,
                "AdminGetUser",
                json!({"UserPoolId": pool_id, "Username": username}),
            )
            .await;
            let acked = ledger.signups_acked.contains(username);
            if status != 200 {
                assert!(!acked, "acknowledged sign-up {username} lost: {user}");
                assert!(
                    !coded.contains(username.as_str()),
                    "{username}: a code but no user"
                );
                continue;
            }
            // Present: wholly, with its attribute and its code message.
            let email = user["UserAttributes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["Name"] == "email")
                .map(|a| a["Value"].clone());
            assert_eq!(
                email,
                Some(json!(format!("{username}@example.com"))),
                "{user}"
            );
            assert!(
                coded.contains(username.as_str()),
                "{username}: a user without its code"
            );
            if ledger.confirms_acked.contains(username) {
                assert_eq!(
                    user["UserStatus"], "CONFIRMED",
                    "acknowledged confirmation lost"
                );
            }
            checked += 1;
        }
        for (pk, i) in &ledger.puts_tried {
            let (status, item) = dynamodb(
                endpoint,
                "GetItem",
                json!({"TableName": "kept", "Key": {"pk": {"S": pk}}}),
            )
            .await;
            assert_eq!(status, 200, "{item}");
            let acked = ledger.puts_acked.contains(&(pk.clone(), *i));
            match item.get("Item") {
                None => assert!(!acked, "acknowledged PutItem {pk} lost"),
                Some(item) => {
                    assert_eq!(item["i"], json!({"N": i.to_string()}), "{item}");
                    assert_eq!(item["tags"]["SS"].as_array().map(Vec::len), Some(2));
                    checked += 1;
                }
            }
        }
    }
    checked
}

/// Kills the emulator (SIGKILL) at a random moment while four clients
/// write, restarts it on the same folder, and checks the promise; over and
/// over, bounded in rounds and in time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_acknowledged_is_lost_when_the_emulator_is_killed() {
    const ROUNDS: usize = 8;
    const WRITERS: usize = 4;
    const TIME_LIMIT: Duration = Duration::from_secs(60);
    let dir = TempDir::new("kill");
    let (mut child, endpoint) = spawn_program(dir.path()).await;
    let (pool_id, client_id) = seed(&endpoint).await;
    let started = Instant::now();
    let mut ledgers: Vec<Ledger> = Vec::new();
    let mut rounds = 0;
    let mut acked = 0;
    let mut endpoint = endpoint;
    while rounds < ROUNDS && (rounds < 3 || started.elapsed() < TIME_LIMIT) {
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                tokio::spawn(writer(
                    endpoint.clone(),
                    pool_id.clone(),
                    client_id.clone(),
                    format!("r{rounds}w{w}"),
                ))
            })
            .collect();
        let pause = rand::thread_rng().gen_range(20..400);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        child.start_kill().unwrap();
        child.wait().await.unwrap();
        for writer in writers {
            let ledger = writer.await.expect("a writer panicked");
            acked += ledger.signups_acked.len() + ledger.puts_acked.len();
            ledgers.push(ledger);
        }
        rounds += 1;
        let (restarted, new_endpoint) = spawn_program(dir.path()).await;
        child = restarted;
        endpoint = new_endpoint;
        let present = check_nothing_acknowledged_is_lost(&endpoint, &pool_id, &ledgers).await;
        eprintln!(
            "round {rounds}: killed after {pause} ms; {acked} writes acknowledged so far, {present} users and items present"
        );
    }
    assert!(rounds >= 3, "{rounds} rounds");
    assert!(acked > 0, "no write was answered before the kills");
    child.start_kill().unwrap();
    child.wait().await.unwrap();
}
