#!/bin/bash
# tests/metrics/scrape.t - the metrics listener: scrape with curl, do
# what the counters count (fetch a policy, fail a TLS handshake, mail a
# report and a refused recipient, let rptparse store it, POST a report
# over HTTPS and one that is refused), scrape again
# and check that the right values moved; counters of a process that
# exits do not go back; the dashboard paths answer; with per-domain
# series off (metrics_domain_series_limit = 0) the sessions are the same
# sums, from reports.db's totals table, without the domain label.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/instance.sh"
source "$SRCDIR/tests/pki.sh"
source "$SRCDIR/tests/rptparse/instance.sh"

inst_need metrics
t_need curl swaks jq
t_stsd_user

t=$(t_tmpdir)
D=example.com
MP=$(free_port)
inst_init "$t/i" --metrics-port="$MP" || { fail "stsd init"; done_testing; }
inst_only policyd httpd rptrecv rptparse metrics
inst_set report_https_rua=yes	# httpd takes report POSTs
like "$(grep -v '^#' "$I/etc/master.cf")" "^127\\.0\\.0\\.1:$MP +inet .* metrics\$" \
    "stsd init writes a live metrics line on loopback"

# The policy host's certificate (httpd), and localhost's (rptrecv
# STARTTLS: smtp_hostname is localhost in an init instance).  Two more:
# one expired 5 days ago, one that expires in 3 days (within
# cert_warning_time, 14 days by default).
{ inst_cert "mta-sts.$D" localhost && inst_cert -d -5 "mta-sts.old.$D" &&
	inst_cert -d 3 "mta-sts.soon.$D"; } >/dev/null 2>&1

# The report mailed below is unsigned: it counts with report_require_dkim = no.
inst_set report_require_dkim=no
inst_start || { fail "instance starts"; done_testing; }
M=http://127.0.0.1:$MP
scrape() { curl -s --max-time 5 "$M/metrics"; }
# value SERIES: its value in a fresh scrape (0 when absent)
value() {
	scrape | awk -v s="$1" '$1 == s { v = $2 } END { print v + 0 }'
}
ok "metrics listener answers" wait_until 10 quiet curl -sf "$M/metrics"

hdr=$(curl -s -D - -o /dev/null "$M/metrics")
like "$hdr" "^HTTP/1.1 200" "/metrics: 200"
like "$hdr" "Content-Type: text/plain; version=0.0.4" "/metrics: exposition format 0.0.4"
out=$(scrape)
like "$out" "# TYPE stsd_spool_messages gauge" "TYPE line of a gauge"
like "$out" 'stsd_spool_messages\{queue="incoming"\} 0' "spool depth of incoming/"
# Series present at 0 from the start (httpd and rptparse write them when
# they start; their first files may take a second).
zero_series() {
	local o
	o=$(scrape)
	grep -qx 'stsd_https_report_refusals_total{status="404"} 0' <<<"$o" &&
	grep -qx 'stsd_https_report_refusals_total{status="429"} 0' <<<"$o" &&
	grep -qx 'stsd_alerts_dropped_total{reason="hourly-limit"} 0' <<<"$o" &&
	grep -qx 'stsd_alerts_dropped_total{reason="domain-daily-limit"} 0' <<<"$o" &&
	grep -qx 'stsd_alerts_sent_total 0' <<<"$o"
}
ok "refused POSTs (404, 429) and dropped alerts are counted at 0 from the start" \
	wait_until 10 zero_series
notafter=$(date -d "$(openssl x509 -noout -enddate -in "$I/ca/mta-sts.$D/fullchain.pem" |
    sed 's/^notAfter=//')" +%s)
is "$(value 'stsd_certificate_expiry_timestamp_seconds{host="mta-sts.example.com"}')" \
    "$notafter" "certificate expiry time of the policy host, in Unix seconds"
is "$(value 'stsd_certificate_problem{host="mta-sts.old.'$D'",status="expired"}')" 1 \
	"an expired certificate installed by hand is a problem series, status expired"
is "$(value 'stsd_certificate_problem{host="mta-sts.soon.'$D'",status="warning"}')" 1 \
	"one that expires within cert_warning_time has status warning"
unlike "$(scrape)" "stsd_certificate_problem\\{host=\"mta-sts\\.$D\"" \
	"a certificate valid for 30 days has no problem series"
