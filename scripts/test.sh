#!/usr/bin/env bash
# Runs every test: unit tests of the pure core and integration tests against a real PostgreSQL
# cluster that the tests start themselves (one per run, a fresh database per test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh --tests
# The API description (docs/openapi.yaml) is valid OpenAPI 3.1; a test binds it to the router.
bash scripts/validate-openapi.sh
swift build --build-tests
swift test --skip-build "$@"
# The tests of several processes (two servers over one database, PostgreSQL stopped under a
# server, a server killed between commit and answer, the outbox's seeded fault schedule) spawn aurum processes and clusters of their own:
# they run alone, after the rest, the schedule short with a fixed seed (scripts/fault-schedule.sh
# runs the long one).
if [ $# -eq 0 ]; then
  AURUM_PROCESS_TESTS=1 swift test --skip-build --no-parallel --filter "TwoServersTests|DatabaseFaultTests|FaultScheduleTests|LeaseTests|CrashAfterCommitTests|SensitiveLogsTests|OdooImportCrashTests|ShutdownTests|ReplicaTests"
  # The described API fuzzed by schemathesis, as each role, a short run with a fixed seed (the long
  # run: bash scripts/fuzz-api.sh 200): no 5xx, every answer as the description says.
  bash scripts/fuzz-api.sh 5 1206
  # The scale figures, short (about a minute): printed for the record, never asserted.
  .build/debug/aurum bench --quick
fi
