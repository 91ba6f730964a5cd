#!/usr/bin/env bash
# kemu vs kinesalite benchmark: one command. See bench/README.md.
#   bench/run.sh                      # kemu from build/release (else build/dev) or $KEMU_BIN
#   KEMU_BIN=/path/to/kemu bench/run.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
deps="$here/.deps"
mkdir -p "$deps"

# --- what the bench needs: wrk and h2load (Debian), node + kinesalite (npm, under bench/.deps) ---
need_apt=()
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
command -v h2load >/dev/null 2>&1 || need_apt+=(nghttp2-client)  # PutRecord over HTTP/2
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
if ((${#need_apt[@]})); then
  echo "[bench] installing ${need_apt[*]} (apt-get)" >&2
  sudo_=(); [ "$(id -u)" -eq 0 ] || sudo_=(sudo)
  "${sudo_[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo_[@]}" apt-get install -y -qq "${need_apt[@]}" >&2
fi
KINESALITE_VERSION=3.3.3
if [ ! -f "$deps/node_modules/kinesalite/package.json" ] ||
   ! grep -q "\"version\": \"$KINESALITE_VERSION\"" "$deps/node_modules/kinesalite/package.json"; then
  echo "[bench] installing kinesalite@$KINESALITE_VERSION under bench/.deps (npm)" >&2
  [ -f "$deps/package.json" ] || echo '{"private":true}' >"$deps/package.json"
  # --ignore-scripts: leveldown's native build is not needed (in-memory store).
  (cd "$deps" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error "kinesalite@$KINESALITE_VERSION" >&2)
fi

# --- the ceiling server (bench/ceiling_server.cc), built next to the release kemu; a no-op when
# it is up to date. Without a release build the bench notes its absence and goes on. ---
repo="$(dirname "$here")"
if [ -z "${CEILING_BIN:-}" ] && [ -f "$repo/build/release/build.ninja" ]; then
  nice -n 5 cmake --build "$repo/build/release" --target ceiling_server >&2 ||
    echo "[bench] cannot build ceiling_server; the ceiling phase is skipped" >&2
fi

# --- run; whatever happens, no server outlives this script ---
pidfile="$deps/servers.pid"
: >"$pidfile"
cleanup() {
  if [ -n "${driver:-}" ] && kill -0 "$driver" 2>/dev/null; then kill -TERM "$driver" 2>/dev/null || true; wait "$driver" 2>/dev/null || true; fi
  while read -r pid; do
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  done <"$pidfile"
  rm -f "$pidfile"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

BENCH_PID_FILE="$pidfile" node "$here/bench.mjs" &
driver=$!
wait "$driver"
