#!/usr/bin/env bash
# Measures the function the way docs/benchmarks.md reports it: cold start (JDK 17; JDK 25 with and without an AOT
# cache; each with and without C2), one request at a time, sustained open-loop throughput, 10x overload, and peak
# RSS, the load runs with the JVM options of the README's quick start. Prints Markdown.
# Usage: function/bench/run-benchmarks.sh   (after ./mvnw -q package -DskipTests; needs curl and python3)
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=function/target/function-runner.jar
LOADTEST=loadtest/target/loadtest.jar
IMG=../shared/reference/n01986214_hermit_crab.JPEG   # 500x375 JPEG
PORT=${PORT:-18080}
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}
JDK25=${JDK25:-$(find /usr/lib/jvm -maxdepth 3 -path '/usr/lib/jvm/temurin-25*/bin/java' 2>/dev/null | sort | head -n 1)}
RUNS=${RUNS:-5}
C1_ONLY=-XX:TieredStopAtLevel=1   # the README's quick start and Dockerfile.jvm run without C2
OUT=${OUT:-target/bench}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)   # absolute: the function is started from its application directory
if [ ! -f "$JAR" ] || [ ! -f "$LOADTEST" ]; then echo "build first: ./mvnw -q package -DskipTests" >&2; exit 1; fi

pid=
stop() { if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi; pid=; }
trap stop EXIT

# Start the function for the load runs below (not timed) and wait for its first successful /predict.
start_function() {
  local java=$1; shift
  # From the application directory: the start-up archive only matches the class path it was recorded with.
  (cd "$(dirname "$JAR")" && exec "$java" "$@" -Dquarkus.http.port="$PORT" -jar "$(basename "$JAR")") >"$OUT/function.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null -H 'Content-Type: image/jpeg' --data-binary @"$IMG" "http://127.0.0.1:$PORT/predict"; do
    kill -0 "$pid" 2>/dev/null || { echo "function died" >&2; cat "$OUT/function.log" >&2; exit 1; }
    sleep 0.05
  done
}

# One table row: ms from exec to the first successful /predict, RUNS starts after one untimed launch (page cache).
# loadtest cold-start polls from inside its JVM: the curl loop above, every 5 ms, spawned enough processes on 2 cores
# to make a start look ~0.4 s slower.
cold_starts() { # label, java, JVM options...
  local label=$1 java=$2; shift 2
  java -jar "$LOADTEST" cold-start --url "http://127.0.0.1:$PORT/predict" --image "$IMG" --runs "$RUNS" \
    --dir "$(dirname "$JAR")" --log "$OUT/cold-start.log" --json "$OUT/cold-start.json" \
    -- "$java" "$@" -Dquarkus.http.port="$PORT" -jar "$(basename "$JAR")" >/dev/null
  python3 - "$OUT/cold-start.json" "$label" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
runs = [round(r["first_2xx_ms"]) for r in d["runs"] if not r["warmup"]]
print(f"| {sys.argv[2]} | {round(d['summary']['first_2xx_ms']['median'])} | {' '.join(map(str, runs))} |")
PY
}

echo "## Function benchmarks ($(date -u +%Y-%m-%d), $(nproc) CPUs: $(lscpu | sed -n 's/^Model name: *//p'), load before: $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "### Cold start: process start to first successful /predict (loadtest cold-start, median of $RUNS after 1 warm-up launch)"
echo
echo "| JVM | median ms | all runs (ms) |"
echo "|---|---:|---|"
cold_starts "JDK 17" "$JDK17"
if [ -f "$(dirname "$JAR")/app-cds.jsa" ]; then
  cold_starts "JDK 17 + start-up archive" "$JDK17" -XX:SharedArchiveFile=app-cds.jsa
  cold_starts "JDK 17 + start-up archive, C1 only (the quick start)" "$JDK17" -XX:SharedArchiveFile=app-cds.jsa $C1_ONLY
