# tests/policyd/subscribe.t - policyd's private socket: the subscription
# stream that feeds httpd (snapshot, then every change before stsctl
# returns), requests refused on the public socket, and a fatal start
# when policy.db cannot be opened.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/stsctl/instance.sh"

CLIENT=$BUILDDIR/tests/policyd/ipcclient
[ -x "$CLIENT" ] && [ -x "$STSCTL_BIN" ] || skip_all "test client or stsctl not built"
inst_need policyd master

dir=$(t_tmpdir)/i
instance_start "$dir" sts_zone=sts.test domain_verification=none ||
	{ fail "instance starts"; cat "$dir/log/stsd.log"; done_testing; }
pass "instance starts"
priv=$dir/spool/private/policyd
pub=$dir/spool/public/policyd
[ -S "$priv" ] || skip_all "master made no private/policyd socket (private=n gives only public/)"

$STSCTL domain add a.example --mx mx.a.example >/dev/null
$STSCTL domain add b.example --mx mx.b.example >/dev/null

# Snapshot: the domains in a policies message (a line "domain id
# text-index" each, and the distinct policy texts), then snapshot-end.
out=$("$CLIENT" -n 2 -t 5 "$priv" '{"op":"subscribe"}')
is "$?" 0 "subscribe gives two messages"
like "$(echo "$out" | sed -n 1p)" '^\{"domains":"a\.example [0-9]{20} 0\\nb\.example [0-9]{20} 1\\n","op":"policies","texts":\["version: STSv1\\r\\nmode: testing\\r\\nmx: mx\.a\.example\\r\\nmax_age: 604800\\r\\n","version: STSv1\\r\\nmode: testing\\r\\nmx: mx\.b\.example\\r\\nmax_age: 604800\\r\\n"\]\}$' \
	"snapshot carries domain, id and the exact policy text of every domain"
is "$(echo "$out" | sed -n 2p)" '{"count":2,"op":"snapshot-end"}' "snapshot ends with its count"
# The first subscriber after the adds (this client, or an httpd that
# started late on a loaded machine) makes the snapshot; a later one gets
# the same.
like "$(grep 'policyd.*subscriber.*sent 2 policies' "$dir/log/stsd.log" | head -1)" \
	'sent 2 policies \(a new snapshot\), 0 challenges in [0-9.]+ s$' \
	"policyd logs the snapshot it sent and its time"

# Changes arrive before stsctl returns.
stream=$dir/stream
"$CLIENT" -n 20 -t 20 "$priv" '{"op":"subscribe"}' >"$stream" 2>&1 &
client=$!
at_exit "kill $client"
ok "a subscriber gets the snapshot" wait_until 5 grep -q snapshot-end "$stream"
is "$(sed -n 1p "$stream")" "$(echo "$out" | sed -n 1p)" \
	"a second subscriber gets the same snapshot"
like "$(grep 'policyd.*subscriber.*sent 2 policies' "$dir/log/stsd.log" | tail -1)" \
	'\(the same snapshot\)' "the second subscriber's snapshot is not built again"
# HTTPS before DNS: after the snapshot, the subscriber (httpd) is asked
# about each domain that waits for a valid certificate.
ok "the subscriber is asked whether it serves the waiting domains" \
	wait_until 5 grep -q '{"host":"mta-sts.b.example","op":"cert-check"}' "$stream"
is "$(sed -n 3,4p "$stream" | tr '\n' ' ')" \
	'{"host":"mta-sts.a.example","op":"cert-check"} {"host":"mta-sts.b.example","op":"cert-check"} ' \
	"... one cert-check each, right after the snapshot"
changes() { grep -v '"op":"cert-check"' "$stream"; }
has_change() { test -n "$(changes | sed -n "$1p")"; }
# The client writes what it reads to a file: under load it may write
# a push after stsctl has returned, so wait for the line.
$STSCTL domain set a.example --mode enforce --force >/dev/null
wait_until 5 has_change 3
like "$(changes | sed -n 3p)" '"host":"mta-sts\.a\.example".*mode: enforce' \
	"a change is pushed to the subscriber"
