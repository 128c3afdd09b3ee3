# tests/dnsmon/publish.t - policyd publishes the service-zone TXT records
# of each domain by DNS UPDATE to knot in a network namespace: a new
# domain's id appears, a policy change reaches httpd no later than DNS
# (both times recorded), retirement publishes the mode none id, removal
# deletes the records, a dead update server is retried with its state
# shown and no crash; dnsmon's check results show in "stsctl domain show".
# slow
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/netns.sh"
source "$SRCDIR/tests/httpd/instance.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root for ip netns"
inst_need stsctl policyd master httpd dnsmon
t_need curl

t=$(t_tmpdir)
# The instance runs in the namespace (inst_exec).
httpd_ns_instance "$t" dnsmon_query_timeout=1s dnsmon_interval=1s \
	dnsmon_probe_timeout=1s
dnsmon_add

txt() { ns_dig "$1" TXT; }
id() { $STSCTL domain show "$1" --json | sed -n 's/^ *"policy_id": "\(.*\)",*$/\1/p'; }
has_txt() { [ "$(txt "$1")" = "$2" ]; }
now() { date +%s.%N; }
served() {
	ns_exec curl -s --max-time 2 --cacert "$I/ca/ca.pem" \
		--resolve "mta-sts.$1:$HTTPS:127.0.0.1" \
		"https://mta-sts.$1:$HTTPS$POLICY_PATH"
}

# add: both records appear with the policy id and our rua.
$STSCTL domain add a.example --mx mx.a.example >/dev/null
id1=$(id a.example)
ok "add: TXT a.example.sts.test appears with the policy id" \
	wait_until 10 has_txt a.example.sts.test "\"v=STSv1; id=$id1;\""
ok "add: the TLSRPT record of the service zone has the rua" \
	wait_until 5 has_txt a.example._report.sts.test '"v=TLSRPTv1; rua=mailto:tlsrpt@sts.test"' 
is_published() { $STSCTL domain show "$1" | grep -Eq "^dns: +published id $2 at "; }
ok "show says which id is published" wait_until 5 is_published a.example "$id1"
like "$($STSCTL domain records a.example)" \
	'service zone, for the delegated form: published by policyd by DNS UPDATE to 127\.0\.0\.1:53' \
	"records say that policyd publishes the service zone"
like "$(served a.example)" 'mode: testing' "httpd serves the policy"

# set: httpd has the new policy no later than DNS has the new id.
http_poll() {
	until served a.example | grep -q 'mode: enforce'; do sleep 0.01; done
	now >"$t/http.time"
}
dns_poll() {
	local old="\"v=STSv1; id=$id1;\"" got
	while got=$(txt a.example.sts.test); [ -z "$got" ] || [ "$got" = "$old" ]; do
		sleep 0.01
	done
	# dns.time last: the test reads dns.txt once dns.time is there.
	local at
	at=$(now)
	echo "$got" >"$t/dns.txt"
	echo "$at" >"$t/dns.time"
}
http_poll & hp=$!
dns_poll & dp=$!
at_exit "kill $hp $dp"
sleep 0.5
$STSCTL domain set a.example --mode enforce --force >/dev/null
id2=$(id a.example)
ok "set: the new policy reaches httpd" wait_until 10 test -s "$t/http.time"
ok "set: the new id reaches DNS" wait_until 10 test -s "$t/dns.time"
is "$(cat "$t/dns.txt" 2>/dev/null)" "\"v=STSv1; id=$id2;\"" "set: DNS has exactly the new id"
th=$(cat "$t/http.time" 2>/dev/null) td=$(cat "$t/dns.time" 2>/dev/null)
note "httpd served the new policy at $th, DNS had the new id at $td"
ok "httpd served the new policy no later than DNS had the new id" \
	awk -v h="${th:-9e99}" -v d="${td:-0}" 'BEGIN { exit !(h <= d) }'

# dnsmon's check results are stored by policyd and shown.
checked() { $STSCTL domain show a.example --json | grep -q '"checked": [0-9]'; }
ok "dnsmon's check results show in domain show --json" wait_until 15 checked
like "$($STSCTL domain show a.example)" '^checks:$' "... and in domain show"
like "$($STSCTL domain show a.example)" '^    (ok|fail|dns-error|info) +sts-txt: ' \
	"... one line per check"

# del: retirement publishes the mode none id; --now deletes the records.
$STSCTL domain del a.example >/dev/null
id3=$(id a.example)
ok "del: the retiring domain's mode none id is published" \
	wait_until 10 has_txt a.example.sts.test "\"v=STSv1; id=$id3;\""
$STSCTL domain del a.example --now >/dev/null 2>&1
ok "del --now: the STS record is deleted" wait_until 10 has_txt a.example.sts.test ""
# The two records go in two DNS updates: wait for the second as well.
ok "del --now: the TLSRPT record is deleted" \
	wait_until 10 has_txt a.example._report.sts.test ""

# A dead update server: retried with back-off, state shown, no crash.
ns_knotc stop >/dev/null 2>&1
wait_until 5 sh -c "! ip netns exec $NS kdig +time=1 +retry=0 @127.0.0.1 sts.test SOA >/dev/null"
$STSCTL domain add b.example --mx mx.b.example >/dev/null
attempts() { $STSCTL domain show b.example --json | sed -n 's/^ *"attempts": \([0-9]*\),*$/\1/p'; }
retried() { [ "$(attempts)" -ge 2 ]; }
ok "dead server: the update is retried" wait_until 15 retried
out=$($STSCTL domain show b.example)
like "$out" "^dns: +pending: id $(id b.example) \(published: none\); attempt failed: .*127\.0\.0\.1.*; next try " \
	"dead server: show says pending, with the error and the next try"
like "$(cat "$I/log/stsd.log")" 'policyd.*b\.example: DNS: publication failed \(attempt [0-9]+, next try in [0-9-]+ s\): ' \
	"dead server: the failure is logged"
ok "dead server: policyd still answers" quiet $STSCTL domain list

ns_exec knotd -c "$NS_DNS_DIR/knot.conf" >>"$NS_DNS_DIR/knotd.out" 2>&1 &
ok "server back: the record is published by a retry" \
	wait_until 15 has_txt b.example.sts.test "\"v=STSv1; id=$(id b.example);\""
unlike "$(cat "$I/log/stsd.log")" 'panic|Sanitizer|runtime error|policyd.*(died|killed)' \
	"no crash in the log"
done_testing
