#!/usr/bin/env bash
# kill -9 of the publisher at random moments while released records publish to Odoo (the
# project's double), round after round; then every golden record must exist in Odoo exactly once
# under its external id, with its latest version's values.
#
#   bash scripts/publish-crash.sh [RECORDS] [ROUNDS]      (default 1000 and at most 10 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
records=${1:-1000}
rounds=${2:-10}
updates=$((records / 4))

swift build --product aurum
swift build --product odoo-double
aurum() { .build/debug/aurum "$@"; }
export AURUM_LOG_LEVEL=${AURUM_LOG_LEVEL:-error}
dir=.aurum-crash
data=$dir/pg
cluster_dir() { if [ -f "$data.location" ]; then cat "$data.location"; else echo "$data"; fi; }
pid_file="$(cluster_dir)/postmaster.pid"
if [ -f "$pid_file" ]; then kill -INT "$(head -n 1 "$pid_file")" 2>/dev/null || true; sleep 2; fi
rm -rf "$dir" "$data.location"
mkdir -p "$dir"
free_port() { local p=$1; while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done; echo "$p"; }
wait_port() { for _ in $(seq 1 120); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.5; done; echo "nothing on port $1" >&2; exit 1; }

port=$(free_port 18280)
odoo_port=$(free_port $((port + 1)))
export AURUM_URL="http://127.0.0.1:$port"
export ODOO_URL="http://127.0.0.1:$odoo_port" ODOO_DATABASE=crash ODOO_LOGIN=admin ODOO_API_KEY="crash-key" ODOO_TIMEOUT=1
.build/debug/odoo-double --port "$odoo_port" --odoo-version 18 --database crash --api-key "$ODOO_API_KEY" > "$dir/odoo.log" 2>&1 &
double=$!
# The API without ODOO_URL (it declares the Odoo consumer all the same, and does not deliver to
# it); the publisher is a process of its own.
env -u ODOO_URL .build/debug/aurum serve --data-dir "$data" --port "$port" > "$dir/serve.log" 2>&1 &
server=$!
publisher=""
trap '[ -z "$publisher" ] || kill -9 "$publisher" 2>/dev/null || true; kill -TERM $server $double 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
wait_port "$port"
wait_port "$odoo_port"

echo "== $records items loaded (version 1), $updates of them updated through approval (version 2)"
python3 - "$records" > "$dir/items.csv" <<'PY'
import sys
print("source_key,code,name,uom,weight")
for n in range(1, int(sys.argv[1]) + 1):
    print(f"PLM-{n},C-{n:06d},Crash test bolt {n},Units,{n / 1000:.3f}")
PY
aurum load "$dir/items.csv" --entity item --source plm --data-dir "$data" | tail -n 1
python3 - "$updates" > "$dir/updates.csv" <<'PY'
import sys
print("source_key,code,name,uom,weight")
for n in range(1, int(sys.argv[1]) + 1):
    print(f"PLM-{n},C-{n:06d},Crash test bolt {n} (revised),Units,{n / 1000:.3f}")
PY
plm=$(aurum token create --data-dir "$data" --name plm --role source --source plm)
steward=$(aurum token create --data-dir "$data" --name steward --role steward)
AURUM_TOKEN=$plm aurum ingest "$dir/updates.csv" --entity item --source plm --quiet
while AURUM_TOKEN=$steward aurum approve --filter entity=item --limit 1000 --quiet 2>/dev/null | grep -q .; do :; done
AURUM_TOKEN=$steward aurum approve --filter entity=item --limit 1000 --json > /dev/null || true

pending() { AURUM_TOKEN=$steward aurum status --json | python3 -c 'import json, sys; print(sum(e["deliveries_pending"] for e in json.load(sys.stdin)["entities"]))'; }
echo "== $(pending) deliveries to Odoo pending; killing the publisher with SIGKILL at random moments"
killed=0
for round in $(seq 1 "$rounds"); do
  [ "$(pending)" = "0" ] && { echo "round $round: nothing left to publish"; break; }
  # Leases of an earlier killed publisher run out (at least twice Odoo's time limit, ODOO_TIMEOUT);
  # its deliveries are claimed again. The executable itself runs in the background (not a shell
  # function, whose $! would be a subshell), so that SIGKILL reaches aurum publish.
  .build/debug/aurum publish --data-dir "$data" --lease 2 > "$dir/publish-$round.log" 2>&1 &
  publisher=$!
  at=$(python3 -c 'import random; print(round(random.uniform(0.3, 0.8), 2))')
  sleep "$at"
  kill -9 "$publisher" 2>/dev/null && killed=$((killed + 1)) || true
  wait "$publisher" 2>/dev/null || true
  if kill -0 "$publisher" 2>/dev/null || pgrep -f "aurum publish --data-dir $data" > /dev/null; then
    echo "FAILED: the killed publisher (pid $publisher) is still running" >&2; exit 1
  fi
  publisher=""
  echo "round $round: SIGKILL after $at s; $(pending) pending"
done
echo "publisher killed $killed times"
echo "== a last publisher, not killed, finishes (leases of the killed ones run out after 2 s)"
sleep 2.5
aurum publish --data-dir "$data" --drain --lease 2
echo "pending now: $(pending)"

echo "== checking Odoo against the golden records"
AURUM_TOKEN=$steward python3 - "$records" "$updates" <<'PY'
import os, sys, xmlrpc.client
records, updates = int(sys.argv[1]), int(sys.argv[2])
url, db, key = os.environ["ODOO_URL"], os.environ["ODOO_DATABASE"], os.environ["ODOO_API_KEY"]
uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(db, "admin", key, {})
odoo = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)
ids = odoo.execute_kw(db, uid, key, "ir.model.data", "search_read", [[["module", "=", "aurum"], ["model", "=", "product.template"]]],
                      {"fields": ["name", "res_id"]})
by_name = {}
for row in ids:
    by_name.setdefault(row["name"], []).append(row["res_id"])
products = odoo.execute_kw(db, uid, key, "product.template", "search_read", [[["default_code", "like", "C-"]]],
                           {"fields": ["default_code", "name"], "context": {"active_test": False}})
by_code = {}
for p in products:
    by_code.setdefault(p["default_code"], []).append(p)
problems = []
twice = [n for n, res in by_name.items() if len(res) != 1]
if twice: problems.append(f"{len(twice)} external ids name more than one record")
dupes = [c for c, ps in by_code.items() if len(ps) != 1]
if dupes: problems.append(f"{len(dupes)} codes exist more than once in Odoo: {dupes[:5]}")
if len(by_code) != records: problems.append(f"{len(by_code)} products in Odoo, {records} golden records")
if len(by_name) != records: problems.append(f"{len(by_name)} external ids, {records} golden records")
wrong = 0
for n in range(1, records + 1):
    expected = f"Crash test bolt {n}" + (" (revised)" if n <= updates else "")
    found = by_code.get(f"C-{n:06d}", [])
    if len(found) != 1 or found[0]["name"] != expected: wrong += 1
if wrong: problems.append(f"{wrong} products do not hold their latest version's name")
if problems:
    print("FAILED: " + "; ".join(problems)); sys.exit(1)
print(f"ok: {records} products, each once under its external id, {updates} at version 2 with its revised name")
PY