left=$(( $(value 'stsd_certificate_expiry_timestamp_seconds{host="mta-sts.old.'$D'"}') - $(date +%s) ))
ok "the expiry time of the expired one is about 5 days ago ($left s)" \
    test "$left" -le $((-4 * 86400)) -a "$left" -ge $((-6 * 86400))

# stsctl cert list shows the certificates installed by hand too.
out=$($STSCTL cert list 2>"$t/cert.err")
is "$?" 1 "stsctl cert list exits 1 while a certificate has expired"
like "$out" "^mta-sts\\.old\\.$D +stsd test CA [0-9]+ +[0-9T:-]+Z +operator +expired +-\$" \
	"cert list: the expired one, installed by hand, is state operator, health expired"
like "$out" "^mta-sts\\.soon\\.$D +.* +operator +warning +-\$" \
	"cert list: the one expiring in 3 days has health warning"
like "$out" "^mta-sts\\.$D +.* +operator +ok +-\$" "cert list: a good one is ok"
like "$(cat "$t/cert.err")" "^stsctl: error: certificate of mta-sts\\.old\\.$D expired on [0-9T:-]+Z\$" \
	"cert list says the expired one on stderr"

fetch200='stsd_policy_fetches_total{domain="example.com",status="200"}'
hs='stsd_tls_handshakes_total{daemon="httpd"}'
hsf='stsd_tls_handshake_failures_total{daemon="httpd"}'
before_fetch=$(value "$fetch200")
before_hsf=$(value "$hsf")
quiet $STSCTL domain add "$D" --mx "mx1.$D"
get_policy() {
	curl -sf --max-time 5 --cacert "$I/ca/ca.pem" \
	    --resolve "mta-sts.$D:$HTTPS_PORT:127.0.0.1" \
	    "https://mta-sts.$D:$HTTPS_PORT/.well-known/mta-sts.txt"
}
ok "policy fetched over HTTPS" wait_until 10 get_policy
get_policy >/dev/null
# A client that does not speak TLS: one failed handshake.
exec 3<>"/dev/tcp/127.0.0.1/$HTTPS_PORT"
printf 'GET / HTTP/1.0\r\n\r\n' >&3
timeout 5 cat <&3 >/dev/null 2>&1
exec 3>&-
moved() { [ "$(value "$1")" -ge "$2" ]; }
ok "policy fetches by domain and status moved" wait_until 5 moved "$fetch200" $((before_fetch + 2))
ok "TLS handshakes of httpd counted" wait_until 5 moved "$hs" 2
ok "failed TLS handshake counted" wait_until 5 moved "$hsf" $((before_hsf + 1))

# SMTP: one refused recipient, one report.
quiet swaks --server "127.0.0.1:$SMTP_PORT" --from a@sender.example \
    --to nobody@elsewhere.example --body x
rp_mail application/tlsrpt+json report.json "$FIX/rfc8460.json" >"$t/r.eml"
quiet swaks --server "127.0.0.1:$SMTP_PORT" --from reports@sender.example \
    --to tlsrpt@demo.test --data "@$t/r.eml" -tls
# STARTTLS, then no TLS: a failed handshake of rptrecv.
exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT"
printf 'EHLO client.example\r\nSTARTTLS\r\n' >&3
sleep 0.5
printf 'this is not TLS\r\n\r\n' >&3
timeout 5 cat <&3 >/dev/null 2>&1
exec 3>&-
ok "SMTP sessions counted" wait_until 5 moved stsd_smtp_sessions_total 3
ok "STARTTLS handshake of rptrecv counted" \
    wait_until 5 moved 'stsd_tls_handshakes_total{daemon="rptrecv"}' 1
ok "failed STARTTLS handshake of rptrecv counted" \
    wait_until 5 moved 'stsd_tls_handshake_failures_total{daemon="rptrecv"}' 1
ok "SMTP message counted" wait_until 5 moved stsd_smtp_messages_total 1
ok "SMTP recipient refusal counted" wait_until 5 moved 'stsd_smtp_rejections_total{stage="rcpt"}' 1
ok "report stored by rptparse counted" wait_until 10 moved stsd_reports_stored_total 1

