#!/usr/bin/env bash
# Instructions per message for every row of compare/ and every parser, counted
# by callgrind (valgrind): noise-free, so a change can be judged on a busy
# machine. Each runner runs N and 2N times (`h1parse-compare --profile ROW N
# --peer P`); the difference of the two totals, divided by N and the messages
# per call, is the figure, so start-up and set-up cancel.
#
#   bash compare/callgrind.sh               # every row, markdown on stdout
#   bash compare/callgrind.sh curl req_703  # some rows
#
# picohttpparser is counted without its SSE4.2 path (valgrind cannot run it),
# so its column is its portable code. Needs valgrind. About 5 minutes.
set -euo pipefail
cd "$(dirname "$0")"
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
# picohttpparser without its SSE4.2 path (valgrind cannot run PCMPESTRI), in
# its own target dir so the timing build keeps it.
CARGO_TARGET_DIR=target/callgrind cargo build --release -q --no-default-features
bin=target/callgrind/release/h1parse-compare

# Calls per run: enough that the work dwarfs a run's own noise (none: the
# counts are exact), few enough that callgrind's slowdown stays bearable.
calls() {
    case "$1" in
        pipeline_*|segments_*|chunked_*) echo 4 ;;
        bytewise) echo 20 ;;
        *) echo 200 ;;
    esac
}

# Total instructions of one run.
total() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" --profile "$1" "$3" --peer "$2" 2>&1 |
        awk '/Collected :/ { print $NF }'
}

# Instructions per message: (total(2N) - total(N)) / (N * messages).
per_message() {
    local id=$1 peer=$2 messages=$3 n a b
    n=$(calls "$id")
    a=$(total "$id" "$peer" "$n")
    b=$(total "$id" "$peer" $((2 * n)))
    awk -v a="$a" -v b="$b" -v n="$n" -v m="$messages" 'BEGIN { printf "%.0f", (b - a) / (n * m) }'
}

# Thousands separators for the table.
commas() { [ -z "$1" ] && { echo -; return; }; echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

ratio() { awk -v p="$1" -v h="$2" 'BEGIN { if (p == "" || h == 0) print "-"; else printf "%.2fx", p / h }'; }

wanted() { [ "$#" -eq 1 ] && return 0; local id=$1; shift; for w in "$@"; do [ "$w" = "$id" ] && return 0; done; return 1; }

echo "| input | h1parse | httparse | pico (scalar) | ntex | httparse / h1parse | pico / h1parse | ntex / h1parse |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
own=()
while IFS=$'\t' read -r id messages peers name; do
    wanted "$id" "$@" || continue
    case "$peers" in
        *baseline*) own+=("$id"$'\t'"$name"); continue ;;
        h1parse) own+=("$id"$'\t'"-"$'\t'"$name"); continue ;;
    esac
    declare -A ir=()
    for peer in ${peers//,/ }; do
        ir[$peer]=$(per_message "$id" "$peer" "$messages")
    done
    # pico decodes chunked bodies in place: restoring its buffer is not its work.
    if [ -n "${ir[pico-copy]:-}" ]; then
        ir[pico]=$((ir[pico] - ir[pico-copy]))
    fi
    # h1parse's chunked rows: its head is subtracted, as the peers parse none.
    if [ -n "${ir[h1parse-head]:-}" ]; then
        ir[h1parse]=$((ir[h1parse] - ir[h1parse-head]))
    fi
    h=${ir[h1parse]}
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$(commas "$h")" \
        "$(commas "${ir[httparse]}")" "$(commas "${ir[pico]}")" "$(commas "${ir[ntex]}")" \
        "$(ratio "${ir[httparse]}" "$h")" "$(ratio "${ir[pico]}" "$h")" "$(ratio "${ir[ntex]}" "$h")"
    unset ir
done < <("$bin" --list)

if [ "${#own[@]}" -gt 0 ]; then
    echo
    echo "| h1parse against itself | instructions | baseline | ratio |"
    echo "|---|---:|---:|---:|"
    for line in "${own[@]}"; do
        id=${line%%$'\t'*}
        name=${line#*$'\t'}
        a=$(per_message "$id" h1parse 1)
        if [ "${name%%$'\t'*}" = "-" ]; then
            # A floor row: one runner, no baseline.
            printf '| %s | %s | | |\n' "${name#*$'\t'}" "$(commas "$a")"
        else
            b=$(per_message "$id" baseline 1)
            printf '| %s | %s | %s | %s |\n' "$name" "$(commas "$a")" "$(commas "$b")" "$(ratio "$a" "$b" | tr -d x)"
        fi
    done
fi
