# tests/dnsmon/dnsmon.t - the dnsmon daemon under master, with knot in a
# network namespace: pending domains become active when ownership is
# proven by CNAME or by the token TXT record (and stay pending without);
# an MX added to the zone but not to the policy alerts once, by webhook
# and log, however many rounds run; a certificate near expiry warns once;
# alert_hourly_limit counts dnsmon's alerts and rptparse's together.
# slow
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/pki.sh"
source "$SRCDIR/tests/dnsmon/ns.sh"
source "$SRCDIR/tests/rptparse/instance.sh"

inst_need stsctl policyd master dnsmon
t_need python3

PORT=2525 HOOK=8080

{ ns_zone_head good.test; cat <<'Z'; } >"$t/good.zone"
@ MX 10 mx1.good.test.
mx1 A 127.0.0.2
mx2 A 127.0.0.2
mta-sts CNAME mta-sts.sts.test.
Z
{ ns_zone_head tok.test; printf '@ MX 10 mx1.good.test.\n'; } >"$t/tok.zone"
{ ns_zone_head none.test; printf '@ MX 10 mx1.good.test.\n'; } >"$t/none.zone"
ns_create && ns_dns_start sts.test "$t/sts.zone" good.test "$t/good.zone" \
	tok.test "$t/tok.zone" none.test "$t/none.zone" ||
	{ fail "knot starts"; done_testing; }

pki_ca "$t/pki"
pki_cert "$t/pki" mx1.good.test 5 mx2.good.test
ns_exec python3 "$SRCDIR/tests/dnsmon/smtpd.py" 127.0.0.2 $PORT tls \
	"$t/pki/mx1.good.test/fullchain.pem" "$t/pki/mx1.good.test/privkey.pem" >/dev/null 2>&1 &
: >"$t/hook.log"
ns_exec python3 "$SRCDIR/tests/dnsmon/webhook.py" 127.0.0.1 $HOOK "$t/hook.log" >/dev/null 2>&1 &

# A sendmail that keeps what it is given (dnsmon runs as mail_owner).
mkdir -m 1777 "$t/mail"
printf '#!/bin/sh\n{ echo "args: $*"; cat; echo .; } >>%s/mail/out\n' "$t" >"$t/sendmail"
chmod 755 "$t/sendmail"

# The instance runs in the namespace (inst_exec).
instance_start "$t/i" sts_zone=sts.test domain_verification=dns \
	report_recipients=tlsrpt@sts.test dnsmon_smtp_port=$PORT \
	dnsmon_ca_file=$t/pki/ca.pem dnsmon_probe_timeout=2s \
	dnsmon_query_timeout=1s dnsmon_interval=1s \
	alert_webhook_url=http://127.0.0.1:$HOOK/alert \
	alert_recipients=ops@example.test sendmail_path=$t/sendmail ||
	{ fail "instance starts"; done_testing; }
pass "instance starts in the namespace"

for d in good.test tok.test none.test; do
	$STSCTL domain add $d --mx mx1.good.test >"$t/add.$d" 2>&1
done
state() { $STSCTL domain show "$1" --json | sed -n 's/^ *"state": "\(.*\)",*$/\1/p'; }
token() { $STSCTL domain show "$1" --json | sed -n 's/^ *"token": "\(.*\)",*$/\1/p'; }
like "$(cat "$t/add.good.test")" '^good\.test: added \(state pending,' \
	"a new domain is pending"
ns_dns_set tok.test _stsd-verify.tok.test. 60 TXT "\"$(token tok.test)\""

# Start dnsmon (unless stsd init already put it in master.cf).
dnsmon_add
is_active() { [ "$(state "$1")" = active ]; }
ok "ownership by CNAME: the domain becomes active" wait_until 15 is_active good.test
ok "ownership by token TXT: the domain becomes active" wait_until 15 is_active tok.test
is "$(state none.test)" pending "without proof the domain stays pending"

# A new MX outside the policy.
ns_knotc zone-begin good.test >/dev/null &&
	ns_knotc zone-set good.test good.test. 60 MX "20 mx2.good.test." >/dev/null &&
	ns_knotc zone-commit good.test >/dev/null
mx_alerted() { grep -q '"domain": *"good.test".*"kind": *"mx-policy"' "$t/hook.log"; }
ok "an MX outside the policy raises a webhook alert" wait_until 15 mx_alerted
sleep 4		# several more rounds
is "$(grep -c '"kind": *"mx-policy"' "$t/hook.log")" 1 \
	"... exactly once, whatever the number of rounds"
like "$(grep '"kind": *"mx-policy"' "$t/hook.log")" \
	'stsctl domain set good\.test --mx mx1\.good\.test --mx mx2\.good\.test' \
	"the alert carries the exact fix"
mail=$(cat "$t/mail/out" 2>/dev/null)
like "$mail" '^args: -i -- ops@example\.test$' "the alert is mailed to alert_recipients with sendmail_path"
is "$(grep -c -E '^(Subject: |== )stsd: good\.test: MX mx2\.good\.test of good\.test not in the policy' <<<"$mail")" 1 \
	"... once, with a subject that says what is wrong (of the mail, or of the alert in a digest)"
like "$(cat "$I/log/stsd.log")" 'dnsmon.*alert: good\.test: mx-policy:' \
	"the alert is logged"
