#!/usr/bin/env bash
# The function side by side with the course projects' Python stack (../shared/baselines/python-seed: FastAPI, uvicorn
# and torchvision's ResNet18 with seeded weights, TORCH_THREADS=2), in one run, by the same client (loadtest) sending
# the same requests to both: multipart POST /predict with a part `file`, what the course projects' clients send.
# Both servers run on this machine; the load runs alternate between them rate by rate, so that the machine's drift
# over the run hits both alike. Prints Markdown: cold starts, one request at a time, an open-loop ladder, peak RSS,
# and the ratios (ours / Python).
# Usage: function/bench/versus-python.sh   (after ./mvnw -q package -DskipTests; needs python3; as root it installs
#        the Python stack's Debian packages)
# Env: RUNS (cold starts per stack after one untimed launch, default 5), SECONDS_PER_RATE (default 30),
#      RATES (open-loop Poisson req/s, default "20 30 40 50 55 60 65 70"), P99_BOUND_MS (default 150, the issue's),
#      PORT (ours, default 18080), PY_PORT (default 18000), PYTHON_SEED (default ../shared/baselines/python-seed).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=function/target/function-runner.jar
LOADTEST=loadtest/target/loadtest.jar
IMG=../shared/reference/n01986214_hermit_crab.JPEG   # 500x375 JPEG, as run-benchmarks.sh
IMAGES=../shared/imagenet/sample
SEED_DIR=${PYTHON_SEED:-../shared/baselines/python-seed}
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}
PORT=${PORT:-18080}
PY_PORT=${PY_PORT:-18000}
RUNS=${RUNS:-5}
SECS=${SECONDS_PER_RATE:-30}
RATES=${RATES:-20 30 40 50 55 60 65 70}
P99_BOUND_MS=${P99_BOUND_MS:-150}
OUT=${OUT:-target/bench-versus-python}
if [ ! -f "$JAR" ] || [ ! -f "$LOADTEST" ]; then echo "build first: ./mvnw -q package -DskipTests" >&2; exit 1; fi
if [ ! -f "$SEED_DIR/app.py" ]; then echo "no Python stack at $SEED_DIR (set PYTHON_SEED)" >&2; exit 1; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends python3-torch python3-torchvision python3-fastapi python3-uvicorn \
    python3-multipart python3-pil >/dev/null
fi
/usr/bin/python3 -c 'import torch, torchvision, fastapi, uvicorn, multipart, PIL' 2>/dev/null \
  || { echo "the Python stack needs python3-torch python3-torchvision python3-fastapi python3-uvicorn python3-multipart python3-pil" >&2; exit 1; }
rm -rf "$OUT"
mkdir -p "$OUT/python"
OUT=$(cd "$OUT" && pwd)
# The server runs from a copy: uvicorn imports app.py from its working directory and Python writes its bytecode there.
cp "$SEED_DIR/app.py" "$OUT/python/"
APP_DIR=$(cd "$(dirname "$JAR")" && pwd)

# Each stack: how to start it, from where, and its URL. Ours as the README's quick start runs it (start-up archive, C1
# only); Python as the baseline's main configuration (2 torch threads, one uvicorn worker).
QUICK_START_OPTS=-XX:TieredStopAtLevel=1
[ -f "$APP_DIR/app-cds.jsa" ] && QUICK_START_OPTS="-XX:SharedArchiveFile=app-cds.jsa $QUICK_START_OPTS"
# shellcheck disable=SC2206 # a list of JVM options
OURS_CMD=("$JDK17" $QUICK_START_OPTS -Dquarkus.http.port="$PORT" -jar "$(basename "$JAR")")
PY_CMD=(env TORCH_THREADS=2 /usr/bin/python3 -m uvicorn app:app --host 127.0.0.1 --port "$PY_PORT" --log-level warning)
declare -A DIR=([ours]="$APP_DIR" [python]="$OUT/python")
declare -A URL=([ours]="http://127.0.0.1:$PORT/predict" [python]="http://127.0.0.1:$PY_PORT/predict")
declare -A PID=()
CMD=()
set_cmd() { if [ "$1" = ours ]; then CMD=("${OURS_CMD[@]}"); else CMD=("${PY_CMD[@]}"); fi; }

stop() { # stack
  local p=${PID[$1]:-}
  if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then kill "$p"; wait "$p" 2>/dev/null || true; fi
  PID[$1]=
}
trap 'stop ours; stop python' EXIT

