#!/usr/bin/env bash
# The Aurum demo: embedded PostgreSQL, the server, sample candidates from examples/ (valid and
# invalid), the steward's queue, approvals and a rejection, an update with its diff, the
# resulting golden records, and their publication to Odoo (the project's Odoo double, over
# XML-RPC for 16-18 and JSON-2 for 19; AURUM_DEMO_ODOO_VERSION picks, default 18). Everything
# runs through the real CLI over real HTTP.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
[ -n "${NO_COLOR:-}" ] && step() { printf '\n== %s\n' "$*"; }

step "Building aurum and odoo-double"
swift build --product aurum
swift build --product odoo-double
aurum() { .build/debug/aurum "$@"; }

export AURUM_LOG_LEVEL=${AURUM_LOG_LEVEL:-warning}
data=.aurum-demo/pg
# Where the cluster's files are: $data, or (as root, when the postgres user cannot reach this
# checkout) the directory recorded in $data.location.
cluster_dir() { if [ -f "$data.location" ]; then cat "$data.location"; else echo "$data"; fi; }
# A cluster left running by an interrupted demo is stopped before its directory is cleared.
pid_file="$(cluster_dir)/postmaster.pid"
if [ -f "$pid_file" ]; then kill -INT "$(head -n 1 "$pid_file")" 2>/dev/null || true; sleep 2; fi
rm -rf .aurum-demo
port=${AURUM_DEMO_PORT:-18080}
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
export AURUM_URL="http://127.0.0.1:$port"

step "Checking the rules"
aurum rules check rules

step "Before onboarding: duplicates within a procurement export (examples/suppliers-procurement.csv)"
aurum dedupe examples/suppliers-procurement.csv --entity supplier

odoo_version=${AURUM_DEMO_ODOO_VERSION:-18}
odoo_port=$((port + 1))
while (exec 3<>"/dev/tcp/127.0.0.1/$odoo_port") 2>/dev/null; do odoo_port=$((odoo_port + 1)); done
export ODOO_URL="http://127.0.0.1:$odoo_port" ODOO_DATABASE=demo ODOO_LOGIN=admin ODOO_API_KEY="demo-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
step "Starting odoo-double: Odoo $odoo_version on $ODOO_URL (database demo)"
.build/debug/odoo-double --port "$odoo_port" --odoo-version "$odoo_version" --database demo --api-key "$ODOO_API_KEY" > .aurum-demo-odoo.log 2>&1 &
double=$!
trap 'kill -TERM $double 2>/dev/null' EXIT
for _ in $(seq 1 60); do
  (exec 3<>"/dev/tcp/127.0.0.1/$odoo_port") 2>/dev/null && break
  kill -0 $double 2>/dev/null || { cat .aurum-demo-odoo.log; exit 1; }
  sleep 0.5
done

hook_port=$((port + 2))
while (exec 3<>"/dev/tcp/127.0.0.1/$hook_port") 2>/dev/null; do hook_port=$((hook_port + 1)); done
export AURUM_DEMO_WEBHOOK_SECRET="whsec_$(head -c 24 /dev/urandom | base64)"
step "Starting a webhook receiver on 127.0.0.1:$hook_port (scripts/webhook-receiver.py verifies every signature)"
WEBHOOK_SECRET=$AURUM_DEMO_WEBHOOK_SECRET python3 scripts/webhook-receiver.py "$hook_port" > .aurum-demo-webhooks.log 2>&1 &
receiver=$!
# The demo's rules: the shipped ones, with the receiver as a webhook endpoint.
mkdir -p .aurum-demo
cp -r rules .aurum-demo/rules
cat > .aurum-demo/rules/consumers/webhooks.yaml <<YAML
endpoints:
  - name: demo
    url: http://127.0.0.1:$hook_port/events
    secret_env: AURUM_DEMO_WEBHOOK_SECRET
YAML
export AURUM_RULES=.aurum-demo/rules