fi
if [ -n "$JDK25" ]; then
  cold_starts "JDK 25" "$JDK25"
  # The same training run as Dockerfile.jvm's.
  "$JDK25" -cp "$JAR" io.elasticinference.function.startup.StartupArchiveTraining \
    --mode=aot --app-dir="$(dirname "$JAR")" --archive="$OUT/app.aot" --image=function/src/main/resources/warm-up.jpg \
    --jvm-options="$C1_ONLY" --log="$OUT/aot-training.log" >&2
  if [ -f "$OUT/app.aot" ]; then
    cold_starts "JDK 25 + AOT cache" "$JDK25" -XX:AOTCache="$OUT/app.aot"
    cold_starts "JDK 25 + AOT cache, C1 only (Dockerfile.jvm)" "$JDK25" -XX:AOTCache="$OUT/app.aot" $C1_ONLY
  fi
fi
echo

load() { # name, workload, extra args
  local name=$1 wl=$2; shift 2
  java -jar "$LOADTEST" run --target "http://127.0.0.1:$PORT/predict" --workload "$wl" --images ../shared/imagenet/sample \
    --out "$OUT/$name" --name "$name" --quiet --no-plots "$@"
  python3 - "$OUT/$name/summary.json" "$name" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
ms = lambda v: "-" if v is None else f"{v*1000:.1f}"
err = sum(s["errors"].values())
print(f"| {sys.argv[2]} | {s['scheduled']} | {s['ok']} | {err} | {ms(s['p50_s'])} | {ms(s['p99_s'])} | {ms(s['max_s'])} | {ms(s['send_lag_p99_s'])} |")
PY
}

QUICK_START_OPTS="$C1_ONLY"
[ -f "$(dirname "$JAR")/app-cds.jsa" ] && QUICK_START_OPTS="-XX:SharedArchiveFile=app-cds.jsa $C1_ONLY"
# shellcheck disable=SC2086 # a list of JVM options
start_function "$JDK17" $QUICK_START_OPTS
for _ in $(seq 5); do echo 20; done > "$OUT/warm.txt"
java -jar "$LOADTEST" run --target "http://127.0.0.1:$PORT/predict" --workload "$OUT/warm.txt" \
  --images ../shared/imagenet/sample --out "$OUT/warmup" --quiet --no-plots   # JIT warm-up, not reported
echo "### Latency and throughput (JDK 17 as the quick start runs it: $QUICK_START_OPTS; open loop from loadtest on the same machine, 200 ImageNet photos round-robin)"
echo
echo "| run | requests | ok | errors | p50 ms | p99 ms | max ms | client send lag p99 ms |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
rate_file() { local r=$1 s=$2; for _ in $(seq "$s"); do echo "$r"; done > "$OUT/rate-$r.txt"; echo "$OUT/rate-$r.txt"; }
load "one-at-a-time-10rps" "$(rate_file 10 30)" --arrival uniform
for r in 40 50 55 60 65; do
  load "open-loop-${r}rps" "$(rate_file "$r" 60)" --arrival poisson
done
load "overload-10x-600rps" "$(rate_file 600 15)" --arrival poisson --timeout 5s
echo
echo "Peak RSS of the function over all of the above: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/"$pid"/status)"
stop

# The same function as the Knative manifests run it: a 512 MiB container gives the JVM the serial GC and a quarter of
# the memory as heap; the manifests also cap glibc's malloc arenas (one per thread by default, each holding freed
# memory), and the JVM image trims the native heap once a second (freed large buffers go back to the kernel).
echo
echo "### As in a 512 MiB container (JDK 17, $QUICK_START_OPTS -XX:+UseSerialGC -Xmx128m -XX:TrimNativeHeapInterval=1000, MALLOC_ARENA_MAX=2)"
echo
echo "| run | requests | ok | errors | p50 ms | p99 ms | max ms | client send lag p99 ms |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
# shellcheck disable=SC2086 # a list of JVM options
MALLOC_ARENA_MAX=2 start_function "$JDK17" $QUICK_START_OPTS -XX:+UseSerialGC -Xmx128m -XX:TrimNativeHeapInterval=1000
java -jar "$LOADTEST" run --target "http://127.0.0.1:$PORT/predict" --workload "$OUT/warm.txt" \
  --images ../shared/imagenet/sample --out "$OUT/warmup-container" --quiet --no-plots
load "container-one-at-a-time-10rps" "$OUT/rate-10.txt" --arrival uniform
load "container-open-loop-55rps" "$OUT/rate-55.txt" --arrival poisson
load "container-overload-10x-600rps" "$OUT/rate-600.txt" --arrival poisson --timeout 5s
echo
echo "Peak RSS of the function over the container runs: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/"$pid"/status)"
