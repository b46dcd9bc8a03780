//! The sign-in's physical floor on the machine the benchmark runs on.
//!
//! Every sign-in the emulator answers with tokens costs two RSA-2048
//! signatures (the access token and the ID token). No server can sign in
//! users faster than the machine's cores make those signatures, so that rate
//! is what InitiateAuth is judged against: a figure this run measures, not
//! one from another machine (one signature costs ~210 µs on one 2-core
//! machine this project runs on and ~850 µs on another of the same size).
//!
//! The cost is measured with the emulator's own signer,
//! [`TokenSigner::issue`], which makes exactly the two signatures of one
//! sign-in (with their claims), on one thread for a fixed count, in a few
//! rounds; the fastest round counts, so that a moment of other work on the
//! machine does not lower the bar.

use std::time::Instant;

use emulator::cognito::tokens::{TokenParams, TokenSigner};
use serde::{Deserialize, Serialize};

/// RS256 signatures one sign-in costs: its access token and its ID token.
pub const SIGNATURES_PER_SIGN_IN: u32 = 2;

/// Sign-ins ([`TokenSigner::issue`] calls) per round by default: 400
/// signatures, a tenth of a second to a third of a second a round.
pub const SIGN_INS_PER_ROUND: u32 = 200;

/// Rounds by default; the fastest counts.
pub const ROUNDS: u32 = 3;

/// When the floor was measured (the benchmark does it before the workloads,
/// while the server has nothing to do).
pub const MEASURED_BEFORE_THE_WORKLOADS: &str = "before the workloads, with the server idle";

/// What the floor measurement found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignFloor {
    /// When it was measured, relative to the workloads.
    pub measured: String,
    /// Signatures each round made, on one thread.
    pub signatures_per_round: u32,
    pub rounds: u32,
    /// One signature's cost on one core, in µs (the fastest round).
    pub sign_us: f64,
    /// `1 / sign_us`: signatures per second one core makes.
    pub signatures_per_s_one_core: f64,
    /// The cores a server on this machine can use
    /// (`std::thread::available_parallelism`).
    pub cores: usize,
    /// The floor: `cores / (2 × sign_seconds)`, sign-ins per second.
    pub sign_ins_per_s: f64,
}

impl SignFloor {
    /// The figures for a signature cost of `sign_seconds` on `cores` cores.
    pub fn from_cost(
        sign_seconds: f64,
        cores: usize,
        signatures_per_round: u32,
        rounds: u32,
        measured: &str,
    ) -> Self {
        Self {
            measured: measured.to_string(),
            signatures_per_round,
            rounds,
            sign_us: sign_seconds * 1e6,
            signatures_per_s_one_core: 1.0 / sign_seconds,
            cores,
            sign_ins_per_s: sign_ins_per_s(cores, sign_seconds),
        }
    }

    /// `rate` (sign-ins per second) as a share of the floor.
    pub fn share(&self, rate: f64) -> f64 {
        rate / self.sign_ins_per_s
    }
}

/// The sign-in floor: every core signing all the time, two signatures per
/// sign-in, `cores / (2 × sign_seconds)` sign-ins per second.
pub fn sign_ins_per_s(cores: usize, sign_seconds: f64) -> f64 {
    cores as f64 / (f64::from(SIGNATURES_PER_SIGN_IN) * sign_seconds)
}

/// The cores this process may run on; 1 when the system does not say.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Measures one signature's cost with the emulator's signer on the calling
/// thread: `rounds` rounds of `sign_ins_per_round` sign-ins (two signatures
/// each), after the key is made and one untimed sign-in. Call it from a
/// thread of its own, not from an async task (it blocks for up to a second
/// or two).
pub fn measure(sign_ins_per_round: u32, rounds: u32, measured: &str) -> SignFloor {
    let sign_ins_per_round = sign_ins_per_round.max(1);
    let rounds = rounds.max(1);
    let signer = TokenSigner::new();
    // The key is made on a thread of its own; this waits for it.
    let _ = signer.kid();
    let issuer = "http://127.0.0.1/us-east-1_SignFloor";
    let params = TokenParams {
        issuer,
        client_id: "sign-floor-client",
        sub: "6c1f8a52-0000-4000-8000-000000000001",
        username: "sign-floor-user",
        email: Some("sign-floor@example.com"),
        email_verified: Some(true),
        custom_attributes: &[],
        device_key: None,
        auth_time: 1_700_000_000,
        origin_jti: "6c1f8a52-1111-4111-8111-111111111111",
        access_validity_secs: 3600,
        id_validity_secs: 3600,
        scope: "aws.cognito.signin.user.admin",
        groups: &[],
        roles: &[],
        preferred_role: None,
        changes: None,
    };
    std::hint::black_box(signer.issue(&params));
    let fastest = (0..rounds)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..sign_ins_per_round {
                std::hint::black_box(signer.issue(std::hint::black_box(&params)));
            }
            started.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    let signatures_per_round = sign_ins_per_round * SIGNATURES_PER_SIGN_IN;
    SignFloor::from_cost(
        fastest / f64::from(signatures_per_round),
        cores(),
        signatures_per_round,
        rounds,
        measured,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_is_the_cores_over_two_signatures() {
        // One signature 850 µs, two cores: 2 / 1.7 ms = 1,176.5 sign-ins/s.
        let floor = SignFloor::from_cost(850e-6, 2, 400, 3, "before");
        assert!((floor.sign_ins_per_s - 1176.47).abs() < 0.01, "{floor:?}");
        assert!((floor.signatures_per_s_one_core - 1176.47).abs() < 0.01);
        assert!((floor.sign_us - 850.0).abs() < 1e-9);
        // One signature 210 µs, two cores: 4,761.9 sign-ins/s.
        assert!((sign_ins_per_s(2, 210e-6) - 4761.90).abs() < 0.01);
        // Twice the cores, twice the floor.
        assert!((sign_ins_per_s(4, 210e-6) - 2.0 * sign_ins_per_s(2, 210e-6)).abs() < 1e-6);
    }

    #[test]
    fn a_rate_reads_as_a_share_of_the_floor() {
        let floor = SignFloor::from_cost(850e-6, 2, 400, 3, "before");
        assert!((floor.share(1000.0) - 0.85).abs() < 1e-9);
    }

    #[test]
    fn the_emulator_signer_is_measured_for_the_count_asked() {
        let floor = measure(3, 2, MEASURED_BEFORE_THE_WORKLOADS);
        assert_eq!(floor.signatures_per_round, 6);
        assert_eq!(floor.rounds, 2);
        assert_eq!(floor.measured, MEASURED_BEFORE_THE_WORKLOADS);
        assert_eq!(floor.cores, cores());
        assert!(
            floor.sign_us > 0.0 && floor.sign_us.is_finite(),
            "{floor:?}"
        );
        let expected = sign_ins_per_s(floor.cores, floor.sign_us / 1e6);
        assert!((floor.sign_ins_per_s - expected).abs() < 1e-6 * expected);
    }
}
