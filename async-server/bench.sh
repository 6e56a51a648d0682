#!/usr/bin/env bash
# The async upload server against a minimal hyper 1.x server, both serving the
# same 13-byte file, measured with wrk in one run: 64 then 256 keep-alive
# connections, 10 s each, the two servers in turn. Both servers run a tokio
# runtime with 2 worker threads; wrk runs 2 threads on the same machine.
# The CPU/request column is the server's CPU time (user+system, from /proc)
# per request served: less sensitive than requests/s to other work on the
# machine. The last column is the server's resident memory halfway through
# the run, with every connection open.
# Usage: bash async-server/bench.sh [SECONDS] [ROUNDS]
# With several rounds, each prints its rows (on a shared machine the spread
# between rounds says how much to trust one).
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-10}
rounds=${2:-1}
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
h1parse_pid=${pids[-1]}
start hyper ./target/release/hyper-file 127.0.0.1:0 "$work/store" --threads 2
hyper_pid=${pids[-1]}
ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
h1parse=$(url_of h1parse)
hyper=$(url_of hyper)
printf 'hello, world\n' >"$work/small.txt"
curl -sS -T "$work/small.txt" "$h1parse/files/small.txt" >/dev/null
for url in "$h1parse" "$hyper"; do
    [ "$(curl -sS "$url/files/small.txt")" = "hello, world" ] || { echo "$url does not serve the file"; exit 1; }
done

printf '%-22s %12s %10s %8s %12s %10s\n' server/connections requests/s p99 errors 'CPU/request' RSS
for round in $(seq "$rounds"); do
    [ "$rounds" = 1 ] || echo "round $round"
    for connections in 64 256; do
        for server in h1parse hyper; do
            url=${!server}/files/small.txt
            pid_var=${server}_pid
            before=$(cpu_ticks "${!pid_var}")
            wrk -t2 -c"$connections" -d"${seconds}s" --latency "$url" >"$work/wrk.out" &
            wrk_pid=$!
            sleep "$(awk -v s="$seconds" 'BEGIN {print s / 2}')"
            rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/${!pid_var}/status")
            wait "$wrk_pid"
            out=$(cat "$work/wrk.out")
            after=$(cpu_ticks "${!pid_var}")
            served=$(awk '/requests in/ {print $1}' <<<"$out")
            cpu_ns=$(( (after - before) * 1000000000 / ticks / served ))
            rate=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
            p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
            errors=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10} /Non-2xx/ {print $5}' <<<"$out" | paste -sd+ | bc)
            printf '%-22s %12s %10s %8s %9s ns %7s MB\n' "$server/$connections" "$rate" "$p99" "${errors:-0}" "$cpu_ns" \
                "$(awk -v k="$rss_kb" 'BEGIN {printf "%.1f", k / 1024}')"
        done
    done
done
