#!/usr/bin/env bash
# The hostile-input catalogue, fault injection and determinism, against the CI build
# (build/ci, built by .ci/run). Regenerates tests/hostile/REPORT.md (every case: PASS, FAIL,
# N/A or PENDING with the reason) and appends the counts to $OLIGOSCREEN_CI_SUMMARY. Fails
# when any case fails. (The same checks also run inside ctest in the ci and asan suites.)
set -euo pipefail
cd "$(dirname "$0")/../.."
summary="${OLIGOSCREEN_CI_SUMMARY:-/dev/null}"
cli=build/ci/cli/oligoscreen
[ -x "$cli" ] || { cmake --preset ci >/dev/null && cmake --build --preset ci; }
set +e
python3 tests/hostile/run_catalogue.py --cli "$cli" --gtest build/ci/tests/hostile/oligoscreen_hostile_tests \
  --shim build/ci/tests/hostile/liboligoscreen_fault_write.so --ctest-dir build/ci \
  --report tests/hostile/REPORT.md | tee build/ci/catalogue.log
rc=${PIPESTATUS[0]}
set -e
grep '^catalogue:' build/ci/catalogue.log | sed 's/^catalogue:/hostile catalogue:/' >> "$summary"
exit "$rc"