start() { # stack: starts it (untimed) and waits for its first successful /predict
  local s=$1
  set_cmd "$s"
  (cd "${DIR[$s]}" && exec "${CMD[@]}") >"$OUT/$s.log" 2>&1 &
  PID[$s]=$!
  until curl -sf -o /dev/null -F "file=@$IMG;type=image/jpeg" "${URL[$s]}"; do
    kill -0 "${PID[$s]}" 2>/dev/null || { echo "$s died" >&2; cat "$OUT/$s.log" >&2; exit 1; }
    sleep 0.1
  done
}

# Results, one JSON object per line, rendered at the end.
RESULTS=$OUT/results.jsonl
record() { printf '%s\n' "$1" >>"$RESULTS"; }

cold_starts() { # stack
  local s=$1
  set_cmd "$s"
  java -jar "$LOADTEST" cold-start --url "${URL[$s]}" --multipart --image "$IMG" --runs "$RUNS" --dir "${DIR[$s]}" \
    --log "$OUT/cold-start-$s.log" --json "$OUT/cold-start-$s.json" -- "${CMD[@]}" >/dev/null
  record "{\"stack\": \"$s\", \"kind\": \"cold-start\", \"file\": \"$OUT/cold-start-$s.json\"}"
}

rate_file() { # rate, seconds
  for _ in $(seq "$2"); do echo "$1"; done >"$OUT/rate-$1-$2s.txt"
  echo "$OUT/rate-$1-$2s.txt"
}

load() { # stack, name, rate, arrival: one open-loop run; fails (status 1) when the stack did not serve it in full
  local s=$1 name=$2 rate=$3 arrival=$4
  java -jar "$LOADTEST" run --target "${URL[$s]}" --workload "$(rate_file "$rate" "$SECS")" --images "$IMAGES" --multipart \
    --arrival "$arrival" --out "$OUT/$s-$name" --name "$s-$name" --quiet --no-plots
  record "{\"stack\": \"$s\", \"kind\": \"load\", \"name\": \"$name\", \"rate\": $rate, \"file\": \"$OUT/$s-$name/summary.json\"}"
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(0 if s["ok"] == s["scheduled"] else 1)' \
    "$OUT/$s-$name/summary.json"
}

peak_rss() { # stack: the server's peak resident set so far, recorded
  local kb
  kb=$(awk '/VmHWM/ {print $2}' /proc/"${PID[$1]}"/status)
  record "{\"stack\": \"$1\", \"kind\": \"rss\", \"kb\": $kb}"
}

STACKS=(python ours)
for s in "${STACKS[@]}"; do echo "cold starts: $s" >&2; cold_starts "$s"; done

for s in "${STACKS[@]}"; do
  start "$s"
  # Warm-up, not reported: the JVM's JIT, and the same for Python for fairness.
  java -jar "$LOADTEST" run --target "${URL[$s]}" --workload "$(rate_file 20 10)" \
    --images "$IMAGES" --multipart --out "$OUT/$s-warm-up" --quiet --no-plots
done
for s in "${STACKS[@]}"; do echo "one at a time: $s" >&2; load "$s" one-at-a-time 10 uniform || true; done
# The ladder: a stack climbs until a rate it does not serve in full, or serves at a p99 beyond ten times the bound;
# past that point its queue only grows, and its server is stopped so that its backlog does not load the other's runs.
declare -A CLIMBING=([ours]=1 [python]=1)
for r in $RATES; do
  for s in "${STACKS[@]}"; do
    [ "${CLIMBING[$s]}" = 1 ] || continue
    echo "open loop $r/s: $s" >&2
    if load "$s" "open-loop-${r}rps" "$r" poisson \
        && python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(0 if s["p99_s"]*1000 <= 10*float(sys.argv[2]) else 1)' \
          "$OUT/$s-open-loop-${r}rps/summary.json" "$P99_BOUND_MS"; then
      continue
    fi
    CLIMBING[$s]=0
    peak_rss "$s"
    stop "$s"
  done
done
for s in "${STACKS[@]}"; do
  if [ "${CLIMBING[$s]}" = 1 ]; then peak_rss "$s"; stop "$s"; fi
done

