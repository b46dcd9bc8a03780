//! `emulator COMMAND...`: one command run against a fresh emulator, which
//! stops afterwards; the command's exit status is the emulator's.

use std::process::Command;

#[test]
fn runs_a_command_against_itself_and_passes_on_its_status() {
    let output = Command::new(env!("CARGO_BIN_EXE_emulator"))
        .args([
            "sh",
            "-c",
            // The health endpoint answers while the command runs.
            r#"echo "$AWS_ENDPOINT_URL $AWS_REGION $AWS_ACCESS_KEY_ID"; curl -sf "$AWS_ENDPOINT_URL/_emulator/health"; exit 3"#,
        ])
        .output()
        .expect("run the emulator");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(3), "stdout: {stdout}");
    let mut lines = stdout.lines();
    let env_line = lines.next().expect("the command's first line");
    let mut env = env_line.split(' ');
    let endpoint = env.next().expect("endpoint");
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{env_line}");
    assert_ne!(
        endpoint, "http://127.0.0.1:4566",
        "a free port, not the default"
    );
    assert_eq!(env.next(), Some("us-east-1"));
    assert_eq!(env.next(), Some("emulator"), "dummy credentials");
    assert_eq!(lines.next(), Some(r#"{"status":"ok"}"#));
}

#[test]
fn a_command_that_cannot_start_is_one_error_line() {
    let output = Command::new(env!("CARGO_BIN_EXE_emulator"))
        .arg("no-such-command-here")
        .output()
        .expect("run the emulator");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let errors: Vec<_> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains("no-such-command-here"), "{stderr}");
}
