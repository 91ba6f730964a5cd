#!/usr/bin/env bash
# Sets up, builds (optimised) and starts kemu on the example topology. Extra arguments go to
# `kemu up` (e.g. --port 0, --in-memory).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j2
config=()
[ -f examples/kemu.yaml ] && config=(-c examples/kemu.yaml)
exec build/release/tools/kemu/kemu up "${config[@]}" --data-dir .kemu/data "$@"
