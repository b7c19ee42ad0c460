#!/usr/bin/env bash
# Fuzz smoke run: builds the libFuzzer targets with clang 14 under ASan+UBSan (preset `fuzz`,
# one build folder, only the fuzz targets and the engine), then runs each target for
# OLIGOSCREEN_FUZZ_SECONDS (default 60) from its seed corpus with a 1 s per-input timeout and
# a 512 MB memory limit. Any crash, leak, timeout or out-of-memory fails the step; the
# reproducer is left in build/fuzz/artifacts/ (commit it as tests/fuzz/corpus/<target>/crash-<name>).
# Appends one line per target (executions, crashes) to $OLIGOSCREEN_CI_SUMMARY.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${OLIGOSCREEN_FUZZ_SECONDS:-60}"
summary="${OLIGOSCREEN_CI_SUMMARY:-/dev/null}"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
bin=build/fuzz/tests/fuzz
art=build/fuzz/artifacts
rm -rf "$art" build/fuzz/work && mkdir -p "$art"
failed=0
for exe in "$bin"/fuzz_*; do
  [ -x "$exe" ] || continue
  t=$(basename "$exe"); t=${t#fuzz_}
  work=build/fuzz/work/$t
  mkdir -p "$work"
  log=build/fuzz/$t.log
  dict=()
  [ -s "tests/fuzz/dict/$t.dict" ] && dict=(-dict="tests/fuzz/dict/$t.dict")
  set +e
  # Fresh working corpus in the build folder: the seeds in the tree are only read.
  "$exe" -max_total_time="$seconds" -timeout=1 -rss_limit_mb=512 -print_final_stats=1 \
    "${dict[@]}" -artifact_prefix="$art/$t-" "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  set -e
  # A target that did not start has no statistics: reported (exit code) rather than ending
  # the step silently under pipefail.
  execs=$( (grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" || true) | grep -o '[0-9]*$' | tail -1 || true)
  crashes=$(find "$art" -name "$t-*" | wc -l)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
  echo "fuzz $t: ${execs:-0} executions in ${seconds}s, ${crashes} crashes, exit $rc, cov ${cov:-?}"
  echo "fuzz $t: executions=${execs:-0} crashes=${crashes} seconds=${seconds} cov=${cov:-?}" >> "$summary"
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    failed=1
    grep -E 'ERROR|SUMMARY|Test unit written|ParseDictionaryFile' "$log" | head -20 || true
  fi
done
[ "$failed" -eq 0 ] || { echo "fuzz: a target failed (see build/fuzz/*.log and $art)"; exit 1; }
