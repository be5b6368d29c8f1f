#!/usr/bin/env bash
# Runs every test: unit tests of the pure core and integration tests against a real PostgreSQL
# cluster that the tests start themselves (one per run, a fresh database per test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
swift build --build-tests
swift test --skip-build "$@"
# The outbox's fault schedule spawns worker processes and a PostgreSQL cluster of its own: it runs
# alone, after the rest, with a short fixed seed (scripts/fault-schedule.sh runs the long one).
if [ $# -eq 0 ]; then
  AURUM_FAULT_SCHEDULE=1 swift test --skip-build --filter FaultScheduleTests
fi
