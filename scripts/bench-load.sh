#!/usr/bin/env bash
# Initial-load benchmark: N generated items through `aurum load` (validation, matching within the
# file, survivorship, COPY of records, versions, source keys, unique values, blocking keys and audit
# entries) against the embedded PostgreSQL. The baseline, measured in the same run on the same
# cluster, is `aurum bench copy`: the same rows read the same way and COPYed into a bare table.
#   usage: bash scripts/bench-load.sh [ROWS] [debug|release]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
configuration=${2:-release}
source scripts/bench-server.sh
fresh_run "$configuration" .aurum-bench-load
"$aurum" bench generate --entity item --count "$rows" --seed 1 --out "$work/items" > /dev/null

# A running server keeps the cluster up, so both commands below use it without starting one.
start_server "$aurum" "$data" "$work/server.log"

copy=$("$aurum" bench copy "$work/items/records.csv" --data-dir "$data")
/usr/bin/time -v "$aurum" load "$work/items/records.csv" --entity item --source odoo --data-dir "$data" --json \
  > "$work/load.json" 2> "$work/load.time" || true
python3 - "$rows" "$configuration" "$copy" "$work/load.json" "$work/load.time" <<'PY'
import json, re, sys
rows, configuration, copy, load, timing = sys.argv[1:6]
copy_rate = float(re.search(r"(\d+) rows/s", copy).group(1))
copy_seconds = float(re.search(r"in ([0-9.]+) s", copy).group(1))
outcome = json.load(open(load))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(timing).read()).group(1))
rate = outcome["rows"] / outcome["seconds"]
print(f"rows                        {outcome['rows']} generated items ({configuration} build)")
print(f"aurum load                  {outcome['seconds']:.2f} s  {rate:.0f} rows/s  peak RSS {rss / 1024:.0f} MiB")
print(f"  golden records loaded     {outcome['loaded']} ({outcome['merged']} rows merged as duplicates, {len(outcome['invalid'])} invalid, "
      f"{len(outcome['refused'])} refused, {outcome['review_pairs']} review pairs)")
print(f"baseline: COPY, bare table  {copy_seconds:.2f} s  {copy_rate:.0f} rows/s")
print(f"ratio load / COPY           {rate / copy_rate:.2f}")
PY