python3 - "$RESULTS" "$P99_BOUND_MS" "$RUNS" "$SECS" "$(date -u +%Y-%m-%d)" "$(nproc)" \
  "$(lscpu | sed -n 's/^Model name: *//p')" "$(cut -d' ' -f1-3 /proc/loadavg)" "$QUICK_START_OPTS" <<'PY'
import json, sys
results_file, bound, runs, secs, day, cpus, cpu, load, opts = sys.argv[1:]
bound = float(bound)
rows = [json.loads(line) for line in open(results_file)]
stacks = ("ours", "python")
cold, loads, rss = {}, {s: {} for s in stacks}, {}
for r in rows:
    if r["kind"] == "cold-start":
        d = json.load(open(r["file"]))
        cold[r["stack"]] = (d["summary"]["first_2xx_ms"]["median"],
                            [round(x["first_2xx_ms"]) for x in d["runs"] if not x["warmup"]])
    elif r["kind"] == "load":
        loads[r["stack"]][r["name"]] = (r["rate"], json.load(open(r["file"])))
    else:
        rss[r["stack"]] = r["kb"] / 1024

def best_rate(s, within_bound):
    """The highest open-loop rate the stack answered in full (every request 2xx), with its p99 within the bound or not."""
    ok = [rate for name, (rate, summary) in loads[s].items()
          if name.startswith("open-loop") and summary["ok"] == summary["scheduled"]
          and (not within_bound or summary["p99_s"] * 1000 <= bound)]
    return max(ok) if ok else None

ms = lambda v: "-" if v is None else f"{v * 1000:.1f}"
ratio = lambda a, b: "-" if a is None or b in (None, 0) else f"{a / b:.2f}×"
one = {s: loads[s].get("one-at-a-time", (None, None))[1] for s in stacks}

print(f"### Side by side with the Python stack ({day}, {cpus} CPUs: {cpu}, load before: {load})")
print()
print(f"Same client (loadtest), same multipart requests to both. Ours: JDK 17 as the quick start runs it ({opts}). "
      f"Python: ../shared/baselines/python-seed/app.py, TORCH_THREADS=2, one uvicorn worker.")
print()
print("| measure | ours | Python | ours / Python |")
print("|---|---:|---:|---:|")
c = {s: cold.get(s, (None, []))[0] for s in stacks}
print(f"| cold start to the first successful /predict, median of {runs} (ms) | {c['ours']:.0f} | {c['python']:.0f} "
      f"| {ratio(c['ours'], c['python'])} |")
for q in ("p50", "p99"):
    v = {s: one[s][f"{q}_s"] if one[s] else None for s in stacks}
    print(f"| one at a time (10/s, evenly spaced, {secs} s), {q} (ms) | {ms(v['ours'])} | {ms(v['python'])} "
          f"| {ratio(v['ours'], v['python'])} |")
show = lambda v: "none" if v is None else f"{v}/s"
for within_bound, what in ((False, "every request answered"), (True, f"and p99 ≤ {bound:.0f} ms")):
    b = {s: best_rate(s, within_bound) for s in stacks}
    print(f"| throughput: highest open-loop rate served in full, {what} | {show(b['ours'])} | {show(b['python'])} "
          f"| {ratio(b['ours'], b['python'])} |")
print(f"| peak RSS over the load runs (MB) | {rss.get('ours', 0):.0f} | {rss.get('python', 0):.0f} "
      f"| {ratio(rss.get('ours'), rss.get('python'))} |")
print()
print(f"Cold starts (ms, after one untimed launch): ours {' '.join(map(str, cold['ours'][1]))}; "
      f"Python {' '.join(map(str, cold['python'][1]))}.")
print()
print("| run | ours: ok of sent | p50 ms | p99 ms | Python: ok of sent | p50 ms | p99 ms |")
print("|---|---:|---:|---:|---:|---:|---:|")
names = sorted({n for s in stacks for n in loads[s]}, key=lambda n: (n != "one-at-a-time",
               next(loads[s][n][0] for s in stacks if n in loads[s])))
for n in names:
    cells = []
    for s in stacks:
        if n in loads[s]:
            summary = loads[s][n][1]
            cells += [f"{summary['ok']} of {summary['scheduled']}", ms(summary["p50_s"]), ms(summary["p99_s"])]
        else:
            cells += ["not run (stopped climbing)", "", ""]
    print(f"| {n} | " + " | ".join(cells) + " |")
PY
