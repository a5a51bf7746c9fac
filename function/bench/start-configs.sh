#!/usr/bin/env bash
# Compares the cold start of configurations of the function, interleaved: ROUNDS rounds, and in each round every
# configuration in turn, RUNS starts each (loadtest cold-start: process start to the first successful /predict, after
# one untimed launch), with the quick start's JVM options. Interleaving keeps a VM's drift from favouring one side.
# Prints one Markdown row per round and configuration: median, port open median, every start.
# Usage: function/bench/start-configs.sh "label|JVM options[|application directory]" ...
#   e.g. "default|" "no lone session|-Dinference.model.alone.threads=1" "int8||/tmp/int8-build"
#   (the directory: another build's runner jar, start-up archive, model/ and native/, copied with cp -a so the
#   archive still matches its jar; default function/target)
# Env: ROUNDS (default 3), RUNS (default 5), PORT (default 18094), JAVA (default JDK 17).
set -euo pipefail
cd "$(dirname "$0")/../.."
APP=function/target
LOADTEST=loadtest/target/loadtest.jar
IMG=${IMG:-../shared/reference/n01986214_hermit_crab.JPEG}
JAVA=${JAVA:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-5}
PORT=${PORT:-18094}
OUT=${OUT:-target/bench-starts}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if [ ! -f "$APP/function-runner.jar" ] || [ ! -f "$LOADTEST" ]; then echo "build first: ./mvnw -q package -DskipTests" >&2; exit 1; fi
[ $# -gt 0 ] || set -- "default|"

echo "| round | configuration | first 2xx median ms | port open median ms | all starts (ms) |"
echo "|---:|---|---:|---:|---|"
for round in $(seq "$ROUNDS"); do
  for cfg in "$@"; do
    label=${cfg%%|*}
    rest=${cfg#*|}
    dir=$APP
    if [[ $rest == *"|"* ]]; then dir=${rest#*|}; rest=${rest%%|*}; fi
    read -r -a opts <<< "$rest"
    java -jar "$LOADTEST" cold-start --url "http://127.0.0.1:$PORT/predict" --image "$IMG" --runs "$RUNS" \
      --dir "$dir" --log "$OUT/cold-start.log" --json "$OUT/cold-start.json" \
      -- "$JAVA" -XX:SharedArchiveFile=app-cds.jsa -XX:TieredStopAtLevel=1 "${opts[@]}" -Dquarkus.http.port="$PORT" \
      -jar function-runner.jar >/dev/null
    python3 - "$OUT/cold-start.json" "$round" "$label" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
runs = [round(r["first_2xx_ms"]) for r in d["runs"] if not r["warmup"]]
s = d["summary"]
print(f"| {sys.argv[2]} | {sys.argv[3]} | {round(s['first_2xx_ms']['median'])} | {round(s['port_open_ms']['median'])} | {' '.join(map(str, runs))} |")
PY
  done
done
