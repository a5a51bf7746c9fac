#!/usr/bin/env bash
# What a start costs in CPU: starts the function (or any Quarkus application) RUNS times, polls it in-process every
# 5 ms, and at the first successful answer reads the CPU time of the process and of each of its thread groups from
# /proc (thread names with the trailing number dropped; "ended threads" is the process total minus the live ones).
# Prints one Markdown row per start.
# Why: on 2 cores a start that keeps both busy gets faster only by doing less; this says which thread does what.
# Usage: function/bench/start-cpu.sh java [JVM options...]   e.g. function/bench/start-cpu.sh java -XX:SharedArchiveFile=app-cds.jsa -XX:TieredStopAtLevel=1
# Env: RUNS (default 3), APP_DIR (default function/target), JAR (default function-runner.jar), URL_PATH (default
#      /predict, POSTing IMG; any other path is a GET), IMG (default the 500x375 hermit crab), PORT (default 18097).
# The second session for lone runs loads after the first answer; add -Dinference.model.alone.threads=1 to keep it out.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || { sed -n '2,10p' "$0" >&2; exit 2; }
exec python3 - "$@" <<'PY'
import http.client, os, re, subprocess, sys, time
runs = int(os.environ.get("RUNS", "3"))
app_dir = os.environ.get("APP_DIR", "function/target")
jar = os.environ.get("JAR", "function-runner.jar")
path = os.environ.get("URL_PATH", "/predict")
port = int(os.environ.get("PORT", "18097"))
image = open(os.environ.get("IMG", "../shared/reference/n01986214_hermit_crab.JPEG"), "rb").read()
tick = os.sysconf("SC_CLK_TCK")
command = sys.argv[1:] + [f"-Dquarkus.http.port={port}", "-jar", jar]

def ticks(stat):
    fields = stat.rsplit(") ", 1)[1].split()
    return int(fields[11]) + int(fields[12])   # utime, stime

def answered():
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        if path == "/predict":
            conn.request("POST", path, body=image, headers={"Content-Type": "image/jpeg"})
        else:
            conn.request("GET", path)
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False

print(f"Start CPU, `{' '.join(sys.argv[1:])}` ({app_dir}/{jar}, first 200 from {path}), {os.cpu_count()} CPUs")
print()
print("| start | first 200 ms | process CPU ms | by thread group (CPU ms) |")
print("|---:|---:|---:|---|")
for run in range(runs):
    with open(os.devnull, "w") as devnull:
        started = time.monotonic()
        proc = subprocess.Popen(command, cwd=app_dir, stdout=devnull, stderr=devnull)
        while not answered():
            if proc.poll() is not None:
                sys.exit(f"the application exited with {proc.returncode}")
            time.sleep(0.005)
        wall = (time.monotonic() - started) * 1000
        groups = {}
        for tid in os.listdir(f"/proc/{proc.pid}/task"):
            try:
                stat = open(f"/proc/{proc.pid}/task/{tid}/stat").read()
                name = open(f"/proc/{proc.pid}/task/{tid}/comm").read().strip()
            except OSError:
                continue
            group = re.sub(r"[-#_ ]?\d+$", "", name)
            groups[group] = groups.get(group, 0) + ticks(stat)
        total = ticks(open(f"/proc/{proc.pid}/stat").read())
        proc.terminate()
        proc.wait()
    ended = total - sum(groups.values())
    if ended > 0:
        groups["ended threads"] = ended
    parts = "; ".join(f"{g} {t * 1000 // tick}" for g, t in sorted(groups.items(), key=lambda g: -g[1]) if t)
    print(f"| {run + 1} | {wall:.0f} | {total * 1000 // tick} | {parts} |")
PY
