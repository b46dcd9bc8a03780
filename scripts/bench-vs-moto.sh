#!/usr/bin/env bash
# Benchmarks the bundled emulator against moto_server, side by side, in one run:
# the same workloads (SignUp, InitiateAuth, the auth cycle) through the AWS SDK,
# the emulator's time from process start to its first answered request, and
# the resident memory of both servers idle and after the run. Then, for the
# emulator alone (moto_server runs Lambda functions only in Docker), SignUp
# with and without a warm PreSignUp Lambda trigger, with 1 worker and with all.
# Last, the emulator's targets, each judged against figures of this run:
# moto_server side by side, and the sign-in floor (two RSA-2048 signatures
# per sign-in at the cost the emulator's signer achieves here, over the
# cores), which the benchmark measures before its workloads, server idle.
#
#   scripts/bench-vs-moto.sh                      # 16 workers, 20 s per workload
#   scripts/bench-vs-moto.sh --duration 5s --concurrency 8
#   scripts/bench-vs-moto.sh --workloads auth-cycle --no-trigger
#
# moto_server is installed from PyPI into .venv on first use. Both servers
# listen on free loopback ports only, and both are stopped when the script
# ends, however it ends. Exit status: 0 when both runs worked, 1 otherwise.
#
# Both servers run at a lower scheduling priority (nice 10) than the
# benchmark client. On a machine with few cores the client shares them with
# the server; at equal priority the server's threads keep the client waiting
# for a core while the server runs out of requests, and cores stand idle
# (about 10% on two cores): the run then measures the client's scheduling,
# not the server. moto_server runs on one core (Python's GIL), so it leaves
# the client a core either way.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=20s
concurrency=16
workloads=signup,initiate-auth,auth-cycle
startup_runs=5
trigger_duration=10s
trigger=yes
server_nice=10

usage() {
    sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'
    cat <<EOF

Options:
  --duration D        how long each workload runs (default $duration)
  --concurrency N     concurrent workers (default $concurrency)
  --workloads LIST    comma-separated, in order (default $workloads)
  --startup-runs N    emulator starts to measure (default $startup_runs)
  --trigger-duration D  how long each trigger comparison runs (default $trigger_duration)
  --no-trigger        skip the PreSignUp trigger comparison
  --server-nice N     the servers' nice value, above the client's (default $server_nice; 0: same as the client)
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --duration) duration=${2:?--duration needs a value}; shift 2 ;;
        --concurrency) concurrency=${2:?--concurrency needs a value}; shift 2 ;;
        --workloads) workloads=${2:?--workloads needs a value}; shift 2 ;;
        --startup-runs) startup_runs=${2:?--startup-runs needs a value}; shift 2 ;;
        --trigger-duration) trigger_duration=${2:?--trigger-duration needs a value}; shift 2 ;;
        --no-trigger) trigger=no; shift ;;
        --server-nice) server_nice=${2:?--server-nice needs a value}; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

case "$server_nice" in
    [0-9] | 1[0-9]) ;;
    *) echo "error: --server-nice takes a whole number from 0 to 19, not '$server_nice'" >&2; exit 2 ;;
esac

venv=.venv
if [ ! -x "$venv/bin/moto_server" ]; then
    echo "== installing moto[server] into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]'
fi
python=$venv/bin/python
moto_version=$("$venv/bin/pip" show moto 2>/dev/null | sed -n 's/^Version: //p')

echo "== building the emulator, the benchmark and its trigger function (profile release-lto)"
cargo build --profile release-lto -p emulator -p benchmark
bench=target/release-lto/benchmark
emulator=target/release-lto/emulator

