#!/bin/bash
# slow
# tests/acmed/suite.t - the real suite: stsctl adds a domain, acmed gets
# its certificate from pebble through policyd and httpd (http-01, then
# tls-alpn-01), httpd serves the policy with it, and a renewal replaces
# it while a client keeps its connection open.
# SPDX-License-Identifier: ISC
#
# Needs policyd to forward challenge-add/challenge-remove to httpd and
# httpd to answer them; until both do, the script says so and skips.
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/netns.sh"
source "$SRCDIR/tests/pki.sh"
source "$SRCDIR/tests/acmed/pebble.sh"
source "$SRCDIR/tests/stsctl/instance.sh"

acme_env a.example c.example || { fail "test network"; done_testing; }
ns_dns_set a.example _mta-sts 5 TXT '"v=STSv1; id=1"' || fail "TXT a"
ns_dns_set c.example _mta-sts 5 TXT '"v=STSv1; id=1"' || fail "TXT c"
pebble_start || fail "pebble starts"
pebble_root "$W/root.pem" || fail "pebble root"

ACMED_WITH="policyd httpd" acmed_instance "$W/inst" sts_zone=demo.test domain_verification=none
master_start || { fail "master starts"; done_testing; }
wait_until 10 $STSCTL domain list || fail "policyd answers"
$STSCTL domain add a.example --mx mx.a.example >/dev/null || fail "domain add a"

# Does the suite route challenges yet?  Ask policyd and httpd directly.
probe=$(python3 - "$I/spool/private/policyd" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
s.sendall(json.dumps({"op": "challenge-add", "type": "http-01",
    "host": "mta-sts.a.example", "token": "probe-token",
    "keyauth": "probe-token.thumb"}).encode() + b"\n")
print(s.makefile().readline().strip())
PY
)
case $probe in
*'"ok":true'*|*'"ok": true'*) ;;
*) skip_all "policyd does not take challenge-add yet: $probe" ;;
esac
got=$(ns_exec curl -s -H 'Host: mta-sts.a.example' \
	http://127.0.0.1/.well-known/acme-challenge/probe-token)
[ "$got" = probe-token.thumb ] ||
	skip_all "httpd does not answer http-01 challenges yet (got '$got')"
pass "policyd forwards a challenge and httpd answers it"

ok "acmed gets mta-sts.a.example a certificate by http-01" \
	wait_until 40 test -s "$(cert_file mta-sts.a.example)"
policy() {
	ns_exec curl -sf --cacert "$W/root.pem" "https://mta-sts.$1/.well-known/mta-sts.txt"
}
ok "httpd serves the policy with the new certificate" \
	wait_until 10 sh -c "$(declare -f ns_exec policy); NS=$NS W=$W; policy a.example | grep -q 'version: STSv1'"
if command -v mta-sts-query >/dev/null; then
	out=$(SSL_CERT_FILE=$W/root.pem ns_exec mta-sts-query a.example 2>&1)
	like "$out" 'mx.a.example' "mta-sts-query fetches the policy"
fi

# Renewal while a client holds a connection open.
ns_exec python3 - "$W/root.pem" >"$W/keep.out" 2>&1 <<'PY' &
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[1])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", 443)),
                    server_hostname="mta-sts.a.example")
req = b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.a.example\r\n\r\n"
s.sendall(req); print("first", s.recv(65536).split(b"\r\n")[0].decode()); sys.stdout.flush()
time.sleep(8)
s.sendall(req); print("second", s.recv(65536).split(b"\r\n")[0].decode())
PY
keep=$!
old=$(cert_serial mta-sts.a.example)
sleep 1
like "$(acmed_call '{"op":"cert-renew","host":"mta-sts.a.example"}')" '"ok": ?true' \
	"a renewal is done"
new=$(cert_serial mta-sts.a.example)
[ "$new" != "$old" ] && pass "the renewal installed a new certificate" ||
	fail "the renewal installed a new certificate"
served_serial() {
	ns_exec openssl s_client -connect 127.0.0.1:443 -servername mta-sts.a.example \
		</dev/null 2>/dev/null | openssl x509 -noout -serial
}
ok "httpd serves the renewed certificate to new connections" \
	wait_until 10 sh -c "[ \"\$($(declare -f ns_exec served_serial); NS=$NS; served_serial)\" = '$new' ]"
wait "$keep"
like "$(cat "$W/keep.out")" 'second HTTP/1.1 200' \
	"a connection opened before the renewal keeps working"

# tls-alpn-01.
master_stop
acmed_set acme_challenge=tls-alpn-01
master_start || fail "master restarts"
$STSCTL domain add c.example --mx mx.c.example >/dev/null || fail "domain add c"
ok "acmed gets mta-sts.c.example a certificate by tls-alpn-01" \
	wait_until 40 test -s "$(cert_file mta-sts.c.example)"
ok "httpd serves c's policy with it" \
	wait_until 10 sh -c "$(declare -f ns_exec policy); NS=$NS W=$W; policy c.example | grep -q 'version: STSv1'"
master_stop
is "$(sanitizer_reports | head -20)" "" "no sanitizer report (leaks included)"
done_testing
