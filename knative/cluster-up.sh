#!/usr/bin/env bash
# A local kind cluster with Knative Serving, Kourier and Prometheus, for running the comparison on a laptop or a
# VM with internet access. Needs: docker, kind, kubectl, helm. Versions are pinned; override with env variables.
set -euo pipefail

CLUSTER=${CLUSTER:-elastic-inference}
KNATIVE_VERSION=${KNATIVE_VERSION:-v1.17.0}
KOURIER_VERSION=${KOURIER_VERSION:-v1.17.0}
PROMETHEUS_CHART_VERSION=${PROMETHEUS_CHART_VERSION:-66.3.1}
here=$(cd "$(dirname "$0")" && pwd)

for tool in docker kind kubectl helm; do
  command -v "$tool" >/dev/null || { echo "cluster-up: $tool is required" >&2; exit 1; }
done

if ! kind get clusters | grep -qx "$CLUSTER"; then
  kind create cluster --name "$CLUSTER"
fi

echo "Installing Knative Serving $KNATIVE_VERSION"
kubectl apply -f "https://github.com/knative/serving/releases/download/knative-$KNATIVE_VERSION/serving-crds.yaml"
kubectl apply -f "https://github.com/knative/serving/releases/download/knative-$KNATIVE_VERSION/serving-core.yaml"
kubectl apply -f "https://github.com/knative/net-kourier/releases/download/knative-$KOURIER_VERSION/kourier.yaml"
kubectl patch configmap/config-network -n knative-serving --type merge \
  -p '{"data":{"ingress-class":"kourier.ingress.networking.knative.dev"}}'
# sslip.io DNS so routes resolve without configuration
kubectl apply -f "https://github.com/knative/serving/releases/download/knative-$KNATIVE_VERSION/serving-default-domain.yaml"
kubectl wait --for=condition=Available deployment --all -n knative-serving --timeout=300s

echo "Installing Prometheus (kube-prometheus-stack $PROMETHEUS_CHART_VERSION)"
helm repo add prometheus-community https://prometheus-community.github.io/helm-charts >/dev/null
helm upgrade --install monitoring prometheus-community/kube-prometheus-stack --version "$PROMETHEUS_CHART_VERSION" \
  --namespace monitoring --create-namespace \
  --set prometheus.prometheusSpec.podMonitorSelectorNilUsesHelmValues=false --wait
kubectl apply -f "$here/prometheus/podmonitor.yaml"
kubectl create configmap elastic-inference-dashboard -n monitoring --from-file="$here/grafana/dashboard.json" \
  --dry-run=client -o yaml | kubectl label --local -f - grafana_dashboard=1 -o yaml | kubectl apply -f -

echo "Cluster $CLUSTER is ready. Next: knative/experiment.sh"
