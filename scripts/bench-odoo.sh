#!/usr/bin/env bash
# Publishing benchmark: N generated golden records published by `aurum bench odoo` into
# odoo-double over its real protocol (XML-RPC for 16-18, JSON-2 for 19), twice (creates, then
# nothing to do), against a baseline measured in the same run: one plain create per record.
#   usage: bash scripts/bench-odoo.sh [COUNT] [ODOO_VERSION] [debug|release]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-2000}
version=${2:-18}
configuration=${3:-release}
bash scripts/system-packages.sh
swift build -c "$configuration" --product aurum >&2
swift build -c "$configuration" --product odoo-double >&2
port=18290
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
export ODOO_URL="http://127.0.0.1:$port" ODOO_DATABASE=bench ODOO_API_KEY=bench-key
".build/$configuration/odoo-double" --port "$port" --odoo-version "$version" --database bench --api-key bench-key > /dev/null 2>&1 &
double=$!
trap 'kill -TERM $double 2>/dev/null; wait $double 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.5; done
for entity in supplier item; do
  ".build/$configuration/aurum" bench odoo --entity "$entity" --count "$count"
done
