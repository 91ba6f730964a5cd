#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (unit and end-to-end) through CTest, then the
# scenarios of scenarios/ with kemu test.
# Usage: scripts/test.sh [preset]   (dev by default; asan for the sanitizer build)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-dev}"
bash scripts/setup.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j2
ctest --preset "$preset"
# The example pipeline's scenarios, as a user's CI runs them (docs/scenarios.md), with their
# JUnit report. CTest's e2e test_scenarios has already run them on this build; the sanitizer
# builds skip this second, slower pass to keep CI within its time.
if [ "$preset" = dev ]; then
  "build/$preset/tools/kemu/kemu" test scenarios/ -j 2 --junit "build/$preset/scenarios-junit.xml"
fi
