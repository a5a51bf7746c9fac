#!/usr/bin/env bash
# Regenerates docs/scaling-comparison.md: KPA (defaults and a sweep of its target), HPA on CPU at 70% and 90%, and
# our latency-target policy, simulated on the course workload, a 2x step, a spike and three busy hours of the
# Twitter trace. Deterministic for a seed: the same command gives the same tables.
#
#   scripts/scaling-comparison.sh            # full run (a few minutes on 2 cores)
#   QUICK=1 scripts/scaling-comparison.sh    # smaller sweep, for a smoke test
#
# Environment: SHARED (default ../shared beside the repo), OUT (work dir, default a temp dir), SEED (default 1),
# JAR (default: build loadtest/target/loadtest.jar from the current source), DOC (default docs/scaling-comparison.md).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
SHARED="${SHARED:-$repo/../shared}"
SEED="${SEED:-1}"
JAR_GIVEN="${JAR:-}"
JAR="${JAR:-$repo/loadtest/target/loadtest.jar}"
DOC="${DOC:-$repo/docs/scaling-comparison.md}"
IMG_DIR="$(dirname "$DOC")/scaling-comparison"
OUT="${OUT:-$(mktemp -d -t scaling-comparison.XXXXXX)}"
KPA_TARGETS="${KPA_TARGETS:-0.5,1,2,3,5,10,20,50,100}"
OUR_UTILISATION="${OUR_UTILISATION:-0.3,0.4,0.5,0.6,0.8}"
if [[ "${QUICK:-0}" == 1 ]]; then
  KPA_TARGETS="1,5,100"
  OUR_UTILISATION="0.5"
fi

[[ -f "$SHARED/workloads/course-630s.txt" ]] || { echo "missing $SHARED/workloads (set SHARED=...)" >&2; exit 2; }
if [[ -z "$JAR_GIVEN" ]]; then
  ./mvnw -B -q -pl loadtest -am package -DskipTests   # always the current source
fi
mkdir -p "$OUT/workloads" "$IMG_DIR"

# ---- workloads -------------------------------------------------------------------------------------------------
cp "$SHARED/workloads/course-630s.txt" "$OUT/workloads/course-630s.txt"
# A 2x step: 300 s at 100 req/s, then 300 s at 200 req/s, then 300 s back at 100 req/s.
awk 'BEGIN{for(i=0;i<900;i++) print (i>=300 && i<600) ? 200 : 100}' > "$OUT/workloads/step-2x.txt"
# A spike: 80 req/s with 30 s at 400 req/s (5x) after 5 minutes, then 10 minutes of the base load.
awk 'BEGIN{for(i=0;i<930;i++) print (i>=300 && i<330) ? 400 : 80}' > "$OUT/workloads/spike-5x.txt"
# The Twitter trace: the three consecutive hours with the most requests.
if [[ ! -f "$OUT/workloads/twitter.txt" ]]; then
  tar xjf "$SHARED/workloads/twitter-trace.tbz2" -C "$OUT/workloads" workload.txt
  tr -s ' ' '\n' < "$OUT/workloads/workload.txt" | awk 'NF' > "$OUT/workloads/twitter.txt"
  rm "$OUT/workloads/workload.txt"
fi
read -r tw_from tw_mean < <(awk '{a[n++]=$1} END{w=10800; s=0; best=-1; bi=0;
  for(i=0;i<n;i++){s+=a[i]; if(i>=w) s-=a[i-w]; if(i>=w-1 && s>best){best=s; bi=i-w+1}} printf "%d %.1f\n", bi, best/w}' \
  "$OUT/workloads/twitter.txt")
tw_to=$((tw_from + 10800))
# The slice starts in full traffic: every autoscaler starts with the pods its first minute needs (at 50% busy),
# instead of one cold pod.
tw_initial=$(awk -v f="$tw_from" 'NR>f && NR<=f+60 {s+=$1} END{printf "%d", (s/60*3*0.015/0.5)+1}' "$OUT/workloads/twitter.txt")

# ---- scenarios -------------------------------------------------------------------------------------------------
# name | workload | extra simulate options | description
scenarios=(
  "course|course-630s.txt|--scale 6 --startup jvm|Course workload x6 (peak 264 req/s)"
  "step|step-2x.txt|--startup jvm|2x step: 100 -> 200 -> 100 req/s, 300 s each"
  "spike|spike-5x.txt|--startup jvm|Spike: 80 req/s with 30 s at 400 req/s"
  "course-native|course-630s.txt|--scale 6 --startup native|Course workload x6, pods starting as a native image (~1 s scheduling + ~1.5 s start)"
  "twitter|twitter.txt|--from $tw_from --to $tw_to --scale 3 --initial-scale $tw_initial --startup jvm|Twitter trace, busiest 3 hours (seconds $tw_from-$tw_to of the trace, mean $tw_mean req/s) x3"
)