step "Starting the server on $AURUM_URL with an embedded PostgreSQL in $data; it publishes every release to Odoo and the receiver"
.build/debug/aurum serve --data-dir "$data" --port "$port" > .aurum-demo.log 2>&1 &
server=$!
trap 'kill -TERM $server $double $receiver 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 $server 2>/dev/null || { cat .aurum-demo.log; exit 1; }
  sleep 0.5
done

[ -f "$data.location" ] && echo "the postgres user cannot reach $data, so the cluster's data is in $(cluster_dir) (recorded in $data.location)"

step "Creating tokens (only their hashes are stored)"
plm=$(aurum token create --data-dir "$data" --name plm-sync --role source --source plm --entities item)
procurement=$(aurum token create --data-dir "$data" --name procurement-sync --role source --source procurement --entities supplier,item)
portal=$(aurum token create --data-dir "$data" --name portal-sync --role source --source portal --entities supplier)
alice=$(aurum token create --data-dir "$data" --name alice --role steward --groups engineering,finance)
dave=$(aurum token create --data-dir "$data" --name dave --role steward --groups procurement,finance)
bob=$(aurum token create --data-dir "$data" --name bob --role steward --entities item)
carol=$(aurum token create --data-dir "$data" --name carol --role steward --entities supplier)
echo "plm-sync, procurement-sync, portal-sync (sources); stewards alice (engineering, finance), dave (procurement, finance), bob (items), carol (suppliers)"

step "PLM pushes items (examples/items.csv); invalid rows are rejected with reasons"
AURUM_TOKEN=$plm aurum ingest examples/items.csv --entity item --source plm || true

step "Procurement pushes suppliers (examples/suppliers.ndjson)"
AURUM_TOKEN=$procurement aurum ingest examples/suppliers.ndjson --entity supplier --source procurement || true

step "A source token speaks only for its own source: PLM's token cannot submit as procurement"
AURUM_TOKEN=$plm aurum ingest examples/items.csv --entity item --source procurement || true

step "Re-sending the same file changes nothing"
AURUM_TOKEN=$plm aurum ingest examples/items.csv --entity item --source plm || true

step "The steward's queue, then filtered: suppliers waiting at the finance gate; what dave may approve now"
AURUM_TOKEN=$alice aurum queue
AURUM_TOKEN=$alice aurum queue --entity supplier --gate finance
AURUM_TOKEN=$dave aurum queue --mine

ids=$(AURUM_TOKEN=$alice aurum queue --json | python3 -c 'import json, sys; print("\n".join(str(r["id"]) for r in json.load(sys.stdin)))')
first=$(echo "$ids" | head -n 1)
step "Change request $first in full, with the approval gates it must pass (rules/item.yaml approve:)"
AURUM_TOKEN=$alice aurum show "$first"

step "bob corrects the weight of change request $first (revision 2); as its editor he may no longer approve it"
AURUM_TOKEN=$bob aurum edit "$first" --set weight=0.02 --revision 1 --comment "weighed again: 20 g" --quiet
AURUM_TOKEN=$bob aurum diff "$first"
AURUM_TOKEN=$bob aurum approve "$first" || true

step "A source cannot approve (four-eyes and roles are enforced by the server)"
AURUM_TOKEN=$plm aurum approve "$first" || true

last=$(echo "$ids" | tail -n 1)
step "A steward outside a gate's group cannot approve at it: carol is in no group, a new supplier with a bank account needs two of finance"
bank=$(AURUM_TOKEN=$alice aurum queue --json | python3 -c 'import json, sys; print(next(r["id"] for r in json.load(sys.stdin) if r["entity"] == "supplier" and "bank_account" in r["proposed"]))')
AURUM_TOKEN=$carol aurum approve "$bank" || true

step "alice rejects change request $last with a reason the source can act on"
AURUM_TOKEN=$alice aurum reject "$last" --reason "Bossard is onboarded through the Swiss entity; resubmit there"

