# tests/httpd/serve.t - httpd serves policies over HTTPS as policyd
# publishes them: 200 with the exact bytes for GET and HEAD, 404, 405,
# 421 on a Host/SNI mismatch, unknown hosts refused in the handshake,
# TLS 1.2 and 1.3 only, plain HTTP serves no policy, changes visible
# within a second of stsctl returning, maxproc 2, 2,000 idle connections.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/httpd/instance.sh"

inst_need httpd policyd master stsctl
t_need curl

dir=$(t_tmpdir)/i
httpd_instance "$dir" || { fail "instance starts"; cat "$dir/log/stsd.log"; done_testing; }
pass "instance with httpd starts"

$STSCTL domain add a.example --mx mx.a.example --mx '*.mx.a.example' >/dev/null ||
	fail "stsctl domain add"
want=$'version: STSv1\r\nmode: testing\r\nmx: mx.a.example\r\nmx: *.mx.a.example\r\nmax_age: 604800\r\n'

ok "policy served within 1 s of stsctl returning" \
	wait_until 1 sh -c "curl -sf --cacert $I/ca/ca.pem --resolve mta-sts.a.example:$HTTPS:127.0.0.1 https://mta-sts.a.example:$HTTPS$POLICY_PATH"
body=$(fetch mta-sts.a.example; echo x)
is "${body%x}" "$want" "GET returns the exact policy bytes"
head=$(fetch mta-sts.a.example -D - -o /dev/null)
like "$head" $'^HTTP/1.1 200 OK\r' "status 200"
like "$head" $'Content-Type: text/plain\r' "Content-Type: text/plain"
like "$head" $"Content-Length: ${#want}"$'\r' "Content-Length is the policy's length"
unlike "$head" 'Location:' "no redirect"

# HEAD: the same fields, no body (the server closes after the head).
raw_tls mta-sts.a.example "HEAD $POLICY_PATH HTTP/1.1\r\nHost: mta-sts.a.example\r\nConnection: close\r\n\r\n" >"$dir.head"
like "$(cat "$dir.head")" $"Content-Length: ${#want}"$'\r' "HEAD has the GET's Content-Length"
is "$(tail -c 4 "$dir.head" | od -An -c | tr -d ' ')" '\r\n\r\n' "HEAD has no body: the answer ends with its head"

# Host matching SNI: case, port and trailing dot do not matter.
code=$(fetch mta-sts.a.example -H "Host: MTA-STS.A.Example.:$HTTPS" -o /dev/null -w '%{http_code}')
is "$code" 200 "Host in other case, with port and trailing dot: 200"
code=$(fetch mta-sts.a.example -H "Host: mta-sts.b.example" -o /dev/null -w '%{http_code}')
is "$code" 421 "Host other than SNI: 421 Misdirected Request"

# Other hosts, paths and methods.
code=$(fetch mta-sts.b.example -o /dev/null -w '%{http_code}')
is "$code" 404 "host with a certificate but no policy: 404"
code=$(curl -s --cacert "$I/ca/ca.pem" --resolve "mta-sts.a.example:$HTTPS:127.0.0.1" \
	-o /dev/null -w '%{http_code}' "https://mta-sts.a.example:$HTTPS/")
is "$code" 404 "other path: 404"
out=$(fetch mta-sts.a.example -X POST -d x -D - -o /dev/null)
like "$out" '^HTTP/1.1 405 ' "POST to the policy path: 405"
like "$out" $'Allow: GET, HEAD\r' "405 says Allow: GET, HEAD"
curl -s --max-time 5 --cacert "$I/ca/ca.pem" --resolve "mta-sts.c.example:$HTTPS:127.0.0.1" \
	"https://mta-sts.c.example:$HTTPS$POLICY_PATH" >/dev/null 2>&1
is "$?" 35 "host without certificate: handshake refused (curl exit 35)"
out=$(echo | timeout 5 openssl s_client -connect "127.0.0.1:$HTTPS" -servername mta-sts.c.example 2>&1)
like "$out" 'unrecognized name' "host without certificate: alert unrecognized_name"
out=$(echo | timeout 5 openssl s_client -connect "127.0.0.1:$HTTPS" -noservername 2>&1)
like "$out" 'unrecognized name' "no SNI: alert unrecognized_name"