$STSCTL domain del b.example --now >/dev/null 2>&1
wait_until 5 has_change 4
is "$(changes | sed -n 4p)" '{"host":"mta-sts.b.example","op":"withdraw"}' \
	"a removal is pushed as withdraw"
like "$($STSCTL domain show a.example)" '^waiting for: +a valid certificate served for mta-sts\.a\.example$' \
	"show says what the TXT record of a new domain waits for"
out=$("$CLIENT" "$priv" "{\"op\":\"cert-served\",\"host\":\"mta-sts.a.example\",\"not_after\":$(($(date +%s) + 86400))}")
is "$out" '{"ok":true}' "cert-served (httpd) is accepted on the private socket"
unlike "$($STSCTL domain show a.example)" 'waiting for' "once served, nothing waits"
ok "policyd logs it" grep -q 'a.example: httpd serves mta-sts.a.example with a valid certificate' "$dir/log/stsd.log"
out=$("$CLIENT" "$priv" '{"op":"cert-changed","host":"mta-sts.a.example"}')
is "$out" '{"ok":true}' "cert-changed is accepted on the private socket"
ok "cert-changed is forwarded as cert-reload" \
	wait_until 2 grep -q '{"host":"mta-sts.a.example","op":"cert-reload"}' "$stream"

# Private requests are refused on the public socket.
# refused_public OP REQUEST: REQUEST, of OP, gets the error that OP is
# not allowed on the public socket (one case).
refused_public() {
	is "$("$CLIENT" "$pub" "$2")" \
		"{\"error\":\"request \\\"$1\\\" is not allowed on the public socket\",\"ok\":false}" \
		"$1 is refused on the public socket"
}
if [ -S "$pub" ]; then
	refused_public subscribe '{"op":"subscribe"}'
	refused_public domain-verified '{"op":"domain-verified","domain":"a.example"}'
fi
# ACME challenges (acmed): pushed at once, and to a later subscriber
# after its snapshot.
out=$("$CLIENT" "$priv" '{"op":"challenge-add","type":"http-01","host":"mta-sts.a.example","token":"t1","keyauth":"t1.k"}')
is "$out" '{"ok":true}' "challenge-add is accepted on the private socket"
out=$("$CLIENT" -n 3 -t 5 "$priv" '{"op":"subscribe"}')
like "$(echo "$out" | sed -n 1p)" '^\{"domains":"a\.example [0-9]{20} 0\\n","op":"policies","texts":\["version: STSv1\\r\\nmode: enforce\\r\\n[^"]*"\]\}$' \
	"a subscriber after a change gets a new snapshot with it"
is "$(echo "$out" | sed -n 2,3p)" '{"count":1,"op":"snapshot-end"}
{"host":"mta-sts.a.example","keyauth":"t1.k","op":"challenge","token":"t1","type":"http-01"}' \
	"a new subscriber gets the current challenges after snapshot-end"
if [ -S "$pub" ]; then
	refused_public challenge-remove \
		'{"op":"challenge-remove","type":"http-01","host":"mta-sts.a.example"}'
fi

out=$("$CLIENT" "$priv" '{"op":"domain-show","domain":"nosuch.example","id":7}')
is "$out" '{"error":"nosuch.example: no such domain","id":7,"ok":false}' \
	"errors come back as ok false with the request id"

# A policy.db that cannot be opened stops policyd with a clear fatal error.
kill "$client" 2>/dev/null
instance_stop "$dir"
if [ "${STSD_TEST_STORAGE:-sqlite}" = postgresql ]; then
	inst_set "postgresql_conninfo=$(inst_param postgresql_conninfo) dbname=nosuch"
	want='postgresql: cannot connect: .*"nosuch" does not exist'
else
	rm -f "$dir/data/policy.db"*
	mkdir "$dir/data/policy.db"
	want='.*policy\.db'
fi
INSTANCE_NOWAIT=1 instance_run "$dir" >/dev/null 2>&1
ok "policyd refuses to start without its database" wait_until 10 \
	grep -q "policyd\[[0-9]*\]: fatal: cannot open the policy database: $want" \
	"$dir/log/stsd.log"

done_testing
