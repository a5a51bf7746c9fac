#!/usr/bin/env bash
# Times the issue's start-up yardstick, a Quarkus hello world (function/bench/hello-world, quarkus-rest only, the
# function's platform), with the same tool and JVM options as run-benchmarks.sh times the function: exec to the
# first successful GET /hello, RUNS starts after one untimed launch. Prints a Markdown table.
# Usage: function/bench/hello-world.sh   (after ./mvnw -q -pl loadtest -am package -DskipTests; needs curl, python3)
set -euo pipefail
cd "$(dirname "$0")/../.."
LOADTEST=loadtest/target/loadtest.jar
APP=function/bench/hello-world/target/quarkus-app
PORT=${PORT:-18081}
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}
JDK25=${JDK25:-$(find /usr/lib/jvm -maxdepth 3 -path '/usr/lib/jvm/temurin-25*/bin/java' 2>/dev/null | sort | head -n 1)}
RUNS=${RUNS:-5}
C1_ONLY=-XX:TieredStopAtLevel=1
OUT=${OUT:-target/bench/hello-world}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if [ ! -f "$LOADTEST" ]; then echo "build first: ./mvnw -q -pl loadtest -am package -DskipTests" >&2; exit 1; fi
JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$JDK17")")") ./mvnw -q -f function/bench/hello-world/pom.xml package \
  -DskipTests >&2

cold_starts() { # label, java, JVM options...
  local label=$1 java=$2; shift 2
  java -jar "$LOADTEST" cold-start --url "http://127.0.0.1:$PORT/hello" --runs "$RUNS" --dir "$APP" \
    --log "$OUT/cold-start.log" --json "$OUT/cold-start.json" \
    -- "$java" "$@" -Dquarkus.http.port="$PORT" -jar quarkus-run.jar >/dev/null
  python3 - "$OUT/cold-start.json" "$label" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
runs = [round(r["first_2xx_ms"]) for r in d["runs"] if not r["warmup"]]
print(f"| {sys.argv[2]} | {round(d['summary']['first_2xx_ms']['median'])} | {' '.join(map(str, runs))} |")
PY
}

echo "### Quarkus hello world: process start to first successful GET /hello ($(date -u +%Y-%m-%d), $(nproc) CPUs: $(lscpu | sed -n 's/^Model name: *//p'), loadtest cold-start, median of $RUNS after 1 warm-up launch)"
echo
echo "| JVM | median ms | all runs (ms) |"
echo "|---|---:|---|"
cold_starts "JDK 17" "$JDK17"
cold_starts "JDK 17 + AppCDS" "$JDK17" -XX:SharedArchiveFile=app-cds.jsa
cold_starts "JDK 17 + AppCDS, C1 only" "$JDK17" -XX:SharedArchiveFile=app-cds.jsa $C1_ONLY
if [ -n "$JDK25" ]; then
  cold_starts "JDK 25" "$JDK25"
  # An AOT cache from a training run that answers a few requests, then SIGTERM (the JVM writes the cache on exit).
  rm -f "$OUT/hello.aot"
  (cd "$APP" && exec "$JDK25" -XX:AOTCacheOutput="$OUT/hello.aot" -Dquarkus.http.port="$PORT" -jar quarkus-run.jar) \
    >"$OUT/aot-training.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/hello"; do sleep 0.2; done
  for _ in $(seq 10); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/hello"; done
  kill -TERM "$pid"
  wait "$pid" || true
  cold_starts "JDK 25 + AOT cache" "$JDK25" -XX:AOTMode=on -XX:AOTCache="$OUT/hello.aot"
  cold_starts "JDK 25 + AOT cache, C1 only" "$JDK25" -XX:AOTMode=on -XX:AOTCache="$OUT/hello.aot" $C1_ONLY
fi