step "New items pass engineering, then procurement: alice previews a bulk approval at the engineering gate, then decides it"
AURUM_TOKEN=$alice aurum approve --filter entity=item --filter gate=engineering --dry-run
AURUM_TOKEN=$alice aurum approve --filter entity=item --filter gate=engineering --comment "checked against the drawings"
echo
echo "dave approves at the procurement gate, which releases them"
released=()
released_json=$(AURUM_TOKEN=$dave aurum approve --filter entity=item --filter gate=procurement --comment "sourcing confirmed" --json)
echo "$released_json" | python3 -c 'import json, sys
for o in json.load(sys.stdin):
    d = o.get("decision") or {}
    said = "released item %s version %s" % (d.get("record_id"), d.get("version")) if d.get("status") == "released" else (o.get("refused") or o.get("skipped") or d.get("status"))
    print("change request %s: %s" % (o["change_request_id"], said))'
released+=($(echo "$released_json" | python3 -c 'import json, sys; print(" ".join(str(o["decision"]["record_id"]) for o in json.load(sys.stdin) if (o.get("decision") or {}).get("status") == "released"))'))

step "Suppliers: alice approves each; the bank account needs a second person of finance, dave"
for id in $(AURUM_TOKEN=$alice aurum queue --entity supplier --json | python3 -c 'import json, sys; print(" ".join(str(r["id"]) for r in json.load(sys.stdin)))'); do
  line=$(AURUM_TOKEN=$alice aurum approve "$id" --comment "checked the register entry")
  echo "$line"
  case "$line" in
    *"needs more approvals"*) line=$(AURUM_TOKEN=$dave aurum approve "$id" --comment "ordered from this supplier before"); echo "$line" ;;
  esac
  released+=("$(echo "$line" | sed -n 's/.*released record \([0-9]*\) version.*/\1/p')")
done

step "The CRM pushes customers (examples/customers.ndjson), the WMS warehouses (examples/warehouses.csv); alice approves what passed"
crm=$(aurum token create --data-dir "$data" --name crm-sync --role source --source crm --entities customer)
wms=$(aurum token create --data-dir "$data" --name wms-sync --role source --source wms --entities warehouse)
AURUM_TOKEN=$crm aurum ingest examples/customers.ndjson --entity customer --source crm || true
AURUM_TOKEN=$wms aurum ingest examples/warehouses.csv --entity warehouse --source wms || true
for entity in customer warehouse; do
  approved=$(AURUM_TOKEN=$alice aurum approve --filter entity=$entity --comment "checked against the $entity register" --json)
  echo "$approved" | python3 -c 'import json, sys
for o in json.load(sys.stdin):
    d = o.get("decision") or {}
    print("change request %s: %s" % (o["change_request_id"], "released %s record %s" % (sys.argv[1], d.get("record_id")) if d.get("status") == "released" else (o.get("refused") or d.get("status"))))' "$entity"
  released+=($(echo "$approved" | python3 -c 'import json, sys; print(" ".join(str(o["decision"]["record_id"]) for o in json.load(sys.stdin) if (o.get("decision") or {}).get("status") == "released"))'))
done

step "PLM sends an update of B-1001 (examples/items-update.csv): it proposes version 2"
AURUM_TOKEN=$plm aurum ingest examples/items-update.csv --entity item --source plm || true
update=$(AURUM_TOKEN=$bob aurum queue --json | sed -n 's/^    "id" : \([0-9]*\),$/\1/p' | head -n 1)
AURUM_TOKEN=$bob aurum show "$update"
AURUM_TOKEN=$bob aurum approve "$update" --comment "new DIN reference"

step "PLM adds a description to B-1001 (examples/items-description.csv): only the description changes, from a source trusted 90"
echo "the gate trusted_description releases it at once, without a steward (and says so in the audit)"
AURUM_TOKEN=$plm aurum ingest examples/items-description.csv --entity item --source plm || true

