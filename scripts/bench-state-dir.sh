#!/usr/bin/env bash
# The cost of durability: the same workloads (SignUp, the auth cycle) through
# the AWS SDK against the bundled emulator three ways, one after another in
# one run: in memory (no --state-dir), with --state-dir (every change written
# to SQLite before the answer), and with --state-dir --fsync (each commit also
# flushed to the disk). With --rounds N the three take turns N times and the
# table shows each figure's median, so drift on the machine hits all three.
#
#   scripts/bench-state-dir.sh                       # 16 workers, 15 s per workload
#   scripts/bench-state-dir.sh --duration 5s --rounds 3
#
# Target: the auth cycle with --state-dir within 20% of in memory (a rate of
# at least 0.8x). Each emulator listens on a free loopback port, its state
# folder is a fresh temporary one, and both are gone when the script ends,
# however it ends. Exit status: 0 when every run worked, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=15s
concurrency=16
workloads=signup,auth-cycle
rounds=1
server_nice=10

usage() {
    sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'
    cat <<EOF

Options:
  --duration D        how long each workload runs (default $duration)
  --concurrency N     concurrent workers (default $concurrency)
  --workloads LIST    comma-separated (default $workloads)
  --rounds N          how many times the three modes take turns (default $rounds)
  --server-nice N     the emulator's nice value, above the client's (default $server_nice)
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --duration) duration=${2:?--duration needs a value}; shift 2 ;;
        --concurrency) concurrency=${2:?--concurrency needs a value}; shift 2 ;;
        --workloads) workloads=${2:?--workloads needs a value}; shift 2 ;;
        --rounds) rounds=${2:?--rounds needs a value}; shift 2 ;;
        --server-nice) server_nice=${2:?--server-nice needs a value}; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$rounds" in
    [1-9]) ;;
    *) echo "error: --rounds takes a whole number from 1 to 9, not '$rounds'" >&2; exit 2 ;;
esac
case "$server_nice" in
    [0-9] | 1[0-9]) ;;
    *) echo "error: --server-nice takes a whole number from 0 to 19, not '$server_nice'" >&2; exit 2 ;;
esac

echo "== building the emulator and the benchmark (profile release-lto)"
cargo build --profile release-lto -p emulator -p benchmark
bench=target/release-lto/benchmark
emulator=target/release-lto/emulator

work=$(mktemp -d)
emulator_pid=
stop_emulator() {
    if [ -n "$emulator_pid" ]; then
        kill "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
        emulator_pid=
    fi
}
cleanup() {
    stop_emulator
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_ready PID URL: polls URL until it answers, for at most 60 s.
wait_ready() {
    python3 - "$@" <<'EOF'
import os, sys, time, urllib.request
pid, url = int(sys.argv[1]), sys.argv[2]
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(f"error: the emulator exited before answering {url}")
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            if answer.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.05)
sys.exit(f"error: the emulator did not answer {url} within 60 s")
EOF
}

status=0
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq 1 "$rounds"); do
    for mode in memory state-dir fsync; do
        port=$(free_port)
        flags=()
        case "$mode" in
            state-dir) flags=(--state-dir "$work/state-$mode-$round") ;;
            fsync) flags=(--state-dir "$work/state-$mode-$round" --fsync) ;;
        esac
        RUST_LOG=warn nice -n "$server_nice" "$emulator" --host 127.0.0.1 --port "$port" \
            "${flags[@]}" >"$work/$mode-$round.log" 2>&1 &
        emulator_pid=$!
        if ! wait_ready "$emulator_pid" "http://127.0.0.1:$port/_emulator/health"; then
            tail -n 20 "$work/$mode-$round.log" >&2
            status=1
            stop_emulator
            continue
        fi
        echo
        echo "== round $round, $mode: $workloads, $concurrency workers, $duration each"
        if ! "$bench" --endpoint "http://127.0.0.1:$port" --server-pid "$emulator_pid" \
            --concurrency "$concurrency" --duration "$duration" --workload "$workloads" \
            --json-out "$work/$mode-$round.json"; then
            echo "error: the benchmark with $mode failed" >&2
            rm -f "$work/$mode-$round.json"
            status=1
        fi
        stop_emulator
        if [ -d "$work/state-$mode-$round" ]; then
            du -sk "$work/state-$mode-$round" | cut -f1 >"$work/$mode-$round.kb"
        fi
    done
