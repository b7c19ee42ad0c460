#!/usr/bin/env bash
# Installs everything oligoscreen needs to build, test and benchmark, from Debian 12's
# packages only. Run as root (or with sudo). Idempotent.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Build: compiler, CMake >= 3.25, Ninja, the four libraries of the brief.
# Tests: GoogleTest, Python 3 (golden and end-to-end scripts), locales (German-locale
# determinism test), sqlite3 and GNU parallel (registry pipelines of docs/scaling.md).
$SUDO apt-get install -y --no-install-recommends \
  g++ cmake ninja-build pkg-config \
  libyaml-cpp-dev libspdlog-dev libcxxopts-dev libgtest-dev libgmock-dev libbenchmark-dev libcpp-httplib-dev \
  python3 locales sqlite3 parallel clang libclang-rt-14-dev gcovr \
  >/dev/null
# Headless Chromium renders the html report in tests/golden (golden.chromium; skipped with a
# message when absent). About a minute to install and seconds to run: worth it in CI.
$SUDO apt-get install -y --no-install-recommends chromium >/dev/null
# A German locale, for the tests that prove results do not depend on the host's locale.
if ! locale -a 2>/dev/null | grep -qi '^de_DE.utf8$'; then
  $SUDO localedef -i de_DE -f UTF-8 de_DE.UTF-8 || echo "install-deps: could not generate de_DE.UTF-8" >&2
fi
