# tests/policyd/migrate.t - "stsctl domain migrate" end to end (RFC 8461
# sections 8.3 and 10): knot serves the domain's MX records in a network
# namespace, httpd serves the policies on port 443, dnsmon checks the
# domain every few seconds and probes the new MX host, and mta-sts-query
# (the resolver Postfix uses through postfix-mta-sts-resolver) sees the
# widened policy, then (after the wait, the probe and the switch of the
# MX records in knot) the narrowed one, in that order; a kill -9 of
# policyd while the plan waits changes neither its step nor its deadline,
# and the migration completes.
# slow
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/mtasts.sh"
t_need python3

D=migrate.test
PORT=2525

# The zone as the domain's owner publishes it: mx1 is the old MX host,
# mx2 the new one (its address is there from the start, its MX record
# comes with the switch).
mtasts_zone 127.0.0.2 "mx2	A 127.0.0.3"

# The alerts' webhook, in the namespace with the suite.
HOOK=8025
ns_exec python3 "$SRCDIR/tests/dnsmon/webhook.py" 127.0.0.1 $HOOK "$t/hook.log" >/dev/null 2>&1 &
at_exit kill $!
# alerts STEP: how many migration alerts of step STEP the webhook got.
alerts() {
	python3 - "$t/hook.log" "$1" <<'PY'
import json, sys
n = 0
try:
    for line in open(sys.argv[1]):
        for a in json.loads(line)["alerts"]:
            if a["kind"] == "mx-migration" and a["subject"].endswith(": " + sys.argv[2]):
                n += 1
except FileNotFoundError:
    pass
print(n)
PY
}

inst_init "$t/i" --https-port=443 --http-port=80
inst_only policyd httpd dnsmon
inst_set alert_webhook_url=http://127.0.0.1:$HOOK/ domain_verification=none dnsmon_interval=2s dnsmon_retry_min=1s \
	dnsmon_retry_max=2s dnsmon_check_now_interval=1s \
	dnsmon_smtp_port=$PORT dnsmon_ca_file=$I/ca/ca.pem \
	dnsmon_probe_timeout=2s dnsmon_query_timeout=2s
inst_cert "mta-sts.$D" || fail "a certificate of mta-sts.$D"
pki_cert "$I/ca" "mx2.$D" 30 || fail "a certificate of mx2.$D"
MTASTS_CA=$I/ca/ca.pem
# In the foreground: the daemons' sanitizer reports go to master.out.
ok "the suite starts in the namespace with httpd on port 443" inst_start_fg
ok "policyd answers" wait_until 10 inst_exec $STSCTL domain list

json() { inst_exec $STSCTL domain show "$D" --json; }
# field NAME: a number or string member of domain show --json (the first).
field() { json | sed -n "s/^ *\"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p" | head -1; }
step() { json | python3 -c 'import json,sys; m=json.load(sys.stdin)["domain"]["migration"]; print(m["step"] if m else "")'; }
deadline() { json | python3 -c 'import json,sys; print(json.load(sys.stdin)["domain"]["migration"]["deadline"])'; }
step_is() { [ "$(step)" = "$1" ]; }
policyd_pid() { pgrep -P "$(head -1 "$I/spool/pid/master.pid")" -f -- '-n policyd '; }
log() { cat "$I/log/stsd.log"; }

ok "stsctl domain add, mode enforce, max_age 5" quiet inst_exec $STSCTL domain add "$D" \
	--mx "mx1.$D" --mode enforce --force --max-age 5
served() { ! json | grep -q '"waiting": "'; }
ok "httpd serves the policy with a valid certificate" wait_until 20 served
id1=$(field policy_id)
mtasts_publish "$id1"
out=$(mtasts_query "$D")
like "$out" "STSFetchResult\.VALID" "mta-sts-query finds the starting policy"
like "$out" "'$id1'" "... with its id"
unlike "$out" "mx2\.$D" "... without the new host"

# Bad plans are refused before anything changes.
out=$(inst_exec $STSCTL domain migrate "$D" --add-mx "mx1.$D" --remove-mx "mx1.$D" 2>&1)
is "$?:$out" "1:stsctl: mx pattern \"mx1.$D\": both added and removed" \
	"a host both added and removed is refused"
out=$(inst_exec $STSCTL domain migrate "$D" --add-mx "mx2.$D" --remove-mx "mx9.$D" 2>&1)
is "$?:$out" "1:stsctl: $D: --remove-mx mx9.$D: not in the policy (mx mx1.$D)" \
	"a --remove-mx not in the policy is refused"
out=$(inst_exec $STSCTL domain migrate "$D" --add-mx "$(printf 'a\nb').$D" --remove-mx "mx1.$D" 2>&1)
like "$?:$out" '^1:stsctl: mx pattern "a\\nb\.migrate\.test": bad character 0x0a$' \
	"a newline in a pattern is refused, shown escaped"
out=$(inst_exec $STSCTL domain migrate "$D" --add-mx "mx2.$D" 2>&1)
is "$?:$out" "2:stsctl: domain migrate: at least one --add-mx and one --remove-mx are needed (or --abort)" \
	"a plan without --remove-mx is a usage error"
is "$(field policy_id)" "$id1" "refused plans change nothing"

# 1. widened: old and new hosts, a new id; the plan waits for the end of
# the max_age 5 policy and for the probe of mx2 (no SMTP server yet).
t0=$(date +%s)
out=$(inst_exec $STSCTL domain migrate "$D" --add-mx "mx2.$D" --remove-mx "mx1.$D")
is "$?" 0 "stsctl domain migrate exits 0"
like "$out" "^$D: policy id [0-9]+, mx mx1\\.$D mx2\\.$D\$" "it prints the widened policy"
like "$out" "^migration: +waiting \\(since " "and the step"
like "$out" "^  waits for: +.*a passing STARTTLS probe of mx2\\.$D by dnsmon" \
	"and what the step waits for"
