# tests/httpd/rua.t - TLS reports POSTed to httpd (RFC 8460 section 3,
# rua=https:): gzip and json reports over HTTPS (curl) are answered 200
# once spooled, rptparse stores them (stsctl report: via https); each
# refusal (404, 405, 411, 413, 415, 400, 501, 421, 408) with its reason
# and nothing left in the spool; a body larger than message_size_limit,
# chunked or not; a client gone in the middle of a body; keep-alive after
# a POST; the plain HTTP service refuses reports by default; 404 at once,
# the body unread, for a host without a hosted policy and with
# report_https_rua = no; 429 with Retry-After over
# httpd_report_client_limit; 503 with Retry-After over
# httpd_report_upload_limit.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/httpd/instance.sh"

inst_need httpd policyd master rptparse stsctl
t_need curl jq

FIX=$SRCDIR/tests/rptparse/fixtures
T=$(t_tmpdir)
dir=$T/i
httpd_instance "$dir" httpd_body_timeout=2s message_size_limit=64k acme_enabled=no \
	report_https_rua=yes ||
	{ fail "instance starts"; cat "$dir/log/stsd.log"; done_testing; }
pass "instance with httpd and rptparse starts"
# Reports are taken for hosted domains whose policy httpd serves.
quiet $STSCTL domain add a.example --mx mx.a.example
wait_until 5 fetch mta-sts.a.example -f -o /dev/null || fail "policy served"
SP=$dir/spool
URL=https://mta-sts.a.example:$HTTPS/tlsrpt
wait_until 10 test -S "$SP/private/rptparse" || fail "rptparse listens"

# post FILE TYPE [curl options]: POSTs FILE; prints the body, then the status.
post() {
	local file=$1 type=$2; shift 2
	curl -sS --max-time 10 --cacert "$I/ca/ca.pem" \
		--resolve "mta-sts.a.example:$HTTPS:127.0.0.1" \
		-H "Content-Type: $type" --data-binary "@$file" \
		-w '\n%{http_code}\n' "$@" "$URL"
}
status_of() { tail -1 <<<"$1"; }
# Every message file of the spool, temporary ones too.
spool_files() { find "$SP/incoming" "$SP/active" "$SP/deferred" "$SP/corrupt" -type f | sort; }
spool_idle() { [ -z "$(find "$SP/incoming" "$SP/active" -type f)" ]; }
report_via() {	# report-id: its "via", once rptparse stored it
	local id
	id=$($STSCTL report list --json 2>/dev/null | jq -r --arg r "$1" \
		'[.reports[] | select(."report-id" == $r)][0].id')
	[ -n "$id" ] && [ "$id" != null ] && $STSCTL report show "$id" --json | jq -r .via
}
stored_via() { [ "$(report_via "$1")" = "$2" ]; }

gzip -9nc "$FIX/rfc8460.json" >"$T/rfc.json.gz"

# 1. A gzip report over HTTPS: 200 after it is spooled, stored by rptparse.
out=$(post "$T/rfc.json.gz" application/tlsrpt+gzip)
is "$(status_of "$out")" 200 "gzip report: 200"
like "$out" '^200 OK: report accepted as [0-9]{14}\.[0-9]{6}\.[0-9]{10}\.[0-9]{6}$' \
	"200 names the spool id"
id=$(sed -n 's/^200 OK: report accepted as //p' <<<"$out")
like "$(cat "$dir/log/stsd.log")" "httpd.*report of $(wc -c <"$T/rfc.json.gz") bytes spooled as $id" \
	"the report is logged with its size and id"
ok "rptparse stores it, via https" wait_until 15 stored_via 5065427c-23d3-47ca-b6e0-946ea0e8c4be https
ok "the spool is empty again" wait_until 10 spool_idle

# 2. The same as application/tlsrpt+json, with parameters and another case.
out=$(post "$FIX/mailru.json" 'Application/TLSRPT+JSON; charset=utf-8')
is "$(status_of "$out")" 200 "json report: 200"
ok "json report stored, via https" wait_until 15 stored_via 19b6b3a1f6c5e8d2@mail.ru https

# 3. Chunked, with Expect: 100-continue (curl waits 10 s for the 100).
t0=$SECONDS
out=$(post "$T/rfc.json.gz" application/tlsrpt+gzip -H 'Transfer-Encoding: chunked' \
	-H 'Expect: 100-continue' --expect100-timeout 10)
