#!/usr/bin/env bash
# The outbox's seeded fault schedule, long: several `aurum publish` processes over a PostgreSQL
# cluster of the test's own, Odoo (the double) slow, resetting and answering 503/429, a webhook
# endpoint answering 5xx, workers killed with SIGKILL (each checked gone), PostgreSQL stopped at
# once and started again; then every item must be in Odoo once with its latest values, every
# webhook event received signed, no delivery waiting or dead. A failing seed replays.
#
#   bash scripts/fault-schedule.sh [SEED] [ITEMS] [STEPS]      (default: a random seed, 500 items, 60 steps)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
seed=${1:-$(python3 -c 'import random; print(random.randrange(1, 2**32))')}
export AURUM_PROCESS_TESTS=1 AURUM_FAULT_SEED=$seed AURUM_FAULT_ITEMS=${2:-500} AURUM_FAULT_STEPS=${3:-60}
swift build --build-tests
swift test --skip-build --filter FaultScheduleTests 2>&1 | grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' | grep -E 'fault schedule|✔|✘|↳' 