like "$out" "^  until: +[0-9]{4}-[0-9]{2}-[0-9]{2}T" "and until when"
id2=$(field policy_id)
ok "the widened policy has a new, greater id" test "$id2" \> "$id1"
mtasts_refetched "$id1" "$id2" "the starting id" "the widened policy"
like "$out" "mx1\\.$D.*mx2\\.$D|mx2\\.$D.*mx1\\.$D" "... which lists the old and the new host"
dl=$(deadline)
ok "the deadline is the end of the starting policy's max_age (5 s)" \
	test "$dl" -ge $((t0 + 5)) -a "$dl" -le $((t0 + 7))

probed() { json | grep -q "a passing STARTTLS probe of mx2.$D by dnsmon (last: "; }
ok "dnsmon probes the new host before it is in DNS; the probe fails" wait_until 20 probed
# Past the deadline only the probe holds the plan: the next turn (a
# check result of the domain, or policyd's poll every 5 s) says so.
while [ "$(date +%s)" -le "$dl" ]; do sleep 0.5; done
probe_only() {
	show=$(inst_exec $STSCTL domain show "$D")
	printf '%s\n' "$show" | grep -Eq "^  waits for: +a passing STARTTLS probe of mx2\\.$D by dnsmon \\(last: "
}
ok "domain show says so, with the probe's result" wait_until 15 probe_only
is "$(step)" waiting "past the deadline, a failing probe keeps the plan waiting"

# policyd is killed in the middle: master starts it again, and the plan
# goes on from policy.db.
pid=$(policyd_pid)
ok "policyd runs ($pid)" test -n "$pid"
kill -9 "$pid"
restarted() { p=$(policyd_pid); [ -n "$p" ] && [ "$p" != "$pid" ] && inst_exec $STSCTL domain list >/dev/null 2>&1; }
ok "master restarts policyd after kill -9" wait_until 20 restarted
is "$(step)" waiting "after the restart: the same step"
is "$(deadline)" "$dl" "... and the same deadline"
is "$(field policy_id)" "$id2" "... and the same policy"

# The new host answers with a valid certificate: switch-mx.
ns_exec python3 "$SRCDIR/tests/dnsmon/smtpd.py" 127.0.0.3 $PORT tls \
	"$I/ca/mx2.$D/fullchain.pem" "$I/ca/mx2.$D/privkey.pem" >/dev/null 2>&1 &
at_exit kill $!
ok "the probe passes: the plan says that the MX records may be switched" \
	wait_until 30 step_is switch-mx
like "$(log)" "stsd/policyd\\[[0-9]+\\]: $D: migration: waiting -> switch-mx: the MX records of $D may now be switched: add mx2\\.$D and remove mx1\\.$D" \
	"policyd logs the step"
one_alert() { [ "$(alerts switch-mx)" -ge 1 ]; }
ok "the switch-mx alert reaches the webhook" wait_until 20 one_alert
show=$(inst_exec $STSCTL domain show "$D")
like "$show" "^migration: +switch-mx \\(since " "domain show gives the step"
like "$show" "^  waits for: +the MX records of $D to be switched: none of mx1\\.$D, at least one of mx2\\.$D \\(dnsmon sees mx1\\.$D\\)" \
	"and what it waits for, with what dnsmon sees"
out=$(mtasts_query "$D" "$id2")
like "$out" "STSFetchResult\.NOT_CHANGED" "senders keep the widened policy meanwhile"

# The operator switches the MX records: the narrowed policy.
ns_dns_set "$D" "$D." 60 MX "10 mx2.$D."
ok "dnsmon sees the switch: the plan narrows the policy and is done" \
	wait_until 30 step_is done
id3=$(field policy_id)
ok "the narrowed policy has a new, greater id" test "$id3" \> "$id2"
mtasts_refetched "$id2" "$id3" "the widened id" "the narrowed policy"
like "$out" "mx2\\.$D" "... with the new host"
unlike "$out" "mx1\\.$D" "... without the old one"

# The order, as policyd logged it.
order=$(log | sed -n "s/.*stsd\/policyd\[[0-9]*\]: $D: migration: \\([a-z-]* -> \\)\\{0,1\\}\\([a-z-]*\\):.*/\\2/p" | paste -sd' ')
is "$order" "widened waiting switch-mx narrowed done" \
	"every step is logged, in order, once, across the restart"
out=$(inst_exec $STSCTL domain migrate "$D" --abort 2>&1)
is "$?:$out" "1:stsctl: $D: no migration is running (the last one: done)" \
	"--abort after the end is refused"
audit=$(inst_exec $STSCTL audit --domain "$D")
like "$audit" " +operator +local +domain-migrate +$D +- +.*\"add_mx\":\\[\"mx2\\.$D\"\\],.*\"remove_mx\":\\[\"mx1\\.$D\"\\]" \
	"the plan is in the audit log, with the operator as its actor"
is "$(printf '%s\n' "$audit" | grep -c ' domain-migrate ')" 1 \
	"... once: the refused plans left no entry"
done_alert() { [ "$(alerts done)" -ge 1 ]; }
wait_until 20 done_alert
is "$(alerts widened) $(alerts waiting) $(alerts switch-mx) $(alerts narrowed) $(alerts done)" \
	"1 1 1 1 1" "each step is alerted once, across the restart"

inst_stop_fg
unlike "$(cat "$I/log/master.out")" 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
	"the daemons stop without a sanitizer report"
done_testing
