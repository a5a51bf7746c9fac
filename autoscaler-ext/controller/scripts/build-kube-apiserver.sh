#!/usr/bin/env bash
# Builds a real kube-apiserver from Debian's kubernetes source package (1.20), once, into a cache, for the tests that
# need a real API server (server-side dry-run of knative/ manifests, controller integration tests).
# Prints the binary's path. Needs root for apt (a deb-src entry is derived from the machine's own apt sources).
set -euo pipefail
CACHE=${KUBE_APISERVER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/elastic-inference/kube-apiserver}
BIN=$CACHE/kube-apiserver
if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi
mkdir -p "$CACHE"
export DEBIAN_FRONTEND=noninteractive

# deb-src entries mirroring the deb ones already configured (no address is written into the repository).
if ! grep -rqs '^deb-src\|^Types:.*deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
      > /etc/apt/sources.list.d/elastic-inference-src.sources
  fi
  if [ -f /etc/apt/sources.list ]; then
    sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > /etc/apt/sources.list.d/elastic-inference-src.list
  fi
fi
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends golang-go golang-github-modern-go-reflect2-dev dpkg-dev etcd-server \
  rsync make >&2

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && apt-get source -qq kubernetes >&2)
SRC=$(find "$WORK" -maxdepth 1 -type d -name 'kubernetes-*' | head -n 1)
# The vendored reflect2 crashes under Go 1.18+; Debian's 1.0.2 does not.
rm -rf "$SRC/vendor/github.com/modern-go/reflect2"
cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$SRC/vendor/github.com/modern-go/reflect2"
(cd "$SRC" && make WHAT=cmd/kube-apiserver >&2)
cp "$SRC/_output/bin/kube-apiserver" "$BIN"
echo "$BIN"
