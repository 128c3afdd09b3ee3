# tests/httpd/fetchlog.t - policy fetches matched with reports (issue 21,
# item 3): httpd records each request it answers on HTTPS and each failed
# TLS handshake, rptparse keeps them in fetches.db, "stsctl fetch list"
# lists them, and "stsctl report show" says, next to an
# sts-policy-fetch-error or sts-webpki-invalid failure, what httpd saw
# from its sending-mta-ip: a fetch that failed with an unknown SNI, then
# with a missing certificate, from 127.0.0.2; no fetch at all; no
# address given.  Hostile cases: an SNI with control characters shown
# escaped, a path cut to its limit, a handshake that never comes
# (timeout), a datagram with huge numbers on the socket, and a flood of
# handshakes: the store keeps fetch_log_domain_limit rows and httpd
# keeps serving.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/httpd/instance.sh"

inst_need httpd policyd master rptparse stsctl
t_need curl jq python3

HS=$SRCDIR/tests/httpd/handshakes.py
T=$(t_tmpdir)
dir=$T/i
LIMIT=50
httpd_instance "$dir" acme_enabled=no report_https_rua=yes \
	httpd_request_timeout=2s fetch_log_domain_limit=$LIMIT ||
	{ fail "instance starts"; cat "$dir/log/stsd.log"; done_testing; }
pass "instance with httpd and rptparse starts"
SP=$dir/spool
# a.example has its certificate; c.example is hosted, its certificate
# is not in the store.
quiet $STSCTL domain add a.example --mx mx.a.example
quiet $STSCTL domain add c.example --mx mx.c.example
ok "policy of a.example served" wait_until 10 fetch mta-sts.a.example -f -o /dev/null
ok "rptparse listens for fetch records" wait_until 10 test -S "$SP/private/fetchlog"

# from ADDR HOST [PATH]: a GET from source address ADDR; prints the status.
from() {
	curl -s --max-time 10 --cacert "$I/ca/ca.pem" --interface "$1" \
		--resolve "$2:$HTTPS:127.0.0.1" -o /dev/null -w '%{http_code}' \
		"https://$2:$HTTPS${3:-$POLICY_PATH}"
}
# rows DOMAIN [options]: the JSON rows of stsctl fetch list.
rows() { local d=$1; shift; $STSCTL fetch list "$d" --json "$@" | jq -c '.fetches'; }
nrows() { [ "$(rows "$1" --limit 100000 | jq length)" -ge "$2" ]; }

start=$(date -u +%s)
# 1. Failed fetches from 127.0.0.2: an unknown SNI, then a hosted domain
# without certificate; then a 200 and a 404 from other addresses.
is "$(from 127.0.0.2 mta-sts.unknown.example)" 000 "unknown SNI: no handshake"
is "$(from 127.0.0.2 mta-sts.c.example)" 000 "no certificate: no handshake"
is "$(from 127.0.0.3 mta-sts.a.example)" 200 "a fetch from 127.0.0.3: 200"
sleep 1.1	# records are in order of their second (each process batches its own)
is "$(from 127.0.0.4 mta-sts.a.example /nothing)" 404 "another path from 127.0.0.4: 404"

ok "the unknown SNI is recorded within seconds" wait_until 10 nrows unknown.example 1
r=$(rows unknown.example)
is "$(jq -r '.[0] | [.client, .status, .failure, .sni, .hosted] | @tsv' <<<"$r")" \
	"$(printf '127.0.0.2\t0\tunknown-sni\tmta-sts.unknown.example\tfalse')" \
	"fetch list: unknown-sni from 127.0.0.2, not hosted"
ok "the missing certificate is recorded" wait_until 10 nrows c.example 1
r=$(rows c.example)
is "$(jq -r '.[0] | [.client, .status, .failure, .sni, .hosted] | @tsv' <<<"$r")" \
	"$(printf '127.0.0.2\t0\tno-certificate\tmta-sts.c.example\ttrue')" \
	"fetch list: no-certificate from 127.0.0.2, hosted"
# (Without the instance's own fetches, from 127.0.0.1.)
theirs() { rows a.example | jq -c '[.[] | select(.client != "127.0.0.1")]'; }
theirs_are() { [ "$(theirs | jq length)" = "$1" ]; }
ok "both fetches of a.example are recorded" wait_until 10 theirs_are 2
r=$(theirs)
is "$(jq -r '.[] | [.client, .status, .path, ."tls-version"] | @tsv' <<<"$r")" \
	"$(printf '127.0.0.4\t404\t/nothing\tTLSv1.3\n127.0.0.3\t200\t%s\tTLSv1.3' "$POLICY_PATH")" \
	"fetch list a.example: newest first, status, path, TLS version"
