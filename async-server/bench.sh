#!/usr/bin/env bash
# The async upload server against a minimal hyper 1.x server, both serving the
# same 13-byte file, measured with wrk in one run: 64 then 256 keep-alive
# connections, 10 s each, the two servers in turn. Both servers run a tokio
# runtime with 2 worker threads; wrk runs 2 threads on the same machine.
# Usage: bash async-server/bench.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-10}
cargo build --release --quiet
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

start() { # NAME COMMAND...: starts a server (not in a subshell: its pid is kept)
    local name=$1
    shift
    "$@" >"$work/$name.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do grep -q '^listening on' "$work/$name.log" && break; sleep 0.1; done
}
url_of() { sed -n 's/^listening on //p' "$work/$1.log"; }
start h1parse ./target/release/h1parse-async-server 127.0.0.1:0 "$work/store" --threads 2
start hyper ./target/release/hyper-file 127.0.0.1:0 "$work/store" --threads 2
h1parse=$(url_of h1parse)
hyper=$(url_of hyper)
printf 'hello, world\n' >"$work/small.txt"
curl -sS -T "$work/small.txt" "$h1parse/files/small.txt" >/dev/null
for url in "$h1parse" "$hyper"; do
    [ "$(curl -sS "$url/files/small.txt")" = "hello, world" ] || { echo "$url does not serve the file"; exit 1; }
done

printf '%-22s %12s %10s %8s\n' server/connections requests/s p99 errors
for connections in 64 256; do
    for server in h1parse hyper; do
        url=${!server}/files/small.txt
        out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "$url")
        rate=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
        p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
        errors=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10} /Non-2xx/ {print $5}' <<<"$out" | paste -sd+ | bc)
        printf '%-22s %12s %10s %8s\n' "$server/$connections" "$rate" "$p99" "${errors:-0}"
    done
done
