#!/usr/bin/env bash
# Records a JDK 25 AOT cache for the function: starts it with -XX:AOTCacheOutput, sends it real requests (raw and
# multipart uploads, metrics, health) so the classes of the request path are loaded and linked in the training run,
# then stops it with SIGTERM; the JVM writes the cache as it exits. A cache only fits the JVM and class path it was
# recorded with, so Dockerfile.jvm runs this inside the image that will use it.
#
#   train-aot-cache.sh JAVA APP_DIR CACHE IMAGE [REQUESTS]
#     JAVA      a JDK 25+ java launcher
#     APP_DIR   the function's quarkus-app directory (holds quarkus-run.jar)
#     CACHE     where to write the cache (e.g. APP_DIR/app.aot); start with: java -XX:AOTCache=CACHE -jar quarkus-run.jar
#     IMAGE     a JPEG to classify during training (function/src/main/docker/training.jpg)
#     REQUESTS  requests of each kind (default 20)
# Environment: TRAIN_PORT (default 18090). Needs curl.
set -euo pipefail
if [[ $# -lt 4 ]]; then
  sed -n '2,13p' "$0" >&2
  exit 2
fi
java=$1
app=$(cd "$2" && pwd)
cache=$(realpath -m "$3")
image=$(realpath "$4")
requests=${5:-20}
port=${TRAIN_PORT:-18090}
base="http://127.0.0.1:$port"

rm -f "$cache"
(cd "$app" && exec "$java" -XX:AOTCacheOutput="$cache" -Dquarkus.http.port="$port" -Dquarkus.http.host=127.0.0.1 \
  -jar quarkus-run.jar) &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT

deadline=$((SECONDS + 120))
until curl -sf -o /dev/null "$base/q/health/ready"; do
  kill -0 "$pid" 2>/dev/null || { echo "train-aot-cache: the function exited before it was ready" >&2; exit 1; }
  (( SECONDS < deadline )) || { echo "train-aot-cache: the function was not ready within 120 s" >&2; exit 1; }
  sleep 0.2
done
for _ in $(seq "$requests"); do
  curl -sf -o /dev/null -H 'Content-Type: image/jpeg' --data-binary @"$image" "$base/predict"
  curl -sf -o /dev/null -F "file=@$image;type=image/jpeg" "$base/predict?topk=3"
  curl -s -o /dev/null -H 'Content-Type: image/jpeg' --data-binary 'not an image' "$base/predict"
done
curl -sf -o /dev/null "$base/q/metrics"
curl -sf -o /dev/null "$base/"

kill -TERM "$pid"
wait "$pid" || true   # a SIGTERM'd JVM exits with 143 after writing the cache
trap - EXIT
if [[ ! -s "$cache" ]]; then
  echo "train-aot-cache: no AOT cache was written to $cache" >&2
  exit 1
fi
echo "train-aot-cache: wrote $cache ($(du -h "$cache" | cut -f1))"
