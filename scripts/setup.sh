#!/usr/bin/env bash
# Installs what kemu needs to build and test on a fresh Debian 12 machine.
# Idempotent: packages already present are skipped by apt-get.
set -euo pipefail
pkgs=(
  build-essential cmake ninja-build ccache pkg-config clang-format
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  librocksdb-dev nlohmann-json3-dev libyaml-cpp-dev catch2 libcli11-dev
  libssl-dev libnghttp2-dev
  libzip-dev  # kemu deploy --aws: the handler zips
  awscli python3-boto3 curl
  nghttp2-client  # h2load: the HTTP/2 benchmark phase
  chromium  # headless, for the browser tests of kemu load's report.html, the console and the access guard
  clang-14 libclang-rt-14-dev  # the asan preset and the libFuzzer targets (docs/fuzzing.md)
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The browser-side packages the build embeds (web/package-lock.json pins them; uPlot draws
# `kemu load --report`'s charts). `npm ci` only when the lockfile changed since the last one.
if ! command -v npm >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi
web="$(dirname "$0")/../web"
stamp="$web/node_modules/.kemu-lock.sha256"
want="$(sha256sum "$web/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
fi
