#!/usr/bin/env bash
# Publishing benchmarks, each with its baseline measured in the same run (figures go to
# docs/benchmarks.md):
#   1. release → Odoo: N loaded items published by the outbox (`aurum publish --drain`) into a
#      fresh odoo-double, records/s; baseline: `aurum odoo sync` of the same records into another
#      fresh double.
#   2. approval → visible in Odoo: LATENCY updates approved one at a time while `aurum serve`
#      publishes; from the approval's answer to the record's new name read back from the double
#      (polled every 2 ms): p50 and p99.
#   3. the change feed: every version read through GET /v1/changes in pages of 1,000 on one
#      kept-alive connection, versions/s; baseline: the same rows (position, entity, id, version,
#      state, attributes) with psql's COPY TO.
#   usage: bash scripts/bench-publish.sh [N] [LATENCY] [FEED] [debug|release]   (10000, 200, 1000000, release)
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-10000}
latency=${2:-200}
feed=${3:-1000000}
configuration=${4:-release}
source scripts/bench-server.sh
fresh_run "$configuration" .aurum-bench-publish
swift build -c "$configuration" --product odoo-double >&2
double_bin=".build/$configuration/odoo-double"
export AURUM_LOG_LEVEL=error

free_port() { local p=$1; while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done; echo "$p"; }
wait_port() { for _ in $(seq 1 120); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.5; done; exit 1; }
start_double() {  # PORT: a fresh Odoo 18 double; sets $double_pid
  "$double_bin" --port "$1" --odoo-version 18 --database bench --api-key bench-key > "$work/double-$1.log" 2>&1 &
  double_pid=$!
  wait_port "$1"
}
export ODOO_DATABASE=bench ODOO_LOGIN=admin ODOO_API_KEY=bench-key

python3 - "$records" > "$work/items.csv" <<'PY'
import sys
print("source_key,code,name,uom,weight,barcode")
for n in range(1, int(sys.argv[1]) + 1):
    print(f"PLM-{n},P-{n:07d},Bench bolt {n},Units,{n % 900 / 1000 + 0.001:.3f},")
PY

# The API, without the Odoo consumer; the publishers run on their own.
port=$(free_port 18380)
env -u ODOO_URL "$aurum" serve --data-dir "$data" --port "$port" > "$work/serve.log" 2>&1 &
server=$!
pids="$server"
trap 'kill -TERM $pids 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
wait_port "$port"
export AURUM_URL="http://127.0.0.1:$port"

echo "== 1. release → Odoo, $records items"
outbox_port=$(free_port $((port + 1))); start_double "$outbox_port"; pids="$pids $double_pid"
sync_port=$(free_port $((outbox_port + 1))); start_double "$sync_port"; pids="$pids $double_pid"
ODOO_URL="http://127.0.0.1:$outbox_port" "$aurum" publish --data-dir "$data" --drain > /dev/null   # registers the consumer
"$aurum" load "$work/items.csv" --entity item --source plm --data-dir "$data" | tail -n 1
start=$(date +%s.%N)
ODOO_URL="http://127.0.0.1:$outbox_port" "$aurum" publish --data-dir "$data" --drain
outbox=$(python3 -c "print($(date +%s.%N) - $start)")
start=$(date +%s.%N)
ODOO_URL="http://127.0.0.1:$sync_port" "$aurum" odoo sync --data-dir "$data" | tail -n 1
sync=$(python3 -c "print($(date +%s.%N) - $start)")
python3 -c "r=$records; o=$outbox; s=$sync; print(f'outbox: {r/o:,.0f} records/s ({o:.1f} s); baseline odoo sync: {r/s:,.0f} records/s ({s:.1f} s); ratio {s/o:.2f}')"

