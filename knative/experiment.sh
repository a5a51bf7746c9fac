#!/usr/bin/env bash
# Deploys both variants of the function (KPA and the latency autoscaler), replays the same workload against each
# route with the load tester, records ready replicas from Prometheus, and writes a side-by-side report.
# Needs: kubectl pointing at a Knative cluster (cluster-up.sh), the images pushed, java, and a built load tester
# (./mvnw -q -pl loadtest -am package -DskipTests).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

WORKLOAD=${WORKLOAD:-$root/../shared/workloads/course-630s.txt}
FROM=${FROM:-0}
TO=${TO:-630}
SCALE=${SCALE:-1}
OUT=${OUT:-$root/runs/experiment-$(date +%Y%m%d-%H%M%S)}
PROMETHEUS=${PROMETHEUS:-http://127.0.0.1:9090}
LOADTEST="java -jar $root/loadtest/target/loadtest.jar"

kubectl apply -f "$here/controller.yaml"
kubectl apply -f "$here/function-kpa.yaml" -f "$here/function-latency.yaml"
kubectl wait --for=condition=Ready ksvc/resnet-kpa ksvc/resnet-latency --timeout=300s

if ! curl -sf "$PROMETHEUS/-/ready" >/dev/null; then
  echo "Prometheus not reachable at $PROMETHEUS; forwarding the port"
  kubectl port-forward -n monitoring svc/monitoring-kube-prometheus-prometheus 9090:9090 >/dev/null 2>&1 &
  trap 'kill $!' EXIT
  sleep 3
fi

mkdir -p "$OUT"
for variant in kpa latency; do
  url=$(kubectl get ksvc "resnet-$variant" -o jsonpath='{.status.url}')
  echo "== $variant: $url"
  $LOADTEST run --target "$url/predict" --workload "$WORKLOAD" --from "$FROM" --to "$TO" --scale "$SCALE" \
    --name "$variant" --out "$OUT/$variant" --prometheus "$PROMETHEUS" \
    --replicas-query "count(inference_ready{variant=\"$variant\"} == 1)"
  # let the revision settle back before the next variant
  sleep 120
done

$LOADTEST compare "$OUT/kpa" "$OUT/latency" --out "$OUT/compare" --title "KPA vs latency autoscaler"
echo "Report: $OUT/compare/compare.md"
