#!/usr/bin/env bash
# Ingest with matching against a store of golden records: run scripts/bench-load.sh N first, which
# leaves N loaded items in .aurum-bench-load/pg. Then, over HTTP against `aurum serve` on that store:
#   - one candidate at a time (ONE_BY_ONE requests on one kept-alive connection): p50 and p99 latency,
#     matching included (each candidate is a new source key of a loaded item, renamed, so it is matched);
#   - BATCH new candidates in batches of 1,000 with `aurum ingest`: candidates/s;
#   - the server's peak resident memory.
# The baseline, in the same run: the same batch file sent again (every candidate unchanged: the
# same HTTP, parsing and validation, no matching or writes).
# Before it, the proposals earlier runs left open are withdrawn and PostgreSQL's cache is warmed.
#   usage: bash scripts/bench-flow.sh [ONE_BY_ONE] [BATCH] [debug|release]
set -euo pipefail
cd "$(dirname "$0")/.."
single=${1:-1000}
batch=${2:-20000}
configuration=${3:-release}
aurum=".build/$configuration/aurum"
work=.aurum-bench-load
data=$work/pg
[ -f "$work/items/records.csv" ] || { echo "run scripts/bench-load.sh first" >&2; exit 1; }
source scripts/bench-server.sh
start_server "$aurum" "$data" "$work/flow-server.log"
# PostgreSQL's cache warmed with the tables and indexes matching reads (pg_prewarm), as on a
# server that has been running for a while; without it the first thousands of look-ups read the
# index page by page from the kernel.
# Each run starts from the loaded store alone: the proposals earlier runs left open are withdrawn
# and their blocking keys dropped (here in SQL, as the benchmark's own housekeeping), then a
# checkpoint, so that the WAL of that housekeeping is not flushed while requests are timed.
PGPASSWORD=$(cat "$data/aurum-credentials") psql -h 127.0.0.1 -p "$(sed -n 4p "$data/postmaster.pid")" -U aurum -d aurum -qAt \
  -c "UPDATE change_request SET status = 'withdrawn', decided_at = now(), reason = 'closed by bench-flow.sh before another run'
      WHERE status = 'open'" \
  -c "DELETE FROM match_key WHERE change_request_id IS NOT NULL" \
  -c "VACUUM (ANALYZE) match_key, change_request" -c "CHECKPOINT" \
  -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" \
  -c "SELECT pg_size_pretty(sum(pg_prewarm(r) * current_setting('block_size')::bigint)) || ' prewarmed'
      FROM (SELECT t::regclass AS r FROM unnest(array['match_key', 'golden_record', 'golden_version', 'record_source', 'unique_value']) t
            UNION ALL SELECT indexrelid::regclass FROM pg_index
            WHERE indrelid IN ('match_key'::regclass, 'golden_record'::regclass, 'golden_version'::regclass,
                               'record_source'::regclass, 'unique_value'::regclass)) s"
token=$("$aurum" token create --data-dir "$data" --name "bench-$(date +%s%N)" --role source --source plm --entities item)

# New source keys of loaded items, in PLM's words (the loaded rows' names with the code left out).
# Keys and codes of their own per run, so that a second run against the same store meets new candidates.
run=$(date +%s)
python3 - "$work/items/records.csv" "$work" "$single" "$batch" "$run" <<'PY'
import csv, json, sys
path, work, single, batch, run = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rows = [r for r in csv.DictReader(open(path)) if r.get("code") and r.get("name")]
with open(f"{work}/single.ndjson", "w") as out:
    for i, r in enumerate(rows[:single]):
        out.write(json.dumps({"entity": "item", "source": "plm", "source_key": f"ONE-{run}-{i}",
                              "attributes": {"code": f"P{run}-{i:07d}", "name": r["name"] + " plm", "uom": r.get("uom") or "Units"}}) + "\n")
with open(f"{work}/batch.csv", "w", newline="") as out:
    w = csv.writer(out)
    w.writerow(["source_key", "code", "name", "uom"])
    for i, r in enumerate(rows[single:single + batch]):
        w.writerow([f"BATCH-{run}-{i}", f"B{run}-{i:07d}", r["name"] + " plm", r.get("uom") or "Units"])
PY
# One candidate per request, one after the other on one kept-alive connection, as an integrator's
# client sends them; each request timed from sending it to the end of its answer.
python3 - "$port" "$token" "$work/single.ndjson" "$work/latency.txt" <<'PY'
import http.client, sys, time
port, token, path, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
connection = http.client.HTTPConnection("127.0.0.1", port)
headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
with open(out, "w") as times:
    for line in open(path):
        start = time.perf_counter()
        connection.request("POST", "/v1/candidates", body=line.encode(), headers=headers)
        answer = connection.getresponse()
        answer.read()
        if answer.status >= 300: sys.exit(f"a single candidate was answered {answer.status}")
        times.write(f"{time.perf_counter() - start}\n")
PY
seconds() { local start end; start=$(date +%s%N); "$@" > /dev/null || true; end=$(date +%s%N); awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
export AURUM_URL="http://127.0.0.1:$port" AURUM_TOKEN="$token"
first=$(seconds "$aurum" ingest "$work/batch.csv" --entity item --source plm --batch 1000)
again=$(seconds "$aurum" ingest "$work/batch.csv" --entity item --source plm --batch 1000)
rss=$(awk '/VmHWM/ { print $2 }' "/proc/$server/status")
loaded=$(wc -l < "$work/items/records.csv")
python3 - "$work/latency.txt" "$batch" "$first" "$again" "$rss" "$configuration" "$loaded" <<'PY'
import sys
times = sorted(float(x) * 1000 for x in open(sys.argv[1]) if x.strip())
batch, first, again, rss, configuration, loaded = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6], int(sys.argv[7]) - 1
p = lambda q: times[min(len(times) - 1, int(q * len(times)))]
print(f"store                          {loaded} generated item rows loaded ({configuration} build)")
print(f"one at a time ({len(times)} requests)  p50 {p(0.5):.1f} ms  p99 {p(0.99):.1f} ms  max {times[-1]:.1f} ms")
print(f"batch ingest {batch}, 1,000 a call  {first:.2f} s  {batch / first:.0f} candidates/s")
print(f"baseline: the same file again  {again:.2f} s  {batch / again:.0f} candidates/s (all unchanged)")
print(f"ratio ingest / baseline        {first / again:.2f}")
print(f"server peak RSS                {rss / 1024:.0f} MiB")
PY