# One alert object a line: a digest holds the alerts of several domains.
alerts() { grep -o '{"domain": *"[^"]*", *"kind": *"[^"]*"[^}]*' "$t/hook.log"; }
is "$(alerts | grep '^{"domain": *"good\.test", *"kind": *"cert-expiry:mx1\.good\.test"' | grep -c 'expires in [45] days')" 1 \
	"a certificate that expires within 7 days warns once"
unlike "$(cat "$t/hook.log")" '"domain": *"none\.test"' \
	"a pending domain raises no alerts"

# An expired certificate installed by hand for a policy host alerts
# (policy-cert), once.
pki_cert "$t/pki" mta-sts.good.test -3 >/dev/null 2>&1
cp -r "$t/pki/mta-sts.good.test" "$I/spool/certs/"
chown -R "$(inst_owner):" \
	"$I/spool/certs/mta-sts.good.test"
cert_alerted() { grep -q '"domain": *"good.test".*"kind": *"policy-cert:mta-sts.good.test"' "$t/hook.log"; }
ok "an expired policy host certificate raises an alert" wait_until 15 cert_alerted
sleep 3		# more rounds
is "$(grep -c '"kind": *"policy-cert:mta-sts.good.test"' "$t/hook.log")" 1 \
	"... once"
like "$(grep '"kind": *"policy-cert:mta-sts.good.test"' "$t/hook.log")" \
	'the certificate of mta-sts\.good\.test has expired \([0-9]+ days ago\): senders cannot fetch the policy' \
	"... saying what is wrong"

# One round: every domain, each MX host probed once however many domains
# list it (all three domains have mx1.good.test).
like "$(grep -m1 'dnsmon.*round done: 3 domains' "$I/log/stsd.log")" \
	'round done: 3 domains checked in [0-9.]+ s .* 1 MX host probed;' \
	"a round checks every domain and probes a shared MX host once"

# The alert state survives a dnsmon that is killed (master restarts it).
dnsmon_pid() { pgrep -f -- "-n dnsmon .*$I/etc|$I/etc.* -n dnsmon" | head -1; }
old=$(dnsmon_pid)
ok "dnsmon runs under master" [ -n "$old" ]
[ -n "$old" ] && kill -9 "$old"
restarted() { local p; p=$(dnsmon_pid); [ -n "$p" ] && [ "$p" != "$old" ]; }
ok "master restarts a killed dnsmon" wait_until 15 restarted
rounds() { grep -c 'dnsmon.*round done:' "$I/log/stsd.log"; }
n=$(rounds)
more_rounds() { [ "$(rounds)" -ge $((n + 2)) ]; }
ok "... which checks again" wait_until 20 more_rounds
is "$(grep -c '"kind": *"mx-policy"' "$t/hook.log")" 1 \
	"no alert is repeated after a restart: the state is written at once"
like "$(cat "$I/data/alerts.state")" "good\.test	mx-policy	mx2\.good\.test" \
	"the state is dnsmon's file in data_directory"

# One writer: a second dnsmon refuses to run.
out=$(ip netns exec "$NS" "$LIBEXEC/dnsmon" -c "$I/etc" -n dnsmon -t unix -s 0 \
	3< <(sleep 5) 2>&1)
like "$out" 'alerts\.state\.lock: another dnsmon is running' \
	"a second dnsmon refuses to start while one holds the alert state"

# alert_hourly_limit is one count for dnsmon and rptparse: set to the
# alerts dnsmon sent, a report for good.test with a result type new for
# it raises alerts that rptparse does not send.
sent=$(grep -c . "$I/data/alert-limits.state")
ok "dnsmon's alerts are counted in alert-limits.state ($sent)" [ "$sent" -ge 2 ]
grep -q '^rptparse ' "$I/etc/master.cf" ||
	echo "rptparse  unix  y  y  n  60  1  rptparse" >>"$I/etc/master.cf"
inst_set "alert_hourly_limit=$sent"
$STSD reload >/dev/null 2>&1 || kill -HUP "$(head -1 "$I/spool/pid/master.pid")"
wait_until 15 test -S "$I/spool/private/rptparse" || fail "rptparse runs"
printf '{"organization-name":"Org","date-range":{"start-datetime":"2026-11-20T00:00:00Z","end-datetime":"2026-11-20T23:59:59Z"},"contact-info":"c@org.example","report-id":"limit-1","policies":[{"policy":{"policy-type":"sts","policy-domain":"good.test"},"summary":{"total-successful-session-count":0,"total-failure-session-count":5},"failure-details":[{"result-type":"dane-required","failed-session-count":5}]}]}' >"$t/limit.json"
RP_SPOOL=$I/spool RP_OWNER=$(inst_owner)
rp_https application/tlsrpt+json "$t/limit.json" >"$t/limit.msg"
chmod 644 "$t/limit.msg"
hooks_before=$(wc -l <"$t/hook.log")
rp_put "$t/limit.msg" >/dev/null
dropped() { grep -q "rptparse.*alert: good\.test: new-result-type:dane-required: not sent: over alert_hourly_limit ($sent)" "$I/log/stsd.log"; }
ok "rptparse's alert is not sent: dnsmon's alerts used alert_hourly_limit" wait_until 20 dropped
sleep 1
is "$(wc -l <"$t/hook.log")" "$hooks_before" "... no webhook call for it"
unlike "$(cat "$I/log/stsd.log")" 'panic|Sanitizer|runtime error' \
	"no crash in the log"
done_testing
