#!/bin/bash
# tests/webd/keepalive.t - httpd keeps a portal client's connection for
# its next request (HTTP/1.1 keep-alive), as for the policies: several
# requests on one TLS connection, HEAD among them; pipelined requests
# answered in order; "Connection: close" and HTTP/1.0 without
# keep-alive closed after the answer, saying so; webd's own Connection
# field never reaches the client; a flood of pipelined requests whose
# answers are not read is closed past 1 MiB of them.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd master stsctl
t_need curl openssl python3
PYTHON=python3

t=$(t_tmpdir)
portal_start "$t/i"
B=https://$PORTAL:$HTTPS_PORT
# webs [curl options] URL...: curl of full URLs, one run
webs() { curl -sS --max-time 20 --cacert "$I/ca/ca.pem" \
	--resolve "$PORTAL:$HTTPS_PORT:127.0.0.1" "$@"; }

# Three requests, one connection: curl reuses it when httpd keeps it.
out=$(webs -H "Authorization: Bearer $TOK_A" -w '%{http_code} %{num_connects}\n' \
	-o /dev/null "$B/api/v1/domains" -o /dev/null "$B/api/v1/domains/a.example" \
	-o /dev/null "$B/style.css")
is "$(echo "$out" | tr '\n' ' ')" "200 1 200 0 200 0 " \
	"three portal requests on one connection (num_connects 1, 0, 0)"
out=$(webs -I -w '%{http_code} %{num_connects}\n' -o /dev/null "$B/style.css" \
	-o /dev/null "$B/style.css")
is "$(echo "$out" | tr '\n' ' ')" "200 1 200 0 " "... HEAD too"
head=$(web -D - -o /dev/null /style.css)
unlike "$head" 'Connection:' "an HTTP/1.1 answer kept alive carries no Connection field"
head=$(web -H 'Connection: close' -D - -o /dev/null /style.css)
like "$head" $'Connection: close\r' "Connection: close asked: answered with Connection: close"
out=$(webs -H 'Connection: close' -w '%{num_connects}\n' -o /dev/null "$B/style.css" \
	-o /dev/null "$B/style.css")
is "$(echo "$out" | tr '\n' ' ')" "1 1 " "... and the next request needs a new connection"
head=$(web -0 -D - -o /dev/null /style.css)
like "$head" $'Connection: close\r' "HTTP/1.0 without keep-alive: Connection: close"

# Two requests in one write, read back in order on one connection.
reqs="GET /style.css HTTP/1.1\r\nHost: $PORTAL\r\n\r\nGET /nosuch HTTP/1.1\r\nHost: $PORTAL\r\nConnection: close\r\n\r\n"
ans=$( (printf "$reqs"; sleep 3) | timeout 10 openssl s_client -quiet -connect "127.0.0.1:$HTTPS_PORT" \
	-servername "$PORTAL" -CAfile "$I/ca/ca.pem" 2>/dev/null | tr -d '\r' | grep '^HTTP/1.1')
is "$(echo "$ans" | tr '\n' '|')" "HTTP/1.1 200 OK|HTTP/1.1 404 Not Found|" \
	"two pipelined requests: both answered, in order"

# A flood of pipelined requests whose answers are never read: httpd
# stops at 1 MiB of answers queued, closes and says so.
"$PYTHON" - "$HTTPS_PORT" "$PORTAL" "$I/ca/ca.pem" >"$t/flood.out" 2>&1 <<'PY' &
import socket, ssl, sys, time
port, host, ca = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
raw = socket.socket()
raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
raw.connect(("127.0.0.1", port))
s = ctx.wrap_socket(raw, server_hostname=host)
req = ("GET /api/v1/openapi.json HTTP/1.1\r\nHost: %s\r\n\r\n" % host).encode()
s.settimeout(30)
try:
    for i in range(999):
        s.sendall(req)
    print("sent all")
except OSError as e:
    print("stopped:", e)
time.sleep(60)
PY
flood=$!
at_exit kill "$flood"
ok "a client that never reads its answers is closed past 1 MiB of them" \
	wait_until 60 grep -q 'of answers not read; closing' "$I/log/stsd.log"
kill "$flood" 2>/dev/null; wait "$flood" 2>/dev/null
grep -q 'of answers not read' "$I/log/stsd.log" || { sed 's/^/# /' "$t/flood.out";
	grep 'httpd' "$I/log/stsd.log" | tail -5 | sed 's/^/# /'; }
is "$(web -o /dev/null -w '%{http_code}' /style.css)" 200 "... and httpd serves the next client"
portal_sanitizers
done_testing
