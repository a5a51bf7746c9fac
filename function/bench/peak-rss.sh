#!/usr/bin/env bash
# Peak resident memory of the function under the benchmark's container settings (JDK 17, start-up archive, C1 only,
# serial GC, 128 MB heap), for one glibc environment and JVM options: one at a time for 30 s, Poisson 40 req/s for
# 30 s, 300 req/s for 10 s. Prints the RSS after warm-up, the peak, and what each run served.
# Usage: function/bench/peak-rss.sh LABEL "ENV=VALUE ..." "JVM options"
#   e.g. function/bench/peak-rss.sh trim "MALLOC_ARENA_MAX=2" "-XX:TrimNativeHeapInterval=1000" (as deployed)
#        function/bench/peak-rss.sh mmap "MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072" ""
# Env: PORT (default 18080), OUT (default target/bench-rss).
set -euo pipefail
cd "$(dirname "$0")/../.."
label=$1 envs=$2 opts=$3
PORT=${PORT:-18080}
OUT=${OUT:-target/bench-rss}/$label
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
LOADTEST=$PWD/loadtest/target/loadtest.jar
if [ ! -f function/target/function-runner.jar ] || [ ! -f "$LOADTEST" ]; then
  echo "build first: ./mvnw -q package -DskipTests" >&2; exit 1
fi
rate_file() { for _ in $(seq "$2"); do echo "$1"; done > "$OUT/rate-$1.txt"; echo "$OUT/rate-$1.txt"; }

# shellcheck disable=SC2086 # envs and opts are lists
(cd function/target && exec env $envs java -XX:SharedArchiveFile=app-cds.jsa -XX:TieredStopAtLevel=1 \
  -XX:+UseSerialGC -Xmx128m $opts -Dquarkus.http.port="$PORT" -jar function-runner.jar) >"$OUT/function.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/q/health/ready"; do
  kill -0 "$pid" 2>/dev/null || { echo "function died" >&2; cat "$OUT/function.log" >&2; exit 1; }
  sleep 0.1
done
sleep 1.5 # the lone-run session loads after readiness
rss() { awk -v k="$1" '$1 == k":" {printf "%.0f MB", $2/1024}' /proc/"$pid"/status; }
run() { # name, workload, loadtest options...
  local name=$1 wl=$2; shift 2
  java -jar "$LOADTEST" run --target "http://127.0.0.1:$PORT/predict" --workload "$wl" \
    --images ../shared/imagenet/sample --out "$OUT/$name" --name "$name" --quiet --no-plots "$@" >/dev/null
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print("  %s: %d of %d ok, p50 %.1f ms, p99 %.1f ms" % (sys.argv[2], s["ok"], s["scheduled"], s["p50_s"]*1000, s["p99_s"]*1000))' \
    "$OUT/$name/summary.json" "$name"
}
run warm-up "$(rate_file 20 5)" >/dev/null
echo "$label ($envs $opts): $(rss VmRSS) after warm-up"
run one-at-a-time-10rps "$(rate_file 10 30)" --arrival uniform
run open-loop-40rps "$(rate_file 40 30)" --arrival poisson
run overload-300rps "$(rate_file 300 10)" --arrival poisson --timeout 5s
echo "$label: peak RSS $(rss VmHWM)"