step "The supplier portal sends Würth twice in its own words (examples/suppliers-portal.ndjson)"
echo "with the VAT: linked automatically to the golden supplier, an update; without it: a possible duplicate for a steward"
AURUM_TOKEN=$portal aurum ingest examples/suppliers-portal.ndjson --entity supplier --source portal || true
portal_ids=$(AURUM_TOKEN=$carol aurum queue --json | sed -n 's/^    "id" : \([0-9]*\),$/\1/p')
linked=$(echo "$portal_ids" | head -n 1)
review=$(echo "$portal_ids" | tail -n 1)
AURUM_TOKEN=$carol aurum show "$linked"
AURUM_TOKEN=$carol aurum approve "$linked" --comment "portal contact details"
step "Change request $review: a possible duplicate, shown with its explanation; alice links it to the golden supplier"
AURUM_TOKEN=$carol aurum show "$review"
supplier=$(AURUM_TOKEN=$alice aurum show "$review" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["possible_duplicates"][0]["record_id"])')
AURUM_TOKEN=$alice aurum link "$review" --to "$supplier" --comment "same plant, second portal account"
AURUM_TOKEN=$carol aurum approve "$review" --comment "confirmed"
AURUM_TOKEN=$carol aurum record supplier "$supplier"

step "Released golden records"
for record in "${released[@]}"; do
  for entity in item supplier customer warehouse; do
    AURUM_TOKEN=$alice aurum record "$entity" "$record" 2>/dev/null && echo && break
  done
done
step "History of item ${released[0]}"
AURUM_TOKEN=$alice aurum record item "${released[0]}" --versions

step "Preflight: version, protocol, every mapped model, field and look-up value (rules/consumers/odoo.yaml)"
aurum odoo check --values --data-dir "$data" || true

# Waits until the outbox has nothing left to deliver (at most 30 s).
settle() {
  for _ in $(seq 1 60); do
    left=$(AURUM_TOKEN=$alice aurum status --json | python3 -c 'import json, sys; print(sum(e["deliveries_pending"] for e in json.load(sys.stdin)["entities"]))')
    [ "$left" = "0" ] && return 0
    sleep 0.5
  done
}
step "No sync was run: the outbox published every release as it was approved, to Odoo and to the webhook receiver"
settle
AURUM_TOKEN=$alice aurum deliveries --consumer odoo --limit 8
echo
echo "the webhook receiver verified these events (.aurum-demo-webhooks.log):"
tail -n 8 .aurum-demo-webhooks.log

step "What Odoo now holds, by external id (read with Python's xmlrpc.client)"
python3 scripts/odoo-show.py

step "The change feed: every released version in commit order (GET /v1/changes?after=0)"
reader=$(aurum token create --data-dir "$data" --name erp-reader --role consumer --entities item,supplier)
READER=$reader python3 -c 'import json, os, urllib.request
request = urllib.request.Request(os.environ["AURUM_URL"] + "/v1/changes?after=0&limit=3", headers={"Authorization": "Bearer " + os.environ["READER"]})
page = json.load(urllib.request.urlopen(request))
for e in page["items"]: print(e["data"]["position"], e["id"], e["type"], e["subject"], "v%d" % e["data"]["version"], e["time"])
print("next_cursor", page["next_cursor"], "has_more", page["has_more"])'

step "A full sync (the bulk path, for a first load) finds nothing to change"
aurum odoo sync --data-dir "$data" || true

step "Someone renames B-1001 by hand in Odoo; reconcile reports the drift"
python3 - <<PY
import json, os, urllib.request, xmlrpc.client
url, db, key = os.environ["ODOO_URL"], os.environ["ODOO_DATABASE"], os.environ["ODOO_API_KEY"]
uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(db, "admin", key, {})
ids = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object").execute_kw(db, uid, key, "product.template", "search", [[["default_code", "=", "B-1001"]]])
if not ids:
    print("B-1001 is not in Odoo (see the failures above); nothing to rename")
else:
    request = urllib.request.Request(f"{url}/__double__/edit/product.template/{ids[0]}", data=json.dumps({"name": "Bolt (renamed in Odoo)"}).encode(), method="POST")
    urllib.request.urlopen(request)
PY
aurum reconcile odoo --data-dir "$data" || true

step "sync puts the golden value back"
aurum odoo sync --entity item --data-dir "$data" || true
aurum reconcile odoo --data-dir "$data" || true