is "$(status_of "$out")" 200 "chunked report with Expect: 100-continue: 200"
ok "100 Continue came at once" [ $((SECONDS - t0)) -lt 5 ]
ok "spool empty after the chunked report" wait_until 10 spool_idle

# 4. What the spool holds: a json report that rptparse cannot parse ends
# in corrupt/, byte for byte as httpd wrote it.
printf '{"not": "a report"}' >"$T/bad.json"
out=$(post "$T/bad.json" application/tlsrpt+json)
is "$(status_of "$out")" 200 "unparseable json report: 200 (spooled first)"
id=$(sed -n 's/^200 OK: report accepted as //p' <<<"$out")
ok "rptparse files it in corrupt/" wait_until 15 test -e "$SP/corrupt/$id"
printf 'X-Stsd-Via: https\r\nContent-Type: application/tlsrpt+json\r\n\r\n{"not": "a report"}' >"$T/expect"
ok "spooled as X-Stsd-Via: https, the Content-Type, the body" cmp -s "$T/expect" "$SP/corrupt/$id"
[ "$(id -u)" = 0 ] && is "$(stat -c %U "$SP/corrupt/$id")" "$(inst_owner)" \
	"written by httpd as mail_owner"

# 5. Refusals: the status, the reason, nothing in the spool, connection closed.
before=$(spool_files)
refused() {	# name status reason-pattern output
	is "$(status_of "$4")" "$2" "$1: $2"
	like "$4" "^$2 [A-Za-z ]+: $3" "$1: the reason"
}
out=$(post "$T/rfc.json.gz" application/json)
refused "wrong Content-Type" 415 "Content-Type must be application/tlsrpt\+gzip or application/tlsrpt\+json" "$out"
out=$(post "$T/rfc.json.gz" "")
refused "no Content-Type" 415 "Content-Type must be" "$out"
head -c 70000 /dev/urandom >"$T/big"
out=$(post "$T/big" application/tlsrpt+gzip)
refused "Content-Length over message_size_limit" 413 "report larger than the size limit" "$out"
{ printf '\x1f\x8b'; head -c 70000 /dev/zero; } >"$T/big.gz"
out=$(post "$T/big.gz" application/tlsrpt+gzip -H 'Transfer-Encoding: chunked')
refused "chunked body over message_size_limit" 413 "report larger than the size limit" "$out"
is "$(spool_files)" "$before" "nothing spooled for the 415 and 413 refusals"
head -c 65536 /dev/zero | tr '\0' x >"$T/limit"
out=$(post "$T/limit" application/tlsrpt+json)
is "$(status_of "$out")" 200 "a body of exactly message_size_limit: 200"
ok "it goes to corrupt/ (not a report)" wait_until 15 spool_idle
before=$(spool_files)
out=$(post "$FIX/rfc8460.json" application/tlsrpt+gzip)
refused "gzip report without the gzip magic" 400 "not gzip data" "$out"
: >"$T/empty"
out=$(post "$T/empty" application/tlsrpt+json)
refused "empty body" 400 "empty report" "$out"
out=$(curl -sS --max-time 10 --cacert "$I/ca/ca.pem" --resolve "mta-sts.a.example:$HTTPS:127.0.0.1" \
	-w '\n%{http_code}\n' -D "$T/headers" "$URL")
refused "GET on the report path" 405 "reports are sent with POST" "$out"
like "$(cat "$T/headers")" $'Allow: POST\r' "405 says Allow: POST"
out=$(curl -sS --max-time 10 --cacert "$I/ca/ca.pem" --resolve "mta-sts.a.example:$HTTPS:127.0.0.1" \
	-H 'Content-Type: application/tlsrpt+gzip' --data-binary "@$T/rfc.json.gz" \
	-w '\n%{http_code}\n' "https://mta-sts.a.example:$HTTPS/other")
