#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang, ASan + UBSan) and runs each for a
# bounded time, two at a time, from its seed corpus (fuzz/corpus/<target>/). Fails when a target
# crashes, leaks, hits undefined behaviour or stalls; the input that did it is kept under
# build/fuzz/runs/<target>/ and the command to reproduce it is printed. docs/fuzzing.md says more.
# Usage: scripts/fuzz.sh [seconds per target] [target...]   (default 20 s, every target)
#   KEMU_FUZZ_JOBS: targets run at once (default 2)
#   KEMU_FUZZ_SEED: libFuzzer's -seed (default 1). A fixed seed makes a run repeat the same
#     inputs in the same order, so a slower machine runs a prefix of what a faster one ran: CI
#     fails on a bug in the code, not on the luck of the draw. KEMU_FUZZ_SEED=0 draws a new one.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
shift || true
jobs="${KEMU_FUZZ_JOBS:-2}"
seed="${KEMU_FUZZ_SEED:-1}"
start=$SECONDS
bash scripts/setup.sh  # clang-14 and libclang-rt-14-dev
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j2
echo "== fuzz: build took $((SECONDS - start)) s"
bin=build/fuzz/fuzz
if [ $# -gt 0 ]; then targets=("$@"); else
  mapfile -t targets < <(find "$bin" -maxdepth 1 -name 'fuzz_*' -type f -perm -u+x -printf '%f\n' |
    sed 's/^fuzz_//' | sort)
fi
runs=build/fuzz/runs
rm -rf "$runs"
mkdir -p "$runs"

run_one() {
  local t=$1 seconds=$2 bin=$3 runs=$4 seed=$5
  local dir=$runs/$t
  mkdir -p "$dir/new"
  # The listener targets' servers allocate on their own threads, which libFuzzer's per-input
  # leak check takes for a leak and stops the world to check (40 ms an input): LSan checks
  # them once, at exit, instead.
  local leaks=1
  case $t in edge_* | runtime_api) leaks=0 ;; esac
  # New inputs go to $dir/new; the seeds in the repository are only read.
  if "$bin/fuzz_$t" -max_total_time="$seconds" -timeout=25 -print_final_stats=1 \
      -seed="$seed" -detect_leaks=$leaks \
      -artifact_prefix="$dir/" "$dir/new" "fuzz/corpus/$t" >"$dir/log" 2>&1; then
    echo ok >"$dir/status"
  else
    echo failed >"$dir/status"
  fi
  local execs
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  echo "== fuzz: $t: $(cat "$dir/status") (${execs:-?} inputs in ${seconds} s)"
}
export -f run_one
fuzz_start=$SECONDS
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} "$seconds" "$bin" "$runs" "$seed"

failed=0
for t in "${targets[@]}"; do
  if [ "$(cat "$runs/$t/status" 2>/dev/null)" != ok ]; then
    failed=1
    echo "== fuzz: $t FAILED; the end of its log ($runs/$t/log):"
    tail -n 40 "$runs/$t/log"
    for a in "$runs/$t"/crash-* "$runs/$t"/leak-* "$runs/$t"/timeout-* "$runs/$t"/oom-*; do
      [ -e "$a" ] || continue
      echo "== fuzz: reproduce with: $bin/fuzz_$t $a"
      echo "   (once fixed, keep it as a regression seed: cp $a fuzz/corpus/$t/)"
    done
  fi
done
echo "== fuzz: ${#targets[@]} targets, ${seconds} s each, $jobs at a time:" \
  "$((SECONDS - fuzz_start)) s of fuzzing, $((SECONDS - start)) s in all"
exit "$failed"