step "Someone creates a product by hand in Odoo; aurum odoo import brings what changed there to the steward's queue"
python3 - <<PY
import os, xmlrpc.client
url, db, key = os.environ["ODOO_URL"], os.environ["ODOO_DATABASE"], os.environ["ODOO_API_KEY"]
uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(db, "admin", key, {})
made = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object").execute_kw(db, uid, key, "product.template", "create", [[{"name": "Copper cable lug 35 mm2", "default_code": "CU-3535", "weight": 0.03}]])
print("created by hand in Odoo: product.template", made)
PY
aurum odoo import --entity item --data-dir "$data" || true
AURUM_TOKEN=$alice aurum queue --source odoo

step "alice blocks supplier $supplier (through approval): it stays readable, but no new item may name it"
block=$(AURUM_TOKEN=$alice aurum block supplier "$supplier" --reason "bank details under review" --quiet)
AURUM_TOKEN=$carol aurum approve "$block" --comment "agreed with finance"
printf '{"source_key": "PLM-2001", "code": "B-2001", "name": "Spring washer M8", "uom": "Units", "supplier": %s}\n' "$supplier" > .aurum-demo/new-item.ndjson
AURUM_TOKEN=$plm aurum ingest .aurum-demo/new-item.ndjson --entity item --source plm || true
AURUM_TOKEN=$alice aurum history supplier "$supplier"

step "The outbox archives the blocked supplier in Odoo at once"
settle
AURUM_TOKEN=$alice aurum deliveries --record "$supplier"
AURUM_TOKEN=$alice aurum record supplier "$supplier" | tail -n 1

step "Bank details are in clear only for finance and admins: carol sees them masked, alice (finance) in clear"
banked=$(AURUM_TOKEN=$alice aurum show "$bank" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["record_id"])')
echo "carol:"; AURUM_TOKEN=$carol aurum record supplier "$banked" | grep -E "bank_(account|bic)"
echo "alice:"; AURUM_TOKEN=$alice aurum record supplier "$banked" | grep -E "bank_(account|bic)"

step "The audit trail is a hash chain: verified whole, its head printed to keep outside the database"
aurum audit verify --data-dir "$data"
anchor=$(aurum audit anchor --data-dir "$data")
echo "anchor: $anchor"
aurum audit verify --anchor "$anchor" --data-dir "$data"

step "The status board"
AURUM_TOKEN=$alice aurum status

step "The same board as a page for people: $AURUM_URL/status (while a server runs), signed in with a steward's token"
AURUM_DEMO_STEWARD_TOKEN=$alice python3 -c '
import os, re, urllib.parse, urllib.request
url = os.environ["AURUM_URL"]
page = urllib.request.urlopen(url + "/status").read().decode()
print("signed out: the sign-in form" + (", nothing else" if "data-field" not in page else " AND DATA (wrong)"))
class Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args): return None
form = urllib.parse.urlencode({"token": os.environ["AURUM_DEMO_STEWARD_TOKEN"]}).encode()
try:
    urllib.request.build_opener(Stay).open(url + "/status/sign-in", form)
except urllib.error.HTTPError as answer:
    cookie = answer.headers["Set-Cookie"]
print("signed in: the browser keeps a session cookie (%s), never the token" % ", ".join(p.strip() for p in cookie.split(";")[1:]))
board = urllib.request.urlopen(urllib.request.Request(url + "/status", headers={"Cookie": cookie.split(";")[0]})).read().decode()
for entity, cells in re.findall(r"<tr data-entity=\"(\w+)\"><th[^>]*>[^<]*</th>(.*?)</tr>", board):
    counts = dict(re.findall(r"data-field=\"([\w.]+)\"[^>]*>(\d+)<", cells))
    print("  %-10s open %s, blocked %s, to deliver %s" % (entity, counts["open"], counts["blocked"], counts["deliveries_pending"]))
'

step "Done. Logs: .aurum-demo.log (server), .aurum-demo-odoo.log (odoo-double), .aurum-demo-webhooks.log (receiver); the database stops with the server."
