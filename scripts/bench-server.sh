# Sourced by the benchmark scripts: start_server AURUM DATA LOG starts `aurum serve` on the first
# free port from 18180 with its cluster in DATA, waits until it answers, and stops it on exit.
# Sets $port and $server. AURUM_BENCH_LOG_LEVEL=debug shows each ingest round's phases in LOG.
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