# TLS versions.
code=$(fetch mta-sts.a.example --tlsv1.2 --tls-max 1.2 -o /dev/null -w '%{http_code}')
is "$code" 200 "TLS 1.2 accepted"
code=$(fetch mta-sts.a.example --tlsv1.3 -o /dev/null -w '%{http_code}')
is "$code" 200 "TLS 1.3 accepted"
out=$(echo | timeout 5 openssl s_client -connect "127.0.0.1:$HTTPS" -servername mta-sts.a.example \
	-tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' 2>&1)
unlike "$out" 'Cipher is [A-Z]' "TLS 1.1 refused: no session"
like "$out" 'alert protocol version|no protocols available|unsupported protocol|wrong version' \
	"TLS 1.1 refused with a protocol alert"

# Plain HTTP: no policy there.
out=$(raw_plain "GET $POLICY_PATH HTTP/1.1\r\nHost: mta-sts.a.example\r\nConnection: close\r\n\r\n")
like "$out" '^HTTP/1.1 404 ' "plain HTTP: 404 for the policy path"

# Changes.
$STSCTL domain set a.example --mode enforce --force >/dev/null
ok "a change is served within 1 s" \
	wait_until 1 sh -c "curl -sf --cacert $I/ca/ca.pem --resolve mta-sts.a.example:$HTTPS:127.0.0.1 https://mta-sts.a.example:$HTTPS$POLICY_PATH | grep -q 'mode: enforce'"
$STSCTL domain del a.example --now >/dev/null 2>&1
ok "a removed domain gets 404 within 1 s" \
	wait_until 1 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --cacert $I/ca/ca.pem --resolve mta-sts.a.example:$HTTPS:127.0.0.1 https://mta-sts.a.example:$HTTPS$POLICY_PATH)\" = 404 ]"

# maxproc 2: both processes run and serve.
n=$(pgrep -f -- "-n 127.0.0.1:$HTTPS " | wc -l)
is "$n" 2 "maxproc 2: two httpd processes for the HTTPS service"
$STSCTL domain add b.example --mx mx.b.example >/dev/null
sleep 0.5
good=0
for i in $(seq 20); do
	[ "$(fetch mta-sts.b.example -o /dev/null -w '%{http_code}')" = 200 ] && good=$((good + 1))
done
is "$good" 20 "maxproc 2: 20 new connections all served"

# 2,000 idle connections (still open on the server's side) do not keep
# a new client out.
if ulimit -n 8192 2>/dev/null; then
	fds=()
	for i in $(seq 2000); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$HTTPS" && fds+=("$fd")
	done 2>/dev/null
	is "${#fds[@]}" 2000 "2,000 idle connections open"
	code=$(fetch mta-sts.b.example -o /dev/null -w '%{http_code}')
	is "$code" 200 "a new client is served while 2,000 connections idle"
	n=$(ss -Htn state established "( sport = :$HTTPS )" | wc -l)
	ok "... and httpd still holds them ($n)" [ "$n" -ge 2000 ]
	for fd in "${fds[@]}"; do exec {fd}>&-; done
else
	note "cannot raise the descriptor limit: 2,000 connections not tried"
fi

# An import pushes a change per domain: each process logs at most 20 a
# second one by one and counts the rest in one line per second, so that
# every change is accounted for and the log does not grow by a line per
# domain and process.
LOG=$dir/log/stsd.log
seq 300 | sed 's/.*/bulk&.example mx.bulk.example/' >"$dir.bulk"
$STSCTL domain import "$dir.bulk" >/dev/null || fail "stsctl domain import"
# accounted PID: changes of bulk domains that httpd[PID] logged or counted
accounted() {
	awk -v p="httpd[$1]:" 'index($0, p) == 0 { next }
		/: mta-sts\.bulk[0-9]+\.example: serving policy id / { n++ }
		/more policy changes? in the last second/ {
			for (i = 1; i <= NF; i++) if ($i == "more") n += $(i - 1) }
		END { print n + 0 }' "$LOG"
}
pids=$(sed -n 's/.*httpd\[\([0-9]*\)\]: mta-sts\.bulk[0-9]*\.example: serving.*/\1/p' "$LOG" | sort -u)
ok "the httpd processes (HTTPS and HTTP) log the imported changes" \
	test "$(echo "$pids" | wc -w)" -ge 2
for p in $pids; do
	for i in $(seq 50); do [ "$(accounted "$p")" = 300 ] && break; sleep 0.1; done
	is "$(accounted "$p")" 300 "httpd[$p]: every one of the 300 changes is logged or counted"
	one=$(grep -c "httpd\[$p\]: mta-sts\.bulk[0-9]*\.example: serving policy id" "$LOG")
	ok "httpd[$p]: $one of them logged one by one (at most 20 a second)" \
		test "$one" -ge 1 -a "$one" -le 60
done
like "$(grep 'more policy changes in the last second' "$LOG" | head -1)" \
	'httpd\[[0-9]+\]: policyd: [0-9]+ more policy changes in the last second \([0-9]+ served, 0 withdrawn\), not logged one by one' \
	"the others are said in one line per second"
is "$(fetch mta-sts.b.example -o /dev/null -w '%{http_code}')" 200 \
	"served as before"

unlike "$(grep -E 'httpd.*(fatal|panic)|AddressSanitizer' "$dir/log/stsd.log")" . "no fatal error in the log"
done_testing
