# tests/httpd/limits.t - httpd's connection handling: keep-alive and
# pipelining, HTTP/1.0, malformed and oversized requests (answered, then
# the connection is closed), slow requests and idle connections timed
# out, the connection limit.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/httpd/instance.sh"

inst_need httpd policyd master stsctl
t_need curl

dir=$(t_tmpdir)/i
httpd_instance "$dir" httpd_request_timeout=2s httpd_idle_timeout=3s \
	httpd_connection_limit=50 ||
	{ fail "instance starts"; cat "$dir/log/stsd.log"; done_testing; }
pass "instance with httpd starts"
$STSCTL domain add a.example --mx mx.a.example >/dev/null
wait_until 2 fetch mta-sts.a.example -f -o /dev/null || fail "policy served"
url="https://mta-sts.a.example:$HTTPS$POLICY_PATH"

# Keep-alive: 100 requests, one connection.
urls=()
for i in $(seq 100); do urls+=(-o /dev/null "$url"); done
out=$(curl -s --cacert "$I/ca/ca.pem" --resolve "mta-sts.a.example:$HTTPS:127.0.0.1" \
	-w '%{http_code} %{num_connects}\n' "${urls[@]}")
is "$(echo "$out" | grep -c '^200 ')" 100 "keep-alive: 100 requests answered 200"
is "$(echo "$out" | awk '{n += $2} END {print n}')" 1 "keep-alive: all on one connection"

# Pipelining and HTTP/1.0 on the plain port (the same parser and server).
req="GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
out=$(raw_plain "$req")
is "$(echo "$out" | grep -c '^HTTP/1.1 404 ')" 2 "two pipelined requests: two answers"
is "$(raw_status)" 0 "connection closed after Connection: close"
out=$(raw_plain "GET / HTTP/1.0\r\n\r\n")
like "$out" '^HTTP/1.1 404 ' "HTTP/1.0 request answered"
is "$(raw_status)" 0 "HTTP/1.0 without keep-alive: connection closed"
like "$out" $'Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT\r' \
	"answers carry a Date field"

# 300 pipelined requests over TLS, the last with Connection: close: every
# answer arrives before the connection closes.
req=""
for i in $(seq 300); do req+="GET $POLICY_PATH HTTP/1.1\r\nHost: mta-sts.a.example\r\n\r\n"; done
req+="GET /x HTTP/1.1\r\nHost: mta-sts.a.example\r\nConnection: close\r\n\r\n"
raw_tls mta-sts.a.example "$req" >"$dir.pipe"
is "$(grep -c '^HTTP/1.1 200' "$dir.pipe")/$(grep -c '^HTTP/1.1 404' "$dir.pipe")" 300/1 \
	"300 pipelined TLS requests and a closing one: all answered"

# Malformed and oversized requests: an error, then the connection closes.
out=$(raw_plain "GARBAGE\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
like "$out" '^HTTP/1.1 400 Bad Request' "malformed request line: 400"
like "$out" $'Connection: close\r' "400 says Connection: close"
is "$(echo "$out" | grep -c '^HTTP/1.1')" 1 "nothing after the 400 is answered"
is "$(raw_status)" 0 "connection closed after 400"
big=$(head -c 102400 /dev/zero | tr '\0' a)
out=$(raw_plain "GET / HTTP/1.1\r\nHost: x\r\nX-Big: $big\r\n\r\n")
like "$out" '^HTTP/1.1 431 Request Header Fields Too Large' "100 KiB header: 431"
is "$(raw_status)" 0 "connection closed after 431"
out=$(raw_plain "GET /$big HTTP/1.1\r\nHost: x\r\n\r\n")
like "$out" '^HTTP/1.1 414 URI Too Long' "100 KiB request line: 414"
out=$(raw_tls mta-sts.a.example "GET / HTTP/1.1\r\nHost: mta-sts.a.example\r\nBad Field: x\r\n\r\n")
like "$out" '^HTTP/1.1 400 ' "malformed header over TLS: 400"
out=$(raw_plain "GET / HTTP/1.1\r\n\r\n")
like "$out" '^HTTP/1.1 400 ' "HTTP/1.1 without Host: 400"
like "$(grep 'httpd' "$dir/log/stsd.log")" 'request header too large: 431' \
	"refused requests are logged with the reason"

# Time limits (request 2 s, idle 3 s).
start=$SECONDS
out=$(RAW_WAIT=8 raw_plain "GET / HTTP/1.1\r\nHost: x\r\n")
like "$out" '^HTTP/1.1 408 Request Timeout' "incomplete request: 408 after httpd_request_timeout"
is "$(raw_status)" 0 "slow client's connection closed"
exec {fd}<>"/dev/tcp/127.0.0.1/$HTTP"
t0=$SECONDS
timeout 8 cat <&$fd >/dev/null
rc=$? t=$((SECONDS - t0))
exec {fd}>&-
ok "idle connection closed after httpd_idle_timeout (${t}s)" [ "$rc" = 0 ] && [ "$t" -ge 2 ] && [ "$t" -le 5 ]

# httpd_connection_limit (50 per process; the plain service has one):
# at the limit nothing more is accepted until a connection closes.
fds=()
for i in $(seq 50); do exec {fd}<>"/dev/tcp/127.0.0.1/$HTTP" && fds+=("$fd"); done
sleep 0.3
code=$(curl -s --max-time 1 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP/")
is "$code" 000 "at httpd_connection_limit a new client waits"
ok "reaching the limit is logged" grep -q 'httpd_connection_limit' "$dir/log/stsd.log"
for fd in "${fds[@]}"; do exec {fd}>&-; done
code=$(curl -s --max-time 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP/")
is "$code" 404 "once connections close, clients are served again"

unlike "$(grep -E 'httpd.*(fatal|panic)|AddressSanitizer' "$dir/log/stsd.log")" . "no fatal error in the log"
done_testing
