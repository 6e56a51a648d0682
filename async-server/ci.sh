#!/usr/bin/env bash
# The async upload server against curl and raw sockets: uploads (Content-Length
# and chunked from a pipe) downloaded back byte for byte, HEAD, a PATCH that
# resumes a cut-off upload, a pipelined burst, keep-alive across several URLs,
# and the error answers. Run from anywhere: `bash async-server/ci.sh`.
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release --quiet
work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

./target/release/h1parse-async-server 127.0.0.1:0 "$work/store" >"$work/log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do grep -q '^listening on' "$work/log" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/log")
port=${base##*:}
[ -n "$base" ] || { cat "$work/log"; echo "the server did not start"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }
pass=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }

# PUT with Content-Length (and 100-continue), GET back, HEAD.
head -c 2500000 /dev/urandom >"$work/up.bin"
out=$(curl -sS -H 'Expect: 100-continue' -T "$work/up.bin" -w ' %{http_code}' "$base/files/up.bin")
[ "$out" = "$(printf '2500000\n 201')" ] || fail "PUT: $out"
curl -sS -o "$work/down.bin" "$base/files/up.bin"
cmp "$work/up.bin" "$work/down.bin" || fail "download differs from upload"
ok "PUT with Content-Length, downloaded byte for byte"
head=$(curl -sS -I "$base/files/up.bin" | tr -d '\r')
for want in 'HTTP/1.1 200 OK' 'Content-Length: 2500000' 'Upload-Offset: 2500000' 'Upload-Complete: ?1'; do
    grep -qx "$want" <<<"$head" || fail "HEAD lacks '$want': $head"
done
ok "HEAD reports length, offset and completeness"

# A chunked upload from a pipe.
head -c 700001 /dev/urandom >"$work/piped.bin"
out=$(cat "$work/piped.bin" | curl -sS -T - -H 'Transfer-Encoding: chunked' -w ' %{http_code}' "$base/files/piped.bin")
[ "$out" = "$(printf '700001\n 201')" ] || fail "chunked PUT: $out"
curl -sS "$base/files/piped.bin" | cmp - "$work/piped.bin" || fail "chunked upload differs"
ok "chunked PUT from a pipe, downloaded byte for byte"

# An upload cut off after 300000 of 1000000 bytes, resumed with PATCH.
head -c 1000000 /dev/urandom >"$work/whole.bin"
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'PUT /files/resumed.bin HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n' >&3
head -c 300000 "$work/whole.bin" >&3
exec 3>&-
for _ in $(seq 50); do
    curl -sS -I "$base/files/resumed.bin" | tr -d '\r' | grep -qx 'Upload-Offset: 300000' && break
    sleep 0.1
done
curl -sS -I "$base/files/resumed.bin" | tr -d '\r' | grep -qx 'Upload-Complete: ?0' || fail "cut-off upload not incomplete"
tail -c +300001 "$work/whole.bin" >"$work/rest.bin"
out=$(curl -sS -X PATCH -H 'Upload-Offset: 300000' --data-binary @"$work/rest.bin" -w ' %{http_code}' "$base/files/resumed.bin")
[ "$out" = "$(printf '700000\n 200')" ] || fail "PATCH: $out"
curl -sS "$base/files/resumed.bin" | cmp - "$work/whole.bin" || fail "resumed upload differs"
out=$(curl -sS -X PATCH -H 'Upload-Offset: 5' --data-binary x -w ' %{http_code}' "$base/files/resumed.bin")
[ "${out##* }" = 409 ] || fail "PATCH at a wrong offset: $out"
ok "cut-off PUT resumed with PATCH; wrong offset 409"

# A pipelined burst on one connection: 3000 requests (135 kB, more than the
# input buffer holds, so a partial head is moved to its start), then
# Connection: close.
printf 'hello, world\n' >"$work/small.txt"
curl -sS -T "$work/small.txt" "$base/files/small.txt" >/dev/null
{
    for _ in $(seq 3000); do printf 'GET /files/small.txt HTTP/1.1\r\nHost: t\r\n\r\n'; done
    printf 'HEAD /files/small.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'
} >"$work/burst"
exec 3<>"/dev/tcp/127.0.0.1/$port"
cat "$work/burst" >&3
timeout 10 cat <&3 >"$work/burst.out"
exec 3<&-
[ "$(grep -c '^HTTP/1.1 200 OK' "$work/burst.out")" = 3001 ] || fail "pipelined burst: $(grep -c '^HTTP/1.1' "$work/burst.out") responses"
[ "$(grep -c '^hello, world' "$work/burst.out")" = 3000 ] || fail "pipelined bodies"
ok "3001 pipelined requests answered in order on one connection"

# An upgrade is declined: answered in HTTP/1.1, the connection goes on.
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /files/small.txt HTTP/1.1\r\nHost: t\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\nGET /files/small.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' >&3
timeout 10 cat <&3 >"$work/upgrade.out"
exec 3<&-
[ "$(grep -c '^HTTP/1.1 200 OK' "$work/upgrade.out")" = 2 ] || fail "declined upgrade: $(tr -d '\r' <"$work/upgrade.out")"
ok "an Upgrade request answered in HTTP/1.1, the connection goes on"

# Keep-alive across several URLs.
out=$(curl -sS -w '[%{num_connects} %{http_code}]' "$base/files/small.txt" "$base/" "$base/files/nope" "$base/files/small.txt")
[[ "$out" == "hello, world"$'\n'"[1 200]"*"[0 200]"*"[0 404]hello, world"$'\n'"[0 200]" ]] || fail "keep-alive: $out"
ok "four URLs on one connection"

# The error answers, each with Connection: close.
raw() {
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    printf "$1" >&3 2>/dev/null || true
    timeout 5 cat <&3 >"$work/raw.out" || true
    exec 3<&-
    tr -d '\r' <"$work/raw.out" | sed -n 1p
}
check() {
    local got
    got=$(raw "$2")
    [ "$got" = "HTTP/1.1 $1" ] || fail "expected $1 for $(printf %q "$2"), got '$got'"
}
check '400 Bad Request' 'GET / HTTP/1.1\r\n\r\n'
check '400 Bad Request' 'PUT /files/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'
check '400 Bad Request' 'GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'
check '501 Not Implemented' 'PUT /files/g HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'
check '505 HTTP Version Not Supported' 'GET / HTTP/2.0\r\nHost: t\r\n\r\n'
check '431 Request Header Fields Too Large' "GET / HTTP/1.1\r\nHost: t\r\nX: $(head -c 40000 /dev/zero | tr '\0' a)\r\n\r\n"
check '404 Not Found' 'GET /files/x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'
check '405 Method Not Allowed' 'DELETE /files/x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'
[ "$(curl -sS -o /dev/null -w '%{http_code}' "$base/files/x")" = 404 ] || fail "a rejected PUT stored something"
ok "error answers (400, 501, 505, 431, 404, 405)"

echo "$pass passed, 0 failed"
