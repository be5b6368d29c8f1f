#!/usr/bin/env bash
# Odoo away for a while (default 60 s), then back: every delivery completes. Then a permanent
# error (a unit Odoo lacks) goes dead with Odoo's message, and `aurum replay` delivers it once
# the unit exists in Odoo.
#
#   bash scripts/publish-outage.sh [SECONDS] [RECORDS]      (default 60 and 200)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
outage=${1:-60}
records=${2:-200}
swift build --product aurum
swift build --product odoo-double
aurum() { .build/debug/aurum "$@"; }
export AURUM_LOG_LEVEL=${AURUM_LOG_LEVEL:-error}
dir=.aurum-outage
data=$dir/pg
cluster_dir() { if [ -f "$data.location" ]; then cat "$data.location"; else echo "$data"; fi; }
pid_file="$(cluster_dir)/postmaster.pid"
if [ -f "$pid_file" ]; then kill -INT "$(head -n 1 "$pid_file")" 2>/dev/null || true; sleep 2; fi
rm -rf "$dir" "$data.location"
mkdir -p "$dir"
free_port() { local p=$1; while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done; echo "$p"; }
wait_port() { for _ in $(seq 1 120); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.5; done; echo "nothing on port $1" >&2; exit 1; }
port=$(free_port 18480)
odoo_port=$(free_port $((port + 1)))
export AURUM_URL="http://127.0.0.1:$port"
export ODOO_URL="http://127.0.0.1:$odoo_port" ODOO_DATABASE=outage ODOO_LOGIN=admin ODOO_API_KEY=outage-key
start_double() {
  .build/debug/odoo-double --port "$odoo_port" --odoo-version 18 --database outage --api-key "$ODOO_API_KEY" >> "$dir/odoo.log" 2>&1 &
  double=$!
  wait_port "$odoo_port"
}
start_double
aurum serve --data-dir "$data" --port "$port" > "$dir/serve.log" 2>&1 &
server=$!
trap 'kill -TERM $server $double 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
wait_port "$port"
plm=$(aurum token create --data-dir "$data" --name plm --role source --source plm)
steward=$(aurum token create --data-dir "$data" --name steward --role steward --groups engineering,procurement)
pending() { AURUM_TOKEN=$steward aurum status --json | python3 -c 'import json, sys; print(sum(e["deliveries_pending"] for e in json.load(sys.stdin)["entities"]))'; }

echo "== Odoo goes away; $records items are released meanwhile"
kill -9 "$double"; wait "$double" 2>/dev/null || true
python3 - "$records" > "$dir/items.csv" <<'PY'
import sys
print("source_key,code,name,uom")
for n in range(1, int(sys.argv[1]) + 1): print(f"PLM-{n},O-{n:05d},Outage bolt {n},Units")
PY
AURUM_TOKEN=$plm aurum ingest "$dir/items.csv" --entity item --source plm --quiet
AURUM_TOKEN=$steward aurum approve --filter entity=item --filter gate=engineering --limit 1000 --quiet
# A new item needs engineering, then procurement; the one steward here is in both groups, but one
# person's approval counts at one gate: a second steward approves at procurement.
buyer=$(aurum token create --data-dir "$data" --name buyer --role steward --groups procurement)
AURUM_TOKEN=$buyer aurum approve --filter entity=item --filter gate=procurement --limit 1000 --quiet
sleep 2
echo "$(pending) deliveries waiting; each attempt fails and backs off:"
AURUM_TOKEN=$steward aurum deliveries --limit 3
echo "== $outage s without Odoo"
sleep "$outage"
echo "== Odoo is back (a fresh double on the same port)"
start_double
for _ in $(seq 1 240); do [ "$(pending)" = "0" ] && break; sleep 1; done
echo "$(pending) pending after the outage"
python3 - "$records" <<'PY'
import os, sys, xmlrpc.client
url, db, key = os.environ["ODOO_URL"], os.environ["ODOO_DATABASE"], os.environ["ODOO_API_KEY"]
uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(db, "admin", key, {})
odoo = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")
count = odoo.execute_kw(db, uid, key, "product.template", "search_count", [[["default_code", "like", "O-"]]])
print(("ok: " if count == int(sys.argv[1]) else "FAILED: ") + f"{count} of {sys.argv[1]} items in Odoo after the outage")
sys.exit(0 if count == int(sys.argv[1]) else 1)
PY

echo "== a permanent error: an item in a unit Odoo does not have"
printf 'source_key,code,name,uom\nPLM-F,O-FURLONG,Fence post,Furlongs\n' > "$dir/furlong.csv"
AURUM_TOKEN=$plm aurum ingest "$dir/furlong.csv" --entity item --source plm --quiet
AURUM_TOKEN=$steward aurum approve --filter entity=item --filter gate=engineering --quiet
AURUM_TOKEN=$buyer aurum approve --filter entity=item --filter gate=procurement --quiet
for _ in $(seq 1 60); do [ "$(pending)" = "0" ] && break; sleep 0.5; done
AURUM_TOKEN=$steward aurum deliveries --state dead
dead=$(AURUM_TOKEN=$steward aurum deliveries --state dead --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
echo "== the unit is created in Odoo; aurum replay $dead"
python3 - <<'PY'
import os, xmlrpc.client
url, db, key = os.environ["ODOO_URL"], os.environ["ODOO_DATABASE"], os.environ["ODOO_API_KEY"]
uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(db, "admin", key, {})
odoo = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")
units = odoo.execute_kw(db, uid, key, "uom.uom", "search_read", [[["name", "=", "Units"]]], {"fields": ["category_id"]})
odoo.execute_kw(db, uid, key, "uom.uom", "create", [{"name": "Furlongs", "category_id": units[0]["category_id"][0], "uom_type": "bigger", "factor": 0.005}])
print("uom.uom Furlongs created")
PY
AURUM_TOKEN=$steward aurum replay "$dead"
for _ in $(seq 1 60); do [ "$(pending)" = "0" ] && break; sleep 0.5; done
AURUM_TOKEN=$steward aurum deliveries --limit 1
state=$(AURUM_TOKEN=$steward aurum deliveries --limit 1 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["state"])')
[ "$state" = "delivered" ] && echo "ok: the replayed delivery is delivered" || { echo "FAILED: the replay is $state"; exit 1; }
