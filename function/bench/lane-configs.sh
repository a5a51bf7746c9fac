#!/usr/bin/env bash
# Compares configurations of the inference lane (runners, ONNX Runtime threads, spinning, batching) on the same
# machine, one after the other: one request at a time (10 req/s evenly spaced) and open-loop Poisson load at RATES.
# Prints one Markdown row per configuration and rate.
# Usage: function/bench/lane-configs.sh "-Dinference.batch.runners=2" "-Dinference.model.threads=2" ...
#        (each argument is one configuration: JVM options for the function; "" is the default configuration)
# Env: RATES (req/s, default "20 30 40"), SECONDS_PER_RATE (default 40), ONE_AT_A_TIME_SECONDS (default 30),
#      PORT (default 18080).
set -euo pipefail
cd "$(dirname "$0")/../.."
APP=function/target
LOADTEST=loadtest/target/loadtest.jar
PORT=${PORT:-18080}
RATES=${RATES:-20 30 40}
SECS=${SECONDS_PER_RATE:-40}
ONE_SECS=${ONE_AT_A_TIME_SECONDS:-30}
OUT=${OUT:-target/bench-lanes}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if [ ! -f "$APP/function-runner.jar" ] || [ ! -f "$LOADTEST" ]; then echo "build first: ./mvnw -q package -DskipTests" >&2; exit 1; fi
[ $# -gt 0 ] || set -- ""

pid=
stop() { if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi; pid=; }
trap stop EXIT
rate_file() { for _ in $(seq "$2"); do echo "$1"; done > "$OUT/rate-$1.txt"; echo "$OUT/rate-$1.txt"; }

load() { # config label, run name, workload, loadtest options...
  local label=$1 name=$2 wl=$3; shift 3
  java -jar "$LOADTEST" run --target "http://127.0.0.1:$PORT/predict" --workload "$wl" --images ../shared/imagenet/sample \
    --out "$OUT/$name" --name "$name" --quiet --no-plots "$@"
  python3 - "$OUT/$name/summary.json" "$label" "$name" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
ms = lambda v: "-" if v is None else f"{v*1000:.1f}"
print(f"| `{sys.argv[2] or 'default'}` | {sys.argv[3]} | {s['ok']} of {s['scheduled']} | {ms(s['p50_s'])} | {ms(s['p99_s'])} | {ms(s['send_lag_p99_s'])} |")
PY
}

echo "Lane configurations ($(date -u +%Y-%m-%d), $(nproc) CPUs: $(lscpu | sed -n 's/^Model name: *//p'), load before: $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| configuration | run | served | p50 ms | p99 ms | client send lag p99 ms |"
echo "|---|---|---:|---:|---:|---:|"
n=0
for config in "$@"; do
  n=$((n + 1))
  # shellcheck disable=SC2086 # each configuration is a list of JVM options
  (cd "$APP" && exec java -XX:SharedArchiveFile=app-cds.jsa $config -Dquarkus.http.port="$PORT" -jar function-runner.jar) \
    >"$OUT/function-$n.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/q/health/ready"; do
    kill -0 "$pid" 2>/dev/null || { echo "function died" >&2; cat "$OUT/function-$n.log" >&2; exit 1; }
    sleep 0.1
  done
  java -jar "$LOADTEST" run --target "http://127.0.0.1:$PORT/predict" --workload "$(rate_file 20 5)" \
    --images ../shared/imagenet/sample --out "$OUT/warmup-$n" --quiet --no-plots   # JIT warm-up, not reported
  load "$config" "$n-one-at-a-time-10rps" "$(rate_file 10 "$ONE_SECS")" --arrival uniform
  for r in $RATES; do
    load "$config" "$n-open-loop-${r}rps" "$(rate_file "$r" "$SECS")" --arrival poisson
  done
  stop
done
