#!/usr/bin/env bash
# Where the CPU goes under load: the function's CPU time per thread group (Linux thread names with the trailing
# number dropped: inference-lane-, executor-thread, vert.x-eventloo, GC Thread#, ...), the load generator's, and the
# rest of the machine's, over one open-loop run at RATE req/s. Prints Markdown.
# Why: when the function serves fewer images a second than its model alone could, this says whether the difference
# is decoding, HTTP, GC, the JIT, or the load generator sharing the cores.
# Usage: function/bench/cpu-by-thread.sh [JVM options...]   (default: the README quick start's options)
# Env: RATE (req/s, default 50), SECONDS (default 60), ARRIVAL (poisson or uniform, default poisson), PORT (default
#      18080), OUT (default target/bench-cpu), APP_DIR (the application directory, default function/target).
set -euo pipefail
cd "$(dirname "$0")/../.."
APP=${APP_DIR:-function/target}
LOADTEST=loadtest/target/loadtest.jar
PORT=${PORT:-18080}
RATE=${RATE:-50}
SECS=${SECONDS:-60}
ARRIVAL=${ARRIVAL:-poisson}
OUT=${OUT:-target/bench-cpu}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if [ ! -f "$APP/function-runner.jar" ] || [ ! -f "$LOADTEST" ]; then echo "build first: ./mvnw -q package -DskipTests" >&2; exit 1; fi
[ $# -gt 0 ] || set -- -XX:TieredStopAtLevel=1
TICK=$(getconf CLK_TCK)

pid=
stop() { if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi; pid=; }
trap stop EXIT

# "tid name ticks" for every live thread of the function, then "total - ticks" for the whole process (which keeps
# the time of threads that have ended). Fields 14 and 15 of stat are user and system ticks; the name is read from
# comm because it may hold spaces.
snapshot() {
  for t in /proc/"$pid"/task/*; do
    local stat name
    stat=$(cat "$t/stat" 2>/dev/null) || continue
    name=$(cat "$t/comm" 2>/dev/null) || continue
    echo "${t##*/} ${name// /_} $(echo "${stat##*) }" | awk '{print $12 + $13}')"
  done
  echo "total - $(awk '{sub(/.*\) /, ""); print $12 + $13}' /proc/"$pid"/stat)"
}
# Busy and total ticks of the whole machine (all CPUs), from the first line of /proc/stat.
machine() { awk '/^cpu /{busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6}' /proc/stat; }

(cd "$APP" && exec java -XX:SharedArchiveFile=app-cds.jsa "$@" -Dquarkus.http.port="$PORT" -jar function-runner.jar) \
  >"$OUT/function.log" 2>&1 &
pid=$!
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/q/health/ready"; do
  kill -0 "$pid" 2>/dev/null || { echo "function died" >&2; cat "$OUT/function.log" >&2; exit 1; }
  sleep 0.1
done
for _ in $(seq 5); do echo 20; done > "$OUT/warmup.txt"
for _ in $(seq "$SECS"); do echo "$RATE"; done > "$OUT/workload.txt"
java -jar "$LOADTEST" run --target "http://127.0.0.1:$PORT/predict" --workload "$OUT/warmup.txt" \
  --images ../shared/imagenet/sample --out "$OUT/warmup" --quiet --no-plots   # JIT warm-up, not counted

snapshot > "$OUT/before.txt"
read -r busy0 all0 < <(machine)
# bash's time reports the load generator's own CPU (user and system, seconds), children included.
TIMEFORMAT='%U %S'
{ time java -jar "$LOADTEST" run --target "http://127.0.0.1:$PORT/predict" --workload "$OUT/workload.txt" \
    --arrival "$ARRIVAL" --images ../shared/imagenet/sample --out "$OUT/run" --name cpu-by-thread --quiet --no-plots; } \
  2> "$OUT/loadtest-time.txt"
read -r busy1 all1 < <(machine)
snapshot > "$OUT/after.txt"
curl -sf "http://127.0.0.1:$PORT/q/metrics" > "$OUT/metrics.txt"
stop

python3 - "$OUT" "$TICK" "$busy1" "$busy0" "$all1" "$all0" "$RATE" "$SECS" "$ARRIVAL" "$*" <<'PY'
import json, re, sys
out, tick = sys.argv[1], int(sys.argv[2])
busy = (int(sys.argv[3]) - int(sys.argv[4])) / tick
capacity = (int(sys.argv[5]) - int(sys.argv[6])) / tick
rate, secs, arrival, options = sys.argv[7], sys.argv[8], sys.argv[9], sys.argv[10]

def read(name):
    threads, total = {}, 0
    for line in open(f"{out}/{name}"):
        tid, thread, ticks = line.split()
        if tid == "total":
            total = int(ticks)
        else:
            threads[tid] = (thread, int(ticks))
    return threads, total

before, total0 = read("before.txt")
after, total1 = read("after.txt")
groups = {}
for tid, (thread, ticks) in after.items():
    group = re.sub(r"[-#_]?\d+$", "", thread).replace("_", " ")
    groups[group] = groups.get(group, 0) + (ticks - before.get(tid, (thread, 0))[1]) / tick
function_total = (total1 - total0) / tick
ended = function_total - sum(groups.values())
if abs(ended) >= 1 / tick:
    groups["(threads that ended during the run)"] = ended
user, system = open(f"{out}/loadtest-time.txt").read().split()[-2:]
loadgen = float(user) + float(system)
summary = json.load(open(f"{out}/run/summary.json"))
served = summary["ok"]
model = thread_seconds = decode = 0.0
for line in open(f"{out}/metrics.txt"):
    if line.startswith("inference_model_duration_seconds_sum"):
        model = float(line.split()[-1])
    elif line.startswith("inference_model_thread_seconds_total"):
        thread_seconds = float(line.split()[-1])
    elif line.startswith("inference_decode_duration_seconds_sum"):
        decode = float(line.split()[-1])

print(f"CPU by thread, {rate} req/s {arrival} for {secs} s, JVM options `{options}`: {served} of "
      f"{summary['scheduled']} served, p50 {summary['p50_s']*1000:.1f} ms, p99 {summary['p99_s']*1000:.1f} ms; "
      f"the machine had {capacity:.1f} CPU-seconds, {busy:.1f} of them busy")
print()
print("| where | CPU s | share of the machine | CPU ms per served request |")
print("|---|---:|---:|---:|")
def row(name, seconds):
    per = f"{seconds / served * 1000:.2f}" if served else "-"
    print(f"| {name} | {seconds:.2f} | {seconds / capacity:.1%} | {per} |")
for group, seconds in sorted(groups.items(), key=lambda g: -g[1]):
    if seconds >= 0.05:
        row(f"function: `{group}`", seconds)
row("**function, all threads**", function_total)
row("load generator", loadgen)
row("everything else (kernel, other processes)", busy - function_total - loadgen)
row("idle", capacity - busy)
print()
print(f"The function's own metrics over its life (warm-up included): model runs {model:.2f} s wall, "
      f"{thread_seconds:.2f} ONNX Runtime thread-seconds; decoding and preprocessing {decode:.2f} s.")
PY