echo "== 2. approval → visible in Odoo, $latency updates one at a time"
kill -TERM "$server"; wait "$server" 2>/dev/null || true
ODOO_URL="http://127.0.0.1:$outbox_port" "$aurum" serve --data-dir "$data" --port "$port" > "$work/serve.log" 2>&1 &
server=$!
pids="$pids $server"
wait_port "$port"
plm=$("$aurum" token create --data-dir "$data" --name plm --role source --source plm)
steward=$("$aurum" token create --data-dir "$data" --name steward --role steward)
PLM=$plm STEWARD=$steward ODOO_URL="http://127.0.0.1:$outbox_port" python3 - "$latency" <<'PY'
import http.client, json, os, sys, time, xmlrpc.client
count = int(sys.argv[1])
url = os.environ["AURUM_URL"].removeprefix("http://")
api = http.client.HTTPConnection(url)
def call(method, path, token, body):
    api.request(method, path, json.dumps(body), {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    answer = api.getresponse()
    data = json.loads(answer.read())
    if answer.status >= 300: raise SystemExit(f"{path}: {answer.status} {data}")
    return data
odoo_url, db, key = os.environ["ODOO_URL"], os.environ["ODOO_DATABASE"], os.environ["ODOO_API_KEY"]
uid = xmlrpc.client.ServerProxy(f"{odoo_url}/xmlrpc/2/common").authenticate(db, "admin", key, {})
odoo = xmlrpc.client.ServerProxy(f"{odoo_url}/xmlrpc/2/object")
waits = []
for n in range(1, count + 1):
    name = f"Bench bolt {n} rev {time.time_ns()}"
    result = call("POST", "/v1/candidates", os.environ["PLM"],
                  {"entity": "item", "source": "plm", "source_key": f"PLM-{n}", "attributes": {"code": f"P-{n:07d}", "name": name, "uom": "Units"}})
    call("POST", f"/v1/change-requests/{result['change_request_id']}/approve", os.environ["STEWARD"], {})
    approved = time.perf_counter()
    while not odoo.execute_kw(db, uid, key, "product.template", "search_count", [[["default_code", "=", f"P-{n:07d}"], ["name", "=", name]]]):
        time.sleep(0.002)
    waits.append((time.perf_counter() - approved) * 1000)
waits.sort()
print(f"approval → Odoo: p50 {waits[len(waits) // 2]:.0f} ms, p99 {waits[int(len(waits) * 0.99) - 1]:.0f} ms, max {waits[-1]:.0f} ms over {count}")
PY

echo "== 3. the change feed, $feed versions"
# More versions loaded with the Odoo consumer off (a server without ODOO_URL disables it), so
# that they are only in the feed.
kill -TERM "$server"; wait "$server" 2>/dev/null || true
env -u ODOO_URL "$aurum" serve --data-dir "$data" --port "$port" > "$work/serve.log" 2>&1 &
server=$!
pids="$pids $server"
wait_port "$port"
have=$((records + latency))
if [ "$feed" -gt "$have" ]; then
  python3 - "$((feed - have))" > "$work/more.csv" <<'PY'
import sys
print("source_key,code,name,uom")
for n in range(1, int(sys.argv[1]) + 1):
    print(f"FEED-{n},F-{n:07d},Feed bench part {n},Units")
PY
  "$aurum" load "$work/more.csv" --entity item --source plm --data-dir "$data" --batch 20000 | tail -n 1
fi
reader=$("$aurum" token create --data-dir "$data" --name reader --role consumer)
READER=$reader python3 <<'PY'
import http.client, json, os, time
api = http.client.HTTPConnection(os.environ["AURUM_URL"].removeprefix("http://"))
cursor, total, started = 0, 0, time.perf_counter()
while True:
    api.request("GET", f"/v1/changes?after={cursor}&limit=1000", headers={"Authorization": "Bearer " + os.environ["READER"]})
    page = json.loads(api.getresponse().read())
    total += len(page["items"])
    cursor = page["next_cursor"]
    if not page["has_more"]: break
seconds = time.perf_counter() - started
print(f"feed over HTTP: {total:,} versions in {seconds:.2f} s, {total / seconds:,.0f} versions/s")
open(os.environ.get("FEED_RESULT", "/dev/null"), "w").write(f"{total} {seconds}")
PY
pgport=$(sed -n 4p "$(if [ -f "$data.location" ]; then cat "$data.location"; else echo "$data"; fi)/postmaster.pid")
start=$(date +%s.%N)
PGPASSWORD=$(cat "$(if [ -f "$data.location" ]; then cat "$data.location"; else echo "$data"; fi)/aurum-credentials") psql -h 127.0.0.1 -p "$pgport" -U aurum -d aurum -qAt -c \
  "\\copy (SELECT f.position, f.entity, f.record_id, f.version, gv.state, gv.attributes FROM change_feed f JOIN golden_version gv ON gv.record_id = f.record_id AND gv.version = f.version ORDER BY f.position) TO '/dev/null'"
copy=$(python3 -c "print($(date +%s.%N) - $start)")
echo "baseline COPY TO of the same rows: $copy s"
