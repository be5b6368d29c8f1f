#!/usr/bin/env bash
# Ingest benchmark: N generated item rows through `aurum ingest` (HTTP, validation with store
# look-ups, one transaction per batch) against the embedded PostgreSQL. The baseline, measured
# in the same run, is re-sending the same file: the same HTTP, parsing, validation and look-ups,
# but every candidate is `unchanged`, so nothing is written. The ratio is the price of the writes.
#   usage: bash scripts/bench-ingest.sh [ROWS] [debug|release]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-5000}
configuration=${2:-release}
source scripts/bench-server.sh
fresh_run "$configuration" .aurum-bench
awk -v n="$rows" 'BEGIN {
  print "source_key,code,name,type,is_storable,uom,category,weight,sale_ok,purchase_ok"
  for (i = 1; i <= n; i++) printf "PLM-%06d,B-%06d,Hex bolt M8x%d variant %d,consu,true,Units,All / Saleable,0.%03d,true,false\n", i, i, 20 + i % 80, i, i % 1000
}' > "$work/items.csv"

start_server "$aurum" "$data" "$work/server.log"
export AURUM_URL="http://127.0.0.1:$port"
export AURUM_TOKEN
AURUM_TOKEN=$("$aurum" token create --data-dir "$data" --name bench --role source --source plm --entities item)

seconds() { local start end; start=$(date +%s%N); "$@" > /dev/null; end=$(date +%s%N); awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
first=$(seconds "$aurum" ingest "$work/items.csv" --entity item --source plm --batch 1000)
again=$(seconds "$aurum" ingest "$work/items.csv" --entity item --source plm --batch 1000)
awk -v n="$rows" -v c="$configuration" -v f="$first" -v a="$again" 'BEGIN {
  printf "rows                      %d (%s build)\n", n, c
  printf "ingest (proposes all)     %.2f s  %.0f candidates/s\n", f, n / f
  printf "baseline: re-send (no-op) %.2f s  %.0f candidates/s\n", a, n / a
  printf "ratio ingest / baseline   %.2f\n", f / a
}'
