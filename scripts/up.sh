#!/usr/bin/env bash
# Sets up, builds (optimised) and starts kemu on the example topology. Builds only the kemu
# binary, not the tests. Extra arguments go to `kemu up` (e.g. --port 0, --in-memory).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j2 --target kemu
config=()
[ -f examples/kemu.yaml ] && config=(-c examples/kemu.yaml)
exec build/release/tools/kemu/kemu up "${config[@]}" --data-dir .kemu/data "$@"
