#!/usr/bin/env bash
# Measures the load generator itself: `loadtest run` pinned to one core (taskset, -XX:ActiveProcessorCount=1) against
# `loadtest sink` pinned to the other, on loopback, sending the ImageNet sample photos. Prints the summary figures
# that docs/benchmarks.md reports. Usage: loadtest/bench/generator-benchmark.sh [RATE] [SECONDS]
# (after ./mvnw -q package -DskipTests; needs taskset from util-linux and two CPUs).
set -euo pipefail
cd "$(dirname "$0")/../.."
RATE=${1:-2000}
SECONDS_AT_RATE=${2:-30}
JAR=loadtest/target/loadtest.jar
PORT=${PORT:-18099}
OUT=${OUT:-target/generator-bench}
[ -f "$JAR" ] || { echo "build first: ./mvnw -q package -DskipTests" >&2; exit 1; }
mkdir -p "$OUT"

taskset -c 1 java -XX:ActiveProcessorCount=1 -jar "$JAR" sink --port "$PORT" >"$OUT/sink.log" 2>&1 &
sink=$!
trap 'kill $sink 2>/dev/null || true' EXIT
until curl -s -o /dev/null "http://127.0.0.1:$PORT/"; do sleep 0.1; done

summary() {
  python3 - "$1" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
ms = lambda v: "-" if v is None else f"{v*1000:.2f}"
print(f"| {sys.argv[2]} | {s['scheduled']} | {s['sent']} | {s['ok']} | {sum(s['errors'].values())} | "
      f"{ms(s['send_lag_p99_s'])} | {ms(s['send_lag_max_s'])} | {ms(s['p50_s'])} | {ms(s['p99_s'])} |")
PY
}

echo "| run | scheduled | sent | ok | failed | send lag p99 ms | send lag max ms | latency p50 ms | latency p99 ms |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
# Cold: both JVMs start at full rate (their JIT warm-up shows in the first seconds' latency).
for _ in $(seq "$SECONDS_AT_RATE"); do echo "$RATE"; done >"$OUT/flat.txt"
taskset -c 0 java -XX:ActiveProcessorCount=1 -jar "$JAR" run --target "http://127.0.0.1:$PORT/predict" \
  --workload "$OUT/flat.txt" --out "$OUT/cold" --quiet --no-plots
summary "$OUT/cold" "cold start, ${RATE}/s for ${SECONDS_AT_RATE} s"
# Ramped: 5 s from a fifth of the rate up, then the rate.
{ for i in 1 2 3 4 5; do echo $((RATE * i / 5)); done; cat "$OUT/flat.txt"; } >"$OUT/ramp.txt"
taskset -c 0 java -XX:ActiveProcessorCount=1 -jar "$JAR" run --target "http://127.0.0.1:$PORT/predict" \
  --workload "$OUT/ramp.txt" --out "$OUT/ramp" --quiet --no-plots
summary "$OUT/ramp" "5 s ramp, then ${RATE}/s for ${SECONDS_AT_RATE} s"
