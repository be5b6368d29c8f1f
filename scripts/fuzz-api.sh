#!/usr/bin/env bash
# Property-based fuzzing of the described API (docs/openapi.yaml) with schemathesis: a server on
# an embedded PostgreSQL of its own, a few sample records, and one run per role (source, steward,
# consumer, admin) with a fixed seed; fails on any 5xx or any answer its description does not
# allow.   usage: bash scripts/fuzz-api.sh [EXAMPLES_PER_OPERATION] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-20}
seed=${2:-1206}
bash scripts/system-packages.sh
venv=.tools/fuzz-venv
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==4.32.5"
fi
swift build --product aurum >&2
data=.aurum-fuzz/pg
rm -rf .aurum-fuzz && mkdir -p .aurum-fuzz
port=18400
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
.build/debug/aurum serve --data-dir "$data" --port "$port" > .aurum-fuzz/serve.log 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 $server 2>/dev/null || { cat .aurum-fuzz/serve.log; exit 1; }
  sleep 0.5
done
token() { .build/debug/aurum token create --data-dir "$data" "$@"; }
source_token=$(token --name fuzz-plm --role source --source plm --entities item)
steward_token=$(token --name fuzz-steward --role steward)
consumer_token=$(token --name fuzz-consumer --role consumer)
admin_token=$(token --name fuzz-admin --role admin)
export AURUM_URL="http://127.0.0.1:$port"
AURUM_TOKEN=$source_token .build/debug/aurum ingest examples/items.csv --entity item --source plm --quiet || true
status=0
for role in source steward consumer admin; do
  variable="${role}_token"
  echo "== schemathesis as $role: $examples examples per operation, seed $seed" >&2
  "$venv/bin/schemathesis" --config-file scripts/fuzz-api.toml run "$AURUM_URL/openapi.json" \
    --header "Authorization: Bearer ${!variable}" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --max-examples "$examples" --seed "$seed" --no-color || status=1
done
exit $status