ok "each has a time and a duration" \
	[ "$(jq '[.[] | select((.time | fromdateiso8601) >= '"$start"' - 1 and ."duration-ms" >= 0 and .host == "mta-sts.a.example")] | length' <<<"$r")" = 2 ]
out=$($STSCTL fetch list a.example)
like "$out" '^TIME +CLIENT +SNI +RESULT +TLS +MS +HOST +PATH' "text: a header"
like "$out" "127\.0\.0\.3 +mta-sts\.a\.example +200 +TLSv1\.3" "text: the 200 of 127.0.0.3"
out=$($STSCTL fetch list a.example --limit 1)
is "$(grep -c '127\.0\.0\.' <<<"$out")" 1 "--limit 1: one row"
like "$out" 'older fetches not shown: --limit 1' "--limit says that more are kept"
is "$($STSCTL fetch list a.example --since 2099-01-01)" "no fetches recorded for a.example" \
	"--since after them: none"
is "$($STSCTL fetch list A.Example. --json | jq -c .fetches)" "$(rows a.example)" \
	"the domain without case or final dot"
out=$($STSCTL fetch list 'bad domain!' 2>&1)
is "$?" 1 "a bad domain: exit 1"
like "$out" 'not a domain name' "... saying why"

# 2. A report whose failures name 127.0.0.2, 127.0.0.9 and no address,
# POSTed over HTTPS; report show says what httpd saw from each.
rfc3339() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
cat >"$T/report.json" <<EOF
{"organization-name": "Sender-Y", "contact-info": "tlsrpt@sender-y.example",
 "report-id": "fetchlog-1",
 "date-range": {"start-datetime": "$(rfc3339 $((start - 3600)))",
                "end-datetime": "$(rfc3339 $((start + 600)))"},
 "policies": [{"policy": {"policy-type": "sts", "policy-domain": "c.example",
   "policy-string": ["version: STSv1", "mode: testing", "mx: mx.c.example",
   "max_age: 86400"], "mx-host": ["mx.c.example"]},
  "summary": {"total-successful-session-count": 0,
              "total-failure-session-count": 6},
  "failure-details": [
   {"result-type": "sts-policy-fetch-error", "sending-mta-ip": "127.0.0.2",
    "receiving-mx-hostname": "mx.c.example", "failed-session-count": 3},
   {"result-type": "sts-webpki-invalid", "sending-mta-ip": "127.0.0.9",
    "receiving-mx-hostname": "mx.c.example", "failed-session-count": 2},
   {"result-type": "sts-policy-fetch-error",
    "receiving-mx-hostname": "mx.c.example", "failed-session-count": 1}]}]}
EOF
post() {
	curl -sS --max-time 10 --cacert "$I/ca/ca.pem" \
		--resolve "mta-sts.a.example:$HTTPS:127.0.0.1" \
		-H "Content-Type: application/tlsrpt+json" --data-binary "@$1" \
		-o /dev/null -w '%{http_code}' "https://mta-sts.a.example:$HTTPS/tlsrpt"
}
report_id() {
	$STSCTL report list --json 2>/dev/null | jq -r --arg r "$1" \
		'[.reports[] | select(."report-id" == $r)][0].id // empty'
}
stored() { test -n "$(report_id "$1")"; }	# a function: run at each try
is "$(post "$T/report.json")" 200 "the report is accepted"
ok "rptparse stores it" wait_until 15 stored fetchlog-1
id=$(report_id fetchlog-1)
out=$($STSCTL report show "$id")
is "$(grep -A2 'sending-mta-ip: 127\.0\.0\.2' <<<"$out" | sed -n 3p)" \
	"        httpd saw: the TLS handshake failed: no-certificate (1 time, SNI mta-sts.c.example); the TLS handshake failed: unknown-sni (1 time, SNI mta-sts.unknown.example)" \
	"report show: what httpd saw from 127.0.0.2 (unknown SNI, no certificate)"
like "$out" "httpd saw: no fetch arrived from 127\.0\.0\.9" \
	"report show: sts-webpki-invalid from an address that never came"
like "$out" "httpd saw: the failure gives no sending-mta-ip" \
	"report show: a failure without sending-mta-ip says it cannot be tied"
