#!/bin/bash
# tests/webd/keepalive.t - httpd keeps a portal client's connection for
# its next request (HTTP/1.1 keep-alive), as for the policies: several
# requests on one TLS connection, HEAD among them; pipelined requests
# answered in order; "Connection: close" and HTTP/1.0 without
# keep-alive closed after the answer, saying so; webd's own Connection
# field never reaches the client.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd master stsctl
t_need curl openssl python3

t=$(t_tmpdir)
portal_instance "$t/i" || {
	fail "instance starts"; cat "$t/i/log/stsd.log" 2>/dev/null; done_testing; }
pass "instance with httpd, webd and policyd starts"
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
portal_sanitizers
done_testing