is "$(status_of "$out")" 404 "POST to another path: 404"
H="POST /tlsrpt HTTP/1.1\r\nHost: mta-sts.a.example\r\nContent-Type: application/tlsrpt+json\r\n"
out=$(raw_tls mta-sts.a.example "${H}Connection: close\r\n\r\n{}")
like "$out" '^HTTP/1.1 411 Length Required' "no Content-Length: 411"
like "$out" 'Content-Length or chunked Transfer-Encoding required' "411: the reason"
out=$(raw_tls mta-sts.a.example "${H}Transfer-Encoding: gzip\r\n\r\n{}")
like "$out" '^HTTP/1.1 501 Not Implemented' "another transfer coding: 501"
out=$(raw_tls mta-sts.a.example "${H/a.example/b.example}Content-Length: 2\r\n\r\n{}")
like "$out" '^HTTP/1.1 421 ' "Host other than SNI: 421"
out=$(raw_tls mta-sts.a.example "${H}Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\nzz\r\n")
like "$out" '^HTTP/1.1 400 Bad Request' "malformed chunked coding: 400"
like "$out" $'Connection: close\r' "refusals close the connection"
out=$(raw_plain "POST /tlsrpt HTTP/1.1\r\nHost: mta-sts.a.example\r\nContent-Type: application/tlsrpt+json\r\nContent-Length: 2\r\n\r\n{}")
like "$out" '^HTTP/1.1 404 ' "plain HTTP takes no reports (httpd_plain_reports = no)"
out=$(raw_tls mta-sts.a.example "HEAD /tlsrpt HTTP/1.1\r\nHost: mta-sts.a.example\r\n\r\n")
like "$out" '^HTTP/1.1 405 ' "HEAD on the report path: 405"
unlike "$out" 'reports are sent with POST' "HEAD: no body in the answer"

# A body slower than httpd_body_timeout (2 s): 408, nothing spooled.
t0=$SECONDS
out=$( { printf "${H}Content-Length: 100\r\n\r\n{\"a\":"; sleep 4; } |
	timeout 10 openssl s_client -quiet -connect "127.0.0.1:$HTTPS" \
	-servername mta-sts.a.example -CAfile "$I/ca/ca.pem" 2>/dev/null)
like "$out" '^HTTP/1.1 408 Request Timeout' "body slower than httpd_body_timeout: 408"
ok "408 after about httpd_body_timeout" [ $((SECONDS - t0)) -ge 2 ]
like "$(cat "$dir/log/stsd.log")" 'report body not complete after 2 s' "the slow body is logged"

# A client that goes away in the middle of a body (before the time-out).
n408=$(grep -c 'report body not complete' "$dir/log/stsd.log")
{ printf "${H}Content-Length: 1000\r\n\r\n{\"a\":"; sleep 3; } |
	timeout 1 openssl s_client -quiet -connect "127.0.0.1:$HTTPS" \
	-servername mta-sts.a.example -CAfile "$I/ca/ca.pem" >/dev/null 2>&1
sleep 2.5
is "$(grep -c 'report body not complete' "$dir/log/stsd.log")" "$n408" \
	"a client gone in the middle of a body: dropped at once, no time-out"
is "$(spool_files)" "$before" "nothing spooled by any refused or unfinished report"
like "$(grep 'report refused' "$dir/log/stsd.log")" '415 Unsupported Media Type' \
	"refusals are logged with the status"

# 6. Keep-alive: a POST, then a GET on the same connection.
out=$(curl -sS --max-time 10 --cacert "$I/ca/ca.pem" \
	--resolve "mta-sts.a.example:$HTTPS:127.0.0.1" \
	-H 'Content-Type: application/tlsrpt+gzip' --data-binary "@$T/rfc.json.gz" \
	-o /dev/null -w '%{http_code} %{num_connects}\n' "$URL" \
	--next --cacert "$I/ca/ca.pem" --resolve "mta-sts.a.example:$HTTPS:127.0.0.1" \
	-o /dev/null -w '%{http_code} %{num_connects}\n' \
	"https://mta-sts.a.example:$HTTPS$POLICY_PATH")
is "$(echo $out)" "200 1 200 0" "POST then GET on one connection: both 200, one connect"
req="${H}Content-Length: 19\r\n\r\n{\"not\": \"a report\"}GET $POLICY_PATH HTTP/1.1\r\nHost: mta-sts.a.example\r\nConnection: close\r\n\r\n"
out=$(raw_tls mta-sts.a.example "$req")
is "$(grep -c '^HTTP/1.1 200' <<<"$out")" 2 "pipelined POST and GET: two answers"