is "$($STSCTL report show "$id" --json | jq -r '.policies[0]."failure-details"[0]."httpd-saw"')" \
	"the TLS handshake failed: no-certificate (1 time, SNI mta-sts.c.example); the TLS handshake failed: unknown-sni (1 time, SNI mta-sts.unknown.example)" \
	"report show --json: httpd-saw"

# The same line on the domain's page of the dashboard.
$STSCTL report html c.example >"$T/page.html"
like "$(cat "$T/page.html")" '<h3>Policy fetch failures and what httpd saw</h3>' \
	"report html: the section of fetch failures"
like "$(cat "$T/page.html")" "<tr class=\"fetch-failure\" data-report=\"$id\"><td class=\"report\">$id</td><td class=\"sender\">Sender-Y</td><td class=\"type\">sts-policy-fetch-error</td><td class=\"ip\">127\.0\.0\.2</td><td class=\"httpd-saw\">the TLS handshake failed: no-certificate \(1 time, SNI mta-sts\.c\.example\); the TLS handshake failed: unknown-sni \(1 time, SNI mta-sts\.unknown\.example\)</td></tr>" \
	"report html: what httpd saw from 127.0.0.2, as report show says"
like "$(cat "$T/page.html")" '<td class="httpd-saw">no fetch arrived from 127\.0\.0\.9</td>' \
	"report html: no fetch from 127.0.0.9"

# 3. Hostile: an SNI with control characters, a long path, a client
# that never sends its ClientHello, one that closes before it.
is "$(python3 "$HS" 127.0.0.5 "$HTTPS" 'mta-sts.x\x1b[31m\x7f.example' 1)" 1 \
	"an SNI with control characters: no handshake"
long=/$(head -c 5000 /dev/zero | tr '\0' a)
is "$(from 127.0.0.3 mta-sts.a.example "$long")" 404 "a path of 5001 bytes: 404"
python3 "$HS" 127.0.0.7 "$HTTPS" - 0 silent 4
python3 "$HS" 127.0.0.10 "$HTTPS" - 0 silent 0.2
jq '."report-id" = "fetchlog-2" | .policies[0]."failure-details" |=
	[.[0] + {"sending-mta-ip": "127.0.0.5"}, .[1] + {"sending-mta-ip": "127.0.0.7"},
	 .[2] + {"sending-mta-ip": "127.0.0.10"}]' "$T/report.json" >"$T/report2.json"
ok "the long path is recorded, cut to 256 bytes" wait_until 10 sh -c \
	"$STSCTL fetch list a.example --json | jq -e '[.fetches[] | select(.path | length == 256)] | length == 1' >/dev/null"
is "$(post "$T/report2.json")" 200 "a second report, for 127.0.0.5, 127.0.0.7 and 127.0.0.10"
ok "rptparse stores it" wait_until 15 stored fetchlog-2
out=$($STSCTL report show "$(report_id fetchlog-2)")
like "$out" 'httpd saw: the TLS handshake failed: unknown-sni \(1 time, SNI mta-sts\.x\\x1b\[31m\\x7f\.example\)' \
	"the SNI with control characters is shown escaped"
nok "no control character reaches the terminal" grep -q $'\x1b' <<<"$out"
$STSCTL report html c.example >"$T/page2.html"
like "$(cat "$T/page2.html")" 'unknown-sni \(1 time, SNI mta-sts\.x\\x1b\[31m\\x7f\.example\)' \
	"report html: the SNI with control characters, escaped"
nok "report html: no control character in the page" grep -q $'[\x1b\x7f]' "$T/page2.html"
ok "a client that sent nothing: timeout" wait_until 10 sh -c \
	"$STSCTL report show $(report_id fetchlog-2) | grep -q 'httpd saw: the TLS handshake failed: timeout (1 time, no SNI)'"
ok "a client that closed before its ClientHello: closed" wait_until 10 sh -c \
	"$STSCTL report show $(report_id fetchlog-2) | grep -q 'httpd saw: the TLS handshake failed: closed (1 time, no SNI)'"

# A datagram with huge numbers and garbage among good records: the bad
# ones are dropped and said, the good one stored.
now=$(date -u +%s)
printf 'stsd-fetchlog 1\n%s 99999999999999999999 127.0.0.8 200 1 - - mta-sts.a.example - /x\n%s 1 127.0.0.300 200 1 - - mta-sts.a.example - /x\n%s 5 127.0.0.8 200 1 - TLSv1.3 mta-sts.a.example - /good\n' \
	"$now" "$now" "$now" | python3 "$HS" - "$SP/private/fetchlog"
