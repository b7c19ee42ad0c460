#!/usr/bin/env bash
# ThreadSanitizer: a small separate build (build/tsan) of just the library and the concurrency
# test: 8 threads sharing one rule set (1,500 assessments each by default, set
# OLIGOSCREEN_TSAN_CASES; the full 8 x 10,000 runs in the ordinary suite as concurrency.8x10000,
# and under TSan it takes several minutes on 2 cores), plus the batch call. Any data race fails
# the step (halt_on_error).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build/tsan
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS="-fsanitize=thread" -DCMAKE_CXX_FLAGS="-fsanitize=thread" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" \
  -DOLIGOSCREEN_SANITIZE=OFF >/dev/null
cmake --build "$build" --target concurrency_test
log=$(mktemp)
start=$(date +%s)
if TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" "$build/tests/concurrency/concurrency_test" 8 "${OLIGOSCREEN_TSAN_CASES:-1500}" 2>&1 | tee "$log"; then
  status=clean
else
  status=FAILED
fi
reports=$(grep -c "WARNING: ThreadSanitizer" "$log" || true)
echo "tsan: concurrency_test 8x${OLIGOSCREEN_TSAN_CASES:-1500} ${status}, tsan_reports=${reports}, $(( $(date +%s) - start ))s" >> "$OLIGOSCREEN_CI_SUMMARY"
[ "$status" = clean ] && [ "$reports" -eq 0 ]