# 7. httpd_plain_reports = yes: the plain HTTP service takes reports too.
sed -i 's/httpd -o httpd_tls=no$/httpd -o httpd_tls=no -o httpd_plain_reports=yes/' "$dir/etc/master.cf"
kill -HUP "$(head -1 "$SP/pid/master.pid")"
plain_post() {
	raw_plain "POST /tlsrpt HTTP/1.1\r\nHost: mta-sts.a.example\r\nContent-Type: application/tlsrpt+json\r\nContent-Length: 19\r\nConnection: close\r\n\r\n{\"not\": \"a report\"}"
}
ok "after a reload, plain HTTP takes reports (200)" wait_until 10 bash -c \
	"$(declare -f raw_plain plain_post); I=$I HTTP=$HTTP plain_post | grep -q '^HTTP/1.1 200 '"
ok "spool idle at the end" wait_until 15 spool_idle

# 8. Hosts that take no reports: 404 at once, the body unread.  b.example
# has a certificate but is not hosted; the POST announces 60000 bytes
# and sends none (httpd_body_timeout is 2 s: a read body would be 408).
before=$(spool_files)
# unread HOST: the answer to a POST whose body never comes (the client
# stays connected for 4 s), in $T/unread; prints the seconds until the
# server closed the connection.
unread() {
	local t0
	t0=$(date +%s.%N)
	{ printf "POST /tlsrpt HTTP/1.1\r\nHost: $1\r\nContent-Type: application/tlsrpt+json\r\nContent-Length: 60000\r\n\r\n"; sleep 4; } |
		{ timeout 10 openssl s_client -quiet -connect "127.0.0.1:$HTTPS" \
		-servername "$1" -CAfile "$I/ca/ca.pem" 2>/dev/null >"$T/unread"
		date +%s.%N >"$T/unread.end"; }
	awk -v a="$(cat "$T/unread.end")" -v b="$t0" 'BEGIN { printf "%.1f\n", a - b }'
}
# lt A B: A < B (decimals)
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
# https_pids: the pids of the HTTPS service; reloaded OLD: new ones run.
https_pids() { awk -v s="127.0.0.1:$HTTPS" '$1 == s && $4 == "running" { print $3 }' "$SP/pid/services" | sort | tr '\n' ' '; }
reloaded() { local p; p=$(https_pids); [ -n "$p" ] && [ "$p" != "$1" ] && [ "$(wc -w <<<"$p")" = 2 ]; }
# https_reload DESC OPTION...: the HTTPS service runs with these options
# of master.cf (-o name=value) in place of its others, after a reload.
https_reload() {
	local desc=$1 old; shift
	sed -i -E "s|^(127\.0\.0\.1:$HTTPS .* httpd)( .*)?\$|\1 $*|" "$dir/etc/master.cf"
	old=$(https_pids)
	kill -HUP "$(head -1 "$SP/pid/master.pid")"
	ok "reload: new HTTPS processes with $desc" wait_until 15 reloaded "$old"
}
took=$(unread mta-sts.b.example)
like "$(cat "$T/unread")" '^HTTP/1.1 404 Not Found' "POST for a domain that is not hosted: 404"
like "$(cat "$T/unread")" '404 Not Found: no TLS reports are taken for this host' "404: the reason"
ok "the 404 comes at once and the connection ends, the body unread (${took} s; httpd_body_timeout 2 s)" lt "$took" 2
unlike "$(cat "$T/unread")" '408' "no 408: httpd did not wait for the body"
out=$(curl -sS --max-time 10 --cacert "$I/ca/ca.pem" --resolve "mta-sts.b.example:$HTTPS:127.0.0.1" \
	-H 'Content-Type: application/tlsrpt+gzip' --data-binary "@$T/rfc.json.gz" \
	-w '\n%{http_code}\n' "https://mta-sts.b.example:$HTTPS/tlsrpt")
is "$(status_of "$out")" 404 "a whole report for a domain that is not hosted: 404"
is "$(spool_files)" "$before" "nothing spooled for a domain that is not hosted"

# 9. httpd_report_client_limit = 2 (per httpd process; the HTTPS service
# has 2): of 5 POSTs from one client the first 2 are taken, and at least
# one is answered 429 with Retry-After within the window, unread.
https_reload "the limit" -o httpd_report_client_limit=2 -o httpd_report_client_window=30s
wait_until 10 fetch mta-sts.a.example -f -o /dev/null
codes=""
for i in 1 2 3 4 5; do
	out=$(curl -sS --max-time 10 --cacert "$I/ca/ca.pem" --resolve "mta-sts.a.example:$HTTPS:127.0.0.1" \
		-H 'Content-Type: application/tlsrpt+gzip' --data-binary "@$T/rfc.json.gz" \
		-D "$T/h$i" -w '\n%{http_code}\n' "$URL")
	codes="$codes $(status_of "$out")"
	[ "$(status_of "$out")" = 429 ] && last429=$out && h429=$T/h$i
