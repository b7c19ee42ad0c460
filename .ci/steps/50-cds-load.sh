#!/usr/bin/env bash
# The CDS Hooks load test against the CI build (build/ci, built by .ci/run): 10,000 requests
# from 8 concurrent clients on loopback, every response checked; appends requests/s and p99
# latency to $OLIGOSCREEN_CI_SUMMARY. A few seconds. (ctest also runs it, label `load`.)
set -euo pipefail
cd "$(dirname "$0")/../.."
summary="${OLIGOSCREEN_CI_SUMMARY:-/dev/null}"
cli=build/ci/cli/oligoscreen
[ -x "$cli" ] || { cmake --preset ci >/dev/null && cmake --build --preset ci; }
python3 tests/cds/load_test.py "$cli" examples/fhir --requests 10000 --clients 8 | tee build/ci/cds-load.log
grep -E '^[0-9]+ requests' build/ci/cds-load.log | sed 's/^/cds hooks load: /' >> "$summary"
