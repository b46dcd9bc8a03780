//! The benchmark binary and its trigger workload, run end to end against an
//! emulator started in-process. One test binary for both, so the AWS SDKs
//! are linked once.

mod common;

mod interrupt;
mod signup_trigger;