# HTTPS: a gzip report POSTed to the report path, and one with the
# wrong Content-Type (415).
gzip -9nc "$FIX/rfc8460.json" >"$t/r.json.gz"
post() {	# CONTENT-TYPE: the status of a POST of the gzip report
	curl -s --max-time 10 --cacert "$I/ca/ca.pem" \
	    --resolve "mta-sts.$D:$HTTPS_PORT:127.0.0.1" \
	    -H "Content-Type: $1" --data-binary "@$t/r.json.gz" \
	    -o /dev/null -w '%{http_code}' "https://mta-sts.$D:$HTTPS_PORT/tlsrpt"
}
https_ok=stsd_https_reports_total
https_415='stsd_https_report_refusals_total{status="415"}'
before_ok=$(value "$https_ok")
before_415=$(value "$https_415")
is "$(post application/tlsrpt+gzip)" 200 "report POSTed over HTTPS: 200"
is "$(post application/json)" 415 "report POSTed with the wrong type: 415"
ok "HTTPS report accepted counted" wait_until 5 moved "$https_ok" $((before_ok + 1))
ok "HTTPS report refused counted by status" \
    wait_until 5 moved "$https_415" $((before_415 + 1))
is "$(value "$https_ok")" $((before_ok + 1)) "the refused one is not counted as accepted"
is "$(value 'stsd_failed_sessions_total{domain="example.com",result_type="starttls-not-supported"}')" \
    "$(jq '[.policies[]."failure-details"[]? | select(."result-type" == "starttls-not-supported") | ."failed-session-count"] | add' "$FIX/rfc8460.json")" \
    "failed sessions by result type, from reports.db"

# A process that exits: its counters stay.
fetches=$(value "$fetch200")
pids=$(ls "$I/spool/metrics" | sed -n 's/^httpd\.\([0-9]*\)$/\1/p')
ok "httpd writes its own metrics file" test -n "$pids"
for p in $pids; do kill "$p"; done
folded() { scrape >/dev/null; test -s "$I/spool/metrics/base"; }
ok "the file of a gone httpd is folded into the base" wait_until 10 folded
is "$(value "$fetch200")" "$fetches" "counters of a gone process do not go back"
get_policy_later() { get_policy >/dev/null && moved "$fetch200" $((fetches + 1)); }
ok "a restarted httpd counts on from there" wait_until 15 get_policy_later

# The other paths.
is "$(curl -s -o /dev/null -w '%{http_code}' "$M/nothing-here")" 404 "unknown path: 404"
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$M/metrics")" 405 "POST: 405"
code=$(curl -s -o "$t/page" -w '%{http_code}' "$M/")
ok "overview page: 200, or 503 with a reason ($code)" \
    test "$code" = 200 -o \( "$code" = 503 -a -s "$t/page" \)
code=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$M/domain/..")
is "$code" 404 "a domain path that is no domain name: 404"
nproc=$(value stsd_metrics_processes)
ok "processes whose numbers were read ($nproc)" test "$nproc" -ge 3
# Per-domain series off: the same sums from reports.db's totals table,
# without the domain label.
dom_ok=$(value 'stsd_report_sessions_total{domain="example.com",result="successful"}')
dom_bad=$(value 'stsd_report_sessions_total{domain="example.com",result="failed"}')
dom_type=$(value 'stsd_failed_sessions_total{domain="example.com",result_type="starttls-not-supported"}')
ok "sessions of example.com from reports.db ($dom_ok ok, $dom_bad failed)" \
    test "$dom_ok" -gt 0 -a "$dom_bad" -gt 0
inst_set metrics_domain_series_limit=0
quiet $STSD reload
off_sessions() {
	[ "$(value 'stsd_report_sessions_total{result="successful"}')" = "$dom_ok" ]
}
ok "metrics_domain_series_limit = 0: successful sessions summed" \
    wait_until 10 off_sessions
is "$(value 'stsd_report_sessions_total{result="failed"}')" "$dom_bad" \
    "metrics_domain_series_limit = 0: failed sessions summed"
is "$(value 'stsd_failed_sessions_total{result_type="starttls-not-supported"}')" \
    "$dom_type" "metrics_domain_series_limit = 0: by result type"
unlike "$(scrape)" 'stsd_report_sessions_total\{domain=' "no domain label"
done_testing