ok "the valid record of a bad datagram is stored" wait_until 10 sh -c \
	"$STSCTL fetch list a.example --json | jq -e '[.fetches[] | select(.path == \"/good\" and .client == \"127.0.0.8\")] | length == 1' >/dev/null"
ok "the bad ones are logged" wait_until 5 grep -q \
	'rptparse.*private/fetchlog: 2 fetch records dropped: record 1: bad duration' "$I/log/stsd.log"

# Rotation: a record older than fetch_log_days (14) goes at rptparse's
# next hourly pass; one runs at start.
rp_pid() { inst_exec $STSD status 2>/dev/null | awk '$1 == "rptparse" && $4 == "running" { print $3; exit }'; }
restarted() { local p; p=$(rp_pid); [ -n "$p" ] && [ "$p" != "$1" ]; }
has_path() { $STSCTL fetch list a.example --limit 100000 --json | jq -e --arg p "$1" '[.fetches[] | select(.path == $p)] | length == 1' >/dev/null; }
printf 'stsd-fetchlog 1\n%s 5 127.0.0.8 200 1 - TLSv1.3 mta-sts.a.example - /old\n' \
	$((now - 15 * 86400)) | python3 "$HS" - "$SP/private/fetchlog"
ok "a record of 15 days ago is stored" wait_until 10 has_path /old
pid=$(rp_pid)
kill -TERM "$pid"
ok "rptparse is started again" wait_until 30 restarted "$pid"
ok "the record older than fetch_log_days is deleted" wait_until 10 sh -c \
	"! $STSCTL fetch list a.example --limit 100000 --json | grep -q '\"/old\"'"
ok "... and logged" grep -q 'fetches.db: 1 fetch record older than 14 days deleted' "$I/log/stsd.log"
ok "a recent one stays" has_path /good

# 4. A flood of handshakes with an unknown SNI: at most
# fetch_log_domain_limit rows kept for all unknown names together, the
# hosted domains' rows untouched, and httpd serves all along.
python3 "$HS" 127.0.0.6 "$HTTPS" mta-sts.flood.example 400 >"$T/flood.out" &
flood=$!
served=0
for i in $(seq 10); do
	[ "$(from 127.0.0.3 mta-sts.a.example)" = 200 ] && served=$((served + 1))
	sleep 0.2
done
wait $flood
is "$(cat "$T/flood.out")" 400 "400 handshakes with an unknown SNI all fail"
is "$served" 10 "httpd serves the policy during the flood (10 of 10)"
ok "the flood reaches fetches.db" wait_until 15 nrows flood.example $LIMIT
sleep 2		# what was still on its way
is "$(rows flood.example --limit 100000 | jq length)" $LIMIT \
	"fetch_log_domain_limit: $LIMIT rows kept of the flood"
is "$(rows c.example | jq length)" 1 "a hosted domain's rows stay"
is "$(rows a.example --limit 100000 | jq '[.[] | select(.status == 200 and .client == "127.0.0.3")] | length')" 11 \
	"every fetch of a.example during the flood is recorded"
unlike "$(cat "$I/log/stsd.log")" 'not handed to rptparse' "httpd dropped no record"

# 5. rptparse away (its socket gone): httpd keeps serving and keeps one
# datagram of FETCHLOG_DGRAM_RECORDS (128) records for it; the rest are
# dropped, counted in stsd_fetch_records_dropped_total and said once.
rm -f "$SP/private/fetchlog"
urls=()
for i in $(seq 300); do urls+=("https://mta-sts.a.example:$HTTPS$POLICY_PATH"); done
codes=$(curl -s --max-time 60 --cacert "$I/ca/ca.pem" \
	--resolve "mta-sts.a.example:$HTTPS:127.0.0.1" -w '\n%{http_code}\n' \
	"${urls[@]}" | grep -c '^200$')
is "$codes" 300 "rptparse away: 300 fetches on one connection all served"
dropped() {	# the sum of httpd's processes' dropped records
	cat "$I"/spool/metrics/httpd.* 2>/dev/null |
		sed -n 's/^stsd_fetch_records_dropped_total{[^}]*} *//p' |
		awk '{ n += $1 } END { print n + 0 }'
}
ok "the dropped records reach the metric within seconds" \
	wait_output 10 172 dropped
ok "... and the log, once" wait_until 5 grep -q \
	'fetch records not handed to rptparse: rptparse is not running' "$I/log/stsd.log"
is "$(grep -c 'not handed to rptparse' "$I/log/stsd.log")" 1 \
	"one warning for the whole run of drops"

done_testing
