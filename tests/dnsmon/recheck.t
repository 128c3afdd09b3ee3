# tests/dnsmon/recheck.t - pending domains move by themselves: with knot in
# a network namespace and dnsmon under master (dnsmon_interval 1h, so no
# second round runs): "stsctl domain add" has the domain checked within
# seconds; a domain added before its records exist becomes active within
# the first back-off step (dnsmon_retry_min) after they appear, without a
# dnsmon restart; "stsctl check DOMAIN" has dnsmon check it again;
# "domain show" prints the times of the last and next check; a loop of
# "stsctl check" makes at most one dnsmon check per
# dnsmon_check_now_interval; bad notices on private/dnsmon (too long, a
# newline, not JSON, 2 MiB, a flood) are refused or bounded.
# slow
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/dnsmon/ns.sh"

inst_need stsctl policyd master dnsmon

RETRY=4			# dnsmon_retry_min, seconds
GAP=5			# dnsmon_check_now_interval, seconds

{ ns_zone_head ready.test; printf '@ MX 10 mx1.ready.test.\nmta-sts CNAME mta-sts.sts.test.\n'; } >"$t/ready.zone"
{ ns_zone_head late.test; printf '@ MX 10 mx1.late.test.\n'; } >"$t/late.zone"
{ ns_zone_head first.test; printf '@ MX 10 mx1.first.test.\n'; } >"$t/first.zone"
ns_create && ns_dns_start sts.test "$t/sts.zone" ready.test "$t/ready.zone" \
	late.test "$t/late.zone" first.test "$t/first.zone" ||
	{ fail "knot starts"; done_testing; }

instance_start "$t/i" sts_zone=sts.test domain_verification=dns \
	report_recipients=tlsrpt@sts.test dnsmon_probe=no \
	dnsmon_query_timeout=1s dnsmon_interval=1h \
	dnsmon_retry_min=${RETRY}s dnsmon_retry_max=30s \
	dnsmon_check_now_interval=${GAP}s ||
	{ fail "instance starts"; done_testing; }
pass "instance starts in the namespace"
dnsmon_add "dnsmon    unix  y  y  n  -  1  dnsmon"
json() { $STSCTL domain show "$1" --json | sed -n "s/^ *\"$2\": \"*\\([^\",]*\\)\"*,*\$/\\1/p" | grep -v '^null$'; }
state() { json "$1" state; }
checked() { json "$1" checked; }

# A domain before dnsmon's first round: it is pending, its round is the
# last one for an hour.
$STSCTL domain add first.test --mx mx1.first.test >/dev/null 2>&1
first_round() { grep -q 'dnsmon.*round done: 1 domain checked' "$LOG"; }
ok "dnsmon's first round runs" wait_until 20 first_round
dnsmon_pid() { pgrep -f -- "-n dnsmon .*$I/etc|$I/etc.* -n dnsmon" | head -1; }
pid=$(dnsmon_pid)

# domain add of a domain whose records exist: checked within seconds.
added=$(date +%s)
$STSCTL domain add ready.test --mx mx1.ready.test >/dev/null 2>&1
is_active() { [ "$(state "$1")" = active ]; }
ok "domain add: a domain whose records exist is checked and active within seconds" \
	wait_until 10 is_active ready.test
c=$(checked ready.test)
ok "... by a check after the add ($((c - added)) s)" [ -n "$c" ] && [ "$c" -ge "$added" ]
like "$(grep 'dnsmon.*ready\.test' "$LOG")" 'ready\.test: check asked for: now' \
	"... that policyd asked dnsmon for"

# A domain added before its records exist: pending, checked again after
# dnsmon_retry_min.
$STSCTL domain add late.test --mx mx1.late.test >/dev/null 2>&1
have_check() { [ -n "$(checked "$1")" ]; }
ok "domain add: a domain without records is checked at once" wait_until 10 have_check late.test
is "$(state late.test)" pending "... and stays pending"
show=$($STSCTL domain show late.test)
iso='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'
like "$show" "^checked: +$iso\$" "domain show: the time of the last check (ISO 8601 UTC)"
like "$show" "^next check: +$iso \\(by dnsmon\\)\$" "domain show: the time of the next check"
c=$(checked late.test) n=$(json late.test next_check)
is "$((n - c))" "$RETRY" "... the first back-off step after it (dnsmon_retry_min)"
show=$($STSCTL domain show first.test)
n=$(json first.test next_check) c=$(checked first.test)
ok "a pending domain of the first round is on the back-off too ($((n - c)) s)" \
	[ -n "$n" ] && [ "$((n - c))" -le 30 ]

# The records appear: within the first back-off step the domain is active.
ns_dns_set late.test mta-sts.late.test. 60 CNAME mta-sts.sts.test.
appeared=$(date +%s)
ok "records that appear make the domain active within a back-off step" \
	wait_until $((RETRY * 2 + 4)) is_active late.test
