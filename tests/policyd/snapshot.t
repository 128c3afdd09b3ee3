# tests/policyd/snapshot.t - httpd processes that start after the domains
# were added get them from policyd's snapshot: split into several
# messages when ipc_message_size_limit is small, read from policy.db
# once for all processes, every policy served with its exact bytes.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/httpd/instance.sh"

inst_need httpd policyd master stsctl
t_need curl

dir=$(t_tmpdir)/i
# 8 KiB messages: 4 KiB snapshot messages, so 500 domains take several.
httpd_instance "$dir" ipc_message_size_limit=8192 ||
	{ fail "instance starts"; cat "$dir/log/stsd.log"; done_testing; }
pass "instance with httpd (maxproc 2) starts"

{
	for i in $(seq 1 500); do echo "d$i.example mx.d$i.example"; done
	echo "a.example mx1.a.example *.mx.a.example"
	echo "b.example mx.b.example"
} >"$dir.domains"
$STSCTL domain import "$dir.domains" >/dev/null || fail "stsctl domain import"
$STSCTL domain set b.example --mode enforce --force --max-age 1d >/dev/null ||
	fail "stsctl domain set"

# Start again: the three httpd processes (two HTTPS, one plain HTTP)
# subscribe to a policyd with 502 domains.
inst_stop
offset=$(stat -c %s "$dir/log/stsd.log")
inst_start || fail "instance starts again"
log() { tail -c +$((offset + 1)) "$dir/log/stsd.log"; }
ok "every httpd process serves the whole snapshot" \
	wait_until 10 sh -c "[ \$(tail -c +$((offset + 1)) $dir/log/stsd.log |
		grep -c 'httpd.*policyd: serving 502 policies (0 dropped)') = 3 ]"
is "$(log | grep -c 'policyd.*subscriber.*sent 502 policies (a new snapshot)')" 1 \
	"policyd reads the snapshot once"
is "$(log | grep -c 'policyd.*subscriber.*sent 502 policies (the same snapshot)')" 2 \
	"the other processes get the same snapshot"
is "$(log | grep -c 'not understood\|unknown message\|closing the connection')" 0 \
	"httpd understands every message (none over the size limit)"

want_a=$'version: STSv1\r\nmode: testing\r\nmx: mx1.a.example\r\nmx: *.mx.a.example\r\nmax_age: 604800\r\n'
want_b=$'version: STSv1\r\nmode: enforce\r\nmx: mx.b.example\r\nmax_age: 86400\r\n'
# Several fetches on new connections: both processes answer.
good=0
for i in 1 2 3 4 5 6; do
	a=$(fetch mta-sts.a.example -H 'Connection: close'; echo x)
	b=$(fetch mta-sts.b.example -H 'Connection: close'; echo x)
	[ "${a%x}" = "$want_a" ] && [ "${b%x}" = "$want_b" ] && good=$((good + 1))
done
is "$good" 6 "policies from the snapshot are served with their exact bytes"
code=$(fetch mta-sts.nosuch.example -o /dev/null -w '%{http_code}' 2>/dev/null)
ok "a host that is not hosted is not served" [ "$code" != 200 ]

# A change after the snapshot: a new subscriber must not get the old one.
$STSCTL domain set a.example --mode enforce --force >/dev/null
ok "the change is served" wait_until 2 sh -c \
	"curl -s --cacert $I/ca/ca.pem --resolve mta-sts.a.example:$HTTPS:127.0.0.1 \
	https://mta-sts.a.example:$HTTPS$POLICY_PATH | grep -q '^mode: enforce'"

done_testing