common=(--seed "$SEED" --arrival poisson --slo 0.33 --timeout 10 --no-requests)
start_all=$(date +%s)
for s in "${scenarios[@]}"; do
  IFS='|' read -r name file extra desc <<< "$s"
  echo "== $name: $desc" >&2
  # shellcheck disable=SC2086  # $extra is a list of options
  java -jar "$JAR" simulate --workload "$OUT/workloads/$file" $extra "${common[@]}" --quiet \
    --out "$OUT/$name" --sweep "kpa-target=$KPA_TARGETS" --sweep "latency-max-utilisation=$OUR_UTILISATION" \
    --sweep "autoscaler=kpa,hpa-70,hpa-90,latency"
  cp "$OUT/$name/frontier.png" "$IMG_DIR/$name-frontier.png"
  for a in kpa latency hpa-70; do
    cp "$OUT/$name/$a/replicas.png" "$IMG_DIR/$name-$a-replicas.png"
    cp "$OUT/$name/$a/latency.png" "$IMG_DIR/$name-$a-latency.png"
  done
done
# Where the policy misses its goal, how much of the miss is the pods' start-up time: the same runs with pods that
# are ready the moment they are asked for.
for name in course spike; do
  for s in "${scenarios[@]}"; do
    IFS='|' read -r n file extra _ <<< "$s"
    [[ "$n" == "$name" ]] || continue
    # shellcheck disable=SC2086
    java -jar "$JAR" simulate --workload "$OUT/workloads/$file" $extra "${common[@]}" --quiet --no-plots \
      --autoscaler latency --scheduling-delay 0 --startup-delay 0 --out "$OUT/$name-instant"
  done
done
elapsed=$(( $(date +%s) - start_all ))

# ---- verdict: the latency policy (defaults) against the goal ------------------------------------------------
{
  echo "## Verdict"
  echo
  echo "Our policy with its defaults (\`latency\`) against the goal, per scenario: share over the objective (goal <= 1%),"
  echo "cost relative to KPA with defaults (goal <= 1.00), and how many points of KPA's target sweep it beats on both"
  echo "cost and violations (goal: all)."
  echo
  echo "The last two columns read the goal as frontiers: a KPA point counts as beaten when some setting of our policy's"
  echo "headroom (the \`latency-max-utilisation\` sweep, defaults included) has no more violations at no more cost."
  echo
  echo "| scenario | over SLO | <= 1% | cost / KPA default | KPA sweep points beaten on both | not beaten | beaten by our frontier | not beaten by it |"
  echo "|---|---:|:---:|---:|---:|---|---:|---|"
  for s in "${scenarios[@]}"; do
    IFS='|' read -r name _ _ _ <<< "$s"
    awk -F, -v scen="$name" '
      NR == 1 { next }
      $3 == "latency" { ours_v = $8; ours_c = $13 }
      $3 == "kpa" { kpa_c = $13 }
      $1 == "kpa-target" { n++; v[n] = $8; c[n] = $13; label[n] = $2 }
      $1 == "latency-max-utilisation" || $3 == "latency" { m++; ov[m] = $8; oc[m] = $13 }
      END {
        beaten = 0; missed = ""; fbeaten = 0; fmissed = "";
        for (i = 1; i <= n; i++) {
          if (ours_v <= v[i] && ours_c <= c[i] && (ours_v < v[i] || ours_c < c[i])) beaten++;
          else missed = missed (missed == "" ? "" : ", ") "target " label[i];
          hit = 0;
          for (j = 1; j <= m; j++) if (ov[j] <= v[i] && oc[j] <= c[i] && (ov[j] < v[i] || oc[j] < c[i])) hit = 1;
          if (hit) fbeaten++; else fmissed = fmissed (fmissed == "" ? "" : ", ") "target " label[i];
        }
        printf "| %s | %.2f%% | %s | %.2f | %d of %d | %s | %d of %d | %s |\n", scen, 100 * ours_v,
          (ours_v <= 0.01 ? "yes" : "no"), ours_c / kpa_c, beaten, n, missed, fbeaten, n, fmissed
      }' "$OUT/$name/sweep.csv"
  done
  echo
  echo "Where it falls short: the misses come from the seconds after a jump in load, before new pods are ready. The"
  echo "same \`latency\` runs with pods that are ready the moment they are asked for (\`--scheduling-delay 0"
  echo "--startup-delay 0\`) show how much of each miss is start-up time; no autoscaler that reacts to load can do"
  echo "better than that column without paying for idle pods ahead of a jump (which is what KPA's low targets do)."
  echo
  echo "| scenario | over SLO, JVM start | over SLO, instant start | replica-s, JVM start | replica-s, instant start |"
  echo "|---|---:|---:|---:|---:|"
  for name in course spike; do
    python3 - "$OUT/$name/latency/summary.json" "$OUT/$name-instant/summary.json" "$name" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
print(f"| {sys.argv[3]} | {100 * a['over_slo_share']:.2f}% | {100 * b['over_slo_share']:.2f}% "
      f"| {a['replica_seconds']:,.0f} | {b['replica_seconds']:,.0f} |")
PY
  done
  echo
} > "$OUT/verdict.md"

