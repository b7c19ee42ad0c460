#!/usr/bin/env bash
# Coverage of engine/: a gcov build (preset `coverage`: -O0 --coverage, gcc), the ctest suite,
# then Debian's gcovr for line and branch coverage of engine/ only (tests, build and generated
# files excluded; branches the compiler adds for exceptions and unreachable code excluded, as
# gcovr documents). Prints the figures, appends them to $OLIGOSCREEN_CI_SUMMARY and fails
# below the targets of issue 7 (line >= 90%, branch >= 75%).
#
# The suite runs without its four repetition-heavy stress tests (the same code paths, many
# times over: 8 x 10,000 threaded assessments, 100,000 batch records, repeated determinism runs,
# 10,000 CDS Hooks requests) and without the `long` label: leaving them out halves the step's
# time at -O0 and changed the figures by one branch of about 15,000 when last measured. The ci
# and ASan suites still run them. OLIGOSCREEN_COVERAGE_ALL=1 runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/../.."
summary="${OLIGOSCREEN_CI_SUMMARY:-/dev/null}"
cmake --preset coverage >/dev/null
cmake --build --preset coverage
find build/coverage -name '*.gcda' -delete
select=(-E '^(concurrency\.8x10000|batch\.corrupted_100k|hostile\.determinism|cds\.load)$' -LE long)
if [ "${OLIGOSCREEN_COVERAGE_ALL:-0}" = 1 ]; then select=(); fi
# Correctness is gated by the ci and ASan suites; here the suite runs for its coverage, so a
# failing test (e.g. a timeout at -O0) is reported in the summary without failing the step.
if ! ctest --preset coverage "${select[@]}" >build/coverage/ctest.log 2>&1; then
  tail -30 build/coverage/ctest.log
  echo "coverage: some tests failed in the -O0 coverage build (see above); figures below still count" | tee -a "$summary"
fi
grep -E "tests passed|Total Test time" build/coverage/ctest.log || true
root=$(pwd)
gcovr --root "$root" --object-directory build/coverage --filter "$root/engine/src/" --filter "$root/engine/include/" \
  --exclude-throw-branches --exclude-unreachable-branches --gcov-ignore-parse-errors -j 2 \
  --txt build/coverage/engine-coverage.txt --json-summary build/coverage/engine-coverage.json \
  --print-summary build/coverage | tee build/coverage/summary.txt
read -r line branch < <(python3 -c "import json;d=json.load(open('build/coverage/engine-coverage.json'));print(f\"{d['line_percent']:.1f} {d['branch_percent']:.1f}\")")
echo "coverage engine/: line ${line}% (target 90), branch ${branch}% (target 75)" | tee -a "$summary"
if ! python3 - "$line" "$branch" <<'PY'
import sys
line, branch = map(float, sys.argv[1:])
sys.exit(0 if line >= 90 and branch >= 75 else 1)
PY
then
  echo "coverage engine/: BELOW TARGET (line >= 90%, branch >= 75%); per file: build/coverage/engine-coverage.txt" | tee -a "$summary"
  exit 1
fi
