#!/usr/bin/env bash
# Speed of the scaling lab: the 630 s course workload and one full day of the Twitter trace (86,400 s, 5.53 M
# requests) per autoscaler, with and without writing requests.csv. Prints a Markdown table.
#
#   scripts/simulator-benchmark.sh            # after ./mvnw -B -q -pl loadtest -am package -DskipTests
#
# Environment: SHARED (default ../shared beside the repo), JAR (default loadtest/target/loadtest.jar),
# OUT (default a temp dir; the Twitter runs with requests.csv write ~340 MB there each).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$repo/../shared}"
JAR="${JAR:-$repo/loadtest/target/loadtest.jar}"
OUT="${OUT:-$(mktemp -d -t simulator-benchmark.XXXXXX)}"
[[ -f "$JAR" ]] || { echo "build first: ./mvnw -B -q -pl loadtest -am package -DskipTests" >&2; exit 2; }
tar xjf "$SHARED/workloads/twitter-trace.tbz2" -C "$OUT" workload.txt

echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(java -version 2>&1 | head -1)."
echo "Load before: $(cut -d' ' -f1-3 /proc/loadavg) (other work shares these cores)."
echo
echo "| workload | autoscaler | requests.csv | requests | events | simulate (s) | whole command (s) |"
echo "|---|---|---|---:|---:|---:|---:|"
run() {
  local label="$1" autoscaler="$2" requests="$3"; shift 3
  local dir="$OUT/run-$label-$autoscaler-$requests"
  local extra=()
  [[ "$requests" == no ]] && extra+=(--no-requests)
  local t0 t1
  t0=$(date +%s.%N)
  java -jar "$JAR" simulate "$@" --autoscaler "$autoscaler" --out "$dir" --quiet "${extra[@]}"
  t1=$(date +%s.%N)
  python3 - "$dir/summary.json" "$label" "$autoscaler" "$requests" "$t0" "$t1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"| {sys.argv[2]} | {sys.argv[3]} | {sys.argv[4]} | {s['sent']:,} | {s['events']:,} | {s['wall_s']:.2f} | "
      f"{float(sys.argv[6]) - float(sys.argv[5]):.2f} |")
PY
  rm -f "$dir/requests.csv"
}
for a in kpa hpa-70 latency; do
  run course "$a" yes --workload "$SHARED/workloads/course-630s.txt"
done
for a in kpa hpa-70 hpa-90 latency; do
  run twitter-day "$a" no --workload "$OUT/workload.txt" --from 0 --to 86400
done
run twitter-day latency yes --workload "$OUT/workload.txt" --from 0 --to 86400
echo
echo "Load after: $(cut -d' ' -f1-3 /proc/loadavg)."
rm -rf "$OUT"