done

echo
python3 - "$work" "$rounds" "$concurrency" "$duration" "$load_before" <<'EOF' || status=1
import json, os, statistics, sys

work, rounds, concurrency, duration, load_before = sys.argv[1:6]
rounds = int(rounds)
modes = ["memory", "state-dir", "fsync"]

def load(mode, round_):
    path = os.path.join(work, f"{mode}-{round_}.json")
    return json.load(open(path)) if os.path.exists(path) else None

runs = {m: [r for r in (load(m, i) for i in range(1, rounds + 1)) if r] for m in modes}
workloads = list(dict.fromkeys(w["workload"] for m in modes for r in runs[m] for w in r["workloads"]))

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None

def rate(mode, name):
    return median([w["rate_per_s"] for r in runs[mode] for w in r["workloads"] if w["workload"] == name])

def op_p(mode, name, index, field):
    return median([w["operations"][index][field] for r in runs[mode] for w in r["workloads"]
                   if w["workload"] == name and w["operations"][index][field] is not None])

def ratio(a, b):
    return "-" if a is None or not b else f"{a / b:.2f}x"

print(f"== durability: in memory vs --state-dir vs --state-dir --fsync "
      f"({concurrency} workers, {duration} per workload, median of {rounds} round(s))")
print(f"   load average before the run: {load_before} (on {os.cpu_count()} cores)")
row = "{:<30} {:>14} {:>14} {:>9} {:>14} {:>9}"
print(row.format("", "in memory", "--state-dir", "ratio", "--fsync", "ratio"))
fmt = lambda v: "-" if v is None else f"{v:,.1f}/s"
for name in workloads:
    unit = next(w["unit"] for m in modes for r in runs[m] for w in r["workloads"] if w["workload"] == name)
    m, s, f = (rate(mode, name) for mode in modes)
    print(row.format(f"{name} ({unit}/s)", fmt(m), fmt(s), ratio(s, m), fmt(f), ratio(f, m)))
    operations = next(w["operations"] for mode in modes for r in runs[mode] for w in r["workloads"]
                      if w["workload"] == name)
    for i, op in enumerate(operations):
        cell = lambda mode: "-" if op_p(mode, name, i, "p50_ms") is None else \
            f"{op_p(mode, name, i, 'p50_ms'):.2f}/{op_p(mode, name, i, 'p99_ms'):.2f}"
        print(row.format(f"  {op['operation']} p50/p99 ms", cell("memory"), cell("state-dir"), "",
                         cell("fsync"), ""))
sizes = {m: median([int(open(os.path.join(work, f"{m}-{i}.kb")).read())
                    for i in range(1, rounds + 1) if os.path.exists(os.path.join(work, f"{m}-{i}.kb"))])
         for m in ("state-dir", "fsync")}
print(row.format("state folder after the run", "-",
                 "-" if sizes["state-dir"] is None else f"{sizes['state-dir'] / 1024:.1f} MB", "",
                 "-" if sizes["fsync"] is None else f"{sizes['fsync'] / 1024:.1f} MB", ""))

memory, durable = rate("memory", "auth-cycle"), rate("state-dir", "auth-cycle")
if memory and durable:
    share = durable / memory
    verdict = "met" if share >= 0.8 else "MISSED"
    print(f"\ntarget: auth cycle with --state-dir within 20% of in memory: {share:.2f}x -> {verdict}")
    if share < 0.8:
        sys.exit(1)
EOF
exit "$status"
