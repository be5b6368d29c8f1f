#!/usr/bin/env bash
# Runs every test: unit tests of the pure core and integration tests against a real PostgreSQL
# cluster that the tests start themselves (one per run, a fresh database per test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
swift build --build-tests
swift test --skip-build "$@"