# ---- the document ----------------------------------------------------------------------------------------------
{
  echo "# Scaling comparison (simulated)"
  echo
  echo "Generated by \`scripts/scaling-comparison.sh\` (seed $SEED) on $(date -u +%Y-%m-%d) in ${elapsed} s;"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), load when started: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Do not edit by hand: change the script or the simulator and run it again."
  echo
  echo "Every run is \`loadtest simulate\`: a discrete-event simulation of one Knative revision (activator, queue-proxy,"
  echo "2-CPU pods sharing their CPUs between requests, JVM start-up preset unless said otherwise: ~1 s scheduling +"
  echo "~4 s start + readiness probe), service times from the bundled measured-like distribution (mean 15 ms alone on a pod), Poisson arrivals"
  echo "inside each second, a 10 s client timeout. Objective: 0.33 s. \"over SLO\" counts answers slower than 0.33 s plus"
  echo "requests without an answer. Cost is replica-seconds (pods starting, ready or draining) over the workload."
  echo "The frontier column marks runs no other run beats on both cost and violations. In the frontier plots a run"
  echo "with no request over the objective is drawn at 0.001% (log scale)."
  echo
  echo "Autoscalers: \`kpa\` is Knative's KPA (the policy module's \`KpaDecider\`, a port of knative/serving autoscaler.go, and \`KpaScaleBounds\`: 60 s stable / 6 s panic"
  echo "windows of 1-second concurrency buckets, panic at 200%, max scale-down 2x per 2 s tick, target 100 x 70%,"
  echo "target-burst-capacity 211, scale-to-zero grace 30 s); \`kpa-target=N\` is the same with"
  echo "autoscaling.knative.dev/target = N. \`hpa-70/90\` is Kubernetes' HPA on CPU (15 s sync, 10% tolerance, 5-minute"
  echo "scale-down stabilisation, +100%/+4 pods per period). \`latency\` is the policy module's latency-target policy driven by"
  echo "the simulator (\`LatencyTargetPolicy\`: Erlang-C sizing of each pod for P(latency > 0.33 s) <= 1% on the"
  echo "forecast arrival rate, pods at most 50% busy (\`latency-max-utilisation\`), significance-gated burst and trend"
  echo "reaction, feedback from the observed share over the objective, 60 s hold before scaling down by at most 25%"
  echo "per 1 s tick); \`latency-max-utilisation=U\` sweeps its headroom."
  echo
  echo "Known limits of the model: pods never fail or get throttled; the activator adds no latency; requests in"
  echo "service run to the end after the client gave up (they keep the CPU busy); with containerConcurrency 0"
  echo "(Knative's default, used here) a backlog stays on the pods that received it, which is why a jump in load"
  echo "hurts every autoscaler until new pods are ready (~5.5 s here)."
  echo
  echo "Goal for the latency policy: <= 1% of requests over 0.33 s, at no more replica-seconds than KPA with defaults,"
  echo "and better than every point of KPA's swept target."
  echo
  cat "$OUT/verdict.md"
  for s in "${scenarios[@]}"; do
    IFS='|' read -r name file extra desc <<< "$s"
    echo "## $desc"
    echo
    sweeps="--sweep kpa-target=$KPA_TARGETS --sweep latency-max-utilisation=$OUR_UTILISATION"
    echo "\`loadtest simulate --workload $file ${extra:+$extra }${common[*]}\` with \`$sweeps --sweep autoscaler=kpa,hpa-70,hpa-90,latency\`"
    echo
    cat "$OUT/$name/sweep.md"
    echo
    echo "![frontier](scaling-comparison/$name-frontier.png)"
    echo
    echo "| | replicas | latency |"
    echo "|---|---|---|"
    for a in kpa latency hpa-70; do
      echo "| $a | ![](scaling-comparison/$name-$a-replicas.png) | ![](scaling-comparison/$name-$a-latency.png) |"
    done
    echo
  done
} > "$DOC.tmp"
mv "$DOC.tmp" "$DOC"
echo "wrote $DOC (work dir $OUT)" >&2