took=$(( $(date +%s) - appeared ))
ok "... in ${took} s (step ${RETRY} s, doubled at most once)" [ "$took" -le $((RETRY * 2 + 4)) ]
is "$(dnsmon_pid)" "$pid" "... without a dnsmon restart"
is "$(grep -c 'dnsmon.*round done:' "$LOG")" 1 \
	"... and without a second round (dnsmon_interval 1h)"

# stsctl check DOMAIN asks dnsmon for a check; a loop of them is limited
# to one check per dnsmon_check_now_interval.
sleep $GAP
before=$(checked ready.test)
sleep 1
ns_exec $STSCTL check ready.test >/dev/null 2>&1
newer() { [ "$(checked ready.test)" -gt "$before" ]; }
ok "stsctl check has dnsmon check the domain" wait_until 10 newer
asked_before=$(grep -c 'dnsmon.*ready\.test: check asked for' "$LOG")
early() { grep -c 'dnsmon.*ready\.test: early check' "$LOG"; }
checks_before=$(early)
end=$((SECONDS + GAP))
while [ $SECONDS -lt $end ]; do
	ns_exec $STSCTL check ready.test >/dev/null 2>&1
done
sleep $((GAP + 2))
asked=$(( $(grep -c 'dnsmon.*ready\.test: check asked for' "$LOG") - asked_before ))
checks=$(( $(early) - checks_before ))
ok "a loop of stsctl check asks dnsmon each time ($asked)" [ "$asked" -ge 4 ]
ok "... and makes at most two checks in ${GAP}+${GAP} s ($checks)" [ "$checks" -ge 1 ] && [ "$checks" -le 2 ]
like "$(grep 'dnsmon.*ready\.test: check asked for' "$LOG" | tail -1)" \
	'check asked for: (now|in [0-9]+ s \(dnsmon_check_now_interval\))$' \
	"... each request says when it is served"

# A domain that is removed while it waits is dropped from the back-off.
$STSCTL domain add gone.test --mx mx1.gone.test >/dev/null 2>&1
ok "a domain without a zone is checked at once" wait_until 10 have_check gone.test
$STSCTL domain del gone.test --now >/dev/null 2>&1
gone() { grep -q 'dnsmon.*gone\.test: not checked early: .*no such domain' "$LOG"; }
ok "... and, removed, leaves the back-off at its next step" wait_until $((RETRY + 6)) gone
# Bad notices on private/dnsmon (only policyd writes there): each is
# refused with its reason, escaped, and dnsmon goes on.
python3 - "$I/spool/private/dnsmon" <<'PY'
import json, socket, sys
def send(data):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    try:
        s.sendall(data)
    except OSError:
        pass
    s.close()
note = lambda d: (json.dumps({"op": "check-now", "domain": d}) + "\n").encode()
send(note("x" * 300 + ".test"))
send(note("evil.test\nstsd/dnsmon[1]: forged"))
send(note("99999999999999999999"))
send(b'{"op":"check-now"}\n{"op":"other","domain":"a.test"}\nnot json\n')
send(b'{"op":"check-now","domain":"' + b"a" * (2 * 1024 * 1024) + b'"}\n')
send(b"".join(note("flood%d.test" % i) for i in range(200)))
PY
refused() { grep -c 'dnsmon.*private/dnsmon: .*ignored' "$LOG"; }
flood_done() { [ "$(grep -c 'dnsmon.*flood[0-9]*\.test: not checked early: .*no such domain' "$LOG")" -eq 200 ]; }
ok "a flood of 200 notices for unknown domains: each looked up once, none checked" wait_until 30 flood_done
like "$(grep 'dnsmon.*private/dnsmon' "$LOG")" 'check-now: a domain of 305 octets \(at most 253\): ignored' \
	"a name too long is refused"
like "$(grep 'dnsmon.*private/dnsmon' "$LOG")" 'check-now: .*evil\.test\\nstsd/dnsmon.*: ignored' \
	"a name with a newline is refused, escaped"
unlike "$(cat "$LOG")" '^stsd/dnsmon\[1\]: forged' "... and forges no log line"
like "$(grep 'dnsmon.*private/dnsmon' "$LOG")" 'not a check-now request with a domain: ignored' \
	"a notice without a domain, or of another op, is refused"
ok "... each refusal logged ($(refused))" [ "$(refused)" -ge 4 ]
like "$(grep 'dnsmon' "$LOG")" 'not valid JSON' "a line that is not JSON closes the connection, logged"
like "$(grep 'dnsmon' "$LOG")" 'longer than [0-9]+ bytes' "a 2 MiB line is refused at the message size limit, logged"
is "$(dnsmon_pid)" "$pid" "dnsmon goes on after bad notices"
unlike "$(cat "$LOG")" 'panic|Sanitizer|runtime error' "no crash in the log"
done_testing