done
like "$codes" '^ 200 200 ' "the first 2 POSTs of a client are taken"
like "$codes" '429' "a client over httpd_report_client_limit gets 429 ($codes)"
like "${last429:-}" '429 Too Many Requests: too many reports from this client; see Retry-After' "429: the reason"
retry=$(sed -n 's/^Retry-After: \([0-9]*\)\r$/\1/p' "${h429:-/dev/null}")
ok "429 says Retry-After, within the window (${retry:-none} s)" \
	[ -n "$retry" ] && [ "$retry" -ge 1 ] && [ "$retry" -le 30 ]
like "$(cat "$dir/log/stsd.log")" 'report refused: 429 Too Many Requests' "the 429 is logged"
ok "spool idle after the limited POSTs" wait_until 15 spool_idle

# 9b. httpd_report_upload_limit = 1 (per process; the HTTPS service has
# 2): of 3 bodies begun at once, at least one finds its process receiving
# one already and gets 503 with Retry-After, unread; once they end, a
# report is taken again.  httpd_body_timeout 20s keeps the others open.
https_reload "httpd_report_upload_limit = 1" -o httpd_report_upload_limit=1 -o httpd_body_timeout=20s
wait_until 10 fetch mta-sts.a.example -f -o /dev/null
before=$(spool_files)
for i in 1 2 3; do
	{ printf "${H}Content-Length: 1000\r\n\r\n{\"a\":"; sleep 5; } |
		timeout 10 openssl s_client -quiet -connect "127.0.0.1:$HTTPS" \
		-servername mta-sts.a.example -CAfile "$I/ca/ca.pem" \
		>"$T/up$i" 2>/dev/null &
done
wait
n503=$(grep -l '^HTTP/1.1 503 Service Unavailable' "$T"/up[123] | wc -l)
ok "3 bodies at once over 2 processes of 1 upload each: 503 for ${n503} (1 or more)" \
	[ "$n503" -ge 1 ] && [ "$n503" -le 2 ]
like "$(cat "$T"/up[123])" '503 Service Unavailable: too many reports being received; see Retry-After' \
	"503: the reason"
like "$(cat "$T"/up[123])" $'Retry-After: 60\r' "503 says Retry-After: 60"
like "$(cat "$dir/log/stsd.log")" 'report bodies being received: the limit \(httpd_report_upload_limit\)' \
	"the limit is logged"
like "$(cat "$dir/log/stsd.log")" 'report refused: 503 Service Unavailable' "the 503 is logged"
is "$(spool_files)" "$before" "nothing spooled by the refused and the unfinished bodies"
out=$(post "$T/rfc.json.gz" application/tlsrpt+gzip)
is "$(status_of "$out")" 200 "once the bodies ended, a report is taken again"
ok "spool idle after the upload limit" wait_until 15 spool_idle

# 10. report_https_rua = no (the default): no report is taken at all.
https_reload "report_https_rua = no" -o report_https_rua=no
rua_off() { [ "$(curl -s --max-time 5 --cacert "$I/ca/ca.pem" --resolve "mta-sts.a.example:$HTTPS:127.0.0.1" \
	-H 'Content-Type: application/tlsrpt+gzip' --data-binary "@$T/rfc.json.gz" \
	-o /dev/null -w '%{http_code}' "$URL")" = 404 ]; }
ok "report_https_rua = no: a report for a hosted domain gets 404" wait_until 15 rua_off
before=$(spool_files)
took=$(unread mta-sts.a.example)
like "$(cat "$T/unread")" '^HTTP/1.1 404 Not Found' "report_https_rua = no: 404 for a POST whose body never comes"
ok "... at once, the body unread (${took} s)" lt "$took" 2
is "$(spool_files)" "$before" "nothing spooled with report_https_rua = no"
like "$(fetch mta-sts.a.example -w '%{http_code}' -o /dev/null)" '^200$' "the policy is still served"

done_testing
