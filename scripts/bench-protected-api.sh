#!/usr/bin/env bash
# The protected API's verifier against AWS's JavaScript verifier
# (aws-jwt-verify from npm), side by side on the same tokens, one core each
# (taskset -c 0), in one run. Prints the table and the verdicts against the
# targets (see cross-services/protected-api/README.md).
#
#   scripts/bench-protected-api.sh [bench flags: --tokens N --rounds N --http-seconds S --connections N]
#
# Needs: cargo, node and npm (20 or later), taskset (util-linux).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in cargo node npm taskset; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed" >&2; exit 1; }
done

# aws-jwt-verify into an ignored local folder, once.
bench_dir=scripts/protected-api-bench
if [ ! -d "$bench_dir/node_modules/aws-jwt-verify" ]; then
  npm ci --prefix "$bench_dir" --no-audit --no-fund --silent
fi

# Without the default `cli` feature: the benchmark needs no AWS SDK.
cargo build --release --quiet -p protected-api --example bench --no-default-features --features bench
target_dir="${CARGO_TARGET_DIR:-target}"

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), pinned to core 0"
if command -v openssl >/dev/null; then
  # For reference only: OpenSSL's own RSA-2048 verify figure on this core.
  taskset -c 0 openssl speed -seconds 2 rsa2048 2>/dev/null | awk '/^rsa 2048/ {print "openssl speed rsa2048 (reference): verify " $5 " (" $7 "/s)"}' || true
fi
exec taskset -c 0 "$target_dir/release/examples/bench" --node-script "$bench_dir/verify.mjs" "$@"
