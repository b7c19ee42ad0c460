#!/usr/bin/env bash
# The batch benchmark of issue 5, in one run on one machine:
#  1. ../shared/bench/peers/run.sh N with OLIGOSCREEN set: the hand-written baseline, plain
#     Node.js, zen-engine, json-rules-engine and `oligoscreen batch --threads 1/2` on the same
#     gen.py registry, with the ratios the issue asks for;
#  2. bench/batch/measure.py: oligoscreen batch on JSONL and CSV, 1 thread and all threads, and
#     peak memory at 100,000 and 1,000,000 records (flatness).
#
#   bench/run-batch-bench.sh [N]            (default N = 200000)
# Environment: OLIGOSCREEN (default build/bench/cli/oligoscreen: cmake --preset bench &&
# cmake --build --preset bench), MEM_SIZES (default 100000,1000000), REPEATS, PEERS_N, SEED;
# SKIP_PEERS=1 runs step 2 only (no npm registry needed).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${1:-200000}
OLIGOSCREEN=${OLIGOSCREEN:-$root/build/bench/cli/oligoscreen}
[ -x "$OLIGOSCREEN" ] || { echo "run-batch-bench: build it first (cmake --preset bench && cmake --build --preset bench) or set OLIGOSCREEN" >&2; exit 2; }
shared=${OLIGOSCREEN_SHARED:-$root/../shared}
echo "# oligoscreen batch benchmark, $(date -u +%Y-%m-%d), N=$N"
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB"
if [ "${SKIP_PEERS:-0}" != 1 ]; then
  OLIGOSCREEN=$OLIGOSCREEN "$shared/bench/peers/run.sh" "$N"
fi
OLIGOSCREEN_GEN="$shared/bench/gen.py" python3 "$root/bench/batch/measure.py" "$OLIGOSCREEN" "$N" \
  --mem "${MEM_SIZES:-100000,1000000}" --repeats "${REPEATS:-3}" --seed "${SEED:-42}"
