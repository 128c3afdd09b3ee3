# tests/policyd/https-rua.t - report_https_rua: policyd publishes the
# https rua.  In a network namespace with knot: turning the parameter on
# (main.cf, then a restart) re-publishes the TLSRPT record of every
# domain with https://mta-sts.DOMAIN/tlsrpt after the mailto: rua;
# a sender that follows the published record POSTs a gzip report to that
# very URL and it is stored (stsctl report list); turning it off again
# (master.cf -o, then stsd reload) re-publishes the mailto: rua alone; a
# report_https_path that cannot be in a URI stops policyd with the cause.
# slow
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/netns.sh"
source "$SRCDIR/tests/httpd/instance.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root for ip netns"
inst_need stsctl policyd master httpd rptparse
t_need curl jq
inst_need stsconf

t=$(t_tmpdir)
httpd_ns_instance "$t" acme_enabled=no

txt() { ns_dig "$1" TXT; }
has_txt() { [ "$(txt "$1")" = "$2" ]; }
MAILTO='"v=TLSRPTv1; rua=mailto:tlsrpt@sts.test"'
both() { echo "\"v=TLSRPTv1; rua=mailto:tlsrpt@sts.test,https://mta-sts.$1/tlsrpt\""; }

$STSCTL domain add a.example --mx mx.a.example >/dev/null
$STSCTL domain add b.example --mx mx.b.example >/dev/null
ok "off: a.example's TLSRPT record has the mailto: rua" \
	wait_until 10 has_txt a.example._report.sts.test "$MAILTO"
ok "off: so has b.example's" wait_until 10 has_txt b.example._report.sts.test "$MAILTO"

# On, in main.cf; the daemons read it when they start.
inst_set report_https_rua=yes
inst_stop
inst_start || fail "instance starts again"
wait_until 10 $STSCTL domain list || fail "policyd answers after the restart"
ok "on: a.example is re-published with the https URI after the mailto: rua" \
	wait_until 10 has_txt a.example._report.sts.test "$(both a.example)"
ok "on: b.example too, with its own host" \
	wait_until 10 has_txt b.example._report.sts.test "$(both b.example)"
like "$($STSCTL domain records a.example)" \
	'^_smtp\._tls\.a\.example\. +TXT +"v=TLSRPTv1; rua=mailto:tlsrpt@sts\.test,https://mta-sts\.a\.example/tlsrpt"$' \
	"on: stsctl domain records prints the same rua"
is_published() { $STSCTL domain show "$1" | grep -Eq "^dns: +published id "; }
ok "on: show says published again" wait_until 5 is_published a.example

# A sender follows the record: the https URI of the rua, as published.
rua=$(txt a.example._report.sts.test | tr -d '"' | sed -n 's/.*rua=//p')
url=$(tr ',' '\n' <<<"$rua" | grep '^https://')
is "$url" "https://mta-sts.a.example/tlsrpt" "the sender finds the https URI in the rua"
gzip -9nc "$SRCDIR/tests/rptparse/fixtures/rfc8460.json" >"$t/report.json.gz"
host=${url#https://}; host=${host%%/*}
code=$(ns_exec curl -sS --max-time 10 --cacert "$I/ca/ca.pem" \
	--connect-to "$host:443:127.0.0.1:$HTTPS" \
	-H 'Content-Type: application/tlsrpt+gzip' --data-binary "@$t/report.json.gz" \
	-o "$t/post.out" -w '%{http_code}' "$url")
is "$code" 200 "a gzip report POSTed to that URL is accepted (200)"
stored() {
	$STSCTL report list --json 2>/dev/null | jq -e \
		'[.reports[] | select(."report-id" == "5065427c-23d3-47ca-b6e0-946ea0e8c4be")] | length == 1' \
		>/dev/null
}
ok "the report shows in stsctl report list" wait_until 15 stored
rid=$($STSCTL report list --json | jq -r \
	'[.reports[] | select(."report-id" == "5065427c-23d3-47ca-b6e0-946ea0e8c4be")][0].id')
is "$($STSCTL report show "$rid" --json | jq -r .via)" https "... received via https"

# Off again for policyd alone, by master.cf and stsd reload: re-published.
sed -i 's/^\(policyd .*policyd\)$/\1 -o report_https_rua=no/' "$I/etc/master.cf"
$STSD reload >/dev/null 2>&1
ok "off again after stsd reload: a.example has the mailto: rua alone" \
	wait_until 10 has_txt a.example._report.sts.test "$MAILTO"
ok "off again: b.example too" wait_until 10 has_txt b.example._report.sts.test "$MAILTO"
unlike "$(cat "$I/log/stsd.log")" 'panic|Sanitizer|runtime error|policyd.*(died|killed)' \
	"no crash in the log"

# A report_https_path that cannot be in a URI stops policyd, saying why.
sed -i 's/ -o report_https_rua=no$/ -o report_https_rua=yes -o report_https_path=\/in,box/' "$I/etc/master.cf"
$STSD reload >/dev/null 2>&1
bad_path() {
	grep -q 'policyd.*parameter report_https_path: rua URI "https://mta-sts\.DOMAIN/in,box": bad character ","' \
		"$I/log/stsd.log"
}
ok "a comma in report_https_path: policyd refuses to start and says why" \
	wait_until 10 bad_path
done_testing
