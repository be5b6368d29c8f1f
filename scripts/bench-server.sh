# Sourced by the benchmark scripts.
#
# fresh_run CONFIGURATION WORK installs what is missing, builds `aurum` in CONFIGURATION and
# empties WORK (stopping a cluster left running in WORK/pg). Sets $aurum, $work and $data.
fresh_run() {
  bash scripts/system-packages.sh
  swift build -c "$1" --product aurum >&2
  aurum=".build/$1/aurum"
  work=$2
  data=$work/pg
  if [ -f "$data/postmaster.pid" ]; then kill -INT "$(head -n 1 "$data/postmaster.pid")" 2>/dev/null || true; sleep 2; fi
  rm -rf "$work" && mkdir -p "$work"
}

# start_server AURUM DATA LOG starts `aurum serve` on the first free port from 18180 with its
# cluster in DATA, waits until it answers, and stops it on exit. Sets $port and $server.
# AURUM_BENCH_LOG_LEVEL=debug shows each ingest round's phases in LOG.
start_server() {
  local aurum=$1 data=$2 log=$3
  port=18180
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  AURUM_LOG_LEVEL=${AURUM_BENCH_LOG_LEVEL:-warning} "$aurum" serve --data-dir "$data" --port "$port" > "$log" 2>&1 &
  server=$!
  trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
  for _ in $(seq 1 240); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0; sleep 0.5; done
  echo "aurum serve did not answer on port $port; see $log" >&2
  return 1
}