work=$(mktemp -d)
moto_pid=
emulator_pid=
stop_servers() {
    for pid in $moto_pid $emulator_pid; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

free_port() {
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_ready NAME PID URL: polls URL until it answers 200, for at most 60 s.
wait_ready() {
    "$python" - "$@" <<'EOF' || { echo "--- $1 log:" >&2; tail -n 20 "$work/$1.log" >&2; return 1; }
import os, sys, time, urllib.request
name, pid, url = sys.argv[1], int(sys.argv[2]), sys.argv[3]
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(f"error: {name} exited before answering {url}")
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            if answer.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.05)
sys.exit(f"error: {name} did not answer {url} within 60 s")
EOF
}

# memory_kb PID FIELD: a kB figure (VmRSS, VmHWM) from /proc/PID/status.
memory_kb() {
    awk -v field="$2:" '$1 == field { print $2 }' "/proc/$1/status" 2>/dev/null || true
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
status=0
echo "== emulator startup ($startup_runs starts)"
"$bench" --measure-startup "$emulator" --startup-runs "$startup_runs" \
    --json-out "$work/emulator-startup.json" || status=1
echo "== moto_server startup (3 starts)"
"$bench" --measure-startup "$venv/bin/moto_server" --port-flag -p --health-path /moto-api/ \
    --startup-runs 3 --json-out "$work/moto-startup.json" || status=1

moto_port=$(free_port)
nice -n "$server_nice" "$venv/bin/moto_server" -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
moto_pid=$!
emulator_port=$(free_port)
nice -n "$server_nice" "$emulator" --host 127.0.0.1 --port "$emulator_port" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
moto_ready=yes
emulator_ready=yes
wait_ready moto "$moto_pid" "http://127.0.0.1:$moto_port/moto-api/" || moto_ready=no
wait_ready emulator "$emulator_pid" "http://127.0.0.1:$emulator_port/_emulator/health" ||
    emulator_ready=no
sleep 1
moto_idle_kb=$(memory_kb "$moto_pid" VmRSS)
emulator_idle_kb=$(memory_kb "$emulator_pid" VmRSS)

run_bench() { # NAME PORT PID
    echo
    echo "== $1: $workloads, $concurrency workers, $duration each"
    if ! "$bench" --endpoint "http://127.0.0.1:$2" --server-pid "$3" \
        --concurrency "$concurrency" --duration "$duration" --workload "$workloads" \
        --json-out "$work/$1.json"; then
        echo "error: the benchmark against $1 failed" >&2
        rm -f "$work/$1.json"
        status=1
    fi
}
if [ "$moto_ready" = yes ]; then run_bench moto_server "$moto_port" "$moto_pid"; else status=1; fi
if [ "$emulator_ready" = yes ]; then run_bench emulator "$emulator_port" "$emulator_pid"; else status=1; fi

moto_after_kb=$(memory_kb "$moto_pid" VmRSS)
moto_peak_kb=$(memory_kb "$moto_pid" VmHWM)
emulator_after_kb=$(memory_kb "$emulator_pid" VmRSS)
emulator_peak_kb=$(memory_kb "$emulator_pid" VmHWM)

# After the memory figures: the trigger's function instances are processes of
# their own, and the users these runs store are not the comparison's.
if [ "$trigger" = yes ] && [ "$emulator_ready" = yes ]; then
    for workers in 1 "$concurrency"; do
        echo
        echo "== emulator: SignUp without and with a warm PreSignUp trigger, $workers worker(s), $trigger_duration each"
        if ! "$bench" --endpoint "http://127.0.0.1:$emulator_port" --server-pid "$emulator_pid" \
            --concurrency "$workers" --duration "$trigger_duration" --workload signup,signup-trigger \
            --json-out "$work/trigger-$workers.json"; then
            echo "error: the trigger comparison with $workers worker(s) failed" >&2
            rm -f "$work/trigger-$workers.json"
            status=1
        fi
    done
fi

printf '{"idle_kb": %s}\n' "${emulator_idle_kb:-null}" >"$work/emulator-memory.json"

echo
"$python" - "$work" "$moto_version" "$concurrency" "$duration" \
    "$moto_idle_kb" "$moto_after_kb" "$moto_peak_kb" \
    "$emulator_idle_kb" "$emulator_after_kb" "$emulator_peak_kb" "$load_before" "$server_nice" <<'EOF'
import json, os, sys

work, moto_version, concurrency, duration = sys.argv[1:5]
kb = [int(v) if v else None for v in sys.argv[5:11]]
load_before, server_nice = sys.argv[11:13]
moto_mem, emu_mem = kb[0:3], kb[3:6]

def load(name):
    path = os.path.join(work, name + ".json")
    return json.load(open(path)) if os.path.exists(path) else None

moto, emu = load("moto_server"), load("emulator")
moto_start, emu_start = load("moto-startup"), load("emulator-startup")

def by_workload(report):
    return {w["workload"]: w for w in report["workloads"]} if report else {}

def mb(v):
    return "-" if v is None else f"{v / 1024:.1f} MB"

def ratio(a, b):
    if a is None or not b:
        return "-"
    r = a / b
    return f"{r:.1f}x" if r >= 10 else f"{r:.2g}x"

print(f"== emulator vs moto_server {moto_version} ({concurrency} concurrent workers, {duration} per workload)")
print(f"   load average before the run: {load_before} (on {os.cpu_count()} cores: other work on the machine lowers every figure)")
print(f"   both servers at nice {server_nice}, the benchmark client at its caller's priority")
row = "{:<34} {:>18} {:>18} {:>14}"
print(row.format("", "moto_server", "emulator", "emulator/moto"))
m, e = by_workload(moto), by_workload(emu)
for name in dict.fromkeys([*m, *e]):
    mw, ew = m.get(name), e.get(name)
    unit = (mw or ew)["unit"]
    rate = lambda w: w["rate_per_s"] if w else None
    fmt = lambda v: "-" if v is None else f"{v:,.1f}/s"
    print(row.format(f"{name} ({unit}/s)", fmt(rate(mw)), fmt(rate(ew)), ratio(rate(ew), rate(mw))))
    for i, op in enumerate((mw or ew)["operations"]):
        def cell(w):
            if not w:
                return "-"
            o = w["operations"][i]
            if o["p50_ms"] is None:
                return f"{o['errors']} errors"
            errors = f" ({o['errors']} err)" if o["errors"] else ""
            return f"{o['p50_ms']:.2f}/{o['p99_ms']:.2f}{errors}"
        print(row.format(f"  {op['operation']} p50/p99 ms", cell(mw), cell(ew), ""))
    for label, w in (("moto_server", mw), ("emulator", ew)):
        s = w and w.get("server")
        if s:
            idle = w.get("machine_idle")
            idle = "" if idle is None else f", cores {100 * idle:.0f}% idle"
            print(f"  {label}: server CPU {s['cpu_s']:.1f} s, benchmark CPU "
                  f"{w['client_cpu_s']:.1f} s, in {w['elapsed_s']:.1f} s{idle}")

# Memory per stored user: only the first workload on a fresh server tells (an
# upper bound); later ones reuse memory kept from the earlier, deleted pools.
def first_growth(report):
    w = report and report["workloads"][0]
    s = w and w.get("server")
    if s and s["users_stored"] > 1000 and s["bytes_per_user"] is not None:
        return s
    return None
mg, eg = first_growth(moto), first_growth(emu)
fmt = lambda s: f"{s['bytes_per_user']:,.0f} B ({s['users_stored']:,})" if s else "-"
print(row.format("memory per stored user (users)", fmt(mg), fmt(eg),
                 ratio(eg and eg["bytes_per_user"], mg and mg["bytes_per_user"])))

ready = lambda s: s["ready_ms_median"] if s else None
print(row.format("ready after start (median)",
                 f"{ready(moto_start):.0f} ms" if moto_start else "-",
                 f"{ready(emu_start):.1f} ms" if emu_start else "-",
                 ratio(ready(emu_start), ready(moto_start))))
print(row.format("resident memory idle", mb(moto_mem[0]), mb(emu_mem[0]), ratio(emu_mem[0], moto_mem[0])))
print(row.format("resident memory after the run", mb(moto_mem[1]), mb(emu_mem[1]), ratio(emu_mem[1], moto_mem[1])))
print(row.format("peak resident memory", mb(moto_mem[2]), mb(emu_mem[2]), ratio(emu_mem[2], moto_mem[2])))

EOF

# The targets, each judged against this run's own figures (the files above):
# moto_server side by side, and the sign-in floor the emulator's run measured
# on this machine before its workloads.
echo
"$bench" --judge-run "$work" || status=1
exit "$status"
