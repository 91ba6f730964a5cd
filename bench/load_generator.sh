#!/usr/bin/env bash
# The load generator's own limit: the highest rate `kemu load --max` sustains through the front
# door with the built-in synthetic handler (0 ms), and kemu's CPU share at that rate. A
# benchmark, not a test; see bench/README.md ("kemu load's own limit").
#   bench/load_generator.sh                 # kemu from build/release (else build/dev) or $KEMU_BIN
#   BENCH_SECONDS=5 BENCH_WORKERS="8 32" BENCH_BATCH="1 100" bench/load_generator.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

bin="${KEMU_BIN:-}"
if [ -z "$bin" ]; then
  for b in "$repo/build/release/tools/kemu/kemu" "$repo/build/dev/tools/kemu/kemu"; do
    if [ -x "$b" ]; then bin="$b"; break; fi
  done
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  echo "[bench] no kemu binary: build it (cmake --preset release && cmake --build --preset release) or set KEMU_BIN" >&2
  exit 1
fi
case "$bin" in */build/dev/*) echo "[bench] note: a debug build ($bin): its figures mean little" >&2 ;; esac

seconds="${BENCH_SECONDS:-10}"
workers_list="${BENCH_WORKERS:-8 32}"
batch_list="${BENCH_BATCH:-1 100}"
shards="${BENCH_SHARDS:-8}"  # enough that the shards' 1,000 records/s each are not the limit

tmp="$(mktemp -d "${TMPDIR:-/tmp}/kemu-bench-load-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

echo "kemu load --max through the front door, synthetic handler 0 ms, ${shards} shards, ${seconds}s a run"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs; $(date -u +%Y-%m-%d)"
printf '%-7s %-8s %14s %12s %10s %11s %9s %10s %10s\n' batch workers "accepted ev/s" "requests/s" throttled "kemu CPU" "kemu RSS" "req p50" "req p99"
status=0
for batch in $batch_list; do
  for workers in $workers_list; do
    report="$tmp/b${batch}-w${workers}"
    # TMPDIR: kemu load's own kemu keeps its data under $tmp.
    if ! TMPDIR="$tmp" "$bin" load -c "$repo/examples/kemu.yaml" --flow user_activity --max \
         --workers "$workers" --batch-per-request "$batch" --duration "${seconds}s" \
         --synthetic-handler 0 --set "shard_count=$shards" --drain 0s \
         --report "$report" >"$report.log" 2>&1; then
      echo "[bench] batch $batch, workers $workers: kemu load failed (its output: below)" >&2
      cat "$report.log" >&2
      status=1
      continue
    fi
    python3 - "$report/results.json" "$batch" "$workers" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["summary"]
lat = s.get("request_latency_ms") or {}
print("%-7s %-8s %14.0f %12.0f %10.4f %10.0f%% %8.0fMB %8.1fms %8.1fms" % (
    sys.argv[2], sys.argv[3], s["accepted_rate"], s["requests"] / s["duration_s"],
    s["throttled_ratio"], 100 * s.get("kemu_cpu_share", 0), s.get("kemu_peak_rss_mb", 0),
    lat.get("p50", 0), lat.get("p99", 0)))
PY
  done
done
echo "kemu CPU: kemu's own process (not the handler runtimes, not kemu load) over the run, as a share of one core"
exit "$status"
